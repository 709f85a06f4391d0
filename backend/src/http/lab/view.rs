//! What every lab page shares: who is reading (as the views see it), the
//! page's common parts, and the lab's operations bound to the state.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use openwelfare_frontend::account::FieldError;
use openwelfare_frontend::participation as views;

use crate::accounts::Role;
use crate::http::account::{form_status, page, Ctx};
use crate::http::error::Error;
use crate::http::session::Identity;
use crate::http::state::AppState;
use crate::lab::{ContentStatus, Post};
use crate::participation::{Error as LabError, FieldProblem, Lab};

/// The lab's operations over this server's store, data, hub and limits.
pub fn lab(state: &AppState) -> Lab<'_> {
    Lab {
        store: state.store.as_ref(),
        reference: &state.reference,
        hub: &state.hub,
        limits: &state.auth.limits,
        policy: &state.config.moderation,
    }
}

/// The post at `{id}` as its reader may see it: what a post's pages show.
pub struct ReadPost(pub Post);

impl FromRequestParts<AppState> for ReadPost {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let reader = parts
            .extensions
            .get::<Identity>()
            .and_then(|i| i.0.as_ref());
        match lab(state).post(id, reader.map(|p| p.user.id)).await {
            Ok(post) => Ok(ReadPost(post)),
            Err(e) => Err(Error::from(e).into_response()),
        }
    }
}

pub fn viewer(ctx: &Ctx) -> views::Viewer {
    views::Viewer {
        user_id: ctx.who.as_ref().map(|p| p.user.id),
        can_post: ctx.who.as_ref().is_some_and(|p| p.user.verified()),
        moderator: ctx
            .who
            .as_ref()
            .is_some_and(|p| p.user.role >= Role::Moderator && p.powers_unlocked()),
    }
}

pub fn me(ctx: &Ctx) -> Option<i64> {
    ctx.who.as_ref().map(|p| p.user.id)
}

pub fn status_view(s: ContentStatus) -> views::Status {
    match s {
        ContentStatus::Visible => views::Status::Visible,
        ContentStatus::Held => views::Status::Held,
        ContentStatus::Removed => views::Status::Removed,
        ContentStatus::Deleted => views::Status::Deleted,
    }
}

/// A form's operation, answered: done with its value, or refused with what
/// is wrong with the input, for the form shown again.
pub enum Answer<T> {
    Done(T),
    Refused(Vec<FieldError>),
}

/// The answer to a form from its operation's outcome: any failure but
/// refused input stays a failure.
pub fn answer<T>(ctx: &Ctx, outcome: Result<T, LabError>) -> Result<Answer<T>, Error> {
    match outcome {
        Ok(value) => Ok(Answer::Done(value)),
        Err(LabError::Invalid(problems)) => Ok(Answer::Refused(field_errors(ctx, &problems))),
        Err(e) => Err(e.into()),
    }
}

/// What one edits: a post, or an annotation (with its title).
pub enum Editing<'a> {
    Post(i64),
    Annotation(i64, &'a str),
}

/// The edit form of a post or an annotation, with what is wrong (422).
pub fn edit_page(ctx: &Ctx, editing: Editing, body: &str, errors: &[FieldError]) -> Response {
    let (heading, action, title) = match editing {
        Editing::Post(id) => (
            ("Modifica il messaggio", "Edit the message"),
            format!("/messaggi/{id}/modifica"),
            None,
        ),
        Editing::Annotation(id, title) => (
            ("Modifica l'annotazione", "Edit the annotation"),
            format!("/annotazioni/{id}/modifica"),
            Some(title),
        ),
    };
    let heading = ctx.lang.pick(heading.0, heading.1);
    let form = views::edit_form(&ctx.common(None, errors), heading, &action, title, body);
    page(form_status(errors), form)
}

/// The operations' problems, in the reader's language, for a form.
pub fn field_errors(ctx: &Ctx, problems: &[FieldProblem]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: ctx.lang.pick(&p.it, &p.en).to_string(),
        })
        .collect()
}
