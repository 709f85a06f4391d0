//! Participation end to end against a real server (with the official data
//! imported, so quartieri have their boundaries): annotations posted
//! through the form reach a websocket subscriber with the right payload;
//! a point outside the quartiere is refused naming it; a 2014 quartiere is
//! mapped to its 2016 one; hostile markdown is stored sanitized; replies,
//! mentions, "utile" and follows notify the right people, each with its
//! event; a locked thread refuses posts and a refused change writes no
//! event. Every story runs on SQLite and PostgreSQL.

mod common;

use common::web::{Browser, Server};
use common::ws::{connect, next, subscribe};
use common::TestDb;
use openwelfare::accounts::totp;
use openwelfare::accounts::Role;
use openwelfare::lab::ContentStatus;
use serde_json::json;
use time::OffsetDateTime;

use common::web::PASSWORD;

async fn server_with_data(db: &TestDb) -> Server {
    openwelfare::import::run(
        db.store.as_ref(),
        &openwelfare::official::catalog::Catalog::official().expect("catalog"),
        &openwelfare::import::Location::MirrorDir(common::mirror()),
        false,
    )
    .await
    .expect("import");
    db.serve(&[]).await
}

async fn user(server: &Server, email: &str, name: &str, role: Role, verified: bool) -> i64 {
    server.user(email, name, role, verified).await
}

async fn signed_in(server: &Server, email: &str) -> Browser {
    let mut b = server.browser();
    let page = b
        .submit(
            "/account/accedi",
            "/account/accedi",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "log in {email}");
    b
}

/// A quartiere page first, for its CSRF token, then the annotation form.
async fn annotate(b: &mut Browser, slug: &str, fields: &[(&str, &str)]) -> common::web::Page {
    let shown = b.get(&format!("/quartieri/{slug}")).await;
    assert_eq!(shown.status, 200);
    b.post(&format!("/quartieri/{slug}/annotazioni"), fields)
        .await
}

