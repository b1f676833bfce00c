//! Labels, one code per printed mark (issue 17). Each process holds every issued label in
//! memory ([`LabelRegister`]): the label page never reads the database. Batches come in as
//! the journal does (this process's own before the order's answer, other replicas' within
//! the poll interval). Scans are counted in memory and flushed in batches ([`scans`]).

pub mod issue;
pub mod lookup;
pub mod scans;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use crate::db::queries::{labels as db, settings};
use crate::db::{write_transaction, DbConnection};
use crate::domain::labels::code::CodeKey;
use crate::domain::labels::index::{BatchFacts, LabelIndex};
use crate::domain::labels::{
    DEFAULT_SCAN_WARNING, DEFAULT_WATCH_CODES, SCAN_WARNING_SETTING, WATCH_CODES_SETTING,
};

use super::{ServiceError, ServiceResult};

/// The setting holding the secret of the codes' check (made once, shared by replicas).
const SECRET_SETTING: &str = "label_code_secret";
/// Labels being drawn and written at once per process (two full batches): orders beyond
/// wait their turn, up to [`issue::ISSUING_WAIT`].
const ISSUING_LABELS: usize = 200_000;

pub struct LabelRegister {
    key: CodeKey,
    index: RwLock<LabelIndex>,
    counter: scans::ScanCounter,
    scan_warning: AtomicI64,
    watch_codes: AtomicI64,
    /// Labels being drawn and written at once (one permit each); an order that cannot get
    /// its permits within the wait is refused with 503 and Retry-After.
    pub issuing: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for LabelRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelRegister").finish_non_exhaustive()
    }
}

fn batch_facts(
    row: crate::db::models::label::LabelBatchRow,
    registry_no: String,
    counted_through: i64,
) -> BatchFacts {
    BatchFacts {
        counted_through,
        seq: row.seq,
        id: row.id,
        batch_no: row.batch_no,
        authorization_id: row.authorization_id,
        registry_no,
        issued_at: row.issued_at,
    }
}

/// The secret of the codes' check: read, or made and kept when there is none yet (two
/// replicas starting at once: the second insert fails and both read the first's).
fn code_secret(conn: &mut DbConnection, now: chrono::NaiveDateTime) -> ServiceResult<String> {
    if let Some(secret) = settings::get(conn, SECRET_SETTING)? {
        return Ok(secret);
    }
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    if let Err(error) = settings::insert(conn, SECRET_SETTING, &hex::encode(bytes), now) {
        if !crate::db::queries::is_unique_violation(&error) {
            return Err(error.into());
        }
    }
    settings::get(conn, SECRET_SETTING)?
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("label secret not kept")))
}

fn number_setting(conn: &mut DbConnection, key: &str, default: i64) -> ServiceResult<i64> {
    Ok(settings::get(conn, key)?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default))
}

impl LabelRegister {
    /// Loads every issued label with its count (the rows and the unfolded log, as of one
    /// flush).
    pub fn open(conn: &mut DbConnection, now: chrono::NaiveDateTime) -> ServiceResult<Self> {
        let secret = code_secret(conn, now)?;
        // Holding the flush counter: the rows and the log are read as of one flush.
        let (last_flush, batches, labels) = write_transaction(conn, |conn| {
            let last_flush = db::hold_flush_counter(conn)?;
            let batches: Vec<BatchFacts> = db::batches_after(conn, 0)?
                .into_iter()
                .map(|(row, registry_no)| batch_facts(row, registry_no, 0))
                .collect();
            let labels = scans::with_unfolded(db::all_labels(conn)?, &scans::unfolded_scans(conn)?);
            Ok::<_, ServiceError>((last_flush, batches, labels))
        })?;
        let register = Self {
            key: CodeKey::new(secret.as_bytes()),
            index: RwLock::new(LabelIndex::bulk_load(batches, labels)),
            counter: scans::ScanCounter::new(last_flush),
            scan_warning: AtomicI64::new(DEFAULT_SCAN_WARNING),
            watch_codes: AtomicI64::new(DEFAULT_WATCH_CODES),
            issuing: Arc::new(tokio::sync::Semaphore::new(ISSUING_LABELS)),
        };
        register.refresh_settings(conn)?;
        Ok(register)
    }

    pub fn refresh_settings(&self, conn: &mut DbConnection) -> ServiceResult<()> {
        let warning = number_setting(conn, SCAN_WARNING_SETTING, DEFAULT_SCAN_WARNING)?;
        let watch = number_setting(conn, WATCH_CODES_SETTING, DEFAULT_WATCH_CODES)?;
        self.scan_warning.store(warning, Ordering::Relaxed);
        self.watch_codes.store(watch, Ordering::Relaxed);
        Ok(())
    }

    pub fn key(&self) -> &CodeKey {
        &self.key
    }

    pub fn read(&self) -> ServiceResult<RwLockReadGuard<'_, LabelIndex>> {
        self.index
            .read()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("label index poisoned")))
    }

    pub fn scan_warning(&self) -> i64 {
        self.scan_warning.load(Ordering::Relaxed)
    }

    pub fn watch_codes(&self) -> i64 {
        self.watch_codes.load(Ordering::Relaxed)
    }

    pub fn counter(&self) -> &scans::ScanCounter {
        &self.counter
    }

    /// Takes in the batches issued since the last one held (this process's or a replica's).
    pub fn catch_up(&self, conn: &mut DbConnection) -> ServiceResult<()> {
        let after = self.read()?.last_batch_seq();
        if db::batches_after(conn, after)?.is_empty() {
            return Ok(());
        }
        // Another replica's batch may have been scanned already: its labels' counts are read
        // as of one flush, and the batch is in the index before a round reads past it.
        self.counter.between_rounds(|| {
            let loaded = write_transaction(conn, |conn| {
                let through = db::hold_flush_counter(conn)?;
                // The log is read once for all the batches.
                let unfolded = scans::unfolded_scans(conn)?;
                let mut loaded = Vec::new();
                for (row, registry_no) in db::batches_after(conn, after)? {
                    let labels = scans::with_unfolded(db::labels_of(conn, row.seq)?, &unfolded)
                        .into_iter()
                        .map(|(random, _, count)| (random, count))
                        .collect::<Vec<_>>();
                    loaded.push((batch_facts(row, registry_no, through), labels));
                }
                Ok::<_, ServiceError>(loaded)
            })?;
            let mut index = self
                .index
                .write()
                .map_err(|_| ServiceError::Internal(anyhow::anyhow!("label index poisoned")))?;
            for (batch, labels) in loaded {
                index.add_batch(batch, labels);
            }
            Ok(())
        })
    }

    /// One round of the counter: this process's scans go to the database and the other
    /// replicas' come back (see [`scans`]); the settings are read again too.
    pub fn synchronise(&self, conn: &mut DbConnection) -> ServiceResult<scans::Synchronised> {
        self.refresh_settings(conn)?;
        self.counter.synchronise(conn, &self.index)
    }
}
