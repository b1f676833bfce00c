//! Staff accounts: created and changed by an administrator; the first administrator on an
//! empty database.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{conflict_on_race, hash_password, new_id, UserView};
use crate::auth::secrets;
use crate::db::models::account::UserRow;
use crate::db::queries::accounts as db;
use crate::db::write_transaction;
use crate::domain::accounts::{check_password, normalise_username};
use crate::domain::roles::{Actor, Role};
use crate::domain::{FieldError, Localized};
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::validation;
use crate::service::{ServiceError, ServiceResult, ServiceState};

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
                    must_change_password: false,
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
