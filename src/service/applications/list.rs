//! Lists of applications: a producer's own, and the review queue (most urgent first).

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{basis_of, enterprise_refs, status_of, ApplicationSummary};
use crate::db::queries::applications::{self as db, ApplicationFilter};
use crate::domain::case::{is_overdue, Step};
use crate::domain::roles::Actor;
use crate::domain::workflow::ApplicationStatus;
use crate::service::paging::{Page, PageRequest};
use crate::service::{validation, ServiceError, ServiceResult, ServiceState};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Only applications in this status.
    #[param(value_type = Option<ApplicationStatus>)]
    pub status: Option<String>,
    /// Only applications for this product code.
    #[param(pattern = r"^[^\x00]*$")]
    pub product: Option<String>,
    /// `urgency` for the review queue (earliest due date, then longest waiting); newest first
    /// otherwise.
    #[param(pattern = "^(urgency|newest)$")]
    pub sort: Option<String>,
    /// Without `status`: only what waits for staff (the review queue page's default).
    #[serde(skip)]
    pub waiting_for_staff: bool,
}

pub async fn list(
    state: &ServiceState,
    actor: &Actor,
    query: ApplicationQuery,
    paging: PageRequest,
) -> ServiceResult<Page<ApplicationSummary>> {
    let (page, per_page, offset) = paging.resolve()?;
    let status: Option<ApplicationStatus> = validation::parse_choice(
        "status",
        query.status.as_deref(),
        "is not an application status",
        "不是有效的申请状态",
    )?;
    let scope = actor.list_scope().ok_or(ServiceError::Forbidden)?;
    let filter = ApplicationFilter {
        // A producer sees its own enterprise's records only.
        enterprise_id: scope.map(str::to_owned),
        statuses: match status {
            Some(status) => vec![status.as_str().to_owned()],
            None if query.waiting_for_staff => ApplicationStatus::WAITING_FOR_STAFF
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            None => Vec::new(),
        },
        product_code: query.product.filter(|p| !p.is_empty()),
        by_urgency: match query.sort.as_deref() {
            None | Some("newest") => false,
            Some("urgency") => true,
            Some(_) => {
                return Err(ServiceError::invalid(
                    "sort",
                    "invalid_choice",
                    "must be urgency or newest",
                    "须为 urgency 或 newest",
                ))
            }
        },
    };
    let now = state.clock.now_naive();
    state
        .run(move |conn| {
            let (rows, total) = db::list(conn, &filter, offset, per_page)?;
            let enterprises = enterprise_refs(conn, rows.iter().map(|r| r.enterprise_id.as_str()))?;
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let status = status_of(&row)?;
                let review_due_date: Option<NaiveDate> =
                    row.review_due_date.as_deref().and_then(|d| d.parse().ok());
                let current_step_due: Option<NaiveDate> =
                    row.current_step_due.as_deref().and_then(|d| d.parse().ok());
                items.push(ApplicationSummary {
                    enterprise: enterprises
                        .get(&row.enterprise_id)
                        .cloned()
                        .ok_or(ServiceError::NotFound)?,
                    days_in_state: (now - row.status_changed_at).num_days(),
                    overdue: is_overdue(status, current_step_due, now.date()),
                    current_step: Step::of(status),
                    current_step_due,
                    application_no: row.application_no.clone(),
                    review_due_date,
                    status,
                    basis: basis_of(&row)?,
                    id: row.id,
                    product_code: row.product_code,
                    production_town_code: row.production_town,
                    version: row.version,
                    created_at: row.created_at.and_utc(),
                    submitted_at: row.submitted_at.map(|t| t.and_utc()),
                    status_changed_at: row.status_changed_at.and_utc(),
                });
            }
            Ok(Page {
                items,
                total,
                page,
                per_page,
            })
        })
        .await
}
