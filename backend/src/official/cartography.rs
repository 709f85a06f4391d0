//! Map geometry for the server-rendered SVG choropleth of the quartieri.
//!
//! The home page draws the quartieri as SVG paths. The boundary files have
//! about 9,000 vertices (metre-level detail), far more than a 600-unit wide
//! map can show and too much text for the page budget, so [`build`] projects
//! and simplifies them once per boundary set.
//!
//! Simplifying each polygon on its own would move the two copies of a shared
//! border differently and open gaps and overlaps between neighbours. Here the
//! rings are cut into arcs at the junctions where neighbours meet or part,
//! as TopoJSON does; each arc is simplified once (Douglas-Peucker, arc ends
//! fixed) and both neighbours reuse the result, so shared borders stay shared.
//!
//! Pipeline: project (local equirectangular, north up) → quantize to
//! [`QUANTUM`] (exactly shared vertices stay identical) → copy the few
//! border vertices the data has on one side only onto the other side's edge
//! → split rings into arcs → simplify each distinct arc once → reassemble →
//! SVG path text with relative coordinates.
//!
//! The module is pure: no I/O, deterministic output.

/// Map width in SVG units; the height follows the city's shape.
pub const MAP_WIDTH: f64 = 600.0;
/// Simplification tolerance in SVG units (about 0.6 px at full width).
pub const MAP_TOLERANCE: f64 = 0.6;

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fmt::Write as _;

use geo::orient::Direction;
use geo::{CoordsIter, MultiPolygon, Orient};

/// Width (SVG units) the home page draws the map at.
pub const DEFAULT_WIDTH: f64 = 600.0;

/// Simplification tolerance (SVG units) recommended at [`DEFAULT_WIDTH`].
///
/// At width 600 one unit is about 28 m on the ground, so 0.6 units is about
/// 17 m, under a pixel at that width. On the Bologna quartieri it keeps under
/// 10 % of the vertices (2014: 9,171 → 875; 2016: 8,275 → 788), every area
/// within 0.3 % of its exact projected area, and writes 6.7 KB (2014) and
/// 6.0 KB (2016) of path text, a third of the 20 KB budget. Half of it (0.3)
/// would still fit: 9.1 KB, areas within 0.07 %.
pub const DEFAULT_TOLERANCE: f64 = 0.6;

/// Grid step (SVG units) coordinates are quantized to; paths are written
/// with one decimal, so quantizing first makes the written coordinates exact
/// and exactly shared vertices stay identical.
pub const QUANTUM: f64 = 0.1;

/// Quanta per SVG unit (1 / [`QUANTUM`]).
const QUANTA_PER_UNIT: f64 = 10.0;

/// Margin on each side of the map, as a fraction of the width (3 units at
/// width 600), so that strokes along the outer border are not clipped.
const MARGIN_FRACTION: f64 = 0.005;

/// How close (in quanta) a vertex present on one side of a border only must
/// be to the other side's edge to be copied onto it.
///
/// Such vertices lie on the neighbour's edge up to float noise, plus up to
/// ~0.7 quanta of rounding after quantization; 1.5 quanta (0.15 units, ~4 m
/// at width 600) catches them with room to spare and is far below the
/// tolerance.
const SNAP_QUANTA: f64 = 1.5;

/// A point on the quantized grid, in quanta: `(x, y)` with y pointing south.
type Pt = (i64, i64);

/// Local equirectangular projection centred on the data (x east, y south, in
/// SVG units), fitted to a width.
///
/// Longitudes are scaled by the cosine of the central latitude, which over a
/// city-sized area distorts distances by well under 0.1 %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Longitude and latitude (degrees) of the point drawn at `(x0, y0)`.
    lon0: f64,
    lat0: f64,
    /// SVG units per degree of longitude and of latitude.
    x_scale: f64,
    y_scale: f64,
    /// SVG position of `(lon0, lat0)`.
    x0: f64,
    y0: f64,
}

impl Projection {
    /// The projection as `[a, b, c, d]` with x = a + b·lon and y = c − d·lat,
    /// for the browser to place live markers the way the server does.
    pub fn affine(&self) -> [f64; 4] {
        [
            self.x0 - self.lon0 * self.x_scale,
            self.x_scale,
            self.y0 + self.lat0 * self.y_scale,
            self.y_scale,
        ]
    }

    /// lon/lat -> SVG (x, y).
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.x0 + (lon - self.lon0) * self.x_scale,
            self.y0 - (lat - self.lat0) * self.y_scale,
        )
    }

    /// Fit the lon/lat box to `width` (minus margins); returns the projection
    /// and the map height, rounded up to the quantum. `None` if the box has
    /// no width.
    fn fit(bounds: &Bounds, width: f64) -> Option<(Self, f64)> {
        let lon0 = (bounds.min_lon + bounds.max_lon) / 2.0;
        let lat0 = (bounds.min_lat + bounds.max_lat) / 2.0;
        let cos_lat = lat0.to_radians().cos();
        let extent_x = (bounds.max_lon - bounds.min_lon) * cos_lat;
        if !extent_x.is_finite() || extent_x <= 0.0 {
            return None;
        }
        let margin = width * MARGIN_FRACTION;
        let scale = (width - 2.0 * margin) / extent_x;
        let content_height = (bounds.max_lat - bounds.min_lat) * scale;
        let height = ((content_height + 2.0 * margin) * QUANTA_PER_UNIT).ceil() / QUANTA_PER_UNIT;
        let projection = Projection {
            lon0,
            lat0,
            x_scale: scale * cos_lat,
            y_scale: scale,
            x0: width / 2.0,
            y0: height / 2.0,
        };
        Some((projection, height))
    }
}

/// One area ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaShape {
    pub code: String,
    /// SVG path data (`d`), compact: relative commands, coordinates rounded to
    /// 1 decimal, closed with z.
    ///
    /// Each ring is `m x y dx dy dx dy … z`: the first `m` of the path is
    /// absolute (SVG treats a leading `m` as such), later ones are relative
    /// to the previous ring's start, and the pairs after an `m` are relative
    /// line-tos. Exteriors wind anticlockwise on screen (as on the ground)
    /// and holes clockwise, so both fill rules give the same result.
    pub path: String,
    /// A point well inside the area (pole of inaccessibility of its largest
    /// simplified polygon, to within half a unit), in SVG units, for labels
    /// and markers.
    pub label: (f64, f64),
}

/// The projected and simplified map of one boundary set.
#[derive(Debug, Clone, PartialEq)]
pub struct MapGeometry {
    /// The SVG viewBox is `0 0 width height`.
    pub width: f64,
    pub height: f64,
    pub projection: Projection,
    /// Same order as the input.
    pub areas: Vec<AreaShape>,
}

