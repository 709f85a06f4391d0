//! The websocket protocol, as values: what a client may say, what the
//! server says back, and who may listen to which topic. Pure, so every
//! rule is tested without a socket.
//!
//! Client -> server:
//! `{"type":"subscribe","topics":["map","area:q2016-navile"],"since":123}`
//! (`since` optional: replay every later event of those topics first),
//! `{"type":"unsubscribe","topics":[...]}`, `{"type":"ping"}`.
//!
//! Server -> client: `{"type":"event","id":N,"topic":"...","data":{...}}`,
//! `{"type":"subscribed","topics":[...],"last_id":N}`, `{"type":"resync","since":N}`
//! (the client fell behind: subscribe again with `since`), `{"type":"pong"}`,
//! `{"type":"error","message":"..."}`.

use serde::{Deserialize, Serialize};

/// At most this many topics per connection.
pub const MAX_TOPICS: usize = 32;
/// Client messages larger than this are refused by the socket itself.
pub const MAX_MESSAGE_BYTES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ClientMessage {
    Subscribe {
        topics: Vec<String>,
        #[serde(default)]
        since: Option<i64>,
    },
    Unsubscribe {
        topics: Vec<String>,
    },
    Ping,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerMessage<'a> {
    Subscribed { topics: Vec<&'a str>, last_id: i64 },
    Resync { since: i64 },
    Pong,
    Error { message: &'a str },
}

impl ServerMessage<'_> {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The frame of one event, serialised once for every listener.
pub fn event_frame(id: i64, topic: &str, data: &serde_json::Value) -> String {
    serde_json::json!({"type": "event", "id": id, "topic": topic, "data": data}).to_string()
}

/// Whether a connection subscribed to `topics` hears an event of `topic`:
/// its own topic, or `map`, which hears every quartiere (`area:*`), so the
/// map page needs one subscription for all its markers.
pub fn hears(topics: &std::collections::BTreeSet<String>, topic: &str) -> bool {
    topics.contains(topic) || (topic.starts_with("area:") && topics.contains("map"))
}

/// Who is listening: enough to decide which topics they may hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    pub user_id: Option<i64>,
    pub moderator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    #[error("unknown topic \"{0}\"")]
    Unknown(String),
    #[error("topic \"{0}\" is not yours to hear")]
    Forbidden(String),
    #[error("at most {MAX_TOPICS} topics per connection")]
    TooMany,
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 80
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Check a topic's shape and whether `who` may hear it. Public topics:
/// `map`, `area:<code>`, `dataset:<slug>`, `thread:<id>`, `annotation:<id>`;
/// private: `user:<id>` (only that user), `moderation` (moderators).
pub fn authorize(topic: &str, who: Listener) -> Result<(), TopicError> {
    let unknown = || TopicError::Unknown(topic.chars().take(80).collect());
    let forbidden = || TopicError::Forbidden(topic.to_string());
    match topic.split_once(':') {
        None if topic == "map" => Ok(()),
        None if topic == "moderation" => who.moderator.then_some(()).ok_or_else(forbidden),
        None => Err(unknown()),
        Some(("area", code)) | Some(("dataset", code)) if is_slug(code) => Ok(()),
        Some(("thread", id)) | Some(("annotation", id)) if id.parse::<u64>().is_ok() => Ok(()),
        Some(("user", id)) => match id.parse::<i64>() {
            Ok(id) if who.user_id == Some(id) => Ok(()),
            Ok(_) => Err(forbidden()),
            Err(_) => Err(unknown()),
        },
        Some(_) => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANON: Listener = Listener {
        user_id: None,
        moderator: false,
    };

    #[test]
    fn client_messages_parse_and_junk_does_not() {
        let m: ClientMessage =
            serde_json::from_str(r#"{"type":"subscribe","topics":["map"],"since":5}"#).unwrap();
        assert_eq!(
            m,
            ClientMessage::Subscribe {
                topics: vec!["map".into()],
                since: Some(5)
            }
        );
        let m: ClientMessage = serde_json::from_str(r#"{"type":"subscribe","topics":[]}"#).unwrap();
        assert!(matches!(m, ClientMessage::Subscribe { since: None, .. }));
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"shout"}"#).is_err());
        assert!(serde_json::from_str::<ClientMessage>("not json").is_err());
    }

    #[test]
    fn public_topics_for_all_private_ones_for_their_owner() {
        for t in [
            "map",
            "area:q2016-navile",
            "dataset:interventi",
            "thread:12",
            "annotation:3",
        ] {
            assert_eq!(authorize(t, ANON), Ok(()), "{t}");
        }
        assert!(matches!(
            authorize("user:7", ANON),
            Err(TopicError::Forbidden(_))
        ));
        let seven = Listener {
            user_id: Some(7),
            moderator: false,
        };
        assert_eq!(authorize("user:7", seven), Ok(()));
        assert!(matches!(
            authorize("user:8", seven),
            Err(TopicError::Forbidden(_))
        ));
        assert!(matches!(
            authorize("moderation", seven),
            Err(TopicError::Forbidden(_))
        ));
        let moderator = Listener {
            user_id: Some(1),
            moderator: true,
        };
        assert_eq!(authorize("moderation", moderator), Ok(()));
        for t in [
            "",
            "area:",
            "area:NAVILE",
            "thread:-1",
            "thread:x",
            "nope",
            "user:x",
            "area:a b",
        ] {
            assert!(
                matches!(authorize(t, ANON), Err(TopicError::Unknown(_))),
                "{t}"
            );
        }
    }

    #[test]
    fn the_map_hears_every_quartiere() {
        let topics: std::collections::BTreeSet<String> = ["map".to_string()].into();
        assert!(hears(&topics, "area:q2016-navile"));
        assert!(hears(&topics, "map"));
        assert!(!hears(&topics, "thread:3"));
        let one: std::collections::BTreeSet<String> = ["area:q2016-navile".to_string()].into();
        assert!(!hears(&one, "area:q2016-porto-saragozza"));
    }

    #[test]
    fn frames_are_the_documented_json() {
        let f = event_frame(3, "map", &serde_json::json!({"a": 1}));
        let v: serde_json::Value = serde_json::from_str(&f).unwrap();
        assert_eq!(v["type"], "event");
        assert_eq!(v["id"], 3);
        assert_eq!(v["topic"], "map");
        assert_eq!(v["data"]["a"], 1);
        assert_eq!(
            ServerMessage::Resync { since: 4 }.to_json(),
            r#"{"type":"resync","since":4}"#
        );
    }
}
