use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::abnormal_users;

/// An entry of the abnormal-use list (使用异常名录).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = abnormal_users)]
pub struct AbnormalUserRow {
    pub id: String,
    pub authorization_id: String,
    pub reason: String,
    pub note: String,
    pub correct_by: String,
    pub listed_by: String,
    pub listed_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    pub removed_by: Option<String>,
    pub removal_note: Option<String>,
}
