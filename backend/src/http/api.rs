//! JSON API v1 for the official data (read-only): datasets, areas as
//! GeoJSON, observations as JSON or CSV. `openapi` documents these handlers.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cache::Rendered;
use super::error::{ApiError, BadRequest, NotFound};
use super::state::AppState;
use crate::official::model::{Boundaries, Dataset, Level, Variable};
use crate::official::query::Row;
use crate::official::reference::{DatasetEntry, Reference};

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
    let reference = state.reference.get().await;
    Ok(Json(
        reference
            .datasets
            .iter()
            .map(|d| d.dataset.clone())
            .collect(),
    ))
}

fn find_dataset<'a>(reference: &'a Reference, slug: &str) -> Result<&'a DatasetEntry, ApiError> {
    reference.dataset(slug).ok_or_else(|| {
        ApiError::not_found(
            "dataset",
            format!("no dataset \"{slug}\"; see /api/v1/datasets"),
        )
    })
}

/// One dataset with its variables, licence, attribution, origin and hash.
#[utoipa::path(get, path = "/api/v1/datasets/{slug}", params(("slug" = String, Path, description = "dataset slug")),
    responses((status = 200, body = DatasetDetail), NotFound))]
pub async fn get_dataset(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<DatasetDetail>, ApiError> {
    let reference = state.reference.get().await;
    let entry = find_dataset(&reference, &slug)?;
    Ok(Json(DatasetDetail {
        dataset: entry.dataset.clone(),
        variables: entry.variables.clone(),
        years: entry.years.clone(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    responses((status = 200, body = AreaCollection, content_type = "application/geo+json"),
        BadRequest))]
pub async fn list_areas(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<AreasParams>,
) -> Result<Response, ApiError> {
    let boundaries = parse_boundaries(params.boundaries.as_deref())?;
    let level = parse_level(params.level.as_deref(), boundaries)?;
    let reference = state.reference.get().await;
    let key = format!("areas|{}|{}", boundaries.as_str(), level.as_str());
    state
        .responses
        .respond(&headers, reference.version, &key, || {
            let code = |id: Option<i64>| {
                id.and_then(|id| reference.area_by_id(id))
                    .map(|a| a.code.clone())
            };
            let features = reference
                .areas(boundaries, level)
                .iter()
                .map(|area| AreaFeature {
                    kind: "Feature",
                    id: area.code.clone(),
                    properties: AreaProperties {
                        parent: code(area.parent_id),
                        code: area.code.clone(),
                        name: area.name.clone(),
                        slug: area.slug.clone(),
                        level: area.level,
                        boundaries: area.boundaries,
                        number: area.number,
                        parts: reference
                            .parts(area)
                            .into_iter()
                            .map(|a| a.code.clone())
                            .collect(),
                        became: reference.became(area).map(|a| a.code.clone()),
                    },
                    geometry: area
                        .geometry
                        .as_deref()
                        .and_then(|g| serde_json::from_str(g).ok()),
                })
                .collect();
            let body = serde_json::to_vec(&AreaCollection {
                kind: "FeatureCollection",
                features,
            })
            .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(Rendered {
                content_type: "application/geo+json",
                body,
                disposition: None,
            })
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolveParams {
    /// A name as people write it: "S. Donato", "SAN DONATO", "Quartiere Navile".
    #[param(required = true)]
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
    responses((status = 200, body = [AreaMatch]), BadRequest))]
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
#[into_params(parameter_in = Query)]
pub struct ObservationsParams {
    /// Dataset slug (see /api/v1/datasets).
    #[param(required = true)]
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
    responses((status = 200, body = ObservationsResponse),
        (status = 200, content_type = "text/csv", body = String),
        BadRequest, NotFound))]
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
    let reference = state.reference.get().await;
    let entry = find_dataset(&reference, slug)?;
    let boundaries = parse_boundaries(params.boundaries.as_deref())?;
    let level = parse_level(params.level.as_deref(), boundaries)?;
    let year = match params.year.as_deref() {
        None | Some("") => None,
        Some(y) => Some(
            y.parse::<i32>()
                .map_err(|_| ApiError::bad("year", format!("\"{y}\" is not a year")))?,
        ),
    };
    if let Some(y) = year.filter(|y| !entry.years.contains(y)) {
        return Err(ApiError::not_found(
            "year",
            format!("dataset \"{slug}\" has no observations for {y}"),
        ));
    }
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
    let variable = match params.variable.as_deref() {
        Some(code) => entry.variable(code).ok_or_else(|| {
            ApiError::not_found(
                "variable",
                format!(
                    "dataset \"{slug}\" has no variable \"{code}\"; see /api/v1/datasets/{slug}"
                ),
            )
        })?,
        None => entry
            .variable("totale")
            .or(entry.variables.first())
            .ok_or_else(|| {
                ApiError::not_found("variable", format!("dataset \"{slug}\" has no variables"))
            })?,
    };

    let key = format!(
        "observations|{slug}|{}|{year:?}|{}|{}|{csv}",
        variable.code,
        boundaries.as_str(),
        level.as_str()
    );
    state.responses.respond(&headers, reference.version, &key, || {
        let rows = entry.rows(&reference, variable, year, boundaries, level);
        if csv {
            let filename = format!(
                "{}-{}-{}{}.csv",
                entry.dataset.slug,
                variable.code,
                boundaries.as_str(),
                year.map(|y| format!("-{y}")).unwrap_or_default()
            );
            return Ok(Rendered {
                content_type: "text/csv; charset=utf-8",
                body: rows_csv(&rows)?,
                disposition: Some(format!("attachment; filename=\"{filename}\"")),
            });
        }
        let body = serde_json::to_vec(&ObservationsResponse {
            dataset: entry.dataset.slug.clone(),
            boundaries,
            level,
            year,
            licence: entry.dataset.licence.clone(),
            attribution: entry.dataset.attribution.clone(),
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
            variable: variable.clone(),
            rows,
        })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(Rendered { content_type: "application/json", body, disposition: None })
    })
}

/// Rows as CSV, one line per area and year.
pub fn rows_csv(rows: &[Row]) -> Result<Vec<u8>, ApiError> {
    let io = |e: csv::Error| ApiError::Internal(e.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
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
    for r in rows {
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
    writer
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))
}
