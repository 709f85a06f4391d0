//! The lab's parts of other pages: the annotations and discussion of a
//! quartiere, the discussion of a dataset, a thread's view, and the items
//! (annotations, posts) the views draw.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::participation as views;

use super::view::{lab, me, status_view, viewer};
use crate::http::account::{date, page, Ctx};
use crate::http::error::Error;
use crate::http::state::AppState;
use time::OffsetDateTime;

use crate::lab::{page_of, Annotation, ContentStatus, Node, Post, Sort};
use crate::participation::slug_of;
use moderation::Finding;

const ANNOTATIONS_SHOWN: i64 = 200;
const POSTS_PER_PAGE: usize = 20;
const REPLY_DEPTH: usize = 4;

pub fn annotation_item<'a>(
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
        held_for: held_for(a.status, &a.screening),
        variable,
        has_point: a.lon.is_some(),
    }
}

/// What the screen found in a held text, for the notice its author reads.
fn held_for(status: ContentStatus, findings: &[Finding]) -> Vec<(&str, &str)> {
    if status != ContentStatus::Held {
        return Vec::new();
    }
    findings
        .iter()
        .map(|f| (f.message_it.as_str(), f.message_en.as_str()))
        .collect()
}

/// The variables an annotation may point at: (value "dataset/variable", label).
pub fn variable_choices(
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

pub fn variable_label(
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
) -> Result<Markup, Error> {
    let reference = state.reference.get().await;
    // Read first: anything committed after it is replayed to live.js.
    let live_since = state.hub.last_id();
    let (annotations, _) = lab(state)
        .annotations(Some(area_code), me(ctx), None, ANNOTATIONS_SHOWN)
        .await?;
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
    let c = ctx.common(None, &[]);
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
) -> Result<Markup, Error> {
    let live_since = state.hub.last_id();
    let subject = format!("dataset:{slug}");
    let title = ctx
        .lang
        .pick("Discussione sul dataset", "Discussion about the dataset");
    let discussion = discussion(state, ctx, &subject, title, sort, cursor).await?;
    let follow = follow_button(state, ctx, &subject).await?;
    Ok(html! { div data-live-since=(live_since) { (follow) (discussion) } })
}

pub async fn follow_button(state: &AppState, ctx: &Ctx, subject: &str) -> Result<Markup, Error> {
    let Some(me) = ctx.who.as_ref() else {
        return Ok(html! {});
    };
    let following = state.store.following(me.user.id, subject).await?;
    Ok(views::follow_button(
        &ctx.common(None, &[]),
        subject,
        following,
    ))
}

/// A thread's view for a subject (empty when nobody has written yet).
pub async fn discussion(
    state: &AppState,
    ctx: &Ctx,
    subject: &str,
    title: &str,
    sort: Sort,
    cursor: Option<&str>,
) -> Result<Markup, Error> {
    let crate::participation::Discussion {
        thread,
        posts: shown,
        marked,
    } = lab(state).discussion(subject, me(ctx)).await?;
    let (nodes, next) = page_of(&shown, sort, cursor, POSTS_PER_PAGE, REPLY_DEPTH);
    let dates = post_dates(&shown, ctx.lang);
    let items = post_items(&nodes, &dates, &marked);
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
        &ctx.common(None, &[]),
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

/// Each post's date, as the reader writes dates.
pub fn post_dates(posts: &[Post], lang: Lang) -> HashMap<i64, String> {
    posts
        .iter()
        .map(|p| (p.id, date(lang, p.created_at)))
        .collect()
}

/// The views of a page of the reply tree.
pub fn post_items<'a>(
    nodes: &[Node<'a>],
    dates: &'a HashMap<i64, String>,
    marked: &[i64],
) -> Vec<views::PostItem<'a>> {
    nodes.iter().map(|n| post_item(n, dates, marked)).collect()
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
        held_for: held_for(p.status, &p.screening),
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

pub async fn history_page(
    state: &AppState,
    ctx: &Ctx,
    content: &str,
    id: i64,
    back: &str,
    current: Option<(&str, &str, OffsetDateTime)>,
) -> Result<Response, Error> {
    let revisions = state.store.revisions(content, id).await?;
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
    Ok(page(
        StatusCode::OK,
        views::history(
            &ctx.common(None, &[]),
            ctx.lang.pick("Cronologia delle modifiche", "Edit history"),
            back,
            &items,
        ),
    ))
}
