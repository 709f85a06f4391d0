//! `ws-load`: the load client of the websocket fan-out benchmark
//! (tests/bench/ws.sh runs it).
//!
//! Opens `--clients` websocket connections to `--url`, `--batch` at a time
//! (each batch subscribed before the next starts), subscribes each with
//! `{"type":"subscribe","topics":[TOPICS],"since":null}` and waits for the
//! `subscribed` answer. Then, by `--trigger`:
//!
//! - `emit:http://HOST:PORT/emit` (the reference server): POST the event frame;
//! - `pg:postgres://...` (the project on PostgreSQL): write the event into the
//!   outbox exactly as the project's store does: one transaction with
//!   `pg_advisory_xact_lock(727274)`, `INSERT INTO events ... RETURNING id`,
//!   `pg_notify('openwelfare_events', id)`, commit;
//! - `sqlite:/path/db` (the project on SQLite): the same INSERT; no NOTIFY
//!   exists there, so the hub finds the row at its next poll (<= 1 s);
//! - `post:http://HOST:PORT` (the project, either database): log in through
//!   the HTML forms and POST /quartieri/Q/annotazioni, the real write path.
//!
//! With `--events K` it triggers `--warm-up` events (not measured: no
//! stamps), then K events, all `--interval-ms` apart; with
//! `--post-secs S` (post trigger only) `--post-workers` tasks post as fast as
//! the server answers for S seconds. Every event carries `ws_seq` (its
//! number) and `sent_at_ns` (CLOCK_REALTIME, taken just before the trigger
//! starts: before the HTTP request, before BEGIN); each client records
//! arrival - sent_at_ns. Then it waits (at most `--drain-ms`) until every
//! subscribed client has every event that was triggered successfully, and
//! prints one `RESULT key=value ...` line: latency percentiles over all
//! deliveries, lost deliveries (client x event never received), dropped
//! sockets (closed by the server or failed after subscribing), failed
//! connects, duplicates; and, as medians over the events, the time to the
//! first client (first_ms), the fan-out from first to last client
//! (spread_ms) and the first arrival after the trigger returned. A client told `resync` (it fell more than the
//! server's queue behind) subscribes again with `since`, as the protocol
//! says; the count of resyncs is printed.
//!
//! With `--rss-pid PID` it reads VmRSS of that process from /proc before
//! opening the connections and `--settle-ms` after the last one is
//! subscribed (for memory per idle connection; use `--events 0`). With
//! `--server-pid PID` it reads that process's CPU time (utime + stime) to
//! print what the server spent opening the connections and what it spent
//! from the first event to the last delivery, per delivery.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use sqlx::Connection;
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

type Error = Box<dyn std::error::Error + Send + Sync>;

// ------------------------------------------------------------------ arguments

struct Args {
    url: String,
    clients: usize,
    batch: usize,
    topics: Vec<String>,
    events: usize,
    interval_ms: u64,
    trigger: String,
    event_topic: String,
    rss_pid: Option<u32>,
    server_pid: Option<u32>,
    settle_ms: u64,
    post_secs: f64,
    post_workers: usize,
    max_posts: usize,
    drain_ms: u64,
    warm_up: usize,
    label: String,
    quartiere: String,
    email: String,
    password: String,
}

