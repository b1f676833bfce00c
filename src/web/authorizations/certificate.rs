//! `/authorizations/{id}/certificate`: the right's certificate, one printed A4 page (print
//! style sheet, no script) for the holder and staff. A right that is not active prints its
//! status across the page, so a copy kept after a suspension or revocation cannot pass for a
//! live one; the QR code opens the right's public verify page, which tells the truth of today.

use actix_web::{web, HttpResponse};
use maud::{html, PreEscaped};

use crate::domain::authorization::AuthorizationStatus;
use crate::service::certificate;
use crate::service::ServiceState;
use crate::web::components::print_document;
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::labels;
use crate::web::lang::Lang;
use crate::web::public::{verify_qr_svg, verify_url};
use crate::web::session::SignedIn;

/// A4 portrait with 18 mm margins; everything sized to stay on one sheet. On screen the sheet
/// is drawn on grey, as a print preview.
const STYLE: &str = r#"
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font: 12pt/1.5 "Songti SC", "Noto Serif CJK SC", "SimSun", serif; color: #1d1b16; background: #ddd; }
.sheet { position: relative; width: 210mm; height: 296mm; margin: 0 auto; padding: 18mm; background: #fff; overflow: hidden; }
.frame { border: 3px double #7a2e1d; height: 100%; padding: 12mm 12mm 8mm; display: flex; flex-direction: column; }
h1 { font-size: 24pt; text-align: center; letter-spacing: .3em; margin: 4mm 0 1mm; color: #7a2e1d; }
.subtitle { text-align: center; font-size: 10pt; color: #5f5b53; margin: 0 0 8mm; }
.registry { text-align: center; font-size: 14pt; margin: 0 0 8mm; }
.code { font-family: ui-monospace, Menlo, monospace; letter-spacing: .03em; }
table { width: 100%; border-collapse: collapse; font-size: 11.5pt; }
th { width: 34%; text-align: left; font-weight: normal; color: #5f5b53; padding: 2.2mm 2mm; border-bottom: 1px solid #e3ded3; vertical-align: top; }
td { padding: 2.2mm 2mm; border-bottom: 1px solid #e3ded3; vertical-align: top; }
.bottom { margin-top: auto; display: flex; justify-content: space-between; align-items: flex-end; gap: 8mm; }
.qr svg { width: 38mm; height: 38mm; display: block; }
.qr p { font-size: 8.5pt; margin: 1mm 0 0; color: #5f5b53; word-break: break-all; max-width: 60mm; }
.issuer { text-align: right; font-size: 11pt; }
.status-mark { position: absolute; left: 0; right: 0; top: 42%; text-align: center; font-size: 54pt; font-weight: 700; color: rgba(179, 38, 30, .45); transform: rotate(-24deg); letter-spacing: .15em; pointer-events: none; }
.status-note { color: #b3261e; font-weight: 700; }
.screen-only { text-align: center; padding: 6mm; font: 11pt system-ui, sans-serif; }
@media print {
  body { background: #fff; }
  .sheet { margin: 0; }
  .screen-only { display: none; }
}
"#;

/// What a right not active says across its certificate.
fn status_mark(lang: Lang, status: AuthorizationStatus) -> Option<&'static str> {
    match status {
        AuthorizationStatus::Active => None,
        AuthorizationStatus::Suspended => Some(lang.pick("已暂停使用", "SUSPENDED")),
        AuthorizationStatus::Revoked => Some(lang.pick("已撤销", "REVOKED")),
        AuthorizationStatus::Surrendered => Some(lang.pick("已注销", "SURRENDERED")),
    }
}

pub async fn certificate(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let c = certificate::certificate(&state, &session.actor, id.into_inner())
        .await
        .map_err(|e| session.error(e))?;
    let svg = verify_qr_svg(&state, &c.registry_no).map_err(|e| session.error(e))?;
    // The QR library writes an XML declaration before the `<svg>`: not wanted inside HTML.
    let svg = svg
        .find("<svg")
        .map_or(svg.as_str(), |at| &svg[at..])
        .to_owned();
    let lang = session.visitor.lang;
    let back = if session.actor.role.is_staff() {
        format!("/review/authorizations/{}", url_encode(&c.authorization_id))
    } else {
        "/authorizations".to_owned()
    };
    let title = format!(
        "{} {}",
        lang.pick("地理标志专用标志使用证书", "Certificate"),
        c.registry_no
    );
    let body = html! {
        p class="screen-only" {
            (lang.pick("用浏览器的“打印”即可打印本证书（A4 纵向）。", "Print this page from the browser (A4, portrait)."))
            " · " a href=(back) { (lang.pick("返回", "Back")) }
        }
        div class="sheet" data-testid="certificate" data-status=(c.status.as_str()) {
            @if let Some(mark) = status_mark(lang, c.status) {
                div class="status-mark" data-testid="status-mark" { (mark) }
            }
            div class="frame" {
                h1 { (lang.pick("地理标志专用标志使用证书", "GI Special Mark Certificate")) }
                p class="subtitle" {
                    (lang.pick(
                        "依据《地理标志专用标志使用管理办法（试行）》（国家知识产权局，2020年）核准",
                        "Granted under the CNIPA Measures for the Use of the GI Special Mark (2020)"
                    ))
                }
                p class="registry" {
                    (lang.pick("登记编号", "Registry no.")) " "
                    strong class="code" data-testid="registry-no" { (c.registry_no) }
                }
                table {
                    tr { th { (lang.pick("使用人（持有人）", "Holder")) } td data-testid="holder" { (c.holder_name) } }
                    tr { th { (lang.pick("统一社会信用代码", "Credit code")) } td class="code" data-testid="uscc" { (c.uscc) } }
                    tr { th { (lang.pick("法定代表人", "Legal representative")) } td { (c.legal_representative) } }
                    tr { th { (lang.pick("地理标志产品", "GI product")) } td data-testid="product" { (c.product_name_zh) " (" (c.product_name_en) ")" } }
                    tr {
                        th { (lang.pick("使用依据", "Basis")) }
                        td data-testid="basis" {
                            (labels::basis(lang, c.basis))
                            @if let Some(no) = &c.trademark_reg_no {
                                " · " (lang.pick("商标注册号 ", "trademark no. ")) span class="code" data-testid="trademark-no" { (no) }
                            }
                        }
                    }
                    tr {
                        th { (lang.pick("生产地域", "Production area")) }
                        td data-testid="production-area" {
                            (c.production_town)
                            @if !c.production_address.is_empty() { " · " (c.production_address) }
                            @if !c.protected_area.is_empty() {
                                br;
                                span style="font-size: 9.5pt; color: #5f5b53" { (lang.pick("保护范围：", "Protected area: ")) (c.protected_area) }
                            }
                        }
                    }
                    tr {
                        th { (lang.pick("核准公告", "Approval announcement")) }
                        td data-testid="announcement" { (c.announcement_no) " · " (c.announcement_date) }
                    }
                    tr { th { (lang.pick("核准时间", "Granted")) } td { (when(c.granted_at)) } }
                    tr {
                        th { (lang.pick("状态", "Status")) }
                        td data-testid="status" class=[(c.status != AuthorizationStatus::Active).then_some("status-note")] {
                            (labels::authorization_status(lang, c.status))
                            @if c.status != AuthorizationStatus::Active {
                                " (" (when(c.status_changed_at)) ")"
                            }
                        }
                    }
                }
                div class="bottom" {
                    div class="qr" data-testid="qr" {
                        (PreEscaped(svg))
                        p {
                            (lang.pick("扫码核验当前状态：", "Scan to verify its status today: "))
                            (verify_url(&state, &c.registry_no))
                        }
                    }
                    div class="issuer" {
                        p { (crate::web::office::current().office.name) }
                        p class="code" { (c.announcement_date) }
                    }
                }
            }
        }
    };
    Ok(session
        .visitor
        .keep_cookies(print_document(lang, &title, STYLE, body)))
}
