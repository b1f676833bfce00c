//! The label page's answer: genuine or never issued, and for a genuine label its right,
//! holder, batch, how often it was checked, and what to beware of. From memory only: the
//! label index and the public register; the scan is counted on the way.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::authorization::AuthorizationStatus;
use crate::domain::labels::{warning, LabelWarning};
use crate::service::{ServiceError, ServiceResult, ServiceState};

/// A genuine label (`GET /api/v1/public/labels/{code}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LabelView {
    pub genuine: bool,
    /// The code as issued (16 characters).
    pub code: String,
    pub registry_no: String,
    pub enterprise_name: String,
    pub uscc: String,
    pub product_code: String,
    pub product_name_zh: String,
    pub batch_no: String,
    pub issued_at: DateTime<Utc>,
    pub right_status: AuthorizationStatus,
    /// Checks of this code, this one included, on every replica.
    pub scans: i64,
    pub first_scanned_at: Option<DateTime<Utc>>,
    /// `many_scans` (checked more often than `label_scan_warning` allows: maybe a copy),
    /// `right_not_active`, or null.
    pub warning: Option<LabelWarning>,
    /// The `label_scan_warning` setting the warning compares with.
    pub scan_warning: i64,
}

/// Looks a code up and counts the scan. `NotFound` for anything never issued.
pub fn scan(state: &ServiceState, code: &str) -> ServiceResult<LabelView> {
    let labels = &state.labels;
    let random = labels.key().decode(code).ok_or(ServiceError::NotFound)?;
    let index = labels.read()?;
    let found = index.find(random).ok_or(ServiceError::NotFound)?;
    let register = state.register.read()?;
    let right = register
        .right(&found.batch.authorization_id)
        .ok_or(ServiceError::NotFound)?;
    let now = state.clock.now_naive();
    let count = labels.counter().scan(random, || found.stored(), now)?;
    let threshold = labels.scan_warning();
    let product_name_zh = state
        .register
        .reference
        .product(&right.product_code)
        .map(|p| p.name_zh.clone())
        .unwrap_or_default();
    Ok(LabelView {
        genuine: true,
        code: labels.key().encode(random),
        registry_no: right.registry_no.clone(),
        enterprise_name: right.enterprise_name.clone(),
        uscc: right.uscc.clone(),
        product_code: right.product_code.clone(),
        product_name_zh,
        batch_no: found.batch.batch_no.clone(),
        issued_at: found.batch.issued_at.and_utc(),
        right_status: right.status,
        scans: count.scans,
        first_scanned_at: count.first_scanned_at.map(|t| t.and_utc()),
        warning: warning(count.scans, threshold, right.status),
        scan_warning: threshold,
    })
}
