use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::password_reset::PasswordResetRow;
use crate::db::schema::password_resets;
use crate::db::DbConnection;

/// Stores a new token for its user; every older open token of that user stops working.
pub fn replace(conn: &mut DbConnection, row: &PasswordResetRow) -> QueryResult<()> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(&row.user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(row.created_at)))
    .execute(conn)?;
    diesel::insert_into(password_resets::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn by_token_hash(
    conn: &mut DbConnection,
    token_sha256: &str,
) -> QueryResult<Option<PasswordResetRow>> {
    password_resets::table
        .filter(password_resets::token_sha256.eq(token_sha256))
        .select(PasswordResetRow::as_select())
        .first(conn)
        .optional()
}

/// Uses the token once: only while unused and unexpired, so two uses find one row to change.
pub fn use_token(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        password_resets::table
            .filter(password_resets::id.eq(id))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now)),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(conn)
}

/// Forgets tokens made before `cutoff` (long expired: the journal keeps the record).
pub fn purge(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(password_resets::table.filter(password_resets::created_at.lt(cutoff)))
        .execute(conn)
}
