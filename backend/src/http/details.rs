//! The quartiere pages (every variable beside the city value, population
//! over time) and the dataset pages (provenance and data quality).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use openwelfare_frontend::charts::Bar;
use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::pages::{
    self, ChartGroup, DatasetSection, DatasetView, Link, OriginalFile, QualityRow, QuartiereView,
};

use super::account::Ctx;
use super::cache::Rendered;
use super::error::ApiError;
use super::lab;
use super::lang::language;
use super::pages::Params;
use super::state::AppState;
use crate::map::view::{self as map, area_href, boundaries_label, group_label, variable_label};
use crate::official::model::{Area, Boundaries, Level, Variable, VariableKind};
use crate::official::query::{Row, Target};
use crate::official::reference::{DatasetEntry, Reference};

fn html(markup: maud::Markup) -> Result<Rendered, ApiError> {
    Ok(Rendered {
        content_type: "text/html; charset=utf-8",
        body: markup.into_string().into_bytes(),
        disposition: None,
    })
}

fn with_lang(path: String, l: Lang) -> String {
    if l == Lang::It {
        path
    } else {
        format!(
            "{path}{}lang={}",
            if path.contains('?') { '&' } else { '?' },
            l.code()
        )
    }
}

/// Bologna as one area: the sum of every 2014 quartiere.
fn city(reference: &Reference) -> Target {
    let parts: Vec<Area> = reference
        .areas(Boundaries::B2014, Level::Quartiere)
        .to_vec();
    let area = Area {
        id: -1,
        code: "bologna".into(),
        level: Level::Quartiere,
        boundaries: Boundaries::B2014,
        number: None,
        name: "Bologna".into(),
        slug: "bologna".into(),
        parent_id: None,
        geometry: None,
    };
    Target { area, parts }
}

/// What a quartiere page compares: per 1,000 residents for counts, the
/// value itself for rates.
fn comparable(row: Option<Row>, kind: VariableKind) -> Option<(f64, VariableKind)> {
    let row = row?;
    match kind {
        VariableKind::Count => row.per_1000.map(|v| (v, kind)),
        VariableKind::Rate => row.value.map(|v| (v, kind)),
    }
}

/// How a page's discussion is read: its order (`?ordine=`) and the page
/// after a cursor (`?dopo=`).
fn reading(q: &HashMap<String, String>) -> (crate::lab::Sort, Option<&str>) {
    (
        crate::lab::Sort::parse(q.get("ordine").map(String::as_str)),
        q.get("dopo").map(String::as_str),
    )
}

/// A quartiere page: `BOUNDARIES` is 2016 or 2014 (`/quartieri/2014/...`).
pub async fn quartiere_page<const BOUNDARIES: u16>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let boundaries = Boundaries::of_year(BOUNDARIES);
    quartiere(state, ctx, boundaries, slug, q).await
}

