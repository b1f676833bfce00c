//! The rules of the registry, without storage or HTTP: credit codes, the workflow, goal maths.

pub mod accounts;
pub mod authorization;
pub mod calendar;
pub mod contact;
pub mod eligibility;
pub mod goal;
pub mod journal;
pub mod register;
pub mod roles;
pub mod text;
pub mod throttle;
pub mod usage;
pub mod uscc;
pub mod workflow;

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
