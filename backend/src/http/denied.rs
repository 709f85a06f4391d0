//! Refusals (401, 403, 429, 503) in the form the asker understands: a page
//! in their language for browsers, an `application/problem+json` document
//! for API clients (any path under `/api/`).

use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use openwelfare_frontend::account::{self, Common, MessageView};
use openwelfare_frontend::i18n::Lang;

use super::error::{Error, Failure, Problem};

/// The reader's language for a request we refuse.
pub fn lang_of(request: &Request) -> Lang {
    super::lang::language_of(request.uri(), request.headers())
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
    respond_at(
        "/",
        is_api(request),
        lang_of(request),
        status,
        kind,
        title,
        detail,
        None,
    )
}

/// A refusal or a message: a problem document for the API, else a page
/// at `here` (for its language switch; "/" when it has no page of its own).
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
            errors: None,
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
    let mut response = respond_at(
        "/",
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
    let mut response = respond_at(
        "/",
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

/// Would this request rather read a page than a problem document? Any
/// request outside `/api/` that asks for HTML, and every form sent there.
fn wants_page(request: &Request) -> bool {
    !is_api(request)
        && (request.method() == axum::http::Method::POST
            || request
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html")))
}

/// The one place a handler's `Error` becomes a page: for a browser, the
/// problem document the error made is replaced by a page in the reader's
/// language, with the same status (and Retry-After). API clients keep the
/// problem document.
pub async fn render_failures(request: Request, next: axum::middleware::Next) -> Response {
    if !wants_page(&request) {
        return next.run(request).await;
    }
    let lang = lang_of(&request);
    let here = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let Some(Failure(error)) = response.extensions_mut().remove::<Failure>() else {
        return response;
    };
    let mut page = failure_page(&error, lang, &here);
    if let Some(wait) = response.headers().get(header::RETRY_AFTER).cloned() {
        page.headers_mut().insert(header::RETRY_AFTER, wait);
    }
    page
}

fn failure_page(error: &Error, lang: Lang, here: &str) -> Response {
    use crate::participation::Error as Lab;
    let status = error.status();
    let (kind, title) = error.kind();
    // The page's text and its way on: all but four kinds are one message page.
    let (detail, link): ((&str, &str), Option<(&str, &str)>) = match error {
        Error::NotFound { .. } | Error::NoRoute | Error::Lab(Lab::NotFound(_)) => {
            return (
                status,
                Html(openwelfare_frontend::views::not_found().into_string()),
            )
                .into_response()
        }
        Error::Lab(Lab::RateLimited(wait)) => return too_many(false, lang, *wait),
        Error::Busy => return busy(false, lang),
        Error::Lab(Lab::Invalid(problems)) => {
            let text: Vec<&str> = problems.iter().map(|p| lang.pick(&p.it, &p.en)).collect();
            let text = text.join(" ");
            return respond_at(here, false, lang, status, kind, title, (&text, &text), None);
        }
        Error::Lab(Lab::NotAuthor) => (
            ("Solo l'autore può farlo.", "Only the author can do this."),
            None,
        ),
        Error::Lab(Lab::Unverified) => (
            (
                "Per farlo devi prima confermare il tuo indirizzo email: segui il link che ti abbiamo mandato, o chiedine un altro dal tuo profilo.",
                "To do this, first confirm your e-mail address: follow the link we sent you, or ask for another from your profile.",
            ),
            Some(("/account", lang.pick("Il tuo profilo", "Your profile"))),
        ),
        Error::Lab(Lab::NotAllowed(_)) => (
            ("Non si può più modificare.", "This can no longer be changed."),
            None,
        ),
        Error::Lab(Lab::Locked { at }) => (
            (
                "Un moderatore ha chiuso questa discussione: non si possono aggiungere messaggi.",
                "A moderator has locked this discussion: no new messages can be added.",
            ),
            Some((
                at.as_str(),
                lang.pick("Torna alla discussione", "Back to the discussion"),
            )),
        ),
        Error::BadParameter { .. }
        | Error::BadBody { .. }
        | Error::Lab(Lab::Store(_))
        | Error::Internal(_) => (
            if status.is_server_error() {
                (
                    "Qualcosa è andato storto da parte nostra. Riprova tra poco.",
                    "Something went wrong on our side. Try again shortly.",
                )
            } else {
                ("La richiesta non è valida.", "The request is not valid.")
            },
            Some(("/", lang.pick("Torna alla mappa", "Back to the map"))),
        ),
    };
    respond_at(here, false, lang, status, kind, title, detail, link)
}
