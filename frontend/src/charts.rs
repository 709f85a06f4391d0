//! Server-rendered SVG charts: paired horizontal bars (an area beside the
//! city) and a line over years. Each chart carries a text alternative: the
//! numbers are also in a table or list next to it.

use maud::{html, Markup};

use crate::i18n::Lang;

pub struct Bar {
    pub label: String,
    pub area: Option<f64>,
    pub city: Option<f64>,
    pub area_text: String,
    pub city_text: String,
}

pub const AREA_COLOR: &str = "#2b6cb0";
pub const CITY_COLOR: &str = "#9a9a9a";

/// Two bars per item: the area (dark) and Bologna (grey), scaled to the largest value.
pub fn paired_bars(id: &str, title: &str, bars: &[Bar], area_name: &str) -> Markup {
    let label_w = 250.0;
    let bar_w = 230.0;
    let row_h = 34.0;
    let top = 38.0;
    let height = top + row_h * bars.len() as f64;
    let max = bars
        .iter()
        .flat_map(|b| [b.area, b.city])
        .flatten()
        .fold(0.0_f64, f64::max);
    let scale = |v: f64| if max > 0.0 { v / max * bar_w } else { 0.0 };
    html! {
        svg class="chart" viewBox={ "0 0 " (label_w + bar_w + 90.0) " " (height) } role="img" aria-labelledby=(id) {
            title id=(id) { (title) }
            // The key, stacked so a long quartiere name never runs into it.
            g {
                rect x=(label_w) y="4" width="12" height="10" fill=(AREA_COLOR) {}
                text x=(label_w + 16.0) y="13" { (area_name) }
                rect x=(label_w) y="20" width="12" height="10" fill=(CITY_COLOR) {}
                text x=(label_w + 16.0) y="29" { "Bologna" }
            }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = top + row_h * i as f64;
                text x="0" y=(y + 14.0) { (bar.label) }
                @match bar.area {
                    Some(v) => { rect x=(label_w) y=(y + 2.0) width=(scale(v)) height="12" fill=(AREA_COLOR) {} }
                    None => {}
                }
                text x=(label_w + bar.area.map(scale).unwrap_or(0.0) + 4.0) y=(y + 12.0) { (bar.area_text) }
                @match bar.city {
                    Some(v) => { rect x=(label_w) y=(y + 16.0) width=(scale(v)) height="12" fill=(CITY_COLOR) {} }
                    None => {}
                }
                text x=(label_w + bar.city.map(scale).unwrap_or(0.0) + 4.0) y=(y + 26.0) { (bar.city_text) }
            }
        }
    }
}

/// A line over years with its min and max marked; missing years break the line.
pub fn line(id: &str, title: &str, points: &[(i32, Option<f64>)], lang: Lang) -> Markup {
    let (w, h, left, bottom) = (640.0, 220.0, 70.0, 30.0);
    let present: Vec<(i32, f64)> = points
        .iter()
        .filter_map(|(y, v)| v.map(|v| (*y, v)))
        .collect();
    let (Some(first), Some(last)) = (
        present.iter().map(|p| p.0).min(),
        present.iter().map(|p| p.0).max(),
    ) else {
        return html! {};
    };
    let lo = present.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = present
        .iter()
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if hi > lo {
        (lo - (hi - lo) * 0.1, hi + (hi - lo) * 0.1)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let x = |year: i32| {
        left + (f64::from(year - first) / f64::from((last - first).max(1))) * (w - left - 10.0)
    };
    let y = |v: f64| 10.0 + (1.0 - (v - lo) / (hi - lo)) * (h - bottom - 10.0);
    let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (year, value) in points {
        match value {
            Some(v) => {
                if let Some(segment) = segments.last_mut() {
                    segment.push((x(*year), y(*v)));
                }
            }
            None => segments.push(Vec::new()),
        }
    }
    html! {
        svg class="chart" viewBox={ "0 0 " (w) " " (h) } role="img" aria-labelledby=(id) {
            title id=(id) { (title) }
            line x1=(left) y1=(h - bottom) x2=(w - 10.0) y2=(h - bottom) stroke="#767676" {}
            @for tick in [lo + (hi - lo) * 0.1, (lo + hi) / 2.0, hi - (hi - lo) * 0.1] {
                text x=(left - 6.0) y=(y(tick) + 4.0) text-anchor="end" { (lang.number(tick, 0)) }
                line x1=(left) y1=(y(tick)) x2=(w - 10.0) y2=(y(tick)) stroke="#e0e0e0" {}
            }
            @for (year, anchor) in [(first, "start"), ((first + last) / 2, "middle"), (last, "end")] {
                text x=(x(year)) y=(h - 10.0) text-anchor=(anchor) { (year) }
            }
            @for segment in &segments {
                @if !segment.is_empty() {
                    polyline fill="none" stroke=(AREA_COLOR) stroke-width="2"
                        points=(segment.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect::<Vec<_>>().join(" ")) {}
                }
            }
            @for (year, value) in &present {
                circle cx=(x(*year)) cy=(y(*value)) r="2.5" fill=(AREA_COLOR) {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_skip_missing_ones() {
        let bars = vec![
            Bar {
                label: "A".into(),
                area: Some(50.0),
                city: Some(100.0),
                area_text: "50".into(),
                city_text: "100".into(),
            },
            Bar {
                label: "B".into(),
                area: None,
                city: Some(10.0),
                area_text: "n.d.".into(),
                city_text: "10".into(),
            },
        ];
        let svg = paired_bars("c1", "T", &bars, "Navile").into_string();
        assert!(
            svg.contains(r#"width="230""#),
            "the largest bar is full width: {svg}"
        );
        assert!(svg.contains(r#"width="115""#), "half of it: {svg}");
        assert_eq!(
            svg.matches("<rect").count(),
            2 + 3,
            "legend + three present bars"
        );
        assert!(svg.contains("<title id=\"c1\">T</title>"));
    }

    #[test]
    fn a_line_breaks_where_a_year_is_missing() {
        let points = vec![
            (2000, Some(10.0)),
            (2001, Some(12.0)),
            (2002, None),
            (2003, Some(11.0)),
            (2004, Some(9.0)),
        ];
        let svg = line("l1", "Pop", &points, Lang::En).into_string();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(line("l2", "Empty", &[(2000, None)], Lang::En)
            .into_string()
            .is_empty());
    }
}
