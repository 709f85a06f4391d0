//! The domain's vocabulary: boundary sets, levels, datasets, variables,
//! areas and observations, as the store returns them and the API shows them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Which quartieri: the 9 in force until 2016 or the 6 since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Boundaries {
    #[serde(rename = "2014")]
    B2014,
    #[serde(rename = "2016")]
    B2016,
}

impl Boundaries {
    /// The set of a year: 2014 is the nine quartieri, any other the six of 2016.
    pub const fn of_year(year: u16) -> Self {
        if year == 2014 {
            Boundaries::B2014
        } else {
            Boundaries::B2016
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Boundaries::B2014 => "2014",
            Boundaries::B2016 => "2016",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "2014" => Some(Boundaries::B2014),
            "2016" => Some(Boundaries::B2016),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Quartiere,
    Zona,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Quartiere => "quartiere",
            Level::Zona => "zona",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "quartiere" => Some(Level::Quartiere),
            "zona" => Some(Level::Zona),
            _ => None,
        }
    }
}

/// Only counts may be summed across areas; rates are recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    Count,
    Rate,
}

impl VariableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VariableKind::Count => "count",
            VariableKind::Rate => "rate",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "count" => Some(VariableKind::Count),
            "rate" => Some(VariableKind::Rate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Dataset {
    #[serde(skip)]
    pub id: i64,
    pub slug: String,
    pub title_it: String,
    pub title_en: String,
    pub description_it: String,
    pub description_en: String,
    /// Relative path in the origin/mirror layout.
    pub file_path: String,
    pub origin_url: String,
    pub sha256: String,
    pub format: String,
    pub licence: String,
    pub licence_url: String,
    pub attribution: String,
    /// The boundary set the source data is published on.
    pub boundaries: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Variable {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    /// The header of the column it was read from.
    pub column_name: String,
    pub label_it: String,
    pub label_en: String,
    /// totals, rates, gender, target, citizenship, age, need, channel, status.
    pub group: String,
    pub unit: String,
    pub kind: VariableKind,
    /// For a rate: the count it divides...
    pub numerator: Option<String>,
    /// ...and what by.
    pub denominator: Option<String>,
    /// `area`: the denominator is the area's own; `city`: the sum over all areas.
    pub denominator_scope: Option<String>,
    pub note_it: Option<String>,
    pub note_en: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    pub id: i64,
    pub code: String,
    pub level: Level,
    pub boundaries: Boundaries,
    pub number: Option<i32>,
    pub name: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    /// GeoJSON geometry (CRS84) as text.
    pub geometry: Option<String>,
}

/// One stored value; `None` is "not reported", never zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub variable_id: i64,
    pub area_id: i64,
    pub year: i32,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceFile {
    pub path: String,
    pub sha256: String,
    pub bytes: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
}
