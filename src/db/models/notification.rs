use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{notifications, outbox};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub enterprise_id: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link_path: String,
    pub application_id: Option<String>,
    pub application_no: Option<String>,
    pub authorization_id: Option<String>,
    pub registry_no: Option<String>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub user_id: Option<String>,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link_path: Option<String>,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub gave_up_at: Option<NaiveDateTime>,
}
