//! A form sent after the session timed out: what was typed comes back, never stored.
//!
//! A state-changing form that arrives with a session that has ended is answered with the
//! sign-in page itself (not a redirect), which carries what was typed as hidden fields
//! (`carry.<name>`) and the form's address (`resume`). Nothing of it is kept on the server:
//! the request is read, answered and forgotten. After the sign-in, the answer is the form's
//! page drawn again with those values, for the producer to check and send again: nothing is
//! applied by itself. Passwords, form tokens and files are never carried; a file must be
//! chosen again, and the pages say so.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::errors::PageError;
use super::lang::Lang;
use super::session::{check_csrf, expected_csrf, signed_in_with, SignedIn, Visitor};
use super::{account, applications, authorizations, enterprise_changes};
use crate::service::ServiceState;

/// How much of a form body is read to be carried; a longer one is not carried at all.
const BODY_LIMIT: usize = 64 * 1024;
/// How many fields at most, and how long each value may be (in characters).
const MAX_FIELDS: usize = 60;
const MAX_VALUE_CHARS: usize = 10_000;

/// The forms whose pages can be drawn again with what was typed, by the address they post to.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// `/applications/new`.
    NewApplication,
    /// `/applications/{id}` (the Save button) or `/{applications|review}/{id}/actions/{action}`.
    Application { id: String, action: Option<String> },
    /// `/authorizations/{id}/usage-reports`.
    UsageReport { right: String },
    /// `/enterprise-changes`.
    ChangeRequest,
    /// `/review/authorizations/{id}/actions/{action}`.
    RightMove { id: String, action: String },
}

impl Form {
    pub(super) fn of_path(path: &str) -> Option<Self> {
        let parts: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        let plain = |s: &str| {
            !s.is_empty()
                && s.len() <= 100
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !parts.iter().all(|p| plain(p)) {
            return None;
        }
        Some(match parts.as_slice() {
            ["applications", "new"] => Form::NewApplication,
            ["applications", id] => Form::Application {
                id: (*id).to_owned(),
                action: None,
            },
            ["applications" | "review", id, "actions", action] => Form::Application {
                id: (*id).to_owned(),
                action: Some((*action).to_owned()),
            },
            ["authorizations", right, "usage-reports"] => Form::UsageReport {
                right: (*right).to_owned(),
            },
            ["enterprise-changes"] => Form::ChangeRequest,
            ["review", "authorizations", id, "actions", action] => Form::RightMove {
                id: (*id).to_owned(),
                action: (*action).to_owned(),
            },
            _ => return None,
        })
    }
}

/// Whether a field may be carried: never the form token, a password or the sign-in's own.
pub(super) fn may_carry(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !(lower == "csrf"
        || lower.contains("password")
        || matches!(lower.as_str(), "next" | "resume" | "username"))
}

/// The fields of a form body worth carrying, or `None` when the body is not one to carry
/// (unreadable, too many fields, a value too long).
pub(super) fn carried(body: &[u8]) -> Option<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(name, _)| may_carry(name))
        .collect();
    let bounded = kept.len() <= MAX_FIELDS
        && kept
            .iter()
            .all(|(n, v)| n.len() <= 200 && v.chars().count() <= MAX_VALUE_CHARS);
    bounded.then_some(kept)
}

/// The form's `csrf` field, if it has one.
fn form_token(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs
        .into_iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value)
}

