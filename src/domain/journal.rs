//! The journal's hash chain: each event's hash covers its canonical content and the hash of
//! the event before it, so any edit behind the service's back breaks the chain at that event.

use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields that the hash covers, serialised in this fixed order.
#[derive(Debug, serde::Serialize)]
pub struct CanonicalEvent<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub actor_role: &'a str,
    pub comment: Option<&'a str>,
    pub data: Option<&'a str>,
    /// RFC 3339 with microseconds, UTC.
    pub at: &'a str,
}

pub fn event_hash(prev_hash: &str, event: &CanonicalEvent<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    // Serialising a struct of strings and integers cannot fail.
    hasher.update(serde_json::to_vec(event).unwrap_or_default());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(comment: Option<&str>) -> CanonicalEvent<'_> {
        CanonicalEvent {
            seq: 1,
            id: "e1",
            entity_type: "application",
            entity_id: "a1",
            action: "submit",
            from_status: Some("draft"),
            to_status: Some("submitted"),
            actor_id: Some("u1"),
            actor_role: "applicant",
            comment,
            data: None,
            at: "2026-11-27T00:00:00.000000Z",
        }
    }

    #[test]
    fn the_hash_depends_on_content_and_predecessor() {
        let base = event_hash(GENESIS_HASH, &event(None));
        assert_eq!(base.len(), 64);
        assert_eq!(base, event_hash(GENESIS_HASH, &event(None)));
        assert_ne!(base, event_hash(GENESIS_HASH, &event(Some("x"))));
        assert_ne!(base, event_hash(&base, &event(None)));
    }
}
