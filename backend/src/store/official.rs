//! The official data in storage. The macro stamps out one implementation
//! per sqlx driver from the same statements, so SQLite and PostgreSQL run
//! exactly the same queries (portable SQL, `$n` placeholders).

use std::collections::HashMap;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::{Result, StoreError};
use super::events::{emit, EventStore};
use super::pools::{Backend, PostgresStore, SqliteStore};
use crate::official::areas::normalize_alias;
use crate::official::bundle::Bundle;
use crate::official::model::{
    Area, Boundaries, Dataset, Level, Observation, SourceFile, Variable, VariableKind,
};

/// The official data in storage: source files, datasets, variables, areas
/// with aliases and geometry, the crosswalk, observations.
#[async_trait]
pub trait OfficialStore: Send + Sync {
    /// The files of the last import with their hashes.
    async fn source_files(&self) -> Result<Vec<SourceFile>>;
    /// Replace the official data with `bundle`, in one transaction; ids of
    /// areas, datasets and variables that stay are kept.
    async fn load_official(&self, bundle: &Bundle, at: OffsetDateTime) -> Result<()>;

    async fn datasets(&self) -> Result<Vec<Dataset>>;
    async fn variables(&self, dataset_id: i64) -> Result<Vec<Variable>>;
    /// Every area of a boundary set and level with its geometry, ordered by
    /// number then name.
    async fn areas(&self, boundaries: Boundaries, level: Level) -> Result<Vec<Area>>;
    /// Areas whose alias matches the normalised `name`.
    async fn resolve_area(&self, name: &str) -> Result<Vec<Area>>;
    /// (2014 area id, 2016 area id) pairs.
    async fn crosswalk(&self) -> Result<Vec<(i64, i64)>>;
    /// Every observation of a dataset.
    async fn dataset_observations(&self, dataset_id: i64) -> Result<Vec<Observation>>;
    /// When the official data last changed (the latest import), or None
    /// when nothing is loaded. Cheap: readers poll it to refresh caches.
    async fn data_version(&self) -> Result<Option<OffsetDateTime>>;
    /// Every row of the official-data tables as text, in a fixed order;
    /// `with_times: false` leaves out import times. Used to prove an import
    /// idempotent and a refused import harmless.
    async fn official_snapshot(&self, with_times: bool) -> Result<Vec<String>>;
}

#[derive(sqlx::FromRow)]
struct DatasetRow {
    id: i64,
    slug: String,
    title_it: String,
    title_en: String,
    description_it: String,
    description_en: String,
    file_path: String,
    origin_url: String,
    sha256: String,
    format: String,
    licence: String,
    licence_url: String,
    attribution: String,
    boundaries: String,
    imported_at: OffsetDateTime,
}

