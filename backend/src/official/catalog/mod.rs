//! The catalog of official files and what they hold.
//!
//! The catalog is data (`official.toml`, embedded at build time), not code
//! branches: each file has its origin, sha256, format and encoding; each
//! dataset says which file it comes from and how its columns map to
//! variables. `parse` holds the pure parsers for the real formats.

pub mod parse;

use serde::Deserialize;
use std::collections::HashSet;

const OFFICIAL: &str = include_str!("official.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
    #[serde(rename = "file")]
    pub files: Vec<CatalogFile>,
    #[serde(rename = "dataset")]
    pub datasets: Vec<DatasetSpec>,
    #[serde(rename = "column")]
    pub columns: Vec<ColumnSpec>,
    #[serde(rename = "quartiere_2016")]
    pub quartieri_2016: Vec<Quartiere2016Spec>,
}

/// A publisher's repository: files live at `base_url + path`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub base_url: String,
    pub publisher: String,
    pub licence: String,
    pub licence_url: String,
    pub attribution: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileFormat {
    WelfareTsv,
    QuartieriGeojson,
    PopulationCsv,
    IncomeCsv,
    ShapefileZip,
    StreetCsv,
}

impl FileFormat {
    /// A short description for people (dataset pages, API).
    pub fn describe(self) -> &'static str {
        match self {
            FileFormat::WelfareTsv => "TSV (tab-separated), decimal comma",
            FileFormat::QuartieriGeojson => "GeoJSON (CRS84)",
            FileFormat::PopulationCsv => "CSV (semicolon-separated), thousands dot",
            FileFormat::IncomeCsv => "CSV (semicolon-separated), Latin-1",
            FileFormat::ShapefileZip => "ESRI shapefile in a zip (ED50 / UTM 32N)",
            FileFormat::StreetCsv => "CSV (semicolon-separated)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "latin-1")]
    Latin1,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Latin1 => "Latin-1",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub source: String,
    pub path: String,
    pub sha256: String,
    pub format: FileFormat,
    pub encoding: Encoding,
    /// Catalogued and verifiable, but only loaded when true.
    pub import: bool,
}

impl CatalogFile {
    /// The path relative to a mirror root: `<source id>/<path>`.
    pub fn mirror_path(&self) -> String {
        format!("{}/{}", self.source, self.path)
    }

    /// The file name, for messages.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    pub slug: String,
    /// Mirror path (`<source id>/<path>`) of the file it is read from.
    pub file: String,
    /// Reference year of a single-year file (the welfare files).
    pub year: Option<i32>,
    pub title_it: String,
    pub title_en: String,
    pub description_it: String,
    pub description_en: String,
    pub unit_it: String,
    pub unit_en: String,
    /// Welfare files: the columns with the total, the published rate per
    /// resident and the published share of the city total.
    pub total_column: Option<String>,
    pub rate_column: Option<String>,
    pub share_column: Option<String>,
    /// Population files: the one variable they hold.
    pub variable: Option<SingleVariable>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleVariable {
    pub code: String,
    pub label_it: String,
    pub label_en: String,
}

/// A column that may appear in a welfare file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub header: String,
    pub code: String,
    pub group: String,
    pub label_it: String,
    pub label_en: String,
    /// Defaults to the dataset's unit.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quartiere2016Spec {
    pub name: String,
    /// NUMQUART of the 2014 quartieri it was made of.
    pub parts: Vec<u8>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("catalog: {0}")]
pub struct CatalogError(String);

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn official() -> Result<Self, CatalogError> {
        Self::from_toml(OFFICIAL)
    }

