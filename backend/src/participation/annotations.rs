//! Annotations: placed on a 2016 quartiere (a 2014 one is annotated on the
//! 2016 quartiere it became part of), optionally at a point inside it and
//! about one variable of the official data; edited and deleted by their
//! author only.

use time::OffsetDateTime;

use super::lab::{
    may_write, own, shown_to, title, Actor, Error, FieldProblem, Lab, Prepared, Result,
};
use crate::lab::{Annotation, ContentKind, NewAnnotation};
use crate::official::geography::{contains_point, from_geojson_geometry};
use crate::official::model::{Area, Boundaries, Level};

/// A point as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    None,
    At {
        lon: f64,
        lat: f64,
    },
    /// Typed, but not as two numbers.
    Unreadable,
}

impl Point {
    /// From a form's two boxes: empty, or two numbers (a decimal comma is read as a point).
    pub fn from_text(lon: &str, lat: &str) -> Point {
        match (lon.trim(), lat.trim()) {
            ("", "") => Point::None,
            (lon, lat) => match (
                lon.replace(',', ".").parse::<f64>(),
                lat.replace(',', ".").parse::<f64>(),
            ) {
                (Ok(lon), Ok(lat)) => Point::At { lon, lat },
                _ => Point::Unreadable,
            },
        }
    }
}

/// What the author wrote.
#[derive(Debug, Clone)]
pub struct AnnotationDraft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub point: Point,
    /// `dataset/variable`, or empty.
    pub variable: &'a str,
}

impl<'a> Lab<'a> {
    /// The 2016 quartiere an annotation on `slug` (in `boundaries`) belongs to.
    pub async fn annotated_area(&self, boundaries: Boundaries, slug: &str) -> Result<Area> {
        let reference = self.reference.get().await;
        let area = reference
            .areas(boundaries, Level::Quartiere)
            .iter()
            .find(|a| a.slug == slug)
            .ok_or(Error::NotFound("quartiere"))?;
        match boundaries {
            Boundaries::B2016 => Ok(area.clone()),
            Boundaries::B2014 => reference
                .became(area)
                .cloned()
                .ok_or(Error::NotFound("quartiere")),
        }
    }

