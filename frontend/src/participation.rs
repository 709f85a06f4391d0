//! Participation views: annotations on a quartiere (list, form, page,
//! history), discussion threads (a tree of posts with replies, sorting,
//! "utile", pagination, lock), notifications and follows. Pure functions
//! from view-models to markup; every form posts with a `csrf` field and
//! works without JavaScript. `frontend/static/live.js` finds the live
//! regions through the `data-live-*` attributes documented on each view.
//!
//! User text arrives as `body_html` already sanitized by the server's one
//! sanitizer (`backend/src/markup.rs`): it is inserted with `PreEscaped`
//! and nowhere else; titles and names are plain text, escaped by maud.

use maud::{html, Markup, PreEscaped};

use crate::account::{Common, FieldError};
use crate::i18n::Lang;
use crate::layout::{page, Shell};

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

pub struct AnnotationItem<'a> {
    pub id: i64,
    pub title: &'a str,
    pub body_html: &'a str,
    pub author: Option<(i64, &'a str)>,
    pub created: &'a str,
    pub edited: bool,
    pub status: Status,
    pub status_reason: Option<&'a str>,
    /// "Interventi · Totale interventi" when it points at a variable.
    pub variable: Option<&'a str>,
    pub has_point: bool,
}

/// The annotations block of a quartiere page: a list with
/// `data-live-list="annotations" data-live-topic="area:<code>"`, an
/// "N nuovi" button placeholder (`data-live-badge`, hidden), and (for
/// users who can post) the form posting to `action` with fields title,
/// body (textarea), lon, lat (optional, number inputs with step any),
/// variable (select of `variables`: value "dataset/variable", first option
/// empty "nessuna").
pub struct AnnotationsBlock<'a> {
    pub area_code: &'a str,
    pub area_name: &'a str,
    pub action: &'a str,
    pub items: &'a [AnnotationItem<'a>],
    pub variables: &'a [(String, String)],
    /// The values to put back in the form after an error.
    pub draft: (&'a str, &'a str, &'a str, &'a str, &'a str),
}

pub fn annotations_block(c: &Common, viewer: Viewer, block: &AnnotationsBlock) -> Markup {
    let l = c.lang;
    let (title, body, lon, lat, variable) = block.draft;
    let point_hint = format!(
        "{} {}.",
        l.pick(
            "Longitudine e latitudine in gradi decimali, per esempio 11.3426 e 44.4949; il punto deve trovarsi dentro il quartiere",
            "Longitude and latitude in decimal degrees, for example 11.3426 and 44.4949; the point must be inside the quartiere",
        ),
        block.area_name
    );
    let point_error = error_for(c, "point");
    let point_described = match point_error {
        Some(_) => "field-point-hint field-point-error",
        None => "field-point-hint",
    };
    html! {
        section class="annotations-block" aria-labelledby="annotations-title" {
            h2 id="annotations-title" {
                (l.pick("Annotazioni dei cittadini", "Citizens' annotations")) ": " (block.area_name)
            }
            (notice(c))
            // The form sent back with errors comes without the list: no "nothing yet" then.
            @if !block.items.is_empty() || c.errors.is_empty() {
                (live_badge())
                ul class="annotations" data-live-list="annotations" data-live-topic={ "area:" (block.area_code) } {
                    @for item in block.items { (annotation_item(l, viewer, item)) }
                }
                @if block.items.is_empty() {
                    p class="empty" data-live-empty { (l.pick("Nessuna annotazione ancora.", "No annotations yet.")) }
                }
            }
            @if viewer.can_post {
                div id="annotation-form" class="compose" {
                    h3 { (l.pick("Scrivi un'annotazione", "Write an annotation")) }
                    (error_summary(c, 4, "annotation-errors-title", &["title", "body", "point", "lon", "lat", "variable"]))
                    form class="stack" method="post" action=(block.action) {
                        (csrf(c))
                        (field(l, Field::keyed(c, "title", l.pick("Titolo", "Title")).value(title).max(TITLE_MAX)))
                        (field(l, Field::keyed(c, "body", l.pick("Testo", "Text")).textarea(6).value(body).max(BODY_MAX).hint(markdown_hint(l))))
                        fieldset id="field-point" aria-describedby=(point_described) {
                            legend { (l.pick("Un punto preciso (facoltativo)", "A precise point (optional)")) }
                            p id="field-point-hint" class="hint" { (point_hint) }
                            @if let Some(message) = point_error { (error_text("field-point-error", l, message)) }
                            (field(l, Field::keyed(c, "lon", l.pick("Longitudine", "Longitude")).number().value(lon).optional(false)))
                            (field(l, Field::keyed(c, "lat", l.pick("Latitudine", "Latitude")).number().value(lat).optional(false)))
                        }
                        (variable_select(c, block.variables, variable))
                        button type="submit" { (l.pick("Pubblica l'annotazione", "Publish the annotation")) }
                    }
                }
            } @else {
                (take_part(l, viewer))
            }
        }
    }
}

pub struct PostItem<'a> {
    pub id: i64,
    pub body_html: &'a str,
    pub author: Option<(i64, &'a str)>,
    pub created: &'a str,
    pub edited: bool,
    pub status: Status,
    pub useful: i64,
    /// The viewer found it useful.
    pub marked: bool,
    pub replies: Vec<PostItem<'a>>,
    /// Replies below the shown depth: a link to the post's own page.
    pub more_replies: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Oldest,
    Newest,
    Useful,
}

/// A thread: sort links (`?ordine=vecchi|nuovi|utili`), the tree of posts
/// (`data-live-list="posts" data-live-topic="thread:<id>"`), a "next page"
/// link when `next` is Some (`?dopo=<cursor>` keeping the sort), the reply
/// forms (each post has a "Rispondi" details/summary with a form posting
/// `body` and `parent` to `post_action`), the new-post form, the lock
/// notice when locked, and for moderators a lock/unlock form posting to
/// `lock_action`.
pub struct ThreadView<'a> {
    pub thread_id: Option<i64>,
    pub subject_title: &'a str,
    pub locked: bool,
    pub sort: Sort,
    pub posts: &'a [PostItem<'a>],
    pub next: Option<&'a str>,
    pub post_action: &'a str,
    pub lock_action: Option<&'a str>,
    pub draft: &'a str,
}

pub fn thread(c: &Common, viewer: Viewer, view: &ThreadView) -> Markup {
    thread_section(c, viewer, view, true)
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Oldest, Sort::Newest, Sort::Useful];

    /// The value of `?ordine=`: "vecchi", "nuovi", "utili".
    pub fn param(self) -> &'static str {
        match self {
            Sort::Oldest => "vecchi",
            Sort::Newest => "nuovi",
            Sort::Useful => "utili",
        }
    }

    pub fn from_param(value: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.param() == value)
    }

    /// "Più vecchi" / "Oldest".
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Sort::Oldest => lang.pick("Più vecchi", "Oldest"),
            Sort::Newest => lang.pick("Più recenti", "Newest"),
            Sort::Useful => lang.pick("Più utili", "Most useful"),
        }
    }
}

