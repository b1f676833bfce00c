//! The JSON body extractor: content type, size cap, and parsing that names the failing field
//! by its path, mapped to problem+json without echoing submitted values. The rules on the
//! values (validator's and the domain's) run in the service, so all are reported together.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::Future;

use crate::domain::{FieldError, Localized};
use crate::error::ApiError;
pub use crate::http::client_address;

/// A JSON request body that has been parsed and validated.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(request);
        let body = actix_web::web::Bytes::from_request(request, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(Localized::new(
                    "Send the body as JSON with Content-Type: application/json.",
                    "请以 JSON 格式提交，并设置 Content-Type: application/json。",
                )));
            }
            let bytes = body.await.map_err(unreadable_body)?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// A body that could not be read: over the cap (413), or broken off.
fn unreadable_body(error: actix_web::Error) -> ApiError {
    match error.as_response_error().status_code().as_u16() {
        413 => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(Localized::new(
            "The request body could not be read.",
            "无法读取请求内容。",
        )),
    }
}

/// A `text/csv` (or `text/plain`) request body in UTF-8, read within the body cap
/// (`GI_MAX_BODY_BYTES`; beyond it 413).
#[derive(Debug)]
pub struct CsvText(pub String);

fn is_csv(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            matches!(
                mime.trim().to_ascii_lowercase().as_str(),
                "text/csv" | "text/plain"
            )
        })
        .unwrap_or(false)
}

impl FromRequest for CsvText {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let csv = is_csv(request);
        let body = actix_web::web::Bytes::from_request(request, payload);
        Box::pin(async move {
            if !csv {
                return Err(ApiError::UnsupportedMediaType(Localized::new(
                    "Send the codes as CSV with Content-Type: text/csv, one a line.",
                    "请以 CSV 格式提交（Content-Type: text/csv），每行一个代码。",
                )));
            }
            let bytes = body.await.map_err(unreadable_body)?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                ApiError::Validation(vec![FieldError::new(
                    "body",
                    "not_utf8",
                    Localized::new("must be text in UTF-8", "须为 UTF-8 编码的文本"),
                )])
            })?;
            Ok(CsvText(text))
        })
    }
}

/// Refuses a NUL character anywhere in the path or query: no text of the registry contains
/// one, and PostgreSQL cannot store it, so it can only be an attack or a mistake. In the path
/// it names nothing (404); in the query it is a malformed request (400).
pub async fn reject_nul_in_url(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let has_nul = |part: &str| part.to_ascii_lowercase().contains("%00");
    if has_nul(request.uri().path()) {
        return Ok(request.error_response(ApiError::NotFound));
    }
    if request.uri().query().is_some_and(has_nul) {
        let error = ApiError::BadRequest(Localized::new(
            "The query contains a NUL character.",
            "查询参数中含有空字符（NUL）。",
        ));
        return Ok(request.error_response(error));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

/// A request body must arrive whole within `GI_BODY_TIMEOUT_SECS` of its head (30 s): a client
/// that trickles one byte at a time would otherwise hold a worker's reader and a connection for
/// as long as it likes (`client_request_timeout` covers only the head). When the deadline
/// passes, reading the body fails, and whatever the handler made of that becomes a bare 408
/// (rendered as a problem) on a connection that is then closed.
pub async fn body_deadline(
    mut request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let has_body = request.headers().contains_key(header::TRANSFER_ENCODING)
        || request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let limit = request
        .app_data::<actix_web::web::Data<crate::service::ServiceState>>()
        .map(|state| state.settings.body_timeout);
    let (Some(limit), true) = (limit, has_body) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let expired = std::rc::Rc::new(std::cell::Cell::new(false));
    let inner = actix_web::HttpMessage::take_payload(&mut request);
    request.set_payload(actix_web::dev::Payload::Stream {
        payload: Box::pin(Deadline {
            inner,
            sleep: Box::pin(actix_web::rt::time::sleep(limit)),
            expired: expired.clone(),
        }),
    });
    let response = next.call(request).await?.map_into_boxed_body();
    if !expired.get() {
        return Ok(response);
    }
    let (request, _) = response.into_parts();
    let timeout = actix_web::HttpResponse::RequestTimeout()
        .force_close()
        .finish();
    Ok(actix_web::dev::ServiceResponse::new(request, timeout))
}

/// A payload that fails once its deadline has passed.
struct Deadline {
    inner: actix_web::dev::Payload,
    sleep: std::pin::Pin<Box<actix_web::rt::time::Sleep>>,
    expired: std::rc::Rc<std::cell::Cell<bool>>,
}

impl futures_util::Stream for Deadline {
    type Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.expired.get() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = std::pin::Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired.set(true);
                Poll::Ready(Some(Err(actix_web::error::PayloadError::Io(
                    std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    ),
                ))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Does any string value in this JSON contain a NUL character? (Keys are not stored: a key
/// that is not a field is ignored.)
fn contains_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(contains_nul),
        serde_json::Value::Object(map) => map.values().any(contains_nul),
        _ => false,
    }
}

/// Parses a JSON object, naming the failing field by its full path (`enterprise.uscc`).
/// Every body of this API is an object; serde would also read a struct from an array.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::Validation(vec![FieldError::new(
            "body",
            "invalid_type",
            Localized::new("must be a JSON object", "请求内容须为 JSON 对象"),
        )]));
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if contains_nul(&value) {
            return Err(ApiError::Validation(vec![FieldError::new(
                "body",
                "nul_character",
                Localized::new(
                    "text must not contain NUL characters",
                    "文本中不能含有空字符（NUL）",
                ),
            )]));
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => match deserializer.end() {
            Ok(()) => return Ok(value),
            Err(_) => {
                return Err(ApiError::BadRequest(Localized::new(
                    "The body has extra content after the JSON value.",
                    "请求内容在 JSON 之后还有多余字符。",
                )))
            }
        },
        Err(error) => error,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    if !matches!(inner.classify(), serde_json::error::Category::Data) {
        return Err(ApiError::BadRequest(Localized::new(
            format!(
                "The body is not valid JSON (line {}, column {}).",
                inner.line(),
                inner.column()
            ),
            format!(
                "请求内容不是有效的 JSON（第{}行第{}列）。",
                inner.line(),
                inner.column()
            ),
        )));
    }
    Err(ApiError::Validation(vec![data_error(
        &path,
        &inner.to_string(),
    )]))
}

