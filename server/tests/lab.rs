//! The researcher's console on the server, on SQLite and PostgreSQL: lab events filed
//! under their experiment, the complete export of one experiment, its results computed by
//! the server (hongbao-study's `summarize`, the code the console runs), and the live
//! stream of stored lab events opened with a researcher's single-use ticket (on
//! PostgreSQL across server processes). A timing of the results of 100,000 events is
//! `results_of_100k_events` (ignored: run it in release, see there).

mod common;

use common::{Child, Client, DEMO_RESEARCHER, Db, TestServer, pg, read_events};
use futures_util::StreamExt;
use hongbao_api::LabEvent;
use hongbao_api::http::Request;
use hongbao_engine::Timestamp;
use hongbao_server::store::{LabFilter, NewLabEvent, Store};
use hongbao_study::results::{VariantResult, summarize};
use serde_json::{Value, json};

/// Participant `n`'s variant among `variants`, forced every tenth.
fn participant(n: usize, variants: &[&str]) -> (String, String, bool) {
    (
        format!("p{n:05}"),
        variants[n % variants.len()].to_owned(),
        n % 10 == 3,
    )
}

/// A lab event as the widget records it in an experiment (a study's events come with a
/// participant's token, see `participants.rs`; these are posted by users).
fn event(experiment: &str, who: &(String, String, bool), kind: &str, at_ms: i64) -> LabEvent {
    LabEvent {
        kind: kind.into(),
        experiment: experiment.into(),
        study: None,
        variant: who.1.clone(),
        participant: who.0.clone(),
        forced: who.2,
        task: None,
        at: Timestamp::from_millis(1_780_000_000_000 + at_ms),
        stage: None,
        ms: None,
        warnings: Vec::new(),
        amount_changed: None,
        intended: None,
        actual: None,
        packet: None,
        slip: None,
    }
}

/// About ten events of participant `n` of `experiment` (consent, exposure, the stages, a
/// warning, a send that slips for some, the task done, sometimes a cancel or a recall,
/// complete), in order.
fn session(experiment: &str, n: usize, variants: &[&str]) -> Vec<LabEvent> {
    let who = participant(n, variants);
    let t = (n as i64) * 60_000;
    let mut out = vec![
        event(experiment, &who, "consent", t),
        event(experiment, &who, "exposure", t + 1),
    ];
    for (i, stage) in ["entry", "review"].iter().enumerate() {
        let mut entered = event(experiment, &who, "stage_entered", t + 10 + i as i64);
        entered.stage = Some((*stage).into());
        let mut left = event(experiment, &who, "stage_left", t + 20 + i as i64);
        left.stage = Some((*stage).into());
        left.ms = Some(500 + (n as u64 * 37) % 4_000);
        out.extend([entered, left]);
    }
    let mut warned = event(experiment, &who, "warning_shown", t + 30);
    warned.warnings = vec!["decimal_slip".into()];
    out.push(warned);
    if n.is_multiple_of(7) {
        let mut cancel = event(experiment, &who, "cancel", t + 35);
        cancel.ms = Some(1_200);
        out.push(cancel);
    }
    let intended = "family lucky 18.80×5".to_owned();
    let actual = if n.is_multiple_of(4) {
        "family lucky 188.00×5".to_owned()
    } else {
        intended.clone()
    };
    let mut send = event(experiment, &who, "send", t + 40);
    send.task = Some("t1".into());
    send.ms = Some(2_000 + (n as u64 * 7_919) % 30_000);
    send.intended = Some(intended.clone());
    send.actual = Some(actual.clone());
    send.packet = Some(n as u64 + 1);
    out.push(send);
    if n.is_multiple_of(11) {
        out.push(event(experiment, &who, "recall", t + 45));
    }
    let mut done = event(experiment, &who, "task_done", t + 50);
    done.task = Some("t1".into());
    done.slip = Some(intended != actual);
    out.push(done);
    out.push(event(experiment, &who, "complete", t + 60));
    out
}

