//! Security stories, each on SQLite and on PostgreSQL, against a real
//! server on loopback. They prove that:
//!
//! - forged, altered, expired and misdirected access tokens (JWT) all get
//!   the same bare 401, while a genuine token for the same live session
//!   gets 200 (so each refusal comes from the one thing the forgery
//!   changed, not from a broken fixture);
//! - a token stops working the moment its session is revoked or its user
//!   is banned or deleted, whatever the token itself says;
//! - browser forms are protected from cross-site request forgery (our
//!   Origin and a token bound to the browser's cookie), log-in included,
//!   while Bearer API calls need no token;
//! - every route answers every kind of user as this file's own table says
//!   (the route x role matrix), and a route missing from the table fails;
//! - a banned or deleted user is out at once, in the browser and the API;
//! - the server cuts off a client that drips its request headers
//!   (slowloris), while requests, websockets, the client address and a
//!   graceful shutdown that finishes in-flight requests all still work.

mod common;

use std::collections::BTreeSet;

use common::web::{Browser, Page, Server};
use common::TestDb;
use hmac::{Hmac, Mac};
use openwelfare::accounts::model::{Contributions, NewUser, Role};
use openwelfare::accounts::token::random_token;
use openwelfare::accounts::{derive_key, totp, UserStatus};
use openwelfare::http::session::open_session;
use serde_json::{json, Value};
use sha2::{Sha256, Sha384, Sha512};
use time::OffsetDateTime;

on_both_backends!(
    jwt_alg_none_is_refused,
    jwt_other_hmac_algorithms_are_refused,
    jwt_key_confusion_is_refused,
    jwt_expired_is_refused,
    jwt_wrong_audience_is_refused,
    jwt_tampered_is_refused,
    jwt_of_a_deleted_user_is_refused,
    jwt_of_a_revoked_session_or_a_banned_user_is_refused,
    jwt_wrong_issuer_missing_claims_or_foreign_sub_is_refused,
    csrf_cross_site_form_post_is_refused,
    csrf_token_must_match_the_browser_and_the_origin,
    csrf_login_from_another_site_is_refused,
    csrf_json_from_another_site_is_refused,
    csrf_is_not_asked_of_bearer_api_requests,
    route_role_matrix,
    powers_stop_at_peers_and_at_other_users_sessions,
    banned_and_deleted_users_are_out_at_once,
    slow_headers_are_cut_off_and_the_server_still_serves,
    pages_carry_the_security_headers,
    the_openapi_document_matches_the_routes_and_the_handlers,
);

// ====================================================================
// Helpers
// ====================================================================

/// The server secret, set explicitly so this file can sign tokens with
/// the server's own key (the server derives it as `derive_key(secret, "jwt")`).
const SECRET: &str = "security-tests: a fixed server secret, long enough";
const PASSWORD: &str = "portici lunghi sotto la pioggia di via zamboni";
const EVIL: &str = "https://evil.example";

async fn serve(db: &TestDb) -> Server {
    db.serve(&[("OPENWELFARE_SECRET_KEY", SECRET)]).await
}

fn jwt_key() -> [u8; 32] {
    derive_key(SECRET.as_bytes(), "jwt")
}

fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A client that shows redirects instead of following them, and sends
/// nothing it is not told to (no cookies, no Origin).
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// A user made directly in the store; "Utente <local part>" is its name.
async fn make_user(
    server: &Server,
    email: &str,
    role: Role,
    verified: bool,
    password: Option<&str>,
) -> i64 {
    let now = OffsetDateTime::now_utc();
    let hash = match password {
        Some(p) => Some(
            server
                .state
                .auth
                .passwords
                .hash(p)
                .await
                .expect("hash a password"),
        ),
        None => None,
    };
    let local = email.split('@').next().unwrap_or(email);
    let display_name = format!("Utente {local}");
    server
        .state
        .store
        .create_user(
            &NewUser {
                email,
                display_name: &display_name,
                password_hash: hash.as_deref(),
                role,
                lang: "it",
                verified_at: verified.then_some(now),
            },
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("create the user {email}: {e}"))
}

/// Turn on TOTP for a user; the raw secret, to compute codes with.
async fn enable_2fa(server: &Server, user: i64) -> Vec<u8> {
    let secret = totp::new_secret();
    server
        .state
        .store
        .enable_totp(user, &hex::encode(&secret), 0, &[])
        .await
        .expect("enable 2FA");
    secret
}

async fn display_name_of(server: &Server, user: i64) -> String {
    server
        .state
        .store
        .user_by_id(user)
        .await
        .expect("read a user")
        .expect("the user exists")
        .display_name
}

// ---------------------------------------------------------------- JWT

