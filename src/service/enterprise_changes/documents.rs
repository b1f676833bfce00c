//! The documents of a change request (e.g. the new business licence): the holder attaches one
//! or more, with the request or while it waits for a decision; staff read them when deciding.
//! The same store, type sniffing and size limit as an application's documents; only the
//! requesting enterprise's users and staff read them back. Each addition is journalled as an
//! event of the enterprise, naming the request.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db::models::enterprise_change::{ChangeDocumentRow, EnterpriseChangeRow};
use crate::db::queries::enterprise_changes as db;
use crate::db::{write_transaction, DbConnection};
use crate::domain::eligibility::{extension_of, sniff_content_type};
use crate::domain::roles::{Actor, Role};
use crate::domain::text::clean_filename;
use crate::service::applications::new_id;
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::{ServiceError, ServiceResult, ServiceState};

/// A change request holds at most this many documents.
pub const MAX_DOCUMENTS_PER_CHANGE: i64 = 10;

/// A document as uploaded: the client's name for display only; the type is sniffed.
pub struct ChangeDocumentUpload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeDocumentView {
    pub id: String,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as sniffed from the content.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<&ChangeDocumentRow> for ChangeDocumentView {
    fn from(row: &ChangeDocumentRow) -> Self {
        Self {
            id: row.id.clone(),
            filename: row.filename.clone(),
            content_type: row.content_type.clone(),
            size: row.size_bytes,
            sha256: row.sha256.clone(),
            uploaded_at: row.created_at.and_utc(),
        }
    }
}

pub(crate) fn views_of(
    conn: &mut DbConnection,
    change_id: &str,
) -> ServiceResult<Vec<ChangeDocumentView>> {
    Ok(db::documents_of(conn, change_id)?
        .iter()
        .map(ChangeDocumentView::from)
        .collect())
}

/// A document sniffed and stored by its hash, ready for its row.
pub(crate) struct StoredDocument {
    filename: String,
    content_type: &'static str,
    size: i64,
    sha256: String,
}

fn unsupported_type() -> ServiceError {
    ServiceError::invalid(
        "file",
        "unsupported_type",
        "must be a PDF, JPEG or PNG document",
        "文件须为 PDF、JPEG 或 PNG 格式",
    )
}

fn too_many() -> ServiceError {
    let max = MAX_DOCUMENTS_PER_CHANGE;
    ServiceError::conflict(
        format!("A change request holds at most {max} documents."),
        format!("每项变更申请最多 {max} 份材料。"),
    )
}

/// Refuses every upload that is not a PDF, JPEG or PNG before any is stored.
pub(crate) fn sniff_all(uploads: &[ChangeDocumentUpload]) -> ServiceResult<()> {
    if uploads.len() as i64 > MAX_DOCUMENTS_PER_CHANGE {
        return Err(too_many());
    }
    if uploads
        .iter()
        .any(|u| sniff_content_type(&u.bytes).is_none())
    {
        return Err(unsupported_type());
    }
    Ok(())
}

/// Stores the uploads by content (harmless if no row follows: another refusal later).
pub(crate) async fn store_all(
    state: &ServiceState,
    uploads: Vec<ChangeDocumentUpload>,
) -> ServiceResult<Vec<StoredDocument>> {
    let mut stored = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let content_type = sniff_content_type(&upload.bytes).ok_or_else(unsupported_type)?;
        let sha256 = hex::encode(Sha256::digest(&upload.bytes));
        let size = upload.bytes.len() as i64;
        let (documents, hash, bytes) = (state.documents.clone(), sha256.clone(), upload.bytes);
        tokio::task::spawn_blocking(move || documents.put(&hash, &bytes))
            .await
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("storage task failed: {e}")))??;
        stored.push(StoredDocument {
            filename: clean_filename(&upload.filename, extension_of(content_type)),
            content_type,
            size,
            sha256,
        });
    }
    Ok(stored)
}

