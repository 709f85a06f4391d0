//! Annotations, discussions, notifications and follows over HTTP. Every
//! write: a verified author (the route rule), a per-account rate limit,
//! the one sanitizer (`markup`), the one content check
//! (`moderation::screen`), then the store (which writes the outbox event in
//! the same transaction), then a poke to the realtime hub.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use maud::{html, Markup};
use moderation::{Draft, Screening};
use openwelfare_frontend::account::{Common, FieldError};
use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::participation as views;
use serde::Deserialize;
use time::OffsetDateTime;

use super::account::{date, notice, page, see_other, Ctx};
use super::error::internal;
use super::state::AppState;
use crate::accounts::limits::Door;
use crate::accounts::token::{random_token, sha256_hex};
use crate::accounts::Role;
use crate::lab::markup;
use crate::lab::{
    page_of, Annotation, ContentStatus, Digest, NewAnnotation, NewPost, Node, Post, Sort,
};
use crate::official::model::{Boundaries, Level};
use crate::store::StoreError;

const TITLE_MAX: usize = 120;
const ANNOTATIONS_SHOWN: i64 = 200;
const POSTS_PER_PAGE: usize = 20;
const REPLY_DEPTH: usize = 4;

fn viewer(ctx: &Ctx) -> views::Viewer {
    views::Viewer {
        user_id: ctx.who.as_ref().map(|p| p.user.id),
        can_post: ctx.who.as_ref().is_some_and(|p| p.user.verified()),
        moderator: ctx
            .who
            .as_ref()
            .is_some_and(|p| p.user.role >= Role::Moderator && p.powers_unlocked()),
    }
}

fn status_view(s: ContentStatus) -> views::Status {
    match s {
        ContentStatus::Visible => views::Status::Visible,
        ContentStatus::Held => views::Status::Held,
        ContentStatus::Removed => views::Status::Removed,
        ContentStatus::Deleted => views::Status::Deleted,
    }
}

fn common<'a>(ctx: &'a Ctx, notice: Option<String>, errors: &'a [FieldError]) -> Common<'a> {
    Common {
        lang: ctx.lang,
        csrf: &ctx.csrf,
        here: &ctx.here,
        notice,
        errors,
    }
}

fn error(ctx: &Ctx, field: &'static str, it: &str, en: &str) -> FieldError {
    FieldError {
        field,
        message: ctx.lang.pick(it, en).to_string(),
    }
}

/// Mentions resolve by display name among active users (exact, case-insensitive).
struct Names(HashMap<String, i64>);

impl markup::Mentions for Names {
    fn resolve(&self, name: &str) -> Option<i64> {
        self.0.get(&name.to_lowercase()).copied()
    }
}

async fn names(state: &AppState) -> Result<Names, StoreError> {
    let users = state.store.users().await?;
    Ok(Names(
        users
            .into_iter()
            .filter(|u| u.status == crate::accounts::UserStatus::Active)
            .map(|u| (u.display_name.to_lowercase(), u.id))
            .collect(),
    ))
}

/// Render and screen a text: its sanitized HTML, mentions and plain text, or why it is refused.
async fn prepare_text(
    state: &AppState,
    ctx: &Ctx,
    field: &'static str,
    source: &str,
) -> Result<(String, markup::Rendered, ContentStatus), FieldError> {
    let body = markup::normalize(source);
    let resolver = names(state).await.map_err(|e| FieldError {
        field,
        message: e.to_string(),
    })?;
    let rendered = markup::render(&body, &resolver);
    let links = rendered.html.matches("<a ").count();
    match moderation::screen(&Draft {
        text: &rendered.text,
        links,
    }) {
        Screening::Accept => Ok((body, rendered, ContentStatus::Visible)),
        Screening::Hold(_) => Ok((body, rendered, ContentStatus::Held)),
        Screening::Refuse("the text is empty") => {
            Err(error(ctx, field, "Scrivi qualcosa.", "Write something."))
        }
        Screening::Refuse(_) => Err(error(
            ctx,
            field,
            "Il testo è troppo lungo (al massimo 5.000 caratteri).",
            "The text is too long (at most 5,000 characters).",
        )),
    }
}

fn write_limited(state: &AppState, ctx: &Ctx) -> Option<Response> {
    let id = ctx.who.as_ref()?.user.id.to_string();
    state
        .auth
        .limits
        .account(Door::Write, &id)
        .err()
        .map(|wait| super::denied::too_many(false, ctx.lang, wait))
}

// ---------------------------------------------------------------- annotations

fn annotation_item<'a>(
    a: &'a Annotation,
    created: &'a str,
    variable: Option<&'a str>,
) -> views::AnnotationItem<'a> {
    views::AnnotationItem {
        id: a.id,
        title: &a.title,
        body_html: &a.body_html,
        author: a.author_id.zip(a.author_name.as_deref()),
        created,
        edited: a.edited(),
        status: status_view(a.status),
        status_reason: a.status_reason.as_deref(),
        variable,
        has_point: a.lon.is_some(),
    }
}

