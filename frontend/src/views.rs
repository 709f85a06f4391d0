//! Page views. Italian is the default language.

use maud::{html, Markup, DOCTYPE};

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

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;\
line-height:1.5;color:#1a1a1a;background:#fff}a{color:#0b4f8a}a:focus,button:focus{outline:3px solid #b35900;\
outline-offset:2px}code,pre{background:#f2f2f2;padding:.1rem .3rem}pre{padding:.75rem;overflow:auto}\
.notice{border-left:4px solid #b35900;padding:.5rem 1rem;background:#fff7ec}";

fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="it" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Open Welfare Bologna" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header { p { a href="/" { "Open Welfare Bologna" } } }
                main { (body) }
                footer { p { "Dati: Comune di Bologna. " a href="/api/v1/openapi.json" { "API (OpenAPI)" } } }
            }
        }
    }
}

pub fn home(view: &HomeView) -> Markup {
    page(
        "Mappa aperta del welfare",
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
                            a href={ "/api/v1/datasets/" (d.slug) } { (d.title) }
                            " — " (d.attribution) ", licenza " (d.licence)
                        }
                    }
                }
                p { "Aree: " a href="/api/v1/areas?boundaries=2016" { "quartieri 2016 (GeoJSON)" } ", "
                    a href="/api/v1/areas?boundaries=2014" { "quartieri 2014 (GeoJSON)" } "." }
            }
        },
    )
}

pub fn not_found() -> Markup {
    page(
        "Pagina non trovata",
        html! {
            h1 { "Pagina non trovata" }
            p { a href="/" { "Torna alla pagina iniziale" } }
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
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
