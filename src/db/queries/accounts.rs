use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::account::{EnterpriseRow, ThrottleRow, UserRow};
use crate::db::schema::{enterprises, login_throttle, users};
use crate::db::DbConnection;

pub fn user_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn user_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn username_taken(conn: &mut DbConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)
}

pub fn uscc_taken(conn: &mut DbConnection, uscc: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        enterprises::table.filter(enterprises::uscc.eq(uscc)),
    ))
    .get_result(conn)
}

pub fn insert_user(conn: &mut DbConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_enterprise(conn: &mut DbConnection, row: &EnterpriseRow) -> QueryResult<()> {
    diesel::insert_into(enterprises::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn enterprise_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<EnterpriseRow>> {
    enterprises::table
        .find(id)
        .select(EnterpriseRow::as_select())
        .first(conn)
        .optional()
}

pub fn count_active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Changes role and/or activity; every change revokes the user's tokens.
pub fn update_user_access(
    conn: &mut DbConnection,
    id: &str,
    active: bool,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::active.eq(active),
            users::role.eq(role),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn throttle(conn: &mut DbConnection, key: &str) -> QueryResult<Option<ThrottleRow>> {
    login_throttle::table
        .find(key)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the throttle row (insert or replace, without ON CONFLICT: not portable here).
pub fn save_throttle(conn: &mut DbConnection, row: &ThrottleRow) -> QueryResult<()> {
    let updated = diesel::update(login_throttle::table.find(&row.throttle_key))
        .set((
            login_throttle::failures.eq(row.failures),
            login_throttle::window_start.eq(row.window_start),
            login_throttle::locked_until.eq(row.locked_until),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_throttle::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear_throttle(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(key))
        .execute(conn)
        .map(|_| ())
}

pub fn count_enterprises(conn: &mut DbConnection) -> QueryResult<i64> {
    enterprises::table.count().get_result(conn)
}

/// (id, uscc, name) of the given enterprises, in one query (for a page of a list).
pub fn enterprise_refs(
    conn: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<Vec<(String, String, String)>> {
    enterprises::table
        .filter(enterprises::id.eq_any(ids))
        .select((enterprises::id, enterprises::uscc, enterprises::name))
        .load(conn)
}
