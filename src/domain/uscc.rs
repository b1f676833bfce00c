//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
//! 31-symbol alphabet, the last one a check character over the first seventeen.

use std::fmt;

/// The code alphabet; a symbol's value is its index. I, O, S, V and Z are never used.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
pub const LENGTH: usize = 18;
const MODULUS: u32 = 31;

/// A normalised code that passed every check (or was accepted by a reviewer with a reason).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

/// Why a code is not valid: each has a stable machine code for API errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsccError {
    Length { found: usize },
    Alphabet { position: usize },
    CheckDigit,
}

impl UsccError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "uscc_length",
            Self::Alphabet { .. } => "uscc_alphabet",
            Self::CheckDigit => "uscc_check_digit",
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::Length { found } => format!("a credit code has 18 characters, this one has {found}"),
            Self::Alphabet { position } => format!(
                "character {position} is not allowed (digits and capital letters except I, O, S, V, Z)"
            ),
            Self::CheckDigit => "the check character does not match: please check the code for a typo".into(),
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Self::Length { found } => format!("统一社会信用代码应为18位，当前为{found}位"),
            Self::Alphabet { position } => {
                format!("第{position}位字符无效（只能是数字或除 I、O、S、V、Z 以外的大写字母）")
            }
            Self::CheckDigit => "校验码不符，请核对是否输错".into(),
        }
    }
}

impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for UsccError {}

/// Trims surrounding and inner white space and upper-cases: what people type or scan.
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn symbol_value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first seventeen symbols (`None` if any is outside the alphabet).
pub fn check_character(first17: &str) -> Option<char> {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for c in first17.chars() {
        sum += symbol_value(c)? * weight;
        weight = weight * 3 % MODULUS;
    }
    let check = (MODULUS - sum % MODULUS) % MODULUS;
    ALPHABET.chars().nth(check as usize)
}

/// Length and alphabet, before the check character.
fn check_form(code: &str) -> Result<(), UsccError> {
    let found = code.chars().count();
    if found != LENGTH {
        return Err(UsccError::Length { found });
    }
    match code.chars().position(|c| symbol_value(c).is_none()) {
        Some(index) => Err(UsccError::Alphabet {
            position: index + 1,
        }),
        None => Ok(()),
    }
}

