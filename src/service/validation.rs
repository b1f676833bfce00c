//! Turning `validator`'s errors and the domain's into one list of field errors.

use std::borrow::Cow;

use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use super::ServiceError;
use crate::domain::{FieldError, Localized};

/// Runs the input's `validator` rules, adds the domain's findings, and fails with all of them.
pub fn check<T: Validate>(input: &T, mut more: Vec<FieldError>) -> Result<(), ServiceError> {
    let mut errors = match input.validate() {
        Ok(()) => Vec::new(),
        Err(errors) => field_errors(&errors),
    };
    // A field already reported by a shape rule needs no second, deeper complaint.
    more.retain(|m| !errors.iter().any(|e| e.field == m.field));
    errors.append(&mut more);
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Err(ServiceError::Invalid(errors))
    }
}

/// Parses an optional choice (a status filter, say) or names the field that is not one.
pub fn parse_choice<T: std::str::FromStr>(
    field: &str,
    raw: Option<&str>,
    en: &str,
    zh: &str,
) -> Result<Option<T>, ServiceError> {
    raw.map(|value| {
        value
            .parse::<T>()
            .map_err(|_| ServiceError::invalid(field, "invalid_choice", en, zh))
    })
    .transpose()
}

/// Flattens `validator`'s nested errors into field paths, with messages of our own.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => out.extend(
                list.iter()
                    .map(|e| FieldError::new(path.clone(), e.code.to_string(), message(e))),
            ),
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn param(error: &ValidationError, name: &str) -> Option<String> {
    error.params.get(name).map(|v| v.to_string())
}

fn message(error: &ValidationError) -> Localized {
    let (min, max) = (param(error, "min"), param(error, "max"));
    match error.code.as_ref() {
        "length" => match (min, max) {
            (Some(min), Some(max)) if min == max => Localized::new(
                format!("must be {min} characters"),
                format!("长度应为{min}个字符"),
            ),
            (Some(min), Some(max)) if min == "1" => Localized::new(
                format!("is required (at most {max} characters)"),
                format!("必填，最多{max}个字符"),
            ),
            (Some(min), Some(max)) => Localized::new(
                format!("must be {min} to {max} characters"),
                format!("长度应为{min}到{max}个字符"),
            ),
            (Some(min), None) => Localized::new(
                format!("must be at least {min} characters"),
                format!("至少{min}个字符"),
            ),
            (None, Some(max)) => Localized::new(
                format!("must be at most {max} characters"),
                format!("最多{max}个字符"),
            ),
            (None, None) => Localized::new("has the wrong length", "长度不符"),
        },
        "range" => match (min, max) {
            (Some(min), Some(max)) => Localized::new(
                format!("must be between {min} and {max}"),
                format!("应在{min}到{max}之间"),
            ),
            (Some(min), None) => {
                Localized::new(format!("must be at least {min}"), format!("不能小于{min}"))
            }
            (None, Some(max)) => {
                Localized::new(format!("must be at most {max}"), format!("不能大于{max}"))
            }
            (None, None) => Localized::new("is out of range", "超出范围"),
        },
        "email" => Localized::new("must be an email address", "邮箱格式不正确"),
        "required" => Localized::new("is required", "必填"),
        "invalid_characters" => Localized::new(
            "must not contain control or text-direction characters",
            "不能包含控制字符或文字方向字符",
        ),
        _ => {
            let en = error
                .message
                .clone()
                .unwrap_or(Cow::Borrowed("is not valid"));
            Localized::new(en.into_owned(), "格式不正确")
        }
    }
}

/// Reads a text field trimmed, so that its length is checked on what remains: whitespace
/// alone is an empty, missing value, not a name.
pub fn trimmed<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(match text.trim() {
        kept if kept.len() == text.len() => text,
        kept => kept.to_owned(),
    })
}

/// [`trimmed`] for an optional field: given, it must hold more than whitespace (an empty
/// value is refused by the field's length rule, as the API document says).
pub fn trimmed_optional<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let text = <Option<String> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(text.map(|t| t.trim().to_owned()))
}

/// `validator` rule for names and addresses: no control or text-direction characters.
pub fn plain_text(value: &str) -> Result<(), ValidationError> {
    if crate::domain::text::has_format_or_control(value) {
        let mut error = ValidationError::new("invalid_characters");
        error.message = Some(Cow::Borrowed(
            "must not contain control or text-direction characters",
        ));
        return Err(error);
    }
    Ok(())
}
