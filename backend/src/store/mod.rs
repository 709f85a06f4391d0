//! Storage: one interface, two implementations (SQLite, the embedded
//! default, and PostgreSQL), chosen by the database URL.
//!
//! One file per domain, each with its part of the interface (a trait) and
//! the SQL behind it: `official`, `events` (the outbox), `accounts`, `lab`,
//! `moderation` (reports and the moderation log);
//! `database` joins them into `Store` and opens one (`connect`); `pools`
//! holds the two backend types. Both implementations share their SQL text
//! (portable SQL with `$n` placeholders, which SQLite accepts too) through
//! one macro per file, so they cannot drift apart; the migrations live per
//! backend under `migrations/`.
//!
//! May use: the domains (`official`, `accounts`, `lab`) and `config`. This
//! file only declares and re-exports.

mod accounts;
mod database;
mod error;
mod events;
mod lab;
mod moderation;
mod official;
mod pools;

pub use accounts::AccountStore;
pub use database::{connect, Store};
pub use error::{Result, StoreError};
pub use events::{Event, EventStore, EVENTS_CHANNEL};
pub use lab::{DueDigest, LabStore};
pub use moderation::{ContentAct, Filed, ModerationStore, QueueItem};
pub use official::OfficialStore;
pub use pools::{Backend, PostgresStore, SqliteStore};
