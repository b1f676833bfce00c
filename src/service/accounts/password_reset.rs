//! A way back in: a password reset by e-mail, or a one-time reset issued by staff at the
//! service window. A token is 256 random bits shown once (in the link, or to the staff
//! member); only its SHA-256 is stored. It works once, for 30 minutes, and using it ends
//! every session of the account.
//!
//! The e-mail with the link is sent straight away, not through the outbox: the outbox keeps
//! what it sends, and the token must not be kept anywhere. A lost reset e-mail is asked for
//! again.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::Validate;

use super::{hash_password, new_id};
use crate::db::models::password_reset::PasswordResetRow;
use crate::db::queries::{accounts as db, password_resets as reset_db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::accounts::check_password;
use crate::domain::roles::{Actor, Role};
use crate::domain::throttle::{RESET_PER_ACCOUNT, RESET_PER_ADDRESS};
use crate::domain::FieldError;
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::mail::OutgoingMail;
use crate::service::{throttle, validation, ServiceError, ServiceResult, ServiceState};

/// How long a reset token works.
pub const RESET_LIFETIME: Duration = Duration::minutes(30);

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PasswordResetRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub username: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PasswordResetConfirm {
    /// The token from the link (`/password-reset/<token>`) or from the service window.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// A reset issued at the service window: shown once to the staff member, who hands it over.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowReset {
    pub user_id: String,
    pub username: String,
    pub token: String,
    /// `<GI_PUBLIC_URL>/password-reset/<token>`.
    pub reset_url: String,
    pub expires_at: DateTime<Utc>,
}

fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    (token.clone(), token_hash(&token))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn reset_url(state: &ServiceState, token: &str) -> String {
    let base = state.settings.public_base();
    format!("{base}/password-reset/{token}")
}

fn stale_token() -> ServiceError {
    ServiceError::invalid(
        "token",
        "invalid_token",
        "is used, expired or unknown: ask for a new reset",
        "链接已使用、已过期或无效，请重新申请重置密码",
    )
}

/// Stores a new token of `user_id` (older open ones stop working) with its journal event.
fn store_token(
    conn: &mut DbConnection,
    user_id: &str,
    channel: &str,
    actor: &EventActor,
    now: NaiveDateTime,
) -> ServiceResult<(String, NaiveDateTime)> {
    let (token, hash) = new_token();
    let expires_at = now + RESET_LIFETIME;
    reset_db::purge(conn, now - Duration::days(30))?;
    reset_db::replace(
        conn,
        &PasswordResetRow {
            id: new_id(),
            user_id: user_id.to_owned(),
            token_sha256: hash,
            channel: channel.to_owned(),
            issued_by: actor.user_id.clone(),
            created_at: now,
            expires_at,
            used_at: None,
        },
    )?;
    journal::append(
        conn,
        NewEvent {
            entity_type: "user",
            entity_id: user_id,
            action: "issue_password_reset",
            from_status: None,
            to_status: None,
            actor,
            comment: None,
            data: Some(serde_json::json!({ "channel": channel })),
            at: now,
        },
    )?;
    Ok((token, expires_at))
}

/// `POST /auth/password-reset`: always answers the same (202), whether or not the account
/// exists. When it does and has an e-mail address, and neither the account nor the address
/// asked too often, a single-use link is e-mailed.
pub async fn request_reset(
    state: &ServiceState,
    input: PasswordResetRequest,
    client_address: String,
) -> ServiceResult<()> {
    validation::check(&input, Vec::new())?;
    let username = input.username.trim().to_lowercase();
    let now = state.clock.now_naive();
    let keys = [
        format!("reset-account:{username}"),
        format!("reset-address:{client_address}"),
    ];
    let found = state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let policies = [
                    (keys[0].as_str(), RESET_PER_ACCOUNT),
                    (keys[1].as_str(), RESET_PER_ADDRESS),
                ];
                // Refused: nothing is sent, and the answer is the same.
                if throttle::admit(conn, &policies, now)?.is_some() {
                    return Ok(None);
                }
                let Some(user) = db::user_by_username(conn, &username)?.filter(|u| u.active) else {
                    return Ok(None);
                };
                let email = match &user.enterprise_id {
                    Some(id) => db::enterprise_by_id(conn, id)?
                        .map(|e| e.email)
                        .filter(|e| !e.trim().is_empty()),
                    None => None,
                };
                let Some(email) = email else {
                    return Ok(None);
                };
                let (token, _) = store_token(conn, &user.id, "email", &EventActor::system(), now)?;
                Ok::<_, ServiceError>(Some((email, user.username, token)))
            })
        })
        .await?;
    if let Some((email, username, token)) = found {
        let facts = crate::service::office::facts(state).await.ok();
        let office = facts
            .as_ref()
            .map(|f| f.office.name.clone())
            .unwrap_or_default();
        let mail = OutgoingMail {
            to: email,
            subject: "重置密码 / Password reset — 英德市地理标志专用标志使用登记".into(),
            body: format!(
                "您好，\n\n有人为账号 {username} 申请重置密码。如是您本人，请在30分钟内打开以下链接设置新密码（只能使用一次）：\n\n{url}\n\n如非本人操作，请忽略本邮件，您的密码不会改变。\n\n{office}\n\n\
                 Someone asked to reset the password of the account {username}. If it was you, open the link above within 30 minutes (it works once). If not, ignore this message.\n",
                url = reset_url(state, &token),
            ),
            message_id: format!("reset.{}@gi-registry", new_id()),
        };
        // Sent after the answer: its time on the wire must not tell that the account exists.
        let mailer = state.mailer.clone();
        tokio::spawn(async move {
            if let Err(error) = mailer.send(&mail).await {
                tracing::warn!(%error, "the password reset e-mail was not sent");
            }
        });
    }
    Ok(())
}

