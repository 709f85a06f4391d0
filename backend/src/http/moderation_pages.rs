//! The moderation pages: the queue with a decision form per item (for
//! moderators with the second factor) and the public moderation log. They
//! work without JavaScript and call the same `participation` operations as
//! `moderation_api`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use moderation::{Action, Target};
use openwelfare_frontend::moderation as views;
use serde::Deserialize;

use super::account::{date, page, see_other, Ctx, MsgQuery};
use super::error::Error;
use super::extract::{CheckedForm, Moderating};
use super::lab::lab;
use super::state::AppState;
use crate::lab::ContentStatus;

/// What the queue shows of an item: its label, where it is, whether it is
/// held, and what the screen found (in the reader's language).
async fn described(
    state: &AppState,
    ctx: &Ctx,
    target: Target,
) -> Result<(String, String, bool, Vec<String>), Error> {
    let pick = |f: &moderation::Finding| ctx.lang.pick(&f.message_it, &f.message_en).to_string();
    Ok(match target {
        Target::Annotation(id) => match state.store.annotation(id).await? {
            Some(a) => (
                a.title.clone(),
                format!("/annotazioni/{id}"),
                a.status == ContentStatus::Held,
                a.screening.iter().map(pick).collect(),
            ),
            None => (format!("#{id}"), String::new(), false, Vec::new()),
        },
        Target::Post(id) => match state.store.post(id).await? {
            Some(p) => (
                p.body.chars().take(80).collect(),
                format!("/messaggi/{id}"),
                p.status == ContentStatus::Held,
                p.screening.iter().map(pick).collect(),
            ),
            None => (format!("#{id}"), String::new(), false, Vec::new()),
        },
        Target::User(id) => match state.store.user_by_id(id).await? {
            Some(u) => (u.display_name, format!("/utenti/{id}"), false, Vec::new()),
            None => (format!("#{id}"), String::new(), false, Vec::new()),
        },
        Target::Mashup(id) => (format!("#{id}"), String::new(), false, Vec::new()),
    })
}

pub async fn queue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Moderating,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    let lab = lab(&state);
    let reasons = lab.report_reasons();
    let label_of = |id: &str| {
        reasons
            .iter()
            .find(|r| r.0 == id)
            .map(|r| ctx.lang.pick(r.1, r.2).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    struct Owned {
        kind: &'static str,
        id: i64,
        label: String,
        href: String,
        held: bool,
        weight: u32,
        reports: Vec<(String, String, String, String)>,
        held_for: Vec<String>,
    }
    let mut owned = Vec::new();
    for item in lab.queue(who.actor(), 100).await? {
        let (label, href, held, held_for) = described(&state, &ctx, item.target).await?;
        let reports = state
            .store
            .reports_on(item.target)
            .await?
            .into_iter()
            .filter(|r| r.resolution.is_none())
            .map(|r| {
                (
                    label_of(&r.reason),
                    r.note,
                    r.snapshot,
                    date(ctx.lang, r.created_at),
                )
            })
            .collect();
        owned.push(Owned {
            kind: item.target.kind(),
            id: item.target.id(),
            label,
            href,
            held,
            weight: item.open_weight,
            reports,
            held_for,
        });
    }
    let entries: Vec<views::QueueEntry> = owned
        .iter()
        .map(|o| views::QueueEntry {
            kind: o.kind,
            id: o.id,
            href: o.href.clone(),
            label: &o.label,
            held: o.held,
            open_weight: o.weight,
            reports: o
                .reports
                .iter()
                .map(|(reason, note, snapshot, when)| views::ReportLine {
                    reason,
                    note,
                    snapshot,
                    when,
                })
                .collect(),
            held_for: o.held_for.iter().map(String::as_str).collect(),
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        views::queue(&ctx.common(q.notice(&ctx), &[]), &entries),
    ))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    pub kind: String,
    pub id: i64,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    who: Moderating,
    CheckedForm(form): CheckedForm<DecisionForm>,
) -> Result<Response, Error> {
    let target = Target::parse(&form.kind, form.id)
        .ok_or_else(|| Error::bad("kind", "expected annotation or post"))?;
    let action = Action::parse(&form.action)
        .ok_or_else(|| Error::bad("action", "expected approve, remove, restore or hold"))?;
    lab(&state)
        .decide(who.actor(), target, action, &form.reason)
        .await?;
    Ok(see_other("/moderazione?msg=decided"))
}

/// `?prima=N`: the entries before N.
#[derive(Debug, Deserialize)]
pub struct LogPageQuery {
    pub prima: Option<i64>,
}

const LOG_PAGE: i64 = 50;

pub async fn log_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogPageQuery>,
) -> Result<Response, Error> {
    let mut entries = lab(&state).moderation_log(q.prima, LOG_PAGE + 1).await?;
    let more = entries.len() as i64 > LOG_PAGE;
    entries.truncate(LOG_PAGE as usize);
    let next = more.then(|| entries.last().map(|e| e.id)).flatten();
    let dates: Vec<String> = entries
        .iter()
        .map(|e| date(ctx.lang, e.created_at))
        .collect();
    let lines: Vec<views::LogLine> = entries
        .iter()
        .zip(&dates)
        .map(|(e, when)| views::LogLine {
            when,
            action: e.action.as_str(),
            kind: e.target.kind(),
            id: e.target.id(),
            reason: &e.reason,
            by_system: e.moderator_id.is_none(),
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        views::log(&ctx.common(None, &[]), &lines, next),
    ))
}
