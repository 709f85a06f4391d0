//! `openwelfare serve`: open the store, migrate, import on an empty
//! database, listen, and shut down gracefully on SIGTERM or Ctrl-C
//! (in-flight requests finish, then the pool closes).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::RwLock;

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

/// Serve on `listener` until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let store = state.store.clone();
    let hub = state.hub.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Websockets would keep a graceful shutdown waiting: close them (1001) first.
    let shutdown = async move {
        shutdown.await;
        hub.shut_down();
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(Error::Io)?;
    store.close().await;
    tracing::info!("server stopped");
    Ok(())
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
