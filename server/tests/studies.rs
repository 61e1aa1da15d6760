//! Studies stored by the server (issue 14), on SQLite and on PostgreSQL: a researcher saves,
//! replaces, lists and deletes them; anyone reads one by key; bad input is refused with a
//! clear message and changes nothing; a study outlives the server process.

mod common;

use common::{Client, DEMO_RESEARCHER, Db, RESEARCHER, Res, TestServer};
use hongbao_api::ApiError;
use hongbao_api::client::{Client as ApiClient, Fetched, Transport};
use hongbao_api::http::Request;
use serde_json::{Value, json};

/// The shipped study, as the lab's console would save it.
const SEND_BASICS: &str = include_str!("../../lab/studies/send-basics.json");

/// The shipped study under another key.
fn study(key: &str) -> Value {
    let mut s: Value = serde_json::from_str(SEND_BASICS).unwrap();
    s["key"] = json!(key);
    s
}

fn path(key: &str) -> String {
    format!("/api/v1/studies/{key}")
}

fn with_token(c: &Client, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    match &c.token {
        Some(t) => r.bearer_auth(t),
        None => r,
    }
}

/// `PUT` of raw bytes (with `Content-Type: application/json` unless told otherwise).
async fn put_raw(c: &Client, path: &str, content_type: &str, body: Vec<u8>) -> Res {
    let r = c
        .http
        .put(format!("{}{path}", c.base))
        .header("content-type", content_type)
        .body(body);
    Client::send_req(with_token(c, r)).await
}

async fn put(c: &Client, key: &str, body: &Value) -> Res {
    put_raw(
        c,
        &path(key),
        "application/json",
        body.to_string().into_bytes(),
    )
    .await
}

async fn delete(c: &Client, path: &str) -> Res {
    let r = c.http.delete(format!("{}{path}", c.base));
    Client::send_req(with_token(c, r)).await
}

async fn list(c: &Client) -> Vec<Value> {
    c.get("/api/v1/studies")
        .await
        .ok()
        .as_array()
        .expect("an array")
        .clone()
}

fn keys(studies: &[Value]) -> Vec<&str> {
    studies.iter().map(|s| s["key"].as_str().unwrap()).collect()
}

// ------------------------------------------------------------------------------ the cycle

