//! Applications: drafts, documents, and every move of the workflow. Each move is one
//! transaction: a conditional update on (id, status, version) plus its journal event.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::models::application::{
    ApplicationForm, ApplicationRow, AttachmentRow, FieldCommentRow, ReviewOpinionRow,
};
use crate::db::models::authorization::AuthorizationRow;
use crate::db::queries::applications::{self as db, ApplicationFilter};
use crate::db::queries::{
    accounts as account_db, authorizations as authorization_db, journal as journal_db, reference,
};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::{registry_number, search_text};
use crate::domain::eligibility::{
    extension_of, missing_documents, sniff_content_type, submission_problems, AttachmentKind, Basis,
};
use crate::domain::roles::{Actor, Role};
use crate::domain::text::clean_filename;
use crate::domain::workflow::{
    self, ApplicationAction, ApplicationFacts, ApplicationStatus, AttachRefusal, Refusal,
};
use crate::domain::{FieldError, Localized};

// ---- inputs ----------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct ApplicationInput {
    /// A GI product code, e.g. `yingde-black-tea`.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub product_code: String,
    pub basis: Basis,
    /// Required for `certification_mark` and `collective_mark`.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub trademark_reg_no: Option<String>,
    /// A town of Yingde by code, Chinese or English name.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub production_town: String,
    #[serde(deserialize_with = "super::validation::trimmed")]
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub production_address: String,
    /// Planted or producing area in mu (亩), up to two decimals.
    #[validate(range(min = 0.0, max = 10000000.0))]
    #[schema(minimum = 0, maximum = 10000000)]
    pub area_mu: Option<f64>,
    #[validate(range(min = 0, max = 1000000000000i64))]
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub annual_output_kg: Option<i64>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// An edit: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApplicationPatch {
    pub product_code: Option<String>,
    pub basis: Option<Basis>,
    pub trademark_reg_no: Option<String>,
    pub production_town: Option<String>,
    pub production_address: Option<String>,
    pub area_mu: Option<f64>,
    pub annual_output_kg: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct FieldCommentInput {
    /// A form field (`production_address`) or a document (`attachments.test_report`).
    #[serde(deserialize_with = "super::validation::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub field: String,
    #[serde(deserialize_with = "super::validation::trimmed")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: String,
}

/// The body of `POST /applications/{id}/{action}`; which fields are required depends on the
/// action (see the contract table).
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
pub struct ActionInput {
    #[serde(default, deserialize_with = "super::validation::trimmed_optional")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: Option<String>,
    /// Required for `refuse` and `reject`.
    #[serde(default, deserialize_with = "super::validation::trimmed_optional")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// With `return`: comments on single fields or documents.
    #[validate(nested)]
    #[schema(max_items = 50)]
    pub field_comments: Option<Vec<FieldCommentInput>>,
    /// Required for `approve`: the approval announcement number.
    #[serde(default, deserialize_with = "super::validation::trimmed_optional")]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub announcement_no: Option<String>,
    /// Required for `approve`: the announcement date, `YYYY-MM-DD`.
    pub announcement_date: Option<NaiveDate>,
}

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
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: String,
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
    /// Under review and past its due date.
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

pub(crate) fn history(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
) -> ServiceResult<Vec<HistoryEntry>> {
    Ok(journal_db::events_for(conn, entity_type, entity_id)?
        .into_iter()
        .map(|event| HistoryEntry {
            action: event.action,
            from_status: event.from_status,
            to_status: event.to_status,
            actor_role: event.actor_role,
            comment: event.comment,
            at: event.at.and_utc(),
            changes: event
                .data
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                .and_then(|d| d.get("changes").cloned()),
        })
        .collect())
}

fn centimu(area_mu: Option<f64>) -> Option<i64> {
    area_mu.map(|a| (a * 100.0).round() as i64)
}

