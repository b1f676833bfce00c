use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{applications, attachments, review_field_comments, review_opinions};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Identifiable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: String,
    pub enterprise_id: String,
    pub product_code: String,
    pub basis: String,
    pub trademark_reg_no: Option<String>,
    pub production_town: String,
    pub production_address: String,
    pub area_centimu: Option<i64>,
    pub annual_output_kg: Option<i64>,
    pub description: Option<String>,
    pub status: String,
    pub version: i32,
    pub created_by: String,
    pub recommended_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub status_changed_at: NaiveDateTime,
    pub review_due_date: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `YDSQ-<year>-<nnnnnn>`, given at submission.
    pub application_no: Option<String>,
    /// `YYYY-MM-DD`: when the step the application waits in is due.
    pub current_step_due: Option<String>,
}

/// The fields an applicant fills in; written together by an edit.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct ApplicationForm {
    pub product_code: String,
    pub basis: String,
    pub trademark_reg_no: Option<String>,
    pub production_town: String,
    pub production_address: String,
    pub area_centimu: Option<i64>,
    pub annual_output_kg: Option<i64>,
    pub description: Option<String>,
}

impl ApplicationRow {
    pub fn form(&self) -> ApplicationForm {
        ApplicationForm {
            product_code: self.product_code.clone(),
            basis: self.basis.clone(),
            trademark_reg_no: self.trademark_reg_no.clone(),
            production_town: self.production_town.clone(),
            production_address: self.production_address.clone(),
            area_centimu: self.area_centimu,
            annual_output_kg: self.annual_output_kg,
            description: self.description.clone(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: String,
    pub application_id: String,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = review_opinions)]
pub struct ReviewOpinionRow {
    pub id: String,
    pub application_id: String,
    pub application_version: i32,
    pub reviewer_id: String,
    pub comment: String,
    pub created_at: NaiveDateTime,
    /// The application as returned (`domain::resubmission::CaseSnapshot` as JSON).
    pub snapshot: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = review_field_comments)]
pub struct FieldCommentRow {
    pub id: String,
    pub opinion_id: String,
    pub field: String,
    pub comment: String,
}
