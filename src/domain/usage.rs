//! Duties after approval (2020 CNIPA measures): a yearly usage report per right, and the
//! grounds that put a right on the watchlist — an overdue report, or two years without use.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// When the report for `year` is due: a month and day of the following year (default 31 March).
pub fn report_due_date(year: i32, due_month: u32, due_day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, due_month, due_day)
        .or_else(|| NaiveDate::from_ymd_opt(year + 1, due_month, 28))
        .unwrap_or(NaiveDate::MIN)
}

/// Parses the `MM-DD` setting of the due date.
pub fn parse_due_month_day(setting: &str) -> Option<(u32, u32)> {
    let (month, day) = setting.trim().split_once('-')?;
    let (month, day) = (month.parse().ok()?, day.parse().ok()?);
    NaiveDate::from_ymd_opt(2001, month, day).map(|_| (month, day))
}

/// Why a report for `year` cannot be filed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearRefusal {
    /// Only a year that has ended can be reported.
    NotPast,
    /// The right did not exist yet that year.
    BeforeGrant,
}

pub fn check_report_year(
    year: i32,
    granted: NaiveDate,
    today: NaiveDate,
) -> Result<(), YearRefusal> {
    if year >= today.year() {
        return Err(YearRefusal::NotPast);
    }
    if year < granted.year() {
        return Err(YearRefusal::BeforeGrant);
    }
    Ok(())
}

/// One reason a right is on the watchlist, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum WatchReason {
    /// The report for `year` was due on `due` and has not been filed.
    OverdueReport { year: i32, due: NaiveDate },
    /// Two consecutive reported years with no mark used.
    NoMarksUsed { years: [i32; 2] },
    /// No report for two consecutive years whose reports are due.
    NoReports { years: [i32; 2] },
    /// `codes` of the right's label codes were checked more than `threshold` times each
    /// (`label_scan_warning`): copies may be in circulation.
    ManyScans { codes: usize, threshold: i64 },
}

impl WatchReason {
    /// Does this reason meet the two-year non-use ground for revocation?
    pub fn is_non_use(&self) -> bool {
        matches!(
            self,
            WatchReason::NoMarksUsed { .. } | WatchReason::NoReports { .. }
        )
    }
}

/// Everything that puts one right on the watchlist, given its grant date, its reports
/// (year → marks used) and today.
pub fn watch_reasons(
    granted: NaiveDate,
    reports: &BTreeMap<i32, i64>,
    today: NaiveDate,
    (due_month, due_day): (u32, u32),
) -> Vec<WatchReason> {
    let due_years: Vec<i32> = (granted.year()..today.year())
        .filter(|y| report_due_date(*y, due_month, due_day) < today)
        .collect();
    let mut reasons: Vec<WatchReason> = due_years
        .iter()
        .filter(|y| !reports.contains_key(y))
        .map(|&year| WatchReason::OverdueReport {
            year,
            due: report_due_date(year, due_month, due_day),
        })
        .collect();
    for pair in due_years.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        match (reports.get(&a), reports.get(&b)) {
            (Some(0), Some(0)) => reasons.push(WatchReason::NoMarksUsed { years: [a, b] }),
            (None, None) => reasons.push(WatchReason::NoReports { years: [a, b] }),
            _ => {}
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_year_is_due_on_31_march_of_the_next_and_only_past_years_are_filed() {
        assert_eq!(report_due_date(2025, 3, 31), date(2026, 3, 31));
        assert_eq!(parse_due_month_day("03-31"), Some((3, 31)));
        assert_eq!(parse_due_month_day("02-30"), None);
        let granted = date(2024, 6, 1);
        assert_eq!(check_report_year(2025, granted, date(2026, 1, 5)), Ok(()));
        assert_eq!(
            check_report_year(2026, granted, date(2026, 11, 27)),
            Err(YearRefusal::NotPast)
        );
        assert_eq!(
            check_report_year(2023, granted, date(2026, 11, 27)),
            Err(YearRefusal::BeforeGrant)
        );
    }

    #[test]
    fn an_unfiled_report_is_overdue_only_after_its_due_date() {
        let granted = date(2025, 5, 1);
        let none = BTreeMap::new();
        assert!(watch_reasons(granted, &none, date(2026, 3, 31), (3, 31)).is_empty());
        assert_eq!(
            watch_reasons(granted, &none, date(2026, 4, 1), (3, 31)),
            vec![WatchReason::OverdueReport {
                year: 2025,
                due: date(2026, 3, 31)
            }]
        );
    }

    #[test]
    fn two_consecutive_years_without_marks_or_without_reports_meet_the_non_use_ground() {
        let granted = date(2023, 2, 1);
        let today = date(2026, 11, 27);
        let zero_twice = BTreeMap::from([(2023, 500), (2024, 0), (2025, 0)]);
        let reasons = watch_reasons(granted, &zero_twice, today, (3, 31));
        assert_eq!(
            reasons,
            vec![WatchReason::NoMarksUsed {
                years: [2024, 2025]
            }]
        );
        assert!(reasons[0].is_non_use());

        let silent = BTreeMap::from([(2023, 800)]);
        let reasons = watch_reasons(granted, &silent, today, (3, 31));
        assert!(reasons.contains(&WatchReason::NoReports {
            years: [2024, 2025]
        }));
        assert_eq!(
            reasons.iter().filter(|r| !r.is_non_use()).count(),
            2,
            "both missing years are overdue"
        );

        let used = BTreeMap::from([(2023, 100), (2024, 0), (2025, 30)]);
        assert!(watch_reasons(granted, &used, today, (3, 31)).is_empty());
    }
}
