//! What everyone may see without signing in: products, authorized users, verification, and
//! the counter toward the goal. Every answer comes from the in-memory public register
//! (`service::register`), never from a database read per request; only public fields leave.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::register::Reference;
pub use super::register::{ProductView, TownView, GOAL_DEADLINE, GOAL_TARGET};
use super::timestamp;
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::queries::settings;
use crate::db::write_transaction;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::eligibility::Basis;
use crate::domain::goal;
use crate::domain::labelling::{label_requirements, LabelFacts, LabelItem};
use crate::domain::register::{PublicRegister, RightFacts, Search};
use crate::domain::roles::{Actor, Role};
use crate::domain::uscc;
use crate::domain::workflow::ApplicationStatus;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct PublicQuery {
    /// Part of the enterprise name, or the credit code or registry number (or part of either).
    #[param(pattern = r"^[^\x00]*$")]
    pub q: Option<String>,
    /// A product code.
    #[param(pattern = r"^[^\x00]*$")]
    pub product: Option<String>,
    /// A town by code, Chinese or English name.
    #[param(pattern = r"^[^\x00]*$")]
    pub town: Option<String>,
    /// `active` (default), `suspended`, `revoked` or `surrendered`.
    #[param(value_type = Option<AuthorizationStatus>)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizedUser {
    pub enterprise_name: String,
    pub uscc: String,
    /// The production town's Chinese name.
    pub town: String,
    pub product_code: String,
    pub product_name_zh: String,
    pub basis: Basis,
    pub registry_no: String,
    pub announcement_no: String,
    pub announcement_date: String,
    pub status: AuthorizationStatus,
    /// Since when the right has had its status.
    #[serde(serialize_with = "timestamp::serialize")]
    pub status_since: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub granted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedRight {
    pub registry_no: String,
    pub product_code: String,
    pub product_name_zh: String,
    pub status: AuthorizationStatus,
    pub announcement_no: String,
    pub announcement_date: String,
    pub basis: Basis,
    /// What a label bearing the mark under this right must carry, to compare with the box.
    pub label_must_carry: Vec<LabelItem>,
    /// Listed on the abnormal-use list (使用异常名录) now (still a right).
    pub abnormal: bool,
    /// The current listings: ground and dates.
    pub abnormal_listings: Vec<AbnormalListing>,
}

/// Why and since when a right is on the abnormal-use list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AbnormalListing {
    pub reason: crate::domain::abnormal::AbnormalReason,
    pub listed_at: DateTime<Utc>,
    /// `YYYY-MM-DD`.
    pub correct_by: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// True when at least one listed right is active.
    pub authorized: bool,
    pub enterprise_name: String,
    pub uscc: String,
    pub authorizations: Vec<VerifiedRight>,
    /// The day the verdict is for (end of day, Beijing time), when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// The holder's name before a renaming of the last year (变更), else null.
    pub former_name: Option<String>,
    /// When that renaming was approved.
    pub renamed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct VerifyQuery {
    /// `YYYY-MM-DD`: the verdict as it stood at the end of that day (Beijing time).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductCount {
    pub product_code: String,
    pub enterprises: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownCount {
    /// The town's Chinese name.
    pub town: String,
    pub enterprises: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pipeline {
    pub submitted: i64,
    pub under_review: i64,
    pub returned: i64,
    pub recommended: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub authorized_enterprises: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Goal {
    pub target: i64,
    /// `YYYY-MM-DD`.
    pub deadline: NaiveDate,
    pub authorized_enterprises: i64,
    pub remaining: i64,
    pub percent: f64,
    pub as_of: DateTime<Utc>,
    pub by_product: Vec<ProductCount>,
    pub by_town: Vec<TownCount>,
    pub pipeline: Pipeline,
    pub monthly: Vec<MonthCount>,
    /// Rights on the abnormal-use list now (they still count toward the goal).
    pub abnormal_listed: i64,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct GoalInput {
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub target: i64,
    pub deadline: NaiveDate,
}

/// The products and towns as the register holds them, borrowed: the public pages draw them on
/// every request, and a copy of the towns alone is some hundred allocations.
pub fn reference(state: &ServiceState) -> &Reference {
    &state.register.reference
}

/// The 24 towns (and streets) of Yingde.
pub async fn towns(state: &ServiceState) -> ServiceResult<Vec<TownView>> {
    Ok(state.register.reference.towns.clone())
}

pub async fn products(state: &ServiceState) -> ServiceResult<Vec<ProductView>> {
    Ok(state.register.reference.products.clone())
}

fn public_user(reference: &Reference, right: &RightFacts) -> AuthorizedUser {
    AuthorizedUser {
        enterprise_name: right.enterprise_name.clone(),
        uscc: right.uscc.clone(),
        town: reference
            .town(&right.town_code)
            .map_or_else(|| right.town_code.clone(), |t| t.name_zh.clone()),
        product_code: right.product_code.clone(),
        product_name_zh: reference
            .product(&right.product_code)
            .map_or_else(|| right.product_code.clone(), |p| p.name_zh.clone()),
        basis: right.basis,
        registry_no: right.registry_no.clone(),
        announcement_no: right.announcement_no.clone(),
        announcement_date: right.announcement_date.clone(),
        status: right.status,
        status_since: right.status_since.and_utc(),
        granted_at: right.granted_at.and_utc(),
    }
}

/// A query's filters, checked. `status: None` is every public status.
struct Filter {
    text: Option<String>,
    product_code: Option<String>,
    town_code: Option<String>,
    status: Option<AuthorizationStatus>,
}

impl Filter {
    fn search(&self) -> Search<'_> {
        Search {
            text: self.text.as_deref(),
            product_code: self.product_code.as_deref(),
            town_code: self.town_code.as_deref(),
            status: self.status,
        }
    }
}

fn resolve_filter(reference: &Reference, query: &PublicQuery) -> ServiceResult<Filter> {
    // An empty status is not a status: the document lists the four values.
    let status = validation::parse_choice(
        "status",
        query.status.as_deref(),
        "must be active, suspended, revoked or surrendered",
        "须为 active、suspended、revoked 或 surrendered",
    )?
    .unwrap_or(AuthorizationStatus::Active);
    let town_code = match query
        .town
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(raw) => Some(
            reference
                .find_town(raw)
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "town",
                        "unknown_town",
                        "is not a town of Yingde",
                        "不是英德市的镇（街道）",
                    )
                })?
                .code
                .clone(),
        ),
    };
    let text = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| q.chars().take(100).collect::<String>());
    Ok(Filter {
        text,
        product_code: query
            .product
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        town_code,
        status: Some(status),
    })
}

