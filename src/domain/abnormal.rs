//! The abnormal-use list (使用异常名录, 《广东省地理标志条例》 Art. 15): its legal grounds.
//! A listed right is still a right (the counter does not change); the public sees the ground
//! and the dates, never the staff note.

use serde::{Deserialize, Serialize};

use super::workflow::UnknownValue;

/// Why a right is listed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum AbnormalReason {
    /// The yearly usage report is overdue (a filed report removes the entry by itself).
    ReportOverdue,
    /// The mark not used for two years.
    UnusedTwoYears,
    /// A market inspection found the product or its labelling nonconforming.
    InspectionFailed,
    Other,
}

impl AbnormalReason {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ReportOverdue => "未按时报送使用情况报告",
            Self::UnusedTwoYears => "连续两年未使用专用标志",
            Self::InspectionFailed => "监督检查不合格",
            Self::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::ReportOverdue => "usage report overdue",
            Self::UnusedTwoYears => "mark unused for two years",
            Self::InspectionFailed => "failed an inspection",
            Self::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grounds_read_and_write_as_snake_case() {
        for (text, reason) in [
            ("report_overdue", AbnormalReason::ReportOverdue),
            ("unused_two_years", AbnormalReason::UnusedTwoYears),
            ("inspection_failed", AbnormalReason::InspectionFailed),
            ("other", AbnormalReason::Other),
        ] {
            assert_eq!(text.parse::<AbnormalReason>().ok(), Some(reason));
            assert_eq!(reason.as_str(), text);
        }
        assert!("overdue".parse::<AbnormalReason>().is_err());
    }
}
