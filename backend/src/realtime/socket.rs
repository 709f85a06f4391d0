//! One websocket connection: subscriptions, replay from `since`, live
//! events, and the limits that keep one client from hurting the others
//! (topics, message size and rate, heartbeats, idle time). Buffers are
//! set small (tungstenite's defaults cost over 100 KiB per socket).
//!
//! Delivery is in id order and never silently skips: a connection whose
//! queue overflowed is told `resync` with the last id it received, stops
//! receiving live events, and resumes when the client subscribes again
//! with that `since`: the missed events come from the outbox, then live
//! events continue, none twice.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use super::protocol::{
    self, ClientMessage, Listener, ServerMessage, MAX_MESSAGE_BYTES, MAX_TOPICS,
};
use super::{Admission, Hub};

const PING_EVERY: Duration = Duration::from_secs(25);
/// Nothing at all from the client (not even a pong) for this long: closed.
const IDLE: Duration = Duration::from_secs(70);
/// Client messages: a burst of this many, then this many per second.
const BURST: f64 = 20.0;
const PER_SECOND: f64 = 5.0;
const REPLAY_PAGE: i64 = 500;

/// Set the socket's limits on an upgrade and serve it as `who` once
/// upgraded; `admission` holds its place under the caps until it closes.
pub fn accept(
    hub: Arc<Hub>,
    who: Listener,
    admission: Admission,
    ws: WebSocketUpgrade,
) -> Response {
    ws.read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| connection(hub, who, socket, admission))
}

/// A token bucket for the client's messages.
struct Budget {
    tokens: f64,
    at: Instant,
}

impl Budget {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * PER_SECOND).min(BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Connection {
    socket: WebSocket,
    who: Listener,
    topics: BTreeSet<String>,
    /// The id of the last event this client has been sent (or skipped as not its topic).
    last_sent: i64,
    /// Told to resync: no live events until it subscribes again with `since`.
    resyncing: bool,
}

impl Connection {
    /// Tell the client which topics it now follows, and the last event id
    /// it was sent (its resume point).
    async fn confirm_topics(&mut self) -> bool {
        let topics: Vec<String> = self.topics.iter().cloned().collect();
        let last_id = self.last_sent;
        self.say(ServerMessage::Subscribed {
            topics: topics.iter().map(String::as_str).collect(),
            last_id,
        })
        .await
    }

    async fn say(&mut self, message: ServerMessage<'_>) -> bool {
        self.socket
            .send(Message::Text(Utf8Bytes::from(message.to_json())))
            .await
            .is_ok()
    }

    /// Send a close frame, then read (and drop) until the client answers
    /// or a second passes: closing without reading would reset the TCP
    /// connection and lose the close frame with its reason.
    async fn close(&mut self, code: u16, reason: &'static str) {
        let sent = self
            .socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            })))
            .await;
        if sent.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                while let Some(Ok(message)) = self.socket.recv().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
        }
    }

    /// Handle one client message; false ends the connection.
    async fn handle(
        &mut self,
        hub: &Hub,
        text: &str,
        live: &mut tokio::sync::broadcast::Receiver<Arc<super::Frame>>,
    ) -> bool {
        let message = match serde_json::from_str::<ClientMessage>(text) {
            Ok(m) => m,
            Err(_) => {
                return self
                    .say(ServerMessage::Error {
                        message: "expected {\"type\":\"subscribe\",\"topics\":[...],\"since\":N}, unsubscribe or ping",
                    })
                    .await
            }
        };
        match message {
            ClientMessage::Ping => self.say(ServerMessage::Pong).await,
            ClientMessage::Unsubscribe { topics } => {
                for t in &topics {
                    self.topics.remove(t);
                }
                self.confirm_topics().await
            }
            ClientMessage::Subscribe { topics, since } => {
                let mut wanted = self.topics.clone();
                for t in &topics {
                    if let Err(e) = protocol::authorize(t, self.who) {
                        return self
                            .say(ServerMessage::Error {
                                message: &e.to_string(),
                            })
                            .await;
                    }
                    wanted.insert(t.clone());
                }
                if wanted.len() > MAX_TOPICS {
                    let e = protocol::TopicError::TooMany.to_string();
                    return self.say(ServerMessage::Error { message: &e }).await;
                }
                self.topics = wanted;
                if let Some(since) = since {
                    // A fresh queue first, so nothing committed during the replay is missed.
                    *live = hub.subscribe();
                    if !self.replay(hub, since).await {
                        return false;
                    }
                    self.resyncing = false;
                }
                self.confirm_topics().await
            }
        }
    }

    /// Send every event after `since` of this connection's topics, from the outbox.
    async fn replay(&mut self, hub: &Hub, since: i64) -> bool {
        let mut cursor = since.max(0);
        loop {
            let events = match hub.store().events_after(cursor, REPLAY_PAGE).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "realtime: replay failed");
                    self.close(1011, "replay failed").await;
                    return false;
                }
            };
            let full = events.len() as i64 == REPLAY_PAGE;
            for event in events {
                cursor = event.id;
                if protocol::hears(&self.topics, &event.topic) {
                    let text = protocol::event_frame(event.id, &event.topic, &event.payload);
                    if self
                        .socket
                        .send(Message::Text(Utf8Bytes::from(text)))
                        .await
                        .is_err()
                    {
                        return false;
                    }
                }
            }
            if !full {
                break;
            }
        }
        self.last_sent = cursor;
        true
    }
}

