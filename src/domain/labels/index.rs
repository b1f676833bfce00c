//! The issued labels in memory: one 24-byte slot per label, sorted by its random part, and the
//! batches they came in. A lookup is a binary search; the scan counts held here are the totals
//! the database had at the last synchronisation (the scans not yet flushed are added by the
//! counter in `service::labels`).

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use chrono::{DateTime, NaiveDateTime};

/// A batch as the label page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFacts {
    /// The journal event that issued it: batches arrive in this order.
    pub seq: i64,
    pub id: String,
    pub batch_no: String,
    pub authorization_id: String,
    pub registry_no: String,
    pub issued_at: NaiveDateTime,
    /// The last flush whose scans its labels' stored counts include (taken in while running:
    /// the flushes up to then are read with the batch, not again from the log).
    pub counted_through: i64,
}

#[derive(Debug)]
pub struct LabelSlot {
    pub random: u64,
    batch: u32,
    scans: AtomicU32,
    /// Unix seconds of the first scan, 0 for none yet.
    first_scanned: AtomicI64,
}

/// What the database holds for one label (at start, or after a synchronisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCount {
    pub scans: i64,
    pub first_scanned_at: Option<NaiveDateTime>,
}

#[derive(Debug, Default)]
pub struct LabelIndex {
    slots: Vec<LabelSlot>,
    batches: Vec<BatchFacts>,
}

/// One label found: its batch, and its slot (whose stored count moves with each flush).
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub batch: &'a BatchFacts,
    slot: &'a LabelSlot,
}

impl Found<'_> {
    /// The label's count as the database held it at the last synchronisation.
    pub fn stored(&self) -> StoredCount {
        StoredCount {
            scans: i64::from(self.slot.scans.load(Ordering::Acquire)),
            first_scanned_at: time(self.slot.first_scanned.load(Ordering::Acquire)),
        }
    }
}

/// A count as a slot holds it (saturating: a code is not checked four billion times).
fn count32(scans: i64) -> u32 {
    scans.clamp(0, i64::from(u32::MAX)) as u32
}

fn seconds(at: Option<NaiveDateTime>) -> i64 {
    at.map_or(0, |at| at.and_utc().timestamp().max(1))
}

fn time(seconds: i64) -> Option<NaiveDateTime> {
    (seconds > 0)
        .then(|| DateTime::from_timestamp(seconds, 0).map(|t| t.naive_utc()))
        .flatten()
}

impl LabelIndex {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The last batch taken in (journal order), 0 when none.
    pub fn last_batch_seq(&self) -> i64 {
        self.batches.last().map_or(0, |b| b.seq)
    }

