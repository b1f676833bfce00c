//! A batch's codes: the CSV for the label printer, and print sheets of QR codes (A4, 40 a
//! sheet, each QR code with its code written under it for typing).

use actix_web::{web, HttpResponse};
use maud::{html, PreEscaped};
use serde::Deserialize;

use crate::domain::labels::code::grouped;
use crate::service::labels::issue;
use crate::service::ServiceState;
use crate::web::components::print_document;
use crate::web::errors::PageError;
use crate::web::format::{qr_code_svg, url_encode};
use crate::web::session::SignedIn;

/// Labels on one A4 sheet (5 across, 8 down), and sheets drawn per request: a QR code is
/// a few kilobytes of SVG, so a batch of 100,000 prints in parts.
const PER_SHEET: usize = 40;
const SHEETS_PER_PAGE: usize = 5;

const STYLE: &str = r#"
@page { size: A4; margin: 8mm; }
* { box-sizing: border-box; }
body { margin: 0; font: 9pt system-ui, sans-serif; color: #1d1b16; }
.sheet { display: grid; grid-template-columns: repeat(5, 1fr); gap: 2mm; page-break-after: always; break-after: page; }
.label { border: 1px dashed #bbb; padding: 2mm; text-align: center; height: 33mm; }
.label svg { width: 24mm; height: 24mm; display: block; margin: 0 auto; }
.label p { margin: .5mm 0 0; font-family: ui-monospace, Menlo, monospace; font-size: 7pt; letter-spacing: .02em; }
.screen-only { padding: 4mm; }
@media print { .screen-only { display: none; } }
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SheetQuery {
    /// Which part of the batch (from 1), [`SHEETS_PER_PAGE`] sheets each.
    part: Option<usize>,
}

pub async fn codes_csv(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let codes = issue::batch_codes(&state, &session.actor, id.into_inner())
        .await
        .map_err(|e| session.error(e))?;
    Ok(crate::http::download::label_codes_response(&codes))
}

pub async fn print_sheet(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    query: web::Query<SheetQuery>,
) -> Result<HttpResponse, PageError> {
    let v = &session.visitor;
    let id = id.into_inner();
    let codes = issue::batch_codes(&state, &session.actor, id.clone())
        .await
        .map_err(|e| session.error(e))?;
    let per_part = PER_SHEET * SHEETS_PER_PAGE;
    let parts = codes.codes.len().div_ceil(per_part).max(1);
    let part = query.part.unwrap_or(1).clamp(1, parts);
    let shown = &codes.codes
        [((part - 1) * per_part).min(codes.codes.len())..(part * per_part).min(codes.codes.len())];
    let mut sheets = Vec::new();
    for sheet in shown.chunks(PER_SHEET) {
        let mut cells = Vec::with_capacity(sheet.len());
        for (code, url) in sheet {
            cells.push((
                grouped(code),
                qr_code_svg(url, 96).map_err(|e| session.error(e))?,
            ));
        }
        sheets.push(cells);
    }
    let link = |to: usize| format!("/label-batches/{}/sheet?part={to}", url_encode(&id));
    let title = format!(
        "{} {}",
        v.pick("标签二维码", "Label QR codes"),
        codes.batch.batch_no
    );
    let body = html! {
        div class="screen-only" {
            p {
                strong { (codes.batch.batch_no) } " · " (codes.registry_no) " · "
                (v.pick("第 ", "part ")) (part) " / " (parts)
                (v.pick(" 部分，每部分 ", ", ")) (per_part) (v.pick(" 枚", " labels a part"))
            }
            p {
                @if part > 1 { a href=(link(part - 1)) { (v.pick("‹ 上一部分", "‹ Previous part")) } " " }
                @if part < parts { a href=(link(part + 1)) { (v.pick("下一部分 ›", "Next part ›")) } }
            }
        }
        @for sheet in &sheets {
            div class="sheet" {
                @for (code, svg) in sheet {
                    div class="label" data-code=(code) {
                        (PreEscaped(svg))
                        p { (code) }
                    }
                }
            }
        }
    };
    Ok(print_document(v.lang, &title, STYLE, body))
}
