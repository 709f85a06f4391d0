//! Special-category data (GDPR Art. 9): a health, disability, addiction or
//! care term within a few words of a personal name or of a personal
//! address. The terms alone are the everyday subject of welfare text ("i
//! servizi per la disabilità") and are not hits; next to a person they
//! say something about that person's health, which is held for a
//! moderator rather than refused (it may be the person speaking of
//! themself, or a report that needs a human eye).

use super::context::{is_role_or_institution, stem_matches};
use super::text::Word;
use std::ops::Range;

/// Terms, lowercase; a trailing `*` matches any ending (`disabil*`:
/// disabile, disabili, disabilità), several words must follow each other.
const TERMS: &[&str] = &[
    // Diagnoses.
    "alzheimer*",
    "parkinson*",
    "demenz*",
    "schizofreni*",
    "bipolar*",
    "psicos*",
    "psicotic*",
    "depression*",
    "depress*",
    "autism*",
    "autistic*",
    "asperger",
    "adhd",
    "epiless*",
    "epilettic*",
    "sclerosi",
    "sla",
    "hiv",
    "aids",
    "sieropositiv*",
    "cancro",
    "tumore",
    "tumori",
    "leucemi*",
    "oncologic*",
    "chemioterapi*",
    "diabet*",
    "ictus",
    "infarto",
    "anoressi*",
    "bulimi*",
    "disturbo alimentare",
    "disturbi alimentari",
    "sindrome di down",
    "ritardo mentale",
    "disturbo psichiatrico",
    "psichiatric*",
    "salute mentale",
    "tso",
    "dialisi",
    "trapiant*",
    "epatite",
    "tubercolosi",
    "cirrosi",
    // Disabilities.
    "disabil*",
    "invalidità",
    "invalido",
    "invalida",
    "invalidi",
    "handicap*",
    "portatore di handicap",
    "paraplegic*",
    "tetraplegic*",
    "non vedent*",
    "ciec*",
    "ipovedent*",
    "sordo",
    "sorda",
    "sordi",
    "sordomut*",
    "carrozzina",
    "legge 104",
    // Addictions.
    "tossicodipendent*",
    "tossicodipendenz*",
    "tossicomane",
    "eroinoman*",
    "alcolist*",
    "alcolism*",
    "alcoldipendent*",
    "ludopati*",
    "gioco azzardo patologico",
    "overdose",
    "sert",
    "serd",
    "metadone",
    // Care situations.
    "non autosufficient*",
    "allettat*",
    "badante",
    "assistenza domiciliare",
    "hospice",
    "cure palliative",
    "rsa",
    "amministratore di sostegno",
    "interdett*",
    "disagio psichico",
];

/// How many words away a name or address may be.
const WINDOW: usize = 6;

/// Words that, between a person and a term, make the term a subject the
/// person works on rather than something about them (besides the roles
/// and institutions of `context`) ("Maria Rossi ha
/// presentato il piano per la disabilità"). Stems, as in `TERMS`.
const TOPIC: &[&str] = &[
    "piano*",
    "serviz*",
    "politic*",
    "progett*",
    "assessor*",
    "delega",
    "deleghe",
    "fond*",
    "centr*",
    "band*",
    "legg*",
    "consult*",
    "associazion*",
    "giornat*",
    "tavol*",
    "osservatori*",
    "uffic*",
    "sportell*",
    "ret*",
    "percors*",
    "prevenzion*",
    "convegn*",
    "incontr*",
    "ricerc*",
    "dati",
    "tem*",
    "settor*",
    "riform*",
    "spesa",
    "budget",
    "campagn*",
    "sensibilizzazion*",
    "iniziativ*",
    "interventi",
    "struttur*",
    "report*",
    "rapport*",
    "studi*",
    "statistic*",
    "presentat*",
    "parlat*",
    "discuss*",
];

fn word_matches(pattern: &str, word: &str) -> bool {
    stem_matches(pattern, word)
}

