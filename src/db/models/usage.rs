use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{fake_reports, usage_reports};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = usage_reports)]
pub struct UsageReportRow {
    pub id: String,
    pub authorization_id: String,
    pub year: i32,
    pub marks_used: i64,
    pub output_kg: i64,
    pub sales_cny: i64,
    pub note: Option<String>,
    pub filed_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fake_reports)]
pub struct FakeReportRow {
    pub id: String,
    pub code_seen: String,
    pub place: String,
    pub description: String,
    pub photo_sha256: Option<String>,
    pub photo_content_type: Option<String>,
    pub reporter_address: String,
    pub status: String,
    pub resolution: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}
