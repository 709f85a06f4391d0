//! Static assets embedded in the binary, named by a hash of their content
//! so they can be cached for a year and still change on every release.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

pub struct Asset {
    /// The URL path, e.g. `/static/app-1a2b3c4d5e.js`.
    pub path: String,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

fn asset(stem: &str, extension: &str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let hash = hex::encode(&Sha256::digest(body)[..5]);
    Asset {
        path: format!("/static/{stem}-{hash}.{extension}"),
        content_type,
        body,
    }
}

pub static STYLE: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "style",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../static/style.css"),
    )
});
pub static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "app",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    )
});

pub static LIVE: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "live",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/live.js"),
    )
});

/// The asset served at `path`, if any.
pub fn find(path: &str) -> Option<&'static Asset> {
    [&*STYLE, &*SCRIPT, &*LIVE]
        .into_iter()
        .find(|a| a.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_found_by_their_hashed_names() {
        assert!(STYLE.path.starts_with("/static/style-") && STYLE.path.ends_with(".css"));
        assert!(find(&SCRIPT.path).is_some());
        assert!(find("/static/app.js").is_none());
    }
}
