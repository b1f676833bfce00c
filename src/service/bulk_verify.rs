//! Bulk verify: up to [`BULK_VERIFY_LIMIT`] codes checked at once, for an officer holding the
//! codes of a market sweep. Every line goes through the single verify's own lookup
//! ([`super::public::verdict`]) under one read lock of the in-memory register: no line reads
//! the database, and a thousand lines see one consistent register.

use super::public::verdict;
use super::{ServiceError, ServiceResult, ServiceState};
use crate::domain::authorization::AuthorizationStatus;

/// At most this many codes in one request; the body cap (`GI_MAX_BODY_BYTES`) bounds the bytes.
pub const BULK_VERIFY_LIMIT: usize = 1000;

/// The verdict on one line, in the line's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkLine {
    /// The code as given (trimmed).
    pub code: String,
    pub found: bool,
    pub authorized: bool,
    pub enterprise_name: String,
    pub registry_nos: Vec<String>,
    pub statuses: Vec<AuthorizationStatus>,
}

/// The verdicts on `codes`, in their order. More than [`BULK_VERIFY_LIMIT`] → 422 `codes`.
pub async fn bulk_verify(state: &ServiceState, codes: Vec<String>) -> ServiceResult<Vec<BulkLine>> {
    if codes.len() > BULK_VERIFY_LIMIT {
        return Err(ServiceError::invalid(
            "codes",
            "too_many_lines",
            format!("must hold at most {BULK_VERIFY_LIMIT} codes, one a line"),
            format!("每次最多核验 {BULK_VERIFY_LIMIT} 个代码，每行一个"),
        ));
    }
    let reference = &state.register.reference;
    let register = state.register.read()?;
    let now = state.clock.now_naive();
    Ok(codes
        .into_iter()
        .map(
            |code| match verdict(reference, &register, &code, None, now) {
                Some(found) => BulkLine {
                    code,
                    found: true,
                    authorized: found.authorized,
                    enterprise_name: found.enterprise_name,
                    registry_nos: found
                        .authorizations
                        .iter()
                        .map(|a| a.registry_no.clone())
                        .collect(),
                    statuses: found.authorizations.iter().map(|a| a.status).collect(),
                },
                None => BulkLine {
                    code,
                    found: false,
                    authorized: false,
                    enterprise_name: String::new(),
                    registry_nos: Vec::new(),
                    statuses: Vec::new(),
                },
            },
        )
        .collect())
}
