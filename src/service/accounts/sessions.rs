//! Signing in (throttled, counted before the hash), out, the checks of every request's
//! session, and changing one's password.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{checked_guess, enterprise_view, hash_password, new_id, AccessToken, Me, UserView};
use crate::auth::jwt::{Claims, TOKEN_LIFETIME_SECS};
use crate::db::models::account::SessionRow;
use crate::db::queries::accounts as db;
use crate::db::write_transaction;
use crate::domain::accounts::check_password;
use crate::domain::roles::{Actor, Role};
use crate::domain::{FieldError, Localized};
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::{throttle, validation};
use crate::service::{ServiceError, ServiceResult, ServiceState};

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
