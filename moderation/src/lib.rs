//! Moderation as pure logic: no I/O, so every rule can be unit-tested and
//! fuzzed. The server asks this crate what is allowed and records what
//! happened; this crate never touches a database.
//!
//! It starts with the life cycle every piece of user content shares (the
//! participation and moderation issues build on it): content is visible,
//! held for review, removed by a moderator (logged, reversible) or deleted
//! by its author (final). Report thresholds and content filters come next.

use serde::{Deserialize, Serialize};

/// Where a piece of user content stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Visible,
    /// Waiting for a moderator; shown to its author only.
    Held,
    /// Taken down by a moderator with a reason; can be restored.
    Removed,
    /// Withdrawn by its author; a placeholder may remain where replies exist.
    Deleted,
}

/// Who asks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Author,
    Moderator,
}

/// What a transition requires, or why it is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed { needs_reason: bool },
    Refused(&'static str),
}

/// May `actor` move content from `from` to `to`?
///
/// Moderator actions (remove, hold, restore) need a reason, which goes to
/// the moderation log. An author's deletion is final even for moderators,
/// so that deleting one's own words is never undone by someone else.
pub fn transition(from: Status, to: Status, actor: Actor) -> Verdict {
    use Status::*;
    if from == to {
        return Verdict::Refused("the content already has this status");
    }
    match (actor, from, to) {
        (_, Deleted, _) => Verdict::Refused("deleted by its author: final"),
        (Actor::Author, Visible | Held, Deleted) => Verdict::Allowed {
            needs_reason: false,
        },
        (Actor::Author, Removed, Deleted) => Verdict::Allowed {
            needs_reason: false,
        },
        (Actor::Author, _, _) => Verdict::Refused("only a moderator can change this status"),
        (Actor::Moderator, _, Deleted) => {
            Verdict::Refused("a moderator removes content; only its author deletes it")
        }
        (Actor::Moderator, Visible | Held | Removed, Visible | Held | Removed) => {
            Verdict::Allowed { needs_reason: true }
        }
    }
}

/// Whether a reader who is not the author sees the content itself.
pub fn publicly_visible(status: Status) -> bool {
    status == Status::Visible
}

/// A piece of user text about to be stored.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// The plain text (markup stripped).
    pub text: &'a str,
    /// How many links it carries.
    pub links: usize,
}

/// What the content check decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screening {
    Accept,
    /// Stored, shown to its author only, until a moderator decides.
    Hold(&'static str),
    /// Not stored: the reason is shown to the author.
    Refuse(&'static str),
}

/// Links in one text past which it waits for a moderator.
pub const MAX_LINKS: usize = 5;
/// Characters of plain text in one annotation or post.
pub const MAX_CHARS: usize = 5000;

/// The one content check every post and annotation passes before it is
/// stored. The rules here are the first few; the moderation issue adds
/// filters (spam, flood, personal data) in this same place.
pub fn screen(draft: &Draft) -> Screening {
    let chars = draft.text.chars().filter(|c| !c.is_whitespace()).count();
    if chars == 0 {
        return Screening::Refuse("the text is empty");
    }
    if draft.text.chars().count() > MAX_CHARS {
        return Screening::Refuse("the text is too long");
    }
    if draft.links > MAX_LINKS {
        return Screening::Hold("many links: a moderator will look at it");
    }
    Screening::Accept
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    const ALL: [Status; 4] = [Visible, Held, Removed, Deleted];

    #[test]
    fn screening_refuses_empty_and_long_text_and_holds_link_heavy_text() {
        let draft = |text, links| Draft { text, links };
        assert_eq!(
            screen(&draft("  \n ", 0)),
            Screening::Refuse("the text is empty")
        );
        let long = "a".repeat(MAX_CHARS + 1);
        assert_eq!(
            screen(&draft(&long, 0)),
            Screening::Refuse("the text is too long")
        );
        assert!(matches!(
            screen(&draft("see these", MAX_LINKS + 1)),
            Screening::Hold(_)
        ));
        assert_eq!(screen(&draft("La panchina è rotta", 1)), Screening::Accept);
    }

    #[test]
    fn authors_delete_and_moderators_remove_with_a_reason() {
        assert_eq!(
            transition(Visible, Deleted, Actor::Author),
            Verdict::Allowed {
                needs_reason: false
            }
        );
        assert_eq!(
            transition(Visible, Removed, Actor::Moderator),
            Verdict::Allowed { needs_reason: true }
        );
        assert_eq!(
            transition(Removed, Visible, Actor::Moderator),
            Verdict::Allowed { needs_reason: true }
        );
        assert_eq!(
            transition(Held, Visible, Actor::Moderator),
            Verdict::Allowed { needs_reason: true }
        );
    }

    #[test]
    fn authors_cannot_undo_moderation_and_nobody_undoes_a_deletion() {
        assert!(matches!(
            transition(Removed, Visible, Actor::Author),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            transition(Held, Visible, Actor::Author),
            Verdict::Refused(_)
        ));
        for to in ALL {
            for actor in [Actor::Author, Actor::Moderator] {
                assert!(
                    matches!(transition(Deleted, to, actor), Verdict::Refused(_)),
                    "{to:?} {actor:?}"
                );
            }
        }
        assert!(matches!(
            transition(Visible, Deleted, Actor::Moderator),
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn only_visible_content_is_public() {
        let public: Vec<Status> = ALL.into_iter().filter(|s| publicly_visible(*s)).collect();
        assert_eq!(public, vec![Visible]);
    }

    #[test]
    fn every_moderator_change_is_logged_with_a_reason() {
        for from in ALL {
            for to in ALL {
                if let Verdict::Allowed { needs_reason } = transition(from, to, Actor::Moderator) {
                    assert!(needs_reason, "{from:?} -> {to:?}");
                }
            }
        }
    }
}
