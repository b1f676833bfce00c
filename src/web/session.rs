//! What signed-in pages share: the session cookie that carries the access token, the CSRF
//! token every state-changing form repeats, the page language, and errors shown as pages.
//!
//! The JSON API keeps Bearer tokens; only pages read the cookie. The cookie is `HttpOnly` (no
//! script reads it), `SameSite=Strict` (no other site's page sends it) and `Secure` when the
//! service is reached over TLS. On top of that every form carries a token bound to the session:
//! an HMAC (under the service's secret) of the signed-in session's id, or for a visitor not
//! signed in, of the random `gi_csrf` cookie. A cookie planted by someone else therefore
//! proves nothing, and a form sent with another site's `Origin` is refused with 403 as well.

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use maud::{html, Markup};

use super::components::{action_button, layout};
use super::errors::PageError;
use super::lang::Lang;
use crate::domain::roles::{Actor, Role};
use crate::domain::sessions::PAGE_SESSION_MAX_SECS;
use crate::http::Problem;
use crate::service::{accounts, ServiceError, ServiceState};

pub const SESSION_COOKIE: &str = "gi_session";
pub const CSRF_COOKIE: &str = "gi_csrf";
pub const LANG_COOKIE: &str = "gi_lang";

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Compares in time independent of where the strings differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether the browser reached us over TLS (through a trusted proxy that says so, or because
/// the public address is https): then cookies are `Secure`. `X-Forwarded-Proto` from anyone
/// else counts for nothing.
fn over_tls(request: &HttpRequest, state: Option<&ServiceState>) -> bool {
    let Some(state) = state else {
        return false;
    };
    state
        .settings
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
        || crate::http::forwarded::forwarded_https(
            request.peer_addr().map(|a| a.ip()),
            request.headers(),
            &state.settings.trusted_proxies,
        )
}

fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Option<i64>,
) -> Cookie<'static> {
    let mut builder = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure);
    if let Some(seconds) = max_age {
        builder = builder.max_age(CookieAge::seconds(seconds));
    }
    builder.finish()
}

/// The language of a signed-in page: `?lang=` when given (and then remembered in a cookie),
/// else the remembered one, else Chinese.
pub(super) fn page_language(request: &HttpRequest) -> (Lang, bool) {
    let asked = web::Query::<LangChoice>::from_query(request.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    match asked.as_deref() {
        Some(choice) => (Lang::from_query(Some(choice)), true),
        None => (
            Lang::from_query(request.cookie(LANG_COOKIE).as_ref().map(|c| c.value())),
            false,
        ),
    }
}

#[derive(Deserialize)]
struct LangChoice {
    lang: Option<String>,
}

/// The random `gi_csrf` cookie of a visitor, when it has a well-formed one.
fn visitor_cookie(request: &HttpRequest) -> Option<String> {
    request
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What a form token is bound to: the session the session cookie names (its signature checked;
/// whether it is still live is the sign-in check's business), else the visitor's cookie.
fn csrf_binding(request: &HttpRequest, state: &ServiceState) -> Option<String> {
    let session = request
        .cookie(SESSION_COOKIE)
        .and_then(|c| state.jwt.verify(c.value()))
        .map(|claims| claims.sid)
        .filter(|sid| !sid.is_empty());
    match session {
        Some(sid) => Some(format!("session:{sid}")),
        None => visitor_cookie(request).map(|v| format!("visitor:{v}")),
    }
}

fn csrf_token(state: &ServiceState, binding: &str) -> String {
    state.jwt.mac("csrf", binding)
}

/// The authority (`host[:port]`) of an absolute URL.
fn authority_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    rest.split(['/', '?', '#']).next().filter(|a| !a.is_empty())
}

/// Whether a state-changing request may have come from our own pages: a browser names the
/// page's origin in `Origin`; another site's (or `null`, a sandboxed page's) is refused. A
/// request without `Origin` (older browsers, tools) still needs the form token.
fn from_our_origin(request: &HttpRequest, state: &ServiceState) -> bool {
    if request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"cross-site")
    {
        return false;
    }
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(authority_of) else {
        return false;
    };
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let public = state.settings.public_url.as_deref().and_then(authority_of);
    host.is_some_and(|h| h.eq_ignore_ascii_case(origin))
        || public.is_some_and(|p| p.eq_ignore_ascii_case(origin))
}

/// The form token a state-changing request must carry, or `None` when nothing can be right
/// (no session and no visitor cookie, or another site's origin).
pub fn expected_csrf(request: &HttpRequest) -> Option<String> {
    let state = request.app_data::<web::Data<ServiceState>>()?;
    if !from_our_origin(request, state) {
        return None;
    }
    csrf_binding(request, state).map(|binding| csrf_token(state, &binding))
}

/// Anyone looking at a page: language, CSRF token, where they are.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    lang_chosen: bool,
    /// The token this visit's forms carry.
    pub csrf: String,
    /// A new `gi_csrf` cookie to set (a first visit), which the token above is bound to.
    new_visitor_cookie: Option<String>,
    secure: bool,
    /// This page's address without `lang`, for the link to the other language.
    page: String,
}