/// Why a map could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CartographyError {
    #[error("no areas to draw")]
    NoAreas,
    #[error("width {width} and tolerance {tolerance} must be finite, width > 0, tolerance >= 0")]
    InvalidParameters { width: f64, tolerance: f64 },
    #[error("area {code}: empty geometry")]
    EmptyGeometry { code: String },
    #[error("area {code}: non-finite coordinate")]
    NonFiniteCoordinate { code: String },
    #[error("the areas span no longitude: cannot fit them to a width")]
    DegenerateExtent,
    #[error("area {code} is smaller than the drawing resolution ({QUANTUM} units)")]
    TooSmall { code: String },
}

/// Project every area to an SVG of `width` units (height from the aspect),
/// then simplify with tolerance `tolerance` (SVG units) so that each border
/// shared by two areas is simplified once and used by both.
///
/// Recommended: [`DEFAULT_WIDTH`] and [`DEFAULT_TOLERANCE`]. Rings that
/// quantize to nothing (smaller than [`QUANTUM`]) are dropped; an area left
/// with no ring is an error. A ring whose simplified arcs would collapse
/// keeps its arcs unsimplified.
pub fn build(
    areas: &[(String, MultiPolygon<f64>)],
    width: f64,
    tolerance: f64,
) -> Result<MapGeometry, CartographyError> {
    if !(width.is_finite() && width > 0.0 && tolerance.is_finite() && tolerance >= 0.0) {
        return Err(CartographyError::InvalidParameters { width, tolerance });
    }
    if areas.is_empty() {
        return Err(CartographyError::NoAreas);
    }
    let bounds = Bounds::of(areas)?;
    let (projection, height) =
        Projection::fit(&bounds, width).ok_or(CartographyError::DegenerateExtent)?;

    let mut rings = quantize(areas, &projection);
    insert_vertices_on_edges(&mut rings);
    rings.retain_mut(|ring| {
        ring.points = clean_ring(std::mem::take(&mut ring.points));
        is_proper_ring(&ring.points)
    });
    let drawn = |area: usize| rings.iter().any(|r| r.area == area && r.exterior);
    if let Some(area) = (0..areas.len()).find(|a| !drawn(*a)) {
        return Err(CartographyError::TooSmall {
            code: areas[area].0.clone(),
        });
    }

    let topology = Topology::new(&rings);
    let simplified = topology.simplify(tolerance * QUANTA_PER_UNIT);

    let areas = areas
        .iter()
        .enumerate()
        .map(|(index, (code, _))| {
            let own: Vec<(&Ring, &Vec<Pt>)> = rings
                .iter()
                .zip(&simplified)
                .filter(|(ring, _)| ring.area == index)
                .collect();
            AreaShape {
                code: code.clone(),
                path: path_data(own.iter().map(|(_, points)| points.as_slice())),
                label: label_point(&own),
            }
        })
        .collect();
    Ok(MapGeometry {
        width,
        height,
        projection,
        areas,
    })
}

/// Bounding box in lon/lat of all the areas.
struct Bounds {
    min_lon: f64,
    max_lon: f64,
    min_lat: f64,
    max_lat: f64,
}

impl Bounds {
    /// Also validates each area: not empty, finite coordinates.
    fn of(areas: &[(String, MultiPolygon<f64>)]) -> Result<Self, CartographyError> {
        let mut bounds = Bounds {
            min_lon: f64::INFINITY,
            max_lon: f64::NEG_INFINITY,
            min_lat: f64::INFINITY,
            max_lat: f64::NEG_INFINITY,
        };
        for (code, geometry) in areas {
            if geometry
                .iter()
                .all(|polygon| polygon.exterior().0.is_empty())
            {
                return Err(CartographyError::EmptyGeometry { code: code.clone() });
            }
            for coord in geometry.coords_iter() {
                if !(coord.x.is_finite() && coord.y.is_finite()) {
                    return Err(CartographyError::NonFiniteCoordinate { code: code.clone() });
                }
                bounds.min_lon = bounds.min_lon.min(coord.x);
                bounds.max_lon = bounds.max_lon.max(coord.x);
                bounds.min_lat = bounds.min_lat.min(coord.y);
                bounds.max_lat = bounds.max_lat.max(coord.y);
            }
        }
        Ok(bounds)
    }
}

/// One ring on the grid, without the closing repetition of its first point.
struct Ring {
    /// Index of the area in the input.
    area: usize,
    /// Index of the polygon within the area's input MultiPolygon.
    polygon: usize,
    exterior: bool,
    points: Vec<Pt>,
}

/// Project, orient (exteriors anticlockwise on screen, holes clockwise) and
/// quantize every ring; rings that collapse are dropped.
fn quantize(areas: &[(String, MultiPolygon<f64>)], projection: &Projection) -> Vec<Ring> {
    let mut rings = Vec::new();
    for (area, (_, geometry)) in areas.iter().enumerate() {
        // Default: exteriors anticlockwise. North is up, so they stay
        // anticlockwise on screen (negative shoelace with y pointing south).
        let geometry = geometry.orient(Direction::Default);
        for (polygon_index, polygon) in geometry.iter().enumerate() {
            let exterior = quantize_ring(polygon.exterior(), projection);
            if !is_proper_ring(&exterior) {
                // Holes of a collapsed exterior go with it.
                continue;
            }
            rings.push(Ring {
                area,
                polygon: polygon_index,
                exterior: true,
                points: exterior,
            });
            for interior in polygon.interiors() {
                let points = quantize_ring(interior, projection);
                if is_proper_ring(&points) {
                    rings.push(Ring {
                        area,
                        polygon: polygon_index,
                        exterior: false,
                        points,
                    });
                }
            }
        }
    }
    rings
}

fn quantize_ring(ring: &geo::LineString<f64>, projection: &Projection) -> Vec<Pt> {
    let points = ring
        .coords()
        .map(|c| {
            let (x, y) = projection.project(c.x, c.y);
            // Finite and within the map, so the casts are exact.
            (
                (x * QUANTA_PER_UNIT).round() as i64,
                (y * QUANTA_PER_UNIT).round() as i64,
            )
        })
        .collect();
    clean_ring(points)
}

/// Remove consecutive duplicates (including the closing point) and spikes
/// (`a b a`), cyclically.
fn clean_ring(points: Vec<Pt>) -> Vec<Pt> {
    let mut out: Vec<Pt> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 && out[out.len() - 2] == p {
            out.pop();
            continue;
        }
        out.push(p);
    }
    // The interior is clean; fix where the end meets the start.
    loop {
        let n = out.len();
        if n < 3 {
            break;
        }
        if out[n - 1] == out[0] {
            out.pop();
        } else if out[n - 1] == out[1] {
            // out[0] is the tip of a spike.
            out.drain(..2);
        } else if out[n - 2] == out[0] {
            // out[n - 1] is the tip of a spike.
            out.pop();
            out.remove(0);
        } else {
            break;
        }
    }
    out
}

