//! Counting label scans on the hottest public path without a write per scan (DESIGN §9).
//!
//! A scan adds one to this process's `pending` count of the code, in memory. Every
//! [`FLUSH_INTERVAL`] a synchronisation moves `pending` to `in_flight` and, in one write
//! transaction, adds it to the stored counts (no index holds them, so the updates are cheap),
//! takes the next flush number (`label_flush_counter`: flushes are numbered in commit order)
//! and lists the codes it changed under that number (`label_scan_flushes`). In the same
//! transaction it reads the other replicas' flushes since the last one it saw and fetches
//! those codes' totals (totals: reading one twice changes nothing). Only when that
//! transaction commits are the stored counts moved on (its own deltas added, the others'
//! totals set) and `in_flight` cleared, together under the lock the scans take: a page shows
//! stored + in flight + pending, never a scan twice or none. If the write fails the scans
//! stay in flight and go with the next one. A replica so far behind that the flushes it
//! missed were dropped (a few minutes' worth are kept) reloads every count.
//!
//! What a crash loses: the scans of at most one interval (those not yet flushed). A clean
//! stop flushes after the last request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::queries::labels as db;
use crate::db::{write_transaction, DbConnection};
use crate::domain::labels::index::{LabelIndex, StoredCount};
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

/// What a synchronisation read back: the totals of the codes other replicas changed (or of
/// every code, for a replica too far behind), and the last flush that covers.
struct ReadBack {
    totals: Vec<(i64, i64, Option<NaiveDateTime>)>,
    seen: i64,
}

/// The other replicas' flushes after `after` (not `mine`) and their codes' totals.
fn read_back(conn: &mut DbConnection, after: i64, mine: Option<i64>) -> ServiceResult<ReadBack> {
    let seen_mine = mine.unwrap_or(after);
    match db::flushes_after(conn, after, mine)? {
        None => Ok(ReadBack {
            totals: db::all_counts(conn)?,
            seen: db::last_flush(conn)?.max(seen_mine),
        }),
        Some(flushes) => {
            let seen = flushes
                .iter()
                .map(|(seq, _)| *seq)
                .max()
                .unwrap_or(after)
                .max(seen_mine);
            let mut codes: Vec<i64> = flushes.into_iter().flat_map(|(_, r)| r).collect();
            codes.sort_unstable();
            codes.dedup();
            Ok(ReadBack {
                totals: if codes.is_empty() {
                    Vec::new()
                } else {
                    db::counts_of(conn, &codes)?
                },
                seen,
            })
        }
    }
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

    /// One round: write this process's scans and read back every count changed since the last
    /// round (see the module's comment). One round runs at a time.
    pub fn synchronise(
        &self,
        conn: &mut DbConnection,
        index: &RwLock<LabelIndex>,
        now: NaiveDateTime,
    ) -> ServiceResult<Synchronised> {
        let mut seen = self
            .seen_flush
            .lock()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))?;
        let mut deltas = Vec::new();
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
            deltas.extend(
                shard
                    .in_flight
                    .iter()
                    .map(|(random, l)| (*random as i64, l.count, l.first_at)),
            );
        }
        // In key order: the database visits the labels' pages in order.
        deltas.sort_unstable_by_key(|(random, _, _)| *random);
        let after = *seen;
        let outcome = if deltas.is_empty() {
            read_back(conn, after, None)
        } else {
            write_transaction(conn, |conn| {
                let mine = db::add_scans(conn, &deltas, now)?;
                read_back(conn, after, Some(mine))
            })
        };
        let read = match outcome {
            Ok(read) => read,
            Err(error) => {
                // The scans stay in flight: the next round writes them with the new ones.
                self.failures.fetch_add(1, Ordering::Relaxed);
                return Err(error);
            }
        };
        let flushed_scans: i64 = deltas.iter().map(|(_, n, _)| n).sum();
        let index = index
            .read()
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("label index poisoned")))?;
        let mut totals_by_shard: Vec<Vec<(u64, StoredCount)>> = vec![Vec::new(); SHARDS];
        for (random, scans, first_scanned_at) in &read.totals {
            totals_by_shard[shard_of(*random as u64)].push((
                *random as u64,
                StoredCount {
                    scans: *scans,
                    first_scanned_at: *first_scanned_at,
                },
            ));
        }
        let read_totals: std::collections::HashSet<u64> =
            read.totals.iter().map(|(r, _, _)| *r as u64).collect();
        for (shard, totals) in self.shards.iter().zip(totals_by_shard) {
            let mut shard = shard
                .lock()
                .map_err(|_| ServiceError::Internal(anyhow::anyhow!("scan counter poisoned")))?;
            // Everything in flight was written by the transaction that just committed.
            for (random, local) in shard.in_flight.drain() {
                if !read_totals.contains(&random) {
                    index.add_stored(random, local.count, local.first_at);
                }
            }
            for (random, stored) in totals {
                index.set_stored(random, stored);
            }
        }
        *seen = read.seen.max(after);
        self.flushed
            .fetch_add(flushed_scans as u64, Ordering::Relaxed);
        Ok(Synchronised {
            flushed_codes: deltas.len(),
            flushed_scans,
            read_back: read.totals.len(),
        })
    }
}