/// The application as `actor` may see it, or 403 for another enterprise's applicant.
fn load_view(conn: &mut DbConnection, actor: &Actor, id: &str) -> ServiceResult<ApplicationView> {
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
    let review_opinion =
        db::latest_opinion(conn, id)?.map(|(opinion, comments)| ReviewOpinionView {
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
    let allowed_actions = ApplicationAction::ALL
        .into_iter()
        .filter(|a| workflow::authorize(*a, actor, &facts).is_ok())
        .collect();
    Ok(ApplicationView {
        enterprise: enterprise_ref(conn, &row.enterprise_id)?,
        history: history(conn, "application", id)?,
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
                    workflow::may_remove_attachment(
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
    })
}

/// Checks the form against the reference data and returns it ready to store.
fn resolve_form(
    conn: &mut DbConnection,
    input: &ApplicationInput,
) -> ServiceResult<ApplicationForm> {
    let mut problems = Vec::new();
    match reference::product(conn, input.product_code.trim())? {
        Some(product) if product.active => {}
        _ => problems.push(FieldError::new(
            "product_code",
            "unknown_product",
            Localized::new(
                "is not a GI product of this registry",
                "不是本系统登记的地理标志产品",
            ),
        )),
    }
    let town = reference::find_town(conn, &input.production_town)?;
    if town.is_none() {
        problems.push(FieldError::new(
            "production_town",
            "unknown_town",
            Localized::new(
                "must be one of the 24 towns of Yingde",
                "须为英德市24个镇（街道）之一",
            ),
        ));
    }
    let trademark = input
        .trademark_reg_no
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if input.basis.is_trademark() && trademark.is_none() {
        problems.push(FieldError::new(
            "trademark_reg_no",
            "required",
            Localized::new(
                "is required for the certification-mark and collective-mark bases",
                "证明商标或集体商标方式须填写商标注册号",
            ),
        ));
    }
    validation::check(input, problems)?;
    let town = town.ok_or(ServiceError::NotFound)?;
    Ok(ApplicationForm {
        product_code: input.product_code.trim().to_owned(),
        basis: input.basis.as_str().to_owned(),
        // Only the trademark bases record a trademark number.
        trademark_reg_no: trademark
            .filter(|_| input.basis.is_trademark())
            .map(str::to_owned),
        production_town: town.code,
        production_address: input.production_address.trim().to_owned(),
        area_centimu: centimu(input.area_mu),
        annual_output_kg: input.annual_output_kg,
        description: input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
    })
}

fn form_changes(
    before: &ApplicationForm,
    after: &ApplicationForm,
) -> serde_json::Map<String, serde_json::Value> {
    let mut changes = serde_json::Map::new();
    let mut note = |name: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            changes.insert(name.to_owned(), serde_json::json!({"from": old, "to": new}));
        }
    };
    use serde_json::json;
    note(
        "product_code",
        json!(before.product_code),
        json!(after.product_code),
    );
    note("basis", json!(before.basis), json!(after.basis));
    note(
        "trademark_reg_no",
        json!(before.trademark_reg_no),
        json!(after.trademark_reg_no),
    );
    note(
        "production_town",
        json!(before.production_town),
        json!(after.production_town),
    );
    note(
        "production_address",
        json!(before.production_address),
        json!(after.production_address),
    );
    note(
        "area_mu",
        json!(before.area_centimu.map(|c| c as f64 / 100.0)),
        json!(after.area_centimu.map(|c| c as f64 / 100.0)),
    );
    note(
        "annual_output_kg",
        json!(before.annual_output_kg),
        json!(after.annual_output_kg),
    );
    note(
        "description",
        json!(before.description),
        json!(after.description),
    );
    changes
}

// ---- use cases -------------------------------------------------------------------------

/// Writes a new draft and its journal event; returns its id.
pub(crate) fn insert_draft(
    conn: &mut DbConnection,
    actor: &Actor,
    enterprise_id: String,
    form: ApplicationForm,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    let row = ApplicationRow {
        id: new_id(),
        enterprise_id,
        product_code: form.product_code,
        basis: form.basis,
        trademark_reg_no: form.trademark_reg_no,
        production_town: form.production_town,
        production_address: form.production_address,
        area_centimu: form.area_centimu,
        annual_output_kg: form.annual_output_kg,
        description: form.description,
        status: ApplicationStatus::Draft.as_str().into(),
        version: 1,
        created_by: actor.user_id.clone(),
        recommended_by: None,
        submitted_at: None,
        status_changed_at: now,
        review_due_date: None,
        created_at: now,
        updated_at: now,
    };
    db::insert(conn, &row)?;
    journal::append(
        conn,
        NewEvent {
            entity_type: "application",
            entity_id: &row.id,
            action: "create",
            from_status: None,
            to_status: Some("draft"),
            actor: &EventActor::user(&actor.user_id, actor.role),
            comment: None,
            data: Some(serde_json::json!({"product_code": row.product_code, "basis": row.basis})),
            at: now,
        },
    )?;
    Ok(row.id)
}

/// A producer starts an application as a draft.
pub async fn create(
    state: &ServiceState,
    actor: &Actor,
    input: ApplicationInput,
) -> ServiceResult<ApplicationView> {
    let Some(enterprise_id) = actor
        .enterprise_id
        .clone()
        .filter(|_| actor.role == Role::Applicant)
    else {
        return Err(ServiceError::Forbidden);
    };
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            let form = resolve_form(conn, &input)?;
            let id = write_transaction(conn, |conn| {
                insert_draft(conn, &actor, enterprise_id, form, now)
            })?;
            load_view(conn, &actor, &id)
        })
        .await
}

