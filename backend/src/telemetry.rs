//! Structured logs with `tracing`: human-readable text or JSON lines.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Install the global subscriber; a second call (tests) is a no-op.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
