//! The rules of the registry, without storage or HTTP: credit codes, the workflow, goal maths.

pub mod abnormal;
pub mod accounts;
pub mod authorization;
pub mod calendar;
pub mod case;
pub mod contact;
pub mod eligibility;
pub mod goal;
pub mod journal;
pub mod labelling;
pub mod labels;
pub mod notification;
pub mod register;
pub mod resubmission;
pub mod roles;
pub mod sessions;
pub mod text;
pub mod throttle;
pub mod usage;
pub mod uscc;
pub mod workflow;

/// The variants of a text enum as an array, from strum's `VARIANTS`: what the enums' `ALL`
/// constants are. Evaluated at compile time, so a wrong length cannot build.
pub(crate) const fn all_variants<T: Copy, const N: usize>(variants: &[T]) -> [T; N] {
    match variants.first_chunk::<N>() {
        Some(all) if variants.len() == N => *all,
        _ => panic!("ALL must list every variant"),
    }
}

/// A message in the two languages the registry answers in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized {
    pub en: String,
    pub zh: String,
}

impl Localized {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn pick(&self, chinese: bool) -> &str {
        if chinese {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// One thing wrong with one field of the input: the field's path (`enterprise.uscc`), a stable
/// code, and a reason for people. Never carries the submitted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: Localized,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Localized) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::authorization::{
        AuthorizationAction, AuthorizationStatus, RevocationGround, Verdict,
    };
    use super::eligibility::{AttachmentKind, Basis};
    use super::roles::Role;
    use super::workflow::{ApplicationAction, ApplicationStatus};

    /// Every variant's text, its parse, its display and its JSON agree, and are the strings
    /// stored in the database and named in the contract.
    fn check<T>(all: &[T], expected: &[&str])
    where
        T: Copy
            + PartialEq
            + std::fmt::Debug
            + std::fmt::Display
            + std::str::FromStr
            + serde::Serialize
            + Into<&'static str>,
    {
        let texts: Vec<&str> = all.iter().map(|v| (*v).into()).collect();
        assert_eq!(texts, expected);
        for (value, text) in all.iter().zip(expected) {
            assert_eq!(value.to_string(), *text);
            assert!(text.parse::<T>().is_ok_and(|parsed| parsed == *value));
            let json = serde_json::to_string(value).unwrap_or_default();
            assert_eq!(json, format!("\"{text}\""));
        }
        assert!("Not-A-Value".parse::<T>().is_err());
    }

    #[test]
    fn the_text_forms_of_the_enums_are_unchanged() {
        check(&Role::ALL, &["applicant", "reviewer", "approver", "admin"]);
        check(
            &Basis::ALL,
            &["gi_product", "certification_mark", "collective_mark"],
        );
        check(
            &AttachmentKind::ALL,
            &[
                "application_form",
                "business_license",
                "test_report",
                "trademark_license",
                "origin_verification_report",
                "other",
            ],
        );
        check(
            &AuthorizationStatus::ALL,
            &["active", "suspended", "revoked", "surrendered"],
        );
        check(
            &AuthorizationAction::ALL,
            &["suspend", "reinstate", "revoke", "surrender"],
        );
        check(
            &[
                RevocationGround::NonconformingProduction,
                RevocationGround::UnusedTwoYears,
                RevocationGround::Other,
            ],
            &["nonconforming_production", "unused_two_years", "other"],
        );
        check(
            &ApplicationStatus::ALL,
            &[
                "draft",
                "submitted",
                "under_review",
                "returned",
                "not_accepted",
                "recommended",
                "approved",
                "rejected",
                "withdrawn",
            ],
        );
        check(
            &ApplicationAction::ALL,
            &[
                "submit",
                "withdraw",
                "accept",
                "refuse",
                "return",
                "resubmit",
                "recommend",
                "approve",
                "reject",
            ],
        );
        let verdicts = [
            Verdict::Authorized,
            Verdict::Suspended,
            Verdict::Revoked,
            Verdict::NotAuthorized,
        ];
        let texts: Vec<&str> = verdicts.iter().map(|v| v.as_str()).collect();
        assert_eq!(
            texts,
            ["authorized", "suspended", "revoked", "not_authorized"]
        );
    }
}
