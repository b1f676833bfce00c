//! The register's log of public changes, kept as events are applied: the change feed reads
//! it (`after` a journal sequence number), and a verdict as of a past day walks one right's
//! entries back. Each entry is 32 bytes and names its right by a serial number that never
//! moves (positions do, when an older grant is placed), linked to the same right's entry
//! before it, so one right's history is found without scanning the log.

use chrono::NaiveDateTime;

use super::{PublicRegister, RightFacts};
use crate::domain::authorization::AuthorizationStatus;

/// No entry (a right without changes yet, or the first entry of a right).
pub(super) const NONE: u32 = u32::MAX;

/// What happened to a right, as the feed names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Granted,
    Suspended,
    Reinstated,
    Revoked,
    Surrendered,
    /// The holder's public details (name, credit code) changed.
    EnterpriseChanged,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Granted => "granted",
            ChangeKind::Suspended => "suspended",
            ChangeKind::Reinstated => "reinstated",
            ChangeKind::Revoked => "revoked",
            ChangeKind::Surrendered => "surrendered",
            ChangeKind::EnterpriseChanged => "enterprise_changed",
        }
    }

    /// The kind of a move into `status`: the first status a right enters is its grant.
    fn of_status(status: AuthorizationStatus, first: bool) -> Self {
        match (first, status) {
            (true, _) => ChangeKind::Granted,
            (false, AuthorizationStatus::Active) => ChangeKind::Reinstated,
            (false, AuthorizationStatus::Suspended) => ChangeKind::Suspended,
            (false, AuthorizationStatus::Revoked) => ChangeKind::Revoked,
            (false, AuthorizationStatus::Surrendered) => ChangeKind::Surrendered,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Change {
    seq: i64,
    at: NaiveDateTime,
    /// The right's serial number.
    right: u32,
    /// The same right's entry before this one, or [`NONE`].
    prev: u32,
    kind: ChangeKind,
    /// The right's status after the change.
    status: AuthorizationStatus,
}

/// One step of the history a build replays, in journal order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// A right entered `status` (its grant first).
    Status {
        seq: i64,
        right_id: String,
        status: AuthorizationStatus,
        at: NaiveDateTime,
    },
    /// A holder's public details changed (its rights as stored now carry the new ones).
    Holder {
        seq: i64,
        enterprise_id: String,
        at: NaiveDateTime,
    },
}

/// One entry of the feed, with the right as the register holds it now (names are the
/// current ones; the status is the one the change left).
#[derive(Debug, Clone, Copy)]
pub struct ChangeView<'a> {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub kind: ChangeKind,
    pub right: &'a RightFacts,
    pub status: AuthorizationStatus,
}

impl PublicRegister {
    /// Logs a move of the right at position `p` into `status`.
    pub(super) fn log_status(&mut self, p: usize, seq: i64, at: NaiveDateTime) {
        let serial = self.serials[p];
        let first = self.last_change[serial as usize] == NONE;
        let status = self.rights[p].status;
        self.log(serial, seq, at, ChangeKind::of_status(status, first));
    }

    /// Logs a change of the holder of the right at position `p` (once it has a status).
    pub(super) fn log_holder(&mut self, p: usize, seq: i64, at: NaiveDateTime) {
        if self.granted[p] {
            self.log(self.serials[p], seq, at, ChangeKind::EnterpriseChanged);
        }
    }

    fn log(&mut self, serial: u32, seq: i64, at: NaiveDateTime, kind: ChangeKind) {
        let p = self.position_of_serial[serial as usize] as usize;
        let index = self.changes.len() as u32;
        self.changes.push(Change {
            seq,
            at,
            right: serial,
            prev: self.last_change[serial as usize],
            kind,
            status: self.rights[p].status,
        });
        self.last_change[serial as usize] = index;
    }

    /// The changes after journal event `after`, in journal order, about `limit` of them: a
    /// page ends only between events (one holder's change logs each of its rights under one
    /// sequence number), so paging by the last `seq` never repeats or skips one. The second
    /// value is where the next page starts: the last item's `seq`, or, when nothing more is
    /// logged, the last event this register reflects.
    pub fn changes_after(&self, after: i64, limit: usize) -> (Vec<ChangeView<'_>>, i64) {
        let start = self.changes.partition_point(|c| c.seq <= after);
        let mut items: Vec<ChangeView<'_>> = Vec::new();
        for change in &self.changes[start..] {
            if items.len() >= limit && items.last().is_some_and(|last| last.seq != change.seq) {
                let next = items.last().map_or(after, |last| last.seq);
                return (items, next);
            }
            items.push(self.view(change));
        }
        (items, after.max(self.applied_seq))
    }

    /// The newest `limit` changes, newest first (the Atom feed).
    pub fn latest_changes(&self, limit: usize) -> Vec<ChangeView<'_>> {
        self.changes
            .iter()
            .rev()
            .filter(|c| c.seq > 0)
            .take(limit)
            .map(|c| self.view(c))
            .collect()
    }

    fn view(&self, change: &Change) -> ChangeView<'_> {
        let p = self.position_of_serial[change.right as usize] as usize;
        ChangeView {
            seq: change.seq,
            at: change.at,
            kind: change.kind,
            right: &self.rights[p],
            status: change.status,
        }
    }

    /// The status `right` had just before `cutoff`, from its logged changes: `None` when it
    /// had none yet (not granted by then). A right held without a logged history (a journal
    /// not kept whole) counts from its grant in its present status.
    pub fn status_before(
        &self,
        right: &RightFacts,
        cutoff: NaiveDateTime,
    ) -> Option<AuthorizationStatus> {
        let p = *self.by_id.get(&right.id)? as usize;
        let mut index = self.last_change[self.serials[p] as usize];
        if index == NONE {
            return (right.granted_at < cutoff).then_some(right.status);
        }
        while index != NONE {
            let change = &self.changes[index as usize];
            if change.at < cutoff {
                return Some(change.status);
            }
            index = change.prev;
        }
        None
    }

    /// Bytes of the change log and its links (for [`PublicRegister::approximate_bytes`]).
    pub(super) fn change_log_bytes(&self) -> usize {
        self.changes.capacity() * std::mem::size_of::<Change>()
            + (self.serials.capacity()
                + self.position_of_serial.capacity()
                + self.last_change.capacity())
                * 4
    }
}
