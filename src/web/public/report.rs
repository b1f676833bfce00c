//! The report-a-fake form under every verdict, and what happens when it is sent.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{uscc, FieldError};
use crate::service::fake_reports::{self, FakeReportInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{csrf_field, public_page};
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

/// The report form; `problems` are shown beside their fields.
pub(super) fn report_form(
    lang: Lang,
    code: &str,
    csrf: &str,
    typed: &ReportForm,
    problems: Option<&[FieldError]>,
) -> Markup {
    let message = |field: &str| {
        html! {
            @for p in problems.into_iter().flatten().filter(|p| p.field == field) {
                p role="alert" class="muted" { (p.message.pick(lang.zh())) }
            }
        }
    };
    html! {
        section aria-labelledby="report-title" {
            h2 id="report-title" { (lang.pick("举报疑似冒用", "Report a suspected fake")) }
            p class="muted" { (lang.pick("如发现产品使用此代码但信息不符，请告诉我们。", "If a product carries this code but something is wrong, tell us.")) }
            form method="post" action={ "/verify/" (url_encode(code)) "/report" (lang.query()) } class="search" {
                (csrf_field(csrf))
                input type="hidden" name="code_seen" value=(code);
                label for="place" style="flex-basis:100%" {
                    (lang.pick("在哪里看到（店铺、市场或网址）", "Where you saw it (shop, market or web address)"))
                }
                input id="place" name="place" required maxlength="300" style="flex:1 1 100%" value=(typed.place);
                (message("place"))
                label for="description" style="flex-basis:100%" { (lang.pick("情况说明", "What is wrong")) }
                textarea id="description" name="description" required maxlength="4000" rows="3"
                    style="flex:1 1 100%;font:inherit;padding:10px" { (typed.description) }
                (message("description"))
                button type="submit" { (lang.pick("提交举报", "Send report")) }
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
    let path = format!("/verify/{}", url_encode(&shown));
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
