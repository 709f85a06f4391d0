//! The lab's JSON API (`/api/v1`): annotations, discussions with their
//! reply tree, replies, "utile", follows and notifications. Signed in with
//! a Bearer token from `/api/v1/auth/token` (or the browser's session).
//! Every write calls the same `participation` operation as the HTML page,
//! so the rate limits, the sanitizer and the content screen are the same;
//! failures are problem documents naming the field (`http::error`).

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::error::{
    BadRequest, Error, Forbidden, NotFound, Problem, TooMany, Unauthorized, Unprocessable,
};
use super::extract::{ApiJson, ApiPath, SignedIn, Verified};
use super::lab::lab;
use super::session::Identity;
use super::state::AppState;
use crate::lab::{page_of, status_str, subtree, Annotation, Node, Notification, Sort};
use crate::official::model::{Boundaries, Level};
use crate::participation::{AnnotationDraft, Discussion, Error as LabError, Point};

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;
const REPLY_DEPTH: usize = 4;

fn viewer(identity: &Identity) -> Option<i64> {
    identity.0.as_ref().map(|p| p.user.id)
}

fn limit(asked: Option<i64>) -> Result<i64, Error> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(Error::bad("limit", "expected a number from 1 to 100")),
    }
}

// The path parameters, as the OpenAPI document names them (the handlers
// take them with `ApiPath`).

#[derive(IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
#[allow(dead_code)]
pub struct AnnotationId(
    /// The annotation's id
    i64,
);

#[derive(IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
#[allow(dead_code)]
pub struct PostId(
    /// The post's id
    i64,
);

#[derive(IntoParams)]
#[into_params(names("kind", "key"), parameter_in = Path)]
#[allow(dead_code)]
pub struct DiscussionSubject(
    /// `area`, `dataset` or `annotation`
    String,
    /// The quartiere's code, the dataset's slug or the annotation's id
    String,
);

fn created(location: String, body: impl Serialize) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}

// ---------------------------------------------------------------- annotations

/// An annotation as the API shows it. The text of a removed or deleted
/// annotation is not shown (its place in the list stays).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnotationView {
    pub id: i64,
    /// The 2016 quartiere's code, such as `q2016-navile`.
    pub area: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub title: String,
    /// Sanitized HTML.
    pub body_html: String,
    /// The Markdown source, for its author (to edit it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub point: Option<PointView>,
    /// `dataset/variable`, when the annotation is about one.
    pub variable: Option<String>,
    /// `visible`, `held` (shown to its author only), `removed` or `deleted`.
    pub status: String,
    /// Why the content screen holds it (held annotations only: their
    /// author and moderators see them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_for: Vec<HeldFor>,
    /// The discussion's subject, for `/api/v1/discussions/annotation/{id}`.
    pub discussion: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// A point, in degrees (WGS 84).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct PointView {
    pub lon: f64,
    pub lat: f64,
}

/// A rule of the content screen that holds a text: what its author must
/// edit out, or wait for a moderator about.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldFor {
    /// Such as `personal_data.codice_fiscale` or `word_hold`.
    pub rule: String,
    pub message_it: String,
    pub message_en: String,
    /// Where in the plain text, in bytes (absent for the title, or a rule
    /// on the whole text).
    pub start: Option<usize>,
    pub end: Option<usize>,
}

impl HeldFor {
    fn list(status: crate::lab::ContentStatus, findings: &[moderation::Finding]) -> Vec<Self> {
        if status != crate::lab::ContentStatus::Held {
            return Vec::new();
        }
        findings
            .iter()
            .map(|f| HeldFor {
                rule: f.rule.id(),
                message_it: f.message_it.clone(),
                message_en: f.message_en.clone(),
                start: f.span.as_ref().map(|s| s.start),
                end: f.span.as_ref().map(|s| s.end),
            })
            .collect()
    }
}

