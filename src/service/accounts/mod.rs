//! Accounts: producer registration, sign-in with throttling, tokens, staff accounts, one file
//! per use case (`registration`, `sessions`, `staff`); the views and the password and
//! throttling steps they share are here.

mod password_reset;
mod registration;
mod sessions;
mod staff;
mod window;

pub use password_reset::{
    confirm_reset, confirm_reset_checked, issue_at_window, request_reset, PasswordResetConfirm,
    PasswordResetRequest, WindowReset, RESET_LIFETIME,
};
pub(crate) use registration::insert_producer;
pub use registration::{register, register_checked, EnterpriseInput, RegisterInput};
pub use sessions::{
    authenticate, authenticate_session, change_password, change_password_checked, login,
    login_for_pages, logout, me, ChangePasswordInput, LoginInput, SessionKind, SessionUser,
};
pub use staff::{
    create_staff, ensure_initial_admin, update_user, CreateStaffInput, UpdateUserInput,
};
pub use window::{register_at_window, WindowRegistered, WindowRegistrationInput};

use serde::Serialize;
use tokio::sync::OwnedSemaphorePermit;
use utoipa::ToSchema;
use uuid::Uuid;

use super::throttle;
use super::{ServiceError, ServiceResult, ServiceState};
use crate::auth::password;
use crate::db::models::account::{EnterpriseRow, UserRow};
use crate::db::queries::{self};
use crate::db::{write_transaction, DbConnection};
use crate::domain::roles::Role;
use crate::domain::throttle::{
    ThrottlePolicy, ThrottleState, LOGIN_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_ADDRESS,
    LOGIN_PER_ADDRESS,
};

// ---- outputs ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub display_name: String,
    pub active: bool,
    pub enterprise_id: Option<String>,
    /// The password was printed for the owner (registration at the window): nothing but
    /// `POST /api/v1/auth/password` (and `GET /api/v1/me`, sign-out) answers until it is changed.
    pub must_change_password: bool,
}

impl From<&UserRow> for UserView {
    fn from(row: &UserRow) -> Self {
        Self {
            id: row.id.clone(),
            username: row.username.clone(),
            role: row.role.parse().unwrap_or(Role::Applicant),
            display_name: row.display_name.clone(),
            active: row.active,
            enterprise_id: row.enterprise_id.clone(),
            must_change_password: row.must_change_password,
        }
    }
}

/// The enterprise as its own users and staff see it (with contact data; never public).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseView {
    pub id: String,
    pub uscc: String,
    pub name: String,
    pub legal_representative: String,
    pub address: String,
    /// The town's Chinese name.
    pub town: String,
    pub town_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub email: String,
    /// Why staff accepted a credit code that fails its check character (registered at the
    /// window); null for a code that passes.
    pub uscc_exception_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub user: UserView,
    pub enterprise: EnterpriseView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub enterprise: Option<EnterpriseView>,
}

fn new_id() -> String {
    Uuid::now_v7().to_string()
}

fn enterprise_view(conn: &mut DbConnection, row: &EnterpriseRow) -> ServiceResult<EnterpriseView> {
    let town = queries::reference::town_by_code(conn, &row.town_code)?;
    Ok(EnterpriseView {
        id: row.id.clone(),
        uscc: row.uscc.clone(),
        name: row.name.clone(),
        legal_representative: row.legal_representative.clone(),
        address: row.address.clone(),
        town: town.name_zh,
        town_code: row.town_code.clone(),
        contact_name: row.contact_name.clone(),
        contact_phone: row.contact_phone.clone(),
        email: row.email.clone(),
        uscc_exception_reason: row.uscc_exception_reason.clone(),
    })
}

/// A unique key that a concurrent request took between our check and our insert.
fn conflict_on_race(error: diesel::result::Error) -> ServiceError {
    ServiceError::on_duplicate(
        error,
        "This username or credit code is already registered.",
        "该用户名或信用代码已注册。",
    )
}

