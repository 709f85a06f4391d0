//! The moderation policy as data: report reasons, the report threshold,
//! limits for new accounts, near-duplicates, word lists, the sign-up
//! checks, and what happens to each kind of personal data. Defaults are
//! compiled in ([`Policy::default`]); a TOML file overrides any part of
//! them ([`Policy::from_toml`]), and a wrong field is named in the error.

use crate::personal_data::Kind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Published; the finding is kept for the record only.
    Accept,
    /// Stored, shown to its author only, until a moderator decides.
    Hold,
    /// Not stored; the author is told why.
    Refuse,
}

/// A reason a person can give when reporting content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportReason {
    pub id: String,
    pub label_it: String,
    pub label_en: String,
}

/// Reports: the reasons offered and when reports hold content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reports {
    pub reasons: Vec<ReportReason>,
    /// Total weight of distinct reporters that holds content for review
    /// (Decidim's `max_reports_before_hiding` is 3). A report weighs
    /// 1 + the reporter's trust level, as a flag does in Discourse.
    pub hold_threshold: u32,
    /// Trust levels above this count as this (Discourse has 0-4).
    pub max_trust_level: u8,
}

/// Limits for accounts at trust level 0 (Discourse's "new user").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewAccounts {
    /// Accounts at or below this trust level are new.
    pub trust_level: u8,
    pub max_links: usize,
    pub max_mentions: usize,
    /// Seconds between two posts.
    pub min_seconds_between_posts: u64,
    /// Limits during the account's first day.
    pub first_day_seconds: u64,
    pub max_replies_first_day: u32,
    pub max_threads_first_day: u32,
}

/// Near-duplicates of the author's recent texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NearDuplicate {
    /// Jaccard similarity of word shingles at or above which a text is a
    /// near-duplicate (0 < t <= 1).
    pub threshold: f64,
    /// Words per shingle.
    pub shingle_words: usize,
}

/// Word lists in Italian and English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WordList {
    pub it: Vec<String>,
    pub en: Vec<String>,
}

impl WordList {
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.it.iter().chain(&self.en).map(String::as_str)
    }
}

/// Words and phrases that hold or refuse a text (matched as whole words,
/// ignoring case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Words {
    pub hold: WordList,
    pub refuse: WordList,
}

/// Checks on the sign-up form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Signup {
    /// A field hidden from people; bots fill it in.
    pub honeypot_field: String,
    /// A form filled in faster than this is a bot.
    pub min_fill_seconds: u64,
}

/// What each kind of personal data does. Default: everything held —
/// content with a hit is not published; the author is told what was found
/// and can edit it out, and a moderator sees the span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonalData {
    pub codice_fiscale: Outcome,
    pub partita_iva: Outcome,
    pub iban: Outcome,
    pub phone: Outcome,
    pub email: Outcome,
    pub tessera_sanitaria: Outcome,
    pub address: Outcome,
    pub special_category: Outcome,
    /// Public contact e-mail addresses (an office's, a service's) that are
    /// not personal data; compared ignoring case.
    pub public_emails: Vec<String>,
    /// Public phone numbers (switchboards, help lines), compared by their
    /// digits without the +39 / 0039 prefix.
    pub public_phones: Vec<String>,
}

/// A phone number's digits without the international prefix.
fn phone_digits(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    let trimmed = if s.trim_start().starts_with('+') || s.trim_start().starts_with("(+") {
        d.strip_prefix("39")
    } else {
        d.strip_prefix("0039")
    };
    trimmed.map_or(d.clone(), str::to_string)
}

impl PersonalData {
    /// Is this hit (its kind and text) a public contact the policy lists?
    pub fn is_public(&self, kind: Kind, found: &str) -> bool {
        match kind {
            Kind::Email => self
                .public_emails
                .iter()
                .any(|e| e.trim().eq_ignore_ascii_case(found)),
            Kind::Phone => {
                let d = phone_digits(found);
                self.public_phones.iter().any(|p| phone_digits(p) == d)
            }
            _ => false,
        }
    }