pub async fn get(
    state: &ServiceState,
    actor: &Actor,
    id: String,
) -> ServiceResult<ApplicationView> {
    let actor = actor.clone();
    state.run(move |conn| load_view(conn, &actor, &id)).await
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
                items.push(ApplicationSummary {
                    enterprise: enterprises
                        .get(&row.enterprise_id)
                        .cloned()
                        .ok_or(ServiceError::NotFound)?,
                    days_in_state: (now - row.status_changed_at).num_days(),
                    overdue: status == ApplicationStatus::UnderReview
                        && review_due_date.is_some_and(|d| d < now.date()),
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

/// What an edit's `If-Match` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// No header, or `*`.
    Any,
    /// The version the client last read.
    Version(i32),
    /// A tag this service never sent: matches nothing.
    Never,
}

impl IfMatch {
    pub fn matches(self, version: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Version(v) => v == version,
            IfMatch::Never => false,
        }
    }
}

/// The owner edits a draft or returned application. `if_match` is the version the client
/// last saw (from the ETag); a different current version answers 412.
pub async fn edit(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    if_match: IfMatch,
    patch: ApplicationPatch,
) -> ServiceResult<ApplicationView> {
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let row = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
                if !actor.owns_enterprise(&row.enterprise_id) {
                    return Err(ServiceError::Forbidden);
                }
                let status = status_of(&row)?;
                if !status.is_editable() {
                    return Err(ServiceError::conflict(
                        format!("An application that is {status} cannot be edited; only drafts and returned ones."),
                        format!("当前状态为“{}”，不能修改。", status.label_zh()),
                    ));
                }
                let before = row.form();
                let town = reference::town_by_code(conn, &row.production_town)?;
                let merged = ApplicationInput {
                    product_code: patch.product_code.clone().unwrap_or(before.product_code.clone()),
                    basis: patch.basis.unwrap_or(basis_of(&row)?),
                    trademark_reg_no: patch.trademark_reg_no.clone().or(before.trademark_reg_no.clone()),
                    production_town: patch.production_town.clone().unwrap_or(town.code),
                    production_address: patch.production_address.clone().unwrap_or(before.production_address.clone()),
                    area_mu: patch.area_mu.or(before.area_centimu.map(|c| c as f64 / 100.0)),
                    annual_output_kg: patch.annual_output_kg.or(before.annual_output_kg),
                    description: patch.description.clone().or(before.description.clone()),
                };
                let after = resolve_form(conn, &merged)?;
                // After the input checks, so an invalid edit is reported as invalid.
                if !if_match.matches(row.version) {
                    return Err(ServiceError::PreconditionFailed);
                }
                let changes = form_changes(&before, &after);
                if changes.is_empty() {
                    return Ok(());
                }
                if db::update_form(conn, &id, row.version, &after, now)? == 0 {
                    return Err(ServiceError::PreconditionFailed);
                }
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "application",
                        entity_id: &id,
                        action: "edit",
                        from_status: Some(status.as_str()),
                        to_status: Some(status.as_str()),
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::json!({"changes": changes})),
                        at: now,
                    },
                )?;
                Ok::<(), ServiceError>(())
            })?;
            load_view(conn, &actor, &id)
        })
        .await
}

