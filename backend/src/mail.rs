//! Outgoing e-mail (address verification, password reset, notices) through an
//! SMTP relay, or into a folder of `.eml` files during development.
//!
//! The transport is chosen by one URL so that deployment only sets a variable:
//!
//! - `smtp://host:port`: plain SMTP, for a relay on loopback or a private network;
//! - `smtp://user:pass@host:587?tls=required`: submission with STARTTLS;
//! - `smtps://user:pass@host:465`: implicit TLS;
//! - `file:///abs/dir` or `file:relative/dir`: write `.eml` files (the folder is
//!   created if missing).
//!
//! TLS is rustls with the ring provider and the webpki root certificates, so
//! the server needs no system OpenSSL nor CA bundle. The EHLO name defaults to
//! `[127.0.0.1]`; a relay that wants a real name gets it as the URL path, e.g.
//! `smtp://user:pass@host:587/mail.example.org?tls=required`.

use std::fmt;
use std::path::{Path, PathBuf};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::mail::{self as mails, MailKind};
use rand::rngs::OsRng;
use rand::RngCore;

/// One message, in both forms: clients that cannot show HTML show the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad mail URL: {0}")]
    BadUrl(String),
    #[error("bad e-mail address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("could not send the message: {0}")]
    Send(String),
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Sends mail from one fixed sender. Cheap to clone (share it in app state).
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    folder: Option<PathBuf>,
    /// The URL with any credentials masked, for Debug and logs.
    endpoint: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hand-written: the transport holds the SMTP password.
        f.debug_struct("Mailer")
            .field("endpoint", &self.endpoint)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// The URL with everything between `://` and the last `@` masked. The last
/// `@`, not the first: an unencoded `@` or `/` in a password must not leak.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rfind('@') {
            Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl Mailer {
    /// `url`: `smtp://host:port` (plain, for a relay on loopback/dev),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465` (implicit TLS), or `file:///abs/dir` /
    /// `file:relative/dir` to write .eml files into a folder (created if
    /// missing) for development. `from`: "Open Welfare Bologna <noreply@example.org>".
    pub fn from_url(url: &str, from: &str) -> Result<Self, MailError> {
        let url = url.trim();
        let from: Mailbox = from
            .trim()
            .parse()
            .map_err(|e| MailError::Address(format!("sender: {e}")))?;
        let endpoint = redact(url);

        if let Some(rest) = url.strip_prefix("file:") {
            let path = file_url_path(rest).ok_or_else(|| {
                MailError::BadUrl(format!(
                    "{endpoint}: use file:///abs/dir or file:relative/dir"
                ))
            })?;
            // Created now, so a typo fails at start-up rather than at the first mail.
            std::fs::create_dir_all(&path).map_err(|e| {
                MailError::BadUrl(format!("{endpoint}: cannot create {}: {e}", path.display()))
            })?;
            return Ok(Mailer {
                transport: Transport::File(AsyncFileTransport::new(&path)),
                from,
                folder: Some(path),
                endpoint,
            });
        }

        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(MailError::BadUrl(format!(
                "{endpoint}: the scheme must be smtp, smtps or file"
            )));
        }
        // lettre's errors here describe the URL's shape, never echo it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::BadUrl(format!("{endpoint}: {e}")))?
            .build();
        Ok(Mailer {
            transport: Transport::Smtp(transport),
            from,
            folder: None,
            endpoint,
        })
    }

    /// Render `kind` in `lang` and send it to `to` in the background, with
    /// three tries: the request that asked for it does not wait for the
    /// relay. Nothing about the mail (address, link, token) is logged.
    pub fn post(&self, to: &str, lang: Lang, kind: MailKind) {
        let mail = mails::render(lang, &kind);
        let outgoing = Outgoing {
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        };
        let mailer = self.clone();
        let to = to.to_string();
        tokio::spawn(async move {
            for attempt in 1..=3u64 {
                match mailer.send(&to, &outgoing).await {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, attempt, "cannot send mail");
                        tokio::time::sleep(std::time::Duration::from_secs(attempt * 2)).await;
                    }
                }
            }
        });
    }

    /// The folder when writing files (so the server can log where dev mail goes).
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// Send `mail` to `to` as multipart/alternative (text and HTML, UTF-8),
    /// with a Message-ID and a Date.
    pub async fn send(&self, to: &str, mail: &Outgoing) -> Result<(), MailError> {
        // The address itself stays out of the error: errors get logged.
        let to: Mailbox = to
            .trim()
            .parse()
            .map_err(|e| MailError::Address(format!("recipient: {e}")))?;
        // A subject is one line; control characters have no business there.
        let subject: String = mail
            .subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(self.message_id()))
            .date_now()
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Build(e.to_string()))?;

        let sent = match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(drop).map_err(|e| e.to_string()),
            Transport::File(t) => t.send(message).await.map(drop).map_err(|e| e.to_string()),
        };
        sent.map_err(MailError::Send)
    }

    /// `<random@sender-domain>`: lettre's default would use a placeholder
    /// domain, which some spam filters score against.
    fn message_id(&self) -> String {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        format!("<{}@{}>", hex::encode(bytes), self.from.email.domain())
    }
}

