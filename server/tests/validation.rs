//! Text validation (issue 15, item 1): the same table of bad strings (NUL, other control
//! characters, over-long values, bad percent-encodings) in every place a request carries
//! text — path segments, query values, JSON fields and keys, the `Authorization` header —
//! on SQLite and on PostgreSQL. Every one is a 400 with `invalid_text` or `too_long`;
//! nothing is stored; the server logs no warning and no error.

mod common;

use common::{Child, Client, Db, check_books_at, pg};
use serde_json::{Value, json};
use sqlx::Row;

/// Row counts of every table and the sum of the balances.
async fn snapshot(url: &str) -> Vec<i64> {
    let q = "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM sessions), \
             (SELECT COUNT(*) FROM chats), (SELECT COUNT(*) FROM chat_members), \
             (SELECT COUNT(*) FROM packets), (SELECT COUNT(*) FROM claims), \
             (SELECT COUNT(*) FROM ledger), (SELECT COUNT(*) FROM lab_events), \
             (SELECT COUNT(*) FROM studies), \
             CAST((SELECT COALESCE(SUM(balance), 0) FROM users) AS BIGINT)";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let r = sqlx::query(q).fetch_one(&pool).await.unwrap();
        pool.close().await;
        (0..10).map(|i| r.get(i)).collect()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let r = sqlx::query(q).fetch_one(&pool).await.unwrap();
        pool.close().await;
        (0..10).map(|i| r.get(i)).collect()
    }
}

/// Where the bad text goes.
enum Place {
    /// A JSON body for `POST path`.
    Json(String, Value),
    /// A raw request line path (already percent-encoded), `GET` or `POST`.
    Path(&'static str, String),
    /// The `Authorization` header's bytes on `GET /api/v1/me`.
    Authorization(Vec<u8>),
}

struct Case {
    name: String,
    place: Place,
    code: &'static str,
}

const NUL: &str = "\u{0}";

/// The bad strings: (name, text, code). Each goes into every text field of the table.
fn bad_texts() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("NUL", format!("family{NUL}"), "invalid_text"),
        ("NUL alone", NUL.to_owned(), "invalid_text"),
        ("SOH", "fa\u{1}mily".into(), "invalid_text"),
        ("ESC", "\u{1b}[31mfamily".into(), "invalid_text"),
        ("DEL", "family\u{7f}".into(), "invalid_text"),
        ("C1 NEL", "family\u{85}".into(), "invalid_text"),
        ("newline", "fam\nily".into(), "invalid_text"),
        ("tab", "fam\tily".into(), "invalid_text"),
    ]
}