fn usage() -> ! {
    eprintln!(
        "usage: ws-load --url ws://127.0.0.1:PORT/ws [--clients N] [--batch 500] [--topics map]\n\
         \x20 [--trigger emit:URL|pg:URL|sqlite:PATH|post:BASE_URL] [--events 20] [--interval-ms 500]\n\
         \x20 [--event-topic area:q2016-navile] [--drain-ms 15000] [--warm-up 1] [--label NAME]\n\
         \x20 [--post-secs S --post-workers 16 --max-posts 200000] [--quartiere navile]\n\
         \x20 [--rss-pid PID --settle-ms 2000] [--server-pid PID]\n\
         env: WS_LOAD_EMAIL, WS_LOAD_PASSWORD (post trigger)"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        url: String::new(),
        clients: 1000,
        batch: 500,
        topics: vec!["map".into()],
        events: 20,
        interval_ms: 500,
        trigger: String::new(),
        event_topic: "area:q2016-navile".into(),
        rss_pid: None,
        server_pid: None,
        settle_ms: 2000,
        post_secs: 0.0,
        post_workers: 16,
        max_posts: 200_000,
        drain_ms: 15_000,
        warm_up: 1,
        label: "run".into(),
        quartiere: "navile".into(),
        email: std::env::var("WS_LOAD_EMAIL").unwrap_or_default(),
        password: std::env::var("WS_LOAD_PASSWORD").unwrap_or_default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| usage());
        fn num<T: std::str::FromStr>(s: String) -> T {
            s.parse().unwrap_or_else(|_| usage())
        }
        match k.as_str() {
            "--url" => a.url = v(),
            "--clients" => a.clients = num(v()),
            "--batch" => a.batch = num(v()),
            "--topics" => a.topics = v().split(',').map(str::to_string).collect(),
            "--events" => a.events = num(v()),
            "--interval-ms" => a.interval_ms = num(v()),
            "--trigger" => a.trigger = v(),
            "--event-topic" => a.event_topic = v(),
            "--rss-pid" => a.rss_pid = Some(num(v())),
            "--server-pid" => a.server_pid = Some(num(v())),
            "--settle-ms" => a.settle_ms = num(v()),
            "--post-secs" => a.post_secs = num(v()),
            "--post-workers" => a.post_workers = num(v()),
            "--max-posts" => a.max_posts = num(v()),
            "--drain-ms" => a.drain_ms = num(v()),
            "--warm-up" => a.warm_up = num(v()),
            "--label" => a.label = v(),
            "--quartiere" => a.quartiere = v(),
            _ => usage(),
        }
    }
    if a.url.is_empty() || a.batch == 0 {
        usage()
    }
    a
}

