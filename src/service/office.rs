//! The office that runs the registry: its name, address, phone, hours, e-mail and complaint
//! line (admin settings, journalled), and the facts the service guide states (each step's
//! working days, the working days of a change of details (an admin setting, journalled), the
//! usage report's due date). Every page's footer shows the office, so the
//! facts are kept in memory per process and read again after a local change or a few
//! seconds (another replica's change).

use std::sync::RwLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::queries::settings;
use crate::db::{write_transaction, DbConnection};
use crate::domain::case::StepDays;
use crate::domain::roles::{Actor, Role};
use crate::domain::usage::parse_due_month_day;

/// How long another replica's change to the office may take to show here.
const FRESH_FOR: Duration = Duration::from_secs(5);

/// The setting keys, in the order of [`OfficeView`]'s fields.
const KEYS: [&str; 6] = [
    "office_name",
    "office_address",
    "office_phone",
    "office_hours",
    "office_email",
    "office_complaint_phone",
];

/// How people reach the office. An empty text is a detail the admin has not given yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
pub struct OfficeView {
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 2, max = 200)
    )]
    #[schema(min_length = 2, max_length = 200, example = "英德市市场监督管理局")]
    pub name: String,
    #[serde(default, deserialize_with = "validation::trimmed")]
    #[validate(custom(function = "validation::plain_text"), length(max = 300))]
    #[schema(max_length = 300)]
    pub address: String,
    #[serde(default, deserialize_with = "validation::trimmed")]
    #[validate(custom(function = "validation::plain_text"), length(max = 60))]
    #[schema(max_length = 60, example = "0763-2222222")]
    pub phone: String,
    #[serde(default, deserialize_with = "validation::trimmed")]
    #[validate(custom(function = "validation::plain_text"), length(max = 200))]
    #[schema(max_length = 200)]
    pub hours: String,
    #[serde(default, deserialize_with = "validation::trimmed")]
    #[validate(custom(function = "validation::plain_text"), length(max = 254))]
    #[schema(max_length = 254)]
    pub email: String,
    /// The complaint and report line; 12315 (市场监管投诉举报热线) unless set otherwise.
    #[serde(
        default = "default_complaint_phone",
        deserialize_with = "validation::trimmed"
    )]
    #[validate(custom(function = "validation::plain_text"), length(min = 3, max = 60))]
    #[schema(min_length = 3, max_length = 60, example = "12315")]
    pub complaint_phone: String,
}

fn default_complaint_phone() -> String {
    "12315".into()
}

impl Default for OfficeView {
    fn default() -> Self {
        Self {
            name: "英德市市场监督管理局".into(),
            address: String::new(),
            phone: String::new(),
            hours: String::new(),
            email: String::new(),
            complaint_phone: default_complaint_phone(),
        }
    }
}

/// What the service guide states beside the office: the time limits from the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeFacts {
    pub office: OfficeView,
    pub step_days: StepDays,
    /// The working days staff have to decide a change of a holder's details (变更).
    pub change_review_days: u32,
    /// The usage report's due date each year, (month, day), for the year before.
    pub usage_report_due: (u32, u32),
}

impl Default for OfficeFacts {
    fn default() -> Self {
        Self {
            office: OfficeView::default(),
            step_days: StepDays::default(),
            change_review_days: super::enterprise_changes::DEFAULT_REVIEW_DAYS,
            usage_report_due: (3, 31),
        }
    }
}

/// The facts as last read, with when and after which of this process's changes to them.
/// Keyed on those changes only: keyed on every write, the cache emptied with each scan flush
/// and each application saved, and every page drawn just after asked the database again.
#[derive(Default)]
pub struct OfficeCache {
    held: RwLock<Option<(Instant, u64, std::sync::Arc<OfficeFacts>)>>,
    changes: std::sync::atomic::AtomicU64,
    /// One request reads the facts again when they are old; the others show the last ones
    /// meanwhile (without it, every page drawn at that moment waited for the database).
    refreshing: std::sync::atomic::AtomicBool,
}

/// Clears `refreshing` when the read ends, however it ends.
struct Refreshing<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Release);
    }
}

impl OfficeCache {
    /// The facts held, unless this process has changed them since, and whether they are
    /// still fresh.
    fn unchanged(&self) -> Option<(std::sync::Arc<OfficeFacts>, bool)> {
        let held = self.held.read().ok()?;
        let (read_at, writes, facts) = held.as_ref()?;
        (*writes == self.changes()).then(|| (facts.clone(), read_at.elapsed() < FRESH_FOR))
    }

    /// Makes this caller the one to read the facts again, unless another one already is.
    fn start_refresh(&self) -> Option<Refreshing<'_>> {
        (!self
            .refreshing
            .swap(true, std::sync::atomic::Ordering::AcqRel))
        .then(|| Refreshing(&self.refreshing))
    }

    fn last(&self) -> Option<std::sync::Arc<OfficeFacts>> {
        let held = self.held.read().ok()?;
        held.as_ref().map(|(_, _, facts)| facts.clone())
    }

    fn changes(&self) -> u64 {
        self.changes.load(std::sync::atomic::Ordering::Acquire)
    }

    /// This process changed the facts (after the commit): the next page reads them again.
    fn changed(&self) {
        self.changes
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    fn keep(&self, writes: u64, facts: std::sync::Arc<OfficeFacts>) {
        if let Ok(mut held) = self.held.write() {
            *held = Some((Instant::now(), writes, facts));
        }
    }
}

