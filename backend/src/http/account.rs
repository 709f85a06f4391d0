//! The account pages and their forms: sign up, verify, log in (with the
//! second factor), log out, forgotten password, profile, settings,
//! sessions, two-factor enrolment, association request, data download and
//! deletion, and the public profile.
//!
//! Forms re-render with errors that name the field (422); successes
//! redirect (303) with a short notice code in `?msg=`. Every answer that
//! concerns an address (sign-up, forgotten password, log-in) is the same
//! whether or not the address has an account.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use openwelfare_frontend::account::{self as views, Common, FieldError};
use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::mail::MailKind;
use serde::Deserialize;
use time::OffsetDateTime;

use super::denied;
use super::error::internal;
use super::session::{
    clear_session_cookies, open_session, renew_csrf_cookie, set_cookie, set_session_cookies,
    CsrfCookie, Identity, Principal, SECOND_FACTOR_COOKIE,
};
use super::signin::{check_credentials, Credentials};
use super::state::AppState;
use crate::accounts::limits::Door;
use crate::accounts::model::{Contributions, NewUser, RequestStatus, TokenPurpose};
use crate::accounts::password::{check_policy, HashError, PolicyError};
use crate::accounts::token::{random_token, sha256_hex, MFA_TTL};
use crate::accounts::{
    fiscal, mask_email, normalize_email, totp, valid_email, Role, User, UserStatus,
};
use crate::store::StoreError;

/// What every account handler needs to know about the request.
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub who: Option<Principal>,
    pub here: String,
    pub ip: IpAddr,
    pub user_agent: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query: std::collections::HashMap<String, String> = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let lang = super::lang::language(&query, &parts.headers).0;
        let csrf = parts
            .extensions
            .get::<CsrfCookie>()
            .map(|c| c.token(state))
            .unwrap_or_default();
        let who = parts.extensions.get::<Identity>().and_then(|i| i.0.clone());
        let kept: Vec<(String, String)> = query
            .into_iter()
            .filter(|(k, _)| k != "lang" && k != "msg")
            .collect();
        let here = if kept.is_empty() {
            parts.uri.path().to_string()
        } else {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish();
            format!("{}?{q}", parts.uri.path())
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = super::session::client_ip(&parts.headers, peer, &state.config.trusted_proxies);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(Ctx {
            lang,
            csrf,
            who,
            here,
            ip,
            user_agent,
        })
    }
}

impl Ctx {
    fn common<'a>(&'a self, notice: Option<String>, errors: &'a [FieldError]) -> Common<'a> {
        Common {
            lang: self.lang,
            csrf: &self.csrf,
            here: &self.here,
            notice,
            errors,
        }
    }

    fn pick(&self, it: &str, en: &str) -> String {
        self.lang.pick(it, en).to_string()
    }

    fn error(&self, field: &'static str, it: &str, en: &str) -> FieldError {
        FieldError {
            field,
            message: self.pick(it, en),
        }
    }

    /// The signed-in user (the route's rule has already required one).
    /// The error is the response to return at once, so its size does not matter.
    #[allow(clippy::result_large_err)]
    fn me(&self) -> Result<&Principal, Response> {
        self.who.as_ref().ok_or_else(super::session::unauthorized)
    }

    fn limited(&self, wait: Duration) -> Response {
        denied::too_many(false, self.lang, wait)
    }

    fn message(
        &self,
        status: StatusCode,
        title: (&str, &str),
        body: (&str, &str),
        link: Option<(&str, &str)>,
    ) -> Response {
        denied::respond_at(
            &self.here, false, self.lang, status, "message", title, body, link,
        )
    }
}

/// A personal page: never cached, anywhere.
pub(crate) fn page(status: StatusCode, markup: maud::Markup) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) fn see_other(to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn hash_failed(ctx: &Ctx, e: HashError) -> Response {
    match e {
        HashError::Busy => denied::busy(false, ctx.lang),
        HashError::Internal(m) => internal(m),
    }
}

/// Short notices after a redirect, by code.
pub(crate) fn notice(ctx: &Ctx, code: Option<&str>) -> Option<String> {
    let (it, en) = match code? {
        "saved" => ("Modifiche salvate.", "Changes saved."),
        "verification-sent" => (
            "Ti abbiamo mandato un nuovo link di verifica.",
            "We sent you a new verification link.",
        ),
        "password-changed" => (
            "Password cambiata. Le altre sessioni sono state chiuse.",
            "Password changed. Your other sessions were closed.",
        ),
        "password-reset" => (
            "Password reimpostata: ora puoi accedere.",
            "Password reset: you can log in now.",
        ),
        "email-sent" => (
            "Ti abbiamo mandato un link al nuovo indirizzo: seguilo per confermarlo.",
            "We sent a link to the new address: follow it to confirm.",
        ),
        "revoked" => ("Sessione chiusa.", "Session closed."),
        "logged-out" => (
            "Sei uscito da tutte le sessioni.",
            "You are logged out of every session.",
        ),
        "verified" => ("Indirizzo confermato.", "Address confirmed."),
        "request-sent" => (
            "Richiesta inviata: un amministratore la esaminerà.",
            "Request sent: an administrator will review it.",
        ),
        "2fa-disabled" => (
            "Verifica in due passaggi disattivata.",
            "Two-factor authentication disabled.",
        ),
        "role" => ("Ruolo cambiato.", "Role changed."),
        "banned" => ("Utente sospeso.", "User suspended."),
        "unbanned" => ("Sospensione revocata.", "Suspension lifted."),
        "decided" => ("Decisione registrata.", "Decision recorded."),
        _ => return None,
    };
    Some(ctx.pick(it, en))
}

#[derive(Deserialize, Default)]
pub struct MsgQuery {
    msg: Option<String>,
    next: Option<String>,
    token: Option<String>,
}

/// A local path to go back to after logging in; anything else is home.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/account".to_string(),
    }
}