impl AnnotationView {
    fn of(a: Annotation, viewer: Option<i64>) -> Self {
        let gone = matches!(
            a.status,
            crate::lab::ContentStatus::Removed | crate::lab::ContentStatus::Deleted
        );
        let mine = viewer.is_some() && a.author_id == viewer;
        AnnotationView {
            held_for: HeldFor::list(a.status, &a.screening),
            discussion: format!("annotation:{}", a.id),
            id: a.id,
            area: a.area_code,
            author_id: a.author_id,
            author_name: a.author_name,
            title: if gone { String::new() } else { a.title },
            body_html: if gone { String::new() } else { a.body_html },
            body: (mine && !gone).then_some(a.body),
            point: a.lon.zip(a.lat).map(|(lon, lat)| PointView { lon, lat }),
            variable: a
                .dataset_slug
                .zip(a.variable_code)
                .map(|(d, v)| format!("{d}/{v}")),
            status: status_str(a.status).into(),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnotationPage {
    pub items: Vec<AnnotationView>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnnotationQuery {
    /// A 2016 quartiere's code (`q2016-navile`) or slug (`navile`); all quartieri without it.
    pub area: Option<String>,
    /// The `next` of the previous page.
    pub before: Option<i64>,
    /// At most this many (1 to 100, 20 by default).
    pub limit: Option<i64>,
}

/// The 2016 quartiere named by its code or slug.
async fn area_code(state: &AppState, name: &str) -> Result<String, Error> {
    let reference = state.reference.get().await;
    reference
        .areas(Boundaries::B2016, Level::Quartiere)
        .iter()
        .find(|a| a.code == name || a.slug == name)
        .map(|a| a.code.clone())
        .ok_or_else(|| Error::not_found("area", format!("no 2016 quartiere is called {name:?}")))
}

#[utoipa::path(get, path = "/api/v1/annotations", tag = "lab",
    params(AnnotationQuery),
    responses((status = 200, body = AnnotationPage), BadRequest,
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such quartiere")))]
pub async fn list_annotations(
    State(state): State<AppState>,
    axum::Extension(identity): axum::Extension<Identity>,
    Query(q): Query<AnnotationQuery>,
) -> Result<Response, Error> {
    let limit = limit(q.limit)?;
    let area = match q.area.as_deref() {
        Some(name) => Some(area_code(&state, name).await?),
        None => None,
    };
    let me = viewer(&identity);
    let (items, next) = lab(&state)
        .annotations(area.as_deref(), me, q.before, limit)
        .await?;
    Ok(Json(AnnotationPage {
        items: items
            .into_iter()
            .map(|a| AnnotationView::of(a, me))
            .collect(),
        next,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/annotations/{id}", tag = "lab",
    params(AnnotationId),
    responses((status = 200, body = AnnotationView), NotFound))]
pub async fn get_annotation(
    State(state): State<AppState>,
    axum::Extension(identity): axum::Extension<Identity>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Error> {
    let me = viewer(&identity);
    let a = lab(&state).annotation(id, me).await?;
    Ok(Json(AnnotationView::of(a, me)).into_response())
}

/// A new annotation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnnotationBody {
    /// A 2016 quartiere's code or slug.
    pub area: String,
    /// At most 120 characters.
    pub title: String,
    /// Markdown, at most 5,000 characters.
    pub body: String,
    /// A point inside the quartiere.
    pub point: Option<PointView>,
    /// `dataset/variable` of the official data.
    pub variable: Option<String>,
}

/// A new title and text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditAnnotationBody {
    pub title: String,
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/annotations", tag = "lab",
    request_body = NewAnnotationBody,
    responses((status = 201, body = AnnotationView, description = "Created (held for review if the screen says so: status `held`)"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed JSON"),
        Unauthorized,
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Address not verified, or a cross-site request"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such quartiere"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Fields to fix, each named in `errors`"),
        TooMany),
    security(("bearer" = [])))]
pub async fn create_annotation(
    State(state): State<AppState>,
    who: Verified,
    ApiJson(body): ApiJson<NewAnnotationBody>,
) -> Result<Response, Error> {
    let code = area_code(&state, &body.area).await?;
    let lab = lab(&state);
    let area = lab
        .annotated_area(Boundaries::B2016, crate::participation::slug_of(&code))
        .await?;
    let draft = AnnotationDraft {
        title: &body.title,
        body: &body.body,
        point: body.point.map_or(Point::None, |p| Point::At {
            lon: p.lon,
            lat: p.lat,
        }),
        variable: body.variable.as_deref().unwrap_or(""),
    };
    let a = lab.create_annotation(who.actor(), &area, &draft).await?;
    Ok(created(
        format!("/api/v1/annotations/{}", a.id),
        AnnotationView::of(a, Some(who.0.user.id)),
    ))
}

#[utoipa::path(patch, path = "/api/v1/annotations/{id}", tag = "lab",
    params(AnnotationId),
    request_body = EditAnnotationBody,
    responses((status = 200, body = AnnotationView), BadRequest, Unauthorized,
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not the author, or not verified"),
        NotFound, Unprocessable, TooMany),
    security(("bearer" = [])))]
pub async fn edit_annotation(
    State(state): State<AppState>,
    who: Verified,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EditAnnotationBody>,
) -> Result<Response, Error> {
    let a = lab(&state)
        .edit_annotation(who.actor(), id, &body.title, &body.body)
        .await?;
    Ok(Json(AnnotationView::of(a, Some(who.0.user.id))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/annotations/{id}", tag = "lab",
    params(AnnotationId),
    responses((status = 204, description = "Deleted (a tombstone stays in the list)"), Unauthorized,
        Forbidden, NotFound),
    security(("bearer" = [])))]
pub async fn delete_annotation(
    State(state): State<AppState>,
    who: Verified,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Error> {
    lab(&state).delete_annotation(who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------- discussions

/// A post, with its replies down to a depth.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostView {
    pub id: i64,
    pub thread_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// Sanitized HTML; empty once removed or deleted.
    pub body_html: String,
    pub status: String,
    /// Why the content screen holds it (held posts only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_for: Vec<HeldFor>,
    /// How many marked it useful.
    pub useful: i64,
    /// Whether the reader marked it useful.
    pub marked: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<OffsetDateTime>,
    #[schema(no_recursion)]
    pub replies: Vec<PostView>,
    /// Replies deeper than shown here: read them at `/api/v1/posts/{id}` of the deepest shown.
    pub more_replies: usize,
}

impl PostView {
    fn of(p: &crate::lab::Post, marked: &[i64]) -> Self {
        let gone = matches!(
            p.status,
            crate::lab::ContentStatus::Removed | crate::lab::ContentStatus::Deleted
        );
        PostView {
            id: p.id,
            thread_id: p.thread_id,
            parent_id: p.parent_id,
            author_id: p.author_id,
            author_name: p.author_name.clone(),
            body_html: if gone {
                String::new()
            } else {
                p.body_html.clone()
            },
            status: status_str(p.status).into(),
            held_for: HeldFor::list(p.status, &p.screening),
            useful: p.useful,
            marked: marked.contains(&p.id),
            created_at: p.created_at,
            edited_at: p.edited_at,
            replies: Vec::new(),
            more_replies: 0,
        }
    }

    fn tree(node: &Node<'_>, marked: &[i64]) -> Self {
        let mut view = PostView::of(node.post, marked);
        view.replies = node
            .replies
            .iter()
            .map(|r| PostView::tree(r, marked))
            .collect();
        view.more_replies = node.hidden;
        view
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadView {
    pub id: i64,
    pub subject: String,
    pub locked: bool,
}

/// A page of a discussion: top-level posts, each with its replies.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscussionView {
    pub subject: String,
    /// Absent while nobody has written.
    pub thread: Option<ThreadView>,
    pub posts: Vec<PostView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiscussionQuery {
    /// `oldest` (default), `newest` or `useful`.
    pub sort: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Top-level posts per page (1 to 100, 20 by default).
    pub limit: Option<i64>,
}

fn sort(text: Option<&str>) -> Result<Sort, Error> {
    match text {
        None | Some("oldest") => Ok(Sort::Oldest),
        Some("newest") => Ok(Sort::Newest),
        Some("useful") => Ok(Sort::Useful),
        Some(_) => Err(Error::bad("sort", "expected oldest, newest or useful")),
    }
}

fn subject_of(kind: &str, key: &str) -> Result<String, Error> {
    match kind {
        "area" | "dataset" | "annotation" => Ok(format!("{kind}:{key}")),
        _ => Err(Error::not_found(
            "kind",
            "expected area, dataset or annotation",
        )),
    }
}

#[utoipa::path(get, path = "/api/v1/discussions/{kind}/{key}", tag = "lab",
    params(DiscussionSubject, DiscussionQuery),
    responses((status = 200, body = DiscussionView), BadRequest, NotFound))]
pub async fn get_discussion(
    State(state): State<AppState>,
    axum::Extension(identity): axum::Extension<Identity>,
    ApiPath((kind, key)): ApiPath<(String, String)>,
    Query(q): Query<DiscussionQuery>,
) -> Result<Response, Error> {
    let subject = subject_of(&kind, &key)?;
    let sort = sort(q.sort.as_deref())?;
    let limit = limit(q.limit)?;
    let lab = lab(&state);
    lab.discussable(&subject).await?;
    let Discussion {
        thread,
        posts,
        marked,
    } = lab.discussion(&subject, viewer(&identity)).await?;
    let (nodes, next) = page_of(
        &posts,
        sort,
        q.cursor.as_deref(),
        limit as usize,
        REPLY_DEPTH,
    );
    Ok(Json(DiscussionView {
        subject,
        thread: thread.map(|t| ThreadView {
            id: t.id,
            subject: t.subject,
            locked: t.locked,
        }),
        posts: nodes.iter().map(|n| PostView::tree(n, &marked)).collect(),
        next,
    })
    .into_response())
}

/// A new post, or a reply to `parent`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPostBody {
    /// Markdown, at most 5,000 characters; `@Name` mentions notify.
    pub body: String,
    /// The post this replies to, in the same discussion.
    pub parent: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPostBody {
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/discussions/{kind}/{key}/posts", tag = "lab",
    params(DiscussionSubject),
    request_body = NewPostBody,
    responses((status = 201, body = PostView), BadRequest, Unauthorized, Forbidden, NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The discussion is locked"),
        Unprocessable, TooMany),
    security(("bearer" = [])))]
pub async fn create_post(
    State(state): State<AppState>,
    who: Verified,
    ApiPath((kind, key)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<NewPostBody>,
) -> Result<Response, Error> {
    let subject = subject_of(&kind, &key)?;
    let parent = body.parent.map(|p| p.to_string());
    let (post, _) = lab(&state)
        .create_post(who.actor(), &subject, parent.as_deref(), &body.body)
        .await?;
    Ok(created(
        format!("/api/v1/posts/{}", post.id),
        PostView::of(&post, &[]),
    ))
}

#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "lab",
    params(PostId),
    responses((status = 200, body = PostView), NotFound))]
pub async fn get_post(
    State(state): State<AppState>,
    axum::Extension(identity): axum::Extension<Identity>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Error> {
    let me = viewer(&identity);
    let lab = lab(&state);
    let post = lab.post(id, me).await?;
    let Discussion { posts, marked, .. } = lab.discussion_by_id(post.thread_id, me).await?;
    let subtree = subtree(&posts, id).ok_or(LabError::NotFound("post"))?;
    let (nodes, _) = page_of(&subtree, Sort::Oldest, None, 1, 32);
    let mut view = nodes
        .first()
        .map(|n| PostView::tree(n, &marked))
        .ok_or(LabError::NotFound("post"))?;
    view.parent_id = post.parent_id;
    Ok(Json(view).into_response())
}

#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "lab",
    params(PostId),
    request_body = EditPostBody,
    responses((status = 200, body = PostView), BadRequest, Unauthorized, Forbidden, NotFound,
        Unprocessable, TooMany),
    security(("bearer" = [])))]
pub async fn edit_post(
    State(state): State<AppState>,
    who: Verified,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EditPostBody>,
) -> Result<Response, Error> {
    let (post, _) = lab(&state).edit_post(who.actor(), id, &body.body).await?;
    Ok(Json(PostView::of(&post, &[])).into_response())
}

#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "lab",
    params(PostId),
    responses((status = 204, description = "Deleted (a tombstone keeps its replies in place)"),
        Unauthorized, Forbidden, NotFound),
    security(("bearer" = [])))]
pub async fn delete_post(
    State(state): State<AppState>,
    who: Verified,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Error> {
    lab(&state).delete_post(who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsefulView {
    /// Whether the reader now marks it useful.
    pub marked: bool,
    /// How many mark it useful.
    pub useful: i64,
}

#[utoipa::path(post, path = "/api/v1/posts/{id}/useful", tag = "lab",
    params(PostId),
    responses((status = 200, body = UsefulView, description = "Marked, or the mark taken back"),
        Unauthorized, Forbidden, NotFound, TooMany),
    security(("bearer" = [])))]
pub async fn toggle_useful(
    State(state): State<AppState>,
    who: Verified,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Error> {
    let (marked, useful, _) = lab(&state).toggle_useful(who.actor(), id).await?;
    Ok(Json(UsefulView { marked, useful }).into_response())
}

// ---------------------------------------------------------------- follows and notifications

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowView {
    /// `area:<code>`, `dataset:<slug>` or `thread:<id>`.
    pub subject: String,
    /// `none`, `daily` or `weekly`.
    pub digest: String,
    pub title: String,
    /// The page it lives on.
    pub link: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowBody {
    /// `area:<code>`, `dataset:<slug>` or `thread:<id>`.
    pub subject: String,
    /// `none` (default), `daily` or `weekly`.
    pub digest: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/follows", tag = "lab",
    responses((status = 200, body = Vec<FollowView>), Unauthorized),
    security(("bearer" = [])))]
pub async fn list_follows(State(state): State<AppState>, who: SignedIn) -> Result<Response, Error> {
    let lab = lab(&state);
    let mut out = Vec::new();
    for f in state.store.follows(who.0.user.id).await? {
        if let Ok((title, link)) = lab.followable(&f.subject).await {
            out.push(FollowView {
                subject: f.subject,
                digest: f.digest.as_str().into(),
                title,
                link,
            });
        }
    }
    Ok(Json(out).into_response())
}

#[utoipa::path(post, path = "/api/v1/follows", tag = "lab",
    request_body = FollowBody,
    responses((status = 201, body = FollowView, description = "Followed (again: the digest changes)"),
        BadRequest, Unauthorized, Forbidden,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Not a subject one can follow")),
    security(("bearer" = [])))]
pub async fn follow(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(body): ApiJson<FollowBody>,
) -> Result<Response, Error> {
    let digest = body.digest.as_deref().unwrap_or("none");
    if crate::lab::Digest::parse(digest).is_none() {
        return Err(LabError::from(crate::participation::FieldProblem::new(
            "digest",
            "Riepilogo: none, daily o weekly.",
            "digest: expected none, daily or weekly",
        ))
        .into());
    }
    let lab = lab(&state);
    lab.follow(who.actor(), &body.subject, digest).await?;
    let (title, link) = lab.followable(&body.subject).await?;
    Ok(created(
        "/api/v1/follows".into(),
        FollowView {
            subject: body.subject,
            digest: digest.into(),
            title,
            link,
        },
    ))
}

#[utoipa::path(delete, path = "/api/v1/follows/{subject}", tag = "lab",
    params(("subject" = String, Path, description = "`area:<code>`, `dataset:<slug>` or `thread:<id>`")),
    responses((status = 204, description = "No longer followed"), Unauthorized,
        (status = 404, body = Problem, content_type = "application/problem+json", description = "Not followed")),
    security(("bearer" = [])))]
pub async fn unfollow(
    State(state): State<AppState>,
    who: SignedIn,
    ApiPath(subject): ApiPath<String>,
) -> Result<Response, Error> {
    let (was, _) = lab(&state).unfollow(who.actor(), &subject).await?;
    if !was {
        return Err(Error::not_found("subject", "not followed"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `reply`, `mention`, `useful`, `annotation`, `post`...
    pub kind: String,
    pub actor_name: Option<String>,
    /// The page it is about.
    pub link: String,
    pub summary: String,
    pub read: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind,
            actor_name: n.actor_name,
            link: n.link,
            summary: n.summary,
            read: n.read,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    pub unread: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// At most this many, newest first (1 to 100, 20 by default).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "lab",
    params(NotificationQuery),
    responses((status = 200, body = NotificationList), BadRequest, Unauthorized),
    security(("bearer" = [])))]
pub async fn list_notifications(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<NotificationQuery>,
) -> Result<Response, Error> {
    let limit = limit(q.limit)?;
    let items = lab(&state).notifications(who.actor(), limit).await?;
    let unread = state.store.unread_notifications(who.0.user.id).await?;
    Ok(Json(NotificationList {
        items: items.into_iter().map(NotificationView::from).collect(),
        unread,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadBody {
    /// One notification; all of them without it.
    pub id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "lab",
    request_body = MarkReadBody,
    responses((status = 204, description = "Marked read"), BadRequest, Unauthorized, Forbidden),
    security(("bearer" = [])))]
pub async fn mark_read(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(body): ApiJson<MarkReadBody>,
) -> Result<Response, Error> {
    lab(&state).mark_read(who.actor(), body.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
