//! Label quotas, batches, labels and their scan counts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::label::{LabelBatchRow, LabelQuotaRow};
use crate::db::schema::{
    authorizations, label_batches, label_flush_counter, label_fold_ranges, label_quotas,
    label_scan_log, labels,
};
use crate::db::DbConnection;
use crate::domain::labels::scan_log::{LogRow, ScanEntry};

/// Rows a multi-row insert carries: SQLite binds at most 32,766 values, two per label here.
const INSERT_CHUNK: usize = 10_000;

pub fn quota(
    conn: &mut DbConnection,
    authorization_id: &str,
    year: i32,
) -> QueryResult<Option<LabelQuotaRow>> {
    label_quotas::table
        .find((authorization_id, year))
        .select(LabelQuotaRow::as_select())
        .first(conn)
        .optional()
}

/// Every quota of a right, newest year first.
pub fn quotas_of(
    conn: &mut DbConnection,
    authorization_id: &str,
) -> QueryResult<Vec<LabelQuotaRow>> {
    label_quotas::table
        .filter(label_quotas::authorization_id.eq(authorization_id))
        .order(label_quotas::year.desc())
        .select(LabelQuotaRow::as_select())
        .load(conn)
}

/// The quotas of a year for the rights given: (authorization id, quantity, issued).
pub fn quotas_in_year(
    conn: &mut DbConnection,
    year: i32,
    authorization_ids: &[String],
) -> QueryResult<Vec<(String, i64, i64)>> {
    label_quotas::table
        .filter(label_quotas::year.eq(year))
        .filter(label_quotas::authorization_id.eq_any(authorization_ids))
        .select((
            label_quotas::authorization_id,
            label_quotas::quantity,
            label_quotas::issued,
        ))
        .load(conn)
}

