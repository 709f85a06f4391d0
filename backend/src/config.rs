//! Configuration: defaults, then an optional TOML file, then `OPENWELFARE_*`
//! environment variables (each layer overrides the one before). Every key is
//! validated at start-up; a bad value names the key and what it expects.
//!
//! | key (TOML / env) | default | meaning |
//! |---|---|---|
//! | `database_url` / `OPENWELFARE_DATABASE_URL` | `sqlite://openwelfare.db` | `sqlite://FILE` or `postgres://...` |
//! | `bind` / `OPENWELFARE_BIND` | `127.0.0.1:3000` | address the server listens on |
//! | `data_mirror` / `OPENWELFARE_DATA_MIRROR` | none (origin) | directory or http(s) base URL laid out like `shared/data` |
//! | `public_url` / `OPENWELFARE_PUBLIC_URL` | `http://` + bind | the URL users reach the server at |
//! | `log_format` / `OPENWELFARE_LOG_FORMAT` | `text` | `text` or `json` |
//! | `log_level` / `OPENWELFARE_LOG_LEVEL` | `info` | a tracing filter, e.g. `info,sqlx=warn` |
//! | `auto_import` / `OPENWELFARE_AUTO_IMPORT` | `true` | import on `serve` when the database is empty |
//! | `request_timeout_secs` / `OPENWELFARE_REQUEST_TIMEOUT_SECS` | `30` | per-request time limit |
//! | `header_read_timeout_secs` / `OPENWELFARE_HEADER_READ_TIMEOUT_SECS` | `10` | time a client has to send a request's headers (slowloris); the request timeout starts after them |
//! | `max_body_bytes` / `OPENWELFARE_MAX_BODY_BYTES` | `1048576` | request body size limit |
//! | `secret_key` / `OPENWELFARE_SECRET_KEY` | generated, kept in the database | at least 32 characters; signs access tokens and CSRF tokens |
//! | `mail_url` / `OPENWELFARE_MAIL_URL` | `file:mail-outbox` | `smtp://HOST:PORT` (plain, loopback relay), `smtp://USER:PASS@HOST:587?tls=required` (STARTTLS), `smtps://USER:PASS@HOST:465`, or `file:DIR` to write .eml files |
//! | `mail_from` / `OPENWELFARE_MAIL_FROM` | `Open Welfare Bologna <noreply@localhost>` | sender of every message |
//! | `auth_rate_per_ip` / `OPENWELFARE_AUTH_RATE_PER_IP` | `30` | log-in, sign-up and mail requests per minute from one IP |
//! | `auth_rate_per_account` / `OPENWELFARE_AUTH_RATE_PER_ACCOUNT` | `6` | log-in attempts, codes and mails per minute for one account |
//! | `session_days` / `OPENWELFARE_SESSION_DAYS` | `30` | how long a session lasts without use |
//! | `trusted_proxies` / `OPENWELFARE_TRUSTED_PROXIES` | none | comma-separated IPs of reverse proxies whose `X-Forwarded-For` is believed (for per-IP rate limits) |
//! | `ws_max_per_ip` / `OPENWELFARE_WS_MAX_PER_IP` | `20` | open websockets from one client IP; past it an upgrade gets 429 |
//! | `ws_max_total` / `OPENWELFARE_WS_MAX_TOTAL` | `5000` | open websockets on this instance; past it an upgrade gets 503 |
//! | `moderation_policy` / `OPENWELFARE_MODERATION_POLICY` | the defaults in `moderation/policy.example.toml` | a TOML file overriding the moderation policy (report reasons, thresholds, new-account limits, word lists, personal-data outcomes) |
//!
//! The file is `OPENWELFARE_CONFIG` (or `--config`); without either, none is read.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub data_mirror: Option<Location>,
    pub public_url: url::Url,
    pub log_format: LogFormat,
    pub log_level: String,
    pub auto_import: bool,
    pub request_timeout_secs: u64,
    pub header_read_timeout_secs: u64,
    pub max_body_bytes: usize,
    /// None: generated once and kept in the database (shared by every instance).
    pub secret_key: Option<String>,
    pub mail_url: String,
    pub mail_from: String,
    pub auth_rate_per_ip: u32,
    pub auth_rate_per_account: u32,
    pub session_days: u64,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub ws_max_per_ip: usize,
    pub ws_max_total: usize,
    /// The moderation policy: the compiled-in defaults, or the file's.
    pub moderation: std::sync::Arc<moderation::Policy>,
}

