//! Concurrency: 1,000 users claiming one packet of 100 shares at once; 500 races of a
//! recall against a claim. On SQLite and on PostgreSQL.

mod common;

use std::sync::Arc;

use common::{Client, Db, TestServer, check_books, fen};
use futures_util::future::join_all;
use hongbao_api::ErrorCode;
use serde_json::json;
use tokio::sync::Barrier;

/// Sessions for `n` crowd users (the server runs with `--load-test-sessions`).
async fn crowd(s: &TestServer, n: u32) -> Vec<Client> {
    common::crowd_clients(&s.url, n).await
}

/// Runs `call` again while the server answers 503 (`unavailable`: every pooled connection was
/// busy for the pool's whole acquire timeout, which a loaded 2-core machine can reach with a
/// thousand requests at once). A 503 is given before any transaction starts, and is what a
/// client retries (the widget does), so the outcome that counts is the first other answer.
/// How many 503s come before it depends on the machine's speed (twenty in a row were seen at
/// a load average of 40), so the retries are bounded by a deadline that only catches a hang,
/// with a growing pause so that the waiting clients do not all come back at once.
async fn served<F, Fut>(call: F) -> common::Res
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = common::Res>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(900);
    let mut pause_ms = 50;
    loop {
        let r = call().await;
        if r.status != 503 {
            return r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server answered 503 for 15 minutes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
        pause_ms = (pause_ms * 2).min(2_000);
    }
}

async fn thousand_claims_on_a_hundred_shares(db: Db) {
    let Some(s) = TestServer::start(db, |c| {
        c.crowd = 1000;
        c.load_test_sessions = true;
    })
    .await
    else {
        return;
    };
    let users = crowd(&s, 1000).await;
    let packet = users[0].lucky("crowd", "500.00", 100, "big").await;
    let id = packet["id"].as_u64().unwrap();
    let barrier = Arc::new(Barrier::new(users.len()));
    let tasks = users.iter().cloned().map(|c| {
        let barrier = barrier.clone();
        tokio::spawn(async move {
            barrier.wait().await;
            served(|| c.claim(id)).await
        })
    });
    let results: Vec<_> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let won: Vec<i64> = results
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| fen(&r.body["amount"]))
        .collect();
    for r in &results {
        assert!(
            r.status == 200 || (r.status == 409 && r.error_code() == ErrorCode::ClaimedOut),
            "{r:?}"
        );
    }
    assert_eq!(won.len(), 100, "exactly 100 claims succeed");
    assert_eq!(
        won.iter().sum::<i64>(),
        50_000,
        "the shares add up to the total"
    );
    assert!(won.iter().all(|&a| (1..=20_000).contains(&a)));
    let view = users[0].packet(id).await.ok();
    assert_eq!(view["state"], "claimed_out");
    assert_eq!(view["claims"].as_array().unwrap().len(), 100);
    // Claiming again changes nothing and returns the same amounts.
    let winners: Vec<&Client> = users
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.status == 200)
        .map(|(c, _)| c)
        .collect();
    let again = winners[7].claim(id).await.ok();
    assert_eq!(again["already_claimed"], true);
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    thousand_claims_on_a_hundred_shares,
    super::thousand_claims_on_a_hundred_shares
);

async fn recall_races_claim(db: Db) {
    let Some(s) = TestServer::start(db, |c| {
        c.crowd = 100;
        c.load_test_sessions = true;
    })
    .await
    else {
        return;
    };
    let users = crowd(&s, 100).await;
    // 500 packets from 50 senders, each raced by a recall and a claim.
    let mut packets = Vec::new();
    for chunk in (0..500usize).collect::<Vec<_>>().chunks(100) {
        let sends = chunk.iter().map(|&i| {
            let sender = users[i % 50].clone();
            async move {
                let p = sender.lucky("crowd", "1.00", 2, &format!("race-{i}")).await;
                (i, p["id"].as_u64().unwrap())
            }
        });
        packets.extend(join_all(sends).await);
    }
    let mut recalled = 0;
    for chunk in packets.chunks(100) {
        let races = chunk.iter().map(|&(i, id)| {
            let sender = users[i % 50].clone();
            let claimer = users[50 + i % 50].clone();
            async move {
                let (r, c) =
                    tokio::join!(served(|| sender.recall(id)), served(|| claimer.claim(id)));
                (id, r, c)
            }
        });
        for (id, r, c) in join_all(races).await {
            match (r.status.as_u16(), c.status.as_u16()) {
                (200, 409) => {
                    assert_eq!(c.error_code(), ErrorCode::Recalled, "packet {id}: {c:?}");
                    assert_eq!(r.body["refund"], "1.00");
                    recalled += 1;
                }
                (409, 200) => assert_eq!(
                    r.error_code(),
                    ErrorCode::RecallHasClaims,
                    "packet {id}: {r:?}"
                ),
                other => panic!("packet {id}: recall {r:?} / claim {c:?} ({other:?})"),
            }
        }
    }
    eprintln!("{recalled} of 500 races went to the recall");
    check_books(&s).await;
    s.stop().await;
}
on_both!(recall_races_claim, super::recall_races_claim);

async fn claims_and_recalls_on_many_packets_keep_the_books(db: Db) {
    let Some(s) = TestServer::start(db, |c| {
        c.crowd = 60;
        c.load_test_sessions = true;
    })
    .await
    else {
        return;
    };
    let users = crowd(&s, 60).await;
    let mut ids = Vec::new();
    for (i, sender) in users.iter().take(20).enumerate() {
        let body = if i % 2 == 0 {
            json!({"chat_id": "crowd", "kind": "lucky", "total": "3.00", "count": 10,
                   "idempotency_key": format!("m{i}")})
        } else {
            json!({"chat_id": "crowd", "kind": "normal", "per_share": "3.00", "count": 10,
                   "idempotency_key": format!("m{i}")})
        };
        let p = sender.send(body).await.ok();
        ids.push((i, p["id"].as_u64().unwrap()));
    }
    let work = ids.iter().flat_map(|&(i, id)| {
        let users = &users;
        (20..60).map(move |u| {
            let c = users[u].clone();
            let sender = users[i].clone();
            async move {
                if u % 13 == 0 {
                    served(|| sender.recall(id)).await
                } else {
                    served(|| c.claim(id)).await
                }
            }
        })
    });
    let results = join_all(work).await;
    assert!(results.iter().all(|r| !r.status.is_server_error()));
    check_books(&s).await;
    s.stop().await;
}
on_both!(
    claims_and_recalls_on_many_packets_keep_the_books,
    super::claims_and_recalls_on_many_packets_keep_the_books
);
