//! Cross-site request forgery: every state-changing request from a browser
//! must (1) come from our own origin, by its `Origin` header (or, failing
//! that, its `Referer`), and (2) carry a token that only our pages know: an
//! HMAC of the random value in the browser's `ow_csrf` cookie (the signed
//! double-submit pattern). SameSite=Lax cookies are a third line.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const COOKIE: &str = "ow_csrf";
/// The form field, and the header for scripts.
pub const FIELD: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";

#[derive(Clone)]
pub struct Csrf {
    key: Vec<u8>,
}

impl Csrf {
    pub fn new(key: &[u8]) -> Self {
        Csrf { key: key.to_vec() }
    }

    fn mac(&self, binding: &str) -> HmacSha256 {
        // HMAC accepts keys of any length.
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(b"csrf:");
        mac.update(binding.as_bytes());
        mac
    }

    /// The token for the forms of a browser whose cookie holds `binding`.
    pub fn token(&self, binding: &str) -> String {
        hex::encode(self.mac(binding).finalize().into_bytes())
    }

    /// Constant-time check of a submitted token.
    pub fn check(&self, binding: &str, token: &str) -> bool {
        if binding.is_empty() {
            return false;
        }
        let Ok(bytes) = hex::decode(token.trim()) else {
            return false;
        };
        self.mac(binding).verify_slice(&bytes).is_ok()
    }
}

/// Whether a state-changing request comes from our own pages: its Origin
/// (else its Referer) names the public URL's origin or the host the
/// request was sent to. A request with neither is refused.
pub fn same_origin(
    origin: Option<&str>,
    referer: Option<&str>,
    host: Option<&str>,
    public: &url::Url,
) -> bool {
    let claimed = match (origin, referer) {
        (Some(o), _) if o != "null" => url::Url::parse(o).ok(),
        (_, Some(r)) => url::Url::parse(r).ok(),
        _ => None,
    };
    let Some(claimed) = claimed else {
        return false;
    };
    if claimed.origin() == public.origin() {
        return true;
    }
    let authority = match (claimed.host_str(), claimed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return false,
    };
    host.is_some_and(|h| h.eq_ignore_ascii_case(&authority))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_the_cookie_and_the_key() {
        let csrf = Csrf::new(b"key one");
        let token = csrf.token("cookie-a");
        assert!(csrf.check("cookie-a", &token));
        assert!(!csrf.check("cookie-b", &token));
        assert!(!csrf.check("", &csrf.token("")));
        assert!(!Csrf::new(b"key two").check("cookie-a", &token));
        assert!(!csrf.check("cookie-a", "not hex"));
        assert!(!csrf.check("cookie-a", &token[..10]));
    }

    #[test]
    fn only_our_origin_may_post() {
        let public = url::Url::parse("https://welfare.example/").unwrap();
        let host = Some("welfare.example");
        assert!(same_origin(
            Some("https://welfare.example"),
            None,
            host,
            &public
        ));
        assert!(!same_origin(
            Some("https://evil.example"),
            None,
            host,
            &public
        ));
        assert!(!same_origin(
            Some("http://welfare.example.evil.example"),
            None,
            host,
            &public
        ));
        assert!(!same_origin(Some("null"), None, host, &public));
        assert!(same_origin(
            None,
            Some("https://welfare.example/account"),
            host,
            &public
        ));
        assert!(!same_origin(
            None,
            Some("https://evil.example/welfare.example"),
            host,
            &public
        ));
        assert!(!same_origin(None, None, host, &public));
        // Reached directly on another address (a test server, a LAN name): the Host decides.
        let local = Some("127.0.0.1:4321");
        assert!(same_origin(
            Some("http://127.0.0.1:4321"),
            None,
            local,
            &public
        ));
        assert!(!same_origin(
            Some("http://127.0.0.1:9999"),
            None,
            local,
            &public
        ));
    }
}
