//! The lab as values: annotations, threads, posts, notifications,
//! follows; the pure parts of showing them (the reply tree, sorting,
//! cursors); and the one sanitizer of user text (`markup`). Storage is
//! `store::lab`, the operations `participation`, the routes `http::lab`
//! and `http::lab_api`, the map's markers `published::markers`. Pure; may
//! use the `moderation` crate. Every piece of content carries a
//! `moderation::Status`, and every post or annotation passes through
//! `moderation::screen_text` (in `participation::Lab::prepare_text`) before
//! it is stored; a hold keeps its findings (`screening`).

pub mod markup;

use moderation::{Finding, Status};
use serde::Serialize;
use time::OffsetDateTime;

pub use moderation::Status as ContentStatus;

/// The two kinds of user text the lab stores alike (status, revisions,
/// events); moderation acts on either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Annotation,
    Post,
}

#[derive(Debug, Clone, Serialize)]
pub struct Annotation {
    pub id: i64,
    pub area_code: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub title: String,
    #[serde(skip)]
    pub body: String,
    pub body_html: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub dataset_slug: Option<String>,
    pub variable_code: Option<String>,
    pub status: Status,
    pub status_reason: Option<String>,
    /// Why the content screen held it (empty when it did not).
    #[serde(skip)]
    pub screening: Vec<Finding>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Annotation {
    pub fn edited(&self) -> bool {
        self.updated_at > self.created_at
    }
}

pub struct NewAnnotation<'a> {
    pub area_code: &'a str,
    pub author_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub point: Option<(f64, f64)>,
    pub variable: Option<(&'a str, &'a str)>,
    pub status: Status,
    /// Why the screen held it, if it did.
    pub screening: &'a [Finding],
}

/// A new version of an annotation (with a title) or a post (without), as
/// its author wrote it and the content screen judged it.
pub struct Revised<'a> {
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: Status,
    pub screening: &'a [Finding],
}

/// What an author has written lately, for the screen's limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Writing {
    /// When their latest annotation or post was written.
    pub last_at: Option<OffsetDateTime>,
    /// Their latest texts (plain source), newest first.
    pub recent: Vec<String>,
    /// How many they wrote before the end of their first day.
    pub first_day: u32,
    /// How many of theirs are visible.
    pub published: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Thread {
    pub id: i64,
    /// `area:<code>`, `annotation:<id>` or `dataset:<slug>`.
    pub subject: String,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub id: i64,
    pub thread_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    #[serde(skip)]
    pub body: String,
    pub body_html: String,
    pub status: Status,
    pub status_reason: Option<String>,
    /// Why the content screen held it (empty when it did not).
    #[serde(skip)]
    pub screening: Vec<Finding>,
    pub useful: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
}

pub struct NewPost<'a> {
    pub thread_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: Status,
    pub screening: &'a [Finding],
    /// Users mentioned in the text, to notify.
    pub mentions: &'a [i64],
    /// Where the notifications point: a prefix such as `/quartieri/navile#post-`,
    /// completed with the new post's id.
    pub link: &'a str,
    /// A plain-text excerpt for notifications.
    pub excerpt: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub actor_name: Option<String>,
    pub link: String,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Digest {
    None,
    Daily,
    Weekly,
}

impl Digest {
    pub fn as_str(self) -> &'static str {
        match self {
            Digest::None => "none",
            Digest::Daily => "daily",
            Digest::Weekly => "weekly",
        }
    }
    pub fn parse(text: &str) -> Option<Digest> {
        [Digest::None, Digest::Daily, Digest::Weekly]
            .into_iter()
            .find(|d| d.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Follow {
    pub subject: String,
    pub digest: Digest,
}

pub fn status_str(status: Status) -> &'static str {
    match status {
        Status::Visible => "visible",
        Status::Held => "held",
        Status::Removed => "removed",
        Status::Deleted => "deleted",
    }
}

pub fn parse_status(text: &str) -> Option<Status> {
    [
        Status::Visible,
        Status::Held,
        Status::Removed,
        Status::Deleted,
    ]
    .into_iter()
    .find(|s| status_str(*s) == text)
}

/// How a thread's top-level posts are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Oldest,
    Newest,
    Useful,
}

impl Sort {
    pub fn parse(text: Option<&str>) -> Sort {
        match text {
            Some("nuovi") => Sort::Newest,
            Some("utili") => Sort::Useful,
            _ => Sort::Oldest,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Sort::Oldest => "vecchi",
            Sort::Newest => "nuovi",
            Sort::Useful => "utili",
        }
    }
}

/// A post with its replies, to a depth.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub post: &'a Post,
    pub replies: Vec<Node<'a>>,
    /// Replies deeper than shown.
    pub hidden: usize,
}

