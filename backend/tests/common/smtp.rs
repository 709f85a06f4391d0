//! A real, minimal SMTP server for integration tests: the code under test
//! sends through an actual SMTP conversation on 127.0.0.1 (no mocks), and the
//! test reads back what arrived, decoded.
//!
//! Enough of RFC 5321 for a submitting client: EHLO/HELO, MAIL, RCPT, DATA
//! (with dot-unstuffing), RSET, NOOP, QUIT; anything else gets 500. No TLS and
//! no AUTH. Several messages per connection and several connections at once.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Advertised in EHLO and enforced: a runaway client cannot fill memory.
const MAX_SIZE: usize = 10 * 1024 * 1024;
/// RFC 5321 allows 512 octets per command line; some slack for parameters.
const MAX_COMMAND_LINE: u64 = 4096;
const HOSTNAME: &str = "sink.test";

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// Reverse-path from MAIL FROM (empty for the null sender `<>`).
    pub from: String,
    /// Forward-paths from RCPT TO, in order.
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-stuffing undone, CRLF line ends.
    pub raw: Vec<u8>,
    /// Decoded subject.
    pub subject: String,
    /// Decoded text/plain part, line ends as `\n` (SMTP forces CRLF on the wire).
    pub text: String,
    /// Decoded text/html part, line ends as `\n`.
    pub html: String,
}

/// The running server. Dropping it stops accepting connections.
pub struct SmtpSink {
    pub addr: SocketAddr,
    rx: mpsc::UnboundedReceiver<Received>,
    server: JoinHandle<()>,
}

impl SmtpSink {
    /// Listen on 127.0.0.1 with a port chosen by the OS, so tests can run in parallel.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink on 127.0.0.1:0");
        let addr = listener.local_addr().expect("SMTP sink address");
        let (tx, rx) = mpsc::unbounded_channel();
        let server = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            // A client hanging up mid-session is not the sink's problem.
                            let _ = session(stream, tx).await;
                        });
                    }
                    // E.g. out of file descriptors: wait instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        SmtpSink { addr, rx, server }
    }

    /// `smtp://127.0.0.1:PORT`, for `Mailer::from_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The next message, or panic with a clear message after `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Received {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(message)) => message,
            Ok(None) => panic!("the SMTP sink at {} has stopped", self.addr),
            Err(_) => panic!(
                "no message reached the SMTP sink at {} within {timeout:?}",
                self.addr
            ),
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Find the first http(s) link in the text part that contains `path_fragment`.
pub fn link_in(text: &str, path_fragment: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("http") {
        let candidate = &rest[start..];
        if !(candidate.starts_with("http://") || candidate.starts_with("https://")) {
            rest = &candidate["http".len()..];
            continue;
        }
        // A link ends at white space or at the delimiters that wrap links in prose.
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ')' | ']'))
            .unwrap_or(candidate.len());
        // Sentence punctuation right after a link is not part of it.
        let link = candidate[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if link.contains(path_fragment) {
            return Some(link.to_owned());
        }
        rest = &candidate[end..];
    }
    None
}

async fn session(stream: TcpStream, tx: mpsc::UnboundedSender<Received>) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(format!("220 {HOSTNAME} ESMTP test sink\r\n").as_bytes())
        .await?;

    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_COMMAND_LINE)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        if !line.ends_with(b"\n") {
            write.write_all(b"500 line too long\r\n").await?;
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, arg) = command.split_once(' ').unwrap_or((command, ""));

        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => format!(
                "250-{HOSTNAME} greets {arg}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {MAX_SIZE}\r\n"
            ),
            "HELO" => format!("250 {HOSTNAME}\r\n"),
            "MAIL" => match path_argument(arg, "FROM:") {
                Some(path) => {
                    // A new transaction starts from scratch.
                    from = Some(path);
                    to.clear();
                    "250 OK\r\n".to_owned()
                }
                None => "501 syntax: MAIL FROM:<address>\r\n".to_owned(),
            },
            "RCPT" => match (&from, path_argument(arg, "TO:")) {
                (None, _) => "503 MAIL first\r\n".to_owned(),
                (Some(_), Some(path)) if !path.is_empty() => {
                    to.push(path);
                    "250 OK\r\n".to_owned()
                }
                (Some(_), _) => "501 syntax: RCPT TO:<address>\r\n".to_owned(),
            },
            "DATA" => match from.take() {
                Some(sender) if !to.is_empty() => {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let recipients = std::mem::take(&mut to);
                    match read_data(&mut reader).await? {
                        Some(raw) => {
                            // Queued before the 250, so a client that got its
                            // answer finds the message already there.
                            let _ = tx.send(parse(sender, recipients, raw));
                            "250 OK queued\r\n".to_owned()
                        }
                        None => "552 message exceeds the SIZE limit\r\n".to_owned(),
                    }
                }
                other => {
                    from = other;
                    "503 MAIL and RCPT first\r\n".to_owned()
                }
            },
            "RSET" => {
                from = None;
                to.clear();
                "250 OK\r\n".to_owned()
            }
            "NOOP" => "250 OK\r\n".to_owned(),
            "QUIT" => {
                write
                    .write_all(format!("221 {HOSTNAME} closing\r\n").as_bytes())
                    .await?;
                return Ok(());
            }
            _ => "500 command not recognised\r\n".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// `FROM:<a@b> BODY=8BITMIME` → `a@b`. Parameters after the path are ignored.
fn path_argument(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start().strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_owned())
}

/// The message up to the line with a single dot. `None` when it was too big
/// (read to the end anyway, to stay in sync with the client).
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut too_big = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "client closed the connection during DATA",
            ));
        }
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        // Dot-stuffing (RFC 5321 4.5.2): the client doubled each leading dot.
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if raw.len() + content.len() > MAX_SIZE {
            too_big = true;
        }
        if !too_big {
            raw.extend_from_slice(content);
        }
    }
    Ok((!too_big).then_some(raw))
}

fn parse(from: String, to: Vec<String>, raw: Vec<u8>) -> Received {
    let message = mail_parser::MessageParser::default().parse(&raw);
    let (subject, text, html) = match &message {
        Some(m) => (
            m.subject().unwrap_or_default().to_owned(),
            m.body_text(0).map(|t| unix_lines(&t)).unwrap_or_default(),
            m.body_html(0).map(|h| unix_lines(&h)).unwrap_or_default(),
        ),
        None => Default::default(),
    };
    Received {
        from,
        to,
        raw,
        subject,
        text,
        html,
    }
}

fn unix_lines(s: &str) -> String {
    s.replace("\r\n", "\n")
}
