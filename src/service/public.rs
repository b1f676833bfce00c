//! What everyone may see without signing in: products, authorized users, verification, and
//! the counter toward the goal. Only public fields ever leave here.

use std::sync::atomic::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::queries::public::{self as db, PublicFilter, PublicRightRow};
use crate::db::queries::{journal as journal_db, reference, settings};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::eligibility::Basis;
use crate::domain::goal::{self, StatusChange};
use crate::domain::roles::{Actor, Role};
use crate::domain::uscc;
use crate::domain::workflow::ApplicationStatus;

pub const GOAL_TARGET: &str = "goal_target";
pub const GOAL_DEADLINE: &str = "goal_deadline";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: String,
    pub protection_announcement: String,
    pub protected_area: String,
    pub standard_code: Option<String>,
    /// The towns of Yingde inside the protected area.
    pub towns: Vec<TownView>,
}

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
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// True when at least one listed right is active.
    pub authorized: bool,
    pub enterprise_name: String,
    pub uscc: String,
    pub authorizations: Vec<VerifiedRight>,
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
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct GoalInput {
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub target: i64,
    pub deadline: NaiveDate,
}

/// The 24 towns (and streets) of Yingde.
pub async fn towns(state: &ServiceState) -> ServiceResult<Vec<TownView>> {
    state
        .run(|conn| {
            Ok(reference::towns(conn)?
                .into_iter()
                .map(|t| TownView {
                    code: t.code,
                    name_zh: t.name_zh,
                    name_en: t.name_en,
                })
                .collect())
        })
        .await
}

pub async fn products(state: &ServiceState) -> ServiceResult<Vec<ProductView>> {
    state
        .run(|conn| {
            let towns = reference::towns(conn)?;
            let mut out = Vec::new();
            for product in reference::products(conn)?.into_iter().filter(|p| p.active) {
                let codes = reference::product_town_codes(conn, &product.code)?;
                out.push(ProductView {
                    towns: towns
                        .iter()
                        .filter(|t| codes.contains(&t.code))
                        .map(|t| TownView {
                            code: t.code.clone(),
                            name_zh: t.name_zh.clone(),
                            name_en: t.name_en.clone(),
                        })
                        .collect(),
                    code: product.code,
                    name_zh: product.name_zh,
                    name_en: product.name_en,
                    category: product.category,
                    protection_announcement: product.protection_announcement,
                    protected_area: product.protected_area,
                    standard_code: product.standard_code,
                });
            }
            Ok(out)
        })
        .await
}

fn public_user(row: PublicRightRow) -> ServiceResult<AuthorizedUser> {
    let corrupt = || ServiceError::Internal(anyhow::anyhow!("stored value unknown"));
    Ok(AuthorizedUser {
        basis: row.basis.parse().map_err(|_| corrupt())?,
        status: row.status.parse().map_err(|_| corrupt())?,
        enterprise_name: row.enterprise_name,
        uscc: row.uscc,
        town: row.town_name_zh,
        product_code: row.product_code,
        product_name_zh: row.product_name_zh,
        registry_no: row.registry_no,
        announcement_no: row.announcement_no,
        announcement_date: row.announcement_date,
        granted_at: row.granted_at.and_utc(),
    })
}

fn resolve_filter(conn: &mut DbConnection, query: &PublicQuery) -> ServiceResult<PublicFilter> {
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
            reference::find_town(conn, raw)?
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "town",
                        "unknown_town",
                        "is not a town of Yingde",
                        "不是英德市的镇（街道）",
                    )
                })?
                .code,
        ),
    };
    let text = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| q.chars().take(100).collect::<String>());
    Ok(PublicFilter {
        text,
        product_code: query
            .product
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        town_code,
        status: status.as_str().to_owned(),
    })
}

pub async fn authorized_users(
    state: &ServiceState,
    query: PublicQuery,
    paging: PageRequest,
) -> ServiceResult<Page<AuthorizedUser>> {
    let (page, per_page, offset) = paging.resolve()?;
    state
        .run(move |conn| {
            let filter = resolve_filter(conn, &query)?;
            let (rows, total) = db::search(conn, &filter, offset, per_page)?;
            let items = rows
                .into_iter()
                .map(public_user)
                .collect::<ServiceResult<Vec<_>>>()?;
            Ok(Page {
                items,
                total,
                page,
                per_page,
            })
        })
        .await
}

