//! Italian phone numbers: mobile (`3xx` and 6-7 more digits) and landline
//! (`0` and an area code, 8-11 digits in all), with or without `+39` /
//! `0039`, compact or in groups separated by spaces, dots, dashes or a
//! slash after the area code, or with the area code in brackets.
//!
//! A matcher written here rather than the `phonenumber` crate: that crate
//! pulls in `regex`, `quick-xml`, `once_cell`, `bincode` and the whole
//! libphonenumber metadata (for one country), costs far more compile time
//! than this crate, and is built to *parse* a string known to be a number,
//! not to find numbers in prose: in text it takes years ranges, figures
//! written with thousands dots and dates for numbers. The rules below are
//! the ones that keep ordinary welfare text clean:
//!
//! - a number that continues a figure (`12.3331234567`) or goes on into
//!   one (`3331234567,5`) is not a phone;
//! - thousands grouping (`3.456.789.012`: groups of three after the first)
//!   and dates (`06.03.2024`, `06/03/24`) are not phones;
//! - with groups, the first is an operator prefix (three digits) or an area
//!   code (`02`, `06`, or three or four digits), later groups have at least
//!   two digits, and all separators after the first are the same;
//! - toll-free and service numbers (`800`, `199`, `1xx`) are not personal.

use super::text::{boundary_after, boundary_before, continues_number, number_goes_on};
use std::ops::Range;

const MAX_GROUPS: usize = 6;
const MAX_DIGITS: usize = 13;

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'.' | b'-' | b'/')
}

/// The byte length of an international prefix at `i`, if any, including
/// one separator after it.
fn prefix_len(bytes: &[u8], i: usize) -> usize {
    let rest = &bytes[i..];
    let base = ["(+39)", "(0039)", "+39", "0039"]
        .iter()
        .find(|p| rest.starts_with(p.as_bytes()))
        .map_or(0, |p| p.len());
    if base == 0 {
        return 0;
    }
    match rest.get(base) {
        Some(b' ' | b'.' | b'-') => base + 1,
        _ => base,
    }
}

struct Group {
    start: usize,
    end: usize,
}