/// RFC 4648 base64url without padding, as JWTs use.
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        // 1 byte -> 2 characters, 2 -> 3, 3 -> 4.
        for i in 0..=chunk.len() {
            out.push(char::from(B64URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    let (mut bits, mut count, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes() {
        let value = B64URL
            .iter()
            .position(|&x| x == c)
            .unwrap_or_else(|| panic!("not base64url: {text:?}"));
        bits = (bits << 6) | value as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// The MAC put in a forged token's third part.
#[derive(Debug, Clone, Copy)]
enum Sig {
    /// No signature at all (`header.payload.`).
    Empty,
    Hs256,
    Hs384,
    Hs512,
}

/// `base64url(header).base64url(claims).base64url(mac)`: the header says
/// whatever the test wants; `sig` says how the token is really signed.
fn sign(header: &Value, claims: &Value, key: &[u8], sig: Sig) -> String {
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mac = match sig {
        Sig::Empty => Vec::new(),
        Sig::Hs256 => Hmac::<Sha256>::new_from_slice(key)
            .expect("HMAC key")
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
        Sig::Hs384 => Hmac::<Sha384>::new_from_slice(key)
            .expect("HMAC key")
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
        Sig::Hs512 => Hmac::<Sha512>::new_from_slice(key)
            .expect("HMAC key")
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
    };
    format!("{input}.{}", b64url(&mac))
}

fn header(alg: &str) -> Value {
    json!({"alg": alg, "typ": "JWT"})
}

/// The three parts of a token.
fn parts(token: &str) -> [&str; 3] {
    let mut it = token.split('.');
    let parts = [it.next(), it.next(), it.next()];
    match parts {
        [Some(h), Some(p), Some(s)] if it.next().is_none() => [h, p, s],
        _ => panic!("not a three-part JWT: {token}"),
    }
}

/// The claims of a token, unchecked.
fn payload_of(token: &str) -> Value {
    let payload = b64url_decode(parts(token)[1]);
    serde_json::from_slice(&payload).expect("the JWT payload is JSON")
}

/// A claim set the server accepts for `user` in session `sid`: the
/// server's issuer (its public URL without the slash), the access
/// audience, a random jti, 15 minutes to live.
fn valid_claims(server: &Server, user: i64, sid: &str) -> Value {
    let now = unix_now();
    json!({
        "iss": server.base.trim_end_matches('/'),
        "aud": "openwelfare",
        "sub": user.to_string(),
        "sid": sid,
        "jti": random_token(),
        "iat": now,
        "exp": now + 15 * 60,
    })
}

/// GET /api/v1/me with a Bearer token: status and body.
async fn me_with(server: &Server, token: &str) -> (u16, String) {
    let response = http()
        .get(format!("{}/api/v1/me", server.base))
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("GET /api/v1/me");
    let status = response.status().as_u16();
    let body = response.text().await.expect("the body of /api/v1/me");
    (status, body)
}

/// Exactly 401 with an empty body: which check failed is nobody's business.
async fn assert_refused(server: &Server, token: &str, what: &str) {
    let (status, body) = me_with(server, token).await;
    assert!(
        status == 401 && body.is_empty(),
        "{what}: expected a bare 401, got {status} {body:?}\n  token: {token}"
    );
}

async fn assert_accepted(server: &Server, token: &str, user: i64, what: &str) {
    let (status, body) = me_with(server, token).await;
    assert_eq!(status, 200, "{what}: expected 200, got {status} {body:?}");
    let me: Value = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("{what}: /api/v1/me is not JSON ({e}): {body}"));
    assert_eq!(
        me["id"],
        json!(user),
        "{what}: /api/v1/me names another user: {me}"
    );
}

/// A server, a user with a live session, another user, and the key: what
/// every forgery story starts from. Making it checks the controls.
struct Forgery {
    server: Server,
    key: [u8; 32],
    user: i64,
    other: i64,
    sid: String,
}

impl Forgery {
    async fn new(db: &TestDb) -> Forgery {
        let server = serve(db).await;
        let user = make_user(&server, "vittima@example.org", Role::Citizen, true, None).await;
        let other = make_user(&server, "altro@example.org", Role::Citizen, true, None).await;
        let (access, _refresh) = open_session(&server.state, user, false, "security tests")
            .await
            .expect("open a session");
        let sid = payload_of(&access)["sid"]
            .as_str()
            .expect("a sid claim")
            .to_string();
        let forgery = Forgery {
            server,
            key: jwt_key(),
            user,
            other,
            sid,
        };
        forgery.controls("before the attacks").await;
        forgery
    }

    /// A genuine token from the server's own issuer, and a token this file
    /// signs itself the right way, are both accepted: the fixture works,
    /// the session is live, and `sign` makes what the server makes.
    async fn controls(&self, when: &str) {
        let genuine = self.genuine();
        assert_accepted(
            &self.server,
            &genuine,
            self.user,
            &format!("genuine token, {when}"),
        )
        .await;
        let ours = self.forge(&header("HS256"), &self.claims(), Sig::Hs256);
        assert_accepted(
            &self.server,
            &ours,
            self.user,
            &format!("HS256 token signed here, {when}"),
        )
        .await;
    }

    fn genuine(&self) -> String {
        self.server
            .state
            .auth
            .tokens
            .access(self.user, &self.sid, OffsetDateTime::now_utc())
    }

    fn claims(&self) -> Value {
        valid_claims(&self.server, self.user, &self.sid)
    }

    fn forge(&self, header: &Value, claims: &Value, sig: Sig) -> String {
        sign(header, claims, &self.key, sig)
    }

    async fn refused(&self, token: &str, what: &str) {
        assert_refused(&self.server, token, what).await;
    }
}

// ---------------------------------------------------------------- browsers and the API

/// Log in through the real form (the form's CSRF field comes from the page).
async fn log_in(browser: &mut Browser, email: &str, password: &str) -> Page {
    browser
        .submit(
            "/account/accedi",
            "/account/accedi",
            &[("email", email), ("password", password)],
        )
        .await
}

/// Log in, then load /account: a log-in gives the browser a new CSRF
/// cookie (against fixation), so the token of the log-in page is stale
/// and the next form needs a page seen after it.
async fn signed_in_browser(server: &Server, email: &str) -> Browser {
    let mut browser = server.browser();
    let page = log_in(&mut browser, email, PASSWORD).await;
    assert_eq!(page.status, 303, "log in as {email}: {}", page.body);
    assert!(browser.signed_in(), "log in as {email}: no session cookie");
    fresh_token(&mut browser).await;
    browser
}

/// GET /account, so the browser holds the right CSRF token again.
async fn fresh_token(browser: &mut Browser) -> String {
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200, "GET /account: {:?}", page.location);
    browser
        .csrf
        .clone()
        .filter(|t| !t.is_empty())
        .expect("a CSRF token on /account")
}

/// Log in with password and TOTP code through the two-step form.
async fn log_in_with_code(server: &Server, email: &str, secret: &[u8]) -> Browser {
    let mut browser = server.browser();
    let first = log_in(&mut browser, email, PASSWORD).await;
    assert_eq!(
        first.status, 303,
        "password step for {email}: {}",
        first.body
    );
    let to = first.location.clone().expect("a redirect to the code step");
    assert!(
        to.starts_with("/account/accedi/codice"),
        "password step went to {to}"
    );
    assert!(!browser.signed_in(), "signed in before the second factor");
    let form = browser.get(&to).await;
    assert_eq!(form.status, 200, "GET {to}");
    let code = totp::code_at(secret, u64::try_from(unix_now()).expect("time after 1970"));
    let done = browser
        .post("/account/accedi/codice", &[("code", code.as_str())])
        .await;
    assert_eq!(done.status, 303, "code step for {email}: {}", done.body);
    assert!(browser.signed_in(), "no session after the code step");
    fresh_token(&mut browser).await;
    browser
}

/// POST a JSON body as an API client would: no cookies, no Origin.
async fn post_json(server: &Server, path: &str, body: &Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}{path}", server.base))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Access and refresh tokens from POST /api/v1/auth/token.
async fn api_tokens(server: &Server, email: &str) -> (String, String) {
    let (status, pair) = post_json(
        server,
        "/api/v1/auth/token",
        &json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "API log-in as {email}: {pair}");
    let access = pair["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let refresh = pair["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_string();
    (access, refresh)
}

fn sets_session_cookie(page: &Page) -> bool {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            (v.starts_with("ow_access=") || v.starts_with("ow_refresh="))
                && !v.contains("Max-Age=0")
        })
}

// ====================================================================
// A. Access tokens: every forgery is the same bare 401
// ====================================================================

/// "alg": "none" (any spelling), with no signature, with a real HS256
/// signature, or with no third part at all.
async fn jwt_alg_none_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = f.forge(&header(alg), &f.claims(), Sig::Empty);
        f.refused(&unsigned, &format!("alg {alg:?}, empty signature"))
            .await;
        f.refused(
            unsigned.trim_end_matches('.'),
            &format!("alg {alg:?}, two parts"),
        )
        .await;
        let signed = f.forge(&header(alg), &f.claims(), Sig::Hs256);
        f.refused(
            &signed,
            &format!("alg {alg:?} with the real HS256 signature"),
        )
        .await;
        // The genuine token's signature pasted after a "none" header.
        let genuine = f.genuine();
        let [_, payload, signature] = parts(&genuine);
        let pasted = format!(
            "{}.{payload}.{signature}",
            b64url(header(alg).to_string().as_bytes())
        );
        f.refused(
            &pasted,
            &format!("alg {alg:?} on the genuine payload and signature"),
        )
        .await;
    }
    f.controls("after the attacks").await;
}

/// HS384 and HS512 with the very same key: only HS256 is ours.
async fn jwt_other_hmac_algorithms_are_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    f.refused(
        &f.forge(&header("HS512"), &f.claims(), Sig::Hs512),
        "HS512 with the server's key",
    )
    .await;
    f.refused(
        &f.forge(&header("HS384"), &f.claims(), Sig::Hs384),
        "HS384 with the server's key",
    )
    .await;
    // A header that lies the other way: says HS256, is HS512.
    f.refused(
        &f.forge(&header("HS256"), &f.claims(), Sig::Hs512),
        "HS256 header, HS512 MAC",
    )
    .await;
    f.controls("after the attacks").await;
}

/// The classic confusion: an asymmetric algorithm in the header and an
/// HMAC made with the key as the signature. The server must not pick its
/// verification from the header.
async fn jwt_key_confusion_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
        f.refused(
            &f.forge(&header(alg), &f.claims(), Sig::Hs256),
            &format!("alg {alg} with an HMAC-SHA256 signature"),
        )
        .await;
    }
    f.controls("after the attacks").await;
}

/// Correctly signed, but expired: 20 minutes ago, and 1 minute ago
/// (beyond any reasonable clock leeway).
async fn jwt_expired_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    let now = unix_now();
    let mut claims = f.claims();
    claims["iat"] = json!(now - 35 * 60);
    claims["exp"] = json!(now - 20 * 60);
    f.refused(
        &f.forge(&header("HS256"), &claims, Sig::Hs256),
        "expired 20 minutes ago",
    )
    .await;
    claims["iat"] = json!(now - 16 * 60);
    claims["exp"] = json!(now - 60);
    f.refused(
        &f.forge(&header("HS256"), &claims, Sig::Hs256),
        "expired 1 minute ago",
    )
    .await;
    // The server's own issuer, 16 minutes ago: its token has lived out its 15.
    let old = f.server.state.auth.tokens.access(
        f.user,
        &f.sid,
        OffsetDateTime::now_utc() - time::Duration::minutes(16),
    );
    f.refused(&old, "a genuine token issued 16 minutes ago")
        .await;
    f.controls("after the attacks").await;
}

