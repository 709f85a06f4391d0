//! Moderation in storage, on SQLite and PostgreSQL alike: reports keep a
//! copy of what they reported, a user reports an item once, weighted
//! reports hold an item at the policy's threshold in the same transaction
//! as its log row and its event, and reports on users are kept without
//! holding anything.

mod common;

use common::web::{Server, PASSWORD};
use common::ws::{connect, next, subscribe};
use common::TestDb;
use moderation::{Action, NewReport, Policy, Reporter, Target};
use openwelfare::accounts::Role;
use openwelfare::lab::{ContentKind, ContentStatus, NewAnnotation, Revised};
use openwelfare::store::StoreError;
use reqwest::StatusCode;
use serde_json::{json, Value};
use time::OffsetDateTime;

async fn annotation_by(server: &Server, author: i64, body: &str) -> i64 {
    server
        .state
        .store
        .create_annotation(
            &NewAnnotation {
                area_code: "q2016-navile",
                author_id: author,
                title: "Panchine",
                body,
                body_html: &format!("<p>{body}</p>"),
                point: None,
                variable: None,
                status: ContentStatus::Visible,
                screening: &[],
            },
            OffsetDateTime::now_utc(),
        )
        .await
        .expect("annotation")
        .id
}

async fn weighted_reports_hold_an_item_with_its_log_row_and_event(db: TestDb) {
    let server = db.serve(&[]).await;
    let store = &server.state.store;
    let policy = Policy::default();
    let threshold = policy.reports.hold_threshold;
    assert_eq!(threshold, 3, "the issue's default");
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let bruno = server
        .user("bruno@example.org", "Bruno", Role::Citizen, true)
        .await;
    let carla = server
        .user("carla@example.org", "Carla", Role::Citizen, true)
        .await;
    let id = annotation_by(&server, anna, "Il testo segnalato").await;
    let target = Target::Annotation(id);
    let now = OffsetDateTime::now_utc();
    let weight = moderation::report_weight(&policy, 0);
    fn report(target: Target, reporter: &Reporter, weight: u32) -> NewReport<'_> {
        NewReport {
            target,
            reporter,
            reason: "harassment",
            note: "",
            snapshot: "Il testo segnalato",
            weight,
        }
    }

    let by_bruno = Reporter::User { id: bruno };
    let first = store
        .file_report(&report(target, &by_bruno, weight), threshold, now)
        .await
        .unwrap();
    assert_eq!((first.open_weight, first.held), (1, false));
    // Once per user and item: nothing more is counted.
    let again = store
        .file_report(&report(target, &by_bruno, weight), threshold, now)
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("report"))),
        "{again:?}"
    );
    // A visitor without an account may report too (DSA Art. 16).
    let visitor = Reporter::Visitor {
        name: None,
        email: Some("vicino@example.org".into()),
    };
    let second = store
        .file_report(&report(target, &visitor, weight), threshold, now)
        .await
        .unwrap();
    assert_eq!((second.open_weight, second.held), (2, false));
    assert_eq!(
        store.annotation(id).await.unwrap().unwrap().status,
        ContentStatus::Visible
    );

    // The author edits; the report keeps the text as it was reported.
    let edited = Revised {
        title: Some("Panchine"),
        body: "Un testo nuovo",
        body_html: "<p>Un testo nuovo</p>",
        status: ContentStatus::Visible,
        screening: &[],
    };
    store
        .edit_content(ContentKind::Annotation, id, &edited, now)
        .await
        .unwrap();

    // The third reporter reaches the threshold: held, logged, announced.
    let before = store.latest_event_id().await.unwrap();
    let third = store
        .file_report(
            &report(target, &Reporter::User { id: carla }, weight),
            threshold,
            now,
        )
        .await
        .unwrap();
    assert_eq!((third.open_weight, third.held), (3, true));
    assert_eq!(
        store.annotation(id).await.unwrap().unwrap().status,
        ContentStatus::Held
    );
    let log = store.moderation_log(None, 10).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    let entry = &log[0];
    assert_eq!(entry.action, Action::Hold);
    assert_eq!(entry.target, target);
    assert_eq!(entry.moderator_id, None, "the system acted");
    assert_eq!(entry.subject_id, Some(anna));
    assert_eq!(entry.rule.as_deref(), Some("reports"));
    assert!(!entry.reason.is_empty());
    let events = store.events_after(before, 10).await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].topic, "area:q2016-navile");
    assert_eq!(events[0].payload["type"], "annotation.status");
    assert_eq!(events[0].payload["annotation"]["status"], "held");
    assert_eq!(events[0].payload["annotation"]["body_html"], "", "hidden");

    let reports = store.reports_on(target).await.unwrap();
    assert_eq!(reports.len(), 3);
    assert!(reports.iter().all(|r| r.snapshot == "Il testo segnalato"));
    assert_eq!(reports[1].reporter, visitor);
    // More reports on a held item hold nothing again, and log nothing.
    let dario = server
        .user("dario@example.org", "Dario", Role::Citizen, true)
        .await;
    let fourth = store
        .file_report(
            &report(target, &Reporter::User { id: dario }, weight),
            threshold,
            now,
        )
        .await
        .unwrap();
    assert_eq!((fourth.open_weight, fourth.held), (4, false));
    assert_eq!(store.moderation_log(None, 10).await.unwrap().len(), 1);
}

