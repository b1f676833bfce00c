//! `/verify/{code}`: the verdict a QR code points to, and the QR code itself.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use maud::html;

use super::report::{report_form, ReportForm};
use crate::domain::authorization::{AuthorizationStatus, Verdict};
use crate::domain::uscc;
use crate::service::public;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{back_link, field_errors, public_page, right_status_tag, FormErrors};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::session::Visitor;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct VerifyPageQuery {
    /// "查询历史状态": the verdict at the end of this day.
    as_of: Option<String>,
}

/// The verdict page for a credit code or registry number, now or as of a day.
pub async fn verify(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    code: web::Path<String>,
    query: web::Query<VerifyPageQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor.lang;
    let code = code.into_inner();
    let shown = uscc::normalise(&code);
    let path = format!("/verify/{}", url_encode(&shown));
    let as_of = query
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let mut date_errors = FormErrors::default();
    let result = match public::verify_as_of(&state, code.clone(), as_of).await {
        Ok(found) => Some(found),
        Err(ServiceError::NotFound) => None,
        // A bad date: today's verdict, with the problem beside the date field.
        Err(ServiceError::Invalid(problems)) => {
            date_errors = FormErrors(problems);
            public::verify(&state, code).await.ok()
        }
        Err(other) => return Err(PageError::failed(lang, other)),
    };
    let products = &public::reference(&state).products;
    let status = match (&result, date_errors.0.is_empty()) {
        (_, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (Some(_), true) => StatusCode::OK,
        (None, true) => StatusCode::NOT_FOUND,
    };
    let cell_labels = [
        lang.pick("登记编号", "Registry no."),
        lang.pick("产品", "Product"),
        lang.pick("状态", "Status"),
        lang.pick("核准公告", "Announcement"),
    ];
    let verdict_section = match &result {
        None => html! {
            section class="verdict not_found" data-verdict="not_found" {
                div class="mark" aria-hidden="true" { "?" }
                h2 { (lang.pick("未找到该代码对应的企业", "No enterprise found for this code")) }
                p class="code" { (shown) }
                p { (lang.pick("请核对代码。标有此代码的产品可能未获授权使用地理标志专用标志。", "Check the code. A product carrying it may not be authorized to use the GI special mark.")) }
            }
        },
        Some(found) => {
            let statuses: Vec<AuthorizationStatus> =
                found.authorizations.iter().map(|a| a.status).collect();
            let verdict = Verdict::of(&statuses);
            let (mark, headline) = match verdict {
                Verdict::Authorized => (
                    "✓",
                    lang.pick(
                        "已获准使用地理标志专用标志",
                        "Authorized to use the GI special mark",
                    ),
                ),
                Verdict::Suspended => ("!", lang.pick("使用资格已暂停", "Authorization suspended")),
                Verdict::Revoked => (
                    "✗",
                    lang.pick(
                        "使用资格已撤销或注销",
                        "Authorization revoked or surrendered",
                    ),
                ),
                Verdict::NotAuthorized => (
                    "✗",
                    lang.pick(
                        "未获准使用地理标志专用标志",
                        "Not authorized to use the GI special mark",
                    ),
                ),
            };
            html! {
                section class={ "verdict " (verdict.as_str()) } data-verdict=(verdict.as_str()) {
                    div class="mark" aria-hidden="true" { (mark) }
                    h2 { (headline) }
                    p class="name" { (found.enterprise_name) }
                    @if let Some(former) = &found.former_name {
                        p class="former-name" data-testid="former-name" {
                            (lang.pick("曾用名：", "Formerly: ")) (former)
                            @if let Some(at) = found.renamed_at {
                                " (" (lang.pick("变更于 ", "renamed ")) (at.format("%Y-%m-%d").to_string()) ")"
                            }
                        }
                    }
                    p class="code" { (found.uscc) }
                    @if let Some(day) = found.as_of {
                        p class="muted" data-testid="as-of-day" {
                            (lang.pick("截至", "As it stood at the end of ")) (day.to_string())
                            (lang.pick(" 日终（北京时间）的状态", " (Beijing time)"))
                        }
                    }
                }
                @if !found.authorizations.is_empty() {
                    section {
                        h2 { (lang.pick("授权信息", "Rights")) }
                        (crate::web::components::table(&cell_labels, None, true, html! {
                            @for right in &found.authorizations {
                                tr {
                                    td class="code" data-label=(cell_labels[0]) { (right.registry_no) }
                                    td data-label=(cell_labels[1]) { (labels::product_of(lang, products, &right.product_code)) }
                                    td data-label=(cell_labels[2]) {
                                        (right_status_tag(lang, right.status))
                                        @for listing in &right.abnormal_listings {
                                            p class="error" data-testid="abnormal" {
                                                (lang.pick("列入使用异常名录", "On the abnormal-use list")) "："
                                                (lang.pick(listing.reason.label_zh(), listing.reason.label_en()))
                                                " · " (lang.pick("列入", "listed ")) (crate::web::format::when(listing.listed_at))
                                                " · " (lang.pick("整改期限 ", "correct by ")) (listing.correct_by)
                                            }
                                        }
                                    }
                                    td data-label=(cell_labels[3]) { (right.announcement_no) " (" (right.announcement_date) ")" }
                                }
                            }
                        }))
                        h2 { (lang.pick("标签应标注", "What the label must carry")) }
                        @for right in &found.authorizations {
                            div data-testid="label-must-carry" {
                                p { strong { (right.registry_no) " · " (right.product_name_zh) } }
                                ul {
                                    @for item in &right.label_must_carry {
                                        li data-item=(item.item) {
                                            (lang.pick(&item.text_zh, &item.text_en))
                                            @if let Some(value) = &item.value { "：" span class="code" { (value) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let home = format!("/{}", lang.query());
    let typed_day = query.as_of.clone().unwrap_or_default();
    let history_form = html! {
        form method="get" action=(path) class="search" data-testid="as-of" {
            @if !lang.zh() { input type="hidden" name="lang" value="en"; }
            label for="as_of" style="flex-basis:100%" { (lang.pick("查询历史状态", "Status on a past day")) }
            input id="as_of" type="date" name="as_of" value=(typed_day)
                aria-describedby=[date_errors.has("as_of").then_some("as_of-error")];
            button type="submit" { (lang.pick("查询", "Check")) }
            (field_errors(lang, &date_errors, "as_of", "as_of"))
        }
    };
    let body = html! {
        (verdict_section)
        (history_form)
        (report_form(lang, &shown, &visitor.csrf, &ReportForm::default(), None))
        (back_link(&home, lang.pick("‹ 返回查询", "‹ Back to search")))
    };
    let title = format!("{} {}", lang.pick("核验", "Verify"), shown);
    Ok(visitor.keep_cookies(public_page(lang, status, &title, &path, body)))
}

/// The absolute address of a verify page, for the QR code printed beside the mark: always
/// `GI_PUBLIC_URL` (or the listen address), never the request's `Host` or forwarded headers.
pub(crate) fn verify_url(state: &ServiceState, code: &str) -> String {
    let base = state.settings.public_base();
    format!("{base}/verify/{}", url_encode(code))
}

/// The QR code (SVG) of the verify page of `code` (a credit code or registry number), at its
/// absolute address: what the QR image and the certificate print.
pub(crate) fn verify_qr_svg(state: &ServiceState, code: &str) -> Result<String, ServiceError> {
    crate::web::format::qr_code_svg(&verify_url(state, code), 240)
}

/// A QR code (SVG) of the verify page's absolute address.
pub async fn qr_code(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let code = uscc::normalise(&code);
    if !uscc::is_plausible_lookup(&code) {
        return Err(visitor.error(ServiceError::NotFound));
    }
    let svg = verify_qr_svg(&state, &code).map_err(|e| visitor.error(e))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(svg))
}
