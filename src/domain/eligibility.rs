//! What an application needs before it can be submitted: the documents for its basis, and a
//! production town inside the product's protected area.

use strum::{EnumCount, VariantArray};

use serde::{Deserialize, Serialize};

use super::workflow::UnknownValue;
use super::{FieldError, Localized};

/// The basis of the right (DESIGN §2).
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
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum Basis {
    GiProduct,
    CertificationMark,
    CollectiveMark,
}

impl Basis {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The basis as the bureau's documents write it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::GiProduct => "地理标志保护产品",
            Self::CertificationMark => "地理标志证明商标",
            Self::CollectiveMark => "地理标志集体商标",
        }
    }

    /// The trademark bases record the trademark registration number and need the licence or
    /// membership proof.
    pub fn is_trademark(self) -> bool {
        !matches!(self, Self::GiProduct)
    }

    pub fn required_documents(self) -> &'static [AttachmentKind] {
        use AttachmentKind as K;
        if self.is_trademark() {
            &[
                K::ApplicationForm,
                K::BusinessLicense,
                K::TestReport,
                K::TrademarkLicense,
            ]
        } else {
            &[K::ApplicationForm, K::BusinessLicense, K::TestReport]
        }
    }
}

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
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum AttachmentKind {
    ApplicationForm,
    BusinessLicense,
    TestReport,
    TrademarkLicense,
    OriginVerificationReport,
    Other,
}

impl AttachmentKind {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> Localized {
        match self {
            Self::ApplicationForm => Localized::new("application form", "申请书"),
            Self::BusinessLicense => Localized::new("business licence", "营业执照"),
            Self::TestReport => Localized::new("product test report", "产品检验报告"),
            Self::TrademarkLicense => Localized::new(
                "trademark licence or membership proof",
                "商标使用许可或会员证明",
            ),
            Self::OriginVerificationReport => {
                Localized::new("origin verification report", "产地核验报告")
            }
            Self::Other => Localized::new("other document", "其他材料"),
        }
    }

    /// The origin-verification report is the reviewer's document, uploaded during review.
    pub fn is_reviewers(self) -> bool {
        self == Self::OriginVerificationReport
    }
}

/// The documents still missing for `basis`, given the kinds already attached.
pub fn missing_documents(basis: Basis, attached: &[AttachmentKind]) -> Vec<AttachmentKind> {
    basis
        .required_documents()
        .iter()
        .copied()
        .filter(|k| !attached.contains(k))
        .collect()
}

/// Everything that stops a submission, one field error each.
pub fn submission_problems(
    basis: Basis,
    attached: &[AttachmentKind],
    production_town: &str,
    product_towns: &[String],
) -> Vec<FieldError> {
    let mut problems: Vec<FieldError> = missing_documents(basis, attached)
        .into_iter()
        .map(|kind| {
            let label = kind.label();
            FieldError::new(
                format!("attachments.{kind}"),
                "missing_document",
                Localized::new(
                    format!("the {} is missing", label.en),
                    format!("缺少{}", label.zh),
                ),
            )
        })
        .collect();
    if !product_towns.iter().any(|t| t == production_town) {
        problems.push(FieldError::new(
            "production_town",
            "outside_protected_area",
            Localized::new(
                "the production town is outside the product's protected area",
                "生产地不在该产品的地理标志保护范围内",
            ),
        ));
    }
    problems
}

/// Identifies a document by its first bytes; the client's content type and file name are
/// not trusted.
pub fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// The file-name extension of a sniffed type (`.pdf`, `.png`, `.jpg`); empty for another type.
pub fn extension_of(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttachmentKind as K;

    #[test]
    fn trademark_bases_also_need_the_licence() {
        assert_eq!(
            missing_documents(Basis::GiProduct, &[K::ApplicationForm]),
            vec![K::BusinessLicense, K::TestReport]
        );
        assert_eq!(
            missing_documents(
                Basis::CertificationMark,
                &[K::ApplicationForm, K::BusinessLicense, K::TestReport]
            ),
            vec![K::TrademarkLicense]
        );
        assert!(missing_documents(
            Basis::GiProduct,
            &[K::TestReport, K::BusinessLicense, K::ApplicationForm]
        )
        .is_empty());
    }

    #[test]
    fn every_problem_is_listed_with_its_field() {
        let towns = vec!["yinghong".to_string()];
        let problems =
            submission_problems(Basis::CollectiveMark, &[K::TestReport], "xiniu", &towns);
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "attachments.application_form",
                "attachments.business_license",
                "attachments.trademark_license",
                "production_town"
            ]
        );
        assert!(submission_problems(
            Basis::GiProduct,
            &[K::ApplicationForm, K::BusinessLicense, K::TestReport],
            "yinghong",
            &towns
        )
        .is_empty());
    }

    #[test]
    fn documents_are_recognised_by_content_not_name() {
        assert_eq!(
            sniff_content_type(b"%PDF-1.7\n..."),
            Some("application/pdf")
        );
        assert_eq!(
            sniff_content_type(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(
            sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_content_type(b"MZ\x90\x00 this is an exe"), None);
        assert_eq!(sniff_content_type(b""), None);
    }
}
