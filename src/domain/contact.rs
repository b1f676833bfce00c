//! Contact details people type in forms.

/// A phone number as people write it in China: digits with optional `+`, spaces, `-` and
/// parentheses; 7 to 15 digits (landline with area code, mobile, or international).
pub fn is_phone_number(input: &str) -> bool {
    let trimmed = input.trim();
    let allowed = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    allowed && (7..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::is_phone_number;

    #[test]
    fn mobile_and_landline_numbers_pass_and_words_do_not() {
        assert!(is_phone_number("13800138000"));
        assert!(is_phone_number("0763-2222333"));
        assert!(is_phone_number("+86 138 0013 8000"));
        assert!(!is_phone_number("call me"));
        assert!(!is_phone_number("12345"));
    }
}
