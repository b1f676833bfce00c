use diesel::prelude::*;

use crate::db::models::journal::JournalEventRow;
use crate::db::schema::{journal_events, journal_head};
use crate::db::DbConnection;

/// Takes the next sequence number. The UPDATE comes first so that it locks the head row:
/// concurrent appends queue here and the chain never forks.
pub fn advance_head(conn: &mut DbConnection) -> QueryResult<(i64, String)> {
    diesel::update(journal_head::table.find(1))
        .set(journal_head::seq.eq(journal_head::seq + 1))
        .execute(conn)?;
    journal_head::table
        .find(1)
        .select((journal_head::seq, journal_head::hash))
        .first(conn)
}

pub fn append(conn: &mut DbConnection, row: &JournalEventRow) -> QueryResult<()> {
    diesel::insert_into(journal_events::table)
        .values(row)
        .execute(conn)?;
    diesel::update(journal_head::table.find(1))
        .set(journal_head::hash.eq(&row.hash))
        .execute(conn)?;
    Ok(())
}

pub fn head(conn: &mut DbConnection) -> QueryResult<(i64, String)> {
    journal_head::table
        .find(1)
        .select((journal_head::seq, journal_head::hash))
        .first(conn)
}

pub fn events_for(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
) -> QueryResult<Vec<JournalEventRow>> {
    journal_events::table
        .filter(journal_events::entity_type.eq(entity_type))
        .filter(journal_events::entity_id.eq(entity_id))
        .order(journal_events::seq.asc())
        .select(JournalEventRow::as_select())
        .load(conn)
}

pub fn count_events(conn: &mut DbConnection) -> QueryResult<i64> {
    journal_events::table.count().get_result(conn)
}

/// Events with `seq` greater than `after`, in order, at most `limit` of them.
pub fn events_after(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<JournalEventRow>> {
    journal_events::table
        .filter(journal_events::seq.gt(after))
        .order(journal_events::seq.asc())
        .limit(limit)
        .select(JournalEventRow::as_select())
        .load(conn)
}
