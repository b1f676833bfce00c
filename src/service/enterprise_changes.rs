//! Changes of a holder's details (变更): the holder asks to change its name, address or legal
//! representative with a reason; staff approve or reject within a working-day limit (setting
//! `change_review_working_days`, default 10). Approval writes the enterprise, its rights'
//! search text and one journal event in one transaction; the public register applies that
//! event before the answer leaves, so verify, search and the CSV show the new name at once.
//! The approved requests keep the old values: they are the enterprise's history of names.
//! Every step is an event of the enterprise in the journal (`change_request`,
//! `change_reject`, `change`), naming the request in its data.

pub mod documents;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::applications::new_id;
use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::models::enterprise_change::EnterpriseChangeRow;
use crate::db::queries::{accounts as account_db, enterprise_changes as db, settings};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::search_text;
use crate::domain::calendar::add_working_days;
use crate::domain::roles::{Actor, Role};
use crate::domain::{FieldError, Localized};
use documents::{ChangeDocumentUpload, ChangeDocumentView};

pub const REVIEW_DAYS_SETTING: &str = "change_review_working_days";
/// The working days staff have to decide a change when the setting is absent.
pub const DEFAULT_REVIEW_DAYS: u32 = 10;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct EnterpriseChangeInput {
    /// The new name, if it changes.
    #[serde(default, deserialize_with = "validation::trimmed_optional")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 2, max = 200)
    )]
    #[schema(min_length = 2, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "validation::trimmed_optional")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 300)
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "validation::trimmed_optional")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub legal_representative: Option<String>,
    /// Why (e.g. the new business licence of 2026-11-30).
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
pub struct ChangeDecisionInput {
    #[serde(default, deserialize_with = "validation::trimmed_optional")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// With `approve` only, optional: the announcement that publishes the change (as a grant
    /// names its approval announcement); given with `announcement_date` or not at all. The
    /// public announcements list the change under it.
    #[serde(default, deserialize_with = "validation::trimmed_optional")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100, example = "英市监公告〔2026〕12号")]
    pub announcement_no: Option<String>,
    /// With `announcement_no`: its date, `YYYY-MM-DD`.
    #[serde(default)]
    pub announcement_date: Option<NaiveDate>,
}

