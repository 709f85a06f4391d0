//! Discussions: one thread per subject (a quartiere, a dataset, an
//! annotation), created with its first post; replies to a depth; "utile"
//! marks; a moderator's lock. Held posts are shown to their author only.

use time::OffsetDateTime;

use super::lab::{may_write, own, shown_to, Actor, Error, FieldProblem, Lab, Result};
use crate::lab::{ContentKind, ContentStatus, NewPost, Post, Thread};
use crate::store::StoreError;

/// A subject's discussion as one viewer sees it.
#[derive(Debug, Clone)]
pub struct Discussion {
    /// `None` while nobody has written.
    pub thread: Option<Thread>,
    /// The posts this viewer may see, oldest first.
    pub posts: Vec<Post>,
    /// The posts this viewer marked useful.
    pub marked: Vec<i64>,
}

impl<'a> Lab<'a> {
    /// The page a subject lives on, if the subject exists and may be
    /// discussed (an annotation only while visible).
    pub async fn discussable(&self, subject: &str) -> Result<String> {
        let (kind, key) = subject
            .split_once(':')
            .ok_or(Error::NotFound("discussion"))?;
        if kind == "annotation" {
            let id = key
                .parse::<i64>()
                .map_err(|_| Error::NotFound("discussion"))?;
            return match self.store.annotation(id).await? {
                Some(a) if a.status == ContentStatus::Visible => Ok(format!("/annotazioni/{id}")),
                _ => Err(Error::NotFound("discussion")),
            };
        }
        let reference = self.reference.get().await;
        super::lab::subject_href(&reference, kind, key).ok_or(Error::NotFound("discussion"))
    }

    /// The discussion of `subject` as `viewer` sees it.
    pub async fn discussion(&self, subject: &str, viewer: Option<i64>) -> Result<Discussion> {
        let thread = self.store.thread(subject).await?;
        self.discussion_of(thread, viewer).await
    }

    /// As `discussion`, for a thread by its id.
    pub async fn discussion_by_id(&self, id: i64, viewer: Option<i64>) -> Result<Discussion> {
        let thread = self
            .store
            .thread_by_id(id)
            .await?
            .ok_or(Error::NotFound("discussion"))?;
        self.discussion_of(Some(thread), viewer).await
    }

    async fn discussion_of(
        &self,
        thread: Option<Thread>,
        viewer: Option<i64>,
    ) -> Result<Discussion> {
        let (posts, marked) = match (&thread, viewer) {
            (None, _) => (Vec::new(), Vec::new()),
            (Some(t), None) => (self.store.posts(t.id).await?, Vec::new()),
            (Some(t), Some(me)) => (
                self.store.posts(t.id).await?,
                self.store.marked_useful(t.id, me).await?,
            ),
        };
        let posts = posts
            .into_iter()
            .filter(|p| shown_to(p.status, p.author_id, viewer))
            .collect();
        Ok(Discussion {
            thread,
            posts,
            marked,
        })
    }

    /// The post as `viewer` may see it.
    pub async fn post(&self, id: i64, viewer: Option<i64>) -> Result<Post> {
        match self.store.post(id).await? {
            Some(p) if shown_to(p.status, p.author_id, viewer) => Ok(p),
            _ => Err(Error::NotFound("post")),
        }
    }

    /// The page a post is shown on, with its anchor.
    pub async fn post_href(&self, post: &Post) -> Result<String> {
        let thread = self
            .store
            .thread_by_id(post.thread_id)
            .await?
            .ok_or(Error::NotFound("discussion"))?;
        let reference = self.reference.get().await;
        let base = self
            .subject_href(&reference, &thread.subject)
            .ok_or(Error::NotFound("discussion"))?;
        Ok(format!("{base}#post-{}", post.id))
    }

