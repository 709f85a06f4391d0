//! The map views: the choropleth page, its table, its embed and the
//! standalone SVG (also the source of the PNG). All take a `MapView`,
//! computed by the server; nothing here knows where numbers come from.

use maud::{html, Markup};

use crate::i18n::Lang;
use crate::layout::{page, Shell};

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// Every control of the map form, with the current choice selected.
pub struct Controls {
    pub datasets: Vec<Choice>,
    pub variables: Vec<ChoiceGroup>,
    pub measures: Vec<Choice>,
    pub boundaries: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub classes: Vec<Choice>,
    pub palettes: Vec<Choice>,
}

pub struct MapArea {
    pub name: String,
    pub href: String,
    /// SVG path data in the map's viewBox.
    pub path: String,
    /// A fill colour, or `None` for "not available".
    pub fill: Option<String>,
    /// The value as shown ("117,6 per 1.000 residenti" or "dato non disponibile").
    pub value_text: String,
    pub label: (f64, f64),
}

pub struct LegendItem {
    pub color: String,
    pub label: String,
}

pub struct TableRow {
    pub name: String,
    pub href: String,
    /// (shown text, sort key) per column.
    pub cells: Vec<(String, String)>,
}

/// A citizen's annotation with a point, drawn on the map.
pub struct Marker {
    pub id: i64,
    pub title: String,
    pub x: f64,
    pub y: f64,
}

pub struct MapView {
    pub lang: Lang,
    /// Says exactly what is shown: dataset, variable, measure, year, boundaries.
    pub title: String,
    pub width: f64,
    pub height: f64,
    pub areas: Vec<MapArea>,
    pub legend: Vec<LegendItem>,
    /// Licence and attribution.
    pub source: String,
    pub licence_url: String,
    pub dataset_href: String,
    /// Something the reader must know (e.g. "this rate cannot be summed").
    pub notes: Vec<String>,
    /// The canonical query string of this view (without `?`).
    pub query: String,
    pub public_url: String,
    pub controls: Controls,
    pub table_headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// Annotations with a point (visible ones only).
    pub markers: Vec<Marker>,
    /// `[a, b, c, d]`: x = a + b·lon, y = c − d·lat (for live markers).
    pub projection: [f64; 4],
    /// The newest event id when the markers were read: live.js resumes from it.
    pub live_since: i64,
}

fn no_data(lang: Lang) -> &'static str {
    lang.pick("dato non disponibile", "data not available")
}

