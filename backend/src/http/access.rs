//! Authorisation per route. Every route is declared with its rule in one
//! table (`http::routes`), and the router is built from that table, so a
//! route cannot exist without a rule; the route x role test walks the
//! same table, so a route it does not know fails it.
//!
//! Resource rules (only the author edits their text, a moderator cannot
//! ban an admin) are checked again in the handlers.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::denied;
use super::session::{sign_in_required, Identity, Principal};
use crate::accounts::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user, verified or not.
    SignedIn,
    /// A signed-in user whose address is verified.
    Verified,
    /// A moderator or an admin, with the second factor given.
    Moderator,
    /// An admin, with the second factor given.
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    SignIn,
    Verify,
    Role,
    SecondFactor,
}

impl Rule {
    pub fn check(self, who: Option<&Principal>) -> Result<(), Denial> {
        let needs_role = |roles: &[Role]| -> Result<(), Denial> {
            let p = who.ok_or(Denial::SignIn)?;
            if !roles.contains(&p.user.role) {
                return Err(Denial::Role);
            }
            if !p.powers_unlocked() {
                return Err(Denial::SecondFactor);
            }
            Ok(())
        };
        match self {
            Rule::Public => Ok(()),
            Rule::SignedIn => who.map(|_| ()).ok_or(Denial::SignIn),
            Rule::Verified => match who {
                None => Err(Denial::SignIn),
                Some(p) if !p.user.verified() => Err(Denial::Verify),
                Some(_) => Ok(()),
            },
            Rule::Moderator => needs_role(&[Role::Moderator, Role::Admin]),
            Rule::Admin => needs_role(&[Role::Admin]),
        }
    }
}

/// The route layer: apply `rule` before the handler runs.
pub async fn guard(rule: Rule, request: Request, next: Next) -> Response {
    let who = request
        .extensions()
        .get::<Identity>()
        .and_then(|i| i.0.clone());
    match rule.check(who.as_ref()) {
        Ok(()) => next.run(request).await,
        Err(denial) => refuse(denial, &request),
    }
}

pub(super) fn refuse(denial: Denial, request: &Request) -> Response {
    let api = denied::is_api(request);
    let lang = denied::lang_of(request);
    let here = request.uri().path();
    match denial {
        Denial::SignIn if api || request.method() != Method::GET => {
            if api {
                sign_in_required()
            } else {
                denied::respond_at(
                here,
                    false,
                    lang,
                    StatusCode::UNAUTHORIZED,
                    "sign-in",
                    ("Accesso richiesto", "Sign-in required"),
                    ("Accedi per continuare.", "Log in to continue."),
                    Some(("/account/accedi", lang.pick("Accedi", "Log in"))),
                )
            }
        }
        Denial::SignIn => {
            let here = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            let mut response = Redirect::to(&format!("/account/accedi?next={next}")).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Denial::Verify => denied::respond_at(
                here,
            api,
            lang,
            StatusCode::FORBIDDEN,
            "unverified",
            ("Conferma il tuo indirizzo", "Confirm your address"),
            (
                "Per farlo devi prima confermare il tuo indirizzo email: segui il link che ti abbiamo mandato, o chiedine un altro dal tuo profilo.",
                "To do this, first confirm your e-mail address: follow the link we sent you, or ask for another from your profile.",
            ),
            Some(("/account", lang.pick("Il tuo profilo", "Your profile"))),
        ),
        Denial::Role => denied::respond_at(
                here,
            api,
            lang,
            StatusCode::FORBIDDEN,
            "forbidden",
            ("Non consentito", "Not allowed"),
            (
                "Il tuo account non ha i permessi per questa pagina.",
                "Your account is not allowed to use this page.",
            ),
            None,
        ),
        Denial::SecondFactor => denied::respond_at(
                here,
            api,
            lang,
            StatusCode::FORBIDDEN,
            "second-factor",
            ("Serve la verifica in due passaggi", "Two-factor authentication required"),
            (
                "Moderatori e amministratori possono usare i loro poteri solo con la verifica in due passaggi attiva e usata per accedere.",
                "Moderators and admins can use their powers only with two-factor authentication enabled and used to log in.",
            ),
            Some(("/account/2fa", lang.pick("Verifica in due passaggi", "Two-factor authentication"))),
        ),
    }
}