    /// Bytes held, roughly: the slots and the batches' text.
    pub fn approximate_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<LabelSlot>()
            + self
                .batches
                .iter()
                .map(|b| {
                    std::mem::size_of::<BatchFacts>()
                        + b.id.len()
                        + b.batch_no.len()
                        + b.authorization_id.len()
                        + b.registry_no.len()
                })
                .sum::<usize>()
    }

    pub fn contains(&self, random: u64) -> bool {
        self.position(random).is_some()
    }

    fn position(&self, random: u64) -> Option<usize> {
        self.slots.binary_search_by_key(&random, |s| s.random).ok()
    }

    /// Takes in a batch and its labels (random part, stored count). Batches come in journal
    /// order; one already held is ignored, so a repeated catch-up changes nothing.
    pub fn add_batch(&mut self, batch: BatchFacts, mut labels: Vec<(u64, StoredCount)>) {
        if self.batches.iter().any(|b| b.seq == batch.seq) {
            return;
        }
        let index = self.batches.len() as u32;
        self.batches.push(batch);
        labels.sort_unstable_by_key(|(random, _)| *random);
        let fresh = labels.into_iter().map(|(random, stored)| LabelSlot {
            random,
            batch: index,
            scans: AtomicU32::new(count32(stored.scans)),
            first_scanned: AtomicI64::new(seconds(stored.first_scanned_at)),
        });
        if self.slots.is_empty() {
            self.slots.extend(fresh);
            return;
        }
        let held = std::mem::take(&mut self.slots);
        let mut merged = Vec::with_capacity(held.len() + fresh.len());
        let (mut held, mut fresh) = (held.into_iter().peekable(), fresh.peekable());
        loop {
            let take_held = match (held.peek(), fresh.peek()) {
                (Some(h), Some(f)) => h.random <= f.random,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_held { held.next() } else { fresh.next() };
            merged.extend(next);
        }
        self.slots = merged;
    }

    /// Sorts in the batches loaded at start in one go (faster than merging each).
    pub fn bulk_load(batches: Vec<BatchFacts>, labels: Vec<(u64, i64, StoredCount)>) -> Self {
        let mut batches = batches;
        batches.sort_by_key(|b| b.seq);
        let mut slots: Vec<LabelSlot> = labels
            .into_iter()
            .filter_map(|(random, batch_seq, stored)| {
                let batch = batches.binary_search_by_key(&batch_seq, |b| b.seq).ok()? as u32;
                Some(LabelSlot {
                    random,
                    batch,
                    scans: AtomicU32::new(count32(stored.scans)),
                    first_scanned: AtomicI64::new(seconds(stored.first_scanned_at)),
                })
            })
            .collect();
        slots.sort_unstable_by_key(|s| s.random);
        Self { slots, batches }
    }

    pub fn find(&self, random: u64) -> Option<Found<'_>> {
        let slot = &self.slots[self.position(random)?];
        Some(Found {
            batch: &self.batches[slot.batch as usize],
            slot,
        })
    }

    /// The stored count of a label, as read from the database (a replica that fell behind).
    pub fn set_stored(&self, random: u64, stored: StoredCount) {
        if let Some(p) = self.position(random) {
            let slot = &self.slots[p];
            slot.scans.store(count32(stored.scans), Ordering::Release);
            slot.first_scanned
                .store(seconds(stored.first_scanned_at), Ordering::Release);
        }
    }

    /// Adds scans a flush wrote to a label's stored count.
    pub fn add_stored(&self, random: u64, scans: i64, first_scanned_at: NaiveDateTime) {
        if let Some(p) = self.position(random) {
            let slot = &self.slots[p];
            let total = i64::from(slot.scans.load(Ordering::Acquire)) + scans;
            slot.scans.store(count32(total), Ordering::Release);
            let first = seconds(Some(first_scanned_at));
            let held = slot.first_scanned.load(Ordering::Acquire);
            if held == 0 || first < held {
                slot.first_scanned.store(first, Ordering::Release);
            }
        }
    }

    /// Adds another replica's logged scans, from flush `flush`, to a label's stored count;
    /// nothing when the label's batch was taken in with that flush counted already.
    pub fn add_logged(&self, random: u64, scans: i64, first_scanned_at: NaiveDateTime, flush: i64) {
        let counted = self
            .position(random)
            .map(|p| self.batches[self.slots[p].batch as usize].counted_through);
        if counted.is_some_and(|through| flush > through) {
            self.add_stored(random, scans, first_scanned_at);
        }
    }

    pub fn batches(&self) -> &[BatchFacts] {
        &self.batches
    }

    /// Labels of each right whose stored count is above `threshold`: (authorization id, codes).
    pub fn many_scans_by_right(&self, threshold: i64) -> Vec<(&str, usize)> {
        let mut counts = vec![0usize; self.batches.len()];
        for slot in &self.slots {
            if i64::from(slot.scans.load(Ordering::Relaxed)) > threshold {
                counts[slot.batch as usize] += 1;
            }
        }
        let mut by_right: Vec<(&str, usize)> = Vec::new();
        for (batch, n) in self.batches.iter().zip(counts) {
            if n == 0 {
                continue;
            }
            match by_right
                .iter_mut()
                .find(|(id, _)| *id == batch.authorization_id)
            {
                Some((_, total)) => *total += n,
                None => by_right.push((&batch.authorization_id, n)),
            }
        }
        by_right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(seq: i64) -> BatchFacts {
        BatchFacts {
            seq,
            id: format!("b{seq}"),
            batch_no: format!("NO-{seq}"),
            authorization_id: format!("right-{}", seq % 2),
            registry_no: "R".into(),
            issued_at: NaiveDateTime::default(),
            counted_through: 0,
        }
    }

    fn unscanned() -> StoredCount {
        StoredCount {
            scans: 0,
            first_scanned_at: None,
        }
    }

    #[test]
    fn batches_merged_one_by_one_equal_a_bulk_load() {
        let mut rng = rand::thread_rng();
        let mut merged = LabelIndex::default();
        let mut all = Vec::new();
        for seq in 1..=5 {
            let labels: Vec<(u64, StoredCount)> = (0..1000)
                .map(|_| (super::super::code::random_part(&mut rng), unscanned()))
                .collect();
            all.extend(labels.iter().map(|(r, s)| (*r, seq, *s)));
            merged.add_batch(batch(seq), labels.clone());
            // Taking in the same batch again changes nothing.
            merged.add_batch(batch(seq), labels);
        }
        let bulk = LabelIndex::bulk_load((1..=5).rev().map(batch).collect(), all.clone());
        assert_eq!(merged.len(), 5000);
        assert_eq!(merged.last_batch_seq(), 5);
        for (random, seq, _) in all {
            let (a, b) = (merged.find(random), bulk.find(random));
            assert_eq!(a.map(|f| f.batch.seq), Some(seq));
            assert_eq!(b.map(|f| f.batch.seq), Some(seq));
        }
        assert!(merged.find(u64::MAX).is_none());
    }

    #[test]
    fn stored_counts_are_kept_and_counted_per_right() {
        let mut index = LabelIndex::default();
        index.add_batch(batch(1), vec![(10, unscanned()), (20, unscanned())]);
        index.add_batch(batch(2), vec![(15, unscanned())]);
        let at = DateTime::from_timestamp(1_700_000_000, 0).map(|t| t.naive_utc());
        for random in [10, 15, 20] {
            index.set_stored(
                random,
                StoredCount {
                    scans: 11,
                    first_scanned_at: at,
                },
            );
        }
        let found = index.find(15).map(|f| f.stored());
        assert_eq!(
            found,
            Some(StoredCount {
                scans: 11,
                first_scanned_at: at
            })
        );
        assert_eq!(
            index.many_scans_by_right(10),
            vec![("right-1", 2), ("right-0", 1)]
        );
        assert!(index.many_scans_by_right(11).is_empty());
    }

    #[test]
    fn logged_scans_count_only_after_the_flush_a_batch_was_taken_in_with() {
        let mut index = LabelIndex::default();
        index.add_batch(batch(1), vec![(10, unscanned())]);
        index.add_batch(
            BatchFacts {
                counted_through: 40,
                ..batch(2)
            },
            vec![(20, unscanned())],
        );
        let at = NaiveDateTime::default();
        for flush in [39, 40, 41] {
            index.add_logged(10, 1, at, flush);
            index.add_logged(20, 1, at, flush);
        }
        index.add_logged(99, 1, at, 41);
        let scans = |random| index.find(random).map(|f| f.stored().scans);
        assert_eq!(scans(10), Some(3));
        assert_eq!(scans(20), Some(1), "flushes 39 and 40 came with the batch");
    }
}
