//! Open Welfare Bologna's views: pure functions from a view-model to
//! markup (maud), so they can be tested without a server, plus the static
//! assets (CSS, one small ES module) embedded with hashed names.

pub mod account;
pub mod assets;
pub mod charts;
mod forms;
pub mod i18n;
pub mod layout;
pub mod mail;
pub mod map;
pub mod moderation;
#[cfg(test)]
mod page_checks;
pub mod pages;
pub mod participation;
mod tables;
pub mod views;
