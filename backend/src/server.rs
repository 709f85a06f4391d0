//! `openwelfare serve`: open the store, migrate, import on an empty
//! database, listen, and shut down gracefully on SIGTERM or Ctrl-C
//! (in-flight requests finish, then the pool closes).
//!
//! Connections are served by hyper directly rather than `axum::serve`,
//! which cannot limit the time a client takes to send its headers: the
//! router's request timeout only starts once they are in, so a client
//! dripping one header line at a time (slowloris) held a connection open
//! for as long as it liked.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Extension;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::RwLock;
use tower::Layer;

use crate::accounts::token::random_token;
use crate::accounts::Auth;
use crate::config::Config;
use crate::http::cache::ResponseCache;
use crate::http::{router, AppState, DataStatus};
use crate::import::{self, Location};
use crate::official::catalog::Catalog;
use crate::published::ReferenceCache;
use crate::realtime::Hub;
use crate::store::{self, Store};
use crate::Error;

/// Open the configured store and bring its schema up to date.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, Error> {
    let store: Arc<dyn Store> = store::connect(&config.database_url).await?.into();
    store.migrate().await?;
    Ok(store)
}

/// The secret every key is derived from: `secret_key`, or one generated
/// once and kept in the database, so every instance and every restart agree.
async fn server_secret(config: &Config, store: &dyn Store) -> Result<String, Error> {
    Ok(match &config.secret_key {
        Some(key) => key.clone(),
        None => {
            store
                .server_key("secret", &random_token, time::OffsetDateTime::now_utc())
                .await?
        }
    })
}

/// Build the state, start the automatic import if the database is empty.
pub async fn prepare(config: Config, store: Arc<dyn Store>) -> Result<AppState, Error> {
    let catalog = Arc::new(Catalog::official()?);
    let loaded = !store.source_files().await?.is_empty();
    let status = if loaded {
        DataStatus::Loaded
    } else if config.auto_import {
        DataStatus::Importing
    } else {
        DataStatus::Missing("automatic import is off (OPENWELFARE_AUTO_IMPORT=false)".into())
    };
    let reference = Arc::new(ReferenceCache::new(store.clone()));
    let config_for_auth = config.clone();
    let store_for_auth = store.clone();
    reference.reload().await?;
    let state = AppState {
        store,
        catalog,
        config: Arc::new(config),
        data_status: Arc::new(RwLock::new(status.clone())),
        reference,
        responses: Arc::new(ResponseCache::default()),
        auth: Arc::new(Auth::new(
            &config_for_auth,
            &server_secret(&config_for_auth, store_for_auth.as_ref()).await?,
        )?),
        hub: Hub::start(store_for_auth.clone(), &config_for_auth.database_url).await?,
        markers: Arc::default(),
    };
    {
        // Full rate-limit buckets are forgotten, so the maps stay small.
        let auth = state.auth.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                auth.limits.forget_idle();
            }
        });
    }
    if status == DataStatus::Importing {
        let state = state.clone();
        tokio::spawn(async move {
            let location = state.config.data_mirror.clone().unwrap_or(Location::Origin);
            tracing::info!(from = %location.describe(), "empty database: importing the official data");
            let result = import::run(state.store.as_ref(), &state.catalog, &location, false).await;
            let status = match result {
                Ok(outcome) => {
                    tracing::info!(%outcome, "import done");
                    if let Err(e) = state.reference.reload().await {
                        tracing::error!(error = %e, "cannot reload the imported data");
                    }
                    // Its events go out now, not at the next poll.
                    state.hub.poke();
                    DataStatus::Loaded
                }
                Err(e) => {
                    tracing::error!(error = %e, "automatic import failed; the server runs without data");
                    DataStatus::Missing(e.to_string())
                }
            };
            *state.data_status.write().await = status;
        });
    }
    Ok(state)
}

/// Serve on `listener` until `shutdown` resolves, then stop accepting,
/// close the websockets (1001), let in-flight requests finish and close
/// the pool. Handlers get the peer as `ConnectInfo<SocketAddr>`.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let store = state.store.clone();
    let hub = state.hub.clone();
    let header_timeout = Duration::from_secs(state.config.header_read_timeout_secs);
    let app = router(state);
    // HTTP/1 only, as the axum features say (HTTP/2 was reachable only
    // because another crate turns it on in hyper, and the sniffing of the
    // HTTP/2 preface has no timeout). Upgrades (websockets) are served.
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(Extension(ConnectInfo(peer)).layer(app.clone()));
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    // Websockets would keep a graceful shutdown waiting: close them (1001) first.
    hub.shut_down();
    // An upgraded socket has left hyper's connection, so the graceful
    // shutdown does not wait for it: wait (a little) for the sockets to
    // send their close frames, or clients see a reset instead of 1001.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while hub.connections() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    graceful.shutdown().await;
    store.close().await;
    tracing::info!("server stopped");
    Ok(())
}

/// As axum::serve does: a connection that failed before we took it is
/// nothing; anything else (out of file descriptors) is logged, and
/// accepting pauses a second so the loop does not spin.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept error");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

pub async fn serve(config: Config) -> Result<(), Error> {
    let store = open_store(&config).await?;
    let bind = config.bind;
    let state = prepare(config, store).await?;
    crate::digest::spawn(
        state.store.clone(),
        state.reference.clone(),
        state.auth.clone(),
    );
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|e| Error::Bind(bind, e))?;
    tracing::info!(address = %listener.local_addr().map_err(Error::Io)?, "listening");
    run(listener, state, shutdown_signal()).await
}

/// SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}
