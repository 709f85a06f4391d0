-- Accounts: users, sessions, single-use e-mail tokens, two-factor recovery
-- codes, association requests, the account audit log and server keys.
-- Kept in step with ../postgres/0002_accounts.sql: the same tables, columns and keys.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower-cased; NULL once the account is deleted (the row stays as "utente eliminato").
    email             TEXT UNIQUE,
    display_name      TEXT NOT NULL,
    bio               TEXT NOT NULL DEFAULT '',
    -- argon2id PHC string; NULL until a password is set, and after deletion.
    password_hash     TEXT,
    role              TEXT NOT NULL DEFAULT 'citizen' CHECK (role IN ('citizen', 'association', 'moderator', 'admin')),
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'banned', 'deleted')),
    lang              TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en')),
    email_verified_at TEXT,
    -- Base32 TOTP secret once enabled; the pending one while enrolling.
    totp_secret       TEXT,
    totp_pending      TEXT,
    -- The last accepted 30-second step: a code is never accepted twice.
    totp_last_step    INTEGER,
    created_at        TEXT NOT NULL
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,            -- random, named by the access token's `sid`
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_hash  TEXT NOT NULL UNIQUE,        -- sha256 of the current refresh token
    previous_hash TEXT,                        -- the one it replaced, honoured briefly (parallel requests)
    rotated_at    TEXT NOT NULL,
    mfa           INTEGER NOT NULL,            -- the second factor was given (or is not enabled)
    user_agent    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE user_tokens (
    hash       TEXT PRIMARY KEY,               -- sha256 of the token; the token itself is only in the mail
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'email')),
    new_email  TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE association_requests (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    website    TEXT NOT NULL,
    tax_code   TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    note       TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX association_requests_user ON association_requests (user_id);

-- Who changed whose role or status: kept when either account goes.
CREATE TABLE account_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    target_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Keys generated on first start when none is configured, shared by every instance.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
