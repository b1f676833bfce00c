//! An application's case: its number (quoted on the phone and on every message) and the
//! working-day deadline of the step it waits in.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::add_working_days;
use super::workflow::ApplicationStatus;

/// `YDSQ-<year>-<nnnnnn>`: the case number given at submission, six digits zero-padded.
pub fn application_number(year: i32, sequence: i32) -> String {
    format!("YDSQ-{year}-{sequence:06}")
}

/// The step an application waits in, and who has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Submitted: the office decides whether to accept it (受理).
    Acceptance,
    /// Under review: the initial review and on-site check (审查).
    Review,
    /// Returned: the producer corrects it (补正); the office's clock stands still.
    Correction,
    /// Recommended: the approver decides (审批).
    Approval,
}

impl Step {
    pub fn of(status: ApplicationStatus) -> Option<Self> {
        match status {
            ApplicationStatus::Submitted => Some(Self::Acceptance),
            ApplicationStatus::UnderReview => Some(Self::Review),
            ApplicationStatus::Returned => Some(Self::Correction),
            ApplicationStatus::Recommended => Some(Self::Approval),
            _ => None,
        }
    }

    /// The office has this step (a deadline it must keep).
    pub fn is_the_offices(self) -> bool {
        !matches!(self, Self::Correction)
    }
}

/// Working days the office allows itself for each of its steps (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDays {
    pub acceptance: u32,
    pub review: u32,
    pub approval: u32,
}

impl Default for StepDays {
    fn default() -> Self {
        Self {
            acceptance: 5,
            review: 10,
            approval: 10,
        }
    }
}

/// When the step an application entered on `entered` (in `status`) is due: working days after
/// that day, weekends and `holidays` skipped. None when the office has no step to take (a
/// draft, a returned application the producer corrects, a final state).
pub fn step_due(
    status: ApplicationStatus,
    entered: NaiveDate,
    days: StepDays,
    holidays: &[NaiveDate],
) -> Option<NaiveDate> {
    let working_days = match Step::of(status)? {
        Step::Acceptance => days.acceptance,
        Step::Review => days.review,
        Step::Approval => days.approval,
        Step::Correction => return None,
    };
    Some(add_working_days(entered, working_days, holidays))
}

/// Waiting for the office past its deadline (the deadline day itself is still in time).
pub fn is_overdue(status: ApplicationStatus, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    Step::of(status).is_some_and(Step::is_the_offices) && due.is_some_and(|due| due < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn case_numbers_are_zero_padded_to_six_digits() {
        assert_eq!(application_number(2026, 1), "YDSQ-2026-000001");
        assert_eq!(application_number(2027, 123456), "YDSQ-2027-123456");
    }

    #[test]
    fn each_waiting_state_has_its_own_deadline() {
        let friday = date(2026, 11, 27);
        let days = StepDays::default();
        use ApplicationStatus::*;
        assert_eq!(
            step_due(Submitted, friday, days, &[]),
            Some(date(2026, 12, 4))
        );
        assert_eq!(
            step_due(UnderReview, friday, days, &[]),
            Some(date(2026, 12, 11))
        );
        assert_eq!(
            step_due(Recommended, friday, days, &[date(2026, 12, 1)]),
            Some(date(2026, 12, 14))
        );
        for status in [Draft, Returned, Approved, Rejected, NotAccepted, Withdrawn] {
            assert_eq!(step_due(status, friday, days, &[]), None, "{status}");
        }
    }

    #[test]
    fn overdue_only_after_the_due_day_and_only_for_the_office() {
        let due = Some(date(2026, 12, 4));
        use ApplicationStatus::*;
        assert!(!is_overdue(Submitted, due, date(2026, 12, 4)));
        assert!(is_overdue(Submitted, due, date(2026, 12, 5)));
        assert!(is_overdue(Recommended, due, date(2026, 12, 5)));
        assert!(!is_overdue(Returned, due, date(2027, 1, 1)));
        assert!(!is_overdue(Approved, due, date(2027, 1, 1)));
        assert!(!is_overdue(UnderReview, None, date(2027, 1, 1)));
    }
}