/// The variables an annotation may point at: (value "dataset/variable", label).
fn variable_choices(
    reference: &crate::official::reference::Reference,
    l: Lang,
) -> Vec<(String, String)> {
    crate::map::view::mappable(reference)
        .flat_map(|entry| {
            let title = l
                .pick(&entry.dataset.title_it, &entry.dataset.title_en)
                .to_string();
            entry.variables.iter().map(move |v| {
                (
                    format!("{}/{}", entry.dataset.slug, v.code),
                    format!("{title} · {}", l.pick(&v.label_it, &v.label_en)),
                )
            })
        })
        .collect()
}

fn variable_label(
    reference: &crate::official::reference::Reference,
    l: Lang,
    a: &Annotation,
) -> Option<String> {
    let entry = reference.dataset(a.dataset_slug.as_deref()?)?;
    let v = entry.variable(a.variable_code.as_deref()?)?;
    Some(format!(
        "{} · {}",
        l.pick(&entry.dataset.title_it, &entry.dataset.title_en),
        l.pick(&v.label_it, &v.label_en)
    ))
}

/// The participation part of a quartiere page: its annotations and its discussion.
pub async fn quartiere_blocks(
    state: &AppState,
    ctx: &Ctx,
    area_code: &str,
    area_name: &str,
    sort: Sort,
    cursor: Option<&str>,
) -> Result<Markup, Response> {
    let reference = state.reference.get().await;
    // Read first: anything committed after it is replayed to live.js.
    let live_since = state.hub.last_id();
    let me = ctx.who.as_ref().map(|p| p.user.id);
    let annotations = state
        .store
        .annotations(Some(area_code), me, ANNOTATIONS_SHOWN)
        .await
        .map_err(internal)?;
    let texts: Vec<(String, Option<String>)> = annotations
        .iter()
        .map(|a| {
            (
                date(ctx.lang, a.created_at),
                variable_label(&reference, ctx.lang, a),
            )
        })
        .collect();
    let items: Vec<views::AnnotationItem> = annotations
        .iter()
        .zip(&texts)
        .map(|(a, (created, variable))| annotation_item(a, created, variable.as_deref()))
        .collect();
    let variables = variable_choices(&reference, ctx.lang);
    let action = format!("/quartieri/{}/annotazioni", slug_of(area_code));
    let c = common(ctx, None, &[]);
    let block = views::annotations_block(
        &c,
        viewer(ctx),
        &views::AnnotationsBlock {
            area_code,
            area_name,
            action: &action,
            items: &items,
            variables: &variables,
            draft: ("", "", "", "", ""),
        },
    );
    let subject = format!("area:{area_code}");
    let discussion = discussion(
        state,
        ctx,
        &subject,
        ctx.lang.pick(
            "Discussione sul quartiere",
            "Discussion about the quartiere",
        ),
        sort,
        cursor,
    )
    .await?;
    let follow = follow_button(state, ctx, &subject).await?;
    Ok(html! { div data-live-since=(live_since) { (follow) (block) (discussion) } })
}

/// The participation part of a dataset page: follow, and its discussion.
pub async fn dataset_blocks(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    sort: Sort,
    cursor: Option<&str>,
) -> Result<Markup, Response> {
    let live_since = state.hub.last_id();
    let subject = format!("dataset:{slug}");
    let title = ctx
        .lang
        .pick("Discussione sul dataset", "Discussion about the dataset");
    let discussion = discussion(state, ctx, &subject, title, sort, cursor).await?;
    let follow = follow_button(state, ctx, &subject).await?;
    Ok(html! { div data-live-since=(live_since) { (follow) (discussion) } })
}

/// `q2016-navile` -> `navile`.
fn slug_of(area_code: &str) -> &str {
    area_code.strip_prefix("q2016-").unwrap_or(area_code)
}

async fn follow_button(state: &AppState, ctx: &Ctx, subject: &str) -> Result<Markup, Response> {
    let Some(me) = ctx.who.as_ref() else {
        return Ok(html! {});
    };
    let following = state
        .store
        .following(me.user.id, subject)
        .await
        .map_err(internal)?;
    Ok(views::follow_button(
        &common(ctx, None, &[]),
        subject,
        following,
    ))
}

