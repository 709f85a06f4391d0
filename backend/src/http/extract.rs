//! What a handler needs, stated in its signature: `SignedIn`, `Verified`,
//! `Moderating` (a moderator or admin with the second factor given),
//! `Administering` (an admin with the second factor given) and
//! `CheckedForm` (a form that passed the CSRF check; `CsrfPassed` for a
//! request without one); and for the API, `ApiJson` and `ApiPath`, whose
//! rejections are problem documents naming the body or the parameter.
//!
//! The route table's rule (`access`) has already let the request in; the
//! extractors say so again where the handler uses the identity, so a
//! handler cannot forget the check, and a route put under a looser rule by
//! mistake refuses instead of acting.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::access::{refuse, Rule};
use super::error::Error;
use super::session::{forbidden_csrf, CsrfChecked, Identity, Principal};
use crate::participation::Actor;

/// A request with the method, path and headers of `parts`, to refuse it
/// the way the route guard would.
fn echo(parts: &Parts) -> Request {
    let mut request = Request::new(Body::empty());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = parts.uri.clone();
    *request.headers_mut() = parts.headers.clone();
    request
}

// A refusal is rare and its response is built once: the size of the Err is no cost.
#[allow(clippy::result_large_err)]
fn principal(parts: &Parts, rule: Rule) -> Result<Principal, Response> {
    let who = parts.extensions.get::<Identity>().and_then(|i| i.0.clone());
    match rule.check(who.as_ref()) {
        Ok(()) => who.ok_or_else(|| refuse(super::access::Denial::SignIn, &echo(parts))),
        Err(denial) => Err(refuse(denial, &echo(parts))),
    }
}

pub(super) fn actor_of(p: &Principal) -> Actor {
    Actor {
        user_id: p.user.id,
        verified: p.user.verified(),
        moderator: p.user.role >= crate::accounts::Role::Moderator && p.powers_unlocked(),
    }
}

macro_rules! identity_extractor {
    ($name:ident, $rule:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone)]
        pub struct $name(pub Principal);

        impl $name {
            /// The user as the lab's operations know them.
            #[allow(dead_code)] // not every identity acts in the lab (`Administering`)
            pub fn actor(&self) -> Actor {
                actor_of(&self.0)
            }
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = Response;

            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
                principal(parts, $rule).map($name)
            }
        }
    };
}

identity_extractor!(
    SignedIn,
    Rule::SignedIn,
    "A signed-in user, verified or not."
);
identity_extractor!(
    Verified,
    Rule::Verified,
    "A signed-in user whose address is verified."
);
identity_extractor!(
    Moderating,
    Rule::Moderator,
    "A moderator or an admin who gave the second factor in this session."
);
identity_extractor!(
    Administering,
    Rule::Admin,
    "An admin who gave the second factor in this session."
);

/// A state-changing request that passed the CSRF check, for a handler
/// that reads no form.
pub struct CsrfPassed;

impl<S: Send + Sync> FromRequestParts<S> for CsrfPassed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match parts.extensions.get::<CsrfChecked>() {
            Some(_) => Ok(CsrfPassed),
            None => Err(forbidden_csrf(&echo(parts))),
        }
    }
}

/// A form body that passed the CSRF check (`session::csrf_guard`).
pub struct CheckedForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CheckedForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        if request.extensions().get::<CsrfChecked>().is_none() {
            return Err(forbidden_csrf(&request));
        }
        axum::Form::<T>::from_request(request, state)
            .await
            .map(|f| CheckedForm(f.0))
            .map_err(IntoResponse::into_response)
    }
}

/// A path's parameters; one that does not parse (a word for an id) is a
/// problem document naming it, not axum's plain-text 400.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(ApiPath(p.0)),
            Err(rejection) => {
                use axum::extract::path::ErrorKind;
                use axum::extract::rejection::PathRejection;
                // The parameter at fault: named by the error, or the one the path has.
                let key = match &rejection {
                    PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                        ErrorKind::ParseErrorAtKey { key, .. }
                        | ErrorKind::InvalidUtf8InPathParam { key } => Some(key.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let key = match key {
                    Some(k) => Some(k),
                    None => axum::extract::RawPathParams::from_request_parts(parts, state)
                        .await
                        .ok()
                        .and_then(|raw| {
                            let mut names = raw.iter().map(|(k, _)| k.to_string());
                            match (names.next(), names.next()) {
                                (Some(only), None) => Some(only),
                                _ => None,
                            }
                        }),
                };
                let parameter = match key.as_deref() {
                    Some("id") => "id",
                    Some("kind") => "kind",
                    Some("key") => "key",
                    Some("subject") => "subject",
                    _ => "path",
                };
                Err(Error::bad(parameter, rejection.body_text()).into_response())
            }
        }
    }
}

/// A JSON body; when it cannot be read, a problem document with parameter
/// `body` and what is wrong (axum's account: the line and column, the
/// missing field), with axum's status (400, 415, 422, 413).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(j) => Ok(ApiJson(j.0)),
            Err(rejection) => Err(Error::BadBody {
                status: rejection.status(),
                message: rejection.body_text(),
            }
            .into_response()),
        }
    }
}
