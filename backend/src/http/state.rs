//! The state every handler shares: the store, the published data in
//! memory, the rendered-view cache, the accounts' keys and limits, the
//! realtime hub and the map markers.

use std::sync::Arc;

use tokio::sync::RwLock;

use super::cache::ResponseCache;
use crate::accounts::Auth;
use crate::config::Config;
use crate::official::catalog::Catalog;
use crate::published::markers::MarkerCache;
use crate::published::ReferenceCache;
use crate::realtime::Hub;
use crate::store::Store;

/// Where the official data stands, for the home page and /readyz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataStatus {
    Loaded,
    Importing,
    /// Nothing loaded; the import failed for this reason (or was not tried).
    Missing(String),
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub config: Arc<Config>,
    pub data_status: Arc<RwLock<DataStatus>>,
    /// The published data, in memory.
    pub reference: Arc<ReferenceCache>,
    /// Rendered views per data version.
    pub responses: Arc<ResponseCache>,
    /// Keys, password hashing, rate limits and mail.
    pub auth: Arc<Auth>,
    /// Live updates to websocket clients.
    pub hub: Arc<Hub>,
    /// The annotations drawn on the maps.
    pub markers: Arc<MarkerCache>,
}
