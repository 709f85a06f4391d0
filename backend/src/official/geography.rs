//! Geography of Bologna's quartieri.
//!
//! The 2014 open-welfare data is organised by the nine quartieri of 2014; since
//! 2016 the city has six, each the union of one or two old ones. This module
//! reads the 2014 boundaries (GeoJSON, CRS84 lon/lat), dissolves them into the
//! 2016 ones and (de)serialises geometries for storage. It is pure: no I/O.
//!
//! The 2014 polygons do not share their border vertices exactly, so a plain
//! union leaves microscopic holes along internal borders (Borgo Panigale +
//! Reno: one of 0.02 m²; all nine: three, the largest 0.021 m²);
//! [`dissolve`] drops holes and slivers smaller than [`MICRO_AREA_M2`].

use std::collections::BTreeMap;

use geo::orient::Direction;
use geo::{
    unary_union, Contains, Coord, GeodesicArea, LineString, MultiPolygon, Orient, Point, Polygon,
    Validation,
};

/// Why a GeoJSON text could not be turned into geometries.
///
/// `index` is the 0-based position of the feature in the `features` array.
#[derive(Debug, thiserror::Error)]
pub enum GeographyError {
    #[error("invalid JSON: {0}")]
    InvalidJson(#[from] serde_json::Error),
    #[error("not a FeatureCollection: {0}")]
    NotFeatureCollection(String),
    #[error("feature {index}: {problem}")]
    Feature { index: usize, problem: String },
    #[error("expected 9 quartieri, found {found}; missing NUMQUART {missing:?}")]
    MissingQuartieri { found: usize, missing: Vec<u8> },
    #[error("invalid geometry: {0}")]
    InvalidGeometry(String),
}

/// One 2014 quartiere as read from the GeoJSON.
#[derive(Debug, Clone)]
pub struct Quartiere2014 {
    pub number: u8,
    pub name: String,
    pub geometry: MultiPolygon<f64>,
}

/// Holes and slivers below this area (m²) are artefacts of the 2014 data and
/// are removed by the importer.
///
/// The largest artefact measured on the 2014 file is 0.021 m², the smallest
/// quartiere (Porto) is 3.7 km², and coordinates are stored to ~1 cm: 1 m² is
/// 50 times the largest artefact and far below anything real, so it removes
/// all of them and nothing else.
pub const MICRO_AREA_M2: f64 = 1.0;

/// Number of quartieri in 2014.
const QUARTIERI_2014: u8 = 9;

/// Parse the quartieri GeoJSON text.
///
/// Validates: FeatureCollection, each feature has integer-valued `NUMQUART` in
/// 1..=9 (1.0 is accepted as 1), non-empty `NOMEQUART` string, a valid Polygon
/// or MultiPolygon geometry, no duplicate numbers, exactly 9 features.
/// Returns them sorted by number.
pub fn parse_quartieri_2014(geojson_text: &str) -> Result<Vec<Quartiere2014>, GeographyError> {
    let root: serde_json::Value = serde_json::from_str(geojson_text)?;
    let serde_json::Value::Object(mut root) = root else {
        return Err(GeographyError::NotFeatureCollection(
            "top-level value is not an object".into(),
        ));
    };
    match root.get("type").and_then(serde_json::Value::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(GeographyError::NotFeatureCollection(format!(
                "type is {other:?}"
            )))
        }
        None => {
            return Err(GeographyError::NotFeatureCollection(
                "member \"type\" missing or not a string".into(),
            ))
        }
    }
    let Some(serde_json::Value::Array(features)) = root.remove("features") else {
        return Err(GeographyError::NotFeatureCollection(
            "member \"features\" missing or not an array".into(),
        ));
    };

    let mut by_number: BTreeMap<u8, (usize, Quartiere2014)> = BTreeMap::new();
    for (index, feature) in features.into_iter().enumerate() {
        let quartiere =
            parse_feature(feature).map_err(|problem| GeographyError::Feature { index, problem })?;
        if let Some((first, _)) = by_number.get(&quartiere.number) {
            return Err(GeographyError::Feature {
                index,
                problem: format!(
                    "duplicate NUMQUART {} (already used by feature {first})",
                    quartiere.number
                ),
            });
        }
        by_number.insert(quartiere.number, (index, quartiere));
    }
    if by_number.len() != usize::from(QUARTIERI_2014) {
        let missing = (1..=QUARTIERI_2014)
            .filter(|n| !by_number.contains_key(n))
            .collect();
        return Err(GeographyError::MissingQuartieri {
            found: by_number.len(),
            missing,
        });
    }
    Ok(by_number.into_values().map(|(_, q)| q).collect())
}

