//! Accounts: producer registration, sign-in with throttling, tokens, staff accounts.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::validation;
use super::{ServiceError, ServiceResult, ServiceState};
use crate::auth::jwt::{Claims, TOKEN_LIFETIME_SECS};
use crate::auth::{password, secrets};
use crate::db::models::account::{EnterpriseRow, ThrottleRow, UserRow};
use crate::db::queries::{self, accounts as db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::accounts::{check_password, normalise_username};
use crate::domain::roles::{Actor, Role};
use crate::domain::throttle::{ThrottlePolicy, ThrottleState, PER_ACCOUNT, PER_ADDRESS};
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
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200)]
    pub name: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub legal_representative: String,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    /// A town of Yingde by code (`xiniu`), Chinese name (`西牛镇`) or English name.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub town: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub contact_name: String,
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub contact_phone: String,
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
    #[validate(length(min = 1, max = 100))]
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
pub async fn register(state: &ServiceState, input: RegisterInput) -> ServiceResult<Registered> {
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

    // Hashing is slow: do it before taking the write lock.
    let password_hash = hash_password(input.password.clone()).await?;
    let now = state.clock.now_naive();
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

async fn hash_password(password: String) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
        .map_err(ServiceError::Internal)
}

pub(crate) fn throttle_state(row: Option<ThrottleRow>) -> Option<ThrottleState> {
    row.map(|r| ThrottleState {
        failures: r.failures,
        window_start: r.window_start,
        locked_until: r.locked_until,
    })
}

pub(crate) fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    policy: &ThrottlePolicy,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let current = throttle_state(db::throttle(conn, key)?);
    let next = policy.record_failure(current.as_ref(), now);
    db::save_throttle(
        conn,
        &ThrottleRow {
            throttle_key: key.to_owned(),
            failures: next.failures,
            window_start: next.window_start,
            locked_until: next.locked_until,
        },
    )?;
    Ok(())
}

/// Signs in. Unknown user and wrong password get the same answer after the same work; too
/// many failures per account or per client address answer 429 until the lock expires.
pub async fn login(
    state: &ServiceState,
    input: LoginInput,
    client_address: String,
) -> ServiceResult<AccessToken> {
    validation::check(&input, Vec::new())?;
    let username = input.username.trim().to_lowercase();
    let account_key = format!("account:{username}");
    let address_key = format!("address:{client_address}");
    let now = state.clock.now_naive();

    let (user, retry_after) = {
        let (account_key, address_key, username) =
            (account_key.clone(), address_key.clone(), username.clone());
        state
            .run(move |conn| {
                let retry = [(&account_key, PER_ACCOUNT), (&address_key, PER_ADDRESS)]
                    .into_iter()
                    .map(|(key, policy)| {
                        Ok(policy
                            .retry_after(throttle_state(db::throttle(conn, key)?).as_ref(), now))
                    })
                    .collect::<ServiceResult<Vec<_>>>()?
                    .into_iter()
                    .flatten()
                    .max();
                Ok((db::user_by_username(conn, &username)?, retry))
            })
            .await?
    };
    if let Some(retry_after_secs) = retry_after {
        return Err(ServiceError::TooManyRequests { retry_after_secs });
    }

    let candidate = input.password;
    let stored = user
        .as_ref()
        .filter(|u| u.active)
        .map(|u| u.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || match stored {
        Some(stored) => password::verify(&candidate, &stored),
        None => {
            password::verify_against_dummy(&candidate);
            false
        }
    })
    .await
    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("verify task failed: {e}")))?;

    match user.filter(|_| verified) {
        Some(user) => {
            state
                .run(move |conn| {
                    write_transaction(conn, |conn| Ok(db::clear_throttle(conn, &account_key)?))
                })
                .await?;
            let role: Role = user
                .role
                .parse()
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
            // Token lifetimes follow the wall clock, as their verification does, not the
            // injectable registry clock.
            let token = state.jwt.issue(
                &user.id,
                role,
                user.token_version,
                chrono::Utc::now().timestamp(),
            )?;
            Ok(AccessToken {
                access_token: token,
                token_type: "Bearer",
                expires_in: TOKEN_LIFETIME_SECS,
                role,
            })
        }
        None => {
            state
                .run(move |conn| {
                    write_transaction(conn, |conn| {
                        record_failure(conn, &account_key, &PER_ACCOUNT, now)?;
                        record_failure(conn, &address_key, &PER_ADDRESS, now)
                    })
                })
                .await?;
            Err(ServiceError::Unauthorized)
        }
    }
}

/// Turns verified token claims into an actor, refusing tokens of deactivated users, older
/// token versions, or a role the user no longer has.
pub async fn authenticate(state: &ServiceState, claims: Claims) -> ServiceResult<Actor> {
    let user = state
        .run(move |conn| {
            Ok(db::user_by_id(conn, &claims.sub)?
                .filter(|u| u.token_version == claims.ver && u.role == claims.role.as_str()))
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
    let (current, stored) = (input.current_password.clone(), user.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || password::verify(&current, &stored))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("verify task failed: {e}")))?;
    if !verified {
        return Err(ServiceError::invalid(
            "current_password",
            "wrong_password",
            "is not your current password",
            "当前密码不正确",
        ));
    }
    let new_hash = hash_password(input.new_password).await?;
    let (now, actor) = (state.clock.now_naive(), actor.clone());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
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
    let password_hash = hash_password(input.password).await?;
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
