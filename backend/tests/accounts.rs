//! The account system end to end, over HTTP against a real server on
//! loopback, with every message exchanged with a real SMTP server and its
//! links followed: sign-up, verification, log-in, profile, password
//! change, reset, address change, data download, deletion, two-factor
//! authentication, rate limits, API tokens, association requests.
//! Every story runs on SQLite and on PostgreSQL.

mod common;

use common::web::{Browser, Page, Server};
use common::TestDb;
use openwelfare::accounts::model::{NewUser, Role};
use openwelfare::accounts::password::Passwords;
use openwelfare::accounts::totp;
use openwelfare::accounts::UserStatus;
use time::OffsetDateTime;

use common::web::PASSWORD;
const NEW_PASSWORD: &str = "la nebbia sale dal reno a novembre";

async fn log_in(browser: &mut Browser, email: &str, password: &str) -> Page {
    browser
        .submit(
            "/account/accedi",
            "/account/accedi",
            &[
                ("email", email),
                ("password", password),
                ("next", "/account"),
            ],
        )
        .await
}

/// A user made directly in the store (for stories that are not about sign-up).
async fn make_user(server: &Server, email: &str, role: Role, verified: bool) -> i64 {
    server.user(email, "Test user", role, verified).await
}

fn unix_now() -> u64 {
    OffsetDateTime::now_utc().unix_timestamp() as u64
}