/// Correctly signed for another audience: the second-factor token (the
/// one in the ow_2fa cookie between password and code) must never open
/// the account, nor must a token meant for someone else.
async fn jwt_wrong_audience_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    for aud in ["openwelfare-2fa", "someone-else", ""] {
        let mut claims = f.claims();
        claims["aud"] = json!(aud);
        f.refused(
            &f.forge(&header("HS256"), &claims, Sig::Hs256),
            &format!("audience {aud:?}"),
        )
        .await;
    }
    let mut claims = f.claims();
    claims.as_object_mut().expect("claims").remove("aud");
    f.refused(
        &f.forge(&header("HS256"), &claims, Sig::Hs256),
        "no audience",
    )
    .await;
    let second_factor = f
        .server
        .state
        .auth
        .tokens
        .second_factor(f.user, OffsetDateTime::now_utc());
    f.refused(&second_factor, "the server's own second-factor token")
        .await;
    f.controls("after the attacks").await;
}

/// One character of a genuine signature changed; the genuine payload
/// changed to another user's id under the old signature.
async fn jwt_tampered_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    let genuine = f.genuine();
    let [head, payload, signature] = parts(&genuine);
    // The first character carries 6 full bits of the MAC (the last one
    // carries padding bits too, so changing it may change nothing).
    let first = if signature.starts_with('A') { "B" } else { "A" };
    let flipped = format!("{head}.{payload}.{first}{}", &signature[1..]);
    f.refused(&flipped, "one character of the signature changed")
        .await;

    // The codec round-trips the server's payload exactly, so the only
    // difference below is the sub.
    let text = String::from_utf8(b64url_decode(payload)).expect("UTF-8 payload");
    assert_eq!(b64url(text.as_bytes()), payload, "base64url round trip");
    let sub = format!("\"sub\":\"{}\"", f.user);
    assert!(text.contains(&sub), "no {sub} in {text}");
    let swapped = text.replace(&sub, &format!("\"sub\":\"{}\"", f.other));
    let tampered = format!("{head}.{}.{signature}", b64url(swapped.as_bytes()));
    f.refused(&tampered, "sub changed to another user, old signature")
        .await;
    f.refused(&format!("{head}.{payload}."), "signature removed")
        .await;
    f.controls("after the attacks").await;
}

/// A valid token whose user is then deleted, contributions removed or
/// anonymised: refused at once.
async fn jwt_of_a_deleted_user_is_refused(db: TestDb) {
    let server = serve(&db).await;
    for (mode, email) in [
        (Contributions::Remove, "rimossa@example.org"),
        (Contributions::Anonymise, "anonima@example.org"),
    ] {
        let user = make_user(&server, email, Role::Citizen, true, None).await;
        let (access, _) = open_session(&server.state, user, false, "security tests")
            .await
            .expect("open a session");
        assert_accepted(
            &server,
            &access,
            user,
            &format!("{mode:?}: before the deletion"),
        )
        .await;
        server
            .state
            .store
            .delete_user(user, mode)
            .await
            .unwrap_or_else(|e| panic!("delete the user ({mode:?}): {e}"));
        assert_refused(&server, &access, &format!("{mode:?}: after the deletion")).await;
        if mode == Contributions::Anonymise {
            // The tombstone row stays: even a session opened for it now
            // (as no code path should) must not make it a user again.
            let (late, _) = open_session(&server.state, user, false, "security tests")
                .await
                .expect("open a session for a tombstone");
            assert_refused(&server, &late, "a session opened for a deleted user").await;
        }
    }
}

/// Revoking the session, or banning the user, ends a valid token at once.
async fn jwt_of_a_revoked_session_or_a_banned_user_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    let admin = make_user(&f.server, "admin@example.org", Role::Admin, true, None).await;
    let store = &f.server.state.store;
    let now = OffsetDateTime::now_utc();

    // Revoked: the token is still well signed and unexpired.
    let genuine = f.genuine();
    assert!(
        store
            .revoke_session(f.user, &f.sid, now)
            .await
            .expect("revoke"),
        "the session was not there to revoke"
    );
    f.refused(&genuine, "a token of a revoked session").await;
    f.refused(
        &f.forge(&header("HS256"), &f.claims(), Sig::Hs256),
        "a fresh token for a revoked session",
    )
    .await;

    // Banned: a new session, working, then the ban.
    let (access, refresh) = open_session(&f.server.state, f.user, false, "security tests")
        .await
        .expect("open a session");
    assert_accepted(&f.server, &access, f.user, "before the ban").await;
    store
        .set_status(admin, f.user, UserStatus::Banned, now)
        .await
        .expect("ban");
    f.refused(&access, "a token of a banned user").await;
    let (status, body) = post_json(
        &f.server,
        "/api/v1/auth/refresh",
        &json!({"refresh_token": refresh}),
    )
    .await;
    assert_eq!(status, 401, "a banned user's refresh token: {body}");
    // A session opened after the ban (not revoked by it): the status alone refuses.
    let (late, late_refresh) = open_session(&f.server.state, f.user, false, "security tests")
        .await
        .expect("open a session");
    f.refused(&late, "a session opened after the ban").await;
    let (status, body) = post_json(
        &f.server,
        "/api/v1/auth/refresh",
        &json!({"refresh_token": late_refresh}),
    )
    .await;
    assert_eq!(
        status, 401,
        "refresh of a session opened after the ban: {body}"
    );
}

/// Well signed, but from another issuer, without jti (or a short one),
/// without exp or sid, or naming user B in user A's session.
async fn jwt_wrong_issuer_missing_claims_or_foreign_sub_is_refused(db: TestDb) {
    let f = Forgery::new(&db).await;
    let forge = |claims: &Value| f.forge(&header("HS256"), claims, Sig::Hs256);
    for iss in [EVIL, "", "openwelfare"] {
        let mut claims = f.claims();
        claims["iss"] = json!(iss);
        f.refused(&forge(&claims), &format!("issuer {iss:?}")).await;
    }
    for missing in ["iss", "jti", "exp", "sid", "sub"] {
        let mut claims = f.claims();
        claims.as_object_mut().expect("claims").remove(missing);
        f.refused(&forge(&claims), &format!("no {missing}")).await;
    }
    let mut claims = f.claims();
    claims["jti"] = json!("abc");
    f.refused(&forge(&claims), "a 3-character jti").await;
    // User B has a live session of his own; the token carries A's sid.
    open_session(&f.server.state, f.other, false, "security tests")
        .await
        .expect("open a session for the other user");
    let mut claims = f.claims();
    claims["sub"] = json!(f.other.to_string());
    f.refused(&forge(&claims), "sub of user B in user A's session")
        .await;
    f.controls("after the attacks").await;
}

// ====================================================================
// B. Cross-site request forgery
// ====================================================================