/// One page of the public register's matches, newest grant first: active rights unless the
/// query asks for another status.
pub async fn authorized_users(
    state: &ServiceState,
    query: PublicQuery,
    paging: PageRequest,
) -> ServiceResult<Page<AuthorizedUser>> {
    let filter = resolve_filter(&state.register.reference, &query)?;
    search_page(state, filter, paging)
}

/// One page of the search as the register holds it, lent to `render` under the register's read
/// lock: the home page draws its rows from the register's own facts, without owned copies
/// (issue 12: the home page under load). With `any_status`, every right the words match
/// whatever its status: a buyer checking a supplier by name must also find a suspended or
/// revoked holder, and since when.
pub fn with_holders<R>(
    state: &ServiceState,
    query: &PublicQuery,
    paging: PageRequest,
    any_status: bool,
    render: impl FnOnce(&Reference, PageOf<'_>) -> R,
) -> ServiceResult<R> {
    let filter = resolve_filter(&state.register.reference, query)?;
    let filter = if any_status {
        Filter {
            status: None,
            ..filter
        }
    } else {
        filter
    };
    let (page, per_page, offset) = paging.resolve()?;
    let register = state.register.read()?;
    let (rights, total) = register.search(&filter.search(), offset as u64, per_page as u64);
    Ok(render(
        &state.register.reference,
        PageOf {
            items: &rights,
            total: total as i64,
            page,
        },
    ))
}

/// A page of rights lent from the register.
pub struct PageOf<'a> {
    pub items: &'a [&'a RightFacts],
    pub total: i64,
    pub page: i64,
}

