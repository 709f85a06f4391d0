//! What the pages read, held in memory and kept fresh: the published
//! official data (`ReferenceCache`, one `Reference` snapshot per data
//! version) and the annotations drawn on the maps (`markers`). Readers never
//! wait on the database.
//!
//! Freshness: `ReferenceCache::get` asks the store for the data version
//! (the latest import time, one tiny query) at most once per
//! `CHECK_INTERVAL`, and reloads everything when it changed, so an import
//! run by another process or instance shows within a second.

pub mod markers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::official::model::{Boundaries, Level};
use crate::official::reference::Reference;
use crate::store::{Result, Store, StoreError};

pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Read everything the snapshot needs from the store and assemble it.
pub async fn load(store: &dyn Store) -> Result<Reference> {
    let version = store.data_version().await?;
    let mut datasets = Vec::new();
    for dataset in store.datasets().await? {
        let variables = store.variables(dataset.id).await?;
        let observations = store.dataset_observations(dataset.id).await?;
        datasets.push((dataset, variables, observations));
    }
    let mut areas = HashMap::new();
    for key in [
        (Boundaries::B2014, Level::Quartiere),
        (Boundaries::B2014, Level::Zona),
        (Boundaries::B2016, Level::Quartiere),
    ] {
        areas.insert(key, store.areas(key.0, key.1).await?);
    }
    let crosswalk = store.crosswalk().await?;
    Reference::assemble(version, datasets, areas, crosswalk)
        .map_err(|e| StoreError::Internal(e.to_string()))
}

/// The shared, self-refreshing snapshot.
pub struct ReferenceCache {
    store: Arc<dyn Store>,
    current: RwLock<Arc<Reference>>,
    last_check: Mutex<Option<Instant>>,
}

impl ReferenceCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            current: RwLock::new(Arc::new(Reference::default())),
            last_check: Mutex::new(None),
        }
    }

    /// The current snapshot, reloaded first if the data changed.
    /// If the database cannot be asked, the snapshot in hand is served (and
    /// the failure logged): the published data stays readable through a
    /// database hiccup.
    pub async fn get(&self) -> Arc<Reference> {
        let due = {
            let mut last = self.last_check.lock().unwrap_or_else(|e| e.into_inner());
            let due = last.is_none_or(|at| at.elapsed() >= CHECK_INTERVAL);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if due {
            let refreshed = match self.store.data_version().await {
                Ok(version) if version != self.snapshot().version => self.reload().await.map(drop),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = refreshed {
                tracing::warn!(error = %e, "cannot refresh the published data; serving the snapshot in hand");
            }
        }
        self.snapshot()
    }

    /// Load a fresh snapshot now (after an import in this process).
    pub async fn reload(&self) -> Result<Arc<Reference>> {
        let fresh = Arc::new(load(self.store.as_ref()).await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
        *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        Ok(fresh)
    }

    fn snapshot(&self) -> Arc<Reference> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
