//! From verified file bytes to the rows the store loads: pure, so a whole
//! import can be checked without a database.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::official::areas::{
    normalize_alias, quartiere_2014_code, quartiere_2016_code, slugify, zona_code,
};
use crate::official::catalog::parse::{self, NumberFormat, PopulationArea, TextEncoding};
use crate::official::catalog::{Catalog, DatasetSpec, Encoding, FileFormat};
use crate::official::geography;
use crate::official::model::{Boundaries, Level, VariableKind};

/// Everything an import writes, keyed by natural codes (not database ids).
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub files: Vec<FileRecord>,
    /// Parents come before their children.
    pub areas: Vec<AreaRecord>,
    /// (2014 quartiere code, 2016 quartiere code).
    pub crosswalk: Vec<(String, String)>,
    pub datasets: Vec<DatasetRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    pub path: String,
    pub sha256: String,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaRecord {
    pub code: String,
    pub level: Level,
    pub boundaries: Boundaries,
    pub number: Option<i32>,
    pub name: String,
    pub slug: String,
    pub parent: Option<String>,
    pub geometry: Option<String>,
    /// Normalised aliases (see `areas::normalize_alias`).
    pub aliases: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRecord {
    pub slug: String,
    pub title_it: String,
    pub title_en: String,
    pub description_it: String,
    pub description_en: String,
    pub file_path: String,
    pub origin_url: String,
    pub sha256: String,
    pub format: String,
    pub licence: String,
    pub licence_url: String,
    pub attribution: String,
    pub boundaries: Boundaries,
    pub variables: Vec<VariableRecord>,
    pub observations: Vec<ObservationRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariableRecord {
    pub code: String,
    pub column_name: String,
    pub label_it: String,
    pub label_en: String,
    pub group: String,
    pub unit: String,
    pub kind: VariableKind,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub denominator_scope: Option<String>,
    pub note_it: Option<String>,
    pub note_en: Option<String>,
}

impl VariableRecord {
    /// A count read from `column` (empty when the file has one value column).
    fn count(
        code: &str,
        column: &str,
        group: &str,
        label_it: String,
        label_en: String,
        unit: String,
    ) -> Self {
        VariableRecord {
            code: code.to_string(),
            column_name: column.to_string(),
            label_it,
            label_en,
            group: group.to_string(),
            unit,
            kind: VariableKind::Count,
            numerator: None,
            denominator: None,
            denominator_scope: None,
            note_it: None,
            note_en: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRecord {
    pub variable: String,
    pub area: String,
    pub year: i32,
    pub value: Option<f64>,
}

/// A verified file's bytes, by mirror path.
pub type Files = HashMap<String, Vec<u8>>;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Parse(#[from] parse::ParseError),
    #[error("{file}: {message}")]
    Geography { file: String, message: String },
    #[error("{file}: {message}")]
    Content { file: String, message: String },
    #[error("{0}: verified file missing from the import")]
    Missing(String),
}

fn content(file: &str, message: impl Into<String>) -> BundleError {
    BundleError::Content {
        file: file.to_string(),
        message: message.into(),
    }
}

const PUBLISHED_RATE_NOTE_IT: &str =
    "Valore pubblicato così com'è. Non coincide con totale/popolazione \
(per gli Interventi di Navile 7974/67800 = 0,118, pubblicato 0,106) e il metodo non è documentato: \
per le aree aggregate non è ricalcolabile. Il tasso per 1.000 residenti calcolato da Open Welfare \
è totale / popolazione × 1.000.";
const PUBLISHED_RATE_NOTE_EN: &str =
    "Published value, kept as published. It is not total/population \
(Navile Interventi: 7974/67800 = 0.118, published 0.106) and its method is not documented, so it \
cannot be recomputed for merged areas. Open Welfare's own rate per 1,000 residents is \
total / population × 1,000.";

/// Build the bundle from the catalog and the verified bytes of every imported file.
pub fn build(
    catalog: &Catalog,
    files: &Files,
    hashes: &BTreeMap<String, (String, i64)>,
) -> Result<Bundle, BundleError> {
    let mut areas: BTreeMap<String, AreaRecord> = BTreeMap::new();

    // 2014 quartieri and their geometry.
    let geo_file = catalog
        .imported_files()
        .find(|f| f.format == FileFormat::QuartieriGeojson)
        .ok_or_else(|| BundleError::Missing("quartieri GeoJSON".into()))?;
    let geo_path = geo_file.mirror_path();
    let geo_text = text_of(files, &geo_path, geo_file.encoding, geo_file.file_name())?;
    let quartieri =
        geography::parse_quartieri_2014(&geo_text).map_err(|e| BundleError::Geography {
            file: geo_file.file_name().to_string(),
            message: e.to_string(),
        })?;
    for q in &quartieri {
        let code = quartiere_2014_code(q.number);
        areas.insert(
            code.clone(),
            AreaRecord {
                code,
                level: Level::Quartiere,
                boundaries: Boundaries::B2014,
                number: Some(i32::from(q.number)),
                name: q.name.clone(),
                slug: slugify(&q.name),
                parent: None,
                geometry: Some(geography::to_geojson_geometry(&q.geometry).to_string()),
                aliases: [normalize_alias(&q.name)].into(),
            },
        );
    }

    // 2016 quartieri: dissolved from their 2014 parts.
    let mut crosswalk = Vec::new();
    for spec in &catalog.quartieri_2016 {
        let slug = slugify(&spec.name);
        let code = quartiere_2016_code(&slug);
        let mut parts = Vec::new();
        for number in &spec.parts {
            let part = quartieri
                .iter()
                .find(|q| q.number == *number)
                .ok_or_else(|| {
                    content(
                        geo_file.file_name(),
                        format!("no quartiere {number}, needed for {}", spec.name),
                    )
                })?;
            parts.push(&part.geometry);
            crosswalk.push((quartiere_2014_code(*number), code.clone()));
        }
        let geometry = geography::dissolve(&parts, geography::MICRO_AREA_M2);
        let mut aliases: BTreeSet<String> =
            spec.aliases.iter().map(|a| normalize_alias(a)).collect();
        aliases.insert(normalize_alias(&spec.name));
        areas.insert(
            code.clone(),
            AreaRecord {
                code,
                level: Level::Quartiere,
                boundaries: Boundaries::B2016,
                number: None,
                name: spec.name.clone(),
                slug,
                parent: None,
                geometry: Some(geography::to_geojson_geometry(&geometry).to_string()),
                aliases,
            },
        );
    }

    let mut datasets = Vec::new();
    for spec in &catalog.datasets {
        let file = catalog
            .file(&spec.file)
            .ok_or_else(|| BundleError::Missing(spec.file.clone()))?;
        let source = catalog
            .source(&file.source)
            .ok_or_else(|| BundleError::Missing(file.source.clone()))?;
        let (sha256, _) = hashes
            .get(&spec.file)
            .ok_or_else(|| BundleError::Missing(spec.file.clone()))?;
        let text = text_of(files, &spec.file, file.encoding, file.file_name())?;
        let (variables, observations) = match file.format {
            FileFormat::WelfareTsv => welfare(catalog, spec, file.file_name(), &text, &mut areas)?,
            FileFormat::PopulationCsv => population(spec, file.file_name(), &text, &mut areas)?,
            other => {
                return Err(content(
                    file.file_name(),
                    format!("format {other:?} cannot feed a dataset yet"),
                ))
            }
        };
        datasets.push(DatasetRecord {
            slug: spec.slug.clone(),
            title_it: spec.title_it.clone(),
            title_en: spec.title_en.clone(),
            description_it: spec.description_it.clone(),
            description_en: spec.description_en.clone(),
            file_path: spec.file.clone(),
            origin_url: catalog.origin_url(file),
            sha256: sha256.clone(),
            format: format!("{}, {}", file.format.describe(), file.encoding.as_str()),
            licence: source.licence.clone(),
            licence_url: source.licence_url.clone(),
            attribution: source.attribution.clone(),
            boundaries: Boundaries::B2014,
            variables,
            observations,
        });
    }

    // Parents first: quartieri (2014, 2016), then zone.
    let mut areas: Vec<AreaRecord> = areas.into_values().collect();
    areas.sort_by_key(|a| (a.parent.is_some(), a.code.clone()));
    let files = hashes
        .iter()
        .map(|(path, (sha256, bytes))| FileRecord {
            path: path.clone(),
            sha256: sha256.clone(),
            bytes: *bytes,
        })
        .collect();
    Ok(Bundle {
        files,
        areas,
        crosswalk,
        datasets,
    })
}

fn text_of(
    files: &Files,
    path: &str,
    encoding: Encoding,
    name: &str,
) -> Result<String, BundleError> {
    let bytes = files
        .get(path)
        .ok_or_else(|| BundleError::Missing(path.to_string()))?;
    let encoding = match encoding {
        Encoding::Utf8 => TextEncoding::Utf8,
        Encoding::Latin1 | Encoding::Windows1252 => TextEncoding::Latin1,
    };
    Ok(parse::decode(bytes, encoding, name)?)
}

/// Check that a file's name for quartiere `number` is the one the GeoJSON
/// gives it, so a reordered file cannot attach numbers to the wrong area.
fn known_quartiere(
    areas: &mut BTreeMap<String, AreaRecord>,
    number: u8,
    names: &[&str],
    file: &str,
    line: usize,
) -> Result<String, BundleError> {
    let code = quartiere_2014_code(number);
    let area = areas.get_mut(&code).ok_or_else(|| {
        content(
            file,
            format!("row {line}: quartiere {number} is not in the boundaries file"),
        )
    })?;
    let official = normalize_alias(&area.name);
    if let Some(first) = names.first() {
        if normalize_alias(first) != official {
            return Err(content(
                file,
                format!("row {line}: quartiere {number} is named \"{first}\" here but \"{}\" in the boundaries file", area.name),
            ));
        }
    }
    for name in names {
        area.aliases.insert(normalize_alias(name));
    }
    Ok(code)
}

fn welfare(
    catalog: &Catalog,
    spec: &DatasetSpec,
    file: &str,
    text: &str,
    areas: &mut BTreeMap<String, AreaRecord>,
) -> Result<(Vec<VariableRecord>, Vec<ObservationRecord>), BundleError> {
    let year = spec.year.ok_or_else(|| {
        content(
            file,
            format!("dataset {} needs a year in the catalog", spec.slug),
        )
    })?;
    let table = parse::read_table(text, b'\t', file)?;
    let id_col = table.column("Id")?;
    let name_col = table.column("Nome")?;
    let long_name_col = table.column("Nome esteso")?;

    let mut variables = Vec::new();
    let mut columns = Vec::new(); // (column index, variable code)
    for (index, header) in table.headers.iter().enumerate() {
        if [id_col, name_col, long_name_col].contains(&index) {
            continue;
        }
        let variable = welfare_variable(catalog, spec, header).ok_or_else(|| {
            content(
                file,
                format!("column \"{header}\" is not in the catalog: add it before importing"),
            )
        })?;
        if variables
            .iter()
            .any(|v: &VariableRecord| v.code == variable.code)
        {
            return Err(content(file, format!("column \"{header}\" appears twice")));
        }
        columns.push((index, variable.code.clone()));
        variables.push(variable);
    }
    for required in ["totale", "popolazione"] {
        if !variables.iter().any(|v| v.code == required) {
            return Err(content(file, format!("no column for {required}")));
        }
    }

    let mut observations = Vec::new();
    for row in &table.rows {
        let id = table
            .number(row, id_col, NumberFormat::DecimalComma)?
            .filter(|n| n.fract() == 0.0 && (1.0..=9.0).contains(n))
            .ok_or_else(|| {
                content(
                    file,
                    format!(
                        "row {}, column \"Id\": expected a quartiere number 1-9",
                        row.line
                    ),
                )
            })?;
        let names = [row.cells[name_col].trim(), row.cells[long_name_col].trim()];
        let area = known_quartiere(areas, id as u8, &names, file, row.line)?;
        for (index, code) in &columns {
            let value = table.number(row, *index, NumberFormat::DecimalComma)?;
            observations.push(ObservationRecord {
                variable: code.clone(),
                area: area.clone(),
                year,
                value,
            });
        }
    }
    Ok((variables, observations))
}

fn welfare_variable(catalog: &Catalog, spec: &DatasetSpec, header: &str) -> Option<VariableRecord> {
    let count = |code: &str, group: &str, label_it: String, label_en: String, unit: String| {
        VariableRecord::count(code, header, group, label_it, label_en, unit)
    };
    if spec.total_column.as_deref() == Some(header) {
        return Some(count(
            "totale",
            "totals",
            format!("Totale {}", spec.unit_it),
            format!("Total {}", spec.unit_en),
            spec.unit_it.clone(),
        ));
    }
    if spec.rate_column.as_deref() == Some(header) {
        return Some(VariableRecord {
            kind: VariableKind::Rate,
            note_it: Some(PUBLISHED_RATE_NOTE_IT.into()),
            note_en: Some(PUBLISHED_RATE_NOTE_EN.into()),
            ..count(
                "per-residente-pubblicato",
                "rates",
                format!("{} per residente (pubblicato)", capitalised(&spec.unit_it)),
                format!("{} per resident (as published)", capitalised(&spec.unit_en)),
                "rapporto".into(),
            )
        });
    }
    if spec.share_column.as_deref() == Some(header) {
        return Some(VariableRecord {
            kind: VariableKind::Rate,
            numerator: Some("totale".into()),
            denominator: Some("totale".into()),
            denominator_scope: Some("city".into()),
            ..count(
                "quota-sul-totale",
                "rates",
                "Quota sul totale cittadino (pubblicata)".into(),
                "Share of the city total (as published)".into(),
                "rapporto".into(),
            )
        });
    }
    let column = catalog.column(header)?;
    Some(count(
        &column.code,
        &column.group,
        column.label_it.clone(),
        column.label_en.clone(),
        column.unit.clone().unwrap_or_else(|| spec.unit_it.clone()),
    ))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn population(
    spec: &DatasetSpec,
    file: &str,
    text: &str,
    areas: &mut BTreeMap<String, AreaRecord>,
) -> Result<(Vec<VariableRecord>, Vec<ObservationRecord>), BundleError> {
    let single = spec.variable.as_ref().ok_or_else(|| {
        content(
            file,
            format!("dataset {} needs its variable in the catalog", spec.slug),
        )
    })?;
    let variable = VariableRecord::count(
        &single.code,
        "",
        "totals",
        single.label_it.clone(),
        single.label_en.clone(),
        spec.unit_it.clone(),
    );
    let mut observations = Vec::new();
    for row in parse::parse_population(text, file)? {
        let area = match &row.area {
            PopulationArea::Quartiere { number, name } => {
                known_quartiere(areas, *number, &[name], file, row.line)?
            }
            PopulationArea::Zona {
                number,
                name,
                quartiere,
                ..
            } => {
                let code = zona_code(*number);
                let parent = quartiere_2014_code(*quartiere);
                if !areas.contains_key(&parent) {
                    return Err(content(
                        file,
                        format!(
                            "row {}: zona {number} names unknown quartiere {quartiere}",
                            row.line
                        ),
                    ));
                }
                let entry = areas.entry(code.clone()).or_insert_with(|| AreaRecord {
                    code: code.clone(),
                    level: Level::Zona,
                    boundaries: Boundaries::B2014,
                    number: Some(i32::from(*number)),
                    name: name.clone(),
                    slug: slugify(name),
                    parent: Some(parent.clone()),
                    geometry: None,
                    aliases: BTreeSet::new(),
                });
                if entry.parent.as_deref() != Some(parent.as_str()) {
                    return Err(content(
                        file,
                        format!(
                            "row {}: zona {number} moved to quartiere {quartiere}",
                            row.line
                        ),
                    ));
                }
                entry.aliases.insert(normalize_alias(name));
                code
            }
            // Not an area: said in the dataset's description.
            PopulationArea::NoFixedAbode => continue,
        };
        for (year, value) in &row.values {
            observations.push(ObservationRecord {
                variable: variable.code.clone(),
                area: area.clone(),
                year: *year,
                value: *value,
            });
        }
    }
    Ok((vec![variable], observations))
}