fn search_page(
    state: &ServiceState,
    filter: Filter,
    paging: PageRequest,
) -> ServiceResult<Page<AuthorizedUser>> {
    let (page, per_page, offset) = paging.resolve()?;
    let reference = &state.register.reference;
    let register = state.register.read()?;
    let (rights, total) = register.search(&filter.search(), offset as u64, per_page as u64);
    Ok(Page {
        items: rights
            .into_iter()
            .map(|r| public_user(reference, r))
            .collect(),
        total: total as i64,
        page,
        per_page,
    })
}

/// Every matching authorized user (the open-data export), in the same order as the list.
pub async fn all_authorized_users(
    state: &ServiceState,
    query: PublicQuery,
) -> ServiceResult<Vec<AuthorizedUser>> {
    let reference = &state.register.reference;
    let filter = resolve_filter(reference, &query)?;
    let register = state.register.read()?;
    Ok(register
        .search_all(&filter.search())
        .into_iter()
        .map(|r| public_user(reference, r))
        .collect())
}

/// The verdict for a credit code (any case, stray spaces) or a registry number. By registry
/// number only that right is listed: it is what the mark in the shopper's hand refers to.
/// A code no right was ever granted to is not found (no self-declared name is shown).
pub async fn verify(state: &ServiceState, code: String) -> ServiceResult<Verification> {
    verify_as_of(state, code, None).await
}

/// The verdict as it stood at the end of `as_of` (`YYYY-MM-DD`, a day in Beijing time, as
/// the dates printed on invoices are), or now without it. A bad date → 422 `as_of`.
///
/// Rebuilt from the register's log of changes in memory, not from the journal: each right's
/// entries are linked, so the walk is as long as that right's history (a handful of entries),
/// and the log is kept anyway for the change feed — one 32-byte entry per change, about 3 MB
/// at 100,000 enterprises, where reading the journal for one code would put a database
/// query on a public path.
pub async fn verify_as_of(
    state: &ServiceState,
    code: String,
    as_of: Option<&str>,
) -> ServiceResult<Verification> {
    let day = as_of.map(parse_day).transpose()?;
    let register = state.register.read()?;
    let mut found = verdict(
        &state.register.reference,
        &register,
        &code,
        day.map(end_of_day),
        state.clock.now_naive(),
    )
    .ok_or(ServiceError::NotFound)?;
    found.as_of = day;
    Ok(found)
}

/// A day as `YYYY-MM-DD` exactly.
fn parse_day(text: &str) -> ServiceResult<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| {
            ServiceError::invalid(
                "as_of",
                "invalid_date",
                "must be a date as YYYY-MM-DD",
                "须为日期，格式 YYYY-MM-DD",
            )
        })
}

/// The first moment (UTC) after `day` ends in Beijing (UTC+8 all year).
fn end_of_day(day: NaiveDate) -> NaiveDateTime {
    day.succ_opt()
        .unwrap_or(day)
        .and_time(chrono::NaiveTime::MIN)
        - chrono::Duration::hours(8)
}

