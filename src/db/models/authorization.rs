use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::authorizations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = authorizations)]
pub struct AuthorizationRow {
    pub id: String,
    pub registry_no: String,
    pub enterprise_id: String,
    pub application_id: String,
    pub product_code: String,
    pub basis: String,
    pub trademark_reg_no: Option<String>,
    pub production_town: String,
    pub search_text: String,
    pub status: String,
    pub announcement_no: String,
    pub announcement_date: String,
    pub granted_at: NaiveDateTime,
    pub status_changed_at: NaiveDateTime,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
