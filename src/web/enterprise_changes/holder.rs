//! `/enterprise-changes`: the holder's requests to change its details, and the form for one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::changes_table;
use crate::domain::roles::Role;
use crate::domain::FieldError;
use crate::service::enterprise_changes::{self, ChangeQuery, EnterpriseChangeInput};
use crate::service::paging::PageRequest;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    form_section, notice, Control, FormErrors, FormSection, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    name: String,
    address: String,
    legal_representative: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

async fn page(
    state: &ServiceState,
    session: &SignedIn,
    status: StatusCode,
    form: &ChangeForm,
    errors: &FormErrors,
    said: Option<&str>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let lang = v.lang;
    let mine = enterprise_changes::list(
        state,
        &session.actor,
        ChangeQuery::default(),
        PageRequest {
            page: None,
            per_page: Some(100),
        },
    )
    .await
    .map_err(|e| session.error(e))?;
    let fields = [
        Control::input("text", "name", v.pick("新名称", "New name"), &form.name).max_length(200),
        Control::input(
            "text",
            "address",
            v.pick("新住所", "New address"),
            &form.address,
        )
        .max_length(300),
        Control::input(
            "text",
            "legal_representative",
            v.pick("新法定代表人", "New legal representative"),
            &form.legal_representative,
        )
        .max_length(100),
        Control::text_area("reason", v.pick("变更理由", "Reason"), &form.reason)
            .required()
            .hint(v.pick(
                "如：已换发新营业执照（请带原件到窗口核对）",
                "E.g. a new business licence was issued (bring it to the window)",
            ))
            .max_length(2000),
    ];
    let names: Vec<SummaryField> = fields.iter().map(Control::summary_field).collect();
    let body = html! {
        @if let Some(said) = said { (notice(said)) }
        (form_section(lang, FormSection {
            title: v.pick("申请变更企业信息", "Ask to change your details"),
            hint: Some(v.pick(
                "只填写要变更的项目。核准后，公开名册和核验页立即显示新信息。",
                "Fill in only what changes. Once approved, the public register and verify page show it at once.",
            )),
            url: "/enterprise-changes",
            csrf: &v.csrf,
            errors,
            shown: &names,
            fields: html! { @for field in &fields { (field.draw(lang, errors)) } },
            submit: v.pick("提交变更申请", "Send the request"),
            after: html! {},
        }))
        section {
            h2 { (v.pick("我的变更申请", "My requests")) }
            @if mine.items.is_empty() {
                p class="muted" { (v.pick("尚无。", "None yet.")) }
            } @else {
                (changes_table(lang, &mine.items, |_| html! {}))
            }
        }
    };
    Ok(session.render(status, v.pick("企业信息变更", "Changes of details"), body))
}

pub async fn my_changes(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let said = (query.notice == "submitted").then(|| {
        session.visitor.pick(
            "变更申请已提交，等待审核。",
            "Your request is sent and waits for a decision.",
        )
    });
    page(
        &state,
        &session,
        StatusCode::OK,
        &ChangeForm::default(),
        &FormErrors::default(),
        said,
    )
    .await
}

pub async fn request_change(
    state: web::Data<ServiceState>,
    session: SignedIn,
    form: CsrfForm<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let input = EnterpriseChangeInput {
        name: optional(&form.name),
        address: optional(&form.address),
        legal_representative: optional(&form.legal_representative),
        reason: form.reason.trim().to_owned(),
    };
    match enterprise_changes::request(&state, &session.actor, input).await {
        Ok(_) => Ok(session
            .visitor
            .redirect("/enterprise-changes?notice=submitted")),
        Err(ServiceError::Invalid(problems)) => {
            let errors = FormErrors(problems);
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &errors,
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            let errors = FormErrors(vec![FieldError::new("change", "conflict", message)]);
            page(&state, &session, StatusCode::CONFLICT, &form, &errors, None).await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// The change request's form again with what was typed before the session timed out
/// (`said` on top), after signing in; nothing is sent until it is sent again.
pub async fn resume_request(
    state: &ServiceState,
    session: &SignedIn,
    form: ChangeForm,
    said: String,
) -> Result<HttpResponse, PageError> {
    page(
        state,
        session,
        StatusCode::OK,
        &form,
        &FormErrors::default(),
        Some(&said),
    )
    .await
}
