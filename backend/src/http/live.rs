//! `GET /ws`: the websocket upgrade. Who is asking (the request's identity)
//! decides the private topics the socket may hear; `realtime::socket` serves
//! the connection.
//!
//! The identity comes from cookies, which a browser sends with a socket
//! opened by any page (even on another port of this host), so a page of
//! another origin is refused (403); clients that send no Origin are not
//! browsers and carry no ambient cookies of a victim. Sockets are capped
//! per client IP (429) and in all (503), before the upgrade.

use std::net::SocketAddr;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::session::{client_ip, Identity};
use super::state::AppState;
use crate::accounts::csrf::same_origin;
use crate::realtime::protocol::Listener;
use crate::realtime::{socket, Refusal};

/// Upgrade, with the caller's identity deciding private topics.
pub async fn upgrade(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ours = origin
            .to_str()
            .is_ok_and(|o| same_origin(Some(o), None, text(header::HOST), &state.auth.public_url));
        if !ours {
            return (StatusCode::FORBIDDEN, "websocket from another origin").into_response();
        }
    }
    let peer = info.map(|Extension(ConnectInfo(a))| a.ip());
    let ip = client_ip(&headers, peer, &state.config.trusted_proxies);
    let admission = match state
        .hub
        .admit(ip, state.config.ws_max_per_ip, state.config.ws_max_total)
    {
        Ok(a) => a,
        Err(refusal) => {
            let (status, text) = match refusal {
                Refusal::PerIp => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many websockets from this address",
                ),
                Refusal::Total => (StatusCode::SERVICE_UNAVAILABLE, "too many websockets"),
            };
            return (status, [(header::RETRY_AFTER, "10")], text).into_response();
        }
    };
    let who = Listener {
        user_id: identity.0.as_ref().map(|p| p.user.id),
        moderator: identity
            .0
            .as_ref()
            .is_some_and(|p| p.user.role.requires_second_factor() && p.powers_unlocked()),
    };
    socket::accept(state.hub.clone(), who, admission, ws)
}