pub(crate) fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let could_start = b.is_ascii_digit() || b == b'+' || b == b'(';
        if could_start && boundary_before(bytes, i) && !continues_number(bytes, i) {
            if let Some(end) = parse_at(bytes, i) {
                out.push(i..end);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn parse_at(bytes: &[u8], i: usize) -> Option<usize> {
    let plen = prefix_len(bytes, i);
    let prefixed = plen > 0;
    let mut j = i + plen;
    let mut groups: Vec<Group> = Vec::new();
    let mut seps: Vec<u8> = Vec::new();
    let mut digits = 0;
    // "(051) 1234567": an area code in brackets is the first group.
    if bytes.get(j) == Some(&b'(') {
        let k = j + 1;
        let m = k + bytes[k..].iter().take_while(|b| b.is_ascii_digit()).count();
        let area_ok = (2..=4).contains(&(m - k)) && bytes[k] == b'0' && bytes.get(m) == Some(&b')');
        if !area_ok {
            return None;
        }
        groups.push(Group { start: k, end: m });
        digits = m - k;
        j = m + 1;
        if bytes.get(j) == Some(&b' ') {
            j += 1;
        }
        seps.push(b' ');
    }
    if !bytes.get(j).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    loop {
        let start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        digits += j - start;
        groups.push(Group { start, end: j });
        if groups.len() >= MAX_GROUPS || digits > MAX_DIGITS {
            break;
        }
        match (bytes.get(j), bytes.get(j + 1)) {
            (Some(&s), Some(d)) if is_sep(s) && d.is_ascii_digit() => {
                seps.push(s);
                j += 1;
            }
            _ => break,
        }
    }
    // Longest reading first: "333 1234567 12 volte" gives the phone.
    (1..=groups.len()).rev().find_map(|k| {
        accept(
            bytes,
            &groups[..k],
            &seps[..k - 1],
            seps.get(k - 1),
            prefixed,
        )
    })
}

fn accept(
    bytes: &[u8],
    groups: &[Group],
    seps: &[u8],
    next_sep: Option<&u8>,
    prefixed: bool,
) -> Option<usize> {
    let end = groups.last()?.end;
    match next_sep {
        // Stopping before a group joined by a dot, dash or slash would cut
        // a larger figure; a space is a real break.
        Some(&s) if s != b' ' => return None,
        Some(_) => {}
        None => {
            if !boundary_after(bytes, end) || number_goes_on(bytes, end) {
                return None;
            }
        }
    }
    if seps.len() > 1 && seps[1..].iter().any(|&s| s != seps[1]) {
        return None;
    }
    let sizes: Vec<usize> = groups.iter().map(|g| g.end - g.start).collect();
    if groups.len() > 1 && sizes[1..].iter().any(|&n| n < 2) {
        return None;
    }
    let leading_zero = bytes[groups[0].start] == b'0';
    if !prefixed && looks_like_figure_or_date(&sizes, seps, leading_zero) {
        return None;
    }
    let d: Vec<u8> = groups
        .iter()
        .flat_map(|g| bytes[g.start..g.end].iter().copied())
        .collect();
    let grouped = groups.len() > 1;
    let ok = match (d.first(), d.get(1)) {
        (Some(b'3'), Some(b'1'..=b'9')) => {
            let first_ok = !grouped || sizes[0] == 3;
            let len_ok = d.len() == 10 || (d.len() == 9 && (prefixed || grouped));
            first_ok && len_ok
        }
        (Some(b'0'), Some(b'1'..=b'9')) => {
            let first_ok = !grouped
                || match sizes[0] {
                    2 => d[1] == b'2' || d[1] == b'6',
                    3 | 4 => true,
                    _ => false,
                };
            let min = if prefixed { 6 } else { 8 };
            first_ok && (min..=11).contains(&d.len())
        }
        _ => false,
    };
    ok.then_some(end)
}

/// `leading_zero`: figures are not written with a leading zero, so
/// `051.123.456` is a phone while `3.456.789.012` is a figure.
fn looks_like_figure_or_date(sizes: &[usize], seps: &[u8], leading_zero: bool) -> bool {
    if seps.is_empty() {
        return false;
    }
    let thousands = !leading_zero
        && seps.iter().all(|&s| s == b'.')
        && sizes[0] <= 3
        && sizes[1..].iter().all(|&n| n == 3);
    let same = seps.iter().all(|&s| s == seps[0]) && seps[0] != b' ';
    let date = same
        && sizes.len() == 3
        && sizes[0] <= 2
        && sizes[1] <= 2
        && (sizes[2] == 2 || sizes[2] == 4);
    thousands || date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        find(t).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn mobile_and_landline_in_the_usual_formats() {
        for t in [
            "3331234567",
            "333 1234567",
            "333 123 4567",
            "333.123.4567",
            "333-123-4567",
            "+39 333 1234567",
            "+393331234567",
            "0039 333 1234567",
            "(+39) 333 123 4567",
            "051 1234567",
            "051/123456",
            "051.12.34.56",
            "02 1234 5678",
            "+39 051 123456",
            "0541 123456",
            "051.123.456",
            "(051) 1234567",
            "+39 (051) 123456",
        ] {
            assert_eq!(found(&format!("tel. {t}, grazie")), vec![t], "{t}");
        }
    }

    #[test]
    fn figures_dates_years_and_service_numbers_are_not_phones() {
        for t in [
            "2023",
            "40121",
            "3.456.789.012 euro",
            "12.3331234567",
            "3331234567,5",
            "06.03.2024",
            "06/03/24",
            "08.30-12.30",
            "800 123 456",
            "06 1",
            "0012345/2024",
            "2019-2023",
            "33312345",
            "0123456/2023",
            "(12) 34567890",
            "(0512345) 12",
        ] {
            assert_eq!(found(t), Vec::<&str>::new(), "{t}");
        }
    }

    #[test]
    fn a_phone_after_a_year_separated_by_a_space_is_found() {
        assert_eq!(found("nel 2023 333 1234567"), vec!["333 1234567"]);
    }
}
