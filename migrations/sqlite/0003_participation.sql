-- Participation: annotations on quartieri, discussion threads and their
-- posts, "utile" reactions, edit history, notifications and follows.
-- Kept in step with ../postgres/0003_participation.sql.
--
-- Every piece of user content has a status: visible, held (for review),
-- removed (by a moderator, with a reason) or deleted (by its author).
-- Authors are nullable: an account removed with "remove my contributions"
-- leaves placeholders where others replied, and those keep no author.

CREATE TABLE annotations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    area_code     TEXT NOT NULL,                -- a 2016 quartiere (q2016-...)
    author_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,                -- the author's markdown, normalised
    body_html     TEXT NOT NULL,                -- rendered by the one sanitizer
    lon           REAL,
    lat           REAL,
    dataset_slug  TEXT,
    variable_code TEXT,
    status        TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'held', 'removed', 'deleted')),
    status_reason TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX annotations_area ON annotations (area_code, id);

CREATE TABLE threads (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    subject    TEXT NOT NULL UNIQUE,            -- area:<code>, annotation:<id>, dataset:<slug>
    locked_at  TEXT,
    locked_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id     INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    author_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'held', 'removed', 'deleted')),
    status_reason TEXT,
    useful        INTEGER NOT NULL DEFAULT 0,   -- count of "utile" reactions
    created_at    TEXT NOT NULL,
    edited_at     TEXT
);
CREATE INDEX posts_thread ON posts (thread_id, id);
CREATE INDEX posts_parent ON posts (parent_id);
CREATE INDEX posts_author ON posts (author_id);

-- Earlier versions of edited annotations and posts.
CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    content    TEXT NOT NULL CHECK (content IN ('annotation', 'post')),
    content_id INTEGER NOT NULL,
    title      TEXT,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX revisions_content ON revisions (content, content_id, id);

CREATE TABLE reactions (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply', 'mention', 'reaction', 'followed')),
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    link       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE follows (
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject          TEXT NOT NULL,             -- area:<code>, dataset:<slug>, thread:<id>
    digest           TEXT NOT NULL DEFAULT 'none' CHECK (digest IN ('none', 'daily', 'weekly')),
    unsubscribe_hash TEXT NOT NULL UNIQUE,      -- sha256 of the token in the digest's link
    last_digest_at   TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (user_id, subject)
);
CREATE INDEX follows_subject ON follows (subject);
