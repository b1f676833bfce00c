//! A holder's former name after a renaming (变更), shown beside the new one on the verify page
//! for a while, so a buyer holding an old label still recognises the enterprise.

use chrono::{Duration, NaiveDateTime};

use super::PublicRegister;

/// How long after a renaming the verify page still shows the former name.
pub const FORMER_NAME_SHOWN_FOR: Duration = Duration::days(365);

impl PublicRegister {
    /// Records a renaming read from storage at build (the journal's later events add theirs).
    pub fn record_former_name(&mut self, enterprise_id: &str, name: String, at: NaiveDateTime) {
        self.former_names
            .insert(enterprise_id.to_owned(), (name, at));
    }

    /// The enterprise's name before its last renaming, when that was recent at `now`.
    pub fn former_name(
        &self,
        enterprise_id: &str,
        now: NaiveDateTime,
    ) -> Option<(&str, NaiveDateTime)> {
        self.former_names
            .get(enterprise_id)
            .filter(|(_, at)| now - *at <= FORMER_NAME_SHOWN_FOR)
            .map(|(name, at)| (name.as_str(), *at))
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    #[test]
    fn a_renaming_event_keeps_the_former_name_for_a_year() {
        let settings = GoalSettings {
            target: 10,
            deadline: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        };
        let mut register = PublicRegister::new(settings, &[], 0);
        let at = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let data = r#"{"changes":{"name":{"from":"旧名茶厂","to":"新名茶业"}}}"#;
        let event = Event {
            seq: 1,
            entity_type: "enterprise",
            entity_id: "e1",
            action: "change",
            from_status: None,
            to_status: None,
            at,
            data: Some(data),
        };
        register.apply(&event, &HashMap::new()).unwrap();
        assert_eq!(register.former_name("e1", at), Some(("旧名茶厂", at)));
        assert_eq!(
            register
                .former_name("e1", at + Duration::days(365))
                .map(|f| f.0),
            Some("旧名茶厂")
        );
        assert_eq!(register.former_name("e1", at + Duration::days(366)), None);
        assert_eq!(register.former_name("e2", at), None);
    }
}
