//! What the account pages share: the [`Role`], the error [`keys`], the
//! page frame, the labelled input, the submit button, a user's website,
//! the account's and the admin's navigation, and the page that only says
//! something ([`message`]).

use maud::{html, Markup};

use crate::forms::{csrf, error_for, error_text, full_page, Common};
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

/// One labelled input (or textarea) with its hint and error.
#[derive(Clone, Copy)]
pub(super) struct Input<'a> {
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
    pub(super) fn new(name: &'a str, label: &'a str) -> Self {
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
    pub(super) fn key(mut self, key: &'a str) -> Self {
        self.key = key;
        self
    }
    pub(super) fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub(super) fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }
    pub(super) fn auto(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }
    pub(super) fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub(super) fn optional(mut self) -> Self {
        self.required = false;
        self
    }
    pub(super) fn length(mut self, min: Option<u32>, max: u32) -> Self {
        self.minlength = min;
        self.maxlength = Some(max);
        self
    }
    pub(super) fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }
}

pub(super) fn field(c: &Common, f: Input) -> Markup {
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
            @if let Some(message) = error { (error_text(&error_id, c.lang, message)) }
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

pub(super) fn new_password<'a>(l: Lang, name: &'a str, label: &'a str) -> Input<'a> {
    Input::new(name, label)
        .kind("password")
        .auto("new-password")
        .length(Some(12), 128)
        .hint(new_password_hint(l))
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
            form class="inline" method="post" action="/account/esci" {
                (csrf(c))
                (submit(l.pick("Esci", "Log out")))
            }
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
