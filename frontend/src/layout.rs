//! The page shell shared by every page: language, skip link, header with
//! navigation and language switch, footer with sources; and the bare HTML
//! document that pages and e-mails both start from.

use maud::{html, Markup, DOCTYPE};

use crate::assets::{LIVE, SCRIPT, STYLE};
use crate::i18n::Lang;

pub struct Shell<'a> {
    pub lang: Lang,
    pub title: &'a str,
    /// The current path and query without `lang`, for the language switch.
    pub here: &'a str,
    /// `embed` drops the header and footer.
    pub embed: bool,
}

impl<'a> Shell<'a> {
    /// The shell of a page with its header and footer (not embedded).
    pub fn new(lang: Lang, title: &'a str, here: &'a str) -> Self {
        Shell {
            lang,
            title,
            here,
            embed: false,
        }
    }
}

fn with_lang(here: &str, lang: Lang) -> String {
    let separator = if here.contains('?') { '&' } else { '?' };
    format!("{here}{separator}lang={}", lang.code())
}

/// An HTML document: the doctype, the language, the charset, the viewport
/// and the title, then the rest of the `head` and the `body` element.
pub(crate) fn document(lang: Lang, title: Markup, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                (head)
            }
            (body)
        }
    }
}

pub fn page(shell: &Shell, body: Markup) -> Markup {
    let l = shell.lang;
    document(
        l,
        html! { (shell.title) " · Open Welfare Bologna" },
        html! {
            meta name="description" content=(l.pick(
                "I dati dei servizi sociali di Bologna per quartiere: mappa aperta, tabelle e download.",
                "Bologna's social services data by quartiere: an open map, tables and downloads."));
            // No favicon request (and no 404 in the console): an empty icon inline.
            link rel="icon" href="data:,";
            link rel="stylesheet" href=(STYLE.path);
            script type="module" src=(SCRIPT.path) {}
            @if !shell.embed {
                script type="module" src=(LIVE.path) {}
            }
        },
        html! {
            body class=[shell.embed.then_some("embed")] {
                @if !shell.embed {
                    a class="skip" href="#main" { (l.pick("Vai al contenuto", "Skip to content")) }
                    header class="top" {
                        a class="brand" href="/" { "Open Welfare Bologna" }
                        nav aria-label=(l.pick("Navigazione principale", "Main navigation")) {
                            ul {
                                li { a href="/" { (l.pick("Mappa", "Map")) } }
                                li { a href="/tabella" { (l.pick("Tabella", "Table")) } }
                                li { a href="/datasets" { "Dataset" } }
                                li { a href="/api/v1/openapi.json" { "API" } }
                                // The same link for everyone, so cached public pages stay shared: /account asks to log in when needed.
                                li { a href="/account" { (l.pick("Il tuo account", "Your account")) } }
                                @for other in Lang::ALL.into_iter().filter(|x| *x != l) {
                                    li {
                                        a href=(with_lang(shell.here, other)) lang=(other.code()) hreflang=(other.code()) {
                                            (other.pick("Italiano", "English"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" { (body) }
                @if !shell.embed {
                    footer {
                        p {
                            (l.pick("Dati: Comune di Bologna, con licenza e attribuzione indicate per ogni dataset. ",
                                    "Data: Comune di Bologna, with the licence and attribution given for each dataset. "))
                            a href="/datasets" { (l.pick("Fonti e licenze", "Sources and licences")) }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_sets_the_language_and_offers_the_other() {
        let html = page(
            &Shell {
                lang: Lang::En,
                title: "T",
                here: "/?dataset=pai",
                embed: false,
            },
            html! {},
        )
        .into_string();
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(
            html.contains(r#"href="/?dataset=pai&amp;lang=it""#),
            "{html}"
        );
        assert!(html.contains(&STYLE.path));
        let embed = page(
            &Shell {
                lang: Lang::It,
                title: "T",
                here: "/embed",
                embed: true,
            },
            html! {},
        )
        .into_string();
        assert!(!embed.contains("<header"));
    }
}
