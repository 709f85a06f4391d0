//! What the account pages share: the [`Role`], the error [`keys`], the
//! page frame, the fields several forms ask for (e-mail address, current
//! and new password, one-time code), the submit button, a user's website,
//! the account's and the admin's navigation, and the page that only says
//! something ([`message`]).

use maud::{html, Markup};

use crate::forms::{full_page, inline_form, Common, Field};
use crate::i18n::Lang;

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

/// The page with its h1, the notice and the error summary. `fields` are the
/// error keys of the inputs on the page: only those errors link to an input.
pub(super) fn account_page(c: &Common, title: &str, fields: &[&str], body: Markup) -> Markup {
    full_page(c, title, html! {}, fields, body)
}

fn new_password_hint(l: Lang) -> &'static str {
    l.pick(
        "Almeno 12 caratteri; una frase lunga è più sicura di una parola complicata.",
        "At least 12 characters; a long phrase is safer than a complicated word.",
    )
}

/// The e-mail address of an account (posted as `email`), filled with `value`.
pub(super) fn email<'a>(c: &'a Common, value: &'a str) -> Field<'a> {
    Field::keyed(c, "email", c.lang.pick("Indirizzo e-mail", "Email address"))
        .kind("email")
        .auto("email")
        .value(value)
        .verbatim()
}

/// The current password, asked before a change, under error `key`.
pub(super) fn current_password<'a>(c: &'a Common, key: &'a str) -> Field<'a> {
    Field::keyed(c, key, c.lang.pick("Password attuale", "Current password"))
        .kind("password")
        .auto("current-password")
}

/// A code from the authenticator app or a recovery code (posted as
/// `code`), under error `key`, with its `hint`.
pub(super) fn one_time_code<'a>(c: &'a Common, key: &'a str, hint: &'a str) -> Field<'a> {
    Field::keyed(c, key, c.lang.pick("Codice", "Code"))
        .name("code")
        .auto("one-time-code")
        .max(64)
        .verbatim()
        .hint(hint)
}

/// A new password's field: its kind, autocomplete, length and hint.
pub(super) fn new_password<'a>(c: &'a Common, name: &'a str, label: &str) -> Field<'a> {
    Field::keyed(c, name, label)
        .kind("password")
        .auto("new-password")
        .min(12)
        .max(128)
        .hint(new_password_hint(c.lang))
}

pub(super) fn submit(label: &str) -> Markup {
    html! { button type="submit" { (label) } }
}

/// A link to a user-supplied website, only for http(s) addresses; other
/// text is shown as text.
pub(super) fn website(url: &str) -> Markup {
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
pub(super) fn account_nav(c: &Common, current: &str) -> Markup {
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
    let logout = html! {
        li {
            (inline_form(c, "/account/esci", html! {
                (submit(l.pick("Esci", "Log out")))
            }))
        }
    };
    nav_list(
        l.pick("Il tuo account", "Your account"),
        &links,
        current,
        logout,
    )
}

/// A navigation named `name`: the `links` (href, label), the one at
/// `current` marked as the page, then the `extra` items.
pub(super) fn nav_list(name: &str, links: &[(&str, &str)], current: &str, extra: Markup) -> Markup {
    html! {
        nav class="account-nav" aria-label=(name) {
            ul {
                @for &(href, label) in links {
                    li { a href=(href) aria-current=[(href == current).then_some("page")] { (label) } }
                }
                (extra)
            }
        }
    }
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
