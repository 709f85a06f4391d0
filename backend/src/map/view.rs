//! A map view: what the reader chose (`MapParams`, every choice a query
//! parameter so every view is a permalink) and the view-model the pages,
//! the table, the embed and the downloads render (`build`).

use std::collections::HashMap;

use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::map::{
    Choice, ChoiceGroup, Controls, LegendItem, MapArea, MapView, TableRow,
};

use crate::map::classify::{self, Method, Palette};
use crate::official::model::{Boundaries, Level, Variable, VariableKind};
use crate::official::query::Row;
use crate::official::reference::{DatasetEntry, Reference};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Count,
    Per1000,
    Share,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Count, Measure::Per1000, Measure::Share];
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Count => "count",
            Measure::Per1000 => "per_1000",
            Measure::Share => "share",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        Measure::ALL.into_iter().find(|m| m.as_str() == text)
    }
    fn label(self, l: Lang) -> &'static str {
        match self {
            Measure::Count => l.pick("valori assoluti", "counts"),
            Measure::Per1000 => l.pick("per 1.000 residenti", "per 1,000 residents"),
            Measure::Share => l.pick("quota del totale cittadino", "share of the city total"),
        }
    }
}

/// The choices of a map view. Parsing is lenient: a page never fails on a
/// stale or unknown choice (a GET form may send a variable of the previous
/// dataset), it falls back to the default instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapParams {
    pub dataset: String,
    pub variable: String,
    pub measure: Measure,
    pub boundaries: Boundaries,
    pub method: Method,
    pub classes: usize,
    pub palette: Palette,
    /// Table column to sort by (0 = name).
    pub sort: Option<usize>,
}

/// Datasets that can be mapped: those with their own population.
pub fn mappable(reference: &Reference) -> impl Iterator<Item = &DatasetEntry> {
    reference
        .datasets
        .iter()
        .filter(|d| d.variable("popolazione").is_some())
}

impl MapParams {
    pub fn from_query(query: &HashMap<String, String>, reference: &Reference) -> Self {
        let get = |key: &str| query.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let dataset = get("dataset")
            .and_then(|slug| mappable(reference).find(|d| d.dataset.slug == slug))
            .or_else(|| mappable(reference).find(|d| d.dataset.slug == "interventi"))
            .or_else(|| mappable(reference).next());
        let (dataset_slug, variable) = match dataset {
            Some(d) => {
                let variable = get("variable")
                    .and_then(|code| d.variable(code))
                    .or_else(|| d.variable("totale"))
                    .map(|v| v.code.clone())
                    .unwrap_or_default();
                (d.dataset.slug.clone(), variable)
            }
            None => (String::new(), String::new()),
        };
        MapParams {
            dataset: dataset_slug,
            variable,
            measure: get("measure")
                .and_then(Measure::parse)
                .unwrap_or(Measure::Per1000),
            boundaries: get("boundaries")
                .and_then(Boundaries::parse)
                .unwrap_or(Boundaries::B2016),
            method: get("method")
                .and_then(Method::parse)
                .unwrap_or(Method::Quantiles),
            classes: get("classes")
                .and_then(|c| c.parse::<usize>().ok())
                .map(|c| c.clamp(classify::MIN_CLASSES, classify::MAX_CLASSES))
                .unwrap_or(5),
            palette: get("palette")
                .and_then(Palette::parse)
                .unwrap_or(Palette::Blues),
            sort: get("sort").and_then(|s| s.parse().ok()).filter(|s| *s <= 5),
        }
    }

    /// The canonical query string (fixed order, no sort), for links and cache keys.
    pub fn query_string(&self) -> String {
        format!(
            "dataset={}&variable={}&measure={}&boundaries={}&method={}&classes={}&palette={}",
            self.dataset,
            self.variable,
            self.measure.as_str(),
            self.boundaries.as_str(),
            self.method.as_str(),
            self.classes,
            self.palette.as_str()
        )
    }
}

pub fn group_label(group: &str, l: Lang) -> String {
    let (it, en) = match group {
        "totals" => ("Totali", "Totals"),
        "rates" => ("Tassi pubblicati", "Published rates"),
        "gender" => ("Genere", "Gender"),
        "target" => ("Target", "Target group"),
        "citizenship" => ("Cittadinanza", "Citizenship"),
        "age" => ("Fascia d'età", "Age band"),
        "need" => ("Bisogno", "Need"),
        "channel" => ("Canale di contatto", "Contact channel"),
        "status" => ("Stato del caso", "Case status"),
        other => (other, other),
    };
    l.pick(it, en).to_string()
}

