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
