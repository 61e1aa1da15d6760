//! A property-based HTTP fuzz test (issue 15, item 8): requests generated from the server's
//! own OpenAPI document (every operation, its path parameters and its JSON body built from
//! the body's schema), then mutated (wrong types, missing and extra fields, long strings,
//! control characters, odd encodings, bodies that are not JSON, bad tokens). On SQLite and
//! PostgreSQL: no answer is a 5xx, every error is the API's error body, and the books
//! balance after every batch.
//!
//! `HONGBAO_FUZZ_CASES` sets the number of batches (of 100 requests each; default 30).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Db, TestServer, check_books_at};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

/// Requests per batch (one proptest case).
const BATCH: usize = 100;

/// One operation of the document.
#[derive(Clone, Debug)]
struct Op {
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
}

/// The operations of the OpenAPI document, except the test-only ones (the clock would move
/// the sessions out of their lifetime) and logout (it would end the fuzzer's sessions; it
/// is fuzzed without a token).
fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if path.starts_with("/api/v1/test/") {
            continue;
        }
        for (method, op) in item.as_object().expect("a path item") {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let body = op["requestBody"]["content"]["application/json"]["schema"].clone();
            ops.push(Op {
                method,
                path: path.clone(),
                body: (!body.is_null()).then_some(body),
            });
        }
    }
    ops.sort_by(|a, b| (&a.path, a.method.as_str()).cmp(&(&b.path, b.method.as_str())));
    ops
}

/// A small deterministic random source (splitmix64) for the interpreter of a case's seed.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, in_100: u64) -> bool {
        self.next() % 100 < in_100
    }
}

const CHATS: [&str; 6] = [
    "family",
    "alice-bob",
    "alice-carol",
    "bob-carol",
    "crowd",
    "nope",
];
/// Study keys: the shipped study's (which the fuzzer's researcher saves, changes and
/// deletes) and others.
const STUDIES: [&str; 4] = ["send-basics", "other", "Zeta", "k-k_k"];
/// The shipped study: the start of a `PUT /studies/{key}` body.
const SEND_BASICS: &str = include_str!("../../lab/studies/send-basics.json");
const USERS: [&str; 5] = ["alice", "bob", "carol", "erin", "mallory"];
const AMOUNTS: [&str; 10] = [
    "1.00",
    "0.01",
    "18.80",
    "200",
    "0",
    "-1",
    "1e3",
    "1,000.00",
    "0.001",
    "99999999999",
];

/// Strings that have broken servers: control characters, NUL, lone surrogates escaped,
/// right-to-left marks, very long text, SQL and format strings.
fn nasty(r: &mut Rand) -> String {
    let options: [&dyn Fn(&mut Rand) -> String; 12] = [
        &|_| "\0".into(),
        &|_| "a\u{0}b".into(),
        &|_| "\u{1b}[31m".into(),
        &|_| "\u{202e}evil".into(),
        &|_| "ü😀中文".into(),
        &|r| "x".repeat(1 + r.below(20_000)),
        &|_| "'; DROP TABLE users; --".into(),
        &|_| "%s%n%x".into(),
        &|_| "".into(),
        &|_| " ".into(),
        &|_| "\r\n".into(),
        &|_| "\u{feff}family".into(),
    ];
    r.pick(&options)(r)
}

