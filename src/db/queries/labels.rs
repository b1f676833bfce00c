//! Label quotas, batches, labels and their scan counts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::label::{LabelBatchRow, LabelQuotaRow};
use crate::db::schema::{authorizations, label_batches, label_quotas, label_scan_flushes, labels};
use crate::db::DbConnection;

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
pub fn insert_labels(conn: &mut DbConnection, batch_seq: i64, randoms: &[i64]) -> QueryResult<()> {
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
    label_scan_flushes::table
        .find(1)
        .select(label_scan_flushes::seq)
        .first(conn)
}

/// Scans counted since the last flush: (random part, how many, when first).
pub type ScanDelta = (i64, i64, NaiveDateTime);

/// Adds the deltas to the stored counts, as one numbered flush; call inside a write
/// transaction. Returns the flush's number.
pub fn add_scans(conn: &mut DbConnection, deltas: &[ScanDelta]) -> QueryResult<i64> {
    diesel::update(label_scan_flushes::table.find(1))
        .set(label_scan_flushes::seq.eq(label_scan_flushes::seq + 1))
        .execute(conn)?;
    let flush = last_flush(conn)?;
    match conn {
        DbConnection::Postgresql(pg) => {
            use diesel::sql_types::{Array, BigInt, Timestamp};
            let (randoms, counts, firsts): (Vec<i64>, Vec<i64>, Vec<NaiveDateTime>) =
                deltas.iter().fold(
                    (Vec::new(), Vec::new(), Vec::new()),
                    |(mut r, mut n, mut f), (random, count, first)| {
                        r.push(*random);
                        n.push(*count);
                        f.push(*first);
                        (r, n, f)
                    },
                );
            diesel::sql_query(
                "UPDATE labels AS l SET scans = l.scans + v.n, \
                 first_scanned_at = COALESCE(l.first_scanned_at, v.first), synced_seq = $4 \
                 FROM unnest($1, $2, $3) AS v(random, n, first) WHERE l.random = v.random",
            )
            .bind::<Array<BigInt>, _>(randoms)
            .bind::<Array<BigInt>, _>(counts)
            .bind::<Array<Timestamp>, _>(firsts)
            .bind::<BigInt, _>(flush)
            .execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            use diesel::sql_types::{BigInt, Text};
            // One statement per 5,000 labels: the deltas go in as one JSON text.
            for chunk in deltas.chunks(5_000) {
                let json = serde_json::Value::Array(
                    chunk
                        .iter()
                        .map(|(random, count, first)| {
                            serde_json::json!([
                                random,
                                count,
                                first.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
                            ])
                        })
                        .collect(),
                )
                .to_string();
                diesel::sql_query(
                    "UPDATE labels SET scans = scans + v.n, \
                     first_scanned_at = COALESCE(first_scanned_at, v.first), synced_seq = ? \
                     FROM (SELECT value ->> 0 AS random, value ->> 1 AS n, value ->> 2 AS first \
                           FROM json_each(?)) AS v WHERE labels.random = v.random",
                )
                .bind::<BigInt, _>(flush)
                .bind::<Text, _>(json)
                .execute(sqlite)?;
            }
        }
    }
    Ok(flush)
}

/// A stored count read back: (random part, scans, first scanned, the flush that wrote it).
pub type CountRead = (i64, i64, Option<NaiveDateTime>, i64);

/// Counts changed by flushes after `flush` (any replica's): (random part, scans, first scanned,
/// flush).
pub fn counts_after(conn: &mut DbConnection, flush: i64) -> QueryResult<Vec<CountRead>> {
    labels::table
        .filter(labels::synced_seq.gt(flush))
        .select((
            labels::random,
            labels::scans,
            labels::first_scanned_at,
            labels::synced_seq,
        ))
        .load(conn)
}