/// The one lookup behind every verdict (single and bulk): normalise, refuse what cannot be a
/// code, then find the holding in the register the caller holds the read lock of.
pub(super) fn verdict(
    reference: &Reference,
    register: &PublicRegister,
    code: &str,
    before: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Option<Verification> {
    let normalised = uscc::normalise(code);
    if !uscc::is_plausible_lookup(&normalised) {
        return None;
    }
    let holding = register.holding(&normalised)?;
    let authorizations: Vec<VerifiedRight> = holding
        .rights
        .iter()
        .filter_map(|r| {
            // As of a past day: the status then, and no right granted after it.
            let status = match before {
                None => r.status,
                Some(cutoff) => register.status_before(r, cutoff)?,
            };
            let product = reference.product(&r.product_code);
            let product_name_zh =
                product.map_or_else(|| r.product_code.clone(), |p| p.name_zh.clone());
            let label_must_carry = label_requirements(&LabelFacts {
                basis: r.basis,
                uscc: &r.uscc,
                gi_name: &product_name_zh,
                standard_code: product.and_then(|p| p.standard_code.as_deref()),
                protection_announcement: product.map_or("", |p| &p.protection_announcement),
                trademark_reg_no: r.trademark_reg_no.as_deref(),
            });
            Some(VerifiedRight {
                registry_no: r.registry_no.clone(),
                product_code: r.product_code.clone(),
                product_name_zh,
                status,
                announcement_no: r.announcement_no.clone(),
                announcement_date: r.announcement_date.clone(),
                basis: r.basis,
                label_must_carry,
                abnormal: register.is_abnormal(&r.id),
                abnormal_listings: register
                    .abnormal_of(&r.id)
                    .into_iter()
                    .map(|e| AbnormalListing {
                        reason: e.reason,
                        listed_at: e.listed_at.and_utc(),
                        correct_by: e.correct_by.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    let former = holding
        .rights
        .first()
        .and_then(|r| register.former_name(&r.enterprise_id, now));
    Some(Verification {
        former_name: former.map(|(name, _)| name.to_owned()),
        renamed_at: former.map(|(_, at)| at.and_utc()),
        authorized: authorizations
            .iter()
            .any(|a| a.status == AuthorizationStatus::Active),
        enterprise_name: holding.enterprise_name.to_owned(),
        uscc: holding.uscc.to_owned(),
        authorizations,
        as_of: None,
    })
}

/// What every public answer of the register depends on: the last journal event it reflects
/// and today's date (the goal's months run to today). A rendering made at one stamp stays
/// right until the stamp changes.
pub fn register_stamp(state: &ServiceState) -> ServiceResult<(i64, NaiveDate)> {
    let applied = state.register.read()?.applied_seq();
    Ok((applied, state.clock.now().date_naive()))
}

/// The counter, from the register's running aggregates.
pub async fn goal(state: &ServiceState) -> ServiceResult<Goal> {
    let now = state.clock.now();
    let reference = &state.register.reference;
    let (figures, abnormal_listed) = {
        let register = state.register.read()?;
        (register.goal(now.date_naive()), register.abnormal_rights())
    };
    let target = figures.settings.target;
    let (remaining, percent) = goal::progress(target, figures.authorized_enterprises);
    let pipeline = |status: ApplicationStatus| {
        figures
            .pipeline
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Goal {
        target,
        deadline: figures.settings.deadline,
        authorized_enterprises: figures.authorized_enterprises,
        remaining,
        percent,
        as_of: now,
        by_product: figures
            .by_product
            .iter()
            .map(|(product_code, enterprises)| ProductCount {
                product_code: product_code.clone(),
                enterprises: *enterprises,
            })
            .collect(),
        by_town: figures
            .by_town
            .iter()
            .map(|(code, enterprises)| TownCount {
                town: reference
                    .town(code)
                    .map_or_else(|| code.clone(), |t| t.name_zh.clone()),
                enterprises: *enterprises,
            })
            .collect(),
        pipeline: Pipeline {
            submitted: pipeline(ApplicationStatus::Submitted),
            under_review: pipeline(ApplicationStatus::UnderReview),
            returned: pipeline(ApplicationStatus::Returned),
            recommended: pipeline(ApplicationStatus::Recommended),
        },
        monthly: figures
            .monthly
            .iter()
            .map(|(month, n)| MonthCount {
                month: month.clone(),
                authorized_enterprises: *n,
            })
            .collect(),
        abnormal_listed,
    })
}

/// An admin sets the target and deadline.
pub async fn set_goal(
    state: &ServiceState,
    actor: &Actor,
    input: GoalInput,
) -> ServiceResult<Goal> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now());
    let (target_key, deadline_key) = (GOAL_TARGET, GOAL_DEADLINE);
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let naive = now.naive_utc();
                settings::set(conn, target_key, &input.target.to_string(), naive)?;
                settings::set(conn, deadline_key, &input.deadline.to_string(), naive)?;
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "setting",
                        entity_id: "goal",
                        action: "set_goal",
                        from_status: None,
                        to_status: None,
                        actor: &EventActor::user(&actor.user_id, actor.role),
                        comment: None,
                        data: Some(serde_json::json!({"target": input.target, "deadline": input.deadline.to_string()})),
                        at: naive,
                    },
                )?;
                Ok::<(), ServiceError>(())
            })
        })
        .await?;
    // The run above caught the register up with its own event: the answer shows the change.
    goal(state).await
}
