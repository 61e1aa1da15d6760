//! SQLite: one writer task, group commit, a pool of readers.
//!
//! Every write (send, claim, recall, expire, sessions, lab events) is a command to the
//! writer task, which owns the only writing connection. It takes the commands that are
//! waiting (up to `--sqlite-batch`), runs each through the same operations as PostgreSQL
//! (see [`super::Tx`]) inside one `BEGIN IMMEDIATE` transaction, writes what they changed
//! with a few multi-row statements, commits, and only then answers them and publishes their
//! events. If anything in a batch fails, the batch is rolled back and its commands are run
//! again one by one, so one bad command cannot fail the others.
//!
//! Because it is the only writer, the writer keeps the packets and balances it has read or
//! written in memory (dropped whenever a transaction rolls back). **One server process per
//! SQLite file** (enforced with an exclusive lock on `<file>.lock`): use PostgreSQL for
//! several processes.
//!
//! What a batch writes is what limits it (every page it touches goes to the WAL, and later
//! back to the database file), so a claim that leaves its packet open writes only the
//! claim's row, the credit's ledger row and the balance, not the packet's row (what remains
//! is derived from the claims, see [`PacketRow::into_loaded`]), and the ledger has no index by
//! packet. A checkpointer task on its own connection copies the WAL back into the database
//! after every commit, in parallel with the writer; the writer checkpoints itself only when
//! the WAL passes `--sqlite-wal-pages` (4,000 pages). In the claims benchmark this kept the
//! throughput and cut the p99 latency by about a fifth against the writer checkpointing
//! every 2,000 pages itself (its commits stalled on the copying); a checkpointer woken by a
//! timer instead let the WAL grow and the writer stall on it. Its page cache is 64 MiB so that its working set stays in memory.
//!
//! Durability: WAL with `synchronous=FULL` by default (`--sqlite-synchronous full`): the
//! WAL is synced to disk at every commit, before any command of the batch is answered, so
//! an acknowledged change survives a power loss or an OS crash. The group commit shares
//! that one sync among all the commands of a batch, so under load its cost is spread thin.
//! `--sqlite-synchronous normal` (benchmarks only) syncs at checkpoints only: a committed
//! transaction is in the WAL file before the commit returns, so it survives the process
//! being killed (kill -9), but may be lost if the machine loses power before the next
//! checkpoint's fsync.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hongbao_api::ChatEvent;
use hongbao_engine::ops::Posting;
use hongbao_engine::{Claimed, Money, PacketState, Policy, Recalled, SendRequest, Timestamp};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection, QueryBuilder, Sqlite};
use tokio::sync::{mpsc, oneshot};

use super::migrations::{self, migrator};
use super::ops::{self, Tx};
use super::rows::{
    ClaimRow, DbMoney, PACKET_INSERT, PacketRow, bad_row, bind_packet, fetch_packet, from_db,
    members_to_db, to_db,
};
use super::seed::{insert_seed, seed_rows};
use super::{Change, Loaded, OpError, Seed, SendDone, StoreError, TxError};
use crate::config::SqliteSync;
use crate::events::Hub;
/// Packets kept in the writer's memory before it starts over.
const CACHE_PACKETS: usize = 20_000;
/// Commands waiting for the writer before senders wait.
const QUEUE: usize = 16_384;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Cmd {
    Send {
        req: SendRequest,
        policy: Arc<Policy>,
        now: Timestamp,
        seed: u64,
        reply: Reply<SendDone>,
    },
    Claim {
        id: u64,
        user: String,
        now: Timestamp,
        reply: Reply<Claimed>,
    },
    Recall {
        id: u64,
        user: String,
        authorized: bool,
        policy: Arc<Policy>,
        now: Timestamp,
        reply: Reply<Recalled>,
    },
    Expire {
        ids: Vec<u64>,
        now: Timestamp,
        reply: Reply<usize>,
    },
    Session {
        token_hash: String,
        user: String,
        now: Timestamp,
        reply: Reply<()>,
    },
    Lab {
        user: String,
        at: Timestamp,
        events: Vec<super::NewLabEvent>,
        reply: Reply<Vec<i64>>,
    },
    /// Any other write (sessions, passwords: see [`super::sessions`]).
    Exec {
        job: super::sessions::Job,
        reply: Reply<super::sessions::Out>,
    },
    Shutdown,
}

