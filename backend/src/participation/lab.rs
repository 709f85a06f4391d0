//! What every operation shares: `Lab` (what they need), `Actor` (who
//! acts), `Error` (what goes wrong, fields named in both languages), and
//! the checks: the write budget, the text's sanitizing and screening, the
//! title, authorship, who sees held content, where a subject lives.

use std::collections::HashMap;
use std::time::Duration;

use moderation::{Finding, Outcome, Policy, RuleId};

use crate::accounts::limits::{Door, Limits};
use crate::accounts::UserStatus;
use crate::lab::{markup, ContentKind, ContentStatus, Revised};
use crate::official::model::{Boundaries, Level};
use crate::official::reference::Reference;
use crate::published::ReferenceCache;
use crate::realtime::Hub;
use crate::store::{Store, StoreError};

/// The longest title, in characters.
pub const TITLE_MAX: usize = 120;

/// What the operations need: the store, the published data (for areas and
/// the pages things live on), the hub to wake, and the rate limits.
#[derive(Clone, Copy)]
pub struct Lab<'a> {
    pub store: &'a dyn Store,
    pub reference: &'a ReferenceCache,
    pub hub: &'a Hub,
    pub limits: &'a Limits,
    /// What the content screen holds or refuses.
    pub policy: &'a Policy,
}

/// Who acts: the signed-in user, as the route rule has let them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub verified: bool,
    /// A moderator or an admin with the second factor given.
    pub moderator: bool,
}

/// One thing wrong with the input, named by its field (`title`, `body`,
/// `lon`, `variable`, `parent`, `subject`, `area`), in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub it: String,
    pub en: String,
}

impl FieldProblem {
    pub fn new(field: &'static str, it: impl Into<String>, en: impl Into<String>) -> Self {
        FieldProblem {
            field,
            it: it.into(),
            en: en.into(),
        }
    }
}

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input has problems; nothing was stored.
    #[error("invalid input: {}", .0.iter().map(|p| format!("{}: {}", p.field, p.en)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    /// What the request names does not exist (or is not shown to this user).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Writing needs a confirmed address (the route rule says so too).
    #[error("confirm your e-mail address first")]
    Unverified,
    /// Only the author may change or delete this.
    #[error("only the author can do this")]
    NotAuthor,
    /// The content is past changing (deleted, removed), or the actor lacks the power.
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// A moderator has locked the discussion (shown `at` this page).
    #[error("the discussion is locked")]
    Locked { at: String },
    /// Too many writes from this account; try again after the wait.
    #[error("too many writes: try again in {0:?}")]
    RateLimited(Duration),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldProblem> for Error {
    fn from(p: FieldProblem) -> Self {
        Error::Invalid(vec![p])
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A text, ready to store: the normalised source, its sanitized HTML, the
/// users it mentions and its plain text, and the status the screen gave it.
pub struct Prepared {
    pub body: String,
    pub rendered: markup::Rendered,
    pub status: ContentStatus,
    /// Why the screen held it (empty when it did not).
    pub screening: Vec<Finding>,
}

/// The status of an edited text: held when the screen holds the new
/// version; published when the screen had held the old one and the author
/// edited out what it found; a moderator's hold stays until they decide.
pub fn status_after_edit(
    current: ContentStatus,
    screening: &[Finding],
    screened: ContentStatus,
) -> ContentStatus {
    match (current, screened) {
        (_, ContentStatus::Held) => ContentStatus::Held,
        (ContentStatus::Held, _) if screening.is_empty() => ContentStatus::Held,
        (ContentStatus::Held, _) => ContentStatus::Visible,
        (other, _) => other,
    }
}

impl Prepared {
    /// The new version of a text whose current status and screening are
    /// given, as the store keeps it (see [`status_after_edit`]).
    pub fn revising<'a>(
        &'a self,
        title: Option<&'a str>,
        current: ContentStatus,
        screening: &[Finding],
    ) -> Revised<'a> {
        Revised {
            title,
            body: &self.body,
            body_html: &self.rendered.html,
            status: status_after_edit(current, screening, self.status),
            screening: &self.screening,
        }
    }
}