async fn one_trusted_reporter_weighs_as_much_as_three_new_ones(db: TestDb) {
    let server = db.serve(&[]).await;
    let store = &server.state.store;
    let policy = Policy::default();
    let threshold = policy.reports.hold_threshold;
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let elena = server
        .user("elena@example.org", "Elena", Role::Citizen, true)
        .await;
    let id = annotation_by(&server, anna, "Un altro testo").await;
    let now = OffsetDateTime::now_utc();
    let trusted = NewReport {
        target: Target::Annotation(id),
        reporter: &Reporter::User { id: elena },
        reason: "personal_data",
        note: "C'è un nome e un indirizzo",
        snapshot: "Un altro testo",
        weight: moderation::report_weight(&policy, 2),
    };
    let filed = store.file_report(&trusted, threshold, now).await.unwrap();
    assert_eq!((filed.open_weight, filed.held), (3, true));
    assert_eq!(filed.report.note, "C'è un nome e un indirizzo");

    // A report on a user is kept; nothing is held.
    let on_user = NewReport {
        target: Target::User(anna),
        reporter: &Reporter::User { id: elena },
        reason: "spam",
        note: "",
        snapshot: "Anna",
        weight: 10,
    };
    let filed = store.file_report(&on_user, threshold, now).await.unwrap();
    assert!(!filed.held);
    assert_eq!(store.reports_on(Target::User(anna)).await.unwrap().len(), 1);
    assert_eq!(store.moderation_log(None, 10).await.unwrap().len(), 1);
}

