//! One's open sessions: the list (when each began and was last used, on
//! what browser) and closing one of them.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use openwelfare_frontend::account as views;
use time::OffsetDateTime;

use super::ctx::{date_time, page, see_other, signed_out, Ctx, MsgQuery};
use crate::http::error::Error;
use crate::http::extract::{CsrfPassed, SignedIn};
use crate::http::state::AppState;

pub async fn sessions_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    let list = state
        .store
        .sessions(me.user.id, OffsetDateTime::now_utc())
        .await?;
    let texts: Vec<(String, String)> = list
        .iter()
        .map(|s| {
            (
                date_time(ctx.lang, s.created_at),
                date_time(ctx.lang, s.last_used_at),
            )
        })
        .collect();
    let rows: Vec<views::SessionRow> = list
        .iter()
        .zip(&texts)
        .map(|(s, (created, used))| views::SessionRow {
            id: &s.id,
            created,
            last_used: used,
            user_agent: if s.user_agent.is_empty() {
                "?"
            } else {
                &s.user_agent
            },
            current: s.id == me.session.id,
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        views::sessions(
            &ctx.common(q.notice(&ctx), &[]),
            &views::SessionsView { sessions: &rows },
        ),
    ))
}

pub async fn revoke_session(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let revoked = state
        .store
        .revoke_session(me.user.id, &id, OffsetDateTime::now_utc())
        .await?;
    Ok(match revoked {
        true if id == me.session.id => signed_out(&state, "/"),
        true => see_other("/account/sessioni?msg=revoked"),
        false => StatusCode::NOT_FOUND.into_response(),
    })
}
