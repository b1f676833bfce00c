//! Applications: drafts, documents, and every move of the workflow, one file per use case
//! (`draft`, `workflow`, `documents`, `list`); the views they return and what they share are
//! here. Each move is one transaction: a conditional update on (id, status, version) plus its
//! journal event.

mod context;
mod documents;
mod draft;
mod list;
mod workflow;

pub(crate) use context::snapshot_of;
pub use context::{
    ApplicantAccount, ApplicantContact, ChangesSinceReturn, DocumentRef, FieldChangeView,
    FormerName, ReviewerContext,
};
pub(crate) use documents::record_attachment;
pub use documents::{add_attachment, attachment_content, remove_attachment, Upload};
pub(crate) use draft::insert_draft;
pub use draft::{
    create, create_checked, edit, edit_checked, ApplicationInput, ApplicationPatch, IfMatch,
};
pub use list::{list, ApplicationQuery};
pub(crate) use workflow::apply_action;
pub use workflow::{act, ActionInput, FieldCommentInput};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::models::application::{ApplicationRow, AttachmentRow};
use crate::db::queries::applications as db;
use crate::db::queries::{
    accounts as account_db, authorizations as authorization_db, journal as journal_db, reference,
};
use crate::db::DbConnection;
use crate::domain::case::{is_overdue, Step};
use crate::domain::eligibility::{missing_documents, AttachmentKind, Basis};
use crate::domain::roles::Actor;
use crate::domain::workflow::{
    self as rules, ApplicationAction, ApplicationFacts, ApplicationStatus, Refusal,
};

// ---- outputs ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseRef {
    pub id: String,
    pub uscc: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub kind: AttachmentKind,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<&AttachmentRow> for AttachmentView {
    fn from(row: &AttachmentRow) -> Self {
        Self {
            id: row.id.clone(),
            kind: row.kind.parse().unwrap_or(AttachmentKind::Other),
            filename: row.filename.clone(),
            content_type: row.content_type.clone(),
            size: row.size_bytes,
            sha256: row.sha256.clone(),
            uploaded_at: row.created_at.and_utc(),
        }
    }
}

/// One event in an application's or authorization's life.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub actor_role: String,
    /// Who did it (staff readers only; null for producers and for the system).
    pub actor_username: Option<String>,
    pub actor_name: Option<String>,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// For edits: each changed field with its old and new value.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldCommentView {
    pub field: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewOpinionView {
    pub comment: String,
    pub field_comments: Vec<FieldCommentView>,
    /// The application version the opinion was given on.
    pub application_version: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: String,
    /// The case number (`YDSQ-<year>-<nnnnnn>`), given at submission; null for a draft.
    #[schema(example = "YDSQ-2026-000001")]
    pub application_no: Option<String>,
    /// The step the application waits in: `acceptance`, `review`, `correction` (the
    /// producer's) or `approval`; null for a draft or a final state.
    pub current_step: Option<Step>,
    /// The working-day deadline of that step (`YYYY-MM-DD`); null where the office has no
    /// step to take.
    pub current_step_due: Option<NaiveDate>,
    /// Waiting for the office past `current_step_due`.
    pub overdue: bool,
    pub enterprise: EnterpriseRef,
    pub product_code: String,
    pub product_name_zh: String,
    pub basis: Basis,
    pub trademark_reg_no: Option<String>,
    /// The production town's Chinese name.
    pub production_town: String,
    pub production_town_code: String,
    pub production_address: String,
    pub area_mu: Option<f64>,
    pub annual_output_kg: Option<i64>,
    pub description: Option<String>,
    pub status: ApplicationStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub status_changed_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentView>,
    /// The ids of the documents the caller may remove now (for the pages; not in the JSON).
    #[serde(skip)]
    pub removable_attachments: Vec<String>,
    /// Required documents not yet uploaded.
    pub missing_documents: Vec<AttachmentKind>,
    pub history: Vec<HistoryEntry>,
    /// The latest review opinion (from the last `return`), if any.
    pub review_opinion: Option<ReviewOpinionView>,
    /// The actions the caller may take now.
    pub allowed_actions: Vec<ApplicationAction>,
    /// Set once approved.
    pub authorization_id: Option<String>,
    pub registry_no: Option<String>,
    /// For staff: the applicant's contact details and what changed since the last return;
    /// null for the producer.
    pub reviewer_context: Option<ReviewerContext>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: String,
    /// The case number, given at submission; null for a draft.
    pub application_no: Option<String>,
    pub current_step: Option<Step>,
    /// The working-day deadline of the step it waits in.
    pub current_step_due: Option<NaiveDate>,
    pub enterprise: EnterpriseRef,
    pub product_code: String,
    pub basis: Basis,
    pub production_town_code: String,
    pub status: ApplicationStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub status_changed_at: DateTime<Utc>,
    /// Whole days in the current state.
    pub days_in_state: i64,
    /// The initial review's due date (set on acceptance: working days, holidays skipped).
    pub review_due_date: Option<NaiveDate>,
    /// Waiting for the office (submitted, under review or recommended) past
    /// `current_step_due`.
    pub overdue: bool,
}

