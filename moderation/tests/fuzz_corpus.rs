//! A deterministic fuzz-style corpus for the screening pipeline: random
//! and adversarial strings (random unicode, long digit runs, fragments of
//! every pattern glued together, inputs up to 100 KB) must not panic, and
//! every span must lie on `char` boundaries inside the text.

mod common;

use common::Rng;
use openwelfare_moderation::{detect, screen_with, History, Policy, PostKind, Submission};

const CASES: usize = 3000;

/// Characters that stress byte/char handling: multi-byte letters, a
/// capital whose lowercase is longer (`İ`), combining marks, emoji,
/// right-to-left text, separators the detectors care about.
const ODD_CHARS: &[char] = &[
    'è', 'à', 'ò', 'ù', 'É', 'İ', 'ß', 'ﬁ', '\u{0301}', '\u{200B}', '\u{FEFF}', '€', '°', '’', '«',
    '»', '—', '😀', '𝔸', 'ع', 'ש', '中', '\u{00A0}', '\t', '\n', '\r', '+', '(', ')', '/', '.',
    ',', '-', ':', '@', '\'', ' ', '0', '3', '8', 'L', 'V', 'I', 'T',
];

const FRAGMENTS: &[&str] = &[
    "+39",
    "0039",
    "(+39)",
    "333",
    "051",
    "80380",
    "IT60",
    "X054",
    "RSSMRA85T10A562S",
    "RSSMRA",
    "T10A56N",
    "via ",
    "Via dell'",
    "piazza XX ",
    " 12/a",
    " n. ",
    "Mario Rossi",
    "sig.ra ",
    "mio fratello Paolo",
    " è ",
    "tossicodipendente",
    "sindrome di Down",
    "@",
    "mario.rossi@",
    "example.it",
    "https://",
    "www.",
    "/dataset/",
    "12.345",
    "3,5",
    "40121",
    "01/02/2024",
    "08.30-12.30",
    "IT",
    "00488410010",
    "DE89370400440532013000",
    "....",
    "@@@@",
    "  ",
    "idiota",
    "ti uccido",
    "İDİOTA",
];

fn random_text(rng: &mut Rng, len: usize) -> String {
    let mut s = String::with_capacity(len * 2);
    while s.len() < len {
        match rng.below(6) {
            0 => s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize]),
            1 => s.push(*rng.pick(ODD_CHARS)),
            2 => {
                let n = rng.range(1, 40) as usize;
                s.push_str(&rng.digits(n));
            }
            3 => {
                // Any scalar value.
                let c = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('?');
                s.push(c);
            }
            4 => s.push((b' ' + rng.below(95) as u8) as char),
            _ => {
                let n = rng.range(1, 12) as usize;
                s.push_str(&rng.letters(n));
            }
        }
    }
    s
}

fn check_spans(text: &str, spans: impl Iterator<Item = std::ops::Range<usize>>) {
    for span in spans {
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {span:?} outside a text of {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "span {span:?} not on char boundaries"
        );
    }
}

fn submission(text: &str) -> Submission<'_> {
    Submission {
        text,
        kind: PostKind::Reply,
        links: 1,
        mentions: 1,
        account_age_secs: 3600,
        trust_level: 0,
        seconds_since_last_post: Some(60),
        replies_first_day: 1,
        threads_first_day: 0,
    }
}

#[test]
fn random_and_adversarial_input_never_panics_and_spans_are_sound() {
    let policy = Policy::default();
    let mut rng = Rng::new(0xF022);
    let mut previous = String::new();
    for case in 0..CASES {
        // Mostly short posts, some long, a few of 100 KB.
        let len = match case % 100 {
            0 => 100_000,
            1..=10 => rng.range(1000, 6000) as usize,
            _ => rng.range(0, 300) as usize,
        };
        let text = random_text(&mut rng, len);
        check_spans(&text, detect(&text).into_iter().map(|h| h.span));
        let history = History {
            recent_texts: vec![previous.as_str(), "Mario Rossi"],
        };
        let decision = screen_with(&policy, &submission(&text), &history);
        check_spans(
            &text,
            decision.findings().iter().filter_map(|f| f.span.clone()),
        );
        previous = text;
    }
}

#[test]
fn long_runs_of_one_character_are_handled() {
    let policy = Policy::default();
    for c in ['0', '3', 'A', '@', '.', ' ', 'è', '/', '-', '\''] {
        let text: String = std::iter::repeat_n(c, 100_000).collect();
        check_spans(&text, detect(&text).into_iter().map(|h| h.span));
        let _ = screen_with(&policy, &submission(&text), &History::default());
    }
    // A digit run holds no identifier: each needs a boundary around it.
    let digits = "3".repeat(100_000);
    assert!(detect(&digits).is_empty());
}
