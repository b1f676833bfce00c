//! An application's documents: the list with remove buttons, what is still missing, the
//! upload form offering exactly the kinds this person may add now, and downloads.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::edit::{save_changes, Saving};
use super::show::{application_page, Redraw};
use super::{base_of, opinion_on, ApplicationForm};
use crate::domain::eligibility::AttachmentKind;
use crate::domain::workflow::may_attach;
use crate::domain::{FieldError, Localized};
use crate::http::download::document_response;
use crate::http::upload::{read_upload_fields, upload_of, UploadError};
use crate::service::applications::{self, ApplicationView};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    action_button, error_summary, submit_button, upload_form, Control, FormErrors, CSRF_FIELD,
};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::labels::{self, APPLICATION_FIELDS};
use crate::web::session::{check_csrf, expected_csrf, CsrfForm, SignedIn};

/// The documents section of the application page.
pub(super) fn documents(
    session: &SignedIn,
    view: &ApplicationView,
    base: &str,
    errors: &FormErrors,
    form_id: Option<&str>,
) -> Markup {
    let v = &session.visitor;
    let lang = v.lang;
    let opinion = view.review_opinion.as_ref();
    // The upload form offers exactly the documents the domain lets this person add now.
    let kinds: Vec<AttachmentKind> = AttachmentKind::ALL
        .into_iter()
        .filter(|k| may_attach(&session.actor, &view.enterprise.id, view.status, *k).is_ok())
        .collect();
    let preselected = view
        .missing_documents
        .first()
        .filter(|k| kinds.contains(k))
        .or(kinds.first());
    html! {
        section aria-labelledby="documents-title" {
            h2 id="documents-title" { (v.pick("申请材料", "Documents")) }
            @if view.attachments.is_empty() {
                p class="muted" { (v.pick("尚未上传材料。", "No documents yet.")) }
            } @else {
                ul class="results" data-testid="documents" {
                    @for a in &view.attachments {
                        @let href = format!("{base}/documents/{}", url_encode(&a.id));
                        li {
                            strong { (labels::document(lang, a.kind)) } " · "
                            a href=(href) { (a.filename) } " "
                            span class="muted" { ((a.size + 1023) / 1024) " KB · " (when(a.uploaded_at)) }
                            // A wrong file or the wrong kind: its uploader removes it while they could add it.
                            @if view.removable_attachments.contains(&a.id) {
                                (action_button(&format!("{href}/delete"), &v.csrf, v.pick("删除", "Remove"), Some("secondary")))
                            }
                            (opinion_on(lang, opinion, &format!("attachments.{}", a.kind.as_str())))
                        }
                    }
                }
            }
            // Comments on documents that are not there yet.
            @for kind in &view.missing_documents {
                (opinion_on(lang, opinion, &format!("attachments.{}", kind.as_str())))
            }
            @if !view.missing_documents.is_empty() {
                div class="alert" data-testid="missing-documents" id="missing-documents" {
                    p { (v.pick("提交前还需上传：", "Still needed before you can submit:")) }
                    ul {
                        @for kind in &view.missing_documents {
                            li data-kind=(kind.as_str()) { (labels::document(lang, *kind)) }
                        }
                    }
                }
            }
            @if let Some(preselected) = preselected {
                @let options = kinds
                    .iter()
                    .map(|k| (k.as_str().to_owned(), labels::document(lang, *k)))
                    .collect();
                @let url = format!("{base}/documents");
                @let kind = Control::select("kind", v.pick("材料类型", "Document"), preselected.as_str(), options)
                    .required();
                @let file = Control::input("file", "file", v.pick("文件", "File"), "")
                    .required()
                    .hint(v.pick("PDF、JPEG 或 PNG，可用手机拍照", "PDF, JPEG or PNG; a phone photo will do"))
                    .accept(".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png");
                @let shown = [kind.summary_field(), file.summary_field()];
                @if let Some(form_id) = form_id {
                    // Part of the application's form: the upload sends its unsaved fields too.
                    div class="upload" {
                        (error_summary(lang, errors, &shown))
                        (kind.in_form(form_id).draw(lang, errors))
                        (file.in_form(form_id).draw(lang, errors))
                        p {
                            button type="submit" class="secondary" form=(form_id) formaction=(url)
                                formenctype="multipart/form-data" data-testid="upload" { (v.pick("上传", "Upload")) }
                        }
                    }
                } @else {
                    (upload_form(&url, &v.csrf, html! {
                        (error_summary(lang, errors, &shown))
                        (kind.draw(lang, errors))
                        (file.draw(lang, errors))
                        (submit_button(v.pick("上传", "Upload"), Some("secondary"), Some("upload")))
                    }))
                }
            }
        }
    }
}

