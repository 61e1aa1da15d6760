//! A study's participants (issue 14), on SQLite and PostgreSQL: a study link's participant
//! joins without a login and gets a token scoped to the study; events posted with it carry
//! the study, participant and variant the server set (never the body's); the token does
//! nothing else; a user's session cannot post a study's events; bad joins are refused with a
//! clear error and store nothing; tokens end with the session's lifetime; joins are limited
//! per address.

mod common;

use common::{Client, Db, TestServer};
use hongbao_study::assign::assign;
use serde_json::{Value, json};

const STUDY: &str = "send-basics";

fn join_path(key: &str) -> String {
    format!("/api/v1/studies/{key}/participants")
}

/// A client with the participant's token.
fn as_participant(server: &TestServer, joined: &Value) -> Client {
    let mut c = server.client();
    c.token = Some(joined["token"].as_str().expect("a token").to_owned());
    c
}

/// Every event of `study` as a researcher exports it.
async fn export(server: &TestServer, study: &str) -> Vec<Value> {
    let rita = server.researcher().await;
    rita.get(&format!("/api/v1/lab/events?all=true&experiment={study}"))
        .await
        .ok()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The page's own event (what `src/lab/events.rs` records), as `participant` in `variant`.
fn page_event(kind: &str, participant: &str, variant: &str) -> Value {
    json!({"type": kind, "experiment": STUDY, "study": STUDY, "participant": participant,
           "variant": variant, "forced": false, "at": "2026-12-07T10:00:00Z"})
}

async fn participants_post_their_own_events(db: Db) {
    let Some(server) = TestServer::with_researchers(db).await else {
        return;
    };
    let anyone = server.client();
    // Joining needs no login; the variant is the study's rule, the page's own code.
    let joined = anyone
        .post(&join_path(STUDY), json!({"participant": "p-0001"}))
        .await;
    assert_eq!(joined.status, 201, "{joined:?}");
    let joined = joined.body;
    let study = hongbao_study::definition::shipped()
        .into_iter()
        .find(|s| s.key == STUDY)
        .unwrap();
    let expected = assign(&study.experiment(), "p-0001", None);
    assert_eq!(joined["study"], STUDY);
    assert_eq!(joined["participant"], "p-0001");
    assert_eq!(joined["variant"], expected.variant.as_str());
    assert_eq!(joined["forced"], false);
    let token = joined["token"].as_str().unwrap();
    assert!(token.starts_with("pt_") && token.len() == 67, "{token}");
    assert!(joined["expires_at"].is_string());
    let p1 = as_participant(&server, &joined);

    // The page's events, and a bare one: both get the token's study, participant, variant.
    let variant = expected.variant.as_str();
    let r = p1
        .post(
            "/api/v1/lab/events",
            json!([page_event("consent", "p-0001", variant), {"type": "exposure"}]),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    // A forced link: the variant is the link's, marked as forced.
    let other = study
        .experiment()
        .variants
        .iter()
        .map(|v| v.name.clone())
        .find(|v| v != variant)
        .unwrap();
    let forced = anyone
        .post(
            &join_path(STUDY),
            json!({"participant": "p-0002", "variant": other}),
        )
        .await
        .ok();
    assert_eq!(
        (&forced["variant"], &forced["forced"]),
        (&json!(other), &json!(true))
    );
    let p2 = as_participant(&server, &forced);
    p2.post("/api/v1/lab/events", json!({"type": "consent"}))
        .await
        .ok();
    // Without a participant id the server draws one.
    let drawn = anyone.post(&join_path(STUDY), json!({})).await.ok();
    let drawn_id = drawn["participant"].as_str().unwrap().to_owned();
    assert!(
        drawn_id.starts_with("p-") && drawn_id.len() == 14,
        "{drawn_id}"
    );

    let events = export(&server, STUDY).await;
    let seen: Vec<(String, String, String, bool, Value)> = events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["participant"].as_str().unwrap().to_owned(),
                e["variant"].as_str().unwrap().to_owned(),
                e["forced"].as_bool().unwrap(),
                e["username"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "consent".into(),
                "p-0001".into(),
                variant.into(),
                false,
                Value::Null
            ),
            (
                "exposure".into(),
                "p-0001".into(),
                variant.into(),
                false,
                Value::Null
            ),
            (
                "consent".into(),
                "p-0002".into(),
                other.clone(),
                true,
                Value::Null
            ),
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e["study"] == STUDY && e["experiment"] == STUDY)
    );

    // An event that says it is someone else's, or another study's, or another variant's:
    // refused, nothing of the batch stored.
    for (field, value) in [
        ("participant", json!("p-0002")),
        ("study", json!("other")),
        ("experiment", json!("other")),
        ("variant", json!(other)),
        ("forced", json!(true)),
    ] {
        let mut e = page_event("send", "p-0001", variant);
        e[field] = value;
        let r = p1
            .post("/api/v1/lab/events", json!([{"type": "ok"}, e]))
            .await;
        r.refused(
            &format!("a participant's event naming {field}"),
            403,
            "forbidden",
        );
    }
    assert_eq!(export(&server, STUDY).await.len(), 3, "nothing stored");

    // The token does nothing else.
    for path in [
        "/api/v1/me",
        "/api/v1/chats",
        "/api/v1/ledger",
        "/api/v1/lab/events",
        "/api/v1/studies",
        "/api/v1/lab/results?experiment=send-basics",
    ] {
        p1.get(path).await.refused(path, 403, "forbidden");
    }
    p1.post("/api/v1/lab/events/ticket", json!({}))
        .await
        .refused("a stream ticket", 403, "forbidden");
    p1.post(
        "/api/v1/packets",
        json!({"chat_id": "family", "kind": "normal", "amount": "1.00", "count": 1,
               "idempotency_key": "k1"}),
    )
    .await
    .refused("a send", 403, "forbidden");
    // A token it never handed out, of the same shape: unknown.
    let mut forged = server.client();
    forged.token = Some(format!("pt_{}", "0".repeat(64)));
    forged
        .post("/api/v1/lab/events", json!({"type": "consent"}))
        .await
        .refused("an unknown token", 401, "unauthorized");

    // A user's session may not post a study's events: by its `study`, or by an experiment
    // that is a study (stored or shipped); other experiments as before.
    let bob = server.login("bob").await;
    bob.post("/api/v1/lab/events", page_event("send", "p-0001", variant))
        .await
        .refused("a user's study event", 403, "forbidden");
    bob.post(
        "/api/v1/lab/events",
        json!({"type": "send", "experiment": STUDY, "participant": "p-0001"}),
    )
    .await
    .refused("a user's event of a study's experiment", 403, "forbidden");
    bob.post(
        "/api/v1/lab/events",
        json!({"type": "send", "experiment": "prevent-vs-recover", "participant": "p-9"}),
    )
    .await
    .ok();
    assert_eq!(export(&server, STUDY).await.len(), 3, "nothing stored");
    server.stop().await;
}
on_both!(participants_post, super::participants_post_their_own_events);

