//! `DateTime<Utc>` in JSON exactly as chrono writes it (RFC 3339, `Z`, fractions of 3, 6 or 9
//! digits only when present), but written digit by digit: a page of the public search carries
//! 40 of them, and chrono's `fmt` path made them a third of the answer's cost.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// For `#[serde(serialize_with = "timestamp::serialize")]`.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0u8; 30];
    match write(at, &mut buffer) {
        Some(len) => serializer.serialize_str(std::str::from_utf8(&buffer[..len]).unwrap_or("")),
        // Years outside 0000-9999 and leap seconds: chrono's own rules.
        None => serde::Serialize::serialize(at, serializer),
    }
}

/// Writes `at` into `out` and returns the length, or `None` where chrono's rules are needed.
fn write(at: &DateTime<Utc>, out: &mut [u8; 30]) -> Option<usize> {
    let year = at.year();
    let nanos = at.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut len = digits(out, 0, year as u32, 4);
    let fields = [
        (b'-', at.month()),
        (b'-', at.day()),
        (b'T', at.hour()),
        (b':', at.minute()),
        (b':', at.second()),
    ];
    for (separator, value) in fields {
        out[len] = separator;
        len = digits(out, len + 1, value, 2);
    }
    let (fraction, width) = if nanos == 0 {
        (0, 0)
    } else if nanos % 1_000_000 == 0 {
        (nanos / 1_000_000, 3)
    } else if nanos % 1_000 == 0 {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    if width > 0 {
        out[len] = b'.';
        len = digits(out, len + 1, fraction, width);
    }
    out[len] = b'Z';
    Some(len + 1)
}

/// Writes `value` as `width` decimal digits (leading zeros) at `at`; returns the end.
fn digits(out: &mut [u8], at: usize, mut value: u32, width: usize) -> usize {
    for slot in out[at..at + width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    at + width
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    #[derive(serde::Serialize)]
    struct Fast(#[serde(serialize_with = "serialize")] DateTime<Utc>);

    fn both(at: DateTime<Utc>) -> (String, String) {
        (
            serde_json::to_string(&Fast(at)).unwrap_or_default(),
            serde_json::to_string(&at).unwrap_or_default(),
        )
    }

    #[test]
    fn whole_seconds_milli_micro_and_nano_fractions_read_as_chrono_writes_them() {
        let base = Utc
            .with_ymd_and_hms(2025, 3, 4, 9, 1, 2)
            .single()
            .expect("a date");
        for nanos in [
            0,
            5_000_000,
            123_000_000,
            123_456_000,
            1_000,
            123_456_789,
            7,
        ] {
            let (fast, chrono) = both(base + chrono::Duration::nanoseconds(nanos));
            assert_eq!(fast, chrono);
        }
        assert_eq!(both(base).0, "\"2025-03-04T09:01:02Z\"");
    }

    proptest! {
        #[test]
        fn any_instant_reads_as_chrono_writes_it(seconds in -70_000_000_000i64..300_000_000_000, nanos in 0u32..1_000_000_000, round in 0u32..4) {
            let nanos = match round { 0 => 0, 1 => nanos / 1_000_000 * 1_000_000, 2 => nanos / 1_000 * 1_000, _ => nanos };
            if let Some(at) = Utc.timestamp_opt(seconds, nanos).single() {
                let (fast, chrono) = both(at);
                prop_assert_eq!(fast, chrono);
            }
        }
    }
}
