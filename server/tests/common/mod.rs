//! Test helpers: servers on SQLite (a temp file) and PostgreSQL (a throwaway cluster on a
//! loopback port, or `HONGBAO_PG_URL`), and a small JSON client. Loopback only.

#![allow(dead_code)]

pub mod pg;

use std::time::Duration;

use futures_util::StreamExt;

use hongbao_api::ErrorCode;
use hongbao_server::{Config, Server};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The researcher the lab's tests start the server with (`--researcher rita`), with a
/// password of their own, and a demo user also named as one (who keeps the demo's password).
pub const RESEARCHER: (&str, &str) = ("rita", "rita's own research password");
pub const DEMO_RESEARCHER: &str = "dave";

/// A server started in this process, with its temp dir or database.
pub struct TestServer {
    pub server: Server,
    pub url: String,
    pub db: Db,
    pub database_url: String,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// A server on `db` with [`RESEARCHER`] and [`DEMO_RESEARCHER`] as its researchers.
    pub async fn with_researchers(db: Db) -> Option<TestServer> {
        TestServer::start(db, |c| {
            c.researchers = vec![RESEARCHER.0.into(), DEMO_RESEARCHER.into()];
            c.researcher_password = Some(RESEARCHER.1.into());
        })
        .await
    }

    /// A client logged in as [`RESEARCHER`].
    pub async fn researcher(&self) -> Client {
        let mut c = self.client();
        c.login_with(RESEARCHER.0, RESEARCHER.1).await;
        c
    }

    /// Starts a server on `db` with `tweak` applied to the defaults (`--test-clock` on).
    /// `None` when the database is PostgreSQL and none is available (see [`pg::url`]).
    pub async fn start(db: Db, tweak: impl FnOnce(&mut Config)) -> Option<TestServer> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let database_url = match db {
            Db::Sqlite => format!("sqlite://{}", dir.path().join("hongbao.db").display()),
            Db::Postgres => pg::fresh_database().await?,
        };
        let mut config = Config::for_database(&database_url);
        config.test_clock = true;
        config.sweep_interval_ms = 200;
        // The tests move the clock by days: sessions last (tests of their expiry set
        // shorter lifetimes).
        config.session_idle_secs = 31_536_000;
        config.session_max_age_secs = 31_536_000;
        tweak(&mut config);
        let server = hongbao_server::start(config)
            .await
            .expect("the server starts");
        Some(TestServer {
            url: server.url(),
            server,
            db,
            database_url,
            _dir: dir,
        })
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    pub async fn login(&self, user: &str) -> Client {
        let mut c = self.client();
        c.login(user).await;
        c
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }

    /// Stops the server and starts a new one on the same database (a new address; sessions
    /// survive).
    pub async fn restart(self) -> TestServer {
        self.server.stop().await;
        let mut config = Config::for_database(&self.database_url);
        config.test_clock = true;
        config.sweep_interval_ms = 200;
        config.session_idle_secs = 31_536_000;
        config.session_max_age_secs = 31_536_000;
        let server = hongbao_server::start(config)
            .await
            .expect("the server restarts");
        TestServer {
            url: server.url(),
            server,
            ..self
        }
    }
}

/// Runs `body` on SQLite and on PostgreSQL (skipped, with a note, when no PostgreSQL is
/// available and none is required).
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                $body($crate::common::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if $crate::common::pg::available().await {
                    $body($crate::common::Db::Postgres).await;
                }
            }
        }
    };
}

/// A JSON client for one user.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
    pub user: String,
}

/// A response: status and JSON body (`Value::Null` if empty or not JSON).
#[derive(Debug, Clone)]
pub struct Res {
    pub status: StatusCode,
    pub body: Value,
}

impl Res {
    /// The error's code as the client reads it (`Unknown` when the body is not an error).
    pub fn error_code(&self) -> ErrorCode {
        serde_json::from_value(self.body["error"]["code"].clone()).unwrap_or(ErrorCode::Unknown)
    }

    /// The error's code as it is on the wire (empty when the body is not an error).
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn ok(self) -> Value {
        assert!(self.status.is_success(), "expected success, got {self:?}");
        self.body
    }

