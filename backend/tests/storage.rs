//! The story suite, run on SQLite and on PostgreSQL alike: import from the
//! mirror, query the API and the pages through the real router,
//! idempotency, a refused file that leaves everything as it was, caching.

mod common;

use std::path::Path;

use axum::http::StatusCode;
use common::{get, get_json, mirror, send, TestDb};
use openwelfare::import::{self, ImportError, Location, Outcome};
use openwelfare::official::catalog::Catalog;
use serde_json::Value;

on_both_backends!(
    rows_from_before_the_skeleton_column_are_filled_in_by_migrate,
    import_loads_everything_and_the_api_serves_it,
    a_second_import_changes_nothing,
    a_tampered_file_is_refused_and_nothing_changes,
    import_reads_a_mirror_over_http,
    unknown_parameters_are_named_in_a_problem,
    every_response_is_tagged_compressed_and_limited,
    views_are_cached_and_revalidated_per_data_version,
    the_map_page_shows_what_was_chosen,
    downloads_carry_the_same_view,
    quartiere_and_dataset_pages_tell_the_whole_story,
    published_data_stays_readable_when_the_database_is_not,
);

async fn import_from(
    db: &TestDb,
    location: &Location,
    force: bool,
) -> Result<Outcome, ImportError> {
    let catalog = Catalog::official().expect("catalog");
    import::run(db.store.as_ref(), &catalog, location, force).await
}

async fn import_mirror(db: &TestDb) {
    let outcome = import_from(db, &Location::MirrorDir(mirror()), false)
        .await
        .expect("import");
    assert!(
        matches!(
            outcome,
            Outcome::Imported {
                files: 6,
                datasets: 5,
                areas: 33,
                ..
            }
        ),
        "{outcome:?}"
    );
}

fn row<'a>(json: &'a Value, code: &str) -> &'a Value {
    json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["area_code"] == code)
        .unwrap_or_else(|| panic!("no row for {code} in {json}"))
}

