use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{label_batches, label_quotas};

/// A right's label quota for one year, and what was issued against it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = label_quotas)]
pub struct LabelQuotaRow {
    pub authorization_id: String,
    pub year: i32,
    pub quantity: i64,
    pub issued: i64,
    pub batches: i32,
    pub set_by: String,
    pub set_at: NaiveDateTime,
}

/// A batch of labels ordered by a holder.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = label_batches)]
pub struct LabelBatchRow {
    pub seq: i64,
    pub id: String,
    pub batch_no: String,
    pub authorization_id: String,
    pub year: i32,
    pub quantity: i64,
    pub issued_by: String,
    pub issued_at: NaiveDateTime,
}
