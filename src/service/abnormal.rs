//! The abnormal-use list (使用异常名录): staff list a right with its ground, a note and a date
//! to put it right, and remove it when corrected; a filed usage report removes a
//! `report_overdue` entry by itself. Each change is one transaction with its journal event,
//! (an `authorization` event, `abnormal_list` or `abnormal_remove`, the journal's entity types
//! being fixed) whose data carry the public fields, so the register applies it without a read. The public
//! list and the verify flag come from the register.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::models::abnormal::AbnormalUserRow;
use crate::db::queries::{abnormal as db, authorizations as rights_db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::abnormal::AbnormalReason;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::register::AbnormalEntry;
use crate::domain::roles::Actor;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct AbnormalInput {
    pub authorization_id: String,
    pub reason: AbnormalReason,
    /// Why, for staff (not shown to the public).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
    /// The day by which the holder must put it right.
    pub correct_by: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct RemoveInput {
    /// What was corrected.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct AbnormalQuery {
    /// Also entries removed since (default false).
    pub include_removed: Option<bool>,
}

/// An entry as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AbnormalUserView {
    pub id: String,
    pub registry_no: String,
    pub enterprise_name: String,
    pub uscc: String,
    pub product_code: String,
    pub reason: AbnormalReason,
    pub listed_at: DateTime<Utc>,
    /// `YYYY-MM-DD`.
    pub correct_by: String,
    pub removed_at: Option<DateTime<Utc>>,
}

fn public_view(
    entry: &AbnormalEntry,
    right: &crate::domain::register::RightFacts,
) -> Option<AbnormalUserView> {
    Some(AbnormalUserView {
        id: entry.id.clone(),
        registry_no: right.registry_no.clone(),
        enterprise_name: right.enterprise_name.clone(),
        uscc: right.uscc.clone(),
        product_code: right.product_code.clone(),
        reason: entry.reason,
        listed_at: entry.listed_at.and_utc(),
        correct_by: entry.correct_by.clone(),
        removed_at: entry.removed_at.map(|at| at.and_utc()),
    })
}

fn staff_only(actor: &Actor) -> ServiceResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The entry with `id` as the register holds it now (after this process's own write).
fn entry_view(state: &ServiceState, id: &str) -> ServiceResult<AbnormalUserView> {
    let register = state.register.read()?;
    let (page, _) = register.abnormal_page(true, 0, usize::MAX);
    page.into_iter()
        .find(|(e, _)| e.id == id)
        .and_then(|(e, r)| public_view(e, r?))
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("abnormal entry not applied")))
}

/// Staff list a right (201).
pub async fn list_right(
    state: &ServiceState,
    actor: &Actor,
    input: AbnormalInput,
) -> ServiceResult<AbnormalUserView> {
    staff_only(actor)?;
    let input = AbnormalInput {
        note: input.note.trim().to_owned(),
        ..input
    };
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    let id = state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let right = rights_db::find(conn, &input.authorization_id)?.ok_or_else(|| {
                    ServiceError::invalid(
                        "authorization_id",
                        "unknown",
                        "is not a right of the register",
                        "不是登记簿中的授权",
                    )
                })?;
                let status: AuthorizationStatus = right.status.parse().map_err(|_| {
                    ServiceError::Internal(anyhow::anyhow!("stored status unknown"))
                })?;
                if !matches!(
                    status,
                    AuthorizationStatus::Active | AuthorizationStatus::Suspended
                ) {
                    return Err(ServiceError::conflict(
                        "A revoked or surrendered right cannot be listed.",
                        "已撤销或注销的授权不能列入使用异常名录。",
                    ));
                }
                if db::current_of(conn, &right.id)?
                    .iter()
                    .any(|e| e.reason == input.reason.as_str())
                {
                    return Err(ServiceError::conflict(
                        "This right is listed on this ground already.",
                        "该授权已因此事由列入使用异常名录。",
                    ));
                }
                let row = AbnormalUserRow {
                    id: super::applications::new_id(),
                    authorization_id: right.id.clone(),
                    reason: input.reason.as_str().to_owned(),
                    note: input.note.clone(),
                    correct_by: input.correct_by.to_string(),
                    listed_by: actor.user_id.clone(),
                    listed_at: now,
                    removed_at: None,
                    removed_by: None,
                    removal_note: None,
                };
                db::insert(conn, &row)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "authorization",
                        entity_id: &row.authorization_id,
                        action: "abnormal_list",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: Some(&row.note),
                        data: Some(serde_json::json!({
                            "abnormal_id": row.id,
                            "reason": row.reason,
                            "correct_by": row.correct_by,
                        })),
                        at: now,
                    },
                )?;
                Ok(row.id)
            })
        })
        .await?;
    entry_view(state, &id)
}

