//! The lab's JSON API end to end, over HTTP against a real server with the
//! official data: an API client signs in for a Bearer token, annotates a
//! quartiere, replies and replies to the reply, and sees both in the JSON
//! listings; another marks the reply useful and the author hears of it;
//! edits, deletions, follows and notifications; pages that do not overlap;
//! and every refusal is problem+json naming what is wrong, with the same
//! rules as the pages (screening, rate limits, locks, authorship). Every
//! story runs on SQLite and PostgreSQL.

mod common;

use common::web::{Server, PASSWORD};
use common::TestDb;
use openwelfare::accounts::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn server_with_data(db: &TestDb, extra: &[(&str, &str)]) -> Server {
    openwelfare::import::run(
        db.store.as_ref(),
        &openwelfare::official::catalog::Catalog::official().expect("catalog"),
        &openwelfare::import::Location::MirrorDir(common::mirror()),
        false,
    )
    .await
    .expect("import");
    db.serve(extra).await
}

/// An API client: a Bearer token, or none.
struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

struct Answer {
    status: StatusCode,
    content_type: String,
    location: Option<String>,
    json: Value,
}

impl Client {
    fn anonymous(server: &Server) -> Client {
        Client {
            base: server.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            token: None,
        }
    }

    async fn signed_in(server: &Server, email: &str) -> Client {
        let mut c = Client::anonymous(server);
        let a = c
            .send(
                Method::POST,
                "/api/v1/auth/token",
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "token for {email}: {}", a.json);
        c.token = Some(a.json["access_token"].as_str().expect("a token").into());
        c
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        let location = header(reqwest::header::LOCATION);
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            content_type,
            location,
            json,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }
}

/// A problem document with this status, and what it says.
fn problem(a: &Answer, status: StatusCode) -> Value {
    assert_eq!(a.status, status, "{}", a.json);
    assert_eq!(a.content_type, "application/problem+json", "{}", a.json);
    assert_eq!(a.json["status"], status.as_u16(), "{}", a.json);
    a.json.clone()
}

/// In the middle of Navile (Bolognina, Piazza dell'Unità).
const IN_NAVILE: (f64, f64) = (11.3466, 44.5128);

