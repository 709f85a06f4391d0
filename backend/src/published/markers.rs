//! The annotations drawn on the map, in memory: the map pages are served
//! from a cache, so their markers must not cost a database call per
//! request. The list is reloaded when the realtime hub has seen a change in
//! any quartiere (`Hub::area_changed`) since it was loaded; if the database
//! cannot be asked, the list in hand is kept.

use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::RwLock;

use crate::lab::Annotation;
use crate::store::Store;

/// At most this many markers on a map.
const MAX: i64 = 2000;

/// The list, and the change it reflects.
type Loaded = (Option<OffsetDateTime>, Arc<Vec<Annotation>>);

#[derive(Default)]
pub struct MarkerCache {
    loaded: RwLock<Option<Loaded>>,
}

impl MarkerCache {
    /// The annotations with a point, as of `changed` (the hub's last area change).
    pub async fn get(
        &self,
        store: &dyn Store,
        changed: Option<OffsetDateTime>,
    ) -> Arc<Vec<Annotation>> {
        if let Some((at, list)) = self.loaded.read().await.as_ref() {
            if *at == changed {
                return list.clone();
            }
        }
        let mut slot = self.loaded.write().await;
        if let Some((at, list)) = slot.as_ref() {
            if *at == changed {
                return list.clone();
            }
        }
        match store.annotations(None, None, None, MAX).await {
            Ok(all) => {
                let list = Arc::new(
                    all.into_iter()
                        .filter(|a| a.lon.is_some() && a.lat.is_some())
                        .collect::<Vec<_>>(),
                );
                *slot = Some((changed, list.clone()));
                list
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot load the map's annotations");
                slot.as_ref().map(|(_, l)| l.clone()).unwrap_or_default()
            }
        }
    }
}
