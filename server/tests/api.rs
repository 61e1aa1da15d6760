//! Endpoint behaviour, on SQLite and on PostgreSQL.

mod common;

use std::time::Duration;

use common::{Db, RESEARCHER, TestServer, check_books, fen, open_events, read_events};
use serde_json::json;

async fn server(db: Db) -> TestServer {
    TestServer::start(db, |_| {}).await.expect("a database")
}

async fn login_me_and_chats(db: Db) {
    let s = server(db).await;
    let anon = s.client();
    anon.post(
        "/api/v1/login",
        json!({"username": "alice", "password": "nope"}),
    )
    .await
    .err(401, "unauthorized");
    anon.post(
        "/api/v1/login",
        json!({"username": "mallory", "password": "hongbao"}),
    )
    .await
    .err(401, "unauthorized");
    let alice = s.login("alice").await;
    assert_eq!(
        alice.me().await,
        json!({"username": "alice", "balance": "1000.00"})
    );
    let chats = alice.get("/api/v1/chats").await.ok();
    let ids: Vec<&str> = chats
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["family", "alice-bob", "alice-carol", "alice-dave"]);
    assert_eq!(chats[0]["members"].as_array().unwrap().len(), 10);
    assert_eq!(chats[0]["name"], "Family");
    assert_eq!(chats[1]["name"], "bob");
    let erin = s.login("erin").await;
    let chats = erin.get("/api/v1/chats").await.ok();
    assert_eq!(chats.as_array().unwrap().len(), 1, "erin is only in Family");
    // The demo ledger starts with the grant.
    let ledger = alice.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["kind"], "grant");
    assert_eq!(ledger[0]["amount"], "1000.00");
    check_books(&s).await;
    s.stop().await;
}
on_both!(login_me_and_chats, super::login_me_and_chats);

async fn lucky_packet_is_claimed_out_with_best_luck(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let p = alice.lucky("family", "100.00", 10, "k-lucky").await;
    let id = p["id"].as_u64().unwrap();
    assert_eq!(
        (
            p["total"].as_str(),
            p["count"].as_u64(),
            p["state"].as_str(),
            p["kind"].as_str()
        ),
        (Some("100.00"), Some(10), Some("open"), Some("lucky"))
    );
    assert!(p.get("cut_shares").is_none());
    assert_eq!(alice.balance_fen().await, 100_000 - 10_000);

    let mut total = 0;
    for user in hongbao_api::demo::DEMO_USERS {
        let c = s.login(user).await;
        let first = c.claim(id).await.ok();
        assert_eq!(first["already_claimed"], false);
        let again = c.claim(id).await.ok();
        assert_eq!(again["already_claimed"], true);
        assert_eq!(again["amount"], first["amount"]);
        total += fen(&first["amount"]);
    }
    assert_eq!(total, 10_000, "the shares add up to the total");
    let view = alice.packet(id).await.ok();
    assert_eq!(view["state"], "claimed_out");
    assert_eq!(view["claimed_count"], 10);
    assert_eq!(view["remaining"], "0.00");
    let claims = view["claims"].as_array().unwrap();
    assert_eq!(claims.iter().filter(|c| c["best_luck"] == true).count(), 1);
    assert!(
        claims
            .iter()
            .all(|c| c["claimed_at"].as_str().unwrap().ends_with('Z'))
    );
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    lucky_packet_is_claimed_out_with_best_luck,
    super::lucky_packet_is_claimed_out_with_best_luck
);

