//! Changing what one wrote: the edit form of an annotation or a post, and
//! the earlier versions (history).

use maud::{html, Markup};

use super::shared::{markdown_hint, BODY_MAX, TITLE_MAX};
use crate::account::Common;
use crate::forms::{csrf, field, full_page, Field};

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
                    (field(Field::keyed(c, "title", l.pick("Titolo", "Title")).value(title).max(TITLE_MAX)))
                }
                (field(Field::keyed(c, "body", l.pick("Testo", "Text")).textarea(10).value(body).max(BODY_MAX).hint(markdown_hint(l))))
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

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;
    use crate::participation::tests::{every_view, get, ANNA};

    #[test]
    fn the_post_edit_form_has_no_title_and_an_empty_history_says_so() {
        let views = every_view(Lang::It, &[], ANNA);
        let post = get(&views, "edit_post");
        assert!(!post.contains(r#"name="title""#) && post.contains(r#"name="body""#));
        assert!(get(&views, "edit_annotation").contains(r#"name="title""#));
        assert!(get(&views, "history_empty").contains("Nessuna versione precedente."));
        assert!(get(&views, "history").contains(r#"<ol class="revisions" reversed>"#));
    }
}
