//! The account pages: sign up, log in (and its second step), forgotten
//! password, reset, profile, settings, sessions, two-factor enrolment, the
//! association request, the public profile, and the admin's users and
//! association requests. Every form posts with a CSRF token in a hidden
//! field named `csrf` and works without JavaScript.
//!
//! Messages in the view-models (errors, notices) arrive already in the
//! page's language: the server knows which rule failed and says so.

use maud::{html, Markup, PreEscaped};

use crate::i18n::Lang;
use crate::layout::{page, Shell};

/// A problem with one field of a form (`field` is the input's name), or
/// with the whole form when `field` is empty.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// What every account page needs.
pub struct Common<'a> {
    pub lang: Lang,
    /// The CSRF token for the hidden `csrf` field of every form.
    pub csrf: &'a str,
    /// The current path and query without `lang`, for the language switch.
    pub here: &'a str,
    /// A one-line confirmation to show at the top ("Password cambiata").
    pub notice: Option<String>,
    pub errors: &'a [FieldError],
}

pub struct SignupView<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
}

pub struct LoginView<'a> {
    pub email: &'a str,
    /// Where to go after logging in (a local path), kept in a hidden field.
    pub next: &'a str,
}

pub struct SecondFactorView<'a> {
    pub next: &'a str,
}

pub struct ForgotView<'a> {
    pub email: &'a str,
    /// The request was accepted: say a message was sent if the address is known.
    pub sent: bool,
}

pub struct ResetView<'a> {
    pub token: &'a str,
}

/// A page that only says something (after following a link, an error).
pub struct MessageView<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<(&'a str, &'a str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Citizen,
    Association,
    Moderator,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

pub struct AssociationInfo<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub tax_code: &'a str,
    pub status: RequestStatus,
    /// The admin's reason when rejected.
    pub note: Option<&'a str>,
}

pub struct ProfileView<'a> {
    pub user_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub bio: &'a str,
    pub role: Role,
    pub email_verified: bool,
    pub totp_enabled: bool,
    /// Moderators and admins must enrol before they can use their powers.
    pub totp_required: bool,
    pub association: Option<AssociationInfo<'a>>,
}

pub struct SettingsView<'a> {
    pub email: &'a str,
    /// An address change waiting for confirmation.
    pub pending_email: Option<&'a str>,
}

pub struct SessionRow<'a> {
    pub id: &'a str,
    pub created: &'a str,
    pub last_used: &'a str,
    pub user_agent: &'a str,
    pub current: bool,
}

pub struct SessionsView<'a> {
    pub sessions: &'a [SessionRow<'a>],
}

pub struct Enrolment<'a> {
    /// The secret in base32, for typing into an app by hand.
    pub secret: &'a str,
    /// The QR code of the otpauth:// URL, already an `<svg>` element.
    pub qr_svg: &'a str,
}

pub struct TwoFactorView<'a> {
    pub enabled: bool,
    pub required: bool,
    /// Present while enrolling: scan, then confirm with a code.
    pub enrolment: Option<Enrolment<'a>>,
    /// Shown once, right after enrolment or regeneration.
    pub recovery_codes: Option<&'a [String]>,
    pub recovery_remaining: usize,
}

pub struct AssociationRequestView<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub tax_code: &'a str,
    pub current: Option<AssociationInfo<'a>>,
}

pub struct PublicProfileView<'a> {
    pub display_name: &'a str,
    pub bio: &'a str,
    pub role: Role,
    pub association: Option<(&'a str, &'a str)>,
    pub member_since: &'a str,
}

pub struct UserRow<'a> {
    pub id: i64,
    pub display_name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub banned: bool,
    pub email_verified: bool,
    pub totp_enabled: bool,
}

pub struct AdminUsersView<'a> {
    pub me: i64,
    pub users: &'a [UserRow<'a>],
}

pub struct AssociationRequestRow<'a> {
    pub id: i64,
    pub user_display_name: &'a str,
    pub name: &'a str,
    pub website: &'a str,
    pub tax_code: &'a str,
    pub created: &'a str,
}

pub struct AdminAssociationsView<'a> {
    pub requests: &'a [AssociationRequestRow<'a>],
}

/// Error keys for the inputs whose name appears in two forms of the same
/// page. An input's `id` (`field-<key>`) and the `FieldError::field` that
/// marks it use the key; the posted name stays the one in the contract.
pub mod keys {
    /// Settings, "delete account" form: the input posted as `password`.
    pub const DELETE_PASSWORD: &str = "delete_password";
    /// Two-factor page, "disable" form: the input posted as `code`.
    pub const DISABLE_CODE: &str = "disable_code";
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Citizen,
        Role::Association,
        Role::Moderator,
        Role::Admin,
    ];

    /// The value posted by the admin's role form.
    pub fn value(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Association => "association",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn from_value(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.value() == value)
    }

    /// The role in words: "cittadino" / "citizen".
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Citizen => lang.pick("cittadino", "citizen"),
            Role::Association => lang.pick("associazione", "association"),
            Role::Moderator => lang.pick("moderatore", "moderator"),
            Role::Admin => lang.pick("amministratore", "administrator"),
        }
    }
}

impl RequestStatus {
    /// "in attesa" / "pending".
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            RequestStatus::Pending => lang.pick("in attesa", "pending"),
            RequestStatus::Approved => lang.pick("approvata", "approved"),
            RequestStatus::Rejected => lang.pick("rifiutata", "rejected"),
        }
    }
}

fn shell<'a>(c: &'a Common, title: &'a str) -> Shell<'a> {
    Shell {
        lang: c.lang,
        title,
        here: c.here,
        embed: false,
    }
}

/// The page with its h1, the notice and the error summary. `fields` are the
/// error keys of the inputs on the page: only those errors link to an input.
fn account_page(c: &Common, title: &str, fields: &[&str], body: Markup) -> Markup {
    let l = c.lang;
    // "Errore:" in the document title tells screen-reader users at once.
    let full_title = if c.errors.is_empty() {
        title.to_owned()
    } else {
        format!("{} {title}", l.pick("Errore:", "Error:"))
    };
    page(
        &shell(c, &full_title),
        html! {
            h1 { (title) }
            @if let Some(notice) = &c.notice {
                p class="notice" role="status" { (notice) }
            }
            @if !c.errors.is_empty() {
                div class="error-summary" role="alert" aria-labelledby="error-summary-title" {
                    h2 id="error-summary-title" {
                        (l.pick("Controlla i dati inseriti", "Please check what you entered"))
                    }
                    ul {
                        @for e in c.errors {
                            li {
                                @if !e.field.is_empty() && fields.contains(&e.field) {
                                    a href={ "#field-" (e.field) } { (e.message) }
                                } @else {
                                    (e.message)
                                }
                            }
                        }
                    }
                }
            }
            (body)
        },
    )
}

