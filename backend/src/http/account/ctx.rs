//! What every account page shares: the `Ctx` extractor (language, CSRF
//! token, who is asking, the page's own address, the client's address and
//! agent), the personal page and redirect that are never cached, the
//! notices shown after a redirect, dates, and the views of roles and
//! association requests. The lab's and the admin's pages use them too.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use openwelfare_frontend::account::{self as views, Common, FieldError};
use openwelfare_frontend::i18n::Lang;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::accounts::model::{AssociationRequest, RequestStatus};
use crate::accounts::Role;
use crate::http::denied;
use crate::http::session::{clear_session_cookies, client_ip, CsrfCookie, Identity, Principal};
use crate::http::state::AppState;

/// What every account handler needs to know about the request.
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub who: Option<Principal>,
    pub here: String,
    pub ip: IpAddr,
    pub user_agent: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = crate::http::lang::query_of(&parts.uri);
        let lang = crate::http::lang::language(&query, &parts.headers).0;
        let csrf = parts
            .extensions
            .get::<CsrfCookie>()
            .map(|c| c.token(state))
            .unwrap_or_default();
        let who = parts.extensions.get::<Identity>().and_then(|i| i.0.clone());
        let kept: Vec<(String, String)> = query
            .into_iter()
            .filter(|(k, _)| k != "lang" && k != "msg")
            .collect();
        let here = if kept.is_empty() {
            parts.uri.path().to_string()
        } else {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish();
            format!("{}?{q}", parts.uri.path())
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = client_ip(&parts.headers, peer, &state.config.trusted_proxies);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(Ctx {
            lang,
            csrf,
            who,
            here,
            ip,
            user_agent,
        })
    }
}

impl Ctx {
    pub(crate) fn common<'a>(
        &'a self,
        notice: Option<String>,
        errors: &'a [FieldError],
    ) -> Common<'a> {
        Common {
            lang: self.lang,
            csrf: &self.csrf,
            here: &self.here,
            notice,
            errors,
        }
    }

    /// A form page, never cached: `view` of `data` with the page's common
    /// parts, the notice a redirect asked for, or the errors of a refused
    /// form (then 422).
    pub(crate) fn form_page<V>(
        &self,
        notice: Option<String>,
        errors: &[FieldError],
        view: fn(&Common, &V) -> maud::Markup,
        data: &V,
    ) -> Response {
        page(
            form_status(errors),
            view(&self.common(notice, errors), data),
        )
    }

    pub(super) fn pick(&self, it: &str, en: &str) -> String {
        self.lang.pick(it, en).to_string()
    }

    pub(super) fn error(&self, field: &'static str, it: &str, en: &str) -> FieldError {
        FieldError {
            field,
            message: self.pick(it, en),
        }
    }

    /// A page that says one thing, with an optional link onwards.
    pub(super) fn message(
        &self,
        status: StatusCode,
        title: (&str, &str),
        body: (&str, &str),
        link: Option<(&str, &str)>,
    ) -> Response {
        denied::respond_at(
            &self.here, false, self.lang, status, "message", title, body, link,
        )
    }
}

/// The status of a form page: 422 when it shows errors.
pub(crate) fn form_status(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A personal page: never cached, anywhere.
pub(crate) fn page(status: StatusCode, markup: maud::Markup) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) fn see_other(to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A redirect to `to` that also drops the session's cookies.
pub(super) fn signed_out(state: &AppState, to: &str) -> Response {
    let mut response = see_other(to);
    clear_session_cookies(response.headers_mut(), state);
    response
}

/// Short notices after a redirect, by code.
pub(crate) fn notice(ctx: &Ctx, code: Option<&str>) -> Option<String> {
    let (it, en) = match code? {
        "saved" => ("Modifiche salvate.", "Changes saved."),
        "verification-sent" => (
            "Ti abbiamo mandato un nuovo link di verifica.",
            "We sent you a new verification link.",
        ),
        "password-changed" => (
            "Password cambiata. Le altre sessioni sono state chiuse.",
            "Password changed. Your other sessions were closed.",
        ),
        "password-reset" => (
            "Password reimpostata: ora puoi accedere.",
            "Password reset: you can log in now.",
        ),
        "email-sent" => (
            "Ti abbiamo mandato un link al nuovo indirizzo: seguilo per confermarlo.",
            "We sent a link to the new address: follow it to confirm.",
        ),
        "revoked" => ("Sessione chiusa.", "Session closed."),
        "logged-out" => (
            "Sei uscito da tutte le sessioni.",
            "You are logged out of every session.",
        ),
        "verified" => ("Indirizzo confermato.", "Address confirmed."),
        "request-sent" => (
            "Richiesta inviata: un amministratore la esaminerà.",
            "Request sent: an administrator will review it.",
        ),
        "2fa-disabled" => (
            "Verifica in due passaggi disattivata.",
            "Two-factor authentication disabled.",
        ),
        "role" => ("Ruolo cambiato.", "Role changed."),
        "banned" => ("Utente sospeso.", "User suspended."),
        "unbanned" => ("Sospensione revocata.", "Suspension lifted."),
        "decided" => ("Decisione registrata.", "Decision recorded."),
        _ => return None,
    };
    Some(ctx.pick(it, en))
}

/// The query of the account pages: the notice, where to go next, a link's token.
#[derive(Deserialize, Default)]
pub struct MsgQuery {
    pub(super) msg: Option<String>,
    pub(super) next: Option<String>,
    pub(super) token: Option<String>,
}

impl MsgQuery {
    /// The notice this query asks for.
    pub(crate) fn notice(&self, ctx: &Ctx) -> Option<String> {
        notice(ctx, self.msg.as_deref())
    }
}

pub(crate) fn role_view(role: Role) -> views::Role {
    match role {
        Role::Citizen => views::Role::Citizen,
        Role::Association => views::Role::Association,
        Role::Moderator => views::Role::Moderator,
        Role::Admin => views::Role::Admin,
    }
}

/// An association request as the profile and the request page show it.
pub(super) fn association_info(r: &AssociationRequest) -> views::AssociationInfo<'_> {
    views::AssociationInfo {
        name: &r.name,
        website: &r.website,
        tax_code: &r.tax_code,
        status: match r.status {
            RequestStatus::Pending => views::RequestStatus::Pending,
            RequestStatus::Approved => views::RequestStatus::Approved,
            RequestStatus::Rejected => views::RequestStatus::Rejected,
        },
        note: r.note.as_deref(),
    }
}

pub(crate) fn date(lang: Lang, t: OffsetDateTime) -> String {
    lang.date(t.year(), u8::from(t.month()), t.day())
}

pub(super) fn date_time(lang: Lang, t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", date(lang, t), t.hour(), t.minute())
}
