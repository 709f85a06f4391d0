//! The policy-driven screening of one submission: the basic checks of
//! [`crate::draft`], the limits for new accounts, near-duplicates of the
//! author's recent texts, the word lists and the personal-data detectors.
//! Every rule that fires is a [`Finding`] with a message in Italian and
//! English (and a span when it points at part of the text), so the author
//! and the moderator are told why; the decision is the strictest outcome
//! among them. Also here: report weighting and the sign-up check.

use crate::draft::{MAX_CHARS, MAX_LINKS};
use crate::personal_data::{self, Kind};
use crate::policy::{Outcome, Policy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

/// Which rule fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    Empty,
    TooLong,
    ManyLinks,
    NewAccountLinks,
    NewAccountMentions,
    PostingTooFast,
    NewAccountReplies,
    NewAccountThreads,
    NearDuplicate,
    WordHold,
    WordRefuse,
    PersonalData(Kind),
    SignupHoneypot,
    SignupTooFast,
}

impl RuleId {
    /// A stable id for logs and the API (`personal_data.iban`).
    pub fn id(self) -> String {
        match self {
            RuleId::PersonalData(kind) => format!("personal_data.{}", kind.id()),
            other => {
                let s = match other {
                    RuleId::Empty => "empty",
                    RuleId::TooLong => "too_long",
                    RuleId::ManyLinks => "many_links",
                    RuleId::NewAccountLinks => "new_account_links",
                    RuleId::NewAccountMentions => "new_account_mentions",
                    RuleId::PostingTooFast => "posting_too_fast",
                    RuleId::NewAccountReplies => "new_account_replies",
                    RuleId::NewAccountThreads => "new_account_threads",
                    RuleId::NearDuplicate => "near_duplicate",
                    RuleId::WordHold => "word_hold",
                    RuleId::WordRefuse => "word_refuse",
                    RuleId::SignupHoneypot => "signup_honeypot",
                    RuleId::SignupTooFast => "signup_too_fast",
                    RuleId::PersonalData(_) => "personal_data",
                };
                s.to_string()
            }
        }
    }
}

/// One rule that fired, and what to tell the author and the moderator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub outcome: Outcome,
    pub message_it: String,
    pub message_en: String,
    /// The part of the text it is about, in bytes.
    pub span: Option<Range<usize>>,
}

/// What happens to the submission, with every finding that led there
/// (and any that did not change the outcome).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "findings", rename_all = "snake_case")]
pub enum Decision {
    Accept(Vec<Finding>),
    Hold(Vec<Finding>),
    Refuse(Vec<Finding>),
}

impl Decision {
    fn from_findings(findings: Vec<Finding>) -> Decision {
        match findings.iter().map(|f| f.outcome).max() {
            Some(Outcome::Refuse) => Decision::Refuse(findings),
            Some(Outcome::Hold) => Decision::Hold(findings),
            _ => Decision::Accept(findings),
        }
    }

    pub fn outcome(&self) -> Outcome {
        match self {
            Decision::Accept(_) => Outcome::Accept,
            Decision::Hold(_) => Outcome::Hold,
            Decision::Refuse(_) => Outcome::Refuse,
        }
    }

    pub fn findings(&self) -> &[Finding] {
        match self {
            Decision::Accept(f) | Decision::Hold(f) | Decision::Refuse(f) => f,
        }
    }

    /// Did this rule fire?
    pub fn fired(&self, rule: RuleId) -> bool {
        self.findings().iter().any(|f| f.rule == rule)
    }
}

/// What is being posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    /// A new discussion thread.
    Thread,
    /// A reply in a thread.
    Reply,
    /// An annotation on a dataset; limited like a reply.
    Annotation,
}

/// A text about to be stored, with what the server knows of its author.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The plain text (markup stripped).
    pub text: &'a str,
    pub kind: PostKind,
    pub links: usize,
    pub mentions: usize,
    pub account_age_secs: u64,
    /// Discourse-style trust level, 0 = new user.
    pub trust_level: u8,
    /// None for the author's first post.
    pub seconds_since_last_post: Option<u64>,
    /// Replies (and annotations) and threads posted so far during the
    /// account's first day.
    pub replies_first_day: u32,
    pub threads_first_day: u32,
}

/// The author's recent texts, for near-duplicates.
#[derive(Debug, Clone, Default)]
pub struct History<'a> {
    pub recent_texts: Vec<&'a str>,
}

