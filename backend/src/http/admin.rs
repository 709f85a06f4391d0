//! Powers over other accounts: admins change roles and decide association
//! requests; moderators and admins suspend and reinstate users. The route
//! rules require the role and the second factor; the handlers add who may
//! act on whom (nobody on themselves, a moderator never on a moderator or
//! an admin). Every change is logged in `account_log` by the store.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use openwelfare_frontend::account as views;
use openwelfare_frontend::mail::MailKind;
use serde::Deserialize;
use time::OffsetDateTime;

use super::account::{date, notice, page, role_view, see_other, send_mail, user_lang, Ctx};
use super::error::internal;
use super::state::AppState;
use crate::accounts::{Role, UserStatus};

fn forbidden(ctx: &Ctx) -> Response {
    super::denied::respond(
        false,
        ctx.lang,
        StatusCode::FORBIDDEN,
        "forbidden",
        ("Non consentito", "Not allowed"),
        (
            "Non puoi cambiare questo account.",
            "You cannot change this account.",
        ),
        None,
    )
}

pub async fn users_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let users = match state.store.users().await {
        Ok(u) => u,
        Err(e) => return internal(e),
    };
    let rows: Vec<views::UserRow> = users
        .iter()
        .map(|u| views::UserRow {
            id: u.id,
            display_name: &u.display_name,
            email: u.email.as_deref().unwrap_or(""),
            role: role_view(u.role),
            banned: u.status == UserStatus::Banned,
            email_verified: u.verified(),
            totp_enabled: u.totp_enabled(),
        })
        .collect();
    let msg = notice(&ctx, q.get("msg").map(String::as_str));
    page(
        StatusCode::OK,
        views::admin_users(
            &ctx_common(&ctx, msg),
            &views::AdminUsersView {
                me: me.user.id,
                users: &rows,
            },
        ),
    )
}

fn ctx_common(ctx: &Ctx, notice: Option<String>) -> views::Common<'_> {
    views::Common {
        lang: ctx.lang,
        csrf: &ctx.csrf,
        here: &ctx.here,
        notice,
        errors: &[],
    }
}

#[derive(Deserialize, Default)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let Some(role) = Role::parse(&form.role) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "role: expected citizen, association, moderator or admin",
        )
            .into_response();
    };
    if id == me.user.id {
        return forbidden(&ctx);
    }
    match state.store.user_by_id(id).await {
        Ok(Some(u)) if u.status != UserStatus::Deleted => {}
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    }
    if let Err(e) = state
        .store
        .set_role(me.user.id, id, role, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    see_other("/admin/utenti?msg=role")
}

async fn set_status(state: &AppState, ctx: &Ctx, id: i64, status: UserStatus) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let target = match state.store.user_by_id(id).await {
        Ok(Some(u)) if u.status != UserStatus::Deleted => u,
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let outranked = me.user.role != Role::Admin && target.role >= Role::Moderator;
    if id == me.user.id || outranked {
        return forbidden(ctx);
    }
    if let Err(e) = state
        .store
        .set_status(me.user.id, id, status, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    let back = if me.user.role == Role::Admin {
        "/admin/utenti"
    } else {
        "/account"
    };
    let msg = if status == UserStatus::Banned {
        "banned"
    } else {
        "unbanned"
    };
    see_other(&format!("{back}?msg={msg}"))
}

pub async fn ban(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    set_status(&state, &ctx, id, UserStatus::Banned).await
}

pub async fn unban(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    set_status(&state, &ctx, id, UserStatus::Active).await
}

pub async fn associations_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let requests = match state.store.pending_association_requests().await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let mut names = Vec::with_capacity(requests.len());
    for r in &requests {
        let name = match state.store.user_by_id(r.user_id).await {
            Ok(Some(u)) => u.display_name,
            Ok(None) => String::new(),
            Err(e) => return internal(e),
        };
        names.push((name, date(ctx.lang, r.created_at)));
    }
    let rows: Vec<views::AssociationRequestRow> = requests
        .iter()
        .zip(&names)
        .map(|(r, (user, created))| views::AssociationRequestRow {
            id: r.id,
            user_display_name: user,
            name: &r.name,
            website: &r.website,
            tax_code: &r.tax_code,
            created,
        })
        .collect();
    page(
        StatusCode::OK,
        views::admin_associations(
            &ctx_common(&ctx, notice(&ctx, q.get("msg").map(String::as_str))),
            &views::AdminAssociationsView { requests: &rows },
        ),
    )
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

async fn decide(state: &AppState, ctx: &Ctx, id: i64, approve: bool, note: &str) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let note: String = note.chars().filter(|c| !c.is_control()).take(500).collect();
    let note = Some(note.trim()).filter(|n| !n.is_empty());
    let request = match state.store.association_request(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    match state
        .store
        .decide_association_request(me.user.id, id, approve, note, OffsetDateTime::now_utc())
        .await
    {
        Ok(true) => {}
        Ok(false) => return StatusCode::CONFLICT.into_response(),
        Err(e) => return internal(e),
    }
    if let Ok(Some(user)) = state.store.user_by_id(request.user_id).await {
        if let Some(email) = &user.email {
            send_mail(
                state,
                email,
                user_lang(&user),
                MailKind::AssociationDecision {
                    approved: approve,
                    name: &request.name,
                    note,
                },
                None,
            );
        }
    }
    see_other("/admin/associazioni?msg=decided")
}

pub async fn approve(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    decide(&state, &ctx, id, true, "").await
}

pub async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    decide(&state, &ctx, id, false, &form.note).await
}