async fn researcher_saves_replaces_lists_and_deletes(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let anyone = s.client();
    assert_eq!(list(&rita).await, Vec::<Value>::new());
    // Nothing stored: a key of no study is 404, a shipped study's key reads the shipped one.
    anyone
        .get(&path("no-such-study"))
        .await
        .err(404, "not_found");
    let shipped = anyone.get(&path("send-basics")).await.ok();
    assert_eq!(
        hongbao_study::Study::parse(&shipped.to_string()),
        hongbao_study::Study::parse(SEND_BASICS)
    );

    // Created: 201 with the study as stored (what anyone reads back, without a login).
    let mut first = study("send-basics");
    first["unknown_field"] = json!("dropped");
    let created = put(&rita, "send-basics", &first).await;
    assert_eq!(created.status, 201, "{created:?}");
    let stored = created.body;
    assert_eq!(stored["key"], "send-basics");
    assert!(
        stored.get("unknown_field").is_none(),
        "normalized: {stored}"
    );
    assert!(stored.get("closed").is_none(), "open: {stored}");
    assert_eq!(
        stored["consent"]["en"],
        study("x")["consent"]["en"],
        "the consent's paragraphs (line breaks) are kept"
    );
    assert_eq!(stored["variants"], study("x")["variants"]);
    assert_eq!(anyone.get(&path("send-basics")).await.ok(), stored);

    // Replaced: 200; a closed study is still read by key, with `"closed": true`.
    let mut second = study("send-basics");
    second["closed"] = json!(true);
    second["title"]["en"] = json!("Sending red packets, closed");
    let replaced = put(&rita, "send-basics", &second).await;
    assert_eq!(replaced.status, 200, "{replaced:?}");
    assert_eq!(replaced.body["closed"], true);
    let read = anyone.get(&path("send-basics")).await.ok();
    assert_eq!(read, replaced.body);
    assert_eq!(read["title"]["en"], "Sending red packets, closed");

    // More studies; the list is by key, in the keys' byte order on both databases
    // ("Zeta" before "alpha", whatever PostgreSQL's locale would say).
    for key in ["alpha", "Zeta"] {
        assert_eq!(put(&rita, key, &study(key)).await.status, 201, "{key}");
    }
    // A study bigger than the server's other bodies (16 KiB) but within its own 64 KiB.
    let mut long = study("long-consent");
    long["consent"]["en"] = json!(format!("{}\n\nThe end.", "Read me. ".repeat(1_800)));
    let res = put(&rita, "long-consent", &long).await;
    assert_eq!(res.status, 201, "a 16 KiB consent: {res:?}");
    let all = list(&rita).await;
    assert_eq!(keys(&all), ["Zeta", "alpha", "long-consent", "send-basics"]);
    assert_eq!(all[3], read, "each as stored");
    let dave = s.login(DEMO_RESEARCHER).await;
    assert_eq!(list(&dave).await, all, "a demo user named as a researcher");

    // Deleted: 204, then 404 (again, and to a reader).
    assert_eq!(delete(&rita, &path("alpha")).await.status, 204);
    delete(&rita, &path("alpha")).await.err(404, "not_found");
    anyone.get(&path("alpha")).await.err(404, "not_found");
    assert_eq!(
        keys(&list(&rita).await),
        ["Zeta", "long-consent", "send-basics"]
    );

    // Who saved it and when: the researcher and the server's clock, in typed columns.
    let row = s
        .server
        .store
        .study("send-basics")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        (row.closed, row.saved_by.as_str()),
        (true, RESEARCHER.0),
        "{row:?}"
    );
    assert!(row.saved_at > 1_700_000_000_000, "{row:?}");
    assert_eq!(serde_json::from_str::<Value>(&row.body).unwrap(), read);

    // The OpenAPI document lists the four calls.
    let doc = anyone.get("/api/v1/openapi.json").await.ok();
    let one = &doc["paths"]["/api/v1/studies/{key}"];
    for method in ["get", "put", "delete"] {
        assert!(one[method].is_object(), "{method} /studies/{{key}}");
    }
    assert!(one["get"].get("security").is_none(), "no login to read one");
    assert!(doc["paths"]["/api/v1/studies"]["get"].is_object());
    s.stop().await;
}
on_both!(
    researcher_saves_replaces_lists_and_deletes,
    super::researcher_saves_replaces_lists_and_deletes
);

// ------------------------------------------------------------------------------ who may

async fn only_researchers_list_save_and_delete(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    assert_eq!(put(&rita, "kept", &study("kept")).await.status, 201);
    let before = list(&rita).await;
    let alice = s.login("alice").await;
    let anyone = s.client();
    alice
        .get("/api/v1/studies")
        .await
        .refused("alice lists", 403, "forbidden");
    put(&alice, "kept", &study("kept"))
        .await
        .refused("alice replaces", 403, "forbidden");
    put(&alice, "new", &study("new"))
        .await
        .refused("alice creates", 403, "forbidden");
    delete(&alice, &path("kept"))
        .await
        .refused("alice deletes", 403, "forbidden");
    anyone
        .get("/api/v1/studies")
        .await
        .refused("no token lists", 401, "unauthorized");
    put(&anyone, "new", &study("new"))
        .await
        .refused("no token puts", 401, "unauthorized");
    delete(&anyone, &path("kept"))
        .await
        .refused("no token deletes", 401, "unauthorized");
    // Reading one needs no login, and a token does not hurt.
    assert_eq!(anyone.get(&path("kept")).await.ok(), before[0]);
    assert_eq!(alice.get(&path("kept")).await.ok(), before[0]);
    assert_eq!(list(&rita).await, before, "nothing changed");
    s.stop().await;
}
on_both!(
    only_researchers_list_save_and_delete,
    super::only_researchers_list_save_and_delete
);

// ------------------------------------------------------------------------------ bad input