fn finding(
    rule: RuleId,
    outcome: Outcome,
    it: String,
    en: String,
    span: Option<Range<usize>>,
) -> Finding {
    Finding {
        rule,
        outcome,
        message_it: it,
        message_en: en,
        span,
    }
}

/// Screens `sub` against `policy`: the rules on the text itself (see
/// [`screen_text`]), then the limits for new accounts and near-duplicates
/// of the author's recent texts. Pure: the same input gives the same
/// decision.
pub fn screen_with(policy: &Policy, sub: &Submission, history: &History) -> Decision {
    let mut out = text_findings(policy, sub.text, sub.links);
    if out
        .iter()
        .any(|f| matches!(f.rule, RuleId::Empty | RuleId::TooLong))
    {
        return Decision::from_findings(out);
    }
    new_account_limits(policy, sub, &mut out);
    if let Some(f) = near_duplicate(policy, sub.text, history) {
        out.push(f);
    }
    Decision::from_findings(out)
}

/// The rules on the text alone, whoever wrote it: empty, too long, many
/// links, the word lists and personal data.
pub fn screen_text(policy: &Policy, text: &str, links: usize) -> Decision {
    Decision::from_findings(text_findings(policy, text, links))
}

fn text_findings(policy: &Policy, text: &str, links: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    if text.chars().all(char::is_whitespace) {
        out.push(finding(
            RuleId::Empty,
            Outcome::Refuse,
            "Il testo è vuoto.".into(),
            "The text is empty.".into(),
            None,
        ));
        return out;
    }
    if text.chars().count() > MAX_CHARS {
        // Nothing else is worth checking on a text that will not be stored,
        // and it bounds the work done on hostile input.
        out.push(finding(
            RuleId::TooLong,
            Outcome::Refuse,
            format!("Il testo supera i {MAX_CHARS} caratteri."),
            format!("The text is longer than {MAX_CHARS} characters."),
            None,
        ));
        return out;
    }
    if links > MAX_LINKS {
        out.push(finding(
            RuleId::ManyLinks,
            Outcome::Hold,
            "Molti link: un moderatore lo guarderà.".into(),
            "Many links: a moderator will look at it.".into(),
            None,
        ));
    }
    word_lists(policy, text, &mut out);
    for hit in personal_data::detect(text) {
        let outcome = policy.personal_data.outcome(hit.kind);
        let public = text
            .get(hit.span.clone())
            .is_some_and(|found| policy.personal_data.is_public(hit.kind, found));
        if outcome == Outcome::Accept || public {
            continue;
        }
        let (it, en) = if outcome == Outcome::Refuse {
            (
                format!(
                    "Il testo contiene {}: toglilo per pubblicare.",
                    hit.kind.label_it()
                ),
                format!(
                    "The text contains {}: remove it to post.",
                    hit.kind.label_en()
                ),
            )
        } else {
            (
                format!(
                    "Il testo contiene {}: non è pubblicato finché non lo togli o un moderatore decide.",
                    hit.kind.label_it()
                ),
                format!(
                    "The text contains {}: it is not published until you remove it or a moderator decides.",
                    hit.kind.label_en()
                ),
            )
        };
        out.push(finding(
            RuleId::PersonalData(hit.kind),
            outcome,
            it,
            en,
            Some(hit.span),
        ));
    }
    out
}

