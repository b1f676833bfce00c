//! The change feed: every public change of the register (grants, suspensions, reinstatements,
//! revocations, surrenders, holders' new details) in journal order, for open-data users and
//! other bureaus mirroring the register incrementally. Served from the register's own log in
//! memory (`domain::register::changes`), never from the database per request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ServiceError, ServiceResult, ServiceState};
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::register::ChangeView;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;
/// Entries of the Atom feed (the newest).
pub const FEED_ENTRIES: usize = 100;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// Changes after this journal sequence number (0, the default, is from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many items (default 100, at most 1000); a page ends between events.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// What happened.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChangeEvent {
    Granted,
    Suspended,
    Reinstated,
    Revoked,
    Surrendered,
    EnterpriseChanged,
}

impl ChangeEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeEvent::Granted => "granted",
            ChangeEvent::Suspended => "suspended",
            ChangeEvent::Reinstated => "reinstated",
            ChangeEvent::Revoked => "revoked",
            ChangeEvent::Surrendered => "surrendered",
            ChangeEvent::EnterpriseChanged => "enterprise_changed",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeItem {
    /// The journal event's sequence number.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub event: ChangeEvent,
    pub registry_no: String,
    pub uscc: String,
    pub enterprise_name: String,
    pub product_code: String,
    /// The right's status after the change.
    pub status: AuthorizationStatus,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeItem>,
    /// Pass as `after` for the next page (the last item's `seq`, or where the register is).
    pub next_after: i64,
}

pub fn item(view: &ChangeView<'_>) -> ChangeItem {
    use crate::domain::register::ChangeKind as K;
    ChangeItem {
        seq: view.seq,
        at: view.at.and_utc(),
        event: match view.kind {
            K::Granted => ChangeEvent::Granted,
            K::Suspended => ChangeEvent::Suspended,
            K::Reinstated => ChangeEvent::Reinstated,
            K::Revoked => ChangeEvent::Revoked,
            K::Surrendered => ChangeEvent::Surrendered,
            K::EnterpriseChanged => ChangeEvent::EnterpriseChanged,
        },
        registry_no: view.right.registry_no.clone(),
        uscc: view.right.uscc.clone(),
        enterprise_name: view.right.enterprise_name.clone(),
        product_code: view.right.product_code.clone(),
        status: view.status,
    }
}

/// One page of changes after `after`.
pub async fn changes(state: &ServiceState, query: ChangesQuery) -> ServiceResult<ChangePage> {
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let mut problems = Vec::new();
    if after < 0 {
        problems.push(crate::domain::FieldError::new(
            "after",
            "out_of_range",
            crate::domain::Localized::new("must be 0 or more", "须为 0 或正整数"),
        ));
    }
    if !(1..=MAX_LIMIT).contains(&limit) {
        problems.push(crate::domain::FieldError::new(
            "limit",
            "out_of_range",
            crate::domain::Localized::new(
                format!("must be from 1 to {MAX_LIMIT}"),
                format!("须在 1 到 {MAX_LIMIT} 之间"),
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let register = state.register.read()?;
    let (views, next_after) = register.changes_after(after, limit as usize);
    Ok(ChangePage {
        items: views.iter().map(item).collect(),
        next_after,
    })
}

/// The newest changes, newest first, for the Atom feed.
pub async fn latest(state: &ServiceState) -> ServiceResult<Vec<ChangeItem>> {
    let register = state.register.read()?;
    Ok(register
        .latest_changes(FEED_ENTRIES)
        .iter()
        .map(item)
        .collect())
}
