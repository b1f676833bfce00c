//! Rules for text people type: which characters may never be stored in a name.

/// Control characters (Unicode Cc) and format characters (Cf: bidi overrides and isolates,
/// zero-width joiners, the byte-order mark…). A right-to-left override in a stored name makes
/// `exe.pdf` read as `fdp.exe` and a name read as another: none of them belongs in a name.
pub fn is_format_or_control(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}')
}

/// Whether `text` holds any character [`is_format_or_control`] refuses.
pub fn has_format_or_control(text: &str) -> bool {
    text.chars().any(is_format_or_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_zero_width_and_control_characters_are_refused() {
        for c in [
            '\u{0}',
            '\n',
            '\r',
            '\t',
            '\u{7F}',
            '\u{85}',
            '\u{202E}',
            '\u{200F}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            assert!(is_format_or_control(c), "{:?}", c);
        }
    }

    #[test]
    fn letters_of_every_script_and_punctuation_pass() {
        assert!(!has_format_or_control("英德市红旗茶业有限公司（西牛镇）"));
        assert!(!has_format_or_control("Yingde Tea Co., Ltd. No.8 · 路"));
        assert!(!has_format_or_control("مرحبا"));
    }
}
