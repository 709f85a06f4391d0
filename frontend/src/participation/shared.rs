//! What the participation views share: who is looking ([`Viewer`]), an
//! item's [`Status`], the length limits, the error [`keys`], the labelled
//! field, the "take part" line, the author's name and the body by status.

use maud::{html, Markup, PreEscaped};

use crate::account::Common;
use crate::forms::{error_for, error_text};
use crate::i18n::Lang;

/// The longest title the forms accept (the server checks it too).
pub const TITLE_MAX: u32 = 120;
/// The longest body the forms accept (the server checks it too).
pub const BODY_MAX: u32 = 5000;

/// Error keys for the inputs whose name appears in two forms of the same
/// page (a quartiere page has the annotation form and the discussion's
/// form, both posting `body`). An input's `id` (`field-<key>`) and the
/// `FieldError::field` that marks it use the key; the posted name stays
/// the one in the contract.
pub mod keys {
    /// The discussion's new-post form: the textarea posted as `body`.
    pub const POST_BODY: &str = "post_body";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Visible,
    Held,
    Removed,
    Deleted,
}

/// Who is looking, for what they may do.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user_id: Option<i64>,
    /// Signed in with a verified address: may post.
    pub can_post: bool,
    pub moderator: bool,
}

pub(super) fn markdown_hint(l: Lang) -> &'static str {
    l.pick(
        "Puoi usare il markdown: **grassetto**, _corsivo_, [link](https://...), elenchi.",
        "You can use markdown: **bold**, _italic_, [link](https://...), lists.",
    )
}

/// The "N nuovi" button that the live script fills and shows.
pub(super) fn live_badge() -> Markup {
    html! { button type="button" class="live-badge" data-live-badge hidden {} }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Textarea(u32),
    Number,
}

/// One labelled input or textarea with its hint and error.
pub(super) struct Field<'a> {
    id: String,
    name: &'a str,
    label: Markup,
    kind: Kind,
    value: &'a str,
    hint: Option<&'a str>,
    required: bool,
    /// Say "(facoltativo)" after the label; off inside a fieldset that says it.
    mark_optional: bool,
    maxlength: Option<u32>,
    error: Option<&'a str>,
}

impl<'a> Field<'a> {
    /// An input of the form on the page: id `field-<key>`, errors from `c`.
    pub(super) fn keyed(c: &'a Common, key: &'a str, label: &str) -> Self {
        Field {
            error: error_for(c, key),
            ..Field::repeated(format!("field-{key}"), key, html! { (label) })
        }
    }
    /// An input of a repeated form (one per item): its own id, no errors.
    pub(super) fn repeated(id: String, name: &'a str, label: Markup) -> Self {
        Field {
            id,
            name,
            label,
            kind: Kind::Text,
            value: "",
            hint: None,
            required: true,
            mark_optional: true,
            maxlength: None,
            error: None,
        }
    }
    /// The posted name, when it differs from the key.
    pub(super) fn name(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }
    pub(super) fn textarea(mut self, rows: u32) -> Self {
        self.kind = Kind::Textarea(rows);
        self
    }
    pub(super) fn number(mut self) -> Self {
        self.kind = Kind::Number;
        self
    }
    pub(super) fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }
    pub(super) fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub(super) fn max(mut self, maxlength: u32) -> Self {
        self.maxlength = Some(maxlength);
        self
    }
    /// Not required; `mark` says so after the label.
    pub(super) fn optional(mut self, mark: bool) -> Self {
        self.required = false;
        self.mark_optional = mark;
        self
    }
}