/// What a command produced, held until the batch commits.
enum Outcome {
    Send(Box<Result<SendDone, OpError>>),
    Claim(Result<Claimed, OpError>),
    Recall(Result<Recalled, OpError>),
    Expire(usize),
    Session,
    Lab(Vec<i64>),
    Exec(super::sessions::Out),
    None,
}

/// The SQLite store.
pub struct SqliteStore {
    pub read: SqlitePool,
    pub hub: Arc<Hub>,
    tx: mpsc::Sender<Cmd>,
    /// The writer task; it hands its connection back when it stops.
    writer: tokio::sync::Mutex<Option<tokio::task::JoinHandle<SqliteConnection>>>,
    checkpointer: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Held while the store is open: one process per SQLite file.
    lock: std::sync::Mutex<Option<std::fs::File>>,
}

/// Takes `<file>.lock` exclusively (released by the OS when the process ends, also on
/// kill -9): a second server on the same file would have a stale view of the writer's rows.
fn lock_file(url: &str) -> anyhow::Result<std::fs::File> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    let lock_path = format!("{path}.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| anyhow::anyhow!("opening {lock_path}: {e}"))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another hongbao-server is using {path}: one process per SQLite file \
             (use PostgreSQL for several)"
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow::anyhow!("locking {lock_path}: {e}")),
    }
}

/// Copies the WAL back into the database file after each of the writer's commits (PASSIVE:
/// it neither waits for nor blocks the writer or the readers), from its own connection, so
/// that the writer's commits rarely have a checkpoint to do themselves. Wake-ups while a
/// checkpoint runs are folded into one.
async fn checkpoint_loop(mut conn: SqliteConnection, wake: Arc<tokio::sync::Notify>) {
    loop {
        wake.notified().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!("checkpoint: {e}");
        }
    }
}

/// `sqlite://path` (or `sqlite:path`) → connect options for that file.
fn options(url: &str, wal_pages: u32, sync: SqliteSync) -> anyhow::Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match sync {
            SqliteSync::Full => SqliteSynchronous::Full,
            SqliteSync::Normal => SqliteSynchronous::Normal,
        })
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("wal_autocheckpoint", wal_pages.to_string()))
}