    pub fn outcome(&self, kind: Kind) -> Outcome {
        match kind {
            Kind::CodiceFiscale => self.codice_fiscale,
            Kind::PartitaIva => self.partita_iva,
            Kind::Iban => self.iban,
            Kind::Phone => self.phone,
            Kind::Email => self.email,
            Kind::TesseraSanitaria => self.tessera_sanitaria,
            Kind::Address => self.address,
            Kind::SpecialCategory => self.special_category,
        }
    }
}

/// The whole policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub reports: Reports,
    pub new_accounts: NewAccounts,
    pub near_duplicate: NearDuplicate,
    pub words: Words,
    pub signup: Signup,
    pub personal_data: PersonalData,
}

fn reason(id: &str, it: &str, en: &str) -> ReportReason {
    ReportReason {
        id: id.into(),
        label_it: it.into(),
        label_en: en.into(),
    }
}

impl Default for Reports {
    fn default() -> Self {
        Reports {
            reasons: vec![
                reason("spam", "Spam o pubblicità", "Spam or advertising"),
                reason("harassment", "Molestie o insulti", "Harassment or insults"),
                reason("hate", "Incitamento all'odio", "Hate speech"),
                reason(
                    "personal_data",
                    "Dati personali di qualcuno",
                    "Someone's personal data",
                ),
                reason("illegal_content", "Contenuto illegale", "Illegal content"),
                reason("misinformation", "Informazioni false", "False information"),
                reason("off_topic", "Fuori tema", "Off topic"),
                reason("other", "Altro", "Other"),
            ],
            hold_threshold: 3,
            max_trust_level: 4,
        }
    }
}

impl Default for NewAccounts {
    fn default() -> Self {
        NewAccounts {
            trust_level: 0,
            max_links: 2,
            max_mentions: 2,
            min_seconds_between_posts: 30,
            first_day_seconds: 24 * 60 * 60,
            max_replies_first_day: 10,
            max_threads_first_day: 3,
        }
    }
}

impl Default for NearDuplicate {
    fn default() -> Self {
        NearDuplicate {
            threshold: 0.8,
            shingle_words: 3,
        }
    }
}

fn list(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

impl Default for Words {
    /// A short starting list (insults held for a human eye; threats and
    /// common spam refused), meant to be tuned in the policy file.
    fn default() -> Self {
        Words {
            hold: WordList {
                it: list(&[
                    "idiota",
                    "imbecille",
                    "cretino",
                    "deficiente",
                    "stronzo",
                    "vaffanculo",
                ]),
                en: list(&["idiot", "moron", "asshole", "fuck you"]),
            },
            refuse: WordList {
                it: list(&[
                    "ti ammazzo",
                    "ti uccido",
                    "casinò online",
                    "guadagni facili",
                ]),
                en: list(&["i will kill you", "online casino", "buy viagra"]),
            },
        }
    }
}

impl Default for Signup {
    fn default() -> Self {
        Signup {
            honeypot_field: "website".into(),
            min_fill_seconds: 3,
        }
    }
}

impl Default for PersonalData {
    fn default() -> Self {
        PersonalData {
            codice_fiscale: Outcome::Hold,
            partita_iva: Outcome::Hold,
            iban: Outcome::Hold,
            phone: Outcome::Hold,
            email: Outcome::Hold,
            tessera_sanitaria: Outcome::Hold,
            address: Outcome::Hold,
            special_category: Outcome::Hold,
            public_emails: Vec::new(),
            public_phones: Vec::new(),
        }
    }
}

/// A policy file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The field, as a dotted path when known (`reports.hold_threshold`).
    pub field: Option<String>,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "moderation policy")?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Reads a policy file: anything it leaves out keeps its default.
    pub fn from_toml(source: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(source).map_err(|e| {
            let line = e
                .span()
                .map(|s| source[..s.start.min(source.len())].matches('\n').count() + 1);
            PolicyError {
                field: match line {
                    Some(l) => field_at(source, l, e.message()),
                    None => quoted_field(e.message()),
                },
                line,
                message: e.message().trim().to_string(),
            }
        })?;
        policy.validate().map_err(|(field, message)| PolicyError {
            line: line_of(source, field),
            field: Some(field.to_string()),
            message,
        })?;
        Ok(policy)
    }

    /// Values that parse but make no sense.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.reports.hold_threshold == 0 {
            return Err(("reports.hold_threshold", "must be at least 1".into()));
        }
        let mut ids: Vec<&str> = self.reports.reasons.iter().map(|r| r.id.as_str()).collect();
        if ids.iter().any(|id| id.trim().is_empty()) {
            return Err(("reports.reasons", "a reason has an empty id".into()));
        }
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err((
                "reports.reasons",
                format!("the id `{}` appears twice", w[0]),
            ));
        }
        if !ids.contains(&"illegal_content") {
            return Err((
                "reports.reasons",
                "the reason `illegal_content` is required (EU Digital Services Act, Art. 16)"
                    .into(),
            ));
        }
        let t = self.near_duplicate.threshold;
        if !(t > 0.0 && t <= 1.0) {
            return Err((
                "near_duplicate.threshold",
                "must be above 0 and at most 1".into(),
            ));
        }
        if self.near_duplicate.shingle_words == 0 {
            return Err(("near_duplicate.shingle_words", "must be at least 1".into()));
        }
        if self.signup.honeypot_field.trim().is_empty() {
            return Err(("signup.honeypot_field", "must not be empty".into()));
        }
        Ok(())
    }

    /// The reason with this id, if the policy offers it.
    pub fn report_reason(&self, id: &str) -> Option<&ReportReason> {
        self.reports.reasons.iter().find(|r| r.id == id)
    }
}

