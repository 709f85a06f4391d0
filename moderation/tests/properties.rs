//! Property tests for the personal-data detectors: valid identifiers built
//! from their definitions are found with their exact span wherever they
//! sit in a sentence; one changed character makes the check fail and the
//! hit disappear.

mod common;

use common::{Rng as Seeded, *};
use openwelfare_moderation::personal_data::{
    codice_fiscale_is_valid, iban_is_valid, partita_iva_is_valid, tessera_sanitaria_is_valid,
};
use openwelfare_moderation::{detect, Kind};
use proptest::prelude::*;

const BEFORE: [&str; 5] = [
    "",
    "Il dato è ",
    "Scrivo per conto di mia madre: ",
    "(",
    "Nel 2023, al CAP 40121, ",
];
const AFTER: [&str; 5] = [
    "",
    ".",
    ", grazie.",
    ") e poi 12.345 contatti",
    " — aggiornato al 01/02/2024",
];

/// The spans of hits of `kind` in `text`, as text.
fn found(text: &str, kind: Kind) -> Vec<String> {
    detect(text)
        .into_iter()
        .filter(|h| h.kind == kind)
        .map(|h| text[h.span].to_string())
        .collect()
}

fn embed(value: &str, b: usize, a: usize) -> String {
    format!(
        "{}{value}{}",
        BEFORE[b % BEFORE.len()],
        AFTER[a % AFTER.len()]
    )
}

/// `s` with the character at `pos` replaced by another of the same class
/// (digit by digit, letter by letter), so the shape still matches.
fn mutate(s: &str, pos: usize, shift: u8) -> String {
    let mut b = s.as_bytes().to_vec();
    let i = pos % b.len();
    let c = b[i];
    b[i] = if c.is_ascii_digit() {
        b'0' + (c - b'0' + 1 + shift % 9) % 10
    } else if c.is_ascii_uppercase() {
        b'A' + (c - b'A' + 1 + shift % 25) % 26
    } else {
        c
    };
    String::from_utf8(b).unwrap_or_default()
}

fn cf_strategy() -> impl Strategy<Value = String> {
    (
        prop::array::uniform3(b'A'..=b'Z'),
        prop::array::uniform3(b'A'..=b'Z'),
        0u8..100,
        0usize..12,
        1u8..=31,
        any::<bool>(),
        b'A'..=b'Z',
        1u16..1000,
        0usize..=7,
    )
        .prop_map(|(s, n, y, m, d, f, cl, cd, o)| build_cf(&s, &n, y, m, d, f, cl, cd, o))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn valid_codici_fiscali_with_omocodia_are_found(cf in cf_strategy(), b in 0usize..5, a in 0usize..5, lower in any::<bool>()) {
        let written = if lower { cf.to_lowercase() } else { cf.clone() };
        prop_assert!(codice_fiscale_is_valid(&cf));
        prop_assert_eq!(found(&embed(&written, b, a), Kind::CodiceFiscale), vec![written]);
    }

    #[test]
    fn a_codice_fiscale_with_one_character_changed_is_not_found(cf in cf_strategy(), pos in 0usize..16, shift in any::<u8>(), b in 0usize..5, a in 0usize..5) {
        let bad = mutate(&cf, pos, shift);
        // Only mutations the check character catches: '0' and 'A' weigh
        // the same, so a few changes keep the sum.
        prop_assume!(cf_check(&bad.as_bytes()[..15]) != bad.as_bytes()[15]);
        prop_assert!(!codice_fiscale_is_valid(&bad));
        prop_assert_eq!(found(&embed(&bad, b, a), Kind::CodiceFiscale), Vec::<String>::new());
    }

    #[test]
    fn valid_partite_iva_are_found_and_one_changed_digit_is_not(seed in any::<u64>(), pos in 0usize..11, shift in any::<u8>(), b in 0usize..5, a in 0usize..5) {
        let piva = gen_piva(&mut Seeded::new(seed));
        prop_assert!(partita_iva_is_valid(&piva));
        prop_assert_eq!(found(&embed(&piva, b, a), Kind::PartitaIva), vec![piva.clone()]);
        let bad = mutate(&piva, pos, shift);
        prop_assert!(!partita_iva_is_valid(&bad));
        prop_assert_eq!(found(&embed(&bad, b, a), Kind::PartitaIva), Vec::<String>::new());
    }

    #[test]
    fn valid_ibans_are_found_compact_and_in_paper_format(seed in any::<u64>(), country in 0usize..6, paper_format in any::<bool>(), b in 0usize..5, a in 0usize..5) {
        let iban = gen_iban_for(&mut Seeded::new(seed), IBAN_COUNTRIES[country]);
        let written = if paper_format { paper(&iban) } else { iban.clone() };
        prop_assert!(iban_is_valid(&written), "{}", written);
        prop_assert_eq!(found(&embed(&written, b, a), Kind::Iban), vec![written]);
    }

    #[test]
    fn an_iban_with_one_character_changed_is_not_found(seed in any::<u64>(), country in 0usize..6, pos in 2usize..40, shift in any::<u8>(), b in 0usize..5, a in 0usize..5) {
        let iban = gen_iban_for(&mut Seeded::new(seed), IBAN_COUNTRIES[country]);
        // Not the country code: that would make it another country's.
        let bad = mutate(&iban, 2 + pos % (iban.len() - 2), shift);
        prop_assert!(!iban_is_valid(&bad), "{} -> {}", iban, bad);
        prop_assert_eq!(found(&embed(&bad, b, a), Kind::Iban), Vec::<String>::new());
    }

    #[test]
    fn italian_phone_numbers_in_varied_formats_are_found(seed in any::<u64>(), b in 0usize..4, a in 0usize..5) {
        let phone = gen_phone(&mut Seeded::new(seed));
        let text = embed(&phone, b, a);
        prop_assert_eq!(found(&text, Kind::Phone), vec![phone], "{}", text);
    }

    #[test]
    fn e_mail_addresses_are_found(seed in any::<u64>(), b in 0usize..5, a in 0usize..5) {
        let email = gen_email(&mut Seeded::new(seed));
        prop_assert_eq!(found(&embed(&email, b, a), Kind::Email), vec![email]);
    }

    #[test]
    fn tessera_sanitaria_numbers_are_found_and_one_changed_digit_is_not(seed in any::<u64>(), pos in 5usize..20, shift in any::<u8>(), b in 0usize..5, a in 0usize..5) {
        let ts = gen_tessera(&mut Seeded::new(seed));
        prop_assert!(tessera_sanitaria_is_valid(&ts));
        prop_assert_eq!(found(&embed(&ts, b, a), Kind::TesseraSanitaria), vec![ts.clone()]);
        let bad = mutate(&ts, pos, shift);
        prop_assert_eq!(found(&embed(&bad, b, a), Kind::TesseraSanitaria), Vec::<String>::new());
    }

    #[test]
    fn an_address_next_to_a_name_is_found(seed in any::<u64>(), name_first in any::<bool>()) {
        let mut rng = Seeded::new(seed);
        let (name, address) = (gen_name(&mut rng), gen_address(&mut rng));
        let text = if name_first {
            format!("Segnalo che {name}, {address}, non riceve il pasto.")
        } else {
            format!("In {address} vive {name} da solo.")
        };
        prop_assert_eq!(found(&text, Kind::Address), vec![address], "{}", text);
    }
}