/// A refused text's problems on `field`, one per rule that refused it.
fn refusals(field: &'static str, findings: &[Finding]) -> Vec<FieldProblem> {
    findings
        .iter()
        .filter(|f| f.outcome == Outcome::Refuse)
        .map(|f| match f.rule {
            RuleId::Empty => FieldProblem::new(field, "Scrivi qualcosa.", "Write something."),
            RuleId::TooLong => FieldProblem::new(
                field,
                "Il testo è troppo lungo (al massimo 5.000 caratteri).",
                "The text is too long (at most 5,000 characters).",
            ),
            _ => FieldProblem::new(field, f.message_it.clone(), f.message_en.clone()),
        })
        .collect()
}

impl<'a> Lab<'a> {
    /// One write's place in the account's budget.
    pub(super) fn write_allowed(&self, actor: Actor) -> Result<()> {
        may_write(actor)?;
        self.limits
            .account(Door::Write, &actor.user_id.to_string())
            .map_err(Error::RateLimited)
    }

    /// The author withdraws their text: it becomes a tombstone, if its life
    /// cycle allows it (a deletion is final; `moderation` decides).
    pub(super) async fn withdraw(
        &self,
        kind: ContentKind,
        id: i64,
        status: ContentStatus,
    ) -> Result<()> {
        let deleted = ContentStatus::Deleted;
        if let moderation::Verdict::Refused(why) =
            moderation::transition(status, deleted, moderation::Actor::Author)
        {
            return Err(Error::NotAllowed(why));
        }
        let now = time::OffsetDateTime::now_utc();
        self.store
            .set_content_status(kind, id, deleted, None, now)
            .await?;
        self.hub.poke();
        Ok(())
    }

    /// Render and screen a text (and the title it goes under, if any):
    /// ready to store with the status the screen gave it and why, or the
    /// reasons it is refused, on `field`. Spans point into the plain text;
    /// what the title holds is listed without one.
    pub async fn prepare_text(
        &self,
        field: &'static str,
        title: Option<&str>,
        source: &str,
    ) -> Result<Prepared> {
        let body = markup::normalize(source);
        let names = self.names().await?;
        let rendered = markup::render(&body, &names);
        let links = rendered.html.matches("<a ").count();
        let in_text = moderation::screen_text(self.policy, &rendered.text, links);
        let in_title: Vec<Finding> = title
            .filter(|t| !t.trim().is_empty())
            .map(|t| {
                moderation::screen_text(self.policy, t, 0)
                    .findings()
                    .to_vec()
            })
            .unwrap_or_default();
        let mut problems = refusals("title", &in_title);
        problems.extend(refusals(field, in_text.findings()));
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut findings = in_text.findings().to_vec();
        findings.extend(in_title.into_iter().map(|f| Finding { span: None, ..f }));
        let (status, screening) = match findings.iter().map(|f| f.outcome).max() {
            Some(Outcome::Hold) => (ContentStatus::Held, findings),
            _ => (ContentStatus::Visible, Vec::new()),
        };
        Ok(Prepared {
            body,
            rendered,
            status,
            screening,
        })
    }

    /// Mentions resolve by display name among active users.
    async fn names(&self) -> Result<Names> {
        let users = self.store.users().await?;
        Ok(Names(
            users
                .into_iter()
                .filter(|u| u.status == UserStatus::Active)
                .map(|u| (u.display_name.to_lowercase(), u.id))
                .collect(),
        ))
    }

    /// The page a subject (`area:<code>`, `dataset:<slug>`,
    /// `annotation:<id>`) is discussed on.
    pub fn subject_href(&self, reference: &Reference, subject: &str) -> Option<String> {
        let (kind, key) = subject.split_once(':')?;
        match kind {
            "annotation" => Some(format!("/annotazioni/{key}")),
            _ => subject_href(reference, kind, key),
        }
    }
}

/// Content is written by verified users only: checked here as well as by
/// the route table, so a route given a looser rule by mistake still refuses.
pub(super) fn may_write(actor: Actor) -> Result<()> {
    if actor.verified {
        Ok(())
    } else {
        Err(Error::Unverified)
    }
}

/// A title as stored: cleaned, or the problem with it.
pub fn title(text: &str) -> std::result::Result<String, FieldProblem> {
    let title = markup::clean_title(text, TITLE_MAX + 1);
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(FieldProblem::new(
            "title",
            "Scrivi un titolo (al massimo 120 caratteri).",
            "Write a title (at most 120 characters).",
        ));
    }
    Ok(title)
}