/// `POST /auth/password-reset/confirm`: sets the new password with a live token, once; every
/// older session and token of the account stops working.
pub async fn confirm_reset(state: &ServiceState, input: PasswordResetConfirm) -> ServiceResult<()> {
    confirm_reset_checked(state, input, Vec::new()).await
}

/// [`confirm_reset`] with `problems` the caller found already (a page's repeated password),
/// reported with the password policy's in one answer.
pub async fn confirm_reset_checked(
    state: &ServiceState,
    input: PasswordResetConfirm,
    mut problems: Vec<FieldError>,
) -> ServiceResult<()> {
    validation::check(&input, Vec::new())?;
    let hash = token_hash(&input.token);
    let now = state.clock.now_naive();
    let user = state
        .run(move |conn| {
            let Some(reset) = reset_db::by_token_hash(conn, &hash)?
                .filter(|r| r.used_at.is_none() && r.expires_at > now)
            else {
                return Err(stale_token());
            };
            let user = db::user_by_id(conn, &reset.user_id)?
                .filter(|u| u.active)
                .ok_or_else(stale_token)?;
            Ok((reset.id, user))
        })
        .await?;
    let (reset_id, user) = user;
    if let Err(e) = check_password("new_password", &input.new_password, &user.username) {
        problems.insert(0, e);
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let new_hash = hash_password(state, input.new_password).await?;
    let role: Role = user
        .role
        .parse()
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                // Two uses at once: one finds the token unused, the other nothing to change.
                if reset_db::use_token(conn, &reset_id, now)? == 0 {
                    return Err(stale_token());
                }
                db::set_password(conn, &user.id, &new_hash, now)?;
                db::end_sessions_of(conn, &user.id, now)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "user",
                        entity_id: &user.id,
                        action: "reset_password",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&user.id, role),
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

/// Staff at the service window issue a one-time reset for a producer without e-mail: the
/// token is answered once, to hand over; issuing it is journalled with who did it. An admin
/// may do it for any account but its own; reviewers and approvers for producers.
pub async fn issue_at_window(
    state: &ServiceState,
    actor: &Actor,
    user_id: String,
) -> ServiceResult<WindowReset> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    let (user, token, expires_at) = state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let user = db::user_by_id(conn, &user_id)?.ok_or(ServiceError::NotFound)?;
                let may = match actor.role {
                    Role::Admin => user.id != actor.user_id,
                    _ => user.role == Role::Applicant.as_str(),
                };
                if !may {
                    return Err(ServiceError::Forbidden);
                }
                if !user.active {
                    return Err(ServiceError::conflict(
                        "The account is deactivated.",
                        "该账号已停用。",
                    ));
                }
                let by = EventActor::user(&actor.user_id, actor.role);
                let (token, expires_at) = store_token(conn, &user.id, "window", &by, now)?;
                Ok((user, token, expires_at))
            })
        })
        .await?;
    Ok(WindowReset {
        reset_url: reset_url(state, &token),
        user_id: user.id,
        username: user.username,
        token,
        expires_at: expires_at.and_utc(),
    })
}
