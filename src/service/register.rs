//! Keeps this process's public register ([`PublicRegister`]) current: built from the database
//! at start, then fed the journal's events in order — this process's own writes before their
//! response returns (`ServiceState::run` catches up after a commit), other replicas' within
//! the poll interval. An event that cannot be applied makes it rebuild, logged and counted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::{ServiceError, ServiceResult};
use crate::db::models::journal::JournalEventRow;
use crate::db::queries::public::{self as db, RightFactsRow};
use crate::db::queries::{journal as journal_db, reference, settings};
use crate::db::DbConnection;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::register::{Event, GoalSettings, Need, PublicRegister, Replay, RightFacts};
use crate::domain::workflow::ApplicationStatus;

/// How often a replica looks for events written by others: well inside the 200 ms promise.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Events read per round trip while catching up.
const BATCH: i64 = 1000;

pub const GOAL_TARGET: &str = "goal_target";
pub const GOAL_DEADLINE: &str = "goal_deadline";

/// A town or street of Yingde, as the public sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TownView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A GI product, as the public sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
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

/// Reference data the public pages show beside the register (seeded, not edited at run time).
#[derive(Debug, Clone, Default)]
pub struct Reference {
    pub products: Vec<ProductView>,
    pub towns: Vec<TownView>,
}

impl Reference {
    pub fn town(&self, code: &str) -> Option<&TownView> {
        self.towns.iter().find(|t| t.code == code)
    }

    /// A town by code (any case) or Chinese name, as the search's `town` filter takes it.
    pub fn find_town(&self, key: &str) -> Option<&TownView> {
        let key = key.trim();
        let lower = key.to_lowercase();
        self.towns
            .iter()
            .find(|t| t.code == lower || t.name_zh == key)
    }

    pub fn product(&self, code: &str) -> Option<&ProductView> {
        self.products.iter().find(|p| p.code == code)
    }
}

/// The register, how it is kept, and the reference data.
pub struct RegisterHandle {
    register: RwLock<PublicRegister>,
    /// One catch-up at a time; the others find the work done.
    catching_up: Mutex<()>,
    pub reference: Reference,
    rebuilds: AtomicU64,
    /// Build time of the last (re)build, in milliseconds.
    last_build_ms: AtomicU64,
}

impl RegisterHandle {
    /// Builds the register from the database (a consistent snapshot) with its reference data.
    pub fn open(conn: &mut DbConnection) -> ServiceResult<Self> {
        let started = Instant::now();
        let register = build(conn)?;
        let reference = read_reference(conn)?;
        let handle = Self {
            register: RwLock::new(register),
            catching_up: Mutex::new(()),
            reference,
            rebuilds: AtomicU64::new(0),
            last_build_ms: AtomicU64::new(started.elapsed().as_millis() as u64),
        };
        Ok(handle)
    }

    /// The register to read from. Readers never wait on the database.
    pub fn read(&self) -> ServiceResult<RwLockReadGuard<'_, PublicRegister>> {
        self.register
            .read()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("public register poisoned")))
    }

    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    pub fn last_build_ms(&self) -> u64 {
        self.last_build_ms.load(Ordering::Relaxed)
    }

    /// Applies every event committed since the register's last one, in order.
    pub fn catch_up(&self, conn: &mut DbConnection) -> ServiceResult<()> {
        let _one_at_a_time = self
            .catching_up
            .lock()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("register sync poisoned")))?;
        loop {
            let applied = self.read()?.applied_seq();
            let (head, _) = journal_db::head(conn)?;
            if head <= applied {
                return Ok(());
            }
            let events = journal_db::events_after(conn, applied, BATCH)?;
            if events.is_empty() {
                return Ok(());
            }
            let supplied = self.supply(conn, &events)?;
            let outcome = {
                let mut register = self.register.write().map_err(|_| {
                    ServiceError::Internal(anyhow::anyhow!("public register poisoned"))
                })?;
                events
                    .iter()
                    .try_for_each(|row| register.apply(&event(row), &supplied))
            };
            if let Err(error) = outcome {
                tracing::error!(%error, "public register: an event could not be applied; rebuilding");
                self.rebuild(conn)?;
                return Ok(());
            }
        }
    }

    /// Builds the register again from the database and puts it in place.
    pub fn rebuild(&self, conn: &mut DbConnection) -> ServiceResult<()> {
        let started = Instant::now();
        let fresh = build(conn)?;
        let mut register = self
            .register
            .write()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("public register poisoned")))?;
        *register = fresh;
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.last_build_ms
            .store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        tracing::warn!(rights = register.len(), "public register rebuilt");
        Ok(())
    }

    /// The facts the events ask for, read in one query per kind.
    fn supply(
        &self,
        conn: &mut DbConnection,
        events: &[JournalEventRow],
    ) -> ServiceResult<HashMap<String, RightFacts>> {
        let (mut rights, mut enterprises) = (Vec::new(), Vec::new());
        {
            let register = self.read()?;
            for row in events {
                match register.needs(&event(row)) {
                    Some(Need::Right(id)) => rights.push(id),
                    Some(Need::Enterprise(id)) => enterprises.push(id),
                    None => {}
                }
            }
        }
        let mut rows = Vec::new();
        if !rights.is_empty() {
            let ids: Vec<&str> = rights.iter().map(String::as_str).collect();
            rows.extend(db::right_facts(conn, &ids)?);
        }
        if !enterprises.is_empty() {
            let ids: Vec<&str> = enterprises.iter().map(String::as_str).collect();
            rows.extend(db::right_facts_of_enterprises(conn, &ids)?);
        }
        rows.into_iter()
            .map(|row| facts(row).map(|f| (f.id.clone(), f)))
            .collect()
    }
}