async fn normal_exclusive_and_personal(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let carol = s.login("carol").await;
    // Normal: the amount is per share.
    let p = alice
        .send(
            json!({"chat_id": "family", "kind": "normal", "per_share": "1.88", "count": 10,
                     "greeting": "", "idempotency_key": "n1"}),
        )
        .await
        .ok();
    assert_eq!(
        (p["total"].as_str(), p["per_share"].as_str()),
        (Some("18.80"), Some("1.88"))
    );
    assert_eq!(
        bob.claim(p["id"].as_u64().unwrap()).await.ok()["amount"],
        "1.88"
    );
    // Exclusive: only carol.
    let p = alice
        .send(
            json!({"chat_id": "family", "kind": "exclusive", "amount": "5.20",
                     "to": "carol", "idempotency_key": "x1"}),
        )
        .await
        .ok();
    let id = p["id"].as_u64().unwrap();
    bob.claim(id).await.err(403, "not_for_you");
    alice.claim(id).await.err(403, "not_for_you");
    assert_eq!(carol.claim(id).await.ok()["amount"], "5.20");
    // Exclusive without a recipient, or to a non-member.
    alice
        .send(json!({"chat_id": "family", "kind": "exclusive", "amount": "1", "idempotency_key": "x2"}))
        .await
        .err(400, "invalid_request");
    alice
        .send(
            json!({"chat_id": "family", "kind": "exclusive", "amount": "1", "to": "zed",
                     "idempotency_key": "x3"}),
        )
        .await
        .err(400, "invalid_request");
    // Personal in a 1:1 chat; not in a group, and not lucky in a 1:1 chat.
    let p = alice
        .send(
            json!({"chat_id": "alice-bob", "kind": "personal", "amount": "8.88",
                     "to": "bob", "idempotency_key": "p1"}),
        )
        .await
        .ok();
    let id = p["id"].as_u64().unwrap();
    carol.claim(id).await.err(404, "not_found");
    carol.packet(id).await.err(404, "not_found");
    alice.claim(id).await.err(403, "not_for_you");
    assert_eq!(bob.claim(id).await.ok()["amount"], "8.88");
    let r = alice
        .send(
            json!({"chat_id": "family", "kind": "personal", "amount": "1", "to": "bob",
                     "idempotency_key": "p2"}),
        )
        .await;
    r.err(400, "invalid_request");
    assert_eq!(r.body["error"]["detail"], "invalid_chat");
    alice
        .send(
            json!({"chat_id": "alice-bob", "kind": "lucky", "total": "1", "count": 1,
                     "idempotency_key": "p3"}),
        )
        .await
        .err(400, "invalid_request");
    // Chats one is not in do not exist.
    alice
        .send(
            json!({"chat_id": "bob-carol", "kind": "personal", "amount": "1", "to": "bob",
                     "idempotency_key": "p4"}),
        )
        .await
        .err(404, "not_found");
    assert_eq!(alice.balance_fen().await, 100_000 - 1_880 - 520 - 888);
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    normal_exclusive_and_personal,
    super::normal_exclusive_and_personal
);