// ---- helpers ---------------------------------------------------------------------------

pub(crate) fn new_id() -> String {
    Uuid::now_v7().to_string()
}

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("stored {what} is not a known value"))
}

fn status_of(row: &ApplicationRow) -> ServiceResult<ApplicationStatus> {
    row.status
        .parse()
        .map_err(|_| corrupt("application status"))
}

fn basis_of(row: &ApplicationRow) -> ServiceResult<Basis> {
    row.basis.parse().map_err(|_| corrupt("basis"))
}

pub(crate) fn refusal_error(action: &str, refusal: Refusal) -> ServiceError {
    match refusal {
        Refusal::NotPermitted | Refusal::SameAsRecommender => ServiceError::Forbidden,
        Refusal::WrongState {
            status,
            allowed_from,
        } => {
            let allowed: Vec<&str> = allowed_from.iter().map(|s| s.as_str()).collect();
            ServiceError::conflict(
                format!(
                    "Cannot {action} an application that is {status}; only from {}.",
                    allowed.join(", ")
                ),
                format!("当前状态为“{}”，不能执行此操作。", status.label_zh()),
            )
        }
    }
}

/// The enterprises a page of a list refers to, read in one query.
pub(crate) fn enterprise_refs<'a>(
    conn: &mut DbConnection,
    ids: impl IntoIterator<Item = &'a str>,
) -> ServiceResult<std::collections::HashMap<String, EnterpriseRef>> {
    let ids: Vec<&str> = ids.into_iter().collect();
    Ok(account_db::enterprise_refs(conn, &ids)?
        .into_iter()
        .map(|(id, uscc, name)| (id.clone(), EnterpriseRef { id, uscc, name }))
        .collect())
}

fn enterprise_ref(conn: &mut DbConnection, enterprise_id: &str) -> ServiceResult<EnterpriseRef> {
    enterprise_refs(conn, [enterprise_id])?
        .remove(enterprise_id)
        .ok_or(ServiceError::NotFound)
}

/// The journal of one record, oldest first; staff readers also see who did each step.
pub(crate) fn history(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
    reader: &Actor,
) -> ServiceResult<Vec<HistoryEntry>> {
    let events = journal_db::events_for(conn, entity_type, entity_id)?;
    let names: std::collections::HashMap<String, (String, String)> = if reader.role.is_staff() {
        let mut ids: Vec<&str> = events
            .iter()
            .filter_map(|e| e.actor_id.as_deref())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        account_db::user_names(conn, &ids)?
            .into_iter()
            .map(|(id, username, name, _role)| (id, (username, name)))
            .collect()
    } else {
        Default::default()
    };
    Ok(events
        .into_iter()
        .map(|event| {
            let who = event.actor_id.as_ref().and_then(|id| names.get(id));
            HistoryEntry {
                action: event.action,
                from_status: event.from_status,
                to_status: event.to_status,
                actor_role: event.actor_role,
                actor_username: who.map(|(username, _)| username.clone()),
                actor_name: who.map(|(_, name)| name.clone()),
                comment: event.comment,
                at: event.at.and_utc(),
                changes: event
                    .data
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                    .and_then(|d| d.get("changes").cloned()),
            }
        })
        .collect())
}

