use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::password_resets;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub id: String,
    pub user_id: String,
    pub token_sha256: String,
    pub channel: String,
    pub issued_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}
