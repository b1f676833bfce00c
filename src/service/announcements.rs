//! The approval announcements (核准公告) the public register's rights rest on, newest first,
//! each with the rights it granted and the approved changes of holders' details (变更) it
//! recorded: read from the in-memory register like every public answer.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ServiceError, ServiceResult, ServiceState};
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::register::{AnnouncedChangeView, Announcement, FieldChange};

/// One changed detail of a holder.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedDetail {
    pub from: String,
    pub to: String,
}

impl From<&FieldChange> for ChangedDetail {
    fn from(change: &FieldChange) -> Self {
        Self {
            from: change.from.clone(),
            to: change.to.clone(),
        }
    }
}

/// An approved change of a holder's details recorded in the announcement: each changed
/// detail from → to (null: unchanged), and the holder's rights by registry number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnouncedChangeItem {
    pub uscc: String,
    /// The holder's name today.
    pub enterprise_name: String,
    /// Former name → new name.
    pub name: Option<ChangedDetail>,
    pub address: Option<ChangedDetail>,
    pub legal_representative: Option<ChangedDetail>,
    /// The registry numbers of the holder's rights.
    pub registry_nos: Vec<String>,
    pub approved_at: DateTime<Utc>,
}

impl From<&AnnouncedChangeView<'_>> for AnnouncedChangeItem {
    fn from(view: &AnnouncedChangeView<'_>) -> Self {
        let change = view.change;
        Self {
            uscc: change.uscc.clone(),
            enterprise_name: view
                .rights
                .first()
                .map_or_else(String::new, |r| r.enterprise_name.clone()),
            name: change.name.as_ref().map(ChangedDetail::from),
            address: change.address.as_ref().map(ChangedDetail::from),
            legal_representative: change
                .legal_representative
                .as_ref()
                .map(ChangedDetail::from),
            registry_nos: view.rights.iter().map(|r| r.registry_no.clone()).collect(),
            approved_at: change.approved_at.and_utc(),
        }
    }
}

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
    /// The approved changes of holders' details it recorded, in the order approved.
    pub changes: Vec<AnnouncedChangeItem>,
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
        changes: announcement
            .changes
            .iter()
            .map(AnnouncedChangeItem::from)
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

/// One announcement by its number; 404 when neither a right nor a change rests on it.
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
