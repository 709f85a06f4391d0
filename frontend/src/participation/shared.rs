//! What the participation views share: who is looking ([`Viewer`]), an
//! item's [`Status`], the length limits, the error [`keys`], the markdown
//! hint, the live badge, the "take part" line, the author's name and the
//! body by status.

use maud::{html, Markup, PreEscaped};

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

/// The body by status: shown when visible or held (with a notice, and
/// what the content screen found, in both languages, for its author to
/// edit out); a placeholder, never the body, when removed or deleted.
pub(super) fn content(
    l: Lang,
    noun: Noun,
    status: Status,
    reason: Option<&str>,
    body_html: &str,
    own: bool,
    held_for: &[(&str, &str)],
) -> Markup {
    let annotation = noun == Noun::Annotation;
    html! {
        @match status {
            Status::Visible => div class="user-text" { (PreEscaped(body_html)) },
            Status::Held => {
                div class="notice held" {
                    p {
                        strong { (l.pick("In attesa di revisione", "Awaiting review")) }
                        @if own {
                            @if annotation {
                                (l.pick(": per ora la vedi solo tu.", ": for now only you can see it."))
                            } @else {
                                (l.pick(": per ora lo vedi solo tu.", ": for now only you can see it."))
                            }
                        } @else { "." }
                    }
                    @if !held_for.is_empty() {
                        ul class="held-for" {
                            @for (it, en) in held_for { li { (l.pick(it, en)) } }
                        }
                    }
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