impl SqliteStore {
    /// Opens (creating and migrating) the database, seeds it, starts the writer.
    pub async fn open(
        url: &str,
        readers: u32,
        max_batch: usize,
        wal_pages: u32,
        sync: SqliteSync,
        seed: &Seed,
        now: Timestamp,
    ) -> anyhow::Result<SqliteStore> {
        let opts = options(url, wal_pages, sync)?;
        let lock = lock_file(url)?;
        // The writer keeps its working set (packets, the claims' and ledger's index pages,
        // balances) in SQLite's page cache: 64 MiB rather than the default 2 MiB.
        let mut conn =
            SqliteConnection::connect_with(&opts.clone().pragma("cache_size", "-65536")).await?;
        migrator(migrations::SQLITE).run(&mut conn).await?;
        let (users, chats) = seed_rows(seed);
        let mut tx = conn.begin().await?;
        let fresh = sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('seeded', '1') ON CONFLICT (key) DO NOTHING",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        // Demo users only when the database is new; the crowd whenever asked for.
        let users: Vec<_> = users
            .into_iter()
            .filter(|u| fresh || !hongbao_api::demo::DEMO_USERS.contains(&u.username.as_str()))
            .collect();
        let chats: Vec<_> = chats
            .into_iter()
            .filter(|c| fresh || c.id == super::seed::CROWD)
            .collect();
        insert_seed!(tx, &users, &chats, now);
        tx.commit().await?;

        let read = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .min_connections(1)
            .connect_with(opts.clone().read_only(true))
            .await?;
        let hub = Arc::new(Hub::default());
        let (tx, rx) = mpsc::channel(QUEUE);
        let checkpoint = Arc::new(tokio::sync::Notify::new());
        let checkpointer = tokio::spawn(checkpoint_loop(
            SqliteConnection::connect_with(&opts).await?,
            checkpoint.clone(),
        ));
        let mut writer = Writer {
            conn,
            cache: Cache::default(),
            checkpoint,
        };
        writer.reset().await?;
        let handle = tokio::spawn(writer.run(rx, hub.clone(), max_batch.max(1)));
        Ok(SqliteStore {
            read,
            hub,
            tx,
            writer: tokio::sync::Mutex::new(Some(handle)),
            checkpointer: tokio::sync::Mutex::new(Some(checkpointer)),
            lock: std::sync::Mutex::new(Some(lock)),
        })
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Cmd) -> Result<T, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?
    }

    pub async fn send(
        &self,
        req: SendRequest,
        policy: Arc<Policy>,
        now: Timestamp,
        seed: u64,
    ) -> Result<SendDone, StoreError> {
        self.call(|reply| Cmd::Send {
            req,
            policy,
            now,
            seed,
            reply,
        })
        .await
    }

    pub async fn claim(
        &self,
        id: u64,
        user: String,
        now: Timestamp,
    ) -> Result<Claimed, StoreError> {
        self.call(|reply| Cmd::Claim {
            id,
            user,
            now,
            reply,
        })
        .await
    }

    pub async fn recall(
        &self,
        id: u64,
        user: String,
        authorized: bool,
        policy: Arc<Policy>,
        now: Timestamp,
    ) -> Result<Recalled, StoreError> {
        self.call(|reply| Cmd::Recall {
            id,
            user,
            authorized,
            policy,
            now,
            reply,
        })
        .await
    }

    pub async fn expire(&self, ids: Vec<u64>, now: Timestamp) -> Result<usize, StoreError> {
        self.call(|reply| Cmd::Expire { ids, now, reply }).await
    }

    pub async fn create_session(
        &self,
        token_hash: String,
        user: String,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.call(|reply| Cmd::Session {
            token_hash,
            user,
            now,
            reply,
        })
        .await
    }

    pub async fn add_lab_events(
        &self,
        user: String,
        at: Timestamp,
        events: Vec<super::NewLabEvent>,
    ) -> Result<Vec<i64>, StoreError> {
        self.call(|reply| Cmd::Lab {
            user,
            at,
            events,
            reply,
        })
        .await
    }

    /// Runs a [`super::sessions::Job`] in the writer's next batch.
    pub async fn exec(
        &self,
        job: super::sessions::Job,
    ) -> Result<super::sessions::Out, StoreError> {
        self.call(|reply| Cmd::Exec { job, reply }).await
    }

    /// Commands waiting for the writer.
    pub fn queued(&self) -> u32 {
        u32::try_from(self.tx.max_capacity() - self.tx.capacity()).unwrap_or(u32::MAX)
    }

    /// Lets the writer finish its batch, stops it, closes the readers.
    pub async fn close(&self) {
        let _ = self.tx.send(Cmd::Shutdown).await;
        let writer = match self.writer.lock().await.take() {
            Some(handle) => handle.await.ok(),
            None => None,
        };
        if let Some(handle) = self.checkpointer.lock().await.take() {
            handle.abort();
            let _ = handle.await;
        }
        self.read.close().await;
        // With the readers closed, everything committed goes back into the database file and
        // the WAL is emptied (the file alone is then the whole database).
        // The checkpointer's connection may still be finishing a checkpoint of its own
        // (busy): try again for up to two seconds.
        if let Some(mut conn) = writer {
            for attempt in 1..=40 {
                match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
                    .fetch_one(&mut conn)
                    .await
                {
                    Ok((0, _, _)) => break,
                    Ok((busy, log, done)) if attempt == 40 => tracing::warn!(
                        "the last checkpoint was incomplete (busy {busy}, {done} of {log} pages)"
                    ),
                    Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    Err(e) => {
                        tracing::warn!("the last checkpoint: {e}");
                        break;
                    }
                }
            }
            let _ = conn.close().await;
        }
        // Another process may open the file now.
        if let Ok(mut lock) = self.lock.lock() {
            lock.take();
        }
    }
}