pub fn variable_label(v: &Variable, l: Lang) -> &str {
    l.pick(&v.label_it, &v.label_en)
}

/// The value a row shows for a measure (rates are shown as they are).
pub fn shown_value(row: &Row, variable: &Variable, measure: Measure) -> Option<f64> {
    match (variable.kind, measure) {
        (VariableKind::Rate, _) | (VariableKind::Count, Measure::Count) => row.value,
        (VariableKind::Count, Measure::Per1000) => row.per_1000,
        (VariableKind::Count, Measure::Share) => row.share,
    }
}

/// Format a value of this variable and measure in the reader's language.
pub fn format_value(value: f64, variable: &Variable, measure: Measure, l: Lang) -> String {
    let percent = |v: f64| format!("{}%", l.number(v * 100.0, 1));
    match (variable.kind, measure) {
        (VariableKind::Rate, _) if variable.denominator_scope.as_deref() == Some("city") => {
            percent(value)
        }
        (VariableKind::Rate, _) => l.number(value, 3),
        (VariableKind::Count, Measure::Count) => l.number(value, 0),
        (VariableKind::Count, Measure::Per1000) => l.number(value, 1),
        (VariableKind::Count, Measure::Share) => percent(value),
    }
}

/// Units are stored in Italian (the catalog's `unit_it`); these are the ones it uses.
pub fn unit_label(unit: &str, l: Lang) -> &str {
    let en = match unit {
        "contatti" => "contacts",
        "interventi" => "services",
        "PAI" => "care plans",
        "residenti" | "persons" => "residents",
        "rapporto" => "ratio",
        other => other,
    };
    l.pick(unit, en)
}

fn unit_text(variable: &Variable, measure: Measure, l: Lang) -> String {
    match (variable.kind, measure) {
        (VariableKind::Rate, _) => String::new(),
        (VariableKind::Count, Measure::Count) => format!(" {}", unit_label(&variable.unit, l)),
        (VariableKind::Count, Measure::Per1000) => {
            format!(" {}", l.pick("per 1.000 residenti", "per 1,000 residents"))
        }
        (VariableKind::Count, Measure::Share) => {
            format!(" {}", l.pick("del totale cittadino", "of the city total"))
        }
    }
}

pub fn area_href(area_slug: &str, boundaries: Boundaries, l: Lang) -> String {
    let lang = if l == Lang::It {
        String::new()
    } else {
        format!("?lang={}", l.code())
    };
    match boundaries {
        Boundaries::B2016 => format!("/quartieri/{area_slug}{lang}"),
        Boundaries::B2014 => format!("/quartieri/2014/{area_slug}{lang}"),
    }
}

pub fn boundaries_label(b: Boundaries, l: Lang) -> &'static str {
    match b {
        Boundaries::B2016 => l.pick("6 quartieri (dal 2016)", "6 quartieri (since 2016)"),
        Boundaries::B2014 => l.pick("9 quartieri (fino al 2016)", "9 quartieri (until 2016)"),
    }
}

