//! Server-rendered pages (views live in the frontend crate): the map, its
//! table, embed and downloads, quartiere and dataset pages, static assets.
//! Every page works without JavaScript; each view is rendered once per data
//! version and language, then served from the response cache.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use openwelfare_frontend::views::{self, DatasetLink, HomeView, ImportState};
use openwelfare_frontend::{assets, map as map_views};

use super::cache::Rendered;
use super::error::ApiError;
use super::lang::{language, remember};
use super::state::{AppState, DataStatus};
use crate::map::view::{self as map, MapParams};
use crate::official::model::Level;
use crate::official::model::Variable;
use crate::official::query::Row;
use crate::official::reference::{DatasetEntry, Reference};

pub type Params = Query<HashMap<String, String>>;

fn html(markup: maud::Markup) -> Result<Rendered, ApiError> {
    Ok(Rendered {
        content_type: "text/html; charset=utf-8",
        body: markup.into_string().into_bytes(),
        disposition: None,
    })
}

/// Without data there is no map: the page that says how to import.
async fn no_data_page(state: &AppState) -> Response {
    let import = match state.data_status.read().await.clone() {
        DataStatus::Loaded | DataStatus::Importing => ImportState::Importing,
        DataStatus::Missing(reason) => ImportState::Missing { reason },
    };
    Html(
        views::home(&HomeView {
            datasets: Vec::<DatasetLink>::new(),
            import,
        })
        .into_string(),
    )
    .into_response()
}

#[derive(Clone, Copy)]
enum MapPage {
    Home,
    Table,
    Embed,
    Svg,
    Png,
    GeoJson,
    Csv,
}

async fn map_page(
    state: AppState,
    headers: HeaderMap,
    query: HashMap<String, String>,
    page: MapPage,
) -> Result<Response, ApiError> {
    let reference = state.reference.get().await;
    if reference.datasets.is_empty() {
        return Ok(no_data_page(&state).await);
    }
    let (lang, set_cookie) = language(&query, &headers);
    let params = MapParams::from_query(&query, &reference);
    let name = match page {
        MapPage::Home => "home",
        MapPage::Table => "table",
        MapPage::Embed => "embed",
        MapPage::Svg => "svg",
        MapPage::Png => "png",
        MapPage::GeoJson => "geojson",
        MapPage::Csv => "csv",
    };
    let key = format!(
        "map|{name}|{}|{:?}|{}",
        params.query_string(),
        params.sort,
        lang.code()
    );
    let public_url = state.config.public_url.to_string();
    // Markers change with annotations: the cached views belong to the newer
    // of the data version and the last change in a quartiere.
    // Read first: anything committed after it is replayed to live.js.
    let live_since = state.hub.last_id();
    let changed = state.hub.area_changed();
    let annotations = state.markers.get(state.store.as_ref(), changed).await;
    let version = reference.version.max(changed);
    let mut response = state.responses.respond(&headers, version, &key, || {
        let mut view = map::build(&reference, &params, lang, &public_url)
            .ok_or_else(|| ApiError::Internal("map view without data".into()))?;
        view.markers = map::markers(&reference, params.boundaries, &annotations);
        view.live_since = live_since;
        let base = match page {
            MapPage::Table => "/tabella",
            MapPage::Embed => "/embed",
            _ => "/",
        };
        let here = format!("{base}?{}", params.query_string());
        let file = format!(
            "{}-{}-{}",
            params.dataset,
            params.variable,
            params.boundaries.as_str()
        );
        match page {
            MapPage::Home => html(map_views::home(&view, &here)),
            MapPage::Table => html(map_views::table(&view, &here)),
            MapPage::Embed => html(map_views::embed(&view, &here)),
            MapPage::Svg => Ok(Rendered {
                content_type: "image/svg+xml",
                body: map_views::svg_document(&view).into_bytes(),
                disposition: Some(format!("attachment; filename=\"{file}.svg\"")),
            }),
            MapPage::Png => Ok(Rendered {
                content_type: "image/png",
                body: crate::map::render::png(&map_views::svg_document(&view), 2.0)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
                disposition: Some(format!("attachment; filename=\"{file}.png\"")),
            }),
            MapPage::GeoJson => Ok(Rendered {
                content_type: "application/geo+json",
                body: geojson_with_values(&reference, &params)?,
                disposition: Some(format!("attachment; filename=\"{file}.geojson\"")),
            }),
            MapPage::Csv => {
                let (_, _, rows) = chosen_rows(&reference, &params)?;
                Ok(Rendered {
                    content_type: "text/csv; charset=utf-8",
                    body: super::api::rows_csv(&rows)?,
                    disposition: Some(format!("attachment; filename=\"{file}.csv\"")),
                })
            }
        }
    })?;
    if matches!(page, MapPage::Embed) {
        // The one page other sites may frame.
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; frame-ancestors *; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    Ok(remember(
        response,
        lang,
        set_cookie,
        state.config.public_url.scheme() == "https",
    ))
}

/// The dataset, variable and rows a map view shows (its latest year).
fn chosen_rows<'a>(
    reference: &'a Reference,
    params: &MapParams,
) -> Result<(&'a DatasetEntry, &'a Variable, Vec<Row>), ApiError> {
    // MapParams only names what exists; a miss here is a bug, not bad input.
    let entry = reference
        .dataset(&params.dataset)
        .ok_or_else(|| ApiError::Internal("chosen dataset missing".into()))?;
    let variable = entry
        .variable(&params.variable)
        .ok_or_else(|| ApiError::Internal("chosen variable missing".into()))?;
    let rows = entry.rows(
        reference,
        variable,
        entry.years.last().copied(),
        params.boundaries,
        Level::Quartiere,
    );
    Ok((entry, variable, rows))
}

