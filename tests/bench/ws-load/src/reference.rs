//! The reference for the websocket fan-out benchmark: the least a server
//! can do for the feature. Websockets at `/ws` with the project's buffer
//! settings (read 4 KiB, write buffer 0); a subscribe message is answered
//! `{"type":"subscribed"}`; `POST /emit` broadcasts its body, as ONE
//! pre-serialised frame, to every subscribed socket through a tokio
//! broadcast channel (capacity 4096, as the project's hub).
//!
//!   ws-reference 127.0.0.1:28611
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::broadcast::{self, error::RecvError, Sender};

#[tokio::main]
async fn main() {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:28611".into());
    let (events, _) = broadcast::channel::<Utf8Bytes>(4096);
    let app = Router::new()
        .route("/ws", get(upgrade))
        .route("/emit", post(emit))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(events);
    let listener = tokio::net::TcpListener::bind(&bind).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

async fn emit(State(events): State<Sender<Utf8Bytes>>, body: String) -> &'static str {
    let _ = events.send(Utf8Bytes::from(body)); // serialised once, shared by all
    "ok"
}

async fn upgrade(State(events): State<Sender<Utf8Bytes>>, ws: WebSocketUpgrade) -> Response {
    ws.read_buffer_size(4096)
        .write_buffer_size(0)
        .on_upgrade(move |socket| connection(socket, events))
}

async fn connection(mut socket: WebSocket, events: Sender<Utf8Bytes>) {
    let mut live = events.subscribe();
    let mut subscribed = false;
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) if text.as_str().contains("\"subscribe\"") => {
                    subscribed = true;
                    let reply = Utf8Bytes::from_static(r#"{"type":"subscribed"}"#);
                    if socket.send(Message::Text(reply)).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            frame = live.recv(), if subscribed => match frame {
                Ok(text) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
        }
    }
}
