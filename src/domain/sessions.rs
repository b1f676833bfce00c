//! How long a session lives. A page session slides: it ends after an hour without a request,
//! however long ago it began (up to a working day, its token's lifetime). An API token keeps
//! its fixed hour.

use chrono::{Duration, NaiveDateTime};

/// A page session ends after this long without a request.
pub const IDLE_LIMIT_SECS: i64 = 3600;

/// The longest a page session lives however busy it is: its token's lifetime (a working day).
pub const PAGE_SESSION_MAX_SECS: i64 = 12 * 3600;

/// A session's last request is written at most this often (a write per request would be one
/// per page view for nothing: an hour's limit does not need the second).
pub const TOUCH_EVERY_SECS: i64 = 60;

/// Whether a sliding session last seen at `last_seen` has ended by `now`.
pub fn idle_expired(last_seen: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - last_seen >= Duration::seconds(IDLE_LIMIT_SECS)
}

/// Whether a request at `now` should write itself as the session's last one.
pub fn needs_touch(last_seen: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - last_seen >= Duration::seconds(TOUCH_EVERY_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default()
            + Duration::minutes(minutes)
    }

    #[test]
    fn an_hour_of_inactivity_ends_a_session() {
        assert!(!idle_expired(at(0), at(59)));
        assert!(idle_expired(at(0), at(60)));
        assert!(!idle_expired(at(50), at(100)));
    }

    #[test]
    fn the_last_request_is_written_at_most_once_a_minute() {
        assert!(!needs_touch(at(0), at(0)));
        assert!(needs_touch(at(0), at(1)));
    }
}
