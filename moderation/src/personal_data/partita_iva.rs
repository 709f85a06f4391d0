//! Partita IVA: 11 digits (optionally after `IT`), the last a Luhn check
//! digit over the first ten (the Agenzia delle Entrate algorithm is Luhn),
//! and digits 8-10 a provincial office code (001-100, 120, 121, 888, 999),
//! which cuts the chance that an arbitrary 11-digit number passes.

use super::text::{boundary_after, boundary_before, continues_number, number_goes_on};
use std::ops::Range;

/// Luhn over ASCII digits: true when the last digit checks the rest.
pub(crate) fn luhn_ok(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Is `code` (11 ASCII digits) a valid partita IVA?
pub fn is_valid(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let office = (b[7] - b'0') as u16 * 100 + (b[8] - b'0') as u16 * 10 + (b[9] - b'0') as u16;
    let office_ok = matches!(office, 1..=100 | 120 | 121 | 888 | 999);
    office_ok && luhn_ok(b)
}

pub(crate) fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start != 11 || !boundary_after(bytes, i) || number_goes_on(bytes, i) {
            continue;
        }
        // `IT` written straight before the digits is the VAT prefix.
        let has_it = start >= 2 && bytes[start - 2..start].eq_ignore_ascii_case(b"IT");
        let span_start = if has_it { start - 2 } else { start };
        if !boundary_before(bytes, span_start) || continues_number(bytes, span_start) {
            continue;
        }
        if is_valid(&text[start..i]) {
            out.push(span_start..i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_and_office_are_verified() {
        assert!(is_valid("00488410010"));
        assert!(!is_valid("00488410011"));
        // A Luhn-valid number whose office (500) does not exist.
        let bad_office = (b'0'..=b'9')
            .map(|d| format!("1234567500{}", d as char))
            .find(|s| luhn_ok(s.as_bytes()))
            .unwrap_or_default();
        assert_eq!(bad_office.len(), 11);
        assert!(!is_valid(&bad_office));
    }

    #[test]
    fn found_alone_or_after_it_but_not_inside_longer_numbers() {
        assert_eq!(find("P.IVA 00488410010."), vec![6..17]);
        assert_eq!(find("IT00488410010"), vec![0..13]);
        assert_eq!(find("100488410010"), Vec::<Range<usize>>::new());
        assert_eq!(find("1.00488410010"), Vec::<Range<usize>>::new());
        assert_eq!(find("00488410010,5"), Vec::<Range<usize>>::new());
    }
}
