//! The words pages use for stored values: statuses, actions, bases, form fields.

use super::layout::Lang;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::eligibility::{AttachmentKind, Basis};
use crate::domain::workflow::{ApplicationAction, ApplicationStatus};

pub fn application_status(lang: Lang, status: ApplicationStatus) -> &'static str {
    use ApplicationStatus as S;
    let en = match status {
        S::Draft => "draft",
        S::Submitted => "submitted, waiting for acceptance",
        S::UnderReview => "under review",
        S::Returned => "returned for correction",
        S::NotAccepted => "not accepted",
        S::Recommended => "recommended for approval",
        S::Approved => "approved",
        S::Rejected => "rejected",
        S::Withdrawn => "withdrawn",
    };
    lang.pick(status.label_zh(), en)
}

pub fn authorization_status(lang: Lang, status: AuthorizationStatus) -> &'static str {
    match status {
        AuthorizationStatus::Active => lang.pick("有效", "active"),
        AuthorizationStatus::Suspended => lang.pick("暂停", "suspended"),
        AuthorizationStatus::Revoked => lang.pick("已撤销", "revoked"),
        AuthorizationStatus::Surrendered => lang.pick("已注销", "surrendered"),
    }
}

pub fn action(lang: Lang, action: ApplicationAction) -> &'static str {
    use ApplicationAction as A;
    match action {
        A::Submit => lang.pick("提交申请", "Submit"),
        A::Withdraw => lang.pick("撤回申请", "Withdraw"),
        A::Accept => lang.pick("受理", "Accept"),
        A::Refuse => lang.pick("不予受理", "Refuse"),
        A::Return => lang.pick("退回补正", "Return for correction"),
        A::Resubmit => lang.pick("重新提交", "Resubmit"),
        A::Recommend => lang.pick("审查通过，推荐核准", "Recommend for approval"),
        A::Approve => lang.pick("核准", "Approve"),
        A::Reject => lang.pick("不予核准", "Reject"),
    }
}

pub fn basis(lang: Lang, basis: Basis) -> &'static str {
    match basis {
        Basis::GiProduct => lang.pick("地理标志保护产品", "protected GI product"),
        Basis::CertificationMark => lang.pick("地理标志证明商标", "GI certification mark"),
        Basis::CollectiveMark => lang.pick("地理标志集体商标", "GI collective mark"),
    }
}

pub fn document(lang: Lang, kind: AttachmentKind) -> String {
    kind.label().pick(lang == Lang::Zh).to_owned()
}

/// The application's form fields in order, with their labels.
pub const APPLICATION_FIELDS: [(&str, &str, &str); 8] = [
    ("product_code", "产品", "Product"),
    ("basis", "使用依据", "Basis"),
    (
        "trademark_reg_no",
        "商标注册号",
        "Trademark registration no.",
    ),
    (
        "production_town",
        "生产地所在镇（街道）",
        "Town of production",
    ),
    ("production_address", "生产地址", "Production address"),
    ("area_mu", "种植或生产面积（亩）", "Area (mu)"),
    ("annual_output_kg", "年产量（千克）", "Annual output (kg)"),
    ("description", "生产情况说明", "About the production"),
];

/// The label of a form field or of a document (`attachments.test_report`).
pub fn field(lang: Lang, name: &str) -> String {
    if let Some((_, zh, en)) = APPLICATION_FIELDS.iter().find(|(n, _, _)| *n == name) {
        return lang.pick(zh, en).to_owned();
    }
    name.strip_prefix("attachments.")
        .and_then(|kind| kind.parse::<AttachmentKind>().ok())
        .map(|kind| document(lang, kind))
        .unwrap_or_else(|| name.to_owned())
}