impl Uscc {
    /// Normalises, then checks length, alphabet and check character.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        // Spaces are forgiven, but not without end (the API document allows 64 characters).
        let raw_length = input.chars().count();
        if raw_length > 64 {
            return Err(UsccError::Length { found: raw_length });
        }
        let code = normalise(input);
        check_form(&code)?;
        let (first17, last) = code.split_at(LENGTH - 1);
        if check_character(first17) != last.chars().next() {
            return Err(UsccError::CheckDigit);
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A code registered at the service window: one that passes every check, or, when staff give
/// a reason, a genuine code issued before GB 32100-2015 whose check character does not match
/// (length and alphabet must still be right: only the check character is forgiven). The
/// second value says whether the exception was used.
pub fn parse_at_window(input: &str, exception_allowed: bool) -> Result<(Uscc, bool), UsccError> {
    match Uscc::parse(input) {
        Ok(code) => Ok((code, false)),
        Err(UsccError::CheckDigit) if exception_allowed => Ok((Uscc(normalise(input)), true)),
        Err(other) => Err(other),
    }
}

/// Does this look like a credit code at all (for telling a code from a registry number)?
pub fn looks_like_uscc(input: &str) -> bool {
    check_form(&normalise(input)).is_ok()
}

/// The longest code anybody looks up: a credit code has 18 symbols, a registry number 14.
pub const MAX_LOOKUP_CHARS: usize = 64;

/// Whether a normalised code could name anything in the register at all (a credit code or a
/// registry number: ASCII letters, digits and `-`, at most [`MAX_LOOKUP_CHARS`]). Anything
/// else is "not found" without a query, a cache entry or a QR code.
pub fn is_plausible_lookup(normalised: &str) -> bool {
    (1..=MAX_LOOKUP_CHARS).contains(&normalised.len())
        && normalised
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_window_forgives_only_the_check_character_and_only_with_a_reason() {
        // 91441881MA4WTEA03K is valid; ...03X has a wrong check character.
        assert_eq!(
            parse_at_window("91441881MA4WTEA03K", false).map(|(c, e)| (c.into_string(), e)),
            Ok(("91441881MA4WTEA03K".to_owned(), false))
        );
        assert_eq!(
            parse_at_window("91441881MA4WTEA03X", false).err(),
            Some(UsccError::CheckDigit)
        );
        assert_eq!(
            parse_at_window("91441881 ma4wtea03x", true).map(|(c, e)| (c.into_string(), e)),
            Ok(("91441881MA4WTEA03X".to_owned(), true))
        );
        assert_eq!(
            parse_at_window("91441881MA4WTEA03", true).err(),
            Some(UsccError::Length { found: 17 })
        );
        assert!(matches!(
            parse_at_window("91441881MA4WTEA0IX", true),
            Err(UsccError::Alphabet { .. })
        ));
    }

    const VALID: [&str; 7] = [
        "91110000600037341L",
        "9144030071526726XG",
        "91442000696462712R",
        "92340604MA2PENA300",
        "91441881MA4WTEA03K",
        "93441881MA52BM702T",
        "92441881MA5X7K2R2K",
    ];

    #[test]
    fn every_valid_example_from_the_shared_data_passes() {
        for code in VALID {
            assert_eq!(
                Uscc::parse(code).map(Uscc::into_string),
                Ok(code.to_string()),
                "{code}"
            );
        }
    }

    #[test]
    fn check_value_zero_is_the_character_zero() {
        assert_eq!(check_character("92340604MA2PENA30"), Some('0'));
    }

    #[test]
    fn the_invalid_example_fails_on_its_check_character_and_its_valid_form_passes() {
        assert_eq!(
            Uscc::parse("91350100M000100Y4Z"),
            Err(UsccError::Alphabet { position: 18 })
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y4X"),
            Err(UsccError::CheckDigit)
        );
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn input_is_trimmed_and_upper_cased() {
        let parsed = Uscc::parse("  91110000600037341l \n").map(Uscc::into_string);
        assert_eq!(parsed, Ok("91110000600037341L".to_string()));
        assert_eq!(
            Uscc::parse("9111 0000 6000 3734 1L").map(Uscc::into_string),
            Ok("91110000600037341L".into())
        );
    }

    #[test]
    fn wrong_length_and_forbidden_letters_are_named() {
        assert_eq!(
            Uscc::parse("9111000060003734"),
            Err(UsccError::Length { found: 16 })
        );
        assert_eq!(Uscc::parse(""), Err(UsccError::Length { found: 0 }));
        assert_eq!(
            Uscc::parse("91110000600O37341L"),
            Err(UsccError::Alphabet { position: 12 })
        );
        assert!(Uscc::parse("91110000600037341L").is_ok());
    }

    proptest! {
        /// The mod-31 weighted sum catches every single-character substitution: each weight is
        /// a power of 3, invertible mod 31, so a changed symbol always changes the check value.
        #[test]
        fn any_single_changed_character_is_caught(
            code_index in 0..VALID.len(),
            position in 0..LENGTH,
            replacement in 0..31usize,
        ) {
            let original: Vec<char> = VALID[code_index].chars().collect();
            let new_symbol = ALPHABET.chars().nth(replacement).unwrap();
            prop_assume!(original[position] != new_symbol);
            let mut changed = original.clone();
            changed[position] = new_symbol;
            let changed: String = changed.into_iter().collect();
            prop_assert_eq!(Uscc::parse(&changed), Err(UsccError::CheckDigit));
        }
    }

    #[test]
    fn only_short_codes_of_letters_digits_and_dashes_are_looked_up() {
        assert!(is_plausible_lookup("91441881MA4UXXXX0X"));
        assert!(is_plausible_lookup("YDGI-2026-0001"));
        assert!(is_plausible_lookup(&"A".repeat(MAX_LOOKUP_CHARS)));
        assert!(!is_plausible_lookup(&"A".repeat(MAX_LOOKUP_CHARS + 1)));
        assert!(!is_plausible_lookup(""));
        assert!(!is_plausible_lookup("ABC\r\nSET-COOKIE:X=1"));
        assert!(!is_plausible_lookup("ABC\u{1b}[31M"));
        assert!(!is_plausible_lookup("<SCRIPT>"));
        assert!(!is_plausible_lookup("英红"));
    }
}
