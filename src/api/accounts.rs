//! Accounts: registration, sign-in, the caller's own account, staff administration.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Json;
use crate::auth::extractor::Authenticated;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::accounts::{
    self, AccessToken, ChangePasswordInput, CreateStaffInput, LoginInput, Me, RegisterInput,
    Registered, UpdateUserInput, UserView,
};
use crate::service::ServiceState;

/// Registers a producer: the user account and its enterprise together.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterInput, responses(
    (status = 201, body = Registered),
    (status = 409, description = "Username or credit code taken", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields (e.g. `enterprise.uscc`)", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 429, description = "Too many registrations from this address; see Retry-After", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing is busy; see Retry-After", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn register(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    body: Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let address = crate::http::client_address(&request);
    let registered = accounts::register(&state, body.into_inner(), address).await?;
    Ok(HttpResponse::Created().json(registered))
}

/// Signs in and returns a one-hour access token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginInput, responses(
    (status = 200, body = AccessToken),
    (status = 401, description = "Unknown user or wrong password", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts; see Retry-After", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 503, description = "Password checks are busy or the attempt cannot be counted; see Retry-After", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn login(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    body: Json<LoginInput>,
) -> Result<HttpResponse, ApiError> {
    let address = crate::http::client_address(&request);
    let token = accounts::login(&state, body.into_inner(), address).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(token))
}

/// Signs out: the session of this token ends at once; the token answers 401 from now on.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"),
    (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn logout(
    state: web::Data<ServiceState>,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    accounts::logout(&state, &caller.actor, &caller.session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user and, for a producer, its enterprise.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn me(state: web::Data<ServiceState>, actor: Actor) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::me(&state, &actor).await?))
}

/// Changes the caller's password; every token issued before stops working.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "accounts", security(("bearer" = [])), request_body = ChangePasswordInput, responses(
    (status = 204, description = "Changed"),
    (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 422, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 429, description = "Too many wrong current passwords; see Retry-After", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing is busy; see Retry-After", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn change_password(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    actor: Actor,
    body: Json<ChangePasswordInput>,
) -> Result<HttpResponse, ApiError> {
    let address = crate::http::client_address(&request);
    accounts::change_password(&state, &actor, body.into_inner(), address).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Creates a staff account (admin only).
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), request_body = CreateStaffInput, responses(
    (status = 201, body = UserView),
    (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 403, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 409, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 422, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn create_user(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<CreateStaffInput>,
) -> Result<HttpResponse, ApiError> {
    let user = accounts::create_staff(&state, Some(&actor), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(user))
}

/// Activates, deactivates or changes the role of an account (admin only); revokes its tokens.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])), request_body = UpdateUserInput,
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn update_user(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<UpdateUserInput>,
) -> Result<HttpResponse, ApiError> {
    let user = accounts::update_user(&state, &actor, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(user))
}