// ------------------------------------------------------------------ shared state

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A log-linear histogram of microseconds (128 sub-buckets per power of
/// two: under 0.8% error), shared by every client task.
struct Hist {
    buckets: Vec<AtomicU64>,
    max_ns: AtomicU64,
    count: AtomicU64,
}

const SUB: u64 = 128;

impl Hist {
    fn new() -> Self {
        Hist {
            buckets: (0..64 * SUB as usize).map(|_| AtomicU64::new(0)).collect(),
            max_ns: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }
    fn index(us: u64) -> usize {
        if us < 2 * SUB {
            return us as usize;
        }
        let e = 63 - us.leading_zeros() as u64; // >= 8
        let shift = e - 7;
        (shift * SUB + (us >> shift)) as usize
    }
    fn lower(index: usize) -> u64 {
        let i = index as u64;
        if i < 2 * SUB {
            return i;
        }
        let shift = i / SUB - 1;
        let m = i - shift * SUB;
        m << shift
    }
    fn record(&self, ns: u64) {
        let i = Self::index(ns / 1000).min(self.buckets.len() - 1);
        self.buckets[i].fetch_add(1, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }
    /// The q-quantile in milliseconds (the middle of its bucket, at most the maximum).
    fn quantile_ms(&self, q: f64) -> f64 {
        let n = self.count.load(Relaxed);
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((q * n as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            seen += b.load(Relaxed);
            if seen >= rank {
                let lo = Self::lower(i) as f64;
                let hi = Self::lower(i + 1) as f64;
                let max_ms = self.max_ns.load(Relaxed) as f64 / 1e6;
                return ((lo + hi) / 2.0 / 1000.0).min(max_ms);
            }
        }
        self.max_ns.load(Relaxed) as f64 / 1e6
    }
}

struct Shared {
    /// Bitmap words per client: bit s of client c = event s arrived at c.
    words: usize,
    seen: Vec<AtomicU64>,
    /// Events triggered successfully (bit s).
    expected: Vec<AtomicU64>,
    hist: Hist,
    deliveries: AtomicU64,
    duplicates: AtomicU64,
    subscribed: AtomicUsize,
    failed: AtomicUsize,
    dropped: AtomicUsize,
    server_errors: AtomicUsize,
    resyncs: AtomicUsize,
    stopping: AtomicBool,
    /// Subscribed clients (their ids), to count what each missed.
    alive: Vec<AtomicBool>,
    /// Per event: its stamp, when its trigger returned, and its first and
    /// last arrival at any client (CLOCK_REALTIME ns; 0 = none).
    stamp: Vec<AtomicU64>,
    done: Vec<AtomicU64>,
    first: Vec<AtomicU64>,
    last: Vec<AtomicU64>,
}

impl Shared {
    fn new(clients: usize, max_seq: usize) -> Self {
        let words = max_seq.div_ceil(64).max(1);
        Shared {
            words,
            seen: (0..clients * words).map(|_| AtomicU64::new(0)).collect(),
            expected: (0..words).map(|_| AtomicU64::new(0)).collect(),
            hist: Hist::new(),
            deliveries: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            subscribed: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            server_errors: AtomicUsize::new(0),
            resyncs: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            alive: (0..clients).map(|_| AtomicBool::new(false)).collect(),
            stamp: (0..max_seq).map(|_| AtomicU64::new(0)).collect(),
            done: (0..max_seq).map(|_| AtomicU64::new(0)).collect(),
            first: (0..max_seq).map(|_| AtomicU64::new(u64::MAX)).collect(),
            last: (0..max_seq).map(|_| AtomicU64::new(0)).collect(),
        }
    }
    fn mark_expected(&self, seq: usize) {
        if seq < self.words * 64 {
            self.expected[seq / 64].fetch_or(1 << (seq % 64), Relaxed);
        }
    }
    fn arrived(&self, client: usize, seq: usize, sent: u64, arrival: u64) {
        if seq >= self.words * 64 || seq >= self.stamp.len() {
            return;
        }
        let latency_ns = arrival.saturating_sub(sent);
        let bit = 1u64 << (seq % 64);
        let before = self.seen[client * self.words + seq / 64].fetch_or(bit, Relaxed);
        if before & bit != 0 {
            self.duplicates.fetch_add(1, Relaxed);
            return;
        }
        self.hist.record(latency_ns);
        self.deliveries.fetch_add(1, Relaxed);
        self.stamp[seq].store(sent, Relaxed);
        self.first[seq].fetch_min(arrival, Relaxed);
        self.last[seq].fetch_max(arrival, Relaxed);
    }
    /// Medians over the events that arrived anywhere, in ms: first arrival -
    /// stamp (the path to the server and through it to the first socket),
    /// last - first (the fan-out), and first arrival - trigger return.
    fn per_event(&self) -> (f64, f64, f64) {
        let (mut first, mut spread, mut after) = (Vec::new(), Vec::new(), Vec::new());
        for seq in 0..self.stamp.len() {
            let (s, f, l) = (
                self.stamp[seq].load(Relaxed),
                self.first[seq].load(Relaxed),
                self.last[seq].load(Relaxed),
            );
            if s == 0 || f == u64::MAX {
                continue;
            }
            first.push((f as f64 - s as f64) / 1e6);
            spread.push((l as f64 - f as f64) / 1e6);
            let d = self.done[seq].load(Relaxed);
            if d != 0 {
                after.push((f as f64 - d as f64) / 1e6);
            }
        }
        (median(first), median(spread), median(after))
    }
    fn expected_count(&self) -> u64 {
        self.expected
            .iter()
            .map(|w| w.load(Relaxed).count_ones() as u64)
            .sum()
    }
    /// (client x expected event) pairs never received, over every client that subscribed.
    fn lost(&self) -> u64 {
        let mut lost = 0;
        for (c, alive) in self.alive.iter().enumerate() {
            if !alive.load(Relaxed) {
                continue;
            }
            for w in 0..self.words {
                let want = self.expected[w].load(Relaxed);
                let got = self.seen[c * self.words + w].load(Relaxed);
                lost += (want & !got).count_ones() as u64;
            }
        }
        lost
    }
    /// Events that arrived without having been triggered successfully.
    fn unexpected(&self) -> u64 {
        let mut n = 0;
        for c in 0..self.alive.len() {
            for w in 0..self.words {
                let want = self.expected[w].load(Relaxed);
                let got = self.seen[c * self.words + w].load(Relaxed);
                n += (got & !want).count_ones() as u64;
            }
        }
        n
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The number after `key` in `text` (skipping up to 3 characters of `":= `).
fn number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let rest = text[at..].trim_start_matches(['"', ':', '=', ' ']);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

// ------------------------------------------------------------------ clients

async fn client(
    id: usize,
    url: Arc<String>,
    subscribe: Arc<String>,
    shared: Arc<Shared>,
    ready: oneshot::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) {
    // The client side keeps small buffers too: 10,000 of tungstenite's
    // default 128 KiB read buffers would be over a gigabyte here.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let opened = tokio::time::timeout(Duration::from_secs(60), async {
        let (mut ws, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true).await?;
        ws.send(Message::text(subscribe.as_str())).await?;
        while let Some(message) = ws.next().await {
            if let Message::Text(text) = message? {
                if text.as_str().contains("\"subscribed\"") {
                    return Ok::<_, Error>(ws);
                }
                if text.as_str().contains("\"error\"") {
                    return Err(format!("server said {}", text.as_str()).into());
                }
            }
        }
        Err("closed before subscribed".into())
    })
    .await;
    let mut ws = match opened {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            if shared.failed.fetch_add(1, Relaxed) < 3 {
                eprintln!("client {id}: {e}");
            }
            let _ = ready.send(false);
            return;
        }
        Err(_) => {
            if shared.failed.fetch_add(1, Relaxed) < 3 {
                eprintln!("client {id}: no subscribed answer within 60 s");
            }
            let _ = ready.send(false);
            return;
        }
    };
    shared.alive[id].store(true, Relaxed);
    shared.subscribed.fetch_add(1, Relaxed);
    let _ = ready.send(true);
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let arrival = now_ns();
                    let text = text.as_str();
                    match (number_after(text, "ws_seq"), number_after(text, "sent_at_ns")) {
                        (Some(seq), Some(sent)) => {
                            shared.arrived(id, seq as usize, sent, arrival)
                        }
                        _ if text.contains("\"resync\"") => {
                            // As the protocol asks (and the site's client does):
                            // subscribe again from the last event received; the
                            // server replays the rest from its outbox.
                            shared.resyncs.fetch_add(1, Relaxed);
                            let since = number_after(text, "since").unwrap_or(0);
                            let again = subscribe.replace("\"since\":null", &format!("\"since\":{since}"));
                            if ws.send(Message::text(again)).await.is_err() && !shared.stopping.load(Relaxed) {
                                shared.dropped.fetch_add(1, Relaxed);
                                return;
                            }
                        }
                        _ if text.contains("\"error\"") => {
                            shared.server_errors.fetch_add(1, Relaxed);
                        }
                        _ => {}
                    }
                }
                // Pings are answered by tungstenite itself while reading.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    if !shared.stopping.load(Relaxed) {
                        shared.dropped.fetch_add(1, Relaxed);
                    }
                    return;
                }
            },
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return;
            }
        }
    }
}