/// Every matching authorized user (the open-data export), in the same order as the list,
/// read a page at a time.
pub async fn all_authorized_users(
    state: &ServiceState,
    query: PublicQuery,
) -> ServiceResult<Vec<AuthorizedUser>> {
    const CHUNK: i64 = 500;
    state
        .run(move |conn| {
            let filter = resolve_filter(conn, &query)?;
            let mut out = Vec::new();
            loop {
                let (rows, total) = db::search(conn, &filter, out.len() as i64, CHUNK)?;
                let fetched = rows.len();
                for row in rows {
                    out.push(public_user(row)?);
                }
                if fetched < CHUNK as usize || out.len() as i64 >= total {
                    return Ok(out);
                }
            }
        })
        .await
}

/// Looks up a credit code (any case, stray spaces) or a registry number. By registry number
/// only that right is listed: it is what the mark in the shopper's hand refers to.
/// The verdict for a credit code or registry number, from the public cache while nothing has
/// changed (see [`PublicCache`]), else from the database.
pub async fn verify(state: &ServiceState, code: String) -> ServiceResult<Verification> {
    let normalised = uscc::normalise(&code);
    if !uscc::is_plausible_lookup(&normalised) {
        return Err(ServiceError::NotFound);
    }
    let stamp = stamp(state).await?;
    let cache = state.public_cache.clone();
    if let Some(known) = cache.verification(&normalised, stamp) {
        return known.ok_or(ServiceError::NotFound);
    }
    let key = normalised.clone();
    let found = state
        .run(move |conn| read_verification(conn, &normalised))
        .await?;
    cache.keep_verification(key, stamp, found.clone());
    found.ok_or(ServiceError::NotFound)
}

fn read_verification(
    conn: &mut DbConnection,
    normalised: &str,
) -> ServiceResult<Option<Verification>> {
    let (enterprise, only) = if uscc::looks_like_uscc(normalised) {
        (db::enterprise_by_uscc(conn, normalised)?, None)
    } else {
        (
            db::enterprise_by_registry_no(conn, normalised)?,
            Some(normalised.to_owned()),
        )
    };
    let Some((enterprise_id, enterprise_name, uscc)) = enterprise else {
        return Ok(None);
    };
    let authorizations = db::rights_of(conn, &enterprise_id)?
        .into_iter()
        .filter(|right| only.as_ref().is_none_or(|no| *no == right.0))
        .map(
            |(
                registry_no,
                product_code,
                product_name_zh,
                status,
                announcement_no,
                announcement_date,
            )| {
                Ok(VerifiedRight {
                    status: status
                        .parse()
                        .map_err(|_| ServiceError::Internal(anyhow::anyhow!("status unknown")))?,
                    registry_no,
                    product_code,
                    product_name_zh,
                    announcement_no,
                    announcement_date,
                })
            },
        )
        .collect::<ServiceResult<Vec<_>>>()?;
    // A registration that never held a right is not in the public register: its name is only
    // what it says of itself (and a squatter's claim must not look like a verdict).
    if authorizations.is_empty() {
        return Ok(None);
    }
    let authorized = authorizations
        .iter()
        .any(|a| a.status == AuthorizationStatus::Active);
    Ok(Some(Verification {
        authorized,
        enterprise_name,
        uscc,
        authorizations,
    }))
}

fn read_goal_settings(conn: &mut DbConnection) -> ServiceResult<(i64, NaiveDate)> {
    let target = settings::get(conn, GOAL_TARGET)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let deadline = settings::get(conn, GOAL_DEADLINE)?
        .and_then(|v| v.parse().ok())
        .or_else(|| NaiveDate::from_ymd_opt(2027, 12, 31))
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("no deadline")))?;
    Ok((target, deadline))
}

/// How long a replica trusts the journal head it last read before reading it again: the
/// longest a change made through another replica takes to reach this one's cached public
/// answers. Changes made through this process are seen at once (`db::committed_writes`).
pub const HEAD_TTL: std::time::Duration = std::time::Duration::from_millis(200);
/// Cached verdicts at most; past it the cache starts again (a flood of made-up codes costs
/// memory only up to here).
const MAX_VERIFICATIONS: usize = 20_000;

