//! An application's documents: adding one (sniffed, stored by SHA-256), removing one, and
//! reading one back; each change journalled.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::{corrupt, new_id, status_of, AttachmentView};
use crate::db::models::application::{ApplicationRow, AttachmentRow};
use crate::db::queries::applications as db;
use crate::db::{write_transaction, DbConnection};
use crate::domain::eligibility::{extension_of, sniff_content_type, AttachmentKind};
use crate::domain::roles::Actor;
use crate::domain::text::clean_filename;
use crate::domain::workflow::{self, ApplicationStatus, AttachRefusal};
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::{ServiceError, ServiceResult, ServiceState};

/// A document as uploaded: the client's name for display only; the type is sniffed.
pub struct Upload {
    pub kind: AttachmentKind,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Why `actor` may not add (or remove) a document now, as the error the caller sees.
fn attach_refusal(
    refusal: AttachRefusal,
    status: ApplicationStatus,
    removing: bool,
) -> ServiceError {
    let (verb_en, verb_zh) = if removing {
        ("removed", "删除")
    } else {
        ("added", "上传")
    };
    match refusal {
        AttachRefusal::NotPermitted => ServiceError::Forbidden,
        AttachRefusal::ReviewDocumentOutsideReview => ServiceError::conflict(
            format!("Review documents can be {verb_en} only while the application is under review."),
            format!("只有在审查中才能{verb_zh}审查材料。"),
        ),
        AttachRefusal::NotEditable => ServiceError::conflict(
            format!("Documents can be {verb_en} only to a draft or returned application, not one that is {status}."),
            format!("当前状态为“{}”，不能{verb_zh}材料。", status.label_zh()),
        ),
    }
}

/// Whether `actor` may add a document of `kind` to application `id` now, and there is room
/// for it: the application's row (with its status), or the refusal.
fn check_attach(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    kind: AttachmentKind,
) -> ServiceResult<(ApplicationRow, ApplicationStatus)> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let status = status_of(&row)?;
    workflow::may_attach(actor, &row.enterprise_id, status, kind)
        .map_err(|refusal| attach_refusal(refusal, status, false))?;
    if !workflow::has_room_for_attachment(db::count_attachments(conn, id)?) {
        let max = workflow::MAX_ATTACHMENTS_PER_APPLICATION;
        return Err(ServiceError::conflict(
            format!(
                "An application holds at most {max} documents; remove one before adding another."
            ),
            format!("每份申请最多 {max} 份材料，请先删除一份再上传。"),
        ));
    }
    Ok((row, status))
}

/// Adds a document: the owner's while the application is editable; a reviewer's
/// origin-verification report (or other staff document) while it is under review.
///
/// Everything that can refuse the upload is checked before a byte is stored: the type, then
/// who may add which kind in which state and whether the application has room; the write
/// transaction checks the same again, so a change in between still refuses the row.
pub async fn add_attachment(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    upload: Upload,
) -> ServiceResult<AttachmentView> {
    let Some(content_type) = sniff_content_type(&upload.bytes) else {
        return Err(ServiceError::invalid(
            "file",
            "unsupported_type",
            "must be a PDF, JPEG or PNG document",
            "文件须为 PDF、JPEG 或 PNG 格式",
        ));
    };
    {
        let (actor, id, kind) = (actor.clone(), id.clone(), upload.kind);
        state
            .run(move |conn| check_attach(conn, &actor, &id, kind).map(|_| ()))
            .await?;
    }
    let sha256 = hex::encode(Sha256::digest(&upload.bytes));
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    // Stored by content, the file is harmless if the row never follows (a refusal that
    // arrives between the check above and the transaction below).
    let documents = state.documents.clone();
    let size = upload.bytes.len() as i64;
    let (hash, bytes) = (sha256.clone(), upload.bytes);
    tokio::task::spawn_blocking(move || documents.put(&hash, &bytes))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("storage task failed: {e}")))??;
    let attachment = AttachmentRow {
        id: new_id(),
        application_id: id.clone(),
        kind: upload.kind.as_str().into(),
        filename: clean_filename(&upload.filename, extension_of(content_type)),
        content_type: content_type.into(),
        size_bytes: size,
        sha256,
        uploaded_by: actor.user_id.clone(),
        created_at: now,
    };
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                record_attachment(conn, &actor, &attachment, now)
            })?;
            Ok(AttachmentView::from(&attachment))
        })
        .await
}