/// Open every client, `batch` at a time; returns the stop switch.
async fn open_clients(a: &Args, shared: &Arc<Shared>) -> watch::Sender<bool> {
    let (stop, stop_rx) = watch::channel(false);
    let url = Arc::new(a.url.clone());
    let topics: Vec<String> = a.topics.iter().map(|t| format!("\"{t}\"")).collect();
    let subscribe = Arc::new(format!(
        r#"{{"type":"subscribe","topics":[{}],"since":null}}"#,
        topics.join(",")
    ));
    let started = Instant::now();
    let mut id = 0;
    while id < a.clients {
        let end = (id + a.batch).min(a.clients);
        let mut waits = Vec::with_capacity(end - id);
        for i in id..end {
            let (tx, rx) = oneshot::channel();
            waits.push(rx);
            tokio::spawn(client(
                i,
                url.clone(),
                subscribe.clone(),
                shared.clone(),
                tx,
                stop_rx.clone(),
            ));
        }
        for w in waits {
            let _ = w.await;
        }
        id = end;
    }
    eprintln!(
        "[{}] {} of {} clients subscribed in {:.1} s ({} failed)",
        a.label,
        shared.subscribed.load(Relaxed),
        a.clients,
        started.elapsed().as_secs_f64(),
        shared.failed.load(Relaxed)
    );
    stop
}

// ------------------------------------------------------------------ triggers

enum Trigger {
    None,
    Emit(reqwest::Client, String),
    Pg(sqlx::PgConnection),
    Sqlite(sqlx::SqliteConnection),
    Post(Arc<Poster>),
}

impl Trigger {
    async fn open(a: &Args) -> Result<Trigger, Error> {
        let (kind, target) = a
            .trigger
            .split_once(':')
            .unwrap_or((a.trigger.as_str(), ""));
        Ok(match kind {
            "" | "none" => Trigger::None,
            "emit" => Trigger::Emit(reqwest::Client::new(), target.to_string()),
            "pg" => Trigger::Pg(sqlx::PgConnection::connect(target).await?),
            "sqlite" => {
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{target}?mode=rw")).await?;
                sqlx::query("PRAGMA busy_timeout = 10000")
                    .execute(&mut conn)
                    .await?;
                Trigger::Sqlite(conn)
            }
            "post" => Trigger::Post(Arc::new(
                Poster::log_in(target, &a.quartiere, &a.email, &a.password).await?,
            )),
            _ => usage(),
        })
    }

