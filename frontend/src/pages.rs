//! Quartiere and dataset pages.

use maud::{html, Markup};

use crate::charts::{self, Bar};
use crate::i18n::Lang;
use crate::layout::{page, Shell};
use crate::tables::column_heads;

pub struct Link {
    pub label: String,
    pub href: String,
}

pub struct ChartGroup {
    pub title: String,
    pub bars: Vec<Bar>,
}

pub struct DatasetSection {
    pub title: String,
    pub href: String,
    /// What the bars compare ("per 1.000 residenti").
    pub measure: String,
    pub groups: Vec<ChartGroup>,
}

pub struct QuartiereView {
    pub lang: Lang,
    pub name: String,
    pub boundaries: String,
    /// 2014 parts of a 2016 quartiere.
    pub parts: Vec<Link>,
    /// The 2016 quartiere a 2014 one became part of.
    pub became: Option<Link>,
    pub sections: Vec<DatasetSection>,
    pub population: Vec<(i32, Option<f64>)>,
    pub population_source: String,
    pub map_href: String,
    /// The participation blocks (annotations, discussion), rendered per reader.
    pub participation: Markup,
}

pub fn quartiere(view: &QuartiereView, here: &str) -> Markup {
    let l = view.lang;
    let title = format!("{} {}", l.pick("Quartiere", "Quartiere"), view.name);
    page(
        &Shell::new(l, &title, here),
        html! {
            h1 { (title) }
            p { (view.boundaries) }
            @if !view.parts.is_empty() {
                p {
                    (l.pick("Formato nel 2016 dai quartieri: ", "Formed in 2016 from the quartieri: "))
                    @for (i, part) in view.parts.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(part.href) { (part.label) }
                    }
                }
            }
            @if let Some(became) = &view.became {
                p { (l.pick("Dal 2016 fa parte del quartiere ", "Since 2016 part of the quartiere ")) a href=(became.href) { (became.label) } }
            }
            p { a href=(view.map_href) { (l.pick("Vedi sulla mappa", "See it on the map")) } }
            h2 { (l.pick("Popolazione residente", "Resident population")) }
            (charts::line("population-chart", &format!("{} {}", l.pick("Residenti,", "Residents,"), view.name), &view.population, l))
            details {
                summary { (l.pick("I numeri della popolazione", "The population figures")) }
                table {
                    (column_heads(&[l.pick("Anno", "Year")], &[l.pick("Residenti", "Residents")]))
                    tbody {
                        @for (year, value) in &view.population {
                            tr { td { (year) } td class="num" { (value.map(|v| l.number(v, 0)).unwrap_or_else(|| l.pick("n.d.", "n/a").into())) } }
                        }
                    }
                }
            }
            p class="source" { (view.population_source) }
            @for (s, section) in view.sections.iter().enumerate() {
                section class="charts" aria-labelledby={ "section-" (s) } {
                    h2 id={ "section-" (s) } { (section.title) }
                    p { (section.measure) ". " a href=(section.href) { (l.pick("Fonte e note", "Source and notes")) } }
                    @for (g, group) in section.groups.iter().enumerate() {
                        h3 { (group.title) }
                        (charts::paired_bars(&format!("chart-{s}-{g}"), &format!("{}: {}", section.title, group.title), &group.bars, &view.name))
                        details {
                            summary { (l.pick("I numeri", "The figures")) }
                            table {
                                (column_heads(&[l.pick("Variabile", "Variable")], &[&view.name, "Bologna"]))
                                tbody {
                                    @for bar in &group.bars {
                                        tr { th scope="row" { (bar.label) } td class="num" { (bar.area_text) } td class="num" { (bar.city_text) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (view.participation)
        },
    )
}

pub struct QualityRow {
    pub area: String,
    pub total: String,
    pub population: String,
    pub published: String,
    pub recomputed: String,
    pub difference: String,
}

pub struct DatasetView {
    pub lang: Lang,
    pub title: String,
    pub description: String,
    pub attribution: String,
    pub licence: String,
    pub licence_url: String,
    pub origin_url: String,
    pub file_path: String,
    pub sha256: String,
    pub imported_at: String,
    pub format: String,
    /// (code, label, group, unit, kind).
    pub variables: Vec<[String; 5]>,
    pub quality: Vec<QualityRow>,
    pub notes: Vec<String>,
    pub map_href: Option<String>,
    /// The dataset's discussion and follow button, rendered per reader.
    pub participation: Markup,
}

pub fn dataset(view: &DatasetView, here: &str) -> Markup {
    let l = view.lang;
    page(
        &Shell::new(l, &view.title, here),
        html! {
            h1 { (view.title) }
            p { (view.description) }
            @if let Some(href) = &view.map_href { p { a href=(href) { (l.pick("Vedi sulla mappa", "See it on the map")) } } }
            h2 { (l.pick("Fonte", "Source")) }
            dl {
                dt { (l.pick("Attribuzione", "Attribution")) } dd { (view.attribution) }
                dt { (l.pick("Licenza", "Licence")) } dd { a href=(view.licence_url) { (view.licence) } }
                dt { (l.pick("File originale", "Original file")) } dd { a href=(view.origin_url) { (view.file_path) } }
                dt { "SHA-256" } dd { code { (view.sha256) } }
                dt { (l.pick("Formato", "Format")) } dd { (view.format) }
                dt { (l.pick("Importato il", "Imported on")) } dd { (view.imported_at) }
            }
            @if !view.quality.is_empty() || !view.notes.is_empty() {
                h2 { (l.pick("Qualità dei dati", "Data quality")) }
                @for note in &view.notes { p { (note) } }
                @if !view.quality.is_empty() {
                    table {
                        caption { (l.pick("Tasso per residente: pubblicato e ricalcolato (totale / popolazione)",
                                          "Rate per resident: published and recomputed (total / population)")) }
                        (column_heads(&[l.pick("Quartiere", "Quartiere")], &[
                            l.pick("Totale", "Total"), l.pick("Popolazione", "Population"), l.pick("Pubblicato", "Published"),
                            l.pick("Ricalcolato", "Recomputed"), l.pick("Differenza", "Difference"),
                        ]))
                        tbody {
                            @for r in &view.quality {
                                tr {
                                    th scope="row" { (r.area) }
                                    td class="num" { (r.total) } td class="num" { (r.population) }
                                    td class="num" { (r.published) } td class="num" { (r.recomputed) } td class="num" { (r.difference) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (l.pick("Variabili", "Variables")) }
            table {
                (column_heads(&[
                    l.pick("Codice", "Code"), l.pick("Etichetta", "Label"), l.pick("Gruppo", "Group"),
                    l.pick("Unità", "Unit"), l.pick("Tipo", "Kind"),
                ], &[]))
                tbody {
                    @for v in &view.variables {
                        tr { td { code { (v[0]) } } td { (v[1]) } td { (v[2]) } td { (v[3]) } td { (v[4]) } }
                    }
                }
            }
            (view.participation)
        },
    )
}

/// One catalogued original file.
pub struct OriginalFile {
    pub path: String,
    pub href: String,
    pub sha256: String,
    pub licence: String,
    pub imported: bool,
}

pub fn datasets(
    lang: Lang,
    items: &[(Link, String)],
    files: &[OriginalFile],
    here: &str,
) -> Markup {
    let l = lang;
    let title = l.pick("Dataset e fonti", "Datasets and sources");
    page(
        &Shell::new(l, title, here),
        html! {
            h1 { (title) }
            ul {
                @for (link, source) in items {
                    li { a href=(link.href) { (link.label) } " — " (source) }
                }
            }
            h2 { (l.pick("File originali", "Original files")) }
            p { (l.pick(
                "Ogni file è scaricato dalla sua origine e verificato con lo SHA-256 qui indicato prima di essere caricato.",
                "Each file is downloaded from its origin and checked against the SHA-256 given here before it is loaded.")) }
            table {
                (column_heads(&["File", "SHA-256", l.pick("Licenza", "Licence"), l.pick("Stato", "Status")], &[]))
                tbody {
                    @for f in files {
                        tr {
                            td { a href=(f.href) { (f.path) } }
                            td { code { (f.sha256) } }
                            td { (f.licence) }
                            td { (if f.imported { l.pick("caricato", "loaded") } else { l.pick("in catalogo, non ancora caricato", "catalogued, not loaded yet") }) }
                        }
                    }
                }
            }
        },
    )
}