fn csrf(c: &Common) -> Markup {
    html! { input type="hidden" name="csrf" value=(c.csrf); }
}

fn error_for<'e>(c: &'e Common, key: &str) -> Option<&'e str> {
    c.errors
        .iter()
        .find(|e| !e.field.is_empty() && e.field == key)
        .map(|e| e.message.as_str())
}

/// One labelled input (or textarea) with its hint and error.
#[derive(Clone, Copy)]
struct Input<'a> {
    /// For the id (`field-<key>`) and to find the error.
    key: &'a str,
    name: &'a str,
    label: &'a str,
    kind: &'a str,
    value: &'a str,
    autocomplete: Option<&'a str>,
    hint: Option<&'a str>,
    required: bool,
    minlength: Option<u32>,
    maxlength: Option<u32>,
    /// Codes and keys: no autocapitalisation or spell check.
    verbatim: bool,
}

impl<'a> Input<'a> {
    fn new(name: &'a str, label: &'a str) -> Self {
        Input {
            key: name,
            name,
            label,
            kind: "text",
            value: "",
            autocomplete: None,
            hint: None,
            required: true,
            minlength: None,
            maxlength: None,
            verbatim: false,
        }
    }
    fn key(mut self, key: &'a str) -> Self {
        self.key = key;
        self
    }
    fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }
    fn auto(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }
    fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    fn optional(mut self) -> Self {
        self.required = false;
        self
    }
    fn length(mut self, min: Option<u32>, max: u32) -> Self {
        self.minlength = min;
        self.maxlength = Some(max);
        self
    }
    fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }
}

fn field(c: &Common, f: Input) -> Markup {
    let id = format!("field-{}", f.key);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = error_for(c, f.key);
    let described: Vec<&str> = [
        f.hint.map(|_| hint_id.as_str()),
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = error.map(|_| "true");
    let value = (!f.value.is_empty()).then_some(f.value);
    html! {
        div class="field" {
            label for=(id) {
                (f.label)
                @if !f.required { " " span class="optional" { (c.lang.pick("(facoltativo)", "(optional)")) } }
            }
            @if let Some(hint) = f.hint { p id=(hint_id) class="hint" { (hint) } }
            @if let Some(message) = error {
                p id=(error_id) class="error" {
                    span class="visually-hidden" { (c.lang.pick("Errore: ", "Error: ")) }
                    (message)
                }
            }
            @if f.kind == "textarea" {
                textarea id=(id) name=(f.name) rows="5" required[f.required]
                    maxlength=[f.maxlength] aria-describedby=[described] aria-invalid=[invalid] {
                    // The parser drops one newline right after the tag: this keeps a leading one in the value.
                    "\n" (f.value)
                }
            } @else {
                input id=(id) name=(f.name) type=(f.kind) value=[value] autocomplete=[f.autocomplete]
                    required[f.required] minlength=[f.minlength] maxlength=[f.maxlength]
                    autocapitalize=[f.verbatim.then_some("off")] spellcheck=[f.verbatim.then_some("false")]
                    aria-describedby=[described] aria-invalid=[invalid];
            }
        }
    }
}

fn new_password_hint(l: Lang) -> &'static str {
    l.pick(
        "Almeno 12 caratteri; una frase lunga è più sicura di una parola complicata.",
        "At least 12 characters; a long phrase is safer than a complicated word.",
    )
}

fn new_password<'a>(l: Lang, name: &'a str, label: &'a str) -> Input<'a> {
    Input::new(name, label)
        .kind("password")
        .auto("new-password")
        .length(Some(12), 128)
        .hint(new_password_hint(l))
}

fn submit(label: &str) -> Markup {
    html! { button type="submit" { (label) } }
}

/// A link to a user-supplied website, only for http(s) addresses; other
/// text is shown as text.
fn website(url: &str) -> Markup {
    let lower = url.trim().to_ascii_lowercase();
    html! {
        @if lower.starts_with("https://") || lower.starts_with("http://") {
            a href=(url.trim()) rel="nofollow ugc noopener" { (url) }
        } @else {
            (url)
        }
    }
}

/// The account's own navigation, with the logout form.
fn account_nav(c: &Common, current: &str) -> Markup {
    let l = c.lang;
    let links = [
        ("/account", l.pick("Profilo", "Profile")),
        ("/account/impostazioni", l.pick("Impostazioni", "Settings")),
        ("/account/sessioni", l.pick("Sessioni", "Sessions")),
        (
            "/account/2fa",
            l.pick("Verifica in due passaggi", "Two-factor authentication"),
        ),
        (
            "/account/associazione",
            l.pick("Associazione", "Association"),
        ),
    ];
    html! {
        nav class="account-nav" aria-label=(l.pick("Il tuo account", "Your account")) {
            ul {
                @for (href, label) in links {
                    li { a href=(href) aria-current=[(href == current).then_some("page")] { (label) } }
                }
                li {
                    form class="inline" method="post" action="/account/esci" {
                        (csrf(c))
                        (submit(l.pick("Esci", "Log out")))
                    }
                }
            }
        }
    }
}

fn admin_nav(c: &Common, current: &str) -> Markup {
    let l = c.lang;
    let links = [
        ("/admin/utenti", l.pick("Utenti", "Users")),
        (
            "/admin/associazioni",
            l.pick("Richieste delle associazioni", "Association requests"),
        ),
    ];
    html! {
        nav class="account-nav" aria-label=(l.pick("Amministrazione", "Administration")) {
            ul {
                @for (href, label) in links {
                    li { a href=(href) aria-current=[(href == current).then_some("page")] { (label) } }
                }
            }
        }
    }
}

fn association_info(l: Lang, a: &AssociationInfo) -> Markup {
    html! {
        dl {
            dt { (l.pick("Nome", "Name")) } dd { (a.name) }
            dt { (l.pick("Sito web", "Website")) } dd { (website(a.website)) }
            dt { (l.pick("Codice fiscale o partita IVA", "Tax code or VAT number")) } dd { (a.tax_code) }
            dt { (l.pick("Stato della richiesta", "Request status")) }
            dd {
                (a.status.label(l))
                @if let Some(note) = a.note.filter(|n| !n.is_empty()) {
                    " — " span class="prewrap" { (note) }
                }
            }
        }
    }
}

