//! The links that arrive by mail: verifying an address (and asking for a
//! new link), the forgotten password and its reset, and confirming a new
//! address. A link is used once; a used or expired one says so.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use openwelfare_frontend::account as views;
use openwelfare_frontend::mail::MailKind;
use serde::Deserialize;
use time::OffsetDateTime;

use super::ctx::{see_other, signed_out, Ctx, MsgQuery};
use super::mail::{mail_token, send_mail, user_lang};
use super::rules::{email_error, policy_error};
use crate::accounts::limits::Door;
use crate::accounts::model::TokenPurpose;
use crate::accounts::password::check_policy;
use crate::accounts::token::sha256_hex;
use crate::accounts::{mask_email, normalize_email, valid_email, User, UserStatus};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, CsrfPassed, SignedIn};
use crate::http::state::AppState;
use crate::store::StoreError;

fn bad_link(ctx: &Ctx) -> Response {
    ctx.message(
        StatusCode::BAD_REQUEST,
        ("Link non valido", "Invalid link"),
        (
            "Questo link non è valido: è già stato usato o è scaduto. Puoi chiederne uno nuovo.",
            "This link is not valid: it has been used already or it has expired. You can ask for a new one.",
        ),
        Some(("/account/password-dimenticata", ctx.lang.pick("Chiedi un nuovo link", "Ask for a new link"))),
    )
}

/// A link whose token was just used up: its user, the new address it
/// confirms (for a change of address), and when.
struct UsedLink {
    user_id: i64,
    new_email: Option<String>,
    at: OffsetDateTime,
}

/// Use up the link's token; `None` when it was used, expired or never sent.
async fn use_link(
    state: &AppState,
    token: Option<&str>,
    purpose: TokenPurpose,
) -> Result<Option<UsedLink>, Error> {
    let at = OffsetDateTime::now_utc();
    let digest = sha256_hex(token.unwrap_or_default());
    let used = state.store.consume_token(&digest, purpose, at).await?;
    Ok(used.map(|(user_id, new_email)| UsedLink {
        user_id,
        new_email,
        at,
    }))
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    let link = use_link(&state, q.token.as_deref(), TokenPurpose::Verify).await?;
    let Some(UsedLink { user_id, at, .. }) = link else {
        return Ok(bad_link(&ctx));
    };
    state.store.mark_verified(user_id, at).await?;
    if ctx.who.as_ref().is_some_and(|p| p.user.id == user_id) {
        return Ok(see_other("/account?msg=verified"));
    }
    Ok(ctx.message(
        StatusCode::OK,
        ("Indirizzo confermato", "Address confirmed"),
        (
            "Grazie: il tuo indirizzo è confermato. Ora puoi accedere.",
            "Thank you: your address is confirmed. You can log in now.",
        ),
        Some(("/account/accedi", ctx.lang.pick("Accedi", "Log in"))),
    ))
}

pub async fn resend_verification(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let me = me.user;
    state
        .auth
        .limits
        .ip(Door::Mail, ctx.ip)
        .and_then(|()| state.auth.limits.account(Door::Mail, &me.id.to_string()))
        .map_err(Error::rate_limited)?;
    if !me.verified() {
        if let Some(email) = &me.email {
            mail_token(&state, &me, email, TokenPurpose::Verify, None).await?;
        }
    }
    Ok(see_other("/account?msg=verification-sent"))
}

#[derive(Deserialize, Default)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

fn forgot_form(ctx: &Ctx, email: &str, sent: bool, errors: &[views::FieldError]) -> Response {
    ctx.form_page(
        None,
        errors,
        views::forgot,
        &views::ForgotView { email, sent },
    )
}

pub async fn forgot_page(ctx: Ctx) -> Response {
    forgot_form(&ctx, "", false, &[])
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    CheckedForm(form): CheckedForm<EmailForm>,
) -> Result<Response, Error> {
    let email = normalize_email(&form.email);
    if !valid_email(&email) {
        let errors = [email_error(&ctx, "email")];
        return Ok(forgot_form(&ctx, &form.email, false, &errors));
    }
    state
        .auth
        .limits
        .ip(Door::Mail, ctx.ip)
        .and_then(|()| state.auth.limits.account(Door::Mail, &email))
        .map_err(Error::rate_limited)?;
    if let Some(user) = state.store.user_by_email(&email).await? {
        if user.status == UserStatus::Active {
            mail_token(&state, &user, &email, TokenPurpose::Reset, None).await?;
        }
    }
    Ok(forgot_form(&ctx, &form.email, true, &[]))
}

pub async fn reset_page(ctx: Ctx, Query(q): Query<MsgQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    ctx.form_page(None, &[], views::reset, &views::ResetView { token: &token })
}

#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    CheckedForm(form): CheckedForm<ResetForm>,
) -> Result<Response, Error> {
    // The rules first, so a refused password does not use up the link.
    if let Err(e) = check_policy(&form.password, &[]) {
        let errors = [policy_error(&ctx, "password", e)];
        let view = views::ResetView { token: &form.token };
        return Ok(ctx.form_page(None, &errors, views::reset, &view));
    }
    let hash = state.auth.passwords.hash(&form.password).await?;
    let link = use_link(&state, Some(&form.token), TokenPurpose::Reset).await?;
    let Some(UsedLink { user_id, at, .. }) = link else {
        return Ok(bad_link(&ctx));
    };
    let Some(user) = state.store.user_by_id(user_id).await? else {
        return Ok(bad_link(&ctx));
    };
    state.store.set_password(user_id, &hash).await?;
    // Following the link proved the address.
    state.store.mark_verified(user_id, at).await?;
    state.store.revoke_sessions(user_id, None, at).await?;
    if let Some(email) = &user.email {
        send_mail(
            &state,
            email,
            user_lang(&user),
            MailKind::PasswordChanged,
            None,
        );
    }
    Ok(signed_out(&state, "/account/accedi?msg=password-reset"))
}

pub async fn confirm_email(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    let link = use_link(&state, q.token.as_deref(), TokenPurpose::Email).await?;
    let Some(UsedLink {
        user_id,
        new_email: Some(new_email),
        at,
    }) = link
    else {
        return Ok(bad_link(&ctx));
    };
    let active = |u: &User| u.status == UserStatus::Active;
    let Some(user) = state.store.user_by_id(user_id).await?.filter(active) else {
        return Ok(bad_link(&ctx));
    };
    match state.store.set_email(user_id, &new_email).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Ok(ctx.message(
                StatusCode::CONFLICT,
                ("Indirizzo già in uso", "Address already in use"),
                (
                    "Questo indirizzo è già usato da un altro account.",
                    "This address is already used by another account.",
                ),
                None,
            ))
        }
        Err(e) => return Err(e.into()),
    }
    state.store.mark_verified(user_id, at).await?;
    if let Some(old) = &user.email {
        let masked = mask_email(&new_email);
        send_mail(
            &state,
            old,
            user_lang(&user),
            MailKind::EmailChanged {
                new_email_masked: &masked,
            },
            None,
        );
    }
    Ok(ctx.message(
        StatusCode::OK,
        ("Indirizzo cambiato", "Address changed"),
        (
            "Il tuo nuovo indirizzo è confermato.",
            "Your new address is confirmed.",
        ),
        Some(("/account", ctx.lang.pick("Il tuo profilo", "Your profile"))),
    ))
}
