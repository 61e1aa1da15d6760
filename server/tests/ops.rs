//! Operations (issue 15, item 7): health and readiness, Prometheus metrics, graceful
//! shutdown on SIGTERM with a real process, and the online backup of a SQLite database.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Child, Client, Db, TestServer, check_books_at, fen};
use futures_util::StreamExt;
use futures_util::future::join_all;

async fn text(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn health_and_readiness(db: Db) {
    let Some(s) = TestServer::start(db, |_| {}).await else {
        return;
    };
    assert_eq!(
        text(&format!("{}/healthz", s.url)).await,
        (200, "ok\n".into())
    );
    assert_eq!(
        text(&format!("{}/readyz", s.url)).await,
        (200, "ready\n".into())
    );
    // A database whose schema is behind this binary's is not ready.
    let latest = hongbao_server::store::sessions::latest_migration(&s.server.store);
    let q = format!("UPDATE _sqlx_migrations SET success = false WHERE version = {latest}");
    if s.database_url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&s.database_url).await.unwrap();
        sqlx::query(&q).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&s.database_url).await.unwrap();
        sqlx::query(&q).execute(&pool).await.unwrap();
        pool.close().await;
    }
    let (status, why) = text(&format!("{}/readyz", s.url)).await;
    assert_eq!(status, 503, "{why}");
    assert!(why.contains("migration"), "{why}");
    s.stop().await;
}
on_both!(health_and_readiness, super::health_and_readiness);