/// A place to hash a password in, or a quick 503: at most `password_hash_slots` argon2 runs
/// at once (each takes ~19 MiB and a core for a while), never a queue that grows without end.
fn password_slot(state: &ServiceState) -> ServiceResult<OwnedSemaphorePermit> {
    state
        .password_slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| ServiceError::Busy {
            retry_after_secs: 1,
        })
}

/// Hashes a new password on the blocking pool while holding a hashing slot.
async fn hash_password(state: &ServiceState, password: String) -> ServiceResult<String> {
    let slot = password_slot(state)?;
    tokio::task::spawn_blocking(move || {
        let hashed = password::hash(&password);
        drop(slot);
        hashed
    })
    .await
    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
    .map_err(ServiceError::Internal)
}

/// An attempt that could not be counted is not made: the database refused the write.
fn uncounted(error: ServiceError) -> ServiceError {
    match error {
        ServiceError::Internal(cause) => {
            tracing::warn!(error = %cause, "cannot count an attempt; refusing it");
            ServiceError::Unavailable
        }
        other => other,
    }
}

/// The throttle keys of one password check: the account from this address, the address,
/// and the account from anywhere (DESIGN §7; policy in docs/reliability.md).
struct LoginKeys {
    pair: String,
    address: String,
    account: String,
}

impl LoginKeys {
    fn new(username: &str, client_address: &str) -> Self {
        Self {
            pair: format!("login:{username}@{client_address}"),
            address: format!("address:{client_address}"),
            account: format!("account:{username}"),
        }
    }

    fn policies(&self) -> [(&str, ThrottlePolicy); 3] {
        [
            (self.pair.as_str(), LOGIN_PER_ACCOUNT_AND_ADDRESS),
            (self.address.as_str(), LOGIN_PER_ADDRESS),
            (self.account.as_str(), LOGIN_PER_ACCOUNT),
        ]
    }

    /// After the right password: this pair's guesses are forgiven, the attempt given back to
    /// the address and the account. Locks stay.
    fn settlements(&self) -> [(&str, throttle::Settlement); 3] {
        [
            (self.pair.as_str(), ThrottleState::forgiven),
            (self.address.as_str(), ThrottleState::refunded),
            (self.account.as_str(), ThrottleState::refunded),
        ]
    }
}

/// Checks and counts one password guess for `username` from `client_address` in one write
/// transaction, before any hash is computed; then checks `candidate` against `stored`.
/// `lookup` finds the stored hash (none for an unknown or inactive account) and what the
/// caller needs beside it. Returns whether the guess matched.
async fn checked_guess<T: Send + 'static>(
    state: &ServiceState,
    username: &str,
    client_address: &str,
    lookup: impl FnOnce(&mut DbConnection) -> ServiceResult<(Option<String>, T)> + Send + 'static,
    candidate: String,
) -> ServiceResult<(bool, T, LoginKeys)> {
    let slot = password_slot(state)?;
    let keys = LoginKeys::new(username, client_address);
    let now = state.clock.now_naive();
    let ((stored, found), keys) = state
        .run(move |conn| {
            let outcome = write_transaction::<_, ServiceError, _>(conn, |conn| {
                match throttle::admit(conn, &keys.policies(), now)? {
                    Some(retry_after_secs) => Ok(Err(retry_after_secs)),
                    None => Ok(Ok(lookup(conn)?)),
                }
            })?;
            match outcome {
                Ok(found) => Ok((found, keys)),
                Err(retry_after_secs) => Err(ServiceError::TooManyRequests { retry_after_secs }),
            }
        })
        .await
        .map_err(uncounted)?;
    let matched = tokio::task::spawn_blocking(move || {
        let matched = match stored {
            Some(stored) => password::verify(&candidate, &stored),
            None => {
                password::verify_against_dummy(&candidate);
                false
            }
        };
        drop(slot);
        matched
    })
    .await
    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("verify task failed: {e}")))?;
    Ok((matched, found, keys))
}
