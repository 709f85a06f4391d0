//! The HTTP surface: one routes file per domain (`pages`, `details` and
//! `api` for the official data, `account`, `admin` and `auth_api` for
//! accounts, `lab` for the lab's pages, `lab_api` for its JSON,
//! `moderation_api` for reports, the queue, decisions and the public log,
//! `moderation_pages` for the queue and the log as pages,
//! `live` for the websocket) over
//! the shared plumbing: the route table and middleware (`routes`), the state
//! (`state`), who is asking (`session`), access rules (`access`), refusals
//! (`denied`), errors (`error`) and the rendered-view cache (`cache`).
//!
//! This file only declares and re-exports; its children never import it.

pub mod access;
pub mod account;
mod admin;
pub mod api;
mod auth_api;
pub mod cache;
mod cookies;
mod denied;
mod details;
pub mod error;
mod extract;
mod lab;
mod lab_api;
mod lang;
mod live;
mod moderation_api;
mod moderation_pages;
mod openapi;
mod pages;
pub mod routes;
pub mod session;
mod signin;
pub mod state;

pub use routes::{router, routes, RouteSpec};
pub use state::{AppState, DataStatus};
