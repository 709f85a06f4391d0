//! Participation in storage: annotations, threads, posts, reactions,
//! revisions, notifications and follows. Every change writes its outbox
//! event (or events: a post that notifies three people is four changes)
//! in its own transaction, through `sql::emit`, so a rolled-back change
//! leaves no event and a committed one exactly one.

use async_trait::async_trait;
use serde_json::json;
use time::OffsetDateTime;

use super::error::{Result, StoreError};
use super::events::{emit, Event};
use super::pools::{Backend, HasDb, PostgresStore, SqliteStore};
use crate::lab::{
    parse_status, status_str, Annotation, ContentKind, ContentStatus, Digest, Follow,
    NewAnnotation, NewPost, Notification, Post, Revised, Thread, Writing,
};
use moderation::Finding;

#[async_trait]
pub trait LabStore: Send + Sync {
    async fn create_annotation(
        &self,
        a: &NewAnnotation<'_>,
        now: OffsetDateTime,
    ) -> Result<Annotation>;
    async fn annotation(&self, id: i64) -> Result<Option<Annotation>>;
    /// Newest first: an area's annotations (every area's with None) that a
    /// reader may see listed: visible, removed and deleted ones (the last
    /// two as placeholders), and held ones only to their author.
    async fn annotations(
        &self,
        area_code: Option<&str>,
        viewer: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Annotation>>;
    /// Keep the old text of an annotation or post as a revision, store the
    /// new one with the status the screen gave it.
    async fn edit_content(
        &self,
        kind: ContentKind,
        id: i64,
        new: &Revised<'_>,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// A new status (and its reason) for an annotation or a post, announced
    /// on its public topic.
    async fn set_content_status(
        &self,
        kind: ContentKind,
        id: i64,
        status: ContentStatus,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// Earlier versions of an annotation or a post, newest first: (title, body, when).
    async fn revisions(
        &self,
        content: &str,
        id: i64,
    ) -> Result<Vec<(Option<String>, String, OffsetDateTime)>>;

    async fn thread(&self, subject: &str) -> Result<Option<Thread>>;
    async fn thread_by_id(&self, id: i64) -> Result<Option<Thread>>;
    /// The thread of a subject, created on first use.
    async fn ensure_thread(&self, subject: &str, now: OffsetDateTime) -> Result<Thread>;
    async fn set_thread_lock(&self, id: i64, by: Option<i64>, now: OffsetDateTime) -> Result<()>;
    /// Store a post and notify: the parent's author (reply), the people
    /// mentioned, and the followers of the thread and of its subject.
    async fn create_post(&self, p: &NewPost<'_>, now: OffsetDateTime) -> Result<Post>;
    async fn post(&self, id: i64) -> Result<Option<Post>>;
    /// Every post of a thread, oldest first (at most 5,000).
    async fn posts(&self, thread_id: i64) -> Result<Vec<Post>>;
    /// Add or take back a user's "utile": whether it is now marked, and the count.
    async fn toggle_useful(
        &self,
        post_id: i64,
        user_id: i64,
        link: &str,
        now: OffsetDateTime,
    ) -> Result<(bool, i64)>;
    /// The posts of a thread the user found useful.
    async fn marked_useful(&self, thread_id: i64, user_id: i64) -> Result<Vec<i64>>;
    /// What `author_id` has written lately (the last `recent` texts), and
    /// how much before `first_day_end`.
    async fn writing(
        &self,
        author_id: i64,
        first_day_end: OffsetDateTime,
        recent: i64,
    ) -> Result<Writing>;

    async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<Notification>>;
    async fn unread_notifications(&self, user_id: i64) -> Result<i64>;
    /// Mark one (or, with None, every) notification read.
    async fn mark_read(&self, user_id: i64, id: Option<i64>, now: OffsetDateTime) -> Result<()>;

    /// Follow (or change the digest of) a subject.
    async fn follow(
        &self,
        user_id: i64,
        subject: &str,
        digest: Digest,
        unsubscribe_hash: &str,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn unfollow(&self, user_id: i64, subject: &str) -> Result<bool>;
    async fn follows(&self, user_id: i64) -> Result<Vec<Follow>>;
    async fn following(&self, user_id: i64, subject: &str) -> Result<bool>;
    /// The one-click unsubscribe of a digest: the user and subject it ended.
    async fn unfollow_by_token(&self, hash: &str) -> Result<Option<(i64, String)>>;

    /// Follows whose daily or weekly digest is due at `now` (for active,
    /// verified users), oldest first.
    async fn due_digests(&self, now: OffsetDateTime) -> Result<Vec<DueDigest>>;
    /// Events of one topic written after `since`, oldest first.
    async fn events_on(&self, topic: &str, since: OffsetDateTime, limit: i64)
        -> Result<Vec<Event>>;
    /// A digest went out: when, and the hash of the unsubscribe token in it.
    async fn digest_sent(
        &self,
        user_id: i64,
        subject: &str,
        now: OffsetDateTime,
        unsubscribe_hash: &str,
    ) -> Result<()>;
}

/// A digest to send.
#[derive(Debug, Clone)]
pub struct DueDigest {
    pub user_id: i64,
    pub email: String,
    pub lang: String,
    pub subject: String,
    pub digest: Digest,
    /// Events after this time go in.
    pub since: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct AnnotationRow {
    id: i64,
    area_code: String,
    author_id: Option<i64>,
    author_name: Option<String>,
    title: String,
    body: String,
    body_html: String,
    lon: Option<f64>,
    lat: Option<f64>,
    dataset_slug: Option<String>,
    variable_code: Option<String>,
    status: String,
    status_reason: Option<String>,
    screening: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<AnnotationRow> for Annotation {
    type Error = StoreError;
    fn try_from(r: AnnotationRow) -> Result<Self> {
        Ok(Annotation {
            status: parse_status(&r.status).ok_or_else(|| {
                StoreError::Internal(format!("annotation {}: status {}", r.id, r.status))
            })?,
            id: r.id,
            area_code: r.area_code,
            author_id: r.author_id,
            author_name: r.author_name.filter(|n| !n.is_empty()),
            title: r.title,
            body: r.body,
            body_html: r.body_html,
            lon: r.lon,
            lat: r.lat,
            dataset_slug: r.dataset_slug,
            variable_code: r.variable_code,
            status_reason: r.status_reason,
            screening: findings_of(r.screening.as_deref(), "annotation", r.id)?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    thread_id: i64,
    parent_id: Option<i64>,
    author_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    body_html: String,
    status: String,
    status_reason: Option<String>,
    screening: Option<String>,
    useful: i32,
    created_at: OffsetDateTime,
    edited_at: Option<OffsetDateTime>,
}

impl TryFrom<PostRow> for Post {
    type Error = StoreError;
    fn try_from(r: PostRow) -> Result<Self> {
        Ok(Post {
            status: parse_status(&r.status).ok_or_else(|| {
                StoreError::Internal(format!("post {}: status {}", r.id, r.status))
            })?,
            id: r.id,
            thread_id: r.thread_id,
            parent_id: r.parent_id,
            author_id: r.author_id,
            author_name: r.author_name.filter(|n| !n.is_empty()),
            body: r.body,
            body_html: r.body_html,
            status_reason: r.status_reason,
            screening: findings_of(r.screening.as_deref(), "post", r.id)?,
            useful: i64::from(r.useful),
            created_at: r.created_at,
            edited_at: r.edited_at,
        })
    }
}

/// The screen's findings as stored: JSON, NULL for none.
fn findings_of(stored: Option<&str>, what: &str, id: i64) -> Result<Vec<Finding>> {
    stored.map_or(Ok(Vec::new()), |json| {
        serde_json::from_str(json)
            .map_err(|e| StoreError::Internal(format!("{what} {id}: screening: {e}")))
    })
}

fn findings_json(findings: &[Finding]) -> Option<String> {
    // Serializing plain data cannot fail.
    (!findings.is_empty()).then(|| serde_json::to_string(findings).unwrap_or_default())
}

const ANNOTATION_SELECT: &str = "SELECT a.id, a.area_code, a.author_id, u.display_name AS author_name, a.title, a.body, \
    a.body_html, a.lon, a.lat, a.dataset_slug, a.variable_code, a.status, a.status_reason, a.screening, a.created_at, a.updated_at \
    FROM annotations a LEFT JOIN users u ON u.id = a.author_id";
const POST_SELECT: &str =
    "SELECT p.id, p.thread_id, p.parent_id, p.author_id, u.display_name AS author_name, p.body, \
    p.body_html, p.status, p.status_reason, p.screening, p.useful, p.created_at, p.edited_at \
    FROM posts p LEFT JOIN users u ON u.id = p.author_id";

/// What the store does alike for annotations and posts: where a row is
/// read, how it is edited, what its events say and on which topic.
trait Content: Sized + Send + Unpin {
    type Row: TryInto<Self, Error = StoreError> + Send + Unpin;
    /// The table a status change updates.
    const TABLE: &'static str;
    /// The name in `revisions.content` and in event types ("annotation.updated").
    const KIND: &'static str;
    /// The query of one row by `$1`, its id.
    fn by_id() -> String;
    /// An edit: `$1` body, `$2` body_html, `$3` when, `$4` id, `$5` status,
    /// `$6` screening, and for annotations `$7` the title.
    const UPDATE: &'static str;
    fn status(&self) -> ContentStatus;
    /// The public topic its events go to.
    fn topic(&self) -> String;
    /// Its fields in an event, before `event_of` hides the text of what
    /// is not public.
    fn fields(&self) -> serde_json::Value;
    /// The text an edit keeps as a revision: (title, body, written at).
    fn revision(&self) -> (Option<&str>, &str, OffsetDateTime);
}

impl Content for Annotation {
    type Row = AnnotationRow;
    const TABLE: &'static str = "annotations";
    const KIND: &'static str = "annotation";
    fn by_id() -> String {
        format!("{ANNOTATION_SELECT} WHERE a.id = $1")
    }
    const UPDATE: &'static str =
        "UPDATE annotations SET body = $1, body_html = $2, updated_at = $3, status = $5, screening = $6, \
         title = $7 WHERE id = $4";
    fn status(&self) -> ContentStatus {
        self.status
    }
    fn topic(&self) -> String {
        format!("area:{}", self.area_code)
    }
    fn fields(&self) -> serde_json::Value {
        json!({
            "id": self.id,
            "area_code": self.area_code,
            "title": self.title,
            "body_html": self.body_html,
            "lon": self.lon,
            "lat": self.lat,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "status": status_str(self.status),
            "created_at": self.created_at.unix_timestamp(),
        })
    }
    fn revision(&self) -> (Option<&str>, &str, OffsetDateTime) {
        (Some(&self.title), &self.body, self.updated_at)
    }
}

impl Content for Post {
    type Row = PostRow;
    const TABLE: &'static str = "posts";
    const KIND: &'static str = "post";
    fn by_id() -> String {
        format!("{POST_SELECT} WHERE p.id = $1")
    }
    const UPDATE: &'static str =
        "UPDATE posts SET body = $1, body_html = $2, edited_at = $3, status = $5, screening = $6 \
         WHERE id = $4";
    fn status(&self) -> ContentStatus {
        self.status
    }
    fn topic(&self) -> String {
        format!("thread:{}", self.thread_id)
    }
    fn fields(&self) -> serde_json::Value {
        json!({
            "id": self.id,
            "thread_id": self.thread_id,
            "parent_id": self.parent_id,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "body_html": self.body_html,
            "status": status_str(self.status),
            "useful": self.useful,
            "created_at": self.created_at.unix_timestamp(),
        })
    }
    fn revision(&self) -> (Option<&str>, &str, OffsetDateTime) {
        (None, &self.body, self.edited_at.unwrap_or(self.created_at))
    }
}

/// What an event says of an annotation or post (`what`: created, updated,
/// status): what any reader may see of it, so its text only while visible.
fn event_of<C: Content>(item: &C, what: &str) -> serde_json::Value {
    let mut fields = item.fields();
    if item.status() != ContentStatus::Visible {
        for text in ["title", "body_html"] {
            if let Some(value) = fields.get_mut(text) {
                *value = json!("");
            }
        }
    }
    json!({ "type": format!("{}.{what}", C::KIND), C::KIND: fields })
}

/// Held content is announced to moderators only.
fn topic_for<C: Content>(item: &C) -> String {
    if item.status() == ContentStatus::Held {
        "moderation".to_string()
    } else {
        item.topic()
    }
}

/// The count the header badge shows.
const UNREAD: &str = "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";

macro_rules! lab_store {
    ($store:ident, $backend:expr) => {
        impl $store {
            /// One notification and its event, inside the caller's transaction.
            pub(super) async fn notify_in(
                tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>,
                user_id: i64,
                kind: &str,
                actor_id: Option<i64>,
                link: &str,
                summary: &str,
                now: OffsetDateTime,
            ) -> Result<()> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO notifications (user_id, kind, actor_id, link, summary, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(user_id)
                .bind(kind)
                .bind(actor_id)
                .bind(link)
                .bind(summary)
                .bind(now)
                .fetch_one(&mut **tx)
                .await?;
                let unread = Self::unread_in(&mut **tx, user_id).await?;
                let payload = json!({"type": "notification", "id": id, "kind": kind, "link": link, "summary": summary, "unread": unread});
                emit(tx, $backend, &format!("user:{user_id}"), &payload, now).await?;
                Ok(())
            }

            /// Keep a text as it was before an edit.
            async fn revision_in(
                tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>,
                content: &str,
                id: i64,
                title: Option<&str>,
                body: &str,
                at: OffsetDateTime,
            ) -> Result<()> {
                sqlx::query("INSERT INTO revisions (content, content_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(content)
                    .bind(id)
                    .bind(title)
                    .bind(body)
                    .bind(at)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            /// One annotation or post, read inside the transaction that changes it.
            async fn content_in<C: Content>(tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>, id: i64) -> Result<C>
            where
                C::Row: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row>,
            {
                let row: C::Row = sqlx::query_as(&C::by_id()).bind(id).fetch_one(&mut **tx).await?;
                row.try_into()
            }

            async fn content<C: Content>(&self, id: i64) -> Result<Option<C>>
            where
                C::Row: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row>,
            {
                let row: Option<C::Row> = sqlx::query_as(&C::by_id()).bind(id).fetch_optional(self.pool()).await?;
                row.map(TryInto::try_into).transpose()
            }

            /// Keep the old text as a revision, store the new one, announce it.
            async fn edit<C: Content>(&self, id: i64, new: &Revised<'_>, now: OffsetDateTime) -> Result<()>
            where
                C::Row: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row>,
            {
                let mut tx = self.pool().begin().await?;
                let old: C = Self::content_in(&mut tx, id).await?;
                let (old_title, old_body, written) = old.revision();
                Self::revision_in(&mut tx, C::KIND, id, old_title, old_body, written).await?;
                let mut update = sqlx::query(C::UPDATE)
                    .bind(new.body)
                    .bind(new.body_html)
                    .bind(now)
                    .bind(id)
                    .bind(status_str(new.status))
                    .bind(findings_json(new.screening));
                if let Some(title) = new.title {
                    update = update.bind(title);
                }
                update.execute(&mut *tx).await?;
                let edited: C = Self::content_in(&mut tx, id).await?;
                emit(&mut tx, $backend, &topic_for(&edited), &event_of(&edited, "updated"), now).await?;
                tx.commit().await?;
                Ok(())
            }

            /// A moderator's or author's change of status, announced on the
            /// public topic so that every reader's page follows it.
            async fn change_status<C: Content>(&self, id: i64, status: ContentStatus, reason: Option<&str>, now: OffsetDateTime) -> Result<()>
            where
                C::Row: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row>,
            {
                let mut tx = self.pool().begin().await?;
                Self::status_in::<C>(&mut tx, id, status, reason, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn status_in<C: Content>(tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>, id: i64, status: ContentStatus, reason: Option<&str>, now: OffsetDateTime) -> Result<()>
            where
                C::Row: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row>,
            {
                sqlx::query(&format!("UPDATE {} SET status = $1, status_reason = $2 WHERE id = $3", C::TABLE))
                    .bind(status_str(status))
                    .bind(reason)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                let item: C = Self::content_in(tx, id).await?;
                emit(tx, $backend, &item.topic(), &event_of(&item, "status"), now).await?;
                Ok(())
            }

            /// A status change of an annotation or post inside the caller's
            /// transaction (moderation commits it with its log row).
            pub(super) async fn content_status_in(tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>, kind: ContentKind, id: i64, status: ContentStatus, reason: Option<&str>, now: OffsetDateTime) -> Result<()> {
                match kind {
                    ContentKind::Annotation => Self::status_in::<Annotation>(tx, id, status, reason, now).await,
                    ContentKind::Post => Self::status_in::<Post>(tx, id, status, reason, now).await,
                }
            }

            async fn unread_in<'e, E>(executor: E, user_id: i64) -> Result<i64>
            where
                E: sqlx::Executor<'e, Database = <$store as HasDb>::Db>,
            {
                let (n,): (i64,) = sqlx::query_as(UNREAD).bind(user_id).fetch_one(executor).await?;
                Ok(n)
            }

            /// Followers of any of `subjects`, but `except`.
            pub(super) async fn followers_in(tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>, subjects: &[&str], except: &[i64]) -> Result<Vec<i64>> {
                let mut out: Vec<i64> = Vec::new();
                for subject in subjects {
                    let rows: Vec<(i64,)> = sqlx::query_as("SELECT user_id FROM follows WHERE subject = $1 ORDER BY user_id")
                        .bind(*subject)
                        .fetch_all(&mut **tx)
                        .await?;
                    for (id,) in rows {
                        if !except.contains(&id) && !out.contains(&id) {
                            out.push(id);
                        }
                    }
                }
                Ok(out)
            }
        }

        #[async_trait]
        impl LabStore for $store {
            async fn create_annotation(&self, a: &NewAnnotation<'_>, now: OffsetDateTime) -> Result<Annotation> {
                let mut tx = self.pool().begin().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO annotations (area_code, author_id, title, body, body_html, lon, lat, dataset_slug, variable_code, status, screening, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
                )
                .bind(a.area_code)
                .bind(a.author_id)
                .bind(a.title)
                .bind(a.body)
                .bind(a.body_html)
                .bind(a.point.map(|p| p.0))
                .bind(a.point.map(|p| p.1))
                .bind(a.variable.map(|v| v.0))
                .bind(a.variable.map(|v| v.1))
                .bind(status_str(a.status))
                .bind(findings_json(a.screening))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let annotation: Annotation = Self::content_in(&mut tx, id).await?;
                emit(&mut tx, $backend, &topic_for(&annotation), &event_of(&annotation, "created"), now).await?;
                if a.status == ContentStatus::Visible {
                    let subject = format!("area:{}", a.area_code);
                    let link = format!("/annotazioni/{id}");
                    for user in Self::followers_in(&mut tx, &[&subject], &[a.author_id]).await? {
                        Self::notify_in(&mut tx, user, "followed", Some(a.author_id), &link, a.title, now).await?;
                    }
                }
                tx.commit().await?;
                Ok(annotation)
            }

            async fn annotation(&self, id: i64) -> Result<Option<Annotation>> {
                self.content(id).await
            }

            async fn annotations(&self, area_code: Option<&str>, viewer: Option<i64>, before: Option<i64>, limit: i64) -> Result<Vec<Annotation>> {
                let rows: Vec<AnnotationRow> = sqlx::query_as(&format!(
                    "{ANNOTATION_SELECT} WHERE ($1 IS NULL OR a.area_code = $1) \
                     AND (a.status <> 'held' OR a.author_id = $2) AND a.id < $3 ORDER BY a.id DESC LIMIT $4"
                ))
                .bind(area_code)
                .bind(viewer.unwrap_or(-1))
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
                rows.into_iter().map(Annotation::try_from).collect()
            }

            async fn edit_content(&self, kind: ContentKind, id: i64, new: &Revised<'_>, now: OffsetDateTime) -> Result<()> {
                match kind {
                    ContentKind::Annotation => self.edit::<Annotation>(id, new, now).await,
                    ContentKind::Post => self.edit::<Post>(id, new, now).await,
                }
            }

            async fn set_content_status(&self, kind: ContentKind, id: i64, status: ContentStatus, reason: Option<&str>, now: OffsetDateTime) -> Result<()> {
                match kind {
                    ContentKind::Annotation => self.change_status::<Annotation>(id, status, reason, now).await,
                    ContentKind::Post => self.change_status::<Post>(id, status, reason, now).await,
                }
            }

            async fn revisions(&self, content: &str, id: i64) -> Result<Vec<(Option<String>, String, OffsetDateTime)>> {
                Ok(sqlx::query_as("SELECT title, body, created_at FROM revisions WHERE content = $1 AND content_id = $2 ORDER BY id DESC")
                    .bind(content)
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?)
            }

            async fn thread(&self, subject: &str) -> Result<Option<Thread>> {
                let row: Option<(i64, String, Option<OffsetDateTime>)> = sqlx::query_as("SELECT id, subject, locked_at FROM threads WHERE subject = $1")
                    .bind(subject)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.map(|(id, subject, locked)| Thread { id, subject, locked: locked.is_some() }))
            }

            async fn thread_by_id(&self, id: i64) -> Result<Option<Thread>> {
                let row: Option<(i64, String, Option<OffsetDateTime>)> = sqlx::query_as("SELECT id, subject, locked_at FROM threads WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.map(|(id, subject, locked)| Thread { id, subject, locked: locked.is_some() }))
            }

            async fn ensure_thread(&self, subject: &str, now: OffsetDateTime) -> Result<Thread> {
                sqlx::query("INSERT INTO threads (subject, created_at) VALUES ($1, $2) ON CONFLICT (subject) DO NOTHING")
                    .bind(subject)
                    .bind(now)
                    .execute(self.pool())
                    .await?;
                self.thread(subject).await?.ok_or_else(|| StoreError::Internal(format!("thread {subject} vanished")))
            }

            async fn set_thread_lock(&self, id: i64, by: Option<i64>, now: OffsetDateTime) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                let locked_at = by.map(|_| now);
                sqlx::query("UPDATE threads SET locked_at = $1, locked_by = $2 WHERE id = $3")
                    .bind(locked_at)
                    .bind(by)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                emit(&mut tx, $backend, &format!("thread:{id}"), &json!({"type": "thread.locked", "thread_id": id, "locked": by.is_some()}), now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_post(&self, p: &NewPost<'_>, now: OffsetDateTime) -> Result<Post> {
                let mut tx = self.pool().begin().await?;
                // Locked between the check and the insert: refused here too.
                let locked: Option<(Option<OffsetDateTime>, String)> = sqlx::query_as("SELECT locked_at, subject FROM threads WHERE id = $1")
                    .bind(p.thread_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((locked_at, subject)) = locked else {
                    return Err(StoreError::Internal(format!("thread {} does not exist", p.thread_id)));
                };
                if locked_at.is_some() {
                    return Err(StoreError::Conflict("thread locked"));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, status, screening, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(p.thread_id)
                .bind(p.parent_id)
                .bind(p.author_id)
                .bind(p.body)
                .bind(p.body_html)
                .bind(status_str(p.status))
                .bind(findings_json(p.screening))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let post: Post = Self::content_in(&mut tx, id).await?;
                emit(&mut tx, $backend, &topic_for(&post), &event_of(&post, "created"), now).await?;
                // The notifications point at the new post itself.
                let link = format!("{}{id}", p.link);
                let link = link.as_str();
                if p.status == ContentStatus::Visible {
                    let mut told = vec![p.author_id];
                    if let Some(parent) = p.parent_id {
                        let author: Option<(Option<i64>,)> = sqlx::query_as("SELECT author_id FROM posts WHERE id = $1")
                            .bind(parent)
                            .fetch_optional(&mut *tx)
                            .await?;
                        if let Some((Some(author),)) = author {
                            if !told.contains(&author) {
                                Self::notify_in(&mut tx, author, "reply", Some(p.author_id), link, p.excerpt, now).await?;
                                told.push(author);
                            }
                        }
                    }
                    for user in p.mentions {
                        if !told.contains(user) {
                            Self::notify_in(&mut tx, *user, "mention", Some(p.author_id), link, p.excerpt, now).await?;
                            told.push(*user);
                        }
                    }
                    let thread_subject = format!("thread:{}", p.thread_id);
                    for user in Self::followers_in(&mut tx, &[&thread_subject, &subject], &told).await? {
                        Self::notify_in(&mut tx, user, "followed", Some(p.author_id), link, p.excerpt, now).await?;
                    }
                }
                tx.commit().await?;
                Ok(post)
            }

            async fn post(&self, id: i64) -> Result<Option<Post>> {
                self.content(id).await
            }

            async fn posts(&self, thread_id: i64) -> Result<Vec<Post>> {
                let rows: Vec<PostRow> = sqlx::query_as(&format!("{POST_SELECT} WHERE p.thread_id = $1 ORDER BY p.id LIMIT 5000"))
                    .bind(thread_id)
                    .fetch_all(self.pool())
                    .await?;
                rows.into_iter().map(Post::try_from).collect()
            }

            async fn toggle_useful(&self, post_id: i64, user_id: i64, link: &str, now: OffsetDateTime) -> Result<(bool, i64)> {
                let mut tx = self.pool().begin().await?;
                let removed = sqlx::query("DELETE FROM reactions WHERE post_id = $1 AND user_id = $2")
                    .bind(post_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected() > 0;
                if !removed {
                    sqlx::query("INSERT INTO reactions (post_id, user_id, created_at) VALUES ($1, $2, $3)")
                        .bind(post_id)
                        .bind(user_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("UPDATE posts SET useful = (SELECT COUNT(*) FROM reactions WHERE post_id = $1) WHERE id = $1")
                    .bind(post_id)
                    .execute(&mut *tx)
                    .await?;
                let post: Post = Self::content_in(&mut tx, post_id).await?;
                emit(&mut tx, $backend, &format!("thread:{}", post.thread_id), &json!({"type": "post.useful", "post_id": post_id, "useful": post.useful}), now).await?;
                if !removed {
                    if let Some(author) = post.author_id.filter(|a| *a != user_id) {
                        let summary: String = post.body.chars().take(120).collect();
                        Self::notify_in(&mut tx, author, "reaction", Some(user_id), link, &summary, now).await?;
                    }
                }
                tx.commit().await?;
                Ok((!removed, post.useful))
            }

            async fn marked_useful(&self, thread_id: i64, user_id: i64) -> Result<Vec<i64>> {
                let rows: Vec<(i64,)> = sqlx::query_as(
                    "SELECT r.post_id FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.thread_id = $1 AND r.user_id = $2",
                )
                .bind(thread_id)
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }

            async fn writing(&self, author_id: i64, first_day_end: OffsetDateTime, recent: i64) -> Result<Writing> {
                let mut latest: Vec<(OffsetDateTime, String)> = Vec::new();
                let mut writing = Writing::default();
                for table in ["annotations", "posts"] {
                    latest.extend(
                        sqlx::query_as::<_, (OffsetDateTime, String)>(&format!(
                            "SELECT created_at, body FROM {table} WHERE author_id = $1 ORDER BY id DESC LIMIT $2"
                        ))
                        .bind(author_id)
                        .bind(recent)
                        .fetch_all(self.pool())
                        .await?,
                    );
                    let (first_day, published): (i64, i64) = sqlx::query_as(&format!(
                        "SELECT COALESCE(SUM(CASE WHEN created_at < $2 THEN 1 ELSE 0 END), 0), \
                         COALESCE(SUM(CASE WHEN status = 'visible' THEN 1 ELSE 0 END), 0) FROM {table} WHERE author_id = $1"
                    ))
                    .bind(author_id)
                    .bind(first_day_end)
                    .fetch_one(self.pool())
                    .await?;
                    writing.first_day += u32::try_from(first_day).unwrap_or(u32::MAX);
                    writing.published += u32::try_from(published).unwrap_or(u32::MAX);
                }
                latest.sort_by(|a, b| b.0.cmp(&a.0));
                latest.truncate(usize::try_from(recent).unwrap_or(0));
                writing.last_at = latest.first().map(|(at, _)| *at);
                writing.recent = latest.into_iter().map(|(_, body)| body).collect();
                Ok(writing)
            }

            async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
                let rows: Vec<(i64, String, Option<String>, String, String, OffsetDateTime, Option<OffsetDateTime>)> = sqlx::query_as(
                    "SELECT n.id, n.kind, u.display_name, n.link, n.summary, n.created_at, n.read_at FROM notifications n \
                     LEFT JOIN users u ON u.id = n.actor_id WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2",
                )
                .bind(user_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, kind, actor, link, summary, created_at, read_at)| Notification {
                        id,
                        kind,
                        actor_name: actor.filter(|a| !a.is_empty()),
                        link,
                        summary,
                        created_at,
                        read: read_at.is_some(),
                    })
                    .collect())
            }

            async fn unread_notifications(&self, user_id: i64) -> Result<i64> {
                Self::unread_in(self.pool(), user_id).await
            }

            async fn mark_read(&self, user_id: i64, id: Option<i64>, now: OffsetDateTime) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)")
                    .bind(now)
                    .bind(user_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let unread = Self::unread_in(&mut *tx, user_id).await?;
                emit(&mut tx, $backend, &format!("user:{user_id}"), &json!({"type": "notifications.read", "unread": unread}), now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn follow(&self, user_id: i64, subject: &str, digest: Digest, unsubscribe_hash: &str, now: OffsetDateTime) -> Result<()> {
                sqlx::query(
                    "INSERT INTO follows (user_id, subject, digest, unsubscribe_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (user_id, subject) DO UPDATE SET digest = $3",
                )
                .bind(user_id)
                .bind(subject)
                .bind(digest.as_str())
                .bind(unsubscribe_hash)
                .bind(now)
                .execute(self.pool())
                .await?;
                Ok(())
            }

            async fn unfollow(&self, user_id: i64, subject: &str) -> Result<bool> {
                Ok(sqlx::query("DELETE FROM follows WHERE user_id = $1 AND subject = $2")
                    .bind(user_id)
                    .bind(subject)
                    .execute(self.pool())
                    .await?
                    .rows_affected() > 0)
            }

            async fn follows(&self, user_id: i64) -> Result<Vec<Follow>> {
                let rows: Vec<(String, String)> = sqlx::query_as("SELECT subject, digest FROM follows WHERE user_id = $1 ORDER BY created_at")
                    .bind(user_id)
                    .fetch_all(self.pool())
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(subject, digest)| Follow { subject, digest: Digest::parse(&digest).unwrap_or(Digest::None) })
                    .collect())
            }

            async fn following(&self, user_id: i64, subject: &str) -> Result<bool> {
                let row: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM follows WHERE user_id = $1 AND subject = $2")
                    .bind(user_id)
                    .bind(subject)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.is_some())
            }

            async fn due_digests(&self, now: OffsetDateTime) -> Result<Vec<DueDigest>> {
                let rows: Vec<(i64, String, String, String, String, OffsetDateTime)> = sqlx::query_as(
                    "SELECT f.user_id, u.email, u.lang, f.subject, f.digest, COALESCE(f.last_digest_at, f.created_at) \
                     FROM follows f JOIN users u ON u.id = f.user_id \
                     WHERE u.status = 'active' AND u.email IS NOT NULL AND u.email_verified_at IS NOT NULL \
                     AND ((f.digest = 'daily' AND COALESCE(f.last_digest_at, f.created_at) <= $1) \
                       OR (f.digest = 'weekly' AND COALESCE(f.last_digest_at, f.created_at) <= $2)) \
                     ORDER BY f.user_id, f.subject",
                )
                .bind(now - time::Duration::days(1))
                .bind(now - time::Duration::days(7))
                .fetch_all(self.pool())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(user_id, email, lang, subject, digest, since)| DueDigest {
                        user_id,
                        email,
                        lang,
                        subject,
                        digest: Digest::parse(&digest).unwrap_or(Digest::Daily),
                        since,
                    })
                    .collect())
            }

            async fn events_on(&self, topic: &str, since: OffsetDateTime, limit: i64) -> Result<Vec<Event>> {
                let rows: Vec<(i64, String, sqlx::types::Json<serde_json::Value>, OffsetDateTime)> = sqlx::query_as(
                    "SELECT id, topic, payload, created_at FROM events WHERE topic = $1 AND created_at > $2 ORDER BY id LIMIT $3",
                )
                .bind(topic)
                .bind(since)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, topic, payload, created_at)| Event { id, topic, payload: payload.0, created_at })
                    .collect())
            }

            async fn digest_sent(&self, user_id: i64, subject: &str, now: OffsetDateTime, unsubscribe_hash: &str) -> Result<()> {
                sqlx::query("UPDATE follows SET last_digest_at = $1, unsubscribe_hash = $2 WHERE user_id = $3 AND subject = $4")
                    .bind(now)
                    .bind(unsubscribe_hash)
                    .bind(user_id)
                    .bind(subject)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn unfollow_by_token(&self, hash: &str) -> Result<Option<(i64, String)>> {
                Ok(sqlx::query_as("DELETE FROM follows WHERE unsubscribe_hash = $1 RETURNING user_id, subject")
                    .bind(hash)
                    .fetch_optional(self.pool())
                    .await?)
            }
        }
    };
}

lab_store!(SqliteStore, Backend::Sqlite);
lab_store!(PostgresStore, Backend::Postgres);
