//! Server-rendered pages (views live in the frontend crate).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use openwelfare_frontend::views::{self, DatasetLink, HomeView, ImportState};

use super::error::ApiError;
use super::{AppState, DataStatus};

pub async fn home(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let datasets = state
        .store
        .datasets()
        .await?
        .into_iter()
        .map(|d| DatasetLink {
            slug: d.slug,
            title: d.title_it,
            attribution: d.attribution,
            licence: d.licence,
        })
        .collect();
    let import = match state.data_status.read().await.clone() {
        DataStatus::Loaded => ImportState::Loaded,
        DataStatus::Importing => ImportState::Importing,
        DataStatus::Missing(reason) => ImportState::Missing { reason },
    };
    Ok(Html(
        views::home(&HomeView { datasets, import }).into_string(),
    ))
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
