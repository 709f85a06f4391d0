//! A street address with a house number next to a person: a street word
//! (via, viale, piazza, ...), a name of capitalised words and connectors
//! (`dell'Indipendenza`, `San Vitale`, `XX Settembre`), a house number
//! (`12`, `5/a`, `12 bis`, `n. 7`), and within a few words a personal name
//! or a residence word (abita, residente, ...). The addresses of offices
//! and services ("lo sportello di via Montebello 8") are not hits: they
//! are public, and welfare text is full of them.

use super::context::is_role_or_institution;
use super::text::{number_goes_on, Word};
use std::ops::Range;

pub(crate) const STREET_WORDS: &[&str] = &[
    "via",
    "viale",
    "piazza",
    "piazzale",
    "piazzetta",
    "vicolo",
    "strada",
    "stradello",
    "largo",
    "corso",
    "borgo",
    "galleria",
    "porta",
    "vía",
    "contrada",
    "lungoreno",
    "salita",
    "rotonda",
];

pub(crate) const CONNECTORS: &[&str] = &[
    "di", "del", "della", "dello", "dei", "degli", "delle", "de", "da", "dal", "dalla", "e", "d'",
    "san", "santo", "santa",
];

/// Words that say the address is where someone lives.
const RESIDENCE: &[&str] = &[
    "abita",
    "abitano",
    "abitava",
    "abitavano",
    "vive",
    "vivono",
    "viveva",
    "risiede",
    "risiedono",
    "residente",
    "residenti",
    "domiciliato",
    "domiciliata",
    "domiciliati",
    "domicilio",
    "residenza",
    "abito",
    "vivo",
    "lives",
    "living",
];

/// How many words away a name may be and still be "next to" the address.
const NAME_WINDOW: usize = 6;
/// How many words before the street word a residence word may be.
const RESIDENCE_WINDOW: usize = 3;

fn is_roman(w: &str) -> bool {
    !w.is_empty()
        && w.bytes()
            .all(|b| matches!(b, b'I' | b'V' | b'X' | b'L' | b'C'))
}

fn is_name_word(w: &Word) -> bool {
    w.is_capitalised() || is_roman(w.text) || CONNECTORS.contains(&w.lower().as_str())
}

/// A house number: 1-4 digits, or digits and a letter (`5a`, `12bis`).
fn is_house_number(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &w[digits..];
    (1..=4).contains(&digits)
        && !w.starts_with('0')
        && (rest.is_empty()
            || rest.len() == 1 && rest.bytes().all(|b| b.is_ascii_lowercase())
            || matches!(rest, "bis" | "ter"))
}

/// Street-and-number spans in `text`, without the person rule.
pub(crate) fn streets(text: &str, words: &[Word]) -> Vec<(usize, usize, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !STREET_WORDS.contains(&w.lower().as_str()) {
            continue;
        }
        let mut j = i + 1;
        let mut capitalised = 0;
        while j < words.len() && j - i <= 6 && is_name_word(&words[j]) {
            let gap = text.get(words[j - 1].end..words[j].start).unwrap_or("");
            if gap != " " {
                break;
            }
            if words[j].is_capitalised() || is_roman(words[j].text) {
                capitalised += 1;
            }
            j += 1;
        }
        // The name ends on a capitalised word ("via di" is not a name).
        while j > i + 1 && !(words[j - 1].is_capitalised() || is_roman(words[j - 1].text)) {
            j -= 1;
        }
        if capitalised == 0 || j == i + 1 || j >= words.len() {
            continue;
        }
        // "via Emilia, 12", "via Emilia n. 12", "via Emilia civico 12".
        let marker = matches!(words[j].lower().as_str(), "n" | "nr" | "num" | "civico");
        let k = if marker { j + 1 } else { j };
        let Some(num) = words.get(k) else { continue };
        let before_marker = text.get(words[j - 1].end..words[j].start).unwrap_or("");
        let after_marker = if marker {
            text.get(words[j].end..num.start).unwrap_or("")
        } else {
            ""
        };
        let gap_ok = before_marker.len() <= 3
            && before_marker.chars().all(|c| c == ' ' || c == ',')
            && after_marker.len() <= 4
            && after_marker.chars().all(|c| matches!(c, ' ' | '.' | '°'));
        if !gap_ok || !is_house_number(num.text) {
            continue;
        }
        let mut end = num.end;
        // "5/a", "12/3": an interno or a letter after a slash.
        if bytes.get(end) == Some(&b'/') {
            let tail = bytes[end + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if (1..=3).contains(&tail) {
                end += 1 + tail;
            }
        }
        if number_goes_on(bytes, end) {
            continue;
        }
        let mut last = k;
        if let Some(next) = words.get(k + 1) {
            if matches!(next.text, "bis" | "ter") && next.start == end + 1 {
                end = next.end;
                last = k + 1;
            }
        }
        out.push((i, last, w.start..end));
    }
    out
}

