//! The counter toward the goal: enterprises (not rights) with at least one active right, and
//! its history month by month, rebuilt from the journal's authorization events.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// One change of an authorization's status, as the journal recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub authorization_id: String,
    pub enterprise_id: String,
    pub at: NaiveDateTime,
    /// `active`, `suspended`, `revoked` or `surrendered`.
    pub to_status: String,
}

/// Enterprises remaining to the target (never negative) and the share reached, in percent
/// with one decimal.
pub fn progress(target: i64, authorized: i64) -> (i64, f64) {
    let remaining = (target - authorized).max(0);
    let percent = if target > 0 {
        (authorized as f64 * 1000.0 / target as f64).round() / 10.0
    } else {
        100.0
    };
    (remaining, percent)
}

/// `YYYY-MM` of a date.
pub fn month_key(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

fn next_month(date: NaiveDate) -> NaiveDate {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(date)
}

/// For each month from the first change to `today`'s month: the number of enterprises with at
/// least one active right at the end of that month (or now, for the current month). Changes
/// must be in time order.
pub fn monthly_series(changes: &[StatusChange], today: NaiveDate) -> Vec<(String, i64)> {
    let Some(first) = changes.first() else {
        return Vec::new();
    };
    let mut status: HashMap<&str, (&str, bool)> = HashMap::new();
    let mut series = Vec::new();
    let mut month_start = first.at.date().with_day(1).unwrap_or(first.at.date());
    let mut index = 0;
    while month_start <= today {
        let month_end = next_month(month_start);
        while let Some(change) = changes.get(index).filter(|c| c.at.date() < month_end) {
            status.insert(
                &change.authorization_id,
                (&change.enterprise_id, change.to_status == "active"),
            );
            index += 1;
        }
        let enterprises: BTreeSet<&str> = status
            .values()
            .filter(|(_, active)| *active)
            .map(|(e, _)| *e)
            .collect();
        series.push((month_key(month_start), enterprises.len() as i64));
        month_start = month_end;
    }
    series
}

/// Distinct enterprises per key (product or town) among active rights given as (key, enterprise).
pub fn distinct_by<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<&'a str, i64> {
    let mut sets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (key, enterprise) in rows {
        sets.entry(key).or_default().insert(enterprise);
    }
    sets.into_iter().map(|(k, v)| (k, v.len() as i64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap()
    }

    fn change(
        authorization: &str,
        enterprise: &str,
        when: NaiveDateTime,
        to: &str,
    ) -> StatusChange {
        StatusChange {
            authorization_id: authorization.into(),
            enterprise_id: enterprise.into(),
            at: when,
            to_status: to.into(),
        }
    }

    #[test]
    fn two_products_of_one_enterprise_count_once_and_suspension_shows_in_its_month() {
        let changes = vec![
            change("tea", "e1", at(2026, 1, 10), "active"),
            change("shoot", "e1", at(2026, 1, 20), "active"),
            change("tea2", "e2", at(2026, 2, 5), "active"),
            change("tea2", "e2", at(2026, 3, 15), "suspended"),
            change("tea2", "e2", at(2026, 4, 2), "active"),
            change("tea", "e1", at(2026, 4, 20), "revoked"),
        ];
        let series = monthly_series(&changes, NaiveDate::from_ymd_opt(2026, 5, 3).unwrap());
        assert_eq!(
            series,
            vec![
                ("2026-01".into(), 1),
                ("2026-02".into(), 2),
                ("2026-03".into(), 1),
                ("2026-04".into(), 2), // e1 still holds the shoot right
                ("2026-05".into(), 2),
            ]
        );
    }

    #[test]
    fn the_series_crosses_year_ends_and_is_empty_without_rights() {
        assert!(monthly_series(&[], NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).is_empty());
        let changes = vec![change("a", "e", at(2025, 12, 31), "active")];
        let series = monthly_series(&changes, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(series, vec![("2025-12".into(), 1), ("2026-01".into(), 1)]);
    }

    #[test]
    fn progress_never_goes_below_zero_remaining() {
        assert_eq!(progress(100, 37), (63, 37.0));
        assert_eq!(progress(3, 1), (2, 33.3));
        assert_eq!(progress(100, 120), (0, 120.0));
    }

    #[test]
    fn distinct_counts_enterprises_not_rights() {
        let rows = vec![("tea", "e1"), ("tea", "e1"), ("tea", "e2"), ("shoot", "e1")];
        let counts = distinct_by(rows);
        assert_eq!(counts.get("tea"), Some(&2));
        assert_eq!(counts.get("shoot"), Some(&1));
    }
}
