//! Rate limits on expensive or abusable steps (a password check, a registration, a report):
//! a key (an account, an address, or the pair) may make so many attempts in a window; an
//! attempt beyond that locks the key for a while. Pure arithmetic over the stored counter.
//!
//! Attempts are counted *before* the work they allow (the caller checks and counts in one
//! write transaction), so a burst of concurrent attempts cannot all pass the check before any
//! is counted; and a lock that lies in the future is never shortened or cleared.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts allowed in one window.
    pub max_attempts: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// Five password guesses for one account from one address in 15 minutes; the sixth locks
/// that pair for 15 minutes. The owner, from another address, is not affected.
pub const LOGIN_PER_ACCOUNT_AND_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};
/// An address may try more often (offices share one), but not without end.
pub const LOGIN_PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};
/// The ceiling per account over all addresses: high enough that strangers must come from
/// twenty addresses to reach it, low enough that guessing from many addresses stays slow.
pub const LOGIN_PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 100,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// Reports of suspected fakes: ten an hour from one address, then an hour's pause.
pub const FAKE_REPORTS_PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 10,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// Registrations (each one a password hash and two rows): ten an hour from one address.
pub const REGISTRATIONS_PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 10,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// Password-reset requests: three an hour for one account (each may send an e-mail), then
/// an hour's pause; the answer stays 202, only the e-mail is not sent.
pub const RESET_PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 3,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};
/// Password-reset requests from one address: ten an hour, then an hour's pause.
pub const RESET_PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 10,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// The longest window or lock of any policy: a row idle for longer holds nothing.
pub const LONGEST_HOLD: Duration = Duration::hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub attempts: i32,
    pub window_start: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

/// What one attempt may do: go ahead, or wait this many seconds. Either way `next` is the
/// state to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub next: ThrottleState,
    pub retry_after_secs: Option<u64>,
}

fn seconds_until(until: NaiveDateTime, now: NaiveDateTime) -> u64 {
    (until - now).num_seconds().max(1) as u64
}

fn future_lock(state: Option<&ThrottleState>, now: NaiveDateTime) -> Option<NaiveDateTime> {
    state?.locked_until.filter(|until| *until > now)
}

impl ThrottlePolicy {
    /// Seconds until the key may try again, if it is locked now.
    pub fn retry_after(&self, state: Option<&ThrottleState>, now: NaiveDateTime) -> Option<u64> {
        future_lock(state, now).map(|until| seconds_until(until, now))
    }

    /// Counts one attempt at `now`, or refuses it: a locked key stays locked; an attempt
    /// beyond the window's allowance locks the key.
    pub fn admit(&self, state: Option<&ThrottleState>, now: NaiveDateTime) -> Admission {
        if let (Some(state), Some(until)) = (state, future_lock(state, now)) {
            return Admission {
                next: *state,
                retry_after_secs: Some(seconds_until(until, now)),
            };
        }
        let (attempts, window_start) = match state {
            Some(s) if s.locked_until.is_none() && now - s.window_start < self.window => {
                (s.attempts, s.window_start)
            }
            _ => (0, now),
        };
        if attempts >= self.max_attempts {
            let until = now + self.lockout;
            return Admission {
                next: ThrottleState {
                    attempts,
                    window_start,
                    locked_until: Some(until),
                },
                retry_after_secs: Some(seconds_until(until, now)),
            };
        }
        Admission {
            next: ThrottleState {
                attempts: attempts + 1,
                window_start,
                locked_until: None,
            },
            retry_after_secs: None,
        }
    }
}

impl ThrottleState {
    /// After an attempt that turned out well: it is given back, so a person who signs in
    /// often does not use up the allowance; a lock stays.
    pub fn refunded(&self) -> ThrottleState {
        ThrottleState {
            attempts: (self.attempts - 1).max(0),
            ..*self
        }
    }

    /// After the right password from this pair: its earlier guesses are forgiven; a lock stays.
    pub fn forgiven(&self) -> ThrottleState {
        ThrottleState {
            attempts: 0,
            ..*self
        }
    }
}

/// Whether a stored row can be dropped at `now`: no lock ahead and its window long over.
pub fn is_expired(state: &ThrottleState, now: NaiveDateTime) -> bool {
    future_lock(Some(state), now).is_none() && now - state.window_start >= LONGEST_HOLD
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

    fn run(policy: &ThrottlePolicy, state: &mut Option<ThrottleState>, now: NaiveDateTime) -> bool {
        let admission = policy.admit(state.as_ref(), now);
        *state = Some(admission.next);
        admission.retry_after_secs.is_none()
    }

    #[test]
    fn five_attempts_pass_and_the_sixth_locks_the_pair() {
        let mut state = None;
        for minute in 0..5 {
            assert!(run(&LOGIN_PER_ACCOUNT_AND_ADDRESS, &mut state, at(minute)));
        }
        assert!(!run(&LOGIN_PER_ACCOUNT_AND_ADDRESS, &mut state, at(5)));
        let locked = state.unwrap();
        assert_eq!(locked.locked_until, Some(at(20)));
        assert_eq!(
            LOGIN_PER_ACCOUNT_AND_ADDRESS.retry_after(Some(&locked), at(6)),
            Some(14 * 60)
        );
        assert_eq!(
            LOGIN_PER_ACCOUNT_AND_ADDRESS.retry_after(Some(&locked), at(20)),
            None
        );
        // After the lock a fresh window starts.
        assert!(run(&LOGIN_PER_ACCOUNT_AND_ADDRESS, &mut state, at(20)));
        assert_eq!(state.unwrap().attempts, 1);
    }

    #[test]
    fn a_burst_never_shortens_or_clears_a_future_lock() {
        let locked = ThrottleState {
            attempts: 0,
            window_start: at(0),
            locked_until: Some(at(30)),
        };
        for minute in 1..29 {
            let admission = LOGIN_PER_ACCOUNT_AND_ADDRESS.admit(Some(&locked), at(minute));
            assert_eq!(admission.next, locked);
            assert!(admission.retry_after_secs.is_some());
        }
        assert_eq!(locked.forgiven(), locked);
        assert_eq!(locked.refunded(), locked);
    }

    #[test]
    fn attempts_outside_the_window_start_a_new_count() {
        let first = LOGIN_PER_ACCOUNT_AND_ADDRESS.admit(None, at(0)).next;
        let later = LOGIN_PER_ACCOUNT_AND_ADDRESS
            .admit(Some(&first), at(20))
            .next;
        assert_eq!((later.attempts, later.window_start), (1, at(20)));
    }

    #[test]
    fn a_good_attempt_is_given_back_and_the_pair_forgiven() {
        let mut state = None;
        for minute in 0..4 {
            run(&LOGIN_PER_ACCOUNT, &mut state, at(minute));
        }
        let state = state.unwrap();
        assert_eq!(state.refunded().attempts, 3);
        assert_eq!(state.forgiven().attempts, 0);
        let empty = ThrottleState {
            attempts: 0,
            ..state
        }
        .refunded();
        assert_eq!(empty.attempts, 0);
    }

    #[test]
    fn rows_expire_after_the_longest_hold_unless_locked() {
        let row = ThrottleState {
            attempts: 3,
            window_start: at(0),
            locked_until: None,
        };
        assert!(!is_expired(&row, at(59)));
        let later = at(0) + LONGEST_HOLD;
        assert!(is_expired(&row, later));
        let locked = ThrottleState {
            locked_until: Some(later + Duration::minutes(1)),
            ..row
        };
        assert!(!is_expired(&locked, later));
    }
}