/// One feature; the error is the problem without the feature index.
fn parse_feature(feature: serde_json::Value) -> Result<Quartiere2014, String> {
    let feature = geojson::Feature::from_json_value(feature).map_err(|e| e.to_string())?;
    let property = |name: &str| {
        feature
            .properties
            .as_ref()
            .and_then(|p| p.get(name))
            .ok_or_else(|| format!("property {name} missing"))
    };

    let number = property("NUMQUART")?;
    let number = number
        .as_f64()
        .ok_or_else(|| format!("property NUMQUART is {number}, expected a number"))?;
    if number.fract() != 0.0 || !(1.0..=f64::from(QUARTIERI_2014)).contains(&number) {
        return Err(format!(
            "property NUMQUART is {number}, expected an integer in 1..={QUARTIERI_2014}"
        ));
    }
    // In range and integer-valued, so the cast is exact.
    let number = number as u8;

    let name = property("NOMEQUART")?;
    let name = name
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("property NOMEQUART is {name}, expected a non-empty string"))?
        .to_owned();

    let geometry = feature.geometry.as_ref().ok_or("geometry missing")?;
    let geometry = multi_polygon_from_value(&geometry.value)?;
    geometry
        .check_validation()
        .map_err(|e| format!("invalid geometry: {e}"))?;

    Ok(Quartiere2014 {
        number,
        name,
        geometry,
    })
}

/// Convert a GeoJSON Polygon or MultiPolygon, checking only its structure.
fn multi_polygon_from_value(value: &geojson::Value) -> Result<MultiPolygon<f64>, String> {
    let polygons = match value {
        geojson::Value::Polygon(rings) => vec![polygon_from_rings(rings)?],
        geojson::Value::MultiPolygon(polygons) => polygons
            .iter()
            .enumerate()
            .map(|(i, rings)| polygon_from_rings(rings).map_err(|e| format!("polygon {i}: {e}")))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "geometry is {}, expected Polygon or MultiPolygon",
                other.type_name()
            ))
        }
    };
    Ok(MultiPolygon::new(polygons))
}

fn polygon_from_rings(rings: &[Vec<geojson::Position>]) -> Result<Polygon<f64>, String> {
    let mut rings = rings.iter().enumerate().map(|(i, ring)| {
        if ring.len() < 4 {
            return Err(format!(
                "ring {i} has {} positions, at least 4 needed",
                ring.len()
            ));
        }
        ring.iter()
            .map(|position| match position.as_slice() {
                [x, y, ..] if x.is_finite() && y.is_finite() => Ok(Coord { x: *x, y: *y }),
                _ => Err(format!("ring {i}: bad position {position:?}")),
            })
            .collect::<Result<LineString<f64>, _>>()
    });
    let exterior = rings.next().ok_or("polygon has no rings")??;
    let interiors = rings.collect::<Result<_, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

/// Union of the parts, cleaned of holes and slivers smaller than `min_area_m2`.
///
/// Parts are lon/lat geometries that may touch or overlap. Polygons of the
/// union smaller than `min_area_m2` are dropped as well, so parts that are all
/// smaller than the tolerance dissolve into an empty geometry.
pub fn dissolve(parts: &[&MultiPolygon<f64>], min_area_m2: f64) -> MultiPolygon<f64> {
    // unary_union rather than folding BooleanOps::union: on this data the
    // fold leaves many more micro-holes (all nine: 88 instead of 3; Porto +
    // Saragozza: 11 instead of 0). Snapping to a grid was not needed.
    // unary_union picks its fill rule from the winding of the first ring, so
    // every ring must follow the same convention.
    let oriented: Vec<Polygon<f64>> = parts
        .iter()
        .flat_map(|part| part.iter())
        .map(|polygon| polygon.orient(Direction::Default))
        .collect();
    let union = unary_union(&oriented);
    remove_micro_areas(union, min_area_m2)
}

/// Drop interior rings and whole polygons whose area is below `min_area_m2`.
fn remove_micro_areas(geometry: MultiPolygon<f64>, min_area_m2: f64) -> MultiPolygon<f64> {
    geometry
        .into_iter()
        .filter_map(|polygon| {
            let (exterior, interiors) = polygon.into_inner();
            if ring_area_m2(&exterior) < min_area_m2 {
                return None;
            }
            let interiors = interiors
                .into_iter()
                .filter(|ring| ring_area_m2(ring) >= min_area_m2)
                .collect();
            Some(Polygon::new(exterior, interiors))
        })
        .collect()
}

/// Area in m² enclosed by one lon/lat ring, whatever its winding.
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    Polygon::new(ring.clone(), vec![])
        .geodesic_area_signed()
        .abs()
}

