//! Refusals (401, 403, 429, 503) in the form the asker understands: a page
//! in their language for browsers, an `application/problem+json` document
//! for API clients (any path under `/api/`).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use openwelfare_frontend::account::{self, Common, MessageView};
use openwelfare_frontend::i18n::Lang;

use super::error::Problem;

/// The reader's language for a request we refuse.
pub fn lang_of(request: &Request) -> Lang {
    let query: HashMap<String, String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    super::lang::language(&query, request.headers()).0
}

pub fn is_api(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

/// A refusal: `kind` names it in the problem type, `title` and `detail`
/// are (Italian, English).
pub fn page_or_problem(
    request: &Request,
    status: StatusCode,
    kind: &str,
    title: (&str, &str),
    detail: (&str, &str),
) -> Response {
    respond(
        is_api(request),
        lang_of(request),
        status,
        kind,
        title,
        detail,
        None,
    )
}

pub fn respond(
    api: bool,
    lang: Lang,
    status: StatusCode,
    kind: &str,
    title: (&str, &str),
    detail: (&str, &str),
    link: Option<(&str, &str)>,
) -> Response {
    respond_at("/", api, lang, status, kind, title, detail, link)
}

/// As `respond`, on the page at `here` (for its language switch).
#[allow(clippy::too_many_arguments)]
pub fn respond_at(
    here: &str,
    api: bool,
    lang: Lang,
    status: StatusCode,
    kind: &str,
    title: (&str, &str),
    detail: (&str, &str),
    link: Option<(&str, &str)>,
) -> Response {
    if api {
        let problem = Problem {
            kind: format!("/api/v1/problems/{kind}"),
            title: title.1.to_string(),
            status: status.as_u16(),
            detail: detail.1.to_string(),
            parameter: None,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        return (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
    }
    let title = lang.pick(title.0, title.1);
    let page = account::message(
        &Common {
            lang,
            csrf: "",
            here,
            notice: None,
            errors: &[],
        },
        &MessageView {
            title,
            body: lang.pick(detail.0, detail.1),
            link,
        },
    );
    (status, Html(page.into_string())).into_response()
}

/// 429 with Retry-After in whole seconds (at least 1).
pub fn too_many(api: bool, lang: Lang, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = respond(
        api,
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        ("Troppi tentativi", "Too many attempts"),
        (
            "Hai fatto troppi tentativi in poco tempo. Aspetta un momento e riprova.",
            "Too many attempts in a short time. Wait a moment and try again.",
        ),
        None,
    );
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// 503 when too many password checks are already waiting.
pub fn busy(api: bool, lang: Lang) -> Response {
    let mut response = respond(
        api,
        lang,
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        ("Servizio occupato", "Service busy"),
        (
            "Il server è molto occupato in questo momento. Riprova tra qualche secondo.",
            "The server is very busy right now. Try again in a few seconds.",
        ),
        None,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    response
}