/// At least three points enclosing a non-zero area.
fn is_proper_ring(points: &[Pt]) -> bool {
    points.len() >= 3 && twice_signed_area(points) != 0
}

/// Twice the signed area of a ring on the grid (positive: clockwise on
/// screen, y pointing south).
fn twice_signed_area(points: &[Pt]) -> i128 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % n]);
            i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1)
        })
        .sum()
}

/// Which rings (by index) hold each grid point.
fn owners(rings: &[Ring]) -> HashMap<Pt, Vec<usize>> {
    let mut owners: HashMap<Pt, Vec<usize>> = HashMap::new();
    for (index, ring) in rings.iter().enumerate() {
        for p in &ring.points {
            let entry = owners.entry(*p).or_default();
            if entry.last() != Some(&index) {
                entry.push(index);
            }
        }
    }
    owners
}

/// Longest run of one-sided vertices [`insert_vertices_on_edges`] looks for.
const MAX_RUN: usize = 16;

/// Where ring A goes from `u` to `v` through a few vertices that ring B
/// lacks, while B has the straight edge `u v` and the extra vertices lie on
/// it (within [`SNAP_QUANTA`], in order), insert them into B, so that both
/// sides of the border have the same vertices.
///
/// Requiring both ends of B's edge in A around the run (rather than any
/// vertex near any edge) keeps vertices of another border that ends at a
/// junction nearby from being pulled in.
fn insert_vertices_on_edges(rings: &mut [Ring]) {
    let unordered = |u: Pt, v: Pt| if u <= v { (u, v) } else { (v, u) };
    let mut edges: HashMap<(Pt, Pt), Vec<usize>> = HashMap::new();
    for (index, ring) in rings.iter().enumerate() {
        for (u, v) in ring_edges(&ring.points) {
            let entry = edges.entry(unordered(u, v)).or_default();
            if !entry.contains(&index) {
                entry.push(index);
            }
        }
    }
    let owners = owners(rings);
    let owned_by = |p: &Pt, ring: usize| owners.get(p).is_some_and(|r| r.contains(&ring));

    // (ring, u, v) -> vertices to insert into that ring's edge from u to v.
    let mut insertions: HashMap<(usize, Pt, Pt), Vec<Pt>> = HashMap::new();
    for (a, ring) in rings.iter().enumerate() {
        let n = ring.points.len();
        for i in 0..n {
            let u = ring.points[i];
            for length in 1..=MAX_RUN.min(n.saturating_sub(2)) {
                let v = ring.points[(i + length + 1) % n];
                let Some(others) = edges.get(&unordered(u, v)) else {
                    continue;
                };
                let run: Vec<Pt> = (1..=length).map(|k| ring.points[(i + k) % n]).collect();
                for &b in others.iter().filter(|b| **b != a) {
                    if !run.iter().any(|p| owned_by(p, b)) && lies_along(&run, u, v) {
                        insertions.insert((b, u, v), run.clone());
                    }
                }
            }
        }
    }
    if insertions.is_empty() {
        return;
    }
    for (index, ring) in rings.iter_mut().enumerate() {
        let mut points = Vec::with_capacity(ring.points.len());
        for (u, v) in ring_edges(&ring.points) {
            points.push(u);
            if let Some(run) = insertions.get(&(index, u, v)) {
                points.extend_from_slice(run);
            } else if let Some(run) = insertions.get(&(index, v, u)) {
                points.extend(run.iter().rev());
            }
        }
        ring.points = points;
    }
}

/// The edges of a closed ring given without its closing point.
fn ring_edges(points: &[Pt]) -> impl Iterator<Item = (Pt, Pt)> + '_ {
    let n = points.len();
    (0..n).map(move |i| (points[i], points[(i + 1) % n]))
}

/// Whether the points lie on the segment `u v` (within [`SNAP_QUANTA`],
/// strictly between the ends) in order from `u` to `v`.
fn lies_along(points: &[Pt], u: Pt, v: Pt) -> bool {
    let mut previous = 0.0;
    points.iter().all(|p| match position_on_segment(*p, u, v) {
        Some(t) if t > previous => {
            previous = t;
            true
        }
        _ => false,
    })
}

/// Where `p` projects on segment `u v` (0..1, exclusive) if it lies within
/// [`SNAP_QUANTA`] of the segment's interior.
fn position_on_segment(p: Pt, u: Pt, v: Pt) -> Option<f64> {
    let (dx, dy) = ((v.0 - u.0) as f64, (v.1 - u.1) as f64);
    let (px, py) = ((p.0 - u.0) as f64, (p.1 - u.1) as f64);
    let length2 = dx * dx + dy * dy;
    let dot = px * dx + py * dy;
    if length2 == 0.0 || dot <= 0.0 || dot >= length2 {
        return None;
    }
    let cross = px * dy - py * dx;
    (cross * cross <= SNAP_QUANTA * SNAP_QUANTA * length2).then_some(dot / length2)
}

/// The rings as sequences of arcs between junctions, each distinct arc
/// stored once.
struct Topology {
    /// Distinct arcs, in canonical direction.
    arcs: Vec<Vec<Pt>>,
    /// Per ring: its arcs in order, and whether each is used reversed.
    rings: Vec<Vec<(usize, bool)>>,
}

impl Topology {
    fn new(rings: &[Ring]) -> Self {
        let junctions = junctions(rings);
        let mut arcs: Vec<Vec<Pt>> = Vec::new();
        let mut index: HashMap<Vec<Pt>, usize> = HashMap::new();
        let mut ring_arcs = Vec::with_capacity(rings.len());
        for ring in rings {
            let mut refs = Vec::new();
            for arc in split_ring(&ring.points, &junctions) {
                let (canonical, reversed) = canonical_arc(arc);
                let next = arcs.len();
                let id = *index.entry(canonical.clone()).or_insert(next);
                if id == next {
                    arcs.push(canonical);
                }
                refs.push((id, reversed));
            }
            ring_arcs.push(refs);
        }
        Topology {
            arcs,
            rings: ring_arcs,
        }
    }

    /// Simplify every arc once with `tolerance` (quanta) and reassemble the
    /// rings. Arcs of rings that would collapse are kept unsimplified.
    fn simplify(&self, tolerance: f64) -> Vec<Vec<Pt>> {
        let mut simplified: Vec<Vec<Pt>> = self
            .arcs
            .iter()
            .map(|arc| douglas_peucker(arc, tolerance))
            .collect();
        let mut rings: Vec<Vec<Pt>> = (0..self.rings.len())
            .map(|r| self.assemble(r, &simplified))
            .collect();
        let collapsed: Vec<usize> = (0..rings.len())
            .filter(|r| !is_proper_ring(&rings[*r]))
            .collect();
        if !collapsed.is_empty() {
            for r in &collapsed {
                for (arc, _) in &self.rings[*r] {
                    simplified[*arc].clone_from(&self.arcs[*arc]);
                }
            }
            // Restoring arcs only adds detail, so reassemble everything that
            // may use them.
            rings = (0..self.rings.len())
                .map(|r| self.assemble(r, &simplified))
                .collect();
        }
        rings
    }

