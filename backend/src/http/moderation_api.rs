//! Moderation over JSON. Reports (`/api/v1/reports`): anyone may report an
//! annotation, a post or a user, with or without an account (a visitor may
//! leave a name and an address to hear the outcome); the reasons come from
//! the moderation policy. Moderators (with the second factor) read the
//! queue and decide (`/api/v1/moderation/queue`, `/decisions`); anyone
//! reads the public log (`/api/v1/moderation/log`: the item, the action and
//! the reason, never the reporter). The actions are `participation`'s, the
//! ones the pages call.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::error::{BadRequest, BodyRefused, Error, NotFound, Problem, TooMany, Unauthorized};
use super::extract::{actor_of, ApiJson, Moderating};
use super::lab::lab;
use super::session::{client_ip, Identity};
use super::state::AppState;
use crate::participation::ReportDraft;
use moderation::{Action, LogEntry, Target};

/// One reason a report may give.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonView {
    /// What a report sends as `reason`.
    pub id: String,
    pub label_it: String,
    pub label_en: String,
}

#[utoipa::path(get, path = "/api/v1/reports/reasons", tag = "moderation",
    responses((status = 200, body = [ReasonView])))]
pub async fn reasons(State(state): State<AppState>) -> Response {
    let reasons: Vec<ReasonView> = lab(&state)
        .report_reasons()
        .into_iter()
        .map(|(id, it, en)| ReasonView {
            id: id.into(),
            label_it: it.into(),
            label_en: en.into(),
        })
        .collect();
    Json(reasons).into_response()
}

/// What is reported.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// `annotation`, `post` or `user`.
    pub kind: String,
    pub id: i64,
}

/// A report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportBody {
    pub target: TargetBody,
    /// An `id` from `/api/v1/reports/reasons`.
    pub reason: String,
    /// What the reporter adds (at most 2,000 characters).
    #[serde(default)]
    pub note: String,
    /// Without an account: a name and an address to hear the outcome (optional).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// A report, received.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportReceipt {
    pub id: i64,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// Always `received`: a moderator decides, and the reporter is told.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation",
    request_body = NewReportBody,
    responses((status = 201, body = ReportReceipt, description = "Received; a moderator decides"),
        BodyRefused,
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Your own content, or a cross-site request"),
        NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Fields to fix, each named in `errors` (`target` when already reported)"),
        TooMany))]
pub async fn report(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewReportBody>,
) -> Result<Response, Error> {
    let peer = info.map(|Extension(ConnectInfo(a))| a.ip());
    let ip = client_ip(&headers, peer, &state.config.trusted_proxies);
    let target = target_of(&body.target)?;
    let draft = ReportDraft {
        target,
        reason: &body.reason,
        note: &body.note,
        name: &body.name,
        email: &body.email,
    };
    let who = identity.0.as_ref().map(actor_of);
    let filed = lab(&state).report(who, ip, &draft).await?;
    let receipt = ReportReceipt {
        id: filed.report.id,
        reason: filed.report.reason,
        received_at: filed.report.created_at,
        status: "received".into(),
    };
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

/// What an item is, for the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    /// `annotation`, `post` or `user`.
    pub kind: String,
    pub id: i64,
}

impl From<Target> for TargetView {
    fn from(t: Target) -> Self {
        TargetView {
            kind: t.kind().into(),
            id: t.id(),
        }
    }
}

fn target_of(body: &TargetBody) -> Result<Target, Error> {
    Target::parse(&body.kind, body.id)
        .filter(|t| !matches!(t, Target::Mashup(_)))
        .ok_or_else(|| Error::bad("target.kind", "expected annotation, post or user"))
}

/// One entry of the public moderation log: what was done, to what and
/// why; never who reported it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryView {
    pub id: i64,
    /// `hold`, `approve`, `remove`, `restore`, ...
    pub action: String,
    pub target: TargetView,
    /// `moderator`, or `system` when a rule acted (reports, the screen).
    pub by: String,
    /// The rule that led to it (`reports`), if a rule did.
    pub rule: Option<String>,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<LogEntry> for LogEntryView {
    fn from(e: LogEntry) -> Self {
        LogEntryView {
            id: e.id,
            action: e.action.as_str().into(),
            target: e.target.into(),
            by: if e.moderator_id.is_some() {
                "moderator"
            } else {
                "system"
            }
            .into(),
            rule: e.rule,
            reason: e.reason,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogEntryView>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// The `next` of the previous page.
    pub before: Option<i64>,
    /// 1 to 100 (default 20).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/moderation/log", tag = "moderation",
    params(LogQuery),
    responses((status = 200, body = LogPage), BadRequest))]
pub async fn log(
    State(state): State<AppState>,
    Query(q): Query<LogQuery>,
) -> Result<Response, Error> {
    let limit = match q.limit {
        None => 20,
        Some(n) if (1..=100).contains(&n) => n,
        Some(_) => return Err(Error::bad("limit", "expected a number from 1 to 100")),
    };
    let mut entries = lab(&state).moderation_log(q.before, limit + 1).await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    let next = more.then(|| entries.last().map(|e| e.id)).flatten();
    let items = entries.into_iter().map(LogEntryView::from).collect();
    Ok(Json(LogPage { items, next }).into_response())
}

/// An item waiting for a moderator.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemView {
    pub target: TargetView,
    /// The content's status (`held`, `visible`, ...); absent for users.
    pub status: Option<String>,
    pub open_reports: u32,
    /// The open reports' weight (1 + each reporter's trust level).
    pub open_weight: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub latest: OffsetDateTime,
}

#[utoipa::path(get, path = "/api/v1/moderation/queue", tag = "moderation",
    responses((status = 200, body = [QueueItemView]), Unauthorized,
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not a moderator with the second factor")),
    security(("bearer" = [])))]
pub async fn queue(State(state): State<AppState>, who: Moderating) -> Result<Response, Error> {
    let items: Vec<QueueItemView> = lab(&state)
        .queue(who.actor(), 100)
        .await?
        .into_iter()
        .map(|i| QueueItemView {
            target: i.target.into(),
            status: i.status,
            open_reports: i.open_reports,
            open_weight: i.open_weight,
            latest: i.latest,
        })
        .collect();
    Ok(Json(items).into_response())
}

/// A moderator's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub target: TargetBody,
    /// `approve` (held content), `remove`, `restore` (removed content) or `hold`.
    pub action: String,
    /// Required: the author and the public log read it.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/moderation/decisions", tag = "moderation",
    request_body = DecisionBody,
    responses((status = 201, body = LogEntryView, description = "Done and logged"),
        BodyRefused, Unauthorized,
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not a moderator with the second factor, or a move the life cycle forbids"),
        NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Fields to fix, each named in `errors`")),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    who: Moderating,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Response, Error> {
    let target = target_of(&body.target)?;
    let action = Action::parse(&body.action)
        .ok_or_else(|| Error::bad("action", "expected approve, remove, restore or hold"))?;
    let entry = lab(&state)
        .decide(who.actor(), target, action, &body.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(LogEntryView::from(entry))).into_response())
}
