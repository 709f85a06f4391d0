//! Logging in: the address and password, then the second factor when the
//! account has one (a short-lived cookie carries the first step), and
//! logging out of this session or of every session.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use openwelfare_frontend::account as views;
use serde::Deserialize;
use time::OffsetDateTime;

use super::ctx::{see_other, signed_out, Ctx, MsgQuery};
use super::rules::code_error;
use crate::accounts::token::MFA_TTL;
use crate::accounts::UserStatus;
use crate::http::cookies::cookie;
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, CsrfPassed, SignedIn};
use crate::http::session::{
    close_session, open_session, renew_csrf_cookie, set_cookie, set_session_cookies,
    SECOND_FACTOR_COOKIE,
};
use crate::http::signin::{check_code, check_credentials, limit_codes};
use crate::http::state::AppState;

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// A local path to go back to after logging in; anything else is home.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/account".to_string(),
    }
}

pub async fn login_page(ctx: Ctx, Query(q): Query<MsgQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if ctx.who.is_some() {
        return see_other(&next);
    }
    let view = views::LoginView {
        email: "",
        next: &next,
    };
    ctx.form_page(q.notice(&ctx), &[], views::login, &view)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    CheckedForm(form): CheckedForm<LoginForm>,
) -> Result<Response, Error> {
    let next = safe_next(Some(&form.next));
    let Some(user) = check_credentials(&state, ctx.ip, &form.email, &form.password).await? else {
        let errors = [ctx.error(
            "email",
            "Email o password non corretti.",
            "Wrong e-mail or password.",
        )];
        let view = views::LoginView {
            email: &form.email,
            next: &next,
        };
        return Ok(ctx.form_page(None, &errors, views::login, &view));
    };
    if user.status == UserStatus::Banned {
        return Ok(ctx.message(
            StatusCode::FORBIDDEN,
            ("Account sospeso", "Account suspended"),
            (
                "Questo account è stato sospeso da un moderatore.",
                "This account has been suspended by a moderator.",
            ),
            None,
        ));
    }
    let now = OffsetDateTime::now_utc();
    if user.totp_enabled() {
        let mut response = see_other(&format!(
            "/account/accedi/codice?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ));
        let token = state.auth.tokens.second_factor(user.id, now);
        set_cookie(
            response.headers_mut(),
            &state,
            SECOND_FACTOR_COOKIE,
            &token,
            MFA_TTL.whole_seconds(),
        );
        return Ok(response);
    }
    start_session(&state, &ctx, user.id, false, &next).await
}

async fn start_session(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    mfa: bool,
    next: &str,
) -> Result<Response, Error> {
    let (access, refresh) = open_session(state, user_id, mfa, &ctx.user_agent).await?;
    let mut response = see_other(next);
    let headers = response.headers_mut();
    set_session_cookies(headers, state, &access, Some(&refresh));
    set_cookie(headers, state, SECOND_FACTOR_COOKIE, "", 0);
    renew_csrf_cookie(headers, state);
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    pub(super) password: String,
}

pub async fn second_factor_page(
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<MsgQuery>,
) -> Response {
    if cookie(&headers, SECOND_FACTOR_COOKIE).is_none() {
        return see_other("/account/accedi");
    }
    let next = safe_next(q.next.as_deref());
    let view = views::SecondFactorView { next: &next };
    ctx.form_page(None, &[], views::second_factor, &view)
}

pub async fn second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CheckedForm(form): CheckedForm<CodeForm>,
) -> Result<Response, Error> {
    let next = safe_next(Some(&form.next));
    let claims = cookie(&headers, SECOND_FACTOR_COOKIE)
        .and_then(|t| state.auth.tokens.verify_second_factor(t));
    let Some(claims) = claims else {
        return Ok(see_other("/account/accedi"));
    };
    limit_codes(&state, &claims.sub)?;
    let user = match claims.sub.parse::<i64>() {
        Ok(id) => state.store.user_by_id(id).await?,
        Err(_) => None,
    };
    // Fail closed: no active user or no second factor to check means start over.
    let Some((user, secret)) = user
        .filter(|u| u.status == UserStatus::Active)
        .and_then(|u| u.totp_secret.clone().map(|s| (u, s)))
    else {
        return Ok(see_other("/account/accedi"));
    };
    if check_code(&state, &user, &secret, &form.code).await? {
        return start_session(&state, &ctx, user.id, true, &next).await;
    }
    let errors = [code_error(&ctx, "code")];
    let view = views::SecondFactorView { next: &next };
    Ok(ctx.form_page(None, &errors, views::second_factor, &view))
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    _: CsrfPassed,
) -> Result<Response, Error> {
    if let Some(p) = &ctx.who {
        close_session(&state, p).await?;
    }
    Ok(signed_out(&state, "/"))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    _: CsrfPassed,
) -> Result<Response, Error> {
    state
        .store
        .revoke_sessions(me.user.id, None, OffsetDateTime::now_utc())
        .await?;
    Ok(signed_out(&state, "/account/accedi?msg=logged-out"))
}
