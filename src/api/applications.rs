//! Applications: drafts, documents and workflow actions.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::eligibility::{extension_of, AttachmentKind};
use crate::domain::roles::Actor;
use crate::domain::text::download_filename;
use crate::domain::workflow::ApplicationAction;
use crate::domain::Localized;
use crate::error::ApiError;
use crate::service::applications::IfMatch;
use crate::service::applications::{
    self, ActionInput, ApplicationInput, ApplicationPatch, ApplicationQuery, ApplicationSummary,
    ApplicationView, AttachmentView, Upload,
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

fn bad_upload(en: &str, zh: &str) -> ApiError {
    ApiError::BadRequest(Localized::new(en, zh))
}

/// What an upload form held: `kind`, `file` (name and bytes), and any other fields the caller
/// allowed (a page's CSRF token).
pub struct UploadFields {
    kind: Option<String>,
    file: Option<(String, Vec<u8>)>,
    pub extra: std::collections::HashMap<String, String>,
}

/// Reads the form, refusing a file over the limit while it streams and any field that is
/// neither `kind`, `file` nor one of `extra_fields`.
pub async fn read_upload_fields(
    mut form: Multipart,
    limit: usize,
    extra_fields: &[&str],
) -> Result<UploadFields, ApiError> {
    let mut fields = UploadFields {
        kind: None,
        file: None,
        extra: Default::default(),
    };
    while let Some(field) = form.next().await {
        let mut field = field
            .map_err(|_| bad_upload("The upload form could not be read.", "无法读取上传表单。"))?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("document")
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| bad_upload("The upload was interrupted.", "上传中断。"))?;
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "kind" => fields.kind = Some(String::from_utf8_lossy(&bytes).trim().to_owned()),
            // A browser sends an empty part when no file was chosen.
            "file" if bytes.is_empty() => {}
            "file" => fields.file = Some((filename, bytes)),
            other if extra_fields.contains(&other) => {
                fields
                    .extra
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
            other => {
                return Err(ApiError::Validation(vec![crate::domain::FieldError::new(
                    other
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(64)
                        .collect::<String>(),
                    "unknown_field",
                    Localized::new(
                        "is not a field of the upload form (kind, file)",
                        "上传表单只有 kind 和 file 两个字段",
                    ),
                )]))
            }
        }
    }
    Ok(fields)
}

/// The upload the fields describe, or every field that is missing or wrong.
pub fn upload_of(fields: UploadFields) -> Result<Upload, ApiError> {
    let mut problems = Vec::new();
    let kind = match fields.kind.as_deref().map(str::parse::<AttachmentKind>) {
        Some(Ok(kind)) => Some(kind),
        _ => {
            problems.push(crate::domain::FieldError::new(
                "kind",
                "invalid_choice",
                Localized::new(
                    "must be application_form, business_license, test_report, trademark_license, origin_verification_report or other",
                    "材料类型无效",
                ),
            ));
            None
        }
    };
    if fields.file.is_none() {
        problems.push(crate::domain::FieldError::new(
            "file",
            "required",
            Localized::new("is required", "请选择文件"),
        ));
    }
    match (kind, fields.file) {
        (Some(kind), Some((filename, bytes))) if problems.is_empty() => Ok(Upload {
            kind,
            filename,
            bytes,
        }),
        _ => Err(ApiError::Validation(problems)),
    }
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
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
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

/// A stored document as a download, never rendered inline by the browser. The name ends in
/// the extension of the sniffed type (RFC 6266: an ASCII `filename` for old clients, the
/// UTF-8 name in `filename*` as RFC 5987 encodes it).
pub fn document_response(attachment: AttachmentView, bytes: Vec<u8>) -> HttpResponse {
    let name = download_filename(&attachment.filename, extension_of(&attachment.content_type));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![
            header::DispositionParam::Filename(ascii),
            header::DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, attachment.content_type))
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
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
