//! Registration at the service window: staff (reviewers, approvers) register an enterprise
//! that comes in person, with its applicant account and a password printed for the producer.
//! Only here may a credit code that fails its check character be accepted, with the reason
//! staff saw it is genuine (a code issued before GB 32100-2015, read off the licence); the
//! reason is kept on the enterprise and in the journal, with who registered it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::registration::{
    check_free, contact_problems, enterprise_row, insert_producer, town_code_of,
};
use super::{enterprise_view, hash_password, new_id, EnterpriseInput, UserView};
use crate::auth::secrets::printable_password;
use crate::db::models::account::UserRow;
use crate::db::write_transaction;
use crate::domain::accounts::normalise_username;
use crate::domain::roles::{Actor, Role};
use crate::domain::uscc::{parse_at_window, UsccError};
use crate::domain::{FieldError, Localized};
use crate::service::journal::EventActor;
use crate::service::{validation, ServiceError, ServiceResult, ServiceState};

/// The length of the printed password (some 69 bits).
const PRINTED_PASSWORD_CHARS: usize = 12;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct WindowRegistrationInput {
    /// The producer's username.
    #[schema(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._@-]+$")]
    pub username: String,
    #[validate(nested)]
    pub enterprise: EnterpriseInput,
    /// Why a credit code that fails its check character is genuine (e.g. issued before 2015,
    /// as on the business licence shown at the window). Required for such a code; not kept
    /// for a code that passes.
    #[serde(
        default,
        deserialize_with = "crate::service::validation::trimmed_optional"
    )]
    #[validate(length(min = 4, max = 500))]
    #[schema(min_length = 4, max_length = 500)]
    pub uscc_exception_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowRegistered {
    pub user: UserView,
    pub enterprise: super::EnterpriseView,
    /// The new account's password, shown this once to print for the producer (only its hash
    /// is kept); the account is marked `must_change_password`: after signing in with it the
    /// producer must set their own (`POST /api/v1/auth/password`, page `/password`) before
    /// anything else.
    pub one_time_password: String,
}

/// Registers an enterprise and its applicant account on a producer's behalf (reviewers and
/// approvers); journalled with who did it and any check-character exception.
pub async fn register_at_window(
    state: &ServiceState,
    actor: &Actor,
    input: WindowRegistrationInput,
) -> ServiceResult<WindowRegistered> {
    if !actor.role.may_review() {
        return Err(ServiceError::Forbidden);
    }
    let reason = input
        .uscc_exception_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let mut problems = Vec::new();
    let username = normalise_username(&input.username)
        .map_err(|e| problems.push(e))
        .ok();
    let uscc = match parse_at_window(&input.enterprise.uscc, reason.is_some()) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            problems.push(FieldError::new(
                "enterprise.uscc",
                e.code(),
                Localized::new(e.message_en(), e.message_zh()),
            ));
            if e == UsccError::CheckDigit {
                problems.push(FieldError::new(
                    "uscc_exception_reason",
                    "required",
                    Localized::new(
                        "is required to accept a code that fails its check character: say why it is genuine",
                        "校验码不符的代码须说明其真实有效的理由（如2015年前核发）",
                    ),
                ));
            }
            None
        }
    };
    problems.extend(contact_problems(&input.enterprise));
    validation::check(&input, problems)?;
    let (Some(username), Some((uscc, exception))) = (username, uscc) else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated input lost its parts"
        )));
    };
    let one_time_password = printable_password(PRINTED_PASSWORD_CHARS);
    let password_hash = hash_password(state, one_time_password.clone()).await?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    let (user, enterprise) = state
        .run(move |conn| {
            let town_code = town_code_of(conn, &input.enterprise)?;
            write_transaction(conn, |conn| {
                check_free(conn, &username, &uscc)?;
                let enterprise = enterprise_row(
                    &input.enterprise,
                    &uscc,
                    town_code.clone(),
                    reason.clone().filter(|_| exception),
                    now,
                );
                let user = UserRow {
                    id: new_id(),
                    username: username.clone(),
                    password_hash,
                    role: Role::Applicant.as_str().into(),
                    display_name: enterprise.contact_name.clone(),
                    enterprise_id: Some(enterprise.id.clone()),
                    active: true,
                    token_version: 1,
                    created_at: now,
                    updated_at: now,
                    must_change_password: true,
                };
                let by = EventActor::user(&actor.user_id, actor.role);
                insert_producer(conn, &enterprise, &user, &by, now)?;
                let view = enterprise_view(conn, &enterprise)?;
                Ok((UserView::from(&user), view))
            })
        })
        .await?;
    Ok(WindowRegistered {
        user,
        enterprise,
        one_time_password,
    })
}
