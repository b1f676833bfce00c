//! Authorizations after approval: read them, and suspend, reinstate, revoke or surrender.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::applications::{enterprise_refs, history, EnterpriseRef, HistoryEntry};
use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::models::authorization::AuthorizationRow;
use crate::db::queries::authorizations::{self as db, AuthorizationFilter};
use crate::db::queries::reference;
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::{
    self, AuthorizationAction, AuthorizationRefusal, AuthorizationStatus, RevocationGround,
};
use crate::domain::eligibility::Basis;
use crate::domain::roles::Actor;
use crate::domain::{FieldError, Localized};

#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
pub struct AuthorizationActionInput {
    /// Required for `suspend` and `revoke`.
    #[serde(default, deserialize_with = "super::validation::trimmed_optional")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// Required for `revoke`.
    pub ground: Option<RevocationGround>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct AuthorizationQuery {
    /// Only rights in this status.
    #[param(value_type = Option<AuthorizationStatus>)]
    pub status: Option<String>,
    /// Only rights for this product code.
    #[param(pattern = r"^[^\x00]*$")]
    pub product: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizationView {
    pub id: String,
    pub registry_no: String,
    pub enterprise: EnterpriseRef,
    pub product_code: String,
    pub product_name_zh: String,
    pub basis: Basis,
    pub trademark_reg_no: Option<String>,
    pub status: AuthorizationStatus,
    pub announcement_no: String,
    /// `YYYY-MM-DD`.
    pub announcement_date: String,
    pub granted_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
    pub application_id: String,
    pub version: i32,
    pub history: Vec<HistoryEntry>,
    /// What the caller may do with this right now (`suspend`, `reinstate`, `revoke`,
    /// `surrender`).
    pub allowed_actions: Vec<AuthorizationAction>,
}

/// A right as its holder and staff see it; the caller supplies its enterprise and product
/// name (read once for a whole list page) and its history (for a single right).
fn view(
    actor: &Actor,
    row: AuthorizationRow,
    enterprise: EnterpriseRef,
    product_name_zh: String,
    history: Vec<HistoryEntry>,
) -> ServiceResult<AuthorizationView> {
    let corrupt =
        |what: &str| ServiceError::Internal(anyhow::anyhow!("stored {what} is not a known value"));
    let status: AuthorizationStatus = row
        .status
        .parse()
        .map_err(|_| corrupt("authorization status"))?;
    let allowed_actions = AuthorizationAction::ALL
        .into_iter()
        .filter(|a| authorization::authorize(*a, actor, &row.enterprise_id, status).is_ok())
        .collect();
    Ok(AuthorizationView {
        allowed_actions,
        enterprise,
        product_name_zh,
        basis: row.basis.parse().map_err(|_| corrupt("basis"))?,
        status,
        id: row.id,
        registry_no: row.registry_no,
        product_code: row.product_code,
        trademark_reg_no: row.trademark_reg_no,
        announcement_no: row.announcement_no,
        announcement_date: row.announcement_date,
        granted_at: row.granted_at.and_utc(),
        status_changed_at: row.status_changed_at.and_utc(),
        application_id: row.application_id,
        version: row.version,
        history,
    })
}

fn load(conn: &mut DbConnection, actor: &Actor, id: &str) -> ServiceResult<AuthorizationView> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.may_see_enterprise(&row.enterprise_id) {
        return Err(ServiceError::Forbidden);
    }
    let enterprise = enterprise_refs(conn, [row.enterprise_id.as_str()])?
        .remove(&row.enterprise_id)
        .ok_or(ServiceError::NotFound)?;
    let product = reference::product(conn, &row.product_code)?.ok_or(ServiceError::NotFound)?;
    let history = history(conn, "authorization", &row.id, actor)?;
    view(actor, row, enterprise, product.name_zh, history)
}

pub async fn get(
    state: &ServiceState,
    actor: &Actor,
    id: String,
) -> ServiceResult<AuthorizationView> {
    let actor = actor.clone();
    state.run(move |conn| load(conn, &actor, &id)).await
}

pub async fn list(
    state: &ServiceState,
    actor: &Actor,
    query: AuthorizationQuery,
    paging: PageRequest,
) -> ServiceResult<Page<AuthorizationView>> {
    let (page, per_page, offset) = paging.resolve()?;
    let status: Option<AuthorizationStatus> = validation::parse_choice(
        "status",
        query.status.as_deref(),
        "is not an authorization status",
        "不是有效的授权状态",
    )?;
    let scope = actor.list_scope().ok_or(ServiceError::Forbidden)?;
    let filter = AuthorizationFilter {
        // A producer sees its own enterprise's records only.
        enterprise_id: scope.map(str::to_owned),
        status: status.map(|s| s.as_str().to_owned()),
        product_code: query.product.filter(|p| !p.is_empty()),
    };
    let actor = actor.clone();
    state
        .run(move |conn| {
            let (rows, total) = db::list(conn, &filter, offset, per_page)?;
            let enterprises = enterprise_refs(conn, rows.iter().map(|r| r.enterprise_id.as_str()))?;
            let products: std::collections::HashMap<String, String> = reference::products(conn)?
                .into_iter()
                .map(|p| (p.code, p.name_zh))
                .collect();
            let items = rows
                .into_iter()
                .map(|row| {
                    let enterprise = enterprises
                        .get(&row.enterprise_id)
                        .cloned()
                        .ok_or(ServiceError::NotFound)?;
                    let product = products
                        .get(&row.product_code)
                        .cloned()
                        .ok_or(ServiceError::NotFound)?;
                    view(&actor, row, enterprise, product, Vec::new())
                })
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

fn check_input(action: AuthorizationAction, input: &AuthorizationActionInput) -> ServiceResult<()> {
    let has_reason = input
        .reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    let problems: Vec<FieldError> = action
        .required_fields()
        .iter()
        .filter(|field| match **field {
            "reason" => !has_reason,
            "ground" => input.ground.is_none(),
            _ => false,
        })
        .map(|field| match *field {
            "ground" => FieldError::new(
                "ground",
                "required",
                Localized::new(
                    "is required: nonconforming_production, unused_two_years or other",
                    "必填：nonconforming_production、unused_two_years 或 other",
                ),
            ),
            other => FieldError::new(other, "required", Localized::new("is required", "必填")),
        })
        .collect();
    validation::check(input, problems)
}

/// Suspends, reinstates, revokes or surrenders a right, with its journal event.
pub async fn act(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    action: AuthorizationAction,
    input: AuthorizationActionInput,
) -> ServiceResult<AuthorizationView> {
    check_input(action, &input)?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let reason = input.reason.as_deref();
                act_in(conn, &actor, &id, action, reason, input.ground, now)
            })?;
            load(conn, &actor, &id)
        })
        .await
}

