//! Accounts: producer registration, sign-in with throttling, tokens, staff accounts.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use tokio::sync::OwnedSemaphorePermit;

use super::journal::{self, EventActor, NewEvent};
use super::{throttle, validation};
use super::{ServiceError, ServiceResult, ServiceState};
use crate::auth::jwt::{Claims, TOKEN_LIFETIME_SECS};
use crate::auth::{password, secrets};
use crate::db::models::account::{EnterpriseRow, SessionRow, UserRow};
use crate::db::queries::{self, accounts as db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::accounts::{check_password, normalise_username};
use crate::domain::roles::{Actor, Role};
use crate::domain::throttle::{
    ThrottlePolicy, ThrottleState, LOGIN_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_ADDRESS,
    LOGIN_PER_ADDRESS, REGISTRATIONS_PER_ADDRESS,
};
use crate::domain::uscc::Uscc;
use crate::domain::{FieldError, Localized};

// ---- inputs ----------------------------------------------------------------------------

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterInput {
    #[schema(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._@-]+$")]
    pub username: String,
    /// At least 10 characters, not the username.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    #[validate(nested)]
    pub enterprise: EnterpriseInput,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct EnterpriseInput {
    /// Unified social credit code (18 characters; spaces and lower case are accepted).
    #[schema(min_length = 18, max_length = 64)]
    pub uscc: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 2, max = 200)
    )]
    #[schema(min_length = 2, max_length = 200)]
    pub name: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub legal_representative: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 300)
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    /// A town of Yingde by code (`xiniu`), Chinese name (`西牛镇`) or English name.
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub town: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub contact_name: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub contact_phone: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LoginInput {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub username: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ChangePasswordInput {
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateStaffInput {
    #[schema(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._@-]+$")]
    pub username: String,
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// `reviewer`, `approver` or `admin`.
    pub role: Role,
    #[serde(default, deserialize_with = "validation::trimmed_optional")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct UpdateUserInput {
    pub active: Option<bool>,
    pub role: Option<Role>,
}

// ---- outputs ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub display_name: String,
    pub active: bool,
    pub enterprise_id: Option<String>,
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

// ---- use cases -------------------------------------------------------------------------

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
    })
}

/// A producer's account and its enterprise, in one transaction with its journal event.
/// At most `registrations_per_hour` registrations that reach the hash per client address.
pub async fn register(
    state: &ServiceState,
    input: RegisterInput,
    client_address: String,
) -> ServiceResult<Registered> {
    let mut problems = Vec::new();
    let username = normalise_username(&input.username)
        .map_err(|e| problems.push(e))
        .ok();
    if let Err(e) = check_password("password", &input.password, &input.username) {
        problems.push(e);
    }
    let uscc = Uscc::parse(&input.enterprise.uscc)
        .map_err(|e| {
            problems.push(FieldError::new(
                "enterprise.uscc",
                e.code(),
                Localized::new(e.message_en(), e.message_zh()),
            ))
        })
        .ok();
    let phone_ok = crate::domain::contact::is_phone_number(&input.enterprise.contact_phone);
    if !phone_ok {
        problems.push(FieldError::new(
            "enterprise.contact_phone",
            "phone_format",
            Localized::new(
                "must be a phone number (digits, spaces, + or -)",
                "请输入有效的电话号码",
            ),
        ));
    }
    validation::check(&input, problems)?;
    let (Some(username), Some(uscc)) = (username, uscc) else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated input lost its parts"
        )));
    };

    let now = state.clock.now_naive();
    let policy = ThrottlePolicy {
        max_attempts: state.settings.registrations_per_hour,
        ..REGISTRATIONS_PER_ADDRESS
    };
    let key = format!("register:{client_address}");
    let refused = state
        .run(move |conn| {
            write_transaction(conn, |conn| throttle::admit(conn, &[(&key, policy)], now))
        })
        .await
        .map_err(uncounted)?;
    if let Some(retry_after_secs) = refused {
        return Err(ServiceError::TooManyRequests { retry_after_secs });
    }
    // Hashing is slow: do it before taking the write lock.
    let password_hash = hash_password(state, input.password.clone()).await?;
    state
        .run(move |conn| {
            let Some(town) = queries::reference::find_town(conn, &input.enterprise.town)? else {
                return Err(ServiceError::invalid(
                    "enterprise.town",
                    "unknown_town",
                    "must be one of the 24 towns of Yingde",
                    "须为英德市24个镇（街道）之一",
                ));
            };
            write_transaction(conn, |conn| {
                if db::username_taken(conn, &username)? {
                    return Err(ServiceError::conflict(
                        "This username is already taken.",
                        "该用户名已被使用。",
                    ));
                }
                if db::uscc_taken(conn, uscc.as_str())? {
                    return Err(ServiceError::conflict(
                        "An enterprise with this credit code is already registered.",
                        "该统一社会信用代码已注册。",
                    ));
                }
                let e = &input.enterprise;
                let enterprise = EnterpriseRow {
                    id: new_id(),
                    uscc: uscc.to_string(),
                    name: e.name.trim().to_owned(),
                    legal_representative: e.legal_representative.trim().to_owned(),
                    address: e.address.trim().to_owned(),
                    town_code: town.code.clone(),
                    contact_name: e.contact_name.trim().to_owned(),
                    contact_phone: e.contact_phone.trim().to_owned(),
                    email: e.email.trim().to_owned(),
                    uscc_exception_reason: None,
                    created_at: now,
                    updated_at: now,
                };
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
                };
                insert_producer(conn, &enterprise, &user, now)?;
                Ok(Registered {
                    user: UserView::from(&user),
                    enterprise: enterprise_view(conn, &enterprise)?,
                })
            })
        })
        .await
}

