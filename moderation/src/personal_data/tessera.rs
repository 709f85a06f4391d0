//! Tessera sanitaria (TEAM card) numbers: 20 digits starting `80380`
//! (80 = health, 380 = Italy, as in ISO/IEC 7812), the last a Luhn check
//! digit. Written as one run or in groups separated by one space or dash.

use super::partita_iva::luhn_ok;
use super::text::{boundary_after, boundary_before, continues_number, number_goes_on};
use std::ops::Range;

const LEN: usize = 20;

/// Is `digits` (20 ASCII digits) a valid tessera sanitaria number?
pub fn is_valid(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == LEN && b.starts_with(b"80380") && luhn_ok(b)
}

pub(crate) fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 5 <= bytes.len() {
        if &bytes[i..i + 5] != b"80380" || !boundary_before(bytes, i) || continues_number(bytes, i)
        {
            i += 1;
            continue;
        }
        let mut digits = Vec::with_capacity(LEN);
        let mut sep: Option<u8> = None;
        let mut j = i;
        while j < bytes.len() && digits.len() < LEN {
            let b = bytes[j];
            if b.is_ascii_digit() {
                digits.push(b);
                j += 1;
            } else if matches!(b, b' ' | b'-')
                && sep.is_none_or(|s| s == b)
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_digit()
                && !digits.is_empty()
            {
                sep = Some(b);
                j += 1;
            } else {
                break;
            }
        }
        let whole = digits.len() == LEN
            && boundary_after(bytes, j)
            && !number_goes_on(bytes, j)
            && !(j + 1 < bytes.len()
                && matches!(bytes[j], b' ' | b'-')
                && bytes[j + 1].is_ascii_digit()
                && sep == Some(bytes[j]));
        if whole && luhn_ok(&digits) {
            out.push(i..j);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first19: &str) -> String {
        (b'0'..=b'9')
            .map(|d| format!("{first19}{}", d as char))
            .find(|s| luhn_ok(s.as_bytes()))
            .unwrap_or_default()
    }

    #[test]
    fn the_luhn_digit_and_the_prefix_are_verified() {
        let good = with_check("8038000001234567890");
        assert!(is_valid(&good));
        let mut bad = good.clone().into_bytes();
        bad[19] = if bad[19] == b'9' { b'0' } else { bad[19] + 1 };
        assert!(!is_valid(std::str::from_utf8(&bad).unwrap_or("")));
        assert!(!is_valid(&with_check("8039000001234567890")));
    }

    #[test]
    fn found_compact_or_grouped() {
        let good = with_check("8038000001234567890");
        assert_eq!(find(&format!("TS {good}.")), vec![3..23]);
        let grouped = format!(
            "{} {} {} {}",
            &good[..5],
            &good[5..10],
            &good[10..15],
            &good[15..]
        );
        assert_eq!(find(&grouped), vec![0..23]);
        assert_eq!(find(&format!("1{good}")), Vec::<Range<usize>>::new());
    }
}
