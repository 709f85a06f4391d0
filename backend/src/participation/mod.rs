//! What a participant does in the lab, one function per operation:
//! create, edit and delete an annotation or a post, mark a post useful,
//! lock a discussion, follow and unfollow, mark notifications read, report
//! content or a user, a moderator's decision on content (with the queue and
//! the public log), and the reads that decide who sees what (held
//! content only by its author).
//!
//! The HTML pages (`http::lab`) and the JSON API (`http::lab_api`) both
//! call these, so the page and the API cannot disagree on a rule. Every
//! write goes: the rate limit per account, the checks of the input (every
//! problem named by its field), the one sanitizer (`lab::markup`), the one
//! content screen (`moderation::screen_text`), the store (which writes the
//! outbox event in the same transaction), then a poke to the realtime hub.
//!
//! Uses the layers below: `lab` (values), `accounts` (limits, roles),
//! `official` (areas), `store`, `realtime`, `published`. Knows nothing of
//! HTTP: errors are values (`Error`), with messages in Italian and English.

mod annotations;
mod decisions;
mod discussions;
mod follows;
mod lab;
mod reports;

pub use annotations::{AnnotationDraft, Point};
pub use decisions::REASON_MAX;
pub use discussions::Discussion;
pub use lab::{
    shown_to, slug_of, subject_href, title, Actor, Error, FieldProblem, Lab, Prepared, Result,
    TITLE_MAX,
};
pub use reports::{ReportDraft, NOTE_MAX};