fn cases(packet: u64) -> Vec<Case> {
    let mut out = Vec::new();
    let mut add =
        |name: String, place: Place, code: &'static str| out.push(Case { name, place, code });
    let send = |field: &str, value: &str| {
        let mut body = json!({"chat_id": "family", "kind": "lucky", "amount": "1.00",
                              "count": 2, "greeting": "g", "idempotency_key": "v1"});
        body[field] = json!(value);
        body
    };
    let exclusive = |recipient: &str| {
        json!({"chat_id": "family", "kind": "exclusive", "amount": "1.00",
               "recipient": recipient, "idempotency_key": "v2"})
    };
    for (what, text, code) in bad_texts() {
        let enc = hongbao_api::http::encode(&text);
        // JSON fields.
        add(
            format!("login username: {what}"),
            Place::Json(
                "/api/v1/login".into(),
                json!({"username": text, "password": "hongbao"}),
            ),
            code,
        );
        add(
            format!("login password: {what}"),
            Place::Json(
                "/api/v1/login".into(),
                json!({"username": "alice", "password": text}),
            ),
            code,
        );
        for field in ["chat_id", "idempotency_key", "amount", "kind"] {
            add(
                format!("send {field}: {what}"),
                Place::Json("/api/v1/packets".into(), send(field, &text)),
                code,
            );
            add(
                format!("preview {field}: {what}"),
                Place::Json("/api/v1/packets/preview".into(), send(field, &text)),
                code,
            );
        }
        if what != "newline" && what != "tab" {
            add(
                format!("send greeting: {what}"),
                Place::Json("/api/v1/packets".into(), send("greeting", &text)),
                code,
            );
        }
        add(
            format!("send recipient: {what}"),
            Place::Json("/api/v1/packets".into(), exclusive(&text)),
            code,
        );
        add(
            format!("lab type: {what}"),
            Place::Json("/api/v1/lab/events".into(), json!({"type": text})),
            code,
        );
        add(
            format!("lab nested field: {what}"),
            Place::Json(
                "/api/v1/lab/events".into(),
                json!([{"type": "ok"}, {"type": "ok", "detail": {"list": [text]}}]),
            ),
            code,
        );
        add(
            format!("lab field name: {what}"),
            Place::Json(
                "/api/v1/lab/events".into(),
                json!({"type": "ok", text.clone(): 1}),
            ),
            code,
        );
        add(
            format!("recall field name: {what}"),
            Place::Json(
                format!("/api/v1/packets/{packet}/recall"),
                json!({"authorized": false, text.clone(): true}),
            ),
            code,
        );
        add(
            format!("clock extra field: {what}"),
            Place::Json(
                "/api/v1/test/clock".into(),
                json!({"advance_seconds": 0, "note": text}),
            ),
            code,
        );
        // Path segments.
        for (method, path) in [
            ("GET", format!("/api/v1/chats/{enc}/packets")),
            ("GET", format!("/api/v1/chats/{enc}/events")),
            ("GET", format!("/api/v1/packets/{enc}")),
            ("POST", format!("/api/v1/packets/{enc}/claim")),
            ("POST", format!("/api/v1/packets/{enc}/recall")),
            ("GET", format!("/api/v1/studies/{enc}")),
            ("PUT", format!("/api/v1/studies/{enc}")),
            ("DELETE", format!("/api/v1/studies/{enc}")),
        ] {
            add(
                format!("path {method} {path}: {what}"),
                Place::Path(method, path),
                code,
            );
        }
        // Query values and names.
        add(
            format!("query value: {what}"),
            Place::Path("GET", format!("/api/v1/lab/events?all={enc}")),
            code,
        );
        add(
            format!("query name: {what}"),
            Place::Path("GET", format!("/api/v1/lab/events?{enc}=true")),
            code,
        );
    }
    // Bad percent-encodings.
    for (method, path) in [
        ("GET", "/api/v1/chats/%FF%FE/packets"),
        ("POST", "/api/v1/packets/%C3%28/claim"),
        ("GET", "/api/v1/lab/events?all=%FF"),
    ] {
        add(
            format!("not UTF-8: {method} {path}"),
            Place::Path(method, path.into()),
            "invalid_text",
        );
    }
    // Over-long values.
    let long_chat = "c".repeat(129);
    add(
        "path: a 129-character chat id".into(),
        Place::Path("GET", format!("/api/v1/chats/{long_chat}/packets")),
        "too_long",
    );
    for method in ["GET", "PUT", "DELETE"] {
        add(
            format!("path: {method} of a 65-character study key"),
            Place::Path(method, format!("/api/v1/studies/{}", "k".repeat(65))),
            "too_long",
        );
    }
    add(
        "query: a 257-character value".into(),
        Place::Path("GET", format!("/api/v1/lab/events?all={}", "t".repeat(257))),
        "too_long",
    );
    add(
        "send: a 129-character chat id".into(),
        Place::Json("/api/v1/packets".into(), send("chat_id", &long_chat)),
        "too_long",
    );
    add(
        "send: a 65-character recipient".into(),
        Place::Json("/api/v1/packets".into(), exclusive(&"r".repeat(65))),
        "too_long",
    );
    add(
        "login: a 65-character username".into(),
        Place::Json(
            "/api/v1/login".into(),
            json!({"username": "u".repeat(65), "password": "hongbao"}),
        ),
        "too_long",
    );
    add(
        "login: a 1,025-byte password".into(),
        Place::Json(
            "/api/v1/login".into(),
            json!({"username": "alice", "password": "p".repeat(1025)}),
        ),
        "too_long",
    );
    add(
        "lab: a 4,097-character field".into(),
        Place::Json(
            "/api/v1/lab/events".into(),
            json!({"type": "ok", "note": "n".repeat(4097)}),
        ),
        "too_long",
    );
    add(
        "lab: a 129-character field name".into(),
        Place::Json(
            "/api/v1/lab/events".into(),
            json!({"type": "ok", "k".repeat(129): 1}),
        ),
        "too_long",
    );
    // serde's message quotes the value it could not read: a long Chinese one is cut at a
    // character boundary, not inside a character (which panicked: no answer at all).
    add(
        "recall: a long Chinese string for a boolean".into(),
        Place::Json(
            format!("/api/v1/packets/{packet}/recall"),
            json!({"authorized": "长".repeat(200)}),
        ),
        "invalid_request",
    );
    add(
        "clock: a long Chinese string for a number".into(),
        Place::Json(
            "/api/v1/test/clock".into(),
            json!({"advance_seconds": format!("x{}", "长".repeat(200))}),
        ),
        "invalid_request",
    );
    // The Authorization header.
    add(
        "authorization: a tab".into(),
        Place::Authorization(b"Bearer \tabc".to_vec()),
        "invalid_text",
    );
    add(
        "authorization: bytes above ASCII".into(),
        Place::Authorization("Bearer 长长长".as_bytes().to_vec()),
        "invalid_text",
    );
    add(
        "authorization: 600 bytes".into(),
        Place::Authorization(format!("Bearer {}", "a".repeat(593)).into_bytes()),
        "too_long",
    );
    out
}