/// What the writer remembers between batches (it is the only writer).
#[derive(Default)]
struct Cache {
    packets: HashMap<u64, Loaded>,
    /// Committed balances in fen.
    balances: HashMap<String, i64>,
    next_packet_id: u64,
}

struct Writer {
    conn: SqliteConnection,
    cache: Cache,
    /// Wakes the checkpointer.
    checkpoint: Arc<tokio::sync::Notify>,
}

impl Writer {
    /// Forgets what it remembered (after a rollback) and reads the next packet id.
    async fn reset(&mut self) -> Result<(), sqlx::Error> {
        self.cache.packets.clear();
        self.cache.balances.clear();
        let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM packets")
            .fetch_one(&mut self.conn)
            .await?;
        let max: u64 = from_db(max, "the largest packet id")?;
        self.cache.next_packet_id = max
            .checked_add(1)
            .ok_or_else(|| bad_row("no packet id left".into()))?;
        Ok(())
    }

    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Cmd>,
        hub: Arc<Hub>,
        max_batch: usize,
    ) -> SqliteConnection {
        let mut stop = false;
        while !stop {
            let Some(first) = rx.recv().await else { break };
            let mut cmds = vec![first];
            while cmds.len() < max_batch {
                match rx.try_recv() {
                    Ok(cmd) => cmds.push(cmd),
                    Err(_) => break,
                }
            }
            if let Some(i) = cmds.iter().position(|c| matches!(c, Cmd::Shutdown)) {
                stop = true;
                cmds.truncate(i);
            }
            if !cmds.is_empty() {
                self.run_batch(cmds, &hub).await;
            }
        }
        self.conn
    }

    async fn run_batch(&mut self, cmds: Vec<Cmd>, hub: &Hub) {
        match self.try_batch(&cmds).await {
            Ok((outcomes, events)) => {
                self.checkpoint.notify_one();
                // How many lab events each request stored, for the researchers' streams.
                let lab: Vec<u64> = outcomes
                    .iter()
                    .filter_map(|o| match o {
                        Outcome::Lab(ids) => Some(ids.len() as u64),
                        _ => None,
                    })
                    .collect();
                for (cmd, outcome) in cmds.into_iter().zip(outcomes) {
                    answer(cmd, Ok(outcome));
                }
                for e in events {
                    hub.publish(e);
                }
                for stored in lab {
                    hub.publish_lab(stored);
                }
            }
            Err(e) if cmds.len() == 1 => {
                if let TxError::Db(e) = &e {
                    tracing::error!("sqlite transaction failed: {e}");
                }
                let _ = self.reset().await;
                if let Some(cmd) = cmds.into_iter().next() {
                    answer(cmd, Err(StoreError::from(e)));
                }
            }
            Err(e) => {
                tracing::warn!(
                    "a batch of {} failed ({e:?}); running its commands one by one",
                    cmds.len()
                );
                let _ = self.reset().await;
                for cmd in cmds {
                    Box::pin(self.run_batch(vec![cmd], hub)).await;
                }
            }
        }
    }

    async fn try_batch(&mut self, cmds: &[Cmd]) -> Result<(Vec<Outcome>, Vec<ChatEvent>), TxError> {
        if self.cache.packets.len() > CACHE_PACKETS {
            self.cache.packets.clear();
        }
        let started = std::time::Instant::now();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut self.conn)
            .await?;
        let result = self.batch_body(cmds).await;
        match result {
            Ok((outcomes, events, deltas)) => {
                let committing = std::time::Instant::now();
                match sqlx::query("COMMIT").execute(&mut self.conn).await {
                    Ok(_) => {
                        tracing::debug!(
                            commands = cmds.len(),
                            run_us = (committing - started).as_micros() as u64,
                            commit_us = committing.elapsed().as_micros() as u64,
                            "batch committed"
                        );
                        for (user, d) in deltas {
                            if let Some(b) = self.cache.balances.get_mut(&user) {
                                *b += d;
                            }
                        }
                        Ok((outcomes, events))
                    }
                    Err(e) => {
                        let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
                        Err(TxError::Db(e))
                    }
                }
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
                Err(e)
            }
        }
    }

    #[allow(clippy::type_complexity)]
    async fn batch_body(
        &mut self,
        cmds: &[Cmd],
    ) -> Result<(Vec<Outcome>, Vec<ChatEvent>, HashMap<String, i64>), TxError> {
        let mut b = Batch {
            conn: &mut self.conn,
            cache: &mut self.cache,
            inserted: HashSet::new(),
            keys: HashMap::new(),
            dirty: Vec::new(),
            dirty_set: HashSet::new(),
            claims: Vec::new(),
            ledger: Vec::new(),
            deltas: HashMap::new(),
            recalls: Vec::new(),
            events: Vec::new(),
        };
        let mut outcomes = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            let outcome = match cmd {
                Cmd::Send {
                    req,
                    policy,
                    now,
                    seed,
                    ..
                } => Outcome::Send(Box::new(ops::send(&mut b, req, policy, *now, *seed).await?)),
                Cmd::Claim { id, user, now, .. } => {
                    Outcome::Claim(ops::claim(&mut b, *id, user, *now).await?)
                }
                Cmd::Recall {
                    id,
                    user,
                    authorized,
                    policy,
                    now,
                    ..
                } => Outcome::Recall(
                    ops::recall(&mut b, *id, user, *authorized, policy, *now).await?,
                ),
                Cmd::Expire { ids, now, .. } => {
                    let mut n = 0;
                    for id in ids {
                        if let Ok(true) = ops::expire(&mut b, *id, *now).await? {
                            n += 1;
                        }
                    }
                    Outcome::Expire(n)
                }
                Cmd::Session {
                    token_hash,
                    user,
                    now,
                    ..
                } => {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, username, created_at) VALUES ($1, $2, $3)",
                    )
                    .bind(token_hash)
                    .bind(user)
                    .bind(now.millis())
                    .execute(&mut *b.conn)
                    .await?;
                    Outcome::Session
                }
                Cmd::Lab {
                    user, at, events, ..
                } => {
                    let mut ids = Vec::with_capacity(events.len());
                    for event in events {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO lab_events (username, at, type, experiment, body) \
                             VALUES ($1, $2, $3, $4, $5) RETURNING id",
                        )
                        .bind(user)
                        .bind(at.millis())
                        .bind(&event.kind)
                        .bind(&event.experiment)
                        .bind(&event.body)
                        .fetch_one(&mut *b.conn)
                        .await?;
                        ids.push(id);
                    }
                    Outcome::Lab(ids)
                }
                Cmd::Exec { job, .. } => Outcome::Exec(job(&mut *b.conn).await?),
                Cmd::Shutdown => Outcome::None,
            };
            outcomes.push(outcome);
        }
        b.flush().await?;
        let events = std::mem::take(&mut b.events);
        let deltas = std::mem::take(&mut b.deltas);
        Ok((outcomes, events, deltas))
    }
}

