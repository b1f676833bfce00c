//! The abnormal-use list as the register holds it: every entry (a few hundred at most, each
//! some hundred bytes), listed and removed by journal events whose data carry the public
//! fields, so applying one reads nothing; at a build, the table's rows.

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;

use super::{Event, PublicRegister, RightFacts};
use crate::domain::abnormal::AbnormalReason;

/// One entry's public fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbnormalEntry {
    pub id: String,
    pub right_id: String,
    pub reason: AbnormalReason,
    /// `YYYY-MM-DD`.
    pub correct_by: String,
    pub listed_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

/// The list and, per right, how many of its entries are current.
#[derive(Debug, Default)]
pub(super) struct AbnormalList {
    entries: Vec<AbnormalEntry>,
    current: FxHashMap<String, u32>,
}

impl AbnormalList {
    fn add(&mut self, entry: AbnormalEntry) {
        if entry.removed_at.is_none() {
            *self.current.entry(entry.right_id.clone()).or_default() += 1;
        }
        self.entries.push(entry);
    }

    fn remove(&mut self, id: &str, at: NaiveDateTime) {
        let Some(entry) = self
            .entries
            .iter_mut()
            .rev()
            .find(|e| e.id == id && e.removed_at.is_none())
        else {
            return;
        };
        entry.removed_at = Some(at);
        if let Some(n) = self.current.get_mut(&entry.right_id) {
            *n -= 1;
            if *n == 0 {
                self.current.remove(&entry.right_id);
            }
        }
    }

    pub(super) fn bytes(&self) -> usize {
        self.entries
            .iter()
            .map(|e| std::mem::size_of::<AbnormalEntry>() + e.id.len() + e.right_id.len() + 10)
            .sum::<usize>()
            + self.current.len() * 64
    }
}

impl PublicRegister {
    /// The list as stored, in the order listed (at a build).
    pub fn set_abnormal(&mut self, entries: Vec<AbnormalEntry>) {
        let mut list = AbnormalList::default();
        for entry in entries {
            list.add(entry);
        }
        self.abnormal = list;
    }

    /// A right's `abnormal_list` event (data: `abnormal_id`, `reason`, `correct_by`) or
    /// `abnormal_remove` (data: `abnormal_id`).
    pub(super) fn apply_abnormal(&mut self, event: &Event<'_>) {
        let data = event
            .data
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .unwrap_or_default();
        let Some(id) = data["abnormal_id"].as_str() else {
            return;
        };
        match event.action {
            "abnormal_list" => {
                let (Some(reason), Some(correct_by)) = (
                    data["reason"].as_str().and_then(|r| r.parse().ok()),
                    data["correct_by"].as_str(),
                ) else {
                    return;
                };
                self.abnormal.add(AbnormalEntry {
                    id: id.to_owned(),
                    right_id: event.entity_id.to_owned(),
                    reason,
                    correct_by: correct_by.to_owned(),
                    listed_at: event.at,
                    removed_at: None,
                });
            }
            "abnormal_remove" => self.abnormal.remove(id, event.at),
            _ => {}
        }
    }

    /// Whether the right has an entry still listed.
    pub fn is_abnormal(&self, right_id: &str) -> bool {
        self.abnormal.current.contains_key(right_id)
    }

    /// The right's entries still listed, oldest first.
    pub fn abnormal_of(&self, right_id: &str) -> Vec<&AbnormalEntry> {
        self.abnormal
            .entries
            .iter()
            .filter(|e| e.right_id == right_id && e.removed_at.is_none())
            .collect()
    }

    /// Rights with an entry still listed.
    pub fn abnormal_rights(&self) -> i64 {
        self.abnormal.current.len() as i64
    }

    /// One page of the list, newest first: current entries, or all with `include_removed`.
    pub fn abnormal_page(
        &self,
        include_removed: bool,
        offset: usize,
        limit: usize,
    ) -> (Vec<(&AbnormalEntry, Option<&RightFacts>)>, usize) {
        let shown = |e: &&AbnormalEntry| include_removed || e.removed_at.is_none();
        let total = self.abnormal.entries.iter().filter(shown).count();
        let page = self
            .abnormal
            .entries
            .iter()
            .rev()
            .filter(shown)
            .skip(offset)
            .take(limit)
            .map(|e| {
                let right = self
                    .by_id
                    .get(&e.right_id)
                    .map(|p| &self.rights[*p as usize]);
                (e, right)
            })
            .collect();
        (page, total)
    }
}