/// Where the application page is after a change to its documents.
fn back_to(session: &SignedIn, id: &str, notice: &str) -> HttpResponse {
    session.visitor.redirect(&format!(
        "{}/{}?notice={notice}",
        base_of(&session.actor),
        url_encode(id)
    ))
}

/// A document from the upload form (multipart, with the CSRF token as a field).
pub async fn upload(
    state: web::Data<ServiceState>,
    session: SignedIn,
    request: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let lang = session.visitor.lang;
    let redraw = |problems: Vec<FieldError>| Redraw {
        upload_errors: FormErrors(problems),
        ..Default::default()
    };
    let form = Multipart::new(request.headers(), payload);
    let limit = state.settings.max_upload_bytes;
    // The application's fields come along when the upload is sent from its form.
    let mut accepted: Vec<&str> = vec![CSRF_FIELD, "version"];
    accepted.extend(APPLICATION_FIELDS.iter().map(|(name, _, _)| *name));
    let fields = match read_upload_fields(form, limit, &accepted).await {
        Ok(fields) => fields,
        Err(UploadError::TooLarge) => {
            // Nothing of the form was trusted, and nothing was kept.
            let megabytes = limit / (1024 * 1024);
            let r = redraw(vec![FieldError::new(
                "file",
                "too_large",
                Localized::new(
                    format!("is larger than {megabytes} MB"),
                    format!("文件超过 {megabytes} MB"),
                ),
            )]);
            return application_page(&state, &session, &id, StatusCode::PAYLOAD_TOO_LARGE, r).await;
        }
        Err(other) => return Err(session.error(other)),
    };
    check_csrf(
        lang,
        expected_csrf(&request).as_deref(),
        fields.extra.get(CSRF_FIELD).map(String::as_str),
    )?;
    // Unsaved edits are saved first; if they cannot be, they come back with the page (and
    // the document is still added: the two do not depend on each other).
    let typed = ApplicationForm::from_values(&fields.extra);
    let edits = save_changes(&state, &session, &id, typed).await?;
    let added = match upload_of(fields) {
        Ok(upload) => applications::add_attachment(&state, &session.actor, id.clone(), upload)
            .await
            .map(|_| ()),
        Err(UploadError::Invalid(problems)) => Err(ServiceError::Invalid(problems)),
        Err(other) => return Err(session.error(other)),
    };
    let (status, mut page) = match edits {
        Saving::Saved => (StatusCode::OK, Redraw::default()),
        Saving::Refused(status, redraw) => (status, *redraw),
    };
    let status = match added {
        Ok(()) if status == StatusCode::OK => return Ok(back_to(&session, &id, "uploaded")),
        Ok(()) => {
            page.notice = Some(lang.pick("材料已上传。", "Document uploaded.").to_owned());
            status
        }
        Err(ServiceError::Invalid(problems)) => {
            page.upload_errors = FormErrors(problems);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ServiceError::Conflict(message)) => {
            page.alert = Some(message.pick(lang.zh()).to_owned());
            StatusCode::CONFLICT
        }
        Err(other) => return Err(session.error(other)),
    };
    application_page(&state, &session, &id, status, page).await
}

/// The remove button beside a document (a CSRF-protected form).
pub async fn remove_document(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    _form: CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let (id, attachment_id) = path.into_inner();
    let lang = session.visitor.lang;
    match applications::remove_attachment(&state, &session.actor, id.clone(), attachment_id).await {
        Ok(()) => Ok(back_to(&session, &id, "removed")),
        Err(ServiceError::Conflict(message)) => {
            let redraw = Redraw::refused(lang, &message);
            application_page(&state, &session, &id, StatusCode::CONFLICT, redraw).await
        }
        Err(other) => Err(session.error(other)),
    }
}

pub async fn download(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, attachment_id) = path.into_inner();
    let (attachment, bytes) =
        applications::attachment_content(&state, &session.actor, id, attachment_id)
            .await
            .map_err(|e| session.error(e))?;
    Ok(document_response(attachment, bytes))
}
