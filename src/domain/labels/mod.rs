//! Labels, one code per printed mark (issue 17): the rules of quotas and batches, what the
//! label page warns of, and the codes themselves ([`code`]) and the issued labels in memory
//! ([`index`]).

pub mod code;
pub mod index;
pub mod scan_log;

use serde::Serialize;

use super::authorization::AuthorizationStatus;
use super::roles::{Actor, Role};
use super::{FieldError, Localized};

/// The most labels one batch may hold: a batch is one transaction, and its CSV one download.
pub const MAX_BATCH: i64 = 100_000;
/// The largest yearly quota staff may set for one right.
pub const MAX_QUOTA: i64 = 10_000_000;
/// `label_scan_warning`: scans of one code beyond which the page warns (setting, default 10).
pub const SCAN_WARNING_SETTING: &str = "label_scan_warning";
pub const DEFAULT_SCAN_WARNING: i64 = 10;
/// `label_watch_codes`: codes of one right past the warning before the watchlist flags it.
pub const WATCH_CODES_SETTING: &str = "label_watch_codes";
pub const DEFAULT_WATCH_CODES: i64 = 3;

/// Labels are issued only under a right in this status.
pub const ISSUED_UNDER: AuthorizationStatus = AuthorizationStatus::Active;

/// Staff set a right's yearly quota and read the label settings.
pub fn may_set_quota(actor: &Actor) -> bool {
    actor.role.is_staff()
}

/// The holder's own users order batches and download their codes, and staff for any holder.
pub fn may_handle_batches(actor: &Actor, holder_enterprise_id: &str) -> bool {
    actor.may_see_enterprise(holder_enterprise_id)
}

/// Only admins change the label settings.
pub fn may_change_settings(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// What the label page warns of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LabelWarning {
    /// Checked more often than `label_scan_warning` allows: this code may have been copied.
    ManyScans,
    /// The right behind the label is suspended or has ended.
    RightNotActive,
}

/// The page's warning for a label checked `scans` times (this check included). A right not
/// active matters more than how often the code was seen.
pub fn warning(scans: i64, threshold: i64, status: AuthorizationStatus) -> Option<LabelWarning> {
    if status != AuthorizationStatus::Active {
        Some(LabelWarning::RightNotActive)
    } else if scans > threshold {
        Some(LabelWarning::ManyScans)
    } else {
        None
    }
}

/// A batch's quantity: at least one label, at most [`MAX_BATCH`].
pub fn check_batch_quantity(quantity: i64) -> Result<(), FieldError> {
    if (1..=MAX_BATCH).contains(&quantity) {
        Ok(())
    } else {
        Err(FieldError::new(
            "quantity",
            "out_of_range",
            Localized::new(
                format!("must be between 1 and {MAX_BATCH}"),
                format!("须在 1 至 {MAX_BATCH} 之间"),
            ),
        ))
    }
}

/// A batch beyond the year's quota: what is left says how many may still be ordered.
pub fn beyond_quota(year: i32, quota: Option<i64>, issued: i64) -> FieldError {
    let message = match quota {
        None => Localized::new(
            format!("no label quota is set for {year}: ask the registry to set one"),
            format!("{year} 年尚未核定标签配额，请联系登记机关"),
        ),
        Some(quota) => {
            let left = (quota - issued).max(0);
            Localized::new(
                format!("beyond the {year} quota of {quota}: {left} labels left"),
                format!("超出 {year} 年配额 {quota} 枚，尚余 {left} 枚"),
            )
        }
    };
    FieldError::new("quantity", "beyond_quota", message)
}

/// A yearly quota: not negative, not absurd, and never below what was issued already.
pub fn check_quota(quantity: i64, issued: i64) -> Result<(), FieldError> {
    if !(0..=MAX_QUOTA).contains(&quantity) {
        return Err(FieldError::new(
            "quantity",
            "out_of_range",
            Localized::new(
                format!("must be between 0 and {MAX_QUOTA}"),
                format!("须在 0 至 {MAX_QUOTA} 之间"),
            ),
        ));
    }
    if quantity < issued {
        return Err(FieldError::new(
            "quantity",
            "below_issued",
            Localized::new(
                format!("{issued} labels were issued this year already"),
                format!("本年度已发放 {issued} 枚，配额不能低于此数"),
            ),
        ));
    }
    Ok(())
}

/// A batch's number: the right's registry number, the year and its place among that year's
/// batches (`YD-HC-2024-0001-2026-03`).
pub fn batch_no(registry_no: &str, year: i32, nth: i32) -> String {
    format!("{registry_no}-{year}-{nth:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, enterprise: Option<&str>) -> Actor {
        Actor {
            user_id: "u".into(),
            role,
            enterprise_id: enterprise.map(str::to_owned),
        }
    }

    #[test]
    fn staff_set_quotas_holders_order_admins_change_settings() {
        let holder = actor(Role::Applicant, Some("e1"));
        let reviewer = actor(Role::Reviewer, None);
        let admin = actor(Role::Admin, None);
        assert!(!may_set_quota(&holder) && may_set_quota(&reviewer));
        assert!(may_handle_batches(&holder, "e1") && !may_handle_batches(&holder, "e2"));
        assert!(may_handle_batches(&reviewer, "e2"));
        assert!(may_change_settings(&admin) && !may_change_settings(&reviewer));
    }

    #[test]
    fn the_warning_comes_after_the_threshold_and_an_ended_right_first() {
        let active = AuthorizationStatus::Active;
        assert_eq!(warning(10, 10, active), None);
        assert_eq!(warning(11, 10, active), Some(LabelWarning::ManyScans));
        for status in [
            AuthorizationStatus::Suspended,
            AuthorizationStatus::Revoked,
            AuthorizationStatus::Surrendered,
        ] {
            assert_eq!(warning(1, 10, status), Some(LabelWarning::RightNotActive));
            assert_eq!(warning(99, 10, status), Some(LabelWarning::RightNotActive));
        }
    }

    #[test]
    fn quantities_and_quotas_have_bounds() {
        assert!(check_batch_quantity(0).is_err());
        assert!(check_batch_quantity(1).is_ok());
        assert!(check_batch_quantity(MAX_BATCH).is_ok());
        assert!(check_batch_quantity(MAX_BATCH + 1).is_err());
        assert!(check_quota(-1, 0).is_err());
        assert!(check_quota(0, 0).is_ok());
        assert_eq!(
            check_quota(5, 6).map_err(|e| e.code),
            Err("below_issued".into())
        );
        assert!(check_quota(MAX_QUOTA + 1, 0).is_err());
        assert!(beyond_quota(2026, Some(100), 90)
            .message
            .zh
            .contains("尚余 10 枚"));
        assert_eq!(batch_no("R-1", 2026, 3), "R-1-2026-03");
    }
}