async fn idempotent_send(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let body = json!({"chat_id": "family", "kind": "lucky", "total": "50.00", "count": 5,
                      "greeting": "hi", "idempotency_key": "same"});
    // Sixteen concurrent submissions of one send: one packet, one debit.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (c, b) = (alice.clone(), body.clone());
        tasks.push(tokio::spawn(async move { c.send(b).await }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 201, "{r:?}");
        ids.push(r.body["id"].as_u64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every retry returns the same packet");
    assert_eq!(alice.balance_fen().await, 100_000 - 5_000, "debited once");
    let debits = alice
        .ledger()
        .await
        .iter()
        .filter(|e| e["kind"] == "debit")
        .count();
    assert_eq!(debits, 1);
    // The same key for another request is a conflict: the request's fields are compared,
    // each of them.
    for (field, value) in [
        ("total", json!("51.00")),
        ("count", json!(4)),
        ("greeting", json!("hello")),
        ("split", json!("line_cutting")),
        ("chat_id", json!("alice-bob")),
    ] {
        let mut other = body.clone();
        other[field] = value;
        // The key is looked up first (as in the engine), even before the lucky packet in a
        // 1:1 chat would be refused.
        alice.send(other).await.err(409, "conflict");
    }
    // The same request spelled otherwise is the same request: the policy's default split
    // named, or the first release's shape.
    let mut named = body.clone();
    named["split"] = json!("double_mean");
    let replay = alice.send(named).await;
    assert_eq!(replay.status, 201, "{replay:?}");
    assert_eq!(replay.body["id"].as_u64(), Some(ids[0]));
    let first_release = json!({"chat_id": "family", "kind": "lucky", "amount": "50.00",
                               "count": 5, "greeting": "hi", "idempotency_key": "same"});
    let replay = alice.send(first_release).await;
    assert_eq!(replay.status, 201, "{replay:?}");
    assert_eq!(replay.body["id"].as_u64(), Some(ids[0]));
    assert_eq!(
        alice.balance_fen().await,
        100_000 - 5_000,
        "still debited once"
    );
    // Keys are per sender.
    let bob = s.login("bob").await;
    let theirs = bob.send(body.clone()).await.ok();
    assert_ne!(theirs["id"].as_u64().unwrap(), ids[0]);
    check_books(&s).await;
    s.stop().await;
}
on_both!(idempotent_send, super::idempotent_send);

async fn recall_rules(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    // Recall before any claim: the whole total comes back.
    let id = alice.lucky("family", "30.00", 3, "r1").await["id"]
        .as_u64()
        .unwrap();
    bob.recall(id).await.err(403, "recall_forbidden");
    assert_eq!(alice.recall(id).await.ok()["refund"], "30.00");
    alice.recall(id).await.err(409, "recalled");
    bob.claim(id).await.err(409, "recalled");
    let view = bob.packet(id).await.ok();
    assert_eq!(view["state"], "recalled");
    assert!(view["recalled_at"].is_string());
    assert_eq!(alice.balance_fen().await, 100_000);
    // Not after a claim (window mode).
    let id = alice.lucky("family", "30.00", 3, "r2").await["id"]
        .as_u64()
        .unwrap();
    bob.claim(id).await.ok();
    alice.recall(id).await.err(409, "recall_has_claims");
    // Not after the window.
    let id = alice.lucky("family", "30.00", 3, "r3").await["id"]
        .as_u64()
        .unwrap();
    alice.advance(121).await;
    alice.recall(id).await.err(409, "recall_window_closed");
    let ledger = alice.ledger().await;
    assert_eq!(ledger[ledger.len() - 3]["kind"], "refund_recall");
    check_books(&s).await;
    s.stop().await;
}
on_both!(recall_rules, super::recall_rules);

async fn expiry_refunds_on_access_and_by_the_sweeper(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let a = alice.lucky("family", "10.00", 4, "e1").await["id"]
        .as_u64()
        .unwrap();
    let b = alice.lucky("family", "20.00", 2, "e2").await["id"]
        .as_u64()
        .unwrap();
    let share = fen(&bob.claim(a).await.ok()["amount"]);
    alice.advance(24 * 3600 + 1).await;
    // On access: the claim finds it expired.
    bob.claim(a).await.ok(); // bob already has his share
    s.login("carol").await.claim(a).await.err(409, "expired");
    let view = bob.packet(a).await.ok();
    assert_eq!(view["state"], "expired");
    assert_eq!(fen(&view["refund"]), 1_000 - share);
    // The sweeper refunds the other without anyone looking.
    // (a bound that only catches a hang: the sweeper's pace is not under test)
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let p = s.server.store.packet(b).await.unwrap().unwrap();
        if p.state == hongbao_engine::PacketState::Expired {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sweeper expires it"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(alice.balance_fen().await, 100_000 - share);
    let refunds = alice
        .ledger()
        .await
        .iter()
        .filter(|e| e["kind"] == "refund_expiry")
        .count();
    assert_eq!(refunds, 2);
    alice.recall(b).await.err(409, "expired");
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    expiry_refunds_on_access_and_by_the_sweeper,
    super::expiry_refunds_on_access_and_by_the_sweeper
);

async fn validation_limits_and_preview(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let send = |amount: &str, count: u32, key: &str| {
        json!({"chat_id": "family", "kind": "lucky", "total": amount, "count": count,
               "idempotency_key": key})
    };
    alice
        .send(send("1000.01", 10, "v1"))
        .await
        .err(422, "insufficient_balance");
    alice
        .send(send("200.01", 1, "v2"))
        .await
        .err(400, "limit_exceeded");
    alice
        .send(send("0.05", 10, "v3"))
        .await
        .err(400, "invalid_amount");
    alice
        .send(send("1.00", 101, "v4"))
        .await
        .err(400, "invalid_count");
    alice
        .send(send("1.00", 0, "v5"))
        .await
        .err(400, "invalid_count");
    let long = "长".repeat(51);
    alice
        .send(
            json!({"chat_id": "family", "kind": "lucky", "total": "1", "count": 1,
                     "greeting": long, "idempotency_key": "v6"}),
        )
        .await
        .err(400, "invalid_request");
    assert_eq!(alice.balance_fen().await, 100_000, "nothing was debited");
    // Preview: total and warnings, nothing sent.
    let preview = alice
        .post(
            "/api/v1/packets/preview",
            json!({"chat_id": "family", "kind": "normal", "per_share": "5.20", "count": 10}),
        )
        .await
        .ok();
    assert_eq!(preview["total"], "52.00");
    let codes: Vec<&str> = preview["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(!codes.is_empty(), "5.20 is a special amount: {preview}");
    alice
        .post("/api/v1/packets/preview", send("1000.01", 10, "p"))
        .await
        .err(422, "insufficient_balance");
    assert!(
        alice
            .get("/api/v1/chats/family/packets")
            .await
            .ok()
            .as_array()
            .unwrap()
            .is_empty()
    );
    s.stop().await;
}
on_both!(
    validation_limits_and_preview,
    super::validation_limits_and_preview
);

async fn chat_packets_and_lab_events(db: Db) {
    let s = TestServer::with_researchers(db).await.expect("a database");
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let erin = s.login("erin").await;
    let first = alice.lucky("family", "3.00", 3, "c1").await["id"]
        .as_u64()
        .unwrap();
    let second = bob.lucky("family", "4.00", 2, "c2").await["id"]
        .as_u64()
        .unwrap();
    let direct = alice
        .send(
            json!({"chat_id": "alice-bob", "kind": "personal", "amount": "1", "to": "bob",
                     "idempotency_key": "c3"}),
        )
        .await
        .ok()["id"]
        .as_u64()
        .unwrap();
    bob.claim(first).await.ok();
    let list = erin.get("/api/v1/chats/family/packets").await.ok();
    let ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [first, second], "oldest first");
    assert_eq!(list[0]["claims"][0]["username"], "bob");
    assert_eq!(list[0]["can_recall"], false, "only the sender may recall");
    let mine = alice.get("/api/v1/chats/family/packets").await.ok();
    assert_eq!(mine[1]["can_recall"], false);
    erin.get("/api/v1/chats/alice-bob/packets")
        .await
        .err(404, "not_found");
    erin.packet(direct).await.err(404, "not_found");
    assert_eq!(
        alice.get("/api/v1/chats/alice-bob/packets").await.ok()[0]["id"],
        direct
    );
    // Lab events: stored with the user and time, listed per user.
    let r = alice
        .post(
            "/api/v1/lab/events",
            json!({"type": "exposure", "variant": "B", "n": 1}),
        )
        .await;
    assert_eq!(r.status, 201);
    alice
        .post(
            "/api/v1/lab/events",
            json!({"type": "stage_entered", "stage": 2}),
        )
        .await
        .ok();
    alice
        .post("/api/v1/lab/events", json!({"variant": "B"}))
        .await
        .err(400, "invalid_request");
    alice
        .post("/api/v1/lab/events", json!({"type": 5}))
        .await
        .err(400, "invalid_request");
    alice
        .post("/api/v1/lab/events", json!(["type"]))
        .await
        .err(400, "invalid_request");
    // A batch, as the widget sends them.
    let batch = alice
        .post(
            "/api/v1/lab/events",
            json!([{"type": "send", "experiment": "e", "variant": "A", "participant": "p1",
                    "at": "2026-05-20T12:00:00.000Z", "ms": 900},
                   {"type": "cancel", "experiment": "e", "variant": "A", "participant": "p1",
                    "at": "2026-05-20T12:00:01.000Z"}]),
        )
        .await;
    assert_eq!(batch.status, 201);
    assert_eq!(batch.body["ids"].as_array().unwrap().len(), 2);
    alice
        .post("/api/v1/lab/events", json!([]))
        .await
        .err(400, "invalid_request");
    alice
        .post(
            "/api/v1/lab/events",
            json!([{"type": "ok"}, {"no": "type"}]),
        )
        .await
        .err(400, "invalid_request");
    let events = alice.get("/api/v1/lab/events").await.ok();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 4);
    assert_eq!(
        (&events[0]["type"], &events[0]["variant"], &events[0]["n"]),
        (&json!("exposure"), &json!("B"), &json!(1))
    );
    assert_eq!(events[0]["username"], "alice");
    assert!(events[0]["received_at"].as_str().unwrap().contains('T'));
    assert_eq!(
        events[2]["at"], "2026-05-20T12:00:00.000Z",
        "the event's own time is kept"
    );
    let parsed: Vec<hongbao_api::LabEvent> =
        serde_json::from_value(json!(events[2..])).expect("the widget's LabEvent reads them back");
    assert_eq!(parsed[1].kind, "cancel");
    // Everyone's events: researchers only (a new account with its own password, and a
    // demo user named as one, who keeps the demo's password).
    bob.get("/api/v1/lab/events?all=true")
        .await
        .err(403, "forbidden");
    let mut rita = s.client();
    rita.login_with(RESEARCHER.0, RESEARCHER.1).await;
    let all = rita.get("/api/v1/lab/events?all=true").await.ok();
    assert_eq!(
        all.as_array().unwrap().len(),
        4,
        "the lab's export: everyone's events"
    );
    let dave = s.login("dave").await;
    assert_eq!(
        dave.get("/api/v1/lab/events?all=true").await.ok(),
        all,
        "a demo user named as a researcher"
    );
    s.client()
        .post(
            "/api/v1/login",
            json!({"username": RESEARCHER.0, "password": "hongbao"}),
        )
        .await
        .err(401, "unauthorized");
    assert_eq!(
        rita.get("/api/v1/me").await.ok()["balance"],
        "0.00",
        "a researcher's account holds no money"
    );
    // The caller and the server's time, never the body's: an event naming them is refused
    // (nothing of its batch is stored).
    for field in ["username", "received_at", "id"] {
        let r = alice
            .post(
                "/api/v1/lab/events",
                json!([{"type": "ok"}, {"type": "send", field: "bob"}]),
            )
            .await;
        assert_eq!(r.status, 400, "{field}");
        assert_eq!(r.body["error"]["code"], "invalid_request");
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(field) && message.contains("set by the server"),
            "{message}"
        );
    }
    assert_eq!(
        rita.get("/api/v1/lab/events?all=true").await.ok(),
        all,
        "nothing stored"
    );
    let before = hongbao_server::clock::Clock::now(&*s.server.clock);
    alice
        .post(
            "/api/v1/lab/events",
            json!({"type": "send", "participant": "p9", "at": "2000-01-01T00:00:00.000Z"}),
        )
        .await
        .ok();
    let all = rita.get("/api/v1/lab/events?all=true").await.ok();
    let last = all.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["username"], "alice");
    assert_eq!(
        last["at"], "2000-01-01T00:00:00.000Z",
        "the client's own time, as sent"
    );
    let received = hongbao_api::time::parse(last["received_at"].as_str().unwrap()).unwrap();
    assert!(received >= before, "{received} is the server's time");
    bob.get("/api/v1/lab/events?all=maybe")
        .await
        .err(400, "invalid_request");
    assert!(
        bob.get("/api/v1/lab/events")
            .await
            .ok()
            .as_array()
            .unwrap()
            .is_empty()
    );
    s.stop().await;
}
on_both!(
    chat_packets_and_lab_events,
    super::chat_packets_and_lab_events
);

