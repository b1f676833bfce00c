//! Changes of a holder's details (变更): the holder asks, staff approve or reject.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::domain::{FieldError, Localized};
use crate::error::ApiError;
use crate::http::download::file_response;
use crate::http::upload::read_upload_fields;
use crate::service::enterprise_changes::documents::{
    self, ChangeDocumentUpload, ChangeDocumentView,
};
use crate::service::enterprise_changes::{
    self, ChangeDecisionInput, ChangeQuery, EnterpriseChangeInput, EnterpriseChangeView,
};
use crate::service::paging::{Page, PageRequest};
use crate::service::ServiceState;

/// A holder asks to change its name, address or legal representative, with a reason.
#[utoipa::path(post, path = "/api/v1/enterprise-changes", tag = "accounts", security(("bearer" = [])),
    request_body = EnterpriseChangeInput,
    responses(
        (status = 201, body = EnterpriseChangeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Another request is waiting for a decision", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn request(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<EnterpriseChangeInput>,
) -> Result<HttpResponse, ApiError> {
    let change = enterprise_changes::request(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(change))
}

/// Requests, newest first: staff see every one, a holder its own.
#[utoipa::path(get, path = "/api/v1/enterprise-changes", tag = "accounts", security(("bearer" = [])),
    params(ChangeQuery, PageRequest),
    responses(
        (status = 200, body = Page<EnterpriseChangeView>),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<ChangeQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    let page =
        enterprise_changes::list(&state, &actor, query.into_inner(), paging.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Approves a request (reviewers, approvers): the enterprise changes at once, the public
/// register with it.
#[utoipa::path(post, path = "/api/v1/enterprise-changes/{id}/approve", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ChangeDecisionInput,
    responses(
        (status = 200, body = EnterpriseChangeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A reason empty once trimmed, too long, or holding a NUL", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn approve(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<ChangeDecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let change =
        enterprise_changes::decide(&state, &actor, id.into_inner(), true, body.into_inner())
            .await?;
    Ok(HttpResponse::Ok().json(change))
}

/// Rejects a request (reviewers, approvers): nothing of the enterprise changes.
#[utoipa::path(post, path = "/api/v1/enterprise-changes/{id}/reject", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ChangeDecisionInput,
    responses(
        (status = 200, body = EnterpriseChangeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A reason empty once trimmed, too long, or holding a NUL", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn reject(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<ChangeDecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let change =
        enterprise_changes::decide(&state, &actor, id.into_inner(), false, body.into_inner())
            .await?;
    Ok(HttpResponse::Ok().json(change))
}

/// The multipart form of a change request's document, for the OpenAPI document.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ChangeDocumentForm {
    /// A PDF, JPEG or PNG document (e.g. the new business licence).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches a document to an open change request (multipart field `file`; the requesting
/// enterprise's applicant; same type and size limits as an application's documents).
#[utoipa::path(post, path = "/api/v1/enterprise-changes/{id}/documents", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = ChangeDocumentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = ChangeDocumentView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not the requesting enterprise's applicant", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request is decided, or holds the most documents it may", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No file, or not a PDF, JPEG or PNG", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn upload_document(
    state: web::Data<ServiceState>,
    actor: Actor,
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !crate::http::upload::is_multipart(&request) {
        return Err(ApiError::UnsupportedMediaType(Localized::new(
            "Upload documents as multipart/form-data with the field `file`.",
            "请以 multipart/form-data 上传，字段为 file。",
        )));
    }
    let form = Multipart::new(request.headers(), payload);
    let mut fields = read_upload_fields(form, state.settings.max_upload_bytes, &[]).await?;
    let Some((filename, bytes)) = fields.take_file() else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "file",
            "required",
            Localized::new("is required", "请选择文件"),
        )]));
    };
    let upload = ChangeDocumentUpload { filename, bytes };
    let document = documents::add_document(&state, &actor, path.into_inner(), upload).await?;
    Ok(HttpResponse::Created().json(document))
}

/// Downloads a change request's document (the requesting enterprise's users and staff only;
/// never public).
#[utoipa::path(get, path = "/api/v1/enterprise-changes/{id}/documents/{document_id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path), ("document_id" = String, Path)),
    responses(
        (status = 200, description = "The document", content_type = "application/octet-stream"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn download_document(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, document_id) = path.into_inner();
    let (document, bytes) = documents::document_content(&state, &actor, id, document_id).await?;
    Ok(file_response(
        &document.filename,
        &document.content_type,
        bytes,
    ))
}
