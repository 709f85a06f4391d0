//! Access tokens (JWT) and the random secrets behind sessions and links.
//!
//! Access tokens: HS256 only (the algorithm is fixed on our side, never
//! read from the token), 15 minutes, with `iss`, `aud`, `exp`, `jti` and
//! the session id `sid` all required. A token is only a claim: every
//! request also finds its session live in the store, so revocation (log
//! out, password change, ban, deletion) takes effect at once.
//!
//! Refresh tokens and e-mail link tokens are 256-bit random strings; the
//! store keeps only their SHA-256.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub const ACCESS_TTL: time::Duration = time::Duration::minutes(15);
/// The short-lived token between the password and the second factor.
pub const MFA_TTL: time::Duration = time::Duration::minutes(5);
pub const AUDIENCE: &str = "openwelfare";
pub const MFA_AUDIENCE: &str = "openwelfare-2fa";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// The session id (empty in a second-factor token).
    pub sid: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
}

impl Tokens {
    pub fn new(secret: &[u8], issuer: &str) -> Self {
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_string(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// An access token for a session.
    pub fn access(&self, user_id: i64, session_id: &str, now: OffsetDateTime) -> String {
        self.issue(AUDIENCE, user_id, session_id, now, ACCESS_TTL)
    }

    /// The token that carries a password-verified user to the second factor.
    pub fn second_factor(&self, user_id: i64, now: OffsetDateTime) -> String {
        self.issue(MFA_AUDIENCE, user_id, "", now, MFA_TTL)
    }

    fn issue(
        &self,
        audience: &str,
        user_id: i64,
        session_id: &str,
        now: OffsetDateTime,
        ttl: time::Duration,
    ) -> String {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: audience.to_string(),
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            jti: random_token(),
            iat: now.unix_timestamp(),
            exp: (now + ttl).unix_timestamp(),
        };
        // Serialising these plain claims with HMAC cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// The claims of a valid access token, or None. No reason is given
    /// to the caller: every failure is the same 401.
    pub fn verify_access(&self, token: &str) -> Option<Claims> {
        self.verify(token, AUDIENCE)
    }

    pub fn verify_second_factor(&self, token: &str) -> Option<Claims> {
        self.verify(token, MFA_AUDIENCE)
    }

    fn verify(&self, token: &str, audience: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        let claims = data.claims;
        if claims.jti.len() < 16 || claims.sub.parse::<i64>().is_err() {
            return None;
        }
        Some(claims)
    }
}

/// 256 random bits as 64 hex characters.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(
            b"0123456789abcdef0123456789abcdef",
            "http://127.0.0.1:3000/",
        )
    }

    #[test]
    fn an_access_token_round_trips_and_is_bound_to_its_audience() {
        let t = tokens();
        let now = OffsetDateTime::now_utc();
        let token = t.access(7, "s1", now);
        let claims = t.verify_access(&token).expect("valid");
        assert_eq!(claims.sub, "7");
        assert_eq!(claims.sid, "s1");
        assert_eq!(claims.exp - claims.iat, 900);
        // An access token is not a second-factor token, and the reverse.
        assert!(t.verify_second_factor(&token).is_none());
        assert!(t.verify_access(&t.second_factor(7, now)).is_none());
        // Another key, another issuer: refused.
        let other = Tokens::new(
            b"another key another key another k",
            "http://127.0.0.1:3000/",
        );
        assert!(other.verify_access(&token).is_none());
        let elsewhere = Tokens::new(b"0123456789abcdef0123456789abcdef", "https://evil.example/");
        assert!(elsewhere.verify_access(&token).is_none());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let t = tokens();
        let then = OffsetDateTime::now_utc() - time::Duration::minutes(16);
        assert!(t.verify_access(&t.access(7, "s1", then)).is_none());
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