/// Word-index ranges `[a, b)` of every term in `words`.
fn terms(lower: &[String]) -> Vec<(usize, usize)> {
    let split: Vec<Vec<&str>> = TERMS.iter().map(|t| t.split(' ').collect()).collect();
    let mut out = Vec::new();
    for i in 0..lower.len() {
        for parts in &split {
            let n = parts.len();
            if i + n <= lower.len()
                && parts
                    .iter()
                    .zip(&lower[i..i + n])
                    .all(|(p, w)| word_matches(p, w))
            {
                out.push((i, i + n));
                break;
            }
        }
    }
    out
}

pub(crate) fn find(
    words: &[Word],
    names: &[Range<usize>],
    addresses: &[Range<usize>],
) -> Vec<Range<usize>> {
    if words.is_empty() || (names.is_empty() && addresses.is_empty()) {
        return Vec::new();
    }
    // "l'autismo", "dell'HIV": the term is the part after the elision.
    let lower: Vec<String> = words
        .iter()
        .map(|w| w.after_apostrophe().to_lowercase())
        .collect();
    let mut out: Vec<Range<usize>> = Vec::new();
    for (a, b) in terms(&lower) {
        let from = words[a.saturating_sub(WINDOW)].start;
        let to = words[(b - 1 + WINDOW).min(words.len() - 1)].end;
        let term = words[a].start..words[b - 1].end;
        let about_person = |p: &&Range<usize>| {
            let (gap_from, gap_to) = if p.end <= term.start {
                (p.end, term.start)
            } else {
                (term.end, p.start)
            };
            !words.iter().zip(&lower).any(|(w, l)| {
                w.start >= gap_from
                    && w.end <= gap_to
                    && (TOPIC.iter().any(|t| word_matches(t, l)) || is_role_or_institution(l))
            })
        };
        let person = names
            .iter()
            .chain(addresses)
            // A name or address reaching into the window is next to it.
            .filter(|p| p.end >= from && p.start <= to)
            .filter(about_person)
            .min_by_key(|p| p.start.abs_diff(term.start));
        if let Some(p) = person {
            let span = p.start.min(term.start)..p.end.max(term.end);
            // One hit per person and region: merge overlapping spans.
            match out.last_mut() {
                Some(last) if last.end >= span.start => {
                    last.start = last.start.min(span.start);
                    last.end = last.end.max(span.end);
                }
                _ => out.push(span),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{address, names, text::words};
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let w = words(t);
        let n = names::find(t, &w);
        let a = address::find(t, &w, &n);
        find(&w, &n, &a).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn a_term_next_to_a_name_or_address_is_special_category() {
        assert_eq!(
            found("Mario Rossi è tossicodipendente"),
            vec!["Mario Rossi è tossicodipendente"]
        );
        assert_eq!(
            found("la figlia, con autismo, abita in via Emilia 12"),
            vec!["autismo, abita in via Emilia 12"]
        );
        assert_eq!(
            found("Il sig. Bianchi ha la sindrome di Down"),
            vec!["sig. Bianchi ha la sindrome di Down"]
        );
        assert_eq!(
            found("Rossi Maria, in cura per l'alcolismo"),
            vec!["Rossi Maria, in cura per l'alcolismo"]
        );
    }

    #[test]
    fn terms_without_a_person_are_not() {
        for t in [
            "I servizi per la disabilità del Comune di Bologna",
            "Nel 2023 1.234 persone con demenza, via Emilia 12 il centro diurno",
            "L'assessora Maria Rossi ha presentato il piano per la disabilità",
            "Anna Bianchi, responsabile dei servizi per l'autismo",
            "Maria Rossi, coordinatrice del SerD di via Paolo Fabbri 6",
            "Mario Rossi ha presentato il piano. Poi, molto dopo, in un altro capitolo, si parla di tutt'altro argomento: la disabilità",
        ] {
            assert_eq!(found(t), Vec::<&str>::new(), "{t}");
        }
    }
}