/// A quartiere: its numbers (the same for everyone) and, below them, the
/// citizens' annotations and discussion (per reader: their forms, their
/// held posts), so the page is rendered for each request, not cached.
async fn quartiere(
    state: AppState,
    ctx: Ctx,
    boundaries: Boundaries,
    slug: String,
    q: HashMap<String, String>,
) -> Result<Response, ApiError> {
    let reference = state.reference.get().await;
    let l = ctx.lang;
    let area = reference
        .areas(boundaries, Level::Quartiere)
        .iter()
        .find(|a| a.slug == slug)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(
                "slug",
                format!(
                    "no quartiere \"{slug}\" on the {} boundaries",
                    boundaries.as_str()
                ),
            )
        })?;
    let here = area_href(&area.slug, boundaries, Lang::It);
    // The discussion is about the 2016 quartiere (a 2014 one shows the one it became part of).
    let target = match boundaries {
        Boundaries::B2016 => Some(area.clone()),
        Boundaries::B2014 => reference.became(&area).cloned(),
    };
    let (sort, cursor) = reading(&q);
    let participation = match &target {
        Some(t) => lab::quartiere_blocks(&state, &ctx, &t.code, &t.name, sort, cursor).await?,
        None => maud::html! {},
    };
    let rendered = {
        let bologna = city(&reference);
        let mut sections = Vec::new();
        for entry in map::mappable(&reference) {
            let year = entry.years.last().copied();
            let mut groups: Vec<ChartGroup> = Vec::new();
            for v in entry.variables.iter().filter(|v| v.code != "popolazione") {
                // The area among all areas of its boundary set, so that shares of
                // the city total see the whole city; Bologna as one area.
                let here_row = entry
                    .rows(&reference, v, year, boundaries, Level::Quartiere)
                    .into_iter()
                    .find(|r| r.area_code == area.code);
                let here_value = comparable(here_row, v.kind);
                let city_row = entry
                    .rows_for(v, year, std::slice::from_ref(&bologna))
                    .into_iter()
                    .next();
                let city_value = comparable(city_row, v.kind);
                let text = |value: Option<(f64, VariableKind)>| match value {
                    Some((x, VariableKind::Count)) => l.number(x, 1),
                    Some((x, VariableKind::Rate)) => {
                        map::format_value(x, v, map::Measure::Count, l)
                    }
                    None => l.pick("n.d.", "n/a").to_string(),
                };
                let bar = Bar {
                    label: variable_label(v, l).to_string(),
                    area: here_value.map(|x| x.0),
                    city: city_value.map(|x| x.0),
                    area_text: text(here_value),
                    city_text: text(city_value),
                };
                let group = group_label(&v.group, l);
                match groups.iter_mut().find(|g| g.title == group) {
                    Some(g) => g.bars.push(bar),
                    None => groups.push(ChartGroup {
                        title: group,
                        bars: vec![bar],
                    }),
                }
            }
            sections.push(DatasetSection {
                title: l
                    .pick(&entry.dataset.title_it, &entry.dataset.title_en)
                    .to_string(),
                href: with_lang(format!("/datasets/{}", entry.dataset.slug), l),
                measure: format!(
                    "{} {}",
                    year.map(|y| y.to_string()).unwrap_or_default(),
                    l.pick(
                        "· valori per 1.000 residenti (i tassi pubblicati così come sono)",
                        "· values per 1,000 residents (published rates as they are)"
                    )
                ),
                groups,
            });
        }
        // Population: PopRes 1986-2011, then each welfare file's own 2014 figure.
        let mut population: Vec<(i32, Option<f64>)> = Vec::new();
        // The area's value of a dataset's variable in a year.
        let value_in = |entry: &DatasetEntry, v: &Variable, year: i32| {
            entry
                .rows(&reference, v, Some(year), boundaries, Level::Quartiere)
                .into_iter()
                .find(|r| r.area_code == area.code)
                .and_then(|r| r.value)
        };
        if let Some(pop) = reference.dataset("popolazione-residente") {
            if let Some(v) = pop.variable("residenti") {
                for year in &pop.years {
                    population.push((*year, value_in(pop, v, *year)));
                }
            }
        }
        if let Some(entry) = reference.dataset("interventi") {
            if let (Some(v), Some(year)) = (entry.variable("popolazione"), entry.years.last()) {
                population.push((*year, value_in(entry, v, *year)));
            }
        }
        let link = |a: &Area, b: Boundaries| Link {
            label: a.name.clone(),
            href: area_href(&a.slug, b, l),
        };
        let view = QuartiereView {
            lang: l,
            name: area.name.clone(),
            boundaries: boundaries_label(boundaries, l).to_string(),
            parts: match boundaries {
                Boundaries::B2016 => reference.parts(&area).into_iter().map(|a| link(a, Boundaries::B2014)).collect(),
                Boundaries::B2014 => Vec::new(),
            },
            became: reference.became(&area).map(|a| link(a, Boundaries::B2016)),
            sections,
            population,
            population_source: l
                .pick(
                    "Residenti al 31 dicembre 1986-2011 (Comune di Bologna, open data); 2014: colonna Popolazione dei file Open Welfare.",
                    "Residents at 31 December 1986-2011 (Comune di Bologna, open data); 2014: the Popolazione column of the Open Welfare files.",
                )
                .to_string(),
            map_href: with_lang(format!("/?boundaries={}", boundaries.as_str()), l),
            participation,
        };
        html(pages::quartiere(&view, &here))?
    };
    Ok(personal(rendered))
}

