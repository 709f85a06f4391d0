//! The published data held in memory: datasets, variables, areas,
//! crosswalk and every observation. The official data is small (a few
//! thousand values) and changes only on import, so readers never wait on
//! the database: they take an `Arc<Reference>` snapshot.
//!
//! Freshness: `ReferenceCache::get` asks the store for the data version
//! (the latest import time, one tiny query) at most once per
//! `CHECK_INTERVAL`, and reloads everything when it changed, so an import
//! run by another process or instance shows within a second.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::{Mutex, RwLock};
use time::OffsetDateTime;

use crate::cartography::{self, MapGeometry};
use crate::geography;
use crate::map::{MAP_TOLERANCE, MAP_WIDTH};
use crate::model::{Area, Boundaries, Dataset, Level, Observation, Variable};
use crate::query::{self, Inputs, Row, Target};
use crate::store::{Result, Store, StoreError};

pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct DatasetEntry {
    pub dataset: Dataset,
    pub variables: Vec<Variable>,
    /// Years with observations, ascending.
    pub years: Vec<i32>,
    /// Observations by variable id.
    pub observations: HashMap<i64, Vec<Observation>>,
}

impl DatasetEntry {
    pub fn variable(&self, code: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.code == code)
    }

    /// The observations of `variable` (all years, or one).
    fn values(&self, variable: Option<&Variable>, year: Option<i32>) -> Vec<Observation> {
        variable
            .and_then(|v| self.observations.get(&v.id))
            .map(|all| {
                all.iter()
                    .filter(|o| year.is_none_or(|y| o.year == y))
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The rows of `variable` on a boundary set and level (see `query::compute`).
    pub fn rows(
        &self,
        reference: &Reference,
        variable: &Variable,
        year: Option<i32>,
        boundaries: Boundaries,
        level: Level,
    ) -> Vec<Row> {
        self.rows_for(variable, year, &reference.targets(boundaries, level))
    }

    /// The rows of `variable` for any areas (e.g. the whole city as one).
    pub fn rows_for(&self, variable: &Variable, year: Option<i32>, targets: &[Target]) -> Vec<Row> {
        let by_code = |code: Option<&str>| code.and_then(|c| self.variable(c));
        let inputs = Inputs {
            values: self.values(Some(variable), year),
            population: self.values(self.variable("popolazione"), year),
            numerator: self.values(by_code(variable.numerator.as_deref()), year),
            denominator: self.values(by_code(variable.denominator.as_deref()), year),
        };
        query::compute(variable, targets, &inputs)
    }
}

/// One consistent snapshot of the published data.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// The import time it reflects; None when nothing is loaded.
    pub version: Option<OffsetDateTime>,
    pub datasets: Vec<DatasetEntry>,
    /// Areas (with geometry) by boundary set and level, ordered by number then name.
    pub areas: HashMap<(Boundaries, Level), Vec<Area>>,
    /// (2014 area id, 2016 area id).
    pub crosswalk: Vec<(i64, i64)>,
    /// The quartieri projected and simplified for the map, per boundary set.
    pub maps: HashMap<Boundaries, MapGeometry>,
}

impl Reference {
    pub async fn load(store: &dyn Store) -> Result<Self> {
        let version = store.data_version().await?;
        let mut datasets = Vec::new();
        for dataset in store.datasets().await? {
            let variables = store.variables(dataset.id).await?;
            let mut observations: HashMap<i64, Vec<Observation>> = HashMap::new();
            let mut years = Vec::new();
            for o in store.dataset_observations(dataset.id).await? {
                if !years.contains(&o.year) {
                    years.push(o.year);
                }
                observations.entry(o.variable_id).or_default().push(o);
            }
            years.sort_unstable();
            datasets.push(DatasetEntry {
                dataset,
                variables,
                years,
                observations,
            });
        }
        let mut areas = HashMap::new();
        for key in [
            (Boundaries::B2014, Level::Quartiere),
            (Boundaries::B2014, Level::Zona),
            (Boundaries::B2016, Level::Quartiere),
        ] {
            areas.insert(key, store.areas(key.0, key.1).await?);
        }
        let mut maps = HashMap::new();
        for boundaries in [Boundaries::B2014, Boundaries::B2016] {
            let mut shapes = Vec::new();
            for area in areas
                .get(&(boundaries, Level::Quartiere))
                .into_iter()
                .flatten()
            {
                let Some(text) = &area.geometry else { continue };
                let geometry = geography::from_geojson_geometry(text).map_err(|e| {
                    StoreError::Internal(format!(
                        "area {}: stored geometry unreadable: {e}",
                        area.code
                    ))
                })?;
                shapes.push((area.code.clone(), geometry));
            }
            if !shapes.is_empty() {
                let map = cartography::build(&shapes, MAP_WIDTH, MAP_TOLERANCE).map_err(|e| {
                    StoreError::Internal(format!(
                        "map of the {} boundaries: {e}",
                        boundaries.as_str()
                    ))
                })?;
                maps.insert(boundaries, map);
            }
        }
        Ok(Reference {
            version,
            datasets,
            areas,
            crosswalk: store.crosswalk().await?,
            maps,
        })
    }

    pub fn dataset(&self, slug: &str) -> Option<&DatasetEntry> {
        self.datasets.iter().find(|d| d.dataset.slug == slug)
    }

    pub fn areas(&self, boundaries: Boundaries, level: Level) -> &[Area] {
        self.areas
            .get(&(boundaries, level))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub fn area_by_id(&self, id: i64) -> Option<&Area> {
        self.areas.values().flatten().find(|a| a.id == id)
    }

    /// The 2014 parts of a 2016 quartiere.
    pub fn parts(&self, area: &Area) -> Vec<&Area> {
        self.crosswalk
            .iter()
            .filter(|(_, to)| *to == area.id)
            .filter_map(|(from, _)| self.area_by_id(*from))
            .collect()
    }

    /// The 2016 quartiere a 2014 quartiere became part of.
    pub fn became(&self, area: &Area) -> Option<&Area> {
        self.crosswalk
            .iter()
            .find(|(from, _)| *from == area.id)
            .and_then(|(_, to)| self.area_by_id(*to))
    }

    /// The areas shown and the stored areas each one sums.
    pub fn targets(&self, boundaries: Boundaries, level: Level) -> Vec<Target> {
        self.areas(boundaries, level)
            .iter()
            .map(|area| {
                let parts = match boundaries {
                    Boundaries::B2014 => vec![area.clone()],
                    Boundaries::B2016 => self.parts(area).into_iter().cloned().collect(),
                };
                Target {
                    area: area.clone(),
                    parts,
                }
            })
            .collect()
    }
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
        let fresh = Arc::new(Reference::load(self.store.as_ref()).await?);
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
