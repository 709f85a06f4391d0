//! Shared test fixtures: a fresh database per test on either backend, the
//! data mirror, and the real router driven in-process.
#![allow(dead_code)]

pub mod smtp;
pub mod web;
pub mod ws;

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use openwelfare::config::Config;
use openwelfare::http::{router, AppState};
use openwelfare::store::{self, Store};
use sqlx::Connection;
use tower::ServiceExt;

/// PostgreSQL for tests: trust auth on loopback, database `test` (override
/// with OPENWELFARE_TEST_PG_URL). A missing server FAILS the tests.
pub fn pg_admin_url() -> String {
    std::env::var("OPENWELFARE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The official data mirror (../shared/data from the project root).
pub fn mirror() -> PathBuf {
    let dir = std::env::var("OPENWELFARE_TEST_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"))
        });
    assert!(
        dir.join("open-welfare-2014").is_dir(),
        "the data mirror is missing at {} (set OPENWELFARE_TEST_MIRROR)",
        dir.display()
    );
    dir
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(kind: Kind) -> Self {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                let store = open(&url).await;
                TestDb {
                    kind,
                    url,
                    store,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Kind::Postgres => {
                let name = format!(
                    "ow_test_{}_{:08x}",
                    std::process::id(),
                    rand::random::<u32>()
                );
                let admin = pg_admin_url();
                let mut conn = pg_admin_connection().await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL is required for the tests at {admin}: {e}")
                    });
                let url = with_database(&admin, &name);
                let store = open(&url).await;
                TestDb {
                    kind,
                    url,
                    store,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn config(&self, extra: &[(&str, &str)]) -> Config {
        // The first value of a key wins: the test's own first, then these defaults.
        let mut env: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mail = format!(
            "file:{}",
            std::env::temp_dir().join("openwelfare-test-mail").display()
        );
        env.extend([
            ("OPENWELFARE_DATABASE_URL".to_string(), self.url.clone()),
            ("OPENWELFARE_AUTO_IMPORT".to_string(), "false".to_string()),
            ("OPENWELFARE_MAIL_URL".to_string(), mail),
        ]);
        Config::from_sources(None, &env).expect("test config")
    }

    /// The application state over this database, without automatic import.
    pub async fn state(&self) -> AppState {
        openwelfare::server::prepare(self.config(&[]), self.store.clone())
            .await
            .expect("state")
    }
}

/// Connect and migrate.
pub async fn open(url: &str) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = store::connect(url).await.expect("connect").into();
    store.migrate().await.expect("migrate");
    store
}

pub fn with_database(url: &str, name: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("PostgreSQL URL");
    parsed.set_path(&format!("/{name}"));
    parsed.to_string()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        let admin = pg_admin_url();
        // Drop runs outside async: use a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::postgres::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

async fn pg_admin_connection() -> sqlx::postgres::PgConnection {
    let url = pg_admin_url();
    sqlx::postgres::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required for the tests at {url}: {e}"))
}

/// A GET through the real router: status, content type, body.
pub async fn get(
    state: &AppState,
    uri: &str,
    accept: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = router(state.clone())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    (status, content_type, body)
}

/// A GET through the real router with the given headers; the whole response.
pub async fn send(
    state: &AppState,
    uri: &str,
    headers: &[(&str, &str)],
) -> axum::response::Response {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    router(state.clone())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response")
}

pub async fn get_json(state: &AppState, uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, _, body) = get(state, uri, None).await;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, json)
}

/// Two tests per story: one on SQLite, one on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        $(
            mod $story {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$story($crate::common::TestDb::new($crate::common::Kind::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$story($crate::common::TestDb::new($crate::common::Kind::Postgres).await).await
                }
            }
        )*
    };
}
