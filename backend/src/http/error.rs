//! The one HTTP error type: every failure of a handler becomes one of
//! these, mapped once to a status and an `application/problem+json` body
//! (RFC 9457) that names the offending parameter. Internal causes are
//! logged, never sent.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::password::HashError;
use crate::participation;
use crate::store::StoreError;

/// Every way a handler fails. The handler returns it with `?`; it is
/// turned into a response once: a problem document here, replaced by a
/// page in the reader's language for a browser's request outside `/api/`
/// (`denied::render_failures`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    #[error("no route for this path")]
    NoRoute,
    /// A request body that cannot be read, with axum's status (400, 413, 415, 422).
    #[error("body: {message}")]
    BadBody { status: StatusCode, message: String },
    /// A lab operation refused (see `participation::Error`).
    #[error(transparent)]
    Lab(#[from] participation::Error),
    /// Too many password checks are already waiting (503, Retry-After: 2).
    #[error("The server is very busy right now. Try again in a few seconds.")]
    Busy,
    #[error("internal error")]
    Internal(String),
}

/// The official API's name for the same type.
pub type ApiError = Error;

impl Error {
    pub fn bad(parameter: &'static str, message: impl Into<String>) -> Self {
        Error::BadParameter {
            parameter,
            message: message.into(),
        }
    }
    pub fn not_found(parameter: &'static str, message: impl Into<String>) -> Self {
        Error::NotFound {
            parameter,
            message: message.into(),
        }
    }

    /// Too many attempts: wait this long (429 with Retry-After), the
    /// same refusal as the lab's rate limit.
    pub fn rate_limited(wait: Duration) -> Self {
        Error::Lab(participation::Error::RateLimited(wait))
    }

