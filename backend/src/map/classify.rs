//! Choropleth classification: splitting the values of Bologna's quartieri
//! (6, or 9 in older data) into classes, and colouring the classes.
//!
//! Three classification methods are offered, see [`Method`]; [`classify`]
//! turns the reported values of one indicator into [`Classes`], and
//! [`Classes::class_of`] gives the class of each value. The classes are
//! coloured with a sequential ColorBrewer [`Palette`], and
//! [`dark_text_on`] / [`contrast_ratio`] pick a legible label colour for a
//! fill per WCAG 2.1.
//!
//! There are few values (often fewer distinct values than requested
//! classes), and some may be missing: the functions here never panic, never
//! produce empty quantile or natural-breaks classes, and never produce
//! inverted bounds. Everything is pure computation (no I/O, no global
//! state), cheap for the handful of values a map has.

use std::cmp::Ordering;

/// How the values are split into classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// About the same number of values in every class.
    Quantiles,
    /// Classes of the same width, (max - min) / k.
    EqualIntervals,
    /// Fisher-Jenks optimal breaks: the partition that minimises the
    /// within-class sum of squared deviations.
    NaturalBreaks,
}

impl Method {
    /// Every method, in the order offered to the user.
    pub const ALL: [Method; 3] = [
        Method::Quantiles,
        Method::EqualIntervals,
        Method::NaturalBreaks,
    ];

    /// The stable identifier (also the serde name): `"quantiles"`,
    /// `"equal_intervals"`, `"natural_breaks"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Quantiles => "quantiles",
            Method::EqualIntervals => "equal_intervals",
            Method::NaturalBreaks => "natural_breaks",
        }
    }

    /// The inverse of [`Method::as_str`]; ASCII case and surrounding
    /// whitespace are ignored. Unknown text gives `None`.
    pub fn parse(text: &str) -> Option<Method> {
        let text = text.trim();
        Method::ALL
            .into_iter()
            .find(|method| method.as_str().eq_ignore_ascii_case(text))
    }
}

/// The fewest classes a user may request.
pub const MIN_CLASSES: usize = 3;
/// The most classes a user may request (the largest ColorBrewer sequential scheme).
pub const MAX_CLASSES: usize = 9;

/// The classes actually used: `bounds` has (number of classes + 1) ascending values, bounds[0] = min, last = max.
/// Class i covers [bounds[i], bounds[i+1]] (the first class includes its lower bound; each later class excludes its lower bound: (b_i, b_{i+1}]).
///
/// As produced by [`classify`], `bounds[1..]` is strictly increasing, so no
/// class after the first has zero width. `bounds[0]` may equal `bounds[1]`:
/// the first class is closed, so `[v, v]` is a proper class holding exactly
/// the values equal to `v` (this happens when the smallest value forms a
/// class on its own, and when all values are equal: one class `[v, v]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    pub method: Method,
    pub bounds: Vec<f64>,
}

