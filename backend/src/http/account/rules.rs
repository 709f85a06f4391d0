//! The checks the account forms share: the password policy's messages,
//! addresses, display names and single lines of text, the password asked again
//! before a sensitive change, and the error for a second-factor code.

use openwelfare_frontend::account::FieldError;

use super::ctx::Ctx;
use crate::accounts::password::PolicyError;
use crate::accounts::User;
use crate::http::error::Error;
use crate::http::signin::check_credentials;
use crate::http::state::AppState;

pub(super) fn policy_error(ctx: &Ctx, field: &'static str, e: PolicyError) -> FieldError {
    match e {
        PolicyError::TooShort => ctx.error(field, "La password deve avere almeno 12 caratteri.", "The password must have at least 12 characters."),
        PolicyError::TooLong => ctx.error(field, "La password può avere al massimo 128 caratteri.", "The password can have at most 128 characters."),
        PolicyError::Guessable { .. } => ctx.error(
            field,
            "Questa password è troppo facile da indovinare: prova una frase di più parole che solo tu conosci.",
            "This password is too easy to guess: try a phrase of several words only you know.",
        ),
    }
}

/// The error on `field` for an e-mail address that is not one.
pub(super) fn email_error(ctx: &Ctx, field: &'static str) -> FieldError {
    ctx.error(
        field,
        "Scrivi un indirizzo email valido.",
        "Enter a valid e-mail address.",
    )
}

/// One line of text: no control characters, trimmed, at most `max` characters.
pub(super) fn clean_line(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect()
}

/// Display names: 2 to 60 visible characters, no line breaks.
pub(super) fn display_name_error(ctx: &Ctx, name: &str) -> Option<FieldError> {
    let n = name.chars().count();
    if !(2..=60).contains(&n) || name.chars().any(char::is_control) {
        return Some(ctx.error(
            "display_name",
            "Il nome visualizzato deve avere da 2 a 60 caratteri.",
            "The display name must have 2 to 60 characters.",
        ));
    }
    None
}

/// Re-authentication for sensitive changes: the password again, limited like a log-in.
pub(super) async fn recheck_password(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    password: &str,
) -> Result<bool, Error> {
    let user =
        check_credentials(state, ctx.ip, me.email.as_deref().unwrap_or(""), password).await?;
    Ok(user.is_some_and(|u| u.id == me.id))
}

/// As `recheck_password`, with the error to show on `field` when it is wrong.
pub(super) async fn password_error(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    password: &str,
    field: &'static str,
) -> Result<Option<FieldError>, Error> {
    let right = recheck_password(state, ctx, me, password).await?;
    Ok((!right).then(|| {
        ctx.error(
            field,
            "La password non è corretta.",
            "The password is wrong.",
        )
    }))
}

/// The error on `field` for a second-factor code that did not pass.
pub(super) fn code_error(ctx: &Ctx, field: &'static str) -> FieldError {
    ctx.error(
        field,
        "Codice non valido o già usato.",
        "Invalid or already used code.",
    )
}
