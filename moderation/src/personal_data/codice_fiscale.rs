//! Codice fiscale of a natural person: 16 characters, with omocodia (when
//! two people would share a code, digits are replaced by letters from the
//! right) and the check character verified. Written by hand because the
//! `codice_fiscale` crate does not handle omocodia, and the check is a
//! table lookup.

use super::text::{boundary_after, boundary_before};
use std::ops::Range;

const LEN: usize = 16;
/// 0-based positions that hold digits, or their omocodia letters.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// Omocodia letters: index = the digit they stand for.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// Month letters, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of characters in odd (1st, 3rd, ...) positions, for `0..=9` and
/// `A..=Z` (the official table: digits take the value of the letter in the
/// same place).
const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

fn index(c: u8) -> Option<usize> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as usize),
        b'A'..=b'Z' => Some((c - b'A') as usize),
        _ => None,
    }
}

/// The check character for the first 15 characters (uppercase).
pub fn check_char(first15: &[u8]) -> Option<u8> {
    if first15.len() != LEN - 1 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in first15.iter().enumerate() {
        let ix = index(c)?;
        // Position i is 0-based: even i is an odd position in the rules.
        sum += if i % 2 == 0 { ODD[ix] } else { ix as u32 };
    }
    Some(b'A' + (sum % 26) as u8)
}

fn digit_value(c: u8) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c - b'0');
    }
    OMOCODIA.iter().position(|&l| l == c).map(|d| d as u8)
}

/// Is `code` (16 ASCII characters, any case) a valid codice fiscale?
pub fn is_valid(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != LEN {
        return false;
    }
    let up: Vec<u8> = bytes.iter().map(u8::to_ascii_uppercase).collect();
    for (i, &c) in up.iter().enumerate() {
        let ok = if DIGIT_POSITIONS.contains(&i) {
            digit_value(c).is_some()
        } else {
            c.is_ascii_uppercase()
        };
        if !ok {
            return false;
        }
    }
    if !MONTHS.contains(&up[8]) {
        return false;
    }
    // After undoing omocodia the day is 1-31 (men) or 41-71 (women).
    let day = match (digit_value(up[9]), digit_value(up[10])) {
        (Some(t), Some(u)) => t * 10 + u,
        _ => return false,
    };
    if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
        return false;
    }
    check_char(&up[..LEN - 1]) == Some(up[LEN - 1])
}

pub(crate) fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + LEN <= bytes.len() {
        if boundary_before(bytes, i)
            && boundary_after(bytes, i + LEN)
            && bytes[i..i + LEN].iter().all(u8::is_ascii_alphanumeric)
        {
            // ASCII only, so this slice is on char boundaries.
            if is_valid(&text[i..i + LEN]) {
                out.push(i..i + LEN);
                i += LEN;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_are_valid_and_a_wrong_check_char_is_not() {
        assert!(is_valid("RSSMRA85T10A562S"));
        assert!(is_valid("rssmra85t10a562s"));
        assert!(!is_valid("RSSMRA85T10A562T"));
        // Omocodia: the last digit of the comune code (2 -> N), with the
        // check character recomputed.
        let mut code = *b"RSSMRA85T10A56N_";
        code[15] = check_char(&code[..15]).unwrap_or(b'?');
        assert!(is_valid(std::str::from_utf8(&code).unwrap_or("")));
    }

    #[test]
    fn month_and_day_are_checked_after_omocodia() {
        for bad in [
            "RSSMRA85Z10A562",
            "RSSMRA85T00A562",
            "RSSMRA85T32A562",
            "RSSMRA85T72A562",
        ] {
            let mut code = bad.as_bytes().to_vec();
            let check = check_char(&code).unwrap_or(b'?');
            code.push(check);
            assert!(!is_valid(std::str::from_utf8(&code).unwrap_or("")), "{bad}");
        }
    }

    #[test]
    fn codes_are_found_only_as_whole_words() {
        assert_eq!(find("CF: RSSMRA85T10A562S."), vec![4..20]);
        assert_eq!(find("XRSSMRA85T10A562S"), Vec::<Range<usize>>::new());
        assert_eq!(find("RSSMRA85T10A562S1"), Vec::<Range<usize>>::new());
    }
}
