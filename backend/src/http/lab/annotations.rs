//! Annotation pages: the form's answer (a new annotation, or the form
//! again with what is wrong), an annotation with its discussion, the edit
//! form, deletion and the edit history.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use openwelfare_frontend::account::FieldError;
use openwelfare_frontend::participation as views;
use serde::Deserialize;

use super::blocks::{annotation_item, discussion, history_page, variable_choices, variable_label};
use super::view::{answer, edit_page, lab, me, viewer, Answer, Editing};
use crate::http::account::{date, notice, page, see_other, Ctx};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, CsrfPassed, Verified};
use crate::http::state::AppState;
use crate::lab::Sort;
use crate::official::model::{Boundaries, Level};
use crate::participation::{slug_of, AnnotationDraft, Error as LabError, Point};

#[derive(Deserialize, Default)]
pub struct AnnotationForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    variable: String,
}

/// A new annotation from the form of a quartiere page: `BOUNDARIES` is
/// 2016, or 2014 for a 2014 quartiere's page (annotated on the 2016
/// quartiere it became part of).
pub async fn create_annotation<const BOUNDARIES: u16>(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Verified,
    Path(slug): Path<String>,
    CheckedForm(form): CheckedForm<AnnotationForm>,
) -> Result<Response, Error> {
    let boundaries = Boundaries::of_year(BOUNDARIES);
    let lab = lab(&state);
    let area = lab.annotated_area(boundaries, &slug).await?;
    let draft = AnnotationDraft {
        title: &form.title,
        body: &form.body,
        point: Point::from_text(&form.lon, &form.lat),
        variable: &form.variable,
    };
    let outcome = lab.create_annotation(who.actor(), &area, &draft).await;
    Ok(match answer(&ctx, outcome)? {
        Answer::Done(a) => see_other(&format!("/quartieri/{}#annotation-{}", area.slug, a.id)),
        Answer::Refused(errors) => form_page(&state, &ctx, &area, &form, errors).await,
    })
}

#[derive(Deserialize, Default)]
pub struct ThreadQuery {
    ordine: Option<String>,
    dopo: Option<String>,
    msg: Option<String>,
}

pub async fn annotation_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, Error> {
    let annotation = lab(&state).annotation(id, me(&ctx)).await?;
    let reference = state.reference.get().await;
    let area = reference
        .areas(Boundaries::B2016, Level::Quartiere)
        .iter()
        .find(|a| a.code == annotation.area_code)
        .map(|a| (a.name.clone(), format!("/quartieri/{}", a.slug)))
        .unwrap_or_default();
    let created = date(ctx.lang, annotation.created_at);
    let variable = variable_label(&reference, ctx.lang, &annotation);
    let item = annotation_item(&annotation, &created, variable.as_deref());
    let subject = format!("annotation:{id}");
    let title = ctx.lang.pick("Discussione", "Discussion");
    let live_since = state.hub.last_id();
    let discussion = discussion(
        &state,
        &ctx,
        &subject,
        title,
        Sort::parse(q.ordine.as_deref()),
        q.dopo.as_deref(),
    )
    .await?;
    let c = ctx.common(notice(&ctx, q.msg.as_deref()), &[]);
    let discussion = html! { div data-live-since=(live_since) { (discussion) } };
    Ok(page(
        StatusCode::OK,
        views::annotation_page_with(&c, viewer(&ctx), &item, (&area.0, &area.1), discussion),
    ))
}

pub async fn edit_annotation_page(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Verified,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let a = lab(&state).own_annotation(who.actor(), id).await?;
    Ok(edit_page(
        &ctx,
        Editing::Annotation(id, &a.title),
        &a.body,
        &[],
    ))
}

pub async fn edit_annotation(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Verified,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm<AnnotationForm>,
) -> Result<Response, Error> {
    let outcome = lab(&state)
        .edit_annotation(who.actor(), id, &form.title, &form.body)
        .await;
    Ok(match answer(&ctx, outcome)? {
        Answer::Done(_) => see_other(&format!("/annotazioni/{id}")),
        Answer::Refused(errors) => {
            let editing = Editing::Annotation(id, &form.title);
            edit_page(&ctx, editing, &form.body, &errors)
        }
    })
}

pub async fn delete_annotation(
    State(state): State<AppState>,
    who: Verified,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let a = lab(&state).delete_annotation(who.actor(), id).await?;
    Ok(see_other(&format!("/quartieri/{}", slug_of(&a.area_code))))
}

pub async fn annotation_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let a = lab(&state).annotation(id, me(&ctx)).await?;
    if a.status != crate::lab::ContentStatus::Visible && a.author_id != me(&ctx) {
        return Err(LabError::NotFound("annotation").into());
    }
    history_page(
        &state,
        &ctx,
        "annotation",
        id,
        &format!("/annotazioni/{id}"),
        Some((&a.title, &a.body, a.updated_at)),
    )
    .await
}

/// The form again, with what was typed and what is wrong.
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    area: &crate::official::model::Area,
    form: &AnnotationForm,
    errors: Vec<FieldError>,
) -> Response {
    let reference = state.reference.get().await;
    let variables = variable_choices(&reference, ctx.lang);
    let action = format!("/quartieri/{}/annotazioni", area.slug);
    let c = ctx.common(None, &errors);
    let block = views::annotations_block(
        &c,
        viewer(ctx),
        &views::AnnotationsBlock {
            area_code: &area.code,
            area_name: &area.name,
            action: &action,
            items: &[],
            variables: &variables,
            draft: (
                &form.title,
                &form.body,
                &form.lon,
                &form.lat,
                &form.variable,
            ),
        },
    );
    let title = format!(
        "{} · {}",
        ctx.lang.pick("Nuova annotazione", "New annotation"),
        area.name
    );
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        openwelfare_frontend::layout::page(
            &openwelfare_frontend::layout::Shell {
                lang: ctx.lang,
                title: &title,
                here: &ctx.here,
                embed: false,
            },
            html! { h1 { (title) } (block) },
        ),
    )
}