/// The table a line (1-based) is in, and the key it sets if it starts
/// with one (not inside a multi-line array, say).
fn table_and_key_at(source: &str, line: usize) -> (Option<String>, Option<String>) {
    let header = |t: &str| t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
    let mut table: Option<String> = None;
    for (n, text) in source.lines().enumerate().take(line) {
        let t = text.trim();
        if t.starts_with('[') {
            table = Some(header(t));
            if n + 1 == line {
                return (table, None);
            }
            continue;
        }
        if n + 1 == line {
            let key = t.split('=').next().map(str::trim).unwrap_or("");
            let bare = !key.is_empty()
                && t.contains('=')
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            return (table, bare.then(|| key.to_string()));
        }
    }
    (table, None)
}

/// The dotted field an error on `line` is about: the key set on that line,
/// or the field the message names, inside the line's table.
fn field_at(source: &str, line: usize, message: &str) -> Option<String> {
    let (table, key) = table_and_key_at(source, line);
    let key = key.or_else(|| quoted_field(message));
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(t), None) => Some(t),
        (None, None) => None,
    }
}

/// The field named in backquotes in a serde message (`unknown field `x``).
fn quoted_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

/// The line on which `field` (dotted) is set, if the file sets it.
fn line_of(source: &str, field: &str) -> Option<usize> {
    let (table, key) = field.rsplit_once('.').unwrap_or(("", field));
    let mut current = String::new();
    for (n, text) in source.lines().enumerate() {
        let t = text.trim();
        if t.starts_with('[') {
            current = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            continue;
        }
        let k = t.split('=').next().map(str::trim).unwrap_or("");
        if current == table && k == key {
            return Some(n + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_issue() {
        let p = Policy::default();
        assert_eq!(p.reports.hold_threshold, 3);
        assert!(p.report_reason("illegal_content").is_some());
        assert_eq!(p.new_accounts.max_links, 2);
        assert_eq!(p.new_accounts.max_mentions, 2);
        assert_eq!(p.new_accounts.min_seconds_between_posts, 30);
        assert_eq!(p.new_accounts.max_replies_first_day, 10);
        assert_eq!(p.new_accounts.max_threads_first_day, 3);
        for kind in Kind::ALL {
            assert_eq!(p.personal_data.outcome(kind), Outcome::Hold, "{kind:?}");
        }
        assert_eq!(Policy::from_toml(""), Ok(Policy::default()));
    }

    #[test]
    fn a_file_overrides_only_what_it_sets() {
        let p = Policy::from_toml(
            "[reports]\nhold_threshold = 5\n\n[personal_data]\niban = \"refuse\"\n\n[words.hold]\nit = [\"scemo\"]\n",
        );
        let p = match p {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(p.reports.hold_threshold, 5);
        assert_eq!(p.reports.reasons, Reports::default().reasons);
        assert_eq!(p.personal_data.iban, Outcome::Refuse);
        assert_eq!(p.personal_data.phone, Outcome::Hold);
        assert_eq!(p.words.hold.it, vec!["scemo".to_string()]);
        assert_eq!(p.words.hold.en, Vec::<String>::new());
        assert_eq!(p.words.refuse, Words::default().refuse);
    }

    #[test]
    fn public_contacts_are_matched_by_address_or_digits() {
        let p = Policy::from_toml(
            "[personal_data]\npublic_emails = [\"urp@comune.bologna.it\"]\npublic_phones = [\"051 219 4455\"]\n",
        );
        let pd = match p {
            Ok(p) => p.personal_data,
            Err(e) => panic!("{e}"),
        };
        assert!(pd.is_public(Kind::Email, "URP@comune.bologna.it"));
        assert!(!pd.is_public(Kind::Email, "mario.rossi@comune.bologna.it"));
        assert!(pd.is_public(Kind::Phone, "+39 051.2194455"));
        assert!(pd.is_public(Kind::Phone, "0039 0512194455"));
        assert!(!pd.is_public(Kind::Phone, "051 219 4456"));
        assert!(!pd.is_public(Kind::Iban, "051 219 4455"));
    }

    #[test]
    fn a_wrong_type_names_the_field_and_line() {
        let e = Policy::from_toml("[reports]\n\nhold_threshold = \"tre\"\n").err();
        let e = e.unwrap_or_else(|| panic!("accepted a string threshold"));
        assert_eq!(e.field.as_deref(), Some("reports.hold_threshold"));
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("reports.hold_threshold"), "{e}");
    }

    #[test]
    fn an_unknown_field_or_outcome_is_named() {
        let e = Policy::from_toml("[new_accounts]\nmax_link = 3\n").err();
        let e = e.unwrap_or_else(|| panic!("accepted a misspelt field"));
        assert_eq!(e.field.as_deref(), Some("new_accounts.max_link"));
        assert!(e.message.contains("unknown field"), "{e}");
        let e = Policy::from_toml("[personal_data]\nphone = \"maybe\"\n").err();
        let e = e.unwrap_or_else(|| panic!("accepted an unknown outcome"));
        assert_eq!(e.field.as_deref(), Some("personal_data.phone"));
    }

    #[test]
    fn an_error_inside_a_multi_line_array_names_the_missing_field() {
        let e = Policy::from_toml(
            "[reports]\nreasons = [\n  { id = \"spam\", label_it = \"Spam\" },\n]\n",
        )
        .err();
        let e = e.unwrap_or_else(|| panic!("accepted a reason without label_en"));
        assert_eq!(e.field.as_deref(), Some("reports.label_en"), "{e}");
        assert!(e.message.contains("label_en"), "{e}");
    }

    #[test]
    fn the_example_file_is_the_defaults() {
        let example = include_str!("../policy.example.toml");
        match Policy::from_toml(example) {
            Ok(p) => assert_eq!(p, Policy::default()),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn values_that_make_no_sense_are_refused_with_their_field() {
        let e = Policy::from_toml("[near_duplicate]\nthreshold = 1.5\n").err();
        let e = e.unwrap_or_else(|| panic!("accepted threshold 1.5"));
        assert_eq!(e.field.as_deref(), Some("near_duplicate.threshold"));
        assert_eq!(e.line, Some(2));
        let e = Policy::from_toml(
            "[[reports.reasons]]\nid = \"spam\"\nlabel_it = \"Spam\"\nlabel_en = \"Spam\"\n",
        )
        .err();
        let e = e.unwrap_or_else(|| panic!("accepted reasons without illegal_content"));
        assert_eq!(e.field.as_deref(), Some("reports.reasons"));
        assert!(Policy::from_toml("[reports]\nhold_threshold = 0\n").is_err());
    }
}
