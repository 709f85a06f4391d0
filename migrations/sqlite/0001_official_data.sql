-- Official open data: sources, datasets, areas, variables and long-format observations.
-- Kept in step with ../postgres/0001_official_data.sql: the same tables, columns and keys.

CREATE TABLE source_files (
    path        TEXT PRIMARY KEY,           -- relative path under the mirror/origin layout
    sha256      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE datasets (
    id             INTEGER PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    title_it       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    description_it TEXT NOT NULL,
    description_en TEXT NOT NULL,
    file_path      TEXT NOT NULL,
    origin_url     TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    format         TEXT NOT NULL,
    licence        TEXT NOT NULL,
    licence_url    TEXT NOT NULL,
    attribution    TEXT NOT NULL,
    boundaries     TEXT NOT NULL,
    imported_at    TEXT NOT NULL
);

CREATE TABLE areas (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    level      TEXT NOT NULL CHECK (level IN ('quartiere', 'zona', 'area_statistica')),
    boundaries TEXT NOT NULL CHECK (boundaries IN ('2014', '2016')),
    number     INTEGER,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES areas (id),
    geometry   TEXT,
    UNIQUE (boundaries, level, slug)
);

CREATE TABLE area_aliases (
    alias   TEXT NOT NULL,
    area_id INTEGER NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    PRIMARY KEY (alias, area_id)
);

-- 2014 quartiere -> 2016 quartiere it became part of.
CREATE TABLE crosswalk (
    from_area_id INTEGER NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    to_area_id   INTEGER NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    PRIMARY KEY (from_area_id, to_area_id)
);

CREATE TABLE variables (
    id                INTEGER PRIMARY KEY,
    dataset_id        INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    column_name       TEXT NOT NULL,
    label_it          TEXT NOT NULL,
    label_en          TEXT NOT NULL,
    grp               TEXT NOT NULL,
    unit              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('count', 'rate')),
    numerator         TEXT,
    denominator       TEXT,
    denominator_scope TEXT CHECK (denominator_scope IN ('area', 'city')),
    note_it           TEXT,
    note_en           TEXT,
    position          INTEGER NOT NULL,
    UNIQUE (dataset_id, code)
);

CREATE TABLE observations (
    variable_id INTEGER NOT NULL REFERENCES variables (id) ON DELETE CASCADE,
    area_id     INTEGER NOT NULL REFERENCES areas (id),
    year        INTEGER NOT NULL,
    value       REAL,
    PRIMARY KEY (variable_id, area_id, year)
);
CREATE INDEX observations_area ON observations (area_id);

-- Transactional outbox: one row per user-visible change, written in the change's transaction.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
