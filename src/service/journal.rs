//! Appending to the hash-chained journal. Called inside the transaction of every state change.

use chrono::NaiveDateTime;
use uuid::Uuid;

use crate::db::models::journal::JournalEventRow;
use crate::db::queries::journal as queries;
use crate::db::DbConnection;
use crate::domain::journal::{event_hash, CanonicalEvent};

/// Who caused an event: a user with a role, or the system itself.
#[derive(Debug, Clone)]
pub struct EventActor {
    pub user_id: Option<String>,
    pub role: &'static str,
}

impl EventActor {
    pub fn user(user_id: &str, role: crate::domain::roles::Role) -> Self {
        Self {
            user_id: Some(user_id.to_owned()),
            role: role.as_str(),
        }
    }

    pub fn system() -> Self {
        Self {
            user_id: None,
            role: "system",
        }
    }
}

/// One event to append; `data` is a small JSON document of what changed.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub actor: &'a EventActor,
    pub comment: Option<&'a str>,
    pub data: Option<serde_json::Value>,
    pub at: NaiveDateTime,
}

pub fn format_time(at: NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn append(
    conn: &mut DbConnection,
    event: NewEvent<'_>,
) -> diesel::QueryResult<JournalEventRow> {
    let (seq, prev_hash) = queries::advance_head(conn)?;
    let id = Uuid::now_v7().to_string();
    let data = event.data.map(|d| d.to_string());
    let at_text = format_time(event.at);
    let hash = event_hash(
        &prev_hash,
        &CanonicalEvent {
            seq,
            id: &id,
            entity_type: event.entity_type,
            entity_id: event.entity_id,
            action: event.action,
            from_status: event.from_status,
            to_status: event.to_status,
            actor_id: event.actor.user_id.as_deref(),
            actor_role: event.actor.role,
            comment: event.comment,
            data: data.as_deref(),
            at: &at_text,
        },
    );
    let row = JournalEventRow {
        seq,
        id,
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id.to_owned(),
        action: event.action.to_owned(),
        from_status: event.from_status.map(str::to_owned),
        to_status: event.to_status.map(str::to_owned),
        actor_id: event.actor.user_id.clone(),
        actor_role: event.actor.role.to_owned(),
        comment: event.comment.map(str::to_owned),
        data,
        at: event.at,
        prev_hash,
        hash,
    };
    queries::append(conn, &row)?;
    Ok(row)
}

/// Where the chain first fails to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEvent {
    pub seq: i64,
    pub id: String,
    pub reason: &'static str,
}

/// The journal as checked: how many events, the head hash, or the first broken event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { count: i64, head_hash: String },
    Broken(BrokenEvent),
}

fn recompute(event: &JournalEventRow) -> String {
    let at = format_time(event.at);
    event_hash(
        &event.prev_hash,
        &CanonicalEvent {
            seq: event.seq,
            id: &event.id,
            entity_type: &event.entity_type,
            entity_id: &event.entity_id,
            action: &event.action,
            from_status: event.from_status.as_deref(),
            to_status: event.to_status.as_deref(),
            actor_id: event.actor_id.as_deref(),
            actor_role: &event.actor_role,
            comment: event.comment.as_deref(),
            data: event.data.as_deref(),
            at: &at,
        },
    )
}

/// Recomputes the whole chain, a thousand events at a time: sequence without gaps, each
/// event linked to its predecessor's hash, each hash matching its content, and the head row
/// naming the last event.
pub fn verify_chain(conn: &mut DbConnection) -> diesel::QueryResult<ChainCheck> {
    let mut previous_hash = crate::domain::journal::GENESIS_HASH.to_owned();
    let mut last_seq = 0;
    loop {
        let events = queries::events_after(conn, last_seq, 1000)?;
        if events.is_empty() {
            break;
        }
        for event in events {
            let broken = |reason| {
                Ok(ChainCheck::Broken(BrokenEvent {
                    seq: event.seq,
                    id: event.id.clone(),
                    reason,
                }))
            };
            if event.seq != last_seq + 1 {
                return broken("a gap in the sequence before this event");
            }
            if event.prev_hash != previous_hash {
                return broken("does not link to the hash of the event before it");
            }
            if recompute(&event) != event.hash {
                return broken("its content does not match its hash");
            }
            previous_hash = event.hash;
            last_seq = event.seq;
        }
    }
    let (head_seq, head_hash) = queries::head(conn)?;
    if head_seq != last_seq || head_hash != previous_hash {
        return Ok(ChainCheck::Broken(BrokenEvent {
            seq: head_seq,
            id: String::new(),
            reason: "the journal head does not name the last event",
        }));
    }
    Ok(ChainCheck::Intact {
        count: last_seq,
        head_hash,
    })
}

/// The public head of the journal: how many events and the last hash.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct JournalHead {
    pub count: i64,
    /// Hex SHA-256 of the last event (64 zeros before the first).
    pub head_hash: String,
}

pub async fn head(state: &super::ServiceState) -> super::ServiceResult<JournalHead> {
    state
        .run(|conn| {
            let (count, head_hash) = queries::head(conn)?;
            Ok(JournalHead { count, head_hash })
        })
        .await
}

pub async fn check(state: &super::ServiceState) -> super::ServiceResult<ChainCheck> {
    state.run(|conn| Ok(verify_chain(conn)?)).await
}
