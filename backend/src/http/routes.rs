//! The route table (every route with its access rule), the router built
//! from it, and the middleware every request passes through (request id,
//! tracing without query strings, compression, time and size limits,
//! security headers).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, State};
use axum::http::{header, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::{Json, Router};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::access::{self, Rule};
use super::state::{AppState, DataStatus};
use super::{
    account, admin, api, auth_api, denied, details, lab, lab_api, lang, live, moderation_api,
    moderation_pages, openapi, pages, session,
};

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

/// Our own scripts, styles and images only; no `<base>` (an injected one
/// would redirect every relative link and form); forms post here only.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

/// No page uses the camera, microphone, location, payments or USB (see
/// static/*.js); nor may anything embedded. No interest-based ad topics.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=(), interest-cohort=()";

/// One route of the table: method, path, who may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub rule: Rule,
}

/// Every route with its access rule: the router is built from this table,
/// so no route exists without a rule (see `access`).
#[rustfmt::skip]
fn table() -> Vec<(Method, &'static str, Rule, MethodRouter<AppState>)> {
    use Rule::*;
    vec![
        (Method::GET, "/", Public, get(pages::home)),
        (Method::GET, "/tabella", Public, get(pages::table)),
        (Method::GET, "/embed", Public, get(pages::embed)),
        (Method::GET, "/mappa.svg", Public, get(pages::map_svg)),
        (Method::GET, "/mappa.png", Public, get(pages::map_png)),
        (Method::GET, "/mappa.geojson", Public, get(pages::map_geojson)),
        (Method::GET, "/mappa.csv", Public, get(pages::map_csv)),
        (Method::GET, "/static/{file}", Public, get(pages::static_asset)),
        (Method::GET, "/quartieri/{slug}", Public, get(details::quartiere_page::<2016>)),
        (Method::GET, "/quartieri/2014/{slug}", Public, get(details::quartiere_page::<2014>)),
        (Method::GET, "/datasets", Public, get(details::datasets)),
        (Method::GET, "/datasets/{slug}", Public, get(details::dataset)),
        (Method::GET, "/healthz", Public, get(healthz)),
        (Method::GET, "/readyz", Public, get(readyz)),
        (Method::GET, "/ws", Public, get(live::upgrade)),
        (Method::GET, "/api/v1/openapi.json", Public, get(openapi::openapi)),
        (Method::GET, "/api/v1/datasets", Public, get(api::list_datasets)),
        (Method::GET, "/api/v1/datasets/{slug}", Public, get(api::get_dataset)),
        (Method::GET, "/api/v1/areas", Public, get(api::list_areas)),
        (Method::GET, "/api/v1/areas/resolve", Public, get(api::resolve_area)),
        (Method::GET, "/api/v1/observations", Public, get(api::observations)),
        (Method::POST, "/api/v1/auth/token", Public, post(auth_api::token)),
        (Method::POST, "/api/v1/auth/refresh", Public, post(auth_api::refresh)),
        (Method::POST, "/api/v1/auth/logout", SignedIn, post(auth_api::logout)),
        (Method::GET, "/api/v1/me", SignedIn, get(auth_api::me)),
        (Method::GET, "/account/registrati", Public, get(account::signup_page)),
        (Method::POST, "/account/registrati", Public, post(account::signup)),
        (Method::GET, "/account/accedi", Public, get(account::login_page)),
        (Method::POST, "/account/accedi", Public, post(account::login)),
        (Method::GET, "/account/accedi/codice", Public, get(account::second_factor_page)),
        (Method::POST, "/account/accedi/codice", Public, post(account::second_factor)),
        (Method::POST, "/account/esci", Public, post(account::logout)),
        (Method::POST, "/account/esci-ovunque", SignedIn, post(account::logout_everywhere)),
        (Method::GET, "/account/verifica", Public, get(account::verify)),
        (Method::POST, "/account/verifica/invia", SignedIn, post(account::resend_verification)),
        (Method::GET, "/account/password-dimenticata", Public, get(account::forgot_page)),
        (Method::POST, "/account/password-dimenticata", Public, post(account::forgot)),
        (Method::GET, "/account/reimposta", Public, get(account::reset_page)),
        (Method::POST, "/account/reimposta", Public, post(account::reset)),
        (Method::GET, "/account/email/conferma", Public, get(account::confirm_email)),
        (Method::GET, "/account", SignedIn, get(account::profile_page)),
        (Method::POST, "/account/profilo", SignedIn, post(account::update_profile)),
        (Method::GET, "/account/impostazioni", SignedIn, get(account::settings_page)),
        (Method::POST, "/account/password", SignedIn, post(account::change_password)),
        (Method::POST, "/account/email", SignedIn, post(account::change_email)),
        (Method::POST, "/account/elimina", SignedIn, post(account::delete_account)),
        (Method::GET, "/account/dati", SignedIn, get(account::export)),
        (Method::GET, "/account/sessioni", SignedIn, get(account::sessions_page)),
        (Method::POST, "/account/sessioni/{id}/revoca", SignedIn, post(account::revoke_session)),
        (Method::GET, "/account/2fa", SignedIn, get(account::two_factor_page)),
        (Method::POST, "/account/2fa/avvia", SignedIn, post(account::totp_start)),
        (Method::POST, "/account/2fa/conferma", SignedIn, post(account::totp_confirm)),
        (Method::POST, "/account/2fa/codici", SignedIn, post(account::totp_codes)),
        (Method::POST, "/account/2fa/disattiva", SignedIn, post(account::totp_disable)),
        (Method::GET, "/account/associazione", Verified, get(account::association_page)),
        (Method::POST, "/account/associazione", Verified, post(account::association_submit)),
        (Method::GET, "/utenti/{id}", Public, get(account::public_profile)),
        (Method::POST, "/quartieri/{slug}/annotazioni", Verified, post(lab::create_annotation::<2016>)),
        (Method::POST, "/quartieri/2014/{slug}/annotazioni", Verified, post(lab::create_annotation::<2014>)),
        (Method::GET, "/annotazioni/{id}", Public, get(lab::annotation_page)),
        (Method::GET, "/annotazioni/{id}/modifica", Verified, get(lab::edit_annotation_page)),
        (Method::POST, "/annotazioni/{id}/modifica", Verified, post(lab::edit_annotation)),
        (Method::POST, "/annotazioni/{id}/elimina", Verified, post(lab::delete_annotation)),
        (Method::GET, "/annotazioni/{id}/cronologia", Public, get(lab::annotation_history)),
        (Method::GET, "/messaggi/{id}", Public, get(lab::post_page)),
        (Method::GET, "/messaggi/{id}/modifica", Verified, get(lab::edit_post_page)),
        (Method::POST, "/messaggi/{id}/modifica", Verified, post(lab::edit_post)),
        (Method::POST, "/messaggi/{id}/elimina", Verified, post(lab::delete_post)),
        (Method::GET, "/messaggi/{id}/cronologia", Public, get(lab::post_history)),
        (Method::POST, "/discussioni/{kind}/{key}/messaggi", Verified, post(lab::create_post)),
        (Method::POST, "/discussioni/{id}/blocca", Moderator, post(lab::lock_thread)),
        (Method::POST, "/messaggi/{id}/utile", Verified, post(lab::toggle_useful)),
        (Method::GET, "/notifiche", SignedIn, get(lab::notifications_page)),
        (Method::POST, "/notifiche/lette", SignedIn, post(lab::mark_all_read)),
        (Method::POST, "/notifiche/{id}/letta", SignedIn, post(lab::mark_one_read)),
        (Method::GET, "/api/v1/notifications/unread", SignedIn, get(lab::unread_count)),
        (Method::GET, "/api/v1/annotations", Public, get(lab_api::list_annotations)),
        (Method::POST, "/api/v1/annotations", Verified, post(lab_api::create_annotation)),
        (Method::GET, "/api/v1/annotations/{id}", Public, get(lab_api::get_annotation)),
        (Method::PATCH, "/api/v1/annotations/{id}", Verified, patch(lab_api::edit_annotation)),
        (Method::DELETE, "/api/v1/annotations/{id}", Verified, delete(lab_api::delete_annotation)),
        (Method::GET, "/api/v1/discussions/{kind}/{key}", Public, get(lab_api::get_discussion)),
        (Method::POST, "/api/v1/discussions/{kind}/{key}/posts", Verified, post(lab_api::create_post)),
        (Method::GET, "/api/v1/posts/{id}", Public, get(lab_api::get_post)),
        (Method::PATCH, "/api/v1/posts/{id}", Verified, patch(lab_api::edit_post)),
        (Method::DELETE, "/api/v1/posts/{id}", Verified, delete(lab_api::delete_post)),
        (Method::POST, "/api/v1/posts/{id}/useful", Verified, post(lab_api::toggle_useful)),
        (Method::GET, "/api/v1/follows", SignedIn, get(lab_api::list_follows)),
        (Method::POST, "/api/v1/follows", SignedIn, post(lab_api::follow)),
        (Method::DELETE, "/api/v1/follows/{subject}", SignedIn, delete(lab_api::unfollow)),
        (Method::GET, "/api/v1/notifications", SignedIn, get(lab_api::list_notifications)),
        (Method::POST, "/api/v1/notifications/read", SignedIn, post(lab_api::mark_read)),
        (Method::GET, "/segnala", Public, get(lab::report_page)),
        (Method::POST, "/segnala", Public, post(lab::report)),
        (Method::GET, "/api/v1/reports/reasons", Public, get(moderation_api::reasons)),
        (Method::POST, "/api/v1/reports", Public, post(moderation_api::report)),
        (Method::GET, "/moderazione", Moderator, get(moderation_pages::queue_page)),
        (Method::POST, "/moderazione/decisioni", Moderator, post(moderation_pages::decide)),
        (Method::GET, "/moderazione/registro", Public, get(moderation_pages::log_page)),
        (Method::GET, "/api/v1/moderation/log", Public, get(moderation_api::log)),
        (Method::GET, "/api/v1/moderation/queue", Moderator, get(moderation_api::queue)),
        (Method::POST, "/api/v1/moderation/decisions", Moderator, post(moderation_api::decide)),
        (Method::GET, "/seguiti", SignedIn, get(lab::follows_page)),
        (Method::POST, "/seguiti", SignedIn, post(lab::follow)),
        (Method::POST, "/seguiti/rimuovi", SignedIn, post(lab::unfollow)),
        (Method::GET, "/seguiti/disiscrivi", Public, get(lab::unsubscribe)),
        (Method::GET, "/admin/utenti", Admin, get(admin::users_page)),
        (Method::POST, "/admin/utenti/{id}/ruolo", Admin, post(admin::set_role)),
        (Method::POST, "/admin/utenti/{id}/sospendi", Moderator, post(admin::ban::<true>)),
        (Method::POST, "/admin/utenti/{id}/riattiva", Moderator, post(admin::ban::<false>)),
        (Method::GET, "/admin/associazioni", Admin, get(admin::associations_page)),
        (Method::POST, "/admin/associazioni/{id}/approva", Admin, post(admin::approve)),
        (Method::POST, "/admin/associazioni/{id}/rifiuta", Admin, post(admin::reject)),
    ]
}

