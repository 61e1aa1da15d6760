//! Malformed requests (the right 4xx, never a 5xx, nothing changed) and the authorization
//! matrix (every endpoint without a token and as the wrong user).

mod common;

use common::{Client, Db, TestServer, check_books};
use serde_json::{Value, json};

/// Everything a user can observe, to compare before and after.
async fn observe(s: &TestServer) -> Vec<Value> {
    let mut out = Vec::new();
    for user in hongbao_api::demo::DEMO_USERS {
        let c = s.login(user).await;
        out.push(c.me().await);
        out.push(Value::Array(c.ledger().await));
        out.push(c.get("/api/v1/lab/events").await.ok());
    }
    let alice = s.login("alice").await;
    for chat in ["family", "alice-bob", "alice-carol", "alice-dave"] {
        out.push(
            alice
                .get(&format!("/api/v1/chats/{chat}/packets"))
                .await
                .ok(),
        );
    }
    out
}

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    auth: Auth,
    status: u16,
    code: &'static str,
}

#[derive(Clone, Copy)]
enum Auth {
    Alice,
    Header(&'static str),
}

fn case(
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: &str,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        name,
        method,
        path,
        content_type: Some("application/json"),
        body: body.as_bytes().to_vec(),
        auth: Auth::Alice,
        status,
        code,
    }
}

fn packet(fields: &str) -> String {
    format!(
        "{{\"chat_id\":\"family\",\"kind\":\"lucky\",\"count\":2,\"greeting\":\"g\",\"idempotency_key\":\"bad\",{fields}}}"
    )
}

