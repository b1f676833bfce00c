//! One application: its facts or its form, documents, actions and history. Every use case
//! that refuses what was sent draws this page again with what was typed (`Redraw`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::act::actions;
use super::context::reviewer_context;
use super::documents::documents;
use super::{base_of, form_field_names, form_fields, opinion_on, products_of, ApplicationForm};
use crate::domain::roles::Role;
use crate::domain::workflow::{ApplicationAction, ApplicationStatus};
use crate::domain::Localized;
use crate::service::applications::{self, ApplicationView, ReviewOpinionView};
use crate::service::public::ProductView;
use crate::service::ServiceState;
use crate::web::components::{
    alert, application_status_tag, back_link, case_facts, csrf_field, error_summary, history,
    notice, submit_button, FormErrors, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::labels::{self, APPLICATION_FIELDS};
use crate::web::lang::Lang;
use crate::web::session::SignedIn;

/// The id of the application's form, which the upload and submit buttons send as well.
pub(super) const APPLICATION_FORM: &str = "application-form";

/// What a re-drawn page shows beyond the stored application: what the user typed, the
/// problems with it, a notice or an alert.
#[derive(Default)]
pub(super) struct Redraw {
    pub form: Option<ApplicationForm>,
    pub form_errors: FormErrors,
    pub upload_errors: FormErrors,
    pub action: Option<(ApplicationAction, HashMap<String, String>, FormErrors)>,
    pub notice: Option<String>,
    /// A notice by its code (`?notice=`), worded once the application is loaded.
    pub notice_code: Option<String>,
    pub alert: Option<String>,
}

impl Redraw {
    /// The stored application with why the change was refused (a conflict) on top.
    pub fn refused(lang: Lang, why: &Localized) -> Self {
        Self {
            alert: Some(why.pick(lang.zh()).to_owned()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

/// What a notice after a change says: what was done and what happens next (the office's
/// deadline for the step the application now waits in, what is still missing).
fn notice_text(lang: Lang, notice: &str, view: &ApplicationView) -> Option<String> {
    let still_missing = view.missing_documents.len();
    let next_for_documents = if still_missing == 0 {
        lang.pick(
            "材料已齐全，可以提交申请。",
            "All documents are in: you can submit.",
        )
        .to_owned()
    } else if lang.zh() {
        format!("提交前还需上传 {still_missing} 份材料。")
    } else {
        format!("{still_missing} more document(s) needed before you can submit.")
    };
    let due = view.current_step_due.map(|d| d.to_string());
    let text = match notice {
        "created" => lang
            .pick(
                "草稿已保存。请上传材料，然后提交。",
                "Draft saved. Upload the documents, then submit.",
            )
            .to_owned(),
        "saved" => format!("{} {next_for_documents}", lang.pick("已保存。", "Saved.")),
        "uploaded" => format!(
            "{} {next_for_documents}",
            lang.pick("材料已上传。", "Document uploaded.")
        ),
        "removed" => lang.pick("材料已删除。", "Document removed.").to_owned(),
        other => {
            let action = other.parse::<ApplicationAction>().ok()?;
            use ApplicationAction as A;
            match (action, due) {
                (A::Submit, Some(due)) => lang_format(
                    lang,
                    format!("已提交，受理期限为 {due}。受理后开始审查，结果会通知您。"),
                    format!("Submitted: the office is to accept it by {due}. Review starts once it is accepted; you will be told the outcome."),
                ),
                (A::Resubmit, Some(due)) => lang_format(
                    lang,
                    format!("已重新提交，审查期限为 {due}。"),
                    format!("Resubmitted: the review is due by {due}."),
                ),
                (A::Accept, Some(due)) => lang_format(
                    lang,
                    format!("已受理，审查期限为 {due}。"),
                    format!("Accepted: the review is due by {due}."),
                ),
                (A::Return, Some(due)) => lang_format(
                    lang,
                    format!("已退回补正，企业补正期限为 {due}。"),
                    format!("Returned: the producer is to correct it by {due}."),
                ),
                (A::Recommend, Some(due)) => lang_format(
                    lang,
                    format!("已推荐核准，审批期限为 {due}。"),
                    format!("Recommended: approval is due by {due}."),
                ),
                (A::Approve, _) => lang
                    .pick(
                        "已核准：使用权已登记，公示页即时可查。",
                        "Approved: the right is registered and on the public pages now.",
                    )
                    .to_owned(),
                _ => format!(
                    "{}{}",
                    labels::action(lang, action),
                    lang.pick("：已完成。", ": done.")
                ),
            }
        }
    };
    Some(text)
}

fn lang_format(lang: Lang, zh: String, en: String) -> String {
    if lang.zh() {
        zh
    } else {
        en
    }
}

pub async fn show(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let redraw = Redraw {
        notice_code: Some(query.into_inner().notice),
        ..Default::default()
    };
    application_page(&state, &session, &id, StatusCode::OK, redraw).await
}

/// The application page, with what `redraw` says beyond the stored application.
pub(super) async fn application_page(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    status: StatusCode,
    redraw: Redraw,
) -> Result<HttpResponse, PageError> {
    let view = applications::get(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    let products = products_of(state, session).await?;
    let v = &session.visitor;
    let lang = v.lang;
    let base = format!("{}/{}", base_of(&session.actor), url_encode(&view.id));
    let is_owner = session.actor.role == Role::Applicant;
    let opinion = view.review_opinion.as_ref();
    let product = products.iter().find(|p| p.code == view.product_code);

    // The application's fields: a form while its producer may change them, facts otherwise.
    // The upload and submit buttons send this form too (`form=`/`formaction`), so what was
    // typed and not yet saved goes with them instead of being lost.
    let editable = is_owner && view.status.is_editable() && product.is_some();
    let form_id = editable.then_some(APPLICATION_FORM);
    let fields = match (editable, product) {
        (true, Some(product)) => {
            let form = redraw
                .form
                .clone()
                .unwrap_or_else(|| ApplicationForm::of(&view));
            // A refused submission's problems (what is missing) are this form's problems.
            let mut errors = redraw.form_errors.clone();
            if let Some((action, _, refused)) = &redraw.action {
                if action.is_submission() {
                    errors.0.extend(refused.0.iter().cloned());
                }
            }
            let mut shown = form_field_names(lang);
            shown.extend(view.missing_documents.iter().map(|kind| SummaryField {
                name: format!("attachments.{}", kind.as_str()),
                label: String::new(),
                id: "f-kind".to_owned(),
            }));
            html! {
                section {
                    h2 { (v.pick("申请信息", "Application")) }
                    form id=(APPLICATION_FORM) method="post" action=(base) novalidate {
                        (csrf_field(&v.csrf))
                        input type="hidden" name="version" value=(form.version);
                        (error_summary(lang, &errors, &shown))
                        (form_fields(lang, product, &form, &errors, opinion))
                        (submit_button(v.pick("保存修改", "Save changes"), Some("secondary"), Some("save")))
                    }
                }
            }
        }
        _ => facts(lang, &view, product, opinion),
    };
    let product_name = product.map_or(view.product_name_zh.as_str(), |p| labels::product(lang, p));
    let body = html! {
        @if let Some(text) = redraw.notice.clone().or_else(|| redraw.notice_code.as_deref().and_then(|code| notice_text(lang, code, &view))) {
            (notice(&text))
        }
        @if let Some(text) = &redraw.alert { (alert(text)) }
        section {
            h2 { (product_name) " · " (view.enterprise.name) }
            p { (application_status_tag(lang, view.status)) }
            dl class="facts" {
                (case_facts(lang, view.application_no.as_deref(), view.current_step, view.current_step_due, view.overdue))
                dt { (v.pick("统一社会信用代码", "Credit code")) }
                dd class="code" { (view.enterprise.uscc) }
                dt { (v.pick("创建", "Started")) }
                dd { (when(view.created_at)) }
                @if let Some(at) = view.submitted_at {
                    dt { (v.pick("提交", "Submitted")) }
                    dd { (when(at)) }
                }
                @if let Some(no) = &view.registry_no {
                    dt { (v.pick("登记编号", "Registry no.")) }
                    dd { a class="code" href={ "/verify/" (url_encode(no)) } data-testid="registry-no" { (no) } }
                }
            }
        }
        @if let Some(opinion) = opinion {
            section class="opinion" data-testid="review-opinion" {
                h2 { (v.pick("审查意见", "Review opinion")) }
                p { (opinion.comment) }
                @if is_owner && view.status == ApplicationStatus::Returned {
                    p class="muted" {
                        (v.pick(
                            "请按意见修改下方标注的内容，保存后重新提交。",
                            "Correct what is marked below, save, then resubmit."
                        ))
                    }
                }
            }
        }
        @if let Some(context) = &view.reviewer_context {
            (reviewer_context(lang, context))
        }
        (fields)
        (documents(session, &view, &base, &redraw.upload_errors, form_id))
        (actions(session, &view, &base, redraw.action.as_ref(), form_id, state.clock.beijing_today()))
        (history(lang, &view.history))
        (back_link(base_of(&session.actor), if is_owner {
            v.pick("‹ 我的申请", "‹ My applications")
        } else {
            v.pick("‹ 审查队列", "‹ Review queue")
        }))
    };
    let title = format!("{} · {}", product_name, view.enterprise.name);
    Ok(session.render(status, &title, body))
}

/// The application's fields as facts (no longer the producer's to change).
fn facts(
    lang: Lang,
    view: &ApplicationView,
    product: Option<&ProductView>,
    opinion: Option<&ReviewOpinionView>,
) -> Markup {
    let value = |name: &str| -> String {
        match name {
            "product_code" => product
                .map_or(view.product_name_zh.as_str(), |p| labels::product(lang, p))
                .to_owned(),
            "basis" => labels::basis(lang, view.basis).to_owned(),
            "trademark_reg_no" => view.trademark_reg_no.clone().unwrap_or_default(),
            "production_town" => product
                .map_or(view.production_town.as_str(), |p| {
                    labels::town_named(lang, &p.towns, &view.production_town)
                })
                .to_owned(),
            "production_address" => view.production_address.clone(),
            "area_mu" => view.area_mu.map(|a| a.to_string()).unwrap_or_default(),
            "annual_output_kg" => view
                .annual_output_kg
                .map(|a| a.to_string())
                .unwrap_or_default(),
            _ => view.description.clone().unwrap_or_default(),
        }
    };
    html! {
        section {
            h2 { (lang.pick("申请信息", "Application")) }
            dl class="facts" {
                @for (name, zh, en) in APPLICATION_FIELDS {
                    dt { (lang.pick(zh, en)) }
                    dd data-field=(name) { (value(name)) (opinion_on(lang, opinion, name)) }
                }
            }
        }
    }
}

/// The application page again with what was typed before the session timed out, after
/// signing in: the application's fields (when they were sent) and the action's (`action`),
/// with `said` on top. Nothing is saved or done until the producer sends it again.
pub async fn resume(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    action: Option<&str>,
    values: HashMap<String, String>,
    said: String,
) -> Result<HttpResponse, PageError> {
    let action = match action.map(str::parse::<ApplicationAction>) {
        Some(Ok(action)) => Some(action),
        Some(Err(_)) => return Err(session.error(crate::service::ServiceError::NotFound)),
        None => None,
    };
    let redraw = Redraw {
        form: ApplicationForm::from_values(&values),
        action: action.map(|action| (action, values, FormErrors::default())),
        notice: Some(said),
        ..Default::default()
    };
    application_page(state, session, id, StatusCode::OK, redraw).await
}
