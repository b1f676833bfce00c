//! Downloads: a stored document, and the staff exports as CSV and XLSX.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::csv::{csv_line, with_bom};
use crate::domain::eligibility::extension_of;
use crate::domain::text::download_filename;
use crate::service::applications::AttachmentView;
use crate::service::exports::{Cell, HEADERS};
use crate::service::ServiceError;

/// A stored document as a download, never rendered inline by the browser. The name ends in
/// the extension of the sniffed type (RFC 6266: an ASCII `filename` for old clients, the
/// UTF-8 name in `filename*` as RFC 5987 encodes it).
pub fn document_response(attachment: AttachmentView, bytes: Vec<u8>) -> HttpResponse {
    file_response(&attachment.filename, &attachment.content_type, bytes)
}

/// A stored file named `filename` of the sniffed `content_type` as a download, as
/// [`document_response`] (a change request's documents use it too).
pub fn file_response(filename: &str, content_type: &str, bytes: Vec<u8>) -> HttpResponse {
    let name = download_filename(filename, extension_of(content_type));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![
            header::DispositionParam::Filename(ascii),
            header::DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
}

fn attachment(name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

/// The rows as a workbook download (also the export page's).
pub async fn xlsx_response(rows: Vec<Vec<Cell>>) -> Result<HttpResponse, ServiceError> {
    let bytes = web::block(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("授权企业")?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (column, title) in HEADERS.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        }
        for (index, row) in rows.iter().enumerate() {
            let line = index as u32 + 1;
            for (column, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(text) => sheet.write_string(line, column as u16, text)?,
                    Cell::Number(number) => sheet.write_number(line, column as u16, *number)?,
                    Cell::Empty => sheet,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        workbook.save_to_buffer()
    })
    .await
    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("export task failed: {e}")))?
    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("cannot write the workbook: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ))
        .insert_header(attachment("authorizations.xlsx"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// The rows as a CSV download (also the export page's).
pub fn csv_response(rows: &[Vec<Cell>]) -> HttpResponse {
    let mut body = with_bom(&HEADERS);
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(text) => text.clone(),
                Cell::Number(number) => number.to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        body.push_str(&csv_line(
            &cells.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header(attachment("authorizations.csv"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body)
}

/// A batch's codes for the label printer: `code,url` per label, plain ASCII (no BOM).
pub fn label_codes_response(codes: &crate::service::labels::issue::BatchCodes) -> HttpResponse {
    let mut body = String::with_capacity(16 + codes.codes.len() * 64);
    body.push_str("code,url\r\n");
    for (code, url) in &codes.codes {
        body.push_str(&crate::http::csv::csv_line(&[code, url]));
    }
    HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_TYPE,
            "text/csv; charset=utf-8",
        ))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"labels-{}.csv\"",
                codes.batch.batch_no
            ),
        ))
        .body(body)
}
