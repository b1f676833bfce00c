//! The registry's idea of "now", injected so tests can set the date without sleeping.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still at `at` until [`Clock::set`] moves it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            fixed: Some(Arc::new(RwLock::new(at))),
        }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(fixed) = &self.fixed {
            if let Ok(mut guard) = fixed.write() {
                *guard = at;
            }
        }
    }

    /// Now in UTC, truncated to microseconds so SQLite and PostgreSQL store the same value.
    pub fn now(&self) -> DateTime<Utc> {
        let now = match &self.fixed {
            Some(fixed) => fixed.read().map(|g| *g).unwrap_or_else(|p| *p.into_inner()),
            None => Utc::now(),
        };
        now.trunc_subsecs(6)
    }

    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Today in Beijing time (UTC+8, no summer time): the date people in Yingde write, so the
    /// date a form offers (between 00:00 and 08:00 there it is already UTC's tomorrow).
    pub fn beijing_today(&self) -> NaiveDate {
        (self.now() + chrono::Duration::hours(8)).date_naive()
    }
}