pub fn signup(c: &Common, v: &SignupView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Registrati", "Sign up"),
        &["email", "display_name", "password"],
        html! {
            p { (l.pick("Con un account puoi partecipare con commenti e segnalazioni.",
                        "With an account you can take part with comments and reports.")) }
            form class="stack" method="post" action="/account/registrati" {
                (csrf(c))
                (field(c, Input::new("email", l.pick("Indirizzo e-mail", "Email address")).kind("email").auto("email").value(v.email).verbatim()))
                (field(c, Input::new("display_name", l.pick("Nome da mostrare", "Display name")).auto("nickname").value(v.display_name)
                    .hint(l.pick("Visibile a tutti accanto ai tuoi contributi.", "Shown to everyone next to your contributions."))))
                (field(c, new_password(l, "password", "Password")))
                (submit(l.pick("Crea l'account", "Create the account")))
            }
            p { (l.pick("Hai già un account? ", "Already have an account? ")) a href="/account/accedi" { (l.pick("Accedi", "Log in")) } }
        },
    )
}

pub fn login(c: &Common, v: &LoginView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Accedi", "Log in"),
        &["email", "password"],
        html! {
            form class="stack" method="post" action="/account/accedi" {
                (csrf(c))
                input type="hidden" name="next" value=(v.next);
                (field(c, Input::new("email", l.pick("Indirizzo e-mail", "Email address")).kind("email").auto("email").value(v.email).verbatim()))
                (field(c, Input::new("password", "Password").kind("password").auto("current-password")))
                (submit(l.pick("Accedi", "Log in")))
            }
            ul class="links" {
                li { a href="/account/password-dimenticata" { (l.pick("Password dimenticata?", "Forgotten your password?")) } }
                li { a href="/account/registrati" { (l.pick("Non hai un account? Registrati", "No account yet? Sign up")) } }
            }
        },
    )
}

pub fn second_factor(c: &Common, v: &SecondFactorView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Codice di verifica", "Verification code"),
        &["code"],
        html! {
            p { (l.pick("Il tuo account è protetto dalla verifica in due passaggi.",
                        "Your account is protected by two-factor authentication.")) }
            form class="stack" method="post" action="/account/accedi/codice" {
                (csrf(c))
                input type="hidden" name="next" value=(v.next);
                // No inputmode=numeric: recovery codes contain letters.
                (field(c, Input::new("code", l.pick("Codice", "Code")).auto("one-time-code").length(None, 64).verbatim()
                    .hint(l.pick("Il codice di 6 cifre mostrato dalla tua app di autenticazione, oppure uno dei tuoi codici di recupero.",
                                 "The 6-digit code shown by your authenticator app, or one of your recovery codes."))))
                (submit(l.pick("Verifica", "Verify")))
            }
            p { a href="/account/accedi" { (l.pick("Torna all'accesso", "Back to log in")) } }
        },
    )
}

pub fn forgot(c: &Common, v: &ForgotView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Password dimenticata", "Forgotten password"),
        &["email"],
        html! {
            @if v.sent {
                p {
                    (l.pick("Se esiste un account con l'indirizzo ", "If an account exists for "))
                    strong { (v.email) }
                    (l.pick(", ti abbiamo inviato un link per scegliere una nuova password. Il link è valido per 1 ora.",
                            ", we have sent it a link to choose a new password. The link is valid for 1 hour."))
                }
                p { (l.pick("Non trovi il messaggio? Controlla anche la cartella della posta indesiderata.",
                            "Can't find the message? Check your spam folder too.")) }
            } @else {
                p { (l.pick("Scrivi l'indirizzo e-mail del tuo account: ti invieremo un link per scegliere una nuova password.",
                            "Enter your account's email address: we will send you a link to choose a new password.")) }
                form class="stack" method="post" action="/account/password-dimenticata" {
                    (csrf(c))
                    (field(c, Input::new("email", l.pick("Indirizzo e-mail", "Email address")).kind("email").auto("email").value(v.email).verbatim()))
                    (submit(l.pick("Invia il link", "Send the link")))
                }
            }
            p { a href="/account/accedi" { (l.pick("Torna all'accesso", "Back to log in")) } }
        },
    )
}

pub fn reset(c: &Common, v: &ResetView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Nuova password", "New password"),
        &["password"],
        html! {
            form class="stack" method="post" action="/account/reimposta" {
                (csrf(c))
                input type="hidden" name="token" value=(v.token);
                (field(c, new_password(l, "password", l.pick("Nuova password", "New password"))))
                (submit(l.pick("Salva la nuova password", "Save the new password")))
            }
        },
    )
}

pub fn message(c: &Common, v: &MessageView) -> Markup {
    account_page(
        c,
        v.title,
        &[],
        html! {
            p class="prewrap" { (v.body) }
            @if let Some((href, label)) = v.link {
                p { a href=(href) { (label) } }
            }
        },
    )
}

pub fn profile(c: &Common, v: &ProfileView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Il tuo profilo", "Your profile"),
        &["display_name", "bio"],
        html! {
            @if v.totp_required && !v.totp_enabled {
                section class="notice warning" aria-labelledby="totp-required" {
                    h2 id="totp-required" { (l.pick("Attiva la verifica in due passaggi", "Turn on two-factor authentication")) }
                    p { (l.pick("Moderatori e amministratori devono attivare la verifica in due passaggi prima di poter usare i propri poteri.",
                                "Moderators and administrators must turn on two-factor authentication before they can use their powers.")) }
                    p { a href="/account/2fa" { (l.pick("Attivala ora", "Turn it on now")) } }
                }
            }
            (account_nav(c, "/account"))
            h2 { "Account" }
            dl {
                dt { (l.pick("Indirizzo e-mail", "Email address")) }
                dd {
                    (v.email) " "
                    @if v.email_verified {
                        (l.pick("(verificato)", "(verified)"))
                    } @else {
                        strong { (l.pick("(non ancora verificato)", "(not verified yet)")) }
                    }
                }
                dt { (l.pick("Ruolo", "Role")) } dd { (v.role.label(l)) }
                dt { (l.pick("Profilo pubblico", "Public profile")) }
                dd { a href={ "/utenti/" (v.user_id) } { (l.pick("Vedi il tuo profilo pubblico", "See your public profile")) } }
            }
            @if !v.email_verified {
                form class="inline" method="post" action="/account/verifica/invia" {
                    (csrf(c))
                    (submit(l.pick("Invia di nuovo il link di verifica", "Send the verification link again")))
                }
            }
            h2 { (l.pick("Come ti vedono gli altri", "How others see you")) }
            form class="stack" method="post" action="/account/profilo" {
                (csrf(c))
                (field(c, Input::new("display_name", l.pick("Nome da mostrare", "Display name")).auto("nickname").value(v.display_name)))
                (field(c, Input::new("bio", l.pick("Presentazione", "About you")).kind("textarea").value(v.bio).optional().length(None, 500)
                    .hint(l.pick("Visibile a tutti; al massimo 500 caratteri.", "Shown to everyone; at most 500 characters."))))
                (submit(l.pick("Salva il profilo", "Save the profile")))
            }
            h2 { (l.pick("Associazione", "Association")) }
            @if let Some(a) = &v.association {
                (association_info(l, a))
                p { a href="/account/associazione" { (l.pick("Gestisci il profilo dell'associazione", "Manage the association profile")) } }
            } @else {
                p {
                    (l.pick("Rappresenti un'associazione del Terzo settore? ", "Do you represent a voluntary-sector association? "))
                    a href="/account/associazione" { (l.pick("Chiedi la verifica", "Ask for verification")) }
                }
            }
        },
    )
}