fn answer(cmd: Cmd, outcome: Result<Outcome, StoreError>) {
    fn op<T>(r: Result<Result<T, OpError>, StoreError>) -> Result<T, StoreError> {
        r.and_then(|inner| inner.map_err(StoreError::Op))
    }
    match cmd {
        Cmd::Send { reply, .. } => {
            let _ = reply.send(op(outcome.map(|o| match o {
                Outcome::Send(r) => *r,
                _ => Err(OpError::NotFound),
            })));
        }
        Cmd::Claim { reply, .. } => {
            let _ = reply.send(op(outcome.map(|o| match o {
                Outcome::Claim(r) => r,
                _ => Err(OpError::NotFound),
            })));
        }
        Cmd::Recall { reply, .. } => {
            let _ = reply.send(op(outcome.map(|o| match o {
                Outcome::Recall(r) => r,
                _ => Err(OpError::NotFound),
            })));
        }
        Cmd::Expire { reply, .. } => {
            let _ = reply.send(outcome.map(|o| match o {
                Outcome::Expire(n) => n,
                _ => 0,
            }));
        }
        Cmd::Session { reply, .. } => {
            let _ = reply.send(outcome.map(|_| ()));
        }
        Cmd::Lab { reply, .. } => {
            let _ = reply.send(outcome.map(|o| match o {
                Outcome::Lab(ids) => ids,
                _ => Vec::new(),
            }));
        }
        Cmd::Exec { reply, .. } => {
            let _ = reply.send(outcome.and_then(|o| match o {
                Outcome::Exec(out) => Ok(out),
                _ => Err(StoreError::Unavailable("the write produced nothing".into())),
            }));
        }
        Cmd::Shutdown => {}
    }
}