fn event(row: &JournalEventRow) -> Event<'_> {
    Event {
        seq: row.seq,
        entity_type: &row.entity_type,
        entity_id: &row.entity_id,
        action: &row.action,
        from_status: row.from_status.as_deref(),
        to_status: row.to_status.as_deref(),
        at: row.at,
        data: row.data.as_deref(),
    }
}

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("stored {what} unknown"))
}

fn facts(row: RightFactsRow) -> ServiceResult<RightFacts> {
    let (
        id,
        registry_no,
        enterprise_id,
        enterprise_name,
        uscc,
        town_code,
        product_code,
        basis,
        announcement_no,
        announcement_date,
        granted_at,
        status,
        trademark_reg_no,
    ) = row;
    Ok(RightFacts {
        id,
        registry_no,
        enterprise_id,
        enterprise_name,
        uscc,
        town_code,
        product_code,
        basis: basis.parse().map_err(|_| corrupt("basis"))?,
        announcement_no,
        announcement_date,
        granted_at,
        status: status.parse().map_err(|_| corrupt("status"))?,
        status_since: granted_at,
        trademark_reg_no,
    })
}

pub fn read_goal_settings(conn: &mut DbConnection) -> ServiceResult<GoalSettings> {
    let target = settings::get(conn, GOAL_TARGET)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let deadline = settings::get(conn, GOAL_DEADLINE)?
        .and_then(|v| v.parse().ok())
        .or_else(|| NaiveDate::from_ymd_opt(2027, 12, 31))
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("no deadline")))?;
    Ok(GoalSettings { target, deadline })
}

/// Reads everything the register needs in one consistent snapshot (a read transaction; on
/// PostgreSQL at repeatable read), so the journal head and the rows agree.
fn build(conn: &mut DbConnection) -> ServiceResult<PublicRegister> {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let started = Instant::now();
    conn.transaction::<_, ServiceError, _>(|conn| {
        if let DbConnection::Postgresql(pg) = conn {
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let (head, _) = journal_db::head(conn)?;
        let settings = read_goal_settings(conn)?;
        let pipeline: Vec<(ApplicationStatus, i64)> = db::applications_by_status(conn)?
            .into_iter()
            .filter_map(|(status, n)| status.parse().ok().map(|s| (s, n)))
            .collect();
        let rights = db::all_right_facts(conn)?
            .into_iter()
            .map(facts)
            .collect::<ServiceResult<Vec<_>>>()?;
        let statuses = db::authorization_history(conn)?
            .into_iter()
            .map(|(seq, right_id, status, at)| {
                status
                    .parse::<AuthorizationStatus>()
                    .map(|status| Replay::Status {
                        seq,
                        right_id,
                        status,
                        at,
                    })
                    .map_err(|_| corrupt("status"))
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let holders = db::holder_history(conn)?
            .into_iter()
            .map(|(seq, enterprise_id, at)| Replay::Holder {
                seq,
                enterprise_id,
                at,
            });
        // Both lists are in journal order; merged, so is the history.
        let mut history = statuses;
        history.extend(holders);
        history.sort_by_key(|step| match step {
            Replay::Status { seq, .. } | Replay::Holder { seq, .. } => *seq,
        });
        let read = started.elapsed();
        let abnormal = super::abnormal::stored_entries(conn)?;
        let mut register = PublicRegister::build(settings, &pipeline, head, rights, &history);
        register.set_abnormal(abnormal);
        // Renamings of the last year, for the verify page's former names; later ones come
        // with their journal events.
        let since = chrono::Utc::now().naive_utc()
            - crate::domain::register::FORMER_NAME_SHOWN_FOR
            - chrono::Duration::days(1);
        for (enterprise_id, former, at) in
            crate::db::queries::enterprise_changes::renamings_since(conn, since)?
        {
            if let Some(at) = at {
                register.record_former_name(&enterprise_id, former, at);
            }
        }
        // Approved changes that name their announcement; later ones come with their events.
        for (row, uscc) in crate::db::queries::enterprise_changes::announced(conn)? {
            if let Some(change) = announced_change(row, uscc) {
                register.record_announced_change(change);
            }
        }
        tracing::info!(
            read_ms = read.as_millis() as u64,
            index_ms = (started.elapsed() - read).as_millis() as u64,
            "public register: snapshot read, then indexed"
        );
        Ok(register)
    })
}

fn read_reference(conn: &mut DbConnection) -> ServiceResult<Reference> {
    let towns: Vec<TownView> = reference::towns(conn)?
        .into_iter()
        .map(|t| TownView {
            code: t.code,
            name_zh: t.name_zh,
            name_en: t.name_en,
        })
        .collect();
    let mut products = Vec::new();
    for product in reference::products(conn)?.into_iter().filter(|p| p.active) {
        let codes = reference::product_town_codes(conn, &product.code)?;
        products.push(ProductView {
            towns: towns
                .iter()
                .filter(|t| codes.contains(&t.code))
                .cloned()
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
    Ok(Reference { products, towns })
}

/// The announced change a stored approved request is (None without its announcement).
fn announced_change(
    row: crate::db::models::enterprise_change::EnterpriseChangeRow,
    uscc: String,
) -> Option<crate::domain::register::AnnouncedChange> {
    use crate::domain::register::{AnnouncedChange, FieldChange};
    let changed = |old: String, new: Option<String>| {
        new.filter(|n| *n != old)
            .map(|to| FieldChange { from: old, to })
    };
    Some(AnnouncedChange {
        announcement_no: row.announcement_no?,
        announcement_date: row.announcement_date?,
        enterprise_id: row.enterprise_id,
        uscc,
        name: changed(row.old_name, row.name),
        address: changed(row.old_address, row.address),
        legal_representative: changed(row.old_legal_representative, row.legal_representative),
        approved_at: row.decided_at?,
    })
}
