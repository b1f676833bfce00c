//! `/announcements`: the approval announcements (核准公告) the register rests on, newest
//! first, each with the rights it granted, the changes of holders' details it recorded, and
//! their CSVs.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use crate::service::announcements;
use crate::service::ServiceState;
use crate::web::components::{public_page, right_status_tag, table};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::session::Visitor;

pub async fn announcements(
    state: web::Data<ServiceState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let lang = visitor.lang;
    let list = announcements::announcements(&state)
        .await
        .map_err(|e| PageError::failed(lang, e))?;
    let headers = [
        lang.pick("登记编号", "Registry no."),
        lang.pick("企业名称", "Enterprise"),
        lang.pick("统一社会信用代码", "Credit code"),
        lang.pick("产品", "Product"),
        lang.pick("当前状态", "Status today"),
    ];
    let change_headers = [
        lang.pick("统一社会信用代码", "Credit code"),
        lang.pick("变更事项", "Changed"),
        lang.pick("登记编号", "Registry no."),
    ];
    let body = html! {
        section {
            h2 { (lang.pick("核准公告", "Approval announcements")) }
            p class="muted" {
                (lang.pick(
                    "每份公告核准的专用标志使用企业及其记载的企业信息变更，最新的在前。状态为今天的状态：公告后被暂停或撤销的也列出。",
                    "The users of the special mark each announcement approved, and the changes of holders' details it recorded, newest first. The status is today's: rights suspended or ended since are listed too."
                ))
            }
            @if list.is_empty() {
                p data-testid="no-announcements" { (lang.pick("尚无公告。", "No announcement yet.")) }
            }
        }
        @for a in &list {
            section data-announcement=(a.announcement_no) {
                h2 { (a.announcement_no) " " span class="muted" { (a.announcement_date) } }
                @if !a.rights.is_empty() {
                (table(&headers, None, true, html! {
                    @for r in &a.rights {
                        tr {
                            td data-label=(headers[0]) { a class="code" href={ "/verify/" (url_encode(&r.registry_no)) (lang.query()) } { (r.registry_no) } }
                            td data-label=(headers[1]) { (r.enterprise_name) }
                            td data-label=(headers[2]) class="code" { (r.uscc) }
                            td data-label=(headers[3]) { (r.product_name_zh) }
                            td data-label=(headers[4]) { (right_status_tag(lang, r.status)) }
                        }
                    }
                }))
                p {
                    a href={ "/api/v1/public/announcements/" (url_encode(&a.announcement_no)) "/rights.csv" } download {
                        (lang.pick("下载本公告名单（CSV）", "Download this announcement's list (CSV)"))
                    }
                }
                }
                @if !a.changes.is_empty() {
                    h3 { (lang.pick("变更事项", "Changes of holders' details")) }
                    (table(&change_headers, Some("announced-changes"), true, html! {
                        @for c in &a.changes {
                            tr data-uscc=(c.uscc) {
                                td data-label=(change_headers[0]) class="code" { (c.uscc) }
                                td data-label=(change_headers[1]) {
                                    ul {
                                        @for (label, detail) in [
                                            (lang.pick("名称", "Name"), &c.name),
                                            (lang.pick("住所", "Address"), &c.address),
                                            (lang.pick("法定代表人", "Legal representative"), &c.legal_representative),
                                        ] {
                                            @if let Some(d) = detail {
                                                li { (label) (lang.pick("：", ": ")) del { (d.from) } " → " ins { (d.to) } }
                                            }
                                        }
                                    }
                                }
                                td data-label=(change_headers[2]) {
                                    @for no in &c.registry_nos {
                                        a class="code" href={ "/verify/" (url_encode(no)) (lang.query()) } { (no) } " "
                                    }
                                }
                            }
                        }
                    }))
                    p {
                        a href={ "/api/v1/public/announcements/" (url_encode(&a.announcement_no)) "/changes.csv" } download {
                            (lang.pick("下载本公告变更事项（CSV）", "Download this announcement's changes (CSV)"))
                        }
                    }
                }
            }
        }
    };
    let title = lang.pick("核准公告", "Approval announcements");
    Ok(visitor.keep_cookies(public_page(
        lang,
        StatusCode::OK,
        title,
        "/announcements",
        body,
    )))
}