/// The page of one annotation with its discussion.
pub fn annotation_page(
    c: &Common,
    viewer: Viewer,
    item: &AnnotationItem,
    area: (&str, &str),
    discussion: &ThreadView,
) -> Markup {
    annotation_page_with(
        c,
        viewer,
        item,
        area,
        thread_section(c, viewer, discussion, false),
    )
}

/// The page of one annotation, with its discussion already rendered.
///
/// The page shows `c`'s notice and error summary under the h1 (errors on
/// the discussion's new-post form use the key [`keys::POST_BODY`]); render
/// `discussion` with [`thread`] and a `Common` without notice and errors,
/// or they show twice.
pub fn annotation_page_with(
    c: &Common,
    viewer: Viewer,
    item: &AnnotationItem,
    area: (&str, &str),
    discussion: Markup,
) -> Markup {
    let l = c.lang;
    let own = is_own(viewer, item.author);
    full_page(
        c,
        annotation_heading(l, item),
        html! {
            nav class="breadcrumb" aria-label=(l.pick("Percorso", "Breadcrumb")) {
                a href=(area.1) { (area.0) }
            }
        },
        &[keys::POST_BODY],
        html! {
            article class="annotation full" id={ "annotation-" (item.id) } data-id=(item.id) {
                (annotation_meta(l, item))
                (content(l, Noun::Annotation, item.status, item.status_reason, item.body_html, own))
                @let live = matches!(item.status, Status::Visible | Status::Held);
                @if (own && live) || item.edited {
                    ul class="post-actions" {
                        @if own && live {
                            li { a href={ "/annotazioni/" (item.id) "/modifica" } { (l.pick("Modifica", "Edit")) } }
                        }
                        @if item.edited {
                            li { a href={ "/annotazioni/" (item.id) "/cronologia" } { (l.pick("Cronologia", "History")) } }
                        }
                        @if own && live {
                            li {
                                form method="post" action={ "/annotazioni/" (item.id) "/elimina" } class="inline" {
                                    (csrf(c))
                                    button type="submit" class="danger" { (l.pick("Elimina l'annotazione", "Delete the annotation")) }
                                }
                            }
                        }
                    }
                }
            }
            (discussion)
        },
    )
}

/// The edit form of an annotation (title, body) or of a post (body only:
/// `title` None), posting to `action`.
pub fn edit_form(
    c: &Common,
    heading: &str,
    action: &str,
    title: Option<&str>,
    body: &str,
) -> Markup {
    let l = c.lang;
    let fields: &[&str] = if title.is_some() {
        &["title", "body"]
    } else {
        &["body"]
    };
    full_page(
        c,
        heading,
        html! {},
        fields,
        html! {
            form class="stack" method="post" action=(action) {
                (csrf(c))
                @if let Some(title) = title {
                    (field(l, Field::keyed(c, "title", l.pick("Titolo", "Title")).value(title).max(TITLE_MAX)))
                }
                (field(l, Field::keyed(c, "body", l.pick("Testo", "Text")).textarea(10).value(body).max(BODY_MAX).hint(markdown_hint(l))))
                button type="submit" { (l.pick("Salva le modifiche", "Save the changes")) }
            }
        },
    )
}

pub struct Revision<'a> {
    pub when: &'a str,
    pub title: Option<&'a str>,
    pub body: &'a str,
}

/// Earlier versions, newest first, shown as plain text (pre-wrap).
pub fn history(c: &Common, heading: &str, back: &str, revisions: &[Revision]) -> Markup {
    let l = c.lang;
    full_page(
        c,
        heading,
        html! {},
        &[],
        html! {
            p { a href=(back) { (l.pick("Torna indietro", "Go back")) } }
            @if revisions.is_empty() {
                p { (l.pick("Nessuna versione precedente.", "No earlier versions.")) }
            } @else {
                ol class="revisions" reversed {
                    @for r in revisions {
                        li {
                            h2 { (r.when) }
                            @if let Some(title) = r.title {
                                p { (l.pick("Titolo: ", "Title: ")) strong { (title) } }
                            }
                            div class="prewrap user-text" { (r.body) }
                        }
                    }
                }
            }
        },
    )
}

pub struct NotificationItem<'a> {
    pub id: i64,
    pub summary: &'a str,
    pub link: &'a str,
    pub when: &'a str,
    pub unread: bool,
}