fn cases() -> Vec<Case> {
    let p = |name, fields: &str, status, code| {
        let mut c = case(name, "POST", "/api/v1/packets", "", status, code);
        c.body = packet(fields).into_bytes();
        c
    };
    let raw =
        |name, body: &str, status, code| case(name, "POST", "/api/v1/packets", body, status, code);
    let long_key = format!(
        "\"total\":\"1.00\",\"idempotency_key\":\"{}\"",
        "k".repeat(129)
    );
    let long_greeting = format!("\"total\":\"1.00\",\"greeting\":\"{}\"", "x".repeat(51));
    let huge = format!("{{\"type\":\"x\",\"pad\":\"{}\"}}", "x".repeat(300_000));
    let huge_packet = packet(&format!(
        "\"total\":\"1.00\",\"pad\":\"{}\"",
        "x".repeat(20_000)
    ));
    let mut cases = vec![
        // login
        case(
            "login: bad JSON",
            "POST",
            "/api/v1/login",
            "{",
            400,
            "invalid_request",
        ),
        case(
            "login: missing password",
            "POST",
            "/api/v1/login",
            r#"{"username":"alice"}"#,
            400,
            "invalid_request",
        ),
        case(
            "login: wrong types",
            "POST",
            "/api/v1/login",
            r#"{"username":1,"password":2}"#,
            400,
            "invalid_request",
        ),
        case(
            "login: empty body",
            "POST",
            "/api/v1/login",
            "",
            400,
            "invalid_request",
        ),
        case(
            "login: array",
            "POST",
            "/api/v1/login",
            "[]",
            400,
            "invalid_request",
        ),
        case(
            "login: huge name",
            "POST",
            "/api/v1/login",
            &format!(
                "{{\"username\":\"{}\",\"password\":\"x\"}}",
                "a".repeat(500)
            ),
            400,
            "too_long",
        ),
        // send: shapes
        raw("send: bad JSON", r#"{"chat_id":"#, 400, "invalid_request"),
        raw("send: array", "[]", 400, "invalid_request"),
        raw("send: string", "\"lucky\"", 400, "invalid_request"),
        raw("send: null", "null", 400, "invalid_request"),
        raw(
            "send: trailing garbage",
            &format!("{} x", packet("\"total\":\"1.00\"")),
            400,
            "invalid_request",
        ),
        // amounts
        p(
            "amount: JSON number",
            "\"total\":18.8",
            400,
            "invalid_amount",
        ),
        p(
            "amount: JSON integer",
            "\"total\":18",
            400,
            "invalid_amount",
        ),
        p(
            "amount: negative",
            "\"total\":\"-1.00\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: negative fen",
            "\"total\":\"-0.01\"",
            400,
            "invalid_amount",
        ),
        p("amount: zero", "\"total\":\"0\"", 400, "invalid_amount"),
        p(
            "amount: zero fen",
            "\"total\":\"0.00\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: three decimals",
            "\"total\":\"1.234\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: exponent",
            "\"total\":\"1e3\"",
            400,
            "invalid_amount",
        ),
        p("amount: NaN", "\"total\":\"NaN\"", 400, "invalid_amount"),
        p(
            "amount: Infinity",
            "\"total\":\"Infinity\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: overflows",
            "\"total\":\"99999999999999999999999\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: huge",
            "\"total\":\"100000000.00\"",
            400,
            "limit_exceeded",
        ),
        p(
            "amount: letters",
            "\"total\":\"abc\"",
            400,
            "invalid_amount",
        ),
        p("amount: empty", "\"total\":\"\"", 400, "invalid_amount"),
        p(
            "amount: spaces",
            "\"total\":\" 1.00\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: grouping",
            "\"total\":\"1,000\"",
            400,
            "invalid_amount",
        ),
        p(
            "amount: currency sign",
            "\"total\":\"¥20\"",
            400,
            "invalid_amount",
        ),
        p("amount: null", "\"total\":null", 400, "invalid_amount"),
        p("amount: boolean", "\"total\":true", 400, "invalid_amount"),
        p(
            "amount: object",
            "\"total\":{\"fen\":100}",
            400,
            "invalid_amount",
        ),
        p("amount: hex", "\"total\":\"0x10\"", 400, "invalid_amount"),
        raw(
            "amount: missing",
            r#"{"chat_id":"family","kind":"lucky","count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_amount",
        ),
        // counts
        raw(
            "count: string",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":"3","idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: negative",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":-1,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: fraction",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":1.5,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: zero",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":0,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: above 100",
            r#"{"chat_id":"family","kind":"lucky","total":"1.01","count":101,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: above u32",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":4294967296,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: float exponent",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":1e20,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "count: null",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":null,"idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        // kinds and other fields
        raw(
            "kind: unknown",
            r#"{"chat_id":"family","kind":"mega","amount":"1.00","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "kind: missing",
            r#"{"chat_id":"family","amount":"1.00","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "kind: number",
            r#"{"chat_id":"family","kind":1,"amount":"1.00","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "kind: upper case",
            r#"{"chat_id":"family","kind":"LUCKY","amount":"1.00","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "chat: missing",
            r#"{"kind":"lucky","total":"1.00","count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "chat: number",
            r#"{"chat_id":7,"kind":"lucky","total":"1.00","count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "chat: unknown",
            r#"{"chat_id":"nope","kind":"lucky","total":"1.00","count":2,"idempotency_key":"bad"}"#,
            404,
            "not_found",
        ),
        raw(
            "key: missing",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":2}"#,
            400,
            "invalid_request",
        ),
        raw(
            "key: empty",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":2,"idempotency_key":""}"#,
            400,
            "invalid_request",
        ),
        raw(
            "key: too long",
            &format!(r#"{{"chat_id":"family","kind":"lucky","count":2,{long_key}}}"#),
            400,
            "invalid_request",
        ),
        p(
            "greeting: number",
            "\"total\":\"1.00\",\"greeting\":5",
            400,
            "invalid_request",
        ),
        raw(
            "greeting: too long",
            &format!(
                r#"{{"chat_id":"family","kind":"lucky","count":2,"idempotency_key":"bad",{long_greeting}}}"#
            ),
            400,
            "invalid_request",
        ),
        raw(
            "recipient: number",
            r#"{"chat_id":"family","kind":"exclusive","amount":"1.00","to":3,"idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "recipient: self",
            r#"{"chat_id":"family","kind":"exclusive","amount":"1.00","to":"alice","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        p(
            "split: unknown",
            "\"total\":\"1.00\",\"split\":\"random\"",
            400,
            "invalid_request",
        ),
        // kinds: each has its own fields
        raw(
            "normal: per_share a number",
            r#"{"chat_id":"family","kind":"normal","per_share":1,"count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_amount",
        ),
        raw(
            "normal: total instead of per_share",
            r#"{"chat_id":"family","kind":"normal","total":"2.00","count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_amount",
        ),
        raw(
            "normal: count missing",
            r#"{"chat_id":"family","kind":"normal","per_share":"1.00","idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "lucky: a field of another kind",
            r#"{"chat_id":"family","kind":"lucky","total":"1.00","count":2,"to":"bob","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "exclusive: amount a number",
            r#"{"chat_id":"family","kind":"exclusive","to":"bob","amount":1,"idempotency_key":"bad"}"#,
            400,
            "invalid_amount",
        ),
        raw(
            "exclusive: a count",
            r#"{"chat_id":"family","kind":"exclusive","to":"bob","amount":"1.00","count":1,"idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "personal: recipient missing",
            r#"{"chat_id":"alice-bob","kind":"personal","amount":"1.00","idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        // the first release's shape: read as today's, with the same codes
        raw(
            "first release: amount a number",
            r#"{"chat_id":"family","kind":"lucky","amount":18.8,"count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_amount",
        ),
        raw(
            "first release: count a string",
            r#"{"chat_id":"family","kind":"lucky","amount":"1.00","count":"3","idempotency_key":"bad"}"#,
            400,
            "invalid_count",
        ),
        raw(
            "first release: recipient a number",
            r#"{"chat_id":"family","kind":"exclusive","amount":"1.00","recipient":3,"idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        raw(
            "first release: mixed with today's fields",
            r#"{"chat_id":"family","kind":"lucky","amount":"1.00","total":"1.00","count":2,"idempotency_key":"bad"}"#,
            400,
            "invalid_request",
        ),
        // preview
        case(
            "preview: number amount",
            "POST",
            "/api/v1/packets/preview",
            r#"{"chat_id":"family","kind":"lucky","total":1,"count":1}"#,
            400,
            "invalid_amount",
        ),
        case(
            "preview: number amount (first release)",
            "POST",
            "/api/v1/packets/preview",
            r#"{"chat_id":"family","kind":"lucky","amount":1,"count":1}"#,
            400,
            "invalid_amount",
        ),
        case(
            "preview: bad JSON",
            "POST",
            "/api/v1/packets/preview",
            "{{",
            400,
            "invalid_request",
        ),
        // packet paths
        case(
            "packet: letters",
            "GET",
            "/api/v1/packets/abc",
            "",
            404,
            "not_found",
        ),
        case(
            "packet: negative",
            "GET",
            "/api/v1/packets/-1",
            "",
            404,
            "not_found",
        ),
        case(
            "packet: zero",
            "GET",
            "/api/v1/packets/0",
            "",
            404,
            "not_found",
        ),
        case(
            "packet: overflow",
            "GET",
            "/api/v1/packets/99999999999999999999",
            "",
            404,
            "not_found",
        ),
        case(
            "packet: missing",
            "GET",
            "/api/v1/packets/424242",
            "",
            404,
            "not_found",
        ),
        case(
            "claim: letters",
            "POST",
            "/api/v1/packets/abc/claim",
            "",
            404,
            "not_found",
        ),
        case(
            "claim: missing",
            "POST",
            "/api/v1/packets/999/claim",
            "",
            404,
            "not_found",
        ),
        case(
            "recall: missing",
            "POST",
            "/api/v1/packets/999/recall",
            "",
            404,
            "not_found",
        ),
        case(
            "recall: bad JSON",
            "POST",
            "/api/v1/packets/1/recall",
            "{",
            400,
            "invalid_request",
        ),
        case(
            "recall: wrong type",
            "POST",
            "/api/v1/packets/1/recall",
            r#"{"authorized":"yes"}"#,
            400,
            "invalid_request",
        ),
        // lab events
        case(
            "lab: bad JSON",
            "POST",
            "/api/v1/lab/events",
            "{\"type\":",
            400,
            "invalid_request",
        ),
        case(
            "lab: no type",
            "POST",
            "/api/v1/lab/events",
            r#"{"variant":"B"}"#,
            400,
            "invalid_request",
        ),
        case(
            "lab: empty type",
            "POST",
            "/api/v1/lab/events",
            r#"{"type":" "}"#,
            400,
            "invalid_request",
        ),
        case(
            "lab: long type",
            "POST",
            "/api/v1/lab/events",
            &format!("{{\"type\":\"{}\"}}", "t".repeat(65)),
            400,
            "invalid_request",
        ),
        case(
            "lab: oversize",
            "POST",
            "/api/v1/lab/events",
            &huge,
            413,
            "invalid_request",
        ),
        // clock
        case(
            "clock: string",
            "POST",
            "/api/v1/test/clock",
            r#"{"advance_seconds":"10"}"#,
            400,
            "invalid_request",
        ),
        case(
            "clock: negative",
            "POST",
            "/api/v1/test/clock",
            r#"{"advance_seconds":-1}"#,
            400,
            "invalid_request",
        ),
        case(
            "clock: missing",
            "POST",
            "/api/v1/test/clock",
            "{}",
            400,
            "invalid_request",
        ),
        case(
            "clock: absurd",
            "POST",
            "/api/v1/test/clock",
            r#"{"advance_seconds":99999999999}"#,
            400,
            "invalid_request",
        ),
        // routing
        case(
            "unknown endpoint",
            "GET",
            "/api/v1/nope",
            "",
            404,
            "not_found",
        ),
        case(
            "wrong method",
            "DELETE",
            "/api/v1/packets/1",
            "",
            405,
            "invalid_request",
        ),
        case(
            "GET login",
            "GET",
            "/api/v1/login",
            "",
            405,
            "invalid_request",
        ),
    ];
    let mut oversize = raw("send: oversize body", "", 413, "invalid_request");
    oversize.body = huge_packet.into_bytes();
    cases.push(oversize);
    for (name, ct) in [
        ("send: text/plain", Some("text/plain")),
        ("send: form", Some("application/x-www-form-urlencoded")),
        ("send: no content type", None),
    ] {
        let mut c = raw(name, "", 415, "invalid_request");
        c.body = packet("\"total\":\"1.00\"").into_bytes();
        c.content_type = ct;
        cases.push(c);
    }
    let mut c = case(
        "recall: text body",
        "POST",
        "/api/v1/packets/1/recall",
        "x",
        415,
        "invalid_request",
    );
    c.content_type = Some("text/plain");
    cases.push(c);
    let mut c = case(
        "login: text/plain",
        "POST",
        "/api/v1/login",
        r#"{"username":"alice","password":"hongbao"}"#,
        415,
        "invalid_request",
    );
    c.content_type = Some("text/plain");
    cases.push(c);
    for (name, header) in [
        ("token: none", ""),
        ("token: empty bearer", "Bearer "),
        ("token: short", "Bearer abc"),
        ("token: basic", "Basic YWxpY2U6aG9uZ2Jhbw=="),
        (
            "token: unknown",
            "Bearer 0000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "token: too long",
            "Bearer 00000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "token: not hex",
            "Bearer zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        ),
    ] {
        let mut c = case(name, "POST", "/api/v1/packets", "", 401, "unauthorized");
        c.body = packet("\"total\":\"1.00\"").into_bytes();
        c.auth = Auth::Header(header);
        cases.push(c);
    }
    cases
}

async fn malformed_requests_change_nothing(db: Db) {
    let s = TestServer::start(db, |_| {}).await.expect("a database");
    let alice = s.login("alice").await;
    // Something to claim and recall.
    alice.lucky("family", "10.00", 5, "setup").await;
    s.login("bob").await.claim(1).await.ok();
    let before = observe(&s).await;
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let http = common::http_client();
    let token = alice.token.clone().unwrap();
    for c in &cases {
        let method: reqwest::Method = c.method.parse().unwrap();
        let mut r = http
            .request(method, format!("{}{}", s.url, c.path))
            .body(c.body.clone());
        if let Some(ct) = c.content_type {
            r = r.header("content-type", ct);
        }
        r = match c.auth {
            Auth::Alice => r.bearer_auth(&token),
            Auth::Header("") => r,
            Auth::Header(h) => r.header("authorization", h),
        };
        let res = Client::send_req(r).await;
        res.refused(c.name, c.status, c.code);
    }
    assert_eq!(observe(&s).await, before, "nothing changed");
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    malformed_requests_change_nothing,
    super::malformed_requests_change_nothing
);

async fn authorization_matrix(db: Db) {
    let s = TestServer::start(db, |_| {}).await.expect("a database");
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let carol = s.login("carol").await;
    let family = alice.lucky("family", "10.00", 5, "a1").await["id"]
        .as_u64()
        .unwrap();
    let private = alice
        .send(
            json!({"chat_id": "alice-carol", "kind": "personal", "amount": "1.00",
                     "to": "carol", "idempotency_key": "a2"}),
        )
        .await
        .ok()["id"]
        .as_u64()
        .unwrap();
    let exclusive = alice
        .send(
            json!({"chat_id": "family", "kind": "exclusive", "amount": "1.00",
                     "to": "carol", "idempotency_key": "a3"}),
        )
        .await
        .ok()["id"]
        .as_u64()
        .unwrap();
    alice
        .post("/api/v1/lab/events", json!({"type": "secret"}))
        .await
        .ok();
    let before = observe(&s).await;

    // (method, path, body): every endpoint that needs a token.
    let send_private = json!({"chat_id": "alice-carol", "kind": "personal", "amount": "1.00",
                              "to": "carol", "idempotency_key": "b1"});
    let endpoints: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/v1/me".into(), None),
        ("GET", "/api/v1/ledger".into(), None),
        ("GET", "/api/v1/chats".into(), None),
        ("GET", "/api/v1/chats/family/packets".into(), None),
        ("GET", "/api/v1/chats/family/events".into(), None),
        ("POST", "/api/v1/packets".into(), Some(send_private.clone())),
        (
            "POST",
            "/api/v1/packets/preview".into(),
            Some(send_private.clone()),
        ),
        ("GET", format!("/api/v1/packets/{family}"), None),
        ("POST", format!("/api/v1/packets/{family}/claim"), None),
        ("POST", format!("/api/v1/packets/{family}/recall"), None),
        ("GET", "/api/v1/lab/events".into(), None),
        (
            "POST",
            "/api/v1/lab/events".into(),
            Some(json!({"type": "x"})),
        ),
        (
            "POST",
            "/api/v1/test/clock".into(),
            Some(json!({"advance_seconds": 1})),
        ),
    ];
    let anon = s.client();
    for (method, path, body) in &endpoints {
        let mut r = anon
            .http
            .request(method.parse().unwrap(), format!("{}{path}", s.url));
        if let Some(b) = body {
            r = r.json(b);
        }
        Client::send_req(r).await.err(401, "unauthorized");
    }
    assert_eq!(observe(&s).await, before, "nothing changed without a token");

    // The wrong user: bob is not in alice-carol, is not the sender, is not carol.
    type Wrong<'a> = (Client, &'a str, String, Option<Value>, u16, &'a str);
    let wrong: Vec<Wrong> = vec![
        (
            bob.clone(),
            "GET",
            "/api/v1/chats/alice-carol/packets".into(),
            None,
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "GET",
            "/api/v1/chats/alice-carol/events".into(),
            None,
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "POST",
            "/api/v1/packets".into(),
            Some(send_private.clone()),
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "POST",
            "/api/v1/packets/preview".into(),
            Some(send_private.clone()),
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "GET",
            format!("/api/v1/packets/{private}"),
            None,
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "POST",
            format!("/api/v1/packets/{private}/claim"),
            None,
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "POST",
            format!("/api/v1/packets/{private}/recall"),
            None,
            404,
            "not_found",
        ),
        (
            bob.clone(),
            "POST",
            format!("/api/v1/packets/{family}/recall"),
            None,
            403,
            "recall_forbidden",
        ),
        (
            carol.clone(),
            "POST",
            format!("/api/v1/packets/{private}/recall"),
            None,
            403,
            "recall_forbidden",
        ),
        (
            bob.clone(),
            "POST",
            format!("/api/v1/packets/{exclusive}/claim"),
            None,
            403,
            "not_for_you",
        ),
        (
            alice.clone(),
            "POST",
            format!("/api/v1/packets/{exclusive}/claim"),
            None,
            403,
            "not_for_you",
        ),
        (
            alice.clone(),
            "POST",
            format!("/api/v1/packets/{private}/claim"),
            None,
            403,
            "not_for_you",
        ),
        (
            bob.clone(),
            "POST",
            "/api/v1/packets".into(),
            Some(
                json!({"chat_id": "family", "kind": "exclusive", "amount": "1.00", "to": "bob",
                     "idempotency_key": "b2"}),
            ),
            400,
            "invalid_request",
        ),
    ];
    for (c, method, path, body, status, code) in wrong {
        let mut r = c
            .http
            .request(method.parse().unwrap(), format!("{}{path}", s.url))
            .bearer_auth(c.token.as_deref().unwrap());
        if let Some(b) = &body {
            r = r.json(b);
        }
        let res = Client::send_req(r).await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (status, code),
            "{} {path} as {}: {res:?}",
            method,
            c.user
        );
    }
    assert_eq!(
        observe(&s).await,
        before,
        "nothing changed for the wrong user"
    );

    // Own wallet, ledger and lab events only.
    assert_eq!(bob.me().await["username"], "bob");
    let bob_ledger = bob.ledger().await;
    assert_eq!(bob_ledger.len(), 1, "only bob's grant: {bob_ledger:?}");
    assert!(
        bob.get("/api/v1/lab/events")
            .await
            .ok()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let bob_chats = bob.get("/api/v1/chats").await.ok();
    assert!(
        bob_chats.as_array().unwrap().iter().all(|c| c["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "bob"))
    );
    // The right users can.
    carol.claim(private).await.ok();
    carol.claim(exclusive).await.ok();
    check_books(&s).await;
    s.stop().await;
}
on_both!(authorization_matrix, super::authorization_matrix);