impl From<DatasetRow> for Dataset {
    fn from(r: DatasetRow) -> Self {
        Dataset {
            id: r.id,
            slug: r.slug,
            title_it: r.title_it,
            title_en: r.title_en,
            description_it: r.description_it,
            description_en: r.description_en,
            file_path: r.file_path,
            origin_url: r.origin_url,
            sha256: r.sha256,
            format: r.format,
            licence: r.licence,
            licence_url: r.licence_url,
            attribution: r.attribution,
            boundaries: r.boundaries,
            imported_at: r.imported_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct VariableRow {
    id: i64,
    code: String,
    column_name: String,
    label_it: String,
    label_en: String,
    grp: String,
    unit: String,
    kind: String,
    numerator: Option<String>,
    denominator: Option<String>,
    denominator_scope: Option<String>,
    note_it: Option<String>,
    note_en: Option<String>,
}

impl TryFrom<VariableRow> for Variable {
    type Error = StoreError;
    fn try_from(r: VariableRow) -> Result<Self> {
        let kind = VariableKind::parse(&r.kind).ok_or_else(|| {
            StoreError::Internal(format!("variable {}: unknown kind {}", r.code, r.kind))
        })?;
        Ok(Variable {
            id: r.id,
            code: r.code,
            column_name: r.column_name,
            label_it: r.label_it,
            label_en: r.label_en,
            group: r.grp,
            unit: r.unit,
            kind,
            numerator: r.numerator,
            denominator: r.denominator,
            denominator_scope: r.denominator_scope,
            note_it: r.note_it,
            note_en: r.note_en,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: i64,
    code: String,
    level: String,
    boundaries: String,
    number: Option<i32>,
    name: String,
    slug: String,
    parent_id: Option<i64>,
    geometry: Option<String>,
}

impl TryFrom<AreaRow> for Area {
    type Error = StoreError;
    fn try_from(r: AreaRow) -> Result<Self> {
        let bad = |what: &str, value: &str| {
            StoreError::Internal(format!("area {}: unknown {what} {value}", r.code))
        };
        Ok(Area {
            level: Level::parse(&r.level).ok_or_else(|| bad("level", &r.level))?,
            boundaries: Boundaries::parse(&r.boundaries)
                .ok_or_else(|| bad("boundaries", &r.boundaries))?,
            id: r.id,
            code: r.code,
            number: r.number,
            name: r.name,
            slug: r.slug,
            parent_id: r.parent_id,
            geometry: r.geometry,
        })
    }
}

const DATASET_COLUMNS: &str =
    "id, slug, title_it, title_en, description_it, description_en, file_path, \
    origin_url, sha256, format, licence, licence_url, attribution, boundaries, imported_at";
const VARIABLE_COLUMNS: &str =
    "id, code, column_name, label_it, label_en, grp, unit, kind, numerator, \
    denominator, denominator_scope, note_it, note_en";
const AREA_COLUMNS: &str = "id, code, level, boundaries, number, name, slug, parent_id, geometry";
const AREA_COLUMNS_NO_GEOMETRY: &str =
    "id, code, level, boundaries, number, name, slug, parent_id, CAST(NULL AS TEXT) AS geometry";

/// Rows per multi-row INSERT: well under SQLite's bound-parameter limit.
const BATCH: usize = 400;

macro_rules! official_store {
    ($store:ident, $db:ty, $backend:expr) => {
        #[async_trait]
        impl OfficialStore for $store {
            async fn source_files(&self) -> Result<Vec<SourceFile>> {
                let rows: Vec<(String, String, i64, OffsetDateTime)> =
                    sqlx::query_as("SELECT path, sha256, bytes, imported_at FROM source_files ORDER BY path")
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows
                    .into_iter()
                    .map(|(path, sha256, bytes, imported_at)| SourceFile { path, sha256, bytes, imported_at })
                    .collect())
            }

            async fn load_official(&self, bundle: &Bundle, at: OffsetDateTime) -> Result<()> {
                let mut tx = self.pool.begin().await?;

                sqlx::query("DELETE FROM source_files").execute(&mut *tx).await?;
                for file in &bundle.files {
                    sqlx::query("INSERT INTO source_files (path, sha256, bytes, imported_at) VALUES ($1, $2, $3, $4)")
                        .bind(&file.path)
                        .bind(&file.sha256)
                        .bind(file.bytes)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }

                // Areas are upserted by code (never deleted: user content will point at them).
                let mut area_ids: HashMap<&str, i64> = HashMap::new();
                sqlx::query("DELETE FROM area_aliases").execute(&mut *tx).await?;
                for area in &bundle.areas {
                    let parent_id = match &area.parent {
                        Some(code) => Some(*area_ids.get(code.as_str()).ok_or_else(|| {
                            StoreError::Internal(format!("area {} comes before its parent {code}", area.code))
                        })?),
                        None => None,
                    };
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO areas (code, level, boundaries, number, name, slug, parent_id, geometry) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT (code) DO UPDATE SET level = excluded.level, boundaries = excluded.boundaries, \
                         number = excluded.number, name = excluded.name, slug = excluded.slug, \
                         parent_id = excluded.parent_id, geometry = excluded.geometry \
                         RETURNING id",
                    )
                    .bind(&area.code)
                    .bind(area.level.as_str())
                    .bind(area.boundaries.as_str())
                    .bind(area.number)
                    .bind(&area.name)
                    .bind(&area.slug)
                    .bind(parent_id)
                    .bind(&area.geometry)
                    .fetch_one(&mut *tx)
                    .await?;
                    area_ids.insert(&area.code, id);
                    for alias in &area.aliases {
                        sqlx::query("INSERT INTO area_aliases (alias, area_id) VALUES ($1, $2)")
                            .bind(alias)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                let area_id = |code: &str| {
                    area_ids
                        .get(code)
                        .copied()
                        .ok_or_else(|| StoreError::Internal(format!("unknown area {code} in the import")))
                };

                sqlx::query("DELETE FROM crosswalk").execute(&mut *tx).await?;
                for (from, to) in &bundle.crosswalk {
                    sqlx::query("INSERT INTO crosswalk (from_area_id, to_area_id) VALUES ($1, $2)")
                        .bind(area_id(from)?)
                        .bind(area_id(to)?)
                        .execute(&mut *tx)
                        .await?;
                }

                let slugs: Vec<&str> = bundle.datasets.iter().map(|d| d.slug.as_str()).collect();
                let existing: Vec<(i64, String)> =
                    sqlx::query_as("SELECT id, slug FROM datasets").fetch_all(&mut *tx).await?;
                for (id, slug) in existing {
                    if !slugs.contains(&slug.as_str()) {
                        sqlx::query("DELETE FROM datasets WHERE id = $1").bind(id).execute(&mut *tx).await?;
                    }
                }

                for dataset in &bundle.datasets {
                    let (dataset_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO datasets (slug, title_it, title_en, description_it, description_en, file_path, \
                         origin_url, sha256, format, licence, licence_url, attribution, boundaries, imported_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                         ON CONFLICT (slug) DO UPDATE SET title_it = excluded.title_it, title_en = excluded.title_en, \
                         description_it = excluded.description_it, description_en = excluded.description_en, \
                         file_path = excluded.file_path, origin_url = excluded.origin_url, sha256 = excluded.sha256, \
                         format = excluded.format, licence = excluded.licence, licence_url = excluded.licence_url, \
                         attribution = excluded.attribution, boundaries = excluded.boundaries, \
                         imported_at = excluded.imported_at \
                         RETURNING id",
                    )
                    .bind(&dataset.slug)
                    .bind(&dataset.title_it)
                    .bind(&dataset.title_en)
                    .bind(&dataset.description_it)
                    .bind(&dataset.description_en)
                    .bind(&dataset.file_path)
                    .bind(&dataset.origin_url)
                    .bind(&dataset.sha256)
                    .bind(&dataset.format)
                    .bind(&dataset.licence)
                    .bind(&dataset.licence_url)
                    .bind(&dataset.attribution)
                    .bind(dataset.boundaries.as_str())
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;

                    sqlx::query("DELETE FROM observations WHERE variable_id IN (SELECT id FROM variables WHERE dataset_id = $1)")
                        .bind(dataset_id)
                        .execute(&mut *tx)
                        .await?;
                    let codes: Vec<&str> = dataset.variables.iter().map(|v| v.code.as_str()).collect();
                    let existing: Vec<(i64, String)> =
                        sqlx::query_as("SELECT id, code FROM variables WHERE dataset_id = $1")
                            .bind(dataset_id)
                            .fetch_all(&mut *tx)
                            .await?;
                    for (id, code) in existing {
                        if !codes.contains(&code.as_str()) {
                            sqlx::query("DELETE FROM variables WHERE id = $1").bind(id).execute(&mut *tx).await?;
                        }
                    }

                    let mut variable_ids: HashMap<&str, i64> = HashMap::new();
                    for (position, v) in dataset.variables.iter().enumerate() {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO variables (dataset_id, code, column_name, label_it, label_en, grp, unit, kind, \
                             numerator, denominator, denominator_scope, note_it, note_en, position) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                             ON CONFLICT (dataset_id, code) DO UPDATE SET column_name = excluded.column_name, \
                             label_it = excluded.label_it, label_en = excluded.label_en, grp = excluded.grp, \
                             unit = excluded.unit, kind = excluded.kind, numerator = excluded.numerator, \
                             denominator = excluded.denominator, denominator_scope = excluded.denominator_scope, \
                             note_it = excluded.note_it, note_en = excluded.note_en, position = excluded.position \
                             RETURNING id",
                        )
                        .bind(dataset_id)
                        .bind(&v.code)
                        .bind(&v.column_name)
                        .bind(&v.label_it)
                        .bind(&v.label_en)
                        .bind(&v.group)
                        .bind(&v.unit)
                        .bind(v.kind.as_str())
                        .bind(&v.numerator)
                        .bind(&v.denominator)
                        .bind(&v.denominator_scope)
                        .bind(&v.note_it)
                        .bind(&v.note_en)
                        .bind(position as i32)
                        .fetch_one(&mut *tx)
                        .await?;
                        variable_ids.insert(&v.code, id);
                    }

                    let mut rows = Vec::with_capacity(dataset.observations.len());
                    for o in &dataset.observations {
                        let variable_id = *variable_ids.get(o.variable.as_str()).ok_or_else(|| {
                            StoreError::Internal(format!("{}: observation of unknown variable {}", dataset.slug, o.variable))
                        })?;
                        rows.push((variable_id, area_id(&o.area)?, o.year, o.value));
                    }
                    for chunk in rows.chunks(BATCH) {
                        let mut insert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO observations (variable_id, area_id, year, value) ",
                        );
                        insert.push_values(chunk, |mut row, (variable_id, area_id, year, value)| {
                            row.push_bind(*variable_id).push_bind(*area_id).push_bind(*year).push_bind(*value);
                        });
                        insert.build().execute(&mut *tx).await?;
                    }
                }

                let payload = serde_json::json!({
                    "type": "data.imported",
                    "datasets": slugs,
                });
                emit(&mut tx, $backend, "map", &payload, at).await?;
                // Followers of each dataset hear of the update, in-app and in their digest.
                for slug in &slugs {
                    let subject = format!("dataset:{slug}");
                    let update = serde_json::json!({"type": "data.imported", "dataset": slug});
                    emit(&mut tx, $backend, &subject, &update, at).await?;
                    let link = format!("/datasets/{slug}");
                    for user in Self::followers_in(&mut tx, &[&subject], &[]).await? {
                        Self::notify_in(&mut tx, user, "followed", None, &link, "I dati ufficiali sono stati aggiornati / The official data were updated", at).await?;
                    }
                }

                tx.commit().await?;
                Ok(())
            }

            async fn datasets(&self) -> Result<Vec<Dataset>> {
                let rows: Vec<DatasetRow> =
                    sqlx::query_as(&format!("SELECT {DATASET_COLUMNS} FROM datasets ORDER BY id"))
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(Dataset::from).collect())
            }

            async fn variables(&self, dataset_id: i64) -> Result<Vec<Variable>> {
                let rows: Vec<VariableRow> = sqlx::query_as(&format!(
                    "SELECT {VARIABLE_COLUMNS} FROM variables WHERE dataset_id = $1 ORDER BY position"
                ))
                .bind(dataset_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(Variable::try_from).collect()
            }

            async fn areas(&self, boundaries: Boundaries, level: Level) -> Result<Vec<Area>> {
                let rows: Vec<AreaRow> = sqlx::query_as(&format!(
                    "SELECT {AREA_COLUMNS} FROM areas WHERE boundaries = $1 AND level = $2 ORDER BY number, name"
                ))
                .bind(boundaries.as_str())
                .bind(level.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(Area::try_from).collect()
            }

            async fn resolve_area(&self, name: &str) -> Result<Vec<Area>> {
                let rows: Vec<AreaRow> = sqlx::query_as(&format!(
                    "SELECT {AREA_COLUMNS_NO_GEOMETRY} FROM areas WHERE id IN (SELECT area_id FROM area_aliases WHERE alias = $1) \
                     ORDER BY boundaries, level, number, name"
                ))
                .bind(normalize_alias(name))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(Area::try_from).collect()
            }

            async fn crosswalk(&self) -> Result<Vec<(i64, i64)>> {
                Ok(sqlx::query_as("SELECT from_area_id, to_area_id FROM crosswalk ORDER BY from_area_id")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn dataset_observations(&self, dataset_id: i64) -> Result<Vec<Observation>> {
                let rows: Vec<(i64, i64, i32, Option<f64>)> = sqlx::query_as(
                    "SELECT o.variable_id, o.area_id, o.year, o.value FROM observations o \
                     JOIN variables v ON v.id = o.variable_id WHERE v.dataset_id = $1 \
                     ORDER BY o.variable_id, o.year, o.area_id",
                )
                .bind(dataset_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(variable_id, area_id, year, value)| Observation { variable_id, area_id, year, value })
                    .collect())
            }

            async fn data_version(&self) -> Result<Option<OffsetDateTime>> {
                let (version,): (Option<OffsetDateTime>,) =
                    sqlx::query_as("SELECT MAX(imported_at) FROM source_files").fetch_one(&self.pool).await?;
                Ok(version)
            }

            async fn official_snapshot(&self, with_times: bool) -> Result<Vec<String>> {
                let mut out = Vec::new();
                let files = self.source_files().await?;
                for f in files {
                    let time = if with_times { f.imported_at.to_string() } else { String::new() };
                    out.push(format!("file {} {} {} {time}", f.path, f.sha256, f.bytes));
                }
                for mut d in self.datasets().await? {
                    if !with_times {
                        d.imported_at = OffsetDateTime::UNIX_EPOCH;
                    }
                    out.push(format!("dataset {d:?}"));
                    for v in self.variables(d.id).await? {
                        out.push(format!("variable {} {v:?}", d.slug));
                    }
                    for o in self.dataset_observations(d.id).await? {
                        out.push(format!("observation {o:?}"));
                    }
                }
                let areas: Vec<AreaRow> = sqlx::query_as(&format!("SELECT {AREA_COLUMNS} FROM areas ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?;
                for a in areas {
                    out.push(format!("area {:?}", Area::try_from(a)?));
                }
                let aliases: Vec<(String, i64)> =
                    sqlx::query_as("SELECT alias, area_id FROM area_aliases ORDER BY alias, area_id")
                        .fetch_all(&self.pool)
                        .await?;
                out.extend(aliases.into_iter().map(|(alias, id)| format!("alias {alias} {id}")));
                out.extend(self.crosswalk().await?.into_iter().map(|(a, b)| format!("crosswalk {a} {b}")));
                if with_times {
                    for e in self.events_after(0, i64::MAX).await? {
                        out.push(format!("event {e:?}"));
                    }
                }
                Ok(out)
            }
        }
    };
}

official_store!(SqliteStore, sqlx::Sqlite, Backend::Sqlite);
official_store!(PostgresStore, sqlx::Postgres, Backend::Postgres);
