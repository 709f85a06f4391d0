//! Small text helpers the detectors share: word boundaries, URL regions
//! (nothing inside a URL is a hit) and word tokens for the context rules.

use std::ops::Range;

/// A byte that belongs to a word for boundary purposes. Non-ASCII bytes
/// count as word bytes, so "èRSSMRA..." is not taken for a code: being
/// conservative here costs almost no recall.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Is there a word boundary before byte `i`?
pub(crate) fn boundary_before(bytes: &[u8], i: usize) -> bool {
    i == 0 || !is_word_byte(bytes[i - 1])
}

/// Is there a word boundary at byte `end` (the first byte after a match)?
pub(crate) fn boundary_after(bytes: &[u8], end: usize) -> bool {
    end >= bytes.len() || !is_word_byte(bytes[end])
}

/// A separator used inside a written number: `12.345`, `3,5`, `01/02`.
fn is_number_joiner(b: u8) -> bool {
    matches!(b, b'.' | b',' | b'/' | b'-' | b':')
}

/// True when the digits starting at `start` continue a number written
/// before them (`12.3331234567`, `2024/0123`): then they are not a number
/// of their own.
pub(crate) fn continues_number(bytes: &[u8], start: usize) -> bool {
    start >= 2 && is_number_joiner(bytes[start - 1]) && bytes[start - 2].is_ascii_digit()
}

/// True when the number ending at `end` goes on (`3331234567.12`,
/// `...,5`): then the match is part of a larger figure.
pub(crate) fn number_goes_on(bytes: &[u8], end: usize) -> bool {
    end + 1 < bytes.len() && is_number_joiner(bytes[end]) && bytes[end + 1].is_ascii_digit()
}

/// The byte ranges of URLs in `text`: whitespace-separated tokens with a
/// scheme (`https://`), starting with `www.`, or shaped like `host.tld/path`.
pub(crate) fn url_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        // `start` and `i` sit next to ASCII whitespace or the ends: char
        // boundaries, so slicing is safe.
        let token = &text[start..i];
        let trimmed = token.trim_start_matches(['(', '<', '"', '\'', '[']);
        if looks_like_url(trimmed) {
            out.push(start..i);
        }
    }
    out
}

fn looks_like_url(token: &str) -> bool {
    if token.contains("://") {
        return true;
    }
    let lower_www = token
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("www."));
    if lower_www {
        return true;
    }
    // host.tld/path: a dotted host of ASCII letters, digits and dashes
    // whose last label is letters, then a slash.
    let Some(slash) = token.find('/') else {
        return false;
    };
    let host = &token[..slash];
    if host.contains('@') || !host.contains('.') {
        return false;
    }
    let labels_ok = host
        .split('.')
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let tld_ok = host
        .rsplit('.')
        .next()
        .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
    labels_ok && tld_ok
}

pub(crate) fn overlaps_any(span: &Range<usize>, ranges: &[Range<usize>]) -> bool {
    ranges
        .iter()
        .any(|r| span.start < r.end && r.start < span.end)
}

/// A word token: letters and digits, with apostrophes inside
/// (`dell'Indipendenza`).
#[derive(Debug, Clone)]
pub(crate) struct Word<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

impl Word<'_> {
    /// Starts with an uppercase letter (after an elided article:
    /// `dell'Indipendenza` counts by its second part).
    pub(crate) fn is_capitalised(&self) -> bool {
        let part = self.after_apostrophe();
        part.chars().next().is_some_and(|c| c.is_uppercase())
            && part.chars().skip(1).any(|c| c.is_lowercase())
    }

    pub(crate) fn after_apostrophe(&self) -> &str {
        match self.text.rfind(['\'', '’']) {
            Some(i) => {
                let rest = &self.text[i..];
                let skip = rest.chars().next().map_or(0, char::len_utf8);
                &rest[skip..]
            }
            None => self.text,
        }
    }

    pub(crate) fn lower(&self) -> String {
        self.text.to_lowercase()
    }
}

pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let apostrophe_inside = (c == '\'' || c == '’')
            && start.is_some()
            && chars.peek().is_some_and(|(_, n)| n.is_alphabetic());
        if c.is_alphanumeric() || apostrophe_inside {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(Word {
                start: s,
                end: i,
                text: &text[s..i],
            });
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
            text: &text[s..],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_found_by_scheme_www_or_host_and_path() {
        let t = "a https://x.it/1 b www.y.org c dati.comune.bologna.it/d/2 e f.g h 3.5/2";
        let found: Vec<&str> = url_ranges(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            found,
            vec!["https://x.it/1", "www.y.org", "dati.comune.bologna.it/d/2"]
        );
    }

    #[test]
    fn words_keep_elisions_and_split_on_punctuation() {
        let t = "abita in Via dell'Indipendenza 5/a, è lì";
        let w: Vec<&str> = words(t).into_iter().map(|w| w.text).collect();
        assert_eq!(
            w,
            vec![
                "abita",
                "in",
                "Via",
                "dell'Indipendenza",
                "5",
                "a",
                "è",
                "lì"
            ]
        );
    }
}
