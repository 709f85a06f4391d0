//! E-mail addresses: `local@domain.tld`, with the usual ASCII local part
//! and a dotted domain whose last label is letters. URLs are masked before
//! (so `https://user@host/` is not a hit), and unicode local parts are not
//! matched: rare in practice, and a looser rule would catch handles.

use std::ops::Range;

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

pub(crate) fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out: Vec<Range<usize>> = Vec::new();
    for (at, _) in text.match_indices('@') {
        if out.last().is_some_and(|r| r.end > at) {
            continue;
        }
        let mut s = at;
        while s > 0 && is_local(bytes[s - 1]) {
            s -= 1;
        }
        // A local part neither starts nor ends with a dot.
        while s < at && bytes[s] == b'.' {
            s += 1;
        }
        if s == at || bytes[at - 1] == b'.' {
            continue;
        }
        let mut e = at + 1;
        while e < bytes.len() && is_domain(bytes[e]) {
            e += 1;
        }
        // A sentence's full stop or dash is not part of the domain.
        while e > at + 1 && matches!(bytes[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let domain = &text[at + 1..e];
        let labels: Vec<&str> = domain.split('.').collect();
        let ok = labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
            && labels
                .last()
                .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
        if ok {
            out.push(s..e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_without_surrounding_punctuation() {
        let t = "Scrivi a (mario.rossi+welfare@comune.bologna.it).";
        let found: Vec<&str> = find(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, vec!["mario.rossi+welfare@comune.bologna.it"]);
    }

    #[test]
    fn handles_and_bare_hosts_are_not_addresses() {
        assert_eq!(
            find("segui @comune e a@b, x@y.1"),
            Vec::<Range<usize>>::new()
        );
        assert_eq!(find("ore 10 @ sala.grande"), Vec::<Range<usize>>::new());
    }
}
