//! Following a quartiere, a dataset or a discussion (with an optional
//! e-mail digest), and one's notifications.

use time::OffsetDateTime;

use super::lab::{Actor, Error, FieldProblem, Lab, Result};
use crate::accounts::token::{random_token, sha256_hex};
use crate::lab::{Digest, Notification};
use crate::official::model::{Boundaries, Level};

impl<'a> Lab<'a> {
    /// A subject one may follow (`area:<code>`, `dataset:<slug>`,
    /// `thread:<id>`): its name and the page it lives on.
    pub async fn followable(&self, subject: &str) -> Result<(String, String)> {
        let not_one = || {
            Error::from(FieldProblem::new(
                "subject",
                "Si seguono un quartiere (area:<codice>), un dataset (dataset:<slug>) o una discussione (thread:<id>).",
                "subject: expected area:<code>, dataset:<slug> or thread:<id>",
            ))
        };
        let reference = self.reference.get().await;
        let (kind, key) = subject.split_once(':').ok_or_else(not_one)?;
        match kind {
            "area" => reference
                .areas(Boundaries::B2016, Level::Quartiere)
                .iter()
                .find(|a| a.code == key)
                .map(|a| (a.name.clone(), format!("/quartieri/{}", a.slug)))
                .ok_or_else(not_one),
            "dataset" => reference
                .dataset(key)
                .map(|d| (d.dataset.title_it.clone(), format!("/datasets/{key}")))
                .ok_or_else(not_one),
            "thread" => {
                let id = key.parse::<i64>().map_err(|_| not_one())?;
                let thread = self.store.thread_by_id(id).await?.ok_or_else(not_one)?;
                let href = self
                    .subject_href(&reference, &thread.subject)
                    .ok_or_else(not_one)?;
                Ok((format!("Discussione {id}"), href))
            }
            _ => Err(not_one()),
        }
    }

    /// Follow `subject`, with the digest asked for (none if not one we know);
    /// following again changes the digest. Where the subject lives.
    pub async fn follow(&self, actor: Actor, subject: &str, digest: &str) -> Result<String> {
        let (_, href) = self.followable(subject).await?;
        let digest = Digest::parse(digest).unwrap_or(Digest::None);
        let token = random_token();
        self.store
            .follow(
                actor.user_id,
                subject,
                digest,
                &sha256_hex(&token),
                OffsetDateTime::now_utc(),
            )
            .await?;
        Ok(href)
    }

    /// Stop following `subject`: whether it was followed, and where it
    /// lives (if it still exists).
    pub async fn unfollow(&self, actor: Actor, subject: &str) -> Result<(bool, Option<String>)> {
        let was = self.store.unfollow(actor.user_id, subject).await?;
        let href = self.followable(subject).await.ok().map(|f| f.1);
        Ok((was, href))
    }

    /// The actor's newest notifications, at most `limit`.
    pub async fn notifications(&self, actor: Actor, limit: i64) -> Result<Vec<Notification>> {
        Ok(self.store.notifications(actor.user_id, limit).await?)
    }

    /// Mark one notification read, or all with `None`.
    pub async fn mark_read(&self, actor: Actor, id: Option<i64>) -> Result<()> {
        self.store
            .mark_read(actor.user_id, id, OffsetDateTime::now_utc())
            .await?;
        self.hub.poke();
        Ok(())
    }
}
