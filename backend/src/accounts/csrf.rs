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
/// (else its Referer) is the public URL's origin, or the origin of the host
/// the request was sent to. A request with neither is refused.
///
/// Origins are compared whole (scheme, host, port). The Host fallback is
/// for a server reached under another name (a LAN address, a test server):
/// this binary speaks plain HTTP, so such a page's origin is `http://HOST`.
/// A request sent under the public name is judged by the public origin
/// alone, so an `http://` page cannot post to an `https://` site.
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
    let Some(claimed) = claimed.map(|c| c.origin()) else {
        return false;
    };
    if !claimed.is_tuple() {
        return false;
    }
    if claimed == public.origin() {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let under = |scheme: &str| {
        url::Url::parse(&format!("{scheme}://{host}/"))
            .ok()
            .map(|u| u.origin())
    };
    if under(public.scheme()) == Some(public.origin()) {
        return false;
    }
    under("http") == Some(claimed)
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

    /// The public address, the Host, and (Origin, Referer, ours) under them.
    type OriginCases = (
        &'static str,
        Option<&'static str>,
        &'static [(Option<&'static str>, Option<&'static str>, bool)],
    );

    fn check_origins(cases: &[OriginCases]) {
        for &(public, host, rows) in cases {
            let public = url::Url::parse(public).unwrap();
            for &(origin, referer, ours) in rows {
                assert_eq!(
                    same_origin(origin, referer, host, &public),
                    ours,
                    "{origin:?} {referer:?} via {host:?} to {public}"
                );
            }
        }
    }

    #[test]
    fn only_our_origin_may_post() {
        // The public address and the Host; then Origin, Referer and whether it is ours.
        let cases: &[OriginCases] = &[
            (
                "https://welfare.example/",
                Some("welfare.example"),
                &[
                    (Some("https://welfare.example"), None, true),
                    (Some("https://evil.example"), None, false),
                    (Some("http://welfare.example.evil.example"), None, false),
                    (Some("null"), None, false),
                    (None, Some("https://welfare.example/account"), true),
                    (None, Some("https://evil.example/welfare.example"), false),
                    (None, None, false),
                ],
            ),
            // Reached directly on another address (a test server, a LAN name): the Host decides.
            (
                "https://welfare.example/",
                Some("127.0.0.1:4321"),
                &[
                    (Some("http://127.0.0.1:4321"), None, true),
                    (Some("http://127.0.0.1:9999"), None, false),
                ],
            ),
        ];
        check_origins(cases);
    }

    #[test]
    fn the_scheme_is_part_of_the_origin() {
        // The public address and the Host; then Origin, Referer and whether it is ours.
        let cases: &[OriginCases] = &[
            // An https site: a page on plain http under the same name is not ours
            // (anyone on the network can write one), in the Origin or the Referer.
            (
                "https://welfare.example/",
                Some("welfare.example"),
                &[
                    (Some("http://welfare.example"), None, false),
                    (None, Some("http://welfare.example/account"), false),
                    (Some("https://welfare.example:8443"), None, false),
                ],
            ),
            // An http site: https on the same host and port is another origin.
            (
                "http://127.0.0.1:4321/",
                Some("127.0.0.1:4321"),
                &[
                    (Some("http://127.0.0.1:4321"), None, true),
                    (Some("https://127.0.0.1:4321"), None, false),
                    (None, Some("https://127.0.0.1:4321/account"), false),
                ],
            ),
            // The Host fallback (reached under another name) is a whole origin too:
            // this binary speaks plain http, so that origin is http://HOST.
            (
                "https://welfare.example/",
                Some("10.0.0.5:3000"),
                &[
                    (Some("http://10.0.0.5:3000"), None, true),
                    (Some("https://10.0.0.5:3000"), None, false),
                    (Some("http://10.0.0.5"), None, false),
                    (Some("ws://10.0.0.5:3000"), None, false),
                ],
            ),
        ];
        check_origins(cases);
    }
}
