//! The published data held in memory: datasets, variables, areas,
//! crosswalk and every observation. The official data is small (a few
//! thousand values) and changes only on import, so readers never wait on
//! the database: they take an `Arc<Reference>` snapshot, which
//! `published::ReferenceCache` keeps fresh. Built from values, so it is
//! pure: the store's rows go in, the snapshot with its projected maps comes
//! out.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::cartography::{self, MapGeometry, MAP_TOLERANCE, MAP_WIDTH};
use super::geography;
use super::model::{Area, Boundaries, Dataset, Level, Observation, Variable};
use super::query::{self, Inputs, Row, Target};

/// What the store holds cannot be published (an unreadable geometry).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AssembleError(pub String);

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
    /// Put a snapshot together from what the store holds: each dataset
    /// with its variables and observations, the areas by boundary set and
    /// level, the crosswalk. The quartieri are projected and simplified for
    /// the map here, once per data version.
    pub fn assemble(
        version: Option<OffsetDateTime>,
        datasets: Vec<(Dataset, Vec<Variable>, Vec<Observation>)>,
        areas: HashMap<(Boundaries, Level), Vec<Area>>,
        crosswalk: Vec<(i64, i64)>,
    ) -> Result<Self, AssembleError> {
        let datasets = datasets
            .into_iter()
            .map(|(dataset, variables, all)| {
                let mut observations: HashMap<i64, Vec<Observation>> = HashMap::new();
                let mut years = Vec::new();
                for o in all {
                    if !years.contains(&o.year) {
                        years.push(o.year);
                    }
                    observations.entry(o.variable_id).or_default().push(o);
                }
                years.sort_unstable();
                DatasetEntry {
                    dataset,
                    variables,
                    years,
                    observations,
                }
            })
            .collect();
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
                    AssembleError(format!(
                        "area {}: stored geometry unreadable: {e}",
                        area.code
                    ))
                })?;
                shapes.push((area.code.clone(), geometry));
            }
            if !shapes.is_empty() {
                let map = cartography::build(&shapes, MAP_WIDTH, MAP_TOLERANCE).map_err(|e| {
                    AssembleError(format!(
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
            crosswalk,
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
