//! The reader's language: `?lang=`, then the `lang` cookie, then
//! Accept-Language; a choice made with `?lang=` is remembered in the cookie.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use openwelfare_frontend::i18n::Lang;

use super::cookies::cookie;
use super::state::AppState;

const LANG_COOKIE: &str = "lang";

/// The reader's language: `?lang=`, then the cookie, then Accept-Language.
/// Returns whether the choice came from the query (then it is remembered).
pub fn language(query: &HashMap<String, String>, headers: &HeaderMap) -> (Lang, bool) {
    if let Some(lang) = query.get("lang").and_then(|l| Lang::parse(l)) {
        return (lang, true);
    }
    if let Some(lang) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return (lang, false);
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (Lang::from_accept_language(accept), false)
}

/// The query string's parameters (the last of a repeated name wins).
pub fn query_of(uri: &axum::http::Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// The reader's language for a request, from its URI and headers.
pub fn language_of(uri: &axum::http::Uri, headers: &HeaderMap) -> Lang {
    language(&query_of(uri), headers).0
}

/// Every page: a language chosen with `?lang=` is remembered in a cookie,
/// so the forms and redirects that follow keep it.
pub async fn remember_language(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let chosen = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    let response = next.run(request).await;
    match chosen {
        Some(lang) => {
            let already = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|v| v.as_bytes().starts_with(b"lang="));
            let secure = state.config.public_url.scheme() == "https";
            remember(response, lang, !already, secure)
        }
        None => response,
    }
}

pub fn remember(mut response: Response, lang: Lang, set: bool, secure: bool) -> Response {
    if set {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
