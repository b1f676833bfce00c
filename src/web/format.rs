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

/// A QR code of `url` as SVG, at least `min_px` square with its quiet zone (medium error
/// correction: a label or a mark printed small still scans when slightly damaged).
pub fn qr_code_svg(url: &str, min_px: u32) -> Result<String, crate::service::ServiceError> {
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| {
            crate::service::ServiceError::Internal(anyhow::anyhow!("QR encoding failed: {e}"))
        })?;
    Ok(qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .build())
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
