//! Account rules: usernames and the password policy.

use super::{FieldError, Localized};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Usernames: 3–64 characters of letters, digits, `.`, `_`, `-` or `@` (no spaces, as the
/// API document says); stored and compared lower-cased.
pub fn normalise_username(raw: &str) -> Result<String, FieldError> {
    let name = raw.to_lowercase();
    let length = name.chars().count();
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !(3..=64).contains(&length) || !allowed {
        return Err(FieldError::new(
            "username",
            "username_format",
            Localized::new(
                "use 3 to 64 letters, digits, '.', '_', '-' or '@'",
                "用户名为3到64位字母、数字或 . _ - @",
            ),
        ));
    }
    Ok(name)
}

/// At least ten characters, and not the username. `field` names where the password came from.
pub fn check_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            "password_too_short",
            Localized::new(
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
                format!("密码至少{MIN_PASSWORD_CHARS}个字符"),
            ),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            "password_too_long",
            Localized::new(
                format!("must be at most {MAX_PASSWORD_CHARS} characters"),
                format!("密码最多{MAX_PASSWORD_CHARS}个字符"),
            ),
        ));
    }
    if password.trim().to_lowercase() == username.trim().to_lowercase() {
        return Err(FieldError::new(
            field,
            "password_equals_username",
            Localized::new("must not be the username", "密码不能与用户名相同"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_ten_characters_and_must_differ_from_the_username() {
        assert_eq!(
            check_password("password", "short", "u").map_err(|e| e.code),
            Err("password_too_short".into())
        );
        assert_eq!(
            check_password("password", "Producer-01", "producer-01").map_err(|e| e.code),
            Err("password_equals_username".into())
        );
        assert!(check_password("password", "tea-garden-2026", "producer").is_ok());
        // Ten characters of Chinese count as ten, not thirty bytes.
        assert!(check_password("password", "英德红茶英德红茶英德", "producer").is_ok());
    }

    #[test]
    fn usernames_are_lower_cased_and_limited_to_a_safe_alphabet() {
        assert_eq!(normalise_username("Tea.Farm_01"), Ok("tea.farm_01".into()));
        assert!(normalise_username("ab").is_err());
        assert!(
            normalise_username(" tea.farm").is_err(),
            "no spaces, not even around"
        );
        assert!(normalise_username("has space").is_err());
        assert!(normalise_username("茶农").is_err());
    }
}

/// Whether staff may free a credit code claimed by a registration: only while it came to
/// nothing — no right ever held and no application past its draft — so a squatter cannot
/// keep a real enterprise out, and nothing of record is undone.
pub fn may_release_claim(
    holds_or_held_a_right: bool,
    application_statuses: &[super::workflow::ApplicationStatus],
) -> bool {
    !holds_or_held_a_right
        && application_statuses
            .iter()
            .all(|s| *s == super::workflow::ApplicationStatus::Draft)
}

/// The code a released registration keeps instead of its claim: `Z` is outside the credit
/// code alphabet, so it can never equal a real code, and the unique key is freed.
pub fn released_code_placeholder(unique: &str) -> String {
    let tail: String = unique
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    format!("Z{:0>17}", &tail[tail.len().saturating_sub(17)..])
}

/// A person's or enterprise's name, address or the like: `None` when acceptable, else why
/// not. Required text counts only once trimmed; control and bidi characters are refused.
pub fn check_name_text(field: &str, text: &str, required: bool) -> Option<FieldError> {
    if required && text.trim().is_empty() {
        return Some(FieldError::new(
            field,
            "required",
            Localized::new("is required", "此项为必填项"),
        ));
    }
    super::text::has_format_or_control(text).then(|| {
        FieldError::new(
            field,
            "invalid_characters",
            Localized::new(
                "must not contain control or text-direction characters",
                "不能包含控制字符或文字方向字符",
            ),
        )
    })
}

#[cfg(test)]
mod release_tests {
    use super::*;
    use crate::domain::workflow::ApplicationStatus;

    #[test]
    fn only_a_claim_that_came_to_nothing_may_be_released() {
        assert!(may_release_claim(false, &[]));
        assert!(may_release_claim(false, &[ApplicationStatus::Draft; 2]));
        assert!(!may_release_claim(true, &[]));
        assert!(!may_release_claim(
            false,
            &[ApplicationStatus::Draft, ApplicationStatus::Withdrawn]
        ));
        assert!(!may_release_claim(false, &[ApplicationStatus::Submitted]));
    }

    #[test]
    fn the_placeholder_is_eighteen_characters_and_never_a_credit_code() {
        let code = released_code_placeholder("0193c2de-7a4b-7c1e-9f00-123456789abc");
        assert_eq!(code.len(), 18);
        assert!(code.starts_with('Z'));
        assert!(crate::domain::uscc::Uscc::parse(&code).is_err());
    }

    #[test]
    fn blank_required_text_and_bidi_characters_are_refused() {
        assert!(check_name_text("name", " \u{3000}\t", true).is_some());
        assert!(check_name_text("name", "", false).is_none());
        assert!(check_name_text("name", "英德\u{202E}茶", false).is_some());
        assert!(check_name_text("name", "英德红茶有限公司", true).is_none());
    }
}