async fn a_client_annotates_replies_and_sees_both_in_the_listings(db: TestDb) {
    let server = server_with_data(&db, &[]).await;
    let anna_id = server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    server
        .user("bruno@example.org", "Bruno", Role::Citizen, true)
        .await;
    let anna = Client::signed_in(&server, "anna@example.org").await;
    let bruno = Client::signed_in(&server, "bruno@example.org").await;
    let anyone = Client::anonymous(&server);

    // Anna annotates Navile: 201, where it lives, sanitized, hers.
    let made = anna
        .post(
            "/api/v1/annotations",
            json!({
                "area": "navile",
                "title": "Panchine rotte <b>qui</b>",
                "body": "Vedi [qui](javascript:alert(1)) e **ora**",
                "point": {"lon": IN_NAVILE.0, "lat": IN_NAVILE.1},
                "variable": "interventi/totale",
            }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    let id = made.json["id"].as_i64().expect("an id");
    assert_eq!(
        made.location.as_deref(),
        Some(format!("/api/v1/annotations/{id}").as_str())
    );
    assert_eq!(made.json["area"], "q2016-navile");
    assert_eq!(made.json["author_id"], anna_id);
    assert_eq!(made.json["status"], "visible");
    assert_eq!(made.json["variable"], "interventi/totale");
    assert_eq!(made.json["point"]["lon"], IN_NAVILE.0);
    let html = made.json["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>ora</strong>"), "{html}");
    assert!(!html.contains("javascript"), "{html}");
    // A title is plain text, as typed (the pages escape it).
    assert_eq!(made.json["title"], "Panchine rotte <b>qui</b>");

    // Anyone reads it, alone and in the quartiere's list; the page shows it too.
    let one = anyone.get(&format!("/api/v1/annotations/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json["id"], id);
    assert!(
        one.json.get("body").is_none(),
        "the source is for its author"
    );
    let listed = anyone.get("/api/v1/annotations?area=q2016-navile").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.json);
    let items = listed.json["items"].as_array().unwrap();
    assert!(items.iter().any(|a| a["id"] == id), "{}", listed.json);
    let other = anyone.get("/api/v1/annotations?area=santo-stefano").await;
    assert!(
        !other.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id),
        "listed under another quartiere"
    );
    let page = reqwest::get(format!("{}/quartieri/navile", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("annotation-{id}")),
        "the page shows it"
    );

    // Bruno replies in the annotation's discussion; Anna replies to the reply.
    let discussion = format!("/api/v1/discussions/annotation/{id}");
    let empty = anyone.get(&discussion).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.json);
    assert!(empty.json["thread"].is_null());
    assert_eq!(empty.json["posts"], json!([]));
    let reply = bruno
        .post(
            &format!("{discussion}/posts"),
            json!({"body": "Le ho viste anch'io, @Anna."}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let reply_id = reply.json["id"].as_i64().unwrap();
    let answer = anna
        .post(
            &format!("{discussion}/posts"),
            json!({"body": "Segnalate al quartiere.", "parent": reply_id}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    let answer_id = answer.json["id"].as_i64().unwrap();
    assert_eq!(answer.json["parent_id"], reply_id);

    // Both in the discussion, the answer under the reply.
    let shown = anyone.get(&discussion).await;
    assert_eq!(shown.json["thread"]["subject"], format!("annotation:{id}"));
    let posts = shown.json["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 1, "{}", shown.json);
    assert_eq!(posts[0]["id"], reply_id);
    assert_eq!(posts[0]["replies"][0]["id"], answer_id);
    let alone = anyone.get(&format!("/api/v1/posts/{reply_id}")).await;
    assert_eq!(alone.json["replies"][0]["id"], answer_id, "{}", alone.json);

    // Anna marks Bruno's reply useful; Bruno hears of it, and of nothing twice.
    let useful = anna
        .send(
            Method::POST,
            &format!("/api/v1/posts/{reply_id}/useful"),
            None,
        )
        .await;
    assert_eq!(useful.status, StatusCode::OK, "{}", useful.json);
    assert_eq!(useful.json, json!({"marked": true, "useful": 1}));
    let seen = anna.get(&discussion).await;
    assert_eq!(seen.json["posts"][0]["marked"], true);
    let notes = bruno.get("/api/v1/notifications").await;
    assert_eq!(notes.status, StatusCode::OK, "{}", notes.json);
    assert!(
        notes.json["unread"].as_i64().unwrap() >= 1,
        "{}",
        notes.json
    );
    // Anna was mentioned and answered on her annotation.
    let hers = anna.get("/api/v1/notifications?limit=50").await;
    let kinds: Vec<&str> = hers.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(!kinds.is_empty(), "{}", hers.json);
    let read = anna.post("/api/v1/notifications/read", json!({})).await;
    assert_eq!(read.status, StatusCode::NO_CONTENT, "{}", read.json);
    let after = anna.get("/api/v1/notifications").await;
    assert_eq!(after.json["unread"], 0, "{}", after.json);

    // Anna edits her annotation, then deletes her answer: a tombstone stays.
    let edited = anna
        .send(
            Method::PATCH,
            &format!("/api/v1/annotations/{id}"),
            Some(json!({"title": "Panchine rotte", "body": "Sono **tre**."})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.json);
    assert_eq!(edited.json["title"], "Panchine rotte");
    assert_eq!(edited.json["body"], "Sono **tre**.");
    let gone = anna
        .send(Method::DELETE, &format!("/api/v1/posts/{answer_id}"), None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.json);
    let shown = anyone.get(&discussion).await;
    let tomb = &shown.json["posts"][0]["replies"][0];
    assert_eq!(tomb["status"], "deleted", "{}", shown.json);
    assert_eq!(tomb["body_html"], "");

    // Following: listed, then not.
    let followed = bruno
        .post(
            "/api/v1/follows",
            json!({"subject": "area:q2016-navile", "digest": "weekly"}),
        )
        .await;
    assert_eq!(followed.status, StatusCode::CREATED, "{}", followed.json);
    assert_eq!(followed.json["link"], "/quartieri/navile");
    let list = bruno.get("/api/v1/follows").await;
    assert_eq!(
        list.json[0]["subject"], "area:q2016-navile",
        "{}",
        list.json
    );
    assert_eq!(list.json[0]["digest"], "weekly");
    let unfollowed = bruno
        .send(Method::DELETE, "/api/v1/follows/area:q2016-navile", None)
        .await;
    assert_eq!(
        unfollowed.status,
        StatusCode::NO_CONTENT,
        "{}",
        unfollowed.json
    );
    assert_eq!(bruno.get("/api/v1/follows").await.json, json!([]));
    let again = bruno
        .send(Method::DELETE, "/api/v1/follows/area:q2016-navile", None)
        .await;
    assert_eq!(
        problem(&again, StatusCode::NOT_FOUND)["parameter"],
        "subject"
    );

    // Anna deletes the annotation: it stays listed as a tombstone, without its words.
    let deleted = anna
        .send(Method::DELETE, &format!("/api/v1/annotations/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    let tomb = anyone.get(&format!("/api/v1/annotations/{id}")).await;
    assert_eq!(tomb.json["status"], "deleted");
    assert_eq!(tomb.json["title"], "");
}

async fn pages_of_annotations_do_not_overlap(db: TestDb) {
    let server = server_with_data(&db, &[]).await;
    server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let anna = Client::signed_in(&server, "anna@example.org").await;
    let mut made = Vec::new();
    for n in 0..5 {
        let a = anna
            .post(
                "/api/v1/annotations",
                json!({"area": "q2016-navile", "title": format!("Nota {n}"), "body": "testo"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
        made.push(a.json["id"].as_i64().unwrap());
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/annotations?area=navile&limit=2".to_string();
    for _ in 0..5 {
        let page = anna.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        let items = page.json["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|a| a["id"].as_i64().unwrap()));
        match page.json["next"].as_i64() {
            Some(next) => path = format!("/api/v1/annotations?area=navile&limit=2&before={next}"),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");

    // The discussion's pages: three top-level posts, two per page.
    for n in 0..3 {
        let p = anna
            .post(
                "/api/v1/discussions/area/q2016-navile/posts",
                json!({"body": format!("Messaggio {n}")}),
            )
            .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.json);
    }
    let first = anna
        .get("/api/v1/discussions/area/q2016-navile?limit=2")
        .await;
    assert_eq!(first.json["posts"].as_array().unwrap().len(), 2);
    let cursor = first.json["next"]
        .as_str()
        .expect("a next page")
        .to_string();
    let second = anna
        .get(&format!(
            "/api/v1/discussions/area/q2016-navile?limit=2&cursor={cursor}"
        ))
        .await;
    let rest = second.json["posts"].as_array().unwrap();
    assert_eq!(rest.len(), 1, "{}", second.json);
    assert!(second.json["next"].is_null());
}

async fn refusals_are_problems_that_name_the_field(db: TestDb) {
    let server = server_with_data(&db, &[]).await;
    server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    server
        .user("bruno@example.org", "Bruno", Role::Citizen, true)
        .await;
    server
        .user("nuovo@example.org", "Nuovo", Role::Citizen, false)
        .await;
    let anna = Client::signed_in(&server, "anna@example.org").await;
    let bruno = Client::signed_in(&server, "bruno@example.org").await;
    let unverified = Client::signed_in(&server, "nuovo@example.org").await;
    let anyone = Client::anonymous(&server);
    let note = json!({"area": "navile", "title": "Titolo", "body": "testo"});

    // Who: 401 without a token, 403 unverified; both problem documents.
    let p = problem(
        &anyone.post("/api/v1/annotations", note.clone()).await,
        StatusCode::UNAUTHORIZED,
    )
    .clone();
    assert!(p["type"].as_str().is_some(), "{p}");
    let p = problem(
        &unverified.post("/api/v1/annotations", note.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .clone();
    assert!(p["type"].as_str().unwrap().ends_with("/unverified"), "{p}");
    problem(
        &anyone.get("/api/v1/notifications").await,
        StatusCode::UNAUTHORIZED,
    );
    problem(
        &anyone.get("/api/v1/follows").await,
        StatusCode::UNAUTHORIZED,
    );

    // What: every field at fault, by name; nothing stored.
    let before = server.state.store.latest_event_id().await.unwrap();
    let bad = anna
        .post(
            "/api/v1/annotations",
            json!({"area": "navile", "title": "", "body": "  ", "point": {"lon": 11.30, "lat": 44.47}, "variable": "nope/nope"}),
        )
        .await;
    let p = problem(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["title", "body", "lon", "variable"], "{p}");
    assert_eq!(p["parameter"], "title");
    let lon = p["errors"][2]["detail"].as_str().unwrap();
    assert!(
        lon.contains("Navile"),
        "the refusal names the quartiere: {lon}"
    );
    assert_eq!(server.state.store.latest_event_id().await.unwrap(), before);

    let unknown = anna
        .post(
            "/api/v1/annotations",
            json!({"area": "atlantide", "title": "T", "body": "b"}),
        )
        .await;
    assert_eq!(
        problem(&unknown, StatusCode::NOT_FOUND)["parameter"],
        "area"
    );
    let p = problem(
        &anna
            .post(
                "/api/v1/annotations",
                json!({"area": "navile", "title": "T"}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(p["parameter"], "body", "a missing field: {p}");
    assert!(p["detail"].as_str().unwrap().contains("body"), "{p}");
    let malformed = anna
        .http
        .post(format!("{}/api/v1/annotations", server.base))
        .bearer_auth(anna.token.as_deref().unwrap())
        .header("content-type", "application/json")
        .body("{\"area\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let p: Value = malformed.json().await.unwrap();
    assert_eq!(p["parameter"], "body", "{p}");
    let p = problem(
        &anyone.get("/api/v1/annotations?limit=0").await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(p["parameter"], "limit");
    let p = problem(
        &anyone
            .get("/api/v1/discussions/area/q2016-navile?sort=random")
            .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(p["parameter"], "sort");
    problem(
        &anyone.get("/api/v1/discussions/planet/mars").await,
        StatusCode::NOT_FOUND,
    );
    problem(
        &anyone.get("/api/v1/annotations/999999").await,
        StatusCode::NOT_FOUND,
    );
    let p = problem(
        &anyone.get("/api/v1/annotations/abc").await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(p["parameter"], "id", "an id that is not a number: {p}");

    // Authorship: Bruno cannot edit or delete Anna's words.
    let made = anna.post("/api/v1/annotations", note.clone()).await;
    let id = made.json["id"].as_i64().unwrap();
    let edit = bruno
        .send(
            Method::PATCH,
            &format!("/api/v1/annotations/{id}"),
            Some(json!({"title": "Mio", "body": "mio"})),
        )
        .await;
    problem(&edit, StatusCode::FORBIDDEN);
    problem(
        &bruno
            .send(Method::DELETE, &format!("/api/v1/annotations/{id}"), None)
            .await,
        StatusCode::FORBIDDEN,
    );
    let post = anna
        .post(
            &format!("/api/v1/discussions/annotation/{id}/posts"),
            json!({"body": "Primo"}),
        )
        .await;
    let post_id = post.json["id"].as_i64().unwrap();
    problem(
        &bruno
            .send(
                Method::PATCH,
                &format!("/api/v1/posts/{post_id}"),
                Some(json!({"body": "mio"})),
            )
            .await,
        StatusCode::FORBIDDEN,
    );
    // A reply to a post of another discussion is refused, naming `parent`.
    let elsewhere = anna
        .post(
            "/api/v1/discussions/area/q2016-navile/posts",
            json!({"body": "Altrove", "parent": post_id}),
        )
        .await;
    assert_eq!(
        problem(&elsewhere, StatusCode::UNPROCESSABLE_ENTITY)["parameter"],
        "parent"
    );

    // The same screen as the pages: many links are held for a moderator,
    // shown to their author only.
    let links: String = (0..8)
        .map(|n| format!("[l{n}](https://example.org/{n}) "))
        .collect();
    let held = bruno
        .post(
            "/api/v1/annotations",
            json!({"area": "navile", "title": "Link", "body": links}),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.json);
    assert_eq!(held.json["status"], "held");
    let held_id = held.json["id"].as_i64().unwrap();
    assert_eq!(
        bruno
            .get(&format!("/api/v1/annotations/{held_id}"))
            .await
            .status,
        StatusCode::OK
    );
    problem(
        &anyone.get(&format!("/api/v1/annotations/{held_id}")).await,
        StatusCode::NOT_FOUND,
    );
    let listed = anna.get("/api/v1/annotations?area=navile&limit=100").await;
    assert!(!listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == held_id));

    // A locked discussion refuses replies with 409, as the page does.
    let thread = post.json["thread_id"].as_i64().unwrap();
    server
        .state
        .store
        .set_thread_lock(thread, Some(1), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let locked = bruno
        .post(
            &format!("/api/v1/discussions/annotation/{id}/posts"),
            json!({"body": "Ancora"}),
        )
        .await;
    assert!(problem(&locked, StatusCode::CONFLICT)["type"]
        .as_str()
        .unwrap()
        .ends_with("/locked"));
}

async fn api_writes_are_rate_limited_per_account(db: TestDb) {
    // Three writes a minute per account (the accounts' per-account rate;
    // the pages spend the same budget, in the same core function).
    let server = server_with_data(&db, &[("OPENWELFARE_AUTH_RATE_PER_ACCOUNT", "3")]).await;
    server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let anna = Client::signed_in(&server, "anna@example.org").await;
    let mut statuses = Vec::new();
    for n in 0..4 {
        let a = anna
            .post(
                "/api/v1/discussions/area/q2016-navile/posts",
                json!({"body": format!("Messaggio {n}")}),
            )
            .await;
        statuses.push(a.status.as_u16());
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(a.content_type, "application/problem+json");
        }
    }
    assert_eq!(statuses, [201, 201, 201, 429], "the fourth write waits");
}

/// One error type, rendered once: the same failure is a page in the
/// reader's language for a browser and a problem document for a client.
async fn failures_are_pages_for_browsers_and_problems_for_clients(db: TestDb) {
    let server = server_with_data(&db, &[]).await;
    server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    server
        .user("bruno@example.org", "Bruno", Role::Citizen, true)
        .await;
    let anna = Client::signed_in(&server, "anna@example.org").await;
    let made = anna
        .post(
            "/api/v1/annotations",
            json!({"area": "navile", "title": "Di Anna", "body": "testo"}),
        )
        .await;
    let id = made.json["id"].as_i64().unwrap();

    // Not found: a page for a browser, a problem for a client.
    let html = reqwest::Client::new()
        .get(format!("{}/annotazioni/999999", server.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 404);
    assert!(html.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(html.text().await.unwrap().contains("Pagina non trovata"));
    let api = Client::anonymous(&server)
        .get("/api/v1/annotations/999999")
        .await;
    assert_eq!(
        problem(&api, StatusCode::NOT_FOUND)["type"],
        "/api/v1/problems/not-found"
    );

    // Another's annotation: the form says so in Italian, the API in a problem.
    let mut bruno = server.browser();
    let logged = bruno
        .submit(
            "/account/accedi",
            "/account/accedi",
            &[
                ("email", "bruno@example.org"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(logged.status, 303);
    bruno.get(&format!("/annotazioni/{id}")).await;
    let refused = bruno
        .post(
            &format!("/annotazioni/{id}/modifica"),
            &[("title", "Mio"), ("body", "mio")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.has("Solo l'autore"), "{}", refused.body);
    let gone = bruno.post(&format!("/annotazioni/{id}/elimina"), &[]).await;
    assert_eq!(gone.status, 403);
    assert!(gone.has("Solo l'autore"));
    let bruno_api = Client::signed_in(&server, "bruno@example.org").await;
    let p = problem(
        &bruno_api
            .send(Method::DELETE, &format!("/api/v1/annotations/{id}"), None)
            .await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(p["detail"], "Only the author can do this.");
    // Still there, for both.
    assert_eq!(
        Client::anonymous(&server)
            .get(&format!("/api/v1/annotations/{id}"))
            .await
            .json["status"],
        "visible"
    );
}

/// The content screen: personal data is held (shown to its author only)
/// until the author edits it out; a refused phrase names its field; the
/// page and the API apply the same policy.
async fn personal_data_is_held_until_its_author_edits_it_out(db: TestDb) {
    let server = server_with_data(&db, &[]).await;
    server
        .user("anna@example.org", "Anna", Role::Citizen, true)
        .await;
    let anna = Client::signed_in(&server, "anna@example.org").await;
    let anyone = Client::anonymous(&server);

    // A codice fiscale in the text: stored, held, the author's only.
    let made = anna
        .post(
            "/api/v1/annotations",
            json!({"area": "navile", "title": "Una segnalazione",
                   "body": "Il signore con CF RSSMRA85T10A562S ha bisogno di aiuto"}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    assert_eq!(made.json["status"], "held", "{}", made.json);
    // The author is told what to edit out, and where.
    let why = &made.json["held_for"][0];
    assert_eq!(why["rule"], "personal_data.codice_fiscale", "{}", made.json);
    assert!(
        why["message_it"]
            .as_str()
            .unwrap()
            .contains("codice fiscale"),
        "{why}"
    );
    let (start, end) = (why["start"].as_u64().unwrap(), why["end"].as_u64().unwrap());
    assert_eq!(end - start, 16, "the code's span: {why}");
    let id = made.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/annotations/{id}");
    assert_eq!(anyone.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anna.get(&path).await.json["status"], "held");
    let listed = anyone.get("/api/v1/annotations?area=q2016-navile").await;
    assert!(
        !listed.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id),
        "a held annotation is not listed: {}",
        listed.json
    );
    let page = reqwest::get(format!("{}/quartieri/navile", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("RSSMRA85T10A562S"), "not on the public page");

    // Edited out: published, for everyone.
    let edited = anna
        .send(
            Method::PATCH,
            &path,
            Some(json!({"title": "Una segnalazione", "body": "Una persona ha bisogno di aiuto"})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.json);
    assert_eq!(edited.json["status"], "visible", "{}", edited.json);
    assert!(edited.json.get("held_for").is_none(), "{}", edited.json);
    assert_eq!(anyone.get(&path).await.json["status"], "visible");

    // Edited back in: held again.
    let again = anna
        .send(
            Method::PATCH,
            &path,
            Some(json!({"title": "Una segnalazione", "body": "IBAN IT60 X054 2811 1010 0000 0123 456"})),
        )
        .await;
    assert_eq!(again.json["status"], "held", "{}", again.json);
    assert_eq!(anyone.get(&path).await.status, StatusCode::NOT_FOUND);

    // A reply with a phone number is held; one with ordinary figures is not.
    let posts = "/api/v1/discussions/area/q2016-navile/posts";
    let phone = anna
        .post(posts, json!({"body": "Chiamatemi al 333 123 4567"}))
        .await;
    assert_eq!(phone.status, StatusCode::CREATED, "{}", phone.json);
    assert_eq!(phone.json["status"], "held", "{}", phone.json);
    assert_eq!(phone.json["held_for"][0]["rule"], "personal_data.phone");
    let figures = anna
        .post(
            posts,
            json!({"body": "Nel 2016 il Navile ha avuto 12.345 contatti, CAP 40129, 3,5 per mille"}),
        )
        .await;
    assert_eq!(figures.json["status"], "visible", "{}", figures.json);

    // A refused phrase: nothing stored, the field named, in the title too.
    let p = problem(
        &anna
            .post(posts, json!({"body": "Guadagni facili da casa!"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(p["errors"][0]["field"], "body", "{p}");
    let p = problem(
        &anna
            .post(
                "/api/v1/annotations",
                json!({"area": "navile", "title": "Casinò online", "body": "testo"}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(p["errors"][0]["field"], "title", "{p}");
}

on_both_backends!(
    personal_data_is_held_until_its_author_edits_it_out,
    failures_are_pages_for_browsers_and_problems_for_clients,
    a_client_annotates_replies_and_sees_both_in_the_listings,
    pages_of_annotations_do_not_overlap,
    refusals_are_problems_that_name_the_field,
    api_writes_are_rate_limited_per_account,
);
