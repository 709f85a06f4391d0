//! The numbers the API and the pages show: one variable on a boundary set,
//! with its population, a rate per 1,000 residents and the share of the
//! city total, aggregated to the 2016 quartieri where asked.
//!
//! Pure: the caller loads the observations, this computes. The rules:
//! counts are summed across the parts of a merged area; a rate is
//! recomputed from summed numerators and denominators when the catalog
//! defines them, and is otherwise null with the reason; a part that was not
//! reported makes the merged value null ("incomplete"), never a partial sum.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::official::model::{Area, Observation, Variable, VariableKind};

/// An area shown, and the stored areas whose values make it up.
#[derive(Debug, Clone)]
pub struct Target {
    pub area: Area,
    /// Itself for a stored area; its 2014 parts for a 2016 quartiere.
    pub parts: Vec<Area>,
}

/// What the computation reads, all for the stored (2014) areas.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub values: Vec<Observation>,
    /// The dataset's own population (its `popolazione` variable), if any.
    pub population: Vec<Observation>,
    /// For a rate with a definition: its numerator's observations...
    pub numerator: Vec<Observation>,
    /// ...and its denominator's.
    pub denominator: Vec<Observation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteCode {
    /// The source left the cell empty.
    NotReported,
    /// A merged value with at least one part not reported.
    Incomplete,
    /// A published rate whose method is unknown cannot be recomputed.
    NotRecomputable,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Note {
    pub code: NoteCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Row {
    pub area_code: String,
    pub area_name: String,
    pub area_slug: String,
    pub year: i32,
    /// The variable's value; null when not reported or not computable (see `note`).
    pub value: Option<f64>,
    /// Residents, from the dataset's own population column.
    pub population: Option<f64>,
    /// value / population × 1,000 (counts only).
    pub per_1000: Option<f64>,
    /// value / sum of all areas' values (counts only).
    pub share: Option<f64>,
    /// Codes of the stored areas summed into this one.
    pub parts: Vec<String>,
    pub note: Option<Note>,
}

type ByAreaYear = HashMap<(i64, i32), Option<f64>>;

fn index(observations: &[Observation]) -> ByAreaYear {
    observations
        .iter()
        .map(|o| ((o.area_id, o.year), o.value))
        .collect()
}

/// Sum over parts; Err with the names of the parts not reported.
fn sum(parts: &[Area], year: i32, values: &ByAreaYear) -> Result<f64, Vec<String>> {
    let mut total = 0.0;
    let mut missing = Vec::new();
    for part in parts {
        match values.get(&(part.id, year)).copied().flatten() {
            Some(v) => total += v,
            None => missing.push(part.name.clone()),
        }
    }
    if missing.is_empty() {
        Ok(total)
    } else {
        Err(missing)
    }
}

fn missing_note(merged: bool, missing: &[String]) -> Note {
    if merged {
        Note {
            code: NoteCode::Incomplete,
            message: format!(
                "not reported for {}: a partial sum is not shown",
                missing.join(", ")
            ),
        }
    } else {
        Note {
            code: NoteCode::NotReported,
            message: "not reported in the source".into(),
        }
    }
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| numerator / denominator)
}

/// Compute the rows for `targets`, for every year present in the inputs.
pub fn compute(variable: &Variable, targets: &[Target], inputs: &Inputs) -> Vec<Row> {
    let values = index(&inputs.values);
    let population = index(&inputs.population);
    let numerator = index(&inputs.numerator);
    let denominator = index(&inputs.denominator);
    let years: BTreeSet<i32> = inputs.values.iter().map(|o| o.year).collect();
    let all_parts: Vec<Area> = targets
        .iter()
        .flat_map(|t| t.parts.iter().cloned())
        .collect();

    let mut rows = Vec::new();
    for year in years {
        let city_total = sum(&all_parts, year, &values).ok();
        let city_numerator = sum(&all_parts, year, &numerator).ok();
        for target in targets {
            let merged = target.parts.len() > 1;
            let mut note = None;
            let value = match variable.kind {
                VariableKind::Count => match sum(&target.parts, year, &values) {
                    Ok(v) => Some(v),
                    Err(missing) => {
                        note = Some(missing_note(merged, &missing));
                        None
                    }
                },
                VariableKind::Rate if !merged => {
                    match values.get(&(target.parts[0].id, year)).copied().flatten() {
                        Some(v) => Some(v),
                        None => {
                            note = Some(missing_note(false, &[]));
                            None
                        }
                    }
                }
                VariableKind::Rate => {
                    match (&variable.numerator, variable.denominator_scope.as_deref()) {
                        (Some(_), Some("city")) => {
                            match (sum(&target.parts, year, &numerator), city_numerator) {
                                (Ok(n), Some(d)) => ratio(n, d),
                                _ => {
                                    note = Some(missing_note(
                                        true,
                                        &["one or more areas".to_string()],
                                    ));
                                    None
                                }
                            }
                        }
                        (Some(_), Some("area")) => {
                            match (
                                sum(&target.parts, year, &numerator),
                                sum(&target.parts, year, &denominator),
                            ) {
                                (Ok(n), Ok(d)) => ratio(n, d),
                                (Err(missing), _) | (_, Err(missing)) => {
                                    note = Some(missing_note(true, &missing));
                                    None
                                }
                            }
                        }
                        _ => {
                            note = Some(Note {
                            code: NoteCode::NotRecomputable,
                            message: "a published rate with no documented formula cannot be recomputed for a merged \
                                      area, and averaging rates would be wrong; use per_1000"
                                .into(),
                        });
                            None
                        }
                    }
                }
            };
            let pop = sum(&target.parts, year, &population).ok();
            let (per_1000, share) = match (variable.kind, value) {
                (VariableKind::Count, Some(v)) => (
                    pop.and_then(|p| ratio(v * 1000.0, p)),
                    city_total.and_then(|t| ratio(v, t)),
                ),
                _ => (None, None),
            };
            rows.push(Row {
                area_code: target.area.code.clone(),
                area_name: target.area.name.clone(),
                area_slug: target.area.slug.clone(),
                year,
                value,
                population: pop,
                per_1000,
                share,
                parts: target.parts.iter().map(|p| p.code.clone()).collect(),
                note,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::official::model::{Boundaries, Level};

    fn area(id: i64, name: &str) -> Area {
        Area {
            id,
            code: format!("a{id}"),
            level: Level::Quartiere,
            boundaries: Boundaries::B2014,
            number: Some(id as i32),
            name: name.into(),
            slug: name.to_lowercase(),
            parent_id: None,
            geometry: None,
        }
    }

    fn variable(kind: VariableKind, numerator: Option<&str>, scope: Option<&str>) -> Variable {
        Variable {
            id: 1,
            code: "v".into(),
            column_name: "V".into(),
            label_it: "V".into(),
            label_en: "V".into(),
            group: "totals".into(),
            unit: "u".into(),
            kind,
            numerator: numerator.map(Into::into),
            denominator: numerator.map(Into::into),
            denominator_scope: scope.map(Into::into),
            note_it: None,
            note_en: None,
        }
    }

    fn obs(values: &[(i64, Option<f64>)]) -> Vec<Observation> {
        values
            .iter()
            .map(|&(area_id, value)| Observation {
                variable_id: 1,
                area_id,
                year: 2014,
                value,
            })
            .collect()
    }

    #[test]
    fn counts_sum_and_rates_are_recomputed_from_sums() {
        let (a, b, c) = (area(1, "A"), area(2, "B"), area(3, "C"));
        let targets = vec![
            Target {
                area: area(10, "AB"),
                parts: vec![a.clone(), b.clone()],
            },
            Target {
                area: area(11, "C"),
                parts: vec![c.clone()],
            },
        ];
        let inputs = Inputs {
            values: obs(&[(1, Some(10.0)), (2, Some(30.0)), (3, Some(60.0))]),
            population: obs(&[(1, Some(100.0)), (2, Some(300.0)), (3, Some(600.0))]),
            ..Inputs::default()
        };
        let rows = compute(
            &variable(VariableKind::Count, None, None),
            &targets,
            &inputs,
        );
        assert_eq!(rows[0].value, Some(40.0));
        assert_eq!(rows[0].population, Some(400.0));
        assert_eq!(rows[0].per_1000, Some(100.0));
        assert_eq!(rows[0].share, Some(0.4));
        assert_eq!(rows[0].parts, vec!["a1", "a2"]);
        assert_eq!(rows[1].share, Some(0.6));
    }

    #[test]
    fn a_missing_part_makes_the_merged_value_null_never_a_partial_sum() {
        let targets = vec![Target {
            area: area(10, "AB"),
            parts: vec![area(1, "A"), area(2, "B")],
        }];
        let inputs = Inputs {
            values: obs(&[(1, Some(10.0)), (2, None)]),
            ..Inputs::default()
        };
        let rows = compute(
            &variable(VariableKind::Count, None, None),
            &targets,
            &inputs,
        );
        assert_eq!(rows[0].value, None);
        let note = rows[0].note.as_ref().expect("a note says why");
        assert_eq!(note.code, NoteCode::Incomplete);
        assert!(note.message.contains('B'), "{}", note.message);
    }

    /// A and B merged into AB; C on its own.
    fn merged_ab_and_c() -> Vec<Target> {
        vec![
            Target {
                area: area(10, "AB"),
                parts: vec![area(1, "A"), area(2, "B")],
            },
            Target {
                area: area(3, "C"),
                parts: vec![area(3, "C")],
            },
        ]
    }

    #[test]
    fn a_rate_without_formula_is_null_with_reason_when_merged_and_kept_when_not() {
        let targets = merged_ab_and_c();
        let inputs = Inputs {
            values: obs(&[(1, Some(0.1)), (2, Some(0.3)), (3, Some(0.2))]),
            ..Inputs::default()
        };
        let rows = compute(&variable(VariableKind::Rate, None, None), &targets, &inputs);
        assert_eq!(rows[0].value, None, "never an average");
        assert_eq!(
            rows[0].note.as_ref().map(|n| n.code),
            Some(NoteCode::NotRecomputable)
        );
        assert_eq!(rows[1].value, Some(0.2));
    }

    #[test]
    fn a_share_of_the_city_total_is_recomputed_from_summed_numerators() {
        let targets = merged_ab_and_c();
        let inputs = Inputs {
            values: obs(&[(1, Some(0.1)), (2, Some(0.3)), (3, Some(0.6))]),
            numerator: obs(&[(1, Some(10.0)), (2, Some(30.0)), (3, Some(60.0))]),
            ..Inputs::default()
        };
        let rows = compute(
            &variable(VariableKind::Rate, Some("totale"), Some("city")),
            &targets,
            &inputs,
        );
        assert_eq!(rows[0].value, Some(0.4));
        assert_eq!(
            rows[1].value,
            Some(0.6),
            "an unmerged area keeps the published value"
        );
    }
}
