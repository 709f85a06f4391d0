//! Open Welfare Bologna: the server library. `main.rs` is a thin CLI over
//! it; tests drive the same router and store.
//!
//! Layout: `config` (settings), `catalog` (official files, parsers),
//! `import` (fetch, verify, load), `geography` (boundaries), `areas`
//! (codes, aliases), `model` (domain types), `store` (SQLite/PostgreSQL),
//! `query` (aggregation and rates), `reference` (the
//! published data in memory), `http` (routes), `server` (lifecycle),
//! `telemetry` (logs).

pub mod admin;
pub mod areas;
pub mod auth;
pub mod cartography;
pub mod catalog;
pub mod classify;
pub mod config;
pub mod digest;
pub mod geography;
pub mod http;
pub mod import;
pub mod mail;
pub mod map;
pub mod markup;
pub mod model;
pub mod participation;
pub mod query;
pub mod realtime;
pub mod reference;
pub mod render;
pub mod server;
pub mod store;
pub mod telemetry;

/// The errors the binary can end with; `exit_code` maps them to the process status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error(transparent)]
    Auth(#[from] auth::AuthSetupError),
    #[error("cannot listen on {0}: {1}")]
    Bind(std::net::SocketAddr, std::io::Error),
    #[error("I/O error: {0}")]
    Io(std::io::Error),
    /// A command-line argument or input is not acceptable.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// 2 for bad configuration (as for bad command-line usage), 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            _ => 1,
        }
    }
}
