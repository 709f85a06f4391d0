//! The settings page and its forms: changing the password, changing the
//! address (confirmed by a link to the new one), deleting the account,
//! and downloading one's data. Each change asks for the password again.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use openwelfare_frontend::account::{self as views, FieldError};
use openwelfare_frontend::mail::MailKind;
use serde::Deserialize;
use time::OffsetDateTime;

use super::ctx::{see_other, Ctx, MsgQuery};
use super::mail::{mail_token, send_mail, user_lang};
use super::rules::{email_error, password_error, policy_error, recheck_password};
use crate::accounts::limits::Door;
use crate::accounts::model::{Contributions, TokenPurpose};
use crate::accounts::password::check_policy;
use crate::accounts::{normalize_email, valid_email, User};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, SignedIn};
use crate::http::session::clear_session_cookies;
use crate::http::state::AppState;

pub async fn settings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    render_settings(&state, &ctx, &me.user, q.notice(&ctx), &[]).await
}

async fn render_settings(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
) -> Result<Response, Error> {
    let pending = state
        .store
        .pending_email(me.id, OffsetDateTime::now_utc())
        .await?;
    let view = views::SettingsView {
        email: me.email.as_deref().unwrap_or(""),
        pending_email: pending.as_deref(),
    };
    Ok(ctx.form_page(notice, errors, views::settings, &view))
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> Result<Response, Error> {
    let (me, session_id) = (me.user, me.session.id);
    let mut errors = Vec::new();
    if !recheck_password(&state, &ctx, &me, &form.current_password).await? {
        errors.push(ctx.error(
            "current_password",
            "La password attuale non è corretta.",
            "The current password is wrong.",
        ));
    }
    let email = me.email.clone().unwrap_or_default();
    if let Err(e) = check_policy(&form.new_password, &[&email, &me.display_name]) {
        errors.push(policy_error(&ctx, "new_password", e));
    }
    if !errors.is_empty() {
        return render_settings(&state, &ctx, &me, None, &errors).await;
    }
    let hash = state.auth.passwords.hash(&form.new_password).await?;
    let now = OffsetDateTime::now_utc();
    state.store.set_password(me.id, &hash).await?;
    state
        .store
        .revoke_sessions(me.id, Some(&session_id), now)
        .await?;
    send_mail(
        &state,
        &email,
        user_lang(&me),
        MailKind::PasswordChanged,
        None,
    );
    Ok(see_other("/account/impostazioni?msg=password-changed"))
}

#[derive(Deserialize, Default)]
pub struct EmailChangeForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    password: String,
}

pub async fn change_email(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<EmailChangeForm>,
) -> Result<Response, Error> {
    let me = me.user;
    let new_email = normalize_email(&form.new_email);
    let mut errors = Vec::new();
    if !valid_email(&new_email) {
        errors.push(email_error(&ctx, "new_email"));
    } else if me.email.as_deref() == Some(new_email.as_str()) {
        errors.push(ctx.error(
            "new_email",
            "È già il tuo indirizzo.",
            "That is already your address.",
        ));
    }
    errors.extend(password_error(&state, &ctx, &me, &form.password, "password").await?);
    if !errors.is_empty() {
        return render_settings(&state, &ctx, &me, None, &errors).await;
    }
    state
        .auth
        .limits
        .account(Door::Mail, &me.id.to_string())
        .map_err(Error::rate_limited)?;
    mail_token(
        &state,
        &me,
        &new_email,
        TokenPurpose::Email,
        Some(&new_email),
    )
    .await?;
    Ok(see_other("/account/impostazioni?msg=email-sent"))
}

#[derive(Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    contributions: String,
}

pub async fn delete_account(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<DeleteForm>,
) -> Result<Response, Error> {
    let me = me.user;
    let mode = match form.contributions.as_str() {
        "remove" => Some(Contributions::Remove),
        "anonymise" => Some(Contributions::Anonymise),
        _ => None,
    };
    let mut errors = Vec::new();
    if mode.is_none() {
        errors.push(ctx.error(
            "contributions",
            "Scegli cosa fare dei tuoi contributi.",
            "Choose what to do with your contributions.",
        ));
    }
    let field = views::keys::DELETE_PASSWORD;
    errors.extend(password_error(&state, &ctx, &me, &form.password, field).await?);
    let Some(mode) = mode.filter(|_| errors.is_empty()) else {
        return render_settings(&state, &ctx, &me, None, &errors).await;
    };
    state.store.delete_user(me.id, mode).await?;
    let mut response = ctx.message(
        StatusCode::OK,
        ("Account eliminato", "Account deleted"),
        (
            "Il tuo account e i tuoi dati personali sono stati eliminati.",
            "Your account and your personal data have been deleted.",
        ),
        Some(("/", ctx.lang.pick("Torna alla mappa", "Back to the map"))),
    );
    clear_session_cookies(response.headers_mut(), &state);
    Ok(response)
}

/// Everything the site holds about the user, as JSON.
pub async fn export(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Response, Error> {
    let me = me.user;
    let now = OffsetDateTime::now_utc();
    let sessions = state.store.sessions(me.id, now).await?;
    let request = state.store.latest_association_request(me.id).await?;
    let codes = state.store.recovery_codes_left(me.id).await?;
    let rfc3339 = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let body = serde_json::json!({
        "exported_at": rfc3339(now),
        "user": {
            "id": me.id,
            "email": me.email,
            "display_name": me.display_name,
            "bio": me.bio,
            "role": me.role,
            "language": me.lang,
            "email_verified_at": me.email_verified_at.map(rfc3339),
            "created_at": rfc3339(me.created_at),
            "two_factor_enabled": me.totp_enabled(),
            "recovery_codes_left": codes,
        },
        "sessions": sessions,
        "association_request": request,
    });
    let bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"openwelfare-dati.json\"",
            ),
        ],
        bytes,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
