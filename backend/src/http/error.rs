//! The one HTTP error type: every failure of a handler becomes one of
//! these, mapped once to a status and an `application/problem+json` body
//! (RFC 9457) that names the offending parameter. Internal causes are
//! logged, never sent.

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is missing or has a value we do not know.
    #[error("{parameter}: {message}")]
    BadParameter {
        parameter: &'static str,
        message: String,
    },
    /// The thing a path or parameter names does not exist.
    #[error("{parameter}: {message}")]
    NotFound {
        parameter: &'static str,
        message: String,
    },
    /// The request body is not the JSON the route takes (malformed, a
    /// missing or mistyped field, not JSON at all): axum's status for it.
    #[error("body: {message}")]
    BadBody { status: StatusCode, message: String },
    #[error("no route for this path")]
    NoRoute,
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad(parameter: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadParameter {
            parameter,
            message: message.into(),
        }
    }
    pub fn not_found(parameter: &'static str, message: impl Into<String>) -> Self {
        ApiError::NotFound {
            parameter,
            message: message.into(),
        }
    }
}

/// A 500 for a failure the client cannot fix; the cause is logged, never sent.
pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(cause = %e, "request failed");
    ApiError::Internal(e.to_string()).into_response()
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The query or path parameter at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title, parameter) = match &self {
            ApiError::BadParameter { parameter, .. } => (
                StatusCode::BAD_REQUEST,
                "bad-parameter",
                "Invalid parameter",
                Some(*parameter),
            ),
            ApiError::NotFound { parameter, .. } => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                Some(*parameter),
            ),
            ApiError::BadBody { status, .. } => {
                (*status, "bad-body", "Invalid request body", Some("body"))
            }
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "not-found", "Not found", None),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    None,
                )
            }
        };
        let problem = Problem {
            kind: format!("/api/v1/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.to_string(),
            parameter: parameter.map(str::to_string),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

/// `Json<T>` whose refusal is a problem document naming the body and what
/// is wrong with it (axum's own is plain text): 400 malformed JSON, 422 a
/// missing or mistyped field, 415 not JSON, 413 too large.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError::BadBody {
                status: rejection.status(),
                message: rejection.body_text(),
            }),
        }
    }
}
