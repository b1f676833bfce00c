//! RFC 9457 problems: what went wrong, in both languages, before it is rendered.
//!
//! Both front ends build a [`Problem`] from a [`ServiceError`]: the JSON API renders it as
//! `application/problem+json` (the [`problem_responses`] middleware picks the language, adds
//! the request id, and turns actix's own bare 4xx/5xx answers into problems too), pages render
//! it as an HTML page in the visitor's language.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use serde::Serialize;

use crate::domain::{FieldError, Localized};
use crate::service::ServiceError;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// A problem before it is rendered: everything but the language choice.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: Localized,
    pub detail: Localized,
    pub errors: Vec<FieldError>,
    /// When a refusal says to come back: every 429 and 503 carries `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    type_uri: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldErrorBody<'a>>,
}

#[derive(Serialize)]
struct FieldErrorBody<'a> {
    field: &'a str,
    code: &'a str,
    message: &'a str,
}

impl Problem {
    fn new(status: StatusCode, slug: &'static str, title: Localized, detail: Localized) -> Self {
        Self {
            status,
            slug,
            title,
            detail,
            errors: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// The generic problem for a status that carries no more specific explanation.
    pub fn for_status(status: StatusCode) -> Self {
        let (slug, en, zh) = match status.as_u16() {
            400 => (
                "bad-request",
                "The request could not be read.",
                "请求无法解析。",
            ),
            401 => (
                "unauthorized",
                "Sign in first: a valid access token is required.",
                "请先登录：需要有效的访问令牌。",
            ),
            403 => ("forbidden", "You may not do this.", "您无权执行此操作。"),
            404 => ("not-found", "Nothing is at this address.", "未找到该资源。"),
            405 => (
                "method-not-allowed",
                "This method is not allowed here.",
                "此地址不支持该请求方法。",
            ),
            406 => (
                "not-acceptable",
                "No acceptable representation.",
                "无法提供可接受的格式。",
            ),
            408 => (
                "request-timeout",
                "The request body did not arrive in time.",
                "请求内容未能按时送达。",
            ),
            409 => (
                "conflict",
                "The request conflicts with the current state.",
                "请求与当前状态冲突。",
            ),
            412 => (
                "precondition-failed",
                "The record changed since you read it: reload and try again.",
                "记录在您读取后已被修改，请刷新后重试。",
            ),
            413 => (
                "payload-too-large",
                "The request body is too large.",
                "请求内容过大。",
            ),
            415 => (
                "unsupported-media-type",
                "This content type is not accepted.",
                "不支持该内容类型。",
            ),
            422 => (
                "validation",
                "Some fields are not valid.",
                "部分字段填写有误。",
            ),
            429 => (
                "too-many-requests",
                "Too many attempts: wait and try again.",
                "尝试次数过多，请稍后再试。",
            ),
            503 => (
                "unavailable",
                "The service cannot reach its database right now.",
                "服务暂时无法连接数据库。",
            ),
            s if s >= 500 => (
                "internal",
                "Something went wrong on our side; it has been logged.",
                "服务器内部错误，已记录。",
            ),
            _ => ("error", "The request failed.", "请求失败。"),
        };
        let reason = status.canonical_reason().unwrap_or("Error");
        Self::new(
            status,
            slug,
            Localized::new(reason, title_zh(status)),
            Localized::new(en, zh),
        )
    }

    /// The problem as `application/problem+json` in one language, with `Retry-After`.
    pub fn render(&self, chinese: bool, request_id: Option<&str>) -> HttpResponse {
        let body = ProblemBody {
            type_uri: format!("/problems/{}", self.slug),
            title: self.title.pick(chinese),
            status: self.status.as_u16(),
            detail: self.detail.pick(chinese),
            request_id,
            errors: self
                .errors
                .iter()
                .map(|e| FieldErrorBody {
                    field: &e.field,
                    code: &e.code,
                    message: e.message.pick(chinese),
                })
                .collect(),
        };
        let json = serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_owned());
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if let Some(seconds) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.body(json)
    }
}

fn title_zh(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求错误",
        401 => "未认证",
        403 => "禁止访问",
        404 => "未找到",
        405 => "方法不允许",
        408 => "请求超时",
        409 => "状态冲突",
        412 => "版本不一致",
        413 => "内容过大",
        415 => "类型不支持",
        422 => "校验失败",
        429 => "请求过多",
        503 => "服务不可用",
        s if s >= 500 => "内部错误",
        _ => "错误",
    }
}

/// The problems both front ends answer; [`ServiceError`] maps onto them one to one.
impl Problem {
    pub fn bad_request(detail: Localized) -> Self {
        Self {
            detail,
            ..Self::for_status(StatusCode::BAD_REQUEST)
        }
    }