/// A value of `schema` (resolving `$ref`s in `doc`), valid most of the time.
fn generate(doc: &Value, schema: &Value, r: &mut Rand, name: &str, depth: u32) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let key = reference.rsplit('/').next().unwrap_or("");
        return generate(doc, &doc["components"]["schemas"][key], r, name, depth + 1);
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(options) = schema[combinator].as_array().filter(|o| !o.is_empty()) {
            return generate(doc, r.pick(options), r, name, depth + 1);
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut out = Map::new();
        for s in all {
            if let Value::Object(m) = generate(doc, s, r, name, depth + 1) {
                out.extend(m);
            }
        }
        return Value::Object(out);
    }
    if let Some(values) = schema["enum"].as_array().filter(|v| !v.is_empty()) {
        return r.pick(values).clone();
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ if schema["properties"].is_object() => "object".into(),
        _ => "string".into(),
    };
    match ty.as_str() {
        "object" if depth < 6 => {
            let mut out = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = schema["properties"].as_object() {
                for (k, s) in props {
                    if required.contains(&k.as_str()) || r.chance(60) {
                        out.insert(k.clone(), generate(doc, s, r, k, depth + 1));
                    }
                }
            }
            Value::Object(out)
        }
        "array" if depth < 6 => {
            let n = r.below(4);
            Value::Array(
                (0..n)
                    .map(|_| generate(doc, &schema["items"], r, name, depth + 1))
                    .collect(),
            )
        }
        "integer" if name == "count" && r.chance(75) => json!(1 + r.below(10)),
        "integer" => json!(*r.pick(&[0i64, 1, 2, 3, 10, 100, 101, -1, 1_000_000, i64::MAX])),
        "number" => json!(*r.pick(&[0.0, 1.5, -2.0, 1e300])),
        "boolean" => json!(r.chance(50)),
        "null" => Value::Null,
        _ => {
            let s = match name {
                "chat_id" if r.chance(50) => "family".into(),
                "chat_id" => r.pick(&CHATS).to_string(),
                "to" | "username" | "participant" => r.pick(&USERS).to_string(),
                "password" => "hongbao".into(),
                "total" | "per_share" | "amount" if r.chance(50) => {
                    format!("{}.{:02}", 1 + r.below(20), r.below(100))
                }
                "total" | "per_share" | "amount" => r.pick(&AMOUNTS).to_string(),
                "at" => "2026-01-01T00:00:00Z".into(),
                _ if r.chance(70) => format!("k{}", r.next() % 1000),
                _ => nasty(r),
            };
            Value::String(s)
        }
    }
}

/// A random change to a JSON value: a field dropped, added or of another type, a string
/// made nasty.
fn mutate(v: &mut Value, r: &mut Rand) {
    match v {
        Value::Object(m) if !m.is_empty() && r.chance(70) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = r.pick(&keys).clone();
            match r.below(4) {
                0 => {
                    m.remove(&k);
                }
                1 => {
                    m.insert(format!("extra_{}", r.next() % 10), json!("surplus"));
                }
                2 => {
                    let other = r
                        .pick(&[
                            json!(null),
                            json!(7),
                            json!(-1.5),
                            json!(true),
                            json!([]),
                            json!({}),
                            json!("7"),
                        ])
                        .clone();
                    m.insert(k, other);
                }
                _ => mutate(m.get_mut(&k).expect("a key"), r),
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = r.below(a.len());
            mutate(&mut a[i], r);
        }
        _ => *v = Value::String(nasty(r)),
    }
}

/// A path segment for `{id}`.
fn segment(r: &mut Rand, path: &str, packets: &[u64]) -> String {
    if r.chance(75) {
        if path.contains("/chats/") {
            return r.pick(&CHATS).to_string();
        }
        if path.contains("/studies/") {
            return r.pick(&STUDIES).to_string();
        }
        if let Some(id) = packets.get(r.below(packets.len() + 1)) {
            return id.to_string();
        }
    }
    r.pick(&[
        "0".to_owned(),
        "-1".into(),
        "18446744073709551616".into(),
        "9223372036854775808".into(),
        "abc".into(),
        "%00".into(),
        "%FF%FE".into(),
        "a%2Fb".into(),
        "x".repeat(300),
        "%F0%9F%98%80".into(),
    ])
    .clone()
}

/// What one request of a case does, drawn by proptest.
#[derive(Clone, Debug)]
struct Draw {
    op: usize,
    user: usize,
    seed: u64,
    /// 0–3: as generated; 4–6: a mutated body; 7: not JSON; 8: wrong content type;
    /// 9: bad token.
    shape: u8,
}