fn new_account_limits(policy: &Policy, sub: &Submission, out: &mut Vec<Finding>) {
    let na = &policy.new_accounts;
    if sub.trust_level > na.trust_level {
        return;
    }
    if sub.links > na.max_links {
        out.push(finding(
            RuleId::NewAccountLinks,
            Outcome::Refuse,
            format!(
                "I nuovi account possono inserire al massimo {} link per messaggio.",
                na.max_links
            ),
            format!(
                "New accounts can post at most {} links per post.",
                na.max_links
            ),
            None,
        ));
    }
    if sub.mentions > na.max_mentions {
        out.push(finding(
            RuleId::NewAccountMentions,
            Outcome::Refuse,
            format!(
                "I nuovi account possono menzionare al massimo {} persone per messaggio.",
                na.max_mentions
            ),
            format!(
                "New accounts can mention at most {} people per post.",
                na.max_mentions
            ),
            None,
        ));
    }
    if let Some(since) = sub.seconds_since_last_post {
        if since < na.min_seconds_between_posts {
            let wait = na.min_seconds_between_posts - since;
            out.push(finding(
                RuleId::PostingTooFast,
                Outcome::Refuse,
                format!("Attendi ancora {wait} secondi prima di pubblicare di nuovo."),
                format!("Wait {wait} more seconds before posting again."),
                None,
            ));
        }
    }
    if sub.account_age_secs >= na.first_day_seconds {
        return;
    }
    match sub.kind {
        PostKind::Thread if sub.threads_first_day >= na.max_threads_first_day => out.push(finding(
            RuleId::NewAccountThreads,
            Outcome::Refuse,
            format!(
                "Nel primo giorno puoi aprire al massimo {} discussioni.",
                na.max_threads_first_day
            ),
            format!(
                "In your first day you can start at most {} threads.",
                na.max_threads_first_day
            ),
            None,
        )),
        PostKind::Reply | PostKind::Annotation
            if sub.replies_first_day >= na.max_replies_first_day =>
        {
            out.push(finding(
                RuleId::NewAccountReplies,
                Outcome::Refuse,
                format!(
                    "Nel primo giorno puoi rispondere al massimo {} volte.",
                    na.max_replies_first_day
                ),
                format!(
                    "In your first day you can reply at most {} times.",
                    na.max_replies_first_day
                ),
                None,
            ))
        }
        _ => {}
    }
}

/// Lowercase alphanumeric words: what similarity and word lists compare.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn shingles(tokens: &[String], k: usize) -> HashSet<&[String]> {
    if tokens.len() < k {
        // A short text is one shingle: near-duplicate means equal.
        return std::iter::once(tokens).collect();
    }
    tokens.windows(k).collect()
}

/// Jaccard similarity of the word shingles of two texts (0..=1).
pub fn similarity(a: &str, b: &str, shingle_words: usize) -> f64 {
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let k = shingle_words.max(1);
    let (sa, sb) = (shingles(&ta, k), shingles(&tb, k));
    let inter = sa.intersection(&sb).count();
    let union = sa.len() + sb.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn near_duplicate(policy: &Policy, text: &str, history: &History) -> Option<Finding> {
    let nd = &policy.near_duplicate;
    let best = history
        .recent_texts
        .iter()
        .map(|old| similarity(text, old, nd.shingle_words))
        .fold(0.0_f64, f64::max);
    (best >= nd.threshold).then(|| {
        finding(
            RuleId::NearDuplicate,
            Outcome::Refuse,
            "Il testo è quasi uguale a uno che hai pubblicato di recente.".into(),
            "The text is nearly the same as one you posted recently.".into(),
            None,
        )
    })
}

/// Lowercase with the same byte length as `text`, so spans found in it
/// are spans of `text`: a char whose lowercase has another length (`İ`)
/// is kept as it is.
fn fold_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => x,
                _ => c,
            }
        })
        .collect()
}

/// Byte spans where `phrase` occurs in `folded` (see [`fold_case`]) as
/// whole words.
fn phrase_spans(folded: &str, phrase: &str) -> Vec<Range<usize>> {
    let phrase = fold_case(phrase.trim());
    if phrase.is_empty() {
        return Vec::new();
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    folded
        .match_indices(phrase.as_str())
        .filter(|(i, m)| {
            let before = folded[..*i].chars().next_back();
            let after = folded[i + m.len()..].chars().next();
            !is_word(before) && !is_word(after)
        })
        .map(|(i, m)| i..i + m.len())
        .collect()
}

fn word_lists(policy: &Policy, text: &str, out: &mut Vec<Finding>) {
    let folded = fold_case(text);
    // A phrase in both lists, or twice in one, is reported once.
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for (words, rule, outcome) in [
        (&policy.words.refuse, RuleId::WordRefuse, Outcome::Refuse),
        (&policy.words.hold, RuleId::WordHold, Outcome::Hold),
    ] {
        for phrase in words.all() {
            for span in phrase_spans(&folded, phrase) {
                if !seen.insert((span.start, span.end)) {
                    continue;
                }
                let (it, en) = match outcome {
                    Outcome::Refuse => (
                        format!("Il testo contiene un'espressione non ammessa: «{phrase}»."),
                        format!(
                            "The text contains an expression that is not allowed: \"{phrase}\"."
                        ),
                    ),
                    _ => (
                        format!("Il testo contiene «{phrase}»: un moderatore lo guarderà."),
                        format!("The text contains \"{phrase}\": a moderator will look at it."),
                    ),
                };
                out.push(finding(rule, outcome, it, en, Some(span)));
            }
        }
    }
}

/// One report on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Who reported: an account id, or a stable key the server gives a
    /// visitor without an account.
    pub reporter: u64,
    pub trust_level: u8,
}

