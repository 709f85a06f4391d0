//! Reports over JSON (`/api/v1/reports`): anyone may report an annotation,
//! a post or a user, with or without an account (a visitor may leave a
//! name and an address to hear the outcome). The reasons come from the
//! moderation policy. The action is `participation::Lab::report`, as the
//! report page's will be.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::error::{BodyRefused, Error, NotFound, Problem, TooMany};
use super::extract::{actor_of, ApiJson};
use super::lab::lab;
use super::session::{client_ip, Identity};
use super::state::AppState;
use crate::participation::ReportDraft;
use moderation::Target;

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
    let target = Target::parse(&body.target.kind, body.target.id)
        .filter(|t| !matches!(t, Target::Mashup(_)))
        .ok_or_else(|| Error::bad("target.kind", "expected annotation, post or user"))?;
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
