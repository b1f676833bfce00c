use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{enterprise_change_documents, enterprise_changes};

/// A holder's request to change its details (变更), and the decision on it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enterprise_changes)]
pub struct EnterpriseChangeRow {
    pub id: String,
    pub enterprise_id: String,
    pub status: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub old_name: String,
    pub old_address: String,
    pub old_legal_representative: String,
    pub reason: String,
    pub requested_by: String,
    pub due_date: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    /// The announcement that publishes an approved change, when staff gave one.
    pub announcement_no: Option<String>,
    /// `YYYY-MM-DD`, with `announcement_no`.
    pub announcement_date: Option<String>,
}

/// A document attached to a change request (e.g. the new business licence), stored by hash.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enterprise_change_documents)]
pub struct ChangeDocumentRow {
    pub id: String,
    pub change_id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}