/// Render and send a message in the background; a failure is logged and
/// never shown (it would tell who has an account). With the development
/// folder transport the log says where the message went, never its link
/// (a link carries a single-use token).
pub fn send_mail(state: &AppState, to: &str, lang: Lang, kind: MailKind, link: Option<&str>) {
    if let (Some(folder), Some(_)) = (state.auth.mailer.folder(), link) {
        // Where development mail goes; never the link itself, which holds a token.
        tracing::info!(folder = %folder.display(), "development mail written to a folder");
    }
    state.auth.mailer.post(to, lang, kind);
}

pub(crate) fn user_lang(user: &User) -> Lang {
    Lang::parse(&user.lang).unwrap_or_default()
}

/// Make a single-use token for `user` and mail its link.
async fn mail_token(
    state: &AppState,
    user: &User,
    to: &str,
    purpose: TokenPurpose,
    new_email: Option<&str>,
) -> Result<(), StoreError> {
    let token = random_token();
    let now = OffsetDateTime::now_utc();
    state
        .store
        .create_token(user.id, purpose, &sha256_hex(&token), new_email, now)
        .await?;
    let lang = user_lang(user);
    let path = match purpose {
        TokenPurpose::Verify => "/account/verifica",
        TokenPurpose::Reset => "/account/reimposta",
        TokenPurpose::Email => "/account/email/conferma",
    };
    let link = state.auth.link(&format!("{path}?token={token}"));
    let kind = match purpose {
        TokenPurpose::Verify => MailKind::Verify {
            display_name: &user.display_name,
            link: &link,
        },
        TokenPurpose::Reset => MailKind::Reset { link: &link },
        TokenPurpose::Email => MailKind::ConfirmNewEmail { link: &link },
    };
    send_mail(state, to, lang, kind, Some(&link));
    Ok(())
}

fn policy_error(ctx: &Ctx, field: &'static str, e: PolicyError) -> FieldError {
    match e {
        PolicyError::TooShort => ctx.error(field, "La password deve avere almeno 12 caratteri.", "The password must have at least 12 characters."),
        PolicyError::TooLong => ctx.error(field, "La password può avere al massimo 128 caratteri.", "The password can have at most 128 characters."),
        PolicyError::Guessable { .. } => ctx.error(
            field,
            "Questa password è troppo facile da indovinare: prova una frase di più parole che solo tu conosci.",
            "This password is too easy to guess: try a phrase of several words only you know.",
        ),
    }
}

fn clean_line(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect()
}

/// Display names: 2 to 60 visible characters, no line breaks.
fn display_name_error(ctx: &Ctx, name: &str) -> Option<FieldError> {
    let n = name.chars().count();
    if !(2..=60).contains(&n) || name.chars().any(char::is_control) {
        return Some(ctx.error(
            "display_name",
            "Il nome visualizzato deve avere da 2 a 60 caratteri.",
            "The display name must have 2 to 60 characters.",
        ));
    }
    None
}

// ---------------------------------------------------------------- sign up

#[derive(Deserialize, Default)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn signup_page(ctx: Ctx) -> Response {
    if ctx.who.is_some() {
        return see_other("/account");
    }
    page(
        StatusCode::OK,
        views::signup(
            &ctx.common(None, &[]),
            &views::SignupView {
                email: "",
                display_name: "",
            },
        ),
    )
}

pub async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SignupForm>,
) -> Response {
    if let Err(wait) = state.auth.limits.ip(Door::SignUp, ctx.ip) {
        return ctx.limited(wait);
    }
    let email = normalize_email(&form.email);
    let display_name = clean_line(&form.display_name, 200);
    let mut errors = Vec::new();
    if !valid_email(&email) {
        errors.push(ctx.error(
            "email",
            "Scrivi un indirizzo email valido, come nome@esempio.it.",
            "Enter a valid e-mail address, such as name@example.org.",
        ));
    }
    if let Some(e) = display_name_error(&ctx, &display_name) {
        errors.push(e);
    }
    if let Err(e) = check_policy(&form.password, &[&email, &display_name]) {
        errors.push(policy_error(&ctx, "password", e));
    }
    if errors.is_empty() {
        if let Err(wait) = state.auth.limits.account(Door::Mail, &email) {
            return ctx.limited(wait);
        }
    }
    if !errors.is_empty() {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::signup(
                &ctx.common(None, &errors),
                &views::SignupView {
                    email: &form.email,
                    display_name: &display_name,
                },
            ),
        );
    }
    // Hash first, whether or not the address is taken: the same time either way.
    let hash = match state.auth.passwords.hash(&form.password).await {
        Ok(h) => h,
        Err(e) => return hash_failed(&ctx, e),
    };
    let now = OffsetDateTime::now_utc();
    let created = state
        .store
        .create_user(
            &NewUser {
                email: &email,
                display_name: &display_name,
                password_hash: Some(&hash),
                role: Role::Citizen,
                lang: ctx.lang.code(),
                verified_at: None,
            },
            now,
        )
        .await;
    match created {
        Ok(id) => {
            let user = match state.store.user_by_id(id).await {
                Ok(Some(u)) => u,
                Ok(None) => return internal("new user vanished"),
                Err(e) => return internal(e),
            };
            if let Err(e) = mail_token(&state, &user, &email, TokenPurpose::Verify, None).await {
                return internal(e);
            }
        }
        // Taken: the owner gets a reset link instead, and the page says the same.
        Err(StoreError::Conflict(_)) => {
            if let Ok(Some(user)) = state.store.user_by_email(&email).await {
                if user.status == UserStatus::Active {
                    if let Err(e) =
                        mail_token(&state, &user, &email, TokenPurpose::Reset, None).await
                    {
                        return internal(e);
                    }
                }
            }
        }
        Err(e) => return internal(e),
    }
    ctx.message(
        StatusCode::OK,
        ("Controlla la tua posta", "Check your mail"),
        (
            "Ti abbiamo mandato un messaggio: segui il link entro 24 ore per confermare l'indirizzo, poi accedi.",
            "We sent you a message: follow its link within 24 hours to confirm your address, then log in.",
        ),
        Some(("/account/accedi", ctx.lang.pick("Accedi", "Log in"))),
    )
}

