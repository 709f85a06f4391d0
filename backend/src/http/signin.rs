//! Checking an address and a password, for the log-in page and the token
//! endpoint alike: rate limits first (a refused attempt costs no hashing),
//! the same work and the same answer for an unknown address, and an old
//! hash upgraded on success.

use std::net::IpAddr;
use std::time::Duration;

use super::state::AppState;
use crate::accounts::limits::Door;
use crate::accounts::normalize_email;
use crate::accounts::password::HashError;
use crate::accounts::User;

/// Check an address and password, with the same answer and the same work
/// for an unknown address; upgrade an old hash on success.
pub enum Credentials {
    Good(Box<User>),
    Bad,
    Limited(Duration),
    Busy,
    Failed(String),
}

pub async fn check_credentials(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    password: &str,
) -> Credentials {
    let email = normalize_email(email);
    // Limits first: a refused attempt costs no hashing.
    if let Err(wait) = state
        .auth
        .limits
        .ip(Door::LogIn, ip)
        .and_then(|()| state.auth.limits.account(Door::LogIn, &email))
    {
        return Credentials::Limited(wait);
    }
    let user = match state.store.user_by_email(&email).await {
        Ok(u) => u,
        Err(e) => return Credentials::Failed(e.to_string()),
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = if password.chars().count() > crate::accounts::password::MAX_CHARS {
        ""
    } else {
        password
    };
    let verified = match state
        .auth
        .passwords
        .verify(stored.as_deref(), password)
        .await
    {
        Ok(v) => v,
        Err(HashError::Busy) => return Credentials::Busy,
        Err(HashError::Internal(m)) => return Credentials::Failed(m),
    };
    match user {
        Some(user) if verified.ok => {
            if verified.needs_rehash {
                match state.auth.passwords.hash(password).await {
                    Ok(h) => {
                        if let Err(e) = state.store.set_password(user.id, &h).await {
                            tracing::warn!(error = %e, "cannot store an upgraded password hash");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot upgrade a password hash"),
                }
            }
            Credentials::Good(Box::new(user))
        }
        _ => Credentials::Bad,
    }
}