/// What an action needs in its body, checked before anything is read or written.
fn check_action_input(action: ApplicationAction, input: &ActionInput) -> ServiceResult<()> {
    let has = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.trim().is_empty());
    let mut problems: Vec<FieldError> = action
        .required_fields()
        .iter()
        .filter(|field| match **field {
            "reason" => !has(&input.reason),
            "comment" => !has(&input.comment),
            "announcement_no" => !has(&input.announcement_no),
            "announcement_date" => input.announcement_date.is_none(),
            _ => false,
        })
        .map(|field| FieldError::new(*field, "required", Localized::new("is required", "必填")))
        .collect();
    if input.field_comments.as_ref().is_some_and(|c| c.len() > 50) {
        problems.push(FieldError::new(
            "field_comments",
            "length",
            Localized::new("must hold at most 50 comments", "最多50条意见"),
        ));
    }
    validation::check(input, problems)
}

/// Takes one workflow action; 403 for who may not, 409 from a wrong or stale state, 422
/// when the application or the body lacks what the action needs. Nothing is half-written.
pub async fn act(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    action: ApplicationAction,
    input: ActionInput,
) -> ServiceResult<ApplicationView> {
    check_action_input(action, &input)?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                apply_action(conn, &actor, &id, action, &input, now)
            })?;
            load_view(conn, &actor, &id)
        })
        .await
}

