//! Moderation in storage: reports and the append-only moderation log.
//! A report that brings the weight of an item's open reports to the
//! policy's threshold holds the item in the same transaction, with its log
//! row and its events, so a hold is never without the reports and the
//! entry that explain it.

use async_trait::async_trait;
use moderation::{Action, FiledReport, LogEntry, NewReport, Reporter, Resolution, Target};
use time::OffsetDateTime;

use super::error::{conflict, Result, StoreError};
use super::pools::{PostgresStore, SqliteStore};
use crate::lab::{ContentKind, ContentStatus};

/// What filing a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub report: FiledReport,
    /// The weight of the item's open reports, this one included.
    pub open_weight: u32,
    /// Whether this report held the item (it reached the threshold while
    /// the item was visible).
    pub held: bool,
}

/// A moderator's decision on an annotation or a post.
#[derive(Debug, Clone, Copy)]
pub struct ContentAct<'a> {
    pub moderator_id: i64,
    pub action: Action,
    pub target: Target,
    /// The status the content moves to.
    pub status: ContentStatus,
    /// Required: the author and the public log are told.
    pub reason: &'a str,
}

/// One item waiting for a moderator: reported, held, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub target: Target,
    /// `held`, `visible`, ... (annotations and posts); None for users.
    pub status: Option<String>,
    pub open_reports: u32,
    pub open_weight: u32,
    /// When it was last reported, or held.
    pub latest: OffsetDateTime,
}

#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// File a report; `StoreError::Conflict("report")` when this user has
    /// reported the item already. At `hold_at` open weight a visible
    /// annotation or post is held, logged as the system's action.
    async fn file_report(
        &self,
        report: &NewReport<'_>,
        hold_at: u32,
        now: OffsetDateTime,
    ) -> Result<Filed>;
    /// A moderator's decision on an annotation or a post: its new status,
    /// the log row, and the resolution of its open reports (upheld when the
    /// item is removed, rejected when it is kept), in one transaction.
    async fn act_on_content(&self, act: &ContentAct<'_>, now: OffsetDateTime) -> Result<LogEntry>;
    /// Open reports, and held items, for the queue: newest first.
    async fn queue(&self, limit: i64) -> Result<Vec<QueueItem>>;
    /// An item's reports, oldest first.
    async fn reports_on(&self, target: Target) -> Result<Vec<FiledReport>>;
    /// The moderation log, newest first, before the entry `before`.
    async fn moderation_log(&self, before: Option<i64>, limit: i64) -> Result<Vec<LogEntry>>;
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    target_kind: String,
    target_id: i64,
    reporter_id: Option<i64>,
    visitor_name: Option<String>,
    visitor_email: Option<String>,
    reason: String,
    note: String,
    snapshot: String,
    weight: i32,
    created_at: OffsetDateTime,
    resolution: Option<String>,
    resolved_at: Option<OffsetDateTime>,
}

fn target_of(kind: &str, id: i64, row: i64, what: &str) -> Result<Target> {
    Target::parse(kind, id)
        .ok_or_else(|| StoreError::Internal(format!("{what} {row}: target kind {kind}")))
}