/// What one report weighs: 1 + the reporter's trust level (capped).
pub fn report_weight(policy: &Policy, trust_level: u8) -> u32 {
    1 + u32::from(trust_level.min(policy.reports.max_trust_level))
}

/// The total weight of the reports, each reporter counted once (with
/// their highest trust level).
pub fn reports_weight(policy: &Policy, reports: &[Report]) -> u32 {
    let mut by_reporter: BTreeMap<u64, u8> = BTreeMap::new();
    for r in reports {
        let level = by_reporter.entry(r.reporter).or_insert(r.trust_level);
        *level = (*level).max(r.trust_level);
    }
    by_reporter
        .values()
        .map(|&level| report_weight(policy, level))
        .sum()
}

/// Do these reports hold the item for a moderator?
pub fn should_hold(policy: &Policy, reports: &[Report]) -> bool {
    reports_weight(policy, reports) >= policy.reports.hold_threshold
}

/// The sign-up form's bot checks: the honeypot field must be empty and
/// the form must not have been filled in faster than a person can.
pub fn signup_check(policy: &Policy, honeypot_value: &str, seconds_to_fill: u64) -> Decision {
    let mut out = Vec::new();
    if !honeypot_value.trim().is_empty() {
        out.push(finding(
            RuleId::SignupHoneypot,
            Outcome::Refuse,
            "La registrazione non è andata a buon fine.".into(),
            "The sign-up did not go through.".into(),
            None,
        ));
    }
    if seconds_to_fill < policy.signup.min_fill_seconds {
        out.push(finding(
            RuleId::SignupTooFast,
            Outcome::Refuse,
            "Il modulo è stato compilato troppo in fretta: riprova.".into(),
            "The form was filled in too quickly: please try again.".into(),
            None,
        ));
    }
    Decision::from_findings(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trusted author's reply with nothing special about it.
    fn sub(text: &str) -> Submission<'_> {
        Submission {
            text,
            kind: PostKind::Reply,
            links: 0,
            mentions: 0,
            account_age_secs: 90 * 24 * 3600,
            trust_level: 2,
            seconds_since_last_post: Some(3600),
            replies_first_day: 0,
            threads_first_day: 0,
        }
    }

    /// The same, from an account one hour old at trust level 0.
    fn new_sub(text: &str) -> Submission<'_> {
        Submission {
            account_age_secs: 3600,
            trust_level: 0,
            ..sub(text)
        }
    }

    fn rules(d: &Decision) -> Vec<RuleId> {
        d.findings().iter().map(|f| f.rule).collect()
    }

    fn screen(s: &Submission) -> Decision {
        screen_with(&Policy::default(), s, &History::default())
    }

    #[test]
    fn ordinary_text_is_accepted_without_findings() {
        let d = screen(&sub(
            "Nel 2023 al CAP 40121 gli accessi sono stati 12.345 (+3,5%).",
        ));
        assert_eq!(d, Decision::Accept(vec![]));
    }

    #[test]
    fn empty_and_too_long_are_refused_and_many_links_held() {
        assert_eq!(rules(&screen(&sub(" \n"))), vec![RuleId::Empty]);
        assert_eq!(screen(&sub(" \n")).outcome(), Outcome::Refuse);
        let long = "a ".repeat(MAX_CHARS);
        assert_eq!(rules(&screen(&sub(&long))), vec![RuleId::TooLong]);
        let d = screen(&Submission {
            links: MAX_LINKS + 1,
            ..sub("vedi")
        });
        assert_eq!(
            (d.outcome(), rules(&d)),
            (Outcome::Hold, vec![RuleId::ManyLinks])
        );
    }

    #[test]
    fn new_accounts_are_limited_in_links_mentions_and_pace() {
        let d = screen(&Submission {
            links: 3,
            ..new_sub("vedi")
        });
        assert_eq!(
            (d.outcome(), rules(&d)),
            (Outcome::Refuse, vec![RuleId::NewAccountLinks])
        );
        assert!(screen(&Submission {
            links: 2,
            ..new_sub("vedi")
        })
        .findings()
        .is_empty());
        // A trusted author may post three links.
        assert!(screen(&Submission {
            links: 3,
            ..sub("vedi")
        })
        .findings()
        .is_empty());
        let d = screen(&Submission {
            mentions: 3,
            ..new_sub("ciao")
        });
        assert_eq!(rules(&d), vec![RuleId::NewAccountMentions]);
        let d = screen(&Submission {
            seconds_since_last_post: Some(10),
            ..new_sub("ciao")
        });
        assert_eq!(rules(&d), vec![RuleId::PostingTooFast]);
        assert!(
            d.findings()[0].message_en.contains("20 more seconds"),
            "{:?}",
            d
        );
        let d = screen(&Submission {
            seconds_since_last_post: Some(30),
            ..new_sub("ciao")
        });
        assert!(d.findings().is_empty());
    }

    #[test]
    fn new_accounts_get_ten_replies_and_three_threads_on_their_first_day() {
        let d = screen(&Submission {
            replies_first_day: 10,
            ..new_sub("ciao")
        });
        assert_eq!(rules(&d), vec![RuleId::NewAccountReplies]);
        assert!(screen(&Submission {
            replies_first_day: 9,
            ..new_sub("ciao")
        })
        .findings()
        .is_empty());
        let thread = |n| Submission {
            kind: PostKind::Thread,
            threads_first_day: n,
            ..new_sub("ciao")
        };
        assert_eq!(rules(&screen(&thread(3))), vec![RuleId::NewAccountThreads]);
        assert!(screen(&thread(2)).findings().is_empty());
        // After the first day the daily limits are gone.
        let older = Submission {
            account_age_secs: 25 * 3600,
            ..thread(5)
        };
        assert!(screen(&older).findings().is_empty());
    }

    #[test]
    fn near_duplicates_of_recent_texts_are_refused() {
        let old = "Il parco di via Libia ha bisogno di nuove panchine e di più luce la sera";
        let near = "Il parco di via Libia ha bisogno di nuove panchine e di più luce la sera!!";
        let other = "Il parco di via Libia è pulito; servono però fontanelle e giochi per bambini";
        let history = History {
            recent_texts: vec![old],
        };
        let p = Policy::default();
        let d = screen_with(&p, &sub(near), &history);
        assert_eq!(
            (d.outcome(), rules(&d)),
            (Outcome::Refuse, vec![RuleId::NearDuplicate])
        );
        assert!(screen_with(&p, &sub(other), &history).findings().is_empty());
        assert!(similarity(old, near, 3) >= 0.99);
        assert!(similarity(old, other, 3) < 0.3);
        // Short texts are near-duplicates only when equal.
        let history = History {
            recent_texts: vec!["Grazie!"],
        };
        assert!(screen_with(&p, &sub("grazie"), &history).fired(RuleId::NearDuplicate));
        assert!(!screen_with(&p, &sub("grazie mille"), &history).fired(RuleId::NearDuplicate));
    }

    #[test]
    fn word_lists_hold_or_refuse_with_the_span() {
        let text = "Sei un IDIOTA";
        let d = screen(&sub(text));
        assert_eq!(d.outcome(), Outcome::Hold);
        let span = d.findings()[0].span.clone().unwrap_or_default();
        assert_eq!(&text[span], "IDIOTA");
        let d = screen(&sub("Ti uccido"));
        assert_eq!(
            (d.outcome(), rules(&d)),
            (Outcome::Refuse, vec![RuleId::WordRefuse])
        );
        // Whole words only.
        assert!(screen(&sub("idiotamente? no, idiotaggine"))
            .findings()
            .is_empty());
    }

    #[test]
    fn personal_data_is_held_with_its_span_and_the_policy_can_refuse_it() {
        let text = "Il mio IBAN è IT60X0542811101000000123456, grazie";
        let d = screen(&sub(text));
        assert_eq!(d.outcome(), Outcome::Hold);
        let f = &d.findings()[0];
        assert_eq!(f.rule, RuleId::PersonalData(Kind::Iban));
        assert_eq!(f.rule.id(), "personal_data.iban");
        assert_eq!(
            &text[f.span.clone().unwrap_or_default()],
            "IT60X0542811101000000123456"
        );
        assert!(f.message_it.contains("un IBAN"), "{}", f.message_it);
        let mut p = Policy::default();
        p.personal_data.iban = Outcome::Refuse;
        assert_eq!(
            screen_with(&p, &sub(text), &History::default()).outcome(),
            Outcome::Refuse
        );
        p.personal_data.iban = Outcome::Accept;
        assert_eq!(
            screen_with(&p, &sub(text), &History::default()),
            Decision::Accept(vec![])
        );
    }

    #[test]
    fn public_contacts_listed_in_the_policy_are_not_held() {
        let text = "Scrivete a urp@comune.bologna.it o chiamate lo 051 219 4455";
        assert_eq!(screen(&sub(text)).outcome(), Outcome::Hold);
        let mut p = Policy::default();
        p.personal_data.public_emails = vec!["urp@comune.bologna.it".into()];
        p.personal_data.public_phones = vec!["0512194455".into()];
        assert_eq!(
            screen_with(&p, &sub(text), &History::default()),
            Decision::Accept(vec![])
        );
        let private = "Scrivete a mario.rossi@comune.bologna.it";
        assert_eq!(
            screen_with(&p, &sub(private), &History::default()).outcome(),
            Outcome::Hold
        );
    }

    #[test]
    fn special_category_data_is_held_not_refused() {
        let d = screen(&sub("Mario Rossi, via Emilia 12, è sieropositivo"));
        assert_eq!(d.outcome(), Outcome::Hold);
        assert!(
            d.fired(RuleId::PersonalData(Kind::SpecialCategory)),
            "{d:?}"
        );
        assert!(d.fired(RuleId::PersonalData(Kind::Address)), "{d:?}");
    }

    #[test]
    fn the_strictest_outcome_wins_and_every_finding_is_listed() {
        let d = screen(&Submission {
            links: 3,
            ..new_sub("Sei un idiota, chiamami al 333 1234567")
        });
        assert_eq!(d.outcome(), Outcome::Refuse);
        assert_eq!(
            rules(&d),
            // The text's own rules first, then the account's.
            vec![
                RuleId::WordHold,
                RuleId::PersonalData(Kind::Phone),
                RuleId::NewAccountLinks,
            ]
        );
    }

    #[test]
    fn the_text_rules_alone_ignore_the_account() {
        let p = Policy::default();
        let d = screen_text(&p, "Sei un idiota, chiamami al 333 1234567", 3);
        assert_eq!(d.outcome(), Outcome::Hold);
        assert_eq!(
            rules(&d),
            vec![RuleId::WordHold, RuleId::PersonalData(Kind::Phone)]
        );
        assert_eq!(screen_text(&p, " ", 0).outcome(), Outcome::Refuse);
        assert!(screen_text(&p, "x", MAX_LINKS + 1).fired(RuleId::ManyLinks));
        assert_eq!(
            screen_text(&p, "La panchina di via Emilia è rotta", 1).outcome(),
            Outcome::Accept
        );
    }

    #[test]
    fn three_day_old_accounts_weigh_as_much_as_one_trusted_user() {
        let p = Policy::default();
        let r = |reporter, trust_level| Report {
            reporter,
            trust_level,
        };
        let newcomers = [r(1, 0), r(2, 0), r(3, 0)];
        assert_eq!(reports_weight(&p, &newcomers), 3);
        assert!(should_hold(&p, &newcomers));
        assert!(!should_hold(&p, &newcomers[..2]));
        let trusted = [r(9, 2)];
        assert_eq!(reports_weight(&p, &trusted), 3);
        assert!(should_hold(&p, &trusted));
        // One trusted user outweighs two newcomers together.
        assert!(reports_weight(&p, &trusted) > reports_weight(&p, &newcomers[..2]));
        // One reporter counts once, however often they report.
        assert!(!should_hold(&p, &[r(1, 0), r(1, 0), r(1, 0)]));
        // Trust levels are capped.
        assert_eq!(report_weight(&p, 200), 5);
    }

    #[test]
    fn sign_up_refuses_a_filled_honeypot_or_a_too_fast_form() {
        let p = Policy::default();
        assert_eq!(signup_check(&p, "", 12), Decision::Accept(vec![]));
        let rules_of = |d: Decision| rules(&d);
        assert_eq!(
            rules_of(signup_check(&p, "http://spam", 12)),
            vec![RuleId::SignupHoneypot]
        );
        assert_eq!(
            rules_of(signup_check(&p, " ", 1)),
            vec![RuleId::SignupTooFast]
        );
        assert_eq!(signup_check(&p, "x", 0).outcome(), Outcome::Refuse);
    }
}
