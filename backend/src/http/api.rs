//! JSON API v1 (read-only): datasets, areas as GeoJSON, observations as JSON
//! or CSV. The OpenAPI document is generated from these handlers.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::error::{ApiError, Problem};
use super::AppState;
use crate::model::{Area, Boundaries, Dataset, Level, Variable, VariableKind};
use crate::query::{self, Inputs, Note, NoteCode, Row, Target};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Open Welfare Bologna API",
        version = "1",
        description = "Bologna's official social-services open data by quartiere."
    ),
    paths(list_datasets, get_dataset, list_areas, resolve_area, observations),
    components(schemas(
        Dataset,
        Variable,
        VariableKind,
        DatasetDetail,
        AreaCollection,
        AreaFeature,
        AreaProperties,
        AreaMatch,
        ObservationsResponse,
        Method,
        Row,
        Note,
        NoteCode,
        Problem
    ))
)]
pub struct ApiDoc;

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetDetail {
    #[serde(flatten)]
    pub dataset: Dataset,
    pub variables: Vec<Variable>,
    /// Years with observations.
    pub years: Vec<i32>,
}

/// Every imported dataset.
#[utoipa::path(get, path = "/api/v1/datasets", responses((status = 200, body = [Dataset])))]
pub async fn list_datasets(State(state): State<AppState>) -> Result<Json<Vec<Dataset>>, ApiError> {
    Ok(Json(state.store.datasets().await?))
}

async fn find_dataset(state: &AppState, slug: &str) -> Result<Dataset, ApiError> {
    state.store.dataset(slug).await?.ok_or_else(|| {
        ApiError::not_found(
            "dataset",
            format!("no dataset \"{slug}\"; see /api/v1/datasets"),
        )
    })
}