async fn bad_input_is_refused_and_changes_nothing(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    assert_eq!(put(&rita, "kept", &study("kept")).await.status, 201);
    let before = list(&rita).await;

    let json_body = |v: Value| v.to_string().into_bytes();
    let mut wrong_shape = study("kept");
    wrong_shape["consent"] = json!("I agree");
    let mut bad_stages = study("kept");
    bad_stages["variants"][0]["settings"]["stages"] = json!("9");
    let mut no_tasks = study("kept");
    no_tasks["tasks"] = json!([]);
    let mut no_consent = study("kept");
    no_consent["consent"]["zh"] = json!("  ");
    let mut nul_inside = study("kept");
    nul_inside["consent"]["en"] = json!("I agree\u{0}");
    let mut escape_inside = study("kept");
    escape_inside["tasks"][0]["instruction"]["en"] = json!("\u{1b}[31mred");
    let mut too_big = study("kept");
    too_big["consent"]["en"] = json!("x".repeat(70 * 1024));
    let long_key = "k".repeat(65);
    let longer_key = "k".repeat(300);

    // (case, path, content type, body, status, code, a word of the message)
    let cases = vec![
        (
            "not JSON",
            path("kept"),
            "application/json",
            b"not json".to_vec(),
            400,
            "invalid_request",
            "JSON",
        ),
        (
            "not UTF-8",
            path("kept"),
            "application/json",
            b"{\"key\": \"\xff\"}".to_vec(),
            400,
            "invalid_request",
            "UTF-8",
        ),
        (
            "empty",
            path("kept"),
            "application/json",
            Vec::new(),
            400,
            "invalid_request",
            "JSON",
        ),
        (
            "an array",
            path("kept"),
            "application/json",
            json_body(json!([study("kept")])),
            400,
            "invalid_request",
            "object",
        ),
        (
            "the wrong shape",
            path("kept"),
            "application/json",
            json_body(wrong_shape),
            400,
            "invalid_request",
            "study JSON",
        ),
        (
            "stages 9",
            path("kept"),
            "application/json",
            json_body(bad_stages),
            400,
            "invalid_request",
            "stages",
        ),
        (
            "no tasks",
            path("kept"),
            "application/json",
            json_body(no_tasks),
            400,
            "invalid_request",
            "task",
        ),
        (
            "no consent",
            path("kept"),
            "application/json",
            json_body(no_consent),
            400,
            "invalid_request",
            "onsent",
        ),
        (
            "key mismatch",
            path("other"),
            "application/json",
            json_body(study("kept")),
            400,
            "invalid_request",
            "path",
        ),
        (
            "a key of spaces",
            path("bad%20key"),
            "application/json",
            json_body(study("bad key")),
            400,
            "invalid_request",
            "key",
        ),
        (
            "NUL in a string",
            path("kept"),
            "application/json",
            json_body(nul_inside),
            400,
            "invalid_text",
            "control",
        ),
        (
            "ESC in a string",
            path("kept"),
            "application/json",
            json_body(escape_inside),
            400,
            "invalid_text",
            "control",
        ),
        (
            "NUL in the path",
            path("ke%00pt"),
            "application/json",
            json_body(study("kept")),
            400,
            "invalid_text",
            "control",
        ),
        (
            "a control character in the path",
            path("kept%07"),
            "application/json",
            json_body(study("kept")),
            400,
            "invalid_text",
            "control",
        ),
        (
            "not UTF-8 in the path",
            path("kept%FF"),
            "application/json",
            json_body(study("kept")),
            400,
            "invalid_text",
            "UTF-8",
        ),
        (
            "a 65-character key",
            path(&long_key),
            "application/json",
            json_body(study(&long_key)),
            400,
            "too_long",
            "64",
        ),
        (
            "a 300-character key",
            path(&longer_key),
            "application/json",
            json_body(study(&longer_key)),
            400,
            "too_long",
            "128",
        ),
        (
            "over 64 KiB",
            path("kept"),
            "application/json",
            json_body(too_big),
            413,
            "invalid_request",
            "too large",
        ),
        (
            "not JSON's content type",
            path("kept"),
            "text/plain",
            json_body(study("kept")),
            415,
            "invalid_request",
            "Content-Type",
        ),
    ];
    for (case, at, content_type, body, status, code, word) in cases {
        let res = put_raw(&rita, &at, content_type, body).await;
        res.refused(case, status, code);
        let message = res.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(word), "{case}: {message:?}");
    }
    // The path's key is checked for every method, before any database.
    for (key, code) in [
        ("ke%00pt", "invalid_text"),
        ("%1B", "invalid_text"),
        (long_key.as_str(), "too_long"),
        (longer_key.as_str(), "too_long"),
    ] {
        s.client()
            .get(&path(key))
            .await
            .refused(&format!("GET {key}"), 400, code);
        delete(&rita, &path(key))
            .await
            .refused(&format!("DELETE {key}"), 400, code);
    }
    delete(&rita, &path("missing"))
        .await
        .refused("DELETE of no study", 404, "not_found");
    s.client()
        .get(&path("missing"))
        .await
        .refused("GET of no study", 404, "not_found");
    assert_eq!(list(&rita).await, before, "nothing changed");
    s.stop().await;
}
on_both!(
    bad_input_is_refused_and_changes_nothing,
    super::bad_input_is_refused_and_changes_nothing
);