/// Writes a producer's enterprise and account with the journal event of the registration.
pub(crate) fn insert_producer(
    conn: &mut DbConnection,
    enterprise: &EnterpriseRow,
    user: &UserRow,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    db::insert_enterprise(conn, enterprise).map_err(conflict_on_race)?;
    db::insert_user(conn, user).map_err(conflict_on_race)?;
    journal::append(
        conn,
        NewEvent {
            entity_type: "enterprise",
            entity_id: &enterprise.id,
            action: "register",
            from_status: None,
            to_status: None,
            actor: &EventActor::user(&user.id, Role::Applicant),
            comment: None,
            data: Some(serde_json::json!({
                "uscc": enterprise.uscc, "name": enterprise.name, "username": user.username,
            })),
            at: now,
        },
    )?;
    Ok(())
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

/// Signs in. Unknown user and wrong password get the same answer after the same work; a
/// guess is counted before it is checked, and too many per account and address, per address
/// or per account answer 429 until the lock expires. Each sign-in opens a session that
/// signing out ends.
pub async fn login(
    state: &ServiceState,
    input: LoginInput,
    client_address: String,
) -> ServiceResult<AccessToken> {
    validation::check(&input, Vec::new())?;
    let username = input.username.trim().to_lowercase();
    let lookup = username.clone();
    let (matched, user, keys) = checked_guess(
        state,
        &username,
        &client_address,
        move |conn| {
            let user = db::user_by_username(conn, &lookup)?.filter(|u| u.active);
            Ok((user.as_ref().map(|u| u.password_hash.clone()), user))
        },
        input.password,
    )
    .await?;
    let Some(user) = user.filter(|_| matched) else {
        return Err(ServiceError::BadCredentials);
    };
    let role: Role = user
        .role
        .parse()
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    let session_id = new_id();
    let now = state.clock.now_naive();
    {
        let (session_id, user_id) = (session_id.clone(), user.id.clone());
        state
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    throttle::settle(conn, &keys.settlements())?;
                    db::purge_sessions(
                        conn,
                        now - chrono::Duration::seconds(2 * TOKEN_LIFETIME_SECS),
                    )?;
                    db::insert_session(
                        conn,
                        &SessionRow {
                            id: session_id,
                            user_id,
                            created_at: now,
                            ended_at: None,
                        },
                    )?;
                    Ok(())
                })
            })
            .await?;
    }
    // Token lifetimes follow the wall clock, as their verification does, not the
    // injectable registry clock.
    let token = state.jwt.issue(
        &user.id,
        role,
        user.token_version,
        &session_id,
        chrono::Utc::now().timestamp(),
    )?;
    Ok(AccessToken {
        access_token: token,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_SECS,
        role,
    })
}

