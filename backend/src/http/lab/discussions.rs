//! Discussion pages: a new post or reply, "utile", a moderator's lock,
//! editing and deleting one's post, its history, and a post with all its
//! replies.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use openwelfare_frontend::participation as views;
use serde::Deserialize;

use super::blocks::{history_page, post_dates, post_items};
use super::view::{answer, edit_page, lab, me, viewer, Answer, Editing, ReadPost};
use crate::http::account::{page, see_other, Ctx};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, CsrfPassed, Moderating, Verified};
use crate::http::state::AppState;
use crate::lab::{page_of, subtree, ContentStatus, Sort};
use crate::participation::{Discussion, Error as LabError};

#[derive(Deserialize, Default)]
pub struct PostForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    parent: Option<String>,
}

pub async fn create_post(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Verified,
    Path((kind, key)): Path<(String, String)>,
    CheckedForm(form): CheckedForm<PostForm>,
) -> Result<Response, Error> {
    let lab = lab(&state);
    let subject = format!("{kind}:{key}");
    let outcome = lab
        .create_post(who.actor(), &subject, form.parent.as_deref(), &form.body)
        .await;
    match answer(&ctx, outcome)? {
        Answer::Done((_, at)) => Ok(see_other(&at)),
        Answer::Refused(errors) => {
            // What was typed is lost with a redirect: say what is wrong and link back.
            let href = lab.discussable(&subject).await?;
            let text: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            let text = text.join(" ");
            Ok(crate::http::denied::respond_at(
                &ctx.here,
                false,
                ctx.lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-post",
                ("Messaggio non inviato", "Message not sent"),
                (&text, &text),
                Some((
                    &href,
                    ctx.lang
                        .pick("Torna alla discussione", "Back to the discussion"),
                )),
            ))
        }
    }
}

pub async fn toggle_useful(
    State(state): State<AppState>,
    who: Verified,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let (_, _, href) = lab(&state).toggle_useful(who.actor(), id).await?;
    Ok(see_other(&href))
}

pub async fn lock_thread(
    State(state): State<AppState>,
    who: Moderating,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let (_, href) = lab(&state).toggle_lock(who.actor(), id).await?;
    Ok(see_other(&href))
}

pub async fn edit_post_page(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Verified,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let p = lab(&state).own_post(who.actor(), id).await?;
    Ok(edit_page(&ctx, Editing::Post(id), &p.body, &[]))
}

pub async fn edit_post(
    State(state): State<AppState>,
    ctx: Ctx,
    who: Verified,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm<PostForm>,
) -> Result<Response, Error> {
    let outcome = lab(&state).edit_post(who.actor(), id, &form.body).await;
    Ok(match answer(&ctx, outcome)? {
        Answer::Done((_, href)) => see_other(&href),
        Answer::Refused(errors) => edit_page(&ctx, Editing::Post(id), &form.body, &errors),
    })
}

pub async fn delete_post(
    State(state): State<AppState>,
    who: Verified,
    Path(id): Path<i64>,
    _: CsrfPassed,
) -> Result<Response, Error> {
    let href = lab(&state).delete_post(who.actor(), id).await?;
    Ok(see_other(&href))
}

pub async fn post_history(
    State(state): State<AppState>,
    ctx: Ctx,
    ReadPost(post): ReadPost,
) -> Result<Response, Error> {
    if post.status != ContentStatus::Visible && post.author_id != me(&ctx) {
        return Err(LabError::NotFound("post").into());
    }
    let back = lab(&state).post_href(&post).await?;
    history_page(
        &state,
        &ctx,
        "post",
        post.id,
        &back,
        Some(("", &post.body, post.edited_at.unwrap_or(post.created_at))),
    )
    .await
}

/// A post and all its replies, for threads deeper than the subject page shows.
pub async fn post_page(
    State(state): State<AppState>,
    ctx: Ctx,
    ReadPost(post): ReadPost,
) -> Result<Response, Error> {
    let lab = lab(&state);
    let Discussion {
        thread,
        posts: shown,
        marked,
    } = lab.discussion_by_id(post.thread_id, me(&ctx)).await?;
    let thread = thread.ok_or(LabError::NotFound("discussion"))?;
    let subtree = subtree(&shown, post.id).ok_or(LabError::NotFound("post"))?;
    let (nodes, _) = page_of(&subtree, Sort::Oldest, None, 1, 32);
    let dates = post_dates(&subtree, ctx.lang);
    let items = post_items(&nodes, &dates, &marked);
    let (kind, key) = thread.subject.split_once(':').unwrap_or(("area", ""));
    let post_action = format!("/discussioni/{kind}/{key}/messaggi");
    let back = lab.post_href(&post).await.unwrap_or_else(|_| "/".into());
    let title = ctx.lang.pick(
        "Un messaggio e le sue risposte",
        "A message and its replies",
    );
    let c = ctx.common(None, &[]);
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
    Ok(page(
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
    ))
}