/// POST a JSON body (with a Bearer token, or as a visitor): status and JSON.
async fn post_json(
    server: &Server,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", server.base))
        .json(&body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A report over the API, as a visitor (None) or a user.
async fn send_report(server: &Server, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    post_json(server, "/api/v1/reports", token, body).await
}

/// A moderator's decision on annotation `id` over the API.
async fn decision(
    server: &Server,
    token: &str,
    id: i64,
    action: &str,
    reason: &str,
) -> (StatusCode, Value) {
    let body =
        json!({"target": {"kind": "annotation", "id": id}, "action": action, "reason": reason});
    post_json(server, "/api/v1/moderation/decisions", Some(token), body).await
}

async fn token(server: &Server, email: &str) -> String {
    let (status, json) = post_json(
        server,
        "/api/v1/auth/token",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json["access_token"].as_str().expect("a token").to_string()
}

/// Over the API: anyone reports, the field at fault is named, nobody
/// reports their own words, and the third reporter hides the annotation
/// from every reader, live.
async fn anyone_reports_and_three_reports_hide_an_annotation_live(db: TestDb) {
    let server = db.serve(&[]).await;
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    server
        .user("bruno@example.org", "Bruno", Role::Citizen, true)
        .await;
    server
        .user("carla@example.org", "Carla", Role::Citizen, true)
        .await;
    let id = annotation_by(&server, anna, "Un testo offensivo").await;
    let mut socket = connect(&server, None).await;
    subscribe(&mut socket, &["area:q2016-navile"], None).await;

    let reasons: Value = reqwest::get(format!("{}/api/v1/reports/reasons", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = reasons
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"illegal_content"), "{reasons}");

    let target = json!({"kind": "annotation", "id": id});
    // A reason that is not the policy's, a bad address: both named.
    let (status, p) = send_report(
        &server,
        None,
        json!({"target": target, "reason": "boh", "email": "not-an-address"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["reason", "email"], "{p}");
    // Nothing to report: 404; one's own words: 403.
    let (status, _) = send_report(
        &server,
        None,
        json!({"target": {"kind": "annotation", "id": id + 1000}, "reason": "spam"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anna_token = token(&server, "anna@example.org").await;
    let (status, p) = send_report(
        &server,
        Some(&anna_token),
        json!({"target": target, "reason": "spam"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");

    // A visitor, then Bruno: received, still shown.
    let (status, receipt) = send_report(&server, None,
        json!({"target": target, "reason": "harassment", "note": "Insulta", "email": "vicino@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(receipt["status"], "received");
    let bruno = token(&server, "bruno@example.org").await;
    let (status, _) = send_report(
        &server,
        Some(&bruno),
        json!({"target": target, "reason": "harassment"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Twice is once: the field is named.
    let (status, p) = send_report(
        &server,
        Some(&bruno),
        json!({"target": target, "reason": "harassment"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "target", "{p}");
    let path = format!("{}/api/v1/annotations/{id}", server.base);
    assert_eq!(reqwest::get(&path).await.unwrap().status(), StatusCode::OK);

    // Carla is the third: held, gone for readers, and the page's socket hears it.
    let carla = token(&server, "carla@example.org").await;
    let (status, _) = send_report(
        &server,
        Some(&carla),
        json!({"target": target, "reason": "harassment"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        reqwest::get(&path).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // The annotation's creation may come first, depending on when the hub
    // relayed it to the socket: skip it.
    let mut event = next(&mut socket, 5).await;
    if event["data"]["type"] == "annotation.created" {
        event = next(&mut socket, 5).await;
    }
    assert_eq!(event["data"]["type"], "annotation.status", "{event}");
    assert_eq!(event["data"]["annotation"]["id"], id);
    assert_eq!(event["data"]["annotation"]["status"], "held");
    let reports = server
        .state
        .store
        .reports_on(Target::Annotation(id))
        .await
        .unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].note, "Insulta");
    assert!(reports
        .iter()
        .all(|r| r.snapshot.contains("Un testo offensivo")));
}

/// The report page, without JavaScript or an account: the link on the
/// annotation, the form, a refusal naming the field, the receipt.
async fn a_visitor_reports_through_the_page(db: TestDb) {
    let server = db.serve(&[]).await;
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let id = annotation_by(&server, anna, "Da segnalare").await;
    let mut visitor = server.browser();
    let shown = visitor.get(&format!("/annotazioni/{id}")).await;
    let link = format!("/segnala?cosa=annotation&amp;id={id}");
    assert!(shown.has(&link), "the annotation offers a report link");

    let form = format!("/segnala?cosa=annotation&id={id}");
    let page = visitor.get(&form).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Segnala un contenuto") && page.has("Panchine"));
    assert!(
        page.has(r#"value="illegal_content""#),
        "the policy's reasons"
    );
    assert!(
        page.has(r#"name="email""#),
        "a visitor may leave an address"
    );

    // No reason: the form again, 422, the field named and linked.
    let id_text = id.to_string();
    let refused = visitor
        .post(
            "/segnala",
            &[
                ("kind", "annotation"),
                ("id", &id_text),
                ("note", "Offende"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has(r##"href="#field-reason""##), "{}", refused.body);
    assert!(refused.has("Offende"), "what was typed stays");

    let received = visitor
        .post(
            "/segnala",
            &[
                ("kind", "annotation"),
                ("id", &id_text),
                ("reason", "harassment"),
                ("note", "Offende"),
                ("email", "vicino@example.org"),
            ],
        )
        .await;
    assert_eq!(received.status, 200, "{}", received.body);
    assert!(received.has("Segnalazione ricevuta"));
    let reports = server
        .state
        .store
        .reports_on(Target::Annotation(id))
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].reporter,
        Reporter::Visitor {
            name: None,
            email: Some("vicino@example.org".into())
        }
    );
    // A cross-site form is refused like every other (CSRF).
    let forged = visitor
        .post_exact(
            "/segnala",
            &[("kind", "annotation"), ("id", &id_text), ("reason", "spam")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(
        server
            .state
            .store
            .reports_on(Target::Annotation(id))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn get_json(server: &Server, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A moderator with the second factor given: a Bearer token.
async fn moderator_token(server: &Server, email: &str) -> (i64, String) {
    let id = server
        .user(email, "Moderatrice", Role::Moderator, true)
        .await;
    let secret = openwelfare::accounts::totp::new_secret();
    server
        .state
        .store
        .enable_totp(id, &hex::encode(&secret), 0, &[])
        .await
        .unwrap();
    let (access, _) = openwelfare::http::session::open_session(&server.state, id, true, "test")
        .await
        .unwrap();
    (id, access)
}

/// The queue shows what reports held; a moderator approves it with a
/// reason (the reports are then unfounded), removes another (upheld), and
/// the public log tells both without naming any reporter; a citizen can
/// neither see the queue nor decide, and a decision needs its reason.
async fn moderators_decide_from_the_queue_and_the_log_tells_why(db: TestDb) {
    let server = db.serve(&[]).await;
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let (moderator, mod_token) = moderator_token(&server, "mod@example.org").await;
    let store = &server.state.store;
    let policy = Policy::default();
    let kept = annotation_by(&server, anna, "Un testo discusso").await;
    let gone = annotation_by(&server, anna, "Un testo offensivo").await;
    let now = OffsetDateTime::now_utc();
    for id in [kept, gone] {
        let trusted = NewReport {
            target: Target::Annotation(id),
            reporter: &Reporter::Visitor {
                name: None,
                email: None,
            },
            reason: "harassment",
            note: "",
            snapshot: "x",
            weight: 3,
        };
        assert!(
            store
                .file_report(&trusted, policy.reports.hold_threshold, now)
                .await
                .unwrap()
                .held
        );
    }

    let (status, queue) = get_json(&server, "/api/v1/moderation/queue", Some(&mod_token)).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let queued: Vec<i64> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["target"]["id"].as_i64().unwrap())
        .collect();
    assert!(queued.contains(&kept) && queued.contains(&gone), "{queue}");
    assert_eq!(queue[0]["status"], "held");
    assert_eq!(queue[0]["open_reports"], 1);
    let citizen = token(&server, "anna@example.org").await;
    let (status, _) = get_json(&server, "/api/v1/moderation/queue", Some(&citizen)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, p) = decision(&server, &mod_token, kept, "approve", "  ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "reason");
    let (status, _) = decision(&server, &citizen, kept, "approve", "ok").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, entry) = decision(
        &server,
        &mod_token,
        kept,
        "approve",
        "Critica legittima, non un insulto",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["action"], "approve");
    assert_eq!(entry["by"], "moderator");
    assert_eq!(
        store.annotation(kept).await.unwrap().unwrap().status,
        ContentStatus::Visible
    );
    let reports = store.reports_on(Target::Annotation(kept)).await.unwrap();
    assert_eq!(
        reports[0].resolution.map(|r| r.0),
        Some(moderation::Resolution::Rejected)
    );
    // Approving again: only held content is approved.
    let (status, _) = decision(&server, &mod_token, kept, "approve", "di nuovo").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = decision(&server, &mod_token, gone, "remove", "Insulti a una persona").await;
    assert_eq!(status, StatusCode::CREATED);
    let removed = store.annotation(gone).await.unwrap().unwrap();
    assert_eq!(removed.status, ContentStatus::Removed);
    assert_eq!(
        removed.status_reason.as_deref(),
        Some("Insulti a una persona")
    );
    let reports = store.reports_on(Target::Annotation(gone)).await.unwrap();
    assert_eq!(
        reports[0].resolution.map(|r| r.0),
        Some(moderation::Resolution::Upheld)
    );
    let (_, queue) = get_json(&server, "/api/v1/moderation/queue", Some(&mod_token)).await;
    assert_eq!(
        queue.as_array().unwrap().len(),
        0,
        "decided items leave the queue: {queue}"
    );

    // The public log, for anyone: newest first, the reasons, no reporter.
    let (status, log) = get_json(&server, "/api/v1/moderation/log", None).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["remove", "approve", "hold", "hold"], "{log}");
    assert_eq!(log["items"][0]["reason"], "Insulti a una persona");
    assert_eq!(log["items"][3]["by"], "system");
    let text = log.to_string();
    assert!(
        !text.contains("reporter") && !text.contains(&format!("\"moderator_id\":{moderator}")),
        "{text}"
    );
    let stored = store.moderation_log(None, 10).await.unwrap();
    assert_eq!(
        stored[0].moderator_id,
        Some(moderator),
        "the log keeps who acted"
    );
}

/// The queue and the log as pages, without JavaScript: a moderator logs in
/// with the second factor, reads the reports with their snapshots, removes
/// the item with a reason through the form, and anyone reads the log.
async fn the_queue_and_the_log_work_as_pages(db: TestDb) {
    let server = db.serve(&[]).await;
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let moderator = server
        .user("mod@example.org", "Moderatrice", Role::Moderator, true)
        .await;
    let secret = openwelfare::accounts::totp::new_secret();
    server
        .state
        .store
        .enable_totp(moderator, &hex::encode(&secret), 0, &[])
        .await
        .unwrap();
    let id = annotation_by(&server, anna, "Parole pesanti").await;
    let report = NewReport {
        target: Target::Annotation(id),
        reporter: &Reporter::Visitor {
            name: None,
            email: None,
        },
        reason: "harassment",
        note: "Insulta i vicini",
        snapshot: "Parole pesanti, com'erano",
        weight: 3,
    };
    assert!(
        server
            .state
            .store
            .file_report(&report, 3, OffsetDateTime::now_utc())
            .await
            .unwrap()
            .held
    );

    // A citizen is not let in.
    let mut citizen = server.browser();
    citizen
        .submit(
            "/account/accedi",
            "/account/accedi",
            &[
                ("email", "anna@example.org"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(citizen.get("/moderazione").await.status, 403);

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
    let code = openwelfare::accounts::totp::code_at(
        &secret,
        OffsetDateTime::now_utc().unix_timestamp() as u64,
    );
    let done = m
        .submit(
            "/account/accedi/codice",
            "/account/accedi/codice",
            &[("code", &code), ("next", "/moderazione")],
        )
        .await;
    assert_eq!(done.status, 303);
    let queue = m.get("/moderazione").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.has("Coda di moderazione") && queue.has("Panchine"));
    assert!(
        queue.has("Insulta i vicini"),
        "the report's note: {}",
        queue.body
    );
    assert!(
        queue.has("Parole pesanti, com'erano"),
        "the text as reported: {}",
        queue.body
    );
    assert!(queue.has(r#"action="/moderazione/decisioni""#));

    let id_text = id.to_string();
    let decided = m
        .post(
            "/moderazione/decisioni",
            &[
                ("kind", "annotation"),
                ("id", &id_text),
                ("action", "remove"),
                ("reason", "Insulti ai vicini"),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    assert_eq!(
        decided.location.as_deref(),
        Some("/moderazione?msg=decided")
    );
    let after = m.get("/moderazione?msg=decided").await;
    assert!(after.has("Niente da esaminare."), "{}", after.body);
    let removed = server.state.store.annotation(id).await.unwrap().unwrap();
    assert_eq!(removed.status, ContentStatus::Removed);

    // Anyone reads the log; it names the reason, never the reporter's note.
    let mut anyone = server.browser();
    let log = anyone.get("/moderazione/registro").await;
    assert_eq!(log.status, 200);
    assert!(
        log.has("Insulti ai vicini") && log.has("Rimosso"),
        "{}",
        log.body
    );
    assert!(
        log.has("(automatico)"),
        "the hold by reports is the system's"
    );
    assert!(
        !log.has("Insulta i vicini"),
        "no report text in the public log"
    );
}

/// What the trust level and the account rules read of an author: their
/// latest texts (annotations and posts together, newest first), how many
/// came before the end of their first day, how many are published.
async fn an_authors_writing_is_read_across_annotations_and_posts(db: TestDb) {
    let server = db.serve(&[]).await;
    let store = &server.state.store;
    let anna = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    annotation_by(&server, anna, "Primo testo").await;
    let thread = store
        .ensure_thread("area:q2016-navile", OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .create_post(
            &openwelfare::lab::NewPost {
                thread_id: thread.id,
                parent_id: None,
                author_id: anna,
                body: "Secondo testo",
                body_html: "<p>Secondo testo</p>",
                status: ContentStatus::Held,
                screening: &[],
                mentions: &[],
                link: "/quartieri/navile#post-",
                excerpt: "Secondo testo",
            },
            OffsetDateTime::now_utc() + time::Duration::seconds(1),
        )
        .await
        .unwrap();
    let later = OffsetDateTime::now_utc() + time::Duration::days(2);
    let writing = store.writing(anna, later, 5).await.unwrap();
    assert_eq!(
        writing.recent,
        ["Secondo testo", "Primo testo"],
        "{writing:?}"
    );
    assert_eq!(writing.first_day, 2);
    assert_eq!(writing.published, 1, "the held post is not published");
    assert!(writing.last_at.is_some());
    // Only one text, and nothing before a first day that ended long ago.
    let past = OffsetDateTime::now_utc() - time::Duration::days(2);
    let writing = store.writing(anna, past, 1).await.unwrap();
    assert_eq!(writing.recent, ["Secondo testo"]);
    assert_eq!(writing.first_day, 0);
    assert_eq!(
        store.writing(anna + 1000, later, 5).await.unwrap(),
        Default::default()
    );
}

on_both_backends!(
    an_authors_writing_is_read_across_annotations_and_posts,
    the_queue_and_the_log_work_as_pages,
    moderators_decide_from_the_queue_and_the_log_tells_why,
    a_visitor_reports_through_the_page,
    anyone_reports_and_three_reports_hide_an_annotation_live,
    weighted_reports_hold_an_item_with_its_log_row_and_event,
    one_trusted_reporter_weighs_as_much_as_three_new_ones,
);