    /// 403 for an account whose printed one-time password is not changed yet: says where to
    /// change it.
    pub fn password_change_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "password-change-required",
            Localized::new("Password change required", "须先修改密码"),
            Localized::new(
                "This account's one-time password must be changed first: POST /api/v1/auth/password with {current_password, new_password}, then sign in again. Until then only that, GET /api/v1/me and POST /api/v1/auth/logout answer.",
                "须先修改一次性密码：POST /api/v1/auth/password，内容为 {current_password, new_password}，然后重新登录。在此之前，只有该接口、GET /api/v1/me 和 POST /api/v1/auth/logout 可用。",
            ),
        )
    }

    pub fn bad_credentials() -> Self {
        Self {
            title: Localized::new("Sign-in refused", "登录未成功"),
            detail: Localized::new("Wrong user name or password.", "用户名或密码错误。"),
            ..Self::for_status(StatusCode::UNAUTHORIZED)
        }
    }

    pub fn conflict(detail: Localized) -> Self {
        Self {
            detail,
            ..Self::for_status(StatusCode::CONFLICT)
        }
    }

    pub fn unsupported_media_type(detail: Localized) -> Self {
        Self {
            detail,
            ..Self::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self {
            errors,
            ..Self::for_status(StatusCode::UNPROCESSABLE_ENTITY)
        }
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::for_status(StatusCode::TOO_MANY_REQUESTS)
        }
    }

    /// The database cannot be reached: come back in a few seconds.
    pub fn unavailable() -> Self {
        Self {
            retry_after_secs: Some(5),
            ..Self::for_status(StatusCode::SERVICE_UNAVAILABLE)
        }
    }

    pub fn busy(retry_after_secs: u64) -> Self {
        Self {
            detail: Localized::new(
                "Too many sign-ins are being checked at this moment: try again in a second.",
                "当前同时登录的人数过多，请稍后再试。",
            ),
            retry_after_secs: Some(retry_after_secs),
            ..Self::for_status(StatusCode::SERVICE_UNAVAILABLE)
        }
    }

    /// A failure on our side. The cause is logged (inside the request's span, so the line
    /// carries the request id); the client learns nothing of it.
    pub fn internal(cause: &anyhow::Error) -> Self {
        tracing::error!(error = format!("{cause:#}"), "internal error");
        Self::for_status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => Problem::for_status(StatusCode::NOT_FOUND),
            ServiceError::Unauthorized => Problem::for_status(StatusCode::UNAUTHORIZED),
            ServiceError::BadCredentials => Problem::bad_credentials(),
            ServiceError::Forbidden => Problem::for_status(StatusCode::FORBIDDEN),
            ServiceError::Conflict(message) => Problem::conflict(message),
            ServiceError::Invalid(errors) => Problem::validation(errors),
            ServiceError::PreconditionFailed => {
                Problem::for_status(StatusCode::PRECONDITION_FAILED)
            }
            ServiceError::TooManyRequests { retry_after_secs } => {
                Problem::too_many_requests(retry_after_secs)
            }
            ServiceError::Unavailable => Problem::unavailable(),
            ServiceError::Busy { retry_after_secs } => Problem::busy(retry_after_secs),
            ServiceError::Internal(cause) => Problem::internal(&cause),
        }
    }
}

/// Does the request prefer Chinese? The first language range decides (`zh`, `zh-CN`, …).
pub fn prefers_chinese(accept_language: Option<&str>) -> bool {
    let Some(value) = accept_language else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for part in value.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.is_empty() {
            continue;
        }
        let quality = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let chinese = tag == "zh" || tag.starts_with("zh-");
        if best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, chinese));
        }
    }
    best.is_some_and(|(q, chinese)| chinese && q > 0.0)
}

/// Renders every error response as problem+json in the request's language, with its id.
pub async fn problem_responses(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let chinese = prefers_chinese(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let request_id = request
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    // Handlers' errors arrive here already rendered as responses; an `Err` can only come from
    // a middleware, and actix renders that itself.
    let response = next.call(request).await?.map_into_boxed_body();
    let status = response.status();
    let mut response = if status.is_client_error() || status.is_server_error() {
        let problem = response.response().extensions().get::<Problem>().cloned();
        // A response with a body of its own (an HTML error page, a problem) is left as it
        // is; bare ones (actix's own 404 and 405) become problems.
        let bare = !response.headers().contains_key(header::CONTENT_TYPE);
        match problem {
            Some(problem) => replace_body(response, &problem, chinese, request_id.as_deref()),
            None if bare => replace_body(
                response,
                &Problem::for_status(status),
                chinese,
                request_id.as_deref(),
            ),
            None => response.map_into_boxed_body(),
        }
    } else {
        response.map_into_boxed_body()
    };
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), id);
    }
    Ok(response)
}

fn replace_body<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
    problem: &Problem,
    chinese: bool,
    request_id: Option<&str>,
) -> ServiceResponse<BoxBody> {
    let (request, old) = response.into_parts();
    let mut rendered = problem.render(chinese, request_id);
    // Keep headers the error set (Retry-After, Allow, WWW-Authenticate).
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::CONTENT_ENCODING
        {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    if problem.status == StatusCode::UNAUTHORIZED
        && !rendered.headers().contains_key(header::WWW_AUTHENTICATE)
    {
        rendered
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    ServiceResponse::new(request, rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_preferred_language_decides() {
        assert!(prefers_chinese(Some("zh-CN,zh;q=0.9,en;q=0.8")));
        assert!(prefers_chinese(Some("zh")));
        assert!(!prefers_chinese(Some("en-US,en;q=0.9,zh;q=0.8")));
        assert!(prefers_chinese(Some("en;q=0.5, zh-Hans;q=0.9")));
        assert!(!prefers_chinese(None));
        assert!(!prefers_chinese(Some("zh;q=0")));
    }
}
