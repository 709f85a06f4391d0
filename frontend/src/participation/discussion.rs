//! Discussion threads: the sort links, the tree of posts with their
//! replies and actions ("utile", edit, history, delete, reply), the
//! "next page" link, the new-post form and the moderators' lock.

use maud::{html, Markup};

use super::shared::{
    author_link, author_name, content, is_own, keys, live_badge, markdown_hint, take_part, Noun,
    Status, Viewer, BODY_MAX,
};
use crate::account::Common;
use crate::forms::{csrf, error_summary, field, inline_form, notice, Field};
use crate::i18n::Lang;

pub struct PostItem<'a> {
    pub id: i64,
    pub body_html: &'a str,
    pub author: Option<(i64, &'a str)>,
    pub created: &'a str,
    pub edited: bool,
    pub status: Status,
    /// What the content screen found, when it holds it: (Italian, English).
    pub held_for: Vec<(&'a str, &'a str)>,
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
pub(super) fn thread_section(
    c: &Common,
    viewer: Viewer,
    view: &ThreadView,
    messages: bool,
) -> Markup {
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
                (inline_form(c, action, html! {
                    button type="submit" {
                        @if view.locked {
                            (l.pick("Riapri la discussione", "Reopen the discussion"))
                        } @else {
                            (l.pick("Chiudi la discussione", "Close the discussion"))
                        }
                    }
                }))
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
                        (field(Field::keyed(c, keys::POST_BODY, l.pick("Il tuo messaggio", "Your post")).name("body").textarea(5)
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
                (content(l, Noun::Post, p.status, None, p.body_html, own, &p.held_for))
                @if live {
                    div class="post-actions" {
                        @if visible && viewer.can_post {
                            (inline_form(c, &format!("/messaggi/{}/utile", p.id), html! {
                                button type="submit" class="utile" aria-pressed=(if p.marked { "true" } else { "false" }) {
                                    (l.pick("Utile", "Useful")) " " span class="count" { (p.useful) }
                                    span class="visually-hidden" { (l.pick(", messaggio", ", post")) (whose) }
                                }
                            }))
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
                        @if visible && !own {
                            a href={ "/segnala?cosa=post&id=" (p.id) } {
                                (l.pick("Segnala", "Report"))
                                span class="visually-hidden" { (l.pick(" il messaggio", " the post")) (whose) }
                            }
                        }
                        @if own {
                            (inline_form(c, &format!("/messaggi/{}/elimina", p.id), html! {
                                button type="submit" class="danger" {
                                    (l.pick("Elimina", "Delete"))
                                    span class="visually-hidden" { (l.pick(" il tuo messaggio del ", " your post from ")) (p.created) }
                                }
                            }))
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
                            (field(Field::repeated(
                                l,
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
    use crate::participation::tests::{
        block_html, common, posts, thread_html, thread_view, ANNA, ANONYMOUS, MODERATOR, UNVERIFIED,
    };

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
        // Anyone reports others' visible posts, never their own.
        assert!(
            anna.contains(r#"href="/segnala?cosa=post&amp;id=11""#),
            "{anna}"
        );
        assert!(!anna.contains("/segnala?cosa=post&amp;id=10"));
        let visitor = thread_html(&c, ANONYMOUS, false);
        assert!(visitor.contains(r#"href="/segnala?cosa=post&amp;id=10""#));
        assert!(
            !visitor.contains("/segnala?cosa=post&amp;id=14"),
            "held: nothing to report"
        );
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
    fn only_verified_users_get_the_useful_button() {
        let c = common(Lang::It, &[]);
        assert!(!thread_html(&c, UNVERIFIED, false).contains("/utile"));
        assert!(
            thread_html(&c, ANNA, true).contains("/messaggi/10/utile"),
            "also in a closed thread"
        );
    }
}
