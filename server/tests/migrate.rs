//! A database written by the first release opens, migrates and keeps every packet exactly.
//!
//! `fixtures/first-release.db` was written by the first release's server (before the typed
//! schema) through its HTTP API, by `fixtures/make-first-release-db.sh`: every kind of
//! packet in every state, under every recall rule. The tests read its packets as that
//! release stored them (the engine's JSON in `body`, plus claims and members), open it with
//! today's store (which migrates it), and check that each packet reads back equal, that the
//! books balance, and that the migrated packets go on working (the next pre-cut share, a
//! replayed send, a recall, an expiry), and that its lab event was filed under its
//! experiment (migration 6). On PostgreSQL the same rows are loaded into the first
//! release's schema (migrations 1 and 2) and migrated the same way.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use hongbao_engine::{
    ChatRef, Claim, Money, Packet, PacketKind, PacketState, Policy, SendRequest, Timestamp,
};
use hongbao_server::store::migrations::{self, migrator};
use hongbao_server::store::{Seed, Store, StoreError};
use sqlx::{Row, SqlitePool};

use common::check_books_at;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/first-release.db"
);

/// A copy of the fixture in a temp dir (the original stays as the first release wrote it).
fn fixture_copy(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("first-release.db");
    std::fs::copy(FIXTURE, &path).expect("the fixture is readable");
    format!("sqlite://{}", path.display())
}

/// The packets as the first release stored them, read as it read them: the engine's JSON
/// without claims and members, then its claims and members, and (while it is open) what
/// remains derived from the claims.
async fn first_release_packets(url: &str) -> BTreeMap<u64, (Packet, u64)> {
    let pool = SqlitePool::connect(url).await.unwrap();
    let mut packets = BTreeMap::new();
    for row in sqlx::query("SELECT p.id, p.body, p.seed, m.members FROM packets p JOIN packet_members m ON m.packet_id = p.id")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        let id: i64 = row.get(0);
        let mut packet: Packet = serde_json::from_str(row.get::<&str, _>(1)).unwrap();
        packet.members = serde_json::from_str(row.get::<&str, _>(3)).unwrap();
        packet.claims = sqlx::query(
            "SELECT username, amount, at FROM claims WHERE packet_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|c| Claim {
            user: c.get(0),
            amount: Money::from_fen(c.get(1)),
            at: Timestamp::from_millis(c.get(2)),
        })
        .collect();
        if matches!(packet.state, PacketState::Open | PacketState::Pending) {
            packet.remaining = Money::from_fen(packet.total.fen() - packet.claimed_total().fen());
        }
        let seed: i64 = row.get(2);
        packets.insert(u64::try_from(id).unwrap(), (packet, seed.cast_unsigned()));
    }
    pool.close().await;
    packets
}

fn seed() -> Seed {
    Seed {
        demo: true,
        crowd: 0,
        crowd_balance: Money::from_fen(100_000),
        researchers: Vec::new(),
    }
}

fn by_key<'a>(old: &'a BTreeMap<u64, (Packet, u64)>, key: &str) -> &'a Packet {
    &old.values()
        .find(|(p, _)| p.idempotency_key == key)
        .unwrap_or_else(|| panic!("the fixture has {key}"))
        .0
}