impl ChangeDecisionInput {
    /// The announcement fields must come together, and only with an approval.
    fn announcement_problems(&self, approve: bool) -> Vec<FieldError> {
        let (no, date) = (
            self.announcement_no.is_some(),
            self.announcement_date.is_some(),
        );
        let mut problems = Vec::new();
        if !approve {
            for (given, field) in [(no, "announcement_no"), (date, "announcement_date")] {
                if given {
                    problems.push(FieldError::new(
                        field,
                        "not_allowed",
                        Localized::new("is given only with an approval", "仅核准变更时填写"),
                    ));
                }
            }
        } else if no != date {
            let missing = if no {
                "announcement_date"
            } else {
                "announcement_no"
            };
            problems.push(FieldError::new(
                missing,
                "required",
                Localized::new(
                    "is required with the other announcement field",
                    "公告号与公告日期须同时填写",
                ),
            ));
        }
        problems
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ChangeQuery {
    /// `submitted`, `approved` or `rejected`; every request without it.
    #[param(pattern = "^(submitted|approved|rejected)$")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseChangeView {
    pub id: String,
    /// `submitted`, `approved` or `rejected`.
    pub status: String,
    pub enterprise_id: String,
    pub uscc: String,
    /// The enterprise's name now.
    pub enterprise_name: String,
    /// What was asked for (null: unchanged).
    pub name: Option<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    /// The details when it was asked.
    pub old_name: String,
    pub old_address: String,
    pub old_legal_representative: String,
    pub reason: String,
    /// The working-day deadline of the decision.
    pub due_date: NaiveDate,
    /// Still open past `due_date`.
    pub overdue: bool,
    pub decision_reason: Option<String>,
    /// The staff member who decided (username), for staff readers.
    pub decided_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The announcement that publishes an approved change, when staff gave one.
    pub announcement_no: Option<String>,
    pub announcement_date: Option<NaiveDate>,
    /// The documents attached (e.g. the new business licence), oldest first; each is read at
    /// `/api/v1/enterprise-changes/{id}/documents/{document_id}`.
    pub documents: Vec<ChangeDocumentView>,
}

fn view(
    conn: &mut DbConnection,
    reader: &Actor,
    row: EnterpriseChangeRow,
    today: NaiveDate,
) -> ServiceResult<EnterpriseChangeView> {
    let enterprise =
        account_db::enterprise_by_id(conn, &row.enterprise_id)?.ok_or(ServiceError::NotFound)?;
    let decided_by = match (&row.decided_by, reader.role.is_staff()) {
        (Some(id), true) => account_db::user_by_id(conn, id)?.map(|u| u.username),
        _ => None,
    };
    let due_date: NaiveDate = row.due_date.parse().unwrap_or(today);
    let documents = documents::views_of(conn, &row.id)?;
    Ok(EnterpriseChangeView {
        documents,
        overdue: row.status == "submitted" && due_date < today,
        id: row.id,
        status: row.status,
        enterprise_id: row.enterprise_id,
        uscc: enterprise.uscc,
        enterprise_name: enterprise.name,
        name: row.name,
        address: row.address,
        legal_representative: row.legal_representative,
        old_name: row.old_name,
        old_address: row.old_address,
        old_legal_representative: row.old_legal_representative,
        reason: row.reason,
        due_date,
        decision_reason: row.decision_reason,
        decided_by,
        created_at: row.created_at.and_utc(),
        decided_at: row.decided_at.map(|t| t.and_utc()),
        announcement_no: row.announcement_no,
        announcement_date: row.announcement_date.and_then(|d| d.parse().ok()),
    })
}

fn review_days(conn: &mut DbConnection) -> ServiceResult<u32> {
    Ok(settings::get(conn, REVIEW_DAYS_SETTING)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_REVIEW_DAYS))
}

/// A holder asks for a change; 403 for anyone but an applicant, 422 when nothing would
/// change, 409 while another request of the enterprise is open.
pub async fn request(
    state: &ServiceState,
    actor: &Actor,
    input: EnterpriseChangeInput,
) -> ServiceResult<EnterpriseChangeView> {
    request_with_documents(state, actor, input, Vec::new()).await
}

/// [`request`] with the documents that support it (the page's form sends them along): the
/// request and its documents are written in one transaction, or none of them; a document that
/// is not a PDF, JPEG or PNG refuses the whole request before anything is stored.
pub async fn request_with_documents(
    state: &ServiceState,
    actor: &Actor,
    input: EnterpriseChangeInput,
    uploads: Vec<ChangeDocumentUpload>,
) -> ServiceResult<EnterpriseChangeView> {
    let (Role::Applicant, Some(enterprise_id)) = (actor.role, actor.enterprise_id.clone()) else {
        return Err(ServiceError::Forbidden);
    };
    validation::check(&input, Vec::new())?;
    documents::sniff_all(&uploads)?;
    let stored = documents::store_all(state, uploads).await?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            let row = write_transaction(conn, |conn| {
                let enterprise = account_db::enterprise_by_id(conn, &enterprise_id)?
                    .ok_or(ServiceError::NotFound)?;
                let differs = |new: &Option<String>, old: &str| {
                    new.as_deref().filter(|n| *n != old).map(str::to_owned)
                };
                let name = differs(&input.name, &enterprise.name);
                let address = differs(&input.address, &enterprise.address);
                let legal_representative =
                    differs(&input.legal_representative, &enterprise.legal_representative);
                if name.is_none() && address.is_none() && legal_representative.is_none() {
                    return Err(ServiceError::Invalid(vec![FieldError::new(
                        "name",
                        "nothing_changes",
                        Localized::new(
                            "give a new name, address or legal representative",
                            "请填写新的名称、住所或法定代表人",
                        ),
                    )]));
                }
                let holidays = super::review::holidays(conn)?;
                let due = add_working_days(now.date(), review_days(conn)?, &holidays);
                let row = EnterpriseChangeRow {
                    id: new_id(),
                    enterprise_id: enterprise.id.clone(),
                    status: "submitted".into(),
                    name,
                    address,
                    legal_representative,
                    old_name: enterprise.name,
                    old_address: enterprise.address,
                    old_legal_representative: enterprise.legal_representative,
                    reason: input.reason.trim().to_owned(),
                    requested_by: actor.user_id.clone(),
                    due_date: due.to_string(),
                    decided_by: None,
                    decision_reason: None,
                    created_at: now,
                    decided_at: None,
                    announcement_no: None,
                    announcement_date: None,
                };
                db::insert(conn, &row).map_err(|e| {
                    ServiceError::on_duplicate(
                        e,
                        "A change of the enterprise's details is already waiting for a decision.",
                        "已有一项变更申请正在办理。",
                    )
                })?;
                let attached = documents::record(conn, &actor, &row, &stored, now, false)?;
                let attached: Vec<serde_json::Value> =
                    attached.iter().map(documents::document_data).collect();
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "enterprise",
                        entity_id: &row.enterprise_id,
                        action: "change_request",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: Some(&row.reason),
                        data: Some(serde_json::json!({
                            "change_id": row.id, "name": row.name,
                            "address": row.address, "legal_representative": row.legal_representative,
                            "documents": attached,
                        })),
                        at: now,
                    },
                )?;
                Ok(row)
            })?;
            view(conn, &actor, row, now.date())
        })
        .await
}

/// Staff decide an open request: approval writes the enterprise at once. 403 for anyone but
/// a reviewer or approver, 409 for a request already decided.
pub async fn decide(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    approve: bool,
    input: ChangeDecisionInput,
) -> ServiceResult<EnterpriseChangeView> {
    if !actor.role.may_review() {
        return Err(ServiceError::Forbidden);
    }
    let problems = input.announcement_problems(approve);
    validation::check(&input, problems)?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                decide_in(conn, &actor, &id, approve, &input, now)
            })?;
            let row = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
            view(conn, &actor, row, now.date())
        })
        .await
}

