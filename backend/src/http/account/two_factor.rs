//! Two-factor authentication: the page (enrolment with its QR code, the
//! recovery codes left), turning it on with a first code, new recovery
//! codes, and turning it off (never for moderators and admins).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use openwelfare_frontend::account::{self as views, FieldError};
use time::OffsetDateTime;

use super::ctx::{see_other, Ctx, MsgQuery};
use super::login::CodeForm;
use super::rules::{code_error, password_error};
use crate::accounts::{totp, User};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, CsrfPassed, SignedIn};
use crate::http::signin::{check_code, limit_codes};
use crate::http::state::AppState;

pub async fn two_factor_page(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    render_two_factor(&state, &ctx, &me.user, q.notice(&ctx), &[], None).await
}

async fn render_two_factor(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
    codes: Option<&[String]>,
) -> Result<Response, Error> {
    let left = state.store.recovery_codes_left(me.id).await?;
    let pending = me.totp_pending.as_deref().and_then(|h| hex::decode(h).ok());
    let enrolment_texts = match &pending {
        Some(secret) if !me.totp_enabled() => {
            let account = me.email.clone().unwrap_or_default();
            let label = ctx.pick(
                "Codice QR per l'app di autenticazione",
                "QR code for the authenticator app",
            );
            let svg = totp::qr_svg(&totp::otpauth_url(secret, &account), &label)
                .map_err(|e| Error::Internal(e.to_string()))?;
            Some((totp::secret_base32(secret), svg))
        }
        _ => None,
    };
    let view = views::TwoFactorView {
        enabled: me.totp_enabled(),
        required: me.role.requires_second_factor(),
        enrolment: enrolment_texts
            .as_ref()
            .map(|(secret, svg)| views::Enrolment {
                secret,
                qr_svg: svg,
            }),
        recovery_codes: codes,
        recovery_remaining: usize::try_from(left).unwrap_or(0),
    };
    Ok(ctx.form_page(notice, errors, views::two_factor, &view))
}

/// The page again with the errors of a refused form (422).
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    errors: &[FieldError],
) -> Result<Response, Error> {
    render_two_factor(state, ctx, me, None, errors, None).await
}

/// The secret of the second factor `me` has on, for a form that checks a
/// code (counted against the per-account limit); `None` when it is off.
fn secret_to_check(state: &AppState, me: &User) -> Result<Option<String>, Error> {
    limit_codes(state, &me.id.to_string())?;
    Ok(me.totp_secret.clone())
}

/// The page with new recovery codes, shown once, and what was done (`notice`).
async fn show_new_codes(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    codes: &[String],
    notice: (&str, &str),
) -> Result<Response, Error> {
    let text = ctx.pick(notice.0, notice.1);
    render_two_factor(state, ctx, me, Some(text), &[], Some(codes)).await
}

pub async fn totp_start(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    _: CsrfPassed,
) -> Result<Response, Error> {
    if !me.user.totp_enabled() {
        let secret = hex::encode(totp::new_secret());
        state
            .store
            .set_totp_pending(me.user.id, Some(&secret))
            .await?;
    }
    Ok(see_other("/account/2fa"))
}

fn new_codes() -> (Vec<String>, Vec<String>) {
    let codes = totp::new_recovery_codes(10);
    let hashes = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    (codes, hashes)
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<CodeForm>,
) -> Result<Response, Error> {
    limit_codes(&state, &me.user.id.to_string())?;
    let Some(secret) = me
        .user
        .totp_pending
        .as_deref()
        .and_then(|h| hex::decode(h).ok())
    else {
        return Ok(see_other("/account/2fa"));
    };
    let unix = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
    let Some(step) = totp::verify(&secret, &form.code, unix, None) else {
        let errors = [ctx.error(
            "code",
            "Codice non valido: controlla l'ora del telefono e riprova.",
            "Invalid code: check your phone's clock and try again.",
        )];
        return refused(&state, &ctx, &me.user, &errors).await;
    };
    let (codes, hashes) = new_codes();
    state
        .store
        .enable_totp(me.user.id, &hex::encode(&secret), step, &hashes)
        .await?;
    // The code just given is this session's second factor.
    state.store.set_session_mfa(&me.session.id).await?;
    let user = User {
        totp_secret: Some(hex::encode(&secret)),
        totp_pending: None,
        ..me.user
    };
    let notice = (
        "Verifica in due passaggi attivata.",
        "Two-factor authentication enabled.",
    );
    show_new_codes(&state, &ctx, &user, &codes, notice).await
}

pub async fn totp_codes(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<CodeForm>,
) -> Result<Response, Error> {
    let me = me.user;
    let Some(secret) = secret_to_check(&state, &me)? else {
        return Ok(see_other("/account/2fa"));
    };
    // Only a code from the app: a recovery code cannot mint new ones.
    let ok = !totp::looks_like_recovery_code(&form.code)
        && check_code(&state, &me, &secret, &form.code).await?;
    if !ok {
        return refused(&state, &ctx, &me, &[code_error(&ctx, "code")]).await;
    }
    let (codes, hashes) = new_codes();
    state.store.replace_recovery_codes(me.id, &hashes).await?;
    let notice = (
        "Nuovi codici di recupero creati: quelli vecchi non valgono più.",
        "New recovery codes created: the old ones no longer work.",
    );
    show_new_codes(&state, &ctx, &me, &codes, notice).await
}

pub async fn totp_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(me): SignedIn,
    CheckedForm(form): CheckedForm<CodeForm>,
) -> Result<Response, Error> {
    let me = me.user;
    if me.role.requires_second_factor() {
        return Ok(ctx.message(
            StatusCode::FORBIDDEN,
            ("Non consentito", "Not allowed"),
            (
                "Moderatori e amministratori devono tenere attiva la verifica in due passaggi.",
                "Moderators and admins must keep two-factor authentication enabled.",
            ),
            Some(("/account/2fa", ctx.lang.pick("Indietro", "Back"))),
        ));
    }
    let Some(secret) = secret_to_check(&state, &me)? else {
        return Ok(see_other("/account/2fa"));
    };
    let mut errors = Vec::new();
    errors.extend(password_error(&state, &ctx, &me, &form.password, "password").await?);
    if !check_code(&state, &me, &secret, &form.code).await? {
        errors.push(code_error(&ctx, views::keys::DISABLE_CODE));
    }
    if !errors.is_empty() {
        return refused(&state, &ctx, &me, &errors).await;
    }
    state.store.disable_totp(me.id).await?;
    Ok(see_other("/account/2fa?msg=2fa-disabled"))
}