fn content_type(request: &ServiceRequest) -> String {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads up to [`BODY_LIMIT`] of the body for a copy, and gives the request the whole body
/// back as it came. The copy is `None` when the body was longer or could not be read.
async fn copy_body(request: &mut ServiceRequest) -> Option<Bytes> {
    let mut payload = request.take_payload();
    let mut read: Vec<Result<Bytes, actix_web::error::PayloadError>> = Vec::new();
    let mut size = 0;
    let mut whole = true;
    while let Some(chunk) = payload.next().await {
        let failed = chunk.is_err();
        size += chunk.as_ref().map_or(0, Bytes::len);
        read.push(chunk);
        if failed || size > BODY_LIMIT {
            whole = false;
            break;
        }
    }
    let copy = whole.then(|| {
        let mut all = BytesMut::with_capacity(size);
        for chunk in read.iter().flatten() {
            all.extend_from_slice(chunk);
        }
        all.freeze()
    });
    request.set_payload(Payload::Stream {
        payload: Box::pin(futures_util::stream::iter(read).chain(payload)),
    });
    copy
}

/// What an expired session's form becomes: the sign-in page with what was typed (a form of
/// ours whose token still matches the ended session), or with the word that a file must be
/// chosen again (an upload). Anything else keeps its answer (the redirect to sign in).
pub async fn keep_what_was_typed(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if request.method() != Method::POST {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let kind = content_type(&request);
    let upload = kind.starts_with("multipart/form-data");
    let resumable = kind.starts_with("application/x-www-form-urlencoded")
        && Form::of_path(request.path()).is_some();
    if !upload && !resumable {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let resume = request.path().to_owned();
    let body = if resumable {
        copy_body(&mut request).await
    } else {
        None
    };
    let response = next.call(request).await?;
    let timed_out = response
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .and_then(|e| match e {
            PageError::SignIn {
                next,
                lang,
                expired: true,
            } => Some((next.clone(), *lang)),
            _ => None,
        });
    let Some((page, lang)) = timed_out else {
        return Ok(response.map_into_boxed_body());
    };
    let (request, _) = response.into_parts();
    let visitor = Visitor::of(&request);
    let answer = if upload {
        account::timed_out_sign_in(&visitor, &page, "", &[], true)
    } else {
        let Some(body) = body else {
            return Ok(ServiceResponse::new(request, sign_in_redirect(lang, page)));
        };
        // Only a form of our own pages, sent with the ended session's token.
        let ours = check_csrf(
            lang,
            expected_csrf(&request).as_deref(),
            form_token(&body).as_deref(),
        )
        .is_ok();
        match carried(&body).filter(|_| ours) {
            Some(fields) => account::timed_out_sign_in(&visitor, &page, &resume, &fields, false),
            None => sign_in_redirect(lang, page),
        }
    };
    Ok(ServiceResponse::new(request, answer))
}

/// The answer the request had: to sign in, and back to `page`.
fn sign_in_redirect(lang: Lang, page: String) -> HttpResponse {
    actix_web::ResponseError::error_response(&PageError::SignIn {
        next: page,
        lang,
        expired: true,
    })
}

/// The values carried as the form's own type (its fields are strings with defaults).
fn typed<T: DeserializeOwned + Default>(fields: &[(String, String)]) -> T {
    let pairs = fields.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let deserializer = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(pairs);
    T::deserialize(deserializer).unwrap_or_default()
}

/// What the page drawn again says on top.
fn restored(lang: Lang) -> String {
    lang.pick(
        "登录前填写的内容已恢复，但尚未保存或提交：请核对后再提交。之前选择的文件不能保留，如需上传请重新选择。",
        "What you typed before signing in again is back, but nothing is saved or sent yet: check it and send it again. Files chosen before cannot be kept: choose them again to upload.",
    )
    .to_owned()
}

/// The answer to a sign-in that carried a form: that form's page with what was typed, as
/// the new session's page (its forms bound to it). `None` when `resume` names no such form
/// or its page cannot be drawn: then the sign-in leads to the page as any other does (and
/// shows there why it cannot be had), with the session's cookie set.
pub(super) async fn after_sign_in(
    state: &ServiceState,
    visitor: &Visitor,
    token: &str,
    resume: &str,
    fields: &[(String, String)],
) -> Option<HttpResponse> {
    let form = Form::of_path(resume)?;
    let session = signed_in_with(state, visitor, token).await.ok()?;
    let said = restored(visitor.lang);
    let mut page = draw(state, &session, form, fields, said).await.ok()?;
    session.visitor.add_session_cookies(&mut page, token);
    Some(page)
}

async fn draw(
    state: &ServiceState,
    session: &SignedIn,
    form: Form,
    fields: &[(String, String)],
    said: String,
) -> Result<HttpResponse, PageError> {
    match form {
        Form::NewApplication => applications::resume_new(state, session, typed(fields), said).await,
        Form::Application { id, action } => {
            let values = fields.iter().cloned().collect();
            applications::resume(state, session, &id, action.as_deref(), values, said).await
        }
        Form::UsageReport { right } => {
            authorizations::resume_report(state, session, &right, typed(fields), said).await
        }
        Form::ChangeRequest => {
            enterprise_changes::resume_request(state, session, typed(fields), said).await
        }
        Form::RightMove { id, action } => {
            authorizations::resume_move(state, session, &id, &action, typed(fields), said).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_forms_whose_pages_can_be_drawn_again_are_resumed() {
        assert_eq!(
            Form::of_path("/applications/new"),
            Some(Form::NewApplication)
        );
        assert_eq!(
            Form::of_path("/review/ab-12/actions/return"),
            Some(Form::Application {
                id: "ab-12".into(),
                action: Some("return".into())
            })
        );
        assert_eq!(
            Form::of_path("/authorizations/r1/usage-reports"),
            Some(Form::UsageReport { right: "r1".into() })
        );
        for other in [
            "/password",
            "/login",
            "/applications/a/documents",
            "/applications/a/../../password",
            "//evil.example",
            "/review/enterprises/new/x",
        ] {
            assert_eq!(Form::of_path(other), None, "{other}");
        }
    }

    #[test]
    fn no_token_or_password_is_carried_and_the_size_is_bounded() {
        let body = b"csrf=abc&area_mu=130&new_password=x&Password=y&description=%E8%8C%B6";
        let kept = carried(body).expect("a form");
        assert_eq!(
            kept,
            vec![
                ("area_mu".to_owned(), "130".to_owned()),
                ("description".to_owned(), "茶".to_owned())
            ]
        );
        let long = format!("description={}", "a".repeat(MAX_VALUE_CHARS + 1));
        assert_eq!(carried(long.as_bytes()), None);
        let many: Vec<String> = (0..=MAX_FIELDS).map(|i| format!("f{i}=1")).collect();
        assert_eq!(carried(many.join("&").as_bytes()), None);
        assert_eq!(form_token(body).as_deref(), Some("abc"));
    }
}