/// `name{labels} value` lines of a Prometheus page, by name and labels.
fn samples(page: &str) -> BTreeMap<String, f64> {
    page.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_owned(), v.parse().ok()?))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_count_requests_claims_streams_and_the_pool() {
    // A process of its own: the recorder is the process's.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let server = Child::spawn(&["--database-url", &url]);
    let mut alice = Client::new(&server.url);
    alice.login("alice").await;
    let mut bob = Client::new(&server.url);
    bob.login("bob").await;
    let id = alice.lucky("family", "2.00", 2, "m1").await["id"]
        .as_u64()
        .unwrap();
    bob.claim(id).await.ok();
    bob.claim(id).await.ok(); // already claimed: the same share again
    alice
        .get("/api/v1/packets/99999")
        .await
        .err(404, "not_found");
    alice
        .get("/api/v1/chats/fam%00ily/packets")
        .await
        .err(400, "invalid_text");
    let stream = common::open_events(&bob, "family").await;
    let page = text(&format!("{}/metrics", server.url)).await.1;
    let m = samples(&page);
    let get = |k: &str| {
        *m.get(k)
            .unwrap_or_else(|| panic!("no sample {k} in:\n{page}"))
    };
    assert_eq!(
        get(
            r#"hongbao_http_requests_total{method="POST",route="/api/v1/packets/{id}/claim",status="200"}"#
        ),
        2.0
    );
    assert_eq!(
        get(
            r#"hongbao_http_requests_total{method="GET",route="/api/v1/packets/{id}",status="404"}"#
        ),
        1.0
    );
    assert_eq!(
        get(
            r#"hongbao_http_requests_total{method="GET",route="/api/v1/chats/{id}/packets",status="400"}"#
        ),
        1.0
    );
    assert_eq!(
        get(r#"hongbao_http_requests_total{method="POST",route="/api/v1/login",status="200"}"#),
        2.0
    );
    assert_eq!(
        get(r#"hongbao_claim_duration_seconds_count{outcome="ok"}"#),
        2.0
    );
    assert_eq!(
        get(r#"hongbao_claim_duration_seconds_bucket{outcome="ok",le="+Inf"}"#),
        2.0
    );
    assert_eq!(get("hongbao_sse_streams_open"), 1.0);
    assert!(get("hongbao_db_connections_open") >= 1.0);
    assert!(m.contains_key("hongbao_db_connections_idle"));
    assert_eq!(get("hongbao_db_writer_queue"), 0.0);
    // No ids and no query strings become labels.
    assert!(!page.contains(&format!("/packets/{id}")), "{page}");
    drop(stream);
    // The server notices the closed stream when its next write fails or the connection's
    // end arrives: wait for the gauge to fall (a state), not for a fixed time.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let m = samples(&text(&format!("{}/metrics", server.url)).await.1);
        if m["hongbao_sse_streams_open"] == 0.0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the closed stream is still counted as open after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn sigterm(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM {pid}");
}

/// Waits for the child to exit; its status.
fn wait_exit(child: &mut std::process::Child, within: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM under load: the process stops accepting, answers what it accepted, ends the
/// event streams, checkpoints SQLite and exits 0; every acknowledged claim is stored and the
/// books balance.
async fn sigterm_finishes_in_flight_requests(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = match db {
        Db::Sqlite => format!("sqlite://{}", dir.path().join("term.db").display()),
        Db::Postgres => match common::pg::fresh_database().await {
            Some(url) => url,
            None => return,
        },
    };
    let (mut server, log) = Child::spawn_logged(
        &[
            "--database-url",
            &url,
            "--crowd",
            "200",
            "--load-test-sessions",
        ],
        "info",
    );
    let users = common::crowd_clients(&server.url, 200).await;
    let sender = &users[0];
    let id = sender.lucky("crowd", "100.00", 100, "term").await["id"]
        .as_u64()
        .unwrap();
    let mut events = common::open_events(&users[1], "crowd").await;
    // Claims from 199 users at once; the signal arrives while they are in flight: once the
    // server has answered the first of them (a state, not a fixed pause: on a loaded machine
    // 30 ms after starting them, none had reached the server yet).
    let first_answer = std::sync::Arc::new(tokio::sync::Notify::new());
    let claims = join_all(users[1..].iter().map(|u| {
        let u = u.clone();
        let first_answer = first_answer.clone();
        async move {
            let r = u
                .http
                .post(format!("{}/api/v1/packets/{id}/claim", u.base))
                .bearer_auth(u.token.as_deref().unwrap())
                .send()
                .await;
            match r {
                Ok(r) => {
                    first_answer.notify_one();
                    let status = r.status().as_u16();
                    let body: serde_json::Value = r
                        .json()
                        .await
                        .expect("a request the server accepted is answered in full, not cut off");
                    Some((u.user.clone(), status, body))
                }
                // Refused at the door once the server stopped accepting.
                Err(e) => {
                    assert!(e.is_connect() || e.is_request(), "{e:?}");
                    None
                }
            }
        }
    }));
    let pid = server.pid();
    let signal = async {
        // (the bound only catches a server that answers nothing)
        let _ = tokio::time::timeout(Duration::from_secs(300), first_answer.notified()).await;
        sigterm(pid);
    };
    let (answers, ()) = tokio::join!(claims, signal);
    // The stream ends (cleanly) rather than hanging the shutdown.
    let ended = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(chunk) = events.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the event stream ended");
    let status = wait_exit(&mut server.child, Duration::from_secs(20));
    log.read_to_end(Duration::from_secs(10));
    assert!(
        status.success(),
        "exit status {status:?}; log: {:?}",
        log.lines()
    );
    assert!(
        log.lines().iter().any(|l| l.contains("shut down")),
        "{:?}",
        log.lines()
    );
    let problems: Vec<String> = log
        .problems()
        .into_iter()
        .filter(|l| !l.contains("--load-test-sessions"))
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    if db == Db::Sqlite {
        let wal = dir.path().join("term.db-wal");
        assert!(
            std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
            "the WAL was checkpointed into the database: {:?} bytes left; log {:?}",
            std::fs::metadata(&wal).map(|m| m.len()),
            log.lines()
        );
    }
    let refused_at_the_door = answers.iter().filter(|a| a.is_none()).count();
    eprintln!(
        "{db:?}: {} answered ({} claims), {refused_at_the_door} refused at the door",
        answers.len() - refused_at_the_door,
        answers.iter().flatten().filter(|a| a.1 == 200).count()
    );
    let acked: Vec<(String, i64)> = answers
        .into_iter()
        .flatten()
        .filter(|(_, status, _)| *status == 200)
        .map(|(user, _, body)| (user, fen(&body["amount"])))
        .collect();
    assert!(!acked.is_empty());
    // Every acknowledged claim is stored, with its amount.
    let stored: Vec<(String, i64)> = if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let rows = sqlx::query_as("SELECT username, amount FROM claims WHERE packet_id = $1")
            .bind(id as i64)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let rows: Vec<(String, rust_decimal::Decimal)> =
            sqlx::query_as("SELECT username, amount FROM claims WHERE packet_id = $1")
                .bind(id as i64)
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        rows.into_iter()
            .map(|(u, d)| {
                (
                    u,
                    (d * rust_decimal::Decimal::from(100)).try_into().unwrap(),
                )
            })
            .collect()
    };
    let stored: BTreeMap<String, i64> = stored.into_iter().collect();
    for (user, amount) in &acked {
        assert_eq!(
            stored.get(user),
            Some(amount),
            "{user}'s acknowledged claim"
        );
    }
    check_books_at(&url).await;
}
on_both!(
    sigterm_finishes_in_flight_requests,
    super::sigterm_finishes_in_flight_requests
);

/// `hongbao-server backup FILE` while the server runs; a server started on the copy has the
/// same books.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_restores_with_the_same_books() {
    let Some(s) = TestServer::start(Db::Sqlite, |_| {}).await else {
        return;
    };
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let carol = s.login("carol").await;
    for i in 0..20 {
        let id = alice.lucky("family", "8.88", 3, &format!("b{i}")).await["id"]
            .as_u64()
            .unwrap();
        bob.claim(id).await.ok();
        if i % 2 == 0 {
            carol.claim(id).await.ok();
        }
    }
    let before: Vec<i64> = join_all([&alice, &bob, &carol].map(|c| c.balance_fen())).await;
    let backups = tempfile::tempdir().unwrap();
    let copy = backups.path().join("copy.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hongbao-server"))
        .args(["--database-url", &s.database_url, "backup"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Again onto the same file: refused, the copy left alone.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_hongbao-server"))
        .args(["--database-url", &s.database_url, "backup"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    // The original goes on; the copy does not see what came after.
    let id = alice.lucky("family", "1.00", 1, "after").await["id"]
        .as_u64()
        .unwrap();
    bob.claim(id).await.ok();
    s.stop().await;

    let copy_url = format!("sqlite://{}", copy.display());
    check_books_at(&copy_url).await;
    let restored = Child::spawn(&["--database-url", &copy_url]);
    let mut after = Vec::new();
    for user in ["alice", "bob", "carol"] {
        let mut c = Client::new(&restored.url);
        c.login(user).await;
        after.push(c.balance_fen().await);
    }
    assert_eq!(after, before);
}

/// PostgreSQL claims take the two-round-trip path (counted in the metrics) when they do
/// not race; when two server processes race on the same packets, lost races start over
/// or fall back to the locking transaction, and every share is still claimed exactly once
/// with the books balanced.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_claims_take_the_short_path_and_survive_races() {
    let Some(url) = common::pg::fresh_database().await else {
        return;
    };
    let args = [
        "--database-url",
        url.as_str(),
        "--crowd",
        "60",
        "--load-test-sessions",
    ];
    let a = Child::spawn(&args);
    let b = Child::spawn(&args);
    let users = common::crowd_clients(&a.url, 60).await;
    let paths = |page: &str| {
        let m = samples(page);
        let get = |k: &str| m.get(k).copied().unwrap_or(0.0);
        (
            get(r#"hongbao_pg_claims_total{path="fast"}"#),
            get(r#"hongbao_pg_claims_total{path="transaction"}"#),
        )
    };
    // One after the other: every claim on the short path.
    let id = users[0].lucky("crowd", "10.00", 10, "calm").await["id"]
        .as_u64()
        .unwrap();
    let mut total = 0;
    for u in &users[1..=10] {
        total += fen(&u.claim(id).await.ok()["amount"]);
    }
    assert_eq!(total, 1000);
    let page = text(&format!("{}/metrics", a.url)).await.1;
    assert_eq!(paths(&page), (10.0, 0.0), "{page}");

    let mut ids = Vec::new();
    for (i, sender) in users.iter().take(5).enumerate() {
        let id = sender
            .lucky("crowd", "50.00", 40, &format!("race{i}"))
            .await["id"]
            .as_u64()
            .unwrap();
        ids.push(id);
    }
    // Every user claims every packet, half of them through each process, all at once.
    let claims = users.iter().enumerate().flat_map(|(n, u)| {
        let base = if n % 2 == 0 {
            a.url.clone()
        } else {
            b.url.clone()
        };
        ids.iter().map(move |&id| {
            let mut u = u.clone();
            u.base = base.clone();
            async move { (id, u.claim(id).await) }
        })
    });
    let answers = join_all(claims).await;
    let mut per_packet: BTreeMap<u64, (u32, i64)> = BTreeMap::new();
    for (id, r) in answers {
        match r.status.as_u16() {
            200 => {
                let e = per_packet.entry(id).or_default();
                e.0 += 1;
                e.1 += fen(&r.body["amount"]);
            }
            409 => assert_eq!(r.code(), "claimed_out", "{r:?}"),
            other => panic!("claim answered {other}: {r:?}"),
        }
    }
    for id in &ids {
        assert_eq!(
            per_packet[id],
            (40, 5000),
            "packet {id}: every share once, the whole total"
        );
    }
    check_books_at(&url).await;
    let (mut fast, mut locked) = (0.0, 0.0);
    for server in [&a, &b] {
        let (f, l) = paths(&text(&format!("{}/metrics", server.url)).await.1);
        fast += f;
        locked += l;
    }
    eprintln!("300 racing claims: {fast} on the short path (10 before), {locked} locked");
    assert_eq!(fast + locked, 310.0);
}