/// The choropleth as inline SVG. `standalone` adds the XML namespace, a
/// white background, the title, legend and source, for downloads.
pub fn svg(view: &MapView, standalone: bool) -> Markup {
    let l = view.lang;
    let legend_height = if standalone {
        40.0 + 22.0 * (view.legend.len() as f64 + 1.0)
    } else {
        0.0
    };
    let top = if standalone { 40.0 } else { 0.0 };
    let total_height = view.height + top + legend_height;
    html! {
        svg xmlns=[standalone.then_some("http://www.w3.org/2000/svg")]
            class="map" viewBox={ "0 0 " (view.width) " " (total_height) }
            width=[standalone.then_some(view.width)] height=[standalone.then_some(total_height)]
            role="group" aria-labelledby="map-title"
            data-projection=[(!standalone).then(|| view.projection.map(|v| v.to_string()).join(" "))]
            data-live-since=[(!standalone).then_some(view.live_since)] {
            defs {
                pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                    rect width="6" height="6" fill="#ffffff" {}
                    line x1="0" y1="0" x2="0" y2="6" stroke="#767676" stroke-width="2" {}
                }
            }
            @if standalone {
                rect width="100%" height="100%" fill="#ffffff" {}
                text x="8" y="24" font-family="DejaVu Sans, sans-serif" font-size="15" font-weight="bold" fill="#1a1a1a" { (view.title) }
            }
            g transform={ "translate(0 " (top) ")" } {
                @for area in &view.areas {
                    a href=(area.href) aria-label={ (area.name) ": " (area.value_text) }
                        data-name=(area.name) data-value=(area.value_text) {
                        path d=(area.path) fill=(area.fill.as_deref().unwrap_or("url(#nodata)"))
                            stroke="#ffffff" stroke-width="1.2" {}
                    }
                }
                // Names on a white halo, readable on every fill; hidden from
                // screen readers, which read each area's label instead.
                g class="labels" aria-hidden="true" font-family="DejaVu Sans, sans-serif" font-size="13"
                    text-anchor="middle" fill="#1a1a1a" stroke="#ffffff" stroke-width="3" paint-order="stroke" {
                    @for area in &view.areas {
                        text x=(area.label.0) y=(area.label.1) { (area.name) }
                    }
                }
                // Citizens' annotations with a point; live.js adds new ones here.
                g class="markers" data-live-markers="" {
                    @for m in &view.markers {
                        a href={ "/annotazioni/" (m.id) } aria-label={ (l.pick("Annotazione: ", "Annotation: ")) (m.title) } data-id=(m.id) {
                            circle class="marker" cx=(format!("{:.1}", m.x)) cy=(format!("{:.1}", m.y)) r="6"
                                fill="#1a1a1a" stroke="#ffffff" stroke-width="1.5" {}
                        }
                    }
                }
            }
            @if standalone {
                g font-family="DejaVu Sans, sans-serif" font-size="13" fill="#1a1a1a" {
                    @for (i, item) in view.legend.iter().enumerate() {
                        @let y = top + view.height + 20.0 + 22.0 * i as f64;
                        rect x="8" y=(y) width="22" height="14" fill=(item.color) stroke="#767676" {}
                        text x="38" y=(y + 12.0) { (item.label) }
                    }
                    @let y = top + view.height + 20.0 + 22.0 * view.legend.len() as f64;
                    rect x="8" y=(y) width="22" height="14" fill="url(#nodata)" stroke="#767676" {}
                    text x="38" y=(y + 12.0) { (no_data(l)) }
                    text x="8" y=(y + 34.0) font-size="11" { (view.source) }
                }
            }
        }
    }
}

fn legend(view: &MapView) -> Markup {
    let l = view.lang;
    html! {
        h2 id="legend-title" class="visually-hidden" { (l.pick("Legenda", "Legend")) }
        ul class="legend" aria-labelledby="legend-title" {
            @for item in &view.legend {
                // SVG, not a style attribute: the CSP allows no inline styles.
                li {
                    svg class="swatch" viewBox="0 0 22 14" aria-hidden="true" { rect width="22" height="14" fill=(item.color) {} }
                    (item.label)
                }
            }
            li { span class="swatch nodata" {} (no_data(l)) }
        }
    }
}

fn select(name: &str, label: &str, choices: &[Choice]) -> Markup {
    html! {
        label {
            (label)
            select name=(name) {
                @for c in choices { option value=(c.value) selected[c.selected] { (c.label) } }
            }
        }
    }
}

fn controls(view: &MapView, action: &str) -> Markup {
    let l = view.lang;
    let c = &view.controls;
    html! {
        form class="controls" method="get" action=(action) aria-label=(l.pick("Scegli cosa mostrare", "Choose what to show")) {
            (select("dataset", l.pick("Dataset", "Dataset"), &c.datasets))
            label {
                (l.pick("Variabile", "Variable"))
                select name="variable" {
                    @for group in &c.variables {
                        optgroup label=(group.label) {
                            @for v in &group.choices { option value=(v.value) selected[v.selected] { (v.label) } }
                        }
                    }
                }
            }
            (select("measure", l.pick("Misura", "Measure"), &c.measures))
            (select("boundaries", l.pick("Confini", "Boundaries"), &c.boundaries))
            (select("method", l.pick("Classificazione", "Classification"), &c.methods))
            (select("classes", l.pick("Numero di classi", "Number of classes"), &c.classes))
            (select("palette", l.pick("Colori", "Colours"), &c.palettes))
            input type="hidden" name="lang" value=(l.code());
            button type="submit" { (l.pick("Aggiorna", "Update")) }
        }
    }
}

fn source(view: &MapView) -> Markup {
    let l = view.lang;
    html! {
        p class="source" {
            (l.pick("Fonte: ", "Source: ")) (view.source) " · "
            a href=(view.licence_url) { (l.pick("licenza", "licence")) } " · "
            a href=(view.dataset_href) { (l.pick("note sui dati", "notes on the data")) }
        }
        @for note in &view.notes { p class="notice" { (note) } }
    }
}

