//! The report-a-fake form under every verdict, and what happens when it is sent.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{uscc, FieldError};
use crate::service::fake_reports::{self, FakeReportInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    csrf_field, error_summary, public_page, submit_button, Control, FormErrors, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::lang::Lang;
use crate::web::session::{CsrfForm, Visitor};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    code_seen: String,
    place: String,
    description: String,
}

/// The report form; `problems` are summed up on top and shown beside their fields.
pub(super) fn report_form(
    lang: Lang,
    code: &str,
    csrf: &str,
    typed: &ReportForm,
    problems: Option<&[FieldError]>,
) -> Markup {
    let errors = FormErrors(problems.map(<[FieldError]>::to_vec).unwrap_or_default());
    let controls = [
        Control::input(
            "text",
            "place",
            lang.pick(
                "在哪里看到（店铺、市场或网址）",
                "Where you saw it (shop, market or web address)",
            ),
            &typed.place,
        )
        .required()
        .max_length(300),
        Control::text_area(
            "description",
            lang.pick("情况说明", "What is wrong"),
            &typed.description,
        )
        .required()
        .max_length(4000),
    ];
    let shown: Vec<SummaryField> = controls.iter().map(Control::summary_field).collect();
    html! {
        section aria-labelledby="report-title" {
            h2 id="report-title" { (lang.pick("举报疑似冒用", "Report a suspected fake")) }
            p class="muted" { (lang.pick("如发现产品使用此代码但信息不符，请告诉我们。", "If a product carries this code but something is wrong, tell us.")) }
            form method="post" action={ "/verify/" (url_encode(code)) "/report" (lang.query()) } novalidate {
                (csrf_field(csrf))
                input type="hidden" name="code_seen" value=(code);
                (error_summary(lang, &errors, &shown))
                @for control in &controls { (control.draw(lang, &errors)) }
                (submit_button(lang.pick("提交举报", "Send report"), None, None))
            }
        }
    }
}

/// Takes the verify page's report form through the same use case as the JSON API.
pub async fn report(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    code: web::Path<String>,
    visitor: Visitor,
    form: CsrfForm<ReportForm>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor.lang;
    let shown = uscc::normalise(&code);
    let form = form.0;
    let input = FakeReportInput {
        code_seen: if form.code_seen.trim().is_empty() {
            shown.clone()
        } else {
            form.code_seen.clone()
        },
        place: form.place.clone(),
        description: form.description.clone(),
    };
    let address = crate::http::client_address(&request);
    // A report sent from a label's page goes back to that page.
    let path = if state.labels.key().decode(&shown).is_some() {
        format!("/l/{}", url_encode(&shown))
    } else {
        format!("/verify/{}", url_encode(&shown))
    };
    match fake_reports::submit(&state, input, address).await {
        Ok(_) => {
            let received = lang.pick("举报已收到", "Report received");
            let body = html! {
                section data-testid="report-received" {
                    h2 { (received) }
                    p { (lang.pick("谢谢！市场监管部门将核查处理。", "Thank you: market regulation staff will look into it.")) }
                    p { a href={ (path) (lang.query()) } { (lang.pick("‹ 返回核验结果", "‹ Back to the verdict")) } }
                }
            };
            Ok(visitor.keep_cookies(public_page(
                lang,
                StatusCode::CREATED,
                received,
                &path,
                body,
            )))
        }
        Err(ServiceError::Invalid(problems)) => {
            let body = report_form(lang, &shown, &visitor.csrf, &form, Some(&problems));
            Ok(public_page(
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.pick("举报疑似冒用", "Report a suspected fake"),
                &path,
                body,
            ))
        }
        Err(other) => Err(PageError::failed(lang, other)),
    }
}
