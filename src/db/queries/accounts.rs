use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::account::{EnterpriseRow, SessionRow, ThrottleRow, UserRow};
use crate::db::schema::{enterprises, login_throttle, sessions, users};
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
            // A password of one's own (changed or reset) ends a printed one's mark.
            users::must_change_password.eq(false),
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

/// Serialises concurrent counts of the same throttle keys until the transaction ends. SQLite's
/// `BEGIN IMMEDIATE` already admits one writer at a time; PostgreSQL's read committed would let
/// two transactions read the same count, so each key takes a transaction-scoped advisory
/// lock, in sorted order so two transactions never wait on each other.
pub fn lock_throttle_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for key in sorted {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<diesel::sql_types::Text, _>(key)
                .execute(pg)?;
        }
    }
    Ok(())
}

/// Drops throttle rows whose window began before `window_cutoff` and that hold no lock ahead.
pub fn purge_throttle(
    conn: &mut DbConnection,
    window_cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        login_throttle::table
            .filter(login_throttle::window_start.lt(window_cutoff))
            .filter(
                login_throttle::locked_until
                    .is_null()
                    .or(login_throttle::locked_until.le(now)),
            ),
    )
    .execute(conn)
}

pub fn insert_session(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The user of a session that has not ended, with the session.
pub fn user_of_live_session(
    conn: &mut DbConnection,
    session_id: &str,
) -> QueryResult<Option<(UserRow, SessionRow)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::ended_at.is_null())
        .select((UserRow::as_select(), SessionRow::as_select()))
        .first(conn)
        .optional()
}

/// Writes `now` as the session's last request, unless one at or after `not_before` is
/// written already (another request beat this one to it).
pub fn touch_session(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
    not_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::ended_at.is_null())
            .filter(
                sessions::last_seen_at
                    .lt(not_before)
                    .or(sessions::last_seen_at.is_null()),
            ),
    )
    .set(sessions::last_seen_at.eq(Some(now)))
    .execute(conn)
}

/// Ends one session of `user_id`; how many rows changed (0 when it had ended already).
pub fn end_session(
    conn: &mut DbConnection,
    session_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::ended_at.is_null()),
    )
    .set(sessions::ended_at.eq(Some(now)))
    .execute(conn)
}

/// Ends every session of `user_id` (a released enterprise's accounts).
pub fn end_sessions_of(
    conn: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::ended_at.is_null()),
    )
    .set(sessions::ended_at.eq(Some(now)))
    .execute(conn)
}

/// Drops sessions last used before `cutoff` (their last request, or their start when they
/// are not touched): their tokens have expired, or they have been idle past any limit.
pub fn purge_sessions(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at.lt(cutoff).or(sessions::last_seen_at
                .is_null()
                .and(sessions::created_at.lt(cutoff))),
        ),
    )
    .execute(conn)
}

/// Whether `enterprise_id` holds or ever held a right, and the status of each application.
pub fn claim_record(
    conn: &mut DbConnection,
    enterprise_id: &str,
) -> QueryResult<(bool, Vec<String>)> {
    use crate::db::schema::{applications, authorizations};
    let held = diesel::select(diesel::dsl::exists(
        authorizations::table.filter(authorizations::enterprise_id.eq(enterprise_id)),
    ))
    .get_result(conn)?;
    let statuses = applications::table
        .filter(applications::enterprise_id.eq(enterprise_id))
        .select(applications::status)
        .load(conn)?;
    Ok((held, statuses))
}

/// Frees the enterprise's credit code: it moves to `released_uscc`, `placeholder` takes its
/// place. Only a row not released already changes.
pub fn release_enterprise(
    conn: &mut DbConnection,
    id: &str,
    placeholder: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        enterprises::table
            .find(id)
            .filter(enterprises::released_at.is_null()),
    )
    .set((
        enterprises::released_uscc.eq(enterprises::uscc.nullable()),
        enterprises::uscc.eq(placeholder),
        enterprises::released_at.eq(Some(now)),
        enterprises::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The accounts of an enterprise.
pub fn users_of_enterprise(
    conn: &mut DbConnection,
    enterprise_id: &str,
) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::enterprise_id.eq(enterprise_id))
        .select(UserRow::as_select())
        .load(conn)
}

/// (id, username, display name, role) of the given users, in one query (for a history).
pub fn user_names(
    conn: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<Vec<(String, String, String, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username, users::display_name, users::role))
        .load(conn)
}
