//! The scan log's rules: how a flush's counts are split into key ranges and written as rows,
//! which range a flush folds into the labels' own rows, and how logged counts add up.
//!
//! Scans are uniform over the labels, so a flush of a second's scans touches labels all over
//! the table: written into the labels' rows at once, nearly every page of the table would be
//! rewritten every second. Logged instead (one row per range, a few kilobytes) and folded one
//! range at a time, each second rewrites the pages of one range only, and a label scanned
//! several times in the minute between its range's folds is rewritten once.

use chrono::{DateTime, NaiveDateTime};

use super::code::RANDOM_MASK;

/// Key ranges: the top 6 of the random part's 50 bits.
pub const RANGES: i64 = 64;
const RANGE_SHIFT: u32 = 44;

/// Bytes a label takes in a log row: random part (8), scans (4), first scan (8, Unix µs).
const ENTRY_BYTES: usize = 20;

/// Flushes whose log rows are kept (about ten minutes at one flush a second): a replica that
/// has not read that far reloads every count. More than [`RANGES`], so only folded rows go.
pub const FLUSHES_KEPT: i64 = 600;
const _: () = assert!(FLUSHES_KEPT > RANGES);

/// How far the log may be dropped after flush `flush`: the kept flushes stay, and so does
/// every row a range has not folded yet (`folded_everywhere`: the oldest range's fold).
pub fn droppable_through(flush: i64, folded_everywhere: i64) -> i64 {
    (flush - FLUSHES_KEPT).min(folded_everywhere)
}

/// One label's scans in a flush (or added up over several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanEntry {
    pub random: u64,
    pub scans: i64,
    pub first_at: NaiveDateTime,
}

/// The key range of a label.
pub fn range_of(random: u64) -> i32 {
    ((random & RANDOM_MASK) >> RANGE_SHIFT) as i32
}

/// The range a flush folds: each in turn, so every range is folded once in [`RANGES`] flushes.
pub fn range_folded_by(flush: i64) -> i32 {
    flush.rem_euclid(RANGES) as i32
}

/// One log row: its range, its scans added up, and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub range_no: i32,
    pub scans: i64,
    pub deltas: Vec<u8>,
}

/// A flush's entries as log rows, one per range that has any.
pub fn log_rows(entries: &[ScanEntry]) -> Vec<LogRow> {
    let mut rows: Vec<LogRow> = Vec::new();
    let mut sorted: Vec<&ScanEntry> = entries.iter().collect();
    sorted.sort_unstable_by_key(|e| e.random);
    for entry in sorted {
        let range_no = range_of(entry.random);
        if rows.last().is_none_or(|r| r.range_no != range_no) {
            rows.push(LogRow {
                range_no,
                scans: 0,
                deltas: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            row.scans += entry.scans;
            encode_into(&mut row.deltas, entry);
        }
    }
    rows
}

fn encode_into(out: &mut Vec<u8>, entry: &ScanEntry) {
    let scans = u32::try_from(entry.scans.max(0)).unwrap_or(u32::MAX);
    out.extend_from_slice(&entry.random.to_le_bytes());
    out.extend_from_slice(&scans.to_le_bytes());
    out.extend_from_slice(&entry.first_at.and_utc().timestamp_micros().to_le_bytes());
}

/// The entries of a log row (a torn tail, which a committed row never has, is ignored).
pub fn decode(deltas: &[u8]) -> impl Iterator<Item = ScanEntry> + '_ {
    deltas.chunks_exact(ENTRY_BYTES).filter_map(|chunk| {
        let (random, rest) = chunk.split_at(8);
        let (scans, first) = rest.split_at(4);
        let first = i64::from_le_bytes(first.try_into().ok()?);
        Some(ScanEntry {
            random: u64::from_le_bytes(random.try_into().ok()?),
            scans: i64::from(u32::from_le_bytes(scans.try_into().ok()?)),
            first_at: DateTime::from_timestamp_micros(first)?.naive_utc(),
        })
    })
}

/// Entries added up per label (scans summed, the earliest first scan), in key order.
pub fn add_up(entries: impl IntoIterator<Item = ScanEntry>) -> Vec<ScanEntry> {
    let mut all: Vec<ScanEntry> = entries.into_iter().collect();
    all.sort_unstable_by_key(|e| e.random);
    let mut summed: Vec<ScanEntry> = Vec::with_capacity(all.len());
    for entry in all {
        match summed.last_mut() {
            Some(last) if last.random == entry.random => {
                last.scans += entry.scans;
                last.first_at = last.first_at.min(entry.first_at);
            }
            _ => summed.push(entry),
        }
    }
    summed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::code::random_part;

    fn at(seconds: i64, micros: u32) -> NaiveDateTime {
        DateTime::from_timestamp(seconds, micros * 1000)
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn rows_split_a_flush_by_range_and_decode_back_to_it() {
        let mut rng = rand::thread_rng();
        let entries: Vec<ScanEntry> = (0..5000)
            .map(|i| ScanEntry {
                random: random_part(&mut rng),
                scans: 1 + i % 7,
                first_at: at(1_700_000_000 + i, 123_456),
            })
            .collect();
        let rows = log_rows(&entries);
        assert_eq!(
            rows.len() as i64,
            RANGES,
            "5,000 labels fall in every range"
        );
        let mut back = Vec::new();
        for row in &rows {
            let decoded: Vec<ScanEntry> = decode(&row.deltas).collect();
            assert!(decoded.iter().all(|e| range_of(e.random) == row.range_no));
            assert_eq!(row.scans, decoded.iter().map(|e| e.scans).sum::<i64>());
            back.extend(decoded);
        }
        let mut expected = entries.clone();
        expected.sort_unstable_by_key(|e| e.random);
        back.sort_unstable_by_key(|e| e.random);
        assert_eq!(back, expected, "every entry, microseconds included");
    }

    #[test]
    fn ranges_cover_the_random_parts_evenly_and_each_flush_folds_the_next() {
        assert_eq!(range_of(0), 0);
        assert_eq!(range_of(RANDOM_MASK), 63);
        assert_eq!(range_of(1 << 44), 1);
        let folded: Vec<i32> = (1..=RANGES).map(range_folded_by).collect();
        let mut sorted = folded.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..RANGES as i32).collect::<Vec<_>>());
        assert_eq!(droppable_through(1000, 990), 400, "the kept flushes stay");
        assert_eq!(droppable_through(1000, 300), 300, "and the unfolded rows");
    }

    #[test]
    fn entries_add_up_per_label_with_the_earliest_first_scan() {
        let entry = |random, scans, seconds| ScanEntry {
            random,
            scans,
            first_at: at(seconds, 0),
        };
        let summed = add_up([
            entry(9, 2, 50),
            entry(3, 1, 70),
            entry(9, 5, 40),
            entry(3, 1, 90),
        ]);
        assert_eq!(summed, vec![entry(3, 2, 70), entry(9, 7, 40)]);
        assert!(
            decode(&[0u8; 19]).next().is_none(),
            "a torn entry is no entry"
        );
    }
}