/// A thread's view for a subject (empty when nobody has written yet).
async fn discussion(
    state: &AppState,
    ctx: &Ctx,
    subject: &str,
    title: &str,
    sort: Sort,
    cursor: Option<&str>,
) -> Result<Markup, Response> {
    let thread = state.store.thread(subject).await.map_err(internal)?;
    let posts = match &thread {
        Some(t) => state.store.posts(t.id).await.map_err(internal)?,
        None => Vec::new(),
    };
    let me = ctx.who.as_ref().map(|p| p.user.id);
    let marked = match (&thread, me) {
        (Some(t), Some(me)) => state
            .store
            .marked_useful(t.id, me)
            .await
            .map_err(internal)?,
        _ => Vec::new(),
    };
    // Held posts are shown to their author only.
    let shown: Vec<Post> = posts
        .into_iter()
        .filter(|p| p.status != ContentStatus::Held || (me.is_some() && p.author_id == me))
        .collect();
    let (nodes, next) = page_of(&shown, sort, cursor, POSTS_PER_PAGE, REPLY_DEPTH);
    let dates: HashMap<i64, String> = shown
        .iter()
        .map(|p| (p.id, date(ctx.lang, p.created_at)))
        .collect();
    let items: Vec<views::PostItem> = nodes
        .iter()
        .map(|n| post_item(n, &dates, &marked))
        .collect();
    let (kind, key) = subject.split_once(':').unwrap_or(("area", subject));
    let post_action = format!("/discussioni/{kind}/{key}/messaggi");
    let lock_action = thread
        .as_ref()
        .map(|t| format!("/discussioni/{}/blocca", t.id));
    let next = next.map(|n| format!("?ordine={}&dopo={n}", sort.code()));
    // Follow this discussion (once it exists), beside following its subject.
    let follow = match &thread {
        Some(t) => follow_button(state, ctx, &format!("thread:{}", t.id)).await?,
        None => html! {},
    };
    let view = views::thread(
        &common(ctx, None, &[]),
        viewer(ctx),
        &views::ThreadView {
            thread_id: thread.as_ref().map(|t| t.id),
            subject_title: title,
            locked: thread.as_ref().is_some_and(|t| t.locked),
            sort: match sort {
                Sort::Oldest => views::Sort::Oldest,
                Sort::Newest => views::Sort::Newest,
                Sort::Useful => views::Sort::Useful,
            },
            posts: &items,
            next: next.as_deref(),
            post_action: &post_action,
            lock_action: lock_action.as_deref(),
            draft: "",
        },
    );
    Ok(html! { (follow) (view) })
}

fn post_item<'a>(
    node: &Node<'a>,
    dates: &'a HashMap<i64, String>,
    marked: &[i64],
) -> views::PostItem<'a> {
    let p = node.post;
    views::PostItem {
        id: p.id,
        body_html: &p.body_html,
        author: p.author_id.zip(p.author_name.as_deref()),
        created: dates.get(&p.id).map(String::as_str).unwrap_or(""),
        edited: p.edited_at.is_some(),
        status: status_view(p.status),
        useful: p.useful,
        marked: marked.contains(&p.id),
        replies: node
            .replies
            .iter()
            .map(|r| post_item(r, dates, marked))
            .collect(),
        more_replies: node.hidden,
    }
}

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

/// A new annotation from the form of a 2016 quartiere (or a 2014 one, mapped to its 2016 quartiere).
pub async fn create_annotation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(form): Form<AnnotationForm>,
) -> Response {
    annotation_from_form(state, ctx, Boundaries::B2016, slug, form).await
}

pub async fn create_annotation_2014(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(form): Form<AnnotationForm>,
) -> Response {
    annotation_from_form(state, ctx, Boundaries::B2014, slug, form).await
}

