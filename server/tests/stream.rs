//! The event stream's tickets (issue 15, item 4): a browser opens a stream with a
//! single-use, short-lived ticket from an authenticated POST, never with its token in the
//! URL; no token or ticket appears in the server's log at any level.

mod common;

use common::{Child, Client, Db, TestServer, read_events};
use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Opens `chat`'s stream with `?<query>`; the status.
async fn open(c: &Client, chat: &str, query: &str) -> u16 {
    c.http
        .get(format!("{}/api/v1/chats/{chat}/events?{query}", c.base))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn ticket(c: &Client, chat: &str) -> String {
    let t = c
        .post_empty(&format!("/api/v1/chats/{chat}/events/ticket"))
        .await
        .ok();
    let ticket = t["ticket"].as_str().unwrap().to_owned();
    assert_eq!(ticket.len(), 64, "256 random bits, hex");
    assert!(t["expires_at"].as_str().unwrap().ends_with('Z'));
    ticket
}

async fn tickets_are_single_use_short_lived_and_end_with_the_session(db: Db) {
    let Some(s) = TestServer::start(db, |_| {}).await else {
        return;
    };
    let mut bob = s.login("bob").await;
    // Only for a chat the caller is in, only with a session.
    bob.post_empty("/api/v1/chats/alice-carol/events/ticket")
        .await
        .err(404, "not_found");
    s.client()
        .post_empty("/api/v1/chats/family/events/ticket")
        .await
        .err(401, "unauthorized");
    // One use.
    let t = ticket(&bob, "family").await;
    let resp = bob
        .http
        .get(format!("{}/api/v1/chats/family/events?ticket={t}", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut events = Box::pin(resp.bytes_stream());
    let first = events.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("ready"));
    assert_eq!(open(&bob, "family", &format!("ticket={t}")).await, 401);
    // The stream it opened works.
    let alice = s.login("alice").await;
    let id = alice.lucky("family", "1.00", 1, "t1").await["id"]
        .as_u64()
        .unwrap();
    assert_eq!(
        read_events(&mut events, 1).await,
        [json!({"type": "packet_sent", "chat_id": "family", "packet_id": id})]
    );
    drop(events);
    // A minute, not more.
    let t = ticket(&bob, "family").await;
    alice.advance(61).await;
    assert_eq!(open(&bob, "family", &format!("ticket={t}")).await, 401);
    // Logging out makes the session's unused tickets worthless.
    let t = ticket(&bob, "family").await;
    bob.post_empty("/api/v1/logout").await.ok();
    assert_eq!(open(&bob, "family", &format!("ticket={t}")).await, 401);
    bob.login("bob").await;
    let t = ticket(&bob, "family").await;
    assert_eq!(open(&bob, "family", &format!("ticket={t}")).await, 200);
    // Malformed tickets are refused like unknown ones, never a 5xx.
    for bad in ["", "x", "%00", &"f".repeat(64), &"0".repeat(500)] {
        assert_eq!(
            open(&bob, "family", &format!("ticket={bad}")).await / 100,
            4,
            "{bad:?}"
        );
    }
    s.stop().await;
}
on_both!(
    tickets_are_single_use_short_lived_and_end_with_the_session,
    super::tickets_are_single_use_short_lived_and_end_with_the_session
);

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The server at `trace` level (everything any crate logs), text and JSON: a login, tickets,
/// streams opened with them, a refused ticket, the token in a URL (refused), a send, a
/// logout. No line holds a token, a ticket or either's hash.
async fn no_secret_in_the_log(format: &str) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("log.db").display());
    let (server, log) = Child::spawn_logged(
        &[
            "--database-url",
            &url,
            "--log-format",
            format,
            "--test-clock",
        ],
        "trace",
    );
    let mut secrets = Vec::new();
    let mut bob = Client::new(&server.url);
    bob.login("bob").await;
    secrets.push(bob.token.clone().unwrap());
    let alice = {
        let mut c = Client::new(&server.url);
        c.login("alice").await;
        c
    };
    secrets.push(alice.token.clone().unwrap());
    let t = ticket(&bob, "family").await;
    secrets.push(t.clone());
    let resp = bob
        .http
        .get(format!(
            "{}/api/v1/chats/family/events?ticket={t}",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut events = Box::pin(resp.bytes_stream());
    events.next().await.unwrap().unwrap();
    alice.lucky("family", "1.00", 1, "log1").await;
    read_events(&mut events, 1).await;
    assert_eq!(open(&bob, "family", &format!("ticket={t}")).await, 401);
    let token = bob.token.clone().unwrap();
    assert_eq!(
        open(&bob, "family", &format!("access_token={token}")).await,
        401
    );
    let t2 = ticket(&bob, "alice-bob").await;
    secrets.push(t2.clone());
    assert_eq!(open(&bob, "family", &format!("ticket={t2}")).await, 401);
    bob.post_empty("/api/v1/logout").await.ok();
    drop(events);
    // Every line the server wrote: stop it (its stderr is unbuffered) and read to the end.
    drop(server);
    log.read_to_end(std::time::Duration::from_secs(30));
    let lines = log.lines();
    assert!(
        lines.iter().any(|l| l.contains("/events")),
        "the log is at trace level and shows the requests: {} lines",
        lines.len()
    );
    if format == "json" {
        for l in &lines {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"));
            assert!(v["level"].is_string() && v["timestamp"].is_string(), "{l}");
        }
    }
    for secret in &secrets {
        let hash = sha256_hex(secret);
        for l in &lines {
            assert!(
                !l.contains(secret.as_str()) && !l.contains(&hash),
                "a secret in the log: {l}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_or_ticket_in_a_trace_log() {
    no_secret_in_the_log("text").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_or_ticket_in_a_json_log() {
    no_secret_in_the_log("json").await;
}