/// The page of a thread: top-level posts ordered by `sort`, starting after
/// `cursor` (an opaque token from the previous page), at most `limit`,
/// each with its replies (oldest first) down to `depth` levels; and the
/// cursor of the next page.
pub fn page_of<'a>(
    posts: &'a [Post],
    sort: Sort,
    cursor: Option<&str>,
    limit: usize,
    depth: usize,
) -> (Vec<Node<'a>>, Option<String>) {
    let key = |p: &Post| -> (i64, i64) {
        match sort {
            Sort::Oldest => (0, p.id),
            Sort::Newest => (0, -p.id),
            Sort::Useful => (-p.useful, p.id),
        }
    };
    let after: Option<(i64, i64)> = cursor.and_then(|c| {
        let (a, b) = c.split_once('_')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    });
    let mut top: Vec<&Post> = posts.iter().filter(|p| p.parent_id.is_none()).collect();
    top.sort_by_key(|p| key(p));
    let start = after.map_or(0, |a| top.partition_point(|p| key(p) <= a));
    let shown: Vec<&Post> = top.iter().skip(start).take(limit).copied().collect();
    let next = (start + shown.len() < top.len())
        .then(|| {
            shown.last().map(|p| {
                let (a, b) = key(p);
                format!("{a}_{b}")
            })
        })
        .flatten();
    let nodes = shown.into_iter().map(|p| node(posts, p, depth)).collect();
    (nodes, next)
}

fn node<'a>(posts: &'a [Post], post: &'a Post, depth: usize) -> Node<'a> {
    let children: Vec<&Post> = posts
        .iter()
        .filter(|p| p.parent_id == Some(post.id))
        .collect();
    if depth == 0 {
        return Node {
            post,
            replies: Vec::new(),
            hidden: children.len(),
        };
    }
    Node {
        post,
        replies: children
            .into_iter()
            .map(|c| node(posts, c, depth - 1))
            .collect(),
        hidden: 0,
    }
}

/// A post and all its replies, as a thread of its own: the post first, as
/// a root (no parent), then its replies at every depth. `None` if the post
/// is not among `posts`.
pub fn subtree(posts: &[Post], root: i64) -> Option<Vec<Post>> {
    let mut top = posts.iter().find(|p| p.id == root)?.clone();
    top.parent_id = None;
    let mut out = vec![top];
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for p in posts.iter().filter(|p| p.parent_id == Some(parent)) {
            frontier.push(p.id);
            out.push(p.clone());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: i64, parent: Option<i64>, useful: i64) -> Post {
        Post {
            id,
            thread_id: 1,
            parent_id: parent,
            author_id: Some(1),
            author_name: None,
            body: String::new(),
            body_html: String::new(),
            status: Status::Visible,
            status_reason: None,
            screening: Vec::new(),
            useful,
            created_at: OffsetDateTime::UNIX_EPOCH,
            edited_at: None,
        }
    }

    #[test]
    fn a_subtree_is_the_post_as_a_root_and_all_its_replies() {
        let posts = vec![
            post(1, None, 0),
            post(3, Some(1), 0),
            post(5, Some(3), 0),
            post(6, Some(5), 0),
            post(7, Some(1), 0),
            post(8, None, 0),
        ];
        let tree = subtree(&posts, 3).expect("post 3 is there");
        let ids: Vec<i64> = tree.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![3, 5, 6]);
        assert_eq!(tree[0].parent_id, None, "the root has no parent");
        assert_eq!(tree[1].parent_id, Some(3));
        assert!(subtree(&posts, 99).is_none());
    }

    #[test]
    fn pages_follow_the_sort_and_the_cursor_and_replies_nest() {
        let posts = vec![
            post(1, None, 0),
            post(2, None, 5),
            post(3, Some(1), 0),
            post(4, None, 5),
            post(5, Some(3), 0),
            post(6, Some(5), 0),
        ];
        let ids = |nodes: &[Node]| nodes.iter().map(|n| n.post.id).collect::<Vec<_>>();
        let (first, next) = page_of(&posts, Sort::Oldest, None, 2, 2);
        assert_eq!(ids(&first), vec![1, 2]);
        assert_eq!(first[0].replies[0].post.id, 3);
        assert_eq!(first[0].replies[0].replies[0].post.id, 5);
        assert_eq!(
            first[0].replies[0].replies[0].hidden, 1,
            "depth 2: the reply to 5 is behind a link"
        );
        let (second, last) = page_of(&posts, Sort::Oldest, next.as_deref(), 2, 2);
        assert_eq!(ids(&second), vec![4]);
        assert!(last.is_none());
        let (newest, _) = page_of(&posts, Sort::Newest, None, 10, 0);
        assert_eq!(ids(&newest), vec![4, 2, 1]);
        let (useful, next) = page_of(&posts, Sort::Useful, None, 1, 0);
        assert_eq!(ids(&useful), vec![2]);
        let (useful, _) = page_of(&posts, Sort::Useful, next.as_deref(), 5, 0);
        assert_eq!(ids(&useful), vec![4, 1]);
        // A forged cursor is just "from the start".
        assert_eq!(
            ids(&page_of(&posts, Sort::Oldest, Some("x_y"), 5, 0).0),
            vec![1, 2, 4]
        );
    }
}
