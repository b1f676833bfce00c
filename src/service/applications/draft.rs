//! Drafts: creating an application and editing its form (optimistic locking by version),
//! each change journalled with the fields it changed.

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{basis_of, centimu, load_view, new_id, status_of, ApplicationView};
use crate::db::models::application::{ApplicationForm, ApplicationRow};
use crate::db::queries::applications as db;
use crate::db::queries::reference;
use crate::db::{write_transaction, DbConnection};
use crate::domain::eligibility::Basis;
use crate::domain::roles::{Actor, Role};
use crate::domain::workflow::ApplicationStatus;
use crate::domain::{FieldError, Localized};
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::{validation, ServiceError, ServiceResult, ServiceState};

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
    #[serde(deserialize_with = "crate::service::validation::trimmed")]
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

/// Checks the form against the reference data and returns it ready to store; `more` are
/// problems the caller found already (a page's field that is not a number), reported with
/// these in one answer.
fn resolve_form(
    conn: &mut DbConnection,
    input: &ApplicationInput,
    more: Vec<FieldError>,
) -> ServiceResult<ApplicationForm> {
    let mut problems = more;
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
        application_no: None,
        current_step_due: None,
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
    create_checked(state, actor, input, Vec::new()).await
}

/// [`create`] with `problems` the caller found already, reported with the rest (so a page
/// shows every problem of its form at once); any problem and nothing is stored.
pub async fn create_checked(
    state: &ServiceState,
    actor: &Actor,
    input: ApplicationInput,
    problems: Vec<FieldError>,
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
            let form = resolve_form(conn, &input, problems)?;
            let id = write_transaction(conn, |conn| {
                insert_draft(conn, &actor, enterprise_id, form, now)
            })?;
            load_view(conn, &actor, &id, now.date())
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
    edit_checked(state, actor, id, if_match, patch, Vec::new()).await
}

/// [`edit`] with `problems` the caller found already, reported with the rest; any problem
/// and nothing is stored.
pub async fn edit_checked(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    if_match: IfMatch,
    patch: ApplicationPatch,
    problems: Vec<FieldError>,
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
                let after = resolve_form(conn, &merged, problems.clone())?;
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
            load_view(conn, &actor, &id, now.date())
        })
        .await
}
