//! Queries, one module per table family. Services call these inside their transactions.

pub mod abnormal;
pub mod accounts;
pub mod applications;
pub mod authorizations;
pub mod enterprise_changes;
pub mod journal;
pub mod labels;
pub mod notifications;
pub mod password_resets;
pub mod public;
pub mod reference;
pub mod settings;
pub mod usage;

/// Is this error a unique-key violation (a race the pre-checks could not see)?
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