/// Posts `events` through the API in batches of 1,000.
async fn post_all(c: &Client, events: &[LabEvent]) {
    for batch in events.chunks(1_000) {
        let res = c.post("/api/v1/lab/events", json!(batch)).await;
        assert_eq!(res.status, 201, "{res:?}");
    }
}

/// Stores `events` of `user` through the store, in batches of 1,000 (faster than the API).
async fn store_all(store: &Store, user: &str, events: &[LabEvent]) {
    for batch in events.chunks(1_000) {
        let rows = batch
            .iter()
            .map(|e| NewLabEvent {
                kind: e.kind.clone(),
                experiment: e.experiment.clone(),
                body: serde_json::to_string(e).unwrap(),
            })
            .collect();
        store
            .add_lab_events(user.into(), Timestamp::from_millis(1), rows)
            .await
            .unwrap();
    }
}

fn array(v: Value) -> Vec<Value> {
    v.as_array().expect("an array").clone()
}

// ------------------------------------------------------------------------------ the column

async fn events_are_filed_under_their_experiment(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let v = ["A", "B"];
    alice
        .post(
            "/api/v1/lab/events",
            json!([session("e1", 1, &v)[0], session("e2", 2, &v)[0],
                   {"type": "note", "experiment": 7}, {"type": "note"},
                   {"type": "note", "experiment": "长 实验"}]),
        )
        .await
        .ok();
    bob.post("/api/v1/lab/events", json!(session("e1", 3, &v)[..2]))
        .await
        .ok();
    // The column, as stored.
    for (experiment, n) in [("e1", 3), ("e2", 1), ("", 2), ("长 实验", 1), ("e3", 0)] {
        let rows = s
            .server
            .store
            .lab_events(LabFilter {
                user: None,
                experiment: Some(experiment),
            })
            .await
            .unwrap();
        assert_eq!(rows.len(), n, "{experiment:?}");
    }
    // The caller's own events of one experiment; everyone's for a researcher.
    let own = array(alice.get("/api/v1/lab/events?experiment=e1").await.ok());
    assert_eq!(own.len(), 1);
    assert_eq!(
        (&own[0]["username"], &own[0]["type"]),
        (&json!("alice"), &json!("consent"))
    );
    let all = array(
        rita.get("/api/v1/lab/events?all=true&experiment=e1")
            .await
            .ok(),
    );
    let who: Vec<&str> = all
        .iter()
        .map(|e| e["username"].as_str().unwrap())
        .collect();
    assert_eq!(who, ["alice", "bob", "bob"], "oldest first");
    let path = Request::lab_events_of("长 实验").path;
    let encoded = array(rita.get(&path).await.ok());
    assert_eq!(encoded.len(), 1, "{path}");
    assert!(array(bob.get("/api/v1/lab/events?experiment=e2").await.ok()).is_empty());
    // Everyone's: researchers only, with or without an experiment.
    bob.get("/api/v1/lab/events?all=true&experiment=e1")
        .await
        .err(403, "forbidden");
    s.client()
        .get("/api/v1/lab/events?all=true&experiment=e1")
        .await
        .err(401, "unauthorized");
    // The key is text like any query value, and not empty.
    rita.get("/api/v1/lab/events?all=true&experiment=")
        .await
        .err(400, "invalid_request");
    rita.get("/api/v1/lab/events?all=true&experiment=a%00b")
        .await
        .err(400, "invalid_text");
    rita.get(&format!(
        "/api/v1/lab/events?all=true&experiment={}",
        "k".repeat(257)
    ))
    .await
    .err(400, "too_long");
    s.stop().await;
}
on_both!(
    events_are_filed_under_their_experiment,
    super::events_are_filed_under_their_experiment
);

// ------------------------------------------------------------------------------ the export

