//! The contract suite, written once: the same calls, through the one `Backend` trait of
//! `hongbao_api::backend`, against the widget's mock backend (`hongbao_mock::Mock`, the
//! engine in the page, here on its in-memory host), against the server on SQLite and
//! against the server on PostgreSQL. Each run writes a transcript of what it observed
//! (codes, states, totals — not the random shares or the times); the transcripts must be
//! equal, and each run checks the rules itself along the way.
//!
//! The HTTP side is the widget's own HTTP client (`hongbao_api::client::Client`: the same
//! requests, the same login as the acting demo user) over a native transport instead of
//! `fetch`.

mod common;

use common::{Db, TestServer};
use hongbao_api::backend::Backend;
use hongbao_api::client::{Client, Fetched, Transport};
use hongbao_api::http::Request;
use hongbao_api::{ApiError, NewPacket, PacketView};
use hongbao_engine::{Money, PacketKind, PacketKindTag, Timestamp};
use hongbao_mock::{Mock, MockConfig};

/// The mock as the widget runs it, without latency, failures or bots, its clock standing
/// still but for the test clock.
fn mock() -> Mock<hongbao_mock::InMemory> {
    let config = MockConfig {
        latency_ms: Some(0),
        fail_percent: 0,
        bots: false,
        ..MockConfig::default()
    };
    Mock::in_memory(config, Timestamp::from_utc(2026, 3, 1, 12, 0, 0))
}

/// The widget's `fetch`, natively.
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
            .map_err(|e| ApiError::network(format!("the server cannot be reached: {e}")))?;
        let status = resp.status().as_u16();
        let body = resp
            .text()
            .await
            .map_err(|e| ApiError::network(format!("the response was cut off: {e}")))?;
        Ok((status, body))
    }
}

impl Transport for Native {
    fn fetch<'a>(&'a self, req: &'a Request, token: Option<&'a str>) -> Fetched<'a> {
        Box::pin(self.send(req, token))
    }
}

fn http(base: &str) -> Client<Native> {
    let native = Native {
        base: base.to_owned(),
        client: common::http_client(),
    };
    Client::new(native, "alice")
}

// ------------------------------------------------------------------------------ the suite

/// A new packet of `kind` whose typed amount is `amount` (the total of a lucky packet, per
/// share otherwise); personal and exclusive ones go to nobody until [`to`] names someone.
fn draft(chat: &str, kind: PacketKindTag, amount: &str, count: u32, key: &str) -> NewPacket {
    let amount = Money::from_wire(amount).unwrap();
    NewPacket {
        chat_id: chat.into(),
        kind: match kind {
            PacketKindTag::Lucky => PacketKind::Lucky {
                total: amount,
                count,
                split: None,
            },
            PacketKindTag::Normal => PacketKind::Normal {
                per_share: amount,
                count,
            },
            PacketKindTag::Personal => PacketKind::Personal {
                to: String::new(),
                amount,
            },
            PacketKindTag::Exclusive => PacketKind::Exclusive {
                to: String::new(),
                amount,
            },
        },
        greeting: "恭喜发财".into(),
        idempotency_key: key.into(),
    }
}

fn to(mut d: NewPacket, recipient: &str) -> NewPacket {
    if let PacketKind::Personal { to, .. } | PacketKind::Exclusive { to, .. } = &mut d.kind {
        *to = recipient.into();
    }
    d
}