// Secrets (a database password) never reach a log through Debug.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("data_mirror", &self.data_mirror)
            .field("public_url", &self.public_url.as_str())
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field("auto_import", &self.auto_import)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("header_read_timeout_secs", &self.header_read_timeout_secs)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("mail_url", &redact_url(&self.mail_url))
            .field("mail_from", &self.mail_from)
            .field("auth_rate_per_ip", &self.auth_rate_per_ip)
            .field("auth_rate_per_account", &self.auth_rate_per_account)
            .field("session_days", &self.session_days)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("ws_max_per_ip", &self.ws_max_per_ip)
            .field("ws_max_total", &self.ws_max_total)
            .field("moderation", &"(policy)")
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// One clear line: which key, what was wrong, what is expected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_string(),
        message: message.into(),
    }
}

const KEYS: [&str; 20] = [
    "database_url",
    "bind",
    "data_mirror",
    "public_url",
    "log_format",
    "log_level",
    "auto_import",
    "request_timeout_secs",
    "header_read_timeout_secs",
    "max_body_bytes",
    "secret_key",
    "mail_url",
    "mail_from",
    "auth_rate_per_ip",
    "auth_rate_per_account",
    "session_days",
    "trusted_proxies",
    "ws_max_per_ip",
    "ws_max_total",
    "moderation_policy",
];

fn env_name(key: &str) -> String {
    format!("OPENWELFARE_{}", key.to_ascii_uppercase())
}

