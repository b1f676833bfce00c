//! Counting label scans on the hottest public path without a write per scan (DESIGN §9).
//!
//! A scan adds one to this process's `pending` count of the code, in memory. Every
//! [`FLUSH_INTERVAL`] a synchronisation moves `pending` to `in_flight` and, in one write
//! transaction: takes the next flush number (`label_flush_counter`: flushes are numbered in
//! commit order), logs the counts in `label_scan_log` (one row per key range), folds one
//! range's log into the labels' rows (`domain::labels::scan_log`), and reads the other
//! replicas' log rows since the last flush it saw. Only when that transaction commits are the
//! stored counts moved on (its own and the others' scans added) and `in_flight` cleared,
//! together under the lock the scans take: a page shows stored + in flight + pending, never a
//! scan twice or none. If the write fails the scans stay in flight and go with the next one.
//! A replica so far behind that log rows it had not read were dropped (about ten minutes are
//! kept) reloads every count.
//!
//! A label's count in the database is its row's plus the log rows its range has not folded.
//! What a crash loses: the scans of at most one interval (those not yet flushed). A clean
//! stop flushes after the last request and folds the whole log.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::queries::labels as db;
use crate::db::{write_transaction, DbConnection};
use crate::domain::labels::index::{LabelIndex, StoredCount};
use crate::domain::labels::scan_log::{self, ScanEntry};
use crate::service::{ServiceError, ServiceResult};

/// How often each replica flushes its scans and reads the others'.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Shards of the counter: scans of different codes rarely wait for each other.
const SHARDS: usize = 32;

#[derive(Debug, Clone, Copy)]
struct Local {
    count: i64,
    first_at: NaiveDateTime,
}

impl Local {
    fn add(&mut self, other: Local) {
        self.count += other.count;
        self.first_at = self.first_at.min(other.first_at);
    }
}

#[derive(Debug, Default)]
struct Shard {
    pending: HashMap<u64, Local>,
    in_flight: HashMap<u64, Local>,
}

impl Shard {
    fn local(&self, random: u64) -> Option<Local> {
        let mut local: Option<Local> = None;
        for held in [self.pending.get(&random), self.in_flight.get(&random)]
            .into_iter()
            .flatten()
        {
            match local.as_mut() {
                Some(l) => l.add(*held),
                None => local = Some(*held),
            }
        }
        local
    }
}

/// A label's count as a page shows it: what is stored plus what this process has not yet
/// flushed, this scan included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub scans: i64,
    pub first_scanned_at: Option<NaiveDateTime>,
}

/// What a synchronisation read back.
enum ReadBack {
    /// The other replicas' scans since the last flush seen, each with its flush number.
    Logged(Vec<(i64, ScanEntry)>),
    /// Every label's count (the replica was too far behind), this round's own scans included.
    Reloaded(Vec<(u64, StoredCount)>),
}

/// The other replicas' log after `after` (not `mine`), and the last flush it covers.
fn read_back(
    conn: &mut DbConnection,
    after: i64,
    mine: Option<i64>,
) -> ServiceResult<Option<(ReadBack, i64)>> {
    let rows = db::logged_after(conn, after, mine)?;
    // Read after the rows: a drop between the two is seen here.
    if db::dropped_through(conn)? > after {
        return Ok(None);
    }
    let seen = rows
        .iter()
        .map(|(seq, _)| *seq)
        .max()
        .unwrap_or(after)
        .max(mine.unwrap_or(after));
    let entries = rows
        .iter()
        .flat_map(|(seq, deltas)| scan_log::decode(deltas).map(move |e| (*seq, e)))
        .collect();
    Ok(Some((ReadBack::Logged(entries), seen)))
}

/// The log rows not folded yet, added up per label; call in a write transaction that holds
/// the flush counter, with the labels' rows read in the same one.
pub(super) fn unfolded_scans(conn: &mut DbConnection) -> ServiceResult<Vec<ScanEntry>> {
    let logged = db::unfolded(conn)?;
    Ok(scan_log::add_up(
        logged.iter().flat_map(|d| scan_log::decode(d)),
    ))
}

/// Labels' rows with the unfolded log added: their counts as the database holds them.
pub(super) fn with_unfolded(
    labels: Vec<db::StoredLabel>,
    unfolded: &[ScanEntry],
) -> Vec<(u64, i64, StoredCount)> {
    let mut counts: Vec<(u64, i64, StoredCount)> = labels
        .into_iter()
        .map(|(random, batch, scans, first_scanned_at)| {
            (
                random as u64,
                batch,
                StoredCount {
                    scans,
                    first_scanned_at,
                },
            )
        })
        .collect();
    counts.sort_unstable_by_key(|(random, _, _)| *random);
    for entry in unfolded {
        if let Ok(p) = counts.binary_search_by_key(&entry.random, |(r, _, _)| *r) {
            let stored = &mut counts[p].2;
            stored.scans += entry.scans;
            stored.first_scanned_at = Some(
                stored
                    .first_scanned_at
                    .map_or(entry.first_at, |f| f.min(entry.first_at)),
            );
        }
    }
    counts
}

