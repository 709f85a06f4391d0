//! Participation views: annotations on a quartiere (list, form, page,
//! history), discussion threads (a tree of posts with replies, sorting,
//! "utile", pagination, lock), notifications and follows. Pure functions
//! from view-models to markup; every form posts with a `csrf` field and
//! works without JavaScript. `frontend/static/live.js` finds the live
//! regions through the `data-live-*` attributes documented on each view.
//!
//! User text arrives as `body_html` already sanitized by the server's one
//! sanitizer (`backend/src/markup.rs`): it is inserted with `PreEscaped`

//!
//! This file only declares and re-exports. The views are in `annotations`
//! (a quartiere's block, an annotation's page), `discussion` (threads:
//! sorting, the tree of posts and replies, paging, lock), `editing` (the
//! edit form and the earlier versions), `notifications` and `follows`;
//! what they share ([`Viewer`], [`Status`], the length limits, the error
//! [`keys`], the authors, the body by status) is in `shared`; the labelled
//! field is the account pages' one, in the crate's `forms`.

mod annotations;
mod discussion;
mod editing;
mod follows;
mod notifications;
mod report;
mod shared;

pub use annotations::{
    annotation_page, annotation_page_with, annotations_block, AnnotationItem, AnnotationsBlock,
};
pub use discussion::{thread, PostItem, Sort, ThreadView};
pub use editing::{edit_form, history, Revision};
pub use follows::{follow_button, follows, FollowItem};
pub use notifications::{notifications, NotificationItem};
pub use report::{report_form, report_received, ReportForm};
pub use shared::{keys, Status, Viewer, BODY_MAX, TITLE_MAX};

#[cfg(test)]
mod tests {
    use maud::html;

    use super::*;
    use crate::account::{Common, FieldError};
    use crate::i18n::Lang;
    pub(super) use crate::page_checks::get;
    use crate::page_checks::{
        assert_forms_post_with_csrf, assert_ids_unique, assert_ids_unique_and_controls_labelled,
        error, rendered,
    };

    pub(super) const BODY: &str = "<p>Corpo <strong>sicuro</strong></p>";
    pub(super) const REMOVED_BODY: &str = "<p>SEGRETO-RIMOSSO</p>";
    pub(super) const DELETED_BODY: &str = "<p>SEGRETO-ELIMINATO</p>";

    pub(super) fn common<'a>(lang: Lang, errors: &'a [FieldError]) -> Common<'a> {
        crate::page_checks::common(lang, "/quartieri/navile", errors)
    }

    pub(super) const ANNA: Viewer = Viewer {
        user_id: Some(1),
        can_post: true,
        moderator: false,
    };
    pub(super) const ANONYMOUS: Viewer = Viewer {
        user_id: None,
        can_post: false,
        moderator: false,
    };
    pub(super) const UNVERIFIED: Viewer = Viewer {
        user_id: Some(9),
        can_post: false,
        moderator: false,
    };
    pub(super) const MODERATOR: Viewer = Viewer {
        user_id: Some(2),
        can_post: true,
        moderator: true,
    };

    pub(super) fn annotation(
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
            held_for: held_for(status),
            variable: (id == 1).then_some("Interventi · Totale interventi"),
            has_point: id == 1,
        }
    }

    /// What the screen found in held fixtures.
    fn held_for(status: Status) -> Vec<(&'static str, &'static str)> {
        match status {
            Status::Held => vec![("TROVATO-IT: un codice fiscale", "FOUND-EN: a tax code")],
            _ => Vec::new(),
        }
    }

    pub(super) fn annotations() -> Vec<AnnotationItem<'static>> {
        let mut gone = annotation(4, Status::Deleted, "TITOLO-ELIMINATO", DELETED_BODY);
        gone.author = None;
        vec![
            annotation(1, Status::Visible, "<b>x</b>", BODY),
            annotation(2, Status::Held, "Held one", BODY),
            annotation(3, Status::Removed, "TITOLO-RIMOSSO", REMOVED_BODY),
            gone,
        ]
    }

    pub(super) fn variables() -> Vec<(String, String)> {
        vec![
            (
                "pai/interventi".into(),
                "Interventi · Totale interventi".into(),
            ),
            ("pai/utenti".into(), "Utenti · Totale".into()),
        ]
    }

    pub(super) fn block_html(c: &Common, viewer: Viewer, items: &[AnnotationItem]) -> String {
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

    pub(super) fn post_item(
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
            held_for: held_for(status),
            useful: 0,
            marked: false,
            replies: Vec::new(),
            more_replies: 0,
        }
    }

    pub(super) fn posts() -> Vec<PostItem<'static>> {
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

    pub(super) fn thread_view<'a>(posts: &'a [PostItem<'a>], locked: bool) -> ThreadView<'a> {
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

    pub(super) fn thread_html(c: &Common, viewer: Viewer, locked: bool) -> String {
        let posts = posts();
        thread(c, viewer, &thread_view(&posts, locked)).into_string()
    }

    /// Every view, in varied states, with the given viewer.
    pub(super) fn every_view(
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
        rendered(vec![
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
        ])
    }

    #[test]
    fn every_form_posts_with_the_csrf_token() {
        for lang in Lang::ALL {
            for viewer in [ANNA, ANONYMOUS, UNVERIFIED, MODERATOR] {
                for (name, html) in every_view(lang, &[], viewer) {
                    assert_forms_post_with_csrf(name, &html);
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_and_every_input_has_a_label() {
        let errors = [
            error("body", "Scrivi qualcosa"),
            error("lat", "Fuori dal quartiere"),
        ];
        for viewer in [ANNA, MODERATOR] {
            for (name, html) in every_view(Lang::It, &errors, viewer) {
                assert_ids_unique_and_controls_labelled(name, &html);
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
        // Its author reads what the screen found, in their language.
        assert!(
            html.contains(r#"<ul class="held-for"><li>TROVATO-IT: un codice fiscale</li></ul>"#),
            "{html}"
        );
        assert!(!html.contains("FOUND-EN"));
        assert!(thread_html(&c, ANNA, false).contains("TROVATO-IT"));
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
        let errors = [error(keys::POST_BODY, "Scrivi qualcosa")];
        let c = common(Lang::It, &errors);
        let posts = posts();
        let html = format!(
            "{}{}{}",
            follow_button(&c, "area:navile", false).into_string(),
            block_html(&c, ANNA, &annotations()),
            thread(&c, ANNA, &thread_view(&posts, false)).into_string()
        );
        assert_ids_unique("the quartiere page", &html);
        assert!(html.contains(r#"<label for="field-post_body">"#));
        assert!(html.contains(r#"id="field-post_body" name="body""#));
        assert!(html.contains(r##"<a href="#field-post_body">Scrivi qualcosa</a>"##));
        assert_eq!(html.matches("aria-invalid").count(), 1);
        assert_eq!(html.matches("data-live-badge").count(), 2);
    }
}