impl Config {
    /// Load from `file` (if any) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::from_sources(file, &env)
    }

    /// Load from `file` and the given environment (testable without touching the process's).
    pub fn from_sources(
        file: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let mut values: std::collections::HashMap<&str, (String, String)> = Default::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                err(
                    "OPENWELFARE_CONFIG",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                err(
                    "OPENWELFARE_CONFIG",
                    format!("{} is not valid TOML: {e}", path.display()),
                )
            })?;
            for (key, value) in table {
                let known = KEYS.iter().find(|k| **k == key).ok_or_else(|| {
                    err(
                        &key,
                        format!(
                            "unknown key in {}; known keys: {}",
                            path.display(),
                            KEYS.join(", ")
                        ),
                    )
                })?;
                let text = match value {
                    toml::Value::String(s) => s,
                    other => other.to_string(),
                };
                values.insert(known, (format!("{key} (in {})", path.display()), text));
            }
        }
        for key in KEYS {
            let name = env_name(key);
            if let Some((_, value)) = env.iter().find(|(k, _)| *k == name) {
                values.insert(key, (name, value.clone()));
            }
        }
        let get = |key: &str| {
            values
                .get(key)
                .map(|(source, value)| (source.as_str(), value.trim()))
        };

        let database_url = match get("database_url") {
            Some((source, v)) => {
                if !(v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://"))
                {
                    return Err(err(
                        source,
                        format!(
                            "expected sqlite://FILE or postgres://USER@HOST/DB, got \"{}\"",
                            redact_url(v)
                        ),
                    ));
                }
                v.to_string()
            }
            None => "sqlite://openwelfare.db".to_string(),
        };
        let bind = match get("bind") {
            Some((source, v)) => v.parse().map_err(|_| {
                err(
                    source,
                    format!("expected HOST:PORT such as 127.0.0.1:3000, got \"{v}\""),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let data_mirror = match get("data_mirror") {
            Some((_, "")) | None => None,
            Some((source, v)) => Some(Location::parse_mirror(v).map_err(|m| err(source, m))?),
        };
        let public_url = match get("public_url") {
            Some((source, v)) => {
                let url = url::Url::parse(v).map_err(|e| {
                    err(
                        source,
                        format!("expected an absolute http(s) URL, got \"{v}\" ({e})"),
                    )
                })?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(err(
                        source,
                        format!("expected an http or https URL, got \"{v}\""),
                    ));
                }
                url
            }
            None => url::Url::parse(&format!("http://{bind}/"))
                .map_err(|e| err("bind", e.to_string()))?,
        };
        let log_format = match get("log_format") {
            None | Some((_, "text")) => LogFormat::Text,
            Some((_, "json")) => LogFormat::Json,
            Some((source, v)) => {
                return Err(err(
                    source,
                    format!("expected \"text\" or \"json\", got \"{v}\""),
                ))
            }
        };
        let log_level = match get("log_level") {
            Some((source, v)) => {
                tracing_subscriber::EnvFilter::try_new(v).map_err(|e| {
                    err(
                        source,
                        format!("expected a log filter such as info or info,sqlx=warn ({e})"),
                    )
                })?;
                v.to_string()
            }
            None => "info".to_string(),
        };
        let auto_import = match get("auto_import") {
            None => true,
            Some((_, "true" | "1" | "yes")) => true,
            Some((_, "false" | "0" | "no")) => false,
            Some((source, v)) => {
                return Err(err(source, format!("expected true or false, got \"{v}\"")))
            }
        };
        let number = |key: &str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
            match get(key) {
                None => Ok(default),
                Some((source, v)) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        err(
                            source,
                            format!("expected a whole number from {min} to {max}, got \"{v}\""),
                        )
                    }),
            }
        };
        let request_timeout_secs = number("request_timeout_secs", 30, 1, 3600)?;
        let header_read_timeout_secs = number("header_read_timeout_secs", 10, 1, 3600)?;
        let max_body_bytes = number("max_body_bytes", 1 << 20, 1024, 1 << 30)? as usize;
        let secret_key = match get("secret_key") {
            None | Some((_, "")) => None,
            Some((source, v)) if v.chars().count() < 32 => {
                return Err(err(
                    source,
                    format!("expected at least 32 characters, got {}", v.chars().count()),
                ))
            }
            Some((_, v)) => Some(v.to_string()),
        };
        let mail_url = match get("mail_url") {
            None | Some((_, "")) => "file:mail-outbox".to_string(),
            Some((source, v)) => {
                if !["smtp://", "smtps://", "file:"]
                    .iter()
                    .any(|p| v.starts_with(p))
                {
                    return Err(err(
                        source,
                        format!(
                            "expected smtp://HOST:PORT, smtps://HOST:PORT or file:DIR, got \"{}\"",
                            redact_url(v)
                        ),
                    ));
                }
                v.to_string()
            }
        };
        let mail_from = match get("mail_from") {
            None | Some((_, "")) => "Open Welfare Bologna <noreply@localhost>".to_string(),
            Some((source, v)) => {
                if v.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(err(
                        source,
                        format!(
                            "expected an address such as \"Name <user@example.org>\", got \"{v}\""
                        ),
                    ));
                }
                v.to_string()
            }
        };
        let auth_rate_per_ip = number("auth_rate_per_ip", 30, 1, 1_000_000)? as u32;
        let auth_rate_per_account = number("auth_rate_per_account", 6, 1, 1_000_000)? as u32;
        let session_days = number("session_days", 30, 1, 365)?;
        let trusted_proxies = match get("trusted_proxies") {
            None => Vec::new(),
            Some((source, v)) => v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse().map_err(|_| {
                        err(
                            source,
                            format!("expected IP addresses separated by commas, got \"{p}\""),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let ws_max_per_ip = number("ws_max_per_ip", 20, 1, 1_000_000)? as usize;
        let ws_max_total = number("ws_max_total", 5000, 1, 1_000_000)? as usize;
        let moderation = match get("moderation_policy") {
            None => moderation::Policy::default(),
            Some((source, path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err(source, format!("cannot read {path}: {e}")))?;
                moderation::Policy::from_toml(&text)
                    .map_err(|e| err(source, format!("{path}: {e}")))?
            }
        };

        Ok(Config {
            database_url,
            bind,
            data_mirror,
            public_url,
            log_format,
            log_level,
            auto_import,
            request_timeout_secs,
            header_read_timeout_secs,
            max_body_bytes,
            secret_key,
            mail_url,
            mail_from,
            auth_rate_per_ip,
            auth_rate_per_account,
            session_days,
            trusted_proxies,
            ws_max_per_ip,
            ws_max_total,
            moderation: std::sync::Arc::new(moderation),
        })
    }
}

/// A database URL without its password, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Where the official files are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Each file's origin URL from the catalog.
    Origin,
    /// A directory laid out as `<source id>/<path>` (like ../shared/data).
    MirrorDir(PathBuf),
    /// A base URL laid out the same way.
    MirrorUrl(String),
}

impl Location {
    /// `http(s)://...` is a mirror URL; anything else a directory, which must exist.
    pub fn parse_mirror(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.starts_with("https://") || text.starts_with("http://") {
            url::Url::parse(text).map_err(|e| format!("not a valid URL: {e}"))?;
            return Ok(Location::MirrorUrl(text.to_string()));
        }
        let path = PathBuf::from(text);
        if !path.is_dir() {
            return Err(format!(
                "{} is not a directory (expected a directory or an http(s):// base URL)",
                path.display()
            ));
        }
        Ok(Location::MirrorDir(path))
    }

    pub fn describe(&self) -> String {
        match self {
            Location::Origin => "origin".into(),
            Location::MirrorDir(dir) => format!("mirror directory {}", dir.display()),
            Location::MirrorUrl(url) => format!("mirror {url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_nothing() {
        let config = Config::from_sources(None, &[]).unwrap();
        assert_eq!(config.database_url, "sqlite://openwelfare.db");
        assert_eq!(config.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(config.log_format, LogFormat::Text);
        assert!(config.data_mirror.is_none());
        assert!(config.auto_import);
        assert_eq!((config.ws_max_per_ip, config.ws_max_total), (20, 5000));
        assert_eq!(config.header_read_timeout_secs, 10);
        assert_eq!(*config.moderation, moderation::Policy::default());
    }

    #[test]
    fn a_moderation_policy_file_overrides_the_defaults_and_a_bad_one_names_its_field() {
        let dir = std::env::temp_dir().join(format!("ow-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "[reports]\nhold_threshold = 5\n").unwrap();
        let path = good.to_string_lossy().to_string();
        let config =
            Config::from_sources(None, &env(&[("OPENWELFARE_MODERATION_POLICY", &path)])).unwrap();
        assert_eq!(config.moderation.reports.hold_threshold, 5);

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[reports]\nhold_threshold = \"many\"\n").unwrap();
        let path = bad.to_string_lossy().to_string();
        let e = Config::from_sources(None, &env(&[("OPENWELFARE_MODERATION_POLICY", &path)]))
            .unwrap_err();
        assert_eq!(e.key, "OPENWELFARE_MODERATION_POLICY");
        assert!(e.message.contains("hold_threshold"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_values_name_the_key_and_the_expectation() {
        let e = Config::from_sources(None, &env(&[("OPENWELFARE_BIND", "nowhere")])).unwrap_err();
        assert_eq!(e.key, "OPENWELFARE_BIND");
        assert!(e.message.contains("HOST:PORT"), "{e}");
        let e = Config::from_sources(None, &env(&[("OPENWELFARE_LOG_FORMAT", "xml")])).unwrap_err();
        assert_eq!(e.key, "OPENWELFARE_LOG_FORMAT");
        let e = Config::from_sources(None, &env(&[("OPENWELFARE_DATABASE_URL", "mysql://x")]))
            .unwrap_err();
        assert_eq!(e.key, "OPENWELFARE_DATABASE_URL");
        let e = Config::from_sources(None, &env(&[("OPENWELFARE_DATA_MIRROR", "/no/such/dir")]))
            .unwrap_err();
        assert!(e.message.contains("not a directory"), "{e}");
        let e =
            Config::from_sources(None, &env(&[("OPENWELFARE_PUBLIC_URL", "ftp://x")])).unwrap_err();
        assert_eq!(e.key, "OPENWELFARE_PUBLIC_URL");
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openwelfare.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:4000\"\nlog_format = \"json\"\nauto_import = false\n",
        )
        .unwrap();
        let config =
            Config::from_sources(Some(&path), &env(&[("OPENWELFARE_BIND", "127.0.0.1:5000")]))
                .unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:5000");
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(!config.auto_import);

        std::fs::write(&path, "bnd = \"x\"\n").unwrap();
        let e = Config::from_sources(Some(&path), &[]).unwrap_err();
        assert!(e.message.contains("unknown key"), "{e}");
    }

    #[test]
    fn debug_hides_the_database_password() {
        let config = Config::from_sources(
            None,
            &env(&[("OPENWELFARE_DATABASE_URL", "postgres://u:s3cret@h/db")]),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