/// The fixture's lab event (`{"type": "exposure", "experiment": "e", …}`) got its
/// experiment from its JSON (migration 6) and is read by it; a new one is filed under its
/// own.
async fn lab_events_have_their_experiment(store: &Store) {
    use hongbao_server::store::{LabFilter, NewLabEvent};
    let of = |experiment: &'static str| LabFilter {
        user: None,
        experiment: Some(experiment),
    };
    let old = store.lab_events(of("e")).await.unwrap();
    assert_eq!(
        old.len(),
        1,
        "the fixture's event, filed under its experiment"
    );
    assert!(old[0].body.contains(r#""experiment":"e""#), "{old:?}");
    assert!(store.lab_events(of("")).await.unwrap().is_empty());
    let parsed = store.experiment_events("e").await.unwrap();
    assert_eq!(
        (
            parsed.len(),
            parsed[0].kind.as_str(),
            parsed[0].variant.as_str()
        ),
        (1, "exposure", "A")
    );
    store
        .add_lab_events(
            "alice".into(),
            Timestamp::from_utc(2026, 1, 2, 0, 0, 0),
            vec![NewLabEvent {
                kind: "exposure".into(),
                experiment: "e".into(),
                body: r#"{"type":"exposure","experiment":"e","participant":"q","variant":"B","at":"2026-01-02T00:00:00.000Z"}"#.into(),
            }],
        )
        .await
        .unwrap();
    let both = store.lab_events(of("e")).await.unwrap();
    assert_eq!(both.len(), 2);
    assert!(both[0].id < both[1].id, "oldest first");
}

/// Every packet reads back as the first release stored it; then the migrated packets work.
async fn migrated_packets_are_the_same_and_work(
    store: &Store,
    url: &str,
    old: &BTreeMap<u64, (Packet, u64)>,
) {
    assert!(old.len() >= 10, "the fixture has {} packets", old.len());
    let kinds: std::collections::BTreeSet<_> = old
        .values()
        .map(|(p, _)| (p.kind.as_str(), p.state.as_str()))
        .collect();
    for expected in [
        ("lucky", "open"),
        ("lucky", "claimed_out"),
        ("lucky", "recalled"),
        ("normal", "open"),
        ("normal", "expired"),
        ("normal", "pending"),
        ("personal", "claimed_out"),
        ("exclusive", "open"),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} in {kinds:?}");
    }
    for (id, (packet, _)) in old {
        let now = store
            .packet(*id)
            .await
            .unwrap()
            .expect("the packet is there");
        // Views do not load the pre-cut shares; they are compared below.
        let expected = Packet {
            cut_shares: Vec::new(),
            ..packet.clone()
        };
        assert_eq!(now, expected, "packet {id}");
    }
    let cut = by_key(old, "k-lucky-cut");
    assert_eq!(cut.cut_shares.len(), 4);
    let rules = by_key(old, "k-rules");
    assert_eq!(rules.cut_shares.len(), 4, "the policy's line cutting");
    assert!(rules.recall.blackout.is_some() && rules.recall.auth_above.is_some());
    check_books_at(url).await;

    // The next claim of a line-cutting packet gets the next pre-cut share.
    let at = cut.created_at.plus_secs(1);
    let claimed = store.claim(cut.id.0, "carol", at).await.unwrap();
    assert_eq!(claimed.amount, cut.cut_shares[1]);
    // A double-mean packet draws from its stored seed.
    let open = by_key(old, "k-lucky-open");
    let claimed = store
        .claim(open.id.0, "carol", open.created_at.plus_secs(1))
        .await
        .unwrap();
    assert!(claimed.amount.is_positive() && claimed.amount < open.remaining);
    // Sending a migrated packet's request again replays it; another request is a conflict.
    let chat = store.chat_for("alice", "family").await.unwrap().unwrap();
    let mut request = SendRequest {
        sender: "alice".into(),
        chat: ChatRef {
            id: chat.id.clone(),
            kind: chat.kind,
            members: chat.members.clone(),
        },
        kind: PacketKind::Lucky {
            total: Money::from_fen(1_000),
            count: 3,
            split: None,
        },
        greeting: "恭喜发财".into(),
        idempotency_key: "k-lucky-open".into(),
    };
    let policy = Arc::new(Policy::default());
    let replay = store
        .send(request.clone(), policy.clone(), at)
        .await
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.view.id, open.id.0);
    request.greeting = "another".into();
    match store.send(request, policy, at).await {
        Err(StoreError::Op(e)) => assert!(format!("{e:?}").contains("IdempotencyConflict")),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // A recall within the window, and the pending packet's expiry, are booked.
    let exclusive = by_key(old, "k-exclusive");
    let recalled = store
        .recall(
            exclusive.id.0,
            "alice",
            false,
            Arc::new(Policy::default()),
            exclusive.created_at.plus_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(recalled.refund, exclusive.total);
    let pending = by_key(old, "k-delayed");
    assert_eq!(
        store
            .expire(vec![pending.id.0], pending.expires_at)
            .await
            .unwrap(),
        1
    );
    let expired = store.packet(pending.id.0).await.unwrap().unwrap();
    assert_eq!(
        (expired.state, expired.refund),
        (PacketState::Expired, Some(pending.total))
    );
    check_books_at(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_release_sqlite_database_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let url = fixture_copy(&dir);
    let old = first_release_packets(&url).await;
    let store = Store::Sqlite(Arc::new(
        hongbao_server::store::sqlite::SqliteStore::open(
            &url,
            2,
            64,
            4_000,
            hongbao_server::config::SqliteSync::Full,
            &seed(),
            Timestamp::from_utc(2026, 1, 1, 0, 0, 0),
        )
        .await
        .expect("the first release's database opens and migrates"),
    ));
    // The demo users were not granted again: the database was seeded before.
    migrated_packets_are_the_same_and_work(&store, &url, &old).await;
    lab_events_have_their_experiment(&store).await;
    store.close().await;
    // And the whole server opens it.
    let config = hongbao_server::Config::for_database(&url);
    let server = hongbao_server::start(config)
        .await
        .expect("the server starts");
    let mut alice = common::Client::new(&server.url());
    alice.login("alice").await;
    let packets = alice.get("/api/v1/chats/family/packets").await.ok();
    assert_eq!(
        packets.as_array().unwrap().len(),
        old.len() - 1,
        "all but the 1:1 packet"
    );
    server.stop().await;
}

/// The tables of the first release, copied row by row from the fixture into a PostgreSQL
/// database that has its schema (migrations 1 and 2).
async fn load_first_release_into(pg_url: &str, sqlite_url: &str) {
    let pg = sqlx::PgPool::connect(pg_url).await.unwrap();
    migrator(&migrations::POSTGRES[..2]).run(&pg).await.unwrap();
    let lite = SqlitePool::connect(sqlite_url).await.unwrap();
    macro_rules! copy {
        ($table:literal, $columns:literal, $types:ty, |$q:ident, $r:ident| $bind:expr) => {{
            let rows: Vec<$types> = sqlx::query_as(concat!("SELECT ", $columns, " FROM ", $table))
                .fetch_all(&lite)
                .await
                .unwrap();
            let n = $columns.split(',').count();
            let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                $table,
                $columns,
                placeholders.join(", ")
            );
            for $r in rows {
                let $q = sqlx::query(&sql);
                $bind.execute(&pg).await.unwrap();
            }
        }};
    }
    copy!(
        "users",
        "username, password_hash, salt, balance, created_at",
        (String, String, String, i64, i64),
        |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4)
    );
    copy!("meta", "key, value", (String, String), |q, r| q
        .bind(r.0)
        .bind(r.1));
    copy!(
        "sessions",
        "token_hash, username, created_at",
        (String, String, i64),
        |q, r| q.bind(r.0).bind(r.1).bind(r.2)
    );
    copy!(
        "chats",
        "id, name, kind, work",
        (String, String, String, i64),
        |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3)
    );
    copy!(
        "chat_members",
        "chat_id, username",
        (String, String),
        |q, r| q.bind(r.0).bind(r.1)
    );
    copy!(
        "packets",
        "id, chat_id, sender, idempotency_key, request, state, created_at, expires_at, recalled_at, seed, body",
        (
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
            i64,
            Option<i64>,
            i64,
            String
        ),
        |q, r| q
            .bind(r.0)
            .bind(r.1)
            .bind(r.2)
            .bind(r.3)
            .bind(r.4)
            .bind(r.5)
            .bind(r.6)
            .bind(r.7)
            .bind(r.8)
            .bind(r.9)
            .bind(r.10)
    );
    copy!(
        "packet_members",
        "packet_id, members",
        (i64, String),
        |q, r| q.bind(r.0).bind(r.1)
    );
    copy!(
        "claims",
        "packet_id, position, username, amount, at",
        (i64, i64, String, i64, i64),
        |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4)
    );
    copy!(
        "ledger",
        "id, username, kind, amount, packet_id, at",
        (i64, String, String, i64, Option<i64>, i64),
        |q, r| q
            .bind(r.0)
            .bind(r.1)
            .bind(r.2)
            .bind(r.3)
            .bind(r.4)
            .bind(r.5)
    );
    copy!(
        "lab_events",
        "id, username, at, type, body",
        (i64, String, i64, String, String),
        |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4)
    );
    for seq in [
        "SELECT setval('packets_id_seq', (SELECT MAX(id) FROM packets))",
        "SELECT setval(pg_get_serial_sequence('ledger', 'id'), (SELECT MAX(id) FROM ledger))",
        "SELECT setval(pg_get_serial_sequence('lab_events', 'id'), (SELECT MAX(id) FROM lab_events))",
    ] {
        sqlx::query(seq).execute(&pg).await.unwrap();
    }
    lite.close().await;
    pg.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_release_postgres_database_migrates() {
    if !common::pg::available().await {
        return;
    }
    let pg_url = common::pg::fresh_database().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = fixture_copy(&dir);
    let old = first_release_packets(&sqlite_url).await;
    load_first_release_into(&pg_url, &sqlite_url).await;
    let store = Store::Pg(Arc::new(
        hongbao_server::store::pg::PgStore::open(
            &pg_url,
            4,
            &seed(),
            Timestamp::from_utc(2026, 1, 1, 0, 0, 0),
        )
        .await
        .expect("the first release's database opens and migrates"),
    ));
    // Money is NUMERIC now, exactly the fen it was.
    let pool = sqlx::PgPool::connect(&pg_url).await.unwrap();
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::TEXT, data_type::TEXT FROM information_schema.columns \
         WHERE (table_name, column_name) IN (('users', 'balance'), ('claims', 'amount'), \
         ('ledger', 'amount'), ('packets', 'total'), ('packet_shares', 'amount'))",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(types.len(), 5, "{types:?}");
    assert!(types.iter().all(|(_, t)| t == "numeric"), "{types:?}");
    let alice: rust_decimal::Decimal =
        sqlx::query_scalar("SELECT balance FROM users WHERE username = 'alice'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(alice.scale(), 2);
    pool.close().await;
    migrated_packets_are_the_same_and_work(&store, &pg_url, &old).await;
    lab_events_have_their_experiment(&store).await;
    store.close().await;
}

/// Lab events stored before migration 6 as they may be (the server stored any JSON object
/// with a `type`): each gets its `experiment` string, or '' for none or for one of another
/// type; an escaped NUL, which no PostgreSQL text can hold (and which PostgreSQL's JSON
/// functions refuse anywhere in a document), reads as U+FFFD on both databases, in the
/// experiment or elsewhere. On SQLite a body that is not JSON gets ''.
async fn old_lab_events(db: common::Db) {
    use hongbao_server::store::LabFilter;
    let sqlite = db == common::Db::Sqlite;
    // (body, its experiment after the migration)
    let mut bodies = vec![
        (r#"{"type":"a","experiment":"s-1"}"#, "s-1"),
        (r#"{"type":"a","experiment":"长 实验","n":1}"#, "长 实验"),
        (r#"{"type":"a","experiment":7}"#, ""),
        (r#"{"type":"a","experiment":null}"#, ""),
        (r#"{"type":"a","experiment":{"key":"s-1"}}"#, ""),
        (r#"{"type":"a"}"#, ""),
        (
            r#"{"type":"a","experiment":"s-1","note":"x\u0000y"}"#,
            "s-1",
        ),
        (r#"{"type":"a","experiment":"s\u0000"}"#, "s\u{fffd}"),
    ];
    if sqlite {
        bodies.push(("not JSON", ""));
    }
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::from_utc(2026, 1, 1, 0, 0, 0);
    let insert = "INSERT INTO lab_events (username, at, type, body) VALUES ('alice', 1, 'a', $1)";
    let store = if sqlite {
        let url = format!("sqlite://{}", dir.path().join("five.db").display());
        let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let pool = SqlitePool::connect_with(opts.create_if_missing(true))
            .await
            .unwrap();
        migrator(&migrations::SQLITE[..5]).run(&pool).await.unwrap();
        for (body, _) in &bodies {
            sqlx::query(insert)
                .bind(*body)
                .execute(&pool)
                .await
                .unwrap();
        }
        pool.close().await;
        Store::Sqlite(Arc::new(
            hongbao_server::store::sqlite::SqliteStore::open(
                &url,
                2,
                64,
                4_000,
                hongbao_server::config::SqliteSync::Full,
                &seed(),
                now,
            )
            .await
            .expect("migrates"),
        ))
    } else {
        let Some(url) = common::pg::fresh_database().await else {
            return;
        };
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        migrator(&migrations::POSTGRES[..5])
            .run(&pool)
            .await
            .unwrap();
        for (body, _) in &bodies {
            sqlx::query(insert)
                .bind(*body)
                .execute(&pool)
                .await
                .unwrap();
        }
        pool.close().await;
        Store::Pg(Arc::new(
            hongbao_server::store::pg::PgStore::open(&url, 4, &seed(), now)
                .await
                .expect("migrates"),
        ))
    };
    let mut expected: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (body, experiment) in &bodies {
        expected.entry(experiment).or_default().push(body);
    }
    for (experiment, bodies) in expected {
        let rows = store
            .lab_events(LabFilter {
                user: None,
                experiment: Some(experiment),
            })
            .await
            .unwrap();
        let got: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
        assert_eq!(got, bodies, "{db:?}: {experiment:?}");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_lab_events_get_their_experiment_sqlite() {
    old_lab_events(common::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_lab_events_get_their_experiment_postgres() {
    if common::pg::available().await {
        old_lab_events(common::Db::Postgres).await;
    }
}