// ------------------------------------------------------------------------------ races

/// Saves and deletes of one key at the same time: each answers cleanly (no 5xx), one save
/// creates it, and what stays is one of the saves.
async fn saves_and_deletes_at_once_answer_cleanly(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let rita = rita.clone();
        tasks.push(tokio::spawn(async move {
            let mut body = study("raced");
            body["title"]["en"] = json!(format!("save {i}"));
            let saved = put(&rita, "raced", &body).await;
            let deleted = if i % 3 == 2 {
                Some(delete(&rita, &path("raced")).await)
            } else {
                None
            };
            (saved, deleted)
        }));
    }
    let mut created = 0;
    for task in tasks {
        let (saved, deleted) = task.await.unwrap();
        assert!(matches!(saved.status.as_u16(), 200 | 201), "{saved:?}");
        created += usize::from(saved.status == 201);
        if let Some(d) = deleted {
            assert!(matches!(d.status.as_u16(), 204 | 404), "{d:?}");
        }
    }
    assert!(created >= 1, "the first save created it");
    let left = list(&rita).await;
    assert!(left.len() <= 1, "{left:?}");
    if let Some(one) = left.first() {
        assert!(one["title"]["en"].as_str().unwrap().starts_with("save "));
    }
    s.stop().await;
}
on_both!(
    saves_and_deletes_at_once_answer_cleanly,
    super::saves_and_deletes_at_once_answer_cleanly
);

// ------------------------------------------------------------------------------ durable

async fn a_study_survives_a_restart(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let stored = put(&rita, "kept", &study("kept")).await.ok();
    let mut closed = study("closed-one");
    closed["closed"] = json!(true);
    let closed = put(&rita, "closed-one", &closed).await.ok();
    let s = s.restart().await;
    assert_eq!(s.client().get(&path("kept")).await.ok(), stored);
    assert_eq!(s.client().get(&path("closed-one")).await.ok(), closed);
    let rows = s.server.store.studies().await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.key.as_str(), r.closed))
            .collect::<Vec<_>>(),
        [("closed-one", true), ("kept", false)]
    );
    s.stop().await;
}
on_both!(
    a_study_survives_a_restart,
    super::a_study_survives_a_restart
);

// ------------------------------------------------------------------------------ the client

/// The widget's API client natively (as in the contract suite).
struct Native {
    base: String,
    client: reqwest::Client,
}

