//! Getting the bytes of a catalogued file: from its origin over HTTPS, from
//! a mirror directory, or from a mirror base URL, and checking its sha256.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::config::Location;
use crate::official::catalog::{join_url, Catalog, CatalogFile};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{file}: cannot read {from}: {message}")]
    Unavailable {
        file: String,
        from: String,
        message: String,
    },
    #[error("{file}: sha256 mismatch: expected {expected}, got {actual}; file refused")]
    HashMismatch {
        file: String,
        expected: String,
        actual: String,
    },
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("openwelfare/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Read one file's bytes from `location`.
pub async fn fetch(
    client: &reqwest::Client,
    catalog: &Catalog,
    file: &CatalogFile,
    location: &Location,
) -> Result<Vec<u8>, FetchError> {
    let unavailable = |from: String, message: String| FetchError::Unavailable {
        file: file.mirror_path(),
        from,
        message,
    };
    let url = match location {
        Location::MirrorDir(dir) => {
            let path = dir.join(file.mirror_path());
            return tokio::fs::read(&path)
                .await
                .map_err(|e| unavailable(path.display().to_string(), e.to_string()));
        }
        Location::MirrorUrl(base) => join_url(base, &file.mirror_path()),
        Location::Origin => catalog.origin_url(file),
    };
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| unavailable(url.clone(), e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(unavailable(url, format!("HTTP status {status}")));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unavailable(url, e.to_string()))?;
    Ok(bytes.to_vec())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Refuse bytes whose hash is not the catalogued one.
pub fn verify(file: &CatalogFile, bytes: &[u8]) -> Result<String, FetchError> {
    let actual = sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(&file.sha256) {
        Ok(actual)
    } else {
        Err(FetchError::HashMismatch {
            file: file.mirror_path(),
            expected: file.sha256.clone(),
            actual,
        })
    }
}
