//! `/review/reports`: reports of suspected fakes sent from the verify pages, and closing one
//! with what was found and done.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::staff_only;
use crate::service::fake_reports::{self, CloseInput, FakeReportQuery, FakeReportView};
use crate::service::paging::PageRequest;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    action_form, error_summary, list_section, listing, notice, ActionForm, Control, FormErrors,
    ListSection, PagerStyle, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportsQuery {
    status: String,
    page: Option<i64>,
    notice: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    resolution: String,
}

async fn reports_page(
    state: &ServiceState,
    session: &SignedIn,
    query: &ReportsQuery,
    status: StatusCode,
    typed: Option<(&str, &CloseForm, FormErrors)>,
) -> Result<HttpResponse, PageError> {
    staff_only(session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let which = if query.status == "closed" {
        "closed"
    } else {
        "open"
    };
    let filter = FakeReportQuery {
        status: Some(which.to_owned()),
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let page = fake_reports::list(state, &session.actor, filter, paging)
        .await
        .map_err(|e| session.error(e))?;
    let title = v.pick("冒用举报", "Reports of fakes");
    let blank = (CloseForm::default(), FormErrors::default());
    let rows = |items: &[FakeReportView]| {
        html! {
            ul class="results" data-testid="reports" {
                @for report in items {
                    li data-report=(report.id) {
                        div {
                            a class="code" href={ "/verify/" (url_encode(&report.code_seen)) } { (report.code_seen) }
                            " · " (when(report.created_at))
                        }
                        div { strong { (report.place) } }
                        p { (report.description) }
                        @if let Some(resolution) = &report.resolution {
                            p class="notice" { (v.pick("处理结果：", "Outcome:")) " " (resolution) }
                        } @else {
                            @let this = typed.as_ref().filter(|(id, _, _)| *id == report.id);
                            @let (form, errors) = this.map_or((&blank.0, &blank.1), |(_, form, errors)| (*form, errors));
                            (action_form(ActionForm {
                                action: None,
                                label: v.pick("办结", "Close"),
                                url: &format!("/review/reports/{}/close", url_encode(&report.id)),
                                csrf: &v.csrf,
                                open: this.is_some(),
                                danger: false,
                                summary: error_summary(lang, errors, &[SummaryField::new(
                                    "resolution",
                                    v.pick("核查与处理结果", "What was found and done"),
                                    Some(&report.id),
                                )]),
                                inputs: Control::text_area("resolution", v.pick("核查与处理结果", "What was found and done"), &form.resolution)
                                    .required()
                                    .max_length(2000)
                                    .within(&report.id)
                                    .draw(lang, errors),
                            }))
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        @if query.notice == "closed" { (notice(v.pick("举报已办结。", "Report closed."))) }
        (list_section(ListSection {
            title,
            intro: None,
            before: html! {
                p class="actions" {
                    a href="/review/reports" { (v.pick("待处理", "Open")) }
                    a href="/review/reports?status=closed" { (v.pick("已办结", "Closed")) }
                }
            },
            list: listing(lang, PagerStyle::Counted, &page, Some(v.pick("没有举报。", "No reports.")), |to| format!("/review/reports?status={which}&page={to}"), rows),
        }))
    };
    Ok(session.render(status, title, body))
}

pub async fn reports(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<ReportsQuery>,
) -> Result<HttpResponse, PageError> {
    reports_page(&state, &session, &query, StatusCode::OK, None).await
}

pub async fn close_report(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<CloseForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let input = CloseInput {
        resolution: form.resolution.trim().to_owned(),
    };
    match fake_reports::close(&state, &session.actor, id.clone(), input).await {
        Ok(_) => Ok(session.visitor.redirect("/review/reports?notice=closed")),
        Err(ServiceError::Invalid(problems)) => {
            let typed = Some((id.as_str(), &form, FormErrors(problems)));
            let query = ReportsQuery::default();
            reports_page(
                &state,
                &session,
                &query,
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}
