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
