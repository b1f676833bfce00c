//! Values as pages write them: addresses with their parts percent-encoded, times in Beijing
//! time. (HTML escaping is maud's: every spliced value is escaped.)

pub use crate::http::url_encode;

/// A moment as people in Yingde read it: China Standard Time (UTC+8) all year.
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The day of a moment in Beijing time.
pub fn beijing_date(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_encoded_and_times_in_beijing() {
        assert_eq!(url_encode("英德 a/b"), "%E8%8B%B1%E5%BE%B7%20a%2Fb");
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-31T20:30:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .expect("a time");
        assert_eq!(when(at), "2026-02-01 04:30");
    }
}