async fn bad_joins_are_refused_and_store_nothing(db: Db) {
    let Some(server) = TestServer::with_researchers(db).await else {
        return;
    };
    let anyone = server.client();
    let rows: [(&str, String, Value, u16, &str); 8] = [
        (
            "no such study",
            join_path("nope"),
            json!({}),
            404,
            "not_found",
        ),
        (
            "a bad participant id",
            join_path(STUDY),
            json!({"participant": "p 1"}),
            400,
            "invalid_request",
        ),
        (
            "an empty participant id",
            join_path(STUDY),
            json!({"participant": ""}),
            400,
            "invalid_request",
        ),
        (
            "a long participant id",
            join_path(STUDY),
            json!({"participant": "p".repeat(65)}),
            400,
            "invalid_request",
        ),
        (
            "a NUL",
            join_path(STUDY),
            json!({"participant": "p\u{0}"}),
            400,
            "invalid_text",
        ),
        (
            "no such variant",
            join_path(STUDY),
            json!({"variant": "nope"}),
            400,
            "invalid_request",
        ),
        (
            "a variant not text",
            join_path(STUDY),
            json!({"variant": 3}),
            400,
            "invalid_request",
        ),
        (
            "a long key",
            join_path(&"k".repeat(65)),
            json!({}),
            400,
            "too_long",
        ),
    ];
    for (case, path, body, status, code) in rows {
        anyone.post(&path, body).await.refused(case, status, code);
    }
    // A closed study takes no one.
    let rita = server.researcher().await;
    let mut closed: Value =
        serde_json::from_str(include_str!("../../lab/studies/send-basics.json")).unwrap();
    closed["key"] = json!("closed-one");
    closed["closed"] = json!(true);
    let r = Client::send_req(
        rita.http
            .put(format!("{}/api/v1/studies/closed-one", rita.base))
            .bearer_auth(rita.token.as_deref().unwrap())
            .json(&closed),
    )
    .await;
    assert_eq!(r.status, 201, "{r:?}");
    anyone
        .post(&join_path("closed-one"), json!({}))
        .await
        .refused("a closed study", 409, "conflict");
    // Nothing stored: a token of any of them would have posted an event.
    let store = &server.server.store;
    for study in [STUDY, "nope", "closed-one"] {
        assert!(export(&server, study).await.is_empty());
    }
    assert_eq!(count(store).await, 0, "no participant stored");
    server.stop().await;
}
on_both!(bad_joins, super::bad_joins_are_refused_and_store_nothing);

/// Participants' tokens stored.
async fn count(store: &hongbao_server::store::Store) -> i64 {
    use hongbao_server::store::Store;
    match store {
        Store::Sqlite(s) => sqlx::query_scalar("SELECT COUNT(*) FROM participants")
            .fetch_one(&s.read)
            .await
            .unwrap(),
        Store::Pg(s) => sqlx::query_scalar("SELECT COUNT(*) FROM participants")
            .fetch_one(&s.pool)
            .await
            .unwrap(),
    }
}

async fn tokens_end_and_joins_are_limited(db: Db) {
    let Some(server) = TestServer::start(db, |c| {
        c.session_max_age_secs = 3_600;
        c.participant_joins_per_ip = 3;
    })
    .await
    else {
        return;
    };
    let anyone = server.client();
    let joined = anyone.post(&join_path(STUDY), json!({})).await.ok();
    let p = as_participant(&server, &joined);
    p.post("/api/v1/lab/events", json!({"type": "consent"}))
        .await
        .ok();
    // An hour later the token has ended (as a session would).
    let bob = server.login("bob").await;
    bob.advance(3_600).await;
    let r = p
        .post("/api/v1/lab/events", json!({"type": "exposure"}))
        .await;
    r.refused("an ended token", 401, "unauthorized");
    // Three joins a minute from one address: the fourth waits.
    for _ in 0..2 {
        anyone.post(&join_path(STUDY), json!({})).await.ok();
    }
    let over = anyone.post(&join_path(STUDY), json!({})).await;
    over.refused("a fourth join in a minute", 429, "rate_limited");
    assert_eq!(count(&server.server.store).await, 3);
    server.stop().await;
}
on_both!(tokens_and_limits, super::tokens_end_and_joins_are_limited);
