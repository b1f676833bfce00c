//! News of a decision for the producer: the kinds of message, and when a message that could
//! not be delivered is tried again (exponential backoff) or given up.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use strum::{EnumCount, VariantArray};

use super::workflow::UnknownValue;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum NotificationKind {
    ApplicationAccepted,
    ApplicationNotAccepted,
    ApplicationReturned,
    ApplicationApproved,
    ApplicationRejected,
    RightSuspended,
    RightReinstated,
    RightRevoked,
    UsageReportDue,
}

impl NotificationKind {
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Deliveries tried before a message is given up (and shown to admins as failed): with the
/// backoff below, about a day and a half of trying.
pub const MAX_ATTEMPTS: i32 = 12;

/// The longest wait between two tries.
pub const LONGEST_WAIT: Duration = Duration::hours(6);

/// How long to wait after the `attempts`-th failed try: `base`, doubled each time, at most
/// [`LONGEST_WAIT`].
pub fn retry_after(attempts: i32, base: Duration) -> Duration {
    let doublings = attempts.clamp(1, 30) as u32 - 1;
    let wait = base
        .num_milliseconds()
        .max(1)
        .saturating_mul(1i64 << doublings.min(40));
    Duration::milliseconds(wait).min(LONGEST_WAIT)
}

/// Is a message that failed its `attempts`-th try given up?
pub fn gives_up(attempts: i32, transient: bool) -> bool {
    !transient || attempts >= MAX_ATTEMPTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_six_hours() {
        let base = Duration::seconds(30);
        assert_eq!(retry_after(1, base), Duration::seconds(30));
        assert_eq!(retry_after(2, base), Duration::seconds(60));
        assert_eq!(retry_after(5, base), Duration::seconds(480));
        assert_eq!(retry_after(11, base), Duration::hours(6));
        assert_eq!(retry_after(1000, base), Duration::hours(6));
    }

    #[test]
    fn a_permanent_refusal_or_the_last_try_gives_up() {
        assert!(!gives_up(1, true));
        assert!(gives_up(1, false));
        assert!(gives_up(MAX_ATTEMPTS, true));
    }

    #[test]
    fn every_kind_has_its_text_form() {
        for kind in NotificationKind::ALL {
            assert_eq!(kind.as_str().parse::<NotificationKind>().ok(), Some(kind));
        }
        assert_eq!(NotificationKind::RightRevoked.as_str(), "right_revoked");
    }
}