/// Turns a serde data error into a field error; the message is rebuilt from the expectation
/// only, because serde's own text quotes the submitted value.
fn data_error(path: &str, message: &str) -> FieldError {
    let join = |parent: &str, child: &str| {
        if parent.is_empty() || parent == "." {
            child.to_owned()
        } else {
            format!("{parent}.{child}")
        }
    };
    let base = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(
            join(&base, name),
            "required",
            Localized::new("is required", "必填"),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(
            join(&base, name),
            "unknown_field",
            Localized::new("is not a known field", "未知字段"),
        );
    }
    let field = if base.is_empty() {
        "body".to_owned()
    } else {
        base
    };
    let expected = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .rsplit_once("expected ")
        .map(|(_, e)| e);
    if message.starts_with("unknown variant") {
        let choices = expected.unwrap_or("a listed value").replace('`', "");
        return FieldError::new(
            field,
            "invalid_choice",
            Localized::new(
                format!("must be {choices}"),
                format!("取值无效，应为：{choices}"),
            ),
        );
    }
    let expected = expected.unwrap_or("another type").replace('`', "");
    FieldError::new(
        field,
        "invalid_type",
        Localized::new(
            format!("has the wrong type: expected {expected}"),
            format!("类型错误，应为 {expected}"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn fields(result: Result<Outer, ApiError>) -> Vec<(String, String, String)> {
        match result {
            Err(ApiError::Validation(errors)) => errors
                .into_iter()
                .map(|e| (e.field, e.code, e.message.en))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_nested_field_is_named_by_its_path() {
        let found = fields(parse_json::<Outer>(br#"{"name":"a","inner":{}}"#));
        assert_eq!(
            found,
            vec![(
                "inner.count".into(),
                "required".into(),
                "is required".into()
            )]
        );
    }

    #[test]
    fn a_wrong_type_names_the_field_without_echoing_the_value() {
        let found = fields(parse_json::<Outer>(
            br#"{"name":"a","inner":{"count":"SECRET-VALUE"}}"#,
        ));
        assert_eq!(found[0].0, "inner.count");
        assert_eq!(found[0].1, "invalid_type");
        assert!(!found[0].2.contains("SECRET-VALUE"), "{}", found[0].2);
    }

    #[test]
    fn a_nul_character_in_any_string_is_refused() {
        let found = fields(parse_json::<Outer>(
            br#"{"name":"a\u0000b","inner":{"count":1}}"#,
        ));
        assert_eq!(found[0].1, "nul_character");
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Outer>(b"{\"name\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Outer>(br#"{"name":"a","inner":{"count":1}} x"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
