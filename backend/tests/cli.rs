//! The real `openwelfare` binary: exit codes and messages, automatic import
//! on `serve`, graceful shutdown, and a commit that survives `kill -9`.

mod common;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{mirror, Kind, TestDb};

fn openwelfare() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_openwelfare"));
    // Nothing from the developer's environment leaks into a test.
    for (key, _) in std::env::vars() {
        if key.starts_with("OPENWELFARE_") {
            command.env_remove(key);
        }
    }
    command.env("OPENWELFARE_LOG_LEVEL", "warn");
    command.env(
        "OPENWELFARE_MAIL_URL",
        format!(
            "file:{}",
            std::env::temp_dir().join("openwelfare-test-mail").display()
        ),
    );
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run openwelfare")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_setting_is_one_line_naming_the_key_and_exit_status_2() {
    let cases = [
        ("OPENWELFARE_BIND", "localhost", "HOST:PORT"),
        ("OPENWELFARE_DATABASE_URL", "mysql://db", "sqlite://"),
        ("OPENWELFARE_LOG_FORMAT", "yaml", "\"text\" or \"json\""),
        (
            "OPENWELFARE_DATA_MIRROR",
            "/no/such/mirror",
            "not a directory",
        ),
        (
            "OPENWELFARE_PUBLIC_URL",
            "not a url",
            "absolute http(s) URL",
        ),
        (
            "OPENWELFARE_REQUEST_TIMEOUT_SECS",
            "0",
            "whole number from 1",
        ),
        ("OPENWELFARE_SECRET_KEY", "short", "at least 32 characters"),
        ("OPENWELFARE_MAIL_URL", "ftp://mail", "smtp://HOST:PORT"),
        ("OPENWELFARE_MAIL_FROM", "nobody", "Name <user@example.org>"),
        ("OPENWELFARE_AUTH_RATE_PER_IP", "0", "whole number from 1"),
    ];
    for (key, value, expected) in cases {
        let output = run(openwelfare().arg("migrate").env(key, value));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{key}={value}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert_eq!(message.trim_end().lines().count(), 1, "one line: {message}");
        assert!(
            message.contains(key) && message.contains(expected),
            "{key}: {message}"
        );
    }
}

#[test]
fn import_refuses_a_tampered_file_then_loads_the_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let tampered = dir.path().join("mirror");
    let source = mirror();
    for relative in [
        "open-welfare-2014/data",
        "open-welfare-2014/geo",
        "comune-bologna-2012/file/dataset",
    ] {
        std::fs::create_dir_all(tampered.join(relative)).unwrap();
        for entry in std::fs::read_dir(source.join(relative)).unwrap() {
            let entry = entry.unwrap();
            std::fs::write(
                tampered.join(relative).join(entry.file_name()),
                std::fs::read(entry.path()).unwrap(),
            )
            .unwrap();
        }
    }
    let file = tampered.join("comune-bologna-2012/file/dataset/PopRes1986a2011.csv");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.push(b'\n');
    std::fs::write(&file, &bytes).unwrap();

    let output = run(openwelfare()
        .args(["import", "--mirror"])
        .arg(&tampered)
        .env("OPENWELFARE_DATABASE_URL", &url));
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("PopRes1986a2011.csv"), "{message}");
    assert!(
        message.contains("d385ad75a81b8e4c1b95b25a3f4864157ddf807e383e6f7a77edb5957d56cda0"),
        "{message}"
    );
    assert!(
        message.contains(&openwelfare::import::fetch::sha256_hex(&bytes)),
        "{message}"
    );
    assert!(message.contains("database unchanged"), "{message}");

    let output = run(openwelfare()
        .args(["import", "--mirror"])
        .arg(mirror())
        .env("OPENWELFARE_DATABASE_URL", &url));
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("imported 6 files: 5 datasets, 33 areas"),
        "{stdout}"
    );
    let output = run(openwelfare()
        .args(["import", "--mirror"])
        .arg(mirror())
        .env("OPENWELFARE_DATABASE_URL", &url));
    assert!(String::from_utf8_lossy(&output.stdout).contains("already up to date"));
}

