//! Reporting: any person may report an annotation, a post or a user (the
//! EU Digital Services Act, Art. 16, asks that anyone can notify), signed
//! in or not; a visitor may leave a name and an address to hear the
//! outcome. A report names a reason of the policy and keeps a copy of the
//! reported text as it was; it weighs 1 + the reporter's trust level, and
//! the report that brings an item's open reports to the policy's
//! threshold holds it (the store does that in one transaction).

use std::net::IpAddr;

use moderation::{NewReport, Reporter, Standing, Target};
use time::OffsetDateTime;

use super::lab::{shown_to, Actor, Error, FieldProblem, Lab, Result};
use crate::accounts::limits::Door;
use crate::accounts::UserStatus;
use crate::store::{Filed, StoreError};

/// The longest note, in characters.
pub const NOTE_MAX: usize = 2000;

/// A report as the person writes it.
#[derive(Debug, Clone, Copy)]
pub struct ReportDraft<'a> {
    pub target: Target,
    pub reason: &'a str,
    pub note: &'a str,
    /// A visitor's, to hear the outcome; ignored for signed-in users.
    pub name: &'a str,
    pub email: &'a str,
}

impl<'a> Lab<'a> {
    /// The reasons a report may give: (id, Italian, English).
    pub fn report_reasons(&self) -> Vec<(&'a str, &'a str, &'a str)> {
        self.policy
            .reports
            .reasons
            .iter()
            .map(|r| (r.id.as_str(), r.label_it.as_str(), r.label_en.as_str()))
            .collect()
    }

    /// File a report from `who` (None: a visitor) at `ip`.
    pub async fn report(
        &self,
        who: Option<Actor>,
        ip: IpAddr,
        draft: &ReportDraft<'_>,
    ) -> Result<Filed> {
        self.limits
            .ip(Door::Report, ip)
            .map_err(Error::RateLimited)?;
        if let Some(actor) = who {
            self.limits
                .account(Door::Report, &actor.user_id.to_string())
                .map_err(Error::RateLimited)?;
        }
        let mut problems = Vec::new();
        if !self.report_reasons().iter().any(|r| r.0 == draft.reason) {
            problems.push(FieldProblem::new(
                "reason",
                "Scegli un motivo dall'elenco.",
                "Choose a reason from the list.",
            ));
        }
        if draft.note.chars().count() > NOTE_MAX {
            problems.push(FieldProblem::new(
                "note",
                format!("La nota è troppo lunga (al massimo {NOTE_MAX} caratteri)."),
                format!("The note is too long (at most {NOTE_MAX} characters)."),
            ));
        }
        let reporter = match who {
            Some(actor) => Reporter::User { id: actor.user_id },
            None => visitor(draft, &mut problems),
        };
        let viewer = who.map(|a| a.user_id);
        let (author, snapshot) = self.reported(draft.target, viewer).await?;
        if viewer.is_some() && author == viewer {
            return Err(Error::NotAllowed("you cannot report your own content"));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let now = OffsetDateTime::now_utc();
        let trust = match who {
            Some(actor) => self.trust_of(actor, now).await?,
            None => 0,
        };
        let report = NewReport {
            target: draft.target,
            reporter: &reporter,
            reason: draft.reason,
            note: draft.note.trim(),
            snapshot: &snapshot,
            weight: moderation::report_weight(self.policy, trust),
        };
        let hold_at = self.policy.reports.hold_threshold;
        match self.store.file_report(&report, hold_at, now).await {
            Ok(filed) => {
                if filed.held {
                    self.hub.poke();
                }
                Ok(filed)
            }
            Err(StoreError::Conflict(_)) => Err(FieldProblem::new(
                "target",
                "Hai già segnalato questo contenuto: un moderatore lo esaminerà.",
                "You have already reported this: a moderator will look at it.",
            )
            .into()),
            Err(e) => Err(e.into()),
        }
    }

    /// The reported item's author and its text as it is now, if `viewer`
    /// may see it.
    async fn reported(&self, target: Target, viewer: Option<i64>) -> Result<(Option<i64>, String)> {
        match target {
            Target::Annotation(id) => match self.store.annotation(id).await? {
                Some(a) if shown_to(a.status, a.author_id, viewer) => {
                    Ok((a.author_id, format!("{}\n\n{}", a.title, a.body)))
                }
                _ => Err(Error::NotFound("annotation")),
            },
            Target::Post(id) => match self.store.post(id).await? {
                Some(p) if shown_to(p.status, p.author_id, viewer) => Ok((p.author_id, p.body)),
                _ => Err(Error::NotFound("post")),
            },
            Target::User(id) => match self.store.user_by_id(id).await? {
                Some(u) if u.status == UserStatus::Active => {
                    Ok((Some(u.id), format!("{}\n\n{}", u.display_name, u.bio)))
                }
                _ => Err(Error::NotFound("user")),
            },
            Target::Mashup(_) => Err(Error::NotFound("mashup")),
        }
    }

    /// The reporter's trust level, from their account's age and what of
    /// theirs is published.
    async fn trust_of(&self, actor: Actor, now: OffsetDateTime) -> Result<u8> {
        let Some(user) = self.store.user_by_id(actor.user_id).await? else {
            return Err(Error::NotFound("user"));
        };
        let writing = self.store.writing(actor.user_id, now, 0).await?;
        let age = (now - user.created_at).whole_seconds().max(0);
        Ok(moderation::trust_level(Standing {
            account_age_secs: u64::try_from(age).unwrap_or(0),
            published: writing.published,
            sanctions: 0,
            moderator: actor.moderator,
        }))
    }
}

/// A visitor's optional contact, checked.
fn visitor(draft: &ReportDraft<'_>, problems: &mut Vec<FieldProblem>) -> Reporter {
    let name = draft.name.trim();
    let email = draft.email.trim();
    if name.chars().count() > 100 {
        problems.push(FieldProblem::new(
            "name",
            "Il nome è troppo lungo (al massimo 100 caratteri).",
            "The name is too long (at most 100 characters).",
        ));
    }
    let looks_like_address = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !email.is_empty() && !looks_like_address {
        problems.push(FieldProblem::new(
            "email",
            "Questo non sembra un indirizzo e-mail.",
            "This does not look like an e-mail address.",
        ));
    }
    Reporter::Visitor {
        name: (!name.is_empty()).then(|| name.to_string()),
        email: (!email.is_empty()).then(|| email.to_string()),
    }
}