fn decide_in(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    approve: bool,
    input: &ChangeDecisionInput,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let status = if approve { "approved" } else { "rejected" };
    let reason = input.reason.as_deref();
    let announcement_date = input.announcement_date.map(|d| d.to_string());
    let announcement = input
        .announcement_no
        .as_deref()
        .zip(announcement_date.as_deref())
        .filter(|_| approve);
    if db::decide(conn, id, status, &actor.user_id, reason, announcement, now)? == 0 {
        return Err(ServiceError::conflict(
            format!("The request was already {}.", row.status),
            "该变更申请已办结。",
        ));
    }
    let by = EventActor::user(&actor.user_id, actor.role);
    if !approve {
        journal::append(
            conn,
            NewEvent {
                entity_type: "enterprise",
                entity_id: &row.enterprise_id,
                action: "change_reject",
                from_status: None,
                to_status: None,
                actor: &by,
                comment: reason,
                data: Some(serde_json::json!({"change_id": id})),
                at: now,
            },
        )?;
        return Ok(());
    }
    let enterprise =
        account_db::enterprise_by_id(conn, &row.enterprise_id)?.ok_or(ServiceError::NotFound)?;
    let name = row.name.clone().unwrap_or_else(|| enterprise.name.clone());
    let address = row
        .address
        .clone()
        .unwrap_or_else(|| enterprise.address.clone());
    let legal_representative = row
        .legal_representative
        .clone()
        .unwrap_or_else(|| enterprise.legal_representative.clone());
    db::update_enterprise(
        conn,
        &enterprise.id,
        &name,
        &address,
        &legal_representative,
        now,
    )?;
    if name != enterprise.name {
        for (right, registry_no) in db::rights_of(conn, &enterprise.id)? {
            db::set_search_text(
                conn,
                &right,
                &search_text(&name, &enterprise.uscc, &registry_no),
            )?;
        }
    }
    let mut changes = serde_json::Map::new();
    for (field, old, new) in [
        ("name", &enterprise.name, &name),
        ("address", &enterprise.address, &address),
        (
            "legal_representative",
            &enterprise.legal_representative,
            &legal_representative,
        ),
    ] {
        if old != new {
            changes.insert(field.into(), serde_json::json!({"from": old, "to": new}));
        }
    }
    // The enterprise's event: the public register refreshes the holder's rights from it.
    journal::append(
        conn,
        NewEvent {
            entity_type: "enterprise",
            entity_id: &enterprise.id,
            action: "change",
            from_status: None,
            to_status: None,
            actor: &by,
            comment: reason,
            // The announcement (if any) and the credit code let the public register list the
            // change under its announcement.
            data: Some(serde_json::json!({
                "change_id": id, "changes": changes, "uscc": enterprise.uscc,
                "announcement_no": announcement.map(|a| a.0),
                "announcement_date": announcement.map(|a| a.1),
            })),
            at: now,
        },
    )?;
    Ok(())
}

/// Requests, newest first: staff see all, a holder its own.
pub async fn list(
    state: &ServiceState,
    actor: &Actor,
    query: ChangeQuery,
    paging: PageRequest,
) -> ServiceResult<Page<EnterpriseChangeView>> {
    let (page, per_page, offset) = paging.resolve()?;
    // An empty status is not a status (the document lists the three values).
    let status = match query.status.as_deref() {
        None => None,
        Some(s @ ("submitted" | "approved" | "rejected")) => Some(s.to_owned()),
        Some(_) => {
            return Err(ServiceError::invalid(
                "status",
                "invalid_choice",
                "must be submitted, approved or rejected",
                "须为 submitted、approved 或 rejected",
            ))
        }
    };
    let scope = if actor.role.is_staff() {
        None
    } else {
        Some(actor.enterprise_id.clone().ok_or(ServiceError::Forbidden)?)
    };
    let (actor, today) = (actor.clone(), state.clock.today());
    state
        .run(move |conn| {
            let (rows, total) =
                db::list(conn, scope.as_deref(), status.as_deref(), offset, per_page)?;
            let items = rows
                .into_iter()
                .map(|row| view(conn, &actor, row, today))
                .collect::<ServiceResult<Vec<_>>>()?;
            Ok(Page {
                items,
                total,
                page,
                per_page,
            })
        })
        .await
}

/// The enterprise's former names, oldest first: (name, until), for staff.
pub(crate) fn name_history(
    conn: &mut DbConnection,
    enterprise_id: &str,
) -> ServiceResult<Vec<(String, DateTime<Utc>)>> {
    Ok(db::approved_of(conn, enterprise_id)?
        .into_iter()
        .filter(|row| row.name.is_some())
        .filter_map(|row| Some((row.old_name, row.decided_at?.and_utc())))
        .collect())
}
