//! Annotations: a quartiere's block (the list, its live region and the
//! form with an optional point and variable) and the page of one
//! annotation with its actions and its discussion.

use maud::{html, Markup};

use super::discussion::{thread_section, ThreadView};
use super::shared::{
    author_link, content, is_own, keys, live_badge, markdown_hint, take_part, Noun, Status, Viewer,
    BODY_MAX, TITLE_MAX,
};
use crate::account::Common;
use crate::forms::{csrf, error_for, error_summary, error_text, field, full_page, notice, Field};
use crate::i18n::Lang;

pub struct AnnotationItem<'a> {
    pub id: i64,
    pub title: &'a str,
    pub body_html: &'a str,
    pub author: Option<(i64, &'a str)>,
    pub created: &'a str,
    pub edited: bool,
    pub status: Status,
    pub status_reason: Option<&'a str>,
    /// What the content screen found, when it holds it: (Italian, English).
    pub held_for: Vec<(&'a str, &'a str)>,
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
                        (field(Field::keyed(c, "title", l.pick("Titolo", "Title")).value(title).max(TITLE_MAX)))
                        (field(Field::keyed(c, "body", l.pick("Testo", "Text")).textarea(6).value(body).max(BODY_MAX).hint(markdown_hint(l))))
                        fieldset id="field-point" aria-describedby=(point_described) {
                            legend { (l.pick("Un punto preciso (facoltativo)", "A precise point (optional)")) }
                            p id="field-point-hint" class="hint" { (point_hint) }
                            @if let Some(message) = point_error { (error_text("field-point-error", l, message)) }
                            (field(Field::keyed(c, "lon", l.pick("Longitudine", "Longitude")).number().value(lon).optional_unmarked()))
                            (field(Field::keyed(c, "lat", l.pick("Latitudine", "Latitude")).number().value(lat).optional_unmarked()))
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
/// `discussion` with [`thread`](super::thread) and a `Common` without notice and errors,
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
                (content(l, Noun::Annotation, item.status, item.status_reason, item.body_html, own, &item.held_for))
                @let live = matches!(item.status, Status::Visible | Status::Held);
                @let reportable = item.status == Status::Visible && !own;
                @if (own && live) || item.edited || reportable {
                    ul class="post-actions" {
                        @if reportable {
                            li { a href={ "/segnala?cosa=annotation&id=" (item.id) } { (l.pick("Segnala l'annotazione", "Report the annotation")) } }
                        }
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
                (content(l, Noun::Annotation, item.status, item.status_reason, item.body_html, is_own(viewer, item.author), &item.held_for))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page_checks::error;
    use crate::participation::tests::{annotations, block_html, common, posts, thread_view, ANNA};
    use crate::participation::thread;

    #[test]
    fn the_annotation_form_refills_its_draft() {
        let errors = [error("title", "Titolo troppo lungo")];
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
}