/// Where an area's or a dataset's discussion is shown.
pub fn subject_href(reference: &Reference, kind: &str, key: &str) -> Option<String> {
    match kind {
        "area" => reference
            .areas(Boundaries::B2016, Level::Quartiere)
            .iter()
            .find(|a| a.code == key)
            .map(|a| format!("/quartieri/{}", a.slug)),
        "dataset" => reference.dataset(key).map(|_| format!("/datasets/{key}")),
        _ => None,
    }
}

/// `q2016-navile` -> `navile`.
pub fn slug_of(area_code: &str) -> &str {
    area_code.strip_prefix("q2016-").unwrap_or(area_code)
}

/// May this actor see content of this status by this author? Held content
/// is shown to its author only; removed and deleted stay as tombstones.
pub fn shown_to(status: ContentStatus, author: Option<i64>, viewer: Option<i64>) -> bool {
    status != ContentStatus::Held || (viewer.is_some() && author == viewer)
}

/// May `actor` change content of `author` in `status`?
pub(super) fn own(author: Option<i64>, status: ContentStatus, actor: Actor) -> Result<()> {
    if author.is_none() || author != Some(actor.user_id) {
        return Err(Error::NotAuthor);
    }
    if matches!(status, ContentStatus::Deleted | ContentStatus::Removed) {
        return Err(Error::NotAllowed("the content was deleted or removed"));
    }
    Ok(())
}

struct Names(HashMap<String, i64>);

impl markup::Mentions for Names {
    fn resolve(&self, name: &str) -> Option<i64> {
        self.0.get(&name.to_lowercase()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64) -> Actor {
        Actor {
            user_id: id,
            verified: true,
            moderator: false,
        }
    }

    #[test]
    fn only_the_author_changes_live_content() {
        assert!(own(Some(1), ContentStatus::Visible, actor(1)).is_ok());
        assert!(own(Some(1), ContentStatus::Held, actor(1)).is_ok());
        assert!(matches!(
            own(Some(1), ContentStatus::Visible, actor(2)),
            Err(Error::NotAuthor)
        ));
        assert!(matches!(
            own(None, ContentStatus::Visible, actor(2)),
            Err(Error::NotAuthor)
        ));
        assert!(matches!(
            own(Some(1), ContentStatus::Deleted, actor(1)),
            Err(Error::NotAllowed(_))
        ));
        assert!(matches!(
            own(Some(1), ContentStatus::Removed, actor(1)),
            Err(Error::NotAllowed(_))
        ));
    }

    #[test]
    fn only_verified_users_write() {
        assert!(may_write(actor(1)).is_ok());
        let unverified = Actor {
            verified: false,
            ..actor(1)
        };
        assert!(matches!(may_write(unverified), Err(Error::Unverified)));
    }

    #[test]
    fn held_content_is_shown_to_its_author_only() {
        assert!(shown_to(ContentStatus::Visible, Some(1), None));
        assert!(shown_to(ContentStatus::Held, Some(1), Some(1)));
        assert!(!shown_to(ContentStatus::Held, Some(1), Some(2)));
        assert!(!shown_to(ContentStatus::Held, Some(1), None));
        assert!(!shown_to(ContentStatus::Held, None, None));
    }

    #[test]
    fn titles_are_cleaned_and_bounded() {
        assert_eq!(title("  Una\tproposta ").as_deref(), Ok("Una proposta"));
        assert_eq!(title("").map_err(|p| p.field), Err("title"));
        assert!(title(&"a".repeat(TITLE_MAX)).is_ok());
        assert!(title(&"a".repeat(TITLE_MAX + 1)).is_err());
    }

    #[test]
    fn slugs_drop_the_boundary_prefix() {
        assert_eq!(slug_of("q2016-navile"), "navile");
        assert_eq!(slug_of("other"), "other");
    }

    #[test]
    fn an_edit_publishes_what_the_screen_held_but_not_what_a_moderator_held() {
        use ContentStatus::{Held, Visible};
        let screen_held = moderation::screen_text(&Policy::default(), "CF RSSMRA85T10A562S", 0)
            .findings()
            .to_vec();
        assert!(!screen_held.is_empty());
        // The author edited out what the screen found: published.
        assert_eq!(status_after_edit(Held, &screen_held, Visible), Visible);
        // A moderator held it (no findings): it waits for them.
        assert_eq!(status_after_edit(Held, &[], Visible), Held);
        // The new version has personal data: held, whatever it was.
        assert_eq!(status_after_edit(Visible, &[], Held), Held);
        assert_eq!(status_after_edit(Visible, &[], Visible), Visible);
    }
}
