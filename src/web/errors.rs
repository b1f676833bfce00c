//! Errors of pages are pages: sign in first (a 303), a forged or stale form (403), and every
//! refusal or failure of a use case as an HTML page in the visitor's language, never JSON.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use maud::html;

use super::components::{back_link, layout};
use super::format::url_encode;
use super::lang::Lang;
use super::session::page_language;
use crate::http::Problem;

/// Where a page failed: sign in first, a forged or stale form, or a refusal of the use case.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign in first")]
    /// `expired`: the request carried a session that has ended (idle for an hour).
    SignIn {
        next: String,
        lang: Lang,
        expired: bool,
    },
    #[error("form without a valid CSRF token")]
    Csrf { lang: Lang },
    /// Signed in with a printed one-time password: to `/password` first.
    #[error("the one-time password must be changed first")]
    ChangePassword,
    /// A refusal or failure, shown as a page in the visitor's language.
    #[error("{}", .problem.detail.en)]
    Failed { lang: Lang, problem: Box<Problem> },
}

impl PageError {
    /// The page for a refusal of the use case (a `ServiceError`) or any other problem.
    pub fn failed(lang: Lang, error: impl Into<Problem>) -> Self {
        PageError::Failed {
            lang,
            problem: Box::new(error.into()),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } | PageError::ChangePassword => StatusCode::SEE_OTHER,
            PageError::Csrf { .. } => StatusCode::FORBIDDEN,
            PageError::Failed { problem, .. } => problem.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (lang, title, detail) = match self {
            PageError::SignIn { next, expired, .. } => {
                let notice = if *expired { "&notice=expired" } else { "" };
                return HttpResponse::SeeOther()
                    .insert_header((
                        header::LOCATION,
                        format!("/login?next={}{notice}", url_encode(next)),
                    ))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish();
            }
            PageError::ChangePassword => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/password?notice=required"))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish();
            }
            PageError::Csrf { lang } => (
                *lang,
                lang.pick("表单已失效", "This form has expired"),
                lang.pick(
                    "为保护您的账户，本次提交未被接受。请返回、刷新页面后再提交。",
                    "To protect your account this submission was not accepted. Go back, reload the page and send it again.",
                )
                .to_owned(),
            ),
            PageError::Failed { lang, problem } => return problem_page(*lang, problem),
        };
        let body = html! {
            section class="alert" role="alert" { h2 { (title) } p { (detail) } }
        };
        layout(lang, self.status_code(), title, "/", html! {}, body)
    }
}

/// The answer to an address nothing is at: an HTML page in the visitor's language when the
/// request prefers HTML (a browser) and is not for the JSON API; else a bare 404, which the
/// problem middleware renders as problem+json.
pub async fn not_found(request: HttpRequest) -> HttpResponse {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let api = request.path() == "/api" || request.path().starts_with("/api/");
    if api || !crate::http::negotiation::prefers_html(accept) {
        return HttpResponse::NotFound().finish();
    }
    let lang = page_language(&request).0;
    problem_page(lang, &Problem::for_status(StatusCode::NOT_FOUND))
}

/// A query string a page cannot read (`/?page=abc`): a 400 page, not the API's problem. `None`
/// for the JSON API's addresses, which keep problem+json.
pub fn query_refused(request: &HttpRequest) -> Option<actix_web::Error> {
    if request.path() == "/api" || request.path().starts_with("/api/") {
        return None;
    }
    let lang = page_language(request).0;
    let problem = Problem::bad_request(crate::domain::Localized::new(
        "The address has a part this page cannot read.",
        "网址中有本页无法识别的参数。",
    ));
    Some(PageError::failed(lang, problem).into())
}

/// A problem as a page in the visitor's language: its title, what happened, the fields at
/// fault, when to come back (and `Retry-After`), and the way home.
fn problem_page(lang: Lang, problem: &Problem) -> HttpResponse {
    let zh = lang == Lang::Zh;
    let title = problem.title.pick(zh);
    let retry = problem.retry_after_secs.map(|seconds| {
        let minutes = seconds.div_ceil(60).max(1);
        if seconds < 60 {
            lang.pick("请稍后再试。", "Try again in a moment.")
                .to_owned()
        } else if zh {
            format!("请在 {minutes} 分钟后再试。")
        } else {
            format!("Try again in {minutes} minutes.")
        }
    });
    let home = format!("/{}", lang.query());
    let body = html! {
        section class="alert" role="alert" data-testid="problem" data-status=(problem.status.as_u16()) {
            h2 { (title) }
            p { (problem.detail.pick(zh)) }
            @if !problem.errors.is_empty() {
                ul { @for error in &problem.errors { li { (error.message.pick(zh)) } } }
            }
            @if let Some(retry) = retry { p { (retry) } }
        }
        (back_link(&home, lang.pick("‹ 返回首页", "‹ Home")))
    };
    let mut response = layout(lang, problem.status, title, "/", html! {}, body);
    if let Some(seconds) = problem.retry_after_secs {
        if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}