    pub fn status(&self) -> StatusCode {
        use participation::Error as Lab;
        match self {
            Error::BadParameter { .. } => StatusCode::BAD_REQUEST,
            Error::BadBody { status, .. } => *status,
            Error::NotFound { .. } | Error::NoRoute => StatusCode::NOT_FOUND,
            Error::Lab(Lab::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Lab(Lab::NotFound(_)) => StatusCode::NOT_FOUND,
            Error::Lab(Lab::NotAuthor | Lab::NotAllowed(_) | Lab::Unverified) => {
                StatusCode::FORBIDDEN
            }
            Error::Lab(Lab::Locked { .. }) => StatusCode::CONFLICT,
            Error::Lab(Lab::RateLimited(_)) => StatusCode::TOO_MANY_REQUESTS,
            Error::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Error::Lab(Lab::Store(_)) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem type's last segment and the problem's title (it, en).
    pub fn kind(&self) -> (&'static str, (&'static str, &'static str)) {
        use participation::Error as Lab;
        match self {
            Error::BadParameter { .. } => (
                "bad-parameter",
                ("Parametro non valido", "Invalid parameter"),
            ),
            Error::BadBody { .. } => (
                "bad-body",
                ("Richiesta non leggibile", "Invalid request body"),
            ),
            Error::NotFound { .. } | Error::NoRoute | Error::Lab(Lab::NotFound(_)) => {
                ("not-found", ("Non trovato", "Not found"))
            }
            Error::Lab(Lab::Invalid(_)) => ("invalid", ("Dati da correggere", "Invalid input")),
            Error::Lab(Lab::NotAuthor | Lab::NotAllowed(_)) => {
                ("forbidden", ("Non consentito", "Not allowed"))
            }
            Error::Lab(Lab::Unverified) => (
                "unverified",
                ("Conferma il tuo indirizzo", "Confirm your address"),
            ),
            Error::Lab(Lab::Locked { .. }) => {
                ("locked", ("Discussione chiusa", "Discussion locked"))
            }
            Error::Lab(Lab::RateLimited(_)) => {
                ("rate-limited", ("Troppi tentativi", "Too many attempts"))
            }
            Error::Busy => ("busy", ("Servizio occupato", "Service busy")),
            Error::Lab(Lab::Store(_)) | Error::Internal(_) => {
                ("internal", ("Errore interno", "Internal error"))
            }
        }
    }

    /// What the problem says, in English (the API's language): never an internal cause.
    fn detail(&self) -> String {
        use participation::Error as Lab;
        match self {
            Error::Lab(Lab::Store(_)) | Error::Internal(_) => "internal error".into(),
            Error::Lab(Lab::NotAuthor) => "Only the author can do this.".into(),
            Error::Lab(Lab::Unverified) => "To do this, first confirm your e-mail address.".into(),
            Error::Lab(Lab::Locked { .. }) => {
                "A moderator has locked this discussion: no new messages can be added.".into()
            }
            Error::Lab(Lab::RateLimited(_)) => {
                "Too many attempts in a short time. Wait a moment and try again.".into()
            }
            other => other.to_string(),
        }
    }

    /// The field or parameter at fault, when there is one.
    fn parameter(&self) -> Option<String> {
        match self {
            Error::BadParameter { parameter, .. } | Error::NotFound { parameter, .. } => {
                Some(parameter.to_string())
            }
            Error::BadBody { .. } => Some("body".into()),
            Error::Lab(participation::Error::Invalid(p)) => p.first().map(|p| p.field.to_string()),
            _ => None,
        }
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, (_, title)) = self.kind();
        let errors = match self {
            Error::Lab(participation::Error::Invalid(p)) => Some(
                p.iter()
                    .map(|p| FieldDetail {
                        field: p.field.to_string(),
                        detail: p.en.clone(),
                    })
                    .collect(),
            ),
            _ => None,
        };
        Problem {
            kind: format!("/api/v1/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.detail(),
            parameter: self.parameter(),
            errors,
        }
    }
}

/// A failed handler's error, kept in its response for the one place that
/// renders failures for browsers.
#[derive(Clone)]
pub struct Failure(pub Arc<Error>);

/// A 500 for a failure the client cannot fix; the cause is logged, never sent.
pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    Error::Internal(e.to_string()).into_response()
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

impl From<HashError> for Error {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => Error::Busy,
            HashError::Internal(m) => Error::Internal(m),
        }
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
    /// Every field at fault, for a request body with problems (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldDetail>>,
}

/// One field of a request body and what is wrong with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDetail {
    pub field: String,
    pub detail: String,
}

/// A problem document as an answer in the OpenAPI document: one type a
/// status, for the `responses(...)` of `utoipa::path` (a response that says
/// more than its status keeps its own tuple, with a description).
macro_rules! problem_responses {
    ($($name:ident = $status:tt),* $(,)?) => {$(
        #[derive(utoipa::IntoResponses)]
        #[response(status = $status, content_type = "application/problem+json")]
        pub struct $name(pub Problem);
    )*};
}

problem_responses!(
    BadRequest = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    Unprocessable = 422,
    TooMany = 429,
);

/// What a JSON body sent to the API can be refused with before its handler
/// runs (the extractor `ApiJson` and the CSRF guard).
#[derive(utoipa::IntoResponses)]
pub enum BodyRefused {
    /// Malformed JSON
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// Sent by another site's page (CSRF)
    #[response(status = 403, content_type = "application/problem+json")]
    CrossSite(Problem),
    /// Not JSON
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
    /// A field missing or of the wrong type
    #[response(status = 422, content_type = "application/problem+json")]
    Mistyped(Problem),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        // Logged in the request's span, so with its request id.
        match &self {
            Error::Internal(cause) => tracing::error!(%cause, "internal error"),
            Error::Lab(participation::Error::Store(cause)) => {
                tracing::error!(%cause, "internal error")
            }
            _ => {}
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        match &self {
            Error::Lab(participation::Error::RateLimited(wait)) => {
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Error::Busy => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            }
            _ => {}
        }
        response.extensions_mut().insert(Failure(Arc::new(self)));
        response
    }
}