    #[track_caller]
    pub fn err(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "unexpected error: {self:?}"
        );
    }

    /// A clean refusal of the request `case`: no 5xx, the status and code expected, and a
    /// message for people.
    #[track_caller]
    pub fn refused(&self, case: &str, status: u16, code: &str) {
        assert!(!self.status.is_server_error(), "{case}: a 5xx ({self:?})");
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "{case}: {self:?}"
        );
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{case}: a message"
        );
    }
}

/// The tests' HTTP client. Its timeout only catches a server that hangs: a claim among a
/// thousand on one packet waits its turn for the packet's lock, which on PostgreSQL, in a
/// debug build, on a loaded machine (load average 25 while two other builds shared the two
/// cores) took over the former 60 s; the assertions are on the answers, never on how long
/// they took.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .pool_max_idle_per_host(64)
        .build()
        .expect("a client")
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_owned(),
            http: http_client(),
            token: None,
            user: String::new(),
        }
    }

    pub fn with_http(base: &str, http: reqwest::Client) -> Client {
        Client {
            base: base.to_owned(),
            http,
            token: None,
            user: String::new(),
        }
    }

    pub async fn login(&mut self, user: &str) {
        self.login_with(user, "hongbao").await;
    }

    /// Logs in as `user` with `password` (panics when refused).
    pub async fn login_with(&mut self, user: &str, password: &str) {
        let res = self
            .post(
                "/api/v1/login",
                json!({"username": user, "password": password}),
            )
            .await;
        let token = res.ok()["token"].as_str().expect("a token").to_owned();
        self.token = Some(token);
        self.user = user.to_owned();
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn send_req(r: reqwest::RequestBuilder) -> Res {
        let resp = r.send().await.expect("the request reaches the server");
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res { status, body }
    }

    pub async fn get(&self, path: &str) -> Res {
        Client::send_req(self.req(reqwest::Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        Client::send_req(self.req(reqwest::Method::POST, path).json(&body)).await
    }

    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Res {
        let mut r = self.req(reqwest::Method::POST, path).body(body);
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        Client::send_req(r).await
    }

    pub async fn post_empty(&self, path: &str) -> Res {
        Client::send_req(self.req(reqwest::Method::POST, path)).await
    }

    // ---- the API

    pub async fn me(&self) -> Value {
        self.get("/api/v1/me").await.ok()
    }

    pub async fn balance_fen(&self) -> i64 {
        fen(&self.me().await["balance"])
    }

    pub async fn send(&self, body: Value) -> Res {
        self.post("/api/v1/packets", body).await
    }

    pub async fn lucky(&self, chat: &str, total: &str, count: u32, key: &str) -> Value {
        self.send(
            json!({"chat_id": chat, "kind": "lucky", "total": total, "count": count,
                         "greeting": "恭喜发财", "idempotency_key": key}),
        )
        .await
        .ok()
    }

    pub async fn claim(&self, id: u64) -> Res {
        self.post_empty(&format!("/api/v1/packets/{id}/claim"))
            .await
    }

    pub async fn recall(&self, id: u64) -> Res {
        self.post_empty(&format!("/api/v1/packets/{id}/recall"))
            .await
    }

    pub async fn packet(&self, id: u64) -> Res {
        self.get(&format!("/api/v1/packets/{id}")).await
    }

    pub async fn ledger(&self) -> Vec<Value> {
        self.get("/api/v1/ledger")
            .await
            .ok()
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn advance(&self, secs: i64) {
        self.post("/api/v1/test/clock", json!({"advance_seconds": secs}))
            .await
            .ok();
    }
}

/// Clients for crowd users 1..=n with sessions from `POST /api/v1/test/sessions` (the
/// server runs with `--load-test-sessions`): no argon2id login each.
pub async fn crowd_clients(url: &str, n: u32) -> Vec<Client> {
    let http = http_client();
    let mut out = Vec::new();
    let names: Vec<String> = (1..=n).map(hongbao_server::store::crowd_user).collect();
    for chunk in names.chunks(1000) {
        let res = Client::send_req(
            http.post(format!("{url}/api/v1/test/sessions"))
                .json(&json!({ "usernames": chunk })),
        )
        .await
        .ok();
        let tokens = res["tokens"].as_array().expect("tokens");
        assert_eq!(tokens.len(), chunk.len());
        for (user, token) in chunk.iter().zip(tokens) {
            out.push(Client {
                base: url.to_owned(),
                http: http.clone(),
                token: Some(token.as_str().expect("a token").to_owned()),
                user: user.clone(),
            });
        }
    }
    out
}

/// "18.80" → 1880.
#[track_caller]
pub fn fen(v: &Value) -> i64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("money as a string, got {v}"));
    let m = hongbao_engine::Money::from_wire(s).expect("a decimal string");
    m.fen()
}

/// The server keeps no index of the ledger by packet (nothing it does needs one); the
/// audits below do.
pub async fn audit_index(url: &str) {
    let q = "CREATE INDEX IF NOT EXISTS audit_ledger_by_packet ON ledger (packet_id)";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
        sqlx::query(q).execute(&pool).await.expect("audit index");
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("pg");
        sqlx::query(q).execute(&pool).await.expect("audit index");
        pool.close().await;
    }
}