impl Native {
    async fn send(&self, req: &Request, token: Option<&str>) -> Result<(u16, String), ApiError> {
        let method: reqwest::Method = req.method.parse().expect("a method");
        let mut r = self
            .client
            .request(method, format!("{}{}", self.base, req.path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(body) = &req.body {
            r = r
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let resp = r
            .send()
            .await
            .map_err(|e| ApiError::network(e.to_string()))?;
        let status = resp.status().as_u16();
        let body = resp
            .text()
            .await
            .map_err(|e| ApiError::network(e.to_string()))?;
        Ok((status, body))
    }
}

impl Transport for Native {
    fn fetch<'a>(&'a self, req: &'a Request, token: Option<&'a str>) -> Fetched<'a> {
        Box::pin(self.send(req, token))
    }
}

/// The API client's study calls against the server: the widget reads a study without a
/// login; a demo user named as a researcher saves, lists and deletes.
async fn the_api_client_reads_and_saves_studies(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let client = ApiClient::new(
        Native {
            base: s.url.clone(),
            client: common::http_client(),
        },
        "alice",
    );
    assert_eq!(client.study("no-such-study").await.unwrap(), None);
    let stored = client
        .put_study(DEMO_RESEARCHER, "send-basics", SEND_BASICS)
        .await
        .unwrap();
    let read = client.study("send-basics").await.unwrap().expect("stored");
    assert_eq!(read, stored);
    let study = hongbao_study::Study::parse(&read).expect("the widget's parser reads it");
    assert_eq!(
        study,
        hongbao_study::Study::parse(SEND_BASICS).unwrap(),
        "the same study"
    );
    assert_eq!(
        client.studies(DEMO_RESEARCHER).await.unwrap(),
        std::slice::from_ref(&stored)
    );
    let refused = client
        .put_study("alice", "send-basics", SEND_BASICS)
        .await
        .unwrap_err();
    assert_eq!(refused.code, hongbao_api::ErrorCode::Forbidden);
    let e = client.study(&"k".repeat(65)).await.unwrap_err();
    assert_eq!(e.code, hongbao_api::ErrorCode::TooLong);
    assert!(
        client
            .delete_study(DEMO_RESEARCHER, "send-basics")
            .await
            .unwrap()
    );
    assert!(
        !client
            .delete_study(DEMO_RESEARCHER, "send-basics")
            .await
            .unwrap()
    );
    assert_eq!(client.study("no-such-study").await.unwrap(), None);
    s.stop().await;
}
on_both!(
    the_api_client_reads_and_saves_studies,
    super::the_api_client_reads_and_saves_studies
);

// ------------------------------------------------------------------------------ language

/// A refused study's reason follows the request's `Accept-Language`, as the engine's
/// refusals do (hongbao-study's messages are in both languages).
async fn refusals_are_in_the_callers_language(db: Db) {
    let Some(s) = TestServer::with_researchers(db).await else {
        return;
    };
    let rita = s.researcher().await;
    let mut no_tasks = study("kept");
    no_tasks["tasks"] = json!([]);
    let put_in = |lang: Option<&'static str>| {
        let mut r = rita
            .http
            .put(format!("{}{}", rita.base, path("kept")))
            .header("content-type", "application/json")
            .body(no_tasks.to_string());
        if let Some(lang) = lang {
            r = r.header("accept-language", lang);
        }
        Client::send_req(with_token(&rita, r))
    };
    for (lang, expected) in [
        (None, "A study needs at least one task"),
        (Some("en-GB,en;q=0.9"), "A study needs at least one task"),
        (Some("zh-CN,zh;q=0.9,en;q=0.8"), "研究至少需要一个任务"),
        (Some("zh"), "研究至少需要一个任务"),
    ] {
        let res = put_in(lang).await;
        res.refused(&format!("{lang:?}"), 400, "invalid_request");
        assert_eq!(res.body["error"]["message"], expected, "{lang:?}");
    }
    assert!(list(&rita).await.is_empty(), "nothing stored");
    s.stop().await;
}
on_both!(
    refusals_are_in_the_callers_language,
    super::refusals_are_in_the_callers_language
);

// ------------------------------------------------------------------------------ migration

/// A database the first release wrote gets the studies table when it opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_release_database_stores_studies() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("first-release.db");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/first-release.db"
        ),
        &file,
    )
    .unwrap();
    let mut config = hongbao_server::Config::for_database(format!("sqlite://{}", file.display()));
    config.researchers = vec!["alice".into()];
    let server = hongbao_server::start(config).await.expect("it opens");
    let mut alice = Client::new(&server.url());
    alice.login("alice").await;
    assert_eq!(put(&alice, "kept", &study("kept")).await.status, 201);
    assert_eq!(keys(&list(&alice).await), ["kept"]);
    server.stop().await;
}