async fn an_annotation_reaches_the_map_live_and_is_stored_safely(db: TestDb) {
    let server = server_with_data(&db).await;
    user(&server, "anna@example.org", "Anna", Role::Citizen, true).await;
    user(&server, "nuovo@example.org", "Nuovo", Role::Citizen, false).await;
    let mut socket = connect(&server, None).await;
    subscribe(&mut socket, &["map"], None).await;

    let mut anna = signed_in(&server, "anna@example.org").await;
    // A point in the middle of Navile (Bolognina, Piazza dell'Unità).
    let posted = annotate(
        &mut anna,
        "navile",
        &[
            ("title", "Panchine rotte <b>qui</b>"),
            (
                "body",
                "Vedi [qui](javascript:alert(1)) e <script>alert(1)</script> **ora**",
            ),
            ("lon", "11.3466"),
            ("lat", "44.5128"),
            ("variable", "interventi/totale"),
        ],
    )
    .await;
    assert_eq!(
        posted.status,
        303,
        "{}",
        &posted.body[..posted.body.len().min(300)]
    );
    assert!(posted
        .location
        .as_deref()
        .unwrap()
        .starts_with("/quartieri/navile#annotation-"));
    let event = next(&mut socket, 5).await;
    assert_eq!(event["topic"], "area:q2016-navile");
    assert_eq!(event["data"]["type"], "annotation.created");
    let a = &event["data"]["annotation"];
    assert_eq!(
        a["title"], "Panchine rotte <b>qui</b>",
        "titles are plain text, escaped where shown"
    );
    let html = a["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>ora</strong>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );
    assert_eq!(a["lon"], 11.3466);

    let id = a["id"].as_i64().unwrap();
    // The marker is on the server-rendered map (so also without JavaScript), in both boundary sets.
    let mut reader = server.browser();
    for map in ["/", "/?boundaries=2014", "/mappa.svg"] {
        let page = reader.get(map).await;
        assert!(
            page.body.contains(&format!("href=\"/annotazioni/{id}\"")),
            "{map} has the marker"
        );
    }
    let stored = server.state.store.annotation(id).await.unwrap().unwrap();
    assert_eq!(stored.variable_code.as_deref(), Some("totale"));
    assert_eq!(stored.status, ContentStatus::Visible);

    // A point outside the quartiere: 422 naming it, nothing stored, no event.
    let before = server.state.store.latest_event_id().await.unwrap();
    let outside = annotate(
        &mut anna,
        "navile",
        &[
            ("title", "Fuori"),
            ("body", "testo"),
            ("lon", "11.30"),
            ("lat", "44.47"),
        ],
    )
    .await;
    assert_eq!(outside.status, 422);
    assert!(
        outside.body.contains("Navile"),
        "the refusal names the quartiere"
    );
    assert_eq!(server.state.store.latest_event_id().await.unwrap(), before);

    // A 2014 quartiere is annotated on its 2016 one.
    let shown = anna.get("/quartieri/2014/san-donato").await;
    assert_eq!(shown.status, 200);
    let old = anna
        .post(
            "/quartieri/2014/san-donato/annotazioni",
            &[("title", "Dal 2014"), ("body", "San Donato")],
        )
        .await;
    assert_eq!(old.status, 303);
    let event = next(&mut socket, 5).await;
    assert_eq!(event["topic"], "area:q2016-san-donato-san-vitale");

    // An unverified user cannot post.
    let mut nuovo = signed_in(&server, "nuovo@example.org").await;
    let refused = annotate(&mut nuovo, "navile", &[("title", "x"), ("body", "y")]).await;
    assert_eq!(refused.status, 403);
    // The quartiere page lists the annotation for everyone.
    let page = reader.get("/quartieri/navile").await;
    assert!(page.body.contains(&format!("annotation-{id}")));
}

async fn replies_mentions_and_utile_notify_and_a_locked_thread_refuses(db: TestDb) {
    let server = server_with_data(&db).await;
    let anna = user(&server, "anna@example.org", "Anna", Role::Citizen, true).await;
    let bruno = user(&server, "bruno@example.org", "Bruno", Role::Citizen, true).await;
    let carla = user(&server, "carla@example.org", "Carla", Role::Citizen, true).await;
    let moderator = user(
        &server,
        "mod@example.org",
        "Moderatrice",
        Role::Moderator,
        true,
    )
    .await;
    let secret = totp::new_secret();
    server
        .state
        .store
        .enable_totp(moderator, &hex::encode(&secret), 0, &[])
        .await
        .unwrap();

    // Carla follows the quartiere; Anna listens to her own notifications.
    let mut carla_b = signed_in(&server, "carla@example.org").await;
    carla_b.get("/quartieri/navile").await;
    assert_eq!(
        carla_b
            .post(
                "/seguiti",
                &[("subject", "area:q2016-navile"), ("digest", "none")]
            )
            .await
            .status,
        303
    );
    let (access, _) = openwelfare::http::session::open_session(&server.state, anna, false, "ws")
        .await
        .unwrap();
    let mut anna_ws = connect(&server, Some(&format!("ow_access={access}"))).await;
    subscribe(&mut anna_ws, &[&format!("user:{anna}")], None).await;

    let mut anna_b = signed_in(&server, "anna@example.org").await;
    anna_b.get("/quartieri/navile").await;
    let first = anna_b
        .post(
            "/discussioni/area/q2016-navile/messaggi",
            &[("body", "Chi sa quando riapre il centro?")],
        )
        .await;
    assert_eq!(first.status, 303);
    let thread = server
        .state
        .store
        .thread("area:q2016-navile")
        .await
        .unwrap()
        .unwrap();
    let posts = server.state.store.posts(thread.id).await.unwrap();
    let parent = posts[0].id;

    // Bruno replies and mentions Carla: Anna gets "reply", Carla "mention" (not also "followed").
    let mut bruno_b = signed_in(&server, "bruno@example.org").await;
    bruno_b.get("/quartieri/navile").await;
    let reply = bruno_b
        .post(
            "/discussioni/area/q2016-navile/messaggi",
            &[
                ("body", "A marzo, dice @Carla"),
                ("parent", &parent.to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    let note = next(&mut anna_ws, 5).await;
    assert_eq!(note["topic"], format!("user:{anna}"));
    assert_eq!(note["data"]["kind"], "reply");
    assert_eq!(note["data"]["unread"], 1);
    let carla_notes = server.state.store.notifications(carla, 10).await.unwrap();
    let kinds: Vec<&str> = carla_notes.iter().map(|n| n.kind.as_str()).collect();
    assert!(kinds.contains(&"mention"), "{kinds:?}");
    assert!(
        kinds.contains(&"followed"),
        "Carla follows the quartiere and saw Anna's post: {kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "mention").count(), 1);
    let reply_post = server
        .state
        .store
        .posts(thread.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.parent_id == Some(parent))
        .unwrap();
    assert!(
        reply_post
            .body_html
            .contains(&format!("href=\"/utenti/{carla}\"")),
        "{}",
        reply_post.body_html
    );

    // Utile: once per user, a second press takes it back.
    bruno_b.get("/quartieri/navile").await;
    assert_eq!(
        bruno_b
            .post(&format!("/messaggi/{parent}/utile"), &[])
            .await
            .status,
        303
    );
    let liked = next(&mut anna_ws, 5).await;
    assert_eq!(liked["data"]["kind"], "reaction");
    assert_eq!(
        server
            .state
            .store
            .post(parent)
            .await
            .unwrap()
            .unwrap()
            .useful,
        1
    );
    bruno_b.get("/quartieri/navile").await;
    bruno_b
        .post(&format!("/messaggi/{parent}/utile"), &[])
        .await;
    assert_eq!(
        server
            .state
            .store
            .post(parent)
            .await
            .unwrap()
            .unwrap()
            .useful,
        0
    );

    // A moderator (with the second factor) locks the thread: posts are refused with a clear message, and no event is written.
    let mut m = server.browser();
    m.submit(
        "/account/accedi",
        "/account/accedi",
        &[
            ("email", "mod@example.org"),
            ("password", PASSWORD),
            ("next", "/account"),
        ],
    )
    .await;
    let code = totp::code_at(&secret, OffsetDateTime::now_utc().unix_timestamp() as u64);
    assert_eq!(
        m.submit(
            "/account/accedi/codice",
            "/account/accedi/codice",
            &[("code", &code), ("next", "/quartieri/navile")]
        )
        .await
        .status,
        303
    );
    m.get("/quartieri/navile").await;
    assert_eq!(
        m.post(&format!("/discussioni/{}/blocca", thread.id), &[])
            .await
            .status,
        303
    );
    assert!(
        server
            .state
            .store
            .thread_by_id(thread.id)
            .await
            .unwrap()
            .unwrap()
            .locked
    );
    let before = server.state.store.latest_event_id().await.unwrap();
    anna_b.get("/quartieri/navile").await;
    let refused = anna_b
        .post(
            "/discussioni/area/q2016-navile/messaggi",
            &[("body", "Ancora una cosa")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("chiuso"),
        "the refusal says the thread is locked"
    );
    assert_eq!(
        server.state.store.latest_event_id().await.unwrap(),
        before,
        "a refused post writes no event"
    );
    // Bruno cannot lock.
    bruno_b.get("/quartieri/navile").await;
    assert_eq!(
        bruno_b
            .post(&format!("/discussioni/{}/blocca", thread.id), &[])
            .await
            .status,
        403
    );
    let _ = bruno;

    // Notifications page and marking read.
    let page = anna_b.get("/notifiche").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        server.state.store.unread_notifications(anna).await.unwrap(),
        2
    );
    assert_eq!(anna_b.post("/notifiche/lette", &[]).await.status, 303);
    assert_eq!(
        server.state.store.unread_notifications(anna).await.unwrap(),
        0
    );
    let read = loop {
        let m = next(&mut anna_ws, 5).await;
        if m["data"]["type"] == "notifications.read" {
            break m;
        }
    };
    assert_eq!(read["data"]["unread"], 0);
}

async fn a_store_change_that_fails_leaves_no_event(db: TestDb) {
    let server = server_with_data(&db).await;
    let anna = user(&server, "anna@example.org", "Anna", Role::Citizen, true).await;
    let store = &server.state.store;
    let now = OffsetDateTime::now_utc();
    let thread = store
        .ensure_thread("dataset:interventi", now)
        .await
        .unwrap();
    store
        .set_thread_lock(thread.id, Some(anna), now)
        .await
        .unwrap();
    let before = store.latest_event_id().await.unwrap();
    let refused = store
        .create_post(
            &openwelfare::lab::NewPost {
                thread_id: thread.id,
                parent_id: None,
                author_id: anna,
                body: "x",
                body_html: "<p>x</p>",
                status: ContentStatus::Visible,
                screening: &[],
                mentions: &[],
                link: "/datasets/interventi#post-",
                excerpt: "x",
            },
            now,
        )
        .await;
    assert!(refused.is_err());
    assert_eq!(store.latest_event_id().await.unwrap(), before);
    assert!(store.posts(thread.id).await.unwrap().is_empty());
    // And a committed change writes exactly one event (no followers, no mentions).
    store.set_thread_lock(thread.id, None, now).await.unwrap();
    let before = store.latest_event_id().await.unwrap();
    store
        .create_post(
            &openwelfare::lab::NewPost {
                thread_id: thread.id,
                parent_id: None,
                author_id: anna,
                body: "x",
                body_html: "<p>x</p>",
                status: ContentStatus::Visible,
                screening: &[],
                mentions: &[],
                link: "/datasets/interventi#post-",
                excerpt: "x",
            },
            now,
        )
        .await
        .unwrap();
    let events = store.events_after(before, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].topic, format!("thread:{}", thread.id));
    let _ = json!({});
}

async fn edits_keep_history_and_removing_an_account_removes_its_words(db: TestDb) {
    let server = server_with_data(&db).await;
    let anna = user(&server, "anna@example.org", "Anna", Role::Citizen, true).await;
    user(&server, "bruno@example.org", "Bruno", Role::Citizen, true).await;
    let mut a = signed_in(&server, "anna@example.org").await;
    assert_eq!(
        annotate(
            &mut a,
            "navile",
            &[("title", "Prima versione"), ("body", "testo uno")]
        )
        .await
        .status,
        303
    );
    let id = server
        .state
        .store
        .annotations(Some("q2016-navile"), None, None, 10)
        .await
        .unwrap()[0]
        .id;
    a.get(&format!("/annotazioni/{id}/modifica")).await;
    let edited = a
        .post(
            &format!("/annotazioni/{id}/modifica"),
            &[("title", "Seconda versione"), ("body", "testo due")],
        )
        .await;
    assert_eq!(edited.status, 303);
    let history = a.get(&format!("/annotazioni/{id}/cronologia")).await;
    assert!(history.body.contains("Prima versione") && history.body.contains("testo uno"));
    // Someone else cannot edit it.
    let mut b = signed_in(&server, "bruno@example.org").await;
    b.get(&format!("/annotazioni/{id}")).await;
    assert_eq!(
        b.post(
            &format!("/annotazioni/{id}/modifica"),
            &[("title", "x"), ("body", "y")]
        )
        .await
        .status,
        403
    );

    // Anna writes two posts; Bruno answers the first.
    a.get("/quartieri/navile").await;
    a.post(
        "/discussioni/area/q2016-navile/messaggi",
        &[("body", "risposta attesa")],
    )
    .await;
    a.get("/quartieri/navile").await;
    a.post(
        "/discussioni/area/q2016-navile/messaggi",
        &[("body", "senza risposte")],
    )
    .await;
    let thread = server
        .state
        .store
        .thread("area:q2016-navile")
        .await
        .unwrap()
        .unwrap();
    let posts = server.state.store.posts(thread.id).await.unwrap();
    let answered = posts
        .iter()
        .find(|p| p.body == "risposta attesa")
        .unwrap()
        .id;
    b.get("/quartieri/navile").await;
    b.post(
        "/discussioni/area/q2016-navile/messaggi",
        &[("body", "eccomi"), ("parent", &answered.to_string())],
    )
    .await;

    // Anna leaves and takes her words with her.
    let gone = a
        .submit(
            "/account/impostazioni",
            "/account/elimina",
            &[("password", PASSWORD), ("contributions", "remove")],
        )
        .await;
    assert_eq!(gone.status, 200);
    assert!(server.state.store.annotation(id).await.unwrap().is_none());
    assert!(server
        .state
        .store
        .revisions("annotation", id)
        .await
        .unwrap()
        .is_empty());
    let posts = server.state.store.posts(thread.id).await.unwrap();
    let placeholder = posts
        .iter()
        .find(|p| p.id == answered)
        .expect("the answered post stays as a placeholder");
    assert_eq!(placeholder.status, ContentStatus::Deleted);
    assert!(
        placeholder.body.is_empty()
            && placeholder.body_html.is_empty()
            && placeholder.author_id.is_none()
    );
    assert!(!posts.iter().any(|p| p.body == "senza risposte"));
    assert!(
        posts.iter().any(|p| p.body == "eccomi"),
        "Bruno's reply stays"
    );
    assert!(server.state.store.user_by_id(anna).await.unwrap().is_none());
}

async fn a_daily_digest_lists_the_news_and_unsubscribes_in_one_click(db: TestDb) {
    let mut server = server_with_data(&db).await;
    let anna = user(&server, "anna@example.org", "Anna", Role::Citizen, true).await;
    user(&server, "bruno@example.org", "Bruno", Role::Citizen, true).await;
    let mut a = signed_in(&server, "anna@example.org").await;
    a.get("/quartieri/navile").await;
    assert_eq!(
        a.post(
            "/seguiti",
            &[("subject", "area:q2016-navile"), ("digest", "daily")]
        )
        .await
        .status,
        303
    );
    let mut b = signed_in(&server, "bruno@example.org").await;
    assert_eq!(
        annotate(
            &mut b,
            "navile",
            &[("title", "Lampioni spenti"), ("body", "Da una settimana")]
        )
        .await
        .status,
        303
    );
    // Not due yet.
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        openwelfare::digest::run_due(
            server.state.store.as_ref(),
            &server.state.reference,
            &server.state.auth,
            now
        )
        .await
        .unwrap(),
        0
    );
    // A day later: one digest, to Anna, with the annotation and a way out.
    let later = now + time::Duration::hours(25);
    assert_eq!(
        openwelfare::digest::run_due(
            server.state.store.as_ref(),
            &server.state.reference,
            &server.state.auth,
            later
        )
        .await
        .unwrap(),
        1
    );
    let (mail, unsubscribe) = server.mail_link("/seguiti/disiscrivi?token=").await;
    assert_eq!(mail.to, vec!["anna@example.org".to_string()]);
    assert!(
        mail.text.contains("Lampioni spenti") && mail.subject.contains("Navile"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("/annotazioni/"));
    // Sent once: the next run has nothing new.
    assert_eq!(
        openwelfare::digest::run_due(
            server.state.store.as_ref(),
            &server.state.reference,
            &server.state.auth,
            later
        )
        .await
        .unwrap(),
        0
    );
    // One click, no log-in.
    let mut stranger = server.browser();
    let page = stranger.get(&unsubscribe).await;
    assert_eq!(page.status, 200);
    assert!(server.state.store.follows(anna).await.unwrap().is_empty());
    assert_eq!(
        stranger.get(&unsubscribe).await.status,
        400,
        "the link works once"
    );
}

async fn followers_of_a_dataset_hear_of_a_data_update_and_can_discuss_it(db: TestDb) {
    let server = server_with_data(&db).await;
    let anna = user(&server, "anna@example.org", "Anna", Role::Citizen, true).await;
    let mut a = signed_in(&server, "anna@example.org").await;
    let page = a.get("/datasets/interventi").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("/discussioni/dataset/interventi/messaggi"),
        "the dataset page has its discussion"
    );
    assert_eq!(
        a.post(
            "/seguiti",
            &[("subject", "dataset:interventi"), ("digest", "none")]
        )
        .await
        .status,
        303
    );
    a.get("/datasets/interventi").await;
    let posted = a
        .post(
            "/discussioni/dataset/interventi/messaggi",
            &[("body", "Il totale 2014 di Navile torna?")],
        )
        .await;
    assert_eq!(posted.status, 303);
    assert!(posted
        .location
        .unwrap()
        .starts_with("/datasets/interventi#post-"));
    // A new import (forced: the same files) is a data update for the followers.
    openwelfare::import::run(
        db.store.as_ref(),
        &openwelfare::official::catalog::Catalog::official().unwrap(),
        &openwelfare::import::Location::MirrorDir(common::mirror()),
        true,
    )
    .await
    .unwrap();
    let notes = server.state.store.notifications(anna, 10).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.link == "/datasets/interventi" && n.kind == "followed"),
        "{notes:?}"
    );
}

on_both_backends!(
    an_annotation_reaches_the_map_live_and_is_stored_safely,
    replies_mentions_and_utile_notify_and_a_locked_thread_refuses,
    a_store_change_that_fails_leaves_no_event,
    edits_keep_history_and_removing_an_account_removes_its_words,
    a_daily_digest_lists_the_news_and_unsubscribes_in_one_click,
    followers_of_a_dataset_hear_of_a_data_update_and_can_discuss_it,
);