pub(crate) fn apply_action(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: ApplicationAction,
    input: &ActionInput,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.may_see_enterprise(&row.enterprise_id) {
        return Err(ServiceError::Forbidden);
    }
    let status = status_of(&row)?;
    let facts = ApplicationFacts {
        enterprise_id: &row.enterprise_id,
        status,
        recommended_by: row.recommended_by.as_deref(),
    };
    let next = workflow::authorize(action, actor, &facts)
        .map_err(|r| refusal_error(action.as_str(), r))?;
    let kinds: Vec<AttachmentKind> = db::attachments_of(conn, id)?
        .iter()
        .filter_map(|a| a.kind.parse().ok())
        .collect();

    match action {
        ApplicationAction::Submit => {
            let towns = reference::product_town_codes(conn, &row.product_code)?;
            let problems =
                submission_problems(basis_of(&row)?, &kinds, &row.production_town, &towns);
            if !problems.is_empty() {
                return Err(ServiceError::Invalid(problems));
            }
        }
        ApplicationAction::Recommend
            if !kinds.contains(&AttachmentKind::OriginVerificationReport) =>
        {
            return Err(ServiceError::invalid(
                "attachments.origin_verification_report",
                "missing_document",
                "upload the origin verification report before recommending",
                "推荐前须上传产地核验报告",
            ));
        }
        ApplicationAction::Approve
            if authorization_db::holds_live(conn, &row.enterprise_id, &row.product_code)? =>
        {
            return Err(ServiceError::conflict(
                "The enterprise already holds a live authorization for this product.",
                "该企业已持有该产品的有效授权。",
            ));
        }
        _ => {}
    }

    if db::move_status(conn, id, status.as_str(), row.version, next.as_str(), now)? == 0 {
        return Err(ServiceError::conflict(
            "The application changed while this request ran; reload and try again.",
            "申请已被他人处理，请刷新后重试。",
        ));
    }
    let event_actor = EventActor::user(&actor.user_id, actor.role);
    let comment = input
        .reason
        .as_deref()
        .or(input.comment.as_deref())
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let mut data = serde_json::Map::new();

    match action {
        ApplicationAction::Submit => db::set_submitted_at(conn, id, now)?,
        ApplicationAction::Accept => {
            let due = super::review::review_due_date(conn, now.date())?;
            db::set_review_due_date(conn, id, Some(due.to_string()))?;
        }
        ApplicationAction::Recommend => db::set_recommended_by(conn, id, &actor.user_id)?,
        ApplicationAction::Return => {
            let opinion = ReviewOpinionRow {
                id: new_id(),
                application_id: id.to_owned(),
                application_version: row.version,
                reviewer_id: actor.user_id.clone(),
                comment: comment.unwrap_or_default().to_owned(),
                created_at: now,
            };
            let comments: Vec<FieldCommentRow> = input
                .field_comments
                .iter()
                .flatten()
                .map(|c| FieldCommentRow {
                    id: new_id(),
                    opinion_id: opinion.id.clone(),
                    field: c.field.trim().to_owned(),
                    comment: c.comment.trim().to_owned(),
                })
                .collect();
            data.insert(
                "field_comments".into(),
                serde_json::json!(comments
                    .iter()
                    .map(|c| serde_json::json!({"field": c.field, "comment": c.comment}))
                    .collect::<Vec<_>>()),
            );
            db::insert_opinion(conn, &opinion, &comments)?;
        }
        ApplicationAction::Approve => {
            let authorization = grant(conn, &row, input, now)?;
            data.insert(
                "registry_no".into(),
                serde_json::json!(authorization.registry_no),
            );
            data.insert(
                "authorization_id".into(),
                serde_json::json!(authorization.id),
            );
            journal::append(
                conn,
                NewEvent {
                    entity_type: "authorization",
                    entity_id: &authorization.id,
                    action: "grant",
                    from_status: None,
                    to_status: Some("active"),
                    actor: &event_actor,
                    comment: None,
                    data: Some(serde_json::json!({
                        "registry_no": authorization.registry_no,
                        "application_id": id,
                        "enterprise_id": authorization.enterprise_id,
                        "product_code": authorization.product_code,
                    })),
                    at: now,
                },
            )?;
        }
        _ => {}
    }

    journal::append(
        conn,
        NewEvent {
            entity_type: "application",
            entity_id: id,
            action: action.as_str(),
            from_status: Some(status.as_str()),
            to_status: Some(next.as_str()),
            actor: &event_actor,
            comment,
            data: (!data.is_empty()).then_some(serde_json::Value::Object(data)),
            at: now,
        },
    )?;
    Ok(())
}

