//! Checking an address and a password, for the log-in page and the token
//! endpoint alike: rate limits first (a refused attempt costs no hashing),
//! the same work and the same answer for an unknown address, and an old
//! hash upgraded on success; and a second-factor code, used once.

use std::net::IpAddr;

use time::OffsetDateTime;

use super::error::Error;
use super::state::AppState;
use crate::accounts::limits::Door;
use crate::accounts::{normalize_email, totp, User};
use crate::store::StoreError;

/// Check an address and password, with the same answer and the same work
/// for an unknown address; upgrade an old hash on success. `None` is a
/// wrong address or password; too many attempts, too many waiting checks
/// and failures are errors.
pub async fn check_credentials(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    password: &str,
) -> Result<Option<User>, Error> {
    let email = normalize_email(email);
    // Limits first: a refused attempt costs no hashing.
    state
        .auth
        .limits
        .ip(Door::LogIn, ip)
        .and_then(|()| state.auth.limits.account(Door::LogIn, &email))
        .map_err(Error::rate_limited)?;
    let user = state.store.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = if password.chars().count() > crate::accounts::password::MAX_CHARS {
        ""
    } else {
        password
    };
    let verified = state
        .auth
        .passwords
        .verify(stored.as_deref(), password)
        .await?;
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
            Ok(Some(user))
        }
        _ => Ok(None),
    }
}

/// The per-account limit on second-factor codes: `account` is the user's id.
pub fn limit_codes(state: &AppState, account: &str) -> Result<(), Error> {
    state
        .auth
        .limits
        .account(Door::Code, account)
        .map_err(Error::rate_limited)
}

/// Check a TOTP or recovery code for `user`, once.
pub async fn check_code(
    state: &AppState,
    user: &User,
    secret_hex: &str,
    code: &str,
) -> Result<bool, StoreError> {
    let now = OffsetDateTime::now_utc();
    if totp::looks_like_recovery_code(code) {
        return state
            .store
            .use_recovery_code(user.id, &totp::hash_recovery_code(code), now)
            .await;
    }
    let Ok(secret) = hex::decode(secret_hex) else {
        return Ok(false);
    };
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    match totp::verify(&secret, code, unix, user.totp_last_step) {
        Some(step) => state.store.use_totp_step(user.id, step).await,
        None => Ok(false),
    }
}
