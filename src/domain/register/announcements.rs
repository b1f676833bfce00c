//! The approval announcements (核准公告) the register's rights rest on: each announcement with
//! the rights it granted, newest first, read from the rights held (no storage).

use std::collections::BTreeMap;

use super::{position, AnnouncedChangeView, PublicRegister, RightFacts};

/// One approval announcement, the rights it granted, by registry number, and the changes of
/// holders' details it recorded, in the order approved.
#[derive(Debug, Clone)]
pub struct Announcement<'a> {
    pub announcement_no: &'a str,
    /// `YYYY-MM-DD`, as the approver gave it.
    pub announcement_date: &'a str,
    pub rights: Vec<&'a RightFacts>,
    pub changes: Vec<AnnouncedChangeView<'a>>,
}

impl PublicRegister {
    /// Every announcement of a granted right or of a holder's change, newest first (by date,
    /// then number); rights granted with no announcement number (none since numbers are
    /// required) are left out.
    pub fn announcements(&self) -> Vec<Announcement<'_>> {
        let mut by_key: BTreeMap<(&str, &str), Vec<&RightFacts>> = BTreeMap::new();
        for doc in &self.granted_docs {
            let right = &self.rights[position(doc)];
            if right.announcement_no.trim().is_empty() {
                continue;
            }
            by_key
                .entry((&right.announcement_date, &right.announcement_no))
                .or_default()
                .push(right);
        }
        for key in self.change_announcement_keys() {
            by_key.entry(key).or_default();
        }
        by_key
            .into_iter()
            .rev()
            .map(|((date, no), mut rights)| {
                rights.sort_by(|a, b| a.registry_no.cmp(&b.registry_no));
                Announcement {
                    announcement_no: no,
                    announcement_date: date,
                    rights,
                    changes: self.changes_announced(date, no),
                }
            })
            .filter(|a| !a.rights.is_empty() || !a.changes.is_empty())
            .collect()
    }

    /// One announcement by its number, if any right rests on it.
    pub fn announcement(&self, announcement_no: &str) -> Option<Announcement<'_>> {
        self.announcements()
            .into_iter()
            .find(|a| a.announcement_no == announcement_no)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::facts;
    use super::super::*;

    #[test]
    fn announcements_come_newest_first_each_with_the_rights_it_granted() {
        let settings = GoalSettings {
            target: 10,
            deadline: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        };
        let mut rights: Vec<RightFacts> = (0..5).map(|n| facts(n, n, n as u32)).collect();
        for (n, right) in rights.iter_mut().enumerate() {
            let (no, date) = if n < 2 {
                ("英市监公告〔2026〕1号", "2026-01-05")
            } else {
                ("英市监公告〔2026〕2号", "2026-02-10")
            };
            right.announcement_no = no.into();
            right.announcement_date = date.into();
        }
        let register = PublicRegister::build(settings, &[], 0, rights, &[]);
        let announcements = register.announcements();
        let summary: Vec<(&str, Vec<&str>)> = announcements
            .iter()
            .map(|a| {
                (
                    a.announcement_no,
                    a.rights.iter().map(|r| r.registry_no.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "英市监公告〔2026〕2号",
                    vec!["YDGI-2026-0003", "YDGI-2026-0004", "YDGI-2026-0005"]
                ),
                (
                    "英市监公告〔2026〕1号",
                    vec!["YDGI-2026-0001", "YDGI-2026-0002"]
                ),
            ]
        );
        assert_eq!(
            register
                .announcement("英市监公告〔2026〕1号")
                .map(|a| a.announcement_date),
            Some("2026-01-05")
        );
        assert!(register.announcement("无此公告").is_none());
    }
}