async fn connection(hub: Arc<Hub>, who: Listener, socket: WebSocket, admission: Admission) {
    // Holds this socket's place until it closes.
    let _admission = admission;
    let mut live = hub.subscribe();
    let mut shutdown = hub.shutdown_signal();
    let mut conn = Connection {
        socket,
        who,
        topics: BTreeSet::new(),
        last_sent: hub.last_id(),
        resyncing: false,
    };
    let mut budget = Budget {
        tokens: BURST,
        at: Instant::now(),
    };
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut seen = Instant::now();
    // Made once, not on every turn of the loop: re-registering with the
    // watch on each event cost every connection a lock round trip per
    // delivery. At 10,000 sockets, server CPU per delivery went from 1.17 x
    // the minimal reference's to 1.08 x (docs/BENCHMARKS.md, section f).
    let shutting_down = shutdown.changed();
    tokio::pin!(shutting_down);
    loop {
        tokio::select! {
            _ = &mut shutting_down => {
                conn.close(1001, "server shutting down").await;
                return;
            }
            incoming = conn.socket.recv() => {
                seen = Instant::now();
                match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if !budget.take() {
                            conn.close(1008, "too many messages").await;
                            return;
                        }
                        if !conn.handle(&hub, text.as_str(), &mut live).await {
                            return;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        conn.close(1003, "text messages only").await;
                        return;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_))) | None => return,
                    // Too large, malformed: tungstenite has already refused it.
                    Some(Err(_)) => return,
                }
            }
            frame = live.recv(), if !conn.resyncing && !conn.topics.is_empty() => {
                match frame {
                    Ok(frame) => {
                        if frame.id <= conn.last_sent {
                            continue;
                        }
                        conn.last_sent = frame.id;
                        if protocol::hears(&conn.topics, &frame.topic)
                            && conn.socket.send(Message::Text(frame.text.clone())).await.is_err()
                        {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        conn.resyncing = true;
                        let since = conn.last_sent;
                        if !conn.say(ServerMessage::Resync { since }).await {
                            return;
                        }
                    }
                    Err(RecvError::Closed) => {
                        conn.close(1001, "server shutting down").await;
                        return;
                    }
                }
            }
            _ = ping.tick() => {
                if seen.elapsed() > IDLE {
                    conn.close(1000, "idle").await;
                    return;
                }
                if conn.socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
}
