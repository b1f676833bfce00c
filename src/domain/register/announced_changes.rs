//! The approved changes of holders' details (变更) that name an announcement: listed under it
//! beside the rights it granted, as the old AQSIQ announcements listed changes beside new
//! grants. Read from storage at build; each later approval's `change` event adds its own.
//! Only a holder's changes are ever shown (an enterprise that never held a right has no
//! public name).

use chrono::NaiveDateTime;

use super::{Event, PublicRegister, RightFacts};

/// One changed detail: what it was and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub from: String,
    pub to: String,
}

/// An approved change of a holder's details, under the announcement that published it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncedChange {
    pub announcement_no: String,
    /// `YYYY-MM-DD`, as staff gave it.
    pub announcement_date: String,
    pub enterprise_id: String,
    /// The holder's credit code (a change of details never changes it).
    pub uscc: String,
    pub name: Option<FieldChange>,
    pub address: Option<FieldChange>,
    pub legal_representative: Option<FieldChange>,
    /// When the change was approved.
    pub approved_at: NaiveDateTime,
}

/// An announced change as the announcements show it, with the holder's rights now.
#[derive(Debug, Clone)]
pub struct AnnouncedChangeView<'a> {
    pub change: &'a AnnouncedChange,
    /// The holder's granted rights, by registry number.
    pub rights: Vec<&'a RightFacts>,
}

fn field_change(value: &serde_json::Value) -> Option<FieldChange> {
    Some(FieldChange {
        from: value["from"].as_str()?.to_owned(),
        to: value["to"].as_str()?.to_owned(),
    })
}

impl AnnouncedChange {
    /// The announced change a `change` event of an enterprise records, if it names an
    /// announcement.
    pub fn of_event(event: &Event<'_>) -> Option<Self> {
        if event.entity_type != "enterprise" || event.action != "change" {
            return None;
        }
        let data: serde_json::Value = serde_json::from_str(event.data?).ok()?;
        let text = |key: &str| {
            data[key]
                .as_str()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let changes = &data["changes"];
        Some(Self {
            announcement_no: text("announcement_no")?,
            announcement_date: text("announcement_date")?,
            enterprise_id: event.entity_id.to_owned(),
            uscc: text("uscc")?,
            name: field_change(&changes["name"]),
            address: field_change(&changes["address"]),
            legal_representative: field_change(&changes["legal_representative"]),
            approved_at: event.at,
        })
    }
}

impl PublicRegister {
    /// Records an announced change read from storage at build, or from its journal event.
    pub fn record_announced_change(&mut self, change: AnnouncedChange) {
        self.announced_changes.push(change);
    }

    /// The announced changes of holders under `(date, number)`, in the order approved, each
    /// with the holder's rights.
    pub(super) fn changes_announced(
        &self,
        announcement_date: &str,
        announcement_no: &str,
    ) -> Vec<AnnouncedChangeView<'_>> {
        self.announced_changes
            .iter()
            .filter(|c| c.announcement_no == announcement_no)
            .filter(|c| c.announcement_date == announcement_date)
            .filter_map(|change| {
                let holding = self.holding(&change.uscc)?;
                Some(AnnouncedChangeView {
                    change,
                    rights: holding.rights,
                })
            })
            .filter(|c| !c.rights.is_empty())
            .collect()
    }

    /// Every (date, number) under which a holder's change was announced.
    pub(super) fn change_announcement_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.announced_changes
            .iter()
            .filter(|c| self.holders.contains(&c.enterprise_id))
            .map(|c| (c.announcement_date.as_str(), c.announcement_no.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    #[test]
    fn a_change_event_with_an_announcement_is_an_announced_change() {
        let at = NaiveDate::from_ymd_opt(2026, 12, 8)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let data = r#"{"change_id":"c1","uscc":"91441881MA4WTEA03K",
            "announcement_no":"英市监公告〔2026〕12号","announcement_date":"2026-12-08",
            "changes":{"name":{"from":"旧名茶厂","to":"新名茶业"}}}"#;
        let mut event = Event {
            seq: 1,
            entity_type: "enterprise",
            entity_id: "e1",
            action: "change",
            from_status: None,
            to_status: None,
            at,
            data: Some(data),
        };
        let change = AnnouncedChange::of_event(&event).expect("announced");
        assert_eq!(change.announcement_no, "英市监公告〔2026〕12号");
        assert_eq!(change.uscc, "91441881MA4WTEA03K");
        assert_eq!(
            change.name,
            Some(FieldChange {
                from: "旧名茶厂".into(),
                to: "新名茶业".into()
            })
        );
        assert_eq!(change.address, None);
        event.data = Some(r#"{"changes":{},"uscc":"X","announcement_no":null}"#);
        assert_eq!(AnnouncedChange::of_event(&event), None);
        event.action = "change_request";
        event.data = Some(data);
        assert_eq!(AnnouncedChange::of_event(&event), None);
    }
}