/// Ends the session `session_id` of the caller, at once, server-side: its token (or cookie)
/// answers 401 from now on, on every replica.
pub async fn logout(state: &ServiceState, actor: &Actor, session_id: &str) -> ServiceResult<()> {
    let (session_id, user_id) = (session_id.to_owned(), actor.user_id.clone());
    let now = state.clock.now_naive();
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                db::end_session(conn, &session_id, &user_id, now)?;
                Ok(())
            })
        })
        .await
}

/// Turns verified token claims into an actor, refusing tokens of ended sessions, deactivated
/// users, older token versions, or a role the user no longer has.
pub async fn authenticate(state: &ServiceState, claims: Claims) -> ServiceResult<Actor> {
    let user = state
        .run(move |conn| {
            Ok(db::user_of_live_session(conn, &claims.sid)?.filter(|u| {
                u.id == claims.sub
                    && u.token_version == claims.ver
                    && u.role == claims.role.as_str()
            }))
        })
        .await?;
    match user {
        Some(user) if user.active => Ok(Actor {
            user_id: user.id,
            role: claims.role,
            enterprise_id: user.enterprise_id,
        }),
        _ => Err(ServiceError::Unauthorized),
    }
}

pub async fn me(state: &ServiceState, actor: &Actor) -> ServiceResult<Me> {
    let user_id = actor.user_id.clone();
    state
        .run(move |conn| {
            let user = db::user_by_id(conn, &user_id)?.ok_or(ServiceError::NotFound)?;
            let enterprise = match &user.enterprise_id {
                Some(id) => {
                    let row = db::enterprise_by_id(conn, id)?.ok_or(ServiceError::NotFound)?;
                    Some(enterprise_view(conn, &row)?)
                }
                None => None,
            };
            Ok(Me {
                user: UserView::from(&user),
                enterprise,
            })
        })
        .await
}

/// Changes the caller's password and revokes every token issued before.
pub async fn change_password(
    state: &ServiceState,
    actor: &Actor,
    input: ChangePasswordInput,
    client_address: String,
) -> ServiceResult<()> {
    let user_id = actor.user_id.clone();
    let user = state
        .run(move |conn| db::user_by_id(conn, &user_id)?.ok_or(ServiceError::NotFound))
        .await?;
    let mut problems = Vec::new();
    if let Err(e) = check_password("new_password", &input.new_password, &user.username) {
        problems.push(e);
    }
    if input.new_password == input.current_password {
        problems.push(FieldError::new(
            "new_password",
            "password_unchanged",
            Localized::new(
                "must differ from the current password",
                "新密码不能与当前密码相同",
            ),
        ));
    }
    validation::check(&input, problems)?;
    // The current password is a guess like any sign-in: the same limits count it first.
    let stored = user.password_hash.clone();
    let (verified, (), keys) = checked_guess(
        state,
        &user.username,
        &client_address,
        move |_| Ok((Some(stored), ())),
        input.current_password.clone(),
    )
    .await?;
    if !verified {
        return Err(ServiceError::invalid(
            "current_password",
            "wrong_password",
            "is not your current password",
            "当前密码不正确",
        ));
    }
    let new_hash = hash_password(state, input.new_password).await?;
    let (now, actor) = (state.clock.now_naive(), actor.clone());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                throttle::settle(conn, &keys.settlements())?;
                db::set_password(conn, &actor.user_id, &new_hash, now)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "user",
                        entity_id: &actor.user_id,
                        action: "change_password",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: None,
                        at: now,
                    },
                )?;
                Ok(())
            })
        })
        .await
}