impl Visitor {
    pub(super) fn of(request: &HttpRequest) -> Self {
        let state = request.app_data::<web::Data<ServiceState>>();
        let (lang, lang_chosen) = page_language(request);
        let binding = state.and_then(|s| csrf_binding(request, s));
        let (binding, new_visitor_cookie) = match binding {
            Some(binding) => (binding, None),
            None => {
                let fresh = random_token();
                (format!("visitor:{fresh}"), Some(fresh))
            }
        };
        Self {
            lang,
            lang_chosen,
            csrf: state.map_or_else(String::new, |s| csrf_token(s, &binding)),
            new_visitor_cookie,
            secure: over_tls(request, state.map(|s| s.get_ref())),
            page: page_without_language(request),
        }
    }

    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    /// Adds the cookies this visit needs: a CSRF token on the first page, the chosen language.
    fn add_cookies(&self, response: &mut HttpResponse) {
        let mut cookies = Vec::new();
        if let Some(value) = &self.new_visitor_cookie {
            cookies.push(cookie(CSRF_COOKIE, value.clone(), self.secure, None));
        }
        if self.lang_chosen {
            cookies.push(cookie(
                LANG_COOKIE,
                self.lang.code().to_owned(),
                self.secure,
                Some(365 * 24 * 3600),
            ));
        }
        for c in cookies {
            let _ = response.add_cookie(&c);
        }
    }

    /// A public page's response with the cookies this visit needs (its forms' CSRF token).
    pub fn keep_cookies(&self, mut response: HttpResponse) -> HttpResponse {
        self.add_cookies(&mut response);
        response
    }

    /// A page for this visitor: `nav` in the header and the language switch to this path.
    pub fn render(
        &self,
        status: StatusCode,
        title: &str,
        nav: Markup,
        body: Markup,
    ) -> HttpResponse {
        let other = match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        let joiner = if self.page.contains('?') { '&' } else { '?' };
        let other_href = format!("{}{joiner}lang={other}", self.page);
        let mut response = layout(self.lang, status, title, &other_href, nav, body);
        self.add_cookies(&mut response);
        response
    }

    /// A 303 to `location` (the answer to a form that worked), keeping this visit's cookies.
    pub fn redirect(&self, location: &str) -> HttpResponse {
        let mut response = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location.to_owned()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish();
        self.add_cookies(&mut response);
        response
    }

    /// Signs in: the session cookie with the token, and a fresh CSRF token for the new session.
    pub fn sign_in(&self, token: &str, location: &str) -> HttpResponse {
        let mut response = self.redirect(location);
        self.add_session_cookies(&mut response, token);
        response
    }

    /// The cookies of a new session on `response`: the token, and a fresh visitor CSRF cookie.
    pub(super) fn add_session_cookies(&self, response: &mut HttpResponse, token: &str) {
        let _ = response.add_cookie(&cookie(
            SESSION_COOKIE,
            token.to_owned(),
            self.secure,
            Some(PAGE_SESSION_MAX_SECS),
        ));
        let _ = response.add_cookie(&cookie(CSRF_COOKIE, random_token(), self.secure, None));
    }

