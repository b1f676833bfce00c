use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::settings;
use crate::db::DbConnection;

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()
}

/// Every setting, (key, value): the few rows a page footer and the service guide read at once.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    settings::table
        .select((settings::key, settings::value))
        .load(conn)
}

/// Writes a setting (update, or insert when absent: no ON CONFLICT through the enum).
pub fn set(conn: &mut DbConnection, key: &str, value: &str, now: NaiveDateTime) -> QueryResult<()> {
    let updated = diesel::update(settings::table.find(key))
        .set((settings::value.eq(value), settings::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(key),
                settings::value.eq(value),
                settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes a setting that must not exist yet (a unique violation when it does).
pub fn insert(
    conn: &mut DbConnection,
    key: &str,
    value: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(settings::table)
        .values((
            settings::key.eq(key),
            settings::value.eq(value),
            settings::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}
