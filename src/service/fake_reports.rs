//! Anyone can report a product that claims the mark; staff list and close the reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{throttle, validation, ServiceError, ServiceResult, ServiceState};
use crate::db::models::usage::FakeReportRow;
use crate::db::queries::usage as db;
use crate::db::write_transaction;
use crate::domain::roles::Actor;
use crate::domain::throttle::FAKE_REPORTS_PER_ADDRESS;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct FakeReportInput {
    /// The credit code or registry number printed on the product.
    #[serde(deserialize_with = "super::validation::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub code_seen: String,
    /// Where the product was seen (shop, market, web address).
    #[serde(deserialize_with = "super::validation::trimmed")]
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub place: String,
    #[serde(deserialize_with = "super::validation::trimmed")]
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FakeReportReceipt {
    pub id: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FakeReportView {
    pub id: String,
    pub code_seen: String,
    pub place: String,
    pub description: String,
    pub status: String,
    pub resolution: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<FakeReportRow> for FakeReportView {
    fn from(row: FakeReportRow) -> Self {
        Self {
            id: row.id,
            code_seen: row.code_seen,
            place: row.place,
            description: row.description,
            status: row.status,
            resolution: row.resolution,
            created_at: row.created_at.and_utc(),
            closed_at: row.closed_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct FakeReportQuery {
    /// `open` or `closed`.
    #[param(pattern = "^(open|closed)$")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct CloseInput {
    /// What was found and done.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub resolution: String,
}

/// Takes a report from anyone; at most ten an hour from one address.
pub async fn submit(
    state: &ServiceState,
    input: FakeReportInput,
    address: String,
) -> ServiceResult<FakeReportReceipt> {
    validation::check(&input, Vec::new())?;
    let now = state.clock.now_naive();
    let key = format!("fake-report:{address}");
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                // Counted with the report it allows; a refusal stores nothing.
                if let Some(retry_after_secs) =
                    throttle::admit(conn, &[(&key, FAKE_REPORTS_PER_ADDRESS)], now)?
                {
                    return Err(ServiceError::TooManyRequests { retry_after_secs });
                }
                let row = FakeReportRow {
                    id: super::applications::new_id(),
                    code_seen: input.code_seen.trim().to_owned(),
                    place: input.place.trim().to_owned(),
                    description: input.description.trim().to_owned(),
                    photo_sha256: None,
                    photo_content_type: None,
                    reporter_address: address.clone(),
                    status: "open".into(),
                    resolution: None,
                    closed_by: None,
                    closed_at: None,
                    created_at: now,
                };
                db::insert_fake_report(conn, &row)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "report",
                        entity_id: &row.id,
                        action: "report_fake",
                        from_status: None,
                        to_status: Some("open"),
                        actor: &EventActor {
                            user_id: None,
                            role: "public",
                        },
                        comment: None,
                        data: Some(serde_json::json!({"code_seen": row.code_seen})),
                        at: now,
                    },
                )?;
                Ok(FakeReportReceipt {
                    id: row.id,
                    status: row.status,
                    created_at: now.and_utc(),
                })
            })
        })
        .await
}

pub async fn list(
    state: &ServiceState,
    actor: &Actor,
    query: FakeReportQuery,
    paging: PageRequest,
) -> ServiceResult<Page<FakeReportView>> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    let (page, per_page, offset) = paging.resolve()?;
    if query
        .status
        .as_deref()
        .is_some_and(|s| s != "open" && s != "closed")
    {
        return Err(ServiceError::invalid(
            "status",
            "invalid_choice",
            "must be open or closed",
            "须为 open 或 closed",
        ));
    }
    state
        .run(move |conn| {
            let (rows, total) = db::fake_reports(conn, query.status.as_deref(), offset, per_page)?;
            Ok(Page {
                items: rows.into_iter().map(FakeReportView::from).collect(),
                total,
                page,
                per_page,
            })
        })
        .await
}

pub async fn close(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    input: CloseInput,
) -> ServiceResult<FakeReportView> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                db::fake_report(conn, &id)?.ok_or(ServiceError::NotFound)?;
                if db::close_fake_report(conn, &id, &actor.user_id, input.resolution.trim(), now)?
                    == 0
                {
                    return Err(ServiceError::conflict(
                        "This report is closed already.",
                        "该举报已处理完毕。",
                    ));
                }
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "report",
                        entity_id: &id,
                        action: "close",
                        from_status: Some("open"),
                        to_status: Some("closed"),
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: Some(input.resolution.trim()),
                        data: None,
                        at: now,
                    },
                )?;
                Ok(db::fake_report(conn, &id)?
                    .ok_or(ServiceError::NotFound)?
                    .into())
            })
        })
        .await
}
