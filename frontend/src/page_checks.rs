//! What the page tests share (tests only): the [`Common`] and errors of a
//! test page, rendering named pages and finding one by name, the values
//! of an attribute, and the checks every rendered page passes: each form
//! posts with the CSRF token; ids are unique; every control has a label;
//! every `aria-describedby` and in-page link points to an id.

use maud::Markup;

use crate::forms::{Common, FieldError};
use crate::i18n::Lang;

/// What every test page gets: the token `tok3n`, a notice, the `errors`.
pub(crate) fn common<'a>(lang: Lang, here: &'a str, errors: &'a [FieldError]) -> Common<'a> {
    Common {
        lang,
        csrf: "tok3n",
        here,
        notice: Some("Fatto".into()),
        errors,
    }
}

/// A form's error on `field` ("" for the whole form).
pub(crate) fn error(field: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// Named pages, rendered.
pub(crate) fn rendered(pages: Vec<(&'static str, Markup)>) -> Vec<(&'static str, String)> {
    pages
        .into_iter()
        .map(|(n, m)| (n, m.into_string()))
        .collect()
}

/// The page called `name` among rendered (name, html) pages.
pub(crate) fn get<'v>(pages: &'v [(&'static str, String)], name: &str) -> &'v str {
    &pages.iter().find(|(n, _)| *n == name).unwrap().1
}

pub(crate) fn values_of<'h>(html: &'h str, attribute: &str) -> Vec<&'h str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// Every form of page `name` posts, with the CSRF token `tok3n`.
pub(crate) fn assert_forms_post_with_csrf(name: &str, html: &str) {
    let forms = html.matches("<form").count();
    assert_eq!(forms, html.matches(r#"name="csrf""#).count(), "{name}");
    assert_eq!(
        forms,
        html.matches(r#"name="csrf" value="tok3n""#).count(),
        "{name}"
    );
    assert_eq!(forms, html.matches(r#"method="post""#).count(), "{name}");
}

/// No id of page `name` appears twice; the ids.
pub(crate) fn assert_ids_unique<'h>(name: &str, html: &'h str) -> Vec<&'h str> {
    let ids = values_of(html, "id");
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids.len(), sorted.len(), "duplicate id in {name}: {ids:?}");
    ids
}

/// Unique ids, a label for every visible control, and every
/// `aria-describedby` and `href="#…"` of page `name` pointing to an id.
pub(crate) fn assert_ids_unique_and_controls_labelled(name: &str, html: &str) {
    let ids = assert_ids_unique(name, html);
    let labels = values_of(html, "for");
    for piece in html.split('<').filter(|t| {
        t.starts_with("input ") || t.starts_with("select ") || t.starts_with("textarea ")
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
    for described in values_of(html, "aria-describedby") {
        for id in described.split(' ') {
            assert!(
                ids.contains(&id),
                "{name}: aria-describedby points to a missing {id}"
            );
        }
    }
    for target in values_of(html, "href")
        .iter()
        .filter_map(|h| h.strip_prefix('#'))
    {
        assert!(ids.contains(&target), "{name}: link to a missing #{target}");
    }
}