/// One move of a right, inside the caller's transaction, with its journal event.
pub(crate) fn act_in(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: AuthorizationAction,
    reason: Option<&str>,
    ground: Option<RevocationGround>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.may_see_enterprise(&row.enterprise_id) {
        return Err(ServiceError::Forbidden);
    }
    let status: AuthorizationStatus = row.status.parse().map_err(|_| {
        ServiceError::Internal(anyhow::anyhow!("stored authorization status unknown"))
    })?;
    let next =
        authorization::authorize(action, actor, &row.enterprise_id, status).map_err(|refusal| {
            match refusal {
                AuthorizationRefusal::NotPermitted => ServiceError::Forbidden,
                AuthorizationRefusal::WrongState { status } => ServiceError::conflict(
                    format!(
                        "Cannot {} an authorization that is {status}.",
                        action.as_str()
                    ),
                    format!("授权当前状态为“{status}”，不能执行此操作。"),
                ),
            }
        })?;
    if db::move_status(conn, id, status.as_str(), row.version, next.as_str(), now)? == 0 {
        return Err(ServiceError::conflict(
            "The authorization changed while this request ran; reload and try again.",
            "授权已被他人处理，请刷新后重试。",
        ));
    }
    journal::append(
        conn,
        NewEvent {
            entity_type: "authorization",
            entity_id: id,
            action: action.as_str(),
            from_status: Some(status.as_str()),
            to_status: Some(next.as_str()),
            actor: &EventActor::user(&actor.user_id, actor.role),
            comment: reason.map(str::trim).filter(|r| !r.is_empty()),
            data: ground.map(|g| serde_json::json!({"ground": g.as_str()})),
            at: now,
        },
    )?;
    // The holder hears of it in the same transaction (inbox and outbox).
    super::notifications::right_changed(conn, &row, action, reason, ground, now)?;
    Ok(())
}
