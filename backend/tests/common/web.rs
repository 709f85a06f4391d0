//! A real server on loopback for the account tests, with a real SMTP
//! server beside it, and a small browser: it keeps cookies, sends the
//! Origin header, and fills in the CSRF field from the last page it saw.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use openwelfare::http::{router, AppState};

use super::smtp::{link_in, Received, SmtpSink};
use super::TestDb;

pub struct Server {
    pub base: String,
    pub state: AppState,
    pub smtp: SmtpSink,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestDb {
    /// Serve this database on 127.0.0.1 with mail going to a fresh SMTP
    /// server; rate limits are generous unless `extra` sets them.
    pub async fn serve(&self, extra: &[(&str, &str)]) -> Server {
        self.serve_with_hub(extra, None).await
    }

    /// As `serve`, with the realtime hub polling the outbox every `poll`,
    /// keeping `buffer` events per connection, and (on PostgreSQL)
    /// listening for other instances' NOTIFY when `listen`.
    pub async fn serve_with_hub(
        &self,
        extra: &[(&str, &str)],
        hub: Option<(Duration, usize, bool)>,
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let smtp = SmtpSink::start().await;
        let base = format!("http://{addr}");
        let mut env = vec![
            ("OPENWELFARE_PUBLIC_URL", base.clone()),
            ("OPENWELFARE_MAIL_URL", smtp.url()),
            ("OPENWELFARE_AUTH_RATE_PER_IP", "100000".to_string()),
            ("OPENWELFARE_AUTH_RATE_PER_ACCOUNT", "100000".to_string()),
        ];
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            env.push((k, v.to_string()));
        }
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let state = openwelfare::server::prepare(self.config(&env), self.store.clone())
            .await
            .expect("state");
        let mut state = state;
        if let Some((poll, buffer, listen)) = hub {
            state.hub.shut_down();
            let url = if listen { self.url.as_str() } else { "" };
            state.hub =
                openwelfare::realtime::Hub::start_with(state.store.clone(), url, poll, buffer)
                    .await
                    .expect("hub");
        }
        let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server {
            base,
            state,
            smtp,
            task,
        }
    }
}

/// The password of the users the tests make.
pub const PASSWORD: &str = "tortellini sotto le due torri";

impl Server {
    /// A user made directly in the store (for stories not about sign-up), with `PASSWORD`.
    pub async fn user(
        &self,
        email: &str,
        name: &str,
        role: openwelfare::accounts::Role,
        verified: bool,
    ) -> i64 {
        let now = time::OffsetDateTime::now_utc();
        let hash = self
            .state
            .auth
            .passwords
            .hash(PASSWORD)
            .await
            .expect("hash");
        self.state
            .store
            .create_user(
                &openwelfare::accounts::model::NewUser {
                    email,
                    display_name: name,
                    password_hash: Some(&hash),
                    role,
                    lang: "it",
                    verified_at: verified.then_some(now),
                },
                now,
            )
            .await
            .expect("user")
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// The next message, and the link in it whose path contains `path`.
    pub async fn mail_link(&mut self, path: &str) -> (Received, String) {
        let mail = self.smtp.next(Duration::from_secs(10)).await;
        let link = link_in(&mail.text, path)
            .unwrap_or_else(|| panic!("no link to {path} in the mail \"{}\"", mail.subject));
        (mail, link)
    }
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_in(body: &str) -> Option<String> {
    let at = body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = body[at..].find('"')?;
    Some(body[at..at + end].to_string())
}

pub struct Browser {
    pub base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub csrf: Option<String>,
    pub origin: Option<String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Browser {
            base: base.to_string(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
            csrf: None,
            origin: Some(base.to_string()),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let max_age_zero = text.contains("Max-Age=0");
                if value.is_empty() || max_age_zero {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.unwrap_or_default();
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        Page {
            status,
            location,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(self.url(path))
            .header("cookie", self.cookie_header())
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET");
        self.finish(response).await
    }

    /// Post a form as a browser on our pages would: Origin, cookies and the CSRF field.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("csrf", &token));
        self.post_exact(path, &all).await
    }

    /// Post exactly these fields (no CSRF field added).
    pub async fn post_exact(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut request = self
            .client
            .post(self.url(path))
            .header("cookie", self.cookie_header())
            .header("accept", "text/html")
            .form(fields);
        if let Some(origin) = &self.origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.expect("POST");
        self.finish(response).await
    }

    /// GET the page, then post its form to `action` with `fields`.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let shown = self.get(page).await;
        assert!(shown.status == 200, "{page}: status {}", shown.status);
        self.post(action, fields).await
    }

    pub fn signed_in(&self) -> bool {
        self.cookies.contains_key("ow_refresh")
    }
}
