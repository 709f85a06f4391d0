//! The page frame and the form pieces that the account pages and the
//! participation views share: the h1 with the notice and the error
//! summary, the hidden CSRF field, the inline form, the labelled
//! [`Field`] and a field's error; and what every such page needs
//! ([`Common`]) and a form's errors ([`FieldError`]), public as
//! `account::Common` and `account::FieldError`.

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

/// A small form inline with the text (a button or two and what they
/// need): posts `content` to `action` with the CSRF token.
pub(crate) fn inline_form(c: &Common, action: &str, content: Markup) -> Markup {
    html! {
        form class="inline" method="post" action=(action) {
            (csrf(c))
            (content)
        }
    }
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

/// One labelled input or textarea with its hint and its error, for every
/// form of the account pages and the participation views.
pub(crate) struct Field<'a> {
    lang: Lang,
    id: String,
    name: &'a str,
    label: Markup,
    /// The input's type ("text", "email", "number"…); "number" takes decimals.
    kind: &'a str,
    /// A textarea of so many rows instead of an input.
    rows: Option<u32>,
    value: &'a str,
    autocomplete: Option<&'a str>,
    hint: Option<&'a str>,
    required: bool,
    /// Say "(facoltativo)" after the label; off inside a fieldset that says it.
    mark_optional: bool,
    minlength: Option<u32>,
    maxlength: Option<u32>,
    /// Codes and keys: no autocapitalisation or spell check.
    verbatim: bool,
    error: Option<&'a str>,
}

impl<'a> Field<'a> {
    /// An input of the form on the page, posted as `key`: id
    /// `field-<key>`, its error from `c`.
    pub(crate) fn keyed(c: &'a Common, key: &'a str, label: &str) -> Self {
        Field {
            error: error_for(c, key),
            ..Field::repeated(c.lang, format!("field-{key}"), key, html! { (label) })
        }
    }
    /// An input of a repeated form (one per item): its own id, no errors.
    pub(crate) fn repeated(lang: Lang, id: String, name: &'a str, label: Markup) -> Self {
        Field {
            lang,
            id,
            name,
            label,
            kind: "text",
            rows: None,
            value: "",
            autocomplete: None,
            hint: None,
            required: true,
            mark_optional: true,
            minlength: None,
            maxlength: None,
            verbatim: false,
            error: None,
        }
    }
    /// The posted name, when it differs from the key.
    pub(crate) fn name(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }
    /// The input's type, when not "text".
    pub(crate) fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub(crate) fn textarea(mut self, rows: u32) -> Self {
        self.rows = Some(rows);
        self
    }
    /// A decimal number (a coordinate).
    pub(crate) fn number(self) -> Self {
        self.kind("number")
    }
    pub(crate) fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }
    pub(crate) fn auto(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }
    pub(crate) fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub(crate) fn min(mut self, minlength: u32) -> Self {
        self.minlength = Some(minlength);
        self
    }
    pub(crate) fn max(mut self, maxlength: u32) -> Self {
        self.maxlength = Some(maxlength);
        self
    }
    /// Not required, and the label says "(facoltativo)".
    pub(crate) fn optional(mut self) -> Self {
        self.required = false;
        self
    }
    /// Not required, with no mark: inside a fieldset whose legend says it.
    pub(crate) fn optional_unmarked(mut self) -> Self {
        self.required = false;
        self.mark_optional = false;
        self
    }
    pub(crate) fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }
}

/// The field: its label, hint, error and control, tied by ids.
pub(crate) fn field(f: Field) -> Markup {
    let l = f.lang;
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
    let decimal = f.kind == "number";
    html! {
        div class="field" {
            label for=(f.id) {
                (f.label)
                @if !f.required && f.mark_optional { " " span class="optional" { (l.pick("(facoltativo)", "(optional)")) } }
            }
            @if let Some(hint) = f.hint { p id=(hint_id) class="hint" { (hint) } }
            @if let Some(message) = f.error { (error_text(&error_id, l, message)) }
            @if let Some(rows) = f.rows {
                textarea id=(f.id) name=(f.name) rows=(rows) required[f.required]
                    maxlength=[f.maxlength] aria-describedby=[described] aria-invalid=[invalid] {
                    // The parser drops one newline right after the tag: this keeps a leading one in the value.
                    "\n" (f.value)
                }
            } @else {
                input id=(f.id) name=(f.name) type=(f.kind)
                    step=[decimal.then_some("any")] inputmode=[decimal.then_some("decimal")]
                    value=[value] autocomplete=[f.autocomplete]
                    required[f.required] minlength=[f.minlength] maxlength=[f.maxlength]
                    autocapitalize=[f.verbatim.then_some("off")] spellcheck=[f.verbatim.then_some("false")]
                    aria-describedby=[described] aria-invalid=[invalid];
            }
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
        &Shell::new(l, &full_title, c.here),
        html! {
            (before)
            h1 { (title) }
            (notice(c))
            (error_summary(c, 2, "error-summary-title", fields))
            (body)
        },
    )
}