async fn import_loads_everything_and_the_api_serves_it(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;

    // The figures of the issue: Navile 7974 on 2014 boundaries...
    let (status, json) = get_json(
        &state,
        "/api/v1/observations?dataset=interventi&variable=totale&year=2014&boundaries=2014",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(9));
    let navile = row(&json, "q2014-2");
    assert_eq!(navile["value"], 7974.0);
    assert_eq!(navile["population"], 67800.0);

    // ...San Donato-San Vitale 8149 on 2016 boundaries, per 1,000 from summed counts and population.
    let (status, json) = get_json(
        &state,
        "/api/v1/observations?dataset=interventi&variable=totale&year=2014&boundaries=2016",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(6));
    let sdsv = row(&json, "q2016-san-donato-san-vitale");
    assert_eq!(sdsv["value"], 3805.0 + 4344.0);
    assert_eq!(sdsv["population"], 32006.0 + 47475.0);
    let per_1000 = sdsv["per_1000"].as_f64().expect("per_1000");
    assert!(
        (per_1000 - 8149.0 / 79481.0 * 1000.0).abs() < 1e-9,
        "{per_1000}"
    );
    assert_eq!(sdsv["parts"], serde_json::json!(["q2014-5", "q2014-7"]));
    let shares: f64 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);

    // The published per-resident rate is kept as published, and not averaged when merged.
    let (_, json) = get_json(
        &state,
        "/api/v1/observations?dataset=interventi&variable=per-residente-pubblicato&year=2014&boundaries=2014",
    )
    .await;
    assert_eq!(row(&json, "q2014-2")["value"], 0.106);
    let (_, json) = get_json(
        &state,
        "/api/v1/observations?dataset=interventi&variable=per-residente-pubblicato&year=2014&boundaries=2016",
    )
    .await;
    let merged = row(&json, "q2016-san-donato-san-vitale");
    assert!(merged["value"].is_null());
    assert_eq!(merged["note"]["code"], "not_recomputable");
    assert_eq!(
        row(&json, "q2016-navile")["value"],
        0.106,
        "an unmerged area keeps its published rate"
    );

    // An empty cell is "not reported", and a merge with it is incomplete, not a partial sum.
    let (_, json) = get_json(
        &state,
        "/api/v1/observations?dataset=pai&variable=stato-sospeso&year=2014&boundaries=2016",
    )
    .await;
    let bp_reno = row(&json, "q2016-borgo-panigale-reno");
    assert!(bp_reno["value"].is_null());
    assert_eq!(bp_reno["note"]["code"], "incomplete");

    // Population 1986-2011, by quartiere and zona.
    let (_, json) = get_json(
        &state,
        "/api/v1/observations?dataset=popolazione-residente&boundaries=2014&level=zona&year=2011",
    )
    .await;
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(18));
    assert_eq!(row(&json, "z2014-21")["value"], 34524.0);
    let (_, json) = get_json(
        &state,
        "/api/v1/observations?dataset=popolazione-residente&boundaries=2014",
    )
    .await;
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(26 * 9));
    let bp_1986 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["area_code"] == "q2014-1" && r["year"] == 1986);
    assert_eq!(
        bp_1986.map(|r| r["value"].clone()),
        Some(serde_json::json!(27652.0))
    );

    // CSV by Accept header and by format=csv.
    let (status, content_type, body) = get(
        &state,
        "/api/v1/observations?dataset=interventi&year=2014&boundaries=2014",
        Some("text/csv"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let csv = String::from_utf8(body).expect("utf-8");
    assert!(
        csv.starts_with("area_code,area_name,year,value,population,per_1000,share,note"),
        "{csv}"
    );
    assert!(csv.contains("q2014-2,Navile,2014,7974,67800,"), "{csv}");
    assert_eq!(csv.lines().count(), 10);

    // Datasets with provenance.
    let (_, json) = get_json(&state, "/api/v1/datasets").await;
    assert_eq!(json.as_array().map(Vec::len), Some(5));
    let (status, json) = get_json(&state, "/api/v1/datasets/interventi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json["sha256"],
        "43d8efa12562a90077cee872b821367adfe6a9036480d67184ee5d3d1f43baa5"
    );
    assert_eq!(json["licence"], "CC BY-SA 3.0");
    assert_eq!(json["format"], "TSV (tab-separated), decimal comma, UTF-8");
    assert!(json["origin_url"]
        .as_str()
        .unwrap()
        .ends_with("/data/WelfareBO-Interventi2014%20-%20Quartieri%20dei%20servizi.tsv"));
    assert!(json["imported_at"].is_string());
    assert_eq!(json["years"], serde_json::json!([2014]));
    let variables = json["variables"].as_array().expect("variables");
    assert_eq!(
        variables.len(),
        31,
        "every column but Id, Nome, Nome esteso"
    );
    let donne = variables
        .iter()
        .find(|v| v["code"] == "donne")
        .expect("donne");
    assert_eq!(
        (
            donne["group"].as_str(),
            donne["kind"].as_str(),
            donne["label_en"].as_str()
        ),
        (Some("gender"), Some("count"), Some("Women"))
    );

    // Areas as GeoJSON: 6 single polygons without holes on 2016 boundaries, 9 on 2014, 18 zone.
    let (status, content_type, body) = get(&state, "/api/v1/areas?boundaries=2016", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/geo+json");
    let json: Value = serde_json::from_slice(&body).unwrap();
    let features = json["features"].as_array().expect("features");
    assert_eq!(features.len(), 6);
    for f in features {
        let polygons = f["geometry"]["coordinates"]
            .as_array()
            .expect("MultiPolygon");
        assert_eq!(polygons.len(), 1, "{} is one polygon", f["id"]);
        assert_eq!(
            polygons[0].as_array().map(Vec::len),
            Some(1),
            "{} has no holes",
            f["id"]
        );
    }
    let sdsv = features
        .iter()
        .find(|f| f["id"] == "q2016-san-donato-san-vitale")
        .unwrap();
    assert_eq!(
        sdsv["properties"]["parts"],
        serde_json::json!(["q2014-5", "q2014-7"])
    );
    let (_, json) = get_json(&state, "/api/v1/areas?boundaries=2014").await;
    assert_eq!(json["features"].as_array().map(Vec::len), Some(9));
    assert_eq!(
        json["features"][0]["properties"]["became"],
        "q2016-borgo-panigale-reno"
    );
    let (_, json) = get_json(&state, "/api/v1/areas?boundaries=2014&level=zona").await;
    let zone = json["features"].as_array().expect("zone");
    assert_eq!(zone.len(), 18);
    let bolognina = zone
        .iter()
        .find(|z| z["properties"]["name"] == "Bolognina")
        .unwrap();
    assert_eq!(bolognina["properties"]["parent"], "q2014-2");

    // Aliases: the names people write find the same quartiere.
    for name in [
        "S. Donato",
        "San Donato",
        "SAN DONATO",
        "Quartiere S. Donato",
        "san  donato",
    ] {
        let (_, json) = get_json(
            &state,
            &format!("/api/v1/areas/resolve?name={}", name.replace(' ', "%20")),
        )
        .await;
        let codes: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["code"].as_str())
            .collect();
        assert!(codes.contains(&"q2014-5"), "{name} -> {codes:?}");
    }
    let (_, json) = get_json(&state, "/api/v1/areas/resolve?name=porto%20saragozza").await;
    assert_eq!(json[0]["code"], "q2016-porto-saragozza");

    // The import wrote its events in the outbox: one for the map, one per
    // dataset (for the dataset's followers).
    let events = db.store.events_after(0, 100).await.expect("events");
    let datasets = db.store.datasets().await.expect("datasets");
    assert_eq!(events.len(), 1 + datasets.len());
    assert_eq!(events[0].topic, "map");
    assert_eq!(events[0].payload["type"], "data.imported");
    for d in &datasets {
        assert!(
            events
                .iter()
                .any(|e| e.topic == format!("dataset:{}", d.slug)
                    && e.payload["type"] == "data.imported"),
            "an event for {}",
            d.slug
        );
    }
}

async fn a_second_import_changes_nothing(db: TestDb) {
    import_mirror(&db).await;
    let first = db.store.official_snapshot(true).await.expect("snapshot");
    assert!(
        first.len() > 2000,
        "the snapshot covers the data ({} lines)",
        first.len()
    );

    let outcome = import_from(&db, &Location::MirrorDir(mirror()), false)
        .await
        .expect("second import");
    assert_eq!(outcome, Outcome::UpToDate);
    assert_eq!(
        db.store.official_snapshot(true).await.unwrap(),
        first,
        "identical, import times included"
    );

    // Forced: everything parsed and written again: the same rows and ids,
    // only the import times (and the outbox event) are new.
    let without_times = db.store.official_snapshot(false).await.unwrap();
    let forced = import_from(&db, &Location::MirrorDir(mirror()), true)
        .await
        .expect("forced import");
    assert!(matches!(forced, Outcome::Imported { .. }), "{forced:?}");
    assert_eq!(
        db.store.official_snapshot(false).await.unwrap(),
        without_times
    );
    assert_ne!(
        db.store.official_snapshot(true).await.unwrap(),
        first,
        "the forced import did write"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut permissions = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            std::fs::set_permissions(&target, permissions).unwrap();
        }
    }
}

