//! Languages: Italian first, English second. Texts are written as pairs
//! where they are used (`lang.pick("Mappa", "Map")`), so a template shows
//! both versions side by side; numbers and dates follow the locale.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    It,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of it/en for an `Accept-Language` header, by q-value; Italian when neither is asked for.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            if let Some(lang) = Lang::parse(primary) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    pub fn pick<'a>(self, it: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::It => it,
            Lang::En => en,
        }
    }

    /// `1.234,5` in Italian, `1,234.5` in English.
    pub fn number(self, value: f64, decimals: usize) -> String {
        let (group, decimal) = match self {
            Lang::It => ('.', ','),
            Lang::En => (',', '.'),
        };
        let text = format!("{:.*}", decimals, value.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::new();
        if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            out.push('-');
        }
        // Grouped from 1,000 in both languages, so table columns line up.
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(decimal);
            out.push_str(frac);
        }
        out
    }

    /// "26 novembre 2026" / "26 November 2026".
    pub fn date(self, year: i32, month: u8, day: u8) -> String {
        const IT: [&str; 12] = [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let index = usize::from(month.clamp(1, 12) - 1);
        let name = match self {
            Lang::It => IT[index],
            Lang::En => EN[index],
        };
        format!("{day} {name} {year}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_locale() {
        assert_eq!(Lang::It.number(1234567.891, 1), "1.234.567,9");
        assert_eq!(Lang::En.number(1234567.891, 1), "1,234,567.9");
        assert_eq!(Lang::It.number(7974.0, 0), "7.974");
        assert_eq!(Lang::It.number(0.106, 3), "0,106");
        assert_eq!(Lang::En.number(-12.0, 0), "-12");
        assert_eq!(Lang::It.number(-0.0001, 1), "0,0");
        assert_eq!(Lang::En.number(999.0, 0), "999");
    }

    #[test]
    fn accept_language_picks_by_quality_and_defaults_to_italian() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("de-DE,en;q=0.5,it;q=0.8"),
            Lang::It
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::It);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::It);
        assert_eq!(Lang::from_accept_language(""), Lang::It);
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(Lang::It.date(2026, 11, 26), "26 novembre 2026");
        assert_eq!(Lang::En.date(2026, 11, 26), "26 November 2026");
    }
}