/// One dataset with its variables, licence, attribution, origin and hash.
#[utoipa::path(get, path = "/api/v1/datasets/{slug}", params(("slug" = String, Path, description = "dataset slug")),
    responses((status = 200, body = DatasetDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_dataset(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<DatasetDetail>, ApiError> {
    let dataset = find_dataset(&state, &slug).await?;
    let variables = state.store.variables(dataset.id).await?;
    let mut years = Vec::new();
    if let Some(first) = variables.first() {
        for o in state.store.observations(first.id, None).await? {
            if !years.contains(&o.year) {
                years.push(o.year);
            }
        }
    }
    Ok(Json(DatasetDetail {
        dataset,
        variables,
        years,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AreasParams {
    /// `2014` (9 quartieri) or `2016` (6 quartieri); default 2016.
    boundaries: Option<String>,
    /// `quartiere` or `zona` (zone exist on 2014 boundaries only); default quartiere.
    level: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaCollection {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub features: Vec<AreaFeature>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaFeature {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub properties: AreaProperties,
    /// GeoJSON geometry in CRS84, or null where none is published (zone).
    #[schema(value_type = Object)]
    pub geometry: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaProperties {
    pub code: String,
    pub name: String,
    pub slug: String,
    pub level: Level,
    pub boundaries: Boundaries,
    /// Official number (NUMQUART for 2014 quartieri, zona number).
    pub number: Option<i32>,
    /// Code of the area containing this one.
    pub parent: Option<String>,
    /// 2016 quartieri: the 2014 quartieri they were made of.
    pub parts: Vec<String>,
    /// 2014 quartieri: the 2016 quartiere they became part of.
    pub became: Option<String>,
}

fn parse_boundaries(value: Option<&str>) -> Result<Boundaries, ApiError> {
    match value {
        None => Ok(Boundaries::B2016),
        Some(v) => Boundaries::parse(v).ok_or_else(|| {
            ApiError::bad(
                "boundaries",
                format!("unknown boundary set \"{v}\"; expected 2014 or 2016"),
            )
        }),
    }
}

fn parse_level(value: Option<&str>, boundaries: Boundaries) -> Result<Level, ApiError> {
    let level = match value {
        None => Level::Quartiere,
        Some(v) => Level::parse(v).ok_or_else(|| {
            ApiError::bad(
                "level",
                format!("unknown level \"{v}\"; expected quartiere or zona"),
            )
        })?,
    };
    if level == Level::Zona && boundaries == Boundaries::B2016 {
        return Err(ApiError::bad(
            "level",
            "zone are published on the 2014 boundaries only: use boundaries=2014",
        ));
    }
    Ok(level)
}

/// Areas of a boundary set as a GeoJSON FeatureCollection.
#[utoipa::path(get, path = "/api/v1/areas", params(AreasParams),
    responses((status = 200, body = AreaCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_areas(
    State(state): State<AppState>,
    Query(params): Query<AreasParams>,
) -> Result<Response, ApiError> {
    let boundaries = parse_boundaries(params.boundaries.as_deref())?;
    let level = parse_level(params.level.as_deref(), boundaries)?;
    let areas = state.store.areas_with_geometry(boundaries, level).await?;
    let crosswalk = state.store.crosswalk().await?;
    let mut codes: HashMap<i64, String> = HashMap::new();
    for b in [Boundaries::B2014, Boundaries::B2016] {
        for a in state.store.areas(b, Level::Quartiere).await? {
            codes.insert(a.id, a.code);
        }
    }
    let features = areas
        .into_iter()
        .map(|area| {
            let parts = crosswalk
                .iter()
                .filter(|(_, to)| *to == area.id)
                .filter_map(|(from, _)| codes.get(from).cloned())
                .collect();
            let became = crosswalk
                .iter()
                .find(|(from, _)| *from == area.id)
                .and_then(|(_, to)| codes.get(to).cloned());
            let geometry = area
                .geometry
                .as_deref()
                .and_then(|g| serde_json::from_str(g).ok());
            AreaFeature {
                kind: "Feature",
                id: area.code.clone(),
                properties: AreaProperties {
                    parent: area.parent_id.and_then(|id| codes.get(&id).cloned()),
                    code: area.code,
                    name: area.name,
                    slug: area.slug,
                    level: area.level,
                    boundaries: area.boundaries,
                    number: area.number,
                    parts,
                    became,
                },
                geometry,
            }
        })
        .collect();
    let body = serde_json::to_vec(&AreaCollection {
        kind: "FeatureCollection",
        features,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ResolveParams {
    /// A name as people write it: "S. Donato", "SAN DONATO", "Quartiere Navile".
    name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaMatch {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub boundaries: Boundaries,
}

/// Find areas by any of their names (case, accents and punctuation ignored).
#[utoipa::path(get, path = "/api/v1/areas/resolve", params(ResolveParams),
    responses((status = 200, body = [AreaMatch]), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn resolve_area(
    State(state): State<AppState>,
    Query(params): Query<ResolveParams>,
) -> Result<Json<Vec<AreaMatch>>, ApiError> {
    let name = params
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::bad("name", "a name is required"))?;
    let areas = state.store.resolve_area(&name).await?;
    Ok(Json(
        areas
            .into_iter()
            .map(|a| AreaMatch {
                code: a.code,
                name: a.name,
                level: a.level,
                boundaries: a.boundaries,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ObservationsParams {
    /// Dataset slug (see /api/v1/datasets).
    dataset: Option<String>,
    /// Variable code (see /api/v1/datasets/{slug}); default `totale`.
    variable: Option<String>,
    /// A year; default every year of the dataset.
    year: Option<String>,
    /// `2014` or `2016`; default 2016.
    boundaries: Option<String>,
    /// `quartiere` or `zona`; default quartiere.
    level: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
    format: Option<String>,
}

/// How the derived numbers are computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Method {
    pub per_1000: String,
    pub share: String,
    pub aggregation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObservationsResponse {
    pub dataset: String,
    pub variable: Variable,
    pub boundaries: Boundaries,
    pub level: Level,
    pub year: Option<i32>,
    pub licence: String,
    pub attribution: String,
    pub method: Method,
    pub rows: Vec<Row>,
}

/// Values of one variable by area, with population, rate per 1,000 residents and share of the city total.
#[utoipa::path(get, path = "/api/v1/observations", params(ObservationsParams),
    responses((status = 200, body = ObservationsResponse), (status = 200, content_type = "text/csv", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn observations(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ObservationsParams>,
) -> Result<Response, ApiError> {
    let slug = params.dataset.as_deref().ok_or_else(|| {
        ApiError::bad(
            "dataset",
            "a dataset slug is required; see /api/v1/datasets",
        )
    })?;
    let dataset = find_dataset(&state, slug).await?;
    let boundaries = parse_boundaries(params.boundaries.as_deref())?;
    let level = parse_level(params.level.as_deref(), boundaries)?;
    let year = match params.year.as_deref() {
        None | Some("") => None,
        Some(y) => Some(
            y.parse::<i32>()
                .map_err(|_| ApiError::bad("year", format!("\"{y}\" is not a year")))?,
        ),
    };
    let csv = match params.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(ApiError::bad(
                "format",
                format!("unknown format \"{other}\"; expected json or csv"),
            ))
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv")),
    };

    let variables = state.store.variables(dataset.id).await?;
    let code = params.variable.as_deref().unwrap_or("totale");
    let default_code = variables
        .first()
        .map(|v| v.code.clone())
        .unwrap_or_default();
    let code = if params.variable.is_none() && !variables.iter().any(|v| v.code == code) {
        default_code.as_str()
    } else {
        code
    };
    let variable = variables
        .iter()
        .find(|v| v.code == code)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(
                "variable",
                format!(
                    "dataset \"{slug}\" has no variable \"{code}\"; see /api/v1/datasets/{slug}"
                ),
            )
        })?;
    let by_code = |code: Option<&str>| code.and_then(|c| variables.iter().find(|v| v.code == c));

    let mut inputs = Inputs {
        values: state.store.observations(variable.id, year).await?,
        ..Inputs::default()
    };
    if year.is_some() && inputs.values.is_empty() {
        return Err(ApiError::not_found(
            "year",
            format!(
                "dataset \"{slug}\" has no observations for {}",
                year.unwrap_or_default()
            ),
        ));
    }
    if let Some(population) = by_code(Some("popolazione")) {
        inputs.population = state.store.observations(population.id, year).await?;
    }
    if let Some(n) = by_code(variable.numerator.as_deref()) {
        inputs.numerator = state.store.observations(n.id, year).await?;
    }
    if let Some(d) = by_code(variable.denominator.as_deref()) {
        inputs.denominator = state.store.observations(d.id, year).await?;
    }

    let targets = targets(&state, boundaries, level).await?;
    let rows = query::compute(&variable, &targets, &inputs);

    if csv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| ApiError::Internal(e.to_string());
        writer
            .write_record([
                "area_code",
                "area_name",
                "year",
                "value",
                "population",
                "per_1000",
                "share",
                "note",
            ])
            .map_err(io)?;
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        for r in &rows {
            writer
                .write_record([
                    r.area_code.clone(),
                    r.area_name.clone(),
                    r.year.to_string(),
                    num(r.value),
                    num(r.population),
                    num(r.per_1000),
                    num(r.share),
                    r.note
                        .as_ref()
                        .map(|n| n.message.clone())
                        .unwrap_or_default(),
                ])
                .map_err(io)?;
        }
        let body = writer
            .into_inner()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let filename = format!(
            "{}-{}-{}{}.csv",
            dataset.slug,
            variable.code,
            boundaries.as_str(),
            year.map(|y| format!("-{y}")).unwrap_or_default()
        );
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            body,
        )
            .into_response());
    }

    Ok(Json(ObservationsResponse {
        dataset: dataset.slug,
        boundaries,
        level,
        year,
        licence: dataset.licence,
        attribution: dataset.attribution,
        method: Method {
            per_1000: "value / population × 1,000, population being the dataset's own resident population \
                       (column Popolazione of the same file), summed over the parts of a merged area"
                .into(),
            share: "value / sum of the values of all areas of the same boundary set and year".into(),
            aggregation: "2016 quartieri sum the counts of their 2014 parts; rates are recomputed from summed \
                          numerators and denominators, or null with a note when the source gives no formula; \
                          a part not reported makes the merged value null"
                .into(),
        },
        variable,
        rows,
    })
    .into_response())
}

/// The areas shown and the stored areas each one sums.
async fn targets(
    state: &AppState,
    boundaries: Boundaries,
    level: Level,
) -> Result<Vec<Target>, ApiError> {
    let shown = state.store.areas(boundaries, level).await?;
    if boundaries == Boundaries::B2014 {
        return Ok(shown
            .into_iter()
            .map(|area| Target {
                parts: vec![area.clone()],
                area,
            })
            .collect());
    }
    let parts_2014: HashMap<i64, Area> = state
        .store
        .areas(Boundaries::B2014, Level::Quartiere)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let crosswalk = state.store.crosswalk().await?;
    Ok(shown
        .into_iter()
        .map(|area| {
            let parts = crosswalk
                .iter()
                .filter(|(_, to)| *to == area.id)
                .filter_map(|(from, _)| parts_2014.get(from).cloned())
                .collect();
            Target { area, parts }
        })
        .collect())
}