/// A page of the map view: the controls (submitting to `action`) beside
/// the view, its h1 and then `content`.
fn with_controls(view: &MapView, here: &str, action: &str, content: Markup) -> Markup {
    page(
        &Shell::new(view.lang, &view.title, here),
        html! {
            div class="layout" {
                (controls(view, action))
                div id="view" {
                    h1 id="map-title" { (view.title) }
                    (content)
                }
            }
        },
    )
}

/// The home page: controls, map, legend, links, embed code.
pub fn home(view: &MapView, here: &str) -> Markup {
    let l = view.lang;
    let q = &view.query;
    let embed_src = format!("{}embed?{q}", view.public_url);
    let snippet = format!(
        r#"<iframe src="{embed_src}" title="{}" width="640" height="620" style="border:0"></iframe>"#,
        view.title.replace('"', "&quot;")
    );
    with_controls(
        view,
        here,
        "/",
        html! {
            (svg(view, false))
            (legend(view))
            (source(view))
            h2 { (l.pick("Altri modi di vedere questi dati", "Other ways to see this data")) }
            ul class="links" {
                li { a href={ "/tabella?" (q) } { (l.pick("Tabella (alternativa accessibile)", "Table (accessible alternative)")) } }
                li { a href={ "/mappa.csv?" (q) } download { "CSV" } }
                li { a href={ "/mappa.geojson?" (q) } download { "GeoJSON" } }
                li { a href={ "/mappa.svg?" (q) } download { "SVG" } }
                li { a href={ "/mappa.png?" (q) } download { "PNG" } }
                li { a href={ "/?" (q) } { (l.pick("Link permanente", "Permalink")) } }
            }
            h2 { label for="embed-code" { (l.pick("Incorpora questa mappa", "Embed this map")) } }
            textarea id="embed-code" readonly rows="3" { (snippet) }
        },
    )
}

fn table_markup(view: &MapView, sort_base: &str) -> Markup {
    let l = view.lang;
    html! {
        table data-sortable {
            caption { (view.title) }
            thead {
                tr {
                    th scope="col" data-key="0" { a href={ (sort_base) "&sort=0" } { (l.pick("Quartiere", "Quartiere")) } }
                    @for (i, header) in view.table_headers.iter().enumerate() {
                        th scope="col" class="num" data-key=(i + 1) { a href={ (sort_base) "&sort=" (i + 1) } { (header) } }
                    }
                }
            }
            tbody {
                @for row in &view.rows {
                    tr {
                        th scope="row" data-sort=(row.name) { a href=(row.href) { (row.name) } }
                        @for (text, key) in &row.cells { td class="num" data-sort=(key) { (text) } }
                    }
                }
            }
        }
    }
}

/// The table of a map view: the same numbers, as a real table.
pub fn table(view: &MapView, here: &str) -> Markup {
    let l = view.lang;
    let q = &view.query;
    with_controls(
        view,
        here,
        "/tabella",
        html! {
            (table_markup(view, &format!("/tabella?{q}")))
            (source(view))
            ul class="links" {
                li { a href={ "/?" (q) } { (l.pick("Torna alla mappa", "Back to the map")) } }
                li { a href={ "/mappa.csv?" (q) } download { "CSV" } }
            }
        },
    )
}

/// Minimal chrome, for an iframe.
pub fn embed(view: &MapView, here: &str) -> Markup {
    let l = view.lang;
    page(
        &Shell {
            embed: true,
            ..Shell::new(l, &view.title, here)
        },
        html! {
            div id="view" {
                h1 id="map-title" { (view.title) }
                (svg(view, false))
                (legend(view))
                p class="source" {
                    (l.pick("Fonte: ", "Source: ")) (view.source) " · "
                    a href={ (view.public_url) "?" (view.query) } target="_blank" rel="noopener" { "Open Welfare Bologna" }
                }
            }
        },
    )
}

/// The standalone SVG document for downloads.
pub fn svg_document(view: &MapView) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        svg(view, true).into_string()
    )
}