/// Writes the rows of stored documents of `change` and journals them, in the caller's
/// transaction. `with_event` is false when the request's own event names them.
pub(crate) fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    change: &EnterpriseChangeRow,
    stored: &[StoredDocument],
    now: NaiveDateTime,
    with_event: bool,
) -> ServiceResult<Vec<ChangeDocumentRow>> {
    if db::count_documents(conn, &change.id)? + stored.len() as i64 > MAX_DOCUMENTS_PER_CHANGE {
        return Err(too_many());
    }
    let mut rows = Vec::with_capacity(stored.len());
    for document in stored {
        let row = ChangeDocumentRow {
            id: new_id(),
            change_id: change.id.clone(),
            filename: document.filename.clone(),
            content_type: document.content_type.into(),
            size_bytes: document.size,
            sha256: document.sha256.clone(),
            uploaded_by: actor.user_id.clone(),
            created_at: now,
        };
        db::insert_document(conn, &row)?;
        if with_event {
            journal::append(
                conn,
                NewEvent {
                    entity_type: "enterprise",
                    entity_id: &change.enterprise_id,
                    action: "change_document",
                    from_status: None,
                    to_status: None,
                    actor: &EventActor::user(&actor.user_id, actor.role),
                    comment: None,
                    data: Some(document_data(&row)),
                    at: now,
                },
            )?;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// What the journal says of a document.
pub(crate) fn document_data(row: &ChangeDocumentRow) -> serde_json::Value {
    serde_json::json!({
        "change_id": row.change_id, "document_id": row.id,
        "filename": row.filename, "sha256": row.sha256,
    })
}

/// Whether `actor` may add a document to `change` now: the requesting enterprise's applicant
/// while the request waits for a decision.
fn check_add(actor: &Actor, change: &EnterpriseChangeRow) -> ServiceResult<()> {
    if actor.role != Role::Applicant
        || actor.enterprise_id.as_deref() != Some(change.enterprise_id.as_str())
    {
        return Err(ServiceError::Forbidden);
    }
    if change.status != "submitted" {
        return Err(ServiceError::conflict(
            format!(
                "Documents can be added only while the request waits for a decision, not once {}.",
                change.status
            ),
            "变更申请已办结，不能再上传材料。",
        ));
    }
    Ok(())
}

/// Adds a document to an open change request (its enterprise's applicant). Everything that
/// can refuse it is checked before a byte is stored, and again in the write transaction.
pub async fn add_document(
    state: &ServiceState,
    actor: &Actor,
    change_id: String,
    upload: ChangeDocumentUpload,
) -> ServiceResult<ChangeDocumentView> {
    let uploads = vec![upload];
    sniff_all(&uploads)?;
    {
        let (actor, id) = (actor.clone(), change_id.clone());
        state
            .run(move |conn| {
                let change = db::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
                check_add(&actor, &change)?;
                if db::count_documents(conn, &id)? >= MAX_DOCUMENTS_PER_CHANGE {
                    return Err(too_many());
                }
                Ok(())
            })
            .await?;
    }
    let stored = store_all(state, uploads).await?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            let rows = write_transaction(conn, |conn| {
                let change = db::find(conn, &change_id)?.ok_or(ServiceError::NotFound)?;
                check_add(&actor, &change)?;
                record(conn, &actor, &change, &stored, now, true)
            })?;
            rows.first()
                .map(ChangeDocumentView::from)
                .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("no document recorded")))
        })
        .await
}

/// A change request's document, for the requesting enterprise's users and staff.
pub async fn document_content(
    state: &ServiceState,
    actor: &Actor,
    change_id: String,
    document_id: String,
) -> ServiceResult<(ChangeDocumentView, Vec<u8>)> {
    let actor = actor.clone();
    let row = state
        .run(move |conn| {
            let change = db::find(conn, &change_id)?.ok_or(ServiceError::NotFound)?;
            if !actor.may_see_enterprise(&change.enterprise_id) {
                return Err(ServiceError::Forbidden);
            }
            db::document(conn, &change_id, &document_id)?.ok_or(ServiceError::NotFound)
        })
        .await?;
    let (documents, hash) = (state.documents.clone(), row.sha256.clone());
    let bytes = tokio::task::spawn_blocking(move || documents.get(&hash))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("storage task failed: {e}")))??;
    Ok((ChangeDocumentView::from(&row), bytes))
}