/// Checks the books from the database (see [`check_books_at`]).
pub async fn check_books(server: &TestServer) {
    check_books_at(&server.database_url).await;
}

/// Checks the books from the database alone: every balance equals its ledger sum, every
/// packet balances (debit = claims + refunds + what an unfinished packet still holds),
/// every claim has exactly one credit and every credit a claim, and money is conserved
/// (Σ balances + Σ held by unfinished packets = Σ grants). Money sums are read as money
/// (fen in SQLite, NUMERIC in PostgreSQL), exactly.
pub async fn check_books_at(url: &str) {
    audit_index(url).await;
    let checks = "SELECT \
        (SELECT COUNT(*) FROM users u WHERE u.balance <> (SELECT COALESCE(SUM(CASE WHEN l.kind = 'debit' THEN -l.amount ELSE l.amount END), 0) FROM ledger l WHERE l.username = u.username)), \
        (SELECT COUNT(*) FROM packets p WHERE p.state NOT IN ('open', 'pending') AND (SELECT COALESCE(SUM(amount), 0) FROM ledger l WHERE l.packet_id = p.id AND l.kind = 'debit') <> \
             (SELECT COALESCE(SUM(amount), 0) FROM claims c WHERE c.packet_id = p.id) \
           + (SELECT COALESCE(SUM(amount), 0) FROM ledger l WHERE l.packet_id = p.id AND l.kind IN ('refund_expiry', 'refund_recall'))), \
        (SELECT COUNT(*) FROM packets p WHERE (SELECT COUNT(*) FROM ledger l WHERE l.packet_id = p.id AND l.kind = 'debit') <> 1), \
        (SELECT COUNT(*) FROM claims c WHERE (SELECT COUNT(*) FROM ledger l WHERE l.packet_id = c.packet_id AND l.username = c.username AND l.kind = 'credit' AND l.amount = c.amount) <> 1), \
        (SELECT COUNT(*) FROM ledger l WHERE l.kind = 'credit' AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.packet_id = l.packet_id AND c.username = l.username)), \
        (SELECT COALESCE(SUM(balance), 0) FROM users), \
        (SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind = 'grant'), \
        (SELECT COALESCE(SUM((SELECT amount FROM ledger l WHERE l.packet_id = p.id AND l.kind = 'debit') \
             - (SELECT COALESCE(SUM(amount), 0) FROM claims c WHERE c.packet_id = p.id)), 0) \
             FROM packets p WHERE p.state IN ('open', 'pending'))";
    use hongbao_server::store::DbMoney;
    use sqlx::Row;
    let (counts, sums): (Vec<i64>, Vec<DbMoney>) = if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
        let r = sqlx::query(checks)
            .fetch_one(&pool)
            .await
            .expect("books query");
        let row = (
            (0..5).map(|i| r.get(i)).collect(),
            (5..8).map(|i| r.get(i)).collect(),
        );
        pool.close().await;
        row
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("pg");
        let r = sqlx::query(checks)
            .fetch_one(&pool)
            .await
            .expect("books query");
        let row = (
            (0..5).map(|i| r.get(i)).collect(),
            (5..8).map(|i| r.get(i)).collect(),
        );
        pool.close().await;
        row
    };
    assert_eq!(
        counts,
        [0, 0, 0, 0, 0],
        "(balances ≠ ledger, finished packets not balancing, packets without one debit, \
         claims without one credit, credits without a claim)"
    );
    let (balances, grants, held) = (sums[0].0.fen(), sums[1].0.fen(), sums[2].0.fen());
    assert_eq!(balances + held, grants, "money is conserved");
}

