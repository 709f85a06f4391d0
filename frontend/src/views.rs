//! The pages shown when there is no map to show: no data loaded yet, and
//! not found. Italian is the default language.

use maud::{html, Markup};

use crate::i18n::Lang;
use crate::layout::{page, Shell};

pub struct DatasetLink {
    pub slug: String,
    pub title: String,
    pub attribution: String,
    pub licence: String,
}

pub enum ImportState {
    Loaded,
    Importing,
    /// No data: why, to show with the way to import.
    Missing {
        reason: String,
    },
}

pub struct HomeView {
    pub datasets: Vec<DatasetLink>,
    pub import: ImportState,
}

pub fn home(view: &HomeView) -> Markup {
    page(
        &Shell::new(Lang::It, "Mappa aperta del welfare", "/"),
        html! {
            h1 { "Open Welfare Bologna" }
            p { "I dati ufficiali dei servizi sociali del Comune di Bologna per quartiere: contatti degli Sportelli Sociali, programmi assistenziali (PAI) e interventi erogati." }
            @match &view.import {
                ImportState::Importing => {
                    p class="notice" role="status" { "Importazione dei dati ufficiali in corso: ricarica la pagina tra poco." }
                }
                ImportState::Missing { reason } => {
                    section class="notice" aria-labelledby="no-data" {
                        h2 id="no-data" { "Nessun dato caricato" }
                        p { "L'importazione automatica non è riuscita: " (reason) }
                        p { "Per importare i dati dall'origine (serve l'accesso a Internet):" }
                        pre { code { "openwelfare import" } }
                        p { "oppure da una copia locale con gli stessi percorsi relativi:" }
                        pre { code { "openwelfare import --mirror ../shared/data" } }
                    }
                }
                ImportState::Loaded => {}
            }
            @if !view.datasets.is_empty() {
                h2 { "Dataset" }
                ul {
                    @for d in &view.datasets {
                        li {
                            a href={ "/datasets/" (d.slug) } { (d.title) }
                            " — " (d.attribution) ", licenza " (d.licence)
                        }
                    }
                }
            }
        },
    )
}

pub fn not_found() -> Markup {
    page(
        &Shell::new(Lang::It, "Pagina non trovata", "/"),
        html! {
            h1 { "Pagina non trovata" }
            p { a href="/" { "Torna alla mappa" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_page_explains_how_to_import_when_there_is_no_data() {
        let view = HomeView {
            datasets: vec![],
            import: ImportState::Missing {
                reason: "rete non raggiungibile".into(),
            },
        };
        let html = home(&view).into_string();
        assert!(html.contains("openwelfare import --mirror"));
        assert!(html.contains("rete non raggiungibile"));
        assert!(html.contains(r#"lang="it""#));
        assert!(
            !html.contains("<style"),
            "no inline style: the CSP forbids it"
        );
    }

    #[test]
    fn dataset_titles_are_escaped() {
        let view = HomeView {
            datasets: vec![DatasetLink {
                slug: "x".into(),
                title: "<script>alert(1)</script>".into(),
                attribution: "a".into(),
                licence: "l".into(),
            }],
            import: ImportState::Loaded,
        };
        let html = home(&view).into_string();
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