async fn annotation_from_form(
    state: AppState,
    ctx: Ctx,
    boundaries: Boundaries,
    slug: String,
    form: AnnotationForm,
) -> Response {
    let reference = state.reference.get().await;
    let Some(area) = reference
        .areas(boundaries, Level::Quartiere)
        .iter()
        .find(|a| a.slug == slug)
        .cloned()
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // A 2014 quartiere is annotated on the 2016 one it became part of.
    let area = match boundaries {
        Boundaries::B2016 => area,
        Boundaries::B2014 => match reference.became(&area) {
            Some(a) => a.clone(),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    if let Some(limited) = write_limited(&state, &ctx) {
        return limited;
    }
    let mut errors = Vec::new();
    let title = markup::clean_title(&form.title, TITLE_MAX + 1);
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        errors.push(error(
            &ctx,
            "title",
            "Scrivi un titolo (al massimo 120 caratteri).",
            "Write a title (at most 120 characters).",
        ));
    }
    let point = match (form.lon.trim(), form.lat.trim()) {
        ("", "") => None,
        (lon, lat) => match (
            lon.replace(',', ".").parse::<f64>(),
            lat.replace(',', ".").parse::<f64>(),
        ) {
            (Ok(lon), Ok(lat)) if lon.is_finite() && lat.is_finite() => Some((lon, lat)),
            _ => {
                errors.push(error(
                    &ctx,
                    "lon",
                    "Longitudine e latitudine devono essere numeri, come 11.35 e 44.51.",
                    "Longitude and latitude must be numbers, such as 11.35 and 44.51.",
                ));
                None
            }
        },
    };
    if let Some((lon, lat)) = point {
        let inside = area
            .geometry
            .as_deref()
            .and_then(|g| crate::official::geography::from_geojson_geometry(g).ok())
            .is_some_and(|g| crate::official::geography::contains_point(&g, lon, lat));
        if !inside {
            let message = format!(
                "{} {}.",
                ctx.lang.pick(
                    "Il punto non è dentro il quartiere",
                    "The point is not inside the quartiere"
                ),
                area.name
            );
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(
                    &state,
                    &ctx,
                    &area,
                    &form,
                    vec![FieldError {
                        field: "lon",
                        message,
                    }],
                )
                .await,
            )
                .into_response();
        }
    }
    let variable = match form.variable.split_once('/') {
        None if form.variable.is_empty() => None,
        Some((d, v)) if reference.dataset(d).and_then(|e| e.variable(v)).is_some() => {
            Some((d.to_string(), v.to_string()))
        }
        _ => {
            errors.push(error(
                &ctx,
                "variable",
                "Scegli una variabile dall'elenco.",
                "Choose a variable from the list.",
            ));
            None
        }
    };
    let prepared = match prepare_text(&state, &ctx, "body", &form.body).await {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let (Some((body, rendered, status)), true) = (prepared, errors.is_empty()) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, &ctx, &area, &form, errors).await,
        )
            .into_response();
    };
    let Some(me) = ctx.who.as_ref() else {
        return super::session::unauthorized();
    };
    let created = state
        .store
        .create_annotation(
            &NewAnnotation {
                area_code: &area.code,
                author_id: me.user.id,
                title: &title,
                body: &body,
                body_html: &rendered.html,
                point,
                variable: variable.as_ref().map(|(d, v)| (d.as_str(), v.as_str())),
                status,
            },
            OffsetDateTime::now_utc(),
        )
        .await;
    match created {
        Ok(a) => {
            state.hub.poke();
            see_other(&format!("/quartieri/{}#annotation-{}", area.slug, a.id))
        }
        Err(e) => internal(e),
    }
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
    let c = common(ctx, None, &errors);
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
) -> Response {
    let annotation = match state.store.annotation(id).await {
        Ok(Some(a)) => a,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let me = ctx.who.as_ref().map(|p| p.user.id);
    if annotation.status == ContentStatus::Held && annotation.author_id != me {
        return StatusCode::NOT_FOUND.into_response();
    }
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
    let discussion = match discussion(
        &state,
        &ctx,
        &subject,
        title,
        Sort::parse(q.ordine.as_deref()),
        q.dopo.as_deref(),
    )
    .await
    {
        Ok(d) => d,
        Err(r) => return r,
    };
    let c = common(&ctx, notice(&ctx, q.msg.as_deref()), &[]);
    let discussion = html! { div data-live-since=(live_since) { (discussion) } };
    page(
        StatusCode::OK,
        views::annotation_page_with(&c, viewer(&ctx), &item, (&area.0, &area.1), discussion),
    )
}

// ---------------------------------------------------------------- posts

#[derive(Deserialize, Default)]
pub struct PostForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    parent: Option<String>,
}

/// Where a subject's discussion is shown.
fn subject_href(
    reference: &crate::official::reference::Reference,
    kind: &str,
    key: &str,
) -> Option<String> {
    match kind {
        "area" => reference
            .areas(Boundaries::B2016, Level::Quartiere)
            .iter()
            .find(|a| a.code == key)
            .map(|a| format!("/quartieri/{}", a.slug)),
        "dataset" => reference.dataset(key).map(|_| format!("/datasets/{key}")),
        _ => None,
    }
}

pub async fn create_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
    Form(form): Form<PostForm>,
) -> Response {
    let reference = state.reference.get().await;
    let href = match kind.as_str() {
        "annotation" => match key.parse::<i64>() {
            Ok(id) => match state.store.annotation(id).await {
                Ok(Some(a)) if a.status == ContentStatus::Visible => format!("/annotazioni/{id}"),
                Ok(_) => return StatusCode::NOT_FOUND.into_response(),
                Err(e) => return internal(e),
            },
            Err(_) => return StatusCode::NOT_FOUND.into_response(),
        },
        _ => match subject_href(&reference, &kind, &key) {
            Some(h) => h,
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    if let Some(limited) = write_limited(&state, &ctx) {
        return limited;
    }
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let now = OffsetDateTime::now_utc();
    let subject = format!("{kind}:{key}");
    let thread = match state.store.ensure_thread(&subject, now).await {
        Ok(t) => t,
        Err(e) => return internal(e),
    };
    if thread.locked {
        return locked(&ctx, &href);
    }
    let parent = match form.parent.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => match p.parse::<i64>() {
            Ok(id) => match state.store.post(id).await {
                Ok(Some(post)) if post.thread_id == thread.id => Some(id),
                Ok(_) => {
                    return (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "parent: not a post of this discussion",
                    )
                        .into_response()
                }
                Err(e) => return internal(e),
            },
            Err(_) => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "parent: expected a post id",
                )
                    .into_response()
            }
        },
    };
    let (body, rendered, status) = match prepare_text(&state, &ctx, "body", &form.body).await {
        Ok(p) => p,
        Err(e) => {
            return super::denied::respond_at(
                &ctx.here,
                false,
                ctx.lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-post",
                ("Messaggio non inviato", "Message not sent"),
                (e.message.as_str(), e.message.as_str()),
                Some((
                    &href,
                    ctx.lang
                        .pick("Torna alla discussione", "Back to the discussion"),
                )),
            )
        }
    };
    let excerpt: String = rendered.text.chars().take(140).collect();
    let link = format!("{href}#post-");
    let created = state
        .store
        .create_post(
            &NewPost {
                thread_id: thread.id,
                parent_id: parent,
                author_id: me.user.id,
                body: &body,
                body_html: &rendered.html,
                status,
                mentions: &rendered.mentions,
                link: &link,
                excerpt: &excerpt,
            },
            now,
        )
        .await;
    match created {
        Ok(post) => {
            state.hub.poke();
            see_other(&format!("{href}#post-{}", post.id))
        }
        Err(StoreError::Conflict(_)) => locked(&ctx, &href),
        Err(e) => internal(e),
    }
}

