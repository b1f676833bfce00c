//! Login throttling: after too many failures in a window, a key (an account or an address)
//! is locked for a while. Pure arithmetic over the stored counter.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// Five wrong passwords for one account in 15 minutes lock it for 15 minutes.
pub const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};
/// An address may fail more often (offices share one), but not without end.
pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_failures: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// Reports of suspected fakes: ten an hour from one address, then an hour's pause.
pub const FAKE_REPORTS_PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_failures: 10,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_start: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

impl ThrottlePolicy {
    /// Seconds until the key may try again, if it is locked now.
    pub fn retry_after(&self, state: Option<&ThrottleState>, now: NaiveDateTime) -> Option<u64> {
        let until = state?.locked_until?;
        (until > now).then(|| (until - now).num_seconds().max(1) as u64)
    }

    /// The state after one more failure at `now`.
    pub fn record_failure(
        &self,
        state: Option<&ThrottleState>,
        now: NaiveDateTime,
    ) -> ThrottleState {
        let (failures, window_start) = match state {
            Some(s) if now - s.window_start < self.window => (s.failures + 1, s.window_start),
            _ => (1, now),
        };
        let locked_until = (failures >= self.max_failures).then(|| now + self.lockout);
        ThrottleState {
            failures: if locked_until.is_some() { 0 } else { failures },
            window_start,
            locked_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(10, minute, 0))
            .unwrap()
    }

    #[test]
    fn the_fifth_failure_in_the_window_locks_the_account() {
        let mut state = None;
        for minute in 0..4 {
            let next = PER_ACCOUNT.record_failure(state.as_ref(), at(minute));
            assert_eq!(next.locked_until, None);
            state = Some(next);
        }
        let locked = PER_ACCOUNT.record_failure(state.as_ref(), at(4));
        assert_eq!(locked.locked_until, Some(at(19)));
        assert_eq!(PER_ACCOUNT.retry_after(Some(&locked), at(5)), Some(14 * 60));
        assert_eq!(PER_ACCOUNT.retry_after(Some(&locked), at(19)), None);
    }

    #[test]
    fn failures_outside_the_window_start_a_new_count() {
        let first = PER_ACCOUNT.record_failure(None, at(0));
        let later = PER_ACCOUNT.record_failure(Some(&first), at(20));
        assert_eq!(later.failures, 1);
        assert_eq!(later.window_start, at(20));
    }
}