async fn live_updates(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let mut events = open_events(&bob, "family").await;
    let id = alice.lucky("family", "2.00", 2, "l1").await["id"]
        .as_u64()
        .unwrap();
    // An event of another chat is not delivered to this stream.
    alice
        .send(
            json!({"chat_id": "alice-bob", "kind": "personal", "amount": "1", "to": "bob",
                     "idempotency_key": "l2"}),
        )
        .await
        .ok();
    bob.claim(id).await.ok();
    let id2 = alice.lucky("family", "2.00", 2, "l3").await["id"]
        .as_u64()
        .unwrap();
    alice.recall(id2).await.ok();
    let got = read_events(&mut events, 4).await;
    assert_eq!(
        got,
        [
            json!({"type": "packet_sent", "chat_id": "family", "packet_id": id}),
            json!({"type": "packet_claimed", "chat_id": "family", "packet_id": id, "username": "bob"}),
            json!({"type": "packet_sent", "chat_id": "family", "packet_id": id2}),
            json!({"type": "packet_recalled", "chat_id": "family", "packet_id": id2}),
        ]
    );
    // EventSource cannot send headers: it opens the stream with a single-use ticket; the
    // token in the URL is not accepted, a ticket works once, and only for its chat.
    let token = bob.token.clone().unwrap();
    let open = |query: String| {
        let http = bob.http.clone();
        let url = format!("{}/api/v1/chats/family/events?{query}", s.url);
        async move { http.get(url).send().await.unwrap().status() }
    };
    assert_eq!(open(format!("access_token={token}")).await, 401);
    let ticket = bob
        .post_empty("/api/v1/chats/family/events/ticket")
        .await
        .ok();
    let ticket = ticket["ticket"].as_str().unwrap().to_owned();
    assert_eq!(open(format!("ticket={ticket}")).await, 200);
    assert_eq!(open(format!("ticket={ticket}")).await, 401, "single use");
    assert_eq!(open("ticket=abc".into()).await, 401);
    let other = bob
        .post_empty("/api/v1/chats/alice-bob/events/ticket")
        .await
        .ok();
    assert_eq!(
        open(format!("ticket={}", other["ticket"].as_str().unwrap())).await,
        401,
        "a ticket opens its own chat's stream only"
    );
    s.login("erin")
        .await
        .get("/api/v1/chats/alice-bob/events")
        .await
        .err(404, "not_found");
    s.stop().await;
}
on_both!(live_updates, super::live_updates);

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let s = server(Db::Sqlite).await;
    let doc = s.client().get("/api/v1/openapi.json").await.ok();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/login",
        "/api/v1/me",
        "/api/v1/chats",
        "/api/v1/chats/{id}/packets",
        "/api/v1/chats/{id}/events",
        "/api/v1/packets",
        "/api/v1/packets/preview",
        "/api/v1/packets/{id}",
        "/api/v1/packets/{id}/claim",
        "/api/v1/packets/{id}/recall",
        "/api/v1/ledger",
        "/api/v1/lab/events",
        "/api/v1/lab/events/ticket",
        "/api/v1/lab/events/stream",
        "/api/v1/lab/results",
        "/api/v1/test/clock",
        "/api/v1/logout",
        "/api/v1/chats/{id}/events/ticket",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    // Money is documented as a string.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["PacketView"]["properties"]["total"]["type"],
        "string"
    );
    // A new packet is one object per kind, its money a string.
    let kinds = schemas["NewPacket"]["oneOf"]
        .as_array()
        .expect("one schema per kind");
    let money = |kind: &str, field: &str| {
        kinds
            .iter()
            .find(|k| k["properties"]["kind"]["enum"][0] == kind)
            .unwrap_or_else(|| panic!("a {kind} schema in {kinds:?}"))["properties"][field]["type"]
            .clone()
    };
    assert_eq!(money("lucky", "total"), "string");
    assert_eq!(money("normal", "per_share"), "string");
    assert_eq!(money("personal", "amount"), "string");
    assert_eq!(money("exclusive", "amount"), "string");
    assert_eq!(
        schemas["ApiError"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    s.stop().await;
}

#[tokio::test]
async fn test_clock_exists_only_with_the_flag() {
    let s = TestServer::start(Db::Sqlite, |c| c.test_clock = false)
        .await
        .unwrap();
    let alice = s.login("alice").await;
    alice
        .post("/api/v1/test/clock", json!({"advance_seconds": 10}))
        .await
        .err(404, "not_found");
    s.stop().await;
    let s = server(Db::Sqlite).await;
    let alice = s.login("alice").await;
    let before = alice.get("/api/v1/me").await; // warm
    assert_eq!(before.status, 200);
    let now = alice
        .post("/api/v1/test/clock", json!({"advance_seconds": 3600}))
        .await
        .ok();
    let t = hongbao_api::time::parse(now["now"].as_str().unwrap()).unwrap();
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(t.millis() > system + 3_500_000, "the clock moved an hour");
    alice
        .post("/api/v1/test/clock", json!({"advance_seconds": -5}))
        .await
        .err(400, "invalid_request");
    s.client()
        .post("/api/v1/test/clock", json!({"advance_seconds": 5}))
        .await
        .err(401, "unauthorized");
    s.stop().await;
}

#[tokio::test]
async fn security_headers_csp_and_cors() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><script type=\"module\">import init from '/w.js'; await init();</script>",
    )
    .unwrap();
    std::fs::write(
        dist.path().join("w.js"),
        "export default async function () {}",
    )
    .unwrap();
    let dir = dist.path().to_path_buf();
    let s = TestServer::start(Db::Sqlite, move |c| c.static_dir = Some(dir))
        .await
        .unwrap();
    let http = common::http_client();
    let page = http.get(format!("{}/", s.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "style-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"));
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    // The served page starts the widget on the HTTP backend (this server).
    let body = page.text().await.unwrap();
    assert!(
        body.starts_with(r#"<meta name="hongbao-settings" content="backend=http">"#),
        "{body}"
    );
    assert!(body.contains("import init from '/w.js'"));
    let again = http
        .get(format!("{}/index.html", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(again.text().await.unwrap(), body);
    let js = http.get(format!("{}/w.js", s.url)).send().await.unwrap();
    assert_eq!(js.status(), 200);
    // The API: no CORS unless configured.
    let api = http
        .get(format!("{}/api/v1/openapi.json", s.url))
        .header("origin", "https://example.com")
        .send()
        .await
        .unwrap();
    assert!(api.headers().get("access-control-allow-origin").is_none());
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert_eq!(api.headers()["cache-control"], "no-store");
    s.stop().await;

    let s = TestServer::start(Db::Sqlite, |c| {
        c.cors_origins = vec!["https://docs.example.com".into()]
    })
    .await
    .unwrap();
    let pre = http
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/me", s.url))
        .header("origin", "https://docs.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "https://docs.example.com"
    );
    let other = http
        .get(format!("{}/api/v1/openapi.json", s.url))
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    s.stop().await;
}

#[tokio::test]
async fn policy_file_and_no_demo() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"recall": {"mode": "remainder", "window_secs": 60}, "max_count": 20}"#,
    )
    .unwrap();
    let s = TestServer::start(Db::Sqlite, move |c| c.policy = Some(policy))
        .await
        .unwrap();
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let p = alice
        .send(
            json!({"chat_id": "family", "kind": "normal", "per_share": "1.00", "count": 5,
                     "idempotency_key": "rem"}),
        )
        .await
        .ok();
    assert_eq!(p["recall_mode"], "remainder");
    let id = p["id"].as_u64().unwrap();
    bob.claim(id).await.ok();
    // Remainder mode: the unclaimed part comes back, bob's share stands.
    assert_eq!(alice.recall(id).await.ok()["refund"], "4.00");
    alice
        .send(
            json!({"chat_id": "family", "kind": "lucky", "total": "21.00", "count": 21,
                     "idempotency_key": "many"}),
        )
        .await
        .err(400, "invalid_count");
    check_books(&s).await;
    s.stop().await;

    let s = TestServer::start(Db::Sqlite, |c| c.no_demo = true)
        .await
        .unwrap();
    s.client()
        .post(
            "/api/v1/login",
            json!({"username": "alice", "password": "hongbao"}),
        )
        .await
        .err(401, "unauthorized");
    s.stop().await;
}

