//! The words pages use for stored values: statuses, actions, bases, form fields.

use super::lang::Lang;
use crate::domain::authorization::{AuthorizationAction, AuthorizationStatus, RevocationGround};
use crate::domain::eligibility::{AttachmentKind, Basis};
use crate::domain::workflow::{ApplicationAction, ApplicationStatus};
use crate::domain::{FieldError, Localized};
use crate::service::public::{ProductView, TownView};

/// A product's name in the page's language.
pub fn product(lang: Lang, product: &ProductView) -> &str {
    lang.pick(&product.name_zh, &product.name_en)
}

/// The name of the product with `code` among `products`, or the code itself.
pub fn product_of<'a>(lang: Lang, products: &'a [ProductView], code: &'a str) -> &'a str {
    products
        .iter()
        .find(|p| p.code == code)
        .map_or(code, |p| self::product(lang, p))
}

/// A town's name in the page's language.
pub fn town(lang: Lang, town: &TownView) -> &str {
    lang.pick(&town.name_zh, &town.name_en)
}

/// The town whose Chinese name is `name_zh`, in the page's language (the name itself when it
/// is no town of the list).
pub fn town_named<'a>(lang: Lang, towns: &'a [TownView], name_zh: &'a str) -> &'a str {
    towns
        .iter()
        .find(|t| t.name_zh == name_zh)
        .map_or(name_zh, |t| self::town(lang, t))
}

/// A town is chosen from a list: whatever is wrong with the choice of `field` (none, or one
/// that is no town), the page asks to choose one. Other problems (outside the product's
/// protected area) keep their own words.
pub fn choose_the_town(field: &str, error: FieldError) -> FieldError {
    if error.field != field || error.code == "outside_protected_area" {
        return error;
    }
    FieldError::new(
        error.field,
        error.code,
        Localized::new("choose the town", "请选择所在镇（街道）"),
    )
}

/// A select's choices: `any` (the empty value) first, then each value by its code and label.
pub fn choices<T: Copy>(
    any: &str,
    values: impl IntoIterator<Item = T>,
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_owned()))
        .chain(
            values
                .into_iter()
                .map(|v| (code(v).to_owned(), label(v).to_owned())),
        )
        .collect()
}

/// A select's choices: every product, or one.
pub fn product_choices(lang: Lang, products: &[ProductView]) -> Vec<(String, String)> {
    std::iter::once((
        String::new(),
        lang.pick("全部产品", "All products").to_owned(),
    ))
    .chain(
        products
            .iter()
            .map(|p| (p.code.clone(), self::product(lang, p).to_owned())),
    )
    .collect()
}

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
        AuthorizationStatus::Active => lang.pick(status.label_zh(), "active"),
        AuthorizationStatus::Suspended => lang.pick(status.label_zh(), "suspended"),
        AuthorizationStatus::Revoked => lang.pick(status.label_zh(), "revoked"),
        AuthorizationStatus::Surrendered => lang.pick(status.label_zh(), "surrendered"),
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
        Basis::GiProduct => lang.pick(basis.label_zh(), "protected GI product"),
        Basis::CertificationMark => lang.pick(basis.label_zh(), "GI certification mark"),
        Basis::CollectiveMark => lang.pick(basis.label_zh(), "GI collective mark"),
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

pub fn authorization_action(lang: Lang, action: AuthorizationAction) -> &'static str {
    match action {
        AuthorizationAction::Suspend => lang.pick("暂停使用", "Suspend"),
        AuthorizationAction::Reinstate => lang.pick("恢复使用", "Reinstate"),
        AuthorizationAction::Revoke => lang.pick("撤销授权", "Revoke"),
        AuthorizationAction::Surrender => lang.pick("注销（放弃使用）", "Surrender"),
    }
}

pub fn ground(lang: Lang, ground: RevocationGround) -> &'static str {
    match ground {
        RevocationGround::NonconformingProduction => lang.pick(
            "产品不符合地理标志产品标准和管理规范",
            "products do not meet the GI standard",
        ),
        RevocationGround::UnusedTwoYears => {
            lang.pick("连续两年未使用专用标志", "mark unused for two years")
        }
        RevocationGround::Other => lang.pick("其他", "other"),
    }
}

/// A journal event's action in words, for the history of an application or a right.
pub fn history_action(lang: Lang, action: &str) -> String {
    if let Ok(a) = action.parse::<ApplicationAction>() {
        return self::action(lang, a).to_owned();
    }
    if let Ok(a) = action.parse::<AuthorizationAction>() {
        return authorization_action(lang, a).to_owned();
    }
    match action {
        "create" => lang.pick("创建草稿", "Draft started"),
        "edit" => lang.pick("修改", "Edited"),
        "attach" => lang.pick("上传材料", "Document uploaded"),
        "detach" => lang.pick("删除材料", "Document removed"),
        "grant" => lang.pick("授予使用权", "Right granted"),
        other => other,
    }
    .to_owned()
}

/// A status recorded in the journal, in words.
pub fn history_status(lang: Lang, status: &str) -> &'static str {
    if let Ok(s) = status.parse::<ApplicationStatus>() {
        return application_status(lang, s);
    }
    status
        .parse::<AuthorizationStatus>()
        .map(|s| authorization_status(lang, s))
        .unwrap_or("")
}
