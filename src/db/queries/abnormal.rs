//! The abnormal-use list.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::abnormal::AbnormalUserRow;
use crate::db::schema::abnormal_users;
use crate::db::DbConnection;

pub fn insert(conn: &mut DbConnection, row: &AbnormalUserRow) -> QueryResult<()> {
    diesel::insert_into(abnormal_users::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<AbnormalUserRow> {
    abnormal_users::table
        .find(id)
        .select(AbnormalUserRow::as_select())
        .first(conn)
}

/// The right's entries still listed, oldest first.
pub fn current_of(
    conn: &mut DbConnection,
    authorization_id: &str,
) -> QueryResult<Vec<AbnormalUserRow>> {
    abnormal_users::table
        .filter(abnormal_users::authorization_id.eq(authorization_id))
        .filter(abnormal_users::removed_at.is_null())
        .order(abnormal_users::listed_at.asc())
        .select(AbnormalUserRow::as_select())
        .load(conn)
}

/// Every entry, in the order listed (for building the register).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<AbnormalUserRow>> {
    abnormal_users::table
        .order((abnormal_users::listed_at.asc(), abnormal_users::id.asc()))
        .select(AbnormalUserRow::as_select())
        .load(conn)
}

/// Removes an entry still listed; false when it was removed already (a race lost).
pub fn remove(
    conn: &mut DbConnection,
    id: &str,
    by: Option<&str>,
    note: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        abnormal_users::table
            .filter(abnormal_users::id.eq(id))
            .filter(abnormal_users::removed_at.is_null()),
    )
    .set((
        abnormal_users::removed_at.eq(Some(at)),
        abnormal_users::removed_by.eq(by),
        abnormal_users::removal_note.eq(Some(note)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
