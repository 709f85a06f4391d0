//! IBAN, Italian and foreign: two letters, two check digits, the BBAN;
//! written compact or in the paper format (groups of four separated by one
//! space). Validation is the `iban_validate` crate (one small dependency,
//! `arrayvec`): besides mod 97 it checks each country's length and BBAN
//! shape from the SWIFT registry, which a bare mod-97 would not.

use super::text::{boundary_after, boundary_before};
use std::ops::Range;

const MIN_LEN: usize = 15;
const MAX_LEN: usize = 34;

/// Is `code` (compact or paper format, any case) a valid IBAN?
pub fn is_valid(code: &str) -> bool {
    let compact: String = code
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    compact.parse::<iban::Iban>().is_ok()
}

pub(crate) fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let head = bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && bytes[i + 2].is_ascii_digit()
            && bytes[i + 3].is_ascii_digit();
        if !head || !boundary_before(bytes, i) {
            i += 1;
            continue;
        }
        match longest_valid(bytes, i) {
            Some(end) => {
                out.push(i..end);
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The end of the longest valid IBAN starting at `start`. Characters are
/// collected with single spaces allowed between them; a candidate may only
/// end where the text's word ends or at a space (the end of a group).
fn longest_valid(bytes: &[u8], start: usize) -> Option<usize> {
    let mut chars = String::with_capacity(MAX_LEN);
    // Byte end of the text after each collected character.
    let mut ends = Vec::with_capacity(MAX_LEN);
    let mut j = start;
    while j < bytes.len() && chars.len() < MAX_LEN {
        let b = bytes[j];
        if b.is_ascii_alphanumeric() {
            chars.push(b.to_ascii_uppercase() as char);
            j += 1;
            ends.push(j);
        } else if b == b' ' && j + 1 < bytes.len() && bytes[j + 1].is_ascii_alphanumeric() {
            j += 1;
        } else {
            break;
        }
    }
    (MIN_LEN..=chars.len()).rev().find_map(|n| {
        let end = ends[n - 1];
        let at_group_end = boundary_after(bytes, end) || bytes.get(end) == Some(&b' ');
        // Ending mid-word ("...123456ABC") is not an IBAN followed by text.
        (at_group_end && chars[..n].parse::<iban::Iban>().is_ok()).then_some(end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_and_foreign_ibans_are_checked() {
        assert!(is_valid("IT60X0542811101000000123456"));
        assert!(is_valid("IT60 X054 2811 1010 0000 0123 456"));
        assert!(is_valid("DE89370400440532013000"));
        assert!(is_valid("fr1420041010050500013m02606"));
        assert!(!is_valid("IT61X0542811101000000123456"));
        assert!(!is_valid("DE89370400440532013001"));
    }

    #[test]
    fn found_compact_or_in_groups_of_four_and_followed_by_words() {
        let t = "IBAN: IT60 X054 2811 1010 0000 0123 456 intestato a lei";
        assert_eq!(
            find(t).into_iter().map(|r| &t[r]).collect::<Vec<_>>(),
            vec!["IT60 X054 2811 1010 0000 0123 456"]
        );
        let t = "bonifico su DE89370400440532013000.";
        assert_eq!(find(t), vec![12..34]);
        assert_eq!(
            find("XIT60X0542811101000000123456"),
            Vec::<Range<usize>>::new()
        );
    }
}