/// The route table without its handlers: for the route x role test and the docs.
pub fn routes() -> Vec<RouteSpec> {
    table()
        .into_iter()
        .map(|(method, path, rule, _)| RouteSpec {
            method: match method {
                Method::GET => "GET",
                Method::PATCH => "PATCH",
                Method::DELETE => "DELETE",
                _ => "POST",
            },
            path,
            rule,
        })
        .collect()
}

pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let body_limit = state.config.max_body_bytes;
    // HSTS only where the public URL is https: on plain http it would be ignored or wrong.
    let hsts = (state.config.public_url.scheme() == "https")
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let allowed = Arc::new(allowed_methods());
    let mut routes = Router::new();
    for (_, path, rule, handler) in table() {
        let guarded = handler.route_layer(middleware::from_fn(move |request, next| {
            access::guard(rule, request, next)
        }));
        routes = routes.route(path, guarded);
    }
    routes
        .fallback(pages::not_found)
        // Innermost: a handler's Error becomes a page here for browsers.
        .layer(middleware::from_fn(denied::render_failures))
        .layer(middleware::from_fn_with_state(state.clone(), session::csrf_guard))
        .layer(middleware::from_fn_with_state(state.clone(), session::identify))
        .layer(middleware::from_fn_with_state(state.clone(), lang::remember_language))
        // Outermost: a method the table does not route is 405, before any
        // other check (the CSRF guard would call a TRACE forged).
        .layer(middleware::from_fn(move |request, next| {
            method_not_allowed(allowed.clone(), request, next)
        }))
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
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
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

/// For each path of the table, the methods it answers (GET brings HEAD).
fn allowed_methods() -> HashMap<&'static str, Vec<Method>> {
    let mut allowed: HashMap<&'static str, Vec<Method>> = HashMap::new();
    for (method, path, _, _) in table() {
        let methods = allowed.entry(path).or_default();
        if method == Method::GET {
            methods.extend([Method::GET, Method::HEAD]);
        } else {
            methods.push(method);
        }
    }
    allowed
}

/// 405 with `Allow` (a problem document under /api/) for a method the
/// table does not route on a path it knows; unknown paths go on to 404.
async fn method_not_allowed(
    allowed: Arc<HashMap<&'static str, Vec<Method>>>,
    request: Request<axum::body::Body>,
    next: middleware::Next,
) -> Response {
    let methods = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| allowed.get(p.as_str()));
    let Some(methods) = methods.filter(|m| !m.contains(request.method())) else {
        return next.run(request).await;
    };
    let allow = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut response = denied::page_or_problem(
        &request,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        ("Metodo non consentito", "Method not allowed"),
        (
            "Questo indirizzo non accetta questo tipo di richiesta.",
            "This address does not take this kind of request.",
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
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
