//! Live updates: the hub that carries the transactional outbox (the
//! `events` table) to websocket clients.
//!
//! Every change commits its event in the same transaction (`store`), so
//! there is exactly one event per committed change and none for a rolled
//! back one. The hub's pump reads events in id order after the last one it
//! saw and broadcasts each, serialised once, to every connection; each
//! connection filters by its topics. The pump wakes on a local commit
//! (`poke`), on PostgreSQL's NOTIFY from any instance (the payload is only
//! a hint; the outbox is the truth), and once a second regardless, so an
//! event is never stranded by a lost notification.
//!
//! Event ids become visible in id order: SQLite has one writer at a time,
//! and on PostgreSQL every event is written under a transaction-scoped
//! advisory lock, so no reader can see id 11 while id 10 is still to
//! commit.

pub mod protocol;
pub mod socket;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, watch, Notify};

use crate::store::{Store, EVENTS_CHANNEL};

/// Events a slow connection may be behind before it is told to resync.
const BUFFER: usize = 4096;
const POLL: Duration = Duration::from_secs(1);
const PAGE: i64 = 500;

/// One event, serialised once for every listener.
#[derive(Debug)]
pub struct Frame {
    pub id: i64,
    pub topic: String,
    pub text: Utf8Bytes,
}

pub struct Hub {
    store: Arc<dyn Store>,
    sender: broadcast::Sender<Arc<Frame>>,
    wake: Notify,
    last: AtomicI64,
    shutdown: watch::Sender<bool>,
    connections: AtomicUsize,
    /// Open sockets per client IP (only IPs with at least one).
    per_ip: std::sync::Mutex<HashMap<IpAddr, usize>>,
    /// When the newest event about a quartiere (an annotation) was written.
    area_changed: std::sync::Mutex<Option<time::OffsetDateTime>>,
}

impl Hub {
    /// Start the pump (and, on PostgreSQL, the listener) from the newest event.
    pub async fn start(
        store: Arc<dyn Store>,
        database_url: &str,
    ) -> Result<Arc<Hub>, crate::store::StoreError> {
        Self::start_with(store, database_url, POLL, BUFFER).await
    }

    /// As `start`, polling the outbox every `poll` and keeping `buffer`
    /// events for slow connections (tests set a long poll to prove that
    /// NOTIFY alone carries events across instances, and a tiny buffer to
    /// make a connection fall behind).
    pub async fn start_with(
        store: Arc<dyn Store>,
        database_url: &str,
        poll: Duration,
        buffer: usize,
    ) -> Result<Arc<Hub>, crate::store::StoreError> {
        let last = store.latest_event_id().await?;
        let (sender, _) = broadcast::channel(buffer.max(1));
        let (shutdown, _) = watch::channel(false);
        let hub = Arc::new(Hub {
            store,
            sender,
            wake: Notify::new(),
            last: AtomicI64::new(last),
            shutdown,
            connections: AtomicUsize::new(0),
            per_ip: std::sync::Mutex::default(),
            // Unknown at start: the first map request loads the markers.
            area_changed: std::sync::Mutex::new(Some(time::OffsetDateTime::now_utc())),
        });
        tokio::spawn(pump(hub.clone(), poll));
        if database_url.starts_with("postgres") {
            tokio::spawn(listen(hub.clone(), database_url.to_string()));
        }
        Ok(hub)
    }

    /// A change was committed here: deliver it now rather than at the next poll.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.sender.subscribe()
    }

    /// The id of the newest event broadcast.
    pub fn last_id(&self) -> i64 {
        self.last.load(Ordering::SeqCst)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Close every connection (with 1001, going away) and stop the pump.
    pub fn shut_down(&self) {
        let _ = self.shutdown.send(true);
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// When a quartiere's annotations last changed (as far as this hub has seen).
    pub fn area_changed(&self) -> Option<time::OffsetDateTime> {
        *self.area_changed.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// A place for one more socket from `ip`, or why not: at most
    /// `per_ip` from one client and `total` in all. The place is held until
    /// the `Admission` is dropped (the socket closes, or the upgrade fails).
    pub fn admit(
        self: &Arc<Self>,
        ip: IpAddr,
        per_ip: usize,
        total: usize,
    ) -> Result<Admission, Refusal> {
        let mut open = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let from_ip = open.get(&ip).copied().unwrap_or(0);
        if from_ip >= per_ip {
            return Err(Refusal::PerIp);
        }
        if self.connections.load(Ordering::Relaxed) >= total {
            return Err(Refusal::Total);
        }
        open.insert(ip, from_ip + 1);
        self.connections.fetch_add(1, Ordering::Relaxed);
        Ok(Admission {
            hub: self.clone(),
            ip,
        })
    }
}

/// Why a socket was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Its client has too many open.
    PerIp,
    /// This instance has too many open.
    Total,
}

/// Holds one socket's place (in the total and its IP's count) while it lives.
pub struct Admission {
    hub: Arc<Hub>,
    ip: IpAddr,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut open = self.hub.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
        self.hub.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn pump(hub: Arc<Hub>, poll: Duration) {
    let mut shutdown = hub.shutdown_signal();
    loop {
        tokio::select! {
            _ = hub.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => return,
        }
        loop {
            let after = hub.last_id();
            let events = match hub.store.events_after(after, PAGE).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "realtime: cannot read the outbox");
                    break;
                }
            };
            let full = events.len() as i64 == PAGE;
            for event in events {
                let text = protocol::event_frame(event.id, &event.topic, &event.payload);
                if event.topic.starts_with("area:") {
                    *hub.area_changed.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(event.created_at);
                }
                hub.last.store(event.id, Ordering::SeqCst);
                // No receivers is fine: nobody is listening.
                let _ = hub.sender.send(Arc::new(Frame {
                    id: event.id,
                    topic: event.topic,
                    text: Utf8Bytes::from(text),
                }));
            }
            if !full {
                break;
            }
        }
    }
}

/// LISTEN for other instances' commits; reconnect with backoff (1 s to
/// 60 s). Notifications sent while disconnected are lost, which is why the
/// pump also polls.
async fn listen(hub: Arc<Hub>, url: String) {
    let mut backoff = Duration::from_secs(1);
    let mut shutdown = hub.shutdown_signal();
    loop {
        let connected = async {
            let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
            listener.listen(EVENTS_CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match connected.await {
            Ok(mut listener) => {
                backoff = Duration::from_secs(1);
                hub.poke();
                loop {
                    tokio::select! {
                        n = listener.try_recv() => match n {
                            Ok(Some(_)) => hub.poke(),
                            Ok(None) => { hub.poke(); }
                            Err(e) => {
                                tracing::warn!(error = %e, "realtime: LISTEN connection lost");
                                break;
                            }
                        },
                        _ = shutdown.changed() => return,
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "realtime: cannot LISTEN");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.changed() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}
