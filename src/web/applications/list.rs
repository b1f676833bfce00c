//! `/applications`: a producer's applications, newest first.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::products_of;
use crate::domain::roles::Role;
use crate::service::applications::{self, ApplicationQuery, ApplicationSummary};
use crate::service::paging::PageRequest;
use crate::service::ServiceState;
use crate::web::components::{
    application_status_tag, case_number, due_date, list_section, listing, table, ListSection,
    PageQuery, PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::labels;
use crate::web::session::SignedIn;

pub async fn my_applications(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Ok(session.visitor.redirect("/review"));
    }
    let v = &session.visitor;
    let lang = v.lang;
    let paging = PageRequest {
        page: query.page,
        per_page: Some(20),
    };
    let page = applications::list(&state, &session.actor, ApplicationQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let products = products_of(&state, &session).await?;
    let title = v.pick("我的申请", "My applications");
    let headers = [
        v.pick("产品", "Product"),
        v.pick("受理编号", "Case no."),
        v.pick("状态", "Status"),
        v.pick("办理期限", "Due by"),
        v.pick("创建时间", "Started"),
    ];
    let empty = v.pick(
        "还没有申请。点击上方按钮开始，可以随时保存草稿。",
        "No applications yet. Start with the button above; drafts are kept until you submit.",
    );
    let rows = |items: &[ApplicationSummary]| {
        table(
            &headers,
            None,
            false,
            html! {
                @for item in items {
                    tr {
                        td {
                            a href={ "/applications/" (url_encode(&item.id)) } {
                                (labels::product_of(lang, &products, &item.product_code))
                            }
                        }
                        td { (case_number(item.application_no.as_deref())) }
                        td { (application_status_tag(lang, item.status)) }
                        td { (due_date(lang, item.current_step_due, item.overdue)) }
                        td { (when(item.created_at)) }
                    }
                }
            },
        )
    };
    let body = list_section(ListSection {
        title,
        intro: None,
        before: html! {
            p {
                a class="button" href="/applications/new" data-testid="new-application" {
                    (v.pick("＋ 申请使用专用标志", "+ Apply to use the special mark"))
                }
                " "
                a href="/guide" data-testid="guide-before-applying" {
                    (v.pick("申请前请阅读办事指南", "Read the service guide before applying"))
                }
            }
        },
        list: listing(
            lang,
            PagerStyle::Counted,
            &page,
            Some(empty),
            |to| format!("/applications?page={to}"),
            rows,
        ),
    });
    Ok(session.render(StatusCode::OK, title, body))
}
