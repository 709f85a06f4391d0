//! The outbox in storage: the `events` table every change writes its event
//! to (through `emit`, in the change's own transaction), read by the
//! realtime hub in id order.

use async_trait::async_trait;
use sqlx::types::Json;
use time::OffsetDateTime;

use super::error::Result;
use super::pools::{Backend, PostgresStore, SqliteStore};

/// The PostgreSQL channel that carries new event ids (NOTIFY); the
/// realtime hub LISTENs on it.
pub const EVENTS_CHANNEL: &str = "openwelfare_events";

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub topic: String,
    pub payload: serde_json::Value,
    pub created_at: OffsetDateTime,
}

/// Write one outbox event inside the caller's transaction. On PostgreSQL
/// the event is written under a transaction-scoped advisory lock (so ids
/// become visible in id order) and a NOTIFY carrying its id is queued,
/// which PostgreSQL delivers only if the transaction commits.
pub(crate) async fn emit<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    backend: Backend,
    topic: &str,
    payload: &serde_json::Value,
    at: OffsetDateTime,
) -> Result<i64>
where
    DB: sqlx::Database,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Json<&'q serde_json::Value>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> OffsetDateTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, <DB as sqlx::Database>::Row>,
{
    if backend == Backend::Postgres {
        sqlx::query::<DB>("SELECT pg_advisory_xact_lock(727274)")
            .execute(&mut **tx)
            .await?;
    }
    let (id,): (i64,) = sqlx::query_as::<DB, (i64,)>(
        "INSERT INTO events (topic, payload, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(topic)
    .bind(Json(payload))
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    if backend == Backend::Postgres {
        sqlx::query::<DB>("SELECT pg_notify($1, $2)")
            .bind(EVENTS_CHANNEL)
            .bind(&*id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Events with an id greater than `after`, oldest first, at most `limit`.
    async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<Event>>;
    /// The newest event's id (0 when there is none).
    async fn latest_event_id(&self) -> Result<i64>;
    /// Write an event in a transaction of its own (changes write theirs in
    /// their own transaction, through the same statement).
    async fn emit_event(&self, topic: &str, payload: &serde_json::Value) -> Result<i64>;
}

macro_rules! event_store {
    ($store:ident, $backend:expr) => {
        #[async_trait]
        impl EventStore for $store {
            async fn latest_event_id(&self) -> Result<i64> {
                let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM events")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(id.unwrap_or(0))
            }

            async fn emit_event(&self, topic: &str, payload: &serde_json::Value) -> Result<i64> {
                let mut tx = self.pool.begin().await?;
                let id = emit(&mut tx, $backend, topic, payload, OffsetDateTime::now_utc()).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<Event>> {
                let rows: Vec<(i64, String, Json<serde_json::Value>, OffsetDateTime)> = sqlx::query_as(
                    "SELECT id, topic, payload, created_at FROM events WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, topic, Json(payload), created_at)| Event { id, topic, payload, created_at })
                    .collect())
            }
        }
    };
}

event_store!(SqliteStore, Backend::Sqlite);
event_store!(PostgresStore, Backend::Postgres);