    /// Signs out: the session cookie is emptied and expired, the CSRF token replaced.
    pub fn sign_out(&self, location: &str) -> HttpResponse {
        let mut response = self.redirect(location);
        let _ = response.add_cookie(&cookie(SESSION_COOKIE, String::new(), self.secure, Some(0)));
        let _ = response.add_cookie(&cookie(CSRF_COOKIE, random_token(), self.secure, None));
        response
    }

    pub fn error(&self, error: impl Into<Problem>) -> PageError {
        PageError::failed(self.lang, error)
    }
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Ready<Result<Self, PageError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}

/// The page a request belongs to: its own path for a GET; for a form sent to an action
/// (`…/actions/x`, `…/documents`, `…/usage-reports`), the page that form was on.
fn page_path(request: &HttpRequest) -> String {
    let path = request.path();
    if request.method() == actix_web::http::Method::GET {
        return path.to_owned();
    }
    if let Some(at) = path.find("/actions/") {
        // A holder's own rights are all on one page; staff have a page for each.
        if path.starts_with("/authorizations/") {
            return "/authorizations".to_owned();
        }
        return path[..at].to_owned();
    }
    if let Some(page) = path.strip_suffix("/documents") {
        return page.to_owned();
    }
    if path.ends_with("/usage-reports") {
        return "/authorizations".to_owned();
    }
    path.to_owned()
}

/// The page's address with its query but without `lang` (filters survive a language switch).
fn page_without_language(request: &HttpRequest) -> String {
    let page = page_path(request);
    if request.method() != actix_web::http::Method::GET {
        return page;
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(request.query_string()).unwrap_or_default();
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(name, _)| name != "lang" && name != "notice")
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(query) if !query.is_empty() => format!("{page}?{query}"),
        _ => page,
    }
}

/// Where to come back after signing in: the page itself with its query, or for a form sent
/// after the session ended, the page that form was on (a sign-in cannot replay a POST).
fn page_to_return_to(request: &HttpRequest) -> String {
    let page = page_path(request);
    match request.query_string() {
        query if !query.is_empty() && request.method() == actix_web::http::Method::GET => {
            format!("{page}?{query}")
        }
        _ => page,
    }
}

/// A signed-in visitor: the session cookie held a valid token of an active account.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub visitor: Visitor,
    pub actor: Actor,
    /// The server-side session the cookie's token names (signing out ends it).
    pub session_id: String,
    /// The account's password was printed for its owner: every page but `/password` (and
    /// signing out) sends them there until they set their own.
    pub must_change_password: bool,
}

impl SignedIn {
    /// The header links for this role, and the sign-out button.
    pub fn nav(&self) -> Markup {
        let v = &self.visitor;
        let links: &[(&str, &str, &str)] = if self.actor.role == Role::Applicant {
            &[
                ("/applications", "我的申请", "My applications"),
                ("/authorizations", "我的授权", "My authorizations"),
                ("/inbox", "消息", "Messages"),
            ]
        } else {
            &[
                ("/review", "审查队列", "Review queue"),
                ("/review/authorizations", "授权名册", "Rights"),
                ("/review/watchlist", "监管名单", "Watchlist"),
                ("/review/reports", "冒用举报", "Fake reports"),
                ("/review/exports", "导出", "Exports"),
            ]
        };
        html! {
            @for (href, zh, en) in links { a href=(href) { (v.pick(zh, en)) } }
            a href="/password" { (v.pick("修改密码", "Password")) }
            (action_button("/logout", &v.csrf, v.pick("退出", "Sign out"), None))
        }
    }

    /// A private page: never stored by the browser or anything between, so that after
    /// signing out the back button shows no one's application.
    pub fn render(&self, status: StatusCode, title: &str, body: Markup) -> HttpResponse {
        let mut response = self.visitor.render(status, title, self.nav(), body);
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
        response
    }