/// `//[localhost]/abs/dir` → `/abs/dir`; `relative/dir` as is.
fn file_url_path(rest: &str) -> Option<PathBuf> {
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => {
            let abs = authority_and_path
                .strip_prefix("localhost")
                .unwrap_or(authority_and_path);
            // Anything else before the path is a remote host: not supported.
            if !abs.starts_with('/') {
                return None;
            }
            abs
        }
        None => rest,
    };
    if path.is_empty() {
        return None;
    }
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "Open Welfare Bologna <noreply@example.org>";

    fn sample() -> Outgoing {
        Outgoing {
            subject: "Verifica il tuo indirizzo è semplice".into(),
            text: "Ciao Anna,\napri questo collegamento: http://127.0.0.1:3000/account/verifica?token=abc\n".into(),
            html: "<p>Ciao Anna,</p><p><a href=\"http://127.0.0.1:3000/account/verifica?token=abc\">Verifica</a></p>".into(),
        }
    }

    fn eml_files(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect()
    }

    #[tokio::test]
    async fn file_transport_writes_one_eml_with_both_parts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("not-yet-there");
        let mailer =
            Mailer::from_url(&format!("file://{}", target.display()), FROM).expect("file url");
        assert_eq!(mailer.folder(), Some(target.as_path()));

        let mail = sample();
        mailer
            .send("Anna Rossi <anna@example.org>", &mail)
            .await
            .expect("sent");

        let files = eml_files(&target);
        assert_eq!(files.len(), 1);
        let raw = std::fs::read(&files[0]).expect("read eml");
        let head = String::from_utf8_lossy(&raw);
        // Non-ASCII subject goes out RFC 2047-encoded, not as raw UTF-8.
        let subject_line = head
            .lines()
            .find(|l| l.starts_with("Subject: "))
            .expect("subject header");
        assert!(subject_line.contains("=?utf-8?b?"), "{subject_line}");
        assert!(!subject_line.contains('è'), "{subject_line}");
        assert!(head.contains("multipart/alternative"));
        assert!(head.contains("text/plain; charset=utf-8"));
        assert!(head.contains("text/html; charset=utf-8"));
        assert!(
            head.contains("@example.org>"),
            "Message-ID on the sender's domain"
        );
        assert!(head.contains("\r\nDate: "));

        let parsed = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("parses");
        assert_eq!(parsed.subject(), Some(mail.subject.as_str()));
        let text = parsed.body_text(0).expect("text part");
        assert_eq!(text.replace("\r\n", "\n"), mail.text);
        let html = parsed.body_html(0).expect("html part");
        assert_eq!(html.replace("\r\n", "\n"), mail.html);
    }

    #[tokio::test]
    async fn relative_file_url_creates_folder() {
        // A relative path resolves against the working directory (the crate
        // root under `cargo test`); the temporary parent is removed on drop.
        let base = tempfile::tempdir_in(".").expect("tempdir");
        let name = base.path().file_name().expect("name").to_string_lossy();
        let mailer = Mailer::from_url(&format!("file:{name}/mail"), FROM).expect("relative");
        assert_eq!(mailer.folder(), Some(Path::new(&format!("{name}/mail"))));
        mailer
            .send("anna@example.org", &sample())
            .await
            .expect("sent");
        assert_eq!(eml_files(&base.path().join("mail")).len(), 1);
    }

    #[test]
    fn bad_urls() {
        for url in [
            "ftp://x",
            "smtp://",
            "smtps://",
            "",
            "mail.example.org",
            "smtp://host:notaport",
            "smtp://host?tls=sometimes",
            "file:",
            "file://",
            "file://otherhost/dir",
        ] {
            assert!(
                matches!(Mailer::from_url(url, FROM), Err(MailError::BadUrl(_))),
                "{url:?}"
            );
        }
    }

    #[test]
    fn good_smtp_urls() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:pass@mail.example.org:587?tls=required",
            "smtps://user:pass@mail.example.org:465",
            "smtp://mail.example.org/mx.example.org",
        ] {
            let mailer = Mailer::from_url(url, FROM).expect(url);
            assert_eq!(mailer.folder(), None);
        }
    }

    #[test]
    fn credentials_never_printed() {
        let mailer = Mailer::from_url(
            "smtp://mailer%40example.org:s3cr%2Ft@mail.example.org:587?tls=required",
            FROM,
        )
        .expect("url");
        let debug = format!("{mailer:?}");
        assert!(
            !debug.contains("s3cr") && !debug.contains("mailer%40"),
            "{debug}"
        );
        assert!(
            debug.contains("***@mail.example.org:587?tls=required"),
            "{debug}"
        );

        // Nor in errors, even with characters that confuse URL parsing.
        let err = Mailer::from_url("ftp://user:pa/ss@word@host", FROM).expect_err("bad");
        let msg = err.to_string();
        assert!(!msg.contains("pa/ss") && !msg.contains("word"), "{msg}");
        let err = Mailer::from_url("smtps://user:s3cret@", FROM).expect_err("bad");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[tokio::test]
    async fn bad_addresses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("file://{}", dir.path().display());
        assert!(matches!(
            Mailer::from_url(&url, "not an address"),
            Err(MailError::Address(_))
        ));
        let mailer = Mailer::from_url(&url, FROM).expect("url");
        for to in ["", "anna", "anna@", "a@b.org\r\nBcc: eve@example.org", "<>"] {
            assert!(
                matches!(mailer.send(to, &sample()).await, Err(MailError::Address(_))),
                "{to:?}"
            );
        }
        assert!(eml_files(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn subject_cannot_inject_headers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mailer =
            Mailer::from_url(&format!("file://{}", dir.path().display()), FROM).expect("url");
        let mut mail = sample();
        mail.subject = "Ciao\r\nBcc: eve@example.org".into();
        mailer.send("anna@example.org", &mail).await.expect("sent");
        let raw = std::fs::read(&eml_files(dir.path())[0]).expect("read");
        let raw = String::from_utf8_lossy(&raw);
        assert!(!raw.contains("\nBcc:"), "{raw}");
    }

    #[test]
    fn redact_masks_userinfo_only() {
        assert_eq!(redact("smtp://127.0.0.1:25"), "smtp://127.0.0.1:25");
        assert_eq!(redact("smtps://u:p@h:465"), "smtps://***@h:465");
        assert_eq!(redact("file:dev/mail"), "file:dev/mail");
    }
}
