//! `/l/{code}`: what the QR code on one printed label opens. Genuine or never issued; for a
//! genuine label the right, the holder, the batch, how often this code was checked, and a
//! warning (a code checked too often may have been copied; a right not active) with the
//! report-a-fake form one tap away.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use maud::html;

use super::report::{report_form, ReportForm};
use crate::domain::labels::code::grouped;
use crate::domain::labels::LabelWarning;
use crate::service::labels::lookup;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{back_link, public_page, right_status_tag};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::labels;
use crate::web::session::Visitor;

/// Characters of a typed code shown back on the "never issued" page.
const SHOWN_CHARS: usize = 40;

pub async fn label(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor.lang;
    let typed: String = code.trim().chars().take(SHOWN_CHARS).collect();
    let path = format!("/l/{}", url_encode(&typed));
    let (status, section, report_code) = match lookup::scan(&state, &typed) {
        Ok(label) => {
            let products = &crate::service::public::reference(&state).products;
            let (class, mark, headline) = match label.warning {
                None => (
                    "authorized",
                    "✓",
                    lang.pick(
                        "正品标签：已获准使用地理标志专用标志",
                        "Genuine label: authorized to use the GI special mark",
                    ),
                ),
                Some(LabelWarning::ManyScans) => (
                    "suspended",
                    "!",
                    lang.pick(
                        "此标签码已被多次查验，可能被复制",
                        "This label's code was checked many times: it may have been copied",
                    ),
                ),
                Some(LabelWarning::RightNotActive) => (
                    "revoked",
                    "✗",
                    lang.pick(
                        "此标签所属授权目前无效",
                        "The right behind this label is not in force",
                    ),
                ),
            };
            let section = html! {
                section class={ "verdict " (class) } data-verdict=(class) data-testid="label"
                    data-genuine="true" data-warning=(label.warning.map_or("none", |w| match w {
                        LabelWarning::ManyScans => "many_scans",
                        LabelWarning::RightNotActive => "right_not_active",
                    })) {
                    div class="mark" aria-hidden="true" { (mark) }
                    h2 { (headline) }
                    p class="name" { (label.enterprise_name) }
                    p class="code" { (grouped(&label.code)) }
                    dl class="facts" {
                        dt { (lang.pick("产品", "Product")) }
                        dd { (labels::product_of(lang, products, &label.product_code)) }
                        dt { (lang.pick("登记编号", "Registry no.")) }
                        dd class="code" {
                            a href={ "/verify/" (url_encode(&label.registry_no)) (lang.query()) } { (label.registry_no) }
                        }
                        dt { (lang.pick("授权状态", "Right")) }
                        dd { (right_status_tag(lang, label.right_status)) }
                        dt { (lang.pick("批次", "Batch")) }
                        dd { span class="code" { (label.batch_no) } " · " (lang.pick("发放于 ", "issued ")) (when(label.issued_at)) }
                        dt { (lang.pick("查验次数", "Checks")) }
                        dd data-testid="scans" data-scans=(label.scans) {
                            (label.scans)
                            @if let Some(first) = label.first_scanned_at {
                                span class="muted" { " · " (lang.pick("首次查验 ", "first ")) (when(first)) }
                            }
                        }
                    }
                    @match label.warning {
                        Some(LabelWarning::ManyScans) => {
                            p role="alert" data-testid="many-scans" {
                                (lang.pick(
                                    &format!("此码已被查验 {} 次（超过 {} 次）。若您是第一次扫描这件商品，它可能是仿冒品。", label.scans, label.scan_warning),
                                    &format!("This code was checked {} times (more than {}). If this is the first time you scan this item, it may be a copy.", label.scans, label.scan_warning),
                                ))
                            }
                        }
                        Some(LabelWarning::RightNotActive) => {
                            p role="alert" {
                                (lang.pick("该企业目前不得使用地理标志专用标志。", "The holder may not use the GI special mark at present."))
                            }
                        }
                        None => {}
                    }
                    @if label.warning.is_some() {
                        p { a class="button" href="#report-title" data-testid="report-link" { (lang.pick("举报疑似假冒", "Report a suspected fake")) } }
                    }
                }
            };
            (StatusCode::OK, section, label.code)
        }
        Err(ServiceError::NotFound) => {
            let section = html! {
                section class="verdict not_found" data-verdict="not_found" data-testid="label" data-genuine="false" {
                    div class="mark" aria-hidden="true" { "✗" }
                    h2 { (lang.pick("此标签码从未发放", "This label code was never issued")) }
                    p class="code" { (typed) }
                    p {
                        (lang.pick(
                            "登记机关从未发放过此标签码。请核对输入；扫码得到此结果的商品可能是仿冒品。",
                            "The registry never issued this code. Check what you typed; an item whose QR code leads here may be a fake.",
                        ))
                    }
                }
            };
            (StatusCode::NOT_FOUND, section, typed.clone())
        }
        Err(other) => return Err(PageError::failed(lang, other)),
    };
    let home = format!("/{}", lang.query());
    let body = html! {
        (section)
        (report_form(lang, &report_code, &visitor.csrf, &ReportForm::default(), None))
        (back_link(&home, lang.pick("‹ 返回查询", "‹ Back to search")))
    };
    let title = lang.pick("标签查验", "Label check");
    let mut response = visitor.keep_cookies(public_page(lang, status, title, &path, body));
    // Each answer counts a scan: never from a cache.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
