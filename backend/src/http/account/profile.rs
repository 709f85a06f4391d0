//! One's profile (name, presentation, role, the state of an association
//! request) and its form, and the public profile others see.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use openwelfare_frontend::account::{self as views, FieldError};
use serde::Deserialize;

use super::ctx::{association_info, date, page, role_view, see_other, Ctx, MsgQuery};
use super::rules::{clean_line, display_name_error};
use crate::accounts::model::RequestStatus;
use crate::accounts::{Role, User, UserStatus};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, SignedIn};
use crate::http::state::AppState;

pub async fn profile_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    render_profile(&state, &ctx, &me.user, q.notice(&ctx), &[]).await
}

async fn render_profile(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
) -> Result<Response, Error> {
    let request = state.store.latest_association_request(me.id).await?;
    let view = views::ProfileView {
        user_id: me.id,
        email: me.email.as_deref().unwrap_or(""),
        display_name: &me.display_name,
        bio: &me.bio,
        role: role_view(me.role),
        email_verified: me.verified(),
        totp_enabled: me.totp_enabled(),
        totp_required: me.role.requires_second_factor(),
        association: request.as_ref().map(association_info),
    };
    Ok(ctx.form_page(notice, errors, views::profile, &view))
}

#[derive(Deserialize, Default)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
}

pub async fn update_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<ProfileForm>,
) -> Result<Response, Error> {
    let me = me.user;
    let display_name = clean_line(&form.display_name, 200);
    // The bio keeps its line breaks but no other control characters; it is always shown escaped.
    let bio: String = form
        .bio
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    let mut errors = Vec::new();
    errors.extend(display_name_error(&ctx, &display_name));
    if bio.chars().count() > 500 {
        errors.push(ctx.error(
            "bio",
            "La presentazione può avere al massimo 500 caratteri.",
            "The bio can have at most 500 characters.",
        ));
    }
    if !errors.is_empty() {
        let shown = User {
            display_name,
            bio,
            ..me
        };
        return render_profile(&state, &ctx, &shown, None, &errors).await;
    }
    state.store.set_profile(me.id, &display_name, &bio).await?;
    state.store.set_lang(me.id, ctx.lang.code()).await?;
    Ok(see_other("/account?msg=saved"))
}

pub async fn public_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let user = match state.store.user_by_id(id).await? {
        Some(u) if u.status == UserStatus::Active => u,
        _ => {
            return Ok(crate::http::pages::not_found(HeaderMap::from_iter([(
                header::ACCEPT,
                HeaderValue::from_static("text/html"),
            )]))
            .await)
        }
    };
    let request = state
        .store
        .latest_association_request(id)
        .await?
        .filter(|r| r.status == RequestStatus::Approved && user.role == Role::Association);
    let since = date(ctx.lang, user.created_at);
    let mut response = page(
        StatusCode::OK,
        views::public_profile(
            &ctx.common(None, &[]),
            &views::PublicProfileView {
                display_name: &user.display_name,
                bio: &user.bio,
                role: role_view(user.role),
                association: request
                    .as_ref()
                    .map(|r| (r.name.as_str(), r.website.as_str())),
                member_since: &since,
            },
        ),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