/// Area in square metres of a lon/lat geometry (geodesic, on the WGS84
/// ellipsoid). Polygons are assumed not to overlap.
pub fn area_m2(geometry: &MultiPolygon<f64>) -> f64 {
    // Signed, then abs: the unsigned variant assumes counter-clockwise
    // exteriors and reports the rest of the Earth for clockwise ones.
    geometry
        .iter()
        .map(|polygon| polygon.geodesic_area_signed().abs())
        .sum()
}

/// Decimal places kept by [`to_geojson_geometry`]: 1e-7 degrees is about 1 cm.
const DECIMALS: i32 = 7;

/// Serialise a geometry as a GeoJSON MultiPolygon geometry object, coordinates
/// rounded to 7 decimals (~1 cm) to keep the text small.
pub fn to_geojson_geometry(geometry: &MultiPolygon<f64>) -> serde_json::Value {
    let scale = 10f64.powi(DECIMALS);
    let round = |v: f64| (v * scale).round() / scale;
    let ring = |ring: &LineString<f64>| -> Vec<[f64; 2]> {
        ring.coords().map(|c| [round(c.x), round(c.y)]).collect()
    };
    let coordinates: Vec<Vec<Vec<[f64; 2]>>> = geometry
        .iter()
        .map(|polygon| {
            std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .map(ring)
                .collect()
        })
        .collect();
    serde_json::json!({ "type": "MultiPolygon", "coordinates": coordinates })
}

/// Parse back a GeoJSON geometry object (Polygon or MultiPolygon) stored as
/// text. Only the structure is checked, not OGC validity.
pub fn from_geojson_geometry(text: &str) -> Result<MultiPolygon<f64>, GeographyError> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let geometry = geojson::Geometry::from_json_value(value)
        .map_err(|e| GeographyError::InvalidGeometry(e.to_string()))?;
    multi_polygon_from_value(&geometry.value).map_err(GeographyError::InvalidGeometry)
}

/// Whether a lon/lat point lies inside the geometry. Points exactly on the
/// boundary are not inside.
pub fn contains_point(geometry: &MultiPolygon<f64>, lon: f64, lat: f64) -> bool {
    geometry.contains(&Point::new(lon, lat))
}

