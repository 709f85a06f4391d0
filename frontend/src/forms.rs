//! The page frame and the form pieces that the account pages and the
//! participation views share: the h1 with the notice and the error
//! summary, the hidden CSRF field, and a field's error; and what every
//! such page needs ([`Common`]) and a form's errors ([`FieldError`]),
//! public as `account::Common` and `account::FieldError`.

use maud::{html, Markup};

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

pub(crate) fn csrf(c: &Common) -> Markup {
    html! { input type="hidden" name="csrf" value=(c.csrf); }
}

pub(crate) fn error_for<'e>(c: &'e Common, key: &str) -> Option<&'e str> {
    c.errors
        .iter()
        .find(|e| !e.field.is_empty() && e.field == key)
        .map(|e| e.message.as_str())
}

pub(crate) fn error_text(id: &str, l: Lang, message: &str) -> Markup {
    html! {
        p id=(id) class="error" {
            span class="visually-hidden" { (l.pick("Errore: ", "Error: ")) }
            (message)
        }
    }
}

pub(crate) fn notice(c: &Common) -> Markup {
    html! {
        @if let Some(notice) = &c.notice {
            p class="notice" role="status" { (notice) }
        }
    }
}

/// One line of the error summary: a link to the input when it is among `fields`.
fn error_line(e: &FieldError, fields: &[&str]) -> Markup {
    html! {
        li {
            @if !e.field.is_empty() && fields.contains(&e.field) {
                a href={ "#field-" (e.field) } { (e.message) }
            } @else {
                (e.message)
            }
        }
    }
}

/// The error summary (role alert) with a heading of `level` (2 to 4).
pub(crate) fn error_summary(c: &Common, level: u8, id: &str, fields: &[&str]) -> Markup {
    let heading = c
        .lang
        .pick("Controlla i dati inseriti", "Please check what you entered");
    html! {
        @if !c.errors.is_empty() {
            div class="error-summary" role="alert" aria-labelledby=(id) {
                @match level {
                    2 => h2 id=(id) { (heading) },
                    3 => h3 id=(id) { (heading) },
                    _ => h4 id=(id) { (heading) },
                }
                ul { @for e in c.errors { (error_line(e, fields)) } }
            }
        }
    }
}

/// A whole page: `before` (a breadcrumb), the h1, the notice, the error
/// summary (linking to the inputs named in `fields`), the body.
pub(crate) fn full_page(
    c: &Common,
    title: &str,
    before: Markup,
    fields: &[&str],
    body: Markup,
) -> Markup {
    let l = c.lang;
    // "Errore:" in the document title tells screen-reader users at once.
    let full_title = if c.errors.is_empty() {
        title.to_owned()
    } else {
        format!("{} {title}", l.pick("Errore:", "Error:"))
    };
    page(
        &Shell {
            lang: l,
            title: &full_title,
            here: c.here,
            embed: false,
        },
        html! {
            (before)
            h1 { (title) }
            (notice(c))
            (error_summary(c, 2, "error-summary-title", fields))
            (body)
        },
    )
}