/// The notifications page: a list (`data-live-list="notifications"
/// data-live-topic="user:<id>"`), a "mark all as read" form posting to
/// /notifiche/lette, and per unread item a form posting to
/// /notifiche/{id}/letta.
pub fn notifications(c: &Common, items: &[NotificationItem], unread: usize) -> Markup {
    let l = c.lang;
    let count = match (unread, l) {
        (0, _) => l
            .pick("Nessuna notifica non letta.", "No unread notifications.")
            .to_owned(),
        (1, _) => l
            .pick("1 notifica non letta.", "1 unread notification.")
            .to_owned(),
        (n, Lang::It) => format!("{n} notifiche non lette."),
        (n, Lang::En) => format!("{n} unread notifications."),
    };
    full_page(
        c,
        l.pick("Notifiche", "Notifications"),
        html! {},
        &[],
        html! {
            p class="unread-count" { (count) }
            @if unread > 0 {
                form class="inline" method="post" action="/notifiche/lette" {
                    (csrf(c))
                    button type="submit" { (l.pick("Segna tutte come lette", "Mark all as read")) }
                }
            }
            @if items.is_empty() {
                p class="empty" data-live-empty { (l.pick("Nessuna notifica.", "No notifications.")) }
            }
            ul class="notifications" data-live-list="notifications" {
                @for n in items {
                    li id={ "notification-" (n.id) } data-id=(n.id) class=[n.unread.then_some("unread")] {
                        @if n.unread {
                            span class="unread-mark" { span aria-hidden="true" { "● " } (l.pick("non letta", "unread")) }
                            " "
                        }
                        a href=(n.link) { (n.summary) }
                        " " span class="meta" { (n.when) }
                        @if n.unread {
                            " "
                            form class="inline" method="post" action={ "/notifiche/" (n.id) "/letta" } {
                                (csrf(c))
                                button type="submit" {
                                    (l.pick("Segna come letta", "Mark as read"))
                                    span class="visually-hidden" { ": " (n.summary) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub struct FollowItem<'a> {
    pub subject: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    /// "none", "daily" or "weekly".
    pub digest: &'a str,
}

/// The follows page: each followed item with a digest select (none,
/// daily, weekly) posting subject + digest to /seguiti, and an "unfollow"
/// form posting subject to /seguiti/rimuovi.
pub fn follows(c: &Common, items: &[FollowItem]) -> Markup {
    let l = c.lang;
    let digests = [
        ("none", l.pick("Nessun riepilogo", "No digest")),
        ("daily", l.pick("Riepilogo giornaliero", "Daily digest")),
        ("weekly", l.pick("Riepilogo settimanale", "Weekly digest")),
    ];
    full_page(
        c,
        l.pick("Cosa segui", "What you follow"),
        html! {},
        &[],
        html! {
            @if items.is_empty() {
                p class="empty" { (l.pick(
                    "Non segui ancora niente: usa il pulsante «Segui» di un quartiere o di una discussione per ricevere le novità.",
                    "You don't follow anything yet: use the “Follow” button of a quartiere or a discussion to get its news.")) }
            } @else {
                ul class="follows" {
                    @for (i, f) in items.iter().enumerate() {
                        li {
                            a href=(f.link) { (f.title) }
                            " "
                            form class="inline" method="post" action="/seguiti" {
                                (csrf(c))
                                input type="hidden" name="subject" value=(f.subject);
                                label for={ "digest-" (i) } {
                                    (l.pick("Riepilogo", "Digest"))
                                    span class="visually-hidden" { (l.pick(" per ", " for ")) (f.title) }
                                }
                                select id={ "digest-" (i) } name="digest" {
                                    @for (value, label) in digests {
                                        option value=(value) selected[value == f.digest] { (label) }
                                    }
                                }
                                button type="submit" {
                                    (l.pick("Salva", "Save"))
                                    span class="visually-hidden" { (l.pick(" il riepilogo per ", " the digest for ")) (f.title) }
                                }
                            }
                            form class="inline" method="post" action="/seguiti/rimuovi" {
                                (csrf(c))
                                input type="hidden" name="subject" value=(f.subject);
                                button type="submit" {
                                    (l.pick("Non seguire più", "Unfollow"))
                                    span class="visually-hidden" { " " (f.title) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A "follow" / "following" toggle: a form posting `subject` to /seguiti
/// (follow) or /seguiti/rimuovi (unfollow).
pub fn follow_button(c: &Common, subject: &str, following: bool) -> Markup {
    let l = c.lang;
    // Several follow buttons may share a page: each says what it follows.
    let what = match subject.split_once(':').map(|(kind, _)| kind) {
        Some("area") => l.pick(" il quartiere", " the quartiere"),
        Some("dataset") => l.pick(" il dataset", " the dataset"),
        Some("thread") => l.pick(" la discussione", " the discussion"),
        _ => "",
    };
    html! {
        @if following {
            form class="inline follow" method="post" action="/seguiti/rimuovi" {
                (csrf(c))
                input type="hidden" name="subject" value=(subject);
                button type="submit" aria-pressed="true" { (l.pick("Segui già · non seguire più", "Following · unfollow")) (what) }
            }
        } @else {
            form class="inline follow" method="post" action="/seguiti" {
                (csrf(c))
                input type="hidden" name="subject" value=(subject);
                input type="hidden" name="digest" value="none";
                button type="submit" aria-pressed="false" { (l.pick("Segui", "Follow")) (what) }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers.

fn csrf(c: &Common) -> Markup {
    html! { input type="hidden" name="csrf" value=(c.csrf); }
}

fn error_for<'e>(c: &'e Common, key: &str) -> Option<&'e str> {
    c.errors
        .iter()
        .find(|e| !e.field.is_empty() && e.field == key)
        .map(|e| e.message.as_str())
}

fn error_text(id: &str, l: Lang, message: &str) -> Markup {
    html! {
        p id=(id) class="error" {
            span class="visually-hidden" { (l.pick("Errore: ", "Error: ")) }
            (message)
        }
    }
}

fn notice(c: &Common) -> Markup {
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
fn error_summary(c: &Common, level: u8, id: &str, fields: &[&str]) -> Markup {
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
fn full_page(c: &Common, title: &str, before: Markup, fields: &[&str], body: Markup) -> Markup {
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

fn markdown_hint(l: Lang) -> &'static str {
    l.pick(
        "Puoi usare il markdown: **grassetto**, _corsivo_, [link](https://...), elenchi.",
        "You can use markdown: **bold**, _italic_, [link](https://...), lists.",
    )
}

/// The "N nuovi" button that the live script fills and shows.
fn live_badge() -> Markup {
    html! { button type="button" class="live-badge" data-live-badge hidden {} }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Textarea(u32),
    Number,
}

/// One labelled input or textarea with its hint and error.
struct Field<'a> {
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
    fn keyed(c: &'a Common, key: &'a str, label: &str) -> Self {
        Field {
            id: format!("field-{key}"),
            name: key,
            label: html! { (label) },
            kind: Kind::Text,
            value: "",
            hint: None,
            required: true,
            mark_optional: true,
            maxlength: None,
            error: error_for(c, key),
        }
    }
    /// An input of a repeated form (one per item): its own id, no errors.
    fn repeated(id: String, name: &'a str, label: Markup) -> Self {
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
    fn name(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }
    fn textarea(mut self, rows: u32) -> Self {
        self.kind = Kind::Textarea(rows);
        self
    }
    fn number(mut self) -> Self {
        self.kind = Kind::Number;
        self
    }
    fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }
    fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    fn max(mut self, maxlength: u32) -> Self {
        self.maxlength = Some(maxlength);
        self
    }
    /// Not required; `mark` says so after the label.
    fn optional(mut self, mark: bool) -> Self {
        self.required = false;
        self.mark_optional = mark;
        self
    }
}

fn field(l: Lang, f: Field) -> Markup {
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

/// The variable an annotation points at: first option empty.
fn variable_select(c: &Common, variables: &[(String, String)], selected: &str) -> Markup {
    let l = c.lang;
    let error = error_for(c, "variable");
    html! {
        div class="field" {
            label for="field-variable" {
                (l.pick("Variabile a cui si riferisce", "Variable it refers to"))
                " " span class="optional" { (l.pick("(facoltativo)", "(optional)")) }
            }
            @if let Some(message) = error { (error_text("field-variable-error", l, message)) }
            select id="field-variable" name="variable"
                aria-describedby=[error.map(|_| "field-variable-error")] aria-invalid=[error.map(|_| "true")] {
                option value="" selected[selected.is_empty()] { (l.pick("nessuna", "none")) }
                @for (value, label) in variables {
                    option value=(value) selected[!selected.is_empty() && value == selected] { (label) }
                }
            }
        }
    }
}

/// For who cannot post: log in or sign up, or confirm the address first.
fn take_part(l: Lang, viewer: Viewer) -> Markup {
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

fn is_own(viewer: Viewer, author: Option<(i64, &str)>) -> bool {
    viewer.user_id.is_some() && viewer.user_id == author.map(|(id, _)| id)
}

fn author_name(l: Lang, author: Option<(i64, &str)>) -> &str {
    match author {
        Some((_, name)) => name,
        None => l.pick("utente eliminato", "deleted user"),
    }
}

fn author_link(l: Lang, author: Option<(i64, &str)>) -> Markup {
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
enum Noun {
    Annotation,
    Post,
}

/// The body by status: shown when visible or held (with a notice);
/// a placeholder, never the body, when removed or deleted.
fn content(
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

/// The title, or for a removed or deleted annotation a placeholder: the
/// title is part of what was taken down.
fn annotation_heading<'a>(l: Lang, item: &AnnotationItem<'a>) -> &'a str {
    match item.status {
        Status::Removed => l.pick("Annotazione rimossa", "Annotation removed"),
        Status::Deleted => l.pick("Annotazione eliminata", "Annotation deleted"),
        Status::Visible | Status::Held => item.title,
    }
}

/// Author, date, "(modificata)", the point marker and the variable.
fn annotation_meta(l: Lang, item: &AnnotationItem) -> Markup {
    html! {
        p class="meta" {
            (l.pick("di ", "by ")) (author_link(l, item.author)) " · " (item.created)
            @if item.edited { " " (l.pick("(modificata)", "(edited)")) }
            @if item.has_point {
                " · "
                span class="point" {
                    span aria-hidden="true" { "📍" }
                    span class="visually-hidden" { (l.pick("con un punto sulla mappa", "with a point on the map")) }
                }
            }
        }
        @if let Some(variable) = item.variable {
            p class="meta" { (l.pick("Variabile: ", "Variable: ")) (variable) }
        }
    }
}

fn annotation_item(l: Lang, viewer: Viewer, item: &AnnotationItem) -> Markup {
    html! {
        li id={ "annotation-" (item.id) } data-id=(item.id) class="annotation" {
            article {
                h3 { a href={ "/annotazioni/" (item.id) } { (annotation_heading(l, item)) } }
                (annotation_meta(l, item))
                (content(l, Noun::Annotation, item.status, item.status_reason, item.body_html, is_own(viewer, item.author)))
            }
        }
    }
}

/// The "next page" link: `next` is either the cursor or the whole query
/// (`?ordine=..&dopo=..`) already built.
fn next_href(sort: Sort, next: &str) -> String {
    if next.starts_with('?') {
        next.to_owned()
    } else {
        format!("?ordine={}&dopo={}", sort.param(), query_value(next))
    }
}

/// A value for a query string: everything but the unreserved characters
/// percent-encoded.
fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sort_nav(l: Lang, current: Sort) -> Markup {
    html! {
        nav class="sort-nav" aria-label=(l.pick("Ordine dei messaggi", "Order of the posts")) {
            ul {
                @for sort in Sort::ALL {
                    li {
                        a href={ "?ordine=" (sort.param()) } aria-current=[(sort == current).then_some("true")] {
                            (sort.label(l))
                        }
                    }
                }
            }
        }
    }
}

/// The thread; `messages` shows the notice and the error summary (off
/// when the page around it shows them).
fn thread_section(c: &Common, viewer: Viewer, view: &ThreadView, messages: bool) -> Markup {
    let l = c.lang;
    let can_write = viewer.can_post && !view.locked;
    html! {
        section class="thread" aria-labelledby="thread-title" {
            h2 id="thread-title" { (view.subject_title) }
            @if messages { (notice(c)) }
            @if view.locked {
                p class="notice" role="status" {
                    (l.pick("Discussione chiusa da un moderatore: non si possono aggiungere messaggi.",
                            "Discussion closed by a moderator: no more posts can be added."))
                }
            }
            @if let Some(action) = view.lock_action.filter(|_| viewer.moderator) {
                form class="inline" method="post" action=(action) {
                    (csrf(c))
                    button type="submit" {
                        @if view.locked {
                            (l.pick("Riapri la discussione", "Reopen the discussion"))
                        } @else {
                            (l.pick("Chiudi la discussione", "Close the discussion"))
                        }
                    }
                }
            }
            @if !view.posts.is_empty() { (sort_nav(l, view.sort)) }
            @if !view.posts.is_empty() || view.thread_id.is_some() {
                (live_badge())
                ol class="posts" data-live-list=[view.thread_id.map(|_| "posts")]
                    data-live-topic=[view.thread_id.map(|id| format!("thread:{id}"))] {
                    @for p in view.posts { (post(c, viewer, view.post_action, p, can_write)) }
                }
            }
            @if view.posts.is_empty() {
                p class="empty" data-live-empty {
                    @if can_write {
                        (l.pick("Nessun messaggio ancora: comincia tu.", "No posts yet: be the first."))
                    } @else {
                        (l.pick("Nessun messaggio ancora.", "No posts yet."))
                    }
                }
            }
            @if let Some(cursor) = view.next {
                nav class="pager" aria-label=(l.pick("Pagine dei messaggi", "Pages of posts")) {
                    a rel="next" href=(next_href(view.sort, cursor)) {
                        (l.pick("Messaggi successivi", "Next posts"))
                    }
                }
            }
            @if can_write {
                div id="new-post" class="compose" {
                    h3 { (l.pick("Scrivi un messaggio", "Write a post")) }
                    @if messages { (error_summary(c, 4, "post-errors-title", &[keys::POST_BODY])) }
                    form class="stack" method="post" action=(view.post_action) {
                        (csrf(c))
                        (field(l, Field::keyed(c, keys::POST_BODY, l.pick("Il tuo messaggio", "Your post")).name("body").textarea(5)
                            .value(view.draft).max(BODY_MAX).hint(markdown_hint(l))))
                        button type="submit" { (l.pick("Invia", "Send")) }
                    }
                }
            } @else if !view.locked {
                (take_part(l, viewer))
            }
        }
    }
}

/// One post with its actions and, nested, its replies.
fn post(c: &Common, viewer: Viewer, action: &str, p: &PostItem, can_write: bool) -> Markup {
    let l = c.lang;
    let who = author_name(l, p.author);
    let own = is_own(viewer, p.author);
    let live = matches!(p.status, Status::Visible | Status::Held);
    let visible = p.status == Status::Visible;
    // Told apart by author and date in the buttons' names.
    let whose = html! { (l.pick(" di ", " by ")) (who) (l.pick(" del ", " on ")) (p.created) };
    html! {
        li id={ "post-" (p.id) } data-id=(p.id) {
            article class="post" {
                p class="meta" {
                    (author_link(l, p.author)) " · " (p.created)
                    @if p.edited { " " (l.pick("(modificato)", "(edited)")) }
                }
                (content(l, Noun::Post, p.status, None, p.body_html, own))
                @if live {
                    div class="post-actions" {
                        @if visible && viewer.can_post {
                            form class="inline" method="post" action={ "/messaggi/" (p.id) "/utile" } {
                                (csrf(c))
                                button type="submit" class="utile" aria-pressed=(if p.marked { "true" } else { "false" }) {
                                    (l.pick("Utile", "Useful")) " " span class="count" { (p.useful) }
                                    span class="visually-hidden" { (l.pick(", messaggio", ", post")) (whose) }
                                }
                            }
                        } @else if visible && p.useful > 0 {
                            span class="utile-count" {
                                @if p.useful == 1 {
                                    (l.pick("Utile per 1 persona", "Useful to 1 person"))
                                } @else {
                                    (l.pick("Utile per ", "Useful to ")) (p.useful) (l.pick(" persone", " people"))
                                }
                            }
                        }
                        @if own {
                            a href={ "/messaggi/" (p.id) "/modifica" } {
                                (l.pick("Modifica", "Edit"))
                                span class="visually-hidden" { (l.pick(" il tuo messaggio del ", " your post from ")) (p.created) }
                            }
                        }
                        @if p.edited && (own || viewer.moderator) {
                            a href={ "/messaggi/" (p.id) "/cronologia" } {
                                (l.pick("Cronologia", "History"))
                                span class="visually-hidden" { (l.pick(" delle modifiche al messaggio", " of the changes to the post")) (whose) }
                            }
                        }
                        @if own {
                            form class="inline" method="post" action={ "/messaggi/" (p.id) "/elimina" } {
                                (csrf(c))
                                button type="submit" class="danger" {
                                    (l.pick("Elimina", "Delete"))
                                    span class="visually-hidden" { (l.pick(" il tuo messaggio del ", " your post from ")) (p.created) }
                                }
                            }
                        }
                    }
                }
                @if can_write && visible {
                    details class="reply" {
                        summary {
                            (l.pick("Rispondi", "Reply"))
                            span class="visually-hidden" { (l.pick(" al messaggio", " to the post")) (whose) }
                        }
                        form class="stack" method="post" action=(action) {
                            (csrf(c))
                            input type="hidden" name="parent" value=(p.id);
                            (field(l, Field::repeated(
                                format!("reply-{}", p.id),
                                "body",
                                html! {
                                    (l.pick("La tua risposta", "Your reply"))
                                    span class="visually-hidden" { (l.pick(" al messaggio", " to the post")) (whose) }
                                },
                            ).textarea(3).max(BODY_MAX)))
                            button type="submit" {
                                (l.pick("Invia la risposta", "Send the reply"))
                                span class="visually-hidden" { (l.pick(" al messaggio", " to the post")) (whose) }
                            }
                        }
                    }
                }
            }
            @if !p.replies.is_empty() {
                ol class="posts" {
                    @for reply in &p.replies { (post(c, viewer, action, reply, can_write)) }
                }
            }
            @if p.more_replies > 0 {
                p class="more" {
                    a href={ "/messaggi/" (p.id) } {
                        @if p.more_replies == 1 {
                            (l.pick("Un'altra risposta", "1 more reply"))
                        } @else {
                            (l.pick("Altre ", "")) (p.more_replies) (l.pick(" risposte", " more replies"))
                        }
                        span class="visually-hidden" { (l.pick(" al messaggio", " to the post")) (whose) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "<p>Corpo <strong>sicuro</strong></p>";
    const REMOVED_BODY: &str = "<p>SEGRETO-RIMOSSO</p>";
    const DELETED_BODY: &str = "<p>SEGRETO-ELIMINATO</p>";

    fn common<'a>(lang: Lang, errors: &'a [FieldError]) -> Common<'a> {
        Common {
            lang,
            csrf: "tok3n",
            here: "/quartieri/navile",
            notice: Some("Fatto".into()),
            errors,
        }
    }

    const ANNA: Viewer = Viewer {
        user_id: Some(1),
        can_post: true,
        moderator: false,
    };
    const ANONYMOUS: Viewer = Viewer {
        user_id: None,
        can_post: false,
        moderator: false,
    };
    const UNVERIFIED: Viewer = Viewer {
        user_id: Some(9),
        can_post: false,
        moderator: false,
    };
    const MODERATOR: Viewer = Viewer {
        user_id: Some(2),
        can_post: true,
        moderator: true,
    };

    fn annotation(
        id: i64,
        status: Status,
        title: &'static str,
        body_html: &'static str,
    ) -> AnnotationItem<'static> {
        AnnotationItem {
            id,
            title,
            body_html,
            author: Some((1, "Anna")),
            created: "3 marzo 2026",
            edited: id == 1,
            status,
            status_reason: (status == Status::Removed).then_some("linguaggio offensivo"),
            variable: (id == 1).then_some("Interventi · Totale interventi"),
            has_point: id == 1,
        }
    }

    fn annotations() -> Vec<AnnotationItem<'static>> {
        let mut gone = annotation(4, Status::Deleted, "TITOLO-ELIMINATO", DELETED_BODY);
        gone.author = None;
        vec![
            annotation(1, Status::Visible, "<b>x</b>", BODY),
            annotation(2, Status::Held, "Held one", BODY),
            annotation(3, Status::Removed, "TITOLO-RIMOSSO", REMOVED_BODY),
            gone,
        ]
    }

    fn variables() -> Vec<(String, String)> {
        vec![
            (
                "pai/interventi".into(),
                "Interventi · Totale interventi".into(),
            ),
            ("pai/utenti".into(), "Utenti · Totale".into()),
        ]
    }

    fn block_html(c: &Common, viewer: Viewer, items: &[AnnotationItem]) -> String {
        let variables = variables();
        annotations_block(
            c,
            viewer,
            &AnnotationsBlock {
                area_code: "navile",
                area_name: "Navile",
                action: "/quartieri/navile/annotazioni",
                items,
                variables: &variables,
                draft: ("Bozza", "Testo <i>bozza</i>", "11.34", "44.5", "pai/utenti"),
            },
        )
        .into_string()
    }

    fn post_item(
        id: i64,
        author: Option<(i64, &'static str)>,
        status: Status,
        body_html: &'static str,
    ) -> PostItem<'static> {
        PostItem {
            id,
            body_html,
            author,
            created: "4 marzo 2026",
            edited: false,
            status,
            useful: 0,
            marked: false,
            replies: Vec::new(),
            more_replies: 0,
        }
    }

    fn posts() -> Vec<PostItem<'static>> {
        let mut first = post_item(10, Some((1, "Anna")), Status::Visible, BODY);
        first.edited = true;
        first.useful = 3;
        first.marked = true;
        let mut reply = post_item(
            11,
            Some((5, "<i>Bruno</i>")),
            Status::Visible,
            "<p>Risposta</p>",
        );
        reply.more_replies = 2;
        reply.replies = vec![post_item(12, None, Status::Deleted, DELETED_BODY)];
        first.replies = vec![
            reply,
            post_item(13, Some((5, "Bruno")), Status::Removed, REMOVED_BODY),
        ];
        vec![
            first,
            post_item(14, Some((1, "Anna")), Status::Held, "<p>Held post</p>"),
        ]
    }

    fn thread_view<'a>(posts: &'a [PostItem<'a>], locked: bool) -> ThreadView<'a> {
        ThreadView {
            thread_id: Some(42),
            subject_title: "Discussione",
            locked,
            sort: Sort::Useful,
            posts,
            next: Some("2026-03-04T10:00:00Z/14"),
            post_action: "/discussioni/42/messaggi",
            lock_action: Some("/discussioni/42/chiudi"),
            draft: "Una bozza",
        }
    }

    fn thread_html(c: &Common, viewer: Viewer, locked: bool) -> String {
        let posts = posts();
        thread(c, viewer, &thread_view(&posts, locked)).into_string()
    }

    /// Every view, in varied states, with the given viewer.
    fn every_view(
        lang: Lang,
        errors: &[FieldError],
        viewer: Viewer,
    ) -> Vec<(&'static str, String)> {
        let c = common(lang, errors);
        let items = annotations();
        let posts = posts();
        let revisions = [
            Revision {
                when: "5 marzo 2026",
                title: Some("<b>Titolo</b>"),
                body: "**grassetto**\n<script>x</script>",
            },
            Revision {
                when: "3 marzo 2026",
                title: None,
                body: "primo",
            },
        ];
        let notes = [
            NotificationItem {
                id: 7,
                summary: "Bruno ha risposto",
                link: "/messaggi/11",
                when: "oggi",
                unread: true,
            },
            NotificationItem {
                id: 6,
                summary: "Nuova annotazione su Navile",
                link: "/annotazioni/1",
                when: "ieri",
                unread: false,
            },
        ];
        let followed = [
            FollowItem {
                subject: "area:navile",
                title: "Navile",
                link: "/quartieri/navile",
                digest: "weekly",
            },
            FollowItem {
                subject: "thread:42",
                title: "<b>Discussione</b>",
                link: "/annotazioni/1",
                digest: "none",
            },
        ];
        let views: Vec<(&'static str, Markup)> = vec![
            (
                "block",
                html! { (annotations_block(&c, viewer, &AnnotationsBlock {
                    area_code: "navile",
                    area_name: "Navile",
                    action: "/quartieri/navile/annotazioni",
                    items: &items,
                    variables: &variables(),
                    draft: ("", "", "", "", ""),
                })) },
            ),
            (
                "block_empty",
                html! { (annotations_block(&c, viewer, &AnnotationsBlock {
                    area_code: "navile",
                    area_name: "Navile",
                    action: "/quartieri/navile/annotazioni",
                    items: &[],
                    variables: &[],
                    draft: ("", "", "", "", ""),
                })) },
            ),
            ("thread", thread(&c, viewer, &thread_view(&posts, false))),
            (
                "thread_locked",
                thread(&c, viewer, &thread_view(&posts, true)),
            ),
            (
                "thread_empty",
                thread(
                    &c,
                    viewer,
                    &ThreadView {
                        thread_id: None,
                        subject_title: "Discussione",
                        locked: false,
                        sort: Sort::Oldest,
                        posts: &[],
                        next: None,
                        post_action: "/annotazioni/1/messaggi",
                        lock_action: None,
                        draft: "",
                    },
                ),
            ),
            (
                "annotation_page",
                annotation_page(
                    &c,
                    viewer,
                    &items[0],
                    ("Quartiere Navile", "/quartieri/navile"),
                    &thread_view(&posts, false),
                ),
            ),
            (
                "annotation_page_removed",
                annotation_page(
                    &c,
                    viewer,
                    &items[2],
                    ("Quartiere Navile", "/quartieri/navile"),
                    &thread_view(&[], false),
                ),
            ),
            (
                "edit_annotation",
                edit_form(
                    &c,
                    lang.pick("Modifica l'annotazione", "Edit the annotation"),
                    "/annotazioni/1/modifica",
                    Some("<b>x</b>"),
                    "testo",
                ),
            ),
            (
                "edit_post",
                edit_form(
                    &c,
                    lang.pick("Modifica il messaggio", "Edit the post"),
                    "/messaggi/10/modifica",
                    None,
                    "testo",
                ),
            ),
            (
                "history",
                history(
                    &c,
                    lang.pick("Cronologia", "History"),
                    "/annotazioni/1",
                    &revisions,
                ),
            ),
            (
                "history_empty",
                history(
                    &c,
                    lang.pick("Cronologia", "History"),
                    "/annotazioni/1",
                    &[],
                ),
            ),
            ("notifications", notifications(&c, &notes, 1)),
            ("notifications_empty", notifications(&c, &[], 0)),
            ("follows", follows(&c, &followed)),
            ("follows_empty", follows(&c, &[])),
            ("follow_button_on", follow_button(&c, "area:navile", true)),
            ("follow_button_off", follow_button(&c, "area:navile", false)),
        ];
        views
            .into_iter()
            .map(|(n, m)| (n, m.into_string()))
            .collect()
    }

    fn get<'v>(views: &'v [(&'static str, String)], name: &str) -> &'v str {
        &views.iter().find(|(n, _)| *n == name).unwrap().1
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
            for viewer in [ANNA, ANONYMOUS, UNVERIFIED, MODERATOR] {
                for (name, html) in every_view(lang, &[], viewer) {
                    let forms = html.matches("<form").count();
                    assert_eq!(forms, html.matches(r#"name="csrf""#).count(), "{name}");
                    assert_eq!(
                        forms,
                        html.matches(r#"name="csrf" value="tok3n""#).count(),
                        "{name}"
                    );
                    assert_eq!(forms, html.matches(r#"method="post""#).count(), "{name}");
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_and_every_input_has_a_label() {
        let errors = [
            FieldError {
                field: "body",
                message: "Scrivi qualcosa".into(),
            },
            FieldError {
                field: "lat",
                message: "Fuori dal quartiere".into(),
            },
        ];
        for viewer in [ANNA, MODERATOR] {
            for (name, html) in every_view(Lang::It, &errors, viewer) {
                let ids = values_of(&html, "id");
                let mut sorted = ids.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(ids.len(), sorted.len(), "duplicate id in {name}: {ids:?}");
                let labels = values_of(&html, "for");
                for piece in html.split('<').filter(|t| {
                    t.starts_with("input ")
                        || t.starts_with("select ")
                        || t.starts_with("textarea ")
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
                for target in values_of(&html, "href")
                    .iter()
                    .filter_map(|h| h.strip_prefix('#'))
                {
                    assert!(ids.contains(&target), "{name}: link to a missing #{target}");
                }
            }
        }
    }

    #[test]
    fn pages_have_one_h1_and_no_inline_style_or_script() {
        for lang in Lang::ALL {
            for (name, html) in every_view(lang, &[], MODERATOR) {
                let h1 = html.matches("<h1").count();
                if name.starts_with("block")
                    || name.starts_with("thread")
                    || name.starts_with("follow_button")
                {
                    assert_eq!(h1, 0, "{name}");
                } else {
                    assert_eq!(h1, 1, "{name}");
                }
                assert!(!html.contains(" style="), "{name}");
                assert!(!html.contains("<script>"), "{name}");
                assert!(!html.contains(" onclick"), "{name}");
            }
        }
    }

    #[test]
    fn body_html_is_inserted_raw_but_titles_and_names_are_escaped() {
        let c = common(Lang::It, &[]);
        let items = annotations();
        let html = block_html(&c, ANNA, &items);
        assert!(
            html.contains(r#"<div class="user-text"><p>Corpo <strong>sicuro</strong></p></div>"#),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;") && !html.contains("<b>x</b>"));
        assert!(
            html.contains(r#"value="Bozza""#) && html.contains("Testo &lt;i&gt;bozza&lt;/i&gt;")
        );
        let thread = thread_html(&c, ANNA, false);
        assert!(thread.contains("&lt;i&gt;Bruno&lt;/i&gt;") && !thread.contains("<i>Bruno</i>"));
        assert!(thread.contains("<p>Risposta</p>"));
        let views = every_view(Lang::It, &[], ANNA);
        let history = get(&views, "history");
        assert!(history.contains(r#"<div class="prewrap user-text">**grassetto**"#));
        assert!(
            history.contains("&lt;script&gt;x&lt;/script&gt;")
                && history.contains("&lt;b&gt;Titolo")
        );
        assert!(get(&views, "edit_annotation").contains(r#"value="&lt;b&gt;x&lt;/b&gt;""#));
        assert!(get(&views, "follows").contains("&lt;b&gt;Discussione&lt;/b&gt;"));
    }

    #[test]
    fn removed_and_deleted_items_hide_their_body_and_title() {
        let c = common(Lang::It, &[]);
        for viewer in [ANNA, ANONYMOUS, MODERATOR] {
            let views = every_view(Lang::It, &[], viewer);
            for html in [
                block_html(&c, viewer, &annotations()),
                thread_html(&c, viewer, false),
                get(&views, "annotation_page_removed").to_owned(),
            ] {
                for secret in ["SEGRETO", "TITOLO-"] {
                    assert!(!html.contains(secret), "{html}");
                }
            }
        }
        let html = block_html(&c, ANNA, &annotations());
        assert!(html.contains("Rimossa da un moderatore: linguaggio offensivo"));
        assert!(
            html.contains("Eliminata dall&#39;autore.") || html.contains("Eliminata dall'autore.")
        );
        assert!(html.contains("In attesa di revisione"));
        assert!(html.contains("utente eliminato"));
        assert!(html.contains("(modificata)") && html.contains("Interventi · Totale interventi"));
        assert!(html.contains("con un punto sulla mappa"));
        assert!(html.contains(r#"<a href="/utenti/1">Anna</a>"#));
        let thread = thread_html(&c, ANNA, false);
        assert!(thread.contains("Rimosso da un moderatore.") && thread.contains("Eliminato dall"));
        assert!(
            !thread.contains("/messaggi/13/utile")
                && !thread.contains(r#"name="parent" value="13""#)
        );
        let page = get(&every_view(Lang::It, &[], ANNA), "annotation_page_removed").to_owned();
        assert!(page.contains("<h1>Annotazione rimossa</h1>"));
    }

    #[test]
    fn reply_forms_only_for_who_can_post_in_an_open_thread() {
        let c = common(Lang::It, &[]);
        let open = thread_html(&c, ANNA, false);
        assert!(open.contains(r#"<details class="reply">"#));
        assert!(
            open.contains(r#"name="parent" value="10""#)
                && open.contains(r#"name="parent" value="11""#)
        );
        assert!(open.contains(r#"action="/discussioni/42/messaggi""#));
        assert!(open.contains(r#"id="new-post""#) && open.contains("Una bozza"));
        for (viewer, locked) in [
            (ANNA, true),
            (ANONYMOUS, false),
            (UNVERIFIED, false),
            (MODERATOR, true),
        ] {
            let html = thread_html(&c, viewer, locked);
            assert!(!html.contains("<details"), "{viewer:?} {locked}");
            assert!(!html.contains(r#"name="parent""#));
            assert!(!html.contains(r#"id="new-post""#));
            assert!(!html.contains(r#"action="/discussioni/42/messaggi""#));
        }
        let locked = thread_html(&c, ANNA, true);
        assert!(
            locked.contains("Discussione chiusa da un moderatore")
                && locked.contains(r#"role="status""#)
        );
        assert!(!locked.contains("/account/accedi"));
        let anonymous = thread_html(&c, ANONYMOUS, false);
        assert!(
            anonymous.contains(r#"href="/account/accedi""#)
                && anonymous.contains(r#"href="/account/registrati""#)
        );
        assert!(
            !anonymous.contains("/utile"),
            "no useful button without an account"
        );
        assert!(anonymous.contains("Utile per 3 persone"));
        let unverified = thread_html(&c, UNVERIFIED, false);
        assert!(unverified.contains("conferma prima il tuo indirizzo"));
        // The block too.
        assert!(!block_html(&c, ANONYMOUS, &[]).contains("<form"));
        assert!(block_html(&c, ANONYMOUS, &[]).contains(r#"href="/account/registrati""#));
        assert!(block_html(&c, UNVERIFIED, &[]).contains("conferma prima il tuo indirizzo"));
    }

    #[test]
    fn the_author_and_moderators_get_their_actions() {
        let c = common(Lang::It, &[]);
        let anna = thread_html(&c, ANNA, false);
        assert!(
            anna.contains(r#"href="/messaggi/10/modifica""#)
                && anna.contains(r#"href="/messaggi/10/cronologia""#)
        );
        assert!(
            anna.contains(r#"action="/messaggi/10/elimina""#)
                && anna.contains(r#"action="/messaggi/14/elimina""#)
        );
        assert!(!anna.contains("/messaggi/11/modifica") && !anna.contains("/messaggi/11/elimina"));
        assert!(!anna.contains("/discussioni/42/chiudi"), "not a moderator");
        assert!(anna.contains(r#"class="utile" aria-pressed="true""#));
        assert!(
            anna.contains(r#"action="/messaggi/11/utile""#)
                && anna.contains(r#"aria-pressed="false""#)
        );
        assert!(anna.contains(
            r#"Utile <span class="count">3</span><span class="visually-hidden">, messaggio di Anna del 4 marzo 2026</span>"#
        ));
        assert!(anna.contains(r#"href="/messaggi/11""#) && anna.contains("Altre 2 risposte"));
        let moderator = thread_html(&c, MODERATOR, false);
        assert!(
            moderator.contains(r#"action="/discussioni/42/chiudi""#)
                && moderator.contains("Chiudi la discussione")
        );
        assert!(thread_html(&c, MODERATOR, true).contains("Riapri la discussione"));
        assert!(
            moderator.contains("/messaggi/10/cronologia")
                && !moderator.contains("/messaggi/10/modifica")
        );
    }

    #[test]
    fn sorting_and_paging_links() {
        let c = common(Lang::It, &[]);
        let html = thread_html(&c, ANNA, false);
        assert!(
            html.contains(r#"href="?ordine=vecchi""#) && html.contains(r#"href="?ordine=nuovi""#)
        );
        assert!(html.contains(r#"<a href="?ordine=utili" aria-current="true">"#));
        assert_eq!(html.matches("aria-current").count(), 1);
        assert!(
            html.contains(
                r#"rel="next" href="?ordine=utili&amp;dopo=2026-03-04T10%3A00%3A00Z%2F14""#
            ),
            "{html}"
        );
        for sort in Sort::ALL {
            assert_eq!(Sort::from_param(sort.param()), Some(sort));
        }
        assert_eq!(Sort::from_param("a caso"), None);
    }

    #[test]
    fn live_regions_carry_their_data_attributes() {
        let c = common(Lang::It, &[]);
        let block = block_html(&c, ANNA, &annotations());
        assert!(block.contains(
            r#"<ul class="annotations" data-live-list="annotations" data-live-topic="area:navile">"#
        ));
        assert!(block.contains(r#"<li id="annotation-1" data-id="1" class="annotation">"#));
        assert!(block.contains(
            r#"<button type="button" class="live-badge" data-live-badge hidden></button>"#
        ));
        assert!(!block.contains("aria-live"));
        let thread = thread_html(&c, ANNA, false);
        assert!(thread
            .contains(r#"<ol class="posts" data-live-list="posts" data-live-topic="thread:42">"#));
        assert!(
            thread.contains(r#"<li id="post-10" data-id="10">"#)
                && thread.contains(r#"<li id="post-12" data-id="12">"#)
        );
        assert_eq!(
            thread.matches("data-live-list").count(),
            1,
            "replies are nested lists without live attributes"
        );
        assert!(thread.contains("data-live-badge"));
        let views = every_view(Lang::It, &[], ANNA);
        let notifications = get(&views, "notifications");
        assert!(notifications.contains(r#"data-live-list="notifications""#));
        assert!(
            notifications.contains(r#"action="/notifiche/7/letta""#)
                && !notifications.contains("/notifiche/6/letta")
        );
        assert!(
            notifications.contains(r#"action="/notifiche/lette""#)
                && notifications.contains("1 notifica non letta.")
        );
        assert!(!get(&views, "notifications_empty").contains("<form"));
        assert!(!get(&views, "thread_empty").contains("data-live-list"));
    }

    #[test]
    fn the_annotation_form_refills_its_draft() {
        let errors = [FieldError {
            field: "title",
            message: "Titolo troppo lungo".into(),
        }];
        let c = common(Lang::It, &errors);
        let html = block_html(&c, ANNA, &[]);
        assert!(html.contains(r#"action="/quartieri/navile/annotazioni""#));
        assert!(html.contains(r#"name="title" type="text" value="Bozza" required maxlength="120" aria-invalid="true""#) || html.contains(r#"aria-describedby="field-title-error" aria-invalid="true""#), "{html}");
        assert!(html.contains(r##"<a href="#field-title">Titolo troppo lungo</a>"##));
        assert!(html.contains(r#"maxlength="5000""#));
        assert!(html.contains(r#"type="number" step="any" inputmode="decimal" value="11.34""#));
        assert!(
            html.contains(r#"<option value="pai/utenti" selected>"#)
                && html.contains(r#"<option value="">nessuna</option>"#)
        );
        assert!(html.contains("Un punto preciso (facoltativo)"));
        assert!(
            !html.contains("Nessuna annotazione ancora.") && !html.contains("data-live-list"),
            "the form sent back with errors has no list"
        );
        assert!(
            block_html(&common(Lang::It, &[]), ANNA, &[]).contains("Nessuna annotazione ancora.")
        );
        assert!(html.contains("Puoi usare il markdown"));
        assert!(html.contains("Fatto"), "the notice");
    }

    #[test]
    fn follows_and_the_follow_button() {
        let views = every_view(Lang::It, &[], ANNA);
        let follows = get(&views, "follows");
        assert!(
            follows.contains(r#"<option value="weekly" selected>Riepilogo settimanale</option>"#)
        );
        assert!(
            follows.contains(r#"name="subject" value="thread:42""#)
                && follows.contains(r#"action="/seguiti/rimuovi""#)
        );
        assert!(follows.contains(r#"<label for="digest-1">"#));
        let on = get(&views, "follow_button_on");
        assert!(
            on.contains(r#"action="/seguiti/rimuovi""#) && on.contains(r#"aria-pressed="true""#)
        );
        let off = get(&views, "follow_button_off");
        assert!(
            off.contains(r#"action="/seguiti""#) && off.contains(r#"name="digest" value="none""#)
        );
        assert!(off.contains(r#"aria-pressed="false""#));
    }

    #[test]
    fn english_views_speak_english() {
        for viewer in [ANNA, ANONYMOUS, UNVERIFIED, MODERATOR] {
            for (name, html) in every_view(Lang::En, &[], viewer) {
                for italian in [
                    "Annotazioni",
                    "Rispondi",
                    "Utile",
                    "Modifica",
                    "Elimina",
                    "Cronologia",
                    "Invia",
                    "Salva",
                    "Segui",
                    ">accedi<",
                    "Nessun",
                    "Rimoss",
                    "Eliminat",
                    "modificat",
                    "Segna",
                    "Discussione chiusa",
                    "Messaggi",
                    "facoltativo",
                    "Altre",
                    "Pubblica",
                    "Torna",
                    "Notifiche",
                    "attesa",
                ] {
                    assert!(!html.contains(italian), "{name} says {italian}");
                }
            }
        }
        let c = common(Lang::En, &[]);
        let block = block_html(&c, ANNA, &annotations());
        assert!(
            block.contains("Citizens&#39; annotations") || block.contains("Citizens' annotations")
        );
        assert!(
            block.contains("Publish the annotation") && block.contains("with a point on the map")
        );
        assert!(block.contains("Removed by a moderator: linguaggio offensivo"));
        let thread = thread_html(&c, ANNA, false);
        assert!(
            thread.contains("Useful")
                && thread.contains("Reply")
                && thread.contains("2 more replies")
        );
        assert!(thread_html(&c, ANONYMOUS, false).contains("log in"));
    }

    #[test]
    fn a_quartiere_page_holds_the_block_and_the_discussion_with_unique_ids() {
        let errors = [FieldError {
            field: keys::POST_BODY,
            message: "Scrivi qualcosa".into(),
        }];
        let c = common(Lang::It, &errors);
        let posts = posts();
        let html = format!(
            "{}{}{}",
            follow_button(&c, "area:navile", false).into_string(),
            block_html(&c, ANNA, &annotations()),
            thread(&c, ANNA, &thread_view(&posts, false)).into_string()
        );
        let ids = values_of(&html, "id");
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids.len(), sorted.len(), "duplicate id: {ids:?}");
        assert!(html.contains(r#"<label for="field-post_body">"#));
        assert!(html.contains(r#"id="field-post_body" name="body""#));
        assert!(html.contains(r##"<a href="#field-post_body">Scrivi qualcosa</a>"##));
        assert_eq!(html.matches("aria-invalid").count(), 1);
        assert_eq!(html.matches("data-live-badge").count(), 2);
    }

    #[test]
    fn the_next_link_takes_a_cursor_or_a_whole_query() {
        let c = common(Lang::It, &[]);
        let posts = posts();
        let mut view = thread_view(&posts, false);
        view.next = Some("?ordine=nuovi&dopo=17");
        let html = thread(&c, ANNA, &view).into_string();
        assert!(
            html.contains(r#"rel="next" href="?ordine=nuovi&amp;dopo=17""#),
            "{html}"
        );
    }

    #[test]
    fn the_annotation_page_shows_the_notice_once() {
        let c = common(Lang::It, &[]);
        let quiet = common(Lang::It, &[]);
        let quiet = Common {
            notice: None,
            ..quiet
        };
        let posts = posts();
        let items = annotations();
        let discussion = thread(&quiet, ANNA, &thread_view(&posts, false));
        let html = annotation_page_with(
            &c,
            ANNA,
            &items[0],
            ("Quartiere Navile", "/quartieri/navile"),
            discussion,
        )
        .into_string();
        assert_eq!(html.matches(">Fatto<").count(), 1);
        assert!(html.contains(r#"<a href="/quartieri/navile">Quartiere Navile</a>"#));
        assert!(
            html.contains(r#"data-live-topic="thread:42""#)
                && html.contains("<h1>&lt;b&gt;x&lt;/b&gt;</h1>")
        );
        let same = annotation_page(
            &c,
            ANNA,
            &items[0],
            ("Quartiere Navile", "/quartieri/navile"),
            &thread_view(&posts, false),
        )
        .into_string();
        assert_eq!(same, html);
    }

    #[test]
    fn only_verified_users_get_the_useful_button() {
        let c = common(Lang::It, &[]);
        assert!(!thread_html(&c, UNVERIFIED, false).contains("/utile"));
        assert!(
            thread_html(&c, ANNA, true).contains("/messaggi/10/utile"),
            "also in a closed thread"
        );
    }
}