/// Sets a year's quantity; false when the row is absent (then insert it).
pub fn update_quota(
    conn: &mut DbConnection,
    authorization_id: &str,
    year: i32,
    quantity: i64,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(label_quotas::table.find((authorization_id, year)))
        .set((
            label_quotas::quantity.eq(quantity),
            label_quotas::set_by.eq(by),
            label_quotas::set_at.eq(at),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn insert_quota(conn: &mut DbConnection, row: &LabelQuotaRow) -> QueryResult<()> {
    diesel::insert_into(label_quotas::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Takes `quantity` labels from the year's quota when they fit, in one statement (so two
/// orders at once cannot both take the last ones); the batch's place in the year, or None.
pub fn take_from_quota(
    conn: &mut DbConnection,
    authorization_id: &str,
    year: i32,
    quantity: i64,
) -> QueryResult<Option<i32>> {
    let taken = diesel::update(
        label_quotas::table
            .find((authorization_id, year))
            .filter((label_quotas::issued + quantity).le(label_quotas::quantity)),
    )
    .set((
        label_quotas::issued.eq(label_quotas::issued + quantity),
        label_quotas::batches.eq(label_quotas::batches + 1),
    ))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    label_quotas::table
        .find((authorization_id, year))
        .select(label_quotas::batches)
        .first(conn)
        .map(Some)
}

pub fn insert_batch(conn: &mut DbConnection, row: &LabelBatchRow) -> QueryResult<()> {
    diesel::insert_into(label_batches::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The batch's labels, by random part (a key conflict means a random part was drawn twice).
/// In key order, so a key range's labels sit together in the table (`scan_log`).
pub fn insert_labels(conn: &mut DbConnection, batch_seq: i64, randoms: &[i64]) -> QueryResult<()> {
    let mut randoms = randoms.to_vec();
    randoms.sort_unstable();
    for chunk in randoms.chunks(INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|r| (labels::random.eq(*r), labels::batch_seq.eq(batch_seq)))
            .collect();
        // A multi-row insert goes to the backend itself (the enum's dialect has none).
        match conn {
            DbConnection::Postgresql(pg) => diesel::insert_into(labels::table)
                .values(rows)
                .execute(pg)?,
            DbConnection::Sqlite(sqlite) => diesel::insert_into(labels::table)
                .values(rows)
                .execute(sqlite)?,
        };
    }
    Ok(())
}

/// Which of these random parts are taken already.
pub fn taken(conn: &mut DbConnection, randoms: &[i64]) -> QueryResult<Vec<i64>> {
    let mut found = Vec::new();
    for chunk in randoms.chunks(INSERT_CHUNK) {
        found.extend(
            labels::table
                .filter(labels::random.eq_any(chunk))
                .select(labels::random)
                .load::<i64>(conn)?,
        );
    }
    Ok(found)
}

pub fn batch(conn: &mut DbConnection, id: &str) -> QueryResult<Option<LabelBatchRow>> {
    label_batches::table
        .filter(label_batches::id.eq(id))
        .select(LabelBatchRow::as_select())
        .first(conn)
        .optional()
}

/// A right's batches, newest first.
pub fn batches_of(
    conn: &mut DbConnection,
    authorization_id: &str,
) -> QueryResult<Vec<LabelBatchRow>> {
    label_batches::table
        .filter(label_batches::authorization_id.eq(authorization_id))
        .order(label_batches::seq.desc())
        .select(LabelBatchRow::as_select())
        .load(conn)
}

/// Batches issued after `seq` (journal order), each with its right's registry number.
pub fn batches_after(
    conn: &mut DbConnection,
    seq: i64,
) -> QueryResult<Vec<(LabelBatchRow, String)>> {
    label_batches::table
        .inner_join(authorizations::table)
        .filter(label_batches::seq.gt(seq))
        .order(label_batches::seq.asc())
        .select((LabelBatchRow::as_select(), authorizations::registry_no))
        .load(conn)
}

/// One label as stored: (random part, batch, scans, first scanned).
pub type StoredLabel = (i64, i64, i64, Option<NaiveDateTime>);

const STORED_LABEL: (
    labels::random,
    labels::batch_seq,
    labels::scans,
    labels::first_scanned_at,
) = (
    labels::random,
    labels::batch_seq,
    labels::scans,
    labels::first_scanned_at,
);

/// The labels of a batch (by random part).
pub fn labels_of(conn: &mut DbConnection, batch_seq: i64) -> QueryResult<Vec<StoredLabel>> {
    labels::table
        .filter(labels::batch_seq.eq(batch_seq))
        .order(labels::random.asc())
        .select(STORED_LABEL)
        .load(conn)
}

/// Every label (for building the index at start).
pub fn all_labels(conn: &mut DbConnection) -> QueryResult<Vec<StoredLabel>> {
    labels::table.select(STORED_LABEL).load(conn)
}

/// The number of the last flush committed.
pub fn last_flush(conn: &mut DbConnection) -> QueryResult<i64> {
    label_flush_counter::table
        .find(1)
        .select(label_flush_counter::seq)
        .first(conn)
}

/// Raises the flush number and gives it: the first statement of a flush's transaction, so
/// flushes are numbered in the order they commit (the row stays locked until then).
pub fn take_flush_number(conn: &mut DbConnection) -> QueryResult<i64> {
    diesel::update(label_flush_counter::table.find(1))
        .set(label_flush_counter::seq.eq(label_flush_counter::seq + 1))
        .execute(conn)?;
    last_flush(conn)
}

/// Locks the flush counter without raising it (in a write transaction): no flush commits
/// until this transaction ends, so what it reads of the counts holds still. Gives the number.
pub fn hold_flush_counter(conn: &mut DbConnection) -> QueryResult<i64> {
    diesel::update(label_flush_counter::table.find(1))
        .set(label_flush_counter::seq.eq(label_flush_counter::seq))
        .execute(conn)?;
    last_flush(conn)
}

/// The flushes up to this number may have been dropped from the log.
pub fn dropped_through(conn: &mut DbConnection) -> QueryResult<i64> {
    label_flush_counter::table
        .find(1)
        .select(label_flush_counter::dropped_seq)
        .first(conn)
}

/// Writes a flush's log rows.
pub fn log_scans(conn: &mut DbConnection, flush: i64, rows: &[LogRow]) -> QueryResult<()> {
    let values: Vec<_> = rows
        .iter()
        .map(|row| {
            (
                label_scan_log::seq.eq(flush),
                label_scan_log::range_no.eq(row.range_no),
                label_scan_log::scans.eq(row.scans),
                label_scan_log::deltas.eq(&row.deltas),
            )
        })
        .collect();
    // A multi-row insert goes to the backend itself (the enum's dialect has none).
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(label_scan_log::table)
            .values(values)
            .execute(pg)?,
        DbConnection::Sqlite(sqlite) => diesel::insert_into(label_scan_log::table)
            .values(values)
            .execute(sqlite)?,
    };
    Ok(())
}

/// The log after flush `after`, other than `except` (this process's own): (flush, entries).
pub fn logged_after(
    conn: &mut DbConnection,
    after: i64,
    except: Option<i64>,
) -> QueryResult<Vec<(i64, Vec<u8>)>> {
    label_scan_log::table
        .filter(label_scan_log::seq.gt(after))
        .filter(label_scan_log::seq.ne(except.unwrap_or(0)))
        .order(label_scan_log::seq.asc())
        .select((label_scan_log::seq, label_scan_log::deltas))
        .load(conn)
}

/// The last flush folded into the rows of a range.
pub fn folded_through(conn: &mut DbConnection, range_no: i32) -> QueryResult<i64> {
    label_fold_ranges::table
        .find(range_no)
        .select(label_fold_ranges::folded_seq)
        .first(conn)
}

/// The oldest fold of any range: every log row up to it is in the labels' rows.
pub fn folded_everywhere_through(conn: &mut DbConnection) -> QueryResult<i64> {
    label_fold_ranges::table
        .select(diesel::dsl::min(label_fold_ranges::folded_seq))
        .first::<Option<i64>>(conn)
        .map(|seq| seq.unwrap_or(0))
}

/// A range's log rows after flush `after`, up to `through`.
pub fn logged_in_range(
    conn: &mut DbConnection,
    range_no: i32,
    after: i64,
    through: i64,
) -> QueryResult<Vec<Vec<u8>>> {
    label_scan_log::table
        .filter(label_scan_log::range_no.eq(range_no))
        .filter(label_scan_log::seq.gt(after))
        .filter(label_scan_log::seq.le(through))
        .select(label_scan_log::deltas)
        .load(conn)
}

pub fn set_folded_through(conn: &mut DbConnection, range_no: i32, seq: i64) -> QueryResult<()> {
    diesel::update(label_fold_ranges::table.find(range_no))
        .set(label_fold_ranges::folded_seq.eq(seq))
        .execute(conn)
        .map(|_| ())
}

/// Every log row not folded yet: with the labels' rows, the counts.
pub fn unfolded(conn: &mut DbConnection) -> QueryResult<Vec<Vec<u8>>> {
    label_scan_log::table
        .inner_join(
            label_fold_ranges::table.on(label_fold_ranges::range_no.eq(label_scan_log::range_no)),
        )
        .filter(label_scan_log::seq.gt(label_fold_ranges::folded_seq))
        .select(label_scan_log::deltas)
        .load(conn)
}

/// Drops the log up to a flush (every range folded past it), and records that it did.
pub fn drop_log_through(conn: &mut DbConnection, seq: i64) -> QueryResult<()> {
    diesel::delete(label_scan_log::table.filter(label_scan_log::seq.le(seq))).execute(conn)?;
    diesel::update(label_flush_counter::table.find(1))
        .set(label_flush_counter::dropped_seq.eq(seq))
        .execute(conn)
        .map(|_| ())
}

/// Adds logged scans (added up per label) to the labels' rows.
pub fn add_to_labels(conn: &mut DbConnection, entries: &[ScanEntry]) -> QueryResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    match conn {
        DbConnection::Postgresql(pg) => {
            use diesel::sql_types::{Array, BigInt, Timestamp};
            let randoms: Vec<i64> = entries.iter().map(|e| e.random as i64).collect();
            let counts: Vec<i64> = entries.iter().map(|e| e.scans).collect();
            let firsts: Vec<NaiveDateTime> = entries.iter().map(|e| e.first_at).collect();
            // Knowing the array's length, the planner would hash the whole table (a scan of a
            // million rows) rather than look each label up by its key; within this
            // transaction only, it may not.
            diesel::sql_query("SET LOCAL enable_hashjoin = off").execute(pg)?;
            diesel::sql_query("SET LOCAL enable_mergejoin = off").execute(pg)?;
            diesel::sql_query(
                "UPDATE labels AS l SET scans = l.scans + v.n, \
                 first_scanned_at = COALESCE(l.first_scanned_at, v.first) \
                 FROM unnest($1, $2, $3) AS v(random, n, first) WHERE l.random = v.random",
            )
            .bind::<Array<BigInt>, _>(randoms)
            .bind::<Array<BigInt>, _>(counts)
            .bind::<Array<Timestamp>, _>(firsts)
            .execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            use diesel::sql_types::Text;
            // One statement per 5,000 labels: the entries go in as one JSON text.
            for chunk in entries.chunks(5_000) {
                let json = serde_json::Value::Array(
                    chunk
                        .iter()
                        .map(|e| {
                            serde_json::json!([
                                e.random as i64,
                                e.scans,
                                e.first_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
                            ])
                        })
                        .collect(),
                )
                .to_string();
                diesel::sql_query(
                    "UPDATE labels SET scans = scans + v.n, \
                     first_scanned_at = COALESCE(first_scanned_at, v.first) \
                     FROM (SELECT value ->> 0 AS random, value ->> 1 AS n, value ->> 2 AS first \
                           FROM json_each(?)) AS v WHERE labels.random = v.random",
                )
                .bind::<Text, _>(json)
                .execute(sqlite)?;
            }
        }
    }
    Ok(())
}
