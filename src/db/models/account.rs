use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{enterprises, login_throttle, sessions, users};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub display_name: String,
    pub enterprise_id: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The password was given to the owner (printed at the window): until they set their own,
    /// they may do nothing else.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = enterprises)]
pub struct EnterpriseRow {
    pub id: String,
    pub uscc: String,
    pub name: String,
    pub legal_representative: String,
    pub address: String,
    pub town_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub email: String,
    pub uscc_exception_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_throttle)]
pub struct ThrottleRow {
    pub throttle_key: String,
    pub failures: i32,
    pub window_start: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    /// The last request of the session (at most a minute behind): an idle page session ends.
    pub last_seen_at: Option<NaiveDateTime>,
    /// A page session, which ends after an hour of inactivity rather than at its token's expiry.
    pub sliding: bool,
}
