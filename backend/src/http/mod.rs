//! The HTTP surface: the router, its shared state and the middleware that
//! every request passes through (request id, tracing without query strings,
//! compression, time and size limits, security headers).

pub mod api;
pub mod cache;
mod details;
pub mod error;
mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::sync::RwLock;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::reference::ReferenceCache;
use crate::store::Store;
use cache::ResponseCache;

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
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id: u64 = rand::random();
        HeaderValue::from_str(&format!("{id:016x}"))
            .ok()
            .map(RequestId::new)
    }
}

pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let body_limit = state.config.max_body_bytes;
    // HSTS only where the public URL is https: on plain http it would be ignored or wrong.
    let hsts = (state.config.public_url.scheme() == "https")
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    Router::new()
        .route("/", get(pages::home))
        .route("/tabella", get(pages::table))
        .route("/embed", get(pages::embed))
        .route("/mappa.svg", get(pages::map_svg))
        .route("/mappa.png", get(pages::map_png))
        .route("/mappa.geojson", get(pages::map_geojson))
        .route("/mappa.csv", get(pages::map_csv))
        .route("/static/{file}", get(pages::static_asset))
        .route("/quartieri/{slug}", get(details::quartiere_2016))
        .route("/quartieri/2014/{slug}", get(details::quartiere_2014))
        .route("/datasets", get(details::datasets))
        .route("/datasets/{slug}", get(details::dataset))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/datasets", get(api::list_datasets))
        .route("/api/v1/datasets/{slug}", get(api::get_dataset))
        .route("/api/v1/areas", get(api::list_areas))
        .route("/api/v1/areas/resolve", get(api::resolve_area))
        .route("/api/v1/observations", get(api::observations))
        .fallback(pages::not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, move |_: &Response| hsts.clone()))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            // The path only: query strings may carry personal data.
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and no import is running.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.store.ping().await;
    let data = state.data_status.read().await.clone();
    let body = serde_json::json!({
        "database": if database.is_ok() { "ok" } else { "unavailable" },
        "data": match &data {
            DataStatus::Loaded => "loaded",
            DataStatus::Importing => "importing",
            DataStatus::Missing(_) => "missing",
        },
    });
    let status = if database.is_ok() && data != DataStatus::Importing {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