fn draws() -> impl Strategy<Value = Vec<Draw>> {
    prop::collection::vec(
        (any::<usize>(), 0usize..4, any::<u64>(), 0u8..10).prop_map(|(op, user, seed, shape)| {
            Draw {
                op,
                user,
                seed,
                shape,
            }
        }),
        BATCH,
    )
}

struct Fuzz {
    base: String,
    http: reqwest::Client,
    doc: Value,
    ops: Vec<Op>,
    /// alice, bob, carol, erin.
    tokens: Vec<String>,
    packets: std::sync::Mutex<Vec<u64>>,
    sent: AtomicUsize,
    statuses: std::sync::Mutex<std::collections::BTreeMap<u16, usize>>,
}

impl Fuzz {
    async fn one(&self, d: &Draw) -> Result<(), TestCaseError> {
        let mut r = Rand(d.seed);
        let op = &self.ops[d.op % self.ops.len()];
        let packets = self.packets.lock().unwrap().clone();
        let mut path = op.path.clone();
        for param in ["{id}", "{key}"] {
            if path.contains(param) {
                path = path.replace(param, &segment(&mut r, &op.path, &packets));
            }
        }
        if op.path == "/api/v1/lab/events" && op.method == reqwest::Method::GET && r.chance(50) {
            let query: &&str = r.pick(&[
                "?all=true",
                "?all=%00",
                "?all=yes&x=1",
                "?a%FF=1",
                "?all=true&experiment=send-basics",
                "?experiment=k1",
                "?all=true&experiment=",
                "?all=true&experiment=%E9%95%BF%00",
            ]);
            path.push_str(query);
        }
        if op.path == "/api/v1/lab/results" && r.chance(80) {
            let query: &&str = r.pick(&[
                "?experiment=send-basics&variants=A,B&forced=false",
                "?experiment=k1&variants=&forced=true",
                "?experiment=k1",
                "?experiment=&variants=A",
                "?experiment=k1&forced=1",
                "?experiment=k1&variants=%2C%2C%00",
                "?variants=A",
            ]);
            path.push_str(query);
        }
        let logout = op.path == "/api/v1/logout";
        let mut req = self
            .http
            .request(op.method.clone(), format!("{}{path}", self.base));
        match d.shape {
            9 => {
                const BAD: [&[u8]; 6] = [
                    b"Bearer ",
                    b"Bearer x",
                    b"Basic abc",
                    b"Bearer \xe9\xff",
                    b"bearer 00",
                    b"Bearer %00",
                ];
                let value: &[u8] = BAD[r.below(BAD.len())];
                req = req.header(
                    "authorization",
                    reqwest::header::HeaderValue::from_bytes(value).expect("a header value"),
                );
            }
            _ if logout => {}
            _ if r.chance(95) => req = req.bearer_auth(&self.tokens[d.user]),
            _ => {}
        }
        if let Some(schema) = &op.body {
            let mut body = generate(&self.doc, schema, &mut r, "", 0);
            if op.path == "/api/v1/studies/{key}" && r.chance(80) {
                // A study (often valid, under the path's key or not), not just any object.
                body = serde_json::from_str(SEND_BASICS).expect("the shipped study");
                if let Some(key) = path.rsplit('/').next() {
                    body["key"] = json!(key);
                }
            }
            if op.path == "/api/v1/login" {
                // Logins of the fuzzer's users with the right password would only add
                // sessions; wrong ones exercise the limits.
                body["password"] = json!(nasty(&mut r));
            }
            match d.shape {
                4..=6 => {
                    for _ in 0..=r.below(3) {
                        mutate(&mut body, &mut r);
                    }
                    req = req.json(&body);
                }
                7 => {
                    let raw: Vec<u8> = r
                        .pick(&[
                            b"{".to_vec(),
                            b"{\"chat_id\": \"fam\xffily\"}".to_vec(),
                            b"[1,2".to_vec(),
                            b"null".to_vec(),
                            b"\"\\ud800\"".to_vec(),
                            b"{\"a\":1e999999}".to_vec(),
                            vec![b'['; 5000],
                        ])
                        .clone();
                    req = req.header("content-type", "application/json").body(raw);
                }
                8 => {
                    req = req
                        .header("content-type", "text/plain")
                        .body(body.to_string());
                }
                _ => req = req.json(&body),
            }
        } else if d.shape == 7 {
            req = req
                .header("content-type", "application/json")
                .body("{\"x\":");
        }
        let resp = req
            .send()
            .await
            .map_err(|e| TestCaseError::fail(format!("{} {path}: {e}", op.method)))?;
        let status = resp.status().as_u16();
        let stream = resp
            .headers()
            .get("content-type")
            .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
        // An event stream that opened stays open: it is not read.
        let text = if stream {
            String::new()
        } else {
            resp.text().await.unwrap_or_default()
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        *self.statuses.lock().unwrap().entry(status).or_default() += 1;
        prop_assert!(
            status < 500,
            "{} {path} answered {status}: {text}",
            op.method
        );
        if status >= 400 {
            let v: Value = serde_json::from_str(&text).map_err(|_| {
                TestCaseError::fail(format!(
                    "{} {path} {status}: not an API error: {text}",
                    op.method
                ))
            })?;
            prop_assert!(
                v["error"]["code"].is_string() && v["error"]["message"].is_string(),
                "{} {path} {status}: {text}",
                op.method
            );
        }
        if op.path == "/api/v1/packets"
            && (200..300).contains(&status)
            && let Some(id) = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["id"].as_u64())
        {
            self.packets.lock().unwrap().push(id);
        }
        Ok(())
    }
}