/// What a cached answer was read at: the journal head as this replica last read it, and the
/// write transactions this process had committed. Every change appends to the journal in a
/// write transaction, so an answer stays right while both are unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    journal_seq: i64,
    local_writes: u64,
}

/// A computed counter and what it was computed from.
struct CachedGoal {
    stamp: Stamp,
    month: String,
    goal: Goal,
}

/// The public answers every shopper and the home page ask for again and again: verdicts by
/// code and the counter, each kept with the [`Stamp`] it was read at.
#[derive(Default)]
pub struct PublicCache {
    head: std::sync::Mutex<Option<(std::time::Instant, i64)>>,
    refreshing: std::sync::atomic::AtomicBool,
    verifications:
        std::sync::Mutex<std::collections::HashMap<String, (Stamp, Option<Verification>)>>,
    goal: std::sync::RwLock<Option<CachedGoal>>,
    computing: std::sync::Mutex<()>,
}

impl PublicCache {
    /// The verdict read at `stamp` (`Some(None)`: no such enterprise), if there is one.
    fn verification(&self, code: &str, stamp: Stamp) -> Option<Option<Verification>> {
        let known = self.verifications.lock().ok()?;
        known
            .get(code)
            .filter(|(at, _)| *at == stamp)
            .map(|(_, found)| found.clone())
    }

    fn keep_verification(&self, code: String, stamp: Stamp, found: Option<Verification>) {
        if code.len() > 64 {
            return;
        }
        if let Ok(mut known) = self.verifications.lock() {
            if known.len() >= MAX_VERIFICATIONS {
                known.clear();
            }
            known.insert(code, (stamp, found));
        }
    }

    /// The cached counter if it was computed at this stamp and in this month.
    fn fresh_goal(&self, stamp: Stamp, month: &str, now: DateTime<Utc>) -> Option<Goal> {
        let latest = self.goal.read().ok()?;
        let cached = latest
            .as_ref()
            .filter(|c| c.stamp == stamp && c.month == month)?;
        Some(Goal {
            as_of: now,
            ..cached.goal.clone()
        })
    }
}

/// Lowers the "someone is re-reading the head" flag when the refresher is done or dropped.
struct ClearOnDrop<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// The stamp for a read starting now: the journal head (read again when older than
/// [`HEAD_TTL`], by one request at a time) and this process's committed writes, taken first so that a commit racing the
/// read makes the answer's stamp old rather than the answer wrong.
async fn stamp(state: &ServiceState) -> ServiceResult<Stamp> {
    let local_writes = crate::db::committed_writes();
    let cache = state.public_cache.clone();
    let last = cache.head.lock().ok().and_then(|head| *head);
    let journal_seq = match last {
        Some((at, seq)) if at.elapsed() < HEAD_TTL => seq,
        // One request re-reads the head; the others meanwhile keep the last one rather than
        // queue up on the pool for the same row.
        Some((_, seq)) if cache.refreshing.swap(true, Ordering::AcqRel) => seq,
        _ => {
            // Cleared however this ends, even if the request is dropped while it waits.
            let _refreshing = ClearOnDrop(&cache.refreshing);
            let read = state.run(|conn| Ok(journal_db::head(conn)?.0)).await;
            if let (Ok(seq), Ok(mut head)) = (&read, cache.head.lock()) {
                *head = Some((std::time::Instant::now(), *seq));
            }
            read?
        }
    };
    Ok(Stamp {
        journal_seq,
        local_writes,
    })
}

/// The counter, from the cache while nothing has changed and the month is the same.
pub async fn goal(state: &ServiceState) -> ServiceResult<Goal> {
    let now = state.clock.now();
    let month = goal::month_key(now.date_naive());
    let stamp = stamp(state).await?;
    let cache = state.public_cache.clone();
    if let Some(goal) = cache.fresh_goal(stamp, &month, now) {
        return Ok(goal);
    }
    state
        .run(move |conn| {
            // One computation per change: the others wait for it, then read its result.
            let _computing = cache
                .computing
                .lock()
                .map_err(|_| ServiceError::Internal(anyhow::anyhow!("goal cache poisoned")))?;
            if let Some(goal) = cache.fresh_goal(stamp, &month, now) {
                return Ok(goal);
            }
            let goal = compute_goal(conn, now)?;
            if let Ok(mut latest) = cache.goal.write() {
                *latest = Some(CachedGoal {
                    stamp,
                    month,
                    goal: goal.clone(),
                });
            }
            Ok(goal)
        })
        .await
}