// ---------------------------------------------------------------- verify

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let token = q.token.unwrap_or_default();
    match state
        .store
        .consume_token(&sha256_hex(&token), TokenPurpose::Verify, now)
        .await
    {
        Ok(Some((user_id, _))) => {
            if let Err(e) = state.store.mark_verified(user_id, now).await {
                return internal(e);
            }
            if ctx.who.as_ref().is_some_and(|p| p.user.id == user_id) {
                return see_other("/account?msg=verified");
            }
            ctx.message(
                StatusCode::OK,
                ("Indirizzo confermato", "Address confirmed"),
                (
                    "Grazie: il tuo indirizzo è confermato. Ora puoi accedere.",
                    "Thank you: your address is confirmed. You can log in now.",
                ),
                Some(("/account/accedi", ctx.lang.pick("Accedi", "Log in"))),
            )
        }
        Ok(None) => bad_link(&ctx),
        Err(e) => internal(e),
    }
}

fn bad_link(ctx: &Ctx) -> Response {
    ctx.message(
        StatusCode::BAD_REQUEST,
        ("Link non valido", "Invalid link"),
        (
            "Questo link non è valido: è già stato usato o è scaduto. Puoi chiederne uno nuovo.",
            "This link is not valid: it has been used already or it has expired. You can ask for a new one.",
        ),
        Some(("/account/password-dimenticata", ctx.lang.pick("Chiedi un nuovo link", "Ask for a new link"))),
    )
}

pub async fn resend_verification(State(state): State<AppState>, ctx: Ctx) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    if let Err(wait) = state
        .auth
        .limits
        .ip(Door::Mail, ctx.ip)
        .and_then(|()| state.auth.limits.account(Door::Mail, &me.id.to_string()))
    {
        return ctx.limited(wait);
    }
    if !me.verified() {
        if let Some(email) = &me.email {
            if let Err(e) = mail_token(&state, &me, email, TokenPurpose::Verify, None).await {
                return internal(e);
            }
        }
    }
    see_other("/account?msg=verification-sent")
}

