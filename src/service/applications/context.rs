//! What a reviewer reads beside an application: who the applicant is and how to reach them,
//! and what the producer changed since the last return (the application as returned is a
//! snapshot written with the return, in its transaction).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceResult;
use crate::db::models::application::{ApplicationRow, AttachmentRow, ReviewOpinionRow};
use crate::db::queries::{accounts as account_db, reference};
use crate::db::DbConnection;
use crate::domain::resubmission::{difference, CaseSnapshot, DocumentFingerprint};
use crate::service::ServiceError;

/// Shown to staff only; the applicant's own page has none.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewerContext {
    pub applicant: ApplicantContact,
    /// What differs between the application as last returned and now; null before any
    /// return (or for a return recorded before snapshots were kept).
    pub changes_since_return: Option<ChangesSinceReturn>,
}

/// The enterprise behind the application and how to reach it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicantContact {
    pub uscc: String,
    pub name: String,
    pub legal_representative: String,
    pub address: String,
    /// The town's Chinese name.
    pub town: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub email: String,
    /// Why staff accepted a credit code that fails the check digit (pre-2015 codes); null
    /// for a code that passes.
    pub uscc_exception_reason: Option<String>,
    /// The enterprise's applicant accounts.
    pub accounts: Vec<ApplicantAccount>,
    /// Its former names (approved changes of details), oldest first.
    pub former_names: Vec<FormerName>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormerName {
    pub name: String,
    /// When the change to the next name was approved.
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicantAccount {
    pub username: String,
    pub display_name: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangesSinceReturn {
    pub returned_at: DateTime<Utc>,
    /// The application version the reviewer returned.
    pub returned_version: i32,
    /// Each form field that differs, with both values as text (the town by name).
    pub fields: Vec<FieldChangeView>,
    pub documents_added: Vec<DocumentRef>,
    pub documents_removed: Vec<DocumentRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldChangeView {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRef {
    pub id: String,
    pub kind: String,
    pub filename: String,
    pub sha256: String,
}

impl From<DocumentFingerprint> for DocumentRef {
    fn from(doc: DocumentFingerprint) -> Self {
        Self {
            id: doc.id,
            kind: doc.kind,
            filename: doc.filename,
            sha256: doc.sha256,
        }
    }
}

/// The application's form and documents as a snapshot, fields by their API names.
pub(crate) fn snapshot_of(row: &ApplicationRow, attachments: &[AttachmentRow]) -> CaseSnapshot {
    use serde_json::json;
    let fields = [
        ("product_code", json!(row.product_code)),
        ("basis", json!(row.basis)),
        ("trademark_reg_no", json!(row.trademark_reg_no)),
        ("production_town", json!(row.production_town)),
        ("production_address", json!(row.production_address)),
        ("area_mu", json!(row.area_centimu.map(|c| c as f64 / 100.0))),
        ("annual_output_kg", json!(row.annual_output_kg)),
        ("description", json!(row.description)),
    ];
    CaseSnapshot {
        fields: fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
        documents: attachments
            .iter()
            .map(|a| DocumentFingerprint {
                id: a.id.clone(),
                kind: a.kind.clone(),
                filename: a.filename.clone(),
                sha256: a.sha256.clone(),
            })
            .collect(),
    }
}

/// A snapshot's value as a reviewer reads it: text as is, numbers printed, towns by name.
fn as_text(
    conn: &mut DbConnection,
    field: &str,
    value: &serde_json::Value,
) -> ServiceResult<Option<String>> {
    Ok(match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(code) if field == "production_town" => {
            Some(reference::find_town(conn, code)?.map_or_else(|| code.clone(), |t| t.name_zh))
        }
        serde_json::Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    })
}

pub(super) fn reviewer_context(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    attachments: &[AttachmentRow],
    last_return: Option<&ReviewOpinionRow>,
) -> ServiceResult<ReviewerContext> {
    let enterprise =
        account_db::enterprise_by_id(conn, &row.enterprise_id)?.ok_or(ServiceError::NotFound)?;
    let town = reference::find_town(conn, &enterprise.town_code)?
        .map_or_else(|| enterprise.town_code.clone(), |t| t.name_zh);
    let mut accounts: Vec<ApplicantAccount> =
        account_db::users_of_enterprise(conn, &row.enterprise_id)?
            .into_iter()
            .map(|u| ApplicantAccount {
                username: u.username,
                display_name: u.display_name,
                active: u.active,
            })
            .collect();
    accounts.sort_by(|a, b| a.username.cmp(&b.username));

    let returned = last_return.and_then(|opinion| {
        let snapshot = opinion.snapshot.as_deref()?;
        let snapshot = serde_json::from_str::<CaseSnapshot>(snapshot).ok()?;
        Some((opinion, snapshot))
    });
    let changes_since_return = match returned {
        None => None,
        Some((opinion, before)) => {
            let diff = difference(&before, &snapshot_of(row, attachments));
            let mut fields = Vec::with_capacity(diff.fields.len());
            for change in diff.fields {
                fields.push(FieldChangeView {
                    before: as_text(conn, &change.field, &change.before)?,
                    after: as_text(conn, &change.field, &change.after)?,
                    field: change.field,
                });
            }
            Some(ChangesSinceReturn {
                returned_at: opinion.created_at.and_utc(),
                returned_version: opinion.application_version,
                fields,
                documents_added: diff.documents_added.into_iter().map(Into::into).collect(),
                documents_removed: diff.documents_removed.into_iter().map(Into::into).collect(),
            })
        }
    };
    Ok(ReviewerContext {
        applicant: ApplicantContact {
            uscc: enterprise.uscc,
            name: enterprise.name,
            legal_representative: enterprise.legal_representative,
            address: enterprise.address,
            town,
            contact_name: enterprise.contact_name,
            contact_phone: enterprise.contact_phone,
            email: enterprise.email,
            uscc_exception_reason: enterprise.uscc_exception_reason,
            accounts,
            former_names: crate::service::enterprise_changes::name_history(
                conn,
                &row.enterprise_id,
            )?
            .into_iter()
            .map(|(name, until)| FormerName { name, until })
            .collect(),
        },
        changes_since_return,
    })
}
