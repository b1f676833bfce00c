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
use crate::domain::sessions::{
    idle_expired, needs_touch, IDLE_LIMIT_SECS, PAGE_SESSION_MAX_SECS, TOUCH_EVERY_SECS,
};
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

/// Who a session is for: the JSON API (a Bearer token of a fixed hour) or the pages (a
/// cookie whose session ends after an hour of inactivity, see [`crate::domain::sessions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Api,
    Page,
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
    open_session(state, input, client_address, SessionKind::Api).await
}

/// [`login`] for the pages: the session slides (an hour of inactivity ends it, not an hour
/// since signing in), and its token lives up to [`PAGE_SESSION_MAX_SECS`].
pub async fn login_for_pages(
    state: &ServiceState,
    input: LoginInput,
    client_address: String,
) -> ServiceResult<AccessToken> {
    open_session(state, input, client_address, SessionKind::Page).await
}

async fn open_session(
    state: &ServiceState,
    input: LoginInput,
    client_address: String,
    kind: SessionKind,
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
                    // Last used two hours ago: an API token has expired, a page session
                    // has been idle past its limit.
                    db::purge_sessions(
                        conn,
                        now - chrono::Duration::seconds(
                            2 * TOKEN_LIFETIME_SECS.max(IDLE_LIMIT_SECS),
                        ),
                    )?;
                    db::insert_session(
                        conn,
                        &SessionRow {
                            id: session_id,
                            user_id,
                            created_at: now,
                            ended_at: None,
                            last_seen_at: Some(now),
                            sliding: kind == SessionKind::Page,
                        },
                    )?;
                    Ok(())
                })
            })
            .await?;
    }
    // Token lifetimes follow the wall clock, as their verification does, not the
    // injectable registry clock.
    let lifetime = match kind {
        SessionKind::Api => TOKEN_LIFETIME_SECS,
        SessionKind::Page => PAGE_SESSION_MAX_SECS,
    };
    let token = state.jwt.issue_for(
        &user.id,
        role,
        user.token_version,
        &session_id,
        chrono::Utc::now().timestamp(),
        lifetime,
    )?;
    Ok(AccessToken {
        access_token: token,
        token_type: "Bearer",
        expires_in: lifetime,
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

/// Turns verified token claims into an actor, refusing tokens of ended sessions, page
/// sessions idle for an hour, deactivated users, older token versions, or a role the user no
/// longer has. A page session's request is its last one (written at most once a minute).
pub async fn authenticate(state: &ServiceState, claims: Claims) -> ServiceResult<Actor> {
    Ok(authenticate_session(state, claims).await?.actor)
}

/// Who a live session is for, and whether they must change a printed password before
/// anything else (see [`SessionUser::must_change_password`]).
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub actor: Actor,
    /// The account's password was printed for its owner (registration at the window): the
    /// API answers only the password change, `GET /api/v1/me` and sign-out, and the pages
    /// send the user to `/password`, until they set one of their own.
    pub must_change_password: bool,
}

/// [`authenticate`], with the account's mark of a printed password.
pub async fn authenticate_session(
    state: &ServiceState,
    claims: Claims,
) -> ServiceResult<SessionUser> {
    let now = state.clock.now_naive();
    let user = state
        .run(move |conn| {
            let Some((user, session)) = db::user_of_live_session(conn, &claims.sid)? else {
                return Ok(None);
            };
            let same = user.id == claims.sub
                && user.token_version == claims.ver
                && user.role == claims.role.as_str();
            if !same {
                return Ok(None);
            }
            if session.sliding {
                let last_seen = session.last_seen_at.unwrap_or(session.created_at);
                if idle_expired(last_seen, now) {
                    return Ok(None);
                }
                if needs_touch(last_seen, now) {
                    let not_before = now - chrono::Duration::seconds(TOUCH_EVERY_SECS);
                    write_transaction(conn, |conn| -> ServiceResult<()> {
                        db::touch_session(conn, &session.id, now, not_before)?;
                        Ok(())
                    })?;
                }
            }
            Ok(Some(user))
        })
        .await?;
    match user {
        Some(user) if user.active => Ok(SessionUser {
            must_change_password: user.must_change_password,
            actor: Actor {
                user_id: user.id,
                role: claims.role,
                enterprise_id: user.enterprise_id,
            },
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
    change_password_checked(state, actor, input, client_address, Vec::new()).await
}

/// [`change_password`] with `problems` the caller found already (a page's repeated
/// password), reported together with the others.
pub async fn change_password_checked(
    state: &ServiceState,
    actor: &Actor,
    input: ChangePasswordInput,
    client_address: String,
    mut problems: Vec<FieldError>,
) -> ServiceResult<()> {
    let user_id = actor.user_id.clone();
    let user = state
        .run(move |conn| db::user_by_id(conn, &user_id)?.ok_or(ServiceError::NotFound))
        .await?;
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