/// Creates a staff account. `actor` is the admin acting, or `None` for the command line.
pub async fn create_staff(
    state: &ServiceState,
    actor: Option<&Actor>,
    input: CreateStaffInput,
) -> ServiceResult<UserView> {
    if actor.is_some_and(|a| a.role != Role::Admin) {
        return Err(ServiceError::Forbidden);
    }
    let mut problems = Vec::new();
    let username = normalise_username(&input.username)
        .map_err(|e| problems.push(e))
        .ok();
    if let Err(e) = check_password("password", &input.password, &input.username) {
        problems.push(e);
    }
    if input.role == Role::Applicant {
        problems.push(FieldError::new(
            "role",
            "invalid_choice",
            Localized::new(
                "must be reviewer, approver or admin (producers register themselves)",
                "须为 reviewer、approver 或 admin（生产者请自行注册）",
            ),
        ));
    }
    validation::check(&input, problems)?;
    let Some(username) = username else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated input lost its username"
        )));
    };
    let password_hash = hash_password(state, input.password).await?;
    let now = state.clock.now_naive();
    let event_actor =
        actor.map_or_else(EventActor::system, |a| EventActor::user(&a.user_id, a.role));
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                if db::username_taken(conn, &username)? {
                    return Err(ServiceError::conflict(
                        "This username is already taken.",
                        "该用户名已被使用。",
                    ));
                }
                let user = UserRow {
                    id: new_id(),
                    display_name: input
                        .display_name
                        .clone()
                        .unwrap_or_else(|| username.clone()),
                    username,
                    password_hash,
                    role: input.role.as_str().into(),
                    enterprise_id: None,
                    active: true,
                    token_version: 1,
                    created_at: now,
                    updated_at: now,
                };
                db::insert_user(conn, &user).map_err(conflict_on_race)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "user",
                        entity_id: &user.id,
                        action: "create_staff",
                        from_status: None,
                        to_status: None,
                        actor: &event_actor,
                        comment: None,
                        data: Some(
                            serde_json::json!({"username": user.username, "role": user.role}),
                        ),
                        at: now,
                    },
                )?;
                Ok(UserView::from(&user))
            })
        })
        .await
}

/// Activates, deactivates or changes the role of a staff account; revokes its tokens at once.
pub async fn update_user(
    state: &ServiceState,
    actor: &Actor,
    user_id: String,
    input: UpdateUserInput,
) -> ServiceResult<UserView> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    validation::check(&input, Vec::new())?;
    let (now, actor) = (state.clock.now_naive(), actor.clone());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let user = db::user_by_id(conn, &user_id)?.ok_or(ServiceError::NotFound)?;
                let current_role: Role = user
                    .role
                    .parse()
                    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
                let role = input.role.unwrap_or(current_role);
                let active = input.active.unwrap_or(user.active);
                if (role == Role::Applicant) != (current_role == Role::Applicant) {
                    return Err(ServiceError::invalid(
                        "role",
                        "invalid_choice",
                        "a producer account stays a producer account, and staff stay staff",
                        "生产者账户与工作人员账户不能互相转换",
                    ));
                }
                let loses_admin =
                    current_role == Role::Admin && user.active && (role != Role::Admin || !active);
                if loses_admin && db::count_active_admins(conn)? <= 1 {
                    return Err(ServiceError::conflict(
                        "This is the last active admin: create another admin first.",
                        "这是最后一个有效的管理员账户，请先创建其他管理员。",
                    ));
                }
                db::update_user_access(conn, &user.id, active, role.as_str(), now)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "user",
                        entity_id: &user.id,
                        action: "update_access",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::json!({"active": active, "role": role.as_str()})),
                        at: now,
                    },
                )?;
                let updated = db::user_by_id(conn, &user.id)?.ok_or(ServiceError::NotFound)?;
                Ok(UserView::from(&updated))
            })
        })
        .await
}

/// On first start with no active admin: creates `admin` with a random password, keeps the
/// password in a 0600 file in the data directory and returns it so the caller prints it once.
pub async fn ensure_initial_admin(
    state: &ServiceState,
) -> ServiceResult<Option<(String, std::path::PathBuf)>> {
    let has_admin = state
        .run(|conn| Ok(db::count_active_admins(conn)? > 0))
        .await?;
    if has_admin {
        return Ok(None);
    }
    let password = secrets::random_token(20);
    let path = state
        .settings
        .data_dir
        .join(secrets::INITIAL_ADMIN_PASSWORD_FILE);
    let input = CreateStaffInput {
        username: "admin".into(),
        password: password.clone(),
        role: Role::Admin,
        display_name: Some("Administrator".into()),
    };
    create_staff(state, None, input).await?;
    secrets::write_private_file(&path, &format!("{password}\n"))?;
    Ok(Some((password, path)))
}
