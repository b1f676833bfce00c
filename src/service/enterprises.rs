//! Staff work on registrations: freeing a credit code squatted by a registration that never
//! came to anything, so the real enterprise can register (API.md *Additions*).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::journal::{self, EventActor, NewEvent};
use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::queries::accounts as db;
use crate::db::write_transaction;
use crate::domain::accounts::{may_release_claim, released_code_placeholder};
use crate::domain::roles::Actor;
use crate::domain::workflow::ApplicationStatus;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasedEnterprise {
    pub id: String,
    pub name: String,
    /// The credit code the registration had claimed, now free.
    pub released_uscc: String,
    pub released_at: DateTime<Utc>,
}

/// Frees the code of a registration that holds no right and no application past its draft:
/// its accounts are closed (every session ends), the row stays for the record, the journal
/// says who released it. Anything more and it is a conflict.
pub async fn release(
    state: &ServiceState,
    actor: &Actor,
    enterprise_id: String,
) -> ServiceResult<ReleasedEnterprise> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    let (now, actor) = (state.clock.now_naive(), actor.clone());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let enterprise =
                    db::enterprise_by_id(conn, &enterprise_id)?.ok_or(ServiceError::NotFound)?;
                let (held, statuses) = db::claim_record(conn, &enterprise.id)?;
                let statuses = statuses
                    .iter()
                    .map(|s| s.parse::<ApplicationStatus>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| ServiceError::Internal(anyhow::anyhow!("unknown status")))?;
                if !may_release_claim(held, &statuses) {
                    return Err(ServiceError::conflict(
                        "This registration holds a right or an application past its draft: its credit code cannot be released.",
                        "该企业已有授权或已提交申请，不能释放其信用代码。",
                    ));
                }
                let placeholder = released_code_placeholder(&uuid::Uuid::now_v7().simple().to_string());
                if db::release_enterprise(conn, &enterprise.id, &placeholder, now)? == 0 {
                    return Err(ServiceError::conflict(
                        "This registration's credit code was released already.",
                        "该企业的信用代码已释放。",
                    ));
                }
                for user in db::users_of_enterprise(conn, &enterprise.id)? {
                    db::update_user_access(conn, &user.id, false, &user.role, now)?;
                    db::end_sessions_of(conn, &user.id, now)?;
                }
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "enterprise",
                        entity_id: &enterprise.id,
                        action: "release",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::json!({"uscc": enterprise.uscc})),
                        at: now,
                    },
                )?;
                Ok(ReleasedEnterprise {
                    id: enterprise.id,
                    name: enterprise.name,
                    released_uscc: enterprise.uscc,
                    released_at: now.and_utc(),
                })
            })
        })
        .await
}