/// Creates the authorization of an approved application with the next registry number.
fn grant(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    input: &ActionInput,
    now: NaiveDateTime,
) -> ServiceResult<AuthorizationRow> {
    let year = now.year();
    let sequence = authorization_db::next_registry_sequence(conn, year)?;
    let registry_no = registry_number(year, sequence);
    let holder =
        account_db::enterprise_by_id(conn, &row.enterprise_id)?.ok_or(ServiceError::NotFound)?;
    let authorization = AuthorizationRow {
        id: new_id(),
        search_text: search_text(&holder.name, &holder.uscc, &registry_no),
        registry_no,
        enterprise_id: row.enterprise_id.clone(),
        application_id: row.id.clone(),
        product_code: row.product_code.clone(),
        basis: row.basis.clone(),
        trademark_reg_no: row.trademark_reg_no.clone(),
        production_town: row.production_town.clone(),
        status: "active".into(),
        announcement_no: input
            .announcement_no
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        announcement_date: input
            .announcement_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        granted_at: now,
        status_changed_at: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    authorization_db::insert(conn, &authorization).map_err(|error| {
        ServiceError::on_duplicate(
            error,
            "The enterprise already holds a live authorization for this product.",
            "该企业已持有该产品的有效授权。",
        )
    })?;
    Ok(authorization)
}

/// A document as uploaded: the client's name for display only; the type is sniffed.
pub struct Upload {
    pub kind: AttachmentKind,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Why `actor` may not add (or remove) a document now, as the error the caller sees.
fn attach_refusal(
    refusal: AttachRefusal,
    status: ApplicationStatus,
    removing: bool,
) -> ServiceError {
    let (verb_en, verb_zh) = if removing {
        ("removed", "删除")
    } else {
        ("added", "上传")
    };
    match refusal {
        AttachRefusal::NotPermitted => ServiceError::Forbidden,
        AttachRefusal::ReviewDocumentOutsideReview => ServiceError::conflict(
            format!("Review documents can be {verb_en} only while the application is under review."),
            format!("只有在审查中才能{verb_zh}审查材料。"),
        ),
        AttachRefusal::NotEditable => ServiceError::conflict(
            format!("Documents can be {verb_en} only to a draft or returned application, not one that is {status}."),
            format!("当前状态为“{}”，不能{verb_zh}材料。", status.label_zh()),
        ),
    }
}

/// Whether `actor` may add a document of `kind` to application `id` now, and there is room
/// for it: the application's row (with its status), or the refusal.
fn check_attach(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    kind: AttachmentKind,
) -> ServiceResult<(ApplicationRow, ApplicationStatus)> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let status = status_of(&row)?;
    workflow::may_attach(actor, &row.enterprise_id, status, kind)
        .map_err(|refusal| attach_refusal(refusal, status, false))?;
    if !workflow::has_room_for_attachment(db::count_attachments(conn, id)?) {
        let max = workflow::MAX_ATTACHMENTS_PER_APPLICATION;
        return Err(ServiceError::conflict(
            format!(
                "An application holds at most {max} documents; remove one before adding another."
            ),
            format!("每份申请最多 {max} 份材料，请先删除一份再上传。"),
        ));
    }
    Ok((row, status))
}

/// Adds a document: the owner's while the application is editable; a reviewer's
/// origin-verification report (or other staff document) while it is under review.
///
/// Everything that can refuse the upload is checked before a byte is stored: the type, then
/// who may add which kind in which state and whether the application has room; the write
/// transaction checks the same again, so a change in between still refuses the row.
pub async fn add_attachment(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    upload: Upload,
) -> ServiceResult<AttachmentView> {
    let Some(content_type) = sniff_content_type(&upload.bytes) else {
        return Err(ServiceError::invalid(
            "file",
            "unsupported_type",
            "must be a PDF, JPEG or PNG document",
            "文件须为 PDF、JPEG 或 PNG 格式",
        ));
    };
    {
        let (actor, id, kind) = (actor.clone(), id.clone(), upload.kind);
        state
            .run(move |conn| check_attach(conn, &actor, &id, kind).map(|_| ()))
            .await?;
    }
    let sha256 = hex::encode(Sha256::digest(&upload.bytes));
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    // Stored by content, the file is harmless if the row never follows (a refusal that
    // arrives between the check above and the transaction below).
    let documents = state.documents.clone();
    let size = upload.bytes.len() as i64;
    let (hash, bytes) = (sha256.clone(), upload.bytes);
    tokio::task::spawn_blocking(move || documents.put(&hash, &bytes))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("storage task failed: {e}")))??;
    let attachment = AttachmentRow {
        id: new_id(),
        application_id: id.clone(),
        kind: upload.kind.as_str().into(),
        filename: clean_filename(&upload.filename, extension_of(content_type)),
        content_type: content_type.into(),
        size_bytes: size,
        sha256,
        uploaded_by: actor.user_id.clone(),
        created_at: now,
    };
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                record_attachment(conn, &actor, &attachment, now)
            })?;
            Ok(AttachmentView::from(&attachment))
        })
        .await
}

