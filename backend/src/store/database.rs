//! The whole store: every domain's part (`OfficialStore`, `EventStore`,
//! `AccountStore`, `LabStore`) plus what concerns the database itself
//! (migrations, a ping, closing), and `connect`, which opens the backend a
//! URL names.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::accounts::AccountStore;
use super::error::{Result, StoreError};
use super::events::EventStore;
use super::lab::LabStore;
use super::moderation::ModerationStore;
use super::official::OfficialStore;
use super::pools::{Backend, PostgresStore, SqliteStore};
use crate::config::redact_url;

#[async_trait]
pub trait Store:
    OfficialStore + EventStore + AccountStore + LabStore + ModerationStore + Send + Sync + 'static
{
    fn backend(&self) -> Backend;
    /// Apply pending migrations (PostgreSQL: under an advisory lock, so
    /// several instances may start together).
    async fn migrate(&self) -> Result<()>;
    /// A cheap round trip, for readiness.
    async fn ping(&self) -> Result<()>;
    async fn close(&self);
}

macro_rules! database {
    ($store:ident, $backend:expr, $migrations:literal) => {
        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                $backend
            }

            async fn migrate(&self) -> Result<()> {
                sqlx::migrate!($migrations).run(&self.pool).await?;
                // Rows made before 0004 get their address's confusable skeleton
                // (computed here: SQL cannot); a no-op once every row has one.
                let (filled, colliding) = self.fill_email_skeletons().await?;
                if filled + colliding > 0 {
                    tracing::info!(filled, colliding, "e-mail skeletons filled in");
                }
                Ok(())
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn close(&self) {
                self.pool.close().await;
            }
        }
    };
}

database!(SqliteStore, Backend::Sqlite, "../migrations/sqlite");
database!(PostgresStore, Backend::Postgres, "../migrations/postgres");

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
