//! The workflow's moves on an application (submit, accept, return, recommend, approve…):
//! one conditional update on (id, status, version) plus its journal event; approval grants the
//! right.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{basis_of, load_view, new_id, refusal_error, snapshot_of, status_of, ApplicationView};
use crate::db::models::application::{ApplicationRow, FieldCommentRow, ReviewOpinionRow};
use crate::db::models::authorization::AuthorizationRow;
use crate::db::queries::applications as db;
use crate::db::queries::{accounts as account_db, authorizations as authorization_db, reference};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::{registry_number, search_text};
use crate::domain::case::application_number;
use crate::domain::eligibility::{submission_problems, AttachmentKind};
use crate::domain::roles::Actor;
use crate::domain::workflow::{self, ApplicationAction, ApplicationFacts};
use crate::domain::{FieldError, Localized};
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::notifications::{self, ApplicationDecision};
use crate::service::{validation, ServiceError, ServiceResult, ServiceState};

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct FieldCommentInput {
    /// A form field (`production_address`) or a document (`attachments.test_report`).
    #[serde(deserialize_with = "crate::service::validation::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub field: String,
    #[serde(deserialize_with = "crate::service::validation::trimmed")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: String,
}

/// The body of `POST /applications/{id}/{action}`; which fields are required depends on the
/// action (see the contract table).
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
pub struct ActionInput {
    #[serde(
        default,
        deserialize_with = "crate::service::validation::trimmed_optional"
    )]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: Option<String>,
    /// Required for `refuse` and `reject`.
    #[serde(
        default,
        deserialize_with = "crate::service::validation::trimmed_optional"
    )]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// With `return`: comments on single fields or documents.
    #[validate(nested)]
    #[schema(max_items = 50)]
    pub field_comments: Option<Vec<FieldCommentInput>>,
    /// Required for `approve`: the approval announcement number.
    #[serde(
        default,
        deserialize_with = "crate::service::validation::trimmed_optional"
    )]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub announcement_no: Option<String>,
    /// Required for `approve`: the announcement date, `YYYY-MM-DD`.
    pub announcement_date: Option<NaiveDate>,
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
            load_view(conn, &actor, &id, now.date())
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
    let attachments = db::attachments_of(conn, id)?;
    let kinds: Vec<AttachmentKind> = attachments
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
    let mut granted: Option<(String, String)> = None;

    // The deadline of the step it now waits in (none where the office has no step to take).
    let step_due = crate::service::review::step_due_date(conn, next, now.date())?;
    db::set_current_step_due(conn, id, step_due.map(|d| d.to_string()))?;

    match action {
        ApplicationAction::Submit => {
            db::set_submitted_at(conn, id, now)?;
            let number = match row.application_no.clone() {
                Some(number) => number,
                None => {
                    let year = now.year();
                    let number =
                        application_number(year, db::next_application_sequence(conn, year)?);
                    db::set_application_no(conn, id, &number)?;
                    number
                }
            };
            data.insert("application_no".into(), serde_json::json!(number));
        }
        ApplicationAction::Accept | ApplicationAction::Resubmit => {
            db::set_review_due_date(conn, id, step_due.map(|d| d.to_string()))?;
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
                // The application as returned, so its resubmission can be compared with it.
                snapshot: Some(
                    serde_json::to_string(&snapshot_of(&row, &attachments))
                        .map_err(|e| ServiceError::Internal(e.into()))?,
                ),
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
            granted = Some((authorization.id.clone(), authorization.registry_no.clone()));
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
    // The producer hears of the decision in the same transaction (inbox and outbox).
    notifications::application_decided(
        conn,
        &row,
        ApplicationDecision {
            action,
            comment,
            field_comments: input.field_comments.as_ref().map_or(0, Vec::len),
            authorization_id: granted.as_ref().map(|(id, _)| id.as_str()),
            registry_no: granted.as_ref().map(|(_, no)| no.as_str()),
            step_due,
        },
        now,
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
