//! `openwelfare import`: fetch every catalogued file, verify its hash, parse
//! it, and load everything in one transaction. A refused or unparsable file
//! stops the import before the database is touched.

pub mod fetch;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

pub use crate::config::Location;
pub use crate::official::bundle::Bundle;

use crate::official::catalog::Catalog;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("import refused, database unchanged:\n  {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n  "))]
    Refused(Vec<fetch::FetchError>),
    #[error("import failed, database unchanged: {0}")]
    Bundle(#[from] crate::official::bundle::BundleError),
    #[error("import failed, database unchanged: {0}")]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every file has the hash already loaded: nothing was written.
    UpToDate,
    Imported {
        files: usize,
        datasets: usize,
        areas: usize,
        observations: usize,
        took: Duration,
    },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::UpToDate => write!(f, "already up to date: every file has the hash already loaded"),
            Outcome::Imported { files, datasets, areas, observations, took } => write!(
                f,
                "imported {files} files: {datasets} datasets, {areas} areas, {observations} observations in {:.2} s",
                took.as_secs_f64()
            ),
        }
    }
}

/// Run an import. With `force`, files already loaded are parsed and written
/// again (the result is the same rows; only import times change).
pub async fn run(
    store: &dyn Store,
    catalog: &Catalog,
    location: &Location,
    force: bool,
) -> Result<Outcome, ImportError> {
    let started = Instant::now();
    let client = fetch::http_client();
    let mut files = HashMap::new();
    let mut hashes = BTreeMap::new();
    let mut refused = Vec::new();
    for file in catalog.imported_files() {
        let checked = match fetch::fetch(&client, catalog, file, location).await {
            Ok(bytes) => fetch::verify(file, &bytes).map(|sha| (bytes, sha)),
            Err(e) => Err(e),
        };
        match checked {
            Ok((bytes, sha)) => {
                hashes.insert(file.mirror_path(), (sha, bytes.len() as i64));
                files.insert(file.mirror_path(), bytes);
            }
            Err(e) => refused.push(e),
        }
    }
    if !refused.is_empty() {
        return Err(ImportError::Refused(refused));
    }

    if !force {
        let loaded: BTreeMap<String, String> = store
            .source_files()
            .await?
            .into_iter()
            .map(|f| (f.path, f.sha256))
            .collect();
        if hashes
            .iter()
            .all(|(path, (sha, _))| loaded.get(path) == Some(sha))
        {
            return Ok(Outcome::UpToDate);
        }
    }

    // Parsing and dissolving polygons is CPU work: keep it off the async workers.
    let catalog_owned = catalog.clone();
    let bundle = tokio::task::spawn_blocking(move || {
        crate::official::bundle::build(&catalog_owned, &files, &hashes)
    })
    .await
    .map_err(|e| StoreError::Internal(format!("import task failed: {e}")))??;
    store
        .load_official(&bundle, time::OffsetDateTime::now_utc())
        .await?;
    Ok(Outcome::Imported {
        files: bundle.files.len(),
        datasets: bundle.datasets.len(),
        areas: bundle.areas.len(),
        observations: bundle.datasets.iter().map(|d| d.observations.len()).sum(),
        took: started.elapsed(),
    })
}
