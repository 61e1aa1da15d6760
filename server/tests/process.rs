//! The server binary as child processes: kill -9 under load (five times, each followed by
//! a restart) loses no acknowledged claim; two processes on one PostgreSQL share packets
//! and live updates.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Child, Client, Db, check_books_at, fen, open_events, pg, read_events};
use futures_util::future::join_all;
use hongbao_server::store::{DbMoney, crowd_user};
use serde_json::json;
use sqlx::Row;

const USERS: u32 = 200;

async fn login_all(url: &str, n: u32) -> Vec<Client> {
    common::crowd_clients(url, n).await
}

/// (packet, user) → amount of every claim the server acknowledged.
type Acked = Arc<Mutex<HashMap<(u64, String), i64>>>;

async fn stored_claims(url: &str) -> HashMap<(u64, String), i64> {
    common::audit_index(url).await;
    let q = "SELECT c.packet_id, c.username, c.amount, \
             (SELECT COUNT(*) FROM ledger l WHERE l.packet_id = c.packet_id AND l.username = c.username \
              AND l.kind = 'credit' AND l.amount = c.amount) FROM claims c";
    // Amounts are read as money: fen in SQLite, NUMERIC in PostgreSQL.
    let rows: Vec<(i64, String, DbMoney, i64)> = if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let rows = sqlx::query(q).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let rows = sqlx::query(q).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
    };
    rows.into_iter()
        .map(|(p, u, a, credits)| {
            assert_eq!(credits, 1, "claim ({p}, {u}) has exactly one credit");
            ((u64::try_from(p).unwrap(), u), a.0.fen())
        })
        .collect()
}

async fn kill9_under_load_loses_no_acknowledged_claim(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = match db {
        Db::Sqlite => format!("sqlite://{}", dir.path().join("kill.db").display()),
        Db::Postgres => match pg::fresh_database().await {
            Some(url) => url,
            None => return,
        },
    };
    let crowd = USERS.to_string();
    let args = [
        "--database-url",
        url.as_str(),
        "--crowd",
        crowd.as_str(),
        "--load-test-sessions",
    ];
    let acked: Acked = Arc::default();
    let mut tokens: Vec<String> = Vec::new();
    for round in 0..5u32 {
        let server = Child::spawn(&args);
        let users: Vec<Client> = if tokens.is_empty() {
            let users = login_all(&server.url, USERS).await;
            tokens = users.iter().map(|c| c.token.clone().unwrap()).collect();
            users
        } else {
            // Sessions survive restarts.
            let http = common::http_client();
            tokens
                .iter()
                .enumerate()
                .map(|(i, t)| Client {
                    base: server.url.clone(),
                    http: http.clone(),
                    token: Some(t.clone()),
                    user: crowd_user(i as u32 + 1),
                })
                .collect()
        };
        // Forty packets of 100 shares for this round: more than the load gets through
        // before the kill.
        let mut packets = Vec::new();
        for (k, sender) in users.iter().take(40).enumerate() {
            let p = sender
                .lucky("crowd", "50.00", 100, &format!("round{round}-{k}"))
                .await;
            packets.push(p["id"].as_u64().unwrap());
        }
        // Every user claims every packet until the server dies.
        let load = users.iter().cloned().enumerate().map(|(i, c)| {
            let packets = packets.clone();
            let acked = acked.clone();
            tokio::spawn(async move {
                for k in 0..packets.len() {
                    let id = packets[(i + k) % packets.len()];
                    let r = c
                        .http
                        .post(format!("{}/api/v1/packets/{id}/claim", c.base))
                        .bearer_auth(c.token.as_deref().unwrap())
                        .send()
                        .await;
                    let Ok(resp) = r else { return };
                    if resp.status() == 200 {
                        let Ok(body) = resp.json::<serde_json::Value>().await else {
                            return;
                        };
                        acked
                            .lock()
                            .unwrap()
                            .insert((id, c.user.clone()), fen(&body["amount"]));
                    }
                }
            })
        });
        let load: Vec<_> = load.collect();
        // Kill once the load is well under way (a few hundred claims into the round's 4,000),
        // wherever the server is in its work.
        let before = acked.lock().unwrap().len();
        let target = before + 300 + 300 * round as usize;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while acked.lock().unwrap().len() < target && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let running = load.iter().filter(|t| !t.is_finished()).count();
        assert!(running > 0, "round {round}: the kill comes under load");
        server.kill9();
        for task in load {
            let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
        }
        let stored = stored_claims(&url).await;
        let acked_now = acked.lock().unwrap().clone();
        for (key, amount) in &acked_now {
            assert_eq!(
                stored.get(key),
                Some(amount),
                "round {round}: acknowledged claim {key:?} survives kill -9"
            );
        }
        eprintln!(
            "round {round}: killed with {running} clients claiming; {} claims acknowledged \
             so far, {} stored",
            acked_now.len(),
            stored.len()
        );
    }
    assert!(acked.lock().unwrap().len() > 100, "the load did claim");
    // A last restart: the server starts on what was left and the books balance.
    let server = Child::spawn(&args);
    let mut c = Client::new(&server.url);
    c.login("u0001").await;
    c.me().await;
    server.kill9();
    check_books_at(&url).await;
}
on_both!(
    kill9_under_load_loses_no_acknowledged_claim,
    super::kill9_under_load_loses_no_acknowledged_claim
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_one_postgres() {
    if !pg::available().await {
        return;
    }
    let url = pg::fresh_database().await.unwrap();
    // Both start at once on the new database: migrations and seeding must not collide.
    let (a, b) = {
        let (u1, u2) = (url.clone(), url.clone());
        let a = std::thread::spawn(move || Child::spawn(&["--database-url", &u1]));
        let b = std::thread::spawn(move || Child::spawn(&["--database-url", &u2]));
        (a.join().unwrap(), b.join().unwrap())
    };
    let mut alice = Client::new(&a.url);
    alice.login("alice").await;
    let mut bob_b = Client::new(&b.url);
    bob_b.login("bob").await;
    // A token from one process works on the other.
    let mut carol_a = Client::new(&a.url);
    carol_a.login("carol").await;
    let carol_b = Client {
        base: b.url.clone(),
        ..carol_a.clone()
    };
    assert_eq!(carol_b.me().await["username"], "carol");

    let mut events = open_events(&bob_b, "family").await;
    let id = alice.lucky("family", "5.00", 5, "two").await["id"]
        .as_u64()
        .unwrap();
    carol_a.claim(id).await.ok();
    let got = read_events(&mut events, 2).await;
    assert_eq!(
        got,
        [
            json!({"type": "packet_sent", "chat_id": "family", "packet_id": id}),
            json!({"type": "packet_claimed", "chat_id": "family", "packet_id": id, "username": "carol"}),
        ],
        "a claim through one process shows up in the other's event stream"
    );
    // Claims through both processes at once: exactly the shares there are.
    let mut clients = Vec::new();
    for (i, user) in hongbao_api::demo::DEMO_USERS.iter().enumerate() {
        let mut c = Client::new(if i % 2 == 0 { &a.url } else { &b.url });
        c.login(user).await;
        clients.push(c);
    }
    let id = alice.lucky("family", "5.00", 5, "split").await["id"]
        .as_u64()
        .unwrap();
    let results = join_all(clients.iter().map(|c| c.claim(id))).await;
    let won: Vec<i64> = results
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| fen(&r.body["amount"]))
        .collect();
    assert_eq!(won.len(), 5);
    assert_eq!(won.iter().sum::<i64>(), 500);
    drop((a, b));
    check_books_at(&url).await;
}
