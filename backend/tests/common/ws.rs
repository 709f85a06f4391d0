//! A websocket client for the tests (tokio-tungstenite, as the brief asks):
//! connect with or without a session cookie, send JSON, read the next JSON
//! message with a deadline.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::web::Server;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(server: &Server, cookie: Option<&str>) -> Socket {
    connect_to(&server.base, cookie).await
}

/// Connect to the server at `base` (http://host:port).
pub async fn connect_to(base: &str, cookie: Option<&str>) -> Socket {
    let url = base.replace("http://", "ws://") + "/ws";
    let mut request = url.into_client_request().expect("request");
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie"));
    }
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket");
    assert_eq!(response.status(), 101);
    socket
}

/// Connect with these extra request headers: the socket, or the status
/// of the refused upgrade.
pub async fn try_connect(base: &str, headers: &[(&str, &str)]) -> Result<Socket, u16> {
    let url = base.replace("http://", "ws://") + "/ws";
    let mut request = url.into_client_request().expect("request");
    for (name, value) in headers {
        request.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                .expect("header name"),
            value.parse().expect("header value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            assert_eq!(response.status(), 101);
            Ok(socket)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("websocket: {e}"),
    }
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
}

/// The next JSON message (pings are answered by the library), or panic after `secs`.
pub async fn next(socket: &mut Socket, secs: u64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no message within {secs} s"))
            .expect("socket open")
            .expect("frame");
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Nothing more arrives within `millis`.
pub async fn quiet(socket: &mut Socket, millis: u64) {
    match tokio::time::timeout(Duration::from_millis(millis), socket.next()).await {
        Err(_) => {}
        Ok(Some(Ok(Message::Text(t)))) => panic!("unexpected message {t}"),
        Ok(other) => panic!("unexpected {other:?}"),
    }
}

pub async fn subscribe(socket: &mut Socket, topics: &[&str], since: Option<i64>) -> Value {
    send(
        socket,
        json!({"type": "subscribe", "topics": topics, "since": since}),
    )
    .await;
    let answer = next(socket, 5).await;
    assert_eq!(answer["type"], "subscribed", "{answer}");
    answer
}
