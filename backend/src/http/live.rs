//! `GET /ws`: the websocket upgrade. Who is asking (the request's identity)
//! decides the private topics the socket may hear; `realtime::socket` serves
//! the connection.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;

use super::session::Identity;
use super::state::AppState;
use crate::realtime::protocol::Listener;
use crate::realtime::socket;

/// Upgrade, with the caller's identity deciding private topics.
pub async fn upgrade(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    ws: WebSocketUpgrade,
) -> Response {
    let who = Listener {
        user_id: identity.0.as_ref().map(|p| p.user.id),
        moderator: identity
            .0
            .as_ref()
            .is_some_and(|p| p.user.role.requires_second_factor() && p.powers_unlocked()),
    };
    socket::accept(state.hub.clone(), who, ws)
}
