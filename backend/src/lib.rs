//! Open Welfare Bologna: the server library. `main.rs` is a thin CLI over
//! it; tests drive the same router and store.
//!
//! Folders by domain, in layers that point one way (docs/ARCHITECTURE.md;
//! the `layering` test below enforces them): a module may use modules of
//! a lower layer, and files of its own folder without cycles.
//!
//! 0. `config` (settings), `mail` (the transport), `telemetry` (logs)
//! 1. the domains, pure: `official` (the Comune's data and its numbers),
//!    `accounts` (identity, passwords, tokens, limits), `lab` (annotations,
//!    threads, posts, notifications, follows, the user-text sanitizer)
//! 2. `map` (the map view over the official data and the lab's markers)
//! 3. `store` (SQLite and PostgreSQL behind one trait, split by domain)
//! 4. `realtime` (the outbox hub), `import` (fetch, verify, load),
//!    `published` (what the pages read, in memory)
//! 5. `digest` (mailed digests of followed things), `participation` (the
//!    lab's operations, shared by the pages and the JSON API)
//! 6. `http` (routes, one file per domain, and the request plumbing)
//! 7. `server` (the serve life cycle), `admin` (the admin command)

pub mod accounts;
pub mod admin;
pub mod config;
pub mod digest;
pub mod http;
pub mod import;
pub mod lab;
pub mod mail;
pub mod map;
pub mod official;
pub mod participation;
pub mod published;
pub mod realtime;
pub mod server;
pub mod store;
pub mod telemetry;

#[cfg(test)]
mod layering;

/// The errors the binary can end with; `exit_code` maps them to the process status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Catalog(#[from] official::catalog::CatalogError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error(transparent)]
    Auth(#[from] accounts::AuthSetupError),
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
