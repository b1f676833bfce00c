//! `/review/watchlist`: rights with an overdue usage report or meeting the two-year non-use
//! ground.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::staff_only;
use crate::domain::usage::WatchReason;
use crate::service::paging::PageRequest;
use crate::service::usage::{self, WatchQuery};
use crate::service::ServiceState;
use crate::web::components::{pager, table, PageQuery, PagerStyle};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::lang::Lang;
use crate::web::session::SignedIn;

fn reason_text(lang: Lang, reason: &WatchReason) -> String {
    match reason {
        WatchReason::OverdueReport { year, due } => match lang {
            Lang::Zh => format!("{year} 年度使用报告逾期未交（应于 {due} 前提交）"),
            Lang::En => format!("usage report for {year} overdue (due {due})"),
        },
        WatchReason::NoMarksUsed { years: [a, b] } => match lang {
            Lang::Zh => format!("{a}、{b} 连续两年报告未使用专用标志"),
            Lang::En => format!("reported no marks used in {a} and {b}"),
        },
        WatchReason::NoReports { years: [a, b] } => match lang {
            Lang::Zh => format!("{a}、{b} 连续两年未提交使用报告"),
            Lang::En => format!("no usage report for {a} or {b}"),
        },
    }
}

/// Rights with an overdue usage report or meeting the two-year non-use ground.
pub async fn watchlist(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let page = usage::watchlist(&state, &session.actor, WatchQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let title = v.pick("监管名单", "Watchlist");
    let headers = [
        v.pick("企业", "Enterprise"),
        v.pick("登记编号", "Registry no."),
        v.pick("原因", "Why"),
    ];
    let body = html! {
        section {
            h2 { (title) }
            p class="muted" {
                (v.pick(
                    "使用报告逾期，或连续两年未使用专用标志（可依法撤销）的授权。",
                    "Rights with an overdue usage report, or two years without use (grounds for revocation)."
                ))
            }
            @if page.items.is_empty() {
                p { (v.pick("名单为空。", "Nobody is on the watchlist.")) }
            } @else {
                (table(&headers, Some("watchlist"), false, html! {
                    @for entry in &page.items {
                        tr {
                            td { (entry.enterprise_name) div class="code muted" { (entry.uscc) } }
                            td class="code" {
                                a href={ "/review/authorizations/" (url_encode(&entry.authorization_id)) } { (entry.registry_no) }
                            }
                            td {
                                ul { @for r in &entry.reasons { li { (reason_text(lang, r)) } } }
                                @if entry.non_use_ground {
                                    p class="overdue" { (v.pick("符合连续两年未使用的撤销条件", "Meets the two-year non-use ground")) }
                                }
                            }
                        }
                    }
                }))
                (pager(lang, PagerStyle::Counted, page.page, page.per_page, page.total,
                    |to| format!("/review/watchlist?page={to}")))
            }
        }
    };
    Ok(session.render(StatusCode::OK, title, body))
}