fn locked(ctx: &Ctx, href: &str) -> Response {
    super::denied::respond_at(
        &ctx.here,
        false,
        ctx.lang,
        StatusCode::CONFLICT,
        "locked",
        ("Discussione chiusa", "Discussion locked"),
        (
            "Un moderatore ha chiuso questa discussione: non si possono aggiungere messaggi.",
            "A moderator has locked this discussion: no new messages can be added.",
        ),
        Some((
            href,
            ctx.lang
                .pick("Torna alla discussione", "Back to the discussion"),
        )),
    )
}

pub async fn toggle_useful(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    if let Some(limited) = write_limited(&state, &ctx) {
        return limited;
    }
    let post = match state.store.post(id).await {
        Ok(Some(p)) if p.status == ContentStatus::Visible => p,
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let href = match back_to_post(&state, &post).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    match state
        .store
        .toggle_useful(id, me.user.id, &href, OffsetDateTime::now_utc())
        .await
    {
        Ok(_) => {
            state.hub.poke();
            see_other(&href)
        }
        Err(e) => internal(e),
    }
}

/// The page a post lives on, with its anchor.
async fn back_to_post(state: &AppState, post: &Post) -> Result<String, Response> {
    let thread = match state.store.thread_by_id(post.thread_id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Err(StatusCode::NOT_FOUND.into_response()),
        Err(e) => return Err(internal(e)),
    };
    let reference = state.reference.get().await;
    let (kind, key) = thread.subject.split_once(':').unwrap_or(("", ""));
    let base = match kind {
        "annotation" => Some(format!("/annotazioni/{key}")),
        _ => subject_href(&reference, kind, key),
    };
    base.map(|b| format!("{b}#post-{}", post.id))
        .ok_or_else(|| StatusCode::NOT_FOUND.into_response())
}

pub async fn lock_thread(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let thread = match state.store.thread_by_id(id).await {
        Ok(Some(t)) => t,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let by = (!thread.locked).then_some(me.user.id);
    if let Err(e) = state
        .store
        .set_thread_lock(id, by, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    state.hub.poke();
    let reference = state.reference.get().await;
    let (kind, key) = thread.subject.split_once(':').unwrap_or(("", ""));
    let href = match kind {
        "annotation" => Some(format!("/annotazioni/{key}")),
        _ => subject_href(&reference, kind, key),
    };
    see_other(&href.unwrap_or_else(|| "/".into()))
}

// ---------------------------------------------------------------- notifications and follows

pub async fn notifications_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let list = match state.store.notifications(me.user.id, 100).await {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    let whens: Vec<String> = list.iter().map(|n| date(ctx.lang, n.created_at)).collect();
    let items: Vec<views::NotificationItem> = list
        .iter()
        .zip(&whens)
        .map(|(n, when)| views::NotificationItem {
            id: n.id,
            summary: &n.summary,
            link: &n.link,
            when,
            unread: !n.read,
        })
        .collect();
    let unread = items.iter().filter(|i| i.unread).count();
    page(
        StatusCode::OK,
        views::notifications(&common(&ctx, None, &[]), &items, unread),
    )
}

pub async fn mark_all_read(State(state): State<AppState>, ctx: Ctx) -> Response {
    mark(&state, &ctx, None).await
}

pub async fn mark_one_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    mark(&state, &ctx, Some(id)).await
}

async fn mark(state: &AppState, ctx: &Ctx, id: Option<i64>) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    if let Err(e) = state
        .store
        .mark_read(me.user.id, id, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    state.hub.poke();
    see_other("/notifiche")
}

/// `GET /api/v1/notifications/unread`: the bell's count.
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "accounts",
    responses((status = 200, description = "`{\"unread\": N, \"user_id\": ID}`", content_type = "application/json"),
        (status = 401, description = "Not signed in")),
    security(("bearer" = [])))]