/// Folds a range's log, up to flush `through`, into the labels' rows. Gives the labels written.
fn fold(conn: &mut DbConnection, range_no: i32, through: i64) -> ServiceResult<usize> {
    let folded = db::folded_through(conn, range_no)?;
    if folded >= through {
        return Ok(0);
    }
    let rows = db::logged_in_range(conn, range_no, folded, through)?;
    let entries = scan_log::add_up(rows.iter().flat_map(|d| scan_log::decode(d)));
    db::add_to_labels(conn, &entries)?;
    db::set_folded_through(conn, range_no, through)?;
    Ok(entries.len())
}

/// Drops the log rows no replica reading on time still needs (all of them folded).
fn drop_old_log(conn: &mut DbConnection, flush: i64) -> ServiceResult<()> {
    let through = scan_log::droppable_through(flush, db::folded_everywhere_through(conn)?);
    if through > db::dropped_through(conn)? {
        db::drop_log_through(conn, through)?;
    }
    Ok(())
}

/// Folds every range's whole log into the labels' rows (at a clean stop).
pub fn fold_everything(conn: &mut DbConnection) -> ServiceResult<usize> {
    write_transaction(conn, |conn| {
        let through = db::hold_flush_counter(conn)?;
        let mut written = 0;
        for range_no in 0..scan_log::RANGES as i32 {
            written += fold(conn, range_no, through)?;
        }
        Ok(written)
    })
}

/// What one synchronisation did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Synchronised {
    /// Codes whose scans this process wrote.
    pub flushed_codes: usize,
    /// Scans this process wrote.
    pub flushed_scans: i64,
    /// Counts read back (the other replicas' changes).
    pub read_back: usize,
}

#[derive(Debug)]
pub struct ScanCounter {
    shards: Vec<Mutex<Shard>>,
    /// The last flush whose counts this process has read (any replica's).
    seen_flush: Mutex<i64>,
    /// Scans counted by this process since start, and those it wrote to the database.
    counted: AtomicU64,
    flushed: AtomicU64,
    failures: AtomicU64,
    /// Rounds that wrote scans, and the time they took (database and memory together).
    flushes: AtomicU64,
    flush_micros: AtomicU64,
    last_flush_micros: AtomicU64,
}

fn shard_of(random: u64) -> usize {
    // The random part is uniform: its low bits spread codes over the shards evenly.
    (random as usize) % SHARDS
}

