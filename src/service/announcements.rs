//! The approval announcements (核准公告) the public register's rights rest on, newest first,
//! each with the rights it granted: read from the in-memory register like every public answer.

use serde::Serialize;
use utoipa::ToSchema;

use super::{ServiceError, ServiceResult, ServiceState};
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::register::Announcement;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnouncedRight {
    pub registry_no: String,
    pub enterprise_name: String,
    pub uscc: String,
    pub product_code: String,
    pub product_name_zh: String,
    /// The right's status today (an announced right may since have been suspended or ended).
    pub status: AuthorizationStatus,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnouncementView {
    #[schema(example = "英市监公告〔2026〕3号")]
    pub announcement_no: String,
    /// `YYYY-MM-DD`.
    pub announcement_date: String,
    /// The rights it granted, by registry number.
    pub rights: Vec<AnnouncedRight>,
}

fn view(state: &ServiceState, announcement: Announcement<'_>) -> AnnouncementView {
    let reference = &state.register.reference;
    AnnouncementView {
        announcement_no: announcement.announcement_no.to_owned(),
        announcement_date: announcement.announcement_date.to_owned(),
        rights: announcement
            .rights
            .into_iter()
            .map(|r| AnnouncedRight {
                registry_no: r.registry_no.clone(),
                enterprise_name: r.enterprise_name.clone(),
                uscc: r.uscc.clone(),
                product_code: r.product_code.clone(),
                product_name_zh: reference
                    .product(&r.product_code)
                    .map_or_else(|| r.product_code.clone(), |p| p.name_zh.clone()),
                status: r.status,
            })
            .collect(),
    }
}

/// Every announcement, newest first.
pub async fn announcements(state: &ServiceState) -> ServiceResult<Vec<AnnouncementView>> {
    let register = state.register.read()?;
    Ok(register
        .announcements()
        .into_iter()
        .map(|a| view(state, a))
        .collect())
}

/// One announcement by its number; 404 when no right rests on it.
pub async fn announcement(
    state: &ServiceState,
    announcement_no: String,
) -> ServiceResult<AnnouncementView> {
    let register = state.register.read()?;
    let found = register
        .announcement(announcement_no.trim())
        .ok_or(ServiceError::NotFound)?;
    Ok(view(state, found))
}
