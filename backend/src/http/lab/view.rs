//! What every lab page shares: who is reading (as the views see it), the
//! page's common parts, and the lab's operations bound to the state.

use openwelfare_frontend::account::{Common, FieldError};
use openwelfare_frontend::participation as views;

use crate::accounts::Role;
use crate::http::account::Ctx;
use crate::http::state::AppState;
use crate::lab::ContentStatus;
use crate::participation::{FieldProblem, Lab};

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

pub fn common<'a>(ctx: &'a Ctx, notice: Option<String>, errors: &'a [FieldError]) -> Common<'a> {
    Common {
        lang: ctx.lang,
        csrf: &ctx.csrf,
        here: &ctx.here,
        notice,
        errors,
    }
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