pub(super) fn field(l: Lang, f: Field) -> Markup {
    let hint_id = format!("{}-hint", f.id);
    let error_id = format!("{}-error", f.id);
    let described: Vec<&str> = [
        f.hint.map(|_| hint_id.as_str()),
        f.error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = f.error.map(|_| "true");
    let value = (!f.value.is_empty()).then_some(f.value);
    html! {
        div class="field" {
            label for=(f.id) {
                (f.label)
                @if !f.required && f.mark_optional { " " span class="optional" { (l.pick("(facoltativo)", "(optional)")) } }
            }
            @if let Some(hint) = f.hint { p id=(hint_id) class="hint" { (hint) } }
            @if let Some(message) = f.error { (error_text(&error_id, l, message)) }
            @match f.kind {
                Kind::Textarea(rows) => {
                    textarea id=(f.id) name=(f.name) rows=(rows) required[f.required]
                        maxlength=[f.maxlength] aria-describedby=[described] aria-invalid=[invalid] {
                        // The parser drops one newline right after the tag: this keeps a leading one in the value.
                        "\n" (f.value)
                    }
                }
                Kind::Number => {
                    input id=(f.id) name=(f.name) type="number" step="any" inputmode="decimal" value=[value]
                        required[f.required] aria-describedby=[described] aria-invalid=[invalid];
                }
                Kind::Text => {
                    input id=(f.id) name=(f.name) type="text" value=[value] required[f.required]
                        maxlength=[f.maxlength] aria-describedby=[described] aria-invalid=[invalid];
                }
            }
        }
    }
}

/// For who cannot post: log in or sign up, or confirm the address first.
pub(super) fn take_part(l: Lang, viewer: Viewer) -> Markup {
    html! {
        p class="take-part" {
            @if viewer.user_id.is_none() {
                (l.pick("Per partecipare, ", "To take part, "))
                a href="/account/accedi" { (l.pick("accedi", "log in")) }
                (l.pick(" o ", " or "))
                a href="/account/registrati" { (l.pick("registrati", "sign up")) }
                "."
            } @else {
                (l.pick("Per partecipare, conferma prima il tuo indirizzo e-mail con il link che ti abbiamo inviato. ",
                        "To take part, first confirm your email address with the link we sent you. "))
                a href="/account" { (l.pick("Puoi chiederne uno nuovo dal tuo profilo.", "You can ask for a new one from your profile.")) }
            }
        }
    }
}

pub(super) fn is_own(viewer: Viewer, author: Option<(i64, &str)>) -> bool {
    viewer.user_id.is_some() && viewer.user_id == author.map(|(id, _)| id)
}

pub(super) fn author_name(l: Lang, author: Option<(i64, &str)>) -> &str {
    match author {
        Some((_, name)) => name,
        None => l.pick("utente eliminato", "deleted user"),
    }
}

pub(super) fn author_link(l: Lang, author: Option<(i64, &str)>) -> Markup {
    html! {
        @match author {
            Some((id, name)) => a href={ "/utenti/" (id) } { (name) },
            None => span class="deleted-user" { (l.pick("utente eliminato", "deleted user")) },
        }
    }
}

/// What the status words agree with in Italian: "annotazione" is
/// feminine, "messaggio" masculine.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Noun {
    Annotation,
    Post,
}

/// The body by status: shown when visible or held (with a notice);
/// a placeholder, never the body, when removed or deleted.
pub(super) fn content(
    l: Lang,
    noun: Noun,
    status: Status,
    reason: Option<&str>,
    body_html: &str,
    own: bool,
) -> Markup {
    let annotation = noun == Noun::Annotation;
    html! {
        @match status {
            Status::Visible => div class="user-text" { (PreEscaped(body_html)) },
            Status::Held => {
                p class="notice held" {
                    strong { (l.pick("In attesa di revisione", "Awaiting review")) }
                    @if own {
                        @if annotation {
                            (l.pick(": per ora la vedi solo tu.", ": for now only you can see it."))
                        } @else {
                            (l.pick(": per ora lo vedi solo tu.", ": for now only you can see it."))
                        }
                    } @else { "." }
                }
                div class="user-text" { (PreEscaped(body_html)) }
            }
            Status::Removed => p class="placeholder" {
                @if annotation {
                    (l.pick("Rimossa da un moderatore", "Removed by a moderator"))
                } @else {
                    (l.pick("Rimosso da un moderatore", "Removed by a moderator"))
                }
                @match reason.map(str::trim).filter(|r| !r.is_empty()) {
                    Some(reason) => { ": " (reason) }
                    None => ".",
                }
            },
            Status::Deleted => p class="placeholder" {
                @if annotation {
                    (l.pick("Eliminata dall'autore.", "Deleted by the author."))
                } @else {
                    (l.pick("Eliminato dall'autore.", "Deleted by the author."))
                }
            },
        }
    }
}