impl Classes {
    /// The number of classes: `bounds.len() - 1` (0 for malformed, hand-built bounds).
    pub fn count(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// Index of the class of `value` (0-based); values outside [min,max] are clamped into the first/last class.
    ///
    /// A value equal to an inner bound belongs to the lower class. NaN (which
    /// has no place on the scale) gets class 0; with no classes at all the
    /// answer is 0 too, so the result is always a valid index whenever
    /// `count() > 0`.
    pub fn class_of(&self, value: f64) -> usize {
        let count = self.count();
        if count == 0 || value.is_nan() {
            return 0;
        }
        // Class i ends at bounds[i + 1]; the first upper bound >= value wins.
        self.bounds[1..]
            .iter()
            .position(|&upper| value <= upper)
            .unwrap_or(count - 1)
    }
}

/// Classify the present values (None ignored). Requested `classes` is clamped to MIN..=MAX; the result may have FEWER classes than requested when there are fewer distinct values (never empty classes: every class of quantiles and natural breaks contains at least one value; equal intervals may have empty classes, that is its nature, but still no zero-width classes). Returns None when there is no value at all. All-equal values -> one class [v, v].
///
/// Non-finite values (NaN, ±infinity) are treated as missing: they have no
/// place on a colour scale. The number of classes is at most the number of
/// distinct values, whatever the method.
///
/// * Quantiles: with `n` sorted values `s[0..n]` and `k` classes, class `i`
///   (0-based) ends at `s[ceil((i + 1) * n / k) - 1]`, so each class holds
///   `floor(n/k)` or `ceil(n/k)` values, the larger groups coming first
///   when `n` is not a multiple of `k` (6 values in 3 classes: 2+2+2; 6 in
///   5: 2+1+1+1+1). Repeated values cannot be split between classes, so
///   bounds that coincide are merged, which can leave fewer classes.
/// * Equal intervals: bounds at `min + i * (max - min) / k`.
/// * Natural breaks: Fisher-Jenks, the exact optimum by dynamic
///   programming over the distinct values (weighted by multiplicity); each
///   class's upper bound is its largest value. On ties the earliest
///   (leftmost) break wins, so the result is deterministic.
pub fn classify(values: &[Option<f64>], classes: usize, method: Method) -> Option<Classes> {
    let mut sorted: Vec<f64> = values
        .iter()
        .filter_map(|value| value.filter(|v| v.is_finite()))
        .collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    // -0.0 and 0.0 are the same value on a map.
    for value in &mut sorted {
        if *value == 0.0 {
            *value = 0.0;
        }
    }
    let (distinct, weights) = distinct_with_counts(&sorted);
    let min = distinct[0];
    let max = distinct[distinct.len() - 1];
    if distinct.len() == 1 {
        return Some(Classes {
            method,
            bounds: vec![min, max],
        });
    }
    let k = classes.clamp(MIN_CLASSES, MAX_CLASSES).min(distinct.len());
    let uppers = match method {
        Method::Quantiles => quantile_uppers(&sorted, k),
        Method::EqualIntervals => equal_interval_uppers(min, max, k),
        Method::NaturalBreaks => jenks_uppers(&distinct, &weights, k),
    };
    Some(Classes {
        method,
        bounds: assemble_bounds(min, max, &uppers),
    })
}

/// The distinct values of a sorted slice, with how many times each occurs.
fn distinct_with_counts(sorted: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut distinct: Vec<f64> = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    for &value in sorted {
        match distinct.last() {
            Some(&last) if last == value => {
                if let Some(count) = counts.last_mut() {
                    *count += 1.0;
                }
            }
            _ => {
                distinct.push(value);
                counts.push(1.0);
            }
        }
    }
    (distinct, counts)
}

/// `[min, uppers...]` with the last bound forced to `max`, keeping
/// `bounds[1..]` strictly increasing (coinciding or out-of-order breaks are
/// dropped) and within `[min, max]`.
fn assemble_bounds(min: f64, max: f64, uppers: &[f64]) -> Vec<f64> {
    let mut bounds = vec![min];
    let inner = uppers.len().saturating_sub(1);
    for &upper in &uppers[..inner] {
        let upper = upper.clamp(min, max);
        let accept = if bounds.len() == 1 {
            // The first class may be [min, min], but must leave room for the last.
            upper < max
        } else {
            upper > bounds[bounds.len() - 1] && upper < max
        };
        if accept {
            bounds.push(upper);
        }
    }
    bounds.push(max);
    bounds
}

/// Upper bound of each quantile class (see [`classify`] for the rule).
fn quantile_uppers(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    (1..=k)
        .map(|i| {
            let end = (i * n).div_ceil(k); // ceil(i * n / k), in 1..=n
            sorted[end.clamp(1, n) - 1]
        })
        .collect()
}

/// Upper bound of each equal-interval class. Interpolated as
/// `min * (1 - t) + max * t`, which cannot overflow even when `max - min`
/// would.
fn equal_interval_uppers(min: f64, max: f64, k: usize) -> Vec<f64> {
    (1..=k)
        .map(|i| {
            if i == k {
                max
            } else {
                let t = i as f64 / k as f64;
                min * (1.0 - t) + max * t
            }
        })
        .collect()
}

/// Fisher-Jenks optimal partition of the sorted distinct `values`
/// (each occurring `weights[j]` times) into `k` contiguous non-empty
/// groups, `2 <= k <= values.len()`; returns each group's largest value.
fn jenks_uppers(values: &[f64], weights: &[f64], k: usize) -> Vec<f64> {
    let m = values.len();
    let k = k.clamp(1, m);
    // Prefix sums of weight, weighted value and weighted square, with the
    // values centred on their weighted mean to limit cancellation.
    let total_weight: f64 = weights.iter().sum();
    let centre = values
        .iter()
        .zip(weights)
        .map(|(value, weight)| value * weight)
        .sum::<f64>()
        / total_weight;
    let mut sum_w = vec![0.0; m + 1];
    let mut sum_x = vec![0.0; m + 1];
    let mut sum_xx = vec![0.0; m + 1];
    for j in 0..m {
        let x = values[j] - centre;
        sum_w[j + 1] = sum_w[j] + weights[j];
        sum_x[j + 1] = sum_x[j] + weights[j] * x;
        sum_xx[j + 1] = sum_xx[j] + weights[j] * x * x;
    }
    // Weighted sum of squared deviations of values[a..=b].
    let ssd = |a: usize, b: usize| -> f64 {
        let w = sum_w[b + 1] - sum_w[a];
        let s = sum_x[b + 1] - sum_x[a];
        let ss = sum_xx[b + 1] - sum_xx[a];
        (ss - s * s / w).max(0.0)
    };
    // cost[c][j]: least SSD splitting values[0..=j] into c + 1 groups;
    // start[c][j]: where the last of those groups begins.
    let mut cost = vec![vec![f64::INFINITY; m]; k];
    let mut start = vec![vec![0usize; m]; k];
    cost[0] = (0..m).map(|j| ssd(0, j)).collect();
    for c in 1..k {
        for j in c..m {
            let mut best = f64::INFINITY;
            let mut best_start = c;
            for i in c..=j {
                let candidate = cost[c - 1][i - 1] + ssd(i, j);
                if candidate < best {
                    best = candidate;
                    best_start = i;
                }
            }
            cost[c][j] = best;
            start[c][j] = best_start;
        }
    }
    // Walk back from the full range.
    let mut uppers = vec![values[m - 1]; k];
    let mut end = m - 1;
    for c in (1..k).rev() {
        uppers[c] = values[end];
        end = start[c][end] - 1;
    }
    uppers[0] = values[end];
    uppers
}

/// Sequential palettes (ColorBrewer 2.0 sequential schemes, colours by Cynthia Brewer, Apache-2.0 licensed data: cite it in a comment): at least Blues, Greens, Oranges, Purples, Reds, YlGnBu, YlOrRd, with the published 3..=9 class colour lists (exact hex values from ColorBrewer).
///
/// This product includes color specifications and designs developed by
/// Cynthia Brewer (<https://colorbrewer2.org/>). ColorBrewer colour schemes:
/// Copyright (c) 2002 Cynthia Brewer, Mark Harrower, and The Pennsylvania
/// State University, licensed under the Apache License, Version 2.0
/// (<https://www.apache.org/licenses/LICENSE-2.0>). The hex values below
/// are the published 3- to 9-class sequential schemes, unmodified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Palette {
    Blues,
    Greens,
    Oranges,
    Purples,
    Reds,
    YlGnBu,
    YlOrRd,
}

