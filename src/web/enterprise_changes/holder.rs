//! `/enterprise-changes`: the holder's requests to change its details, and the form for one
//! (multipart: the reason's document, e.g. the new business licence, comes along); a request
//! still waiting takes further documents; each document downloads for its enterprise and staff.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::changes_table;
use crate::domain::roles::Role;
use crate::domain::{FieldError, Localized};
use crate::http::download::file_response;
use crate::http::upload::{read_upload_fields, UploadError, UploadFields};
use crate::service::enterprise_changes::documents::{self, ChangeDocumentUpload};
use crate::service::enterprise_changes::{self, ChangeQuery, EnterpriseChangeInput};
use crate::service::paging::PageRequest;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    error_summary, notice, submit_button, upload_form, Control, FormErrors, SummaryField,
    CSRF_FIELD,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::session::{check_csrf, expected_csrf, SignedIn};

/// The file field of the forms, as the pages draw it.
fn file_control<'a>(label: &'a str, hint: &'a str) -> Control<'a> {
    Control::input("file", "file", label, "")
        .hint(hint)
        .accept(".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png")
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    name: String,
    address: String,
    legal_representative: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

impl ChangeForm {
    fn from_values(values: &std::collections::HashMap<String, String>) -> Self {
        let value = |name: &str| values.get(name).cloned().unwrap_or_default();
        Self {
            name: value("name"),
            address: value("address"),
            legal_representative: value("legal_representative"),
            reason: value("reason"),
        }
    }
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

async fn page(
    state: &ServiceState,
    session: &SignedIn,
    status: StatusCode,
    form: &ChangeForm,
    errors: &FormErrors,
    said: Option<&str>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let lang = v.lang;
    let mine = enterprise_changes::list(
        state,
        &session.actor,
        ChangeQuery::default(),
        PageRequest {
            page: None,
            per_page: Some(100),
        },
    )
    .await
    .map_err(|e| session.error(e))?;
    let fields = [
        Control::input("text", "name", v.pick("新名称", "New name"), &form.name).max_length(200),
        Control::input(
            "text",
            "address",
            v.pick("新住所", "New address"),
            &form.address,
        )
        .max_length(300),
        Control::input(
            "text",
            "legal_representative",
            v.pick("新法定代表人", "New legal representative"),
            &form.legal_representative,
        )
        .max_length(100),
        Control::text_area("reason", v.pick("变更理由", "Reason"), &form.reason)
            .required()
            .hint(v.pick(
                "如：已换发新营业执照（请带原件到窗口核对）",
                "E.g. a new business licence was issued (bring it to the window)",
            ))
            .max_length(2000),
        file_control(
            v.pick("证明材料", "Supporting document"),
            v.pick(
                "新营业执照等，PDF、JPEG 或 PNG，可用手机拍照；提交后还可补充",
                "The new business licence or the like: PDF, JPEG or PNG, a phone photo will do; more can follow",
            ),
        ),
    ];
    let names: Vec<SummaryField> = fields.iter().map(Control::summary_field).collect();
    let no_errors = FormErrors::default();
    let body = html! {
        @if let Some(said) = said { (notice(said)) }
        section {
            h2 { (v.pick("申请变更企业信息", "Ask to change your details")) }
            p class="muted" { (v.pick(
                "只填写要变更的项目，并附上新营业执照等证明材料。核准后，公开名册和核验页立即显示新信息。",
                "Fill in only what changes, with the new business licence or the like. Once approved, the public register and verify page show it at once.",
            )) }
            (upload_form("/enterprise-changes", &v.csrf, html! {
                (error_summary(lang, errors, &names))
                @for field in &fields { (field.draw(lang, errors)) }
                (submit_button(v.pick("提交变更申请", "Send the request"), None, Some("request-change")))
            }))
        }
        section {
            h2 { (v.pick("我的变更申请", "My requests")) }
            @if mine.items.is_empty() {
                p class="muted" { (v.pick("尚无。", "None yet.")) }
            } @else {
                (changes_table(lang, &mine.items, |c| {
                    let url = format!("/enterprise-changes/{}/documents", url_encode(&c.id));
                    let file = file_control(v.pick("补充材料", "Another document"), v.pick("PDF、JPEG 或 PNG", "PDF, JPEG or PNG")).required();
                    html! {
                        (upload_form(&url, &v.csrf, html! {
                            (file.draw(lang, &no_errors))
                            (submit_button(v.pick("上传", "Upload"), Some("secondary"), Some("upload-change-document")))
                        }))
                    }
                }))
            }
        }
    };
    Ok(session.render(status, v.pick("企业信息变更", "Changes of details"), body))
}

pub async fn my_changes(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let v = &session.visitor;
    let said = match query.notice.as_str() {
        "submitted" => Some(v.pick(
            "变更申请已提交，等待审核。",
            "Your request is sent and waits for a decision.",
        )),
        "uploaded" => Some(v.pick("材料已上传。", "Document uploaded.")),
        _ => None,
    };
    page(
        &state,
        &session,
        StatusCode::OK,
        &ChangeForm::default(),
        &FormErrors::default(),
        said,
    )
    .await
}

/// Reads a multipart form of the change pages, its CSRF token checked; a file over the limit
/// is the problem beside the file field.
async fn read_form(
    state: &ServiceState,
    session: &SignedIn,
    request: &HttpRequest,
    payload: web::Payload,
    extra: &[&str],
) -> Result<Result<UploadFields, FieldError>, PageError> {
    let form = Multipart::new(request.headers(), payload);
    let limit = state.settings.max_upload_bytes;
    let fields = match read_upload_fields(form, limit, extra).await {
        Ok(fields) => fields,
        Err(UploadError::TooLarge) => {
            // Nothing of the form was trusted, and nothing was kept.
            let megabytes = limit / (1024 * 1024);
            return Ok(Err(FieldError::new(
                "file",
                "too_large",
                Localized::new(
                    format!("is larger than {megabytes} MB"),
                    format!("文件超过 {megabytes} MB"),
                ),
            )));
        }
        Err(other) => return Err(session.error(other)),
    };
    check_csrf(
        session.visitor.lang,
        expected_csrf(request).as_deref(),
        fields.extra.get(CSRF_FIELD).map(String::as_str),
    )?;
    Ok(Ok(fields))
}

/// The request form (multipart): the change, its reason and, if chosen, its document.
pub async fn request_change(
    state: web::Data<ServiceState>,
    session: SignedIn,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let extra = [
        CSRF_FIELD,
        "name",
        "address",
        "legal_representative",
        "reason",
    ];
    let mut fields = match read_form(&state, &session, &request, payload, &extra).await? {
        Ok(fields) => fields,
        Err(too_large) => {
            let errors = FormErrors(vec![too_large]);
            return page(
                &state,
                &session,
                StatusCode::PAYLOAD_TOO_LARGE,
                &ChangeForm::default(),
                &errors,
                None,
            )
            .await;
        }
    };
    let form = ChangeForm::from_values(&fields.extra);
    let input = EnterpriseChangeInput {
        name: optional(&form.name),
        address: optional(&form.address),
        legal_representative: optional(&form.legal_representative),
        reason: form.reason.trim().to_owned(),
    };
    let uploads: Vec<ChangeDocumentUpload> = fields
        .take_file()
        .map(|(filename, bytes)| ChangeDocumentUpload { filename, bytes })
        .into_iter()
        .collect();
    match enterprise_changes::request_with_documents(&state, &session.actor, input, uploads).await {
        Ok(_) => Ok(session
            .visitor
            .redirect("/enterprise-changes?notice=submitted")),
        Err(ServiceError::Invalid(problems)) => {
            let errors = FormErrors(problems);
            page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &errors,
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            let errors = FormErrors(vec![FieldError::new("change", "conflict", message)]);
            page(&state, &session, StatusCode::CONFLICT, &form, &errors, None).await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// The change request's form again with what was typed before the session timed out
/// (`said` on top), after signing in; nothing is sent until it is sent again.
pub async fn resume_request(
    state: &ServiceState,
    session: &SignedIn,
    form: ChangeForm,
    said: String,
) -> Result<HttpResponse, PageError> {
    page(
        state,
        session,
        StatusCode::OK,
        &form,
        &FormErrors::default(),
        Some(&said),
    )
    .await
}

/// Another document for a request still waiting (multipart: `file` and the CSRF token).
pub async fn upload_change_document(
    state: web::Data<ServiceState>,
    session: SignedIn,
    request: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let redraw = |status: StatusCode, problem: FieldError| {
        let errors = FormErrors(vec![problem]);
        let (state, session) = (&state, &session);
        async move {
            page(
                state,
                session,
                status,
                &ChangeForm::default(),
                &errors,
                None,
            )
            .await
        }
    };
    let mut fields = match read_form(&state, &session, &request, payload, &[CSRF_FIELD]).await? {
        Ok(fields) => fields,
        Err(too_large) => return redraw(StatusCode::PAYLOAD_TOO_LARGE, too_large).await,
    };
    let Some((filename, bytes)) = fields.take_file() else {
        let missing = FieldError::new(
            "file",
            "required",
            Localized::new("is required", "请选择文件"),
        );
        return redraw(StatusCode::UNPROCESSABLE_ENTITY, missing).await;
    };
    let upload = ChangeDocumentUpload { filename, bytes };
    match documents::add_document(&state, &session.actor, id.into_inner(), upload).await {
        Ok(_) => Ok(session
            .visitor
            .redirect("/enterprise-changes?notice=uploaded")),
        Err(ServiceError::Invalid(mut problems)) if !problems.is_empty() => {
            redraw(StatusCode::UNPROCESSABLE_ENTITY, problems.remove(0)).await
        }
        Err(ServiceError::Conflict(message)) => {
            let problem = FieldError::new("change", "conflict", message);
            redraw(StatusCode::CONFLICT, problem).await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// A request's document, for its enterprise's users and staff (the same check as the API's).
pub async fn change_document(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, document_id) = path.into_inner();
    let (document, bytes) = documents::document_content(&state, &session.actor, id, document_id)
        .await
        .map_err(|e| session.error(e))?;
    Ok(file_response(
        &document.filename,
        &document.content_type,
        bytes,
    ))
}