pub(crate) fn find(text: &str, words: &[Word], names: &[Range<usize>]) -> Vec<Range<usize>> {
    streets(text, words)
        .into_iter()
        .filter(|(first, last, span)| {
            let before = words[first.saturating_sub(NAME_WINDOW)].start;
            let after = words[(last + NAME_WINDOW).min(words.len() - 1)].end;
            // "SerD di via ...", "sede di via ...": an institution's address.
            let institution_before = words[first.saturating_sub(2)..*first]
                .iter()
                .any(|w| is_role_or_institution(&w.after_apostrophe().to_lowercase()));
            if institution_before {
                return false;
            }
            let named = names.iter().any(|n| {
                let outside = n.end <= span.start || n.start >= span.end;
                let (gap_from, gap_to) = if n.end <= span.start {
                    (n.end, span.start)
                } else {
                    (span.end, n.start)
                };
                // "Mario Rossi, responsabile dell'ufficio di via ...".
                let role_between = words.iter().any(|w| {
                    w.start >= gap_from
                        && w.end <= gap_to
                        && is_role_or_institution(&w.after_apostrophe().to_lowercase())
                });
                outside && n.start >= before && n.end <= after && !role_between
            });
            let resident = words[first.saturating_sub(RESIDENCE_WINDOW)..*first]
                .iter()
                .any(|w| RESIDENCE.contains(&w.lower().as_str()));
            named || resident
        })
        .map(|(_, _, span)| span)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{names, text::words};
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let w = words(t);
        let n = names::find(t, &w);
        find(t, &w, &n).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn an_address_next_to_a_person_is_found() {
        assert_eq!(found("Mario Rossi, via Emilia 12"), vec!["via Emilia 12"]);
        assert_eq!(
            found("abita in Via dell'Indipendenza 5/a da anni"),
            vec!["Via dell'Indipendenza 5/a"]
        );
        assert_eq!(
            found("residente in piazza XX Settembre n. 7"),
            vec!["piazza XX Settembre n. 7"]
        );
        assert_eq!(
            found("Strada Maggiore 12 bis: ci vive Rossi Maria"),
            vec!["Strada Maggiore 12 bis"]
        );
    }

    #[test]
    fn public_addresses_street_names_and_figures_are_not() {
        for t in [
            "Lo sportello di via Montebello 8 è aperto",
            "in via Giuseppe Mazzini 5 apre il centro",
            "Mario Rossi porta 5 euro",
            "Mario Rossi: corso di formazione 3",
            "Mario Rossi, via Emilia 12.345 contatti",
            "Mario Rossi. Piazza Maggiore",
            "Maria Rossi, coordinatrice del SerD di via Paolo Fabbri 6",
            "Mario Rossi riceve nella sede di via Libia 12",
        ] {
            assert_eq!(found(t), Vec::<&str>::new(), "{t}");
        }
    }
}