impl ScanCounter {
    pub fn new(seen_flush: i64) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            seen_flush: Mutex::new(seen_flush),
            counted: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            flush_micros: AtomicU64::new(0),
            last_flush_micros: AtomicU64::new(0),
        }
    }

    fn shard(&self, random: u64) -> ServiceResult<std::sync::MutexGuard<'_, Shard>> {
        self.shards[shard_of(random)]
            .lock()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))
    }

    /// Counts one scan of a label whose stored count `stored` reads (the caller holds the
    /// index), and gives the count to show.
    pub fn scan(
        &self,
        random: u64,
        stored: impl Fn() -> StoredCount,
        at: NaiveDateTime,
    ) -> ServiceResult<Count> {
        let mut shard = self.shard(random)?;
        shard
            .pending
            .entry(random)
            .and_modify(|l| l.count += 1)
            .or_insert(Local {
                count: 1,
                first_at: at,
            });
        self.counted.fetch_add(1, Ordering::Relaxed);
        // Read under the shard's lock: a synchronisation changes the stored count and clears
        // what was in flight under it, both at once.
        let stored = stored();
        let local = shard.local(random);
        Ok(Count {
            scans: stored.scans + local.map_or(0, |l| l.count),
            first_scanned_at: match (stored.first_scanned_at, local.map(|l| l.first_at)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        })
    }

    /// Runs `work` between two synchronisations: a batch taken in from the database meanwhile
    /// would miss the scans of the flushes a round reads before the batch is in the index.
    pub fn between_rounds<T>(&self, work: impl FnOnce() -> ServiceResult<T>) -> ServiceResult<T> {
        let _round = self
            .seen_flush
            .lock()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))?;
        work()
    }

    /// Scans counted here and not yet written to the database.
    pub fn unflushed(&self) -> i64 {
        self.shards
            .iter()
            .filter_map(|s| s.lock().ok())
            .map(|s| {
                s.pending.values().map(|l| l.count).sum::<i64>()
                    + s.in_flight.values().map(|l| l.count).sum::<i64>()
            })
            .sum()
    }

    pub fn counted(&self) -> u64 {
        self.counted.load(Ordering::Relaxed)
    }

    pub fn flushed(&self) -> u64 {
        self.flushed.load(Ordering::Relaxed)
    }

    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Rounds that wrote scans, the seconds they took in all, and the last one's milliseconds.
    pub fn flush_times(&self) -> (u64, f64, f64) {
        (
            self.flushes.load(Ordering::Relaxed),
            self.flush_micros.load(Ordering::Relaxed) as f64 / 1e6,
            self.last_flush_micros.load(Ordering::Relaxed) as f64 / 1e3,
        )
    }

    /// One round: write this process's scans and read back every count changed since the last
    /// round (see the module's comment). One round runs at a time.
    pub fn synchronise(
        &self,
        conn: &mut DbConnection,
        index: &RwLock<LabelIndex>,
    ) -> ServiceResult<Synchronised> {
        let started = std::time::Instant::now();
        let mut seen = self
            .seen_flush
            .lock()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))?;
        let mut deltas: Vec<ScanEntry> = Vec::new();
        for shard in &self.shards {
            let mut shard = shard
                .lock()
                .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))?;
            let pending = std::mem::take(&mut shard.pending);
            for (random, local) in pending {
                shard
                    .in_flight
                    .entry(random)
                    .and_modify(|l| l.add(local))
                    .or_insert(local);
            }
            deltas.extend(shard.in_flight.iter().map(|(random, l)| ScanEntry {
                random: *random,
                scans: l.count,
                first_at: l.first_at,
            }));
        }
        let after = *seen;
        let reload = |conn: &mut DbConnection, through: i64| -> ServiceResult<(ReadBack, i64)> {
            let counts = with_unfolded(db::all_labels(conn)?, &unfolded_scans(conn)?);
            let counts = counts.into_iter().map(|(r, _, c)| (r, c)).collect();
            Ok((ReadBack::Reloaded(counts), through))
        };
        let outcome = if deltas.is_empty() {
            match read_back(conn, after, None) {
                Ok(Some(read)) => Ok(read),
                Ok(None) => write_transaction(conn, |conn| {
                    let through = db::hold_flush_counter(conn)?;
                    reload(conn, through)
                }),
                Err(error) => Err(error),
            }
        } else {
            write_transaction(conn, |conn| {
                let mine = db::take_flush_number(conn)?;
                db::log_scans(conn, mine, &scan_log::log_rows(&deltas))?;
                fold(conn, scan_log::range_folded_by(mine), mine)?;
                drop_old_log(conn, mine)?;
                match read_back(conn, after, Some(mine))? {
                    Some(read) => Ok(read),
                    None => reload(conn, mine),
                }
            })
        };
        let (read, read_seen) = match outcome {
            Ok(read) => read,
            Err(error) => {
                // The scans stay in flight: the next round writes them with the new ones.
                self.failures.fetch_add(1, Ordering::Relaxed);
                return Err(error);
            }
        };
        let flushed_scans: i64 = deltas.iter().map(|d| d.scans).sum();
        let index = index
            .read()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("label index poisoned")))?;
        let reloading = matches!(read, ReadBack::Reloaded(_));
        let read_back = match &read {
            ReadBack::Logged(entries) => entries.len(),
            ReadBack::Reloaded(counts) => counts.len(),
        };
        // The others' scans go in under the shards' locks, with this round's own.
        let mut by_shard: Vec<Vec<(i64, ScanEntry)>> = vec![Vec::new(); SHARDS];
        let mut reloaded: Vec<Vec<(u64, StoredCount)>> = vec![Vec::new(); SHARDS];
        match read {
            ReadBack::Logged(entries) => {
                for (flush, entry) in entries {
                    by_shard[shard_of(entry.random)].push((flush, entry));
                }
            }
            ReadBack::Reloaded(counts) => {
                for (random, count) in counts {
                    reloaded[shard_of(random)].push((random, count));
                }
            }
        }
        for ((shard, logged), counts) in self.shards.iter().zip(by_shard).zip(reloaded) {
            let mut shard = shard
                .lock()
                .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))?;
            // Everything in flight was written by the transaction that just committed (and is
            // in a reloaded count already).
            for (random, local) in shard.in_flight.drain() {
                if !reloading {
                    index.add_stored(random, local.count, local.first_at);
                }
            }
            for (flush, entry) in logged {
                index.add_logged(entry.random, entry.scans, entry.first_at, flush);
            }
            for (random, count) in counts {
                index.set_stored(random, count);
            }
        }
        *seen = read_seen.max(after);
        self.flushed
            .fetch_add(flushed_scans as u64, Ordering::Relaxed);
        if !deltas.is_empty() {
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            self.flushes.fetch_add(1, Ordering::Relaxed);
            self.flush_micros.fetch_add(micros, Ordering::Relaxed);
            self.last_flush_micros.store(micros, Ordering::Relaxed);
        }
        Ok(Synchronised {
            flushed_codes: deltas.len(),
            flushed_scans,
            read_back,
        })
    }
}