async fn a_tampered_file_is_refused_and_nothing_changes(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;
    let query = "/api/v1/observations?dataset=interventi&variable=totale&year=2014&boundaries=2016";
    let (_, _, before_body) = get(&state, query, None).await;
    let before = db.store.official_snapshot(true).await.unwrap();

    // A copy of the mirror with one byte changed (the shared mirror is read-only).
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&mirror(), tmp.path());
    let file = tmp
        .path()
        .join("open-welfare-2014/data/WelfareBO-Interventi2014 - Quartieri dei servizi.tsv");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.iter().position(|b| *b == b'7').expect("a digit 7");
    bytes[at] = b'8';
    std::fs::write(&file, &bytes).unwrap();

    let err = import_from(&db, &Location::MirrorDir(tmp.path().to_path_buf()), true)
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        matches!(err, ImportError::Refused(ref files) if files.len() == 1),
        "{message}"
    );
    assert!(
        message.contains("WelfareBO-Interventi2014 - Quartieri dei servizi.tsv"),
        "{message}"
    );
    assert!(
        message.contains("43d8efa12562a90077cee872b821367adfe6a9036480d67184ee5d3d1f43baa5"),
        "{message}"
    );
    let actual = openwelfare::import::fetch::sha256_hex(&bytes);
    assert!(message.contains(&actual), "both hashes: {message}");

    assert_eq!(
        db.store.official_snapshot(true).await.unwrap(),
        before,
        "the database is unchanged"
    );
    let (_, _, after_body) = get(&state, query, None).await;
    assert_eq!(after_body, before_body, "the API answers exactly as before");

    // A file that parses badly (hash matching a modified catalog is not
    // possible here) is covered by the parser tests; a missing file is refused too.
    std::fs::remove_file(&file).unwrap();
    let err = import_from(&db, &Location::MirrorDir(tmp.path().to_path_buf()), true)
        .await
        .expect_err("missing");
    assert!(err.to_string().contains("cannot read"), "{err}");
    assert_eq!(db.store.official_snapshot(true).await.unwrap(), before);
}

