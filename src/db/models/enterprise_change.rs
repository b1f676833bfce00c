use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::enterprise_changes;

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
}