async fn one_experiment_is_exported_complete(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let alice = s.login("alice").await;
    let v = ["A", "B"];
    // 10,500 events of one experiment, through the API, and others' between them.
    let big: Vec<LabEvent> = (0..1_050)
        .flat_map(|n| session("big", n, &v).into_iter().take(10))
        .collect();
    assert_eq!(big.len(), 10_500);
    let other: Vec<LabEvent> = (0..300)
        .flat_map(|n| session("other", n, &v).into_iter().take(10))
        .collect();
    for (i, batch) in big.chunks(1_000).enumerate() {
        post_all(&alice, batch).await;
        post_all(&alice, &other[i * 250 % 3_000..][..250]).await;
    }
    let exported = rita
        .get("/api/v1/lab/events?all=true&experiment=big")
        .await
        .ok();
    let exported = array(exported);
    assert_eq!(
        exported.len(),
        big.len(),
        "every event, past the 10,000 of the other reads"
    );
    let ids: Vec<i64> = exported.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first");
    let read: Vec<LabEvent> = exported
        .iter()
        .map(|e| serde_json::from_value(e.clone()).unwrap())
        .collect();
    assert_eq!(
        read, big,
        "each as posted, in order, none of another experiment"
    );
    // The reads that were capped stay capped.
    let all = array(rita.get("/api/v1/lab/events?all=true").await.ok());
    assert_eq!(all.len(), 10_000, "everyone's: the newest 10,000");
    assert!(all.last().unwrap()["id"].as_i64().unwrap() > *ids.last().unwrap());
    let own = array(alice.get("/api/v1/lab/events?experiment=big").await.ok());
    assert_eq!(own.len(), 10_000, "the caller's own: the newest 10,000");
    assert_eq!(own.last().unwrap()["id"], json!(*ids.last().unwrap()));
    // The client reads the export as the console does.
    let path = Request::lab_events_of("big").path;
    let res = rita
        .http
        .get(format!("{}{path}", rita.base))
        .bearer_auth(rita.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert_eq!(hongbao_api::http::lab_events(status, &body).unwrap(), big);
    s.stop().await;
}
on_both!(
    one_experiment_is_exported_complete,
    super::one_experiment_is_exported_complete
);

// ------------------------------------------------------------------------------ results

/// `GET /api/v1/lab/results` as the client asks for it; the answer's JSON text.
async fn results(c: &Client, experiment: &str, variants: &[&str], forced: bool) -> String {
    let variants: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    let path = Request::lab_results(experiment, &variants, forced).path;
    text(c, &path).await
}

/// A 200's body as text.
async fn text(c: &Client, path: &str) -> String {
    let res = c
        .http
        .get(format!("{}{path}", c.base))
        .bearer_auth(c.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The JSON the server should answer: `summarize`'s rows as serde_json writes them
/// (compared as text: serde_json reads some floats back one ulp off, e.g.
/// 0.10779126740630099 as 0.107791267406301).
fn summarized(events: &[LabEvent], key: &str, variants: &[&str], forced: bool) -> String {
    let variants: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    let rows: Vec<VariantResult> = summarize(events, key, &variants, forced);
    serde_json::to_string(&rows).unwrap()
}

async fn results_are_summarize_on_the_server(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let v = ["A", "B", "C"];
    let mut events: Vec<LabEvent> = (0..120).flat_map(|n| session("study-1", n, &v)).collect();
    // Another experiment's events, and some of this one's that are no `LabEvent` (the
    // client skips them; so does the server).
    let other: Vec<LabEvent> = (0..30)
        .flat_map(|n| session("study-2", n, &["A"]))
        .collect();
    post_all(&alice, &events[..600]).await;
    post_all(&bob, &other).await;
    bob.post(
        "/api/v1/lab/events",
        json!([{"type": "send", "experiment": "study-1", "variant": "A"},
               {"type": "send", "experiment": "study-1", "participant": "x", "variant": "A",
                "at": "not a time"}]),
    )
    .await
    .ok();
    post_all(&bob, &events[600..]).await;
    // A variant only the events know, late.
    let late: Vec<LabEvent> = (500..510)
        .flat_map(|n| session("study-1", n, &["D"]))
        .collect();
    post_all(&alice, &late).await;
    events.extend(late);
    let key = "study-1";
    for forced in [false, true] {
        for variants in [
            &["A", "B", "C"][..],
            &["C", "A"],
            &[],
            &["A", "B", "C", "E"],
        ] {
            assert_eq!(
                results(&rita, key, variants, forced).await,
                summarized(&events, key, variants, forced),
                "variants {variants:?}, forced {forced}"
            );
        }
    }
    let all_forced = summarize(&events, key, &[], true);
    assert_ne!(
        all_forced,
        summarize(&events, key, &[], false),
        "forced ones count"
    );
    assert_eq!(all_forced.len(), 4, "A, B, C and D: {all_forced:?}");
    assert!(all_forced.iter().all(|r| r.participants > 0 && r.sent > 0));
    // A demo user named as a researcher; an experiment without events.
    let dave = s.login(DEMO_RESEARCHER).await;
    assert_eq!(
        results(&dave, key, &["A"], false).await,
        summarized(&events, key, &["A"], false)
    );
    assert_eq!(
        results(&rita, "nothing", &["A", "B"], false).await,
        summarized(&[], "nothing", &["A", "B"], false)
    );
    assert_eq!(results(&rita, "nothing", &[], false).await, "[]");
    // Researchers only.
    let path = "/api/v1/lab/results?experiment=study-1&variants=A&forced=false";
    bob.get(path).await.err(403, "forbidden");
    s.client().get(path).await.err(401, "unauthorized");
    // Bad queries.
    for bad in [
        "",
        "?variants=A",
        "?experiment=",
        "?experiment=study-1&forced=maybe",
        "?experiment=a%00",
    ] {
        let res = rita.get(&format!("/api/v1/lab/results{bad}")).await;
        let code = if bad.contains("%00") {
            "invalid_text"
        } else {
            "invalid_request"
        };
        res.refused(bad, 400, code);
    }
    // `variants` and `forced` may be left out.
    assert_eq!(
        text(&rita, "/api/v1/lab/results?experiment=study-1").await,
        summarized(&events, key, &[], false)
    );
    // Each variant once, in order.
    assert_eq!(
        text(
            &rita,
            "/api/v1/lab/results?experiment=study-1&variants=B,A,B,,A"
        )
        .await,
        summarized(&events, key, &["B", "A"], false)
    );
    s.stop().await;
}
on_both!(
    results_are_summarize_on_the_server,
    super::results_are_summarize_on_the_server
);

// ------------------------------------------------------------------------------ the stream

async fn status(c: &Client, path: &str, token: bool) -> u16 {
    let mut r = c.http.get(format!("{}{path}", c.base));
    if token {
        r = r.bearer_auth(c.token.as_deref().unwrap());
    }
    r.send().await.unwrap().status().as_u16()
}

async fn lab_ticket(c: &Client) -> String {
    let t = c.post_empty("/api/v1/lab/events/ticket").await.ok();
    let ticket = t["ticket"].as_str().unwrap().to_owned();
    assert_eq!(ticket.len(), 64);
    assert!(t["expires_at"].as_str().unwrap().ends_with('Z'));
    ticket
}

/// Opens the lab's stream with a ticket and waits for `: ready`.
async fn open_lab_stream(
    base: &str,
    ticket: &str,
) -> impl futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin + use<> {
    let path = hongbao_api::http::lab_events_stream_path(ticket);
    common::open_stream(common::http_client().get(format!("{base}{path}"))).await
}

/// Reads the stream's raw text until `want` `data:` lines came (to see event names too).
async fn read_raw(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin),
    want: usize,
) -> String {
    let mut text = String::new();
    while text.matches("data:").count() < want {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(15), stream.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("a chunk");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

async fn researchers_follow_stored_lab_events(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    // Tickets: researchers only.
    bob.post_empty("/api/v1/lab/events/ticket")
        .await
        .err(403, "forbidden");
    s.client()
        .post_empty("/api/v1/lab/events/ticket")
        .await
        .err(401, "unauthorized");
    let t = lab_ticket(&rita).await;
    let mut events = open_lab_stream(&s.url, &t).await;
    // Once.
    let path = hongbao_api::http::lab_events_stream_path(&t);
    assert_eq!(status(&rita, &path, false).await, 401, "a spent ticket");
    // Anyone's events reach it, one message per request with how many it stored, as
    // default (`message`) events.
    let v = ["A", "B"];
    bob.post("/api/v1/lab/events", json!(session("e", 1, &v)[..3]))
        .await
        .ok();
    let raw = read_raw(&mut events, 1).await;
    assert!(
        raw.contains("data: {\"stored\":3}") || raw.contains("data:{\"stored\":3}"),
        "{raw:?}"
    );
    assert!(!raw.contains("event:"), "a default event: {raw:?}");
    alice
        .post("/api/v1/lab/events", json!(session("e", 2, &v)[0]))
        .await
        .ok();
    // A refused batch stores nothing and tells nothing.
    alice
        .post(
            "/api/v1/lab/events",
            json!([{"type": "ok"}, {"no": "type"}]),
        )
        .await
        .err(400, "invalid_request");
    alice
        .post("/api/v1/lab/events", json!(session("e", 3, &v)))
        .await
        .ok();
    assert_eq!(
        read_events(&mut events, 2).await,
        [
            json!({"stored": 1}),
            json!({"stored": session("e", 3, &v).len()})
        ]
    );
    // Two researchers' streams both hear.
    let dave = s.login(DEMO_RESEARCHER).await;
    let mut second = open_lab_stream(&s.url, &lab_ticket(&dave).await).await;
    bob.post("/api/v1/lab/events", json!(session("e", 4, &v)[..2]))
        .await
        .ok();
    assert_eq!(read_events(&mut events, 1).await, [json!({"stored": 2})]);
    assert_eq!(read_events(&mut second, 1).await, [json!({"stored": 2})]);
    // Tickets do not cross: a chat's opens no lab stream, the lab's no chat's.
    let chat = bob
        .post_empty("/api/v1/chats/family/events/ticket")
        .await
        .ok()["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    let lab_path = |t: &str| hongbao_api::http::lab_events_stream_path(t);
    assert_eq!(status(&bob, &lab_path(&chat), false).await, 401);
    let t = lab_ticket(&rita).await;
    assert_eq!(
        status(&rita, &hongbao_api::http::events_path("family", &t), false).await,
        401
    );
    // Unknown, malformed, lapsed.
    for bad in ["", "x", "%00", &"f".repeat(64)] {
        assert_eq!(status(&rita, &lab_path(bad), false).await, 401, "{bad:?}");
    }
    let t = lab_ticket(&rita).await;
    alice.advance(61).await;
    assert_eq!(status(&rita, &lab_path(&t), false).await, 401, "lapsed");
    // With the Authorization header instead: a researcher's only.
    assert_eq!(status(&bob, "/api/v1/lab/events/stream", true).await, 403);
    let mut by_header = {
        let resp = rita
            .http
            .get(format!("{}/api/v1/lab/events/stream", s.url))
            .bearer_auth(rita.token.as_deref().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        Box::pin(resp.bytes_stream())
    };
    alice
        .post("/api/v1/lab/events", json!(session("e", 5, &v)[0]))
        .await
        .ok();
    assert_eq!(read_events(&mut by_header, 1).await, [json!({"stored": 1})]);
    // The document lists the new calls.
    let doc = s.client().get("/api/v1/openapi.json").await.ok();
    for (path, method) in [
        ("/api/v1/lab/events/ticket", "post"),
        ("/api/v1/lab/events/stream", "get"),
        ("/api/v1/lab/results", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    drop((events, second, by_header));
    s.stop().await;
}
on_both!(
    researchers_follow_stored_lab_events,
    super::researchers_follow_stored_lab_events
);

/// Two server processes on one PostgreSQL: events stored through one reach a researcher's
/// stream opened on the other (and the ticket of one works on the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lab_events_cross_processes_on_postgres() {
    if !pg::available().await {
        return;
    }
    let url = pg::fresh_database().await.unwrap();
    let args = [
        "--database-url",
        url.as_str(),
        "--researcher",
        DEMO_RESEARCHER,
    ];
    let a = Child::spawn(&args);
    let b = Child::spawn(&args);
    let mut dave = Client::new(&b.url);
    dave.login(DEMO_RESEARCHER).await;
    let mut alice = Client::new(&a.url);
    alice.login("alice").await;
    let mut on_b = open_lab_stream(&b.url, &lab_ticket(&dave).await).await;
    // A ticket asked of B opens a stream on A.
    let mut on_a = open_lab_stream(&a.url, &lab_ticket(&dave).await).await;
    let v = ["A"];
    alice
        .post("/api/v1/lab/events", json!(session("e", 1, &v)[..4]))
        .await
        .ok();
    assert_eq!(
        read_events(&mut on_b, 1).await,
        [json!({"stored": 4})],
        "stored through A, heard on B"
    );
    assert_eq!(read_events(&mut on_a, 1).await, [json!({"stored": 4})]);
    let bob_b = {
        let mut c = Client::new(&b.url);
        c.login("bob").await;
        c
    };
    bob_b
        .post("/api/v1/lab/events", json!(session("e", 2, &v)[0]))
        .await
        .ok();
    assert_eq!(read_events(&mut on_a, 1).await, [json!({"stored": 1})]);
    assert_eq!(read_events(&mut on_b, 1).await, [json!({"stored": 1})]);
    drop((on_a, on_b, a, b));
}

// ------------------------------------------------------------------------------ timing

/// The results of one study of 100,000 events (10,000 participants, three variants) on
/// SQLite, timed: the events are stored through the store, then `GET /api/v1/lab/results`
/// is called a few times. Run it in release:
///
/// `cargo test --release -p hongbao-server --test lab -- --ignored results_of_100k --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a timing: run in release with --ignored"]
async fn results_of_100k_events() {
    let s = TestServer::with_researchers(Db::Sqlite).await.unwrap();
    let rita = s.researcher().await;
    let v = ["A", "B", "C"];
    let mut events: Vec<LabEvent> = Vec::with_capacity(100_000);
    let mut n = 0;
    while events.len() < 100_000 {
        events.extend(session("big-study", n, &v));
        n += 1;
    }
    events.truncate(100_000);
    let noise: Vec<LabEvent> = (0..2_000).flat_map(|n| session("other", n, &v)).collect();
    let started = std::time::Instant::now();
    store_all(&s.server.store, "alice", &events).await;
    store_all(&s.server.store, "bob", &noise).await;
    println!(
        "stored {} events of the study and {} others in {:?}",
        events.len(),
        noise.len(),
        started.elapsed()
    );
    let variants: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    let expected = summarized(&events, "big-study", &v, false);
    let mut times = Vec::new();
    for _ in 0..7 {
        let started = std::time::Instant::now();
        let got = results(&rita, "big-study", &v, false).await;
        times.push(started.elapsed());
        assert_eq!(got, expected);
    }
    times.sort();
    println!(
        "GET /api/v1/lab/results, {} events, {} participants: min {:?}, median {:?}, max {:?}",
        events.len(),
        n,
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
    // The export of the same study, for comparison (every event as JSON).
    let started = std::time::Instant::now();
    let exported = text(&rita, "/api/v1/lab/events?all=true&experiment=big-study").await;
    println!(
        "GET /api/v1/lab/events?all=true&experiment=…: {} bytes in {:?}",
        exported.len(),
        started.elapsed()
    );
    // The parts: the read (with the parsing) and the counting.
    let started = std::time::Instant::now();
    let read = s.server.store.experiment_events("big-study").await.unwrap();
    let reading = started.elapsed();
    let started = std::time::Instant::now();
    let counted = summarize(&read, "big-study", &variants, false);
    println!(
        "read and parsed {} events in {reading:?}, summarized in {:?}",
        read.len(),
        started.elapsed()
    );
    assert_eq!(serde_json::to_string(&counted).unwrap(), expected);
    s.stop().await;
}
