//! `/review/enterprises/new`: registration at the service window (reviewers, approvers): the
//! enterprise and its applicant account, a reason for a credit code that fails its check
//! character, and the printed password on the page that follows.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::domain::FieldError;
use crate::service::accounts::{self, WindowRegistrationInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::account::{enterprise_controls, town_choices, EnterpriseFields};
use crate::web::components::{form_section, Control, FormErrors, FormSection, SummaryField};
use crate::web::errors::PageError;
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WindowForm {
    username: String,
    #[serde(flatten)]
    enterprise: EnterpriseFields,
    uscc_exception_reason: String,
}

async fn window_page(
    state: &ServiceState,
    session: &SignedIn,
    status: StatusCode,
    form: &WindowForm,
    errors: &FormErrors,
) -> Result<HttpResponse, PageError> {
    if !session.actor.role.may_review() {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let lang = v.lang;
    let towns = town_choices(state, v).await?;
    let mut fields = vec![Control::input(
        "text",
        "username",
        v.pick("申请人用户名", "Applicant's username"),
        &form.username,
    )
    .required()
    .hint(v.pick(
        "3–64 个字母、数字或 . _ @ -",
        "3–64 letters, digits or . _ @ -",
    ))
    .autocapitalize("none")
    .max_length(64)];
    fields.extend(enterprise_controls(v, &form.enterprise, towns));
    fields.push(
        Control::text_area(
            "uscc_exception_reason",
            v.pick("代码校验例外理由", "Why a code failing its check is genuine"),
            &form.uscc_exception_reason,
        )
        .hint(v.pick(
            "仅当营业执照上的代码（如2015年前核发）校验码不符时填写：说明核对了什么。",
            "Only for a code on the licence (e.g. issued before 2015) whose check character does not match: say what you checked.",
        ))
        .max_length(500),
    );
    let names: Vec<SummaryField> = fields.iter().map(Control::summary_field).collect();
    let body = form_section(
        lang,
        FormSection {
            title: v.pick("窗口登记企业", "Register an enterprise at the window"),
            hint: Some(v.pick(
                "为到窗口办理的企业登记账户。登记后显示一次性密码，请打印交给申请人，并提醒其登录后修改。",
                "Registers the enterprise of a producer who came to the window. A one-time password is shown afterwards: print it for the producer and ask them to change it after signing in.",
            )),
            url: "/review/enterprises/new",
            csrf: &v.csrf,
            errors,
            shown: &names,
            fields: html! { @for field in &fields { (field.draw(lang, errors)) } },
            submit: v.pick("登记", "Register"),
            after: html! {},
        },
    );
    Ok(session.render(
        status,
        v.pick("窗口登记企业", "Register at the window"),
        body,
    ))
}

pub async fn window_form(
    state: web::Data<ServiceState>,
    session: SignedIn,
) -> Result<HttpResponse, PageError> {
    window_page(
        &state,
        &session,
        StatusCode::OK,
        &WindowForm::default(),
        &FormErrors::default(),
    )
    .await
}

pub async fn register_at_window(
    state: web::Data<ServiceState>,
    session: SignedIn,
    form: CsrfForm<WindowForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let reason = form.uscc_exception_reason.trim();
    let input = WindowRegistrationInput {
        username: form.username.clone(),
        enterprise: form.enterprise.input(),
        uscc_exception_reason: (!reason.is_empty()).then(|| reason.to_owned()),
    };
    let registered = match accounts::register_at_window(&state, &session.actor, input).await {
        Ok(registered) => registered,
        Err(ServiceError::Invalid(problems)) => {
            let errors = FormErrors(problems);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return window_page(&state, &session, status, &form, &errors).await;
        }
        Err(ServiceError::Conflict(message)) => {
            let errors = FormErrors(vec![FieldError::new("account", "conflict", message)]);
            return window_page(&state, &session, StatusCode::CONFLICT, &form, &errors).await;
        }
        Err(other) => return Err(session.error(other)),
    };
    let v = &session.visitor;
    let e = &registered.enterprise;
    // Shown once, never stored in clear: the page is not kept by the browser's cache.
    let body = html! {
        section data-testid="window-registered" {
            h2 { (v.pick("登记完成", "Registered")) }
            dl class="facts" {
                dt { (v.pick("企业名称", "Enterprise")) }
                dd { (e.name) }
                dt { (v.pick("统一社会信用代码", "Credit code")) }
                dd class="code" { (e.uscc) }
                @if let Some(reason) = &e.uscc_exception_reason {
                    dt { (v.pick("代码校验例外", "Check-digit exception")) }
                    dd data-testid="uscc-exception" { (reason) }
                }
                dt { (v.pick("用户名", "Username")) }
                dd class="code" data-testid="username" { (registered.user.username) }
                dt { (v.pick("一次性密码", "One-time password")) }
                dd class="code" data-testid="one-time-password" { (registered.one_time_password) }
            }
            p class="muted" {
                (v.pick(
                    "此密码只显示这一次。请打印交给申请人：首次登录后须先设置自己的新密码，才能使用其他功能。",
                    "This password is shown only this once. Print it for the producer: at first sign-in they must set a password of their own before anything else.",
                ))
            }
            p { a href="/review/enterprises/new" { (v.pick("再登记一家", "Register another")) } }
        }
    };
    let mut response = session.render(StatusCode::CREATED, v.pick("登记完成", "Registered"), body);
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
