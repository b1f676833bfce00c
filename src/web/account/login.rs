//! `/login` and `/logout`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::domain::roles::Role;
use crate::domain::{FieldError, Localized};
use crate::http::client_address;
use crate::service::accounts::{self, LoginInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    action_button, error_summary, notice, post_form, submit_button, Control, FormErrors,
    SummaryField,
};
use crate::web::errors::PageError;
use crate::web::resume;
use crate::web::session::{CsrfForm, SignedIn, Visitor};

/// Where each role starts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/applications",
        _ => "/review",
    }
}

/// Only a plain path of ours: one leading `/`, never `//elsewhere` or `/\elsewhere` or an
/// absolute address (an open redirect), and only visible ASCII — browsers drop tabs and line
/// breaks from addresses (`/\t/evil` becomes `//evil`), CR/LF must never reach the `Location`
/// header, and a header value cannot hold anything else (our own links are percent-encoded).
fn safe_next(next: &str) -> Option<&str> {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    plain.then_some(next)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
    /// The form that was sent after the session timed out (its address), when it is carried.
    resume: String,
    /// An upload was sent after the session timed out: its file could not be carried.
    upload: String,
    /// What was typed in that form (`carry.<name>`), and any other field (ignored).
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl LoginForm {
    /// What was typed in the form sent after the session timed out.
    fn carried(&self) -> Vec<(String, String)> {
        self.rest
            .iter()
            .filter_map(|(name, value)| {
                let name = name.strip_prefix(CARRY_PREFIX)?;
                resume::may_carry(name).then(|| (name.to_owned(), value.clone()))
            })
            .collect()
    }
}

/// The prefix of the hidden fields that carry a timed-out form's values through the sign-in.
const CARRY_PREFIX: &str = "carry.";

/// The sign-in page as the answer to a form sent after the session timed out: it says so,
/// and carries the form's address and what was typed (`fields`) so that, once signed in,
/// the form comes back filled in; or, for an upload, says that the file must be chosen again.
pub(crate) fn timed_out_sign_in(
    visitor: &Visitor,
    page: &str,
    resume: &str,
    fields: &[(String, String)],
    upload: bool,
) -> HttpResponse {
    let form = LoginForm {
        next: page.to_owned(),
        resume: resume.to_owned(),
        upload: if upload {
            "1".to_owned()
        } else {
            String::new()
        },
        rest: fields
            .iter()
            .map(|(name, value)| (format!("{CARRY_PREFIX}{name}"), value.clone()))
            .collect(),
        ..Default::default()
    };
    login_page(
        visitor,
        StatusCode::UNAUTHORIZED,
        &form,
        "",
        &FormErrors::default(),
    )
}

fn login_page(
    visitor: &Visitor,
    status: StatusCode,
    form: &LoginForm,
    notice_code: &str,
    errors: &FormErrors,
) -> HttpResponse {
    let v = visitor;
    let lang = v.lang;
    // A form sent after the session timed out is carried through this sign-in.
    let notice_code = if !form.upload.is_empty() {
        "expired_upload"
    } else if !form.resume.is_empty() {
        "expired_form"
    } else {
        notice_code
    };
    let carried = form.carried();
    let said = match notice_code {
        "signed_out" => Some(v.pick("您已退出登录。", "You have signed out.")),
        "password_changed" => Some(v.pick(
            "密码已修改，请用新密码登录。",
            "Your password was changed: sign in with the new one.",
        )),
        "password_reset" => Some(v.pick(
            "新密码已设置，请用新密码登录。",
            "Your new password is set: sign in with it.",
        )),
        "expired" => Some(v.pick(
            "登录已超时，请重新登录。登录后将回到您刚才的页面。",
            "Your session timed out: sign in again to go back to the page you were on.",
        )),
        "expired_form" => Some(v.pick(
            "登录已超时，请重新登录。您刚才填写的内容尚未保存；登录后将回到该表单，已填写的内容会保留，请核对后再提交。",
            "Your session timed out: sign in again. What you typed was not saved yet; after signing in the form comes back with it, for you to check and send again.",
        )),
        "expired_upload" => Some(v.pick(
            "登录已超时，请重新登录。您选择的文件未能上传，也无法保留：登录后请重新选择文件。",
            "Your session timed out: sign in again. The file you chose was not uploaded and cannot be kept: choose it again after signing in.",
        )),
        _ => None,
    };
    let controls = [
        Control::input(
            "text",
            "username",
            v.pick("用户名", "Username"),
            &form.username,
        )
        .required()
        .autocomplete("username")
        .autocapitalize("none")
        .max_length(256)
        .autofocus(),
        Control::input("password", "password", v.pick("密码", "Password"), "")
            .required()
            .autocomplete("current-password")
            .max_length(1024),
    ];
    let shown: Vec<SummaryField> = controls.iter().map(Control::summary_field).collect();
    let body = html! {
        @if let Some(said) = said { (notice(said)) }
        section {
            h2 { (v.pick("登录", "Sign in")) }
            (post_form("/login", &v.csrf, html! {
                input type="hidden" name="next" value=(form.next);
                @if !form.resume.is_empty() {
                    input type="hidden" name="resume" value=(form.resume);
                    @for (name, value) in &carried {
                        input type="hidden" name={ (CARRY_PREFIX) (name) } value=(value);
                    }
                }
                @if !form.upload.is_empty() { input type="hidden" name="upload" value="1"; }
                (error_summary(lang, errors, &shown))
                @for control in &controls { (control.draw(lang, errors)) }
                (submit_button(v.pick("登录", "Sign in"), None, None))
            }))
            p { a href="/password-reset" data-testid="forgot-password" { (v.pick("忘记密码？", "Forgot your password?")) } }
            p {
                (v.pick("还没有账户？", "No account yet?")) " "
                a href="/register" { (v.pick("注册企业账户", "Register your enterprise")) }
            }
        }
    };
    v.render(status, v.pick("登录", "Sign in"), html! {}, body)
}

pub async fn login_form(visitor: Visitor, query: web::Query<LoginQuery>) -> HttpResponse {
    let query = query.into_inner();
    let form = LoginForm {
        next: query.next,
        ..Default::default()
    };
    login_page(
        &visitor,
        StatusCode::OK,
        &form,
        &query.notice,
        &FormErrors::default(),
    )
}

pub async fn login(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    request: HttpRequest,
    form: CsrfForm<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let input = LoginInput {
        username: form.username.clone(),
        password: form.password.clone(),
    };
    let failure = |status, en: &str, zh: &str| {
        let errors = FormErrors(vec![FieldError::new(
            "credentials",
            "refused",
            Localized::new(en, zh),
        )]);
        Ok(login_page(&visitor, status, &form, "", &errors))
    };
    match accounts::login_for_pages(&state, input, client_address(&request)).await {
        Ok(token) => {
            // A form sent after the session timed out comes back with what was typed.
            let carried = form.carried();
            if !form.resume.is_empty() && !carried.is_empty() {
                let resumed = resume::after_sign_in(
                    &state,
                    &visitor,
                    &token.access_token,
                    &form.resume,
                    &carried,
                )
                .await;
                if let Some(page) = resumed {
                    return Ok(page);
                }
            }
            let target = safe_next(&form.next).unwrap_or(home_of(token.role));
            Ok(visitor.sign_in(&token.access_token, target))
        }
        Err(ServiceError::BadCredentials) => failure(
            StatusCode::UNAUTHORIZED,
            "Wrong user name or password.",
            "用户名或密码错误。",
        ),
        Err(ServiceError::Invalid(_)) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your username and password.",
            "请输入用户名和密码。",
        ),
        Err(ServiceError::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            failure(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many failed attempts: try again in {minutes} minutes."),
                &format!("登录失败次数过多，请{minutes}分钟后再试。"),
            )
        }
        Err(other) => Err(visitor.error(other)),
    }
}

