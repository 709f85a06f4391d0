//! The records of moderation: what a report or an action is about, who
//! reported, the report as filed, and the moderation log's entries. The
//! store keeps them; the rules over them (weights, thresholds, appeals)
//! are functions here and in [`crate::pipeline`].

use serde::Serialize;
use time::OffsetDateTime;

/// What a report or a moderator's action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    Annotation(i64),
    Post(i64),
    User(i64),
    Mashup(i64),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::Annotation(_) => "annotation",
            Target::Post(_) => "post",
            Target::User(_) => "user",
            Target::Mashup(_) => "mashup",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Target::Annotation(id) | Target::Post(id) | Target::User(id) | Target::Mashup(id) => id,
        }
    }

    pub fn parse(kind: &str, id: i64) -> Option<Target> {
        Some(match kind {
            "annotation" => Target::Annotation(id),
            "post" => Target::Post(id),
            "user" => Target::User(id),
            "mashup" => Target::Mashup(id),
            _ => return None,
        })
    }
}

/// Who files a report: any person may (EU Digital Services Act, Art. 16),
/// with an account or without; a visitor may leave a name and an address
/// to hear the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reporter {
    User {
        id: i64,
    },
    Visitor {
        name: Option<String>,
        email: Option<String>,
    },
}

/// A report as it is filed.
#[derive(Debug, Clone, Copy)]
pub struct NewReport<'a> {
    pub target: Target,
    pub reporter: &'a Reporter,
    /// A reason id of the policy (`illegal_content`, `personal_data`, ...).
    pub reason: &'a str,
    /// What the reporter adds, if anything.
    pub note: &'a str,
    /// The reported text as it was when reported.
    pub snapshot: &'a str,
    /// See [`crate::report_weight`].
    pub weight: u32,
}

/// How a report ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// A moderator acted on what it reported.
    Upheld,
    /// A moderator kept the content: the report was unfounded.
    Rejected,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Upheld => "upheld",
            Resolution::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Resolution> {
        [Resolution::Upheld, Resolution::Rejected]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledReport {
    pub id: i64,
    pub target: Target,
    pub reporter: Reporter,
    pub reason: String,
    pub note: String,
    pub snapshot: String,
    pub weight: u32,
    pub created_at: OffsetDateTime,
    pub resolution: Option<(Resolution, OffsetDateTime)>,
}

/// What a moderator (or the system, on its own rules) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Held for review: by reports or by the content screen.
    Hold,
    /// Published held content.
    Approve,
    Remove,
    Restore,
    /// Replaced a span with "[rimosso dalla moderazione]".
    Redact,
    Lock,
    Unlock,
    Warn,
    Suspend,
    Ban,
    Unban,
    /// An admin's hard delete of content; the log keeps the entry.
    Purge,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::Hold,
        Action::Approve,
        Action::Remove,
        Action::Restore,
        Action::Redact,
        Action::Lock,
        Action::Unlock,
        Action::Warn,
        Action::Suspend,
        Action::Ban,
        Action::Unban,
        Action::Purge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Hold => "hold",
            Action::Approve => "approve",
            Action::Remove => "remove",
            Action::Restore => "restore",
            Action::Redact => "redact",
            Action::Lock => "lock",
            Action::Unlock => "unlock",
            Action::Warn => "warn",
            Action::Suspend => "suspend",
            Action::Ban => "ban",
            Action::Unban => "unban",
            Action::Purge => "purge",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One row of the append-only moderation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    /// None: the system acted on its own rules (reports, the screen).
    pub moderator_id: Option<i64>,
    pub action: Action,
    pub target: Target,
    /// The user the action concerns (the author, or the user acted on).
    pub subject_id: Option<i64>,
    /// The rule or the reports that led to it (`reports`, `personal_data.iban`).
    pub rule: Option<String>,
    /// Always given: what the author and the public log are told.
    pub reason: String,
    /// For a suspension: until when.
    pub until: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_what_they_name() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        for t in [
            Target::Annotation(1),
            Target::Post(2),
            Target::User(3),
            Target::Mashup(4),
        ] {
            assert_eq!(Target::parse(t.kind(), t.id()), Some(t));
        }
        for r in [Resolution::Upheld, Resolution::Rejected] {
            assert_eq!(Resolution::parse(r.as_str()), Some(r));
        }
        assert_eq!(Target::parse("thread", 1), None);
        assert_eq!(Action::parse("delete"), None);
    }
}
