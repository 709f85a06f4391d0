//! Any text through the whole pipeline: no panic, and every span on char
//! boundaries inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openwelfare_moderation::{detect, screen_with, History, Policy, PostKind, Submission};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for hit in detect(text) {
        assert!(text.get(hit.span.clone()).is_some(), "{:?}", hit);
    }
    let submission = Submission {
        text,
        kind: PostKind::Reply,
        links: 0,
        mentions: 0,
        account_age_secs: 0,
        trust_level: 0,
        seconds_since_last_post: None,
        replies_first_day: 0,
        threads_first_day: 0,
    };
    let history = History {
        recent_texts: vec![text],
    };
    let decision = screen_with(&Policy::default(), &submission, &history);
    for f in decision.findings() {
        if let Some(span) = &f.span {
            assert!(text.get(span.clone()).is_some(), "{:?}", f);
        }
    }
});
