//! Accounts and security: who a user is (`model`), how they prove it
//! (`password`, `token`, `totp`), what protects the doors (`csrf`,
//! `limits`), and the check of association tax codes (`fiscal`).
//! `Auth` bundles what the doors need at run time (keys derived from the
//! server secret, the hashing thread, the rate limits, the mailer).
//!
//! Logic over values; may use `config` and `mail`. Storage is
//! `store::accounts`, the routes are `http::account` and `http::admin`.

pub mod csrf;
pub mod fiscal;
pub mod hashing;
pub mod limits;
pub mod model;
pub mod password;
pub mod token;
pub mod totp;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use model::{Role, User, UserStatus};

use crate::config::Config;
use crate::mail::Mailer;

/// The account system's keys and services, built once at start-up.
pub struct Auth {
    pub passwords: password::Passwords,
    pub tokens: token::Tokens,
    pub csrf: csrf::Csrf,
    pub limits: limits::Limits,
    pub mailer: Mailer,
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    pub session_ttl: time::Duration,
    pub public_url: url::Url,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error("mail: {0}")]
    Mail(#[from] crate::mail::MailError),
    #[error("password hashing: {0}")]
    Hash(#[from] password::HashError),
}

impl Auth {
    /// `secret` is the server secret every purpose key is derived from
    /// (`OPENWELFARE_SECRET_KEY`, or the one kept in the store).
    pub fn new(config: &Config, secret: &str) -> Result<Auth, AuthSetupError> {
        let issuer = config.public_url.as_str().trim_end_matches('/').to_string();
        Ok(Auth {
            // One hash at a time, at background priority: two at once made
            // the map's p99 2.0-2.4 x its p99 alone under log-in load
            // even at background priority (19 MiB each through the caches);
            // one, 1.1-1.8 x (docs/BENCHMARKS.md, section e). A short
            // queue behind it.
            passwords: password::Passwords::new(1, 64)?,
            tokens: token::Tokens::new(&derive_key(secret.as_bytes(), "jwt"), &issuer),
            csrf: csrf::Csrf::new(&derive_key(secret.as_bytes(), "csrf")),
            limits: limits::Limits::new(config.auth_rate_per_ip, config.auth_rate_per_account),
            mailer: Mailer::from_url(&config.mail_url, &config.mail_from)?,
            secure_cookies: config.public_url.scheme() == "https",
            session_ttl: time::Duration::days(config.session_days as i64),
            public_url: config.public_url.clone(),
        })
    }

    /// An absolute link to `path_and_query` on the public URL.
    pub fn link(&self, path_and_query: &str) -> String {
        format!(
            "{}{}",
            self.public_url.as_str().trim_end_matches('/'),
            path_and_query
        )
    }
}

/// A purpose-specific key from the one secret, so a CSRF token can never
/// pass for a signature of something else.
pub fn derive_key(secret: &[u8], purpose: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Addresses are compared in one form: Unicode NFKC (full-width and other
/// compatibility forms become their plain letters), lower-cased, trimmed.
/// Every address that enters (sign-up, log-in, forgotten password, change
/// of address, admin create) passes through here.
pub fn normalize_email(email: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    email.trim().nfkc().collect::<String>().to_lowercase()
}

/// The UTS #39 confusable skeleton of an address (normalised first): two
/// addresses a reader cannot tell apart (Cyrillic "а" for Latin "a", "rn"
/// for "m") have the same one, and no two accounts may (the store keeps it
/// in a unique column).
pub fn email_skeleton(email: &str) -> String {
    unicode_security::skeleton(&normalize_email(email)).collect()
}

/// A plausible address: one @, something before it, a dot after it, no
/// spaces or angle brackets. The mail we send is the real check.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"()[]\\".contains(c))
        && email.parse::<lettre::Address>().is_ok()
}

/// "m***@example.org": enough for the owner to recognise, little for anyone else.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(valid_email("mario.rossi@example.org"));
        assert!(!valid_email("mario rossi@example.org"));
        assert!(!valid_email("mario@localhost"));
        assert!(!valid_email("@example.org"));
        assert!(!valid_email("a@b@example.org"));
        assert!(!valid_email("<a@example.org>"));
        assert_eq!(normalize_email("  Mario@Example.ORG "), "mario@example.org");
        assert_eq!(
            normalize_email("ＡＮＮＡ@ｅｘａｍｐｌｅ.org"),
            "anna@example.org"
        );
        assert_eq!(
            email_skeleton("\u{430}nna@example.org"),
            email_skeleton("ANNA@example.org")
        );
        assert_ne!(
            email_skeleton("anna@example.org"),
            email_skeleton("anne@example.org")
        );
        assert_eq!(mask_email("mario@example.org"), "m***@example.org");
        assert_ne!(derive_key(b"s", "jwt"), derive_key(b"s", "csrf"));
    }
}
