//! Who is asking, for every request: the middleware that turns a Bearer
//! token or the session cookies into a `Principal` (rotating the refresh
//! token when the access token has expired), the CSRF check on every
//! state-changing browser request, and the cookie helpers.
//!
//! A request without credentials costs nothing here: no database call,
//! so the public map stays as fast as before. A request with credentials
//! finds its session live in the store, so a revoked session, a banned or
//! a deleted user is refused at once, whatever the token says.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::cookies::cookie;
use super::state::AppState;
use crate::accounts::csrf::{self, same_origin};
use crate::accounts::model::{Refresh, SessionRecord};
use crate::accounts::token::{random_token, sha256_hex, ACCESS_TTL};
use crate::accounts::{User, UserStatus};

pub const ACCESS_COOKIE: &str = "ow_access";
pub const REFRESH_COOKIE: &str = "ow_refresh";
/// Between the password and the second factor (5 minutes).
pub const SECOND_FACTOR_COOKIE: &str = "ow_2fa";
pub const SIGNED_IN_HINT: &str = "ow_in";
/// A browser's parallel requests may present the refresh token just
/// replaced; within this window that is not taken for theft.
const REFRESH_GRACE: time::Duration = time::Duration::seconds(30);

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub session: SessionRecord,
    /// Authenticated by an `Authorization: Bearer` header (an API client).
    pub bearer: bool,
}

impl Principal {
    /// Moderators and admins may use their powers only with a second
    /// factor enabled and given in this session.
    pub fn powers_unlocked(&self) -> bool {
        !self.user.role.requires_second_factor() || (self.user.totp_enabled() && self.session.mfa)
    }
}

/// The request's identity, in its extensions.
#[derive(Debug, Clone, Default)]
pub struct Identity(pub Option<Principal>);

/// The browser's CSRF binding (the `ow_csrf` cookie's value), in the
/// request's extensions. A new one is sent back only if a page used it.
#[derive(Debug, Clone)]
pub struct CsrfCookie {
    value: String,
    fresh: bool,
    used: Arc<AtomicBool>,
}

impl CsrfCookie {
    /// The token for this browser's forms.
    pub fn token(&self, state: &AppState) -> String {
        self.used.store(true, Ordering::Relaxed);
        state.auth.csrf.token(&self.value)
    }
}

/// Append a Set-Cookie: HttpOnly, SameSite=Lax, Secure behind https.
/// `max_age` 0 removes the cookie.
pub fn set_cookie(
    headers: &mut HeaderMap,
    state: &AppState,
    name: &str,
    value: &str,
    max_age: i64,
) {
    let cookie = format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly");
    append_cookie(headers, state, &cookie);
}

/// Append `cookie` as a Set-Cookie, with SameSite=Lax, and Secure behind https.
fn append_cookie(headers: &mut HeaderMap, state: &AppState, cookie: &str) {
    let secure = if state.auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{cookie}; SameSite=Lax{secure}")) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// The cookies of a new session (or of a rotation).
pub fn set_session_cookies(
    headers: &mut HeaderMap,
    state: &AppState,
    access: &str,
    refresh: Option<&str>,
) {
    set_cookie(
        headers,
        state,
        ACCESS_COOKIE,
        access,
        ACCESS_TTL.whole_seconds(),
    );
    if let Some(refresh) = refresh {
        set_cookie(
            headers,
            state,
            REFRESH_COOKIE,
            refresh,
            state.auth.session_ttl.whole_seconds(),
        );
        signed_in_hint(headers, state, state.auth.session_ttl.whole_seconds());
    }
}

/// `ow_in=1`, readable by scripts: only a hint that a session may exist (so
/// live.js asks for the notification count), never a credential.
fn signed_in_hint(headers: &mut HeaderMap, state: &AppState, max_age: i64) {
    append_cookie(
        headers,
        state,
        &format!("{SIGNED_IN_HINT}=1; Path=/; Max-Age={max_age}"),
    );
}

pub fn clear_session_cookies(headers: &mut HeaderMap, state: &AppState) {
    for name in [ACCESS_COOKIE, REFRESH_COOKIE, SECOND_FACTOR_COOKIE] {
        set_cookie(headers, state, name, "", 0);
    }
    signed_in_hint(headers, state, 0);
}

fn sets_cookie(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&format!("{name}=")))
}

/// 401 with no detail: which check failed is nobody's business.
/// 401 for credentials that were presented and refused: bare, since which
/// check failed is nobody's business.
pub fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "",
    )
        .into_response()
}

