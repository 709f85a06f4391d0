//! The websocket hub against a real server, with a tokio-tungstenite
//! client: an event committed to the outbox reaches a subscriber with its
//! payload; a client that reconnects with `since` gets every event it
//! missed, in order, none twice; private topics are refused to strangers;
//! the per-connection limits hold; two instances on one PostgreSQL deliver
//! to each other's clients through LISTEN/NOTIFY.

mod common;

use std::time::Duration;

use common::web::Server;
use common::ws::{connect, next, quiet, send, subscribe, try_connect};
use common::TestDb;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

async fn emit(server: &Server, topic: &str, data: Value) -> i64 {
    let id = server
        .state
        .store
        .emit_event(topic, &data)
        .await
        .expect("event");
    server.state.hub.poke();
    id
}

async fn an_event_reaches_its_subscriber_and_a_reconnect_replays_what_was_missed(db: TestDb) {
    let server = db.serve(&[]).await;
    let mut socket = connect(&server, None).await;
    subscribe(
        &mut socket,
        &["dataset:interventi", "area:q2016-navile"],
        None,
    )
    .await;

    let id = emit(
        &server,
        "area:q2016-navile",
        json!({"type": "annotation.created", "title": "Panchine"}),
    )
    .await;
    emit(
        &server,
        "area:q2016-porto-saragozza",
        json!({"type": "other"}),
    )
    .await;
    let event = next(&mut socket, 5).await;
    assert_eq!(event["type"], "event");
    assert_eq!(event["id"], id);
    assert_eq!(event["topic"], "area:q2016-navile");
    assert_eq!(event["data"]["title"], "Panchine");
    quiet(&mut socket, 300).await;

    // Away: three events, two of them ours.
    drop(socket);
    let a = emit(&server, "dataset:interventi", json!({"n": 1})).await;
    emit(&server, "thread:9", json!({"n": 2})).await;
    let b = emit(&server, "area:q2016-navile", json!({"n": 3})).await;
    let mut socket = connect(&server, None).await;
    send(
        &mut socket,
        json!({"type": "subscribe", "topics": ["dataset:interventi", "area:q2016-navile"], "since": id}),
    )
    .await;
    let first = next(&mut socket, 5).await;
    let second = next(&mut socket, 5).await;
    assert_eq!(
        (first["id"].as_i64(), second["id"].as_i64()),
        (Some(a), Some(b)),
        "missed events in order"
    );
    let answer = next(&mut socket, 5).await;
    assert_eq!(answer["type"], "subscribed");
    assert_eq!(answer["last_id"], b);
    // Then live again, and nothing replayed twice.
    let c = emit(&server, "dataset:interventi", json!({"n": 4})).await;
    let live = next(&mut socket, 5).await;
    assert_eq!(live["id"], c);
    quiet(&mut socket, 300).await;
    // `map` hears every quartiere.
    let mut map = connect(&server, None).await;
    subscribe(&mut map, &["map"], None).await;
    let d = emit(&server, "area:q2016-porto-saragozza", json!({"n": 5})).await;
    assert_eq!(next(&mut map, 5).await["id"], d);
}