fn centimu(area_mu: Option<f64>) -> Option<i64> {
    area_mu.map(|a| (a * 100.0).round() as i64)
}

/// The application as `actor` may see it, or 403 for another enterprise's applicant.
fn load_view(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    today: NaiveDate,
) -> ServiceResult<ApplicationView> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.may_see_enterprise(&row.enterprise_id) {
        return Err(ServiceError::Forbidden);
    }
    let status = status_of(&row)?;
    let basis = basis_of(&row)?;
    let product = reference::product(conn, &row.product_code)?.ok_or(ServiceError::NotFound)?;
    let town = reference::town_by_code(conn, &row.production_town)?;
    let attachments = db::attachments_of(conn, id)?;
    let kinds: Vec<AttachmentKind> = attachments
        .iter()
        .filter_map(|a| a.kind.parse().ok())
        .collect();
    let latest_opinion = db::latest_opinion(conn, id)?;
    let reviewer_context = if actor.role.is_staff() {
        Some(context::reviewer_context(
            conn,
            &row,
            &attachments,
            latest_opinion.as_ref().map(|(opinion, _)| opinion),
        )?)
    } else {
        None
    };
    let review_opinion = latest_opinion.map(|(opinion, comments)| ReviewOpinionView {
        comment: opinion.comment,
        field_comments: comments
            .into_iter()
            .map(|c| FieldCommentView {
                field: c.field,
                comment: c.comment,
            })
            .collect(),
        application_version: opinion.application_version,
        created_at: opinion.created_at.and_utc(),
    });
    let authorization = authorization_db::by_application(conn, id)?;
    let facts = ApplicationFacts {
        enterprise_id: &row.enterprise_id,
        status,
        recommended_by: row.recommended_by.as_deref(),
    };
    let current_step_due: Option<NaiveDate> =
        row.current_step_due.as_deref().and_then(|d| d.parse().ok());
    let allowed_actions = ApplicationAction::ALL
        .into_iter()
        .filter(|a| rules::authorize(*a, actor, &facts).is_ok())
        .collect();
    Ok(ApplicationView {
        enterprise: enterprise_ref(conn, &row.enterprise_id)?,
        history: history(conn, "application", id, actor)?,
        application_no: row.application_no,
        current_step: Step::of(status),
        overdue: is_overdue(status, current_step_due, today),
        current_step_due,
        id: row.id,
        product_code: row.product_code,
        product_name_zh: product.name_zh,
        basis,
        trademark_reg_no: row.trademark_reg_no,
        production_town: town.name_zh,
        production_town_code: row.production_town,
        production_address: row.production_address,
        area_mu: row.area_centimu.map(|c| c as f64 / 100.0),
        annual_output_kg: row.annual_output_kg,
        description: row.description,
        status,
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        submitted_at: row.submitted_at.map(|t| t.and_utc()),
        status_changed_at: row.status_changed_at.and_utc(),
        missing_documents: missing_documents(basis, &kinds),
        removable_attachments: attachments
            .iter()
            .filter(|a| {
                a.kind.parse().is_ok_and(|kind| {
                    rules::may_remove_attachment(
                        actor,
                        &row.enterprise_id,
                        status,
                        kind,
                        &a.uploaded_by,
                    )
                    .is_ok()
                })
            })
            .map(|a| a.id.clone())
            .collect(),
        attachments: attachments.iter().map(AttachmentView::from).collect(),
        review_opinion,
        allowed_actions,
        authorization_id: authorization.as_ref().map(|a| a.id.clone()),
        registry_no: authorization.map(|a| a.registry_no),
        reviewer_context,
    })
}

pub async fn get(
    state: &ServiceState,
    actor: &Actor,
    id: String,
) -> ServiceResult<ApplicationView> {
    let (actor, today) = (actor.clone(), state.clock.today());
    state
        .run(move |conn| load_view(conn, &actor, &id, today))
        .await
}
