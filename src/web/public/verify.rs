//! `/verify/{code}`: the verdict a QR code points to, and the QR code itself.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use maud::html;

use super::report::{report_form, ReportForm};
use super::LangQuery;
use crate::domain::authorization::{AuthorizationStatus, Verdict};
use crate::domain::uscc;
use crate::service::public;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{back_link, public_page, right_status_tag};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::lang::Lang;
use crate::web::session::Visitor;

/// The verdict page for a credit code or registry number.
pub async fn verify(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    code: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_query(query.lang.as_deref());
    let code = code.into_inner();
    let shown = uscc::normalise(&code);
    let path = format!("/verify/{}", url_encode(&shown));
    let result = match public::verify(&state, code).await {
        Ok(found) => Some(found),
        Err(ServiceError::NotFound) => None,
        Err(other) => return Err(PageError::failed(lang, other)),
    };
    let status = if result.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
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
                }
                @if !found.authorizations.is_empty() {
                    section {
                        h2 { (lang.pick("授权信息", "Rights")) }
                        (crate::web::components::table(&cell_labels, None, true, html! {
                            @for right in &found.authorizations {
                                tr {
                                    td class="code" data-label=(cell_labels[0]) { (right.registry_no) }
                                    td data-label=(cell_labels[1]) { (right.product_name_zh) }
                                    td data-label=(cell_labels[2]) { (right_status_tag(lang, right.status)) }
                                    td data-label=(cell_labels[3]) { (right.announcement_no) " (" (right.announcement_date) ")" }
                                }
                            }
                        }))
                    }
                }
            }
        }
    };
    let home = format!("/{}", lang.query());
    let body = html! {
        (verdict_section)
        (report_form(lang, &shown, &visitor.csrf, &ReportForm::default(), None))
        (back_link(&home, lang.pick("‹ 返回查询", "‹ Back to search")))
    };
    let title = format!("{} {}", lang.pick("核验", "Verify"), shown);
    Ok(visitor.keep_cookies(public_page(lang, status, &title, &path, body)))
}

/// The absolute address of a verify page, for the QR code printed beside the mark: always
/// `GI_PUBLIC_URL` (or the listen address), never the request's `Host` or forwarded headers.
pub(crate) fn verify_url(state: &ServiceState, code: &str) -> String {
    let base = state
        .settings
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/');
    format!("{base}/verify/{}", url_encode(code))
}

/// The QR code (SVG) of the verify page of `code` (a credit code or registry number), at its
/// absolute address: what the QR image and the certificate print.
pub(crate) fn verify_qr_svg(state: &ServiceState, code: &str) -> Result<String, ServiceError> {
    let url = verify_url(state, code);
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("QR encoding failed: {e}")))?;
    Ok(qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
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