pub async fn unread_count(State(state): State<AppState>, ctx: Ctx) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    match state.store.unread_notifications(me.user.id).await {
        Ok(n) => Json(serde_json::json!({"unread": n, "user_id": me.user.id})).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, Default)]
pub struct FollowForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    digest: String,
}

/// A subject one may follow, and where it lives.
async fn followable(state: &AppState, subject: &str) -> Option<(String, String)> {
    let reference = state.reference.get().await;
    let (kind, key) = subject.split_once(':')?;
    match kind {
        "area" => reference
            .areas(Boundaries::B2016, Level::Quartiere)
            .iter()
            .find(|a| a.code == key)
            .map(|a| (a.name.clone(), format!("/quartieri/{}", a.slug))),
        "dataset" => reference
            .dataset(key)
            .map(|d| (d.dataset.title_it.clone(), format!("/datasets/{key}"))),
        "thread" => {
            let id = key.parse::<i64>().ok()?;
            let thread = state.store.thread_by_id(id).await.ok()??;
            let (k, v) = thread.subject.split_once(':')?;
            let href = match k {
                "annotation" => format!("/annotazioni/{v}"),
                _ => subject_href(&reference, k, v)?,
            };
            Some((format!("Discussione {id}"), href))
        }
        _ => None,
    }
}

pub async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<FollowForm>,
) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let Some((_, href)) = followable(&state, &form.subject).await else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "subject: expected area:<code>, dataset:<slug> or thread:<id>",
        )
            .into_response();
    };
    let digest = Digest::parse(&form.digest).unwrap_or(Digest::None);
    let token = random_token();
    if let Err(e) = state
        .store
        .follow(
            me.user.id,
            &form.subject,
            digest,
            &sha256_hex(&token),
            OffsetDateTime::now_utc(),
        )
        .await
    {
        return internal(e);
    }
    let back = if ctx.here.starts_with("/seguiti") {
        "/seguiti".to_string()
    } else {
        href
    };
    see_other(&back)
}

pub async fn unfollow(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<FollowForm>,
) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    if let Err(e) = state.store.unfollow(me.user.id, &form.subject).await {
        return internal(e);
    }
    let back = followable(&state, &form.subject)
        .await
        .map(|f| f.1)
        .unwrap_or_else(|| "/seguiti".into());
    see_other(&back)
}

pub async fn follows_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let Some(me) = ctx.who.clone() else {
        return super::session::unauthorized();
    };
    let list = match state.store.follows(me.user.id).await {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    let mut described = Vec::new();
    for f in &list {
        if let Some((title, link)) = followable(&state, &f.subject).await {
            described.push((f, title, link));
        }
    }
    let items: Vec<views::FollowItem> = described
        .iter()
        .map(|(f, title, link)| views::FollowItem {
            subject: &f.subject,
            title,
            link,
            digest: f.digest.as_str(),
        })
        .collect();
    page(
        StatusCode::OK,
        views::follows(&common(&ctx, None, &[]), &items),
    )
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The digest's one-click unsubscribe: works without logging in.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Response {
    let hash = sha256_hex(q.token.as_deref().unwrap_or(""));
    match state.store.unfollow_by_token(&hash).await {
        Ok(Some(_)) => super::denied::respond_at(
            &ctx.here,
            false,
            ctx.lang,
            StatusCode::OK,
            "unsubscribed",
            ("Iscrizione annullata", "Unsubscribed"),
            (
                "Non riceverai più il riepilogo di questo argomento.",
                "You will no longer receive the digest of this subject.",
            ),
            Some(("/", ctx.lang.pick("Torna alla mappa", "Back to the map"))),
        ),
        Ok(None) => super::denied::respond_at(
            &ctx.here,
            false,
            ctx.lang,
            StatusCode::BAD_REQUEST,
            "bad-link",
            ("Link non valido", "Invalid link"),
            (
                "Questo link non è valido o è già stato usato.",
                "This link is not valid or has been used already.",
            ),
            None,
        ),
        Err(e) => internal(e),
    }
}

// ---------------------------------------------------------------- edits, deletions, history

fn forbidden(ctx: &Ctx) -> Response {
    super::denied::respond_at(
        &ctx.here,
        false,
        ctx.lang,
        StatusCode::FORBIDDEN,
        "forbidden",
        ("Non consentito", "Not allowed"),
        ("Solo l'autore può farlo.", "Only the author can do this."),
        None,
    )
}

