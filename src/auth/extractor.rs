//! Who is calling: a Bearer token checked for signature, issuer, audience, expiry, then
//! against the database (active account, current token version, current role).

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::{accounts, ServiceState};

fn bearer_token(request: &HttpRequest) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// What an account that must change its printed password may still call: the change itself,
/// who am I, and signing out. Everything else answers 403 `password-change-required`.
pub const PASSWORD_CHANGE_ENDPOINT: &str = "/api/v1/auth/password";

fn allowed_before_password_change(request: &HttpRequest) -> bool {
    matches!(
        (request.method(), request.path()),
        (&Method::POST, PASSWORD_CHANGE_ENDPOINT)
            | (&Method::POST, "/api/v1/auth/logout")
            | (&Method::GET, "/api/v1/me")
    )
}

/// A caller with a valid Bearer token of a live session, and that session's id.
pub struct Authenticated {
    pub actor: Actor,
    pub session_id: String,
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = request.app_data::<web::Data<ServiceState>>().cloned();
        let token = bearer_token(request);
        let allowed = allowed_before_password_change(request);
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("service state missing")))?;
            let claims = token
                .and_then(|t| state.jwt.verify(&t))
                .ok_or(ApiError::Unauthorized)?;
            let session_id = claims.sid.clone();
            let user = accounts::authenticate_session(&state, claims).await?;
            if user.must_change_password && !allowed {
                return Err(ApiError::PasswordChangeRequired);
            }
            Ok(Authenticated {
                actor: user.actor,
                session_id,
            })
        })
    }
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::from_request(request, payload);
        Box::pin(async move { Ok(authenticated.await?.actor) })
    }
}
