//! A label's code: 16 characters of Crockford's base32 (digits and capitals without I, L, O and
//! U, so nothing reads as something else), 80 bits. The first 50 are random and are what the
//! database keeps; the last 30 are a check keyed by the register's secret. A copied code does
//! not lead to another (the random parts are independent), and a code typed wrong or made up
//! fails the check before anything is looked up.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Characters in a code.
pub const CODE_LEN: usize = 16;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_BITS: u32 = 50;
const CHECK_BITS: u32 = 30;
/// The largest random part (50 bits).
pub const RANDOM_MASK: u64 = (1 << RANDOM_BITS) - 1;
/// Longer input is refused unread (hyphens and spaces between groups fit well within it).
const MAX_INPUT: usize = 40;

/// The keyed check of label codes, from the register's secret.
#[derive(Clone)]
pub struct CodeKey(Hmac<Sha256>);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(…)")
    }
}

impl CodeKey {
    pub fn new(secret: &[u8]) -> Self {
        // HMAC takes a key of any length.
        Self(Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!()))
    }

    fn check(&self, random: u64) -> u64 {
        let mut mac = self.0.clone();
        mac.update(&random.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let first = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        u64::from(first >> (32 - CHECK_BITS))
    }

    /// The code of a random part (only its low 50 bits count).
    pub fn encode(&self, random: u64) -> String {
        let random = random & RANDOM_MASK;
        let value = (u128::from(random) << CHECK_BITS) | u128::from(self.check(random));
        (0..CODE_LEN)
            .rev()
            .map(|i| char::from(ALPHABET[((value >> (5 * i)) & 31) as usize]))
            .collect()
    }

    /// The random part of a code as typed or scanned: any case, hyphens or spaces between
    /// groups, and O, I and L read as 0, 1 and 1 (Crockford). None when it is not a code this
    /// register could have issued.
    pub fn decode(&self, text: &str) -> Option<u64> {
        if text.len() > MAX_INPUT {
            return None;
        }
        let mut value: u128 = 0;
        let mut digits = 0;
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let digit = match c.to_ascii_uppercase() {
                'O' => 0,
                'I' | 'L' => 1,
                c => ALPHABET.iter().position(|&a| char::from(a) == c)? as u128,
            };
            digits += 1;
            if digits > CODE_LEN {
                return None;
            }
            value = (value << 5) | digit;
        }
        if digits != CODE_LEN {
            return None;
        }
        let random = (value >> CHECK_BITS) as u64;
        let check = (value & ((1 << CHECK_BITS) - 1)) as u64;
        (check == self.check(random)).then_some(random)
    }
}

/// A fresh random part.
pub fn random_part(rng: &mut impl rand::Rng) -> u64 {
    rng.gen::<u64>() & RANDOM_MASK
}

/// The code written in four groups of four, for people to read and type.
pub fn grouped(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 3);
    for (i, c) in code.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn key() -> CodeKey {
        CodeKey::new(b"a secret of the register")
    }

    proptest! {
        #[test]
        fn a_code_decodes_to_its_random_part(random in 0..=RANDOM_MASK) {
            let key = key();
            let code = key.encode(random);
            prop_assert_eq!(code.len(), CODE_LEN);
            prop_assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
            prop_assert_eq!(key.decode(&code), Some(random));
            prop_assert_eq!(key.decode(&grouped(&code).to_lowercase()), Some(random));
        }

        #[test]
        fn one_character_changed_is_never_a_code(random in 0..=RANDOM_MASK, at in 0..CODE_LEN, by in 1..32usize) {
            let key = key();
            let code = key.encode(random);
            let mut bytes = code.into_bytes();
            let was = ALPHABET.iter().position(|&a| a == bytes[at]).unwrap_or(0);
            bytes[at] = ALPHABET[(was + by) % 32];
            let forged = String::from_utf8(bytes).unwrap_or_default();
            prop_assert_eq!(key.decode(&forged), None);
        }
    }

    #[test]
    fn another_key_does_not_accept_the_code() {
        let code = key().encode(12345);
        assert_eq!(CodeKey::new(b"another secret").decode(&code), None);
    }

    #[test]
    fn ambiguous_letters_read_as_digits_and_junk_is_refused() {
        let key = key();
        let code = key.encode(0);
        assert!(code.starts_with("0000"), "{code}");
        let typed = format!("oO00{}", &code[4..]);
        assert_eq!(key.decode(&typed), Some(0));
        assert_eq!(key.decode(""), None);
        assert_eq!(key.decode(&code[1..]), None);
        assert_eq!(key.decode(&format!("{code}0")), None);
        assert_eq!(key.decode(&"U".repeat(16)), None);
        assert_eq!(key.decode(&"-".repeat(100)), None);
    }

    #[test]
    fn a_million_fresh_codes_are_all_different() {
        let key = key();
        let mut rng = rand::thread_rng();
        let mut seen = HashSet::with_capacity(1_000_000);
        // The random parts may collide (about 1 in 2,000 for a million); the issuer draws again
        // on a repeat, as here, and the database's key refuses any that slips through.
        while seen.len() < 1_000_000 {
            seen.insert(random_part(&mut rng));
        }
        let codes: HashSet<String> = seen.iter().map(|&r| key.encode(r)).collect();
        assert_eq!(codes.len(), 1_000_000);
    }
}