impl TryFrom<ReportRow> for FiledReport {
    type Error = StoreError;
    fn try_from(r: ReportRow) -> Result<Self> {
        let resolution = match (r.resolution.as_deref(), r.resolved_at) {
            (Some(text), Some(at)) => Some((
                Resolution::parse(text).ok_or_else(|| {
                    StoreError::Internal(format!("report {}: resolution {text}", r.id))
                })?,
                at,
            )),
            _ => None,
        };
        Ok(FiledReport {
            target: target_of(&r.target_kind, r.target_id, r.id, "report")?,
            reporter: match r.reporter_id {
                Some(id) => Reporter::User { id },
                None => Reporter::Visitor {
                    name: r.visitor_name,
                    email: r.visitor_email,
                },
            },
            id: r.id,
            reason: r.reason,
            note: r.note,
            snapshot: r.snapshot,
            weight: u32::try_from(r.weight).unwrap_or(1),
            created_at: r.created_at,
            resolution,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    moderator_id: Option<i64>,
    action: String,
    target_kind: String,
    target_id: i64,
    subject_id: Option<i64>,
    rule: Option<String>,
    reason: String,
    until: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl TryFrom<LogRow> for LogEntry {
    type Error = StoreError;
    fn try_from(r: LogRow) -> Result<Self> {
        Ok(LogEntry {
            action: Action::parse(&r.action).ok_or_else(|| {
                StoreError::Internal(format!("log entry {}: action {}", r.id, r.action))
            })?,
            target: target_of(&r.target_kind, r.target_id, r.id, "log entry")?,
            id: r.id,
            moderator_id: r.moderator_id,
            subject_id: r.subject_id,
            rule: r.rule,
            reason: r.reason,
            until: r.until,
            created_at: r.created_at,
        })
    }
}

const REPORT_COLUMNS: &str =
    "id, target_kind, target_id, reporter_id, visitor_name, visitor_email, \
    reason, note, snapshot, weight, created_at, resolution, resolved_at";
const LOG_COLUMNS: &str =
    "id, moderator_id, action, target_kind, target_id, subject_id, rule, reason, until, created_at";

/// The content a target names, if it is an annotation or a post.
fn content_of(target: Target) -> Option<(ContentKind, &'static str)> {
    match target {
        Target::Annotation(_) => Some((ContentKind::Annotation, "annotations")),
        Target::Post(_) => Some((ContentKind::Post, "posts")),
        Target::User(_) | Target::Mashup(_) => None,
    }
}

macro_rules! moderation_store {
    ($store:ident) => {
        #[async_trait]
        impl ModerationStore for $store {
            async fn file_report(&self, report: &NewReport<'_>, hold_at: u32, now: OffsetDateTime) -> Result<Filed> {
                let (reporter_id, name, email) = match report.reporter {
                    Reporter::User { id } => (Some(*id), None, None),
                    Reporter::Visitor { name, email } => (None, name.as_deref(), email.as_deref()),
                };
                let target = report.target;
                let mut tx = self.pool().begin().await?;
                let row: ReportRow = sqlx::query_as(&format!(
                    "INSERT INTO reports (target_kind, target_id, reporter_id, visitor_name, visitor_email, reason, note, snapshot, weight, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {REPORT_COLUMNS}"
                ))
                .bind(target.kind())
                .bind(target.id())
                .bind(reporter_id)
                .bind(name)
                .bind(email)
                .bind(report.reason)
                .bind(report.note)
                .bind(report.snapshot)
                .bind(i32::try_from(report.weight).unwrap_or(i32::MAX))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(conflict("report"))?;
                let (open,): (i64,) = sqlx::query_as(
                    "SELECT COALESCE(SUM(weight), 0) FROM reports WHERE target_kind = $1 AND target_id = $2 AND resolution IS NULL",
                )
                .bind(target.kind())
                .bind(target.id())
                .fetch_one(&mut *tx)
                .await?;
                let open_weight = u32::try_from(open).unwrap_or(u32::MAX);
                let mut held = false;
                if let Some((kind, table)) = content_of(target).filter(|_| open_weight >= hold_at) {
                    let current: Option<(String, Option<i64>)> =
                        sqlx::query_as(&format!("SELECT status, author_id FROM {table} WHERE id = $1"))
                            .bind(target.id())
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let Some((_, author)) = current.filter(|(status, _)| status == "visible") {
                        let reason = "Segnalato da più persone: in attesa di un moderatore. / Reported by several people: waiting for a moderator.";
                        Self::content_status_in(&mut tx, kind, target.id(), ContentStatus::Held, None, now).await?;
                        sqlx::query(
                            "INSERT INTO moderation_log (moderator_id, action, target_kind, target_id, subject_id, rule, reason, created_at) \
                             VALUES (NULL, $1, $2, $3, $4, 'reports', $5, $6)",
                        )
                        .bind(Action::Hold.as_str())
                        .bind(target.kind())
                        .bind(target.id())
                        .bind(author)
                        .bind(reason)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        held = true;
                    }
                }
                tx.commit().await?;
                Ok(Filed { report: row.try_into()?, open_weight, held })
            }

            async fn act_on_content(&self, act: &ContentAct<'_>, now: OffsetDateTime) -> Result<LogEntry> {
                let Some((kind, table)) = content_of(act.target) else {
                    return Err(StoreError::Internal(format!("{} is not content", act.target.kind())));
                };
                let mut tx = self.pool().begin().await?;
                let author: Option<(Option<i64>,)> = sqlx::query_as(&format!("SELECT author_id FROM {table} WHERE id = $1"))
                    .bind(act.target.id())
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((author,)) = author else {
                    return Err(StoreError::Internal(format!("{} {} does not exist", act.target.kind(), act.target.id())));
                };
                let reason = (act.status == ContentStatus::Removed).then_some(act.reason);
                Self::content_status_in(&mut tx, kind, act.target.id(), act.status, reason, now).await?;
                let row: LogRow = sqlx::query_as(&format!(
                    "INSERT INTO moderation_log (moderator_id, action, target_kind, target_id, subject_id, reason, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {LOG_COLUMNS}"
                ))
                .bind(act.moderator_id)
                .bind(act.action.as_str())
                .bind(act.target.kind())
                .bind(act.target.id())
                .bind(author)
                .bind(act.reason)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let resolution = match act.status {
                    ContentStatus::Removed | ContentStatus::Deleted => Some(Resolution::Upheld),
                    ContentStatus::Visible => Some(Resolution::Rejected),
                    ContentStatus::Held => None,
                };
                if let Some(resolution) = resolution {
                    sqlx::query(
                        "UPDATE reports SET resolution = $1, resolved_at = $2 \
                         WHERE target_kind = $3 AND target_id = $4 AND resolution IS NULL",
                    )
                    .bind(resolution.as_str())
                    .bind(now)
                    .bind(act.target.kind())
                    .bind(act.target.id())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                row.try_into()
            }

            async fn queue(&self, limit: i64) -> Result<Vec<QueueItem>> {
                let reported: Vec<(String, i64, i64, i64, OffsetDateTime)> = sqlx::query_as(
                    "SELECT target_kind, target_id, COUNT(*), COALESCE(SUM(weight), 0), MAX(created_at) FROM reports \
                     WHERE resolution IS NULL GROUP BY target_kind, target_id",
                )
                .fetch_all(self.pool())
                .await?;
                let mut items: Vec<QueueItem> = Vec::new();
                for (kind, id, count, weight, latest) in reported {
                    items.push(QueueItem {
                        target: target_of(&kind, id, id, "queue")?,
                        status: None,
                        open_reports: u32::try_from(count).unwrap_or(u32::MAX),
                        open_weight: u32::try_from(weight).unwrap_or(u32::MAX),
                        latest,
                    });
                }
                for (table, kind) in [("annotations", "annotation"), ("posts", "post")] {
                    let held: Vec<(i64, OffsetDateTime)> = sqlx::query_as(&format!(
                        "SELECT id, created_at FROM {table} WHERE status = 'held' ORDER BY id DESC LIMIT $1"
                    ))
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?;
                    for (id, at) in held {
                        let target = target_of(kind, id, id, "queue")?;
                        if !items.iter().any(|i| i.target == target) {
                            items.push(QueueItem { target, status: None, open_reports: 0, open_weight: 0, latest: at });
                        }
                    }
                }
                for item in &mut items {
                    if let Some((_, table)) = content_of(item.target) {
                        let status: Option<(String,)> = sqlx::query_as(&format!("SELECT status FROM {table} WHERE id = $1"))
                            .bind(item.target.id())
                            .fetch_optional(self.pool())
                            .await?;
                        item.status = status.map(|s| s.0);
                    }
                }
                items.sort_by(|a, b| b.latest.cmp(&a.latest));
                items.truncate(usize::try_from(limit).unwrap_or(0));
                Ok(items)
            }

            async fn reports_on(&self, target: Target) -> Result<Vec<FiledReport>> {
                let rows: Vec<ReportRow> = sqlx::query_as(&format!(
                    "SELECT {REPORT_COLUMNS} FROM reports WHERE target_kind = $1 AND target_id = $2 ORDER BY id"
                ))
                .bind(target.kind())
                .bind(target.id())
                .fetch_all(self.pool())
                .await?;
                rows.into_iter().map(FiledReport::try_from).collect()
            }

            async fn moderation_log(&self, before: Option<i64>, limit: i64) -> Result<Vec<LogEntry>> {
                let rows: Vec<LogRow> = sqlx::query_as(&format!(
                    "SELECT {LOG_COLUMNS} FROM moderation_log WHERE id < $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
                rows.into_iter().map(LogEntry::try_from).collect()
            }
        }
    };
}

moderation_store!(SqliteStore);
moderation_store!(PostgresStore);