async fn private_topics_are_their_owners_and_limits_hold(db: TestDb) {
    let server = db.serve(&[]).await;
    let mut anonymous = connect(&server, None).await;
    send(
        &mut anonymous,
        json!({"type": "subscribe", "topics": ["user:1"]}),
    )
    .await;
    let refused = next(&mut anonymous, 5).await;
    assert_eq!(refused["type"], "error");
    assert!(
        refused["message"].as_str().unwrap().contains("not yours"),
        "{refused}"
    );
    send(
        &mut anonymous,
        json!({"type": "subscribe", "topics": ["moderation"]}),
    )
    .await;
    assert_eq!(next(&mut anonymous, 5).await["type"], "error");
    send(&mut anonymous, json!({"type": "shout"})).await;
    assert_eq!(next(&mut anonymous, 5).await["type"], "error");
    // Too many topics.
    let many: Vec<String> = (0..40).map(|i| format!("thread:{i}")).collect();
    send(&mut anonymous, json!({"type": "subscribe", "topics": many})).await;
    let too_many = next(&mut anonymous, 5).await;
    assert!(
        too_many["message"].as_str().unwrap().contains("at most"),
        "{too_many}"
    );
    // Ping.
    send(&mut anonymous, json!({"type": "ping"})).await;
    assert_eq!(next(&mut anonymous, 5).await["type"], "pong");

    // A signed-in user hears their own topic.
    let now = time::OffsetDateTime::now_utc();
    let hash = server
        .state
        .auth
        .passwords
        .hash("tortellini sotto le due torri")
        .await
        .unwrap();
    let id = server
        .state
        .store
        .create_user(
            &openwelfare::accounts::model::NewUser {
                email: "ws@example.org",
                display_name: "Ws",
                password_hash: Some(&hash),
                role: openwelfare::accounts::Role::Citizen,
                lang: "it",
                verified_at: Some(now),
            },
            now,
        )
        .await
        .unwrap();
    let (access, _) = openwelfare::http::session::open_session(&server.state, id, false, "test")
        .await
        .unwrap();
    let mut mine = connect(&server, Some(&format!("ow_access={access}"))).await;
    subscribe(&mut mine, &[&format!("user:{id}")], None).await;
    let event = emit(
        &server,
        &format!("user:{id}"),
        json!({"type": "notification"}),
    )
    .await;
    assert_eq!(next(&mut mine, 5).await["id"], event);
    send(
        &mut mine,
        json!({"type": "subscribe", "topics": [format!("user:{}", id + 1)]}),
    )
    .await;
    assert_eq!(next(&mut mine, 5).await["type"], "error");

    // A message over 4 KiB ends the connection.
    let mut big = connect(&server, None).await;
    let huge = "x".repeat(10_000);
    let _ = big
        .send(Message::text(
            json!({"type": "subscribe", "topics": [huge]}).to_string(),
        ))
        .await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match big.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .expect("closed in time");
    assert!(closed);

    // A flood of messages: closed with 1008 (policy).
    let mut flood = connect(&server, None).await;
    for _ in 0..60 {
        if flood
            .send(Message::text(r#"{"type":"ping"}"#))
            .await
            .is_err()
        {
            break;
        }
    }
    let code = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match flood.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                None | Some(Err(_)) | Some(Ok(Message::Close(None))) => return None,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .expect("closed in time");
    assert_eq!(code, Some(1008));
    assert!(
        server.state.hub.connections() >= 2,
        "open connections are counted"
    );
}

async fn shutting_down_closes_sockets_with_going_away(db: TestDb) {
    let server = db.serve(&[]).await;
    let mut socket = connect(&server, None).await;
    subscribe(&mut socket, &["map"], None).await;
    server.state.hub.shut_down();
    let code = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                None | Some(Err(_)) | Some(Ok(Message::Close(None))) => return None,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .expect("closed in time");
    assert_eq!(code, Some(1001));
}

/// A page on another origin (another port of the same host, or https on
/// our http) cannot open a socket with the user's cookies; our own pages
/// and clients that send no Origin (not browsers) can.
async fn a_socket_from_another_origin_is_refused(db: TestDb) {
    let server = db.serve(&[]).await;
    let port = server.base.rsplit(':').next().unwrap();
    let other_port = format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() ^ 1);
    let https = server.base.replace("http://", "https://");
    for foreign in [
        other_port.as_str(),
        https.as_str(),
        "http://evil.example",
        "null",
    ] {
        let refused = try_connect(&server.base, &[("origin", foreign)]).await;
        assert_eq!(refused.err(), Some(403), "Origin {foreign}");
    }
    let mut ours = try_connect(&server.base, &[("origin", &server.base)])
        .await
        .expect("our own origin is accepted");
    subscribe(&mut ours, &["map"], None).await;
    let mut bare = try_connect(&server.base, &[])
        .await
        .expect("no Origin is accepted");
    subscribe(&mut bare, &["map"], None).await;
}

/// Wait until the hub counts `n` open sockets.
async fn wait_for_connections(server: &Server, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while server.state.hub.connections() != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} sockets counted, expected {n}",
            server.state.hub.connections()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sockets are capped per client IP (429) and in all (503), before the
/// upgrade; closing one frees its place. Behind a trusted proxy the client
/// is the X-Forwarded-For address.
async fn sockets_are_capped_per_ip_and_in_total(db: TestDb) {
    let server = db
        .serve(&[
            ("OPENWELFARE_WS_MAX_PER_IP", "3"),
            ("OPENWELFARE_WS_MAX_TOTAL", "5"),
            ("OPENWELFARE_TRUSTED_PROXIES", "127.0.0.1"),
        ])
        .await;
    let a = [("x-forwarded-for", "203.0.113.1")];
    let b = [("x-forwarded-for", "203.0.113.2")];
    let c = [("x-forwarded-for", "203.0.113.3")];
    let mut from_a = Vec::new();
    for i in 0..3 {
        let socket = try_connect(&server.base, &a).await;
        from_a.push(socket.unwrap_or_else(|s| panic!("socket {i} of A refused with {s}")));
    }
    assert_eq!(try_connect(&server.base, &a).await.err(), Some(429));
    // Another client is not held back by A.
    let mut from_b = Vec::new();
    for _ in 0..2 {
        from_b.push(try_connect(&server.base, &b).await.expect("B accepted"));
    }
    wait_for_connections(&server, 5).await;
    // Five in all: a third client is refused with 503.
    assert_eq!(try_connect(&server.base, &c).await.err(), Some(503));
    // Closing one of A's frees its place, for A.
    let mut closing = from_a.pop().unwrap();
    closing.close(None).await.expect("close");
    while let Some(Ok(_)) = closing.next().await {}
    wait_for_connections(&server, 4).await;
    from_a.push(
        try_connect(&server.base, &a)
            .await
            .expect("A accepted again after closing one"),
    );
    assert_eq!(try_connect(&server.base, &a).await.err(), Some(429));
    subscribe(from_a.last_mut().unwrap(), &["map"], None).await;
}

async fn a_client_that_falls_behind_is_told_to_resync_and_misses_nothing(db: TestDb) {
    // A queue of 4 events per connection, so a client that does not read falls behind.
    // The pump runs only when poked (no polling to speak of, no NOTIFY), so all 300 events arrive in one burst.
    let server = db
        .serve_with_hub(&[], Some((Duration::from_secs(3600), 4, false)))
        .await;
    let mut socket = connect(&server, None).await;
    subscribe(&mut socket, &["map"], None).await;
    let mut sent = Vec::new();
    for n in 0..300 {
        sent.push(
            server
                .state
                .store
                .emit_event("map", &json!({"n": n}))
                .await
                .unwrap(),
        );
    }
    server.state.hub.poke();
    let mut received: Vec<i64> = Vec::new();
    let mut resyncs = 0;
    while received.len() < sent.len() {
        let message = next(&mut socket, 10).await;
        match message["type"].as_str() {
            Some("event") => received.push(message["id"].as_i64().unwrap()),
            Some("resync") => {
                resyncs += 1;
                let since = message["since"].as_i64().unwrap();
                assert_eq!(
                    since,
                    received.last().copied().unwrap_or(since),
                    "resync from the last id received"
                );
                send(
                    &mut socket,
                    json!({"type": "subscribe", "topics": ["map"], "since": since}),
                )
                .await;
            }
            Some("subscribed") => {}
            other => panic!("unexpected {other:?}: {message}"),
        }
    }
    assert!(
        resyncs >= 1,
        "with a queue of 4 and 300 events the client must fall behind"
    );
    assert_eq!(received, sent, "every event, in order, none twice");
    // Only the answer to the last subscription may follow.
    while let Ok(Some(Ok(Message::Text(t)))) =
        tokio::time::timeout(Duration::from_millis(300), socket.next()).await
    {
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        assert_eq!(v["type"], "subscribed", "{v}");
    }
}

on_both_backends!(
    a_client_that_falls_behind_is_told_to_resync_and_misses_nothing,
    an_event_reaches_its_subscriber_and_a_reconnect_replays_what_was_missed,
    private_topics_are_their_owners_and_limits_hold,
    shutting_down_closes_sockets_with_going_away,
    a_socket_from_another_origin_is_refused,
    sockets_are_capped_per_ip_and_in_total,
);

/// Two instances on one PostgreSQL: a change committed through A reaches a
/// client of B at once. B polls only once an hour, so only NOTIFY can
/// bring it in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_deliver_to_each_others_clients() {
    let db = TestDb::new(common::Kind::Postgres).await;
    let hour = Some((Duration::from_secs(3600), 64, true));
    let a = db.serve_with_hub(&[], hour).await;
    let b = db.serve_with_hub(&[], hour).await;
    // Let B's LISTEN connection settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut socket = connect(&b, None).await;
    subscribe(&mut socket, &["area:q2016-navile"], None).await;
    let started = std::time::Instant::now();
    let id = a
        .state
        .store
        .emit_event("area:q2016-navile", &json!({"from": "A"}))
        .await
        .unwrap();
    let event = next(&mut socket, 5).await;
    assert_eq!(event["id"], id);
    assert_eq!(event["data"]["from"], "A");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "delivered by NOTIFY, not by polling"
    );
}