/// The map's values joined to the areas' geometry (CRS84).
fn geojson_with_values(reference: &Reference, params: &MapParams) -> Result<Vec<u8>, ApiError> {
    let (entry, variable, rows) = chosen_rows(reference, params)?;
    let areas = reference.areas(params.boundaries, Level::Quartiere);
    let features: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let geometry = areas
                .iter()
                .find(|a| a.code == r.area_code)
                .and_then(|a| a.geometry.as_deref())
                .and_then(|g| serde_json::from_str::<serde_json::Value>(g).ok());
            serde_json::json!({
                "type": "Feature",
                "id": r.area_code,
                "properties": {
                    "code": r.area_code, "name": r.area_name, "year": r.year,
                    "dataset": entry.dataset.slug, "variable": variable.code,
                    "value": r.value, "population": r.population, "per_1000": r.per_1000, "share": r.share,
                    "note": r.note.as_ref().map(|n| n.message.clone()),
                },
                "geometry": geometry,
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "type": "FeatureCollection",
        "licence": entry.dataset.licence,
        "attribution": entry.dataset.attribution,
        "features": features,
    }))
    .map_err(|e| ApiError::Internal(e.to_string()))
}

/// One handler per representation of a map view; they differ only in what
/// they render.
macro_rules! map_handlers {
    ($($name:ident => $page:ident),* $(,)?) => {
        $(
            pub async fn $name(
                State(state): State<AppState>,
                headers: HeaderMap,
                Query(q): Params,
            ) -> Result<Response, ApiError> {
                map_page(state, headers, q, MapPage::$page).await
            }
        )*
    };
}

map_handlers!(
    home => Home,
    table => Table,
    embed => Embed,
    map_svg => Svg,
    map_png => Png,
    map_geojson => GeoJson,
    map_csv => Csv,
);

/// Hashed static assets, cached for a year.
pub async fn static_asset(Path(file): Path<String>) -> Response {
    match assets::find(&format!("/static/{file}")) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Unknown paths: a page for browsers, a problem document for everyone else.
pub async fn not_found(headers: HeaderMap) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        (
            StatusCode::NOT_FOUND,
            Html(views::not_found().into_string()),
        )
            .into_response()
    } else {
        ApiError::NoRoute.into_response()
    }
}