/// A sign-out page for whoever follows a link to it; signing out itself is a POST.
pub async fn logout_form(visitor: Visitor) -> HttpResponse {
    let title = visitor.pick("退出登录", "Sign out");
    let body = html! {
        section {
            h2 { (title) }
            (action_button("/logout", &visitor.csrf, visitor.pick("退出", "Sign out"), None))
        }
    };
    visitor.render(StatusCode::OK, title, html! {}, body)
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// Ends the session server-side (its cookie answers as signed out from now on, even if a
/// copy of it survives), then empties the cookie.
pub async fn logout(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    session: Option<SignedIn>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    if let Some(session) = session {
        accounts::logout(&state, &session.actor, &session.session_id)
            .await
            .map_err(|e| visitor.error(e))?;
    }
    Ok(visitor.sign_out("/login?notice=signed_out"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_only_ever_a_plain_local_path() {
        assert_eq!(
            safe_next("/applications?page=2"),
            Some("/applications?page=2")
        );
        for hostile in [
            "",
            "\r\nSet-Cookie:x=1",
            "/\r\nSet-Cookie:x=1",
            "/a\u{0}b",
            "/\t/evil.example",
            "/ /evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/verify/英红",
        ] {
            assert_eq!(safe_next(hostile), None, "{hostile:?}");
        }
    }
}
