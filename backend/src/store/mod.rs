//! Storage: one interface, two implementations (SQLite, the embedded
//! default, and PostgreSQL), chosen by the database URL.
//!
//! Both implementations share their SQL text (portable SQL with `$n`
//! placeholders, which SQLite accepts too) through one macro in `sql.rs`,
//! so they cannot drift apart; the migrations live per backend under
//! `migrations/`.

mod accounts;
mod participation;
mod sql;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

use crate::import::Bundle;
use crate::model::{Area, Boundaries, Dataset, Level, Observation, SourceFile, Variable};

pub use accounts::AccountStore;
pub use participation::{DueDigest, ParticipationStore};
pub use sql::{PostgresStore, SqliteStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique value is taken (the field it belongs to).
    #[error("{0} already in use")]
    Conflict(&'static str),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An event of the transactional outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub topic: String,
    pub payload: serde_json::Value,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait Store: AccountStore + ParticipationStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// Apply pending migrations (PostgreSQL: under an advisory lock, so
    /// several instances may start together).
    async fn migrate(&self) -> Result<()>;
    /// A cheap round trip, for readiness.
    async fn ping(&self) -> Result<()>;
    async fn close(&self);

    /// The files of the last import with their hashes.
    async fn source_files(&self) -> Result<Vec<SourceFile>>;
    /// Replace the official data with `bundle`, in one transaction; ids of
    /// areas, datasets and variables that stay are kept.
    async fn load_official(&self, bundle: &Bundle, at: OffsetDateTime) -> Result<()>;

    async fn datasets(&self) -> Result<Vec<Dataset>>;
    async fn variables(&self, dataset_id: i64) -> Result<Vec<Variable>>;
    /// Every area of a boundary set and level with its geometry, ordered by
    /// number then name.
    async fn areas(&self, boundaries: Boundaries, level: Level) -> Result<Vec<Area>>;
    /// Areas whose alias matches the normalised `name`.
    async fn resolve_area(&self, name: &str) -> Result<Vec<Area>>;
    /// (2014 area id, 2016 area id) pairs.
    async fn crosswalk(&self) -> Result<Vec<(i64, i64)>>;
    /// Every observation of a dataset.
    async fn dataset_observations(&self, dataset_id: i64) -> Result<Vec<Observation>>;
    /// When the official data last changed (the latest import), or None
    /// when nothing is loaded. Cheap: readers poll it to refresh caches.
    async fn data_version(&self) -> Result<Option<OffsetDateTime>>;
    /// Events with an id greater than `after`, oldest first, at most `limit`.
    async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<Event>>;
    /// The newest event's id (0 when there is none).
    async fn latest_event_id(&self) -> Result<i64>;
    /// Write an event in a transaction of its own (changes write theirs in
    /// their own transaction, through the same statement).
    async fn emit_event(&self, topic: &str, payload: &serde_json::Value) -> Result<i64>;
    /// Every row of the official-data tables as text, in a fixed order;
    /// `with_times: false` leaves out import times. Used to prove an import
    /// idempotent and a refused import harmless.
    async fn official_snapshot(&self, with_times: bool) -> Result<Vec<String>>;
}

/// Open the store a URL names: `sqlite:` or `postgres(ql)://`.
pub async fn connect(url: &str) -> Result<Box<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Box::new(PostgresStore::new(pool)))
    } else if url.starts_with("sqlite:") {
        // WAL for concurrent readers; synchronous=FULL so an acknowledged
        // commit survives power loss, not only a killed process.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Box::new(SqliteStore::new(pool)))
    } else {
        Err(StoreError::Internal(format!(
            "unsupported database URL scheme in {}",
            redact_url(url)
        )))
    }
}

/// A database URL without its password, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}
