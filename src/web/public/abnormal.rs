//! `/abnormal`: the abnormal-use list (使用异常名录), from the register in memory.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::service::abnormal::{self, AbnormalQuery, AbnormalUserView};
use crate::service::paging::PageRequest;
use crate::service::ServiceState;
use crate::web::components::{
    back_link, list_section, listing, public_page, table, ListSection, PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::when;
use crate::web::lang::Lang;

#[derive(Debug, Deserialize)]
pub struct AbnormalPageQuery {
    lang: Option<String>,
    page: Option<i64>,
    include_removed: Option<bool>,
}

pub async fn abnormal_list(
    state: web::Data<ServiceState>,
    query: web::Query<AbnormalPageQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_query(query.lang.as_deref());
    let include_removed = query.include_removed.unwrap_or(false);
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let list = abnormal::public_list(
        &state,
        AbnormalQuery {
            include_removed: Some(include_removed),
        },
        paging,
    )
    .await
    .map_err(|e| PageError::failed(lang, e))?;
    let title = lang.pick("使用异常名录", "Abnormal-use list");
    let labels = [
        lang.pick("登记编号", "Registry no."),
        lang.pick("企业", "Enterprise"),
        lang.pick("事由", "Ground"),
        lang.pick("列入时间", "Listed"),
        lang.pick("整改期限", "Correct by"),
        lang.pick("移出时间", "Removed"),
    ];
    let en = if lang.zh() { "" } else { "&lang=en" };
    let link =
        move |page: i64| format!("/abnormal?page={page}&include_removed={include_removed}{en}");
    let rows = |items: &[AbnormalUserView]| {
        table(
            &labels,
            Some("abnormal-list"),
            true,
            html! {
                @for e in items {
                    tr {
                        td class="code" data-label=(labels[0]) { a href={ "/verify/" (e.registry_no) } { (e.registry_no) } }
                        td data-label=(labels[1]) { (e.enterprise_name) br; span class="code" { (e.uscc) } }
                        td data-label=(labels[2]) data-reason=(e.reason.as_str()) { (lang.pick(e.reason.label_zh(), e.reason.label_en())) }
                        td data-label=(labels[3]) { (when(e.listed_at)) }
                        td data-label=(labels[4]) { (e.correct_by) }
                        td data-label=(labels[5]) { @if let Some(at) = e.removed_at { (when(at)) } @else { "—" } }
                    }
                }
            },
        )
    };
    let section = list_section(ListSection {
        title,
        intro: Some(lang.pick(
            "依据《广东省地理标志条例》第十五条公示。列入名录的企业仍为授权使用人。",
            "Published under Art. 15 of the Guangdong GI Regulations. A listed enterprise still holds its right.",
        )),
        before: html! {
            p {
                @if include_removed {
                    a href={ "/abnormal?include_removed=false" (en) } { (lang.pick("只看当前列入", "Current entries only")) }
                } @else {
                    a href={ "/abnormal?include_removed=true" (en) } { (lang.pick("包括已移出", "Include removed entries")) }
                }
                " · "
                a href={ "/api/v1/public/abnormal-users.csv?include_removed=" (include_removed) } { "CSV" }
            }
        },
        list: listing(lang, PagerStyle::Public, &list, None, link, rows),
    });
    let body = html! {
        (section)
        (back_link(&format!("/{}", lang.query()), lang.pick("‹ 返回查询", "‹ Back to search")))
    };
    Ok(public_page(lang, StatusCode::OK, title, "/abnormal", body))
}