    pub fn error(&self, error: impl Into<Problem>) -> PageError {
        self.visitor.error(error)
    }
}

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::of(request);
        let state = request.app_data::<web::Data<ServiceState>>().cloned();
        let token = request
            .cookie(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|t| !t.is_empty());
        let next = page_to_return_to(request);
        let allowed_before_password_change = matches!(request.path(), "/password" | "/logout");
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                visitor.error(ServiceError::Internal(anyhow::anyhow!(
                    "service state missing"
                )))
            })?;
            // A cookie that no longer works is a session that timed out (signing out empties
            // the cookie); no cookie at all is someone who has not signed in.
            let had_session = token.is_some();
            let sign_in = || PageError::SignIn {
                next: next.clone(),
                lang: visitor.lang,
                expired: had_session,
            };
            let claims = token
                .and_then(|t| state.jwt.verify(&t))
                .ok_or_else(sign_in)?;
            let session_id = claims.sid.clone();
            match accounts::authenticate_session(&state, claims).await {
                Ok(user) if user.must_change_password && !allowed_before_password_change => {
                    Err(PageError::ChangePassword)
                }
                Ok(user) => Ok(SignedIn {
                    visitor,
                    actor: user.actor,
                    session_id,
                    must_change_password: user.must_change_password,
                }),
                Err(ServiceError::Unauthorized) => Err(sign_in()),
                Err(other) => Err(visitor.error(other)),
            }
        })
    }
}

/// The signed-in visitor of a session that has only just begun (its token not yet in the
/// browser's cookie): the page drawn in the answer to the sign-in carries forms bound to it.
pub(super) async fn signed_in_with(
    state: &ServiceState,
    visitor: &Visitor,
    token: &str,
) -> Result<SignedIn, PageError> {
    let claims = state
        .jwt
        .verify(token)
        .ok_or_else(|| visitor.error(ServiceError::Unauthorized))?;
    let session_id = claims.sid.clone();
    let user = accounts::authenticate_session(state, claims)
        .await
        .map_err(|e| visitor.error(e))?;
    let visitor = Visitor {
        csrf: csrf_token(state, &format!("session:{session_id}")),
        new_visitor_cookie: None,
        ..visitor.clone()
    };
    Ok(SignedIn {
        visitor,
        actor: user.actor,
        session_id,
        must_change_password: user.must_change_password,
    })
}

/// A form body (urlencoded) whose `csrf` field matches the visitor's CSRF cookie; refused with
/// 403 otherwise, before any handler runs.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(rename = "csrf")]
    token: Option<String>,
    #[serde(flatten)]
    fields: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(request, payload);
        let expected = expected_csrf(request);
        let lang = page_language(request).0;
        Box::pin(async move {
            let bytes = body.await.map_err(|_| {
                PageError::failed(lang, Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE))
            })?;
            let envelope: Envelope<T> = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                PageError::failed(
                    lang,
                    Problem::bad_request(crate::domain::Localized::new(
                        "The form could not be read.",
                        "无法读取表单。",
                    )),
                )
            })?;
            check_csrf(lang, expected.as_deref(), envelope.token.as_deref())?;
            Ok(CsrfForm(envelope.fields))
        })
    }
}

/// Refuses a form whose token is missing or is not the one [`expected_csrf`] gave.
pub fn check_csrf(
    lang: Lang,
    expected: Option<&str>,
    field: Option<&str>,
) -> Result<(), PageError> {
    match (expected, field) {
        (Some(expected), Some(given)) if !expected.is_empty() && same_token(expected, given) => {
            Ok(())
        }
        _ => Err(PageError::Csrf { lang }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_token_must_equal_the_expected_one() {
        let token = random_token();
        assert_eq!(token.len(), 64);
        assert!(check_csrf(Lang::Zh, Some(&token), Some(&token)).is_ok());
        assert!(check_csrf(Lang::Zh, Some(&token), Some(&random_token())).is_err());
        assert!(check_csrf(Lang::Zh, Some(&token), None).is_err());
        assert!(check_csrf(Lang::Zh, None, Some(&token)).is_err());
        assert!(check_csrf(Lang::Zh, Some(""), Some("")).is_err());
        assert!(!same_token("abc", "abcd"));
    }

    #[test]
    fn the_authority_of_an_origin_is_its_host_and_port() {
        assert_eq!(
            authority_of("https://gi.yingde.gov.cn"),
            Some("gi.yingde.gov.cn")
        );
        assert_eq!(
            authority_of("http://127.0.0.1:8080/x?y"),
            Some("127.0.0.1:8080")
        );
        assert_eq!(authority_of("null"), None);
        assert_eq!(authority_of("https://"), None);
    }
}
