//! Tokens for API clients: log in with address and password (and the
//! second factor when enabled) for an access token and a refresh token,
//! rotate the refresh token, log out, and who am I. Every failure is a
//! bare 401: which check failed is not said.

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::error::{BodyRefused, Error, Problem};
use super::extract::{ApiJson, CsrfPassed, SignedIn};
use super::session::{close_session, open_session, unauthorized};
use super::signin::{check_code, check_credentials, limit_codes};
use super::state::AppState;
use crate::accounts::model::Refresh;
use crate::accounts::token::{random_token, sha256_hex, ACCESS_TTL};
use crate::accounts::UserStatus;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// A TOTP code or a recovery code, when two-factor authentication is on.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds.
    pub expires_in: i64,
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Log in for tokens.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts",
    request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), BodyRefused,
        (status = 401, description = "Wrong credentials or second factor"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json")))]
pub async fn token(
    State(state): State<AppState>,
    info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Response, Error> {
    let peer = info.map(|Extension(ConnectInfo(a))| a.ip());
    let ip = super::session::client_ip(&headers, peer, &state.config.trusted_proxies);
    let user = match check_credentials(&state, ip, &body.email, &body.password).await? {
        Some(u) if u.status == UserStatus::Active => u,
        _ => return Ok(unauthorized()),
    };
    let mut mfa = false;
    if let Some(secret) = &user.totp_secret {
        limit_codes(&state, &user.id.to_string())?;
        let code = body.code.as_deref().unwrap_or("");
        if !check_code(&state, &user, secret, code).await? {
            return Ok(unauthorized());
        }
        mfa = true;
    }
    let (access, refresh) = open_session(&state, user.id, mfa, "API").await?;
    Ok(tokens(access, refresh))
}

/// The answer with a new pair of tokens.
fn tokens(access_token: String, refresh_token: String) -> Response {
    Json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TTL.whole_seconds(),
        refresh_token,
    })
    .into_response()
}

/// Trade a refresh token for a new pair; the old one stops working, and
/// presenting it again revokes the session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "accounts",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), BodyRefused,
        (status = 401, description = "Unknown, expired or reused refresh token")))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Response, Error> {
    let now = OffsetDateTime::now_utc();
    let next = random_token();
    let outcome = state
        .store
        .refresh_session(
            &sha256_hex(&body.refresh_token),
            &sha256_hex(&next),
            now,
            // API clients do not race themselves: no grace.
            time::Duration::ZERO,
        )
        .await?;
    let Refresh::Rotated(session) = outcome else {
        return Ok(unauthorized());
    };
    match state.store.user_by_id(session.user_id).await? {
        Some(u) if u.status == UserStatus::Active => {}
        _ => return Ok(unauthorized()),
    }
    let access = state.auth.tokens.access(session.user_id, &session.id, now);
    Ok(tokens(access, next))
}

/// End this token's session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    responses((status = 204, description = "Logged out"), (status = 401, description = "Not signed in"),
        (status = 403, description = "Sent by another site's page with its cookies (CSRF)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    SignedIn(p): SignedIn,
    _: CsrfPassed,
) -> Result<Response, Error> {
    close_session(&state, &p).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub display_name: String,
    pub email: Option<String>,
    /// citizen, association, moderator or admin.
    pub role: String,
    pub email_verified: bool,
    pub two_factor: bool,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, description = "Not signed in")),
    security(("bearer" = [])))]
pub async fn me(SignedIn(p): SignedIn) -> Response {
    let mut response = Json(Me {
        id: p.user.id,
        display_name: p.user.display_name.clone(),
        email: p.user.email.clone(),
        role: p.user.role.as_str().to_string(),
        email_verified: p.user.verified(),
        two_factor: p.user.totp_enabled(),
    })
    .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