/// A packet without its random parts (lucky shares) or times.
fn view(p: &PacketView) -> String {
    let lucky = p.kind == PacketKindTag::Lucky;
    let claims: Vec<String> = p
        .claims
        .iter()
        .map(|c| {
            if lucky {
                // Who got the best luck depends on the random shares.
                c.username.clone()
            } else {
                format!("{}:{}", c.username, c.amount)
            }
        })
        .collect();
    let claimed: i64 = p.claims.iter().map(|c| c.amount.fen()).sum();
    assert_eq!(
        claimed + p.remaining.fen() + p.refund.map(Money::fen).unwrap_or(0),
        p.total.fen(),
        "packet {} adds up: {p:?}",
        p.id
    );
    assert!(p.claims.iter().all(|c| c.amount.fen() >= 1));
    format!(
        "#{} {} {}/{} by {} to {:?} total {} per {:?} count {} claimed {} state {} recall {} can_recall {} deadline {} refund {:?} claims [{}]",
        p.id,
        p.kind.as_str(),
        p.chat_id,
        p.greeting,
        p.sender,
        p.recipient,
        p.total,
        p.per_share.map(|m| m.to_string()),
        p.count,
        p.claimed_count,
        p.state.as_str(),
        p.recall_mode.as_str(),
        p.can_recall,
        p.recall_deadline.is_some(),
        p.refund.map(|m| if lucky && !p.claims.is_empty() {
            "some".into()
        } else {
            m.to_string()
        }),
        claims.join(" "),
    )
}

fn err<T: std::fmt::Debug>(r: &Result<T, ApiError>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("error {} {:?}", e.code, e.detail),
    }
}