fn fuzz(db: Db) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let Some(server) = rt.block_on(TestServer::start(db, |c| {
        c.login_attempts_per_ip = 0;
        // So that the studies' writes get past "only a researcher".
        c.researchers = vec!["alice".into()];
    })) else {
        return;
    };
    let fuzz = rt.block_on(async {
        let doc = server.client().get("/api/v1/openapi.json").await.ok();
        let ops = operations(&doc);
        assert!(ops.len() >= 15, "{} operations", ops.len());
        let mut tokens = Vec::new();
        for user in ["alice", "bob", "carol", "erin"] {
            tokens.push(server.login(user).await.token.unwrap());
        }
        let alice = server.login("alice").await;
        let mut packets = Vec::new();
        for (i, chat) in ["family", "family", "family"].iter().enumerate() {
            packets.push(
                alice.lucky(chat, "10.00", 5, &format!("seed{i}")).await["id"]
                    .as_u64()
                    .unwrap(),
            );
        }
        Fuzz {
            base: server.url.clone(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap(),
            doc,
            ops,
            tokens,
            packets: std::sync::Mutex::new(packets),
            sent: AtomicUsize::new(0),
            statuses: Default::default(),
        }
    });
    let cases = std::env::var("HONGBAO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let mut runner = TestRunner::new(PtConfig {
        cases,
        failure_persistence: None,
        ..PtConfig::default()
    });
    let url = server.database_url.clone();
    let result = runner.run(&draws(), |batch| {
        rt.block_on(async {
            for d in &batch {
                fuzz.one(d).await?;
            }
            check_books_at(&url).await;
            Ok(())
        })
    });
    let sent = fuzz.sent.load(Ordering::Relaxed);
    println!(
        "fuzz {db:?}: {sent} requests, statuses {:?}",
        fuzz.statuses.lock().unwrap()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(sent >= cases as usize * BATCH);
    rt.block_on(server.stop());
}

#[test]
fn fuzz_sqlite() {
    fuzz(Db::Sqlite);
}

#[test]
fn fuzz_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    if rt.block_on(common::pg::available()) {
        drop(rt);
        fuzz(Db::Postgres);
    }
}
