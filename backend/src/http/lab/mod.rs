//! The lab's pages: annotations, discussions, notifications, follows and
//! reports,
//! as HTML. Each handler states what it needs in its signature (`Verified`,
//! `Moderating`, `CheckedForm`; see `http::extract`) and calls the one
//! operation of `participation` that the JSON API (`http::lab_api`) calls
//! too; failures are `http::error::Error`, rendered once.

mod annotations;
pub mod blocks;
mod discussions;
pub mod follows;
mod reports;
mod view;

pub use annotations::{
    annotation_history, annotation_page, create_annotation, delete_annotation, edit_annotation,
    edit_annotation_page,
};
pub use blocks::{dataset_blocks, quartiere_blocks};
pub use discussions::{
    create_post, delete_post, edit_post, edit_post_page, lock_thread, post_history, post_page,
    toggle_useful,
};
pub use follows::{
    follow, follows_page, mark_all_read, mark_one_read, notifications_page, unfollow, unread_count,
    unsubscribe,
};
pub use reports::{report, report_page};
pub use view::lab;
