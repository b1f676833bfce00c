//! Reading a document upload (multipart/form-data with `kind` and `file`), for the JSON API
//! and the application page alike.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::domain::eligibility::AttachmentKind;
use crate::domain::{FieldError, Localized};
use crate::service::applications::Upload;

/// Why an upload form was refused.
#[derive(Debug)]
pub enum UploadError {
    /// The file is over the limit (nothing of the form is kept).
    TooLarge,
    /// The form could not be read at all.
    Unreadable(Localized),
    /// Fields missing, unknown or invalid.
    Invalid(Vec<FieldError>),
}

fn bad_upload(en: &str, zh: &str) -> UploadError {
    UploadError::Unreadable(Localized::new(en, zh))
}

/// What an upload form held: `kind`, `file` (name and bytes), and any other fields the caller
/// allowed (a page's CSRF token).
pub struct UploadFields {
    kind: Option<String>,
    file: Option<(String, Vec<u8>)>,
    pub extra: std::collections::HashMap<String, String>,
}

impl UploadFields {
    /// The chosen file's bytes, if a file was sent.
    pub fn file_bytes(&self) -> Option<&[u8]> {
        self.file.as_ref().map(|(_, bytes)| bytes.as_slice())
    }

    /// The chosen file (its client-side name and bytes), taken out, for a form without `kind`.
    pub fn take_file(&mut self) -> Option<(String, Vec<u8>)> {
        self.file.take()
    }
}

/// Reads the form, refusing a file over the limit while it streams and any field that is
/// neither `kind`, `file` nor one of `extra_fields`.
/// Does the request say its body is `multipart/form-data` (what an upload must be)?
pub fn is_multipart(request: &actix_web::HttpRequest) -> bool {
    request
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

pub async fn read_upload_fields(
    mut form: Multipart,
    limit: usize,
    extra_fields: &[&str],
) -> Result<UploadFields, UploadError> {
    let mut fields = UploadFields {
        kind: None,
        file: None,
        extra: Default::default(),
    };
    while let Some(field) = form.next().await {
        let mut field = field
            .map_err(|_| bad_upload("The upload form could not be read.", "无法读取上传表单。"))?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("document")
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| bad_upload("The upload was interrupted.", "上传中断。"))?;
            if bytes.len() + chunk.len() > limit {
                return Err(UploadError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "kind" => fields.kind = Some(String::from_utf8_lossy(&bytes).trim().to_owned()),
            // A browser sends an empty part when no file was chosen.
            "file" if bytes.is_empty() => {}
            "file" => fields.file = Some((filename, bytes)),
            other if extra_fields.contains(&other) => {
                fields
                    .extra
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
            other => {
                return Err(UploadError::Invalid(vec![FieldError::new(
                    other
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(64)
                        .collect::<String>(),
                    "unknown_field",
                    Localized::new(
                        "is not a field of the upload form (kind, file)",
                        "上传表单只有 kind 和 file 两个字段",
                    ),
                )]))
            }
        }
    }
    Ok(fields)
}

/// The upload the fields describe, or every field that is missing or wrong.
pub fn upload_of(fields: UploadFields) -> Result<Upload, UploadError> {
    let mut problems = Vec::new();
    let kind = match fields.kind.as_deref().map(str::parse::<AttachmentKind>) {
        Some(Ok(kind)) => Some(kind),
        _ => {
            problems.push(FieldError::new(
                "kind",
                "invalid_choice",
                Localized::new(
                    "must be application_form, business_license, test_report, trademark_license, origin_verification_report or other",
                    "材料类型无效",
                ),
            ));
            None
        }
    };
    if fields.file.is_none() {
        problems.push(FieldError::new(
            "file",
            "required",
            Localized::new("is required", "请选择文件"),
        ));
    }
    match (kind, fields.file) {
        (Some(kind), Some((filename, bytes))) if problems.is_empty() => Ok(Upload {
            kind,
            filename,
            bytes,
        }),
        _ => Err(UploadError::Invalid(problems)),
    }
}

impl From<UploadError> for super::Problem {
    fn from(error: UploadError) -> Self {
        use actix_web::http::StatusCode;
        match error {
            UploadError::TooLarge => Self::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            UploadError::Unreadable(message) => Self::bad_request(message),
            UploadError::Invalid(errors) => Self::validation(errors),
        }
    }
}