fn read_facts(conn: &mut DbConnection) -> ServiceResult<OfficeFacts> {
    let stored: std::collections::HashMap<String, String> =
        settings::all(conn)?.into_iter().collect();
    let text =
        |key: &str, default: &str| stored.get(key).cloned().unwrap_or_else(|| default.into());
    let days = |key: &str, default: u32| {
        stored
            .get(key)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    };
    let (office, step_days) = (OfficeView::default(), StepDays::default());
    Ok(OfficeFacts {
        office: OfficeView {
            name: text(KEYS[0], &office.name),
            address: text(KEYS[1], &office.address),
            phone: text(KEYS[2], &office.phone),
            hours: text(KEYS[3], &office.hours),
            email: text(KEYS[4], &office.email),
            complaint_phone: text(KEYS[5], &office.complaint_phone),
        },
        step_days: StepDays {
            acceptance: days(super::review::ACCEPTANCE_DAYS_SETTING, step_days.acceptance),
            review: days(super::review::REVIEW_DAYS_SETTING, step_days.review),
            approval: days(super::review::APPROVAL_DAYS_SETTING, step_days.approval),
        },
        change_review_days: days(
            super::enterprise_changes::REVIEW_DAYS_SETTING,
            super::enterprise_changes::DEFAULT_REVIEW_DAYS,
        ),
        usage_report_due: stored
            .get(super::usage::DUE_SETTING)
            .and_then(|v| parse_due_month_day(v))
            .unwrap_or((3, 31)),
    })
}

/// The office and the guide's time limits, from memory when fresh.
pub async fn facts(state: &ServiceState) -> ServiceResult<std::sync::Arc<OfficeFacts>> {
    let _refreshing = match state.office.unchanged() {
        Some((facts, true)) => return Ok(facts),
        // Old: one request reads them again, the others show these meanwhile.
        Some((stale, false)) => match state.office.start_refresh() {
            Some(refreshing) => Some(refreshing),
            None => return Ok(stale),
        },
        // Never read, or changed by this process: read now.
        None => None,
    };
    let writes = state.office.changes();
    match state.run(read_facts).await {
        Ok(facts) => {
            let facts = std::sync::Arc::new(facts);
            state.office.keep(writes, facts.clone());
            Ok(facts)
        }
        // Without the database the last facts read (or the defaults) still draw a footer;
        // they are kept a while so a failing database is not asked on every page.
        Err(error) => {
            tracing::warn!(%error, "office details unavailable: the last ones read are shown");
            let stale = state.office.last().unwrap_or_default();
            state.office.keep(writes, stale.clone());
            Ok(stale)
        }
    }
}

/// `GET /api/v1/public/office`.
pub async fn office(state: &ServiceState) -> ServiceResult<OfficeView> {
    Ok(facts(state).await?.office.clone())
}

/// An admin sets the office's details (all of them at once), journalled.
pub async fn set_office(
    state: &ServiceState,
    actor: &Actor,
    input: OfficeView,
) -> ServiceResult<OfficeView> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let mut problems = Vec::new();
    if !input.email.is_empty() && !validator::ValidateEmail::validate_email(&input.email) {
        problems.push(crate::domain::FieldError::new(
            "email",
            "email",
            crate::domain::Localized::new("must be an e-mail address", "须为电子邮箱地址"),
        ));
    }
    validation::check(&input, problems)?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    let office = state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let values = [
                    &input.name,
                    &input.address,
                    &input.phone,
                    &input.hours,
                    &input.email,
                    &input.complaint_phone,
                ];
                for (key, value) in KEYS.iter().zip(values) {
                    settings::set(conn, key, value, now)?;
                }
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "setting",
                        entity_id: "office",
                        action: "set_office",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::to_value(&input).map_err(anyhow::Error::from)?),
                        at: now,
                    },
                )?;
                Ok::<_, ServiceError>(input)
            })
        })
        .await?;
    state.office.changed();
    Ok(office)
}

/// The working-day limits an admin sets here (today the one for changes of details; the
/// application steps' limits are settings without an endpoint yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingDays {
    /// Working days staff have to decide a change of a holder's details (变更), counted from
    /// the request and skipping weekends and the holiday list; default 10. Requests already
    /// made keep their due date.
    #[validate(range(min = 1, max = 60))]
    #[schema(minimum = 1, maximum = 60, example = 10)]
    pub change_review_working_days: u32,
}

/// `GET /api/v1/admin/working-days` (staff): the limits as set now.
pub async fn working_days(state: &ServiceState, actor: &Actor) -> ServiceResult<WorkingDays> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    let facts = facts(state).await?;
    Ok(WorkingDays {
        change_review_working_days: facts.change_review_days,
    })
}

/// An admin sets the working-day limits, journalled; new requests and the guide use them at
/// once.
pub async fn set_working_days(
    state: &ServiceState,
    actor: &Actor,
    input: WorkingDays,
) -> ServiceResult<WorkingDays> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    let saved = state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                settings::set(
                    conn,
                    super::enterprise_changes::REVIEW_DAYS_SETTING,
                    &input.change_review_working_days.to_string(),
                    now,
                )?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "setting",
                        entity_id: "working_days",
                        action: "set_working_days",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::to_value(&input).map_err(anyhow::Error::from)?),
                        at: now,
                    },
                )?;
                Ok::<_, ServiceError>(input)
            })
        })
        .await?;
    state.office.changed();
    Ok(saved)
}
