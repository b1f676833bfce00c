//! `/password`: a signed-in person changes their password, which signs out every device.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::{new_password_controls, not_repeated};
use crate::http::client_address;
use crate::service::accounts::{self, ChangePasswordInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{alert, form_section, Control, FormErrors, FormSection, SummaryField};
use crate::web::errors::PageError;
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    password_confirmation: String,
}

fn password_page(session: &SignedIn, status: StatusCode, errors: &FormErrors) -> HttpResponse {
    let v = &session.visitor;
    let lang = v.lang;
    let title = v.pick("修改密码", "Change password");
    let current = Control::input(
        "password",
        "current_password",
        v.pick("当前密码", "Current password"),
        "",
    )
    .required()
    .autocomplete("current-password")
    .max_length(1024);
    let [new_password, again] = new_password_controls(lang);
    let controls = [current, new_password, again];
    let shown: Vec<SummaryField> = controls.iter().map(Control::summary_field).collect();
    let required = session.must_change_password.then(|| {
        alert(v.pick(
            "您使用的是窗口打印的一次性密码。请先设置自己的新密码，然后才能使用其他功能。",
            "You signed in with the one-time password printed at the window. Set a password of your own before anything else.",
        ))
    });
    let form = form_section(
        lang,
        FormSection {
            title,
            hint: Some(v.pick(
                "修改后，所有设备上的登录都会失效，需要用新密码重新登录。",
                "Afterwards every device is signed out; sign in again with the new password.",
            )),
            url: "/password",
            csrf: &v.csrf,
            errors,
            shown: &shown,
            fields: html! { @for control in &controls { (control.draw(lang, errors)) } },
            submit: title,
            after: html! {},
        },
    );
    let body = html! {
        @if let Some(required) = required { div data-testid="password-change-required" { (required) } }
        (form)
    };
    session.render(status, title, body)
}

pub async fn password_form(session: SignedIn) -> HttpResponse {
    password_page(&session, StatusCode::OK, &FormErrors::default())
}

pub async fn change_password(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    session: SignedIn,
    form: CsrfForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    // The page's own check goes to the use case, which reports it with the others.
    let repeated = not_repeated(&form.new_password, &form.password_confirmation);
    let input = ChangePasswordInput {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    let address = client_address(&request);
    match accounts::change_password_checked(&state, &session.actor, input, address, repeated).await
    {
        Ok(()) => Ok(session.visitor.sign_out("/login?notice=password_changed")),
        Err(ServiceError::Invalid(problems)) => Ok(password_page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormErrors(problems),
        )),
        Err(other) => Err(session.error(other)),
    }
}
