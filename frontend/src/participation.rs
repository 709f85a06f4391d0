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

pub fn annotations_block(_c: &Common, _viewer: Viewer, block: &AnnotationsBlock) -> Markup {
    html! { section { h2 { (block.area_name) } } }
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

pub fn thread(_c: &Common, _viewer: Viewer, view: &ThreadView) -> Markup {
    html! { section { h2 { (view.subject_title) } } }
}

/// The page of one annotation with its discussion.
pub fn annotation_page(
    c: &Common,
    viewer: Viewer,
    item: &AnnotationItem,
    area: (&str, &str),
    discussion: &ThreadView,
) -> Markup {
    let _ = (viewer, area, discussion);
    page(
        &Shell {
            lang: c.lang,
            title: item.title,
            here: c.here,
            embed: false,
        },
        html! { h1 { (item.title) } (PreEscaped(item.body_html)) },
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
    let _ = (action, title, body);
    page(
        &Shell {
            lang: c.lang,
            title: heading,
            here: c.here,
            embed: false,
        },
        html! { h1 { (heading) } },
    )
}

pub struct Revision<'a> {
    pub when: &'a str,
    pub title: Option<&'a str>,
    pub body: &'a str,
}

/// Earlier versions, newest first, shown as plain text (pre-wrap).
pub fn history(c: &Common, heading: &str, back: &str, revisions: &[Revision]) -> Markup {
    let _ = (back, revisions);
    page(
        &Shell {
            lang: c.lang,
            title: heading,
            here: c.here,
            embed: false,
        },
        html! { h1 { (heading) } },
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
    let _ = (items, unread);
    page(
        &Shell {
            lang: c.lang,
            title: c.lang.pick("Notifiche", "Notifications"),
            here: c.here,
            embed: false,
        },
        html! {},
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
    let _ = items;
    page(
        &Shell {
            lang: c.lang,
            title: c.lang.pick("Cosa segui", "What you follow"),
            here: c.here,
            embed: false,
        },
        html! {},
    )
}

/// A "follow" / "following" toggle: a form posting `subject` to /seguiti
/// (follow) or /seguiti/rimuovi (unfollow).
pub fn follow_button(c: &Common, subject: &str, following: bool) -> Markup {
    let _ = (c, subject, following);
    html! {}
}

#[allow(dead_code)]
fn unused(_: &[FieldError], _: Lang) {}

/// The page of one annotation, with its discussion already rendered.
pub fn annotation_page_with(
    c: &Common,
    viewer: Viewer,
    item: &AnnotationItem,
    area: (&str, &str),
    discussion: Markup,
) -> Markup {
    let _ = viewer;
    page(
        &Shell {
            lang: c.lang,
            title: item.title,
            here: c.here,
            embed: false,
        },
        html! { h1 { (item.title) } (PreEscaped(item.body_html)) p { a href=(area.1) { (area.0) } } (discussion) },
    )
}