async fn import_reads_a_mirror_over_http(db: TestDb) {
    // A static file server on loopback standing in for the origin's layout.
    let root = mirror();
    let app = axum::Router::new().route(
        "/mirror/{*path}",
        axum::routing::get(
            move |axum::extract::Path(path): axum::extract::Path<String>| {
                let file = root.join(&path);
                async move {
                    match tokio::fs::read(&file).await {
                        Ok(bytes) => Ok(bytes),
                        Err(_) => Err(StatusCode::NOT_FOUND),
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let location =
        Location::parse_mirror(&format!("http://{address}/mirror/")).expect("mirror URL");
    let outcome = import_from(&db, &location, false)
        .await
        .expect("import over HTTP");
    assert!(
        matches!(outcome, Outcome::Imported { files: 6, .. }),
        "{outcome:?}"
    );
    let state = db.state().await;
    let (_, json) = get_json(
        &state,
        "/api/v1/observations?dataset=sportelli-sociali&boundaries=2014&year=2014",
    )
    .await;
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(9));

    let location = Location::parse_mirror(&format!("http://{address}/elsewhere/")).unwrap();
    let err = import_from(&db, &location, true)
        .await
        .expect_err("404 refused");
    assert!(err.to_string().contains("HTTP status 404"), "{err}");
    server.abort();
}

async fn unknown_parameters_are_named_in_a_problem(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;
    let cases = [
        (
            "/api/v1/observations?dataset=nope",
            StatusCode::NOT_FOUND,
            "dataset",
        ),
        ("/api/v1/observations", StatusCode::BAD_REQUEST, "dataset"),
        (
            "/api/v1/observations?dataset=pai&variable=nope",
            StatusCode::NOT_FOUND,
            "variable",
        ),
        (
            "/api/v1/observations?dataset=pai&boundaries=1999",
            StatusCode::BAD_REQUEST,
            "boundaries",
        ),
        (
            "/api/v1/observations?dataset=pai&year=20x4",
            StatusCode::BAD_REQUEST,
            "year",
        ),
        (
            "/api/v1/observations?dataset=pai&year=1990",
            StatusCode::NOT_FOUND,
            "year",
        ),
        (
            "/api/v1/observations?dataset=pai&format=xml",
            StatusCode::BAD_REQUEST,
            "format",
        ),
        (
            "/api/v1/areas?boundaries=2020",
            StatusCode::BAD_REQUEST,
            "boundaries",
        ),
        (
            "/api/v1/areas?boundaries=2016&level=zona",
            StatusCode::BAD_REQUEST,
            "level",
        ),
        ("/api/v1/datasets/nope", StatusCode::NOT_FOUND, "dataset"),
        ("/api/v1/areas/resolve", StatusCode::BAD_REQUEST, "name"),
    ];
    for (uri, expected, parameter) in cases {
        let (status, content_type, body) = get(&state, uri, None).await;
        assert_eq!(status, expected, "{uri}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["parameter"], parameter, "{uri}: {problem}");
        assert_eq!(problem["status"], expected.as_u16());
        assert!(
            problem["detail"].as_str().unwrap().starts_with(parameter),
            "{uri}: {problem}"
        );
    }
    let (status, content_type, _) = get(&state, "/no/such/page", Some("text/html")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "text/html; charset=utf-8")
    );

    // The OpenAPI document is generated from the handlers and lists every API path.
    let (status, json) = get_json(&state, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/datasets",
        "/api/v1/datasets/{slug}",
        "/api/v1/areas",
        "/api/v1/areas/resolve",
        "/api/v1/observations",
    ] {
        assert!(
            json["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let (status, json) = get_json(&state, "/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["data"], "loaded");
}

async fn every_response_is_tagged_compressed_and_limited(db: TestDb) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    import_mirror(&db).await;
    let app = openwelfare::http::router(db.state().await);
    let uri = "/api/v1/areas?boundaries=2016";

    let plain = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let request_id = plain
        .headers()
        .get("x-request-id")
        .expect("a request id")
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(request_id.len(), 16);
    assert_eq!(plain.headers()["x-content-type-options"], "nosniff");
    assert!(
        plain.headers().get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    let plain_len = axum::body::to_bytes(plain.into_body(), usize::MAX)
        .await
        .unwrap()
        .len();

    // A client's own request id is kept.
    let tagged = app
        .clone()
        .oneshot(
            Request::get("/healthz")
                .header("x-request-id", "abc123")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(tagged.headers()["x-request-id"], "abc123");

    let gzip = app
        .clone()
        .oneshot(
            Request::get(uri)
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let gzip_len = axum::body::to_bytes(gzip.into_body(), usize::MAX)
        .await
        .unwrap()
        .len();
    assert!(
        gzip_len * 3 < plain_len,
        "compressed {gzip_len} vs {plain_len}"
    );

    // Behind https, HSTS.
    let https = openwelfare::server::prepare(
        db.config(&[("OPENWELFARE_PUBLIC_URL", "https://openwelfare.example/")]),
        db.store.clone(),
    )
    .await
    .unwrap();
    let secure = openwelfare::http::router(https)
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        secure.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );

    // A body over the limit is refused before any handler reads it.
    let too_big = db.config(&[]).max_body_bytes + 1;
    let response = app
        .oneshot(
            Request::post("/api/v1/datasets")
                .header("content-length", too_big.to_string())
                .body(Body::from(vec![b'x'; too_big]))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn views_are_cached_and_revalidated_per_data_version(db: TestDb) {
    use axum::body::Body;
    use axum::http::Request;
    use std::io::Read;
    use tower::ServiceExt;

    import_mirror(&db).await;
    let app = openwelfare::http::router(db.state().await);
    let uri = "/api/v1/observations?dataset=pai&variable=donne&year=2014&boundaries=2016";
    let send = |headers: Vec<(&'static str, String)>| {
        let app = app.clone();
        async move {
            let mut request = Request::get(uri);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            app.oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap()
        }
    };

    let first = send(vec![]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    let body = axum::body::to_bytes(first.into_body(), usize::MAX)
        .await
        .unwrap();

    let revalidated = send(vec![("if-none-match", etag.clone())]).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let revalidated = send(vec![("if-modified-since", modified.clone())]).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);

    let zipped = send(vec![("accept-encoding", "gzip, br".into())]).await;
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let compressed = axum::body::to_bytes(zipped.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(
        inflated,
        body.to_vec(),
        "the precompressed body is the same view"
    );

    // A new import (as another process would run it) shows within a second:
    // same content, so the same ETag, but a new Last-Modified.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    import_from(&db, &Location::MirrorDir(mirror()), true)
        .await
        .expect("forced import");
    tokio::time::sleep(
        openwelfare::published::CHECK_INTERVAL + std::time::Duration::from_millis(100),
    )
    .await;
    let after = send(vec![("if-modified-since", modified.clone())]).await;
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "modified since the first import"
    );
    assert_ne!(after.headers()["last-modified"].to_str().unwrap(), modified);
    assert_eq!(after.headers()["etag"].to_str().unwrap(), etag);
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

async fn page(state: &openwelfare::http::AppState, uri: &str) -> String {
    let (status, content_type, body) = get(state, uri, Some("text/html")).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    assert_eq!(content_type, "text/html; charset=utf-8", "{uri}");
    String::from_utf8(body).expect("utf-8")
}

async fn the_map_page_shows_what_was_chosen(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;

    // Defaults: 2016 boundaries, Interventi, total per 1,000 residents, 5 quantile classes.
    let home = page(&state, "/").await;
    assert!(home.contains(r#"<html lang="it">"#));
    assert_eq!(count(&home, "<path d="), 6, "six quartieri");
    assert!(home.contains(
        "Interventi erogati: Totale interventi, per 1.000 residenti, 2014, 6 quartieri (dal 2016)"
    ));
    assert_eq!(
        count(&home, r#"<svg class="swatch""#),
        5,
        "five legend classes"
    );
    assert!(
        home.contains("dato non disponibile"),
        "the no-data key is always in the legend"
    );
    assert!(
        home.contains("Navile: 117,6 per 1.000 residenti"),
        "locale numbers in the area label"
    );
    assert!(
        home.contains("CC BY-SA 3.0")
            && home.contains("Comune di Bologna, Open Welfare Bologna 2014")
    );
    assert!(
        home.contains(r#"<option value="sportelli-sociali">"#)
            && home.contains(r#"<optgroup label="Fascia d'età">"#)
    );
    assert!(
        home.contains("/embed?dataset=interventi"),
        "the embed snippet"
    );

    // Another view: 2014 boundaries, counts, Jenks, 3 classes, in English.
    let view = page(
        &state,
        "/?dataset=pai&variable=donne&measure=count&boundaries=2014&method=natural_breaks&classes=3&palette=reds&lang=en",
    )
    .await;
    assert!(view.contains(r#"<html lang="en">"#));
    assert_eq!(count(&view, "<path d="), 9);
    assert_eq!(count(&view, r#"<svg class="swatch""#), 3);
    assert!(view.contains(
        "Individual care plans (PAI) opened: Women, counts, 2014, 9 quartieri (until 2016)"
    ));
    assert!(
        view.contains("Navile: 1,748 care plans"),
        "English numbers and unit"
    );

    // An empty cell shows as not available, never as zero.
    let sparse = page(&state, "/?dataset=pai&variable=stato-sospeso&measure=count").await;
    assert!(sparse.contains("Santo Stefano: dato non disponibile"));
    assert!(sparse.contains(r#"fill="url(#nodata)""#));

    // Stale or unknown choices fall back instead of failing (a form may send them).
    let lenient = page(&state, "/?dataset=nope&variable=nope&classes=99&measure=x").await;
    assert_eq!(count(&lenient, "<path d="), 6);
    assert!(
        lenient.contains(r#"<option value="9" selected>"#),
        "classes clamped to 9"
    );

    // The table has the same numbers.
    let table = page(
        &state,
        "/tabella?dataset=interventi&variable=totale&measure=count&boundaries=2016&sort=1",
    )
    .await;
    assert!(table.contains("<table data-sortable>"));
    assert!(
        table.contains(">8.149</td>"),
        "San Donato-San Vitale's total"
    );
    let santo_stefano = table.find("Santo Stefano").unwrap();
    let navile = table.find(">Navile<").unwrap();
    assert!(santo_stefano < navile, "sorted by value: 3219 before 7974");

    // The language is remembered in a cookie when chosen, and found again
    // in the cookie or in Accept-Language.
    let response = send(&state, "/?lang=en", &[]).await;
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("lang=en;"));
    for header in [("cookie", "lang=en"), ("accept-language", "en-US,en;q=0.9")] {
        let response = send(&state, "/", &[header]).await;
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(
            String::from_utf8_lossy(&body).contains(r#"<html lang="en">"#),
            "{header:?}"
        );
    }

    // Only the embed may be framed.
    let embed = send(&state, "/embed", &[]).await;
    assert!(embed.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors *"));
    let home = send(&state, "/", &[]).await;
    let csp = home.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
}

async fn downloads_carry_the_same_view(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;
    let q = "dataset=interventi&variable=totale&measure=count&boundaries=2016";

    let (status, content_type, svg) = get(&state, &format!("/mappa.svg?{q}"), None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/svg+xml")
    );
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.starts_with("<?xml"));
    assert_eq!(count(&svg, "<path d="), 6);
    assert!(svg.contains("San Donato-San Vitale: 8.149 interventi"));

    let (status, content_type, png) = get(&state, &format!("/mappa.png?{q}"), None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("a PNG that decodes");
    assert!(pixmap.width() >= 1200, "rendered at 2x");
    // Every class colour of the map is painted somewhere.
    for hex in ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"] {
        let rgb = u32::from_str_radix(&hex[1..], 16).unwrap();
        let (r, g, b) = ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8);
        let found = pixmap
            .pixels()
            .iter()
            .any(|p| p.red() == r && p.green() == g && p.blue() == b);
        assert!(found, "colour {hex} not in the PNG");
    }

    let (_, content_type, geojson) = get(&state, &format!("/mappa.geojson?{q}"), None).await;
    assert_eq!(content_type, "application/geo+json");
    let geojson: Value = serde_json::from_slice(&geojson).unwrap();
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), 6);
    let sdsv = features
        .iter()
        .find(|f| f["id"] == "q2016-san-donato-san-vitale")
        .unwrap();
    assert_eq!(sdsv["properties"]["value"], 8149.0);
    assert_eq!(sdsv["geometry"]["type"], "MultiPolygon");

    let (_, content_type, csv) = get(&state, &format!("/mappa.csv?{q}"), None).await;
    assert!(content_type.starts_with("text/csv"));
    assert!(String::from_utf8(csv)
        .unwrap()
        .contains("q2016-san-donato-san-vitale,San Donato-San Vitale,2014,8149,"));
}

async fn quartiere_and_dataset_pages_tell_the_whole_story(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;

    let sdsv = page(&state, "/quartieri/san-donato-san-vitale").await;
    assert!(sdsv.contains("Quartiere San Donato-San Vitale"));
    assert!(
        sdsv.contains(r#"href="/quartieri/2014/san-donato""#)
            && sdsv.contains(r#"href="/quartieri/2014/san-vitale""#)
    );
    assert!(sdsv.contains("<polyline"), "the population line chart");
    assert!(
        sdsv.contains("<td>1986</td>") && sdsv.contains("<td>2014</td>"),
        "population from 1986 on"
    );
    assert!(
        sdsv.contains("<td class=\"num\">79.481</td>"),
        "2014 population of the merged quartiere"
    );
    assert_eq!(
        count(&sdsv, "class=\"charts\""),
        3,
        "one section per welfare dataset"
    );
    assert!(
        sdsv.contains("102,5"),
        "Interventi per 1,000 residents, from summed counts and population"
    );

    let reno = page(&state, "/quartieri/2014/reno").await;
    assert!(
        reno.contains(r#"href="/quartieri/borgo-panigale-reno""#),
        "what it became in 2016"
    );
    let (status, content_type, _) = get(&state, "/quartieri/nowhere", None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );

    let dataset = page(&state, "/datasets/interventi").await;
    assert!(dataset.contains("43d8efa12562a90077cee872b821367adfe6a9036480d67184ee5d3d1f43baa5"));
    assert!(dataset.contains("CC BY-SA 3.0"));
    assert!(
        dataset.contains(">0,1060<") && dataset.contains(">0,1176<"),
        "Navile: published 0,106 beside 7974/67800"
    );
    let index = page(&state, "/datasets?lang=en").await;
    assert_eq!(count(&index, "<li><a href=\"/datasets/"), 5);
    assert_eq!(
        count(&index, "<td><code>"),
        12,
        "every catalogued original file with its hash"
    );
    assert!(index.contains("5e1be1e57d36c8156c406520171801c72cd387ece7df651e1520ad1ee2e7f0b7"));
}

async fn published_data_stays_readable_when_the_database_is_not(db: TestDb) {
    import_mirror(&db).await;
    let state = db.state().await;
    let (_, _, before) = get(
        &state,
        "/api/v1/observations?dataset=interventi&boundaries=2016&year=2014",
        None,
    )
    .await;

    db.store.close().await; // every query now fails
    assert!(
        db.store.ping().await.is_err(),
        "the database is really gone"
    );
    tokio::time::sleep(
        openwelfare::published::CHECK_INTERVAL + std::time::Duration::from_millis(100),
    )
    .await;

    let (status, _, after) = get(
        &state,
        "/api/v1/observations?dataset=interventi&boundaries=2016&year=2014",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after, before, "served from the snapshot in hand");
    let home = page(&state, "/?boundaries=2014").await;
    assert_eq!(count(&home, "<path d="), 9);
    let (status, json) = get_json(&state, "/readyz").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "readiness tells the truth: {json}"
    );
}

/// Run one statement on the test database with the driver of its backend.
async fn execute(db: &TestDb, sql: &str) {
    match db.kind {
        common::Kind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.expect("connect");
            sqlx::query(sql).execute(&pool).await.expect(sql);
            pool.close().await;
        }
        common::Kind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
            sqlx::query(sql).execute(&pool).await.expect(sql);
            pool.close().await;
        }
    }
}

/// Accounts made before migration 0004 have no skeleton: `migrate` fills
/// it in (normalising the address), so they are protected from look-alikes
/// too; a row that already collides with an older account is left as it was.
async fn rows_from_before_the_skeleton_column_are_filled_in_by_migrate(db: TestDb) {
    use openwelfare::accounts::model::{NewUser, Role};
    let now = time::OffsetDateTime::now_utc();
    let new = |email| NewUser {
        email,
        display_name: "Carla",
        password_hash: None,
        role: Role::Citizen,
        lang: "it",
        verified_at: None,
    };
    let carla = db
        .store
        .create_user(&new("carla@example.org"), now)
        .await
        .unwrap();
    let later = db
        .store
        .create_user(&new("dario@example.org"), now)
        .await
        .unwrap();
    // As they would be before 0004: a full-width address, a Cyrillic look-alike, no skeletons.
    execute(
        &db,
        &format!("UPDATE users SET email = 'ＣＡＲＬＡ@example.org', email_skeleton = NULL WHERE id = {carla}"),
    )
    .await;
    execute(
        &db,
        &format!("UPDATE users SET email = '\u{441}arla@example.org', email_skeleton = NULL WHERE id = {later}"),
    )
    .await;
    db.store.migrate().await.expect("migrate again");
    let found = db.store.user_by_email("carla@example.org").await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(carla), "normalised by migrate");
    // The older account's skeleton is in: a look-alike cannot be made.
    let refused = db
        .store
        .create_user(&new("c\u{430}rla@example.org"), now)
        .await;
    assert!(
        matches!(refused, Err(openwelfare::store::StoreError::Conflict(_))),
        "{refused:?}"
    );
    // The younger colliding row is left alone, and a second run changes nothing.
    assert_eq!(db.store.fill_email_skeletons().await.unwrap(), (0, 1));
    let younger = db.store.user_by_id(later).await.unwrap().unwrap();
    assert_eq!(younger.email.as_deref(), Some("\u{441}arla@example.org"));
}
