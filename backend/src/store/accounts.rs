//! Accounts in storage: users, sessions, single-use tokens, recovery
//! codes, association requests, the account log and server keys. Like the
//! rest of the store, one macro stamps the same SQL onto both drivers.
//!
//! Every check-and-change that could race (consuming a token, rotating a
//! refresh token, accepting a TOTP step, using a recovery code) is one
//! conditional UPDATE, so two concurrent requests cannot both succeed.
//! Times are always UTC, so SQLite's text timestamps compare in order.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::{conflict, Result, StoreError};
use super::pools::{HasDb, PostgresStore, SqliteStore};
use crate::accounts::model::{
    AssociationRequest, Contributions, NewSession, NewUser, Refresh, RequestStatus, Role,
    SessionRecord, TokenPurpose, User, UserStatus,
};
use crate::accounts::{email_skeleton, normalize_email};

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// A new user; `StoreError::Conflict("email")` when the address is
    /// taken, or one confusable with it (the same UTS #39 skeleton).
    async fn create_user(&self, user: &NewUser<'_>, now: OffsetDateTime) -> Result<i64>;
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// Every user that is not deleted, oldest first.
    async fn users(&self) -> Result<Vec<User>>;
    async fn set_password(&self, user_id: i64, hash: &str) -> Result<()>;
    async fn set_profile(&self, user_id: i64, display_name: &str, bio: &str) -> Result<()>;
    async fn set_lang(&self, user_id: i64, lang: &str) -> Result<()>;
    async fn mark_verified(&self, user_id: i64, at: OffsetDateTime) -> Result<()>;
    /// `StoreError::Conflict("email")` when the address is taken.
    async fn set_email(&self, user_id: i64, email: &str) -> Result<()>;
    /// Normalise the address and fill in the confusable skeleton of every
    /// row that has none (rows made before the column existed); a row that
    /// would collide with another is left as it is, and counted.
    async fn fill_email_skeletons(&self) -> Result<(usize, usize)>;
    /// Change a role, logged with who did it.
    async fn set_role(
        &self,
        actor: i64,
        user_id: i64,
        role: Role,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// Ban or lift a ban, logged; a ban revokes every session at once.
    async fn set_status(
        &self,
        actor: i64,
        user_id: i64,
        status: UserStatus,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// The account's personal data goes; the row stays as a tombstone
    /// (Anonymise) or goes too (Remove).
    async fn delete_user(&self, user_id: i64, mode: Contributions) -> Result<()>;

    /// Store a single-use token (by hash); earlier unused tokens of the
    /// same purpose for the user stop working.
    async fn create_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        hash: &str,
        new_email: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()>;
    /// Use a token once: the user and the new address it carries, or None
    /// when it is unknown, used, expired or of another purpose.
    async fn consume_token(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<(i64, Option<String>)>>;
    /// The address waiting for confirmation, if any.
    async fn pending_email(&self, user_id: i64, now: OffsetDateTime) -> Result<Option<String>>;

    async fn create_session(&self, session: &NewSession<'_>) -> Result<()>;
    /// A live session (not revoked, not expired) and its user.
    async fn session(&self, id: &str, now: OffsetDateTime) -> Result<Option<SessionRecord>>;
    async fn refresh_session(
        &self,
        old_hash: &str,
        new_hash: &str,
        now: OffsetDateTime,
        grace: time::Duration,
    ) -> Result<Refresh>;
    async fn set_session_mfa(&self, id: &str) -> Result<()>;
    /// Revoke one of the user's sessions; false when there was none.
    async fn revoke_session(&self, user_id: i64, id: &str, now: OffsetDateTime) -> Result<bool>;
    /// Revoke every session of the user but `except`.
    async fn revoke_sessions(
        &self,
        user_id: i64,
        except: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<u64>;
    /// Live sessions, most recently used first.
    async fn sessions(&self, user_id: i64, now: OffsetDateTime) -> Result<Vec<SessionRecord>>;

    async fn set_totp_pending(&self, user_id: i64, secret: Option<&str>) -> Result<()>;
    /// Turn the pending secret on with its recovery codes; `step` is the
    /// step of the code that confirmed it (not accepted again).
    async fn enable_totp(
        &self,
        user_id: i64,
        secret: &str,
        step: i64,
        codes: &[String],
    ) -> Result<()>;
    async fn disable_totp(&self, user_id: i64) -> Result<()>;
    /// Accept a TOTP step once: false when it (or a later one) was used.
    async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool>;
    async fn replace_recovery_codes(&self, user_id: i64, codes: &[String]) -> Result<()>;
    /// Use a recovery code once: false when unknown or used.
    async fn use_recovery_code(
        &self,
        user_id: i64,
        hash: &str,
        now: OffsetDateTime,
    ) -> Result<bool>;
    async fn recovery_codes_left(&self, user_id: i64) -> Result<i64>;

    async fn create_association_request(
        &self,
        user_id: i64,
        name: &str,
        website: &str,
        tax_code: &str,
        now: OffsetDateTime,
    ) -> Result<i64>;
    async fn association_request(&self, id: i64) -> Result<Option<AssociationRequest>>;
    /// The user's latest request.
    async fn latest_association_request(&self, user_id: i64) -> Result<Option<AssociationRequest>>;
    async fn pending_association_requests(&self) -> Result<Vec<AssociationRequest>>;
    /// Approve (the user becomes an association) or reject, logged, in one
    /// transaction; false when the request was not pending.
    async fn decide_association_request(
        &self,
        actor: i64,
        id: i64,
        approve: bool,
        note: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// A named key, created with `generate` the first time (by whichever
    /// instance gets there first; the others read the same one).
    async fn server_key(
        &self,
        name: &str,
        generate: &(dyn Fn() -> String + Send + Sync),
        now: OffsetDateTime,
    ) -> Result<String>;
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: Option<String>,
    display_name: String,
    bio: String,
    password_hash: Option<String>,
    role: String,
    status: String,
    lang: String,
    email_verified_at: Option<OffsetDateTime>,
    totp_secret: Option<String>,
    totp_pending: Option<String>,
    totp_last_step: Option<i64>,
    created_at: OffsetDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            role: Role::parse(&r.role)
                .ok_or_else(|| StoreError::Internal(format!("user {}: role {}", r.id, r.role)))?,
            status: UserStatus::parse(&r.status).ok_or_else(|| {
                StoreError::Internal(format!("user {}: status {}", r.id, r.status))
            })?,
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            bio: r.bio,
            password_hash: r.password_hash,
            lang: r.lang,
            email_verified_at: r.email_verified_at,
            totp_secret: r.totp_secret,
            totp_pending: r.totp_pending,
            totp_last_step: r.totp_last_step,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    user_id: i64,
    mfa: bool,
    user_agent: String,
    created_at: OffsetDateTime,
    last_used_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id: r.id,
            user_id: r.user_id,
            mfa: r.mfa,
            user_agent: r.user_agent,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    user_id: i64,
    name: String,
    website: String,
    tax_code: String,
    status: String,
    note: Option<String>,
    created_at: OffsetDateTime,
}

impl TryFrom<RequestRow> for AssociationRequest {
    type Error = StoreError;
    fn try_from(r: RequestRow) -> Result<Self> {
        Ok(AssociationRequest {
            status: RequestStatus::parse(&r.status).ok_or_else(|| {
                StoreError::Internal(format!("association request {}: {}", r.id, r.status))
            })?,
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            website: r.website,
            tax_code: r.tax_code,
            note: r.note,
            created_at: r.created_at,
        })
    }
}

const USER_COLUMNS: &str = "id, email, display_name, bio, password_hash, role, status, lang, \
    email_verified_at, totp_secret, totp_pending, totp_last_step, created_at";
const SESSION_COLUMNS: &str =
    "id, user_id, mfa, user_agent, created_at, last_used_at, expires_at, revoked_at";
const REQUEST_COLUMNS: &str = "id, user_id, name, website, tax_code, status, note, created_at";

macro_rules! account_store {
    ($store:ident) => {
        impl $store {
            /// The row `sql` finds with `key` as `$1`, as the domain's type.
            async fn one_where<'q, R, T, K>(&self, sql: &'q str, key: K) -> Result<Option<T>>
            where
                R: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row> + Send + Unpin,
                T: TryFrom<R, Error = StoreError>,
                K: 'q + Send + sqlx::Encode<'q, <$store as HasDb>::Db> + sqlx::Type<<$store as HasDb>::Db>,
            {
                let row: Option<R> = sqlx::query_as(sql).bind(key).fetch_optional(self.pool()).await?;
                row.map(T::try_from).transpose()
            }

            /// Every row `sql` finds (it binds nothing), as the domain's type.
            async fn all_of<R, T>(&self, sql: &str) -> Result<Vec<T>>
            where
                R: for<'r> sqlx::FromRow<'r, <<$store as HasDb>::Db as sqlx::Database>::Row> + Send + Unpin,
                T: TryFrom<R, Error = StoreError>,
            {
                let rows: Vec<R> = sqlx::query_as(sql).fetch_all(self.pool()).await?;
                rows.into_iter().map(T::try_from).collect()
            }

            /// Run `sql` with `a` as `$1` and `b` as `$2`: the rows it changed.
            async fn execute2<'q, A, B>(&self, sql: &'q str, a: A, b: B) -> Result<u64>
            where
                A: 'q + Send + sqlx::Encode<'q, <$store as HasDb>::Db> + sqlx::Type<<$store as HasDb>::Db>,
                B: 'q + Send + sqlx::Encode<'q, <$store as HasDb>::Db> + sqlx::Type<<$store as HasDb>::Db>,
            {
                let done = sqlx::query(sql).bind(a).bind(b).execute(self.pool()).await?;
                Ok(done.rows_affected())
            }

            /// The user's recovery codes become `codes` (by hash), inside the caller's transaction.
            async fn recovery_codes_in(
                tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>,
                user_id: i64,
                codes: &[String],
            ) -> Result<()> {
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await?;
                for hash in codes {
                    sqlx::query("INSERT INTO recovery_codes (user_id, hash) VALUES ($1, $2)")
                        .bind(user_id)
                        .bind(hash)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            /// A line of the account log, inside the caller's transaction.
            async fn log_in(
                tx: &mut sqlx::Transaction<'_, <$store as HasDb>::Db>,
                actor: i64,
                target: i64,
                action: &str,
                detail: &str,
                now: OffsetDateTime,
            ) -> Result<()> {
                sqlx::query("INSERT INTO account_log (actor_id, target_id, action, detail, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(actor)
                    .bind(target)
                    .bind(action)
                    .bind(detail)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl AccountStore for $store {
            async fn create_user(&self, u: &NewUser<'_>, now: OffsetDateTime) -> Result<i64> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (email, display_name, password_hash, role, lang, email_verified_at, created_at, email_skeleton) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(u.email)
                .bind(u.display_name)
                .bind(u.password_hash)
                .bind(u.role.as_str())
                .bind(u.lang)
                .bind(u.verified_at)
                .bind(now)
                .bind(email_skeleton(u.email))
                .fetch_one(self.pool())
                .await
                .map_err(conflict("email"))?;
                Ok(id)
            }

            async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
                self.one_where::<UserRow, _, _>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), id).await
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                self.one_where::<UserRow, _, _>(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"), email).await
            }

            async fn users(&self) -> Result<Vec<User>> {
                self.all_of::<UserRow, _>(&format!("SELECT {USER_COLUMNS} FROM users WHERE status <> 'deleted' ORDER BY id")).await
            }

            async fn set_password(&self, user_id: i64, hash: &str) -> Result<()> {
                self.execute2("UPDATE users SET password_hash = $1 WHERE id = $2", hash, user_id).await?;
                Ok(())
            }

            async fn set_profile(&self, user_id: i64, display_name: &str, bio: &str) -> Result<()> {
                sqlx::query("UPDATE users SET display_name = $1, bio = $2 WHERE id = $3")
                    .bind(display_name)
                    .bind(bio)
                    .bind(user_id)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn set_lang(&self, user_id: i64, lang: &str) -> Result<()> {
                self.execute2("UPDATE users SET lang = $1 WHERE id = $2", lang, user_id).await?;
                Ok(())
            }

            async fn mark_verified(&self, user_id: i64, at: OffsetDateTime) -> Result<()> {
                self.execute2("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL", at, user_id).await?;
                Ok(())
            }

            async fn set_email(&self, user_id: i64, email: &str) -> Result<()> {
                sqlx::query("UPDATE users SET email = $1, email_skeleton = $2 WHERE id = $3")
                    .bind(email)
                    .bind(email_skeleton(email))
                    .bind(user_id)
                    .execute(self.pool())
                    .await
                    .map_err(conflict("email"))?;
                Ok(())
            }

            async fn fill_email_skeletons(&self) -> Result<(usize, usize)> {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, email FROM users WHERE email IS NOT NULL AND email_skeleton IS NULL ORDER BY id",
                )
                .fetch_all(self.pool())
                .await?;
                let (mut filled, mut colliding) = (0, 0);
                for (id, email) in rows {
                    let email = normalize_email(&email);
                    let updated = sqlx::query("UPDATE users SET email = $1, email_skeleton = $2 WHERE id = $3")
                        .bind(&email)
                        .bind(email_skeleton(&email))
                        .bind(id)
                        .execute(self.pool())
                        .await;
                    match updated {
                        Ok(_) => filled += 1,
                        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                            // The older account keeps the address; the id, never the address, is logged.
                            tracing::warn!(user_id = id, "an address confusable with an older account's: left without a skeleton");
                            colliding += 1;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok((filled, colliding))
            }

            async fn set_role(&self, actor: i64, user_id: i64, role: Role, now: OffsetDateTime) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                Self::log_in(&mut tx, actor, user_id, "role", role.as_str(), now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_status(&self, actor: i64, user_id: i64, status: UserStatus, now: OffsetDateTime) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                sqlx::query("UPDATE users SET status = $1 WHERE id = $2 AND status <> 'deleted'")
                    .bind(status.as_str())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                if status == UserStatus::Banned {
                    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                        .bind(now)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::log_in(&mut tx, actor, user_id, "status", status.as_str(), now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_user(&self, user_id: i64, mode: Contributions) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                match mode {
                    // Sessions, tokens, codes and requests go with the row (ON DELETE CASCADE).
                    Contributions::Remove => {
                        // Their words go, earlier versions included. A post others
                        // answered stays as an empty "deleted" placeholder (so the
                        // replies keep their place); the rest goes, and so does every
                        // annotation with its discussion.
                        for statement in [
                            "DELETE FROM revisions WHERE content = 'post' AND content_id IN (SELECT id FROM posts WHERE author_id = $1)",
                            "DELETE FROM revisions WHERE content = 'annotation' AND content_id IN (SELECT id FROM annotations WHERE author_id = $1)",
                            "UPDATE posts SET body = '', body_html = '', status = 'deleted' \
                             WHERE author_id = $1 AND EXISTS (SELECT 1 FROM posts r WHERE r.parent_id = posts.id)",
                            "DELETE FROM posts WHERE author_id = $1 AND body_html <> ''",
                            "DELETE FROM threads WHERE subject IN \
                             (SELECT 'annotation:' || CAST(id AS TEXT) FROM annotations WHERE author_id = $1)",
                            "DELETE FROM annotations WHERE author_id = $1",
                        ] {
                            sqlx::query(statement).bind(user_id).execute(&mut *tx).await?;
                        }
                        sqlx::query("DELETE FROM users WHERE id = $1")
                            .bind(user_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Contributions::Anonymise => {
                        for table in ["sessions", "user_tokens", "recovery_codes", "association_requests"] {
                            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                                .bind(user_id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        sqlx::query(
                            "UPDATE users SET email = NULL, email_skeleton = NULL, display_name = '', bio = '', password_hash = NULL, \
                             role = 'citizen', status = 'deleted', email_verified_at = NULL, totp_secret = NULL, \
                             totp_pending = NULL, totp_last_step = NULL WHERE id = $1",
                        )
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_token(&self, user_id: i64, purpose: TokenPurpose, hash: &str, new_email: Option<&str>, now: OffsetDateTime) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                sqlx::query("UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
                    .bind(now)
                    .bind(user_id)
                    .bind(purpose.as_str())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO user_tokens (hash, user_id, purpose, new_email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(hash)
                    .bind(user_id)
                    .bind(purpose.as_str())
                    .bind(new_email)
                    .bind(now)
                    .bind(now + purpose.lifetime())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn consume_token(&self, hash: &str, purpose: TokenPurpose, now: OffsetDateTime) -> Result<Option<(i64, Option<String>)>> {
                Ok(sqlx::query_as(
                    "UPDATE user_tokens SET used_at = $1 \
                     WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
                     RETURNING user_id, new_email",
                )
                .bind(now)
                .bind(hash)
                .bind(purpose.as_str())
                .fetch_optional(self.pool())
                .await?)
            }

            async fn pending_email(&self, user_id: i64, now: OffsetDateTime) -> Result<Option<String>> {
                let row: Option<(Option<String>,)> = sqlx::query_as(
                    "SELECT new_email FROM user_tokens WHERE user_id = $1 AND purpose = 'email' \
                     AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 1",
                )
                .bind(user_id)
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
                Ok(row.and_then(|(e,)| e))
            }

            async fn create_session(&self, s: &NewSession<'_>) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, refresh_hash, rotated_at, mfa, user_agent, created_at, last_used_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $4, $4, $7)",
                )
                .bind(s.id)
                .bind(s.user_id)
                .bind(s.refresh_hash)
                .bind(s.now)
                .bind(s.mfa)
                .bind(s.user_agent)
                .bind(s.expires_at)
                .execute(self.pool())
                .await?;
                Ok(())
            }

            async fn session(&self, id: &str, now: OffsetDateTime) -> Result<Option<SessionRecord>> {
                let row: Option<SessionRow> = sqlx::query_as(&format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2"
                ))
                .bind(id)
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
                Ok(row.map(SessionRecord::from))
            }

            async fn refresh_session(&self, old_hash: &str, new_hash: &str, now: OffsetDateTime, grace: time::Duration) -> Result<Refresh> {
                let rotated: Option<SessionRow> = sqlx::query_as(&format!(
                    "UPDATE sessions SET previous_hash = refresh_hash, refresh_hash = $1, rotated_at = $2, last_used_at = $2 \
                     WHERE refresh_hash = $3 AND revoked_at IS NULL AND expires_at > $2 RETURNING {SESSION_COLUMNS}"
                ))
                .bind(new_hash)
                .bind(now)
                .bind(old_hash)
                .fetch_optional(self.pool())
                .await?;
                if let Some(row) = rotated {
                    return Ok(Refresh::Rotated(row.into()));
                }
                let previous: Option<(String, OffsetDateTime)> = sqlx::query_as(
                    "SELECT id, rotated_at FROM sessions WHERE previous_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(old_hash)
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
                match previous {
                    Some((id, rotated_at)) if now - rotated_at <= grace => {
                        Ok(self.session(&id, now).await?.map(Refresh::Grace).unwrap_or(Refresh::Unknown))
                    }
                    Some((id, _)) => {
                        self.execute2("UPDATE sessions SET revoked_at = $1 WHERE id = $2", now, &id).await?;
                        Ok(Refresh::Reused)
                    }
                    None => Ok(Refresh::Unknown),
                }
            }

            async fn set_session_mfa(&self, id: &str) -> Result<()> {
                self.execute2("UPDATE sessions SET mfa = $1 WHERE id = $2", true, id).await?;
                Ok(())
            }

            async fn revoke_session(&self, user_id: i64, id: &str, now: OffsetDateTime) -> Result<bool> {
                let done = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(id)
                    .bind(user_id)
                    .execute(self.pool())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn revoke_sessions(&self, user_id: i64, except: Option<&str>, now: OffsetDateTime) -> Result<u64> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
                )
                .bind(now)
                .bind(user_id)
                .bind(except.unwrap_or(""))
                .execute(self.pool())
                .await?;
                Ok(done.rows_affected())
            }

            async fn sessions(&self, user_id: i64, now: OffsetDateTime) -> Result<Vec<SessionRecord>> {
                let rows: Vec<SessionRow> = sqlx::query_as(&format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
                     ORDER BY last_used_at DESC, created_at DESC"
                ))
                .bind(user_id)
                .bind(now)
                .fetch_all(self.pool())
                .await?;
                Ok(rows.into_iter().map(SessionRecord::from).collect())
            }

            async fn set_totp_pending(&self, user_id: i64, secret: Option<&str>) -> Result<()> {
                self.execute2("UPDATE users SET totp_pending = $1 WHERE id = $2", secret, user_id).await?;
                Ok(())
            }

            async fn enable_totp(&self, user_id: i64, secret: &str, step: i64, codes: &[String]) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                sqlx::query("UPDATE users SET totp_secret = $1, totp_pending = NULL, totp_last_step = $2 WHERE id = $3")
                    .bind(secret)
                    .bind(step)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                Self::recovery_codes_in(&mut tx, user_id, codes).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn disable_totp(&self, user_id: i64) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                sqlx::query("UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
                let sql = "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)";
                Ok(self.execute2(sql, step, user_id).await? > 0)
            }

            async fn replace_recovery_codes(&self, user_id: i64, codes: &[String]) -> Result<()> {
                let mut tx = self.pool().begin().await?;
                Self::recovery_codes_in(&mut tx, user_id, codes).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn use_recovery_code(&self, user_id: i64, hash: &str, now: OffsetDateTime) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND hash = $3 AND used_at IS NULL",
                )
                .bind(now)
                .bind(user_id)
                .bind(hash)
                .execute(self.pool())
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                )
                .bind(user_id)
                .fetch_one(self.pool())
                .await?;
                Ok(n)
            }

            async fn create_association_request(&self, user_id: i64, name: &str, website: &str, tax_code: &str, now: OffsetDateTime) -> Result<i64> {
                let mut tx = self.pool().begin().await?;
                // A new request replaces a pending one.
                sqlx::query("DELETE FROM association_requests WHERE user_id = $1 AND status = 'pending'")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO association_requests (user_id, name, website, tax_code, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(user_id)
                .bind(name)
                .bind(website)
                .bind(tax_code)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn association_request(&self, id: i64) -> Result<Option<AssociationRequest>> {
                self.one_where::<RequestRow, _, _>(&format!("SELECT {REQUEST_COLUMNS} FROM association_requests WHERE id = $1"), id).await
            }

            async fn latest_association_request(&self, user_id: i64) -> Result<Option<AssociationRequest>> {
                let sql = format!("SELECT {REQUEST_COLUMNS} FROM association_requests WHERE user_id = $1 ORDER BY id DESC LIMIT 1");
                self.one_where::<RequestRow, _, _>(&sql, user_id).await
            }

            async fn pending_association_requests(&self) -> Result<Vec<AssociationRequest>> {
                self.all_of::<RequestRow, _>(&format!("SELECT {REQUEST_COLUMNS} FROM association_requests WHERE status = 'pending' ORDER BY id")).await
            }

            async fn decide_association_request(&self, actor: i64, id: i64, approve: bool, note: Option<&str>, now: OffsetDateTime) -> Result<bool> {
                let mut tx = self.pool().begin().await?;
                let status = if approve { "approved" } else { "rejected" };
                let decided: Option<(i64,)> = sqlx::query_as(
                    "UPDATE association_requests SET status = $1, note = $2, decided_at = $3, decided_by = $4 \
                     WHERE id = $5 AND status = 'pending' RETURNING user_id",
                )
                .bind(status)
                .bind(note)
                .bind(now)
                .bind(actor)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((user_id,)) = decided else {
                    return Ok(false);
                };
                if approve {
                    // Only a citizen becomes an association: a moderator keeps their role.
                    sqlx::query("UPDATE users SET role = 'association' WHERE id = $1 AND role = 'citizen'")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::log_in(&mut tx, actor, user_id, "association", status, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn server_key(&self, name: &str, generate: &(dyn Fn() -> String + Send + Sync), now: OffsetDateTime) -> Result<String> {
                sqlx::query("INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(generate())
                    .bind(now)
                    .execute(self.pool())
                    .await?;
                let (value,): (String,) = sqlx::query_as("SELECT value FROM server_keys WHERE name = $1")
                    .bind(name)
                    .fetch_one(self.pool())
                    .await?;
                Ok(value)
            }
        }
    };
}

account_store!(SqliteStore);
account_store!(PostgresStore);