/// A signed-in browser posting from another site is refused even with
/// the right token, and nothing changes.
async fn csrf_cross_site_form_post_is_refused(db: TestDb) {
    let server = serve(&db).await;
    let carla = make_user(
        &server,
        "carla@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    let mut browser = signed_in_browser(&server, "carla@example.org").await;
    let before = display_name_of(&server, carla).await;

    browser.origin = Some(EVIL.into());
    let page = browser
        .post(
            "/account/profilo",
            &[("display_name", "Carla la hackerata"), ("bio", "")],
        )
        .await;
    assert_eq!(
        page.status, 403,
        "cross-site post with the right token: {:?}",
        page.location
    );
    assert_eq!(
        display_name_of(&server, carla).await,
        before,
        "the name changed"
    );
}

/// Same origin without a token, with another browser's token, with
/// Origin "null", and with no Origin or Referer at all: all 403. Then the
/// same form done right works, so the refusals were the CSRF check.
async fn csrf_token_must_match_the_browser_and_the_origin(db: TestDb) {
    let server = serve(&db).await;
    let carla = make_user(
        &server,
        "carla@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    let mut browser = signed_in_browser(&server, "carla@example.org").await;
    let before = display_name_of(&server, carla).await;
    let fields = [("display_name", "Carla Nuova"), ("bio", "")];

    let page = browser.post_exact("/account/profilo", &fields).await;
    assert_eq!(page.status, 403, "same origin, no token");

    // A token the server made, but for another browser's cookie.
    let mut other = server.browser();
    assert_eq!(other.get("/account/accedi").await.status, 200);
    let foreign = other.csrf.clone().expect("a token on the log-in page");
    let ours = fresh_token(&mut browser).await;
    assert_ne!(foreign, ours, "two browsers got the same token");
    let page = browser
        .post_exact(
            "/account/profilo",
            &[fields[0], fields[1], ("csrf", foreign.as_str())],
        )
        .await;
    assert_eq!(
        page.status, 403,
        "a token made for another browser's cookie"
    );

    // A token that is not even hex, or empty.
    for junk in ["", "not-a-token"] {
        let page = browser
            .post_exact("/account/profilo", &[fields[0], fields[1], ("csrf", junk)])
            .await;
        assert_eq!(page.status, 403, "token {junk:?}");
    }

    let ours = fresh_token(&mut browser).await;
    browser.origin = Some("null".into());
    let page = browser
        .post_exact(
            "/account/profilo",
            &[fields[0], fields[1], ("csrf", ours.as_str())],
        )
        .await;
    assert_eq!(page.status, 403, "Origin null (a sandboxed frame)");

    browser.origin = None;
    let page = browser
        .post_exact(
            "/account/profilo",
            &[fields[0], fields[1], ("csrf", ours.as_str())],
        )
        .await;
    assert_eq!(page.status, 403, "no Origin and no Referer");
    assert_eq!(
        display_name_of(&server, carla).await,
        before,
        "a refused post changed the name"
    );

    browser.origin = Some(server.base.clone());
    let ours = fresh_token(&mut browser).await;
    let page = browser
        .post_exact(
            "/account/profilo",
            &[fields[0], fields[1], ("csrf", ours.as_str())],
        )
        .await;
    assert_eq!(
        page.status, 303,
        "the right Origin and token: {}",
        page.body
    );
    assert_eq!(display_name_of(&server, carla).await, "Carla Nuova");
}

/// Login CSRF: another site must not log a visitor into an account of
/// its choosing (the attacker's), with or without a token of ours.
async fn csrf_login_from_another_site_is_refused(db: TestDb) {
    let server = serve(&db).await;
    make_user(
        &server,
        "mallory@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    let credentials = [("email", "mallory@example.org"), ("password", PASSWORD)];

    // A visitor who never saw our pages: no CSRF cookie, no token.
    let mut visitor = server.browser();
    visitor.origin = Some(EVIL.into());
    let page = visitor.post_exact("/account/accedi", &credentials).await;
    assert_eq!(page.status, 403, "cross-site log-in, no token");
    assert!(
        !sets_session_cookie(&page) && !visitor.signed_in(),
        "a session cookie was set"
    );

    // A visitor who did (the attacker cannot read the token, but even so).
    let mut visitor = server.browser();
    assert_eq!(visitor.get("/account/accedi").await.status, 200);
    visitor.origin = Some(EVIL.into());
    let page = visitor.post("/account/accedi", &credentials).await;
    assert_eq!(page.status, 403, "cross-site log-in with our token");
    assert!(
        !sets_session_cookie(&page) && !visitor.signed_in(),
        "a session cookie was set"
    );

    // Control: the same credentials from our own page log in.
    visitor.origin = Some(server.base.clone());
    let page = log_in(&mut visitor, "mallory@example.org", PASSWORD).await;
    assert_eq!(page.status, 303, "log-in from our own page: {}", page.body);
    assert!(visitor.signed_in());
}

/// JSON is exempt from the token (a browser cannot send it across sites
/// without a preflight), but a JSON-typed or text/plain post that does
/// carry another site's Origin, with the victim's cookies, is refused;
/// here on a handler that reads no body at all (log out everywhere).
async fn csrf_json_from_another_site_is_refused(db: TestDb) {
    let server = serve(&db).await;
    make_user(
        &server,
        "carla@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    let mut browser = signed_in_browser(&server, "carla@example.org").await;
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for content_type in [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
    ] {
        let response = http()
            .post(format!("{}/account/esci-ovunque", server.base))
            .header("cookie", cookies.join("; "))
            .header("origin", EVIL)
            .header("content-type", content_type)
            .body("{}")
            .send()
            .await
            .expect("POST /account/esci-ovunque");
        assert_eq!(
            response.status().as_u16(),
            403,
            "cross-site {content_type} post"
        );
    }
    // Still signed in: nothing was revoked.
    let page = browser.get("/account").await;
    assert_eq!(
        page.status, 200,
        "the sessions were revoked by a cross-site post"
    );
}

/// A Bearer request carries no ambient authority: no CSRF token needed.
async fn csrf_is_not_asked_of_bearer_api_requests(db: TestDb) {
    let server = serve(&db).await;
    let user = make_user(
        &server,
        "api@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    // The token endpoint itself is an API client's JSON post: no Origin, no cookies.
    let (access, _) = api_tokens(&server, "api@example.org").await;
    assert_accepted(&server, &access, user, "the API token").await;
    let response = http()
        .post(format!("{}/api/v1/auth/logout", server.base))
        .header("authorization", format!("Bearer {access}"))
        .send()
        .await
        .expect("POST /api/v1/auth/logout");
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(
        status, 204,
        "Bearer logout without cookies or token: {body}"
    );
    assert_refused(&server, &access, "the token after its logout").await;
}

// ====================================================================
// C. Every route x every kind of user
// ====================================================================

/// What a route asks of its user, by this file's reading of the product
/// (not copied from the code's rules: the point is to compare the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Anyone,
    SignedIn,
    /// Signed in with a confirmed address.
    Verified,
    /// A moderator or an admin, with the second factor used.
    Moderator,
    /// An admin, with the second factor used.
    Admin,
}

use Need::*;

const EXPECTED: &[(&str, &str, Need)] = &[
    // The public map and its data.
    ("GET", "/", Anyone),
    ("GET", "/tabella", Anyone),
    ("GET", "/embed", Anyone),
    ("GET", "/mappa.svg", Anyone),
    ("GET", "/mappa.png", Anyone),
    ("GET", "/mappa.geojson", Anyone),
    ("GET", "/mappa.csv", Anyone),
    ("GET", "/static/{file}", Anyone),
    ("GET", "/quartieri/{slug}", Anyone),
    ("GET", "/quartieri/2014/{slug}", Anyone),
    ("GET", "/datasets", Anyone),
    ("GET", "/datasets/{slug}", Anyone),
    ("GET", "/healthz", Anyone),
    ("GET", "/readyz", Anyone),
    // The websocket: anyone may connect; private topics are checked per subscription.
    ("GET", "/ws", Anyone),
    ("GET", "/api/v1/openapi.json", Anyone),
    ("GET", "/api/v1/datasets", Anyone),
    ("GET", "/api/v1/datasets/{slug}", Anyone),
    ("GET", "/api/v1/areas", Anyone),
    ("GET", "/api/v1/areas/resolve", Anyone),
    ("GET", "/api/v1/observations", Anyone),
    // API accounts: getting tokens is for anyone, using them is not.
    ("POST", "/api/v1/auth/token", Anyone),
    ("POST", "/api/v1/auth/refresh", Anyone),
    ("POST", "/api/v1/auth/logout", SignedIn),
    ("GET", "/api/v1/me", SignedIn),
    // Getting in (and out, harmlessly, when not in).
    ("GET", "/account/registrati", Anyone),
    ("POST", "/account/registrati", Anyone),
    ("GET", "/account/accedi", Anyone),
    ("POST", "/account/accedi", Anyone),
    ("GET", "/account/accedi/codice", Anyone),
    ("POST", "/account/accedi/codice", Anyone),
    ("POST", "/account/esci", Anyone),
    ("POST", "/account/esci-ovunque", SignedIn),
    // Links from mails work in any browser, signed in or not.
    ("GET", "/account/verifica", Anyone),
    ("POST", "/account/verifica/invia", SignedIn),
    ("GET", "/account/password-dimenticata", Anyone),
    ("POST", "/account/password-dimenticata", Anyone),
    ("GET", "/account/reimposta", Anyone),
    ("POST", "/account/reimposta", Anyone),
    ("GET", "/account/email/conferma", Anyone),
    // One's own account, verified or not.
    ("GET", "/account", SignedIn),
    ("POST", "/account/profilo", SignedIn),
    ("GET", "/account/impostazioni", SignedIn),
    ("POST", "/account/password", SignedIn),
    ("POST", "/account/email", SignedIn),
    ("POST", "/account/elimina", SignedIn),
    ("GET", "/account/dati", SignedIn),
    ("GET", "/account/sessioni", SignedIn),
    ("POST", "/account/sessioni/{id}/revoca", SignedIn),
    ("GET", "/account/2fa", SignedIn),
    ("POST", "/account/2fa/avvia", SignedIn),
    ("POST", "/account/2fa/conferma", SignedIn),
    ("POST", "/account/2fa/codici", SignedIn),
    ("POST", "/account/2fa/disattiva", SignedIn),
    // Asking to be an association needs a confirmed address.
    ("GET", "/account/associazione", Verified),
    ("POST", "/account/associazione", Verified),
    ("GET", "/utenti/{id}", Anyone),
    // Powers over others.
    ("GET", "/admin/utenti", Admin),
    ("POST", "/admin/utenti/{id}/ruolo", Admin),
    ("POST", "/admin/utenti/{id}/sospendi", Moderator),
    ("POST", "/admin/utenti/{id}/riattiva", Moderator),
    ("GET", "/admin/associazioni", Admin),
    ("POST", "/admin/associazioni/{id}/approva", Admin),
    ("POST", "/admin/associazioni/{id}/rifiuta", Admin),
    // Participation: reading is public, writing needs a confirmed address.
    ("POST", "/quartieri/{slug}/annotazioni", Verified),
    ("POST", "/quartieri/2014/{slug}/annotazioni", Verified),
    ("GET", "/annotazioni/{id}", Anyone),
    ("GET", "/annotazioni/{id}/modifica", Verified),
    ("POST", "/annotazioni/{id}/modifica", Verified),
    ("POST", "/annotazioni/{id}/elimina", Verified),
    ("GET", "/annotazioni/{id}/cronologia", Anyone),
    ("GET", "/messaggi/{id}", Anyone),
    ("GET", "/messaggi/{id}/modifica", Verified),
    ("POST", "/messaggi/{id}/modifica", Verified),
    ("POST", "/messaggi/{id}/elimina", Verified),
    ("GET", "/messaggi/{id}/cronologia", Anyone),
    ("POST", "/discussioni/{kind}/{key}/messaggi", Verified),
    ("POST", "/discussioni/{id}/blocca", Moderator),
    ("POST", "/messaggi/{id}/utile", Verified),
    // One's own notifications and follows.
    ("GET", "/notifiche", SignedIn),
    ("POST", "/notifiche/lette", SignedIn),
    ("POST", "/notifiche/{id}/letta", SignedIn),
    ("GET", "/api/v1/notifications/unread", SignedIn),
    ("GET", "/seguiti", SignedIn),
    ("POST", "/seguiti", SignedIn),
    ("POST", "/seguiti/rimuovi", SignedIn),
    // The digest's unsubscribe link works without logging in.
    ("GET", "/seguiti/disiscrivi", Anyone),
    // The lab's JSON API: reading is public, writing needs a verified
    // address, one's follows and notifications a session.
    ("GET", "/api/v1/annotations", Anyone),
    ("POST", "/api/v1/annotations", Verified),
    ("GET", "/api/v1/annotations/{id}", Anyone),
    ("PATCH", "/api/v1/annotations/{id}", Verified),
    ("DELETE", "/api/v1/annotations/{id}", Verified),
    ("GET", "/api/v1/discussions/{kind}/{key}", Anyone),
    ("POST", "/api/v1/discussions/{kind}/{key}/posts", Verified),
    ("GET", "/api/v1/posts/{id}", Anyone),
    ("PATCH", "/api/v1/posts/{id}", Verified),
    ("DELETE", "/api/v1/posts/{id}", Verified),
    ("POST", "/api/v1/posts/{id}/useful", Verified),
    ("GET", "/api/v1/follows", SignedIn),
    ("POST", "/api/v1/follows", SignedIn),
    ("DELETE", "/api/v1/follows/{subject}", SignedIn),
    ("GET", "/api/v1/notifications", SignedIn),
    ("POST", "/api/v1/notifications/read", SignedIn),
    ("GET", "/segnala", Anyone),
    ("POST", "/segnala", Anyone),
    ("GET", "/api/v1/reports/reasons", Anyone),
    ("POST", "/api/v1/reports", Anyone),
    ("GET", "/moderazione", Moderator),
    ("POST", "/moderazione/decisioni", Moderator),
    ("GET", "/moderazione/registro", Anyone),
    ("GET", "/api/v1/moderation/log", Anyone),
    ("GET", "/api/v1/moderation/queue", Moderator),
    ("POST", "/api/v1/moderation/decisions", Moderator),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Unverified,
    Citizen,
    Association,
    Moderator,
    ModeratorWithout2fa,
    Admin,
    AdminWithout2fa,
    /// A citizen banned after its session was opened.
    Banned,
}

const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::Unverified,
    Who::Citizen,
    Who::Association,
    Who::Moderator,
    Who::ModeratorWithout2fa,
    Who::Admin,
    Who::AdminWithout2fa,
    Who::Banned,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Not refused by access control (any other answer: 200, 303, 404, 422...).
    Allowed,
    /// Not signed in: a page GET goes to the log-in page, the rest is 401.
    SignIn,
    Forbidden,
}

fn expectation(method: &str, path: &str, need: Need, who: Who) -> Expect {
    // Moderators and admins must keep their second factor: the handler
    // refuses to turn it off, whether or not they have one.
    let keeps_2fa = matches!(
        who,
        Who::Moderator | Who::ModeratorWithout2fa | Who::Admin | Who::AdminWithout2fa
    );
    if (method, path) == ("POST", "/account/2fa/disattiva") && keeps_2fa {
        return Expect::Forbidden;
    }
    let signed_in = !matches!(who, Who::Anonymous | Who::Banned);
    let allowed = match need {
        Anyone => return Expect::Allowed,
        _ if !signed_in => return Expect::SignIn,
        SignedIn => true,
        Verified => who != Who::Unverified,
        // The role without the second factor is no better than no role.
        Moderator => matches!(who, Who::Moderator | Who::Admin),
        Admin => who == Who::Admin,
    };
    if allowed {
        Expect::Allowed
    } else {
        Expect::Forbidden
    }
}

/// The refusal of a page GET to someone not signed in. Some answers that
/// are not refusals also go to the log-in page (log out everywhere, the
/// code step without its cookie): they carry no `next`.
fn is_sign_in_redirect(status: u16, location: Option<&str>) -> bool {
    status == 303 && location.is_some_and(|l| l.starts_with("/account/accedi?next="))
}

fn meets(expect: Expect, method: &str, path: &str, status: u16, location: Option<&str>) -> bool {
    match expect {
        Expect::Allowed => status != 401 && status != 403 && !is_sign_in_redirect(status, location),
        Expect::SignIn if method == "GET" && !path.starts_with("/api/") => {
            is_sign_in_redirect(status, location)
        }
        Expect::SignIn => status == 401,
        Expect::Forbidden => status == 403,
    }
}

/// A route's path with its parameters filled in.
fn concrete(path: &str, victim: i64) -> String {
    let filled = if path.starts_with("/admin/utenti/") || path == "/utenti/{id}" {
        path.replace("{id}", &victim.to_string())
    } else if path.starts_with("/account/sessioni/") {
        path.replace("{id}", &random_token())
    } else if path.starts_with("/admin/associazioni/") {
        path.replace("{id}", "999999")
    } else if path.starts_with("/discussioni/{kind}") || path.starts_with("/api/v1/discussions/") {
        path.replace("{kind}", "area")
            .replace("{key}", "q2016-navile")
    } else if path.contains("{subject}") {
        path.replace("{subject}", "area:q2016-navile")
    } else if path.contains("{id}") {
        // Annotations, threads, posts, notifications that do not exist: 404 once allowed.
        path.replace("{id}", "999999")
    } else if path.starts_with("/quartieri/") {
        path.replace("{slug}", "navile")
    } else if path.contains("/datasets/") {
        path.replace("{slug}", "interventi")
    } else {
        path.replace("{file}", "nope.css")
    };
    assert!(!filled.contains('{'), "a parameter left in {filled}");
    filled
}

/// One request as a browser on our pages would send it (for a POST: our
/// Origin, a CSRF cookie and its token, the form `body`); the status and
/// the Location.
async fn probe(
    client: &reqwest::Client,
    server: &Server,
    method: &str,
    path: &str,
    session: Option<&(String, String)>,
    body: &str,
) -> (u16, Option<String>) {
    let url = format!("{}{path}", server.base);
    let accept = if path.starts_with("/api/") {
        "application/json"
    } else {
        "text/html"
    };
    let mut cookies = Vec::new();
    if let Some((access, refresh)) = session {
        cookies.push(format!("ow_access={access}"));
        cookies.push(format!("ow_refresh={refresh}"));
    }
    let mut request = if method == "GET" {
        client.get(url)
    } else {
        let binding = random_token();
        cookies.push(format!("ow_csrf={binding}"));
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        client
            .request(method, url)
            .header("x-csrf-token", server.state.auth.csrf.token(&binding))
            .header("origin", &server.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
    };
    request = request.header("accept", accept);
    if !cookies.is_empty() {
        request = request.header("cookie", cookies.join("; "));
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (response.status().as_u16(), location)
}

async fn route_role_matrix(db: TestDb) {
    // The table and the server's routes must list the same routes.
    let ours: BTreeSet<(&str, &str)> = EXPECTED.iter().map(|(m, p, _)| (*m, *p)).collect();
    assert_eq!(
        ours.len(),
        EXPECTED.len(),
        "a route is listed twice in EXPECTED"
    );
    let theirs: BTreeSet<(&str, &str)> = openwelfare::http::routes()
        .iter()
        .map(|r| (r.method, r.path))
        .collect();
    let unexpected: Vec<_> = theirs.difference(&ours).collect();
    let gone: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "the route table changed: routes without an expectation here: {unexpected:?}; \
         expectations for routes that do not exist: {gone:?}"
    );

    let server = serve(&db).await;
    let state = &server.state;
    let store = &state.store;
    let now = OffsetDateTime::now_utc();
    let user = |email: &'static str, role: Role, verified: bool| {
        let server = &server;
        async move { make_user(server, email, role, verified, None).await }
    };
    let unverified = user("nonverificato@example.org", Role::Citizen, false).await;
    let citizen = user("cittadino@example.org", Role::Citizen, true).await;
    let association = user("associazione@example.org", Role::Association, true).await;
    let moderator = user("moderatore@example.org", Role::Moderator, true).await;
    let moderator_no_2fa = user("moderatore2@example.org", Role::Moderator, true).await;
    let admin = user("admin@example.org", Role::Admin, true).await;
    let admin_no_2fa = user("admin2@example.org", Role::Admin, true).await;
    let banned = user("sospeso@example.org", Role::Citizen, true).await;
    let victim = user("bersaglio@example.org", Role::Citizen, true).await;
    enable_2fa(&server, moderator).await;
    enable_2fa(&server, admin).await;
    // The user and whether the session used the second factor.
    let account = |who: Who| -> Option<(i64, bool)> {
        match who {
            Who::Anonymous => None,
            Who::Unverified => Some((unverified, false)),
            Who::Citizen => Some((citizen, false)),
            Who::Association => Some((association, false)),
            Who::Moderator => Some((moderator, true)),
            Who::ModeratorWithout2fa => Some((moderator_no_2fa, false)),
            Who::Admin => Some((admin, true)),
            Who::AdminWithout2fa => Some((admin_no_2fa, false)),
            Who::Banned => Some((banned, false)),
        }
    };

    let client = http();
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for (method, path, need) in EXPECTED {
        for who in EVERYONE {
            // A fresh session every time: some allowed requests end it
            // (log out, log out everywhere, revoke).
            let session = match account(who) {
                None => None,
                Some((id, mfa)) => {
                    if who == Who::Banned {
                        store
                            .set_status(admin, id, UserStatus::Active, now)
                            .await
                            .expect("reinstate");
                    }
                    let pair = open_session(state, id, mfa, "matrix")
                        .await
                        .expect("open a session");
                    if who == Who::Banned {
                        store
                            .set_status(admin, id, UserStatus::Banned, now)
                            .await
                            .expect("ban");
                    }
                    Some(pair)
                }
            };
            let target = concrete(path, victim);
            let (status, location) =
                probe(&client, &server, method, &target, session.as_ref(), "").await;
            checked += 1;
            let expect = expectation(method, path, *need, who);
            if !meets(expect, method, path, status, location.as_deref()) {
                mismatches.push(format!(
                    "{method} {target} as {who:?}: expected {expect:?} ({need:?}), got {status}{}",
                    location.map(|l| format!(" -> {l}")).unwrap_or_default()
                ));
            }
            // Put the victim back the way it was for the next request.
            let v = store
                .user_by_id(victim)
                .await
                .expect("read the victim")
                .expect("the victim");
            if v.status != UserStatus::Active {
                store
                    .set_status(admin, victim, UserStatus::Active, now)
                    .await
                    .expect("reinstate");
            }
            if v.role != Role::Citizen {
                store
                    .set_role(admin, victim, Role::Citizen, now)
                    .await
                    .expect("reset the role");
            }
        }
    }
    println!(
        "route x role matrix on {:?}: {checked} requests checked ({} routes x {} kinds of user), {} mismatches",
        db.kind,
        EXPECTED.len(),
        EVERYONE.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} requests did not answer as expected:\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
}

/// The rules the route table cannot express, checked by the handlers:
/// nobody acts on themselves, a moderator never on a moderator or an
/// admin, and a user cannot revoke another user's session by its id.
async fn powers_stop_at_peers_and_at_other_users_sessions(db: TestDb) {
    let server = serve(&db).await;
    let state = &server.state;
    let client = http();
    let moderator = make_user(
        &server,
        "moderatore@example.org",
        Role::Moderator,
        true,
        None,
    )
    .await;
    let peer = make_user(
        &server,
        "moderatrice@example.org",
        Role::Moderator,
        true,
        None,
    )
    .await;
    let admin = make_user(&server, "admin@example.org", Role::Admin, true, None).await;
    enable_2fa(&server, moderator).await;
    enable_2fa(&server, admin).await;
    let session = |id: i64, mfa: bool| async move {
        open_session(state, id, mfa, "security tests")
            .await
            .expect("open a session")
    };

    let attempts = [
        (
            moderator,
            "/admin/utenti/{peer}/sospendi",
            "",
            "a moderator bans a moderator",
        ),
        (
            moderator,
            "/admin/utenti/{admin}/sospendi",
            "",
            "a moderator bans an admin",
        ),
        (
            moderator,
            "/admin/utenti/{moderator}/sospendi",
            "",
            "a moderator bans themselves",
        ),
        (
            admin,
            "/admin/utenti/{admin}/sospendi",
            "",
            "an admin bans themselves",
        ),
        (
            admin,
            "/admin/utenti/{admin}/ruolo",
            "role=citizen",
            "an admin changes their own role",
        ),
    ];
    for (actor, path, body, what) in attempts {
        let path = path
            .replace("{peer}", &peer.to_string())
            .replace("{admin}", &admin.to_string())
            .replace("{moderator}", &moderator.to_string());
        let pair = session(actor, true).await;
        let (status, location) = probe(&client, &server, "POST", &path, Some(&pair), body).await;
        assert_eq!(
            status, 403,
            "{what}: POST {path} answered {status} {location:?}"
        );
    }
    // Control: the same moderator, same kind of session, may ban a citizen.
    let citizen = make_user(&server, "cittadino@example.org", Role::Citizen, true, None).await;
    let path = format!("/admin/utenti/{citizen}/sospendi");
    let (status, location) = probe(
        &client,
        &server,
        "POST",
        &path,
        Some(&session(moderator, true).await),
        "",
    )
    .await;
    assert_eq!(
        status, 303,
        "control: a moderator bans a citizen: {location:?}"
    );
    let banned = state
        .store
        .user_by_id(citizen)
        .await
        .expect("read")
        .expect("the citizen");
    assert_eq!(
        banned.status,
        UserStatus::Banned,
        "control: the citizen was not banned"
    );
    for (id, role) in [
        (moderator, Role::Moderator),
        (peer, Role::Moderator),
        (admin, Role::Admin),
    ] {
        let user = state
            .store
            .user_by_id(id)
            .await
            .expect("read")
            .expect("the user");
        assert_eq!(
            (user.status, user.role),
            (UserStatus::Active, role),
            "user {id} was changed"
        );
    }

    // Anna cannot end Bruno's session, even knowing its id.
    let anna = make_user(&server, "anna@example.org", Role::Citizen, true, None).await;
    let bruno = make_user(&server, "bruno@example.org", Role::Citizen, true, None).await;
    let (bruno_access, _) = session(bruno, false).await;
    let bruno_sid = payload_of(&bruno_access)["sid"]
        .as_str()
        .expect("sid")
        .to_string();
    let path = format!("/account/sessioni/{bruno_sid}/revoca");
    let (status, _) = probe(
        &client,
        &server,
        "POST",
        &path,
        Some(&session(anna, false).await),
        "",
    )
    .await;
    assert_eq!(status, 404, "Anna revokes Bruno's session");
    assert_accepted(
        &server,
        &bruno_access,
        bruno,
        "Bruno's session after Anna's attempt",
    )
    .await;
}

// ====================================================================
// D. Banned and deleted users are out at once
// ====================================================================

async fn banned_and_deleted_users_are_out_at_once(db: TestDb) {
    let server = serve(&db).await;
    let admin = make_user(
        &server,
        "admin@example.org",
        Role::Admin,
        true,
        Some(PASSWORD),
    )
    .await;
    let secret = enable_2fa(&server, admin).await;

    // Bruno is signed in in a browser and holds API tokens.
    let bruno = make_user(
        &server,
        "bruno@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    let mut bruno_browser = signed_in_browser(&server, "bruno@example.org").await;
    let (access, refresh) = api_tokens(&server, "bruno@example.org").await;
    assert_accepted(&server, &access, bruno, "Bruno's API token before the ban").await;

    // The admin logs in with password and code, and bans him through the real form.
    let mut admin_browser = log_in_with_code(&server, "admin@example.org", &secret).await;
    let users = admin_browser.get("/admin/utenti").await;
    assert_eq!(users.status, 200, "the admin's user list");
    assert!(users.has("Utente bruno"), "Bruno is not on the list");
    let ban = admin_browser
        .post(&format!("/admin/utenti/{bruno}/sospendi"), &[])
        .await;
    assert_eq!(ban.status, 303, "ban: {}", ban.body);

    // Bruno's very next request is refused, in the browser and the API.
    let page = bruno_browser.get("/account").await;
    assert!(
        is_sign_in_redirect(page.status, page.location.as_deref()),
        "Bruno's next page after the ban: {} {:?}",
        page.status,
        page.location
    );
    assert!(
        !bruno_browser.signed_in(),
        "the session cookies were not cleared"
    );
    assert_refused(&server, &access, "Bruno's API token after the ban").await;
    let (status, body) = post_json(
        &server,
        "/api/v1/auth/refresh",
        &json!({"refresh_token": refresh}),
    )
    .await;
    assert_eq!(status, 401, "Bruno's refresh token after the ban: {body}");
    // And he cannot come back in.
    let again = log_in(&mut bruno_browser, "bruno@example.org", PASSWORD).await;
    assert_eq!(
        again.status, 403,
        "Bruno logs in again: {:?}",
        again.location
    );
    assert!(
        again.has("sospeso"),
        "the refusal does not say suspended: {}",
        again.body
    );
    assert!(!bruno_browser.signed_in());
    let (status, body) = post_json(
        &server,
        "/api/v1/auth/token",
        &json!({"email": "bruno@example.org", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 401, "Bruno asks for API tokens again: {body}");

    // Dora deletes her account in one browser: her other browser and her
    // API token are out at once, and the address no longer logs in.
    let dora = make_user(
        &server,
        "dora@example.org",
        Role::Citizen,
        true,
        Some(PASSWORD),
    )
    .await;
    let mut here = signed_in_browser(&server, "dora@example.org").await;
    let mut there = signed_in_browser(&server, "dora@example.org").await;
    let (access, _) = api_tokens(&server, "dora@example.org").await;
    assert_accepted(
        &server,
        &access,
        dora,
        "Dora's API token before the deletion",
    )
    .await;
    assert_eq!(here.get("/account/impostazioni").await.status, 200);
    let gone = here
        .post(
            "/account/elimina",
            &[("password", PASSWORD), ("contributions", "remove")],
        )
        .await;
    assert_eq!(gone.status, 200, "delete the account: {}", gone.body);
    let page = there.get("/account").await;
    assert!(
        is_sign_in_redirect(page.status, page.location.as_deref()),
        "Dora's other browser after the deletion: {} {:?}",
        page.status,
        page.location
    );
    assert_refused(&server, &access, "Dora's API token after the deletion").await;
    let again = log_in(&mut there, "dora@example.org", PASSWORD).await;
    assert_eq!(again.status, 422, "a deleted address logs in");
    assert!(!there.signed_in());
}

// ====================================================================
// The helpers' own check
// ====================================================================

#[test]
fn base64url_matches_rfc4648() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(b64url(plain.as_bytes()), encoded);
        assert_eq!(b64url_decode(encoded), plain.as_bytes());
    }
    // The two characters where base64url differs from base64.
    assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
    assert_eq!(b64url_decode("-_8"), [0xfb, 0xff]);
}

// ====================================================================
// The server itself (server::run): header-read timeout
// ====================================================================

/// Read until the peer closes (or a reset): how long that took, or None
/// if it was still open after `within`. Meanwhile one header line goes out
/// every 300 ms, as a slowloris client sends them.
async fn drip_until_closed(
    tcp: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> Option<std::time::Duration> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 1024];
    let mut line = 0;
    while started.elapsed() < within {
        tokio::select! {
            read = tcp.read(&mut buffer) => match read {
                Ok(0) | Err(_) => return Some(started.elapsed()),
                // A response (408?) before the close: keep reading to the end.
                Ok(_) => continue,
            },
            _ = tokio::time::sleep(std::time::Duration::from_millis(300)) => {
                line += 1;
                if tcp.write_all(format!("x-drip-{line}: 1\r\n").as_bytes()).await.is_err() {
                    return Some(started.elapsed());
                }
            }
        }
    }
    None
}

async fn slow_headers_are_cut_off_and_the_server_still_serves(db: TestDb) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = db.config(&[
        ("OPENWELFARE_HEADER_READ_TIMEOUT_SECS", "1"),
        ("OPENWELFARE_TRUSTED_PROXIES", "127.0.0.1"),
        ("OPENWELFARE_WS_MAX_PER_IP", "1"),
    ]);
    let state = openwelfare::server::prepare(config, db.store.clone())
        .await
        .expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(openwelfare::server::run(listener, state, async {
        let _ = stopped.await;
    }));

    // Slowloris: the request line, then one header line every 300 ms.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"GET / HTTP/1.1\r\n").await.expect("write");
    let closed = drip_until_closed(&mut tcp, std::time::Duration::from_secs(10)).await;
    let closed = closed.expect("a client dripping headers was still connected after 10 s");
    assert!(
        closed < std::time::Duration::from_millis(2500),
        "cut off only after {closed:?} (timeout 1 s)"
    );

    // A normal request still works.
    let client = http();
    let response = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");

    // Websockets still upgrade, and handlers see the TCP peer: 127.0.0.1 is
    // a trusted proxy, so two forwarded clients are told apart (one socket
    // each), which they could not be if the peer address were missing.
    let a = [("x-forwarded-for", "203.0.113.1")];
    let b = [("x-forwarded-for", "203.0.113.2")];
    let mut first = common::ws::try_connect(&base, &a)
        .await
        .expect("A's socket");
    common::ws::subscribe(&mut first, &["map"], None).await;
    let _second = common::ws::try_connect(&base, &b)
        .await
        .expect("B's socket");
    assert_eq!(common::ws::try_connect(&base, &a).await.err(), Some(429));

    // Graceful shutdown finishes a request in flight: its body is only
    // half sent when the shutdown starts.
    let body = br#"{"email":"nobody@example.org","password":"wrong password"}"#;
    let mut inflight = tokio::net::TcpStream::connect(addr).await.expect("connect");
    inflight
        .write_all(
            format!(
                "POST /api/v1/auth/token HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .expect("write");
    inflight.write_all(&body[..10]).await.expect("write");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.send(()).expect("stop");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    inflight.write_all(&body[10..]).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        inflight.read_to_end(&mut answer),
    )
    .await
    .expect("answered in time")
    .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stopped in time")
        .expect("task")
        .expect("run");
}

// ====================================================================
// Security headers
// ====================================================================

async fn pages_carry_the_security_headers(db: TestDb) {
    let state = db.state().await;
    for path in [
        "/account/accedi",
        "/healthz",
        "/api/v1/datasets",
        "/no/such/page",
    ] {
        let response = common::send(&state, path, &[("accept", "text/html")]).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{path}: no {name}"))
                .to_string()
        };
        let csp = header("content-security-policy");
        let directives: BTreeSet<&str> = csp.split(';').map(str::trim).collect();
        for wanted in [
            "default-src 'self'",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            // A <base> injected into a page cannot redirect its relative links and forms.
            "base-uri 'none'",
            // Forms post to this site only.
            "form-action 'self'",
        ] {
            assert!(
                directives.contains(wanted),
                "{path}: CSP {csp} lacks {wanted}"
            );
        }
        let permissions = header("permissions-policy");
        for denied in [
            "camera=()",
            "microphone=()",
            "geolocation=()",
            "interest-cohort=()",
            "browsing-topics=()",
        ] {
            assert!(
                permissions.split(',').map(str::trim).any(|p| p == denied),
                "{path}: Permissions-Policy {permissions} lacks {denied}"
            );
        }
        assert_eq!(
            header("cross-origin-opener-policy"),
            "same-origin",
            "{path}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    }
    // /embed may be framed by other sites: its own policy, with the same additions.
    let response = common::send(&state, "/embed", &[]).await;
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("/embed: a CSP");
    assert!(csp.contains("base-uri 'none'"), "/embed: {csp}");
    assert!(csp.contains("form-action 'self'"), "/embed: {csp}");
}

// ====================================================================
// The OpenAPI document against the route table and the handlers
// ====================================================================

/// The problem document of a response, checking its content type.
async fn problem_of(response: reqwest::Response, what: &str) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = response.text().await.unwrap();
    assert_eq!(content_type, "application/problem+json", "{what}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
}

/// Whether the document lists `status` for `method path` as a problem document.
fn documents_problem(doc: &Value, method: &str, path: &str, status: u16) -> bool {
    doc["paths"][path][method]["responses"][status.to_string()]["content"]
        .get("application/problem+json")
        .is_some()
}

async fn the_openapi_document_matches_the_routes_and_the_handlers(db: TestDb) {
    let server = serve(&db).await;
    let client = http();
    let doc: Value = client
        .get(format!("{}/api/v1/openapi.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Every documented operation is in the route table, and every /api/v1
    // route of the table is documented.
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = openwelfare::http::routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );

    // Query parameters: whatever a handler refuses to go without is marked
    // required, and each one marked required is refused when missing.
    for (method, path) in &documented {
        if method != "GET" {
            continue;
        }
        let params = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let required: BTreeSet<String> = params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        for p in params.iter().filter(|p| p["in"] == "path") {
            assert_eq!(p["required"], true, "{path}: path parameter {p}");
            let name = p["name"].as_str().unwrap();
            assert!(
                path.contains(&format!("{{{name}}}")),
                "{path}: {name} is documented in the path but is not in it (a query parameter?)"
            );
        }
        // Path parameters get values that exist or parse (a lab id that
        // exists nowhere, a discussion's kind and key), so what is checked
        // here is the query parameters.
        let filled = path
            .replace("{slug}", "nessuno")
            .replace("{id}", "999999")
            .replace("{kind}", "area")
            .replace("{key}", "q2016-navile")
            .replace("{subject}", "area:q2016-navile");
        let url = format!("{}{}", server.base, filled);
        let response = client.get(&url).send().await.unwrap();
        let status = response.status().as_u16();
        if status == 400 {
            let problem = problem_of(response, path).await;
            let named = problem["parameter"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(
                required.contains(&named),
                "{path}: 400 without {named}, which the document does not mark required ({required:?})"
            );
        } else {
            assert!(
                required.is_empty(),
                "{path}: answered {status} without {required:?}, which the document marks required"
            );
        }
        if !required.is_empty() || status == 400 {
            assert!(
                documents_problem(&doc, "get", path, 400),
                "{path}: 400 undocumented"
            );
        }
    }

    // Every state-changing API route documents its CSRF refusal, and gives
    // it: a JSON request from another site's page.
    for (method, path) in documented.iter().filter(|(m, _)| m == "POST") {
        assert!(
            documents_problem(&doc, "post", path, 403),
            "{method} {path}: the 403 (CSRF) is undocumented"
        );
        let response = client
            .post(format!("{}{path}", server.base))
            .header("origin", EVIL)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let problem = problem_of(response, path).await;
        assert_eq!(problem["status"], 403);
    }

    // Malformed JSON: a problem document naming the body and what is wrong,
    // and documented.
    for path in ["/api/v1/auth/token", "/api/v1/auth/refresh"] {
        let response = client
            .post(format!("{}{path}", server.base))
            .header("content-type", "application/json")
            .body("{\"email\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let problem = problem_of(response, path).await;
        assert_eq!(problem["parameter"], "body", "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("EOF"),
            "the detail says what is wrong: {problem}"
        );
        assert!(
            documents_problem(&doc, "post", path, 400),
            "{path}: 400 undocumented"
        );
        // A missing field is named too.
        let response = client
            .post(format!("{}{path}", server.base))
            .json(&json!({"unexpected": true}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let problem = problem_of(response, path).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("missing field"),
            "{path}: {problem}"
        );
        assert!(
            documents_problem(&doc, "post", path, status),
            "{path}: {status} undocumented"
        );
    }

    // A method the table does not route for a known path: 405 with Allow
    // (a problem document under /api/), not a CSRF refusal.
    for (method, path, allow) in [
        ("TRACE", "/api/v1/datasets", "GET,HEAD"),
        ("DELETE", "/api/v1/auth/token", "POST"),
        ("TRACE", "/healthz", "GET,HEAD"),
        ("PUT", "/account/accedi", "GET,HEAD,POST"),
    ] {
        let response = client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", server.base),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        let allowed = response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .replace(' ', "");
        assert_eq!(allowed, allow, "{method} {path}");
        if path.starts_with("/api/") {
            assert_eq!(problem_of(response, path).await["status"], 405);
        }
    }
    // An unknown path is not the method's fault: no 405, no Allow.
    for method in [reqwest::Method::GET, reqwest::Method::TRACE] {
        let response = client
            .request(method.clone(), format!("{}/api/v1/nothing", server.base))
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), 405, "{method} /api/v1/nothing");
        assert!(response.headers().get("allow").is_none(), "{method}");
        if method == reqwest::Method::GET {
            assert_eq!(response.status(), 404);
        }
    }
}