    /// A new post in the discussion of `subject` (the thread is made with
    /// its first post), as a reply to `parent` if given.
    pub async fn create_post(
        &self,
        actor: Actor,
        subject: &str,
        parent: Option<&str>,
        body: &str,
    ) -> Result<(Post, String)> {
        let href = self.discussable(subject).await?;
        self.write_allowed(actor)?;
        let now = OffsetDateTime::now_utc();
        let thread = self.store.ensure_thread(subject, now).await?;
        if thread.locked {
            return Err(Error::Locked { at: href });
        }
        let parent = match parent.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                let id = p.parse::<i64>().map_err(|_| {
                    FieldProblem::new(
                        "parent",
                        "Il messaggio a cui rispondi non è indicato da un numero.",
                        "parent: expected a post id.",
                    )
                })?;
                match self.store.post(id).await? {
                    Some(post) if post.thread_id == thread.id => Some(id),
                    _ => {
                        return Err(FieldProblem::new(
                            "parent",
                            "Il messaggio a cui rispondi non è di questa discussione.",
                            "parent: not a post of this discussion.",
                        )
                        .into())
                    }
                }
            }
        };
        let text = self.prepare_text("body", None, body).await?;
        let excerpt: String = text.rendered.text.chars().take(140).collect();
        let link = format!("{href}#post-");
        let created = self
            .store
            .create_post(
                &NewPost {
                    thread_id: thread.id,
                    parent_id: parent,
                    author_id: actor.user_id,
                    body: &text.body,
                    body_html: &text.rendered.html,
                    status: text.status,
                    screening: &text.screening,
                    mentions: &text.rendered.mentions,
                    link: &link,
                    excerpt: &excerpt,
                },
                now,
            )
            .await;
        match created {
            Ok(post) => {
                self.hub.poke();
                let at = format!("{href}#post-{}", post.id);
                Ok((post, at))
            }
            // Locked between our read and the write.
            Err(StoreError::Conflict(_)) => Err(Error::Locked { at: href }),
            Err(e) => Err(e.into()),
        }
    }

    /// The post, if `actor` wrote it and may still change it.
    pub async fn own_post(&self, actor: Actor, id: i64) -> Result<Post> {
        let p = self.store.post(id).await?.ok_or(Error::NotFound("post"))?;
        own(p.author_id, p.status, actor)?;
        Ok(p)
    }

    /// A new text for the author's post; where it is shown.
    pub async fn edit_post(&self, actor: Actor, id: i64, body: &str) -> Result<(Post, String)> {
        let post = self.own_post(actor, id).await?;
        self.write_allowed(actor)?;
        let text = self.prepare_text("body", None, body).await?;
        let revised = text.revising(None, post.status, &post.screening);
        let now = OffsetDateTime::now_utc();
        self.store
            .edit_content(ContentKind::Post, id, &revised, now)
            .await?;
        self.hub.poke();
        let href = self.post_href(&post).await?;
        let post = self.store.post(id).await?.ok_or(Error::NotFound("post"))?;
        Ok((post, href))
    }

    /// The author deletes their post (a tombstone keeps the replies in place).
    pub async fn delete_post(&self, actor: Actor, id: i64) -> Result<String> {
        may_write(actor)?;
        let post = self.own_post(actor, id).await?;
        self.withdraw(ContentKind::Post, id, post.status).await?;
        self.post_href(&post).await
    }

    /// Mark a visible post useful, or take the mark back: whether it is now
    /// marked, its count, and where it is shown.
    pub async fn toggle_useful(&self, actor: Actor, id: i64) -> Result<(bool, i64, String)> {
        self.write_allowed(actor)?;
        let post = match self.store.post(id).await? {
            Some(p) if p.status == ContentStatus::Visible => p,
            _ => return Err(Error::NotFound("post")),
        };
        let href = self.post_href(&post).await?;
        let (marked, count) = self
            .store
            .toggle_useful(id, actor.user_id, &href, OffsetDateTime::now_utc())
            .await?;
        self.hub.poke();
        Ok((marked, count, href))
    }

    /// A moderator locks the discussion, or opens it again: whether it is
    /// now locked, and where it is shown.
    pub async fn toggle_lock(&self, actor: Actor, id: i64) -> Result<(bool, String)> {
        if !actor.moderator {
            return Err(Error::NotAllowed("only moderators lock discussions"));
        }
        let thread = self
            .store
            .thread_by_id(id)
            .await?
            .ok_or(Error::NotFound("discussion"))?;
        let by = (!thread.locked).then_some(actor.user_id);
        self.store
            .set_thread_lock(id, by, OffsetDateTime::now_utc())
            .await?;
        self.hub.poke();
        let reference = self.reference.get().await;
        let href = self
            .subject_href(&reference, &thread.subject)
            .unwrap_or_else(|| "/".into());
        Ok((by.is_some(), href))
    }
}