/// Staff remove an entry when corrected (200).
pub async fn remove(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    input: RemoveInput,
) -> ServiceResult<AbnormalUserView> {
    staff_only(actor)?;
    let input = RemoveInput {
        note: input.note.trim().to_owned(),
    };
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    let entry_id = id.clone();
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let row = db::get(conn, &entry_id)?;
                let event_actor = EventActor::user(&actor.user_id, actor.role);
                remove_in(
                    conn,
                    &row,
                    Some(&actor.user_id),
                    &event_actor,
                    &input.note,
                    now,
                )
            })
        })
        .await?;
    entry_view(state, &id)
}

/// Removes `row` with its journal event, inside the caller's transaction; 409 if removed.
fn remove_in(
    conn: &mut DbConnection,
    row: &AbnormalUserRow,
    by: Option<&str>,
    actor: &EventActor,
    note: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    if !db::remove(conn, &row.id, by, note, now)? {
        return Err(ServiceError::conflict(
            "This entry has been removed already.",
            "该记录已移出使用异常名录。",
        ));
    }
    journal::append(
        conn,
        NewEvent {
            entity_type: "authorization",
            entity_id: &row.authorization_id,
            action: "abnormal_remove",
            from_status: None,
            to_status: None,
            actor,
            comment: Some(note),
            data: Some(serde_json::json!({"abnormal_id": row.id})),
            at: now,
        },
    )?;
    Ok(())
}

/// A usage report was filed for the right: its `report_overdue` entries are put right, each
/// removed with its journal event in the report's transaction.
pub fn report_filed(
    conn: &mut DbConnection,
    authorization_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    for row in db::current_of(conn, authorization_id)?
        .into_iter()
        .filter(|r| r.reason == AbnormalReason::ReportOverdue.as_str())
    {
        remove_in(
            conn,
            &row,
            None,
            &EventActor::system(),
            "使用情况报告已报送 usage report filed",
            now,
        )?;
    }
    Ok(())
}

/// One page of the public list, newest first.
pub async fn public_list(
    state: &ServiceState,
    query: AbnormalQuery,
    paging: PageRequest,
) -> ServiceResult<Page<AbnormalUserView>> {
    let (page, per_page, offset) = paging.resolve()?;
    let register = state.register.read()?;
    let (entries, total) = register.abnormal_page(
        query.include_removed.unwrap_or(false),
        offset as usize,
        per_page as usize,
    );
    Ok(Page {
        items: entries
            .into_iter()
            .filter_map(|(e, r)| public_view(e, r?))
            .collect(),
        total: total as i64,
        page,
        per_page,
    })
}

/// The whole public list (CSV), newest first.
pub async fn public_all(
    state: &ServiceState,
    query: AbnormalQuery,
) -> ServiceResult<Vec<AbnormalUserView>> {
    let register = state.register.read()?;
    let (entries, _) =
        register.abnormal_page(query.include_removed.unwrap_or(false), 0, usize::MAX);
    Ok(entries
        .into_iter()
        .filter_map(|(e, r)| public_view(e, r?))
        .collect())
}

/// The entries as stored, for a build of the register.
pub(super) fn stored_entries(conn: &mut DbConnection) -> ServiceResult<Vec<AbnormalEntry>> {
    db::all(conn)?
        .into_iter()
        .map(|row| {
            Ok(AbnormalEntry {
                reason: row.reason.parse().map_err(|_| {
                    ServiceError::Internal(anyhow::anyhow!("stored reason unknown"))
                })?,
                id: row.id,
                right_id: row.authorization_id,
                correct_by: row.correct_by,
                listed_at: row.listed_at,
                removed_at: row.removed_at,
            })
        })
        .collect()
}
