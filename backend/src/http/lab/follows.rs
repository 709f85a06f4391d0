//! Notifications and follows: the list of one's notifications and marking
//! them read, the bell's count, following and unfollowing, the list of
//! what one follows, and the digest's one-click unsubscribe.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use openwelfare_frontend::participation as views;
use serde::Deserialize;

use super::view::lab;
use crate::accounts::token::sha256_hex;
use crate::http::account::{date, page, see_other, Ctx};
use crate::http::error::{internal, Error};
use crate::http::extract::{CheckedForm, CsrfPassed, SignedIn};
use crate::http::state::AppState;

pub async fn notifications_page(
    State(state): State<AppState>,
    ctx: Ctx,
    who: SignedIn,
) -> Result<Response, Error> {
    let list = lab(&state).notifications(who.actor(), 100).await?;
    let whens: Vec<String> = list.iter().map(|n| date(ctx.lang, n.created_at)).collect();
    let items: Vec<views::NotificationItem> = list
        .iter()
        .zip(&whens)
        .map(|(n, when)| views::NotificationItem {
            id: n.id,
            summary: &n.summary,
            link: &n.link,
            when,
            unread: !n.read,
        })
        .collect();
    let unread = items.iter().filter(|i| i.unread).count();
    Ok(page(
        StatusCode::OK,
        views::notifications(&ctx.common(None, &[]), &items, unread),
    ))
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    who: SignedIn,
    _: CsrfPassed,
) -> Result<Response, Error> {
    lab(&state).mark_read(who.actor(), None).await?;
    Ok(see_other("/notifiche"))
}

pub async fn mark_one_read(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    lab(&state).mark_read(who.actor(), Some(id)).await?;
    Ok(see_other("/notifiche"))
}

/// `GET /api/v1/notifications/unread`: the bell's count.
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "accounts",
    responses((status = 200, description = "`{\"unread\": N, \"user_id\": ID}`", content_type = "application/json"),
        (status = 401, description = "Not signed in")),
    security(("bearer" = [])))]
pub async fn unread_count(State(state): State<AppState>, who: SignedIn) -> Result<Response, Error> {
    let n = state.store.unread_notifications(who.0.user.id).await?;
    Ok(Json(serde_json::json!({"unread": n, "user_id": who.0.user.id})).into_response())
}

#[derive(Deserialize, Default)]
pub struct FollowForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    digest: String,
}

pub async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    who: SignedIn,
    CheckedForm(form): CheckedForm<FollowForm>,
) -> Result<Response, Error> {
    let href = lab(&state)
        .follow(who.actor(), &form.subject, &form.digest)
        .await?;
    let back = if ctx.here.starts_with("/seguiti") {
        "/seguiti".to_string()
    } else {
        href
    };
    Ok(see_other(&back))
}

pub async fn unfollow(
    State(state): State<AppState>,
    who: SignedIn,
    CheckedForm(form): CheckedForm<FollowForm>,
) -> Result<Response, Error> {
    let (_, href) = lab(&state).unfollow(who.actor(), &form.subject).await?;
    Ok(see_other(&href.unwrap_or_else(|| "/seguiti".into())))
}

pub async fn follows_page(
    State(state): State<AppState>,
    ctx: Ctx,
    who: SignedIn,
) -> Result<Response, Error> {
    let lab = lab(&state);
    let list = state.store.follows(who.0.user.id).await?;
    let mut described = Vec::new();
    for f in &list {
        if let Ok((title, link)) = lab.followable(&f.subject).await {
            described.push((f, title, link));
        }
    }
    let items: Vec<views::FollowItem> = described
        .iter()
        .map(|(f, title, link)| views::FollowItem {
            subject: &f.subject,
            title,
            link,
            digest: f.digest.as_str(),
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        views::follows(&ctx.common(None, &[]), &items),
    ))
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The digest's one-click unsubscribe: works without logging in.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Response {
    let hash = sha256_hex(q.token.as_deref().unwrap_or(""));
    match state.store.unfollow_by_token(&hash).await {
        Ok(Some(_)) => crate::http::denied::respond_at(
            &ctx.here,
            false,
            ctx.lang,
            StatusCode::OK,
            "unsubscribed",
            ("Iscrizione annullata", "Unsubscribed"),
            (
                "Non riceverai più il riepilogo di questo argomento.",
                "You will no longer receive the digest of this subject.",
            ),
            Some(("/", ctx.lang.pick("Torna alla mappa", "Back to the map"))),
        ),
        Ok(None) => crate::http::denied::respond_at(
            &ctx.here,
            false,
            ctx.lang,
            StatusCode::BAD_REQUEST,
            "bad-link",
            ("Link non valido", "Invalid link"),
            (
                "Questo link non è valido o è già stato usato.",
                "This link is not valid or has been used already.",
            ),
            None,
        ),
        Err(e) => internal(e),
    }
}
