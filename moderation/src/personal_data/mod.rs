//! Personal data found in a text before it is published: identifiers
//! (codice fiscale, partita IVA, IBAN, phone numbers, e-mail addresses,
//! tessera sanitaria numbers, a street address next to a person) and
//! special-category data (GDPR Art. 9: a health or disability term next to
//! a person's name or address).
//!
//! Every detector takes the text and returns hits with byte spans, so the
//! author can be told what was found and the moderator sees it highlighted.
//! Precision matters as much as recall: the people discussed here are often
//! social-services users, but most texts are about welfare *data* (years,
//! counts, CAPs, dates, figures, links), and a filter that holds those
//! would be switched off. So every identifier with a check digit has it
//! verified, numbers that are part of a larger figure or a URL are skipped,
//! and context (a name, a street) is required where the shape alone is
//! ambiguous.
//!
//! All patterns are ASCII; detectors scan bytes and only start or end a
//! span on an ASCII byte, so every span lies on `char` boundaries.

mod address;
mod codice_fiscale;
mod context;
mod email;
mod health;
mod iban;
mod names;
mod partita_iva;
mod phone;
mod tessera;
mod text;

use serde::{Deserialize, Serialize};
use std::ops::Range;

pub use codice_fiscale::is_valid as codice_fiscale_is_valid;
pub use iban::is_valid as iban_is_valid;
pub use partita_iva::is_valid as partita_iva_is_valid;
pub use tessera::is_valid as tessera_sanitaria_is_valid;

/// What kind of personal data a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CodiceFiscale,
    PartitaIva,
    Iban,
    Phone,
    Email,
    TesseraSanitaria,
    /// A street and house number next to a person (a name, or "abita in").
    Address,
    /// A health or disability term next to a person's name or address
    /// (GDPR Art. 9 special category).
    SpecialCategory,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::CodiceFiscale,
        Kind::PartitaIva,
        Kind::Iban,
        Kind::Phone,
        Kind::Email,
        Kind::TesseraSanitaria,
        Kind::Address,
        Kind::SpecialCategory,
    ];

    /// The stable id used in the policy file and the API.
    pub fn id(self) -> &'static str {
        match self {
            Kind::CodiceFiscale => "codice_fiscale",
            Kind::PartitaIva => "partita_iva",
            Kind::Iban => "iban",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::TesseraSanitaria => "tessera_sanitaria",
            Kind::Address => "address",
            Kind::SpecialCategory => "special_category",
        }
    }

    /// What was found, as the author is told it (Italian).
    pub fn label_it(self) -> &'static str {
        match self {
            Kind::CodiceFiscale => "un codice fiscale",
            Kind::PartitaIva => "una partita IVA",
            Kind::Iban => "un IBAN",
            Kind::Phone => "un numero di telefono",
            Kind::Email => "un indirizzo e-mail",
            Kind::TesseraSanitaria => "un numero di tessera sanitaria",
            Kind::Address => "un indirizzo con numero civico accanto a una persona",
            Kind::SpecialCategory => {
                "un dato sulla salute o sulla disabilità accanto a una persona"
            }
        }
    }

    /// What was found, as the author is told it (English).
    pub fn label_en(self) -> &'static str {
        match self {
            Kind::CodiceFiscale => "an Italian tax code (codice fiscale)",
            Kind::PartitaIva => "a VAT number (partita IVA)",
            Kind::Iban => "an IBAN",
            Kind::Phone => "a phone number",
            Kind::Email => "an e-mail address",
            Kind::TesseraSanitaria => "a health card number (tessera sanitaria)",
            Kind::Address => "a street address with house number next to a person",
            Kind::SpecialCategory => "health or disability information next to a person",
        }
    }
}

/// One piece of personal data found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub kind: Kind,
    /// Byte offsets into the text, on `char` boundaries.
    pub span: Range<usize>,
}

/// Every hit in `text`, ordered by start then kind. Hits of different
/// kinds may overlap (an 11-digit landline can also pass the partita IVA
/// check); the moderator sees both.
pub fn detect(text: &str) -> Vec<Hit> {
    let urls = text::url_ranges(text);
    let mut hits = Vec::new();
    let mut push = |kind: Kind, spans: Vec<Range<usize>>| {
        for span in spans {
            if !text::overlaps_any(&span, &urls) {
                hits.push(Hit { kind, span });
            }
        }
    };
    push(Kind::CodiceFiscale, codice_fiscale::find(text));
    push(Kind::PartitaIva, partita_iva::find(text));
    push(Kind::Iban, iban::find(text));
    push(Kind::Phone, phone::find(text));
    push(Kind::Email, email::find(text));
    push(Kind::TesseraSanitaria, tessera::find(text));
    let words = text::words(text);
    let names = names::find(text, &words);
    let addresses = address::find(text, &words, &names);
    let special = health::find(&words, &names, &addresses);
    push(Kind::Address, addresses);
    push(Kind::SpecialCategory, special);
    // Digits inside an IBAN or a tessera sanitaria number can look like a
    // phone or a partita IVA; the longer identifier is what was found.
    let containers: Vec<Range<usize>> = hits
        .iter()
        .filter(|h| matches!(h.kind, Kind::Iban | Kind::TesseraSanitaria))
        .map(|h| h.span.clone())
        .collect();
    hits.retain(|h| {
        !matches!(h.kind, Kind::Phone | Kind::PartitaIva)
            || !containers
                .iter()
                .any(|c| c.start <= h.span.start && h.span.end <= c.end)
    });
    hits.sort_by_key(|h| (h.span.start, h.kind));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        detect(text).into_iter().map(|h| h.kind).collect()
    }

    #[test]
    fn ordinary_welfare_text_has_no_hits() {
        for text in [
            "Nel 2023 gli accessi allo sportello sociale sono stati 12.345.",
            "Il dato è del 3,5 per mille, in calo dal 2019 al 2022.",
            "CAP 40121, quartiere Santo Stefano: 1.234 nuclei familiari.",
            "Aggiornato il 01/02/2024 alle 08.30-12.30, vedi https://dati.comune.bologna.it/explore/dataset/3331234567",
            "Tabella 2.1: 45.678 contatti, 3.456.789 euro, +12,5% rispetto al 2021.",
            "Il numero verde 800 123 456 risponde dal lunedì al venerdì.",
            "L'assessora Maria Rossi ha presentato il piano per la disabilità.",
            "Lo sportello di via Montebello 8 è aperto il martedì.",
            "Protocollo n. 0012345/2024 del 12.03.2024, pratica 2024/00123.",
        ] {
            assert_eq!(detect(text), vec![], "{text}");
        }
    }

    #[test]
    fn hits_in_one_text_are_all_found_with_their_spans() {
        let text = "Scrivete a mario.rossi@example.it o al 333 123 4567, CF RSSMRA85T10A562S.";
        let hits = detect(text);
        let found: Vec<(Kind, &str)> = hits
            .iter()
            .map(|h| (h.kind, &text[h.span.clone()]))
            .collect();
        assert_eq!(
            found,
            vec![
                (Kind::Email, "mario.rossi@example.it"),
                (Kind::Phone, "333 123 4567"),
                (Kind::CodiceFiscale, "RSSMRA85T10A562S"),
            ]
        );
    }

    #[test]
    fn nothing_inside_a_url_is_a_hit() {
        assert_eq!(
            kinds("https://example.org/u/RSSMRA85T10A562S?tel=3331234567"),
            vec![]
        );
        assert_eq!(kinds("www.example.org/IT60X0542811101000000123456"), vec![]);
        assert_eq!(kinds("vedi example.org/3331234567"), vec![]);
    }
}
