//! `/review`: applications waiting for staff, the most urgent first, with days in state.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::staff_only;
use crate::domain::roles::Role;
use crate::domain::workflow::ApplicationStatus;
use crate::service::applications::{self, ApplicationQuery, ApplicationSummary};
use crate::service::paging::PageRequest;
use crate::service::{public, ServiceState};
use crate::web::components::{
    case_number, due_date, filtered, list_section, listing, status_and_product_filter, table,
    FilterQuery, ListSection, PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::session::SignedIn;

/// The queue: applications waiting for staff, the most urgent first, with days in state.
pub async fn queue(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role == Role::Applicant {
        return Ok(session.visitor.redirect("/applications"));
    }
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let query = query.into_inner();
    let products = public::products(&state)
        .await
        .map_err(|e| session.error(e))?;
    let filter = ApplicationQuery {
        status: query.status(),
        product: query.product(),
        sort: Some("urgency".into()),
        waiting_for_staff: true,
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let listed = applications::list(&state, &session.actor, filter, paging).await;
    let (page, errors) = filtered(listed).map_err(|e| session.error(e))?;

    // What waits for staff first, then the other states.
    let waiting = ApplicationStatus::WAITING_FOR_STAFF;
    let statuses = labels::choices(
        v.pick(
            "待办（已提交、审查中、已推荐）",
            "Waiting (submitted, under review, recommended)",
        ),
        waiting.iter().copied().chain(
            ApplicationStatus::ALL
                .iter()
                .copied()
                .filter(|s| !waiting.contains(s)),
        ),
        ApplicationStatus::as_str,
        |s| labels::application_status(lang, s),
    );
    let title = v.pick("审查队列", "Review queue");
    let headers = [
        v.pick("企业", "Enterprise"),
        v.pick("产品", "Product"),
        v.pick("状态", "Status"),
        v.pick("已停留（天）", "Days in state"),
        v.pick("办理期限", "Due"),
    ];
    let rows = |items: &[ApplicationSummary]| {
        table(
            &headers,
            Some("queue"),
            true,
            html! {
                @for item in items {
                    tr data-id=(item.id) {
                        td {
                            a href={ "/review/" (url_encode(&item.id)) } { (item.enterprise.name) }
                            div class="code muted" { (item.enterprise.uscc) }
                            div class="muted" { (case_number(item.application_no.as_deref())) }
                        }
                        td data-label=(headers[1]) { (labels::product_of(lang, &products, &item.product_code)) }
                        td data-label=(headers[2]) { (labels::application_status(lang, item.status)) }
                        td data-label=(headers[3]) { (item.days_in_state) }
                        td data-label=(headers[4]) {
                            (due_date(lang, item.current_step_due, item.overdue))
                        }
                    }
                }
            },
        )
    };
    let link = |to| query.page_link("/review", to);
    let empty = v.pick("没有待办的申请。", "Nothing waiting.");
    let body = list_section(ListSection {
        title,
        intro: Some(v.pick(
            "按紧急程度排列：当前环节（受理、审查、审批）期限最早的在前，其次是等待最久的。",
            "Most urgent first: the earliest deadline of the current step (acceptance, review, approval), then the longest waiting.",
        )),
        before: html! {
            @if session.actor.role.may_review() {
                p {
                    a href="/review/enterprises/new" data-testid="window-registration" { (v.pick("窗口登记企业", "Register an enterprise at the window")) }
                    " · "
                    a href="/review/enterprise-changes" data-testid="enterprise-changes" { (v.pick("企业信息变更", "Changes of holders' details")) }
                }
            }
            (status_and_product_filter(lang, "/review", (&query.status, &query.product), statuses, &products, &errors))
        },
        list: page.as_ref().map_or_else(
            || html! {},
            |page| listing(lang, PagerStyle::Counted, page, Some(empty), link, rows),
        ),
    });
    Ok(session.render(StatusCode::OK, title, body))
}