/// A running `openwelfare serve`, killed if the test fails.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(database_url: &str, mirror_dir: &std::path::Path) -> Server {
    let port = free_port();
    let child = openwelfare()
        .arg("serve")
        .env("OPENWELFARE_DATABASE_URL", database_url)
        .env("OPENWELFARE_BIND", format!("127.0.0.1:{port}"))
        .env("OPENWELFARE_DATA_MIRROR", mirror_dir)
        .env("OPENWELFARE_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openwelfare serve");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

/// Poll /readyz until it answers 200 with `data` as expected.
async fn wait_ready(server: &Server, data: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(response) = client.get(format!("{}/readyz", server.base)).send().await {
            if response.status() == 200 {
                let json: serde_json::Value =
                    serde_json::from_str(&response.text().await.unwrap()).unwrap();
                assert_eq!(json["data"], data, "{json}");
                return;
            }
        }
        assert!(Instant::now() < deadline, "server not ready in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn terminate(server: &mut Server) -> std::process::ExitStatus {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "no graceful stop within 15 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn serve_imports_an_empty_database_and_stops_on_sigterm(kind: Kind) {
    let db = TestDb::new(kind).await;
    let mut server = serve(&db.url, &mirror());
    wait_ready(&server, "loaded").await;
    let body = reqwest::get(format!("{}/", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("Sportelli Sociali") && body.contains(r#"lang="it""#),
        "{body}"
    );
    let response = reqwest::get(format!(
        "{}/api/v1/observations?dataset=interventi&year=2014&boundaries=2016",
        server.base
    ))
    .await
    .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    let json: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(6));
    let status = terminate(&mut server);
    assert!(status.success(), "graceful exit: {status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_imports_an_empty_database_and_stops_on_sigterm_sqlite() {
    serve_imports_an_empty_database_and_stops_on_sigterm(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_imports_an_empty_database_and_stops_on_sigterm_postgres() {
    serve_imports_an_empty_database_and_stops_on_sigterm(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_automatic_import_still_serves_and_says_how_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let empty_mirror = dir.path().join("empty");
    std::fs::create_dir(&empty_mirror).unwrap();
    let url = format!("sqlite://{}", dir.path().join("empty.db").display());
    let mut server = serve(&url, &empty_mirror);
    wait_ready(&server, "missing").await;
    let body = reqwest::get(format!("{}/", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Nessun dato caricato"), "{body}");
    assert!(body.contains("openwelfare import --mirror"), "{body}");
    assert!(body.contains("cannot read"), "the reason is shown: {body}");
    assert!(terminate(&mut server).success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_import_survives_kill_9() {
    let db = TestDb::new(Kind::Sqlite).await;
    let expected = {
        // What a completed import holds, from another database.
        let reference = TestDb::new(Kind::Sqlite).await;
        let catalog = openwelfare::official::catalog::Catalog::official().unwrap();
        let location = openwelfare::import::Location::MirrorDir(mirror());
        openwelfare::import::run(reference.store.as_ref(), &catalog, &location, false)
            .await
            .unwrap();
        reference.store.official_snapshot(false).await.unwrap()
    };
    db.store.close().await;

    let mut server = serve(&db.url, &mirror());
    wait_ready(&server, "loaded").await; // the import's commit has been acknowledged
    server.child.kill().unwrap(); // SIGKILL: no shutdown, no checkpoint
    server.child.wait().unwrap();

    let reopened = common::open(&db.url).await;
    assert_eq!(reopened.official_snapshot(false).await.unwrap(), expected);
}

/// Run `admin create` with `stdin` on standard input.
fn admin_create(url: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = openwelfare()
        .args(["admin", "create"])
        .args(args)
        .env("OPENWELFARE_DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn admin create");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("admin create")
}

async fn the_first_admin_is_created_from_the_command_line(kind: Kind) {
    let db = TestDb::new(kind).await;
    // A bad address or a weak password: exit 2, naming what is wrong, nothing stored.
    let bad = admin_create(
        &db.url,
        &["--email", "not-an-address", "--password-stdin"],
        "x\n",
    );
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--email"), "{}", stderr(&bad));
    let weak = admin_create(
        &db.url,
        &["--email", "boss@example.org", "--password-stdin"],
        "password\n",
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(
        stderr(&weak).contains("password: too short"),
        "{}",
        stderr(&weak)
    );
    assert!(db
        .store
        .user_by_email("boss@example.org")
        .await
        .unwrap()
        .is_none());

    let made = admin_create(
        &db.url,
        &[
            "--email",
            "Boss@Example.org",
            "--name",
            "La Capa",
            "--password-stdin",
        ],
        "tortellini sotto le due torri\n",
    );
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(String::from_utf8_lossy(&made.stdout).contains("admin created"));
    let admin = db
        .store
        .user_by_email("boss@example.org")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(admin.role, openwelfare::accounts::Role::Admin);
    assert!(admin.verified());
    assert_eq!(admin.display_name, "La Capa");
    let passwords = openwelfare::accounts::password::Passwords::new(1, 1).unwrap();
    assert!(
        passwords
            .verify(
                admin.password_hash.as_deref(),
                "tortellini sotto le due torri"
            )
            .await
            .unwrap()
            .ok
    );

    // Without a password: an existing citizen is promoted and gets a link to set one.
    let now = time::OffsetDateTime::now_utc();
    db.store
        .create_user(
            &openwelfare::accounts::model::NewUser {
                email: "second@example.org",
                display_name: "Second",
                password_hash: None,
                role: openwelfare::accounts::Role::Citizen,
                lang: "it",
                verified_at: None,
            },
            now,
        )
        .await
        .unwrap();
    let promoted = admin_create(&db.url, &["--email", "second@example.org"], "");
    assert!(promoted.status.success(), "{}", stderr(&promoted));
    let out = String::from_utf8_lossy(&promoted.stdout);
    assert!(
        out.contains("admin promoted") && out.contains("/account/reimposta?token="),
        "{out}"
    );
    let second = db
        .store
        .user_by_email("second@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.role, openwelfare::accounts::Role::Admin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_admin_is_created_from_the_command_line_sqlite() {
    the_first_admin_is_created_from_the_command_line(Kind::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_admin_is_created_from_the_command_line_postgres() {
    the_first_admin_is_created_from_the_command_line(Kind::Postgres).await
}

async fn post_annotation(browser: &mut common::web::Browser, title: &str) {
    browser.get("/quartieri/navile").await;
    let posted = browser
        .post(
            "/quartieri/navile/annotazioni",
            &[
                ("title", title),
                ("body", "Attraverso il server"),
                ("lon", "11.3466"),
                ("lat", "44.5128"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303);
}

/// The real binary, live: an annotation posted over HTTP reaches a
/// websocket client with its payload; a client that reconnects with
/// `since` gets what it missed; SIGTERM closes open sockets with 1001. On
/// PostgreSQL the poster and the listener are two `openwelfare serve`
/// processes on one database (LISTEN/NOTIFY between them); on SQLite, one.
async fn live_events_through_the_binary(kind: Kind) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;

    let db = TestDb::new(kind).await;
    let mirror = mirror();
    let mut a = serve(&db.url, &mirror);
    wait_ready(&a, "loaded").await;
    let mut b = match kind {
        Kind::Postgres => {
            let b = serve(&db.url, &mirror);
            wait_ready(&b, "loaded").await;
            Some(b)
        }
        Kind::Sqlite => None,
    };
    let listen_base = b.as_ref().map_or(a.base.clone(), |b| b.base.clone());
    let made = admin_create(
        &db.url,
        &["--email", "ann@example.org", "--password-stdin"],
        "tortellini sotto le due torri\n",
    );
    assert!(made.status.success(), "{}", stderr(&made));

    let mut socket = common::ws::connect_to(&listen_base, None).await;
    common::ws::subscribe(&mut socket, &["map"], None).await;

    let mut browser = common::web::Browser::new(&a.base);
    let logged = browser
        .submit(
            "/account/accedi",
            "/account/accedi",
            &[
                ("email", "ann@example.org"),
                ("password", "tortellini sotto le due torri"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(logged.status, 303);
    post_annotation(&mut browser, "Prima").await;
    // The first import's own "map" event may still be on its way: skip it.
    let event = loop {
        let e = common::ws::next(&mut socket, 10).await;
        if e["data"]["type"] != "data.imported" {
            break e;
        }
    };
    assert_eq!(event["topic"], "area:q2016-navile");
    assert_eq!(event["data"]["annotation"]["title"], "Prima");
    let first = event["id"].as_i64().unwrap();
    // The listener's map draws the marker too (its map cache follows the outbox).
    let id = event["data"]["annotation"]["id"].as_i64().unwrap();
    let home = reqwest::get(format!("{listen_base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(&format!("/annotazioni/{id}")),
        "the map shows the annotation"
    );

    // Away while two more are posted; back with `since`: both, in order.
    drop(socket);
    post_annotation(&mut browser, "Seconda").await;
    post_annotation(&mut browser, "Terza").await;
    let mut socket = common::ws::connect_to(&listen_base, None).await;
    common::ws::send(
        &mut socket,
        serde_json::json!({"type": "subscribe", "topics": ["map"], "since": first}),
    )
    .await;
    let second = common::ws::next(&mut socket, 10).await;
    let third = common::ws::next(&mut socket, 10).await;
    assert_eq!(
        (
            second["data"]["annotation"]["title"].as_str(),
            third["data"]["annotation"]["title"].as_str()
        ),
        (Some("Seconda"), Some("Terza"))
    );
    assert_eq!(
        common::ws::next(&mut socket, 10).await["type"],
        "subscribed"
    );

    let listener = b.as_mut().unwrap_or(&mut a);
    assert!(
        terminate(listener).success(),
        "stops cleanly with a websocket open"
    );
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                None | Some(Err(_)) => return None,
            }
        }
    })
    .await
    .expect("closed in time");
    assert_eq!(closed, Some(1001));
    if b.is_some() {
        assert!(terminate(&mut a).success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_through_the_binary_sqlite() {
    live_events_through_the_binary(Kind::Sqlite).await
}

/// Two `openwelfare serve` processes on one PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_through_two_binaries_on_one_postgresql() {
    live_events_through_the_binary(Kind::Postgres).await
}

/// With the `file:` mail transport, a sign-up's confirmation link (its
/// single-use token) is in the .eml file and nowhere in the log, at any level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_or_link_is_logged_with_the_file_mail_transport() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let port = free_port();
    let child = openwelfare()
        .arg("serve")
        .env(
            "OPENWELFARE_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("mail.db").display()),
        )
        .env("OPENWELFARE_BIND", format!("127.0.0.1:{port}"))
        .env("OPENWELFARE_AUTO_IMPORT", "false")
        .env("OPENWELFARE_MAIL_URL", format!("file:{}", outbox.display()))
        .env("OPENWELFARE_LOG_LEVEL", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start openwelfare serve");
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    wait_ready(&server, "missing").await;
    let mut browser = common::web::Browser::new(&server.base);
    let page = browser
        .submit(
            "/account/registrati",
            "/account/registrati",
            &[
                ("email", "anna@example.org"),
                ("display_name", "Anna"),
                ("password", "tortellini sotto le due torri"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The message, once written: its link and token.
    let deadline = Instant::now() + Duration::from_secs(10);
    let eml = loop {
        let written = std::fs::read_dir(&outbox)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|x| x == "eml"))
            })
            .unwrap_or_default();
        if let Some(path) = written {
            break std::fs::read(path).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no mail written to {}",
            outbox.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let message = mail_parser::MessageParser::default()
        .parse(&eml)
        .expect("a mail");
    let text = message.body_text(0).expect("a text part").into_owned();
    let link = common::smtp::link_in(&text, "/account/verifica").expect("a link");
    let token = link.split("token=").nth(1).expect("a token").to_string();
    assert_eq!(token.len(), 64, "{link}");

    let status = terminate(&mut server);
    assert!(status.success(), "graceful exit: {status:?}");
    let mut log = String::new();
    for stream in [
        server.child.stderr.take().map(|mut s| {
            let mut t = String::new();
            std::io::Read::read_to_string(&mut s, &mut t).unwrap();
            t
        }),
        server.child.stdout.take().map(|mut s| {
            let mut t = String::new();
            std::io::Read::read_to_string(&mut s, &mut t).unwrap();
            t
        }),
    ]
    .into_iter()
    .flatten()
    {
        log.push_str(&stream);
    }
    // The log was captured (the sign-up and the mail are in it) ...
    assert!(log.contains("listening"), "{log}");
    assert!(log.contains("/account/registrati"), "{log}");
    // ... but not the token, nor the link.
    assert!(!log.contains(&token), "the token is in the log:\n{log}");
    assert!(!log.contains("token="), "a link is in the log:\n{log}");
}