#[tokio::test]
async fn one_process_per_sqlite_file() {
    let s = TestServer::start(Db::Sqlite, |_| {}).await.unwrap();
    let second = hongbao_server::start(hongbao_server::Config::for_database(&s.database_url)).await;
    let err = second
        .err()
        .expect("a second server on the same file is refused");
    assert!(
        format!("{err:#}").contains("one process per SQLite file"),
        "{err:#}"
    );
    s.stop().await;
}

/// What remains of an open packet is its total less its claims, also when the packet is
/// read back from the database after a restart (SQLite's writer does not rewrite a packet's
/// row for a claim that leaves it open).
async fn remaining_survives_a_restart(db: Db) {
    let s = server(db).await;
    let alice = s.login("alice").await;
    let lucky = alice.lucky("family", "10.00", 4, "restart-lucky").await;
    let id = lucky["id"].as_u64().unwrap();
    let mut claimed = 0;
    for user in ["bob", "carol"] {
        claimed += fen(&s.login(user).await.claim(id).await.ok()["amount"]);
    }
    let before = alice.packet(id).await.ok();
    assert_eq!(fen(&before["remaining"]), 1000 - claimed);
    assert_eq!(before["state"], "open");

    let s = s.restart().await;
    let alice = s.login("alice").await;
    let after = alice.packet(id).await.ok();
    assert_eq!(after["remaining"], before["remaining"]);
    assert_eq!(after["claimed_count"], 2);
    // Claims go on from there, and the last one finishes the packet with the right total.
    for user in ["dave", "erin"] {
        claimed += fen(&s.login(user).await.claim(id).await.ok()["amount"]);
    }
    let done = alice.packet(id).await.ok();
    assert_eq!(done["state"], "claimed_out");
    assert_eq!(fen(&done["remaining"]), 0);
    assert_eq!(claimed, 1000);
    let s = s.restart().await;
    let done_again = s.login("alice").await.packet(id).await.ok();
    assert_eq!(done_again["remaining"], done["remaining"]);
    assert_eq!(done_again["claims"], done["claims"]);
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    remaining_survives_a_restart,
    super::remaining_survives_a_restart
);