/// A dataset: its description and quality notes (the same for everyone)
/// and its discussion (per reader), so rendered for each request.
pub async fn dataset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let reference = state.reference.get().await;
    let l = ctx.lang;
    if reference.dataset(&slug).is_none() {
        return Err(ApiError::not_found(
            "slug",
            format!("no dataset \"{slug}\""),
        ));
    }
    let here = format!("/datasets/{slug}");
    let (sort, cursor) = reading(&q);
    let participation = lab::dataset_blocks(&state, &ctx, &slug, sort, cursor).await?;
    let rendered = {
        let entry = reference
            .dataset(&slug)
            .ok_or_else(|| ApiError::Internal("dataset gone".into()))?;
        let d = &entry.dataset;
        let date = d.imported_at;
        let mut quality = Vec::new();
        let mut notes = Vec::new();
        if let (Some(total), Some(published)) = (
            entry.variable("totale"),
            entry.variable("per-residente-pubblicato"),
        ) {
            let year = entry.years.last().copied();
            let totals = entry.rows(&reference, total, year, Boundaries::B2014, Level::Quartiere);
            let rates = entry.rows(
                &reference,
                published,
                year,
                Boundaries::B2014,
                Level::Quartiere,
            );
            for (t, p) in totals.iter().zip(&rates) {
                let recomputed = match (t.value, t.population) {
                    (Some(v), Some(pop)) if pop > 0.0 => Some(v / pop),
                    _ => None,
                };
                let fmt = |v: Option<f64>, decimals| {
                    v.map(|v| l.number(v, decimals))
                        .unwrap_or_else(|| l.pick("n.d.", "n/a").into())
                };
                let difference = match (p.value, recomputed) {
                    (Some(a), Some(b)) => Some(a - b),
                    _ => None,
                };
                quality.push(QualityRow {
                    area: t.area_name.clone(),
                    total: fmt(t.value, 0),
                    population: fmt(t.population, 0),
                    published: fmt(p.value, 4),
                    recomputed: fmt(recomputed, 4),
                    difference: fmt(difference, 4),
                });
            }
            notes.push(l.pick(
                "La colonna «per residente» pubblicata non è uguale a totale / popolazione, e il metodo non è documentato. Open Welfare la mostra così com'è e, accanto, il tasso ricalcolato: totale / popolazione (sulla mappa: × 1.000). Per i quartieri del 2016 il tasso pubblicato non si può ricalcolare: si usa quello per 1.000 residenti calcolato dalle somme.",
                "The published \"per resident\" column is not total / population, and its method is not documented. Open Welfare shows it as published and, beside it, the recomputed rate: total / population (on the map: × 1,000). For the 2016 quartieri the published rate cannot be recomputed: the rate per 1,000 residents computed from the sums is used.",
            ).to_string());
        }
        if d.slug.starts_with("popolazione") {
            notes.push(
                l.pick(d.description_it.as_str(), d.description_en.as_str())
                    .to_string(),
            );
        }
        let kind = |k: VariableKind| match k {
            VariableKind::Count => l.pick("conteggio", "count").to_string(),
            VariableKind::Rate => l.pick("tasso", "rate").to_string(),
        };
        let view = DatasetView {
            lang: l,
            title: l.pick(&d.title_it, &d.title_en).to_string(),
            description: l.pick(&d.description_it, &d.description_en).to_string(),
            attribution: d.attribution.clone(),
            licence: d.licence.clone(),
            licence_url: d.licence_url.clone(),
            origin_url: d.origin_url.clone(),
            file_path: d.file_path.clone(),
            sha256: d.sha256.clone(),
            imported_at: format!(
                "{} {:02}:{:02} UTC",
                l.date(date.year(), u8::from(date.month()), date.day()),
                date.hour(),
                date.minute()
            ),
            format: d.format.clone(),
            variables: entry
                .variables
                .iter()
                .map(|v| {
                    [
                        v.code.clone(),
                        variable_label(v, l).to_string(),
                        group_label(&v.group, l),
                        map::unit_label(&v.unit, l).to_string(),
                        kind(v.kind),
                    ]
                })
                .collect(),
            quality,
            notes,
            map_href: map::mappable(&reference)
                .any(|m| m.dataset.slug == d.slug)
                .then(|| with_lang(format!("/?dataset={}", d.slug), l)),
            participation,
        };
        html(pages::dataset(&view, &here))?
    };
    Ok(personal(rendered))
}

/// A page with per-reader parts: never shared by caches.
fn personal(rendered: Rendered) -> Response {
    let mut response = (
        [(axum::http::header::CONTENT_TYPE, rendered.content_type)],
        rendered.body,
    )
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-cache"),
    );
    response
}

pub async fn datasets(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let reference = state.reference.get().await;
    let (l, _) = language(&q, &headers);
    let key = format!("datasets|{}", l.code());
    state
        .responses
        .respond(&headers, reference.version, &key, || {
            let items: Vec<(Link, String)> = reference
                .datasets
                .iter()
                .map(|e| {
                    (
                        Link {
                            label: l.pick(&e.dataset.title_it, &e.dataset.title_en).to_string(),
                            href: with_lang(format!("/datasets/{}", e.dataset.slug), l),
                        },
                        format!(
                            "{}, {} {}",
                            e.dataset.attribution,
                            l.pick("licenza", "licence"),
                            e.dataset.licence
                        ),
                    )
                })
                .collect();
            let files: Vec<OriginalFile> = state
                .catalog
                .files
                .iter()
                .map(|f| OriginalFile {
                    path: f.mirror_path(),
                    href: state.catalog.origin_url(f),
                    sha256: f.sha256.clone(),
                    licence: state
                        .catalog
                        .source(&f.source)
                        .map(|s| s.licence.clone())
                        .unwrap_or_default(),
                    imported: f.import,
                })
                .collect();
            html(pages::datasets(l, &items, &files, "/datasets"))
        })
}