pub fn settings(c: &Common, v: &SettingsView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Impostazioni", "Settings"),
        &[
            "current_password",
            "new_password",
            "new_email",
            "password",
            keys::DELETE_PASSWORD,
            "contributions",
        ],
        html! {
            (account_nav(c, "/account/impostazioni"))
            h2 { (l.pick("Cambia la password", "Change your password")) }
            form class="stack" method="post" action="/account/password" {
                (csrf(c))
                (field(c, Input::new("current_password", l.pick("Password attuale", "Current password")).kind("password").auto("current-password")))
                (field(c, new_password(l, "new_password", l.pick("Nuova password", "New password"))))
                (submit(l.pick("Cambia la password", "Change the password")))
            }
            h2 { (l.pick("Cambia l'indirizzo e-mail", "Change your email address")) }
            p { (l.pick("Indirizzo attuale: ", "Current address: ")) strong { (v.email) } }
            @if let Some(pending) = v.pending_email {
                p class="notice" {
                    (l.pick("Nuovo indirizzo in attesa di conferma: ", "New address waiting for confirmation: "))
                    strong { (pending) } ". "
                    (l.pick("Apri il link che ti abbiamo inviato a quell'indirizzo.", "Open the link we sent to that address."))
                }
            }
            form class="stack" method="post" action="/account/email" {
                (csrf(c))
                (field(c, Input::new("new_email", l.pick("Nuovo indirizzo e-mail", "New email address")).kind("email").auto("email").verbatim()
                    .hint(l.pick("Ti invieremo un link per confermarlo, valido per 24 ore.", "We will send a link to confirm it, valid for 24 hours."))))
                (field(c, Input::new("password", l.pick("Password attuale", "Current password")).kind("password").auto("current-password")))
                (submit(l.pick("Cambia l'indirizzo", "Change the address")))
            }
            h2 { (l.pick("Esci da tutti i dispositivi", "Log out everywhere")) }
            p { (l.pick("Chiude tutte le sessioni aperte, compresa questa.", "Ends every open session, this one included.")) }
            form class="inline" method="post" action="/account/esci-ovunque" {
                (csrf(c))
                (submit(l.pick("Esci ovunque", "Log out everywhere")))
            }
            h2 { (l.pick("I tuoi dati", "Your data")) }
            p { a href="/account/dati" download { (l.pick("Scarica i tuoi dati (JSON)", "Download your data (JSON)")) } }
            h2 { (l.pick("Elimina l'account", "Delete your account")) }
            p { (l.pick("L'eliminazione è definitiva e non si può annullare.", "Deletion is permanent and cannot be undone.")) }
            form class="stack" method="post" action="/account/elimina" {
                (csrf(c))
                (field(c, Input::new("password", l.pick("Password attuale", "Current password")).key(keys::DELETE_PASSWORD).kind("password").auto("current-password")))
                @let error = error_for(c, "contributions");
                fieldset aria-describedby=[error.map(|_| "field-contributions-error")] {
                    legend { (l.pick("I tuoi contributi", "Your contributions")) }
                    @if let Some(message) = error {
                        p id="field-contributions-error" class="error" {
                            span class="visually-hidden" { (l.pick("Errore: ", "Error: ")) }
                            (message)
                        }
                    }
                    div class="choice" {
                        input type="radio" id="field-contributions" name="contributions" value="anonymise" checked;
                        label for="field-contributions" { (l.pick("Mantieni i miei contributi come «utente eliminato»", "Keep my contributions as “deleted user”")) }
                    }
                    div class="choice" {
                        input type="radio" id="field-contributions-remove" name="contributions" value="remove";
                        label for="field-contributions-remove" { (l.pick("Cancella anche i miei contributi", "Delete my contributions too")) }
                    }
                }
                button type="submit" class="danger" { (l.pick("Elimina definitivamente l'account", "Delete the account permanently")) }
            }
        },
    )
}

