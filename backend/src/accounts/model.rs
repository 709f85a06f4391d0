//! Who a user is and what they may be: roles, account states, the user
//! and session records as the store returns them.

use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Citizen,
    Association,
    Moderator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Citizen,
        Role::Association,
        Role::Moderator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Association => "association",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Moderators and admins hold powers over others: they must use a second factor.
    pub fn requires_second_factor(self) -> bool {
        matches!(self, Role::Moderator | Role::Admin)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Banned,
    /// Kept as "utente eliminato" so that contributions keep an author.
    Deleted,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Banned => "banned",
            UserStatus::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<UserStatus> {
        [UserStatus::Active, UserStatus::Banned, UserStatus::Deleted]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirm the address given at sign-up (24 h).
    Verify,
    /// Set a new password (1 h).
    Reset,
    /// Confirm a new address (24 h).
    Email,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Verify => "verify",
            TokenPurpose::Reset => "reset",
            TokenPurpose::Email => "email",
        }
    }

    pub fn lifetime(self) -> time::Duration {
        match self {
            TokenPurpose::Reset => time::Duration::hours(1),
            TokenPurpose::Verify | TokenPurpose::Email => time::Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: Option<String>,
    pub display_name: String,
    pub bio: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub status: UserStatus,
    pub lang: String,
    pub email_verified_at: Option<OffsetDateTime>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub totp_last_step: Option<i64>,
    pub created_at: OffsetDateTime,
}

impl User {
    pub fn verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
    pub fn totp_enabled(&self) -> bool {
        self.totp_secret.is_some()
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub lang: &'a str,
    pub verified_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionRecord {
    pub id: String,
    #[serde(skip)]
    pub user_id: i64,
    pub mfa: bool,
    pub user_agent: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_used_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(skip)]
    pub revoked_at: Option<OffsetDateTime>,
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub refresh_hash: &'a str,
    pub mfa: bool,
    pub user_agent: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Refresh {
    /// The current token: it was replaced by the new one.
    Rotated(SessionRecord),
    /// The token just replaced, within the grace period (parallel requests
    /// of one browser): a new access token, no new refresh token.
    Grace(SessionRecord),
    /// An older token: it was stolen or replayed; the session is revoked.
    Reused,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        [
            RequestStatus::Pending,
            RequestStatus::Approved,
            RequestStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AssociationRequest {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub website: String,
    pub tax_code: String,
    pub status: RequestStatus,
    pub note: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What deleting an account does with what the user contributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contributions {
    /// Kept, signed "utente eliminato".
    Anonymise,
    /// Removed with the account.
    Remove,
}