/// 401 for an API request that came without credentials: a problem
/// document saying how to sign in.
pub fn sign_in_required() -> Response {
    let problem = super::error::Problem {
        kind: "/api/v1/problems/unauthorized".into(),
        title: "Unauthorized".into(),
        status: 401,
        detail:
            "Sign in first: send Authorization: Bearer <token>, a token from /api/v1/auth/token."
                .into(),
        parameter: None,
        errors: None,
    };
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::WWW_AUTHENTICATE, "Bearer"),
            (header::CONTENT_TYPE, "application/problem+json"),
        ],
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response()
}

async fn principal_from_access(
    state: &AppState,
    token: &str,
    now: OffsetDateTime,
    bearer: bool,
) -> Option<Principal> {
    let claims = state.auth.tokens.verify_access(token)?;
    let session = match state.store.session(&claims.sid, now).await {
        Ok(s) => s?,
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a session");
            return None;
        }
    };
    principal_of(state, session, &claims.sub, bearer).await
}

async fn principal_of(
    state: &AppState,
    session: SessionRecord,
    sub: &str,
    bearer: bool,
) -> Option<Principal> {
    if session.user_id.to_string() != sub {
        return None;
    }
    let user = match state.store.user_by_id(session.user_id).await {
        Ok(u) => u?,
        Err(e) => {
            tracing::warn!(error = %e, "cannot load a session's user");
            return None;
        }
    };
    (user.status == UserStatus::Active).then_some(Principal {
        user,
        session,
        bearer,
    })
}

/// Start a session for `user`: its access and refresh tokens.
pub async fn open_session(
    state: &AppState,
    user_id: i64,
    mfa: bool,
    user_agent: &str,
) -> Result<(String, String), crate::store::StoreError> {
    let now = OffsetDateTime::now_utc();
    let id = random_token();
    let refresh = random_token();
    let agent: String = user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    state
        .store
        .create_session(&crate::accounts::model::NewSession {
            id: &id,
            user_id,
            refresh_hash: &sha256_hex(&refresh),
            mfa,
            user_agent: &agent,
            now,
            expires_at: now + state.auth.session_ttl,
        })
        .await?;
    Ok((state.auth.tokens.access(user_id, &id, now), refresh))
}

/// End the session `p` signed in with (logging out, on a page or by the API).
pub async fn close_session(
    state: &AppState,
    p: &Principal,
) -> Result<(), crate::store::StoreError> {
    state
        .store
        .revoke_session(p.user.id, &p.session.id, OffsetDateTime::now_utc())
        .await?;
    Ok(())
}

/// The client's address: the TCP peer, unless the peer is a trusted
/// reverse proxy; then the right-most address in `X-Forwarded-For` that is
/// not itself a trusted proxy (the left part can be forged by the client).
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

/// The identity middleware (see the module docs).
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let now = OffsetDateTime::now_utc();
    let headers = request.headers();
    let mut principal = None;
    let mut renewed: Option<(String, Option<String>)> = None;
    let mut clear = false;
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token {
            Some(token) => match principal_from_access(&state, token, now, true).await {
                Some(p) => principal = Some(p),
                None => return unauthorized(),
            },
            None => return unauthorized(),
        }
    } else {
        let access = cookie(headers, ACCESS_COOKIE).map(str::to_string);
        let refresh = cookie(headers, REFRESH_COOKIE).map(str::to_string);
        if let Some(access) = &access {
            principal = principal_from_access(&state, access, now, false).await;
        }
        if principal.is_none() {
            if let Some(refresh) = &refresh {
                let next_refresh = random_token();
                let outcome = state
                    .store
                    .refresh_session(
                        &sha256_hex(refresh),
                        &sha256_hex(&next_refresh),
                        now,
                        REFRESH_GRACE,
                    )
                    .await;
                match outcome {
                    Ok(Refresh::Rotated(session)) => {
                        let sub = session.user_id.to_string();
                        let sid = session.id.clone();
                        principal = principal_of(&state, session, &sub, false).await;
                        if let Some(p) = &principal {
                            renewed = Some((
                                state.auth.tokens.access(p.user.id, &sid, now),
                                Some(next_refresh),
                            ));
                        }
                    }
                    Ok(Refresh::Grace(session)) => {
                        let sub = session.user_id.to_string();
                        let sid = session.id.clone();
                        principal = principal_of(&state, session, &sub, false).await;
                        if let Some(p) = &principal {
                            renewed = Some((state.auth.tokens.access(p.user.id, &sid, now), None));
                        }
                    }
                    Ok(Refresh::Reused) => {
                        tracing::warn!(
                            "a replaced refresh token was presented again: session revoked"
                        );
                    }
                    Ok(Refresh::Unknown) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot refresh a session"),
                }
            }
        }
        clear = principal.is_none() && (access.is_some() || refresh.is_some());
    }
    let csrf_cookie = match cookie(request.headers(), csrf::COOKIE) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => CsrfCookie {
            value: v.to_string(),
            fresh: false,
            used: Arc::default(),
        },
        _ => CsrfCookie {
            value: random_token(),
            fresh: true,
            used: Arc::default(),
        },
    };
    request.extensions_mut().insert(Identity(principal));
    request.extensions_mut().insert(csrf_cookie.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // What the handler set (a log-in, a log-out) wins over a rotation here.
    if !sets_cookie(headers, ACCESS_COOKIE) {
        if let Some((access, refresh)) = renewed {
            set_session_cookies(headers, &state, &access, refresh.as_deref());
        } else if clear {
            clear_session_cookies(headers, &state);
        }
    }
    if csrf_cookie.fresh
        && csrf_cookie.used.load(Ordering::Relaxed)
        && !sets_cookie(headers, csrf::COOKIE)
    {
        // Not HttpOnly-relevant to scripts: the token is in the page, the cookie only binds it.
        set_cookie(
            headers,
            &state,
            csrf::COOKIE,
            &csrf_cookie.value,
            60 * 60 * 24 * 365,
        );
    }
    response
}