/// The real boundaries file and the 2016 groups, shared by the tests of
/// this module and of `cartography`.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::{parse_quartieri_2014, Quartiere2014};

    // backend/../../shared is the shared folder beside the project; a missing file fails.
    pub const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/open-welfare-2014/geo/quartieri_bologna.json"
    );

    /// The 2016 quartieri as groups of 2014 numbers.
    pub const GROUPS_2016: [(&str, &[u8]); 6] = [
        ("Borgo Panigale-Reno", &[1, 4]),
        ("Navile", &[2]),
        ("Porto-Saragozza", &[3, 8]),
        ("San Donato-San Vitale", &[5, 7]),
        ("Santo Stefano", &[6]),
        ("Savena", &[9]),
    ];

    pub fn data_text() -> String {
        std::fs::read_to_string(DATA)
            .unwrap_or_else(|e| panic!("test data {DATA} must be present: {e}"))
    }

    pub fn quartieri() -> Vec<Quartiere2014> {
        parse_quartieri_2014(&data_text()).expect("the quartieri file parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::BooleanOps;
    use serde_json::json;

    use super::fixtures::{data_text, quartieri, GROUPS_2016};

    fn parts<'a>(quartieri: &'a [Quartiere2014], numbers: &[u8]) -> Vec<&'a MultiPolygon<f64>> {
        numbers
            .iter()
            .map(|n| &quartieri.iter().find(|q| q.number == *n).unwrap().geometry)
            .collect()
    }

    fn interiors(geometry: &MultiPolygon<f64>) -> usize {
        geometry.iter().map(|p| p.interiors().len()).sum()
    }

    #[test]
    fn parses_the_real_file() {
        let quartieri = quartieri();
        let numbers: Vec<u8> = quartieri.iter().map(|q| q.number).collect();
        assert_eq!(numbers, (1..=9).collect::<Vec<u8>>());
        let names: Vec<&str> = quartieri.iter().map(|q| q.name.as_str()).collect();
        assert!(names.contains(&"Navile"), "{names:?}");
        assert!(names.contains(&"San Donato"), "{names:?}");
        for q in &quartieri {
            assert!(!q.geometry.0.is_empty(), "{} has no polygons", q.name);
            for polygon in &q.geometry {
                assert!(
                    polygon.is_valid(),
                    "{}: {:?}",
                    q.name,
                    polygon.check_validation()
                );
            }
        }
    }

    #[test]
    fn areas_match_the_file_attribute() {
        // AREA was computed by the publisher in a projected CRS; agreement
        // within 0.1 % shows area_m2 works in m² on lon/lat.
        let json: serde_json::Value = serde_json::from_str(&data_text()).unwrap();
        let quartieri = quartieri();
        for feature in json["features"].as_array().unwrap() {
            let number = feature["properties"]["NUMQUART"].as_f64().unwrap() as u8;
            let expected = feature["properties"]["AREA"].as_f64().unwrap();
            let q = quartieri.iter().find(|q| q.number == number).unwrap();
            let actual = area_m2(&q.geometry);
            assert!(
                (actual - expected).abs() / expected < 1e-3,
                "{}: {actual} m² vs AREA {expected}",
                q.name
            );
        }
    }

    #[test]
    fn plain_union_leaves_micro_holes_that_dissolve_removes() {
        let quartieri = quartieri();
        let [borgo, reno] = [&quartieri[0].geometry, &quartieri[3].geometry];
        let plain = borgo.union(reno);
        assert!(interiors(&plain) >= 1, "the trap is gone: {plain:?}");
        let uncleaned = dissolve(&[borgo, reno], 0.0);
        assert!(interiors(&uncleaned) >= 1);
        for polygon in plain.iter().chain(&uncleaned) {
            for hole in polygon.interiors() {
                assert!(ring_area_m2(hole) < MICRO_AREA_M2 / 10.0);
            }
        }

        let cleaned = dissolve(&[borgo, reno], MICRO_AREA_M2);
        assert_eq!(cleaned.0.len(), 1);
        assert_eq!(interiors(&cleaned), 0);
    }

    #[test]
    fn each_2016_quartiere_is_one_polygon_without_holes() {
        let quartieri = quartieri();
        for (name, numbers) in GROUPS_2016 {
            let parts = parts(&quartieri, numbers);
            let dissolved = dissolve(&parts, MICRO_AREA_M2);
            assert_eq!(dissolved.0.len(), 1, "{name}");
            assert_eq!(interiors(&dissolved), 0, "{name}");
            assert!(
                dissolved.is_valid(),
                "{name}: {:?}",
                dissolved.check_validation()
            );
            let sum: f64 = parts.iter().map(|p| area_m2(p)).sum();
            let area = area_m2(&dissolved);
            assert!((area - sum).abs() / sum < 1e-4, "{name}: {area} vs {sum}");
        }
    }

    #[test]
    fn all_nine_dissolve_into_bologna() {
        let quartieri = quartieri();
        let parts: Vec<&MultiPolygon<f64>> = quartieri.iter().map(|q| &q.geometry).collect();
        assert!(interiors(&dissolve(&parts, 0.0)) >= 1);
        let bologna = dissolve(&parts, MICRO_AREA_M2);
        assert_eq!(bologna.0.len(), 1);
        assert_eq!(interiors(&bologna), 0);
        let sum: f64 = parts.iter().map(|p| area_m2(p)).sum();
        let area = area_m2(&bologna);
        assert!((area - sum).abs() / sum < 1e-4, "{area} vs {sum}");
        assert!((138e6..143e6).contains(&area), "{area} m²");
    }

    #[test]
    fn dissolve_drops_small_slivers_and_holes_only() {
        // 0.001° squares near Bologna are about 80 m x 111 m.
        let square = |x: f64, y: f64, side: f64| {
            Polygon::new(
                LineString::from(vec![
                    (x, y),
                    (x + side, y),
                    (x + side, y + side),
                    (x, y + side),
                    (x, y),
                ]),
                vec![],
            )
        };
        let big = square(11.3, 44.5, 0.001);
        let tiny = square(11.4, 44.5, 1e-6); // ~0.009 m²
        let geometry = MultiPolygon::new(vec![big.clone(), tiny]);
        let dissolved = dissolve(&[&geometry], MICRO_AREA_M2);
        assert_eq!(dissolved.0.len(), 1);
        assert!((area_m2(&dissolved) - area_m2(&MultiPolygon::new(vec![big]))).abs() < 1e-3);

        let with_hole = Polygon::new(
            square(11.3, 44.5, 0.001).exterior().clone(),
            vec![square(11.3004, 44.5004, 0.0002).exterior().clone()],
        );
        let dissolved = dissolve(&[&MultiPolygon::new(vec![with_hole])], MICRO_AREA_M2);
        assert_eq!(interiors(&dissolved), 1, "a real hole must stay");
    }

    #[test]
    fn geojson_round_trip() {
        let quartieri = quartieri();
        let mut geometries: Vec<MultiPolygon<f64>> =
            quartieri.iter().map(|q| q.geometry.clone()).collect();
        for (_, numbers) in GROUPS_2016 {
            geometries.push(dissolve(&parts(&quartieri, numbers), MICRO_AREA_M2));
        }
        for original in &geometries {
            let text = to_geojson_geometry(original).to_string();
            let back = from_geojson_geometry(&text).unwrap();
            assert!(back.is_valid(), "{:?}", back.check_validation());
            assert_eq!(back.0.len(), original.0.len());
            for (a, b) in original.iter().zip(&back) {
                assert_eq!(a.interiors().len(), b.interiors().len());
                for (ra, rb) in std::iter::once(a.exterior())
                    .chain(a.interiors())
                    .zip(std::iter::once(b.exterior()).chain(b.interiors()))
                {
                    assert_eq!(ra.0.len(), rb.0.len());
                    for (ca, cb) in ra.coords().zip(rb.coords()) {
                        assert!((ca.x - cb.x).abs() <= 1e-7 && (ca.y - cb.y).abs() <= 1e-7);
                    }
                }
            }
        }
        // Rounded to 7 decimals, and a Polygon is accepted too.
        let value = to_geojson_geometry(&geometries[0]);
        let x = value["coordinates"][0][0][0][0].as_f64().unwrap();
        assert_eq!(x, (x * 1e7).round() / 1e7);
        let polygon = json!({"type": "Polygon", "coordinates": value["coordinates"][0]});
        let back = from_geojson_geometry(&polygon.to_string()).unwrap();
        assert_eq!(back.0.len(), 1);
    }

    #[test]
    fn from_geojson_geometry_rejects_bad_input() {
        let point = json!({"type": "Point", "coordinates": [11.3, 44.5]});
        let err = from_geojson_geometry(&point.to_string()).unwrap_err();
        assert!(err.to_string().contains("Point"), "{err}");
        let short =
            json!({"type": "Polygon", "coordinates": [[[11.3, 44.5], [11.4, 44.5], [11.3, 44.5]]]});
        let err = from_geojson_geometry(&short.to_string()).unwrap_err();
        assert!(err.to_string().contains("ring 0"), "{err}");
        assert!(from_geojson_geometry("{").is_err());
    }

    #[test]
    fn piazza_maggiore_is_in_exactly_one_quartiere() {
        let quartieri = quartieri();
        let in_which = |lon: f64, lat: f64| -> Vec<&str> {
            quartieri
                .iter()
                .filter(|q| contains_point(&q.geometry, lon, lat))
                .map(|q| q.name.as_str())
                .collect()
        };
        // The 2014 border between Saragozza and Santo Stefano crosses the
        // piazza: this point (west side) is a few metres inside Saragozza,
        // the middle of the piazza is in Santo Stefano.
        let (lon, lat) = (11.3426, 44.4939);
        assert_eq!(in_which(lon, lat), ["Saragozza"]);
        assert_eq!(in_which(11.3431, 44.4936), ["Santo Stefano"]);
        let porto_saragozza = dissolve(&parts(&quartieri, &[3, 8]), MICRO_AREA_M2);
        assert!(contains_point(&porto_saragozza, lon, lat));

        assert!(in_which(12.0, 45.0).is_empty());
    }

    /// Nine 0.01° squares in a row, a valid input.
    fn synthetic() -> serde_json::Value {
        let features: Vec<serde_json::Value> = (1..=9)
            .map(|n| {
                let x = 11.0 + f64::from(n) * 0.01;
                json!({
                    "type": "Feature",
                    "properties": {"NUMQUART": f64::from(n), "NOMEQUART": format!("Q{n}")},
                    "geometry": {"type": "Polygon", "coordinates": [[
                        [x, 44.5], [x + 0.01, 44.5], [x + 0.01, 44.51], [x, 44.51], [x, 44.5]
                    ]]}
                })
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }

    fn parse_error(json: &serde_json::Value) -> String {
        parse_quartieri_2014(&json.to_string())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn synthetic_input_parses() {
        let quartieri = parse_quartieri_2014(&synthetic().to_string()).unwrap();
        assert_eq!(quartieri.len(), 9);
        assert_eq!(quartieri[8].number, 9);
        assert_eq!(quartieri[8].name, "Q9");
    }

    #[test]
    fn invalid_json_is_an_error() {
        let err = parse_quartieri_2014("{\"type\": \"FeatureCollection\", ").unwrap_err();
        assert!(matches!(err, GeographyError::InvalidJson(_)), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn not_a_feature_collection_is_an_error() {
        let geometry = json!({"type": "Point", "coordinates": [11.3, 44.5]});
        let err = parse_error(&geometry);
        assert!(err.starts_with("not a FeatureCollection"), "{err}");
    }

    #[test]
    fn point_geometry_is_an_error() {
        let mut json = synthetic();
        json["features"][5]["geometry"] = json!({"type": "Point", "coordinates": [11.3, 44.5]});
        assert_eq!(
            parse_error(&json),
            "feature 5: geometry is Point, expected Polygon or MultiPolygon"
        );
    }

    #[test]
    fn missing_numquart_is_an_error() {
        let mut json = synthetic();
        json["features"][3]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("NUMQUART");
        assert_eq!(parse_error(&json), "feature 3: property NUMQUART missing");
    }

    #[test]
    fn duplicate_numquart_is_an_error() {
        let mut json = synthetic();
        json["features"][7]["properties"]["NUMQUART"] = json!(2);
        assert_eq!(
            parse_error(&json),
            "feature 7: duplicate NUMQUART 2 (already used by feature 1)"
        );
    }

    #[test]
    fn bad_numquart_and_names_are_errors() {
        for (bad, index) in [
            (json!(1.5), 0),
            (json!(10.0), 4),
            (json!(0), 8),
            (json!("3"), 2),
        ] {
            let mut json = synthetic();
            json["features"][index]["properties"]["NUMQUART"] = bad;
            let err = parse_error(&json);
            assert!(
                err.starts_with(&format!("feature {index}: property NUMQUART is")),
                "{err}"
            );
        }
        let mut json = synthetic();
        json["features"][6]["properties"]["NOMEQUART"] = json!("  ");
        assert!(parse_error(&json).starts_with("feature 6: property NOMEQUART"));
    }

    #[test]
    fn invalid_geometry_is_an_error() {
        let mut json = synthetic();
        // A bow tie: the ring crosses itself.
        json["features"][2]["geometry"]["coordinates"] = json!([[
            [11.0, 44.0],
            [11.1, 44.1],
            [11.1, 44.0],
            [11.0, 44.1],
            [11.0, 44.0]
        ]]);
        let err = parse_error(&json);
        assert!(err.starts_with("feature 2: invalid geometry"), "{err}");
    }

    #[test]
    fn missing_quartiere_is_an_error() {
        let mut json = synthetic();
        json["features"].as_array_mut().unwrap().remove(4);
        assert_eq!(
            parse_error(&json),
            "expected 9 quartieri, found 8; missing NUMQUART [5]"
        );
    }
}
