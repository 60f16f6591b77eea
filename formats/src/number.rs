//! Numbers read from text (CSV cells, XML leaves), with the results `str::parse` gives.
//!
//! A report is mostly numbers, so their parsing is most of a row's decoding time. Report
//! numbers are short decimals (`12.345`, `0.5`, `-3`), and an `f64` has an exact fast path for
//! those that `str::parse` reaches only after its general checks (signs, exponents, `inf`,
//! `nan`). Anything outside that path goes to `str::parse`, so the results, and what is
//! accepted, are the same.

use std::str::FromStr;

/// A number type the decoders read from text.
pub(crate) trait Number: FromStr {
    /// `text` as `Self` when a fast path applies and decides it; `None` sends it to
    /// `str::parse`.
    #[inline]
    fn fast(_text: &[u8]) -> Option<Self> {
        None
    }
}

macro_rules! std_parse_only {
    ($($ty:ty)*) => { $(impl Number for $ty {})* };
}

// Integer parsing in `core` is already one tight pass over the digits (a fast path here
// measured slower). `f32` stays with `str::parse`: an `f32` rounded from an `f64` can differ
// from the `f32` nearest to the text.
std_parse_only!(i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32);

impl Number for f64 {
    #[inline]
    fn fast(text: &[u8]) -> Option<f64> {
        short_decimal(text)
    }
}

/// An optional `-`, then at most 15 digits with at most one `.` between two of them: the
/// digits as one integer `m` below 10^15 < 2^53 and `s` digits after the point, so that `m`
/// and `10^s` are both exact in an `f64` and the one rounding of `m / 10^s` is the correctly
/// rounded value of the text (Clinger's fast path). `None` for anything else.
#[inline]
fn short_decimal(text: &[u8]) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, body) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    if body.len() > 16 {
        return None;
    }
    let (whole, fraction) = match body.iter().position(|&byte| byte == b'.') {
        Some(at) => (&body[..at], &body[at + 1..]),
        None => (body, &[][..]),
    };
    let point = whole.len() < body.len();
    if whole.is_empty() || (point && fraction.is_empty()) || whole.len() + fraction.len() > 15 {
        return None;
    }
    let mantissa = digits(digits(0, whole)?, fraction)?;
    let value = mantissa as f64 / POWERS[fraction.len()];
    Some(if negative { -value } else { value })
}

/// `acc` followed by the decimal `digits`, or `None` at a byte that is not a digit. The
/// caller keeps the count within what a `u64` holds.
#[inline]
fn digits(acc: u64, digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(acc, |acc, &byte| {
        let digit = byte.wrapping_sub(b'0');
        (digit < 10).then(|| acc * 10 + u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn std_bits(text: &str) -> Option<u64> {
        text.parse::<f64>().ok().map(f64::to_bits)
    }

    #[test]
    fn short_decimals_read_as_str_parse_reads_them() {
        for text in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "12.345",
            "0.001",
            "1",
            "999999999999999",
            "0.1",
            "0.30000000000000",
            "123456789012345",
            "1234567.89012345",
            "-987.654",
        ] {
            assert_eq!(
                short_decimal(text.as_bytes()).map(f64::to_bits),
                std_bits(text),
                "{text}"
            );
        }
    }

    #[test]
    fn anything_else_is_left_to_str_parse() {
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "1.2.3",
            "1e5",
            "+1",
            " 1",
            "1 ",
            "inf",
            "NaN",
            "0x10",
            "1234567890123456",
            "12345678901234567",
            "1,5",
        ] {
            assert_eq!(short_decimal(text.as_bytes()), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn every_short_decimal_matches_str_parse(
            negative in any::<bool>(),
            digits in "[0-9]{1,15}",
            point in 0usize..16,
        ) {
            let mut text = String::from(if negative { "-" } else { "" });
            let at = point.min(digits.len());
            text.push_str(&digits[..at]);
            if at > 0 && at < digits.len() {
                text.push('.');
            }
            text.push_str(&digits[at..]);
            prop_assert_eq!(short_decimal(text.as_bytes()).map(f64::to_bits), std_bits(&text), "{}", text);
        }
    }
}