    fn assemble(&self, ring: usize, arcs: &[Vec<Pt>]) -> Vec<Pt> {
        let mut points = Vec::new();
        for &(arc, reversed) in &self.rings[ring] {
            // Each arc ends where the next starts: skip its final point
            // (the first stored one when it is used reversed).
            let arc = &arcs[arc];
            if reversed {
                points.extend(arc.iter().skip(1).rev());
            } else {
                points.extend(arc.iter().take(arc.len().saturating_sub(1)));
            }
        }
        clean_ring(points)
    }
}

/// Grid points where rings meet or part: a point is a junction if two
/// passages through it (in any rings) have different neighbours.
fn junctions(rings: &[Ring]) -> HashSet<Pt> {
    let mut neighbours: HashMap<Pt, (Pt, Pt)> = HashMap::new();
    let mut junctions = HashSet::new();
    for ring in rings {
        let n = ring.points.len();
        for i in 0..n {
            let p = ring.points[i];
            let (a, b) = (ring.points[(i + n - 1) % n], ring.points[(i + 1) % n]);
            let pair = if a <= b { (a, b) } else { (b, a) };
            if *neighbours.entry(p).or_insert(pair) != pair {
                junctions.insert(p);
            }
        }
    }
    junctions
}

/// Cut a ring into arcs that start and end at junctions (each arc includes
/// both ends). A ring without junctions is one closed arc starting at its
/// smallest point, so that rings that coincide give the same arc.
fn split_ring(points: &[Pt], junctions: &HashSet<Pt>) -> Vec<Vec<Pt>> {
    let n = points.len();
    let cuts: Vec<usize> = (0..n).filter(|i| junctions.contains(&points[*i])).collect();
    let Some(&first) = cuts.first() else {
        let start = (0..n).min_by_key(|i| points[*i]).unwrap_or(0);
        let arc = (0..=n).map(|k| points[(start + k) % n]).collect();
        return vec![arc];
    };
    let mut arcs = Vec::with_capacity(cuts.len());
    for (k, &cut) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).copied().unwrap_or(first + n);
        arcs.push((cut..=end).map(|i| points[i % n]).collect());
    }
    arcs
}

/// The arc in the direction both of its users agree on, and whether that
/// reverses it.
fn canonical_arc(mut arc: Vec<Pt>) -> (Vec<Pt>, bool) {
    let n = arc.len();
    let reverse = match arc[0].cmp(&arc[n - 1]) {
        Ordering::Less => false,
        Ordering::Greater => true,
        // Closed: compare the points next to the ends.
        Ordering::Equal => n > 2 && arc[1] > arc[n - 2],
    };
    if reverse {
        arc.reverse();
    }
    (arc, reverse)
}

/// Douglas-Peucker on an arc, keeping both ends; `tolerance` in quanta. A
/// closed arc (first point = last) measures from that point.
fn douglas_peucker(arc: &[Pt], tolerance: f64) -> Vec<Pt> {
    let n = arc.len();
    if n <= 2 {
        return arc.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0, n - 1)];
    while let Some((a, b)) = stack.pop() {
        let mut farthest = None;
        let mut max_distance = tolerance;
        for (i, p) in arc.iter().enumerate().take(b).skip(a + 1) {
            let distance = segment_distance(*p, arc[a], arc[b]);
            if distance > max_distance {
                max_distance = distance;
                farthest = Some(i);
            }
        }
        if let Some(i) = farthest {
            keep[i] = true;
            stack.push((a, i));
            stack.push((i, b));
        }
    }
    arc.iter()
        .zip(keep)
        .filter_map(|(p, keep)| keep.then_some(*p))
        .collect()
}

/// Distance from `p` to the segment `u v` (to `u` if the segment is a point).
fn segment_distance(p: Pt, u: Pt, v: Pt) -> f64 {
    let to_f = |p: Pt| (p.0 as f64, p.1 as f64);
    point_segment_distance(to_f(p), to_f(u), to_f(v))
}

