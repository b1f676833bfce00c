//! `/password-reset` (忘记密码): ask for a link by e-mail; `/password-reset/{token}`: set a
//! new password with it (or with the code staff handed over at the service window). The
//! same use cases as `/api/v1/auth/password-reset` and `…/confirm`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::{new_password_controls, not_repeated};
use crate::http::client_address;
use crate::service::accounts::{self, PasswordResetConfirm, PasswordResetRequest};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    form_section, notice, Control, FormErrors, FormSection, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::session::{CsrfForm, Visitor};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    username: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    new_password: String,
    password_confirmation: String,
}

fn request_page(
    visitor: &Visitor,
    status: StatusCode,
    form: &RequestForm,
    errors: &FormErrors,
) -> HttpResponse {
    let v = visitor;
    let lang = v.lang;
    let title = v.pick("忘记密码", "Forgot your password");
    let username = Control::input(
        "text",
        "username",
        v.pick("用户名", "Username"),
        &form.username,
    )
    .required()
    .autocomplete("username")
    .autocapitalize("none")
    .max_length(256)
    .autofocus();
    let body = form_section(
        lang,
        FormSection {
            title,
            hint: Some(v.pick(
                "输入用户名。如果该账号登记了电子邮箱，我们会发送一个30分钟内有效、只能使用一次的重置链接。没有邮箱的企业，请携带营业执照到办事窗口办理。",
                "Enter your username. If the account has an e-mail address, we send a reset link that works once within 30 minutes. Without e-mail, bring the business licence to the service window.",
            )),
            url: "/password-reset",
            csrf: &v.csrf,
            errors,
            shown: &[username.summary_field()],
            fields: username.draw(lang, errors),
            submit: v.pick("发送重置链接", "Send the reset link"),
            after: html! {
                p { a href="/login" { (v.pick("‹ 返回登录", "‹ Back to sign in")) } }
            },
        },
    );
    v.render(status, title, html! {}, body)
}

pub async fn request_form(visitor: Visitor) -> HttpResponse {
    request_page(
        &visitor,
        StatusCode::OK,
        &RequestForm::default(),
        &FormErrors::default(),
    )
}

pub async fn request_reset(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    request: HttpRequest,
    form: CsrfForm<RequestForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let input = PasswordResetRequest {
        username: form.username.clone(),
    };
    match accounts::request_reset(&state, input, client_address(&request)).await {
        Ok(()) => {
            let v = &visitor;
            let title = v.pick("请查收邮件", "Check your e-mail");
            // The same words whether or not the account exists.
            let body = html! {
                (notice(v.pick(
                    "如果该账号存在并登记了电子邮箱，重置链接已发送到该邮箱，30分钟内有效。请查收（也请看看垃圾邮件）。",
                    "If the account exists and has an e-mail address, a reset link is on its way there; it works for 30 minutes. Look in the spam folder too.",
                )))
                section {
                    h2 { (title) }
                    p { (v.pick("没有收到？可以稍后再试，或到办事窗口办理。", "Nothing came? Try again later, or come to the service window.")) }
                    p { a href="/guide" { (v.pick("办事指南与联系方式", "Service guide and contacts")) } }
                    p { a href="/login" { (v.pick("‹ 返回登录", "‹ Back to sign in")) } }
                }
            };
            Ok(v.render(StatusCode::OK, title, html! {}, body))
        }
        Err(ServiceError::Invalid(problems)) => Ok(request_page(
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &FormErrors(problems),
        )),
        Err(other) => Err(visitor.error(other)),
    }
}

fn new_password_page(
    visitor: &Visitor,
    status: StatusCode,
    token: &str,
    errors: &FormErrors,
) -> HttpResponse {
    let v = visitor;
    let lang = v.lang;
    let title = v.pick("设置新密码", "Set a new password");
    let url = format!("/password-reset/{}", url_encode(token));
    let [new_password, again] = new_password_controls(lang);
    let controls = [new_password.autofocus(), again];
    // A spent or unknown link is the form's own problem: the summary says it, unlinked.
    let shown: Vec<SummaryField> = controls.iter().map(Control::summary_field).collect();
    let body = form_section(
        lang,
        FormSection {
            title,
            hint: Some(v.pick(
                "设置后，所有设备上的登录都会失效，请用新密码重新登录。",
                "Afterwards every device is signed out; sign in with the new password.",
            )),
            url: &url,
            csrf: &v.csrf,
            errors,
            shown: &shown,
            fields: html! { @for control in &controls { (control.draw(lang, errors)) } },
            submit: title,
            after: html! {
                @if errors.0.iter().any(|e| e.field == "token") {
                    p { a href="/password-reset" { (v.pick("重新申请重置密码", "Ask for a new link")) } }
                }
            },
        },
    );
    // The token is in the address: keep it out of the Referer of any link followed from here.
    let mut response = v.render(status, title, html! {}, body);
    response.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    response
}

pub async fn new_password_form(visitor: Visitor, token: web::Path<String>) -> HttpResponse {
    new_password_page(&visitor, StatusCode::OK, &token, &FormErrors::default())
}

pub async fn set_new_password(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    token: web::Path<String>,
    form: CsrfForm<NewPasswordForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let repeated = not_repeated(&form.new_password, &form.password_confirmation);
    let input = PasswordResetConfirm {
        token: token.clone(),
        new_password: form.new_password,
    };
    match accounts::confirm_reset_checked(&state, input, repeated).await {
        Ok(()) => Ok(visitor.redirect("/login?notice=password_reset")),
        Err(ServiceError::Invalid(problems)) => Ok(new_password_page(
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            &FormErrors(problems),
        )),
        Err(other) => Err(visitor.error(other)),
    }
}
