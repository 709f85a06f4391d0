-- Participation: annotations on quartieri, discussion threads and their
-- posts, "utile" reactions, edit history, notifications and follows.
-- Kept in step with ../sqlite/0003_participation.sql.
--
-- Every piece of user content has a status: visible, held (for review),
-- removed (by a moderator, with a reason) or deleted (by its author).
-- Authors are nullable: an account removed with "remove my contributions"
-- leaves placeholders where others replied, and those keep no author.

CREATE TABLE annotations (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_code     TEXT NOT NULL,                -- a 2016 quartiere (q2016-...)
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,                -- the author's markdown, normalised
    body_html     TEXT NOT NULL,                -- rendered by the one sanitizer
    lon           DOUBLE PRECISION,
    lat           DOUBLE PRECISION,
    dataset_slug  TEXT,
    variable_code TEXT,
    status        TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'held', 'removed', 'deleted')),
    status_reason TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX annotations_area ON annotations (area_code, id);

CREATE TABLE threads (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject    TEXT NOT NULL UNIQUE,            -- area:<code>, annotation:<id>, dataset:<slug>
    locked_at  TIMESTAMPTZ,
    locked_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE posts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thread_id     BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    parent_id     BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'held', 'removed', 'deleted')),
    status_reason TEXT,
    useful        INTEGER NOT NULL DEFAULT 0,   -- count of "utile" reactions
    created_at    TIMESTAMPTZ NOT NULL,
    edited_at     TIMESTAMPTZ
);
CREATE INDEX posts_thread ON posts (thread_id, id);
CREATE INDEX posts_parent ON posts (parent_id);
CREATE INDEX posts_author ON posts (author_id);

-- Earlier versions of edited annotations and posts.
CREATE TABLE revisions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content    TEXT NOT NULL CHECK (content IN ('annotation', 'post')),
    content_id BIGINT NOT NULL,
    title      TEXT,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX revisions_content ON revisions (content, content_id, id);

CREATE TABLE reactions (
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE notifications (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply', 'mention', 'reaction', 'followed')),
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    link       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE follows (
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject          TEXT NOT NULL,             -- area:<code>, dataset:<slug>, thread:<id>
    digest           TEXT NOT NULL DEFAULT 'none' CHECK (digest IN ('none', 'daily', 'weekly')),
    unsubscribe_hash TEXT NOT NULL UNIQUE,      -- sha256 of the token in the digest's link
    last_digest_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, subject)
);
CREATE INDEX follows_subject ON follows (subject);
