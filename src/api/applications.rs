//! Applications: drafts, documents and workflow actions.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::eligibility::AttachmentKind;
use crate::domain::roles::Actor;
use crate::domain::workflow::ApplicationAction;
use crate::domain::Localized;
use crate::error::ApiError;
pub use crate::http::download::document_response;
pub use crate::http::upload::{read_upload_fields, upload_of, UploadFields};
use crate::service::applications::IfMatch;
use crate::service::applications::{
    self, ActionInput, ApplicationInput, ApplicationPatch, ApplicationQuery, ApplicationSummary,
    ApplicationView, AttachmentView,
};
use crate::service::paging::{Page, PageRequest};
use crate::service::ServiceState;

/// `"v<version>"`: what GET sends and PATCH's If-Match must repeat.
pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// What an If-Match header asks for (RFC 9110): any version for none or `*`.
fn if_match(request: &HttpRequest) -> IfMatch {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return IfMatch::Any;
    };
    let Ok(value) = value.to_str().map(str::trim) else {
        return IfMatch::Never;
    };
    if value == "*" {
        return IfMatch::Any;
    }
    let tag = value.trim_start_matches("W/").trim_matches('"');
    tag.strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .map_or(IfMatch::Never, IfMatch::Version)
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, view: &ApplicationView) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag(view.version)))
        .json(view)
}

/// Starts an application as a draft (producers only).
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])),
    request_body = ApplicationInput,
    responses(
        (status = 201, body = ApplicationView, headers(("ETag" = String))),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<ApplicationInput>,
) -> Result<HttpResponse, ApiError> {
    let view = applications::create(&state, &actor, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Created(), &view))
}

/// Lists applications: producers see their own, staff see all. Newest first.
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])),
    params(ApplicationQuery, PageRequest),
    responses(
        (status = 200, body = Page<ApplicationSummary>),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<ApplicationQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    let page = applications::list(&state, &actor, query.into_inner(), paging.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One application with its documents, history and latest review opinion.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ApplicationView, headers(("ETag" = String))),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = applications::get(&state, &actor, path.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

/// Edits a draft or returned application (the owner only); honours If-Match.
#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ApplicationPatch,
    responses(
        (status = 200, body = ApplicationView, headers(("ETag" = String))),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 412, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn edit(
    state: web::Data<ServiceState>,
    actor: Actor,
    request: HttpRequest,
    path: web::Path<String>,
    body: Json<ApplicationPatch>,
) -> Result<HttpResponse, ApiError> {
    let view = applications::edit(
        &state,
        &actor,
        path.into_inner(),
        if_match(&request),
        body.into_inner(),
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

/// The multipart form of an upload, for the OpenAPI document: exactly these two fields.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    kind: AttachmentKind,
    /// A PDF, JPEG or PNG document.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads a document (multipart fields `kind` and `file`): the owner's while editable, the
/// reviewer's origin-verification report while under review.
#[utoipa::path(post, path = "/api/v1/applications/{id}/attachments", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn upload(
    state: web::Data<ServiceState>,
    actor: Actor,
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !crate::http::upload::is_multipart(&request) {
        return Err(ApiError::UnsupportedMediaType(Localized::new(
            "Upload documents as multipart/form-data with fields `kind` and `file`.",
            "请以 multipart/form-data 上传，字段为 kind 和 file。",
        )));
    }
    let form = Multipart::new(request.headers(), payload);
    let upload = upload_of(read_upload_fields(form, state.settings.max_upload_bytes, &[]).await?)?;
    let attachment =
        applications::add_attachment(&state, &actor, path.into_inner(), upload).await?;
    Ok(HttpResponse::Created().json(attachment))
}

/// Downloads a document (owner and staff only; never public).
#[utoipa::path(get, path = "/api/v1/applications/{id}/attachments/{attachment_id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses(
        (status = 200, description = "The document", content_type = "application/octet-stream"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn download(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let (attachment, bytes) =
        applications::attachment_content(&state, &actor, id, attachment_id).await?;
    Ok(document_response(attachment, bytes))
}

/// Removes a document its uploader may still change: the owner's while the application is
/// a draft or returned, a reviewer's own review document while it is under review.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/attachments/{attachment_id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn remove_attachment(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    applications::remove_attachment(&state, &actor, id, attachment_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Takes a workflow action: submit, withdraw, accept, refuse, return, resubmit, recommend,
/// approve (also creates the authorization) or reject.
#[utoipa::path(post, path = "/api/v1/applications/{id}/{action}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path), ("action" = ApplicationAction, Path)),
    request_body = ActionInput,
    responses(
        (status = 200, body = ApplicationView, headers(("ETag" = String))),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn act(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: Json<ActionInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let action: ApplicationAction = action.parse().map_err(|_| ApiError::NotFound)?;
    let view = applications::act(&state, &actor, id, action, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}
