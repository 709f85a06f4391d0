-- Moderation: reports, and the append-only moderation log.
-- Kept in step with ../postgres/0006_moderation.sql.
--
-- A report keeps a copy of what it reported, as it was. Anyone may report
-- (a visitor without an account too: reporter_id NULL, and an optional
-- name and address to hear the outcome); a user reports an item once.
-- The log has no foreign key to the content it speaks of, so purging
-- content never deletes its rows.

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('annotation', 'post', 'user', 'mashup')),
    target_id     INTEGER NOT NULL,
    reporter_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    visitor_name  TEXT,
    visitor_email TEXT,
    reason        TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    snapshot      TEXT NOT NULL,
    weight        INTEGER NOT NULL CHECK (weight > 0),
    created_at    TEXT NOT NULL,
    resolution    TEXT CHECK (resolution IN ('upheld', 'rejected')),
    resolved_at   TEXT,
    UNIQUE (target_kind, target_id, reporter_id)
);
CREATE INDEX reports_open ON reports (target_kind, target_id) WHERE resolution IS NULL;

CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    moderator_id INTEGER REFERENCES users (id) ON DELETE SET NULL, -- NULL: the system's own rules
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    INTEGER NOT NULL,
    subject_id   INTEGER,                                          -- the user concerned; no key, kept after purge
    rule         TEXT,
    reason       TEXT NOT NULL CHECK (reason <> ''),
    until        TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX moderation_log_target ON moderation_log (target_kind, target_id, id);