/// One batch's view of the database: the writer's memory plus what this batch changed,
/// written by [`Batch::flush`].
struct Batch<'a> {
    conn: &'a mut SqliteConnection,
    cache: &'a mut Cache,
    /// New packets.
    inserted: HashSet<u64>,
    /// (sender, key) → packet of this batch's sends.
    keys: HashMap<(String, String), u64>,
    /// Packets to write, in order.
    dirty: Vec<u64>,
    dirty_set: HashSet<u64>,
    claims: Vec<ClaimRow>,
    ledger: Vec<Posting>,
    /// Balance changes in fen.
    deltas: HashMap<String, i64>,
    /// (sender, recalled at) of this batch's recalls.
    recalls: Vec<(String, Timestamp)>,
    events: Vec<ChatEvent>,
}

/// A posting's effect on its user's balance, in fen (a debit is negative; amounts are
/// positive, so the negation cannot overflow).
fn delta_fen(p: &Posting) -> i64 {
    if p.kind.is_incoming() {
        p.amount.fen()
    } else {
        -p.amount.fen()
    }
}

impl Batch<'_> {
    fn mark(&mut self, id: u64) {
        if self.dirty_set.insert(id) {
            self.dirty.push(id);
        }
    }

    async fn committed_balance(&mut self, user: &str) -> Result<Option<i64>, sqlx::Error> {
        if let Some(b) = self.cache.balances.get(user) {
            return Ok(Some(*b));
        }
        let balance: Option<DbMoney> =
            sqlx::query_scalar("SELECT balance FROM users WHERE username = $1")
                .bind(user)
                .fetch_optional(&mut *self.conn)
                .await?;
        let b = balance.map(|b| b.0.fen());
        if let Some(b) = b {
            self.cache.balances.insert(user.to_owned(), b);
        }
        Ok(b)
    }

    /// Writes everything this batch changed: each new packet with its members and pre-cut
    /// shares, each changed packet's state once (its final one), and the claims, ledger
    /// entries and balance changes with a few multi-row statements.
    async fn flush(&mut self) -> Result<(), sqlx::Error> {
        let mut updates = Vec::new();
        for id in std::mem::take(&mut self.dirty) {
            let Some(l) = self.cache.packets.get(&id) else {
                continue;
            };
            let p = &l.packet;
            if !self.inserted.remove(&id) {
                updates.push((
                    to_db(id)?,
                    p.state.as_str(),
                    p.recalled_at.map(Timestamp::millis),
                    p.refund.map(DbMoney),
                    p.finished_at.map(Timestamp::millis),
                ));
                continue;
            }
            let row = PacketRow::new(l)?;
            bind_packet!(sqlx::query(PACKET_INSERT), &row)
                .execute(&mut *self.conn)
                .await?;
            sqlx::query("INSERT INTO packet_members (packet_id, members) VALUES ($1, $2)")
                .bind(row.id)
                .bind(members_to_db(&p.members)?)
                .execute(&mut *self.conn)
                .await?;
            if !p.cut_shares.is_empty() {
                let shares = p
                    .cut_shares
                    .iter()
                    .enumerate()
                    .map(|(i, m)| Ok((to_db(i)?, DbMoney(*m))))
                    .collect::<Result<Vec<_>, sqlx::Error>>()?;
                let mut q: QueryBuilder<Sqlite> =
                    QueryBuilder::new("INSERT INTO packet_shares (packet_id, position, amount) ");
                q.push_values(shares, |mut r, (position, amount)| {
                    r.push_bind(row.id).push_bind(position).push_bind(amount);
                });
                q.build().persistent(false).execute(&mut *self.conn).await?;
            }
        }
        for chunk in updates.chunks(256) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "UPDATE packets SET state = v.column2, recalled_at = v.column3, \
                 refund = v.column4, finished_at = v.column5 FROM (",
            );
            q.push_values(chunk, |mut row, u| {
                row.push_bind(u.0)
                    .push_bind(u.1)
                    .push_bind(u.2)
                    .push_bind(u.3)
                    .push_bind(u.4);
            });
            q.push(") AS v WHERE packets.id = v.column1");
            q.build().persistent(false).execute(&mut *self.conn).await?;
        }
        for chunk in self.claims.chunks(512) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO claims (packet_id, position, username, amount, at) ",
            );
            q.push_values(chunk, |mut row, c| {
                row.push_bind(c.packet_id)
                    .push_bind(c.position)
                    .push_bind(c.username.clone())
                    .push_bind(c.amount)
                    .push_bind(c.at);
            });
            q.build().persistent(false).execute(&mut *self.conn).await?;
        }
        let ledger = self
            .ledger
            .iter()
            .map(|p| Ok((p, p.packet.map(|id| to_db(id.0)).transpose()?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        for chunk in ledger.chunks(512) {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO ledger (username, kind, amount, packet_id, at) ");
            q.push_values(chunk, |mut row, (p, packet)| {
                row.push_bind(p.user.clone())
                    .push_bind(p.kind.as_str())
                    .push_bind(DbMoney(p.amount))
                    .push_bind(*packet)
                    .push_bind(p.at.millis());
            });
            q.build().persistent(false).execute(&mut *self.conn).await?;
        }
        let deltas: Vec<(String, DbMoney)> = self
            .deltas
            .iter()
            .filter(|(_, d)| **d != 0)
            .map(|(u, d)| (u.clone(), DbMoney(Money::from_fen(*d))))
            .collect();
        for chunk in deltas.chunks(512) {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("UPDATE users SET balance = balance + v.column2 FROM (");
            q.push_values(chunk, |mut row, d| {
                row.push_bind(d.0.clone()).push_bind(d.1);
            });
            q.push(") AS v WHERE users.username = v.column1");
            q.build().persistent(false).execute(&mut *self.conn).await?;
        }
        Ok(())
    }
}

impl Tx for Batch<'_> {
    async fn take_packet(&mut self, id: u64) -> Result<Option<Loaded>, sqlx::Error> {
        if let Some(l) = self.cache.packets.remove(&id) {
            return Ok(Some(l));
        }
        Ok(fetch_packet!(self.conn, id, ""))
    }

    async fn put_packet(&mut self, loaded: Loaded, change: Change) -> Result<(), sqlx::Error> {
        let id = loaded.packet.id.0;
        match change {
            Change::None => {}
            Change::Updated => {
                if loaded.packet.state == PacketState::Recalled
                    && let Some(at) = loaded.packet.recalled_at
                {
                    self.recalls.push((loaded.packet.sender.clone(), at));
                }
                self.mark(id);
            }
            Change::Claimed => {
                let p = &loaded.packet;
                if let Some(c) = p.claims.last() {
                    self.claims
                        .push(ClaimRow::new(p.id, p.claims.len() - 1, c)?);
                }
                // The claim's row is the change; the packet's row is rewritten only when
                // the claim finishes it (while open, what remains is derived from the
                // claims: see `PacketRow::into_loaded`).
                if p.state != PacketState::Open {
                    self.mark(id);
                }
            }
            Change::Inserted => {
                let p = &loaded.packet;
                self.keys
                    .insert((p.sender.clone(), p.idempotency_key.clone()), id);
                self.inserted.insert(id);
                self.mark(id);
            }
        }
        self.cache.packets.insert(id, loaded);
        Ok(())
    }

    async fn balance(&mut self, user: &str) -> Result<Option<Money>, sqlx::Error> {
        let committed = self.committed_balance(user).await?;
        let delta = self.deltas.get(user).copied().unwrap_or(0);
        Ok(committed.map(|b| Money::from_fen(b + delta)))
    }

    async fn by_key(&mut self, sender: &str, key: &str) -> Result<Option<u64>, sqlx::Error> {
        if let Some(found) = self.keys.get(&(sender.to_owned(), key.to_owned())) {
            return Ok(Some(*found));
        }
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM packets WHERE sender = $1 AND idempotency_key = $2")
                .bind(sender)
                .bind(key)
                .fetch_optional(&mut *self.conn)
                .await?;
        id.map(|id| from_db(id, "packet id")).transpose()
    }

    async fn next_packet_id(&mut self) -> Result<u64, sqlx::Error> {
        let id = self.cache.next_packet_id;
        self.cache.next_packet_id = id
            .checked_add(1)
            .ok_or_else(|| bad_row("no packet id left".into()))?;
        Ok(id)
    }

    async fn book(&mut self, postings: Vec<Posting>) -> Result<bool, sqlx::Error> {
        // Check every posting first, so a refused debit leaves nothing behind.
        let mut after: HashMap<&str, i64> = HashMap::new();
        for p in &postings {
            let current = match after.get(p.user.as_str()) {
                Some(b) => *b,
                None => match self.balance(&p.user).await? {
                    Some(b) => b.fen(),
                    None => return Ok(false),
                },
            };
            match current.checked_add(delta_fen(p)) {
                Some(next) if next >= 0 => after.insert(p.user.as_str(), next),
                _ => return Ok(false),
            };
        }
        for p in postings {
            *self.deltas.entry(p.user.clone()).or_insert(0) += delta_fen(&p);
            self.ledger.push(p);
        }
        Ok(true)
    }

    async fn recalls_between(
        &mut self,
        user: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<u32, sqlx::Error> {
        let stored: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM packets WHERE sender = $1 AND recalled_at >= $2 AND recalled_at < $3",
        )
        .bind(user)
        .bind(from.millis())
        .bind(to.millis())
        .fetch_one(&mut *self.conn)
        .await?;
        let stored: u32 = from_db(stored, "recalls")?;
        let pending = self
            .recalls
            .iter()
            .filter(|(u, at)| u == user && *at >= from && *at < to)
            .count();
        u32::try_from(pending)
            .ok()
            .and_then(|pending| stored.checked_add(pending))
            .ok_or_else(|| bad_row(format!("{user} recalled more than 2^32 packets")))
    }

    async fn emit(&mut self, event: ChatEvent) -> Result<(), sqlx::Error> {
        self.events.push(event);
        Ok(())
    }
}

/// `hongbao-server backup FILE`: copies the database at `url` into `file` with SQLite's
/// `VACUUM INTO`, one consistent snapshot read like any reader's, so a server may go on
/// writing meanwhile (WAL readers do not block the writer). Refuses an existing `file`.
pub async fn backup(url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    if file.exists() {
        anyhow::bail!("{} exists already", file.display());
    }
    let path = file
        .to_str()
        .context("the backup file's name must be UTF-8")?;
    let opts = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .with_context(|| format!("opening {url}"))?;
    sqlx::query("VACUUM INTO ?1")
        .bind(path)
        .execute(&mut conn)
        .await
        .with_context(|| format!("copying into {}", file.display()))?;
    conn.close().await?;
    Ok(())
}