/// Give the browser a new CSRF binding (after log-in, against fixation).
pub fn renew_csrf_cookie(headers: &mut HeaderMap, state: &AppState) {
    set_cookie(
        headers,
        state,
        csrf::COOKIE,
        &random_token(),
        60 * 60 * 24 * 365,
    );
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Refuse a state-changing browser request that does not come from our
/// own pages (see `auth::csrf`). Bearer requests carry no ambient
/// authority and pass.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let bearer = request
        .extensions()
        .get::<Identity>()
        .and_then(|i| i.0.as_ref())
        .is_some_and(|p| p.bearer);
    let mut request = request;
    if bearer {
        request.extensions_mut().insert(CsrfChecked);
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    // JSON cannot be sent across sites without a CORS preflight, which this
    // server never grants: a JSON request is either same-origin or not from
    // a browser (an API client). A browser's cross-site Origin is refused.
    let json = text(header::CONTENT_TYPE).is_some_and(|v| v.starts_with("application/json"));
    if json {
        let foreign = text(header::ORIGIN).is_some_and(|o| {
            !same_origin(Some(o), None, text(header::HOST), &state.auth.public_url)
        });
        if foreign {
            return forbidden_csrf(&request);
        }
        request.extensions_mut().insert(CsrfChecked);
        return next.run(request).await;
    }
    if !same_origin(
        text(header::ORIGIN),
        text(header::REFERER),
        text(header::HOST),
        &state.auth.public_url,
    ) {
        return forbidden_csrf(&request);
    }
    let binding = cookie(headers, csrf::COOKIE).unwrap_or("").to_string();
    let header_token = headers
        .get(csrf::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (parts, body) = request.into_parts();
    let (token, body) = match header_token {
        Some(t) => (Some(t), body),
        None if is_form(&parts.headers) => {
            let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
                return StatusCode::PAYLOAD_TOO_LARGE.into_response();
            };
            let token = url::form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == csrf::FIELD)
                .map(|(_, v)| v.into_owned());
            (token, Body::from(bytes))
        }
        None => (
            parts.uri.query().and_then(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == csrf::FIELD)
                    .map(|(_, v)| v.into_owned())
            }),
            body,
        ),
    };
    let mut request = Request::from_parts(parts, body);
    match token {
        Some(token) if state.auth.csrf.check(&binding, &token) => {
            request.extensions_mut().insert(CsrfChecked);
            next.run(request).await
        }
        _ => forbidden_csrf(&request),
    }
}

/// In a request's extensions once `csrf_guard` has passed it: what the
/// `CheckedForm` extractor requires.
#[derive(Debug, Clone, Copy)]
pub struct CsrfChecked;

pub(super) fn forbidden_csrf(request: &Request) -> Response {
    super::denied::page_or_problem(
        request,
        StatusCode::FORBIDDEN,
        "csrf",
        ("Richiesta non valida", "Invalid request"),
        (
            "Il modulo è scaduto o non viene da questo sito. Torna indietro, ricarica la pagina e riprova.",
            "The form has expired or did not come from this site. Go back, reload the page and try again.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 203.0.113.9, 10.0.0.1"),
        );
        // Not trusted: the peer, whatever the header says.
        assert_eq!(client_ip(&headers, Some(proxy), &[]), proxy);
        // Trusted: the right-most address that is not a proxy (1.2.3.4 could be forged).
        assert_eq!(
            client_ip(&headers, Some(proxy), &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // A stranger sending the header is not believed.
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_ip(&headers, Some(stranger), &[proxy]), stranger);
    }
}