fn point_segment_distance(p: (f64, f64), u: (f64, f64), v: (f64, f64)) -> f64 {
    let (dx, dy) = (v.0 - u.0, v.1 - u.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 > 0.0 {
        (((p.0 - u.0) * dx + (p.1 - u.1) * dy) / length2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (u.0 + t * dx, u.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// SVG path data for the rings of one area; see [`AreaShape::path`].
fn path_data<'a>(rings: impl Iterator<Item = &'a [Pt]>) -> String {
    let mut out = String::new();
    let mut origin: Pt = (0, 0);
    for ring in rings {
        let Some(&start) = ring.first() else {
            continue;
        };
        out.push('m');
        push_pair(&mut out, (start.0 - origin.0, start.1 - origin.1));
        for pair in ring.windows(2) {
            push_pair(&mut out, (pair[1].0 - pair[0].0, pair[1].1 - pair[0].1));
        }
        out.push('z');
        origin = start;
    }
    out
}

fn push_pair(out: &mut String, (dx, dy): Pt) {
    push_number(out, dx);
    push_number(out, dy);
}

/// Write `quanta` tenths with at most one decimal and no leading zero
/// (`12` → `1.2`, `-5` → `-.5`, `30` → `3`), preceded by a space only when
/// needed to separate it from the previous number.
fn push_number(out: &mut String, quanta: i64) {
    let needs_separator = out.ends_with(|c: char| c.is_ascii_digit() || c == '.');
    if quanta < 0 {
        out.push('-');
    } else if needs_separator {
        out.push(' ');
    }
    let (whole, tenths) = (quanta.unsigned_abs() / 10, quanta.unsigned_abs() % 10);
    // Writing to a String cannot fail.
    match (whole, tenths) {
        (0, 0) => out.push('0'),
        (0, t) => {
            let _ = write!(out, ".{t}");
        }
        (w, 0) => {
            let _ = write!(out, "{w}");
        }
        (w, t) => {
            let _ = write!(out, "{w}.{t}");
        }
    }
}

/// The pole of inaccessibility of the area's largest simplified polygon, in
/// SVG units rounded to the quantum.
fn label_point(rings: &[(&Ring, &Vec<Pt>)]) -> (f64, f64) {
    let to_units = |p: &Pt| (p.0 as f64 / QUANTA_PER_UNIT, p.1 as f64 / QUANTA_PER_UNIT);
    let largest = rings
        .iter()
        .filter(|(ring, _)| ring.exterior)
        .max_by_key(|(_, points)| twice_signed_area(points).abs());
    let Some((outer, _)) = largest else {
        return (0.0, 0.0);
    };
    let polygon: Vec<Vec<(f64, f64)>> = rings
        .iter()
        .filter(|(ring, _)| ring.polygon == outer.polygon)
        .map(|(_, points)| points.iter().map(to_units).collect())
        .collect();
    let (x, y) = pole_of_inaccessibility(&polygon, 0.5);
    let round = |v: f64| (v * QUANTA_PER_UNIT).round() / QUANTA_PER_UNIT;
    (round(x), round(y))
}

/// A square cell of the polylabel search.
struct Cell {
    x: f64,
    y: f64,
    half: f64,
    /// Signed distance from the centre to the polygon outline (> 0 inside).
    distance: f64,
    /// Upper bound of the distance for any point in the cell.
    potential: f64,
}

impl Cell {
    fn new(x: f64, y: f64, half: f64, polygon: &[Vec<(f64, f64)>]) -> Self {
        let distance = signed_distance((x, y), polygon);
        Cell {
            x,
            y,
            half,
            distance,
            potential: distance + half * std::f64::consts::SQRT_2,
        }
    }
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Cell {}
impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        self.potential.total_cmp(&other.potential)
    }
}

/// Polylabel (Mapbox): the point inside the polygon (rings: exterior first)
/// farthest from its outline, to within `precision`.
fn pole_of_inaccessibility(polygon: &[Vec<(f64, f64)>], precision: f64) -> (f64, f64) {
    let Some(exterior) = polygon.first().filter(|ring| !ring.is_empty()) else {
        return (0.0, 0.0);
    };
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in exterior {
        (min_x, min_y) = (min_x.min(x), min_y.min(y));
        (max_x, max_y) = (max_x.max(x), max_y.max(y));
    }
    let size = (max_x - min_x).min(max_y - min_y);
    let first = exterior[0];
    if !size.is_finite() || size <= 0.0 {
        return first;
    }
    let half = size / 2.0;

    let mut queue = BinaryHeap::new();
    let mut x = min_x;
    while x < max_x {
        let mut y = min_y;
        while y < max_y {
            queue.push(Cell::new(x + half, y + half, half, polygon));
            y += size;
        }
        x += size;
    }
    let (cx, cy) = centroid(exterior);
    let mut best = Cell::new(cx, cy, 0.0, polygon);
    let centre = Cell::new((min_x + max_x) / 2.0, (min_y + max_y) / 2.0, 0.0, polygon);
    if centre.distance > best.distance {
        best = centre;
    }
    while let Some(cell) = queue.pop() {
        if cell.distance > best.distance {
            best = Cell::new(cell.x, cell.y, 0.0, polygon);
        }
        if cell.potential - best.distance <= precision {
            // The queue is ordered by potential: no cell can do better.
            break;
        }
        let h = cell.half / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            queue.push(Cell::new(cell.x + dx, cell.y + dy, h, polygon));
        }
    }
    (best.x, best.y)
}

/// Area centroid of a ring (its first point if it has no area).
fn centroid(ring: &[(f64, f64)]) -> (f64, f64) {
    let n = ring.len();
    let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let cross = a.0 * b.1 - b.0 * a.1;
        area += cross;
        cx += (a.0 + b.0) * cross;
        cy += (a.1 + b.1) * cross;
    }
    if area == 0.0 {
        return ring.first().copied().unwrap_or((0.0, 0.0));
    }
    (cx / (3.0 * area), cy / (3.0 * area))
}

/// Distance from `p` to the polygon's outline, positive inside (even-odd
/// rule over all rings), negative outside.
fn signed_distance(p: (f64, f64), polygon: &[Vec<(f64, f64)>]) -> f64 {
    let mut inside = false;
    let mut distance = f64::INFINITY;
    for ring in polygon {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
                inside = !inside;
            }
            distance = distance.min(point_segment_distance(p, a, b));
        }
    }
    if inside {
        distance
    } else {
        -distance
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{
        unary_union, Area, Contains, LineString, MapCoords, Point, Polygon, Simplify, Validation,
    };

    use crate::official::geography::fixtures::{quartieri, GROUPS_2016};

    type Areas = Vec<(String, MultiPolygon<f64>)>;

    fn load_2014() -> Areas {
        quartieri()
            .into_iter()
            .map(|q| (q.number.to_string(), q.geometry))
            .collect()
    }

    fn load_2016() -> Areas {
        let quartieri = quartieri();
        GROUPS_2016
            .iter()
            .map(|(name, numbers)| {
                let parts: Vec<&MultiPolygon<f64>> = numbers
                    .iter()
                    .map(|n| &quartieri[usize::from(*n) - 1].geometry)
                    .collect();
                let geometry = crate::official::geography::dissolve(
                    &parts,
                    crate::official::geography::MICRO_AREA_M2,
                );
                (name.to_string(), geometry)
            })
            .collect()
    }

    /// Both boundary sets and their maps at the default settings, computed
    /// once for all the tests (dissolving is slow in debug builds).
    fn sets() -> &'static [(&'static str, Areas, MapGeometry)] {
        static SETS: std::sync::OnceLock<Vec<(&'static str, Areas, MapGeometry)>> =
            std::sync::OnceLock::new();
        SETS.get_or_init(|| {
            [("2014", load_2014()), ("2016", load_2016())]
                .into_iter()
                .map(|(set, areas)| {
                    let map = build_default(&areas);
                    (set, areas, map)
                })
                .collect()
        })
    }

    fn set_2014() -> Areas {
        sets()[0].1.clone()
    }

    fn build_default(areas: &Areas) -> MapGeometry {
        build(areas, DEFAULT_WIDTH, DEFAULT_TOLERANCE).expect("the map builds")
    }

    /// Rings of a path written by [`path_data`], in SVG units.
    fn parse_path(d: &str) -> Vec<Vec<(f64, f64)>> {
        let bytes = d.as_bytes();
        let mut rings = Vec::new();
        let mut ring: Vec<(f64, f64)> = Vec::new();
        let mut numbers: Vec<f64> = Vec::new();
        let mut position = (0.0, 0.0);
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'm' => {
                    assert!(ring.is_empty(), "m inside an open ring: {d}");
                    i += 1;
                }
                b'z' => {
                    assert!(numbers.is_empty(), "odd number count before z: {d}");
                    let start = ring[0];
                    rings.push(std::mem::take(&mut ring));
                    position = start;
                    i += 1;
                }
                b' ' => i += 1,
                b'-' | b'.' | b'0'..=b'9' => {
                    let start = i;
                    i += 1;
                    let mut dot = bytes[start] == b'.';
                    while i < bytes.len()
                        && (bytes[i].is_ascii_digit() || (bytes[i] == b'.' && !dot))
                    {
                        dot |= bytes[i] == b'.';
                        i += 1;
                    }
                    let number: f64 = d[start..i].parse().expect("a number");
                    numbers.push(number);
                    if let [dx, dy] = numbers[..] {
                        position = (position.0 + dx, position.1 + dy);
                        ring.push(position);
                        numbers.clear();
                    }
                }
                other => panic!("unexpected {:?} in path {d}", other as char),
            }
        }
        assert!(ring.is_empty() && numbers.is_empty(), "unclosed path: {d}");
        rings
    }

    /// Signed shoelace area in SVG coordinates (negative: anticlockwise on
    /// screen, as exteriors are written).
    fn shoelace(ring: &[(f64, f64)]) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| ring[i].0 * ring[(i + 1) % n].1 - ring[(i + 1) % n].0 * ring[i].1)
            .sum::<f64>()
            / 2.0
    }

    /// A parsed path as polygons: exteriors are anticlockwise on screen,
    /// holes clockwise and follow their exterior.
    fn path_geometry(d: &str) -> MultiPolygon<f64> {
        let mut polygons: Vec<Polygon<f64>> = Vec::new();
        for ring in parse_path(d) {
            let exterior = shoelace(&ring) < 0.0;
            let line = LineString::from(ring);
            if exterior {
                polygons.push(Polygon::new(line, vec![]));
            } else {
                let last = polygons.last_mut().expect("a hole follows an exterior");
                last.interiors_push(line);
            }
        }
        MultiPolygon::new(polygons)
    }

    fn vertex_count(map: &MapGeometry) -> usize {
        map.areas
            .iter()
            .map(|a| parse_path(&a.path).iter().map(Vec::len).sum::<usize>())
            .sum()
    }

    /// Input vertices, without the closing repetition of each ring.
    fn input_vertex_count(areas: &Areas) -> usize {
        areas
            .iter()
            .flat_map(|(_, g)| g.iter())
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|ring| ring.0.len().saturating_sub(1))
            .sum()
    }

    /// Projected, unsimplified geometry of every area.
    fn projected(areas: &Areas, projection: &Projection) -> Vec<MultiPolygon<f64>> {
        areas
            .iter()
            .map(|(_, g)| {
                g.map_coords(|c| {
                    let (x, y) = projection.project(c.x, c.y);
                    geo::Coord { x, y }
                })
            })
            .collect()
    }

    /// (sum of the areas - area of their union) / union, and the largest
    /// hole of the union (square units).
    fn overlap_and_largest_gap(geometries: &[MultiPolygon<f64>]) -> (f64, f64) {
        let polygons: Vec<Polygon<f64>> = geometries
            .iter()
            .flat_map(|g| g.iter())
            .map(|p| p.orient(Direction::Default))
            .collect();
        let sum: f64 = polygons.iter().map(Area::unsigned_area).sum();
        let union = unary_union(&polygons);
        let union_area = union.unsigned_area();
        let largest_gap = union
            .iter()
            .flat_map(|p| p.interiors())
            .map(|ring| Polygon::new(ring.clone(), vec![]).unsigned_area())
            .fold(0.0, f64::max);
        ((sum - union_area) / union_area, largest_gap)
    }

    #[test]
    fn shared_borders_leave_no_gaps_or_overlaps() {
        for (set, areas, map) in sets() {
            assert_eq!(map.areas.len(), areas.len());
            let geometries: Vec<MultiPolygon<f64>> =
                map.areas.iter().map(|a| path_geometry(&a.path)).collect();
            for (shape, geometry) in map.areas.iter().zip(&geometries) {
                assert!(
                    geometry.is_valid(),
                    "{set} {}: {:?}",
                    shape.code,
                    geometry.check_validation()
                );
            }
            let (overlap, gap) = overlap_and_largest_gap(&geometries);
            assert!(overlap.abs() < 5e-4, "{set}: overlap {overlap}");
            assert!(gap <= 0.5, "{set}: gap of {gap} square units");
            // Stricter than needed for the eye: the borders are identical,
            // so the overlap is float noise (a misplaced vertex near a
            // junction overlapped 0.8 square units, 4e-6 of the map).
            assert!(overlap.abs() < 1e-8, "{set}: overlap {overlap}");
            assert_eq!(gap, 0.0, "{set}");
        }
    }

    #[test]
    fn naive_simplification_fails_the_gap_and_overlap_check() {
        // The same check on each polygon simplified on its own, at the same
        // tolerance: it must fail, or the test above proves nothing.
        for (set, areas, map) in sets() {
            let naive: Vec<MultiPolygon<f64>> = projected(areas, &map.projection)
                .iter()
                .map(|g| g.simplify(DEFAULT_TOLERANCE))
                .collect();
            let (overlap, gap) = overlap_and_largest_gap(&naive);
            assert!(
                overlap.abs() >= 5e-4 || gap > 0.5,
                "{set}: naive simplification passes (overlap {overlap}, gap {gap})"
            );
        }
    }

    #[test]
    fn paths_are_small() {
        for (set, areas, map) in sets() {
            let bytes: usize = map.areas.iter().map(|a| a.path.len()).sum();
            let (input, output) = (input_vertex_count(areas), vertex_count(map));
            eprintln!("{set}: {bytes} bytes of path, {input} -> {output} vertices");
            assert!(bytes < 20_000, "{set}: {bytes} bytes");
            assert!(output * 5 <= input, "{set}: {input} -> {output} vertices");
        }
    }

    #[test]
    fn simplified_areas_stay_within_one_percent() {
        for (set, areas, map) in sets() {
            for (shape, exact) in map.areas.iter().zip(projected(areas, &map.projection)) {
                let (simplified, exact) = (
                    path_geometry(&shape.path).unsigned_area(),
                    exact.unsigned_area(),
                );
                let error = (simplified - exact).abs() / exact;
                assert!(
                    error < 0.01,
                    "{set} {}: {simplified} vs {exact}",
                    shape.code
                );
            }
        }
    }

    #[test]
    fn labels_lie_inside_their_area() {
        for (set, areas, map) in sets() {
            for (shape, (code, _)) in map.areas.iter().zip(areas) {
                assert_eq!(&shape.code, code, "{set}: order kept");
                let (x, y) = shape.label;
                let geometry = path_geometry(&shape.path);
                assert!(
                    geometry.contains(&Point::new(x, y)),
                    "{set} {code}: label {:?} outside",
                    shape.label
                );
            }
        }
    }

    #[test]
    fn projection_is_north_up_and_fits_the_map() {
        let areas = set_2014();
        let map = build_default(&areas);
        let p = map.projection;
        assert_eq!(map.width, DEFAULT_WIDTH);
        assert!(
            p.project(11.34, 44.50).1 < p.project(11.34, 44.49).1,
            "north up"
        );
        assert!(
            p.project(11.35, 44.50).0 > p.project(11.34, 44.50).0,
            "east right"
        );

        let inside =
            |(x, y): (f64, f64)| (0.0..=map.width).contains(&x) && (0.0..=map.height).contains(&y);
        for (_, geometry) in &areas {
            for c in geometry.coords_iter() {
                let point = p.project(c.x, c.y);
                assert!(inside(point), "{c:?} -> {point:?}");
            }
        }
        for shape in &map.areas {
            for point in parse_path(&shape.path).into_iter().flatten() {
                assert!(inside(point), "{}: {point:?}", shape.code);
            }
        }

        // Width/height of the drawing vs the ground extent.
        let (mut lon, mut lat) = ((f64::MAX, f64::MIN), (f64::MAX, f64::MIN));
        for c in areas.iter().flat_map(|(_, g)| g.coords_iter()) {
            lon = (lon.0.min(c.x), lon.1.max(c.x));
            lat = (lat.0.min(c.y), lat.1.max(c.y));
        }
        // About 1.08 for the quartieri: 0.204° of longitude × cos(44.49°)
        // against 0.135° of latitude.
        let ground = (lon.1 - lon.0) * ((lat.0 + lat.1) / 2.0).to_radians().cos() / (lat.1 - lat.0);
        let margin = 2.0 * map.width * MARGIN_FRACTION;
        let drawn = (map.width - margin) / (map.height - margin);
        eprintln!(
            "ground {ground}, drawn {drawn}, lon {lon:?}, lat {lat:?}, height {}",
            map.height
        );
        assert!(
            (1.0..1.3).contains(&ground),
            "Bologna is {ground} times wider than tall"
        );
        assert!(
            (drawn - ground).abs() / ground < 0.005,
            "{drawn} vs {ground}"
        );
    }

    #[test]
    fn no_areas_is_an_error() {
        let err = build(&[], DEFAULT_WIDTH, DEFAULT_TOLERANCE).unwrap_err();
        assert!(matches!(err, CartographyError::NoAreas), "{err}");
    }

    #[test]
    fn an_empty_area_is_an_error_naming_it() {
        let mut areas = set_2014();
        areas[4].1 = MultiPolygon::new(vec![]);
        let err = build(&areas, DEFAULT_WIDTH, DEFAULT_TOLERANCE).unwrap_err();
        assert!(
            matches!(err, CartographyError::EmptyGeometry { .. }),
            "{err}"
        );
        assert_eq!(err.to_string(), "area 5: empty geometry");
    }

    #[test]
    fn bad_parameters_and_coordinates_are_errors() {
        let areas = set_2014();
        for (width, tolerance) in [
            (0.0, 0.6),
            (f64::NAN, 0.6),
            (600.0, -1.0),
            (600.0, f64::INFINITY),
        ] {
            let err = build(&areas, width, tolerance).unwrap_err();
            assert!(
                matches!(err, CartographyError::InvalidParameters { .. }),
                "{width} {tolerance}: {err}"
            );
        }

        let mut areas = set_2014();
        areas[0].1 = MultiPolygon::new(vec![square(11.3, 44.5, f64::NAN)]);
        let err = build(&areas, DEFAULT_WIDTH, DEFAULT_TOLERANCE).unwrap_err();
        assert_eq!(err.to_string(), "area 1: non-finite coordinate");

        // All on one meridian: nothing to fit to a width.
        let line = Polygon::new(
            LineString::from(vec![(11.3, 44.5), (11.3, 44.6), (11.3, 44.7), (11.3, 44.5)]),
            vec![],
        );
        let areas = vec![("line".to_string(), MultiPolygon::new(vec![line]))];
        let err = build(&areas, DEFAULT_WIDTH, DEFAULT_TOLERANCE).unwrap_err();
        assert!(matches!(err, CartographyError::DegenerateExtent), "{err}");
    }

    #[test]
    fn an_area_below_the_grid_is_an_error_naming_it() {
        // A 1 m square next to the city is below the 0.1-unit grid.
        let mut areas = set_2014();
        let tiny = MultiPolygon::new(vec![square(11.3, 44.5, 1e-5)]);
        areas.push(("tiny".into(), tiny));
        let err = build(&areas, DEFAULT_WIDTH, DEFAULT_TOLERANCE).unwrap_err();
        assert!(
            matches!(err, CartographyError::TooSmall { ref code } if code == "tiny"),
            "{err}"
        );
        assert!(err.to_string().contains("tiny"), "{err}");
    }

    fn square(lon: f64, lat: f64, side: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![
                (lon, lat),
                (lon + side, lat),
                (lon + side, lat + side),
                (lon, lat + side),
                (lon, lat),
            ]),
            vec![],
        )
    }

    /// Two areas sharing a wiggly vertical border at lon 11.3; `west` has one
    /// extra border vertex, a hair off the straight edge of `east`.
    fn neighbours_with_extra_vertex() -> Areas {
        let border: Vec<(f64, f64)> = (0..=10)
            .map(|i| {
                let wiggle = if i % 2 == 0 { 0.0 } else { 0.0004 };
                (11.3 + wiggle, 44.5 + f64::from(i) * 0.001)
            })
            .collect();
        // Between border[9] and border[10]: on the segment, plus 1e-9°.
        let (a, b) = (border[9], border[10]);
        let extra = ((a.0 + b.0) / 2.0 + 1e-9, (a.1 + b.1) / 2.0);
        let mut west = vec![(11.29, 44.5)];
        west.extend(&border[..10]);
        west.extend([extra, border[10], (11.29, 44.51), (11.29, 44.5)]);
        let mut east: Vec<(f64, f64)> = border.iter().rev().copied().collect();
        east.extend([(11.31, 44.5), (11.31, 44.51), border[10]]);
        let polygon =
            |ring: Vec<(f64, f64)>| MultiPolygon::new(vec![Polygon::new(ring.into(), vec![])]);
        vec![
            ("west".into(), polygon(west)),
            ("east".into(), polygon(east)),
        ]
    }

    #[test]
    fn a_vertex_on_one_side_only_is_shared() {
        let areas = neighbours_with_extra_vertex();
        // Tolerance 0 keeps every vertex: the extra one must be on both sides.
        let map = build(&areas, 300.0, 0.0).unwrap();
        let rings: Vec<Vec<(f64, f64)>> = map
            .areas
            .iter()
            .map(|a| parse_path(&a.path).remove(0))
            .collect();
        let on_border = |ring: &[(f64, f64)]| -> Vec<(i64, i64)> {
            let mut points: Vec<(i64, i64)> = ring
                .iter()
                .filter(|p| p.0 > 100.0 && p.0 < 200.0)
                .map(|p| ((p.0 * 10.0).round() as i64, (p.1 * 10.0).round() as i64))
                .collect();
            points.sort();
            points
        };
        let (west, east) = (on_border(&rings[0]), on_border(&rings[1]));
        assert_eq!(west.len(), 12, "{west:?}");
        assert_eq!(west, east);

        for tolerance in [0.0, 0.6, 5.0] {
            let map = build(&areas, 300.0, tolerance).unwrap();
            let geometries: Vec<MultiPolygon<f64>> =
                map.areas.iter().map(|a| path_geometry(&a.path)).collect();
            let (overlap, gap) = overlap_and_largest_gap(&geometries);
            assert!(
                overlap.abs() < 1e-9 && gap == 0.0,
                "{tolerance}: {overlap} {gap}"
            );
        }
    }

    #[test]
    fn shared_border_is_simplified_once() {
        // At a tolerance that removes the wiggles, both sides get the same
        // straight border.
        let map = build(&neighbours_with_extra_vertex(), 300.0, 20.0).unwrap();
        let geometries: Vec<MultiPolygon<f64>> =
            map.areas.iter().map(|a| path_geometry(&a.path)).collect();
        let (overlap, gap) = overlap_and_largest_gap(&geometries);
        assert!(overlap.abs() < 1e-9 && gap == 0.0, "{overlap} {gap}");
        let vertices: usize = parse_path(&map.areas[0].path).iter().map(Vec::len).sum();
        assert_eq!(vertices, 4, "{}", map.areas[0].path);
    }

    fn grid_ring(area: usize, points: &[Pt]) -> Ring {
        Ring {
            area,
            polygon: 0,
            exterior: true,
            points: points.to_vec(),
        }
    }

    #[test]
    fn a_vertex_near_a_junction_stays_on_its_own_border() {
        // The trap found in the 2014 data (San Vitale, Savena, Santo
        // Stefano): P, on the border of `north` and `south-west` one quantum
        // from the junction J, is also within reach of the long edge
        // `(96,0)-J` of `east`, where it does not belong.
        let j = (100, 100);
        let p = (99, 100);
        let north = [(0, 0), (96, 0), j, p, (60, 98), (0, 98)];
        let east = [(96, 0), (200, 0), (200, 200), (100, 200), j];
        let south_west = [(0, 98), (60, 98), j, (100, 200), (0, 200)];
        let mut rings = vec![
            grid_ring(0, &north),
            grid_ring(1, &east),
            grid_ring(2, &south_west),
        ];
        insert_vertices_on_edges(&mut rings);
        assert_eq!(rings[0].points, north, "unchanged");
        assert_eq!(rings[1].points, east, "P is not on this border");
        assert_eq!(
            rings[2].points,
            [(0, 98), (60, 98), p, j, (100, 200), (0, 200)],
            "P is copied onto the border it lies on"
        );
    }

    #[test]
    fn an_enclave_shares_its_whole_border_with_the_hole() {
        // A ring without junctions, drawn by both areas in opposite
        // directions, must still be one arc.
        let outer = square(11.30, 44.50, 0.02);
        let wiggly: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                let angle = f64::from(i) * std::f64::consts::TAU / 40.0;
                let r = 0.004 + if i % 2 == 0 { 0.0 } else { 0.0002 };
                (11.31 + r * angle.cos(), 44.51 + r * angle.sin())
            })
            .collect();
        let mut enclave = wiggly.clone();
        enclave.push(wiggly[0]);
        let ring = LineString::from(enclave);
        let areas: Areas = vec![
            (
                "ring".into(),
                MultiPolygon::new(vec![Polygon::new(
                    outer.exterior().clone(),
                    vec![ring.clone()],
                )]),
            ),
            (
                "enclave".into(),
                MultiPolygon::new(vec![Polygon::new(ring, vec![])]),
            ),
            // Two separate squares: an area of several polygons.
            (
                "islands".into(),
                MultiPolygon::new(vec![
                    square(11.33, 44.50, 0.005),
                    square(11.33, 44.51, 0.005),
                ]),
            ),
        ];
        let map = build(&areas, 300.0, 3.0).unwrap();
        let geometries: Vec<MultiPolygon<f64>> =
            map.areas.iter().map(|a| path_geometry(&a.path)).collect();
        assert_eq!(geometries[0].0.len(), 1);
        assert_eq!(
            geometries[0].0[0].interiors().len(),
            1,
            "{}",
            map.areas[0].path
        );
        assert_eq!(geometries[2].0.len(), 2, "{}", map.areas[2].path);
        let (overlap, gap) = overlap_and_largest_gap(&geometries);
        assert!(overlap.abs() < 1e-9 && gap == 0.0, "{overlap} {gap}");
        // The hole and the enclave are the same points.
        let on_grid = |ring: &LineString<f64>| -> Vec<(i64, i64)> {
            let mut points: Vec<(i64, i64)> = ring
                .coords()
                .skip(1)
                .map(|c| ((c.x * 10.0).round() as i64, (c.y * 10.0).round() as i64))
                .collect();
            points.sort();
            points
        };
        let hole = on_grid(&geometries[0].0[0].interiors()[0]);
        assert!(hole.len() < 40, "not simplified: {}", hole.len());
        assert_eq!(hole, on_grid(geometries[1].0[0].exterior()));
        for (shape, geometry) in map.areas.iter().zip(&geometries) {
            let (x, y) = shape.label;
            assert!(
                geometry.contains(&Point::new(x, y)),
                "{}: label {x} {y}",
                shape.code
            );
        }
    }

    #[test]
    fn numbers_are_written_compactly() {
        let mut out = String::from("m");
        for quanta in [12, -5, 30, 0, 7, -120, 3] {
            push_number(&mut out, quanta);
        }
        assert_eq!(out, "m1.2-.5 3 0 .7-12 .3");
        let d = path_data(
            [
                [(10, 20), (15, 20), (15, 30)].as_slice(),
                &[(40, 40), (45, 40), (40, 45)],
            ]
            .into_iter(),
        );
        assert_eq!(d, "m1 2 .5 0 0 1zm3 2 .5 0-.5 .5z");
        assert_eq!(
            parse_path(&d),
            vec![
                vec![(1.0, 2.0), (1.5, 2.0), (1.5, 3.0)],
                vec![(4.0, 4.0), (4.5, 4.0), (4.0, 4.5)]
            ]
        );
    }

    #[test]
    fn rings_are_cleaned_of_repeats_and_spikes() {
        assert_eq!(
            clean_ring(vec![(0, 0), (1, 0), (1, 0), (1, 1), (0, 0)]),
            [(0, 0), (1, 0), (1, 1)]
        );
        // A spike in the middle and one across the start.
        assert_eq!(
            clean_ring(vec![(0, 0), (2, 0), (3, 0), (2, 0), (2, 2)]),
            [(0, 0), (2, 0), (2, 2)]
        );
        assert_eq!(
            clean_ring(vec![(5, 5), (0, 0), (2, 0), (2, 2), (0, 0)]),
            [(2, 0), (2, 2), (0, 0)]
        );
        assert!(clean_ring(vec![(0, 0), (1, 1), (0, 0)]).len() < 3);
    }
}