/// The server binary as a child process (for kill -9 and several processes).
pub struct Child {
    pub child: std::process::Child,
    pub url: String,
}

impl Child {
    /// Starts `hongbao-server --listen 127.0.0.1:0 <args>` and waits for its address.
    pub fn spawn(args: &[&str]) -> Child {
        Child::start(args, "warn", &[], None)
    }

    /// Like [`Child::spawn`], with `HONGBAO_LOG=<filter>` and every line the server writes
    /// to stderr (its log) collected in the returned [`Log`].
    pub fn spawn_logged(args: &[&str], filter: &str) -> (Child, Log) {
        Child::spawn_logged_env(args, filter, &[])
    }

    /// [`Child::spawn_logged`] with extra environment variables.
    pub fn spawn_logged_env(args: &[&str], filter: &str, env: &[(&str, &str)]) -> (Child, Log) {
        let log = Log::default();
        (Child::start(args, filter, env, Some(&log)), log)
    }

    /// Starts the server; its stderr goes to `log` if given, else to the test's stderr.
    fn start(args: &[&str], filter: &str, env: &[(&str, &str)], log: Option<&Log>) -> Child {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hongbao-server"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("HONGBAO_LOG", filter)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(if log.is_some() {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("the server binary starts");
        if let Some(log) = log {
            let stderr = child.stderr.take().unwrap();
            let lines = log.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    lines.lines.lock().unwrap().push(line);
                }
                lines
                    .closed
                    .store(true, std::sync::atomic::Ordering::Release);
            });
        }
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                let log = log.map(Log::lines).unwrap_or_default();
                panic!("the server prints its address; log: {log:?}")
            });
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Child { child, url }
    }

    /// The process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, then reap.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines a child server logged (see [`Child::spawn_logged`]).
#[derive(Clone, Default)]
pub struct Log {
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Set by the reader once the process's stderr is closed (every line is in `lines`).
    closed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Log {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until the process's stderr is closed and read to its end, so that the lines
    /// it wrote just before exiting are in [`Log::lines`] (the process having exited does
    /// not mean the reader thread has caught up).
    pub fn read_to_end(&self, within: Duration) {
        let deadline = std::time::Instant::now() + within;
        while !self.closed.load(std::sync::atomic::Ordering::Acquire) {
            assert!(
                std::time::Instant::now() < deadline,
                "the log was not closed within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The lines at `WARN` or `ERROR` (plain or JSON format).
    pub fn problems(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|l| {
                l.contains(" WARN ")
                    || l.contains(" ERROR ")
                    || l.contains("\"level\":\"WARN\"")
                    || l.contains("\"level\":\"ERROR\"")
            })
            .collect()
    }
}

/// Reads `data:` lines of an SSE stream until `want` events arrived.
pub async fn read_events(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin),
    want: usize,
) -> Vec<Value> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while out.len() < want {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("events arrive in time")
            .expect("the stream stays open")
            .expect("a chunk");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(i) = buf.find('\n') {
            let line = buf[..i].trim_end_matches('\r').to_owned();
            buf.drain(..=i);
            if let Some(data) = line.strip_prefix("data:") {
                out.push(serde_json::from_str(data.trim()).expect("a JSON event"));
            }
        }
    }
    out
}

/// Opens a chat's event stream and waits for its `: ready` comment.
pub async fn open_events(
    c: &Client,
    chat: &str,
) -> impl futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin {
    open_stream(
        c.http
            .get(format!("{}/api/v1/chats/{chat}/events", c.base))
            .bearer_auth(c.token.as_deref().unwrap()),
    )
    .await
}

/// Sends `request` for an event stream, checks that one opened (200, `text/event-stream`)
/// and waits for its `: ready` comment.
pub async fn open_stream(
    request: reqwest::RequestBuilder,
) -> impl futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin + use<> {
    let resp = request.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = Box::pin(resp.bytes_stream());
    let first = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("ready"));
    stream
}