async fn bad_text_is_refused_everywhere(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = match db {
        Db::Sqlite => format!("sqlite://{}", dir.path().join("v.db").display()),
        Db::Postgres => match pg::fresh_database().await {
            Some(url) => url,
            None => return,
        },
    };
    let (server, log) = Child::spawn_logged(&["--database-url", &url, "--test-clock"], "info");
    let mut alice = Client::new(&server.url);
    alice.login("alice").await;
    let packet = alice.lucky("family", "10.00", 5, "setup").await["id"]
        .as_u64()
        .unwrap();
    let before = snapshot(&url).await;
    let cases = cases(packet);
    assert!(cases.len() > 200, "{} cases", cases.len());
    let token = alice.token.clone().unwrap();
    for c in &cases {
        let r = match &c.place {
            Place::Json(path, body) => alice
                .http
                .post(format!("{}{path}", server.url))
                .bearer_auth(&token)
                .json(body),
            Place::Path(method, path) => alice
                .http
                .request(method.parse().unwrap(), format!("{}{path}", server.url))
                .bearer_auth(&token),
            Place::Authorization(bytes) => {
                alice.http.get(format!("{}/api/v1/me", server.url)).header(
                    "authorization",
                    reqwest::header::HeaderValue::from_bytes(bytes).unwrap(),
                )
            }
        };
        let res = Client::send_req(r).await;
        res.refused(&c.name, 400, c.code);
    }
    assert_eq!(snapshot(&url).await, before, "nothing changed");
    // What is allowed still works: line breaks in a greeting, Chinese text, emoji.
    let sent = alice
        .send(
            json!({"chat_id": "family", "kind": "lucky", "amount": "1.00", "count": 1,
                     "greeting": "恭喜发财\n大吉大利 🧧", "idempotency_key": "ok-键"}),
        )
        .await
        .ok();
    assert_eq!(sent["greeting"], "恭喜发财\n大吉大利 🧧");
    let problems = log.problems();
    assert!(
        problems.is_empty(),
        "no warning or error in the log: {problems:#?}"
    );
    server.kill9();
    check_books_at(&url).await;
}
on_both!(
    bad_text_is_refused_everywhere,
    super::bad_text_is_refused_everywhere
);