pub fn sessions(c: &Common, v: &SessionsView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Sessioni", "Sessions"),
        &[],
        html! {
            (account_nav(c, "/account/sessioni"))
            p { (l.pick("I dispositivi da cui hai effettuato l'accesso. Se non ne riconosci uno, revocalo e cambia la password.",
                        "The devices you are logged in on. If you don't recognise one, revoke it and change your password.")) }
            table {
                caption { (l.pick("Sessioni aperte", "Open sessions")) }
                thead { tr {
                    th scope="col" { (l.pick("Dispositivo", "Device")) }
                    th scope="col" { (l.pick("Aperta il", "Started")) }
                    th scope="col" { (l.pick("Ultimo uso", "Last used")) }
                    th scope="col" { (l.pick("Azione", "Action")) }
                } }
                tbody {
                    @for s in v.sessions {
                        @let device = if s.user_agent.trim().is_empty() { l.pick("Dispositivo sconosciuto", "Unknown device") } else { s.user_agent };
                        tr {
                            th scope="row" {
                                (device)
                                @if s.current { " " strong { (l.pick("(questa sessione)", "(this session)")) } }
                            }
                            td { (s.created) }
                            td { (s.last_used) }
                            td {
                                form class="inline" method="post" action={ "/account/sessioni/" (s.id) "/revoca" } {
                                    (csrf(c))
                                    button type="submit" {
                                        @if s.current {
                                            (l.pick("Esci da questa sessione", "Log out of this session"))
                                        } @else {
                                            (l.pick("Revoca", "Revoke"))
                                            span class="visually-hidden" {
                                                (l.pick(" la sessione ", " the session ")) (device)
                                                (l.pick(" del ", " of ")) (s.created)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn two_factor(c: &Common, v: &TwoFactorView) -> Markup {
    let l = c.lang;
    let code_hint = l.pick(
        "Il codice di 6 cifre mostrato ora dalla tua app di autenticazione.",
        "The 6-digit code your authenticator app shows now.",
    );
    let any_code_hint = l.pick(
        "Il codice di 6 cifre della tua app di autenticazione, oppure un codice di recupero.",
        "The 6-digit code from your authenticator app, or a recovery code.",
    );
    account_page(
        c,
        l.pick("Verifica in due passaggi", "Two-factor authentication"),
        &["code", "password", keys::DISABLE_CODE],
        html! {
            (account_nav(c, "/account/2fa"))
            @if v.required {
                p class="notice" { (l.pick("Per moderatori e amministratori la verifica in due passaggi è obbligatoria.",
                                           "Two-factor authentication is mandatory for moderators and administrators.")) }
            }
            @if let Some(codes) = v.recovery_codes {
                section class="notice warning" aria-labelledby="recovery-codes" {
                    h2 id="recovery-codes" { (l.pick("I tuoi codici di recupero", "Your recovery codes")) }
                    p { strong { (l.pick("Salvali ora in un posto sicuro: non li mostreremo più.",
                                         "Save them now somewhere safe: we will not show them again.")) }
                        " " (l.pick("Se perdi il telefono, ogni codice ti fa accedere una sola volta.",
                                    "If you lose your phone, each code lets you log in once.")) }
                    ul class="codes" { @for code in codes { li { code { (code) } } } }
                }
            }
            @if v.enabled {
                p { (l.pick("Stato: ", "Status: ")) strong { (l.pick("attiva", "on")) } }
                p { (l.pick("Codici di recupero ancora utilizzabili: ", "Recovery codes left: ")) (v.recovery_remaining) }
                h2 { (l.pick("Nuovi codici di recupero", "New recovery codes")) }
                p { (l.pick("I nuovi codici sostituiscono tutti quelli precedenti.", "The new codes replace all the previous ones.")) }
                form class="stack" method="post" action="/account/2fa/codici" {
                    (csrf(c))
                    (field(c, Input::new("code", l.pick("Codice", "Code")).auto("one-time-code").length(None, 64).verbatim().hint(any_code_hint)))
                    (submit(l.pick("Genera nuovi codici", "Generate new codes")))
                }
                h2 { (l.pick("Disattiva", "Turn off")) }
                @if v.required {
                    p { (l.pick("Finché sei moderatore o amministratore non puoi disattivare la verifica in due passaggi.",
                                "While you are a moderator or an administrator you cannot turn off two-factor authentication.")) }
                } @else {
                    form class="stack" method="post" action="/account/2fa/disattiva" {
                        (csrf(c))
                        (field(c, Input::new("password", l.pick("Password attuale", "Current password")).kind("password").auto("current-password")))
                        (field(c, Input::new("code", l.pick("Codice", "Code")).key(keys::DISABLE_CODE).auto("one-time-code").length(None, 64).verbatim().hint(any_code_hint)))
                        (submit(l.pick("Disattiva la verifica in due passaggi", "Turn off two-factor authentication")))
                    }
                }
            } @else if let Some(e) = &v.enrolment {
                p { (l.pick("Per attivarla servono un'app di autenticazione sul telefono (per esempio FreeOTP, Aegis o Google Authenticator) e tre passaggi.",
                            "To turn it on you need an authenticator app on your phone (for example FreeOTP, Aegis or Google Authenticator) and three steps.")) }
                ol class="steps" {
                    li {
                        p { (l.pick("Nell'app, aggiungi un account e inquadra questo codice QR.", "In the app, add an account and scan this QR code.")) }
                        figure class="qr" {
                            (PreEscaped(e.qr_svg))
                            figcaption { (l.pick("Codice QR per aggiungere Open Welfare Bologna all'app di autenticazione",
                                                 "QR code to add Open Welfare Bologna to your authenticator app")) }
                        }
                    }
                    li {
                        p { (l.pick("Se non puoi inquadrarlo, scrivi nell'app questa chiave:", "If you cannot scan it, type this key into the app:")) }
                        p { code class="secret" { (e.secret) } }
                    }
                    li {
                        p { (l.pick("Scrivi qui il codice che l'app mostra, per confermare.", "Enter the code the app shows, to confirm.")) }
                        form class="stack" method="post" action="/account/2fa/conferma" {
                            (csrf(c))
                            (field(c, Input::new("code", l.pick("Codice", "Code")).auto("one-time-code").length(None, 64).verbatim().hint(code_hint)))
                            (submit(l.pick("Conferma e attiva", "Confirm and turn on")))
                        }
                    }
                }
            } @else {
                p { (l.pick("Stato: ", "Status: ")) strong { (l.pick("non attiva", "off")) } }
                p { (l.pick("Con la verifica in due passaggi, per accedere servono la password e un codice generato da un'app sul tuo telefono: chi scopre la password da sola non entra.",
                            "With two-factor authentication, logging in takes your password and a code made by an app on your phone: someone who only finds out your password cannot get in.")) }
                form class="inline" method="post" action="/account/2fa/avvia" {
                    (csrf(c))
                    (submit(l.pick("Attiva la verifica in due passaggi", "Turn on two-factor authentication")))
                }
            }
        },
    )
}

pub fn association_request(c: &Common, v: &AssociationRequestView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Profilo associazione", "Association profile"),
        &["name", "website", "tax_code"],
        html! {
            (account_nav(c, "/account/associazione"))
            p { (l.pick("Le associazioni del Terzo settore possono chiedere la verifica: un amministratore controlla i dati e, se li approva, il tuo profilo pubblico mostra il nome dell'associazione.",
                        "Voluntary-sector associations (Terzo settore) can ask to be verified: an administrator checks the details and, once approved, your public profile shows the association's name.")) }
            @if let Some(current) = &v.current {
                h2 { (l.pick("La tua richiesta", "Your request")) }
                (association_info(l, current))
            }
            h2 { @if v.current.is_some() { (l.pick("Aggiorna i dati", "Update the details")) } @else { (l.pick("Chiedi la verifica", "Ask for verification")) } }
            form class="stack" method="post" action="/account/associazione" {
                (csrf(c))
                (field(c, Input::new("name", l.pick("Nome dell'associazione", "Name of the association")).auto("organization").value(v.name).length(None, 200)))
                (field(c, Input::new("website", l.pick("Sito web", "Website")).kind("url").auto("url").value(v.website).optional().verbatim()
                    .hint(l.pick("L'indirizzo completo, per esempio https://www.esempio.it", "The full address, for example https://www.example.org"))))
                (field(c, Input::new("tax_code", l.pick("Codice fiscale o partita IVA", "Tax code or VAT number")).value(v.tax_code).length(None, 16).verbatim()))
                (submit(l.pick("Invia la richiesta", "Send the request")))
            }
        },
    )
}

pub fn public_profile(c: &Common, v: &PublicProfileView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        v.display_name,
        &[],
        html! {
            dl {
                dt { (l.pick("Ruolo", "Role")) } dd { (v.role.label(l)) }
                @if let Some((name, site)) = v.association {
                    dt { (l.pick("Associazione", "Association")) }
                    dd {
                        (name)
                        @if !site.trim().is_empty() { " — " (website(site)) }
                    }
                }
                dt { (l.pick("Su Open Welfare Bologna dal", "On Open Welfare Bologna since")) } dd { (v.member_since) }
            }
            @if !v.bio.trim().is_empty() {
                h2 { (l.pick("Presentazione", "About")) }
                p class="prewrap" { (v.bio) }
            }
        },
    )
}

pub fn admin_users(c: &Common, v: &AdminUsersView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Utenti", "Users"),
        &[],
        html! {
            (admin_nav(c, "/admin/utenti"))
            table {
                caption { (l.pick("Utenti registrati", "Registered users")) }
                thead { tr {
                    th scope="col" { (l.pick("Nome", "Name")) }
                    th scope="col" { (l.pick("E-mail", "Email")) }
                    th scope="col" { (l.pick("Ruolo", "Role")) }
                    th scope="col" { (l.pick("Stato", "State")) }
                    th scope="col" { (l.pick("Azioni", "Actions")) }
                } }
                tbody {
                    @for u in v.users {
                        @let who = format!("{} ({})", u.display_name, u.email);
                        tr {
                            th scope="row" { a href={ "/utenti/" (u.id) } { (u.display_name) } }
                            td { (u.email) }
                            td { (u.role.label(l)) }
                            td {
                                (if u.email_verified { l.pick("e-mail verificata", "email verified") } else { l.pick("e-mail non verificata", "email not verified") })
                                ", "
                                (if u.totp_enabled { l.pick("2FA attiva", "2FA on") } else { l.pick("2FA non attiva", "2FA off") })
                                @if u.banned { ", " strong { (l.pick("account sospeso", "suspended")) } }
                            }
                            td {
                                @if u.id == v.me {
                                    (l.pick("(sei tu)", "(you)"))
                                } @else {
                                    form class="inline" method="post" action={ "/admin/utenti/" (u.id) "/ruolo" } {
                                        (csrf(c))
                                        label for={ "role-" (u.id) } class="visually-hidden" { (l.pick("Ruolo di ", "Role of ")) (who) }
                                        select id={ "role-" (u.id) } name="role" {
                                            @for r in Role::ALL {
                                                option value=(r.value()) selected[r == u.role] { (r.label(l)) }
                                            }
                                        }
                                        button type="submit" {
                                            (l.pick("Cambia ruolo", "Change role"))
                                            span class="visually-hidden" { (l.pick(" di ", " of ")) (who) }
                                        }
                                    }
                                    @let (action, label) = if u.banned {
                                        ("riattiva", l.pick("Riattiva", "Reinstate"))
                                    } else {
                                        ("sospendi", l.pick("Sospendi", "Suspend"))
                                    };
                                    form class="inline" method="post" action={ "/admin/utenti/" (u.id) "/" (action) } {
                                        (csrf(c))
                                        button type="submit" class=[(!u.banned).then_some("danger")] {
                                            (label) span class="visually-hidden" { " " (who) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn admin_associations(c: &Common, v: &AdminAssociationsView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Richieste delle associazioni", "Association requests"),
        &[],
        html! {
            (admin_nav(c, "/admin/associazioni"))
            @if v.requests.is_empty() {
                p { (l.pick("Nessuna richiesta in attesa.", "No requests waiting.")) }
            } @else {
                table {
                    caption { (l.pick("Richieste in attesa", "Requests waiting")) }
                    thead { tr {
                        th scope="col" { (l.pick("Associazione", "Association")) }
                        th scope="col" { (l.pick("Richiesta da", "Requested by")) }
                        th scope="col" { (l.pick("Sito web", "Website")) }
                        th scope="col" { (l.pick("Codice fiscale o partita IVA", "Tax code or VAT number")) }
                        th scope="col" { (l.pick("Data", "Date")) }
                        th scope="col" { (l.pick("Decisione", "Decision")) }
                    } }
                    tbody {
                        @for r in v.requests {
                            tr {
                                th scope="row" { (r.name) }
                                td { (r.user_display_name) }
                                td { (website(r.website)) }
                                td { (r.tax_code) }
                                td { (r.created) }
                                td {
                                    form class="inline" method="post" action={ "/admin/associazioni/" (r.id) "/approva" } {
                                        (csrf(c))
                                        button type="submit" {
                                            (l.pick("Approva", "Approve"))
                                            span class="visually-hidden" { " " (r.name) }
                                        }
                                    }
                                    form class="inline" method="post" action={ "/admin/associazioni/" (r.id) "/rifiuta" } {
                                        (csrf(c))
                                        label for={ "note-" (r.id) } {
                                            (l.pick("Motivo", "Reason"))
                                            span class="visually-hidden" { (l.pick(" del rifiuto di ", " for rejecting ")) (r.name) }
                                        }
                                        input type="text" id={ "note-" (r.id) } name="note" maxlength="500" autocomplete="off";
                                        button type="submit" class="danger" {
                                            (l.pick("Rifiuta", "Reject"))
                                            span class="visually-hidden" { " " (r.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common<'a>(lang: Lang, errors: &'a [FieldError]) -> Common<'a> {
        Common {
            lang,
            csrf: "tok3n",
            here: "/account",
            notice: Some("Fatto".into()),
            errors,
        }
    }

    fn info(name: &str) -> AssociationInfo<'_> {
        AssociationInfo {
            name,
            website: "https://example.org/?a=1&b=2",
            tax_code: "12345678901",
            status: RequestStatus::Rejected,
            note: Some("Dati incompleti"),
        }
    }

    /// Every page in both languages, with the given errors, in varied states.
    fn every_page(lang: Lang, errors: &[FieldError], name: &str) -> Vec<(&'static str, String)> {
        let c = common(lang, errors);
        let codes = vec!["abcd-efgh".to_string(), "ijkl-mnop".to_string()];
        let session_rows = [
            SessionRow {
                id: "s1",
                created: "1 marzo 2026",
                last_used: "oggi",
                user_agent: "Firefox",
                current: true,
            },
            SessionRow {
                id: "s2",
                created: "2 marzo 2026",
                last_used: "ieri",
                user_agent: name,
                current: false,
            },
        ];
        let users = [
            UserRow {
                id: 1,
                display_name: "Admin",
                email: "a@x.it",
                role: Role::Admin,
                banned: false,
                email_verified: true,
                totp_enabled: true,
            },
            UserRow {
                id: 2,
                display_name: name,
                email: "b@x.it",
                role: Role::Citizen,
                banned: false,
                email_verified: false,
                totp_enabled: false,
            },
            UserRow {
                id: 3,
                display_name: "C",
                email: "c@x.it",
                role: Role::Moderator,
                banned: true,
                email_verified: true,
                totp_enabled: false,
            },
        ];
        let requests = [
            AssociationRequestRow {
                id: 7,
                user_display_name: name,
                name: "Auser",
                website: "https://auser.it",
                tax_code: "1",
                created: "ieri",
            },
            AssociationRequestRow {
                id: 8,
                user_display_name: "B",
                name: "Arci",
                website: "javascript:alert(1)",
                tax_code: "2",
                created: "oggi",
            },
        ];
        let enrolment = Enrolment {
            secret: "JBSWY3DPEHPK3PXP",
            qr_svg: "<svg viewBox=\"0 0 1 1\"></svg>",
        };
        let pages: Vec<(&'static str, Markup)> = vec![
            (
                "signup",
                signup(
                    &c,
                    &SignupView {
                        email: "a@b.it",
                        display_name: name,
                    },
                ),
            ),
            (
                "login",
                login(
                    &c,
                    &LoginView {
                        email: "a@b.it",
                        next: "/mappa",
                    },
                ),
            ),
            (
                "second_factor",
                second_factor(&c, &SecondFactorView { next: "/" }),
            ),
            (
                "forgot",
                forgot(
                    &c,
                    &ForgotView {
                        email: "a@b.it",
                        sent: false,
                    },
                ),
            ),
            (
                "forgot_sent",
                forgot(
                    &c,
                    &ForgotView {
                        email: name,
                        sent: true,
                    },
                ),
            ),
            ("reset", reset(&c, &ResetView { token: "t" })),
            (
                "message",
                message(
                    &c,
                    &MessageView {
                        title: "Ok",
                        body: name,
                        link: Some(("/", "Home")),
                    },
                ),
            ),
            (
                "profile",
                profile(
                    &c,
                    &ProfileView {
                        user_id: 5,
                        email: "a@b.it",
                        display_name: name,
                        bio: name,
                        role: Role::Moderator,
                        email_verified: false,
                        totp_enabled: false,
                        totp_required: true,
                        association: Some(info(name)),
                    },
                ),
            ),
            (
                "profile_plain",
                profile(
                    &c,
                    &ProfileView {
                        user_id: 5,
                        email: "a@b.it",
                        display_name: "x",
                        bio: "",
                        role: Role::Citizen,
                        email_verified: true,
                        totp_enabled: false,
                        totp_required: false,
                        association: None,
                    },
                ),
            ),
            (
                "settings",
                settings(
                    &c,
                    &SettingsView {
                        email: "a@b.it",
                        pending_email: Some("new@b.it"),
                    },
                ),
            ),
            (
                "sessions",
                sessions(
                    &c,
                    &SessionsView {
                        sessions: &session_rows,
                    },
                ),
            ),
            (
                "2fa_off",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: false,
                        required: true,
                        enrolment: None,
                        recovery_codes: None,
                        recovery_remaining: 0,
                    },
                ),
            ),
            (
                "2fa_enrol",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: false,
                        required: false,
                        enrolment: Some(enrolment),
                        recovery_codes: None,
                        recovery_remaining: 0,
                    },
                ),
            ),
            (
                "2fa_on",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: true,
                        required: false,
                        enrolment: None,
                        recovery_codes: Some(&codes),
                        recovery_remaining: 8,
                    },
                ),
            ),
            (
                "2fa_required",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: true,
                        required: true,
                        enrolment: None,
                        recovery_codes: None,
                        recovery_remaining: 3,
                    },
                ),
            ),
            (
                "association",
                association_request(
                    &c,
                    &AssociationRequestView {
                        name,
                        website: "",
                        tax_code: "",
                        current: Some(info(name)),
                    },
                ),
            ),
            (
                "public",
                public_profile(
                    &c,
                    &PublicProfileView {
                        display_name: name,
                        bio: name,
                        role: Role::Association,
                        association: Some((name, "https://auser.it")),
                        member_since: "marzo 2026",
                    },
                ),
            ),
            (
                "admin_users",
                admin_users(
                    &c,
                    &AdminUsersView {
                        me: 1,
                        users: &users,
                    },
                ),
            ),
            (
                "admin_associations",
                admin_associations(
                    &c,
                    &AdminAssociationsView {
                        requests: &requests,
                    },
                ),
            ),
            (
                "admin_associations_empty",
                admin_associations(&c, &AdminAssociationsView { requests: &[] }),
            ),
        ];
        pages
            .into_iter()
            .map(|(n, m)| (n, m.into_string()))
            .collect()
    }

    fn values_of<'h>(html: &'h str, attribute: &str) -> Vec<&'h str> {
        let needle = format!(" {attribute}=\"");
        html.match_indices(&needle)
            .map(|(i, _)| {
                let rest = &html[i + needle.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect()
    }

    #[test]
    fn every_form_posts_with_the_csrf_token() {
        for lang in Lang::ALL {
            for (name, html) in every_page(lang, &[], "Anna") {
                let forms = html.matches("<form").count();
                assert_eq!(
                    forms,
                    html.matches(r#"name="csrf" value="tok3n""#).count(),
                    "{name}"
                );
                assert_eq!(forms, html.matches(r#"method="post""#).count(), "{name}");
            }
        }
    }

    #[test]
    fn ids_are_unique_and_every_input_has_a_label() {
        for (name, html) in every_page(Lang::It, &[], "Anna") {
            let ids = values_of(&html, "id");
            let mut sorted = ids.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(ids.len(), sorted.len(), "duplicate id in {name}: {ids:?}");
            let labels = values_of(&html, "for");
            for piece in html.split('<').filter(|t| {
                t.starts_with("input ") || t.starts_with("select ") || t.starts_with("textarea ")
            }) {
                if piece.contains(r#"type="hidden""#) {
                    continue;
                }
                let id = values_of(piece, "id");
                assert!(
                    id.len() == 1 && labels.contains(&id[0]),
                    "unlabelled control in {name}: {piece}"
                );
            }
            for described in values_of(&html, "aria-describedby") {
                for id in described.split(' ') {
                    assert!(
                        ids.contains(&id),
                        "{name}: aria-describedby points to a missing {id}"
                    );
                }
            }
        }
    }

    #[test]
    fn errors_are_summarised_and_tied_to_their_inputs() {
        let errors = [
            FieldError {
                field: "email",
                message: "Indirizzo non valido".into(),
            },
            FieldError {
                field: "",
                message: "Riprova più tardi".into(),
            },
        ];
        let c = common(Lang::It, &errors);
        let html = signup(
            &c,
            &SignupView {
                email: "x",
                display_name: "",
            },
        )
        .into_string();
        assert!(html.contains(r#"role="alert""#));
        assert!(html.contains(r##"<a href="#field-email">Indirizzo non valido</a>"##));
        assert!(html.contains("<li>Riprova più tardi</li>"));
        assert!(
            html.contains(r#"aria-describedby="field-email-error" aria-invalid="true""#),
            "{html}"
        );
        assert_eq!(html.matches("aria-invalid").count(), 1);
        assert!(html.contains("<title>Errore: Registrati"));
        let clean = signup(
            &common(Lang::It, &[]),
            &SignupView {
                email: "",
                display_name: "",
            },
        )
        .into_string();
        assert!(!clean.contains(r#"role="alert""#) && !clean.contains("aria-invalid"));
        assert!(
            clean
                .contains(r#"autocomplete="new-password" required minlength="12" maxlength="128""#),
            "{clean}"
        );
    }

    #[test]
    fn the_delete_form_has_its_own_password_key() {
        let errors = [FieldError {
            field: keys::DELETE_PASSWORD,
            message: "Password errata".into(),
        }];
        let c = common(Lang::It, &errors);
        let html = settings(
            &c,
            &SettingsView {
                email: "a@b.it",
                pending_email: None,
            },
        )
        .into_string();
        assert!(html.contains(r##"href="#field-delete_password""##));
        assert!(html.contains(r#"id="field-delete_password" name="password""#));
        assert_eq!(html.matches("aria-invalid").count(), 1);
        assert!(html.contains(r#"value="anonymise" checked"#));
        assert!(html.contains(r#"class="danger""#));
    }

    #[test]
    fn english_pages_speak_english() {
        for (name, html) in every_page(Lang::En, &[], "Anna") {
            assert!(html.contains(r#"<html lang="en">"#), "{name}");
            for italian in ["Accedi", "Registrati", "Esci", "Revoca", "Invia", "Salva"] {
                assert!(
                    !html.contains(&format!(">{italian}")),
                    "{name} says {italian}"
                );
            }
        }
        let c = common(Lang::En, &[]);
        let html = signup(
            &c,
            &SignupView {
                email: "",
                display_name: "",
            },
        )
        .into_string();
        assert!(html.contains("At least 12 characters"));
        let html = settings(
            &c,
            &SettingsView {
                email: "a@b.it",
                pending_email: None,
            },
        )
        .into_string();
        assert!(html.contains("Download your data (JSON)"));
    }

    #[test]
    fn user_text_is_escaped() {
        for (name, html) in every_page(Lang::It, &[], "<script>x</script>") {
            assert!(!html.contains("<script>x"), "{name}");
        }
        let pages = every_page(Lang::It, &[], "<script>x</script>");
        let public = &pages.iter().find(|(n, _)| *n == "public").unwrap().1;
        assert!(public.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(public.contains(r#"class="prewrap""#));
        assert!(public.contains(r#"rel="nofollow ugc noopener""#));
        let admin = &pages
            .iter()
            .find(|(n, _)| *n == "admin_associations")
            .unwrap()
            .1;
        assert!(
            !admin.contains(r#"href="javascript:"#),
            "only http(s) sites are links"
        );
    }

    #[test]
    fn row_buttons_have_distinct_names_and_the_admin_cannot_act_on_themselves() {
        let pages = every_page(Lang::It, &[], "Bruno");
        let admin = &pages.iter().find(|(n, _)| *n == "admin_users").unwrap().1;
        assert!(!admin.contains("/admin/utenti/1/"));
        assert!(
            admin.contains(r#"action="/admin/utenti/2/ruolo""#)
                && admin.contains(r#"action="/admin/utenti/2/sospendi""#)
        );
        assert!(admin.contains(r#"action="/admin/utenti/3/riattiva""#));
        assert!(admin.contains(r#"<option value="moderator" selected>"#));
        assert!(admin.contains("Cambia ruolo<span class=\"visually-hidden\"> di Bruno (b@x.it)"));
        let sessions = &pages.iter().find(|(n, _)| *n == "sessions").unwrap().1;
        assert!(sessions.contains(r#"action="/account/sessioni/s2/revoca""#));
        assert!(sessions.contains("Esci da questa sessione"));
        assert!(sessions
            .contains("Revoca<span class=\"visually-hidden\"> la sessione Bruno del 2 marzo 2026"));
    }

    #[test]
    fn two_factor_states() {
        let pages = every_page(Lang::It, &[], "x");
        let get = |n: &str| pages.iter().find(|(name, _)| *name == n).unwrap().1.clone();
        let enrol = get("2fa_enrol");
        assert!(
            enrol.contains("<figure class=\"qr\"><svg")
                && enrol.contains("<code class=\"secret\">JBSWY3DPEHPK3PXP</code>")
        );
        assert!(enrol.contains(r#"action="/account/2fa/conferma""#));
        assert!(!enrol.contains("inputmode"));
        let on = get("2fa_on");
        assert!(on.contains("<code>abcd-efgh</code>") && on.contains("/account/2fa/disattiva"));
        assert!(!get("2fa_required").contains("/account/2fa/disattiva"));
        assert!(get("2fa_off").contains(r#"action="/account/2fa/avvia""#));
        let profile = get("profile");
        assert!(
            profile.contains(r#"href="/account/2fa""#)
                && profile.contains("/account/verifica/invia")
        );
        assert!(
            profile.contains(r#"aria-current="page""#) && profile.contains(r#"href="/utenti/5""#)
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_value(role.value()), Some(role));
        }
        assert_eq!(Role::from_value("root"), None);
    }
}
