//! Personal names, as context for the address and special-category rules
//! (a name alone is not a hit: public figures are named all the time). A
//! name is a common first name next to a capitalised word ("Mario Rossi",
//! "Rossi Mario"), or a title before one ("sig.ra Bianchi"). A list of
//! first names rather than any two capitalised words, because welfare text
//! is full of "Casa Residenza", "Centro Diurno", "Piano Sociale".

use super::address::{CONNECTORS, STREET_WORDS};
use super::text::Word;
use std::ops::Range;

/// Common first names in Bologna (Italian and the largest foreign
/// communities), lowercase.
const FIRST_NAMES: &[&str] = &[
    "mario",
    "luigi",
    "giuseppe",
    "giovanni",
    "antonio",
    "francesco",
    "paolo",
    "marco",
    "andrea",
    "luca",
    "alessandro",
    "matteo",
    "lorenzo",
    "davide",
    "simone",
    "federico",
    "riccardo",
    "stefano",
    "roberto",
    "giorgio",
    "franco",
    "carlo",
    "sergio",
    "massimo",
    "claudio",
    "fabio",
    "enrico",
    "pietro",
    "alberto",
    "daniele",
    "emanuele",
    "gabriele",
    "nicola",
    "salvatore",
    "vincenzo",
    "michele",
    "filippo",
    "tommaso",
    "leonardo",
    "edoardo",
    "giulio",
    "bruno",
    "renato",
    "gianni",
    "angelo",
    "piero",
    "maurizio",
    "alessio",
    "diego",
    "samuele",
    "maria",
    "anna",
    "giulia",
    "francesca",
    "chiara",
    "sara",
    "laura",
    "valentina",
    "elena",
    "alessandra",
    "martina",
    "federica",
    "silvia",
    "paola",
    "roberta",
    "giovanna",
    "lucia",
    "rosa",
    "angela",
    "teresa",
    "carla",
    "franca",
    "marta",
    "elisa",
    "beatrice",
    "alice",
    "aurora",
    "sofia",
    "emma",
    "giorgia",
    "greta",
    "ginevra",
    "irene",
    "veronica",
    "monica",
    "cristina",
    "barbara",
    "daniela",
    "patrizia",
    "antonella",
    "rita",
    "luisa",
    "giuseppina",
    "carmela",
    "caterina",
    "margherita",
    "serena",
    "ilaria",
    "simona",
    "elisabetta",
    "nadia",
    "mohamed",
    "ahmed",
    "ali",
    "omar",
    "youssef",
    "karim",
    "hassan",
    "fatima",
    "amina",
    "aisha",
    "khadija",
    "ana",
    "ion",
    "andrei",
    "elena",
    "olga",
    "irina",
    "natalia",
    "li",
    "wei",
    "jun",
    "raj",
    "priya",
    "rahul",
    "jose",
    "juan",
    "carlos",
    "luis",
    "mariana",
];

/// Capitalised words that follow a first name without being a surname.
const NOT_SURNAMES: &[&str] = &[
    "via",
    "viale",
    "piazza",
    "piazzale",
    "vicolo",
    "strada",
    "largo",
    "corso",
    "borgo",
    "galleria",
    "porta",
    "comune",
    "bologna",
    "regione",
    "provincia",
    "quartiere",
    "casa",
    "centro",
    "ospedale",
    "ausl",
    "asp",
    "il",
    "la",
    "lo",
    "i",
    "gli",
    "le",
    "un",
    "una",
    "e",
];

/// Kinship words before a lone first name ("mio fratello Paolo"): with the
/// author known, that names a person.
const KIN: &[&str] = &[
    "fratello", "sorella", "figlio", "figlia", "madre", "padre", "mamma", "papà", "marito",
    "moglie", "nonno", "nonna", "zio", "zia", "cugino", "cugina", "nipote", "compagno", "compagna",
    "vicino", "vicina", "suocero", "suocera",
];