/// One scheme: the colour lists for 3, 4, ..., 9 classes, light to dark.
type Scheme = [&'static [&'static str]; 7];

// ColorBrewer 2.0 sequential schemes (Cynthia Brewer, Apache-2.0), see `Palette`.
#[rustfmt::skip]
const BLUES: Scheme = [
    &["#deebf7", "#9ecae1", "#3182bd"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
    &["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    &["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
    &["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
    &["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
    &["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
];

#[rustfmt::skip]
const GREENS: Scheme = [
    &["#e5f5e0", "#a1d99b", "#31a354"],
    &["#edf8e9", "#bae4b3", "#74c476", "#238b45"],
    &["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    &["#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"],
    &["#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"],
    &["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"],
    &["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"],
];

#[rustfmt::skip]
const ORANGES: Scheme = [
    &["#fee6ce", "#fdae6b", "#e6550d"],
    &["#feedde", "#fdbe85", "#fd8d3c", "#d94701"],
    &["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
    &["#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"],
    &["#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"],
    &["#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"],
    &["#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"],
];

#[rustfmt::skip]
const PURPLES: Scheme = [
    &["#efedf5", "#bcbddc", "#756bb1"],
    &["#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"],
    &["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
    &["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"],
    &["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"],
    &["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"],
    &["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"],
];

#[rustfmt::skip]
const REDS: Scheme = [
    &["#fee0d2", "#fc9272", "#de2d26"],
    &["#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"],
    &["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    &["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"],
    &["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"],
    &["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"],
    &["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"],
];

#[rustfmt::skip]
const YLGNBU: Scheme = [
    &["#edf8b1", "#7fcdbb", "#2c7fb8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    &["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    &["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    &["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    &["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"],
];

#[rustfmt::skip]
const YLORRD: Scheme = [
    &["#ffeda0", "#feb24c", "#f03b20"],
    &["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    &["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    &["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    &["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    &["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    &["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"],
];

impl Palette {
    /// Every palette, in the order offered to the user.
    pub const ALL: [Palette; 7] = [
        Palette::Blues,
        Palette::Greens,
        Palette::Oranges,
        Palette::Purples,
        Palette::Reds,
        Palette::YlGnBu,
        Palette::YlOrRd,
    ];

    /// The stable identifier: `"blues"`, `"greens"`, `"oranges"`,
    /// `"purples"`, `"reds"`, `"ylgnbu"`, `"ylorrd"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Palette::Blues => "blues",
            Palette::Greens => "greens",
            Palette::Oranges => "oranges",
            Palette::Purples => "purples",
            Palette::Reds => "reds",
            Palette::YlGnBu => "ylgnbu",
            Palette::YlOrRd => "ylorrd",
        }
    }

    /// The inverse of [`Palette::as_str`]; ASCII case and surrounding
    /// whitespace are ignored, so ColorBrewer's own spelling (`"YlGnBu"`)
    /// is accepted too. Unknown text gives `None`.
    pub fn parse(text: &str) -> Option<Palette> {
        let text = text.trim();
        Palette::ALL
            .into_iter()
            .find(|palette| palette.as_str().eq_ignore_ascii_case(text))
    }

    /// The `n` colours (3..=9) light to dark, "#rrggbb". For n < 3 return the first n of the 3-class list (a 1- or 2-class map happens when values are few).
    ///
    /// `n = 0` gives an empty slice; `n > 9` gives the 9-class list (there is
    /// no darker published colour).
    pub fn colors(self, n: usize) -> &'static [&'static str] {
        let scheme = self.scheme();
        match n {
            0..=2 => &scheme[0][..n],
            3..=MAX_CLASSES => scheme[n - MIN_CLASSES],
            _ => scheme[MAX_CLASSES - MIN_CLASSES],
        }
    }

    /// Italian and English display names.
    pub fn label(self, lang_it: bool) -> &'static str {
        match (self, lang_it) {
            (Palette::Blues, true) => "Blu",
            (Palette::Blues, false) => "Blues",
            (Palette::Greens, true) => "Verdi",
            (Palette::Greens, false) => "Greens",
            (Palette::Oranges, true) => "Arancioni",
            (Palette::Oranges, false) => "Oranges",
            (Palette::Purples, true) => "Viola",
            (Palette::Purples, false) => "Purples",
            (Palette::Reds, true) => "Rossi",
            (Palette::Reds, false) => "Reds",
            (Palette::YlGnBu, true) => "Giallo-verde-blu",
            (Palette::YlGnBu, false) => "Yellow-green-blue",
            (Palette::YlOrRd, true) => "Giallo-arancio-rosso",
            (Palette::YlOrRd, false) => "Yellow-orange-red",
        }
    }

    fn scheme(self) -> &'static Scheme {
        match self {
            Palette::Blues => &BLUES,
            Palette::Greens => &GREENS,
            Palette::Oranges => &ORANGES,
            Palette::Purples => &PURPLES,
            Palette::Reds => &REDS,
            Palette::YlGnBu => &YLGNBU,
            Palette::YlOrRd => &YLORRD,
        }
    }
}

/// The dark text colour the map draws on light fills.
const DARK_TEXT: &str = "#1a1a1a";
/// WCAG 2.1 AA minimum contrast for normal text.
const MIN_TEXT_CONTRAST: f64 = 4.5;

/// The colour for white/black text on top of a fill, for WCAG contrast: returns true when dark text (#1a1a1a) has a contrast ratio >= 4.5 with the fill; compute relative luminance per WCAG 2.1.
///
/// An unparseable fill gives `false` (white text), see [`contrast_ratio`].
pub fn dark_text_on(fill_hex: &str) -> bool {
    contrast_ratio(fill_hex, DARK_TEXT) >= MIN_TEXT_CONTRAST
}

/// WCAG 2.1 contrast ratio between two "#rrggbb" colours.
///
/// `(L1 + 0.05) / (L2 + 0.05)` with `L1` the lighter relative luminance,
/// so the result lies in `1.0..=21.0` and does not depend on argument
/// order. The leading `#` is optional and hex digits may be upper case; if
/// either colour cannot be parsed the answer is `1.0` (no contrast).
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    let (Some(a), Some(b)) = (relative_luminance(a), relative_luminance(b)) else {
        return 1.0;
    };
    let (lighter, darker) = match a.partial_cmp(&b) {
        Some(Ordering::Less) => (b, a),
        _ => (a, b),
    };
    (lighter + 0.05) / (darker + 0.05)
}

/// WCAG 2.1 relative luminance of a "#rrggbb" colour (sRGB).
fn relative_luminance(hex: &str) -> Option<f64> {
    let [r, g, b] = parse_hex(hex)?;
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        // WCAG 2.1 states the threshold as 0.03928 (sRGB says 0.04045); no
        // 8-bit value lies between them, so the results are identical.
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    Some(0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b))
}

/// `"#rrggbb"` (or `"rrggbb"`) to its three channels.
fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    let hex = hex.trim();
    let digits = hex.strip_prefix('#').unwrap_or(hex);
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().copied().map(Some).collect()
    }

    /// How many present values fall in each class.
    fn histogram(classes: &Classes, values: &[f64]) -> Vec<usize> {
        let mut counts = vec![0; classes.count()];
        for &value in values {
            counts[classes.class_of(value)] += 1;
        }
        counts
    }

    /// The invariants every classification must satisfy.
    fn assert_well_formed(classes: &Classes, values: &[f64]) {
        let bounds = &classes.bounds;
        assert!(bounds.len() >= 2, "{bounds:?}");
        assert!(classes.count() <= MAX_CLASSES, "{bounds:?}");
        assert!(bounds[0] <= bounds[1], "{bounds:?}");
        for pair in bounds[1..].windows(2) {
            assert!(
                pair[0] < pair[1],
                "zero-width or inverted class: {bounds:?}"
            );
        }
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(bounds[0], min);
        assert_eq!(bounds[bounds.len() - 1], max);
        for &value in &finite {
            let class = classes.class_of(value);
            assert!(class < classes.count());
            let lower_ok = if class == 0 {
                bounds[0] <= value
            } else {
                bounds[class] < value
            };
            assert!(
                lower_ok && value <= bounds[class + 1],
                "{value} in {bounds:?}"
            );
        }
        if classes.method != Method::EqualIntervals {
            let counts = histogram(classes, &finite);
            assert!(
                counts.iter().all(|&c| c > 0),
                "empty class: {counts:?} for {bounds:?}"
            );
        }
    }

    fn ssd(group: &[f64]) -> f64 {
        if group.is_empty() {
            return 0.0;
        }
        let mean = group.iter().sum::<f64>() / group.len() as f64;
        group.iter().map(|v| (v - mean) * (v - mean)).sum()
    }

    /// Within-class SSD of `values` grouped by `classes.class_of`.
    fn classified_ssd(classes: &Classes, values: &[f64]) -> f64 {
        let mut groups = vec![Vec::new(); classes.count()];
        for &value in values {
            groups[classes.class_of(value)].push(value);
        }
        groups.iter().map(|group| ssd(group)).sum()
    }

    /// The least within-class SSD over every partition of `values` into
    /// exactly `k` non-empty sets (contiguous or not): k^n label assignments.
    fn brute_force_min_ssd(values: &[f64], k: usize) -> f64 {
        let n = values.len();
        let total = k.pow(n as u32);
        let mut best = f64::INFINITY;
        for code in 0..total {
            let mut groups = vec![Vec::new(); k];
            let mut rest = code;
            for &value in values {
                groups[rest % k].push(value);
                rest /= k;
            }
            if groups.iter().any(Vec::is_empty) {
                continue;
            }
            best = best.min(groups.iter().map(|group| ssd(group)).sum());
        }
        best
    }

    const INTERVENTI_2014: [f64; 9] = [
        2182.0, 7974.0, 3189.0, 2945.0, 3805.0, 3219.0, 4344.0, 2767.0, 4145.0,
    ];

    #[test]
    fn jenks_finds_the_obvious_groups() {
        let values = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 20.0, 21.0, 22.0];
        let classes = classify(&some(&values), 3, Method::NaturalBreaks).unwrap();
        assert_eq!(classes.bounds, vec![1.0, 3.0, 12.0, 22.0]);
        assert_eq!(histogram(&classes, &values), vec![3, 3, 3]);
        // Input order does not matter.
        let shuffled = [21.0, 3.0, 12.0, 1.0, 22.0, 10.0, 2.0, 20.0, 11.0];
        let again = classify(&some(&shuffled), 3, Method::NaturalBreaks).unwrap();
        assert_eq!(again, classes);
    }

    #[test]
    fn jenks_matches_brute_force_on_interventi_2014() {
        let classes = classify(&some(&INTERVENTI_2014), 3, Method::NaturalBreaks).unwrap();
        assert_eq!(classes.count(), 3);
        assert_well_formed(&classes, &INTERVENTI_2014);
        let best = brute_force_min_ssd(&INTERVENTI_2014, 3);
        let ours = classified_ssd(&classes, &INTERVENTI_2014);
        assert!(
            (ours - best).abs() <= 1e-6 * best.max(1.0),
            "ours {ours}, optimum {best}"
        );
        // The outlier (7974) is a class of its own.
        assert_eq!(classes.bounds[3], 7974.0);
        assert_eq!(histogram(&classes, &INTERVENTI_2014)[2], 1);
    }

    #[test]
    fn jenks_matches_brute_force_for_every_class_count() {
        let values = [5.0, 1.0, 9.5, 9.0, 2.0, 2.0, 30.0, 7.0];
        for k in MIN_CLASSES..=5 {
            let classes = classify(&some(&values), k, Method::NaturalBreaks).unwrap();
            assert_eq!(classes.count(), k);
            assert_well_formed(&classes, &values);
            // Brute force ranges over every partition of the multiset, even
            // those splitting the two 2.0s (which classes cannot do): an
            // optimal partition never needs to, so the optima agree.
            let best = brute_force_min_ssd(&values, k);
            let ours = classified_ssd(&classes, &values);
            assert!(
                (ours - best).abs() <= 1e-9 * best.max(1.0),
                "k={k}: {ours} vs {best}"
            );
        }
    }

    #[test]
    fn quantiles_put_two_of_six_values_in_each_of_three_classes() {
        let values = [40.0, 10.0, 60.0, 20.0, 50.0, 30.0];
        let classes = classify(&some(&values), 3, Method::Quantiles).unwrap();
        assert_eq!(classes.bounds, vec![10.0, 20.0, 40.0, 60.0]);
        assert_eq!(histogram(&classes, &values), vec![2, 2, 2]);
        assert_well_formed(&classes, &values);
    }

    #[test]
    fn quantiles_with_five_classes_on_six_values_leave_no_class_empty() {
        let values = [40.0, 10.0, 60.0, 20.0, 50.0, 30.0];
        let classes = classify(&some(&values), 5, Method::Quantiles).unwrap();
        assert_eq!(classes.count(), 5);
        assert_eq!(histogram(&classes, &values), vec![2, 1, 1, 1, 1]);
        assert_well_formed(&classes, &values);
    }

    #[test]
    fn quantiles_merge_coinciding_bounds() {
        let values = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0];
        let classes = classify(&some(&values), 3, Method::Quantiles).unwrap();
        assert_well_formed(&classes, &values);
        assert_eq!(classes.bounds, vec![1.0, 1.0, 3.0]);
    }

    #[test]
    fn equal_intervals_split_the_range_evenly() {
        let values = [0.0, 1.0, 2.0, 10.0, 12.0];
        let classes = classify(&some(&values), 4, Method::EqualIntervals).unwrap();
        assert_eq!(classes.bounds, vec![0.0, 3.0, 6.0, 9.0, 12.0]);
        // The middle classes are empty: that is the nature of the method.
        assert_eq!(histogram(&classes, &values), vec![3, 0, 0, 2]);
        assert_well_formed(&classes, &values);
    }

    #[test]
    fn equal_intervals_survive_huge_ranges() {
        let values = [-f64::MAX, 0.0, f64::MAX];
        let classes = classify(&some(&values), 3, Method::EqualIntervals).unwrap();
        assert_eq!(classes.count(), 3);
        assert_well_formed(&classes, &values);
    }

    #[test]
    fn fewer_distinct_values_than_classes_gives_fewer_classes() {
        let values = [5.0, 5.0, 5.0, 7.0];
        for method in Method::ALL {
            let classes = classify(&some(&values), 5, method).unwrap();
            assert_eq!(classes.count(), 2, "{method:?}");
            assert_eq!(classes.method, method);
            assert_well_formed(&classes, &values);
            assert_eq!(classes.class_of(5.0), 0);
            assert_eq!(classes.class_of(7.0), 1);
        }
    }

    #[test]
    fn all_equal_values_make_one_class() {
        for method in Method::ALL {
            let classes = classify(&[Some(4.0), None, Some(4.0)], 3, method).unwrap();
            assert_eq!(classes.bounds, vec![4.0, 4.0]);
            assert_eq!(classes.count(), 1);
            assert_eq!(classes.class_of(4.0), 0);
            assert_eq!(classes.class_of(-100.0), 0);
            assert_eq!(classes.class_of(100.0), 0);
        }
    }

    #[test]
    fn no_values_means_no_classes() {
        for method in Method::ALL {
            assert_eq!(classify(&[None, None, None], 5, method), None);
            assert_eq!(classify(&[], 5, method), None);
            assert_eq!(classify(&[Some(f64::NAN), None], 5, method), None);
        }
    }

    #[test]
    fn nan_and_infinite_inputs_are_treated_as_missing() {
        let with_junk = [
            Some(3.0),
            Some(f64::NAN),
            None,
            Some(1.0),
            Some(f64::INFINITY),
            Some(2.0),
            Some(f64::NEG_INFINITY),
        ];
        for method in Method::ALL {
            let classes = classify(&with_junk, 3, method).unwrap();
            let clean = classify(&some(&[3.0, 1.0, 2.0]), 3, method).unwrap();
            assert_eq!(classes, clean, "{method:?}");
            if method != Method::EqualIntervals {
                assert_eq!(classes.bounds, vec![1.0, 1.0, 2.0, 3.0], "{method:?}");
            }
        }
    }

    #[test]
    fn requested_class_count_is_clamped() {
        let values: Vec<f64> = (0..20).map(f64::from).collect();
        for method in Method::ALL {
            let few = classify(&some(&values), 0, method).unwrap();
            assert_eq!(few.count(), MIN_CLASSES, "{method:?}");
            let many = classify(&some(&values), 50, method).unwrap();
            assert_eq!(many.count(), MAX_CLASSES, "{method:?}");
            assert_well_formed(&few, &values);
            assert_well_formed(&many, &values);
        }
    }

    #[test]
    fn every_method_and_count_is_well_formed_on_awkward_data() {
        let data: [&[f64]; 7] = [
            &INTERVENTI_2014,
            &[1.0, 2.0],
            &[0.0, -0.0, 1.0],
            &[1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0],
            &[0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 100.0, 100.0, 1e6],
            &[-3.5, -3.5, 0.0, 7.25, 7.25, 7.25],
            &[1e-300, 2e-300, 3e-300, 5e-300, 8e-300, 1.3e-299],
        ];
        for values in data {
            for method in Method::ALL {
                for k in 0..=12 {
                    let classes = classify(&some(values), k, method).unwrap();
                    assert_well_formed(&classes, values);
                }
            }
        }
    }

    #[test]
    fn class_of_boundaries() {
        let classes = Classes {
            method: Method::EqualIntervals,
            bounds: vec![0.0, 10.0, 20.0, 30.0],
        };
        assert_eq!(classes.count(), 3);
        assert_eq!(classes.class_of(0.0), 0);
        assert_eq!(
            classes.class_of(10.0),
            0,
            "inner bound goes to the lower class"
        );
        assert_eq!(classes.class_of(10.000001), 1);
        assert_eq!(classes.class_of(20.0), 1);
        assert_eq!(classes.class_of(25.0), 2);
        assert_eq!(classes.class_of(30.0), 2);
        assert_eq!(classes.class_of(-5.0), 0);
        assert_eq!(classes.class_of(1e9), 2);
        assert_eq!(classes.class_of(f64::NEG_INFINITY), 0);
        assert_eq!(classes.class_of(f64::INFINITY), 2);
        assert_eq!(classes.class_of(f64::NAN), 0);
        let empty = Classes {
            method: Method::Quantiles,
            bounds: Vec::new(),
        };
        assert_eq!(empty.count(), 0);
        assert_eq!(empty.class_of(1.0), 0);
    }

    #[test]
    fn palettes_have_n_distinct_valid_colours_light_to_dark() {
        for palette in Palette::ALL {
            for n in MIN_CLASSES..=MAX_CLASSES {
                let colors = palette.colors(n);
                assert_eq!(colors.len(), n, "{palette:?} {n}");
                for color in colors {
                    assert_eq!(color.len(), 7, "{color}");
                    assert!(color.starts_with('#'), "{color}");
                    assert!(
                        color[1..]
                            .bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                        "{color}"
                    );
                }
                for (i, a) in colors.iter().enumerate() {
                    assert!(
                        !colors[i + 1..].contains(a),
                        "{palette:?} {n}: {a} repeated"
                    );
                }
                let luminance: Vec<f64> = colors
                    .iter()
                    .map(|c| relative_luminance(c).unwrap())
                    .collect();
                for pair in luminance.windows(2) {
                    assert!(
                        pair[0] > pair[1],
                        "{palette:?} {n} not light to dark: {colors:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn palette_colours_match_colorbrewer() {
        assert_eq!(Palette::Blues.colors(3), ["#deebf7", "#9ecae1", "#3182bd"]);
        assert_eq!(Palette::YlOrRd.colors(3), ["#ffeda0", "#feb24c", "#f03b20"]);
        assert_eq!(
            Palette::Blues.colors(9),
            [
                "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
                "#08519c", "#08306b"
            ]
        );
        assert_eq!(
            Palette::YlGnBu.colors(5),
            ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
        );
        assert_eq!(Palette::Greens.colors(4)[3], "#238b45");
        assert_eq!(Palette::Oranges.colors(7)[6], "#8c2d04");
        assert_eq!(Palette::Purples.colors(9)[8], "#3f007d");
        assert_eq!(Palette::Reds.colors(6)[0], "#fee5d9");
    }

    #[test]
    fn palette_colours_outside_three_to_nine() {
        for palette in Palette::ALL {
            assert!(palette.colors(0).is_empty());
            assert_eq!(palette.colors(1), &palette.colors(3)[..1]);
            assert_eq!(palette.colors(2), &palette.colors(3)[..2]);
            assert_eq!(palette.colors(10), palette.colors(9));
        }
    }

    #[test]
    fn palette_labels_exist_in_both_languages() {
        for palette in Palette::ALL {
            assert!(!palette.label(true).is_empty());
            assert!(!palette.label(false).is_empty());
        }
        assert_eq!(Palette::Blues.label(true), "Blu");
        assert_eq!(Palette::Blues.label(false), "Blues");
    }

    #[test]
    fn contrast_ratio_follows_wcag() {
        assert!((contrast_ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#ffffff", "#000000") - 21.0).abs() < 1e-9);
        let grey = contrast_ratio("#777777", "#ffffff");
        assert!((grey - 4.48).abs() < 0.005, "{grey}");
        assert!((contrast_ratio("#3182bd", "#3182bd") - 1.0).abs() < 1e-12);
        assert!((contrast_ratio("FFFFFF", "#000000") - 21.0).abs() < 1e-9);
        assert_eq!(contrast_ratio("not a colour", "#000000"), 1.0);
        assert_eq!(contrast_ratio("#12345", "#000000"), 1.0);
        assert_eq!(contrast_ratio("#é12345", "#000000"), 1.0);
    }

    #[test]
    fn dark_text_on_light_fills_only() {
        let blues = Palette::Blues.colors(9);
        assert!(dark_text_on(blues[0]));
        assert!(!dark_text_on(blues[8]));
        // Near the 4.5 threshold: #1d91c0 gives 4.86, #f03b20 gives 4.43.
        assert!(dark_text_on("#1d91c0"));
        assert!(!dark_text_on("#f03b20"));
        assert!(dark_text_on("#4292c6"));
        assert!(!dark_text_on("#2171b5"));
        assert!(dark_text_on("#ffffff"));
        assert!(!dark_text_on("#000000"));
        assert!(!dark_text_on("garbage"));
    }

    #[test]
    fn method_names_round_trip() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
        }
        assert_eq!(
            Method::parse(" Natural_Breaks "),
            Some(Method::NaturalBreaks)
        );
        assert_eq!(Method::parse("jenks"), None);
        assert_eq!(Method::parse(""), None);
        assert_eq!(Method::EqualIntervals.as_str(), "equal_intervals");
    }

    #[test]
    fn palette_names_round_trip() {
        for palette in Palette::ALL {
            assert_eq!(Palette::parse(palette.as_str()), Some(palette));
        }
        assert_eq!(Palette::parse("YlOrRd"), Some(Palette::YlOrRd));
        assert_eq!(Palette::parse("greys"), None);
        assert_eq!(Palette::YlGnBu.as_str(), "ylgnbu");
    }

    #[test]
    fn method_serde_names_are_as_str() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        use serde::Deserialize;
        for method in Method::ALL {
            let text: StrDeserializer<'_, Error> = method.as_str().into_deserializer();
            assert_eq!(Method::deserialize(text), Ok(method));
        }
        let text: StrDeserializer<'_, Error> = "NaturalBreaks".into_deserializer();
        assert!(Method::deserialize(text).is_err());
    }
}
