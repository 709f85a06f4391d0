//! The life cycle every piece of user content shares: visible, held for
//! review, removed by a moderator (logged, reversible) or deleted by its
//! author (final), and who may move it between these.

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

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    const ALL: [Status; 4] = [Visible, Held, Removed, Deleted];

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
