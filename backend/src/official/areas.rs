//! Area identity: stable codes, URL slugs, and the alias normal form that
//! lets "S. Donato", "San Donato" and "SAN DONATO" find the same quartiere.

use unicode_normalization::UnicodeNormalization;

/// Code of a 2014 quartiere by its official number (NUMQUART).
pub fn quartiere_2014_code(number: u8) -> String {
    format!("q2014-{number}")
}

/// Code of a zona (2014 boundaries) by its official number (e.g. 21).
pub fn zona_code(number: u8) -> String {
    format!("z2014-{number}")
}

/// Code of a 2016 quartiere by its slug.
pub fn quartiere_2016_code(slug: &str) -> String {
    format!("q2016-{slug}")
}

/// Lower-case ASCII words joined by `-`: "San Donato-San Vitale" -> "san-donato-san-vitale".
pub fn slugify(name: &str) -> String {
    words(name).join("-")
}

/// The alias normal form: lower case, accents and punctuation dropped, a
/// leading "quartiere" removed, words separated by one space. "S. Donato"
/// stays distinct from "San Donato" (S. may be San or Santo), so both forms
/// are stored as aliases where the official files use them.
pub fn normalize_alias(name: &str) -> String {
    let mut words = words(name);
    if words.len() > 1 && words[0] == "quartiere" {
        words.remove(0);
    }
    words.join(" ")
}

fn words(name: &str) -> Vec<String> {
    let folded: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_fold_case_accents_punctuation_and_prefix() {
        assert_eq!(normalize_alias("SAN DONATO"), "san donato");
        assert_eq!(normalize_alias("  San   Donato "), "san donato");
        assert_eq!(normalize_alias("Quartiere S. Donato"), "s donato");
        assert_eq!(normalize_alias("S.Donato"), "s donato");
        assert_eq!(normalize_alias("Città"), "citta");
        assert_eq!(
            normalize_alias("Borgo Panigale-Reno"),
            "borgo panigale reno"
        );
        assert_ne!(
            normalize_alias("S. Donato"),
            normalize_alias("Santo Stefano")
        );
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("San Donato-San Vitale"), "san-donato-san-vitale");
        assert_eq!(slugify("Santo Stefano"), "santo-stefano");
        assert_eq!(quartiere_2016_code(&slugify("Navile")), "q2016-navile");
    }
}