    /// A new annotation on `area` (a 2016 quartiere); every problem of the
    /// draft is reported at once.
    pub async fn create_annotation(
        &self,
        actor: Actor,
        area: &Area,
        draft: &AnnotationDraft<'_>,
    ) -> Result<Annotation> {
        self.write_allowed(actor)?;
        let reference = self.reference.get().await;
        let mut problems = Vec::new();
        let checked = self
            .title_and_text(draft.title, draft.body, &mut problems)
            .await?;
        let point = match draft.point {
            Point::None => None,
            Point::At { lon, lat } if lon.is_finite() && lat.is_finite() => {
                let inside = area
                    .geometry
                    .as_deref()
                    .and_then(|g| from_geojson_geometry(g).ok())
                    .is_some_and(|g| contains_point(&g, lon, lat));
                if !inside {
                    problems.push(FieldProblem::new(
                        "lon",
                        format!("Il punto non è dentro il quartiere {}.", area.name),
                        format!("The point is not inside the quartiere {}.", area.name),
                    ));
                }
                Some((lon, lat))
            }
            Point::At { .. } | Point::Unreadable => {
                problems.push(FieldProblem::new(
                    "lon",
                    "Longitudine e latitudine devono essere numeri, come 11.35 e 44.51.",
                    "Longitude and latitude must be numbers, such as 11.35 and 44.51.",
                ));
                None
            }
        };
        let variable = match draft.variable.split_once('/') {
            None if draft.variable.is_empty() => None,
            Some((d, v)) if reference.dataset(d).and_then(|e| e.variable(v)).is_some() => {
                Some((d.to_string(), v.to_string()))
            }
            _ => {
                problems.push(FieldProblem::new(
                    "variable",
                    "Scegli una variabile dall'elenco.",
                    "Choose a variable from the list.",
                ));
                None
            }
        };
        let (Some((title, text)), true) = (checked, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let created = self
            .store
            .create_annotation(
                &NewAnnotation {
                    area_code: &area.code,
                    author_id: actor.user_id,
                    title: &title,
                    body: &text.body,
                    body_html: &text.rendered.html,
                    point,
                    variable: variable.as_ref().map(|(d, v)| (d.as_str(), v.as_str())),
                    status: text.status,
                    screening: &text.screening,
                },
                OffsetDateTime::now_utc(),
            )
            .await?;
        self.hub.poke();
        Ok(created)
    }

    /// The title and the text, checked together: both, or their problems
    /// added to `problems` (title first, as in the form).
    async fn title_and_text(
        &self,
        title_text: &str,
        body: &str,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<Option<(String, Prepared)>> {
        let title = title(title_text).map_err(|p| problems.push(p)).ok();
        let text = match self.prepare_text("body", Some(title_text), body).await {
            Ok(p) => Some(p),
            Err(Error::Invalid(mut p)) => {
                problems.append(&mut p);
                None
            }
            Err(e) => return Err(e),
        };
        Ok(title.zip(text))
    }

    /// The annotation as `viewer` may see it: held ones only by their author.
    pub async fn annotation(&self, id: i64, viewer: Option<i64>) -> Result<Annotation> {
        match self.store.annotation(id).await? {
            Some(a) if shown_to(a.status, a.author_id, viewer) => Ok(a),
            _ => Err(Error::NotFound("annotation")),
        }
    }

    /// A page of a quartiere's annotations (all quartieri with `None`),
    /// newest first, before the annotation `before`; and the cursor of the
    /// next page.
    pub async fn annotations(
        &self,
        area_code: Option<&str>,
        viewer: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<Annotation>, Option<i64>)> {
        let mut page = self
            .store
            .annotations(area_code, viewer, before, limit + 1)
            .await?;
        let more = page.len() as i64 > limit;
        page.truncate(limit.max(0) as usize);
        let next = more.then(|| page.last().map(|a| a.id)).flatten();
        Ok((page, next))
    }

    /// The annotation, if `actor` wrote it and may still change it.
    pub async fn own_annotation(&self, actor: Actor, id: i64) -> Result<Annotation> {
        let a = self
            .store
            .annotation(id)
            .await?
            .ok_or(Error::NotFound("annotation"))?;
        own(a.author_id, a.status, actor)?;
        Ok(a)
    }

    /// A new title and text for the author's annotation.
    pub async fn edit_annotation(
        &self,
        actor: Actor,
        id: i64,
        title_text: &str,
        body: &str,
    ) -> Result<Annotation> {
        let old = self.own_annotation(actor, id).await?;
        self.write_allowed(actor)?;
        let mut problems = Vec::new();
        let Some((title, text)) = self.title_and_text(title_text, body, &mut problems).await?
        else {
            return Err(Error::Invalid(problems));
        };
        let revised = text.revising(Some(&title), old.status, &old.screening);
        let now = OffsetDateTime::now_utc();
        self.store
            .edit_content(ContentKind::Annotation, id, &revised, now)
            .await?;
        self.hub.poke();
        self.store
            .annotation(id)
            .await?
            .ok_or(Error::NotFound("annotation"))
    }

    /// The author deletes their annotation (a tombstone stays).
    pub async fn delete_annotation(&self, actor: Actor, id: i64) -> Result<Annotation> {
        may_write(actor)?;
        let a = self.own_annotation(actor, id).await?;
        self.withdraw(ContentKind::Annotation, id, a.status).await?;
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_read_from_two_boxes() {
        assert_eq!(Point::from_text("", " "), Point::None);
        assert_eq!(
            Point::from_text("11,35", " 44.51 "),
            Point::At {
                lon: 11.35,
                lat: 44.51
            }
        );
        assert_eq!(Point::from_text("11.35", ""), Point::Unreadable);
        assert_eq!(Point::from_text("est", "44.5"), Point::Unreadable);
    }
}