async fn the_account_life_cycle_over_http_with_real_mail(db: TestDb) {
    let mut server = db.serve(&[]).await;
    let mut anna = server.browser();

    // Sign up: a weak password is refused naming the field, nothing is stored.
    let weak = anna
        .submit(
            "/account/registrati",
            "/account/registrati",
            &[
                ("email", "anna@example.org"),
                ("display_name", "Anna"),
                ("password", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.has("field-password"),
        "the error names the password field"
    );
    assert!(server
        .state
        .store
        .user_by_email("anna@example.org")
        .await
        .unwrap()
        .is_none());

    let signed = anna
        .submit(
            "/account/registrati",
            "/account/registrati",
            &[
                ("email", "Anna@Example.org"),
                ("display_name", "Anna Bianchi"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed.status, 200, "{}", signed.body.len());
    let user = server
        .state
        .store
        .user_by_email("anna@example.org")
        .await
        .unwrap()
        .expect("stored, lower-cased");
    assert!(!user.verified());
    let hash = user.password_hash.clone().unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );

    // The verification mail arrives over SMTP; its link works once.
    let (mail, link) = server.mail_link("/account/verifica?token=").await;
    assert_eq!(mail.to, vec!["anna@example.org".to_string()]);
    assert!(mail.html.contains("Anna Bianchi"));
    let token = link.split("token=").nth(1).unwrap().to_string();
    let stored_tokens = db_tokens(&db, user.id).await;
    assert!(
        !stored_tokens.iter().any(|t| t.contains(&token)),
        "only the token's hash is stored"
    );
    let verified = anna.get(&link).await;
    assert_eq!(verified.status, 200);
    assert!(server
        .state
        .store
        .user_by_email("anna@example.org")
        .await
        .unwrap()
        .unwrap()
        .verified());
    assert_eq!(
        anna.get(&link).await.status,
        400,
        "a verification link works once"
    );

    // Log in: a wrong password and an unknown address get the same answer.
    let wrong = log_in(&mut anna, "anna@example.org", "not the password at all").await;
    let unknown = log_in(&mut anna, "nobody@example.org", "not the password at all").await;
    assert_eq!((wrong.status, unknown.status), (422, 422));
    let strip = |p: &Page| {
        p.body
            .replace(&p.body[p.body.find("name=\"csrf\"").unwrap()..][..100], "")
    };
    assert_eq!(
        strip(&wrong).replace("nobody@example.org", "anna@example.org"),
        strip(&unknown).replace("nobody@example.org", "anna@example.org")
    );
    let ok = log_in(&mut anna, "anna@example.org", PASSWORD).await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location.as_deref(), Some("/account"));
    let cookies = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>();
    let access = cookies
        .iter()
        .find(|c| c.starts_with("ow_access="))
        .expect("access cookie");
    assert!(
        access.contains("HttpOnly") && access.contains("SameSite=Lax"),
        "{access}"
    );
    let profile = anna.get("/account").await;
    assert_eq!(profile.status, 200);
    assert!(profile.has("Anna Bianchi"));
    assert_eq!(profile.headers.get("cache-control").unwrap(), "no-store");

    // Profile: the bio is kept as text and shown escaped.
    let saved = anna
        .post(
            "/account/profilo",
            &[
                ("display_name", "Anna B."),
                ("bio", "<script>alert(1)</script>\nVolontaria"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let public = anna.get(&format!("/utenti/{}", user.id)).await;
    assert!(public.has("&lt;script&gt;alert(1)&lt;/script&gt;") && !public.has("<script>alert"));

    // A second browser, then a password change: the other session is out, this one stays.
    let mut phone = server.browser();
    assert_eq!(
        log_in(&mut phone, "anna@example.org", PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(phone.get("/account").await.status, 200);
    let changed = anna
        .submit(
            "/account/impostazioni",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "password change");
    let notice = server.smtp.next(std::time::Duration::from_secs(10)).await;
    assert!(
        notice.text.to_lowercase().contains("password"),
        "{}",
        notice.subject
    );
    assert_eq!(anna.get("/account").await.status, 200, "this session stays");
    let out = phone.get("/account").await;
    assert_eq!(out.status, 303, "the other session is revoked at once");
    assert!(out.location.unwrap().starts_with("/account/accedi"));

    // Forgotten password: the same page for a known and an unknown address; the link works once, within the hour.
    let mut forgetful = server.browser();
    let sent = forgetful
        .submit(
            "/account/password-dimenticata",
            "/account/password-dimenticata",
            &[("email", "anna@example.org")],
        )
        .await;
    let sent_unknown = forgetful
        .submit(
            "/account/password-dimenticata",
            "/account/password-dimenticata",
            &[("email", "nessuno@example.org")],
        )
        .await;
    assert_eq!((sent.status, sent_unknown.status), (200, 200));
    let (_, link) = server.mail_link("/account/reimposta?token=").await;
    let form = forgetful.get(&link).await;
    assert_eq!(form.status, 200);
    let token = link.split("token=").nth(1).unwrap().to_string();
    let reset = forgetful
        .post(
            "/account/reimposta",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(
        reset.location.as_deref(),
        Some("/account/accedi?msg=password-reset")
    );
    let again = forgetful
        .post(
            "/account/reimposta",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(again.status, 400, "a reset link works once");
    let _password_changed = server.smtp.next(std::time::Duration::from_secs(10)).await;
    assert_eq!(
        anna.get("/account").await.status,
        303,
        "a reset logs out every session"
    );
    assert_eq!(
        log_in(&mut anna, "anna@example.org", NEW_PASSWORD)
            .await
            .status,
        422
    );
    assert_eq!(
        log_in(&mut anna, "anna@example.org", PASSWORD).await.status,
        303
    );

    // Change of address: confirmed from the new one, the old one is told.
    let asked = anna
        .submit(
            "/account/impostazioni",
            "/account/email",
            &[
                ("new_email", "anna.bianchi@example.net"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(asked.status, 303);
    let (mail, link) = server.mail_link("/account/email/conferma?token=").await;
    assert_eq!(mail.to, vec!["anna.bianchi@example.net".to_string()]);
    assert!(
        anna.get("/account/impostazioni")
            .await
            .has("anna.bianchi@example.net"),
        "shown as pending"
    );
    assert_eq!(anna.get(&link).await.status, 200);
    let told = server.smtp.next(std::time::Duration::from_secs(10)).await;
    assert_eq!(told.to, vec!["anna@example.org".to_string()]);
    assert!(
        told.text.contains("a***@example.net"),
        "the old address learns the new one, masked"
    );
    assert!(server
        .state
        .store
        .user_by_email("anna@example.org")
        .await
        .unwrap()
        .is_none());
    let mut fresh = server.browser();
    assert_eq!(
        log_in(&mut fresh, "anna.bianchi@example.net", PASSWORD)
            .await
            .status,
        303
    );

    // Everything about me, as JSON.
    let data = fresh.get("/account/dati").await;
    assert_eq!(data.status, 200);
    assert!(data
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("attachment"));
    let json: serde_json::Value = serde_json::from_str(&data.body).expect("JSON");
    assert_eq!(json["user"]["email"], "anna.bianchi@example.net");
    assert_eq!(json["user"]["display_name"], "Anna B.");
    assert!(json["sessions"].as_array().unwrap().len() >= 2);
    assert!(
        !data.body.contains("argon2"),
        "no password hash in the download"
    );

    // Log out everywhere.
    let everywhere = fresh
        .submit("/account/impostazioni", "/account/esci-ovunque", &[])
        .await;
    assert_eq!(everywhere.status, 303);
    assert_eq!(anna.get("/account").await.status, 303);

    // Deletion, keeping contributions anonymous: personal data goes, the row stays as a tombstone.
    assert_eq!(
        log_in(&mut fresh, "anna.bianchi@example.net", PASSWORD)
            .await
            .status,
        303
    );
    let refused = fresh
        .submit(
            "/account/impostazioni",
            "/account/elimina",
            &[
                ("password", "wrong password here"),
                ("contributions", "anonymise"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let deleted = fresh
        .submit(
            "/account/impostazioni",
            "/account/elimina",
            &[("password", PASSWORD), ("contributions", "anonymise")],
        )
        .await;
    assert_eq!(deleted.status, 200);
    let tomb = server
        .state
        .store
        .user_by_id(user.id)
        .await
        .unwrap()
        .expect("tombstone kept");
    assert_eq!(tomb.status, UserStatus::Deleted);
    assert!(
        tomb.email.is_none()
            && tomb.password_hash.is_none()
            && tomb.display_name.is_empty()
            && tomb.bio.is_empty()
    );
    assert_eq!(fresh.get("/account").await.status, 303);
    assert_eq!(
        log_in(&mut fresh, "anna.bianchi@example.net", PASSWORD)
            .await
            .status,
        422
    );
    assert_eq!(fresh.get(&format!("/utenti/{}", user.id)).await.status, 404);
}

/// The stored tokens of a user, as text (to prove no plain token is kept).
async fn db_tokens(db: &TestDb, user_id: i64) -> Vec<String> {
    match db.kind {
        common::Kind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT hash FROM user_tokens WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            rows.into_iter().map(|r| r.0).collect()
        }
        common::Kind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT hash FROM user_tokens WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            rows.into_iter().map(|r| r.0).collect()
        }
    }
}

async fn a_taken_address_gets_the_same_answer_and_its_owner_a_reset_link(db: TestDb) {
    let mut server = db.serve(&[]).await;
    let id = make_user(&server, "carlo@example.org", Role::Citizen, true).await;
    let mut stranger = server.browser();
    let page = stranger
        .submit(
            "/account/registrati",
            "/account/registrati",
            &[
                ("email", "carlo@example.org"),
                ("display_name", "Impostore"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.has("Controlla la tua posta"));
    let (mail, _) = server.mail_link("/account/reimposta?token=").await;
    assert_eq!(mail.to, vec!["carlo@example.org".to_string()]);
    let user = server.state.store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(user.display_name, "Test user", "the account is untouched");
}

async fn a_moderator_needs_two_factor_to_act_and_then_logs_in_with_it(db: TestDb) {
    let server = db.serve(&[]).await;
    let victim = make_user(&server, "victim@example.org", Role::Citizen, true).await;
    let moderator = make_user(&server, "mod@example.org", Role::Moderator, true).await;
    let mut browser = server.browser();
    assert_eq!(
        log_in(&mut browser, "mod@example.org", PASSWORD)
            .await
            .status,
        303
    );

    // Without 2FA the power is refused, and the profile says why.
    let ban = format!("/admin/utenti/{victim}/sospendi");
    let refused = browser.submit("/account", &ban, &[]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.has("/account/2fa"));
    assert_eq!(
        server
            .state
            .store
            .user_by_id(victim)
            .await
            .unwrap()
            .unwrap()
            .status,
        UserStatus::Active
    );

    // Enrol: a QR code rendered on the server, then a code confirms it.
    assert_eq!(
        browser
            .submit("/account/2fa", "/account/2fa/avvia", &[])
            .await
            .status,
        303
    );
    let enrol = browser.get("/account/2fa").await;
    assert!(
        enrol.has("<svg") && enrol.has("role=\"img\""),
        "QR code on the page"
    );
    let pending = server
        .state
        .store
        .user_by_id(moderator)
        .await
        .unwrap()
        .unwrap()
        .totp_pending
        .expect("pending secret");
    let secret = hex::decode(&pending).unwrap();
    assert!(
        enrol.has(&totp::secret_base32(&secret)),
        "the secret is shown for typing"
    );
    let wrong = browser
        .post("/account/2fa/conferma", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 422);
    let code = totp::code_at(&secret, unix_now());
    let enabled = browser
        .post("/account/2fa/conferma", &[("code", &code)])
        .await;
    assert_eq!(enabled.status, 200);
    let codes: Vec<String> = enabled
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown once");

    // This session gave the code: the power works now.
    let banned = browser.submit("/account", &ban, &[]).await;
    assert_eq!(banned.status, 303);
    assert_eq!(
        server
            .state
            .store
            .user_by_id(victim)
            .await
            .unwrap()
            .unwrap()
            .status,
        UserStatus::Banned
    );

    // Log in again: the password is not enough.
    let mut next = server.browser();
    let first = log_in(&mut next, "mod@example.org", PASSWORD).await;
    assert_eq!(first.status, 303);
    assert!(first
        .location
        .unwrap()
        .starts_with("/account/accedi/codice"));
    assert!(!next.signed_in(), "no session before the second factor");
    assert_eq!(next.get("/account").await.status, 303);
    // The code used for enrolment is refused: replay.
    let replay = next
        .submit(
            "/account/accedi/codice",
            "/account/accedi/codice",
            &[("code", &code), ("next", "/account")],
        )
        .await;
    assert_eq!(replay.status, 422);
    // A recovery code works once.
    let recovered = next
        .post(
            "/account/accedi/codice",
            &[("code", &codes[0]), ("next", "/account")],
        )
        .await;
    assert_eq!(recovered.status, 303);
    assert!(next.signed_in());
    let mut other = server.browser();
    log_in(&mut other, "mod@example.org", PASSWORD).await;
    let reused = other
        .submit(
            "/account/accedi/codice",
            "/account/accedi/codice",
            &[("code", &codes[0]), ("next", "/account")],
        )
        .await;
    assert_eq!(reused.status, 422, "a recovery code works once");
    // The next step's code (a fresh one) works.
    let fresh = totp::code_at(&secret, unix_now() + 30);
    let ok = other
        .post(
            "/account/accedi/codice",
            &[("code", &fresh), ("next", "/account")],
        )
        .await;
    assert_eq!(ok.status, 303);
    // And the same code again is a replay.
    let mut third = server.browser();
    log_in(&mut third, "mod@example.org", PASSWORD).await;
    let again = third
        .submit(
            "/account/accedi/codice",
            "/account/accedi/codice",
            &[("code", &fresh), ("next", "/account")],
        )
        .await;
    assert_eq!(again.status, 422);
    // A moderator cannot switch 2FA off.
    let off = other
        .submit(
            "/account/2fa",
            "/account/2fa/disattiva",
            &[("password", PASSWORD), ("code", "123456")],
        )
        .await;
    assert_eq!(off.status, 403);
    // The API asks for the second factor too.
    let client = reqwest::Client::new();
    let without = client
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&serde_json::json!({"email": "mod@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 401);
    let with = client
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&serde_json::json!({"email": "mod@example.org", "password": PASSWORD, "code": codes[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
}

async fn log_in_is_rate_limited_before_hashing_and_never_locked_for_good(db: TestDb) {
    let server = db
        .serve(&[
            ("OPENWELFARE_AUTH_RATE_PER_ACCOUNT", "30"),
            ("OPENWELFARE_AUTH_RATE_PER_IP", "1000"),
        ])
        .await;
    make_user(&server, "rita@example.org", Role::Citizen, true).await;
    let client = reqwest::Client::new();
    let attempt = |password: &'static str| {
        let client = client.clone();
        let url = format!("{}/api/v1/auth/token", server.base);
        async move {
            client
                .post(url)
                .json(&serde_json::json!({"email": "rita@example.org", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    // 30 a minute: the bucket holds 30 and refills one every 2 s, so the
    // refusal comes at attempt 31 plus one per 2 s the attempts took (a
    // loaded machine hashes slowly; the bound follows the clock).
    let started = std::time::Instant::now();
    let mut limited = None;
    let mut attempts = 0u64;
    for _ in 0..400 {
        attempts += 1;
        let r = attempt("wrong password for rita").await;
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status(), 401);
    }
    let refilled = started.elapsed().as_secs() / 2 + 1;
    assert!(
        attempts >= 31 && attempts <= 31 + refilled,
        "refused at attempt {attempts}, expected 31 (+{refilled} refilled)"
    );
    let limited = limited.expect("the 31st attempt within a minute is refused");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "retry after {retry} s");
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    // Even the right password waits: the limit is on the account, not on failures.
    assert_eq!(attempt(PASSWORD).await.status(), 429);
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    assert_eq!(
        attempt(PASSWORD).await.status(),
        200,
        "the bucket refills: no permanent lock-out"
    );
}

async fn an_old_hash_is_upgraded_at_log_in(db: TestDb) {
    let server = db.serve(&[]).await;
    let old = Passwords::with_params(1, 4, 8 * 1024, 1, 1).unwrap();
    let hash = old.hash(PASSWORD).await.unwrap();
    assert!(hash.contains("m=8192,t=1"));
    let now = OffsetDateTime::now_utc();
    let id = server
        .state
        .store
        .create_user(
            &NewUser {
                email: "old@example.org",
                display_name: "Old",
                password_hash: Some(&hash),
                role: Role::Citizen,
                lang: "it",
                verified_at: Some(now),
            },
            now,
        )
        .await
        .unwrap();
    let mut b = server.browser();
    assert_eq!(
        log_in(&mut b, "old@example.org", PASSWORD).await.status,
        303
    );
    let stored = server
        .state
        .store
        .user_by_id(id)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let mut again = server.browser();
    assert_eq!(
        log_in(&mut again, "old@example.org", PASSWORD).await.status,
        303
    );
}

async fn api_tokens_rotate_and_a_reused_refresh_token_revokes_the_session(db: TestDb) {
    let server = db.serve(&[]).await;
    let id = make_user(&server, "api@example.org", Role::Citizen, true).await;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", server.base);
    let pair: serde_json::Value = client
        .post(url("/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "api@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let access = pair["access_token"].as_str().unwrap();
    let me: serde_json::Value = client
        .get(url("/api/v1/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["role"], "citizen");
    let refresh = pair["refresh_token"].as_str().unwrap();
    let rotated = client
        .post(url("/api/v1/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await.unwrap();
    let new_refresh = rotated["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, refresh);
    // The old refresh token again: theft is assumed, the whole session ends.
    let reuse = client
        .post(url("/api/v1/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(reuse.status(), 401);
    let after = client
        .post(url("/api/v1/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": new_refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "the session was revoked");
    let new_access = rotated["access_token"].as_str().unwrap();
    assert_eq!(
        client
            .get(url("/api/v1/me"))
            .bearer_auth(new_access)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Log out ends a session at once.
    let pair: serde_json::Value = client
        .post(url("/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "api@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(
        client
            .post(url("/api/v1/auth/logout"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        client
            .get(url("/api/v1/me"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn an_association_request_checks_the_tax_code_and_an_admin_decides(db: TestDb) {
    let mut server = db.serve(&[]).await;
    let citizen = make_user(&server, "assoc@example.org", Role::Citizen, true).await;
    let admin = make_user(&server, "admin@example.org", Role::Admin, true).await;
    let secret = totp::new_secret();
    server
        .state
        .store
        .enable_totp(admin, &hex::encode(&secret), 0, &[])
        .await
        .unwrap();

    let mut b = server.browser();
    assert_eq!(
        log_in(&mut b, "assoc@example.org", PASSWORD).await.status,
        303
    );
    let bad = b
        .submit(
            "/account/associazione",
            "/account/associazione",
            &[
                ("name", "Amici del Navile"),
                ("website", "https://amicidelnavile.example.org"),
                ("tax_code", "01232710375"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.has("field-tax_code") && bad.has("check digit"),
        "the error names the field and the check digit"
    );
    let ok = b
        .post(
            "/account/associazione",
            &[
                ("name", "Amici del Navile"),
                ("website", "https://amicidelnavile.example.org"),
                ("tax_code", "IT 01232710374"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);

    // The admin logs in with the second factor and approves.
    let mut a = server.browser();
    assert_eq!(
        log_in(&mut a, "admin@example.org", PASSWORD).await.status,
        303
    );
    let code = totp::code_at(&secret, unix_now());
    assert_eq!(
        a.submit(
            "/account/accedi/codice",
            "/account/accedi/codice",
            &[("code", &code), ("next", "/admin/associazioni")]
        )
        .await
        .status,
        303
    );
    let list = a.get("/admin/associazioni").await;
    assert_eq!(list.status, 200);
    assert!(list.has("Amici del Navile") && list.has("01232710374"));
    let request = server
        .state
        .store
        .latest_association_request(citizen)
        .await
        .unwrap()
        .unwrap();
    let approved = a
        .post(&format!("/admin/associazioni/{}/approva", request.id), &[])
        .await;
    assert_eq!(approved.status, 303);
    assert_eq!(
        server
            .state
            .store
            .user_by_id(citizen)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Association
    );
    let decision = server.smtp.next(std::time::Duration::from_secs(10)).await;
    assert_eq!(decision.to, vec!["assoc@example.org".to_string()]);
    assert!(decision.text.contains("Amici del Navile"));
    let public = b.get(&format!("/utenti/{citizen}")).await;
    assert!(public.has("Amici del Navile") && public.has("rel=\"nofollow ugc noopener\""));
    // Admins change roles; nobody changes their own.
    let promoted = a
        .post(
            &format!("/admin/utenti/{citizen}/ruolo"),
            &[("role", "moderator")],
        )
        .await;
    assert_eq!(promoted.status, 303);
    assert_eq!(
        server
            .state
            .store
            .user_by_id(citizen)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Moderator
    );
    let own = a
        .post(
            &format!("/admin/utenti/{admin}/ruolo"),
            &[("role", "citizen")],
        )
        .await;
    assert_eq!(own.status, 403);
}

async fn sessions_are_listed_and_one_can_be_revoked(db: TestDb) {
    let server = db.serve(&[]).await;
    let id = make_user(&server, "sara@example.org", Role::Citizen, true).await;
    let mut laptop = server.browser();
    let mut phone = server.browser();
    log_in(&mut laptop, "sara@example.org", PASSWORD).await;
    log_in(&mut phone, "sara@example.org", PASSWORD).await;
    let list = laptop.get("/account/sessioni").await;
    assert_eq!(list.status, 200);
    let sessions = server
        .state
        .store
        .sessions(id, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions.iter().all(|s| list
        .body
        .contains(&format!("/account/sessioni/{}/revoca", s.id))));
    // The phone logged in last: its session is the newest.
    let target = sessions
        .iter()
        .max_by_key(|s| s.created_at)
        .unwrap()
        .id
        .clone();
    let done = laptop
        .post(&format!("/account/sessioni/{target}/revoca"), &[])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        phone.get("/account").await.status,
        303,
        "the revoked session is out at once"
    );
    assert_eq!(laptop.get("/account").await.status, 200);
}

async fn links_expire_and_removing_an_account_removes_its_row(db: TestDb) {
    use openwelfare::accounts::model::TokenPurpose;
    use openwelfare::accounts::token::sha256_hex;
    let server = db.serve(&[]).await;
    let id = make_user(&server, "gino@example.org", Role::Citizen, false).await;
    let store = &server.state.store;
    let now = OffsetDateTime::now_utc();
    let hour = time::Duration::hours(1);
    let minute = time::Duration::minutes(1);
    // Verification: 24 hours.
    store
        .create_token(
            id,
            TokenPurpose::Verify,
            &sha256_hex("v-old"),
            None,
            now - hour * 24 - minute,
        )
        .await
        .unwrap();
    assert!(store
        .consume_token(&sha256_hex("v-old"), TokenPurpose::Verify, now)
        .await
        .unwrap()
        .is_none());
    store
        .create_token(
            id,
            TokenPurpose::Verify,
            &sha256_hex("v-new"),
            None,
            now - hour * 23,
        )
        .await
        .unwrap();
    assert!(
        store
            .consume_token(&sha256_hex("v-new"), TokenPurpose::Reset, now)
            .await
            .unwrap()
            .is_none(),
        "another purpose"
    );
    assert!(store
        .consume_token(&sha256_hex("v-new"), TokenPurpose::Verify, now)
        .await
        .unwrap()
        .is_some());
    // Reset: one hour; a newer link replaces an older one.
    store
        .create_token(
            id,
            TokenPurpose::Reset,
            &sha256_hex("r-old"),
            None,
            now - hour - minute,
        )
        .await
        .unwrap();
    assert!(store
        .consume_token(&sha256_hex("r-old"), TokenPurpose::Reset, now)
        .await
        .unwrap()
        .is_none());
    store
        .create_token(
            id,
            TokenPurpose::Reset,
            &sha256_hex("r-1"),
            None,
            now - minute * 2,
        )
        .await
        .unwrap();
    store
        .create_token(
            id,
            TokenPurpose::Reset,
            &sha256_hex("r-2"),
            None,
            now - minute,
        )
        .await
        .unwrap();
    assert!(
        store
            .consume_token(&sha256_hex("r-1"), TokenPurpose::Reset, now)
            .await
            .unwrap()
            .is_none(),
        "replaced"
    );
    assert!(store
        .consume_token(&sha256_hex("r-2"), TokenPurpose::Reset, now)
        .await
        .unwrap()
        .is_some());

    // Deletion with removal: the row goes, and with it every session.
    let mut b = server.browser();
    assert_eq!(
        log_in(&mut b, "gino@example.org", PASSWORD).await.status,
        303
    );
    let gone = b
        .submit(
            "/account/impostazioni",
            "/account/elimina",
            &[("password", PASSWORD), ("contributions", "remove")],
        )
        .await;
    assert_eq!(gone.status, 200);
    assert!(store.user_by_id(id).await.unwrap().is_none());
    assert!(store.sessions(id, now).await.unwrap().is_empty());
    assert_eq!(b.get("/account").await.status, 303);
}

on_both_backends!(
    the_account_life_cycle_over_http_with_real_mail,
    a_taken_address_gets_the_same_answer_and_its_owner_a_reset_link,
    a_moderator_needs_two_factor_to_act_and_then_logs_in_with_it,
    log_in_is_rate_limited_before_hashing_and_never_locked_for_good,
    an_old_hash_is_upgraded_at_log_in,
    api_tokens_rotate_and_a_reused_refresh_token_revokes_the_session,
    an_association_request_checks_the_tax_code_and_an_admin_decides,
    sessions_are_listed_and_one_can_be_revoked,
    links_expire_and_removing_an_account_removes_its_row,
    look_alike_addresses_are_one_account,
);

/// Sign up through the page; the page's status and whether it said "check your mail".
async fn sign_up(server: &Server, email: &str, name: &str) -> (u16, bool) {
    let page = server
        .browser()
        .submit(
            "/account/registrati",
            "/account/registrati",
            &[
                ("email", email),
                ("display_name", name),
                ("password", PASSWORD),
            ],
        )
        .await;
    (page.status, page.has("Controlla la tua posta"))
}

/// Addresses are normalised (NFKC, lower case) wherever they enter, and an
/// address confusable with an existing account's (UTS #39 skeleton) makes
/// no second account, with the same answer as any sign-up.
async fn look_alike_addresses_are_one_account(db: TestDb) {
    let mut server = db.serve(&[]).await;
    let anna = make_user(&server, "anna@example.org", Role::Citizen, true).await;
    let full_width = "ＡＮＮＡ@example.org";
    let cyrillic = "\u{430}nna@example.org"; // Cyrillic а, then Latin "nna"
    assert_ne!(cyrillic, "anna@example.org");

    // Full-width logs in as anna (the browser and the API).
    let mut browser = server.browser();
    let page = log_in(&mut browser, full_width, PASSWORD).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(browser.signed_in());
    let token = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&serde_json::json!({"email": full_width, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);

    // A fresh address: the answer every sign-up gets.
    let fresh = sign_up(&server, "nuova@example.org", "Nuova").await;
    assert_eq!(fresh, (200, true));
    let (mail, _) = server.mail_link("/account/verifica?token=").await;
    assert_eq!(mail.to, vec!["nuova@example.org".to_string()]);
    let before = server.state.store.users().await.unwrap().len();

    // Full-width collides with anna: the same answer, and anna gets the reset link.
    assert_eq!(sign_up(&server, full_width, "Impostora").await, fresh);
    let (mail, _) = server.mail_link("/account/reimposta?token=").await;
    assert_eq!(mail.to, vec!["anna@example.org".to_string()]);

    // The Cyrillic look-alike: the same answer, no account, no mail to it.
    assert_eq!(sign_up(&server, cyrillic, "Impostora").await, fresh);
    assert_eq!(server.state.store.users().await.unwrap().len(), before);
    assert!(server
        .state
        .store
        .user_by_email(cyrillic)
        .await
        .unwrap()
        .is_none());
    let user = server.state.store.user_by_id(anna).await.unwrap().unwrap();
    assert_eq!(user.email.as_deref(), Some("anna@example.org"));
    assert_eq!(user.display_name, "Test user", "the account is untouched");

    // Nor can an existing account take the look-alike (change of address),
    // nor can `admin create` make one.
    let other = make_user(&server, "bruno@example.org", Role::Citizen, true).await;
    assert!(matches!(
        server.state.store.set_email(other, cyrillic).await,
        Err(openwelfare::store::StoreError::Conflict(_))
    ));
    let created = openwelfare::admin::create(
        server.state.store.as_ref(),
        &server.state.config,
        cyrillic,
        Some("Impostora"),
        Some(PASSWORD),
    )
    .await;
    assert!(created.is_err(), "admin create made a look-alike account");
    assert_eq!(
        server.state.store.users().await.unwrap().len(),
        before + 1,
        "only bruno was added"
    );
    // Whoever came first, the other is refused: a Cyrillic р account
    // keeps the Latin p out.
    make_user(&server, "\u{440}ino@example.org", Role::Citizen, true).await;
    assert_eq!(sign_up(&server, "pino@example.org", "Pino").await, fresh);
    assert!(server
        .state
        .store
        .user_by_email("pino@example.org")
        .await
        .unwrap()
        .is_none());
}