// ---------------------------------------------------------------- log in

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_page(ctx: Ctx, Query(q): Query<MsgQuery>) -> Response {
    if ctx.who.is_some() {
        return see_other(&safe_next(q.next.as_deref()));
    }
    let next = safe_next(q.next.as_deref());
    page(
        StatusCode::OK,
        views::login(
            &ctx.common(notice(&ctx, q.msg.as_deref()), &[]),
            &views::LoginView {
                email: "",
                next: &next,
            },
        ),
    )
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let user = match check_credentials(&state, ctx.ip, &form.email, &form.password).await {
        Credentials::Good(u) => *u,
        Credentials::Limited(wait) => return ctx.limited(wait),
        Credentials::Busy => return denied::busy(false, ctx.lang),
        Credentials::Failed(m) => return internal(m),
        Credentials::Bad => {
            let errors = [ctx.error(
                "email",
                "Email o password non corretti.",
                "Wrong e-mail or password.",
            )];
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::login(
                    &ctx.common(None, &errors),
                    &views::LoginView {
                        email: &form.email,
                        next: &next,
                    },
                ),
            );
        }
    };
    if user.status == UserStatus::Banned {
        return ctx.message(
            StatusCode::FORBIDDEN,
            ("Account sospeso", "Account suspended"),
            (
                "Questo account è stato sospeso da un moderatore.",
                "This account has been suspended by a moderator.",
            ),
            None,
        );
    }
    let now = OffsetDateTime::now_utc();
    if user.totp_enabled() {
        let mut response = see_other(&format!(
            "/account/accedi/codice?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ));
        let token = state.auth.tokens.second_factor(user.id, now);
        set_cookie(
            response.headers_mut(),
            &state,
            SECOND_FACTOR_COOKIE,
            &token,
            MFA_TTL.whole_seconds(),
        );
        return response;
    }
    start_session(&state, &ctx, user.id, false, &next).await
}

async fn start_session(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    mfa: bool,
    next: &str,
) -> Response {
    match open_session(state, user_id, mfa, &ctx.user_agent).await {
        Ok((access, refresh)) => {
            let mut response = see_other(next);
            let headers = response.headers_mut();
            set_session_cookies(headers, state, &access, Some(&refresh));
            set_cookie(headers, state, SECOND_FACTOR_COOKIE, "", 0);
            renew_csrf_cookie(headers, state);
            response
        }
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    password: String,
}

pub async fn second_factor_page(
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<MsgQuery>,
) -> Response {
    if super::session::cookie(&headers, SECOND_FACTOR_COOKIE).is_none() {
        return see_other("/account/accedi");
    }
    let next = safe_next(q.next.as_deref());
    page(
        StatusCode::OK,
        views::second_factor(
            &ctx.common(None, &[]),
            &views::SecondFactorView { next: &next },
        ),
    )
}

/// Check a TOTP or recovery code for `user`, once.
async fn check_code(
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

pub async fn second_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let claims = super::session::cookie(&headers, SECOND_FACTOR_COOKIE)
        .and_then(|t| state.auth.tokens.verify_second_factor(t));
    let Some(claims) = claims else {
        return see_other("/account/accedi");
    };
    if let Err(wait) = state.auth.limits.account(Door::Code, &claims.sub) {
        return ctx.limited(wait);
    }
    let user = match claims.sub.parse::<i64>() {
        Ok(id) => match state.store.user_by_id(id).await {
            Ok(Some(u)) if u.status == UserStatus::Active => u,
            Ok(_) => return see_other("/account/accedi"),
            Err(e) => return internal(e),
        },
        Err(_) => return see_other("/account/accedi"),
    };
    // Fail closed: no second factor to check means start over.
    let Some(secret) = user.totp_secret.clone() else {
        return see_other("/account/accedi");
    };
    match check_code(&state, &user, &secret, &form.code).await {
        Ok(true) => start_session(&state, &ctx, user.id, true, &next).await,
        Ok(false) => {
            let errors = [ctx.error(
                "code",
                "Codice non valido o già usato.",
                "Invalid or already used code.",
            )];
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::second_factor(
                    &ctx.common(None, &errors),
                    &views::SecondFactorView { next: &next },
                ),
            )
        }
        Err(e) => internal(e),
    }
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Some(p) = &ctx.who {
        if let Err(e) = state
            .store
            .revoke_session(p.user.id, &p.session.id, OffsetDateTime::now_utc())
            .await
        {
            return internal(e);
        }
    }
    let mut response = see_other("/");
    clear_session_cookies(response.headers_mut(), &state);
    response
}

pub async fn logout_everywhere(State(state): State<AppState>, ctx: Ctx) -> Response {
    let me = match ctx.me() {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(e) = state
        .store
        .revoke_sessions(me.user.id, None, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    let mut response = see_other("/account/accedi?msg=logged-out");
    clear_session_cookies(response.headers_mut(), &state);
    response
}

// ---------------------------------------------------------------- forgotten password, reset

#[derive(Deserialize, Default)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot_page(ctx: Ctx) -> Response {
    page(
        StatusCode::OK,
        views::forgot(
            &ctx.common(None, &[]),
            &views::ForgotView {
                email: "",
                sent: false,
            },
        ),
    )
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmailForm>,
) -> Response {
    let email = normalize_email(&form.email);
    if !valid_email(&email) {
        let errors = [ctx.error(
            "email",
            "Scrivi un indirizzo email valido.",
            "Enter a valid e-mail address.",
        )];
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::forgot(
                &ctx.common(None, &errors),
                &views::ForgotView {
                    email: &form.email,
                    sent: false,
                },
            ),
        );
    }
    if let Err(wait) = state
        .auth
        .limits
        .ip(Door::Mail, ctx.ip)
        .and_then(|()| state.auth.limits.account(Door::Mail, &email))
    {
        return ctx.limited(wait);
    }
    match state.store.user_by_email(&email).await {
        Ok(Some(user)) if user.status == UserStatus::Active => {
            if let Err(e) = mail_token(&state, &user, &email, TokenPurpose::Reset, None).await {
                return internal(e);
            }
        }
        Ok(_) => {}
        Err(e) => return internal(e),
    }
    page(
        StatusCode::OK,
        views::forgot(
            &ctx.common(None, &[]),
            &views::ForgotView {
                email: &form.email,
                sent: true,
            },
        ),
    )
}

pub async fn reset_page(ctx: Ctx, Query(q): Query<MsgQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    page(
        StatusCode::OK,
        views::reset(&ctx.common(None, &[]), &views::ResetView { token: &token }),
    )
}

#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ResetForm>,
) -> Response {
    // The rules first, so a refused password does not use up the link.
    if let Err(e) = check_policy(&form.password, &[]) {
        let errors = [policy_error(&ctx, "password", e)];
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::reset(
                &ctx.common(None, &errors),
                &views::ResetView { token: &form.token },
            ),
        );
    }
    let hash = match state.auth.passwords.hash(&form.password).await {
        Ok(h) => h,
        Err(e) => return hash_failed(&ctx, e),
    };
    let now = OffsetDateTime::now_utc();
    let user_id = match state
        .store
        .consume_token(&sha256_hex(&form.token), TokenPurpose::Reset, now)
        .await
    {
        Ok(Some((id, _))) => id,
        Ok(None) => return bad_link(&ctx),
        Err(e) => return internal(e),
    };
    let user = match state.store.user_by_id(user_id).await {
        Ok(Some(u)) => u,
        Ok(None) => return bad_link(&ctx),
        Err(e) => return internal(e),
    };
    let done = async {
        state.store.set_password(user_id, &hash).await?;
        // Following the link proved the address.
        state.store.mark_verified(user_id, now).await?;
        state.store.revoke_sessions(user_id, None, now).await
    };
    if let Err(e) = done.await {
        return internal(e);
    }
    if let Some(email) = &user.email {
        send_mail(
            &state,
            email,
            user_lang(&user),
            MailKind::PasswordChanged,
            None,
        );
    }
    let mut response = see_other("/account/accedi?msg=password-reset");
    clear_session_cookies(response.headers_mut(), &state);
    response
}

// ---------------------------------------------------------------- profile

