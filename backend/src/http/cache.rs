//! Rendered responses kept per data version: each view is computed and
//! gzip-compressed once, then served from memory with an ETag and
//! Last-Modified, answering 304 to a matching conditional request. A new
//! import (a new data version) empties the cache.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::error::ApiError;

/// Entries kept before the cache starts over (a crude bound on memory:
/// views are a few KB each).
const MAX_ENTRIES: usize = 4096;

/// What a handler renders, before caching.
pub struct Rendered {
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// `Content-Disposition` for downloads.
    pub disposition: Option<String>,
}

struct Entry {
    content_type: &'static str,
    disposition: Option<HeaderValue>,
    etag: HeaderValue,
    body: Bytes,
    gzip: Option<Bytes>,
}

/// The entries rendered for one data version.
#[derive(Default)]
struct Generation {
    version: Option<OffsetDateTime>,
    entries: HashMap<String, Arc<Entry>>,
}

#[derive(Default)]
pub struct ResponseCache {
    inner: RwLock<Generation>,
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() < body.len()).then(|| Bytes::from(compressed))
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',').any(|part| {
                let mut pieces = part.trim().split(';');
                let coding = pieces.next().unwrap_or_default().trim();
                let refused = pieces.any(|p| p.trim().replace(' ', "") == "q=0");
                (coding == "gzip" || coding == "*") && !refused
            })
        })
}

fn last_modified(version: Option<OffsetDateTime>) -> Option<HeaderValue> {
    let version = version?;
    let time: SystemTime = version.into();
    HeaderValue::from_str(&httpdate::fmt_http_date(time)).ok()
}

impl ResponseCache {
    /// Serve `key` for data `version`, rendering it with `render` on a miss.
    pub fn respond(
        &self,
        request: &HeaderMap,
        version: Option<OffsetDateTime>,
        key: &str,
        render: impl FnOnce() -> Result<Rendered, ApiError>,
    ) -> Result<Response, ApiError> {
        let cached = {
            let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
            if inner.version == version {
                inner.entries.get(key).cloned()
            } else {
                None
            }
        };
        let entry = match cached {
            Some(entry) => entry,
            None => {
                let rendered = render()?;
                let digest = Sha256::digest(&rendered.body);
                let etag = HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&digest[..12])))
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                let entry = Arc::new(Entry {
                    content_type: rendered.content_type,
                    disposition: rendered
                        .disposition
                        .and_then(|d| HeaderValue::from_str(&d).ok()),
                    etag,
                    gzip: gzip(&rendered.body),
                    body: Bytes::from(rendered.body),
                });
                let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
                if inner.version != version || inner.entries.len() >= MAX_ENTRIES {
                    *inner = Generation {
                        version,
                        entries: HashMap::new(),
                    };
                }
                inner.entries.insert(key.to_string(), entry.clone());
                entry
            }
        };
        Ok(entry.response(request, version))
    }
}

impl Entry {
    fn response(&self, request: &HeaderMap, version: Option<OffsetDateTime>) -> Response {
        let modified = last_modified(version);
        let not_modified = match request.get(header::IF_NONE_MATCH) {
            Some(tags) => tags
                .to_str()
                .map(|tags| {
                    tags.split(',').any(|t| {
                        t.trim() == self.etag.to_str().unwrap_or_default() || t.trim() == "*"
                    })
                })
                .unwrap_or(false),
            None => match (request.get(header::IF_MODIFIED_SINCE), version) {
                (Some(since), Some(version)) => since
                    .to_str()
                    .ok()
                    .and_then(|s| httpdate::parse_http_date(s).ok())
                    .is_some_and(|since| {
                        SystemTime::from(version.replace_nanosecond(0).unwrap_or(version)) <= since
                    }),
                _ => false,
            },
        };
        let mut response = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else if let (Some(gzip), true) = (&self.gzip, accepts_gzip(request)) {
            let mut r = gzip.clone().into_response();
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        } else {
            self.body.clone().into_response()
        };
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(
            header::VARY,
            HeaderValue::from_static("accept-encoding, accept-language, cookie"),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, no-cache"),
        );
        if let Some(modified) = modified {
            headers.insert(header::LAST_MODIFIED, modified);
        }
        if let Some(disposition) = &self.disposition {
            headers.insert(header::CONTENT_DISPOSITION, disposition.clone());
        }
        response
    }
}
