//! Moderators' decisions on annotations and posts: approve what is held,
//! remove with a reason, restore what was removed, hold for a closer look.
//! Each needs a moderator with the second factor and a reason (the author
//! and the public log read it); the life cycle (`moderation::transition`)
//! says which moves are allowed; the store commits the new status, the log
//! row and the resolution of the item's reports together.

use moderation::{Action, LogEntry, Target};
use time::OffsetDateTime;

use super::lab::{Actor, Error, FieldProblem, Lab, Result};
use crate::lab::ContentStatus;
use crate::store::{ContentAct, QueueItem};

/// The longest reason, in characters.
pub const REASON_MAX: usize = 500;

impl<'a> Lab<'a> {
    /// `actor` decides on an annotation or a post; the log entry.
    pub async fn decide(
        &self,
        actor: Actor,
        target: Target,
        action: Action,
        reason: &str,
    ) -> Result<LogEntry> {
        if !actor.moderator {
            return Err(Error::NotAllowed("only moderators decide"));
        }
        let reason = reason.trim();
        let mut problems = Vec::new();
        if reason.is_empty() || reason.chars().count() > REASON_MAX {
            problems.push(FieldProblem::new(
                "reason",
                format!("Scrivi il motivo (al massimo {REASON_MAX} caratteri): l'autore e il registro pubblico lo leggono."),
                format!("Give the reason (at most {REASON_MAX} characters): the author and the public log read it."),
            ));
        }
        let to = match action {
            Action::Approve | Action::Restore => Some(ContentStatus::Visible),
            Action::Remove => Some(ContentStatus::Removed),
            Action::Hold => Some(ContentStatus::Held),
            _ => None,
        };
        let Some(to) = to else {
            problems.push(FieldProblem::new(
                "action",
                "Su un contenuto: approva, rimuovi, ripristina o trattieni.",
                "On content: approve, remove, restore or hold.",
            ));
            return Err(Error::Invalid(problems));
        };
        let from = self.status_of(target).await?;
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        match (action, from) {
            (Action::Approve, ContentStatus::Held) | (Action::Restore, ContentStatus::Removed) => {}
            (Action::Approve, _) => return Err(Error::NotAllowed("only held content is approved")),
            (Action::Restore, _) => {
                return Err(Error::NotAllowed("only removed content is restored"))
            }
            _ => {}
        }
        if let moderation::Verdict::Refused(why) =
            moderation::transition(from, to, moderation::Actor::Moderator)
        {
            return Err(Error::NotAllowed(why));
        }
        let act = ContentAct {
            moderator_id: actor.user_id,
            action,
            target,
            status: to,
            reason,
        };
        let entry = self
            .store
            .act_on_content(&act, OffsetDateTime::now_utc())
            .await?;
        self.hub.poke();
        Ok(entry)
    }

    /// What waits for a moderator: reported and held items, newest first.
    pub async fn queue(&self, actor: Actor, limit: i64) -> Result<Vec<QueueItem>> {
        if !actor.moderator {
            return Err(Error::NotAllowed("only moderators see the queue"));
        }
        Ok(self.store.queue(limit).await?)
    }

    /// The public moderation log, newest first, before the entry `before`.
    pub async fn moderation_log(&self, before: Option<i64>, limit: i64) -> Result<Vec<LogEntry>> {
        Ok(self.store.moderation_log(before, limit).await?)
    }

    async fn status_of(&self, target: Target) -> Result<ContentStatus> {
        match target {
            Target::Annotation(id) => self
                .store
                .annotation(id)
                .await?
                .map(|a| a.status)
                .ok_or(Error::NotFound("annotation")),
            Target::Post(id) => self
                .store
                .post(id)
                .await?
                .map(|p| p.status)
                .ok_or(Error::NotFound("post")),
            Target::User(_) | Target::Mashup(_) => Err(FieldProblem::new(
                "target",
                "Si decide qui su annotazioni e messaggi.",
                "Decisions here are on annotations and posts.",
            )
            .into()),
        }
    }
}