    pub fn from_toml(text: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog = toml::from_str(text).map_err(|e| CatalogError(e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let mut paths = HashSet::new();
        for file in &self.files {
            if !self.sources.iter().any(|s| s.id == file.source) {
                return Err(CatalogError(format!(
                    "file {} names unknown source {}",
                    file.path, file.source
                )));
            }
            if file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(CatalogError(format!(
                    "file {}: sha256 must be 64 hex digits",
                    file.path
                )));
            }
            if !paths.insert(file.mirror_path()) {
                return Err(CatalogError(format!("file {} listed twice", file.path)));
            }
        }
        let mut slugs = HashSet::new();
        for dataset in &self.datasets {
            if !slugs.insert(dataset.slug.as_str()) {
                return Err(CatalogError(format!(
                    "dataset {} listed twice",
                    dataset.slug
                )));
            }
            let file = self.file(&dataset.file).ok_or_else(|| {
                CatalogError(format!(
                    "dataset {} reads unknown file {}",
                    dataset.slug, dataset.file
                ))
            })?;
            if !file.import {
                return Err(CatalogError(format!(
                    "dataset {} reads {} which is not imported",
                    dataset.slug, dataset.file
                )));
            }
        }
        let mut codes = HashSet::new();
        for column in &self.columns {
            if !codes.insert(column.code.as_str()) {
                return Err(CatalogError(format!(
                    "column code {} used twice",
                    column.code
                )));
            }
        }
        let mut parts: Vec<u8> = self
            .quartieri_2016
            .iter()
            .flat_map(|q| q.parts.iter().copied())
            .collect();
        parts.sort_unstable();
        if parts != (1..=9).collect::<Vec<u8>>() {
            return Err(CatalogError(
                "the 2016 quartieri must use each 2014 quartiere 1..9 exactly once".into(),
            ));
        }
        Ok(())
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// A file by its mirror path (`<source id>/<path>`).
    pub fn file(&self, mirror_path: &str) -> Option<&CatalogFile> {
        self.files.iter().find(|f| f.mirror_path() == mirror_path)
    }

    pub fn column(&self, header: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.header == header)
    }

    /// The origin URL of a file.
    pub fn origin_url(&self, file: &CatalogFile) -> String {
        let base = self
            .source(&file.source)
            .map(|s| s.base_url.as_str())
            .unwrap_or_default();
        join_url(base, &file.path)
    }

    /// Files that `import` loads.
    pub fn imported_files(&self) -> impl Iterator<Item = &CatalogFile> {
        self.files.iter().filter(|f| f.import)
    }
}

/// Join a base URL and a relative path, percent-encoding the path segments
/// (the official file names contain spaces).
pub fn join_url(base: &str, path: &str) -> String {
    let mut out = base.trim_end_matches('/').to_string();
    for segment in path.split('/') {
        out.push('/');
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_catalog_is_valid_and_complete() {
        let catalog = Catalog::official().expect("embedded catalog parses");
        assert_eq!(
            catalog.files.len(),
            12,
            "every file of shared/data/README.md is catalogued"
        );
        assert_eq!(catalog.imported_files().count(), 6);
        assert_eq!(catalog.datasets.len(), 5);
        assert_eq!(catalog.quartieri_2016.len(), 6);
    }

    #[test]
    fn origin_urls_are_percent_encoded() {
        let catalog = Catalog::official().unwrap();
        let file = catalog
            .file("comune-bologna-2012/file/dataset/Aree Statistiche.zip")
            .unwrap();
        assert_eq!(
            catalog.origin_url(file),
            "https://raw.githubusercontent.com/daticomunebologna/opendata/e39b028bc44c0ade0bd8286c9fff637fa39d9ad5/file/dataset/Aree%20Statistiche.zip"
        );
    }

    #[test]
    fn validation_rejects_a_bad_hash_and_a_missing_part() {
        let bad_hash = OFFICIAL.replacen(
            "7719294b5df3b6de5a2f2ad8e73aa01667964cc80296198908a821aa86e139b4",
            "xyz",
            1,
        );
        let err = Catalog::from_toml(&bad_hash).unwrap_err().to_string();
        assert!(err.contains("sha256 must be 64 hex digits"), "{err}");

        let missing = OFFICIAL.replacen("parts = [1, 4]", "parts = [1]", 1);
        let err = Catalog::from_toml(&missing).unwrap_err().to_string();
        assert!(err.contains("exactly once"), "{err}");
    }
}
