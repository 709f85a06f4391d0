//! Signing up: the form, and the answer that is the same whether or not
//! the address already has an account (its owner is mailed a reset link
//! instead of a verification link).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use openwelfare_frontend::account as views;
use serde::Deserialize;
use time::OffsetDateTime;

use super::ctx::{see_other, Ctx};
use super::mail::mail_token;
use super::rules::{clean_line, display_name_error, policy_error};
use crate::accounts::limits::Door;
use crate::accounts::model::{NewUser, TokenPurpose};
use crate::accounts::password::check_policy;
use crate::accounts::{normalize_email, valid_email, Role, UserStatus};
use crate::http::error::Error;
use crate::http::extract::CheckedForm;
use crate::http::state::AppState;
use crate::store::StoreError;

#[derive(Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn signup_page(ctx: Ctx) -> Response {
    if ctx.who.is_some() {
        return see_other("/account");
    }
    let view = views::SignupView {
        email: "",
        display_name: "",
    };
    ctx.form_page(None, &[], views::signup, &view)
}

pub async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    CheckedForm(form): CheckedForm<SignupForm>,
) -> Result<Response, Error> {
    let limits = &state.auth.limits;
    limits
        .ip(Door::SignUp, ctx.ip)
        .map_err(Error::rate_limited)?;
    let email = normalize_email(&form.email);
    let display_name = clean_line(&form.display_name, 200);
    let mut errors = Vec::new();
    if !valid_email(&email) {
        errors.push(ctx.error(
            "email",
            "Scrivi un indirizzo email valido, come nome@esempio.it.",
            "Enter a valid e-mail address, such as name@example.org.",
        ));
    }
    errors.extend(display_name_error(&ctx, &display_name));
    if let Err(e) = check_policy(&form.password, &[&email, &display_name]) {
        errors.push(policy_error(&ctx, "password", e));
    }
    if !errors.is_empty() {
        let view = views::SignupView {
            email: &form.email,
            display_name: &display_name,
        };
        return Ok(ctx.form_page(None, &errors, views::signup, &view));
    }
    limits
        .account(Door::Mail, &email)
        .map_err(Error::rate_limited)?;
    // Hash first, whether or not the address is taken: the same time either way.
    let hash = state.auth.passwords.hash(&form.password).await?;
    let now = OffsetDateTime::now_utc();
    let created = state
        .store
        .create_user(
            &NewUser {
                email: &email,
                display_name: &display_name,
                password_hash: Some(&hash),
                role: Role::Citizen,
                lang: ctx.lang.code(),
                verified_at: None,
            },
            now,
        )
        .await;
    match created {
        Ok(id) => {
            let user = state
                .store
                .user_by_id(id)
                .await?
                .ok_or_else(|| Error::Internal("new user vanished".into()))?;
            mail_token(&state, &user, &email, TokenPurpose::Verify, None).await?;
        }
        // Taken: the owner gets a reset link instead, and the page says the same.
        Err(StoreError::Conflict(_)) => {
            if let Ok(Some(user)) = state.store.user_by_email(&email).await {
                if user.status == UserStatus::Active {
                    mail_token(&state, &user, &email, TokenPurpose::Reset, None).await?;
                }
            }
        }
        Err(e) => return Err(e.into()),
    }
    Ok(ctx.message(
        StatusCode::OK,
        ("Controlla la tua posta", "Check your mail"),
        (
            "Ti abbiamo mandato un messaggio: segui il link entro 24 ore per confermare l'indirizzo, poi accedi.",
            "We sent you a message: follow its link within 24 hours to confirm your address, then log in.",
        ),
        Some(("/account/accedi", ctx.lang.pick("Accedi", "Log in"))),
    ))
}