    /// Trigger event `seq`, stamped now; true when it was committed.
    async fn fire(&mut self, topic: &str, seq: Option<usize>) -> Result<(), Error> {
        let sent = now_ns();
        // A warm-up event (no seq) carries no stamps: the clients ignore it.
        let data = match seq {
            Some(seq) => format!(r#"{{"ws_seq":{seq},"sent_at_ns":{sent}}}"#),
            None => r#"{"warm_up":true}"#.to_string(),
        };
        let (stamped, seq) = (seq, seq.unwrap_or(0));
        match self {
            Trigger::None => Ok(()),
            Trigger::Emit(http, url) => {
                // The frame the project would send for such an event.
                let frame =
                    format!(r#"{{"type":"event","id":{seq},"topic":"{topic}","data":{data}}}"#);
                let r = http.post(url.as_str()).body(frame).send().await?;
                if !r.status().is_success() {
                    return Err(format!("POST /emit: {}", r.status()).into());
                }
                Ok(())
            }
            Trigger::Pg(conn) => {
                // As the project's store (`store::sql::emit`) writes an event.
                let mut tx = conn.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(727274)")
                    .execute(&mut *tx)
                    .await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO events (topic, payload, created_at) \
                     VALUES ($1, CAST($2 AS JSONB), now()) RETURNING id",
                )
                .bind(topic)
                .bind(&data)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind("openwelfare_events")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
            Trigger::Sqlite(conn) => {
                sqlx::query(
                    "INSERT INTO events (topic, payload, created_at) \
                     VALUES ($1, $2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                )
                .bind(topic)
                .bind(&data)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }
            Trigger::Post(poster) => poster.post(stamped, sent).await,
        }
    }
}

/// A signed-in browser, as far as the server can tell: cookies, the CSRF
/// field of the forms, Origin on every POST.
struct Poster {
    http: reqwest::Client,
    base: String,
    quartiere: String,
    cookies: Mutex<HashMap<String, String>>,
    csrf: Mutex<String>,
    statuses: Mutex<HashMap<u16, u64>>,
}

impl Poster {
    async fn log_in(
        base: &str,
        quartiere: &str,
        email: &str,
        password: &str,
    ) -> Result<Poster, Error> {
        if email.is_empty() || password.is_empty() {
            return Err("the post trigger needs WS_LOAD_EMAIL and WS_LOAD_PASSWORD".into());
        }
        let p = Poster {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(256)
                .build()?,
            base: base.trim_end_matches('/').to_string(),
            quartiere: quartiere.to_string(),
            cookies: Mutex::new(HashMap::new()),
            csrf: Mutex::new(String::new()),
            statuses: Mutex::new(HashMap::new()),
        };
        p.fetch_csrf("/account/accedi").await?;
        let r = p
            .form(
                "/account/accedi",
                &[("email", email), ("password", password), ("next", "/")],
            )
            .await?;
        if r.status().as_u16() != 303 || !p.cookies.lock().unwrap().contains_key("ow_access") {
            return Err(format!("log-in failed: {}", r.status()).into());
        }
        // The log-in renews the CSRF cookie: read the form field again.
        p.fetch_csrf(&format!("/quartieri/{quartiere}")).await?;
        Ok(p)
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().unwrap();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, r: &reqwest::Response) {
        let mut jar = self.cookies.lock().unwrap();
        for v in r.headers().get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let pair = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                let gone = val.is_empty() || v.contains("Max-Age=0");
                if gone {
                    jar.remove(k.trim());
                } else {
                    jar.insert(k.trim().to_string(), val.to_string());
                }
            }
        }
    }

    async fn fetch_csrf(&self, path: &str) -> Result<(), Error> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await?;
        self.keep_cookies(&r);
        let html = r.text().await?;
        let key = r#"name="csrf" value=""#;
        let at = html.find(key).ok_or(format!("no csrf field on {path}"))? + key.len();
        let token = &html[at..at + html[at..].find('"').unwrap_or(0)];
        *self.csrf.lock().unwrap() = token.to_string();
        Ok(())
    }

    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Result<reqwest::Response, Error> {
        let csrf = self.csrf.lock().unwrap().clone();
        let mut body = String::new();
        for (k, v) in fields.iter().chain([("csrf", csrf.as_str())].iter()) {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(k);
            body.push('=');
            body.push_str(&encode(v));
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", self.base.as_str())
            .header("cookie", self.cookie_header())
            .body(body)
            .send()
            .await?;
        self.keep_cookies(&r);
        Ok(r)
    }

    /// One annotation on the quartiere; its title carries the event's stamps.
    async fn post(&self, seq: Option<usize>, sent: u64) -> Result<(), Error> {
        let title = match seq {
            Some(seq) => format!("ws_seq {seq} sent_at_ns {sent}"),
            None => "warm-up".to_string(),
        };
        let path = format!("/quartieri/{}/annotazioni", self.quartiere);
        let r = self
            .form(
                &path,
                &[
                    ("title", &title),
                    ("body", "Annotazione del benchmark websocket."),
                ],
            )
            .await?;
        let status = r.status().as_u16();
        *self.statuses.lock().unwrap().entry(status).or_default() += 1;
        let _ = r.bytes().await;
        if status == 303 {
            Ok(())
        } else {
            Err(format!("POST {path}: {status}").into())
        }
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ------------------------------------------------------------------ memory

/// utime + stime of a process, in seconds.
fn cpu_s(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

// ------------------------------------------------------------------ main

#[tokio::main]
async fn main() {
    let a = parse_args();
    let sustained = a.post_secs > 0.0;
    let max_seq = if sustained {
        a.max_posts
    } else {
        a.events.max(1)
    };
    let shared = Arc::new(Shared::new(a.clients, max_seq));

    let rss_before = a.rss_pid.and_then(vm_rss_kib);
    let cpu_start = cpu_s(a.server_pid);
    let stop = open_clients(&a, &shared).await;
    let cpu_open = cpu_s(a.server_pid);
    let subscribed = shared.subscribed.load(Relaxed);
    let mut fields: Vec<(String, String)> = vec![
        ("label".into(), a.label.clone()),
        ("clients".into(), a.clients.to_string()),
        ("subscribed".into(), subscribed.to_string()),
        (
            "failed_connects".into(),
            shared.failed.load(Relaxed).to_string(),
        ),
    ];

    if let (Some(pid), Some(before)) = (a.rss_pid, rss_before) {
        tokio::time::sleep(Duration::from_millis(a.settle_ms)).await;
        let after = vm_rss_kib(pid).unwrap_or(0);
        let per = (after.saturating_sub(before) as f64 * 1024.0) / subscribed.max(1) as f64;
        let own = vm_rss_kib(std::process::id()).unwrap_or(0);
        eprintln!(
            "[{}] server pid {pid}: VmRSS {before} KiB before, {after} KiB after {subscribed} subscribed idle connections: {per:.0} B each (this client: {own} KiB)",
            a.label
        );
        fields.push(("rss_before_kib".into(), before.to_string()));
        fields.push(("rss_after_kib".into(), after.to_string()));
        fields.push(("bytes_per_conn".into(), format!("{per:.0}")));
    }

    let mut trigger = match Trigger::open(&a).await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("[{}] trigger {}: {e}", a.label, a.trigger);
            std::process::exit(1);
        }
    };
    let mut fire_ms: Vec<f64> = Vec::new();
    let mut trigger_errors = 0usize;
    let started = Instant::now();
    let mut elapsed = 0.0;
    let triggered;
    if sustained {
        let Trigger::Post(poster) = &trigger else {
            eprintln!("--post-secs needs --trigger post:BASE_URL");
            std::process::exit(2);
        };
        let next = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs_f64(a.post_secs);
        let mut workers = Vec::new();
        for _ in 0..a.post_workers {
            let (poster, next, errors, shared) =
                (poster.clone(), next.clone(), errors.clone(), shared.clone());
            let max = a.max_posts;
            workers.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let seq = next.fetch_add(1, Relaxed);
                    if seq >= max {
                        break;
                    }
                    match poster.post(Some(seq), now_ns()).await {
                        Ok(()) => shared.mark_expected(seq),
                        Err(e) => {
                            if errors.fetch_add(1, Relaxed) < 3 {
                                eprintln!("post {seq}: {e}");
                            }
                        }
                    }
                }
            }));
        }
        for w in workers {
            let _ = w.await;
        }
        elapsed = started.elapsed().as_secs_f64();
        trigger_errors = errors.load(Relaxed);
        triggered = next.load(Relaxed).min(a.max_posts);
        let statuses = poster.statuses.lock().unwrap().clone();
        let mut s: Vec<_> = statuses.into_iter().collect();
        s.sort();
        fields.push((
            "statuses".into(),
            s.iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(","),
        ));
    } else {
        let mut tick = tokio::time::interval(Duration::from_millis(a.interval_ms));
        // Warm-up events, not measured: the trigger's first HTTP connection or
        // prepared statement, and the server's first event, are paid here.
        for _ in 0..a.warm_up.min(a.events) {
            tick.tick().await;
            if let Err(e) = trigger.fire(&a.event_topic, None).await {
                eprintln!("[{}] warm-up event: {e}", a.label);
            }
        }
        for seq in 0..a.events {
            tick.tick().await;
            let t = Instant::now();
            match trigger.fire(&a.event_topic, Some(seq)).await {
                Ok(()) => {
                    shared.done[seq].store(now_ns(), Relaxed);
                    shared.mark_expected(seq)
                }
                Err(e) => {
                    trigger_errors += 1;
                    eprintln!("[{}] event {seq}: {e}", a.label);
                }
            }
            fire_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        triggered = a.events;
    }

    // Wait until every subscribed client has every committed event.
    let expected_events = shared.expected_count();
    let want = expected_events * subscribed as u64;
    let drain_start = Instant::now();
    while shared.deliveries.load(Relaxed) < want
        && drain_start.elapsed() < Duration::from_millis(a.drain_ms)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drain = drain_start.elapsed().as_secs_f64();
    shared.stopping.store(true, Relaxed);
    let cpu_end = cpu_s(a.server_pid);
    if let (Some(s0), Some(s1), Some(s2)) = (cpu_start, cpu_open, cpu_end) {
        let deliveries = shared.deliveries.load(Relaxed).max(1) as f64;
        fields.push(("server_cpu_open_s".into(), format!("{:.2}", s1 - s0)));
        fields.push(("server_cpu_events_s".into(), format!("{:.2}", s2 - s1)));
        fields.push((
            "server_us_per_delivery".into(),
            format!("{:.2}", (s2 - s1) * 1e6 / deliveries),
        ));
    }

    let h = &shared.hist;
    let (first, spread, after) = shared.per_event();
    let per_s = if sustained && elapsed > 0.0 {
        expected_events as f64 / elapsed
    } else {
        f64::NAN
    };
    fire_ms.sort_by(f64::total_cmp);
    let fire_median = fire_ms.get(fire_ms.len() / 2).copied().unwrap_or(f64::NAN);
    fields.extend([
        ("triggered".into(), triggered.to_string()),
        ("committed".into(), expected_events.to_string()),
        ("trigger_errors".into(), trigger_errors.to_string()),
        ("trigger_ms_median".into(), format!("{fire_median:.2}")),
        (
            "deliveries".into(),
            shared.deliveries.load(Relaxed).to_string(),
        ),
        ("expected_deliveries".into(), want.to_string()),
        ("p50_ms".into(), format!("{:.2}", h.quantile_ms(0.50))),
        ("p99_ms".into(), format!("{:.2}", h.quantile_ms(0.99))),
        (
            "max_ms".into(),
            format!("{:.2}", h.max_ns.load(Relaxed) as f64 / 1e6),
        ),
        ("lost".into(), shared.lost().to_string()),
        ("unexpected".into(), shared.unexpected().to_string()),
        (
            "duplicates".into(),
            shared.duplicates.load(Relaxed).to_string(),
        ),
        ("dropped".into(), shared.dropped.load(Relaxed).to_string()),
        ("resyncs".into(), shared.resyncs.load(Relaxed).to_string()),
        (
            "server_errors".into(),
            shared.server_errors.load(Relaxed).to_string(),
        ),
        ("drain_s".into(), format!("{drain:.2}")),
        ("first_ms_median".into(), format!("{first:.2}")),
        ("spread_ms_median".into(), format!("{spread:.2}")),
        (
            "first_after_trigger_ms_median".into(),
            format!("{after:.2}"),
        ),
    ]);
    if sustained {
        fields.push(("post_secs".into(), format!("{elapsed:.2}")));
        fields.push(("posts_per_s".into(), format!("{per_s:.1}")));
    }
    let line: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("RESULT {}", line.join(" "));

    // Close politely (bounded), then leave: the process exit closes the rest.
    let _ = stop.send(true);
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::process::exit(0);
}
