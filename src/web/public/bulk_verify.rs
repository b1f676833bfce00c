//! `/verify/bulk`: an officer or buyer pastes codes or uploads a CSV, and downloads one CSV of
//! verdicts in the same order — the same use case as `POST /api/v1/public/bulk-verify`. The
//! form changes nothing, so it carries no CSRF token.

use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::LangQuery;
use crate::domain::{FieldError, Localized};
use crate::http::csv::{bulk_verify_csv, codes_of};
use crate::http::upload::{read_upload_fields, UploadError};
use crate::service::bulk_verify::{bulk_verify, BULK_VERIFY_LIMIT};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{back_link, field_errors, public_page, FormErrors};
use crate::web::errors::PageError;
use crate::web::lang::Lang;

fn form_page(lang: Lang, status: StatusCode, typed: &str, errors: &FormErrors) -> HttpResponse {
    let title = lang.pick("批量核验", "Bulk verify");
    let described = |field: &str, id: &str| errors.has(field).then(|| format!("{id}-error"));
    let body = html! {
        section {
            h2 { (title) }
            p class="muted" {
                (lang.pick(
                    &format!("每行一个统一社会信用代码或登记编号，最多 {BULK_VERIFY_LIMIT} 行；结果为 CSV 文件，顺序与输入相同。"),
                    &format!("One credit code or registry number a line, at most {BULK_VERIFY_LIMIT} lines; the answer is a CSV file in the same order."),
                ))
            }
            form method="post" action={ "/verify/bulk" (lang.query()) } enctype="multipart/form-data" data-testid="bulk-verify" {
                p {
                    label for="codes" { (lang.pick("代码（每行一个）", "Codes (one a line)")) }
                    br;
                    textarea id="codes" name="codes" rows="10" style="width:100%;font:inherit"
                        aria-describedby=[described("codes", "codes")] { (typed) }
                    (field_errors(lang, errors, "codes", "codes"))
                }
                p {
                    label for="file" { (lang.pick("或上传 CSV 文件", "Or upload a CSV file")) }
                    br;
                    input id="file" type="file" name="file" accept=".csv,.txt,text/csv,text/plain"
                        aria-describedby=[described("file", "file")];
                    (field_errors(lang, errors, "file", "file"))
                }
                p { button type="submit" { (lang.pick("核验并下载 CSV", "Verify and download CSV")) } }
            }
        }
        (back_link(&format!("/{}", lang.query()), lang.pick("‹ 返回查询", "‹ Back to search")))
    };
    public_page(lang, status, title, "/verify/bulk", body)
}

/// The form.
pub async fn bulk_verify_form(query: web::Query<LangQuery>) -> HttpResponse {
    let lang = Lang::from_query(query.lang.as_deref());
    form_page(lang, StatusCode::OK, "", &FormErrors::default())
}

/// The pasted codes, then the file's, verified and sent back as a CSV download; a problem is
/// shown beside its field on the form.
pub async fn bulk_verify_download(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    query: web::Query<LangQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_query(query.lang.as_deref());
    let refused = |field: &str, code: &str, en: String, zh: String, typed: &str| {
        let errors = FormErrors(vec![FieldError::new(field, code, Localized::new(en, zh))]);
        Ok(form_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            &errors,
        ))
    };
    let form = Multipart::new(request.headers(), payload);
    let limit = state.settings.max_body_bytes;
    let fields = match read_upload_fields(form, limit, &["codes"]).await {
        Ok(fields) => fields,
        Err(UploadError::TooLarge) => {
            let kib = limit / 1024;
            return refused(
                "file",
                "too_large",
                format!("is larger than {kib} KiB"),
                format!("文件超过 {kib} KiB"),
                "",
            );
        }
        Err(other) => return Err(PageError::failed(lang, other)),
    };
    let typed = fields.extra.get("codes").cloned().unwrap_or_default();
    let mut codes = codes_of(&typed);
    if let Some(bytes) = fields.file_bytes() {
        match std::str::from_utf8(bytes) {
            Ok(text) => codes.extend(codes_of(text)),
            Err(_) => {
                return refused(
                    "file",
                    "not_utf8",
                    "must be a CSV or text file in UTF-8".into(),
                    "须为 UTF-8 编码的 CSV 或文本文件".into(),
                    &typed,
                )
            }
        }
    }
    if codes.is_empty() {
        return refused(
            "codes",
            "required",
            "enter at least one code, or choose a file".into(),
            "请至少填写一个代码，或选择文件".into(),
            &typed,
        );
    }
    match bulk_verify(&state, codes).await {
        Ok(lines) => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bulk-verify.csv\"",
            ))
            .body(bulk_verify_csv(&lines))),
        Err(ServiceError::Invalid(problems)) => Ok(form_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &typed,
            &FormErrors(problems),
        )),
        Err(other) => Err(PageError::failed(lang, other)),
    }
}
