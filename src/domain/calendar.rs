//! Working days: review deadlines skip weekends and the holidays an admin keeps.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

pub fn is_working_day(day: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// The day `working_days` working days after `start` (the start day itself not counted).
pub fn add_working_days(start: NaiveDate, working_days: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut day = start;
    let mut left = working_days;
    while left > 0 {
        day += Duration::days(1);
        if is_working_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ten_working_days_skip_weekends_and_holidays() {
        // Friday 2026-11-27 + 10 working days = Friday 2026-12-11.
        assert_eq!(
            add_working_days(date(2026, 11, 27), 10, &[]),
            date(2026, 12, 11)
        );
        // A holiday on Monday 2026-11-30 pushes it to Monday 2026-12-14.
        assert_eq!(
            add_working_days(date(2026, 11, 27), 10, &[date(2026, 11, 30)]),
            date(2026, 12, 14)
        );
        assert_eq!(
            add_working_days(date(2026, 11, 28), 1, &[]),
            date(2026, 11, 30),
            "Saturday to Monday"
        );
    }
}
