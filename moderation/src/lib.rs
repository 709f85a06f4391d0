//! Moderation as pure logic: no I/O, so every rule can be unit-tested and
//! fuzzed. The server asks this crate what is allowed and records what
//! happened; this crate never touches a database.
//!
//! - [`cases`]: the records of moderation (reports, the moderation log)
//!   that the server stores;
//! - [`lifecycle`]: the statuses user content moves through and who may
//!   move it;
//! - [`draft`]: the first content check (`screen`) the backend calls today;
//! - [`personal_data`]: detectors for identifiers and special-category data
//!   (codice fiscale, IBAN, phone numbers, addresses next to names, ...);
//! - [`policy`]: the moderation policy as data (TOML, defaults compiled in);
//! - [`pipeline`]: the policy-driven screening of a submission, report
//!   weighting and the sign-up check, each decision listing the rules that
//!   fired;
//! - [`trust`]: trust levels from an account's age, published texts and
//!   sanctions.

pub mod cases;
pub mod draft;
pub mod lifecycle;
pub mod personal_data;
pub mod pipeline;
pub mod policy;
pub mod trust;

pub use cases::{Action, FiledReport, LogEntry, NewReport, Reporter, Resolution, Target};
pub use draft::{screen, Draft, Screening, MAX_CHARS, MAX_LINKS};
pub use lifecycle::{publicly_visible, transition, Actor, Status, Verdict};
pub use personal_data::{detect, Hit, Kind};
pub use pipeline::{
    report_weight, reports_weight, screen_text, screen_with, should_hold, signup_check, Decision,
    Finding, History, PostKind, Report, RuleId, Submission,
};
pub use policy::{Outcome, Policy, PolicyError};
pub use trust::{trust_level, Standing};
