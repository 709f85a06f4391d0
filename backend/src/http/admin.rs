//! Powers over other accounts: admins change roles and decide association
//! requests; moderators and admins suspend and reinstate users. The route
//! rules require the role and the second factor, and the handlers name it
//! again (`Administering`, `Moderating`); they add who may act on whom
//! (nobody on themselves, a moderator never on a moderator or an admin).
//! Every change is logged in `account_log` by the store.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use openwelfare_frontend::account as views;
use openwelfare_frontend::mail::MailKind;
use serde::Deserialize;
use time::OffsetDateTime;

use super::account::{date, notice, page, role_view, see_other, send_mail, user_lang, Ctx};
use super::error::Error;
use super::extract::{Administering, CheckedForm, CsrfPassed, Moderating};
use super::session::Principal;
use super::state::AppState;
use crate::accounts::{Role, User, UserStatus};

fn forbidden(ctx: &Ctx) -> Response {
    super::denied::respond_at(
        "/",
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

/// The notice a page's `?msg=` asks for.
fn msg_notice(ctx: &Ctx, q: &HashMap<String, String>) -> Option<String> {
    notice(ctx, q.get("msg").map(String::as_str))
}

pub async fn users_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Administering(me): Administering,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let users = state.store.users().await?;
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
    Ok(page(
        StatusCode::OK,
        views::admin_users(
            &ctx.common(msg_notice(&ctx, &q), &[]),
            &views::AdminUsersView {
                me: me.user.id,
                users: &rows,
            },
        ),
    ))
}

#[derive(Deserialize, Default)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// The user `id` names, unless deleted.
async fn target(state: &AppState, id: i64) -> Result<Option<User>, Error> {
    let user = state.store.user_by_id(id).await?;
    Ok(user.filter(|u| u.status != UserStatus::Deleted))
}

pub async fn set_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Administering(me): Administering,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm<RoleForm>,
) -> Result<Response, Error> {
    let Some(role) = Role::parse(&form.role) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            "role: expected citizen, association, moderator or admin",
        )
            .into_response());
    };
    if id == me.user.id {
        return Ok(forbidden(&ctx));
    }
    if target(&state, id).await?.is_none() {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    state
        .store
        .set_role(me.user.id, id, role, OffsetDateTime::now_utc())
        .await?;
    Ok(see_other("/admin/utenti?msg=role"))
}

async fn set_status(
    state: &AppState,
    ctx: &Ctx,
    me: &Principal,
    id: i64,
    status: UserStatus,
) -> Result<Response, Error> {
    let Some(target) = target(state, id).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let outranked = me.user.role != Role::Admin && target.role >= Role::Moderator;
    if id == me.user.id || outranked {
        return Ok(forbidden(ctx));
    }
    state
        .store
        .set_status(me.user.id, id, status, OffsetDateTime::now_utc())
        .await?;
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
    Ok(see_other(&format!("{back}?msg={msg}")))
}

/// Suspend a user (`BAN`), or reinstate one (`!BAN`).
pub async fn ban<const BAN: bool>(
    State(state): State<AppState>,
    ctx: Ctx,
    Moderating(me): Moderating,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let status = if BAN {
        UserStatus::Banned
    } else {
        UserStatus::Active
    };
    set_status(&state, &ctx, &me, id, status).await
}

pub async fn associations_page(
    State(state): State<AppState>,
    ctx: Ctx,
    _: Administering,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let requests = state.store.pending_association_requests().await?;
    let mut names = Vec::with_capacity(requests.len());
    for r in &requests {
        let name = state
            .store
            .user_by_id(r.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
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
    Ok(page(
        StatusCode::OK,
        views::admin_associations(
            &ctx.common(msg_notice(&ctx, &q), &[]),
            &views::AdminAssociationsView { requests: &rows },
        ),
    ))
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

async fn decide(
    state: &AppState,
    me: &Principal,
    id: i64,
    approve: bool,
    note: &str,
) -> Result<Response, Error> {
    let note: String = note.chars().filter(|c| !c.is_control()).take(500).collect();
    let note = Some(note.trim()).filter(|n| !n.is_empty());
    let Some(request) = state.store.association_request(id).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let decided = state
        .store
        .decide_association_request(me.user.id, id, approve, note, OffsetDateTime::now_utc())
        .await?;
    if !decided {
        return Ok(StatusCode::CONFLICT.into_response());
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
    Ok(see_other("/admin/associazioni?msg=decided"))
}

pub async fn approve(
    State(state): State<AppState>,
    Administering(me): Administering,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    decide(&state, &me, id, true, "").await
}

pub async fn reject(
    State(state): State<AppState>,
    Administering(me): Administering,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm<DecisionForm>,
) -> Result<Response, Error> {
    decide(&state, &me, id, false, &form.note).await
}