/// Adds a stored document's row to its application, if `actor` may add that kind now and the
/// application has room; moves the version (the representation changed, so stale edits get
/// 412) and journals it.
pub(crate) fn record_attachment(
    conn: &mut DbConnection,
    actor: &Actor,
    attachment: &AttachmentRow,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let id = &attachment.application_id;
    let kind: AttachmentKind = attachment
        .kind
        .parse()
        .map_err(|_| corrupt("attachment kind"))?;
    let (row, status) = check_attach(conn, actor, id, kind)?;
    if db::touch(conn, id, row.version, now)? == 0 {
        return Err(ServiceError::conflict(
            "The application changed; reload and try again.",
            "申请已变化，请刷新后重试。",
        ));
    }
    db::insert_attachment(conn, attachment)?;
    journal_document(conn, "attach", status, actor, attachment, now)
}

/// The journal event of a document added to or removed from an application (its state
/// unchanged), naming the document.
fn journal_document(
    conn: &mut DbConnection,
    action: &str,
    status: ApplicationStatus,
    actor: &Actor,
    attachment: &AttachmentRow,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    journal::append(
        conn,
        NewEvent {
            entity_type: "application",
            entity_id: &attachment.application_id,
            action,
            from_status: Some(status.as_str()),
            to_status: Some(status.as_str()),
            actor: &EventActor::user(&actor.user_id, actor.role),
            comment: None,
            data: Some(serde_json::json!({
                "attachment_id": attachment.id, "kind": attachment.kind,
                "filename": attachment.filename, "sha256": attachment.sha256,
            })),
            at: now,
        },
    )?;
    Ok(())
}

/// Removes a document its uploader no longer wants (a wrong file or the wrong kind), while
/// they could add it; moves the version and journals it in the same transaction. The stored
/// file stays: stored by content, another document may hold the same bytes.
pub async fn remove_attachment(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    attachment_id: String,
) -> ServiceResult<()> {
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let row = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
                if !actor.may_see_enterprise(&row.enterprise_id) {
                    return Err(ServiceError::Forbidden);
                }
                let attachment =
                    db::attachment(conn, &id, &attachment_id)?.ok_or(ServiceError::NotFound)?;
                let status = status_of(&row)?;
                let kind: AttachmentKind = attachment
                    .kind
                    .parse()
                    .map_err(|_| corrupt("attachment kind"))?;
                workflow::may_remove_attachment(
                    &actor,
                    &row.enterprise_id,
                    status,
                    kind,
                    &attachment.uploaded_by,
                )
                .map_err(|refusal| attach_refusal(refusal, status, true))?;
                if db::touch(conn, &id, row.version, now)? == 0 {
                    return Err(ServiceError::conflict(
                        "The application changed; reload and try again.",
                        "申请已变化，请刷新后重试。",
                    ));
                }
                db::delete_attachment(conn, &id, &attachment_id)?;
                journal_document(conn, "detach", status, &actor, &attachment, now)
            })
        })
        .await
}

/// A stored document for its owner or staff.
pub async fn attachment_content(
    state: &ServiceState,
    actor: &Actor,
    id: String,
    attachment_id: String,
) -> ServiceResult<(AttachmentView, Vec<u8>)> {
    let actor = actor.clone();
    let row = state
        .run(move |conn| {
            let application = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
            if !actor.may_see_enterprise(&application.enterprise_id) {
                return Err(ServiceError::Forbidden);
            }
            db::attachment(conn, &id, &attachment_id)?.ok_or(ServiceError::NotFound)
        })
        .await?;
    let documents = state.documents.clone();
    let hash = row.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || documents.get(&hash))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("storage task failed: {e}")))??;
    Ok((AttachmentView::from(&row), bytes))
}
