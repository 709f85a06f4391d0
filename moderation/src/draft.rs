//! The first content check every post and annotation passes before it is
//! stored (empty, too long, too many links). The backend calls `screen`
//! today; the policy-driven pipeline in `pipeline` builds on the same rules.

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
}