fn compute_goal(conn: &mut DbConnection, now: DateTime<Utc>) -> ServiceResult<Goal> {
    let (target, deadline) = read_goal_settings(conn)?;
    let active = db::active_rights(conn)?;
    let authorized = goal::distinct_by(active.iter().map(|(_, _, e)| ("all", e.as_str())))
        .get("all")
        .copied()
        .unwrap_or(0);
    let (remaining, percent) = goal::progress(target, authorized);
    let by_product = goal::distinct_by(active.iter().map(|(p, _, e)| (p.as_str(), e.as_str())))
        .into_iter()
        .map(|(product_code, enterprises)| ProductCount {
            product_code: product_code.to_owned(),
            enterprises,
        })
        .collect();
    let towns = reference::towns(conn)?;
    let by_town = goal::distinct_by(active.iter().map(|(_, t, e)| (t.as_str(), e.as_str())))
        .into_iter()
        .map(|(code, enterprises)| TownCount {
            town: towns
                .iter()
                .find(|t| t.code == code)
                .map_or_else(|| code.to_owned(), |t| t.name_zh.clone()),
            enterprises,
        })
        .collect();
    let counts = db::applications_by_status(conn)?;
    let count = |status: ApplicationStatus| {
        counts
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| *n)
    };
    let pipeline = Pipeline {
        submitted: count(ApplicationStatus::Submitted),
        under_review: count(ApplicationStatus::UnderReview),
        returned: count(ApplicationStatus::Returned),
        recommended: count(ApplicationStatus::Recommended),
    };
    let changes: Vec<StatusChange> = db::authorization_changes(conn)?
        .into_iter()
        .map(
            |(authorization_id, enterprise_id, at, to_status)| StatusChange {
                authorization_id,
                enterprise_id,
                at,
                to_status,
            },
        )
        .collect();
    let monthly = goal::monthly_series(&changes, now.date_naive())
        .into_iter()
        .map(|(month, authorized_enterprises)| MonthCount {
            month,
            authorized_enterprises,
        })
        .collect();
    Ok(Goal {
        target,
        deadline,
        authorized_enterprises: authorized,
        remaining,
        percent,
        as_of: now,
        by_product,
        by_town,
        pipeline,
        monthly,
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
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let naive = now.naive_utc();
                settings::set(conn, GOAL_TARGET, &input.target.to_string(), naive)?;
                settings::set(conn, GOAL_DEADLINE, &input.deadline.to_string(), naive)?;
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
            })?;
            compute_goal(conn, now)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(journal_seq: i64, local_writes: u64) -> Stamp {
        Stamp {
            journal_seq,
            local_writes,
        }
    }

    #[test]
    fn a_cached_verdict_is_served_only_at_the_stamp_it_was_read_at() {
        let cache = PublicCache::default();
        cache.keep_verification("CODE".into(), stamp(7, 3), None);
        assert_eq!(
            cache.verification("CODE", stamp(7, 3)).map(|v| v.is_none()),
            Some(true)
        );
        assert!(
            cache.verification("CODE", stamp(8, 3)).is_none(),
            "another replica wrote"
        );
        assert!(
            cache.verification("CODE", stamp(7, 4)).is_none(),
            "this process wrote"
        );
        assert!(cache.verification("OTHER", stamp(7, 3)).is_none());
        cache.keep_verification("X".repeat(65), stamp(7, 3), None);
        assert!(
            cache.verification(&"X".repeat(65), stamp(7, 3)).is_none(),
            "too long to keep"
        );
    }

    #[test]
    fn the_verdict_cache_starts_again_when_full() {
        let cache = PublicCache::default();
        for n in 0..MAX_VERIFICATIONS {
            cache.keep_verification(format!("C{n}"), stamp(1, 1), None);
        }
        assert!(cache.verification("C0", stamp(1, 1)).is_some());
        cache.keep_verification("ONE-MORE".into(), stamp(1, 1), None);
        assert!(cache.verification("C0", stamp(1, 1)).is_none());
        assert!(cache.verification("ONE-MORE", stamp(1, 1)).is_some());
    }
}
