use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::journal_events;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = journal_events)]
pub struct JournalEventRow {
    pub seq: i64,
    pub id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub comment: Option<String>,
    pub data: Option<String>,
    pub at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}
