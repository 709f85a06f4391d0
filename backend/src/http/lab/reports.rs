//! The report page: a form for anyone (signed in or not) to report an
//! annotation, a post or a user, and its receipt. The action is
//! `participation::Lab::report`, the one the JSON API calls.

use axum::extract::{Query, State};
use axum::response::Response;
use moderation::Target;
use openwelfare_frontend::participation as views;
use serde::Deserialize;

use super::view::{answer, lab, Answer};
use crate::http::account::{form_status, page, Ctx};
use crate::http::error::Error;
use crate::http::extract::{actor_of, CheckedForm};
use crate::http::state::AppState;
use crate::participation::{Error as LabError, ReportDraft};

/// `?cosa=annotation|post|user&id=N`.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub cosa: String,
    pub id: i64,
}

#[derive(Debug, Deserialize)]
pub struct ReportFormBody {
    pub kind: String,
    pub id: i64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// What is reported, and where it is shown: for the form's quote and its
/// way back. Not found when the reader may not see it.
async fn described(
    state: &AppState,
    ctx: &Ctx,
    kind: &str,
    id: i64,
) -> Result<(Target, String, String), Error> {
    let viewer = ctx.who.as_ref().map(|p| p.user.id);
    let lab = lab(state);
    match Target::parse(kind, id) {
        Some(Target::Annotation(id)) => {
            let a = lab.annotation(id, viewer).await?;
            Ok((
                Target::Annotation(id),
                a.title,
                format!("/annotazioni/{id}"),
            ))
        }
        Some(Target::Post(id)) => {
            let p = lab.post(id, viewer).await?;
            let excerpt: String = p.body.chars().take(80).collect();
            Ok((Target::Post(id), excerpt, format!("/messaggi/{id}")))
        }
        Some(Target::User(id)) => match state.store.user_by_id(id).await? {
            Some(u) if u.status == crate::accounts::UserStatus::Active => {
                Ok((Target::User(id), u.display_name, format!("/utenti/{id}")))
            }
            _ => Err(LabError::NotFound("user").into()),
        },
        _ => Err(Error::bad("cosa", "expected annotation, post or user")),
    }
}

fn form_page(
    state: &AppState,
    ctx: &Ctx,
    f: &ReportFormBody,
    what: &str,
    back: &str,
    errors: &[openwelfare_frontend::account::FieldError],
) -> Response {
    let reasons = lab(state).report_reasons();
    let form = views::ReportForm {
        kind: &f.kind,
        id: f.id,
        what,
        back,
        reasons: &reasons,
        chosen: &f.reason,
        note: &f.note,
        visitor: ctx.who.is_none(),
        name: &f.name,
        email: &f.email,
    };
    page(
        form_status(errors),
        views::report_form(&ctx.common(None, errors), &form),
    )
}

pub async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Error> {
    let (_, what, back) = described(&state, &ctx, &q.cosa, q.id).await?;
    let blank = ReportFormBody {
        kind: q.cosa,
        id: q.id,
        reason: String::new(),
        note: String::new(),
        name: String::new(),
        email: String::new(),
    };
    Ok(form_page(&state, &ctx, &blank, &what, &back, &[]))
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    CheckedForm(form): CheckedForm<ReportFormBody>,
) -> Result<Response, Error> {
    let (target, what, back) = described(&state, &ctx, &form.kind, form.id).await?;
    let draft = ReportDraft {
        target,
        reason: &form.reason,
        note: &form.note,
        name: &form.name,
        email: &form.email,
    };
    let who = ctx.who.as_ref().map(actor_of);
    let outcome = lab(&state).report(who, ctx.ip, &draft).await;
    Ok(match answer(&ctx, outcome)? {
        Answer::Done(_) => page(
            axum::http::StatusCode::OK,
            views::report_received(&ctx.common(None, &[]), &back),
        ),
        Answer::Refused(errors) => form_page(&state, &ctx, &form, &what, &back, &errors),
    })
}
