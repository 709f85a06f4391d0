//! The names and signatures the backend uses today, pinned: if one
//! changes, this stops compiling before the backend does.

use openwelfare_moderation::{
    publicly_visible, screen, transition, Actor, Draft, Screening, Status, Verdict, MAX_CHARS,
    MAX_LINKS,
};

#[test]
fn the_backend_facing_api_is_unchanged() {
    let _: fn(Status, Status, Actor) -> Verdict = transition;
    let _: fn(Status) -> bool = publicly_visible;
    let _: fn(&Draft) -> Screening = screen;
    let _: usize = MAX_LINKS + MAX_CHARS;
    let draft = Draft {
        text: "La panchina è rotta",
        links: 0,
    };
    assert_eq!(screen(&draft), Screening::Accept);
    let held: Screening = Screening::Hold("x");
    let refused: Screening = Screening::Refuse("y");
    assert_ne!(held, refused);
    assert_eq!((MAX_LINKS, MAX_CHARS), (5, 5000));
    assert_eq!(
        transition(Status::Visible, Status::Deleted, Actor::Author),
        Verdict::Allowed {
            needs_reason: false
        }
    );
    assert!(matches!(
        transition(Status::Held, Status::Visible, Actor::Author),
        Verdict::Refused(_)
    ));
    assert!(publicly_visible(Status::Visible) && !publicly_visible(Status::Removed));
}