pub(crate) fn role_view(role: Role) -> views::Role {
    match role {
        Role::Citizen => views::Role::Citizen,
        Role::Association => views::Role::Association,
        Role::Moderator => views::Role::Moderator,
        Role::Admin => views::Role::Admin,
    }
}

fn status_view(status: RequestStatus) -> views::RequestStatus {
    match status {
        RequestStatus::Pending => views::RequestStatus::Pending,
        RequestStatus::Approved => views::RequestStatus::Approved,
        RequestStatus::Rejected => views::RequestStatus::Rejected,
    }
}

pub(crate) fn date(lang: Lang, t: OffsetDateTime) -> String {
    lang.date(t.year(), u8::from(t.month()), t.day())
}

fn date_time(lang: Lang, t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", date(lang, t), t.hour(), t.minute())
}

pub async fn profile_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    render_profile(
        &state,
        &ctx,
        &me,
        notice(&ctx, q.msg.as_deref()),
        &[],
        StatusCode::OK,
    )
    .await
}

async fn render_profile(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let request = match state.store.latest_association_request(me.id).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let association = request.as_ref().map(|r| views::AssociationInfo {
        name: &r.name,
        website: &r.website,
        tax_code: &r.tax_code,
        status: status_view(r.status),
        note: r.note.as_deref(),
    });
    page(
        status,
        views::profile(
            &ctx.common(notice, errors),
            &views::ProfileView {
                user_id: me.id,
                email: me.email.as_deref().unwrap_or(""),
                display_name: &me.display_name,
                bio: &me.bio,
                role: role_view(me.role),
                email_verified: me.verified(),
                totp_enabled: me.totp_enabled(),
                totp_required: me.role.requires_second_factor(),
                association,
            },
        ),
    )
}

#[derive(Deserialize, Default)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
}

