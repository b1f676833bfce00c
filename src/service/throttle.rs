//! Checking and counting rate-limited attempts in the caller's write transaction, before the
//! work they guard (a password hash, a registration, a report).

use chrono::NaiveDateTime;

use super::ServiceResult;
use crate::db::models::account::ThrottleRow;
use crate::db::queries::accounts as db;
use crate::db::DbConnection;
use crate::domain::throttle::{ThrottlePolicy, ThrottleState, LONGEST_HOLD};

fn state_of(row: Option<ThrottleRow>) -> Option<ThrottleState> {
    row.map(|r| ThrottleState {
        attempts: r.failures,
        window_start: r.window_start,
        locked_until: r.locked_until,
    })
}

fn save(conn: &mut DbConnection, key: &str, state: &ThrottleState) -> ServiceResult<()> {
    db::save_throttle(
        conn,
        &ThrottleRow {
            throttle_key: key.to_owned(),
            failures: state.attempts,
            window_start: state.window_start,
            locked_until: state.locked_until,
        },
    )?;
    Ok(())
}

/// Counts one attempt against every key, or none: when any key refuses, only the refusing
/// keys' locks are stored and the seconds to wait are returned. Call inside a write
/// transaction that commits even on refusal (so the lock is kept).
pub fn admit(
    conn: &mut DbConnection,
    keys: &[(&str, ThrottlePolicy)],
    now: NaiveDateTime,
) -> ServiceResult<Option<u64>> {
    let names: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
    db::lock_throttle_keys(conn, &names)?;
    db::purge_throttle(conn, now - LONGEST_HOLD, now)?;
    let mut admissions = Vec::with_capacity(keys.len());
    for (key, policy) in keys {
        let current = state_of(db::throttle(conn, key)?);
        admissions.push((*key, current, policy.admit(current.as_ref(), now)));
    }
    let refusal = admissions
        .iter()
        .filter_map(|(_, _, a)| a.retry_after_secs)
        .max();
    for (key, current, admission) in &admissions {
        let changed = current.as_ref() != Some(&admission.next);
        let store = refusal.is_none() || admission.retry_after_secs.is_some();
        if changed && store {
            save(conn, key, &admission.next)?;
        }
    }
    Ok(refusal)
}

/// What becomes of a key's count after the guarded work turned out well.
pub type Settlement = fn(&ThrottleState) -> ThrottleState;

/// After the guarded work turned out well: each key's attempt is given back (or the key
/// forgiven) without touching a lock.
pub fn settle(conn: &mut DbConnection, keys: &[(&str, Settlement)]) -> ServiceResult<()> {
    let names: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
    db::lock_throttle_keys(conn, &names)?;
    for (key, settle) in keys {
        if let Some(current) = state_of(db::throttle(conn, key)?) {
            let next = settle(&current);
            if next != current {
                save(conn, key, &next)?;
            }
        }
    }
    Ok(())
}
