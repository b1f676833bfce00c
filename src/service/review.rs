//! The review desk: deadlines in working days, the holiday list, and review statistics.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::queries::{
    applications as app_db, public as public_db, settings, usage as usage_db,
};
use crate::db::{write_transaction, DbConnection};
use crate::domain::case::{application_number, is_overdue, step_due, Step, StepDays};
use crate::domain::roles::{Actor, Role};
use crate::domain::workflow::ApplicationStatus;

pub const REVIEW_DAYS_SETTING: &str = "review_due_working_days";
pub const ACCEPTANCE_DAYS_SETTING: &str = "acceptance_due_working_days";
pub const APPROVAL_DAYS_SETTING: &str = "approval_due_working_days";
/// More than a year's worth of days would be a mistake.
const MAX_HOLIDAYS: usize = 400;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct Holiday {
    pub day: NaiveDate,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct HolidayList {
    #[validate(nested)]
    #[schema(max_items = 400)]
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateStats {
    pub status: ApplicationStatus,
    pub count: i64,
    /// Median days the applications now in this state have been in it.
    pub median_days_in_state: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewStats {
    pub by_status: Vec<StateStats>,
    /// Applications under review past their review due date.
    pub overdue_reviews: i64,
    /// Applications waiting for the office in any step (acceptance, review, approval) past
    /// its deadline.
    pub overdue_waiting: i64,
    pub as_of: DateTime<Utc>,
}

pub(crate) fn holidays(conn: &mut DbConnection) -> ServiceResult<Vec<NaiveDate>> {
    Ok(usage_db::holiday_dates(conn)?
        .into_iter()
        .filter_map(|(day, _)| day.parse().ok())
        .collect())
}

/// The working days of each of the office's steps, from the settings.
pub(crate) fn step_days(conn: &mut DbConnection) -> ServiceResult<StepDays> {
    let defaults = StepDays::default();
    let mut days = |key: &str, default: u32| -> ServiceResult<u32> {
        Ok(settings::get(conn, key)?
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default))
    };
    Ok(StepDays {
        acceptance: days(ACCEPTANCE_DAYS_SETTING, defaults.acceptance)?,
        review: days(REVIEW_DAYS_SETTING, defaults.review)?,
        approval: days(APPROVAL_DAYS_SETTING, defaults.approval)?,
    })
}

/// When the step of an application that entered `status` on `entered` is due (None where
/// the office has no step to take).
pub(crate) fn step_due_date(
    conn: &mut DbConnection,
    status: ApplicationStatus,
    entered: NaiveDate,
) -> ServiceResult<Option<NaiveDate>> {
    if Step::of(status).is_none_or(|step| !step.is_the_offices()) {
        return Ok(None);
    }
    let days = step_days(conn)?;
    Ok(step_due(status, entered, days, &holidays(conn)?))
}

/// Gives applications submitted before case numbers existed their number (in order of
/// submission, numbered in their year) and every waiting application its step's deadline.
/// Run once at start; idempotent, and a second replica starting at once finds nothing left.
pub fn backfill_case_facts(conn: &mut DbConnection) -> ServiceResult<usize> {
    write_transaction(conn, |conn| {
        let rows = app_db::without_case_facts(conn)?;
        let mut completed = 0;
        for row in &rows {
            if let (Some(submitted), None) = (row.submitted_at, &row.application_no) {
                let year = submitted.year();
                let number =
                    application_number(year, app_db::next_application_sequence(conn, year)?);
                completed += app_db::set_application_no(conn, &row.id, &number)?;
            }
            let status: ApplicationStatus = match row.status.parse() {
                Ok(status) => status,
                Err(_) => continue,
            };
            if row.current_step_due.is_none() {
                let due = match (status, &row.review_due_date) {
                    (ApplicationStatus::UnderReview, Some(set)) => set.parse().ok(),
                    _ => step_due_date(conn, status, row.status_changed_at.date())?,
                };
                if let Some(due) = due {
                    app_db::set_current_step_due(conn, &row.id, Some(due.to_string()))?;
                    completed += 1;
                }
            }
        }
        Ok(completed)
    })
}

pub async fn holiday_list(state: &ServiceState, actor: &Actor) -> ServiceResult<HolidayList> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    state
        .run(|conn| {
            let holidays = usage_db::holiday_dates(conn)?
                .into_iter()
                .filter_map(|(day, name)| {
                    Some(Holiday {
                        day: day.parse().ok()?,
                        name,
                    })
                })
                .collect();
            Ok(HolidayList { holidays })
        })
        .await
}

/// An admin replaces the holiday list (future deadlines use it; set ones stay).
pub async fn set_holidays(
    state: &ServiceState,
    actor: &Actor,
    input: HolidayList,
) -> ServiceResult<HolidayList> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let mut problems = Vec::new();
    if input.holidays.len() > MAX_HOLIDAYS {
        problems.push(crate::domain::FieldError::new(
            "holidays",
            "length",
            crate::domain::Localized::new(
                format!("must hold at most {MAX_HOLIDAYS} days"),
                format!("最多{MAX_HOLIDAYS}天"),
            ),
        ));
    }
    validation::check(&input, problems)?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    // Names are kept as given: the document's rule is at least one character.
    let mut days: Vec<(String, String)> = input
        .holidays
        .iter()
        .map(|h| (h.day.to_string(), h.name.clone()))
        .collect();
    days.sort();
    days.dedup_by(|a, b| a.0 == b.0);
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                usage_db::replace_holidays(conn, &days)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "setting",
                        entity_id: "holidays",
                        action: "set_holidays",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::json!({"days": days.iter().map(|(d, _)| d).collect::<Vec<_>>()})),
                        at: now,
                    },
                )?;
                Ok::<(), ServiceError>(())
            })?;
            Ok(HolidayList {
                holidays: days.into_iter().filter_map(|(day, name)| Some(Holiday { day: day.parse().ok()?, name })).collect(),
            })
        })
        .await
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let middle = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

/// Counts by state, median days in state, overdue reviews (staff only).
pub async fn stats(state: &ServiceState, actor: &Actor) -> ServiceResult<ReviewStats> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    let now = state.clock.now();
    state
        .run(move |conn| {
            let rows = public_db::application_ages(conn)?;
            let mut by_status = Vec::new();
            for status in ApplicationStatus::ALL {
                let mut days: Vec<f64> = rows
                    .iter()
                    .filter(|(s, _, _)| s == status.as_str())
                    .map(|(_, changed, _)| {
                        (now.naive_utc() - *changed).num_minutes() as f64 / 1440.0
                    })
                    .collect();
                let count = days.len() as i64;
                let median_days_in_state = (median(&mut days) * 10.0).round() / 10.0;
                by_status.push(StateStats {
                    status,
                    count,
                    median_days_in_state,
                });
            }
            let overdue = |(status, _, due): &&(String, _, Option<String>)| {
                status.parse::<ApplicationStatus>().is_ok_and(|status| {
                    is_overdue(
                        status,
                        due.as_deref().and_then(|d| d.parse().ok()),
                        now.date_naive(),
                    )
                })
            };
            let overdue_reviews = rows
                .iter()
                .filter(|row| row.0 == "under_review")
                .filter(overdue)
                .count() as i64;
            let overdue_waiting = rows.iter().filter(overdue).count() as i64;
            Ok(ReviewStats {
                by_status,
                overdue_reviews,
                overdue_waiting,
                as_of: now,
            })
        })
        .await
}