pub async fn update_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ProfileForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    let display_name = clean_line(&form.display_name, 200);
    // The bio keeps its line breaks but no other control characters; it is always shown escaped.
    let bio: String = form
        .bio
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    let mut errors = Vec::new();
    if let Some(e) = display_name_error(&ctx, &display_name) {
        errors.push(e);
    }
    if bio.chars().count() > 500 {
        errors.push(ctx.error(
            "bio",
            "La presentazione può avere al massimo 500 caratteri.",
            "The bio can have at most 500 characters.",
        ));
    }
    if !errors.is_empty() {
        let mut shown = me.clone();
        shown.display_name = display_name;
        shown.bio = bio;
        return render_profile(
            &state,
            &ctx,
            &shown,
            None,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if let Err(e) = state.store.set_profile(me.id, &display_name, &bio).await {
        return internal(e);
    }
    if let Err(e) = state.store.set_lang(me.id, ctx.lang.code()).await {
        return internal(e);
    }
    see_other("/account?msg=saved")
}

pub async fn public_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    let user = match state.store.user_by_id(id).await {
        Ok(Some(u)) if u.status == UserStatus::Active => u,
        Ok(_) => {
            return super::pages::not_found(HeaderMap::from_iter([(
                header::ACCEPT,
                HeaderValue::from_static("text/html"),
            )]))
            .await
        }
        Err(e) => return internal(e),
    };
    let request = match state.store.latest_association_request(id).await {
        Ok(r) => {
            r.filter(|r| r.status == RequestStatus::Approved && user.role == Role::Association)
        }
        Err(e) => return internal(e),
    };
    let since = date(ctx.lang, user.created_at);
    let mut response = page(
        StatusCode::OK,
        views::public_profile(
            &ctx.common(None, &[]),
            &views::PublicProfileView {
                display_name: &user.display_name,
                bio: &user.bio,
                role: role_view(user.role),
                association: request
                    .as_ref()
                    .map(|r| (r.name.as_str(), r.website.as_str())),
                member_since: &since,
            },
        ),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

// ---------------------------------------------------------------- settings

pub async fn settings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    render_settings(
        &state,
        &ctx,
        &me,
        notice(&ctx, q.msg.as_deref()),
        &[],
        StatusCode::OK,
    )
    .await
}

async fn render_settings(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let pending = match state
        .store
        .pending_email(me.id, OffsetDateTime::now_utc())
        .await
    {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    page(
        status,
        views::settings(
            &ctx.common(notice, errors),
            &views::SettingsView {
                email: me.email.as_deref().unwrap_or(""),
                pending_email: pending.as_deref(),
            },
        ),
    )
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Re-authentication for sensitive changes: the password again, limited like a log-in.
async fn recheck_password(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    password: &str,
) -> Result<bool, Response> {
    match check_credentials(state, ctx.ip, me.email.as_deref().unwrap_or(""), password).await {
        Credentials::Good(u) => Ok(u.id == me.id),
        Credentials::Bad => Ok(false),
        Credentials::Limited(wait) => Err(ctx.limited(wait)),
        Credentials::Busy => Err(denied::busy(false, ctx.lang)),
        Credentials::Failed(m) => Err(internal(m)),
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> Response {
    let (me, session_id) = match ctx.me() {
        Ok(p) => (p.user.clone(), p.session.id.clone()),
        Err(r) => return r,
    };
    let mut errors = Vec::new();
    match recheck_password(&state, &ctx, &me, &form.current_password).await {
        Ok(true) => {}
        Ok(false) => errors.push(ctx.error(
            "current_password",
            "La password attuale non è corretta.",
            "The current password is wrong.",
        )),
        Err(r) => return r,
    }
    let email = me.email.clone().unwrap_or_default();
    if let Err(e) = check_policy(&form.new_password, &[&email, &me.display_name]) {
        errors.push(policy_error(&ctx, "new_password", e));
    }
    if !errors.is_empty() {
        return render_settings(
            &state,
            &ctx,
            &me,
            None,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = match state.auth.passwords.hash(&form.new_password).await {
        Ok(h) => h,
        Err(e) => return hash_failed(&ctx, e),
    };
    let now = OffsetDateTime::now_utc();
    let done = async {
        state.store.set_password(me.id, &hash).await?;
        state
            .store
            .revoke_sessions(me.id, Some(&session_id), now)
            .await
    };
    if let Err(e) = done.await {
        return internal(e);
    }
    send_mail(
        &state,
        &email,
        user_lang(&me),
        MailKind::PasswordChanged,
        None,
    );
    see_other("/account/impostazioni?msg=password-changed")
}

#[derive(Deserialize, Default)]
pub struct EmailChangeForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    password: String,
}

pub async fn change_email(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmailChangeForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    let new_email = normalize_email(&form.new_email);
    let mut errors = Vec::new();
    if !valid_email(&new_email) {
        errors.push(ctx.error(
            "new_email",
            "Scrivi un indirizzo email valido.",
            "Enter a valid e-mail address.",
        ));
    } else if me.email.as_deref() == Some(new_email.as_str()) {
        errors.push(ctx.error(
            "new_email",
            "È già il tuo indirizzo.",
            "That is already your address.",
        ));
    }
    match recheck_password(&state, &ctx, &me, &form.password).await {
        Ok(true) => {}
        Ok(false) => errors.push(ctx.error(
            "password",
            "La password non è corretta.",
            "The password is wrong.",
        )),
        Err(r) => return r,
    }
    if !errors.is_empty() {
        return render_settings(
            &state,
            &ctx,
            &me,
            None,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if let Err(wait) = state.auth.limits.account(Door::Mail, &me.id.to_string()) {
        return ctx.limited(wait);
    }
    if let Err(e) = mail_token(
        &state,
        &me,
        &new_email,
        TokenPurpose::Email,
        Some(&new_email),
    )
    .await
    {
        return internal(e);
    }
    see_other("/account/impostazioni?msg=email-sent")
}

pub async fn confirm_email(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let token = q.token.unwrap_or_default();
    let (user_id, new_email) = match state
        .store
        .consume_token(&sha256_hex(&token), TokenPurpose::Email, now)
        .await
    {
        Ok(Some((id, Some(email)))) => (id, email),
        Ok(_) => return bad_link(&ctx),
        Err(e) => return internal(e),
    };
    let user = match state.store.user_by_id(user_id).await {
        Ok(Some(u)) if u.status == UserStatus::Active => u,
        Ok(_) => return bad_link(&ctx),
        Err(e) => return internal(e),
    };
    match state.store.set_email(user_id, &new_email).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return ctx.message(
                StatusCode::CONFLICT,
                ("Indirizzo già in uso", "Address already in use"),
                (
                    "Questo indirizzo è già usato da un altro account.",
                    "This address is already used by another account.",
                ),
                None,
            )
        }
        Err(e) => return internal(e),
    }
    if let Err(e) = state.store.mark_verified(user_id, now).await {
        return internal(e);
    }
    if let Some(old) = &user.email {
        let masked = mask_email(&new_email);
        send_mail(
            &state,
            old,
            user_lang(&user),
            MailKind::EmailChanged {
                new_email_masked: &masked,
            },
            None,
        );
    }
    ctx.message(
        StatusCode::OK,
        ("Indirizzo cambiato", "Address changed"),
        (
            "Il tuo nuovo indirizzo è confermato.",
            "Your new address is confirmed.",
        ),
        Some(("/account", ctx.lang.pick("Il tuo profilo", "Your profile"))),
    )
}

#[derive(Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    contributions: String,
}

pub async fn delete_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<DeleteForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    let mode = match form.contributions.as_str() {
        "remove" => Some(Contributions::Remove),
        "anonymise" => Some(Contributions::Anonymise),
        _ => None,
    };
    let mut errors = Vec::new();
    if mode.is_none() {
        errors.push(ctx.error(
            "contributions",
            "Scegli cosa fare dei tuoi contributi.",
            "Choose what to do with your contributions.",
        ));
    }
    match recheck_password(&state, &ctx, &me, &form.password).await {
        Ok(true) => {}
        Ok(false) => errors.push(ctx.error(
            views::keys::DELETE_PASSWORD,
            "La password non è corretta.",
            "The password is wrong.",
        )),
        Err(r) => return r,
    }
    let Some(mode) = mode.filter(|_| errors.is_empty()) else {
        return render_settings(
            &state,
            &ctx,
            &me,
            None,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if let Err(e) = state.store.delete_user(me.id, mode).await {
        return internal(e);
    }
    let mut response = ctx.message(
        StatusCode::OK,
        ("Account eliminato", "Account deleted"),
        (
            "Il tuo account e i tuoi dati personali sono stati eliminati.",
            "Your account and your personal data have been deleted.",
        ),
        Some(("/", ctx.lang.pick("Torna alla mappa", "Back to the map"))),
    );
    clear_session_cookies(response.headers_mut(), &state);
    response
}

/// Everything the site holds about the user, as JSON.
pub async fn export(State(state): State<AppState>, ctx: Ctx) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    let now = OffsetDateTime::now_utc();
    let gathered = async {
        let sessions = state.store.sessions(me.id, now).await?;
        let request = state.store.latest_association_request(me.id).await?;
        let codes = state.store.recovery_codes_left(me.id).await?;
        Ok::<_, StoreError>((sessions, request, codes))
    };
    let (sessions, request, codes) = match gathered.await {
        Ok(x) => x,
        Err(e) => return internal(e),
    };
    let rfc3339 = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let body = serde_json::json!({
        "exported_at": rfc3339(now),
        "user": {
            "id": me.id,
            "email": me.email,
            "display_name": me.display_name,
            "bio": me.bio,
            "role": me.role,
            "language": me.lang,
            "email_verified_at": me.email_verified_at.map(rfc3339),
            "created_at": rfc3339(me.created_at),
            "two_factor_enabled": me.totp_enabled(),
            "recovery_codes_left": codes,
        },
        "sessions": sessions,
        "association_request": request,
    });
    let bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"openwelfare-dati.json\"",
            ),
        ],
        bytes,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------- sessions

pub async fn sessions_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    let list = match state
        .store
        .sessions(me.user.id, OffsetDateTime::now_utc())
        .await
    {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    let texts: Vec<(String, String)> = list
        .iter()
        .map(|s| {
            (
                date_time(ctx.lang, s.created_at),
                date_time(ctx.lang, s.last_used_at),
            )
        })
        .collect();
    let rows: Vec<views::SessionRow> = list
        .iter()
        .zip(&texts)
        .map(|(s, (created, used))| views::SessionRow {
            id: &s.id,
            created,
            last_used: used,
            user_agent: if s.user_agent.is_empty() {
                "?"
            } else {
                &s.user_agent
            },
            current: s.id == me.session.id,
        })
        .collect();
    page(
        StatusCode::OK,
        views::sessions(
            &ctx.common(notice(&ctx, q.msg.as_deref()), &[]),
            &views::SessionsView { sessions: &rows },
        ),
    )
}

pub async fn revoke_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    match state
        .store
        .revoke_session(me.user.id, &id, OffsetDateTime::now_utc())
        .await
    {
        Ok(true) if id == me.session.id => {
            let mut response = see_other("/");
            clear_session_cookies(response.headers_mut(), &state);
            response
        }
        Ok(true) => see_other("/account/sessioni?msg=revoked"),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => internal(e),
    }
}

// ---------------------------------------------------------------- two-factor authentication

pub async fn two_factor_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    render_two_factor(
        &state,
        &ctx,
        &me,
        notice(&ctx, q.msg.as_deref()),
        &[],
        None,
        StatusCode::OK,
    )
    .await
}

async fn render_two_factor(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
    codes: Option<&[String]>,
    status: StatusCode,
) -> Response {
    let left = match state.store.recovery_codes_left(me.id).await {
        Ok(n) => n,
        Err(e) => return internal(e),
    };
    let pending = me.totp_pending.as_deref().and_then(|h| hex::decode(h).ok());
    let enrolment_texts = match &pending {
        Some(secret) if !me.totp_enabled() => {
            let account = me.email.clone().unwrap_or_default();
            let label = ctx.pick(
                "Codice QR per l'app di autenticazione",
                "QR code for the authenticator app",
            );
            match totp::qr_svg(&totp::otpauth_url(secret, &account), &label) {
                Ok(svg) => Some((totp::secret_base32(secret), svg)),
                Err(e) => return internal(e),
            }
        }
        _ => None,
    };
    page(
        status,
        views::two_factor(
            &ctx.common(notice, errors),
            &views::TwoFactorView {
                enabled: me.totp_enabled(),
                required: me.role.requires_second_factor(),
                enrolment: enrolment_texts
                    .as_ref()
                    .map(|(secret, svg)| views::Enrolment {
                        secret,
                        qr_svg: svg,
                    }),
                recovery_codes: codes,
                recovery_remaining: usize::try_from(left).unwrap_or(0),
            },
        ),
    )
}

pub async fn totp_start(State(state): State<AppState>, ctx: Ctx) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    if me.totp_enabled() {
        return see_other("/account/2fa");
    }
    let secret = hex::encode(totp::new_secret());
    if let Err(e) = state.store.set_totp_pending(me.id, Some(&secret)).await {
        return internal(e);
    }
    see_other("/account/2fa")
}

fn new_codes() -> (Vec<String>, Vec<String>) {
    let codes = totp::new_recovery_codes(10);
    let hashes = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    (codes, hashes)
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CodeForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    if let Err(wait) = state
        .auth
        .limits
        .account(Door::Code, &me.user.id.to_string())
    {
        return ctx.limited(wait);
    }
    let Some(secret) = me
        .user
        .totp_pending
        .as_deref()
        .and_then(|h| hex::decode(h).ok())
    else {
        return see_other("/account/2fa");
    };
    let unix = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
    let Some(step) = totp::verify(&secret, &form.code, unix, None) else {
        let errors = [ctx.error(
            "code",
            "Codice non valido: controlla l'ora del telefono e riprova.",
            "Invalid code: check your phone's clock and try again.",
        )];
        return render_two_factor(
            &state,
            &ctx,
            &me.user,
            None,
            &errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (codes, hashes) = new_codes();
    let done = async {
        state
            .store
            .enable_totp(me.user.id, &hex::encode(&secret), step, &hashes)
            .await?;
        // The code just given is this session's second factor.
        state.store.set_session_mfa(&me.session.id).await
    };
    if let Err(e) = done.await {
        return internal(e);
    }
    let mut user = me.user.clone();
    user.totp_secret = Some(hex::encode(&secret));
    user.totp_pending = None;
    let text = ctx.pick(
        "Verifica in due passaggi attivata.",
        "Two-factor authentication enabled.",
    );
    render_two_factor(
        &state,
        &ctx,
        &user,
        Some(text),
        &[],
        Some(&codes),
        StatusCode::OK,
    )
    .await
}

pub async fn totp_codes(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CodeForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    if let Err(wait) = state.auth.limits.account(Door::Code, &me.id.to_string()) {
        return ctx.limited(wait);
    }
    let Some(secret) = me.totp_secret.clone() else {
        return see_other("/account/2fa");
    };
    // Only a code from the app: a recovery code cannot mint new ones.
    let ok = !totp::looks_like_recovery_code(&form.code)
        && match check_code(&state, &me, &secret, &form.code).await {
            Ok(ok) => ok,
            Err(e) => return internal(e),
        };
    if !ok {
        let errors = [ctx.error(
            "code",
            "Codice non valido o già usato.",
            "Invalid or already used code.",
        )];
        return render_two_factor(
            &state,
            &ctx,
            &me,
            None,
            &errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let (codes, hashes) = new_codes();
    if let Err(e) = state.store.replace_recovery_codes(me.id, &hashes).await {
        return internal(e);
    }
    let text = ctx.pick(
        "Nuovi codici di recupero creati: quelli vecchi non valgono più.",
        "New recovery codes created: the old ones no longer work.",
    );
    render_two_factor(
        &state,
        &ctx,
        &me,
        Some(text),
        &[],
        Some(&codes),
        StatusCode::OK,
    )
    .await
}

pub async fn totp_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CodeForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    if me.role.requires_second_factor() {
        return ctx.message(
            StatusCode::FORBIDDEN,
            ("Non consentito", "Not allowed"),
            (
                "Moderatori e amministratori devono tenere attiva la verifica in due passaggi.",
                "Moderators and admins must keep two-factor authentication enabled.",
            ),
            Some(("/account/2fa", ctx.lang.pick("Indietro", "Back"))),
        );
    }
    if let Err(wait) = state.auth.limits.account(Door::Code, &me.id.to_string()) {
        return ctx.limited(wait);
    }
    let Some(secret) = me.totp_secret.clone() else {
        return see_other("/account/2fa");
    };
    let mut errors = Vec::new();
    match recheck_password(&state, &ctx, &me, &form.password).await {
        Ok(true) => {}
        Ok(false) => errors.push(ctx.error(
            "password",
            "La password non è corretta.",
            "The password is wrong.",
        )),
        Err(r) => return r,
    }
    match check_code(&state, &me, &secret, &form.code).await {
        Ok(true) => {}
        Ok(false) => errors.push(ctx.error(
            views::keys::DISABLE_CODE,
            "Codice non valido o già usato.",
            "Invalid or already used code.",
        )),
        Err(e) => return internal(e),
    }
    if !errors.is_empty() {
        return render_two_factor(
            &state,
            &ctx,
            &me,
            None,
            &errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if let Err(e) = state.store.disable_totp(me.id).await {
        return internal(e);
    }
    see_other("/account/2fa?msg=2fa-disabled")
}

// ---------------------------------------------------------------- association request

pub async fn association_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MsgQuery>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    render_association(
        &state,
        &ctx,
        &me,
        notice(&ctx, q.msg.as_deref()),
        &[],
        ("", "", ""),
        StatusCode::OK,
    )
    .await
}

async fn render_association(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
    (name, website, tax_code): (&str, &str, &str),
    status: StatusCode,
) -> Response {
    let current = match state.store.latest_association_request(me.id).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    page(
        status,
        views::association_request(
            &ctx.common(notice, errors),
            &views::AssociationRequestView {
                name,
                website,
                tax_code,
                current: current.as_ref().map(|r| views::AssociationInfo {
                    name: &r.name,
                    website: &r.website,
                    tax_code: &r.tax_code,
                    status: status_view(r.status),
                    note: r.note.as_deref(),
                }),
            },
        ),
    )
}

#[derive(Deserialize, Default)]
pub struct AssociationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    tax_code: String,
}

pub async fn association_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<AssociationForm>,
) -> Response {
    let me = match ctx.me() {
        Ok(p) => p.user.clone(),
        Err(r) => return r,
    };
    let name = clean_line(&form.name, 400);
    let website = clean_line(&form.website, 400);
    let mut errors = Vec::new();
    if !(2..=200).contains(&name.chars().count()) {
        errors.push(ctx.error(
            "name",
            "Scrivi il nome dell'associazione (da 2 a 200 caratteri).",
            "Enter the association's name (2 to 200 characters).",
        ));
    }
    let site_ok = url::Url::parse(&website).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some_and(|h| h.contains('.'))
            && website.len() <= 200
    });
    if !site_ok {
        errors.push(ctx.error(
            "website",
            "Scrivi l'indirizzo completo del sito, come https://esempio.it.",
            "Enter the website's full address, such as https://example.org.",
        ));
    }
    let tax_code = match fiscal::validate(&form.tax_code) {
        Ok((code, _)) => Some(code),
        Err(e) => {
            errors.push(FieldError {
                field: "tax_code",
                message: format!(
                    "{} ({e})",
                    ctx.lang.pick(
                        "Codice fiscale o partita IVA non valido",
                        "Invalid codice fiscale or partita IVA"
                    )
                ),
            });
            None
        }
    };
    let Some(tax_code) = tax_code.filter(|_| errors.is_empty()) else {
        return render_association(
            &state,
            &ctx,
            &me,
            None,
            &errors,
            (&name, &website, &form.tax_code),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if let Err(e) = state
        .store
        .create_association_request(me.id, &name, &website, &tax_code, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    see_other("/account/associazione?msg=request-sent")
}
