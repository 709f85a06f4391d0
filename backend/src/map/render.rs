//! SVG to PNG on the server (resvg), for the map download. Fonts are the
//! system's (DejaVu on Debian), loaded once.

use std::sync::{Arc, LazyLock};

use resvg::{tiny_skia, usvg};

static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    db.load_system_fonts();
    db.set_sans_serif_family("DejaVu Sans");
    Arc::new(db)
});

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("SVG not renderable: {0}")]
    Svg(String),
    #[error("cannot allocate a {0}x{1} image")]
    Size(u32, u32),
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// Render an SVG document to PNG at `scale` (2.0 for sharp text on high-density screens).
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    let options = usvg::Options {
        fontdb: FONTS.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| RenderError::Svg(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or(RenderError::Size(0, 0))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or(RenderError::Size(size.width(), size.height()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| RenderError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_small_svg_with_text() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#3182bd"/><text x="2" y="14" font-size="12">Ab</text></svg>"##;
        let image = png(svg, 2.0).expect("rendered");
        assert_eq!(&image[1..4], b"PNG");
        assert!(png(r#"<svg"#, 1.0).is_err());
    }
}
