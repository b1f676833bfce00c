//! The producer's inbox, the outbox of messages to send, and the usage-report reminders.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::notification::{NotificationRow, OutboxRow};
use crate::db::schema::{notifications, outbox, usage_reminders};
use crate::db::DbConnection;

pub fn insert_notification(conn: &mut DbConnection, row: &NotificationRow) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_outbox(conn: &mut DbConnection, row: &OutboxRow) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// One page of a user's messages, newest first, and how many there are.
pub fn of_user(
    conn: &mut DbConnection,
    user_id: &str,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<NotificationRow>, i64)> {
    let total = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let rows = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn unread_count(conn: &mut DbConnection, user_id: &str) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks a message of `user_id` read (once; reading it again changes nothing). Whether the
/// user has such a message.
pub fn mark_read(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: i64 = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(conn)?;
    Ok(exists > 0)
}

/// Claims up to `limit` due messages for `worker` until `lease_until`, counting the attempt.
/// Call inside a write transaction. On PostgreSQL the rows are locked with `FOR UPDATE SKIP
/// LOCKED`, so concurrent workers claim different rows without waiting on each other; on
/// SQLite the write transaction (`BEGIN IMMEDIATE`) lets one worker claim at a time.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let ids: Vec<String> = match conn {
        DbConnection::Postgresql(pg) => outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::gave_up_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::claimed_until
                    .is_null()
                    .or(outbox::claimed_until.lt(now)),
            )
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .limit(limit)
            .select(outbox::id)
            .for_update()
            .skip_locked()
            .load(pg)?,
        DbConnection::Sqlite(sqlite) => outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::gave_up_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::claimed_until
                    .is_null()
                    .or(outbox::claimed_until.lt(now)),
            )
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .limit(limit)
            .select(outbox::id)
            .load(sqlite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::claimed_by.eq(worker),
            outbox::claimed_until.eq(Some(lease_until)),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .execute(conn)?;
    outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Sent: only by the worker that holds the claim.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::sent_at.eq(Some(now)),
        outbox::last_error.eq(None::<String>),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Not sent: tried again at `next_attempt_at`, or given up at `gave_up_at`.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    error: &str,
    next_attempt_at: NaiveDateTime,
    gave_up_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::last_error.eq(Some(error)),
        outbox::next_attempt_at.eq(next_attempt_at),
        outbox::gave_up_at.eq(gave_up_at),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// What an admin asks of the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Not sent yet and not given up (waiting for its first try, a retry, or an SMTP server).
    Waiting,
    /// Waiting after at least one failed try.
    Failing,
    GaveUp,
    Sent,
}

fn in_state(state: Option<OutboxState>) -> outbox::BoxedQuery<'static, crate::db::MultiBackend> {
    let query = outbox::table.into_boxed();
    match state {
        None => query,
        Some(OutboxState::Waiting) => query
            .filter(outbox::sent_at.is_null())
            .filter(outbox::gave_up_at.is_null()),
        Some(OutboxState::Failing) => query
            .filter(outbox::sent_at.is_null())
            .filter(outbox::gave_up_at.is_null())
            .filter(outbox::last_error.is_not_null()),
        Some(OutboxState::GaveUp) => query.filter(outbox::gave_up_at.is_not_null()),
        Some(OutboxState::Sent) => query.filter(outbox::sent_at.is_not_null()),
    }
}

/// One page of the outbox in `state`, newest first, and how many there are.
pub fn outbox_page(
    conn: &mut DbConnection,
    state: Option<OutboxState>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<OutboxRow>, i64)> {
    let total = in_state(state).count().get_result(conn)?;
    let rows = in_state(state)
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn outbox_counts(conn: &mut DbConnection) -> QueryResult<[i64; 4]> {
    let mut counts = [0; 4];
    for (slot, state) in [
        OutboxState::Waiting,
        OutboxState::Failing,
        OutboxState::GaveUp,
        OutboxState::Sent,
    ]
    .into_iter()
    .enumerate()
    {
        counts[slot] = in_state(Some(state)).count().get_result(conn)?;
    }
    Ok(counts)
}

/// A given-up or failing message is tried again at once (an admin's request).
pub fn retry(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null()),
    )
    .set((
        outbox::gave_up_at.eq(None::<NaiveDateTime>),
        outbox::next_attempt_at.eq(now),
        outbox::attempts.eq(0),
    ))
    .execute(conn)
}

/// Gives up every unsent message at once (demo data: its addresses are made up).
pub fn give_up_unsent(
    conn: &mut DbConnection,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::gave_up_at.is_null()),
    )
    .set((
        outbox::gave_up_at.eq(Some(now)),
        outbox::last_error.eq(Some(reason)),
    ))
    .execute(conn)
}

/// Records the reminder of `authorization_id` for `year`; false when one was recorded
/// already (by this replica or another).
pub fn record_reminder(
    conn: &mut DbConnection,
    authorization_id: &str,
    year: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(usage_reminders::table)
            .values((
                usage_reminders::authorization_id.eq(authorization_id),
                usage_reminders::year.eq(year),
                usage_reminders::created_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(error) if super::is_unique_violation(&error) => Ok(false),
        Err(error) => Err(error),
    }
}

/// The rights reminded of `year` already.
pub fn reminded(conn: &mut DbConnection, year: i32) -> QueryResult<Vec<String>> {
    usage_reminders::table
        .filter(usage_reminders::year.eq(year))
        .select(usage_reminders::authorization_id)
        .load(conn)
}