/// Runs the contract; returns the transcript.
async fn contract(b: &dyn Backend) -> Vec<String> {
    let mut t: Vec<String> = Vec::new();
    macro_rules! log {
        ($($arg:tt)*) => { t.push(format!($($arg)*)) };
    }

    // The demo world.
    for user in hongbao_api::demo::DEMO_USERS {
        let me = b.me(user).await.unwrap();
        assert_eq!(me.balance, Money::from_fen(100_000));
        let chats = b.chats(user).await.unwrap();
        assert_eq!(chats, hongbao_api::demo::chats_for(user), "{user}'s chats");
        log!("{user}: {} with {} chats", me.balance, chats.len());
    }
    log!("unknown user: {}", err(&b.me("mallory").await));

    // Lucky: send, retry, claim out.
    let lucky = draft("family", PacketKindTag::Lucky, "10.00", 5, "c-lucky");
    let p = b.send("alice", &lucky).await.unwrap();
    log!("sent {}", view(&p));
    let again = b.send("alice", &lucky).await.unwrap();
    assert_eq!(again.id, p.id, "the same key returns the same packet");
    log!("retried: same id {}", again.id == p.id);
    let mut other = lucky.clone();
    other.kind = PacketKind::Lucky {
        total: Money::from_fen(1_100),
        count: 5,
        split: None,
    };
    log!(
        "same key, other request: {}",
        err(&b.send("alice", &other).await)
    );
    log!("alice: {}", b.me("alice").await.unwrap().balance);
    let mut sum = 0;
    for user in ["bob", "carol", "dave", "erin", "frank"] {
        let c = b.claim(user, p.id).await.unwrap();
        assert!(!c.already_claimed);
        let again = b.claim(user, p.id).await.unwrap();
        assert!(again.already_claimed && again.amount == c.amount);
        sum += c.amount.fen();
        log!(
            "{user} claims: already {} then {}",
            c.already_claimed,
            again.already_claimed
        );
    }
    assert_eq!(sum, 1_000, "the shares add up to the total");
    log!("grace: {}", err(&b.claim("grace", p.id).await));
    let done = b.packet("grace", p.id).await.unwrap();
    assert_eq!(done.claims.iter().filter(|c| c.best_luck).count(), 1);
    log!("claimed out {}", view(&done));

    // Normal, personal, exclusive.
    let n = b
        .send(
            "alice",
            &draft("family", PacketKindTag::Normal, "1.88", 3, "c-normal"),
        )
        .await
        .unwrap();
    log!("normal {}", view(&n));
    log!("bob: {}", err(&b.claim("bob", n.id).await));
    let x = b
        .send(
            "alice",
            &to(
                draft("family", PacketKindTag::Exclusive, "5.20", 1, "c-x"),
                "carol",
            ),
        )
        .await
        .unwrap();
    log!("exclusive {}", view(&x));
    for user in ["bob", "alice", "carol", "carol"] {
        log!("{user} on exclusive: {}", err(&b.claim(user, x.id).await));
    }
    let d = b
        .send(
            "alice",
            &to(
                draft("alice-bob", PacketKindTag::Personal, "8.88", 1, "c-p"),
                "bob",
            ),
        )
        .await
        .unwrap();
    log!("personal {}", view(&d));
    for user in ["carol", "alice", "bob"] {
        log!("{user} on personal: {}", err(&b.claim(user, d.id).await));
        log!(
            "{user} sees personal: {}",
            err(&b.packet(user, d.id).await.map(|p| p.id))
        );
    }

    // Refusals.
    let refusals = [
        (
            "over balance",
            draft("family", PacketKindTag::Lucky, "1000.01", 10, "r1"),
        ),
        (
            "over share cap",
            draft("family", PacketKindTag::Lucky, "200.01", 1, "r2"),
        ),
        (
            "too many",
            draft("family", PacketKindTag::Lucky, "5.00", 101, "r3"),
        ),
        (
            "zero count",
            draft("family", PacketKindTag::Normal, "1.00", 0, "r4"),
        ),
        ("zero", draft("family", PacketKindTag::Normal, "0", 2, "r5")),
        (
            "below min total",
            draft("family", PacketKindTag::Lucky, "0.04", 5, "r6"),
        ),
        (
            "personal in a group",
            to(
                draft("family", PacketKindTag::Personal, "1", 1, "r7"),
                "bob",
            ),
        ),
        (
            "lucky in 1:1",
            draft("alice-bob", PacketKindTag::Lucky, "1", 1, "r8"),
        ),
        (
            "exclusive to self",
            to(
                draft("family", PacketKindTag::Exclusive, "1", 1, "r9"),
                "alice",
            ),
        ),
        (
            "exclusive without recipient",
            draft("family", PacketKindTag::Exclusive, "1", 1, "r10"),
        ),
        (
            "not my chat",
            to(
                draft("bob-carol", PacketKindTag::Personal, "1", 1, "r11"),
                "bob",
            ),
        ),
        (
            "empty key",
            draft("family", PacketKindTag::Lucky, "1", 1, ""),
        ),
    ];
    for (what, d) in &refusals {
        log!(
            "send {what}: {}",
            err(&b.send("alice", d).await.map(|p| p.id))
        );
        log!(
            "preview {what}: {}",
            err(&b.preview("alice", d).await.map(|p| p.total))
        );
    }
    log!("claim missing: {}", err(&b.claim("alice", 999).await));
    log!(
        "recall missing: {}",
        err(&b.recall("alice", 999, false).await)
    );
    log!(
        "chat packets of another's chat: {}",
        err(&b.chat_packets("erin", "alice-bob").await.map(|v| v.len()))
    );

    // Preview.
    let pv = b
        .preview(
            "alice",
            &draft("family", PacketKindTag::Normal, "5.20", 10, "pv"),
        )
        .await
        .unwrap();
    let mut codes: Vec<&str> = pv.warnings.iter().map(|w| w.code.as_str()).collect();
    codes.sort_unstable();
    log!("preview 5.20×10: total {} warnings {codes:?}", pv.total);

    // Recall.
    let r = b
        .send(
            "alice",
            &draft("family", PacketKindTag::Lucky, "30.00", 3, "c-r1"),
        )
        .await
        .unwrap();
    log!("bob recalls: {}", err(&b.recall("bob", r.id, false).await));
    log!(
        "alice recalls: {}",
        err(&b.recall("alice", r.id, false).await)
    );
    log!(
        "alice recalls again: {}",
        err(&b.recall("alice", r.id, false).await)
    );
    log!("bob claims recalled: {}", err(&b.claim("bob", r.id).await));
    log!("recalled {}", view(&b.packet("bob", r.id).await.unwrap()));
    let r2 = b
        .send(
            "alice",
            &draft("family", PacketKindTag::Lucky, "30.00", 3, "c-r2"),
        )
        .await
        .unwrap();
    b.claim("bob", r2.id).await.unwrap();
    log!(
        "recall after a claim: {}",
        err(&b.recall("alice", r2.id, false).await)
    );

    // Time: the recall window closes, then the packet expires and is refunded.
    let e = b
        .send(
            "alice",
            &draft("family", PacketKindTag::Normal, "2.00", 4, "c-e"),
        )
        .await
        .unwrap();
    b.claim("judy", e.id).await.unwrap();
    let w = b
        .send(
            "alice",
            &draft("family", PacketKindTag::Normal, "1.00", 2, "c-w"),
        )
        .await
        .unwrap();
    b.advance_clock(121).await.unwrap();
    log!(
        "recall after the window: {}",
        err(&b.recall("alice", w.id, false).await)
    );
    b.advance_clock(24 * 3600).await.unwrap();
    log!("claim after expiry: {}", err(&b.claim("heidi", e.id).await));
    log!("expired {}", view(&b.packet("alice", e.id).await.unwrap()));
    log!(
        "expired too {}",
        view(&b.packet("alice", w.id).await.unwrap())
    );
    log!(
        "recall expired: {}",
        err(&b.recall("alice", w.id, false).await)
    );

    // The chat, the ledger and the balances at the end.
    let family = b.chat_packets("ivan", "family").await.unwrap();
    for p in &family {
        log!("in family: {}", view(p));
    }
    let ledger = b.ledger("alice").await.unwrap();
    // Expiries happen in an order of their own (the server's sweeper, or on access), and a
    // lucky packet's refund depends on its random shares: compare sorted, amounts where
    // they are determined.
    let lucky_ids = [p.id, r.id, r2.id];
    let mut lines: Vec<String> = ledger
        .iter()
        .map(|e| {
            let random =
                e.kind.as_str() != "debit" && e.packet_id.is_some_and(|id| lucky_ids.contains(&id));
            let amount = if random {
                "?".to_owned()
            } else {
                e.amount.to_string()
            };
            format!("{:?} {} {amount}", e.packet_id, e.kind.as_str())
        })
        .collect();
    lines.sort();
    for line in lines {
        log!("alice ledger: {line}");
    }
    assert!(ledger.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let alice = b.me("alice").await.unwrap().balance;
    let debits: i64 = ledger
        .iter()
        .map(|e| {
            if e.kind.is_incoming() {
                e.amount.fen()
            } else {
                -e.amount.fen()
            }
        })
        .sum();
    assert_eq!(debits, alice.fen(), "alice's balance is her ledger's sum");
    // (Alice's final balance depends on bob's random share of the recalled-too-late packet.)
    let heidi = b.me("heidi").await.unwrap().balance;
    log!("heidi ends with {heidi}");
    t
}

async fn transcript(db: Option<Db>) -> Vec<String> {
    match db {
        None => contract(&mock()).await,
        Some(db) => {
            let s = TestServer::start(db, |_| {}).await.expect("a database");
            let t = contract(&http(&s.url)).await;
            common::check_books(&s).await;
            s.stop().await;
            t
        }
    }
}

fn compare(name: &str, mock: &[String], other: &[String]) {
    for (i, (a, b)) in mock.iter().zip(other).enumerate() {
        assert_eq!(a, b, "step {i}: the mock and {name} differ");
    }
    assert_eq!(mock.len(), other.len(), "{name}: transcript length");
}

// Three targets of the one suite: the mock on its own (its rules checked along the way),
// and the server on each database, whose transcripts must equal the mock's.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_holds_on_the_mock() {
    let mock = transcript(None).await;
    assert!(!mock.is_empty());
    assert_eq!(mock, transcript(None).await, "the mock is deterministic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_and_server_on_sqlite_agree() {
    let mock = transcript(None).await;
    if std::env::var_os("HONGBAO_SHOW_TRANSCRIPT").is_some() {
        eprintln!("{}", mock.join("\n"));
    }
    let sqlite = transcript(Some(Db::Sqlite)).await;
    compare("the server on SQLite", &mock, &sqlite);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_and_server_on_postgres_agree() {
    if !common::pg::available().await {
        return;
    }
    let mock = transcript(None).await;
    let pg = transcript(Some(Db::Postgres)).await;
    compare("the server on PostgreSQL", &mock, &pg);
}