/// The annotation, if the signed-in user wrote it and may still change it.
async fn own_annotation(state: &AppState, ctx: &Ctx, id: i64) -> Result<Annotation, Response> {
    let me = ctx.who.as_ref().map(|p| p.user.id);
    match state.store.annotation(id).await {
        Ok(Some(a)) if a.author_id.is_some() && a.author_id == me => {
            if matches!(a.status, ContentStatus::Deleted | ContentStatus::Removed) {
                Err(forbidden(ctx))
            } else {
                Ok(a)
            }
        }
        Ok(Some(_)) => Err(forbidden(ctx)),
        Ok(None) => Err(StatusCode::NOT_FOUND.into_response()),
        Err(e) => Err(internal(e)),
    }
}

async fn own_post(state: &AppState, ctx: &Ctx, id: i64) -> Result<Post, Response> {
    let me = ctx.who.as_ref().map(|p| p.user.id);
    match state.store.post(id).await {
        Ok(Some(p)) if p.author_id.is_some() && p.author_id == me => {
            if matches!(p.status, ContentStatus::Deleted | ContentStatus::Removed) {
                Err(forbidden(ctx))
            } else {
                Ok(p)
            }
        }
        Ok(Some(_)) => Err(forbidden(ctx)),
        Ok(None) => Err(StatusCode::NOT_FOUND.into_response()),
        Err(e) => Err(internal(e)),
    }
}

pub async fn edit_annotation_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    match own_annotation(&state, &ctx, id).await {
        Ok(a) => page(
            StatusCode::OK,
            views::edit_form(
                &common(&ctx, None, &[]),
                ctx.lang
                    .pick("Modifica l'annotazione", "Edit the annotation"),
                &format!("/annotazioni/{id}/modifica"),
                Some(&a.title),
                &a.body,
            ),
        ),
        Err(r) => r,
    }
}

pub async fn edit_annotation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<AnnotationForm>,
) -> Response {
    if let Err(r) = own_annotation(&state, &ctx, id).await {
        return r;
    }
    if let Some(limited) = write_limited(&state, &ctx) {
        return limited;
    }
    let mut errors = Vec::new();
    let title = markup::clean_title(&form.title, TITLE_MAX + 1);
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        errors.push(error(
            &ctx,
            "title",
            "Scrivi un titolo (al massimo 120 caratteri).",
            "Write a title (at most 120 characters).",
        ));
    }
    let prepared = match prepare_text(&state, &ctx, "body", &form.body).await {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let (Some((body, rendered, _)), true) = (prepared, errors.is_empty()) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::edit_form(
                &common(&ctx, None, &errors),
                ctx.lang
                    .pick("Modifica l'annotazione", "Edit the annotation"),
                &format!("/annotazioni/{id}/modifica"),
                Some(&form.title),
                &form.body,
            ),
        );
    };
    match state
        .store
        .edit_annotation(id, &title, &body, &rendered.html, OffsetDateTime::now_utc())
        .await
    {
        Ok(()) => {
            state.hub.poke();
            see_other(&format!("/annotazioni/{id}"))
        }
        Err(e) => internal(e),
    }
}

pub async fn delete_annotation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    let a = match own_annotation(&state, &ctx, id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let moderation::Verdict::Refused(_) =
        moderation::transition(a.status, ContentStatus::Deleted, moderation::Actor::Author)
    {
        return forbidden(&ctx);
    }
    if let Err(e) = state
        .store
        .set_annotation_status(id, ContentStatus::Deleted, None, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    state.hub.poke();
    see_other(&format!("/quartieri/{}", slug_of(&a.area_code)))
}

pub async fn annotation_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    let me = ctx.who.as_ref().map(|p| p.user.id);
    let a = match state.store.annotation(id).await {
        Ok(Some(a))
            if a.status == ContentStatus::Visible
                || (a.author_id.is_some() && a.author_id == me) =>
        {
            a
        }
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
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

async fn history_page(
    state: &AppState,
    ctx: &Ctx,
    content: &str,
    id: i64,
    back: &str,
    current: Option<(&str, &str, OffsetDateTime)>,
) -> Response {
    let revisions = match state.store.revisions(content, id).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let mut all: Vec<(Option<String>, String, OffsetDateTime)> = Vec::new();
    if let Some((title, body, when)) = current {
        all.push((
            Some(title.to_string()).filter(|t| !t.is_empty()),
            body.to_string(),
            when,
        ));
    }
    all.extend(revisions);
    let whens: Vec<String> = all.iter().map(|r| date(ctx.lang, r.2)).collect();
    let items: Vec<views::Revision> = all
        .iter()
        .zip(&whens)
        .map(|(r, when)| views::Revision {
            when,
            title: r.0.as_deref(),
            body: &r.1,
        })
        .collect();
    page(
        StatusCode::OK,
        views::history(
            &common(ctx, None, &[]),
            ctx.lang.pick("Cronologia delle modifiche", "Edit history"),
            back,
            &items,
        ),
    )
}

pub async fn edit_post_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    match own_post(&state, &ctx, id).await {
        Ok(p) => page(
            StatusCode::OK,
            views::edit_form(
                &common(&ctx, None, &[]),
                ctx.lang.pick("Modifica il messaggio", "Edit the message"),
                &format!("/messaggi/{id}/modifica"),
                None,
                &p.body,
            ),
        ),
        Err(r) => r,
    }
}

pub async fn edit_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<PostForm>,
) -> Response {
    let post = match own_post(&state, &ctx, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Some(limited) = write_limited(&state, &ctx) {
        return limited;
    }
    let (body, rendered, _) = match prepare_text(&state, &ctx, "body", &form.body).await {
        Ok(p) => p,
        Err(e) => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::edit_form(
                    &common(&ctx, None, &[e]),
                    ctx.lang.pick("Modifica il messaggio", "Edit the message"),
                    &format!("/messaggi/{id}/modifica"),
                    None,
                    &form.body,
                ),
            )
        }
    };
    if let Err(e) = state
        .store
        .edit_post(id, &body, &rendered.html, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    state.hub.poke();
    match back_to_post(&state, &post).await {
        Ok(href) => see_other(&href),
        Err(r) => r,
    }
}