/// The view-model of a map view; None when no data is loaded.
pub fn build(
    reference: &Reference,
    params: &MapParams,
    l: Lang,
    public_url: &str,
) -> Option<MapView> {
    let entry = reference.dataset(&params.dataset)?;
    let variable = entry.variable(&params.variable)?;
    let geometry = reference.maps.get(&params.boundaries)?;
    let year = entry.years.last().copied();
    let rows = entry.rows(
        reference,
        variable,
        year,
        params.boundaries,
        Level::Quartiere,
    );
    let measure = if variable.kind == VariableKind::Rate {
        Measure::Count
    } else {
        params.measure
    };

    let values: Vec<Option<f64>> = rows
        .iter()
        .map(|r| shown_value(r, variable, measure))
        .collect();
    let classes = classify::classify(&values, params.classes, params.method);
    let colors = classes
        .as_ref()
        .map(|c| params.palette.colors(c.count()))
        .unwrap_or_default();
    let fmt = |v: f64| format_value(v, variable, measure, l);
    let unit = unit_text(variable, measure, l);

    let mut map_areas = Vec::new();
    for (row, value) in rows.iter().zip(&values) {
        let Some(shape) = geometry.areas.iter().find(|s| s.code == row.area_code) else {
            continue;
        };
        let fill = match (value, &classes) {
            (Some(v), Some(c)) => colors.get(c.class_of(*v)).map(|c| c.to_string()),
            _ => None,
        };
        let value_text = match value {
            Some(v) => format!("{}{unit}", fmt(*v)),
            None => l
                .pick("dato non disponibile", "data not available")
                .to_string(),
        };
        map_areas.push(MapArea {
            name: row.area_name.clone(),
            href: area_href(&row.area_slug, params.boundaries, l),
            path: shape.path.clone(),
            fill,
            value_text,
            label: shape.label,
        });
    }
    let legend = match &classes {
        Some(c) => (0..c.count())
            .map(|i| LegendItem {
                color: colors.get(i).map(|c| c.to_string()).unwrap_or_default(),
                label: if c.bounds[i] == c.bounds[i + 1] {
                    fmt(c.bounds[i])
                } else {
                    format!("{} – {}", fmt(c.bounds[i]), fmt(c.bounds[i + 1]))
                },
            })
            .collect(),
        None => Vec::new(),
    };

    let dataset_title = l.pick(&entry.dataset.title_it, &entry.dataset.title_en);
    let measure_text = if variable.kind == VariableKind::Rate {
        String::new()
    } else {
        format!(", {}", measure.label(l))
    };
    let title = format!(
        "{dataset_title}: {}{measure_text}, {}, {}",
        variable_label(variable, l),
        year.map(|y| y.to_string()).unwrap_or_default(),
        boundaries_label(params.boundaries, l)
    );

    let mut notes = Vec::new();
    if variable.kind == VariableKind::Rate && params.measure != Measure::Count {
        notes.push(
            l.pick(
                "Questa variabile è già un tasso: è mostrata così come pubblicata.",
                "This variable is already a rate: it is shown as published.",
            )
            .to_string(),
        );
    }
    let note = l.pick(
        variable.note_it.as_deref().unwrap_or(""),
        variable.note_en.as_deref().unwrap_or(""),
    );
    if !note.is_empty() {
        notes.push(note.to_string());
    }
    if rows.iter().any(|r| r.note.is_some()) {
        notes.push(
            l.pick(
                "Dove un quartiere di oggi somma quartieri del 2014 e uno di essi non ha il dato, il valore non è mostrato: una somma parziale non sarebbe il totale.",
                "Where today's quartiere sums 2014 quartieri and one of them has no value, no value is shown: a partial sum would not be the total.",
            )
            .to_string(),
        );
    }

    // The table: name, shown value, count, population, per 1,000, share.
    let number_cell = |v: Option<f64>, decimals: usize| match v {
        Some(v) => (l.number(v, decimals), v.to_string()),
        None => (l.pick("n.d.", "n/a").to_string(), String::new()),
    };
    let percent_cell = |v: Option<f64>| match v {
        Some(v) => (format!("{}%", l.number(v * 100.0, 1)), v.to_string()),
        None => (l.pick("n.d.", "n/a").to_string(), String::new()),
    };
    let mut table_rows: Vec<(TableRow, Vec<Option<f64>>)> = rows
        .iter()
        .zip(&values)
        .map(|(r, shown)| {
            let cells = vec![
                match shown {
                    Some(v) => (fmt(*v), v.to_string()),
                    None => (
                        l.pick("dato non disponibile", "data not available")
                            .to_string(),
                        String::new(),
                    ),
                },
                number_cell(
                    if variable.kind == VariableKind::Count {
                        r.value
                    } else {
                        None
                    },
                    0,
                ),
                number_cell(r.population, 0),
                number_cell(r.per_1000, 1),
                percent_cell(r.share),
            ];
            let keys = vec![*shown, r.value, r.population, r.per_1000, r.share];
            (
                TableRow {
                    name: r.area_name.clone(),
                    href: area_href(&r.area_slug, params.boundaries, l),
                    cells,
                },
                keys,
            )
        })
        .collect();
    if let Some(column) = params.sort {
        if column == 0 {
            table_rows.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        } else {
            table_rows.sort_by(|a, b| {
                let key = |r: &(TableRow, Vec<Option<f64>>)| r.1.get(column - 1).copied().flatten();
                key(a)
                    .partial_cmp(&key(b))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
    }
    let table_headers = vec![
        format!(
            "{}{}",
            l.pick("Valore mostrato", "Value shown"),
            if unit.is_empty() {
                String::new()
            } else {
                format!(" ({})", unit.trim())
            }
        ),
        l.pick("Valore assoluto", "Count").to_string(),
        l.pick("Popolazione", "Population").to_string(),
        l.pick("Per 1.000 residenti", "Per 1,000 residents")
            .to_string(),
        l.pick("Quota del totale", "Share of total").to_string(),
    ];

    let choice = |value: &str, label: &str, selected: bool| Choice {
        value: value.into(),
        label: label.into(),
        selected,
    };
    let mut groups: Vec<ChoiceGroup> = Vec::new();
    for v in &entry.variables {
        let label = group_label(&v.group, l);
        let c = choice(&v.code, variable_label(v, l), v.code == variable.code);
        match groups.iter_mut().find(|g| g.label == label) {
            Some(g) => g.choices.push(c),
            None => groups.push(ChoiceGroup {
                label,
                choices: vec![c],
            }),
        }
    }
    let controls = Controls {
        datasets: mappable(reference)
            .map(|d| {
                choice(
                    &d.dataset.slug,
                    l.pick(&d.dataset.title_it, &d.dataset.title_en),
                    d.dataset.slug == params.dataset,
                )
            })
            .collect(),
        variables: groups,
        measures: Measure::ALL
            .iter()
            .map(|m| choice(m.as_str(), m.label(l), *m == params.measure))
            .collect(),
        boundaries: [Boundaries::B2016, Boundaries::B2014]
            .iter()
            .map(|b| choice(b.as_str(), boundaries_label(*b, l), *b == params.boundaries))
            .collect(),
        methods: Method::ALL
            .iter()
            .map(|m| {
                let label = match m {
                    Method::Quantiles => l.pick("Quantili", "Quantiles"),
                    Method::EqualIntervals => l.pick("Intervalli uguali", "Equal intervals"),
                    Method::NaturalBreaks => {
                        l.pick("Interruzioni naturali (Jenks)", "Natural breaks (Jenks)")
                    }
                };
                choice(m.as_str(), label, *m == params.method)
            })
            .collect(),
        classes: (classify::MIN_CLASSES..=classify::MAX_CLASSES)
            .map(|n| choice(&n.to_string(), &n.to_string(), n == params.classes))
            .collect(),
        palettes: Palette::ALL
            .iter()
            .map(|p| choice(p.as_str(), p.label(l == Lang::It), *p == params.palette))
            .collect(),
    };

    Some(MapView {
        lang: l,
        title,
        width: geometry.width,
        height: geometry.height,
        areas: map_areas,
        legend,
        source: format!(
            "{}, {} {}",
            entry.dataset.attribution,
            l.pick("licenza", "licence"),
            entry.dataset.licence
        ),
        licence_url: entry.dataset.licence_url.clone(),
        dataset_href: format!("/datasets/{}", entry.dataset.slug),
        notes,
        query: params.query_string(),
        public_url: public_url.to_string(),
        controls,
        table_headers,
        rows: table_rows.into_iter().map(|(row, _)| row).collect(),
        markers: Vec::new(),
        projection: geometry.projection.affine(),
        live_since: 0,
    })
}

/// Place annotations with a point on the map of `boundaries`.
pub fn markers(
    reference: &Reference,
    boundaries: Boundaries,
    annotations: &[crate::lab::Annotation],
) -> Vec<openwelfare_frontend::map::Marker> {
    let Some(geometry) = reference.maps.get(&boundaries) else {
        return Vec::new();
    };
    annotations
        .iter()
        .filter(|a| a.status == crate::lab::ContentStatus::Visible)
        .filter_map(|a| {
            let (x, y) = geometry.projection.project(a.lon?, a.lat?);
            Some(openwelfare_frontend::map::Marker {
                id: a.id,
                title: a.title.clone(),
                x,
                y,
            })
        })
        .collect()
}
