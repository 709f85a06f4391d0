//! Daily and weekly digests of what happened on what users follow (a
//! quartiere, a dataset, a discussion), sent through the mail setup of the
//! accounts. Each digest carries a one-click unsubscribe link that works
//! without logging in; its token is new in every digest (only its hash is
//! stored), so the link in the latest digest is the one that works.
//!
//! `serve` runs `run_due` every ten minutes; tests call it with a clock of
//! their choosing.

use std::sync::Arc;
use std::time::Duration;

use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::mail::MailKind;
use time::OffsetDateTime;

use crate::accounts::token::{random_token, sha256_hex};
use crate::accounts::Auth;
use crate::official::model::{Boundaries, Level};
use crate::published::ReferenceCache;
use crate::store::Store;
use crate::store::StoreError;

/// At most this many items in one digest.
const MAX_ITEMS: i64 = 50;

/// Send every digest due at `now`; how many went out.
pub async fn run_due(
    store: &dyn Store,
    reference: &ReferenceCache,
    auth: &Auth,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let due = store.due_digests(now).await?;
    let reference = reference.get().await;
    let mut sent = 0;
    for d in due {
        let lang = Lang::parse(&d.lang).unwrap_or_default();
        let events = store.events_on(&d.subject, d.since, MAX_ITEMS).await?;
        let items: Vec<(String, String)> = events
            .iter()
            .filter_map(|e| item(auth, lang, &e.payload))
            .collect();
        let token = random_token();
        if !items.is_empty() {
            let title = title(&reference, lang, &d.subject);
            let unsubscribe = auth.link(&format!("/seguiti/disiscrivi?token={token}"));
            auth.mailer.post(
                &d.email,
                lang,
                MailKind::Digest {
                    title: &title,
                    weekly: d.digest == crate::lab::Digest::Weekly,
                    items: &items,
                    unsubscribe: &unsubscribe,
                },
            );
            sent += 1;
        }
        // Also when there was nothing to say: the next digest starts from now.
        store
            .digest_sent(d.user_id, &d.subject, now, &sha256_hex(&token))
            .await?;
    }
    Ok(sent)
}

/// New content a digest announces.
struct NewContent {
    event: &'static str,
    /// The object the event carries.
    key: &'static str,
    /// The words before the field it names (Italian, English)...
    words: (&'static str, &'static str),
    /// ...that field...
    named: &'static str,
    /// ...and where the content is shown.
    path: &'static str,
}

const NEW_CONTENT: [NewContent; 2] = [
    NewContent {
        event: "annotation.created",
        key: "annotation",
        words: ("Nuova annotazione:", "New annotation:"),
        named: "title",
        path: "/annotazioni/",
    },
    NewContent {
        event: "post.created",
        key: "post",
        words: ("Nuovo messaggio di", "New message by"),
        named: "author_name",
        path: "/messaggi/",
    },
];

/// One line and its link for an event, if it is news a reader may see.
fn item(auth: &Auth, lang: Lang, payload: &serde_json::Value) -> Option<(String, String)> {
    let kind = payload.get("type")?.as_str()?;
    if let Some(new) = NEW_CONTENT.iter().find(|c| c.event == kind) {
        let content = payload.get(new.key)?;
        (content.get("status")?.as_str()? == "visible").then_some(())?;
        let name = content
            .get(new.named)
            .and_then(|n| n.as_str())
            .unwrap_or("?");
        let id = content.get("id")?.as_i64()?;
        return Some((
            format!("{} {name}", lang.pick(new.words.0, new.words.1)),
            auth.link(&format!("{}{id}", new.path)),
        ));
    }
    match kind {
        "data.imported" => Some((
            lang.pick(
                "I dati ufficiali sono stati aggiornati.",
                "The official data were updated.",
            )
            .to_string(),
            auth.link("/datasets"),
        )),
        _ => None,
    }
}

fn title(reference: &crate::official::reference::Reference, lang: Lang, subject: &str) -> String {
    match subject.split_once(':') {
        Some(("area", code)) => reference
            .areas(Boundaries::B2016, Level::Quartiere)
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| code.to_string()),
        Some(("dataset", slug)) => reference
            .dataset(slug)
            .map(|d| {
                lang.pick(&d.dataset.title_it, &d.dataset.title_en)
                    .to_string()
            })
            .unwrap_or_else(|| slug.to_string()),
        _ => lang.pick("una discussione", "a discussion").to_string(),
    }
}

/// Every ten minutes, for as long as the server runs.
pub fn spawn(store: Arc<dyn Store>, reference: Arc<ReferenceCache>, auth: Arc<Auth>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match run_due(store.as_ref(), &reference, &auth, OffsetDateTime::now_utc()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(digests = n, "digests sent"),
                Err(e) => tracing::warn!(error = %e, "cannot send digests"),
            }
        }
    });
}