pub async fn delete_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let post = match own_post(&state, &ctx, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let moderation::Verdict::Refused(_) = moderation::transition(
        post.status,
        ContentStatus::Deleted,
        moderation::Actor::Author,
    ) {
        return forbidden(&ctx);
    }
    if let Err(e) = state
        .store
        .set_post_status(id, ContentStatus::Deleted, None, OffsetDateTime::now_utc())
        .await
    {
        return internal(e);
    }
    state.hub.poke();
    match back_to_post(&state, &post).await {
        Ok(href) => see_other(&href),
        Err(r) => r,
    }
}

pub async fn post_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    let me = ctx.who.as_ref().map(|p| p.user.id);
    let post = match state.store.post(id).await {
        Ok(Some(p))
            if p.status == ContentStatus::Visible
                || (p.author_id.is_some() && p.author_id == me) =>
        {
            p
        }
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let back = match back_to_post(&state, &post).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    history_page(
        &state,
        &ctx,
        "post",
        id,
        &back,
        Some(("", &post.body, post.edited_at.unwrap_or(post.created_at))),
    )
    .await
}

/// A post and all its replies, for threads deeper than the subject page shows.
pub async fn post_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let me = ctx.who.as_ref().map(|p| p.user.id);
    let post = match state.store.post(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let (thread, posts) = match (
        state.store.thread_by_id(post.thread_id).await,
        state.store.posts(post.thread_id).await,
    ) {
        (Ok(Some(t)), Ok(p)) => (t, p),
        (Ok(None), _) => return StatusCode::NOT_FOUND.into_response(),
        (Err(e), _) | (_, Err(e)) => return internal(e),
    };
    let shown: Vec<Post> = posts
        .into_iter()
        .filter(|p| p.status != ContentStatus::Held || (me.is_some() && p.author_id == me))
        .collect();
    let Some(root) = shown.iter().find(|p| p.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The post as the root of its own little thread.
    let mut as_root = root.clone();
    as_root.parent_id = None;
    let mut subtree: Vec<Post> = vec![as_root];
    let mut frontier = vec![id];
    while let Some(parent) = frontier.pop() {
        for p in shown.iter().filter(|p| p.parent_id == Some(parent)) {
            frontier.push(p.id);
            subtree.push(p.clone());
        }
    }
    let marked = match me {
        Some(me) => state
            .store
            .marked_useful(thread.id, me)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let (nodes, _) = page_of(&subtree, Sort::Oldest, None, 1, 32);
    let dates: HashMap<i64, String> = subtree
        .iter()
        .map(|p| (p.id, date(ctx.lang, p.created_at)))
        .collect();
    let items: Vec<views::PostItem> = nodes
        .iter()
        .map(|n| post_item(n, &dates, &marked))
        .collect();
    let (kind, key) = thread.subject.split_once(':').unwrap_or(("area", ""));
    let post_action = format!("/discussioni/{kind}/{key}/messaggi");
    let back = back_to_post(&state, &post)
        .await
        .unwrap_or_else(|_| "/".into());
    let title = ctx.lang.pick(
        "Un messaggio e le sue risposte",
        "A message and its replies",
    );
    let c = common(&ctx, None, &[]);
    let body = views::thread(
        &c,
        viewer(&ctx),
        &views::ThreadView {
            thread_id: Some(thread.id),
            subject_title: ctx.lang.pick("Risposte", "Replies"),
            locked: thread.locked,
            sort: views::Sort::Oldest,
            posts: &items,
            next: None,
            post_action: &post_action,
            lock_action: None,
            draft: "",
        },
    );
    page(
        StatusCode::OK,
        openwelfare_frontend::layout::page(
            &openwelfare_frontend::layout::Shell {
                lang: ctx.lang,
                title,
                here: &ctx.here,
                embed: false,
            },
            html! { h1 { (title) } p { a href=(back) { (ctx.lang.pick("Torna alla discussione", "Back to the discussion")) } } (body) },
        ),
    )
}