/// Adds a stored document's row to its application, if `actor` may add that kind now and the
/// application has room; moves the version (the representation changed, so stale edits get
/// 412) and journals it.
pub(crate) fn record_attachment(
    conn: &mut DbConnection,
    actor: &Actor,
    attachment: &AttachmentRow,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let id = &attachment.application_id;
    let kind: AttachmentKind = attachment
        .kind
        .parse()
        .map_err(|_| corrupt("attachment kind"))?;
    let (row, status) = check_attach(conn, actor, id, kind)?;
    if db::touch(conn, id, row.version, now)? == 0 {
        return Err(ServiceError::conflict(
            "The application changed; reload and try again.",
            "申请已变化，请刷新后重试。",
        ));
    }
    db::insert_attachment(conn, attachment)?;
    journal_document(conn, "attach", status, actor, attachment, now)
}

/// The journal event of a document added to or removed from an application (its state
/// unchanged), naming the document.
fn journal_document(
    conn: &mut DbConnection,
    action: &str,
    status: ApplicationStatus,
    actor: &Actor,
    attachment: &AttachmentRow,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    journal::append(
        conn,
        NewEvent {
            entity_type: "application",
            entity_id: &attachment.application_id,
            action,
            from_status: Some(status.as_str()),
            to_status: Some(status.as_str()),
            actor: &EventActor::user(&actor.user_id, actor.role),
            comment: None,
            data: Some(serde_json::json!({
                "attachment_id": attachment.id, "kind": attachment.kind,
                "filename": attachment.filename, "sha256": attachment.sha256,
            })),
            at: now,
        },
    )?;
    Ok(())
}

/// Removes a document its uploader no longer wants (a wrong file or the wrong kind), while
/// they could add it; moves the version and journals it in the same transaction. The stored
/// file stays: stored by content, another document may hold the same bytes.
pub async fn remove_attachment(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    attachment_id: String,
) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let row = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
                if !actor.may_see_enterprise(&row.enterprise_id) {
                    return Err(ServiceError::Forbidden);
                }
                let attachment =
                    db::attachment(conn, &id, &attachment_id)?.ok_or(ServiceError::NotFound)?;
                let status = status_of(&row)?;
                let kind: AttachmentKind = attachment
                    .kind
                    .parse()
                    .map_err(|_| corrupt("attachment kind"))?;
                workflow::may_remove_attachment(
                    &actor,
                    &row.enterprise_id,
                    status,
                    kind,
                    &attachment.uploaded_by,
                )
                .map_err(|refusal| attach_refusal(refusal, status, true))?;
                if db::touch(conn, &id, row.version, now)? == 0 {
                    return Err(ServiceError::conflict(
                        "The application changed; reload and try again.",
                        "申请已变化，请刷新后重试。",
                    ));
                }
                db::delete_attachment(conn, &id, &attachment_id)?;
                journal_document(conn, "detach", status, &actor, &attachment, now)
            })
        })
        .await
}

/// A stored document for its owner or staff.
pub async fn attachment_content(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    attachment_id: String,
) -> ServiceResult<(AttachmentView, Vec<u8>)> {
    let actor = actor.clone();
    let row = state
        .run(move |conn| {
            let application = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
            if !actor.may_see_enterprise(&application.enterprise_id) {
                return Err(ServiceError::Forbidden);
            }
            db::attachment(conn, &id, &attachment_id)?.ok_or(ServiceError::NotFound)
        })
        .await?;
    let documents = state.documents.clone();
    let hash = row.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || documents.get(&hash))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("storage task failed: {e}")))??;
    Ok((AttachmentView::from(&row), bytes))
}