const TITLES: &[&str] = &[
    "sig",
    "signor",
    "signora",
    "signore",
    "sigra",
    "dott",
    "dottor",
    "dottore",
    "dottoressa",
    "avv",
    "prof",
    "geom",
    "ing",
];

fn is_first_name(w: &Word) -> bool {
    w.is_capitalised() && FIRST_NAMES.contains(&w.lower().as_str())
}

fn is_surname_like(w: &Word) -> bool {
    w.is_capitalised() && !NOT_SURNAMES.contains(&w.lower().as_str())
}

/// Two words separated by one space only (no punctuation between).
fn adjacent(text: &str, a: &Word, b: &Word) -> bool {
    text.get(a.end..b.start) == Some(" ")
}

/// Is word `i` the start of a street's name ("via Paolo Fabbri", "piazza
/// dei Martiri")? Then it names a street, not a person.
fn in_street_name(words: &[Word], i: usize) -> bool {
    let street = |w: &Word| STREET_WORDS.contains(&w.lower().as_str());
    let connector = |w: &Word| CONNECTORS.contains(&w.lower().as_str());
    match i {
        0 => false,
        1 => street(&words[0]),
        _ => street(&words[i - 1]) || (connector(&words[i - 1]) && street(&words[i - 2])),
    }
}

pub(crate) fn find(text: &str, words: &[Word]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < words.len() {
        let (a, b) = (&words[i], &words[i + 1]);
        if in_street_name(words, i) {
            i += 1;
            continue;
        }
        let first_then_surname = is_first_name(a) && is_surname_like(b) && adjacent(text, a, b);
        let surname_then_first =
            is_surname_like(a) && !is_first_name(a) && is_first_name(b) && adjacent(text, a, b);
        if first_then_surname || surname_then_first {
            let mut end = i + 1;
            // "Maria Luisa Rossi", "Mario De Luca": take the whole name.
            while end + 1 < words.len()
                && is_surname_like(&words[end + 1])
                && adjacent(text, &words[end], &words[end + 1])
            {
                end += 1;
            }
            out.push(a.start..words[end].end);
            i = end + 1;
            continue;
        }
        if KIN.contains(&a.lower().as_str()) && is_first_name(b) && adjacent(text, a, b) {
            out.push(b.start..b.end);
            i += 2;
            continue;
        }
        if TITLES.contains(&a.lower().as_str()) {
            // "Sig.ra Bianchi", "Dott.ssa Neri": skip the abbreviation's tail.
            let mut k = i + 1;
            if matches!(words[k].text, "ra" | "ssa") {
                k += 1;
            }
            if let Some(s) = words.get(k) {
                let gap = text.get(a.end..s.start).unwrap_or("");
                let short_gap = gap.len() <= 6
                    && gap
                        .chars()
                        .all(|c| c == ' ' || c == '.' || c.is_alphabetic());
                if is_surname_like(s) && short_gap {
                    out.push(a.start..s.end);
                    i = k + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::text::words;
    use super::*;

    fn names(t: &str) -> Vec<&str> {
        find(t, &words(t)).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn names_with_first_names_or_titles_are_found() {
        assert_eq!(
            names("ieri Mario Rossi e Rossi Maria"),
            vec!["Mario Rossi", "Rossi Maria"]
        );
        assert_eq!(names("la sig.ra Bianchi"), vec!["sig.ra Bianchi"]);
        assert_eq!(
            names("Maria Luisa De Santis"),
            vec!["Maria Luisa De Santis"]
        );
    }

    #[test]
    fn institutions_and_streets_are_not_names() {
        assert_eq!(
            names("Casa Residenza Anziani, Centro Diurno, Maria. Rossi"),
            Vec::<&str>::new()
        );
        assert_eq!(names("Maria Via Emilia"), Vec::<&str>::new());
        assert_eq!(
            names("via Paolo Fabbri, piazza dei Martiri Luca"),
            Vec::<&str>::new()
        );
    }
}
