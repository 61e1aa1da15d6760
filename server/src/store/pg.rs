//! PostgreSQL: one transaction per operation; several server processes may share the
//! database.
//!
//! The packet row is locked with `SELECT … FOR UPDATE` before the engine runs, so claims
//! and recalls of one packet are serialised across processes (exactly one of a racing
//! claim and recall wins; no share is handed out twice). Every operation locks at most one
//! packet and then the users it books money for, always in that order, so operations
//! cannot deadlock. Balances change with `balance = balance + $1 … AND balance + $1 >= 0`
//! (and a `CHECK (balance >= 0)`); claims have `UNIQUE (packet_id, username)` and
//! `UNIQUE (packet_id, position)`; packets `UNIQUE (sender, idempotency_key)`. A lost race
//! on a unique key (two sends with one key at once) is retried and then finds the first.
//!
//! Live updates: `pg_notify` inside the transaction (delivered only if it commits); every
//! process LISTENs and forwards what arrives to its own subscribers: the chats' events on
//! one channel, how many lab events a request stored on another (the researchers'
//! streams).

use std::sync::Arc;
use std::time::Duration;

use hongbao_api::ChatEvent;
use hongbao_engine::ops as engine_ops;
use hongbao_engine::ops::Posting;
use hongbao_engine::{Claimed, Money, Policy, Recalled, SendRequest, Timestamp};
use hongbao_engine::{EntryKind, PacketState, Rng};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use super::NewLabEvent;
use super::migrations::{self, migrator};
use super::ops::{self, Tx};
use super::rows::{
    ClaimRow, DbMoney, MemberPacketRow, PACKET_INSERT, PacketRow, ShareRow, assemble, bad_row,
    bind_packet, fetch_packet, members_to_db, packet_with_members, to_db,
};
use super::seed::{insert_seed, seed_rows};
use super::{Change, Loaded, OpError, Seed, SendDone, StoreError, TxError, TxResult};
use crate::events::{Hub, PG_CHANNEL, PG_LAB_CHANNEL};
/// Attempts of one operation when it loses a race on a unique key or a deadlock.
const ATTEMPTS: u32 = 5;

/// Runs an operation in a fresh transaction; commits on `Ok` (also a refusal, which may
/// have expired the packet on the way), rolls back on `Err`, and retries lost races.
macro_rules! retry {
    ($self:ident, |$tx:ident| $op:expr) => {{
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut handle = PgTx {
                tx: $self.pool.begin().await?,
            };
            let result: TxResult<_> = {
                let $tx = &mut handle;
                $op.await
            };
            match result {
                Ok(outcome) => match handle.tx.commit().await {
                    Ok(()) => break outcome.map_err(StoreError::Op),
                    Err(e) if attempt < ATTEMPTS && retryable(&e) => continue,
                    Err(e) => break Err(StoreError::Db(e)),
                },
                Err(TxError::Abort(op)) => {
                    let _ = handle.tx.rollback().await;
                    break Err(StoreError::Op(op));
                }
                Err(TxError::Db(e)) => {
                    let _ = handle.tx.rollback().await;
                    if attempt < ATTEMPTS && retryable(&e) {
                        continue;
                    }
                    break Err(StoreError::Db(e));
                }
            }
        }
    }};
}

/// The PostgreSQL store.
pub struct PgStore {
    pub pool: PgPool,
    pub hub: Arc<Hub>,
    listener: tokio::task::JoinHandle<()>,
    /// `--pg-claim`: the two-round-trip claim ([`PgStore::fast_claim`]) or always the
    /// locking transaction.
    pub short_claims: bool,
}

impl PgStore {
    /// Stops listening (the listener holds one of the pool's connections, which the pool's
    /// close would wait for), then closes the pool.
    pub async fn close(&self) {
        self.listener.abort();
        self.pool.close().await;
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PgStore {
    /// Connects, migrates (under sqlx's advisory lock, so processes may start together),
    /// seeds, and starts listening for the other processes' events.
    pub async fn open(
        url: &str,
        max_connections: u32,
        seed: &Seed,
        now: Timestamp,
    ) -> anyhow::Result<PgStore> {
        let opts: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        migrator(migrations::POSTGRES).run(&pool).await?;
        let (users, chats) = seed_rows(seed);
        let mut tx = pool.begin().await?;
        let fresh = sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('seeded', '1') ON CONFLICT (key) DO NOTHING",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
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

        let hub = Arc::new(Hub::default());
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen_all([PG_CHANNEL, PG_LAB_CHANNEL]).await?;
        let forward = hub.clone();
        let listener = tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) if n.channel() == PG_LAB_CHANNEL => match n.payload().parse::<u64>() {
                        Ok(stored) => forward.publish_lab(stored),
                        Err(e) => tracing::warn!("unreadable lab notice {:?}: {e}", n.payload()),
                    },
                    Ok(n) => match serde_json::from_str::<ChatEvent>(n.payload()) {
                        Ok(event) => forward.publish(event),
                        Err(e) => tracing::warn!("unreadable event {:?}: {e}", n.payload()),
                    },
                    Err(e) => {
                        // PgListener reconnects on the next recv; events in the gap are lost
                        // (clients refetch on reconnect).
                        tracing::warn!("event listener: {e}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        });
        Ok(PgStore {
            pool,
            hub,
            listener,
            short_claims: true,
        })
    }

    pub async fn send(
        &self,
        req: &SendRequest,
        policy: &Policy,
        now: Timestamp,
        seed: u64,
    ) -> Result<SendDone, StoreError> {
        retry!(self, |tx| ops::send(tx, req, policy, now, seed))
    }

    /// A claim in two round trips and no explicit transaction (see [`PgStore::fast_claim`]);
    /// the rare claim that finds its packet due for expiry, and a claim that loses its race
    /// too often, take the transactional path of [`ops::claim`] (about seven round trips).
    pub async fn claim(&self, id: u64, user: &str, now: Timestamp) -> Result<Claimed, StoreError> {
        let attempts = if self.short_claims { FAST_ATTEMPTS } else { 0 };
        for _ in 0..attempts {
            match self.fast_claim(id, user, now).await? {
                Fast::Done(result) => {
                    metrics::counter!("hongbao_pg_claims_total", "path" => "fast").increment(1);
                    return result.map_err(StoreError::Op);
                }
                Fast::Lost => {
                    metrics::counter!("hongbao_pg_claim_races_lost_total").increment(1);
                }
                Fast::Locked => break,
            }
        }
        metrics::counter!("hongbao_pg_claims_total", "path" => "transaction").increment(1);
        retry!(self, |tx| ops::claim(tx, id, user, now))
    }

    /// One claim attempt, the engine deciding the amount as in every other path:
    ///
    /// 1. one `SELECT` (autocommit) reads the packet, its members, its claims and its
    ///    pre-cut shares together (one snapshot);
    /// 2. the engine's [`engine_ops::claim`] runs on them, drawing claim *k*'s share from the
    ///    packet's random stream *k* + 1 exactly as the transactional path would;
    /// 3. a fresh claim is committed by one statement ([`CLAIM_COMMIT`]) that locks the
    ///    packet row if it is still open, inserts the claim at position *k* (unless that
    ///    position or this user's claim exists), closes the packet if this was its last
    ///    share, credits the claimer, appends the ledger entry and notifies the other
    ///    processes, all or nothing.
    ///
    /// Positions have no gaps (every path inserts claim *k* only after reading claims
    /// 0…*k*−1), so a free position *k* at commit time proves that no claim was made since
    /// the read, and the lock with `state = 'open'` re-checked after any wait proves that
    /// no recall or expiry finished the packet meanwhile (those lock the row and read the
    /// claims after locking, so they see this claim once it commits). Either race makes the
    /// statement change nothing ([`Fast::Lost`]) and the claim starts over. A refusal is read
    /// from one consistent snapshot and writes nothing.
    async fn fast_claim(&self, id: u64, user: &str, now: Timestamp) -> Result<Fast, StoreError> {
        let db_id = to_db(id)?;
        static SNAPSHOT: std::sync::LazyLock<String> = std::sync::LazyLock::new(snapshot_query);
        let Some(snapshot) = sqlx::query_as::<_, Snapshot>(SNAPSHOT.as_str())
            .bind(db_id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(Fast::Done(Err(OpError::NotFound)));
        };
        let mut loaded = snapshot.into_loaded()?;
        if !loaded.packet.is_member(user) {
            return Ok(Fast::Done(Err(OpError::NotFound)));
        }
        let p = &loaded.packet;
        if p.state == PacketState::Pending
            || (p.claim_of(user).is_none() && !p.state.is_finished() && now >= p.expires_at)
        {
            // To be delivered, or due for expiry: the transactional path writes the packet's
            // new state (and an expiry's refund).
            return Ok(Fast::Locked);
        }
        let position = loaded.packet.claims.len();
        let stream = u64::try_from(position).map_err(|_| bad_row(format!("packet {id}")))? + 1;
        let mut rng = Rng::with_stream(loaded.seed, stream);
        let chat_id = loaded.packet.chat_id.clone();
        let (claimed, postings) = match engine_ops::claim(&mut loaded.packet, user, now, &mut rng) {
            Ok(ok) => ok,
            Err(e) => return Ok(Fast::Done(Err(OpError::Claim(e)))),
        };
        if claimed.already_claimed {
            return Ok(Fast::Done(Ok(claimed)));
        }
        // The engine's claim books one credit to the claimer; anything else goes the long way.
        let [credit] = postings.as_slice() else {
            return Ok(Fast::Locked);
        };
        if credit.kind != EntryKind::Credit
            || credit.user != user
            || credit.amount != claimed.amount
        {
            return Ok(Fast::Locked);
        }
        let p = &loaded.packet;
        let payload = serde_json::to_string(&ChatEvent::PacketClaimed {
            chat_id,
            packet_id: id,
            username: user.to_owned(),
        })
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let done: i64 = sqlx::query_scalar(CLAIM_COMMIT)
            .bind(db_id)
            .bind(to_db(position)?)
            .bind(user)
            .bind(DbMoney(credit.amount))
            .bind(credit.at.millis())
            .bind(p.state.as_str())
            .bind(p.finished_at.map(Timestamp::millis))
            .bind(PG_CHANNEL)
            .bind(payload)
            .fetch_one(&self.pool)
            .await?;
        Ok(match done {
            1 => Fast::Done(Ok(claimed)),
            _ => Fast::Lost,
        })
    }

    pub async fn recall(
        &self,
        id: u64,
        user: &str,
        authorized: bool,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<Recalled, StoreError> {
        retry!(self, |tx| ops::recall(
            tx, id, user, authorized, policy, now
        ))
    }

    pub async fn expire(&self, ids: &[u64], now: Timestamp) -> Result<usize, StoreError> {
        let mut n = 0;
        for &id in ids {
            if retry!(self, |tx| ops::expire(tx, id, now))? {
                n += 1;
            }
        }
        Ok(n)
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, username, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user)
            .bind(now.millis())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a batch of lab events with one statement (the rows in the batch's order, so
    /// their ids rise in that order) and notifies every process's researchers' streams of
    /// how many, in the same transaction (delivered only if it commits).
    pub async fn add_lab_events(
        &self,
        user: &str,
        at: Timestamp,
        events: &[NewLabEvent],
    ) -> Result<Vec<i64>, StoreError> {
        let mut kinds = Vec::with_capacity(events.len());
        let mut experiments = Vec::with_capacity(events.len());
        let mut bodies = Vec::with_capacity(events.len());
        for e in events {
            kinds.push(e.kind.as_str());
            experiments.push(e.experiment.as_str());
            bodies.push(e.body.as_str());
        }
        let mut tx = self.pool.begin().await?;
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO lab_events (username, at, type, experiment, body) \
             SELECT $1, $2, e.type, e.experiment, e.body \
             FROM UNNEST($3::TEXT[], $4::TEXT[], $5::TEXT[]) WITH ORDINALITY \
                 AS e(type, experiment, body, n) \
             ORDER BY e.n RETURNING id",
        )
        .bind(user)
        .bind(at.millis())
        .bind(&kinds)
        .bind(&experiments)
        .bind(&bodies)
        .fetch_all(&mut *tx)
        .await?;
        // RETURNING promises no order; the ids were drawn in the rows' order.
        ids.sort_unstable();
        if ids.len() != events.len() {
            return Err(StoreError::Db(bad_row(format!(
                "{} lab events stored of {}",
                ids.len(),
                events.len()
            ))));
        }
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(PG_LAB_CHANNEL)
            .bind(ids.len().to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// Attempts of the two-round-trip claim before the transactional path.
const FAST_ATTEMPTS: u32 = 8;

/// How a [`PgStore::fast_claim`] attempt ended.
enum Fast {
    /// Committed, or refused (nothing to write).
    Done(Result<Claimed, OpError>),
    /// Another claim, a recall or an expiry came first: read again.
    Lost,
    /// Needs the transactional path.
    Locked,
}

/// A packet with its members, claims and pre-cut shares, read in one statement.
#[derive(sqlx::FromRow)]
struct Snapshot {
    #[sqlx(flatten)]
    row: MemberPacketRow,
    claim_positions: Vec<i64>,
    claim_users: Vec<String>,
    claim_amounts: Vec<rust_decimal::Decimal>,
    claim_ats: Vec<i64>,
    share_positions: Vec<i64>,
    share_amounts: Vec<rust_decimal::Decimal>,
}

/// The `SELECT` of a [`Snapshot`] (`$1`: the packet id).
fn snapshot_query() -> String {
    let base = packet_with_members("");
    let (select, from) = base
        .split_once(" FROM ")
        .expect("packet_with_members is a SELECT … FROM …");
    let (from, filter) = from
        .split_once(" WHERE ")
        .expect("packet_with_members has a WHERE");
    format!(
        "{select}, \
         COALESCE(cl.positions, '{{}}') AS claim_positions, \
         COALESCE(cl.users, '{{}}') AS claim_users, \
         COALESCE(cl.amounts, '{{}}') AS claim_amounts, \
         COALESCE(cl.ats, '{{}}') AS claim_ats, \
         COALESCE(sh.positions, '{{}}') AS share_positions, \
         COALESCE(sh.amounts, '{{}}') AS share_amounts \
         FROM {from} \
         LEFT JOIN LATERAL (SELECT array_agg(position ORDER BY position) AS positions, \
             array_agg(username ORDER BY position) AS users, \
             array_agg(amount ORDER BY position) AS amounts, \
             array_agg(at ORDER BY position) AS ats \
             FROM claims WHERE packet_id = p.id) cl ON true \
         LEFT JOIN LATERAL (SELECT array_agg(position ORDER BY position) AS positions, \
             array_agg(amount ORDER BY position) AS amounts \
             FROM packet_shares WHERE packet_id = p.id) sh ON true \
         WHERE {filter}"
    )
}

impl Snapshot {
    fn into_loaded(self) -> Result<Loaded, sqlx::Error> {
        let id = self.row.packet.id;
        let money = |d: rust_decimal::Decimal| {
            Money::try_from(d)
                .map(DbMoney)
                .map_err(|e| bad_row(format!("packet {id}: the amount {d} is not money: {e}")))
        };
        let n = self.claim_positions.len();
        if [
            self.claim_users.len(),
            self.claim_amounts.len(),
            self.claim_ats.len(),
        ] != [n, n, n]
            || self.share_amounts.len() != self.share_positions.len()
        {
            return Err(bad_row(format!(
                "packet {id}: claim columns of unequal lengths"
            )));
        }
        let mut claims = Vec::with_capacity(n);
        for (((position, username), amount), at) in self
            .claim_positions
            .into_iter()
            .zip(self.claim_users)
            .zip(self.claim_amounts)
            .zip(self.claim_ats)
        {
            claims.push(ClaimRow {
                packet_id: id,
                position,
                username,
                amount: money(amount)?,
                at,
            });
        }
        let mut shares = Vec::with_capacity(self.share_positions.len());
        for (position, amount) in self.share_positions.into_iter().zip(self.share_amounts) {
            shares.push(ShareRow {
                packet_id: id,
                position,
                amount: money(amount)?,
            });
        }
        assemble(self.row, claims, shares)
    }
}

/// A fresh claim's commit, one statement (see [`PgStore::fast_claim`]): `$1` packet, `$2`
/// position, `$3` claimer, `$4` amount, `$5` time, `$6` the packet's state after the claim,
/// `$7` its finish time, `$8`/`$9` the notification. Returns 1 when the claim was stored,
/// 0 when a race was lost (nothing changed).
const CLAIM_COMMIT: &str = "WITH p AS ( \
       SELECT id FROM packets WHERE id = $1 AND state = 'open' FOR UPDATE \
     ), c AS ( \
       INSERT INTO claims (packet_id, position, username, amount, at) \
       SELECT id, $2, $3, $4, $5 FROM p ON CONFLICT DO NOTHING RETURNING packet_id \
     ), s AS ( \
       UPDATE packets SET state = $6, finished_at = $7 \
       WHERE id IN (SELECT packet_id FROM c) AND $6 <> 'open' RETURNING id \
     ), u AS ( \
       UPDATE users SET balance = balance + $4 \
       WHERE username = $3 AND EXISTS (SELECT 1 FROM c) RETURNING username \
     ), l AS ( \
       INSERT INTO ledger (username, kind, amount, packet_id, at) \
       SELECT username, 'credit', $4, $1, $5 FROM u RETURNING username \
     ), n AS ( \
       SELECT pg_notify($8, $9) FROM l \
     ) \
     SELECT CASE WHEN (SELECT COUNT(*) FROM c) = 1 AND (SELECT COUNT(*) FROM l) = 1 \
       AND (SELECT COUNT(*) FROM n) = 1 AND (SELECT COUNT(*) FROM s) >= 0 THEN 1::BIGINT ELSE 0::BIGINT END";

/// Unique violation (a lost race), serialization failure, deadlock.
fn retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            Some("23505") | Some("40001") | Some("40P01")
        ),
        _ => false,
    }
}

/// One PostgreSQL transaction.
pub struct PgTx {
    tx: Transaction<'static, Postgres>,
}

impl Tx for PgTx {
    async fn take_packet(&mut self, id: u64) -> Result<Option<Loaded>, sqlx::Error> {
        Ok(fetch_packet!(self.tx, id, "FOR UPDATE OF p"))
    }

    async fn put_packet(&mut self, loaded: Loaded, change: Change) -> Result<(), sqlx::Error> {
        let p = &loaded.packet;
        let id = to_db(p.id.0)?;
        match change {
            Change::None => {}
            Change::Updated => {
                sqlx::query(
                    "UPDATE packets SET state = $1, recalled_at = $2, refund = $3, \
                     finished_at = $4 WHERE id = $5",
                )
                .bind(p.state.as_str())
                .bind(p.recalled_at.map(Timestamp::millis))
                .bind(p.refund.map(DbMoney))
                .bind(p.finished_at.map(Timestamp::millis))
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
            }
            Change::Claimed => {
                let Some(c) = p.claims.last() else {
                    return Ok(());
                };
                let claim = ClaimRow::new(p.id, p.claims.len() - 1, c)?;
                // One round trip: the packet's new state and the claim row.
                sqlx::query(
                    "WITH p AS (UPDATE packets SET state = $1, finished_at = $2 \
                     WHERE id = $3 RETURNING id) \
                     INSERT INTO claims (packet_id, position, username, amount, at) \
                     SELECT id, $4, $5, $6, $7 FROM p",
                )
                .bind(p.state.as_str())
                .bind(p.finished_at.map(Timestamp::millis))
                .bind(id)
                .bind(claim.position)
                .bind(&claim.username)
                .bind(claim.amount)
                .bind(claim.at)
                .execute(&mut *self.tx)
                .await?;
            }
            Change::Inserted => {
                let row = PacketRow::new(&loaded)?;
                bind_packet!(sqlx::query(PACKET_INSERT), &row)
                    .execute(&mut *self.tx)
                    .await?;
                sqlx::query("INSERT INTO packet_members (packet_id, members) VALUES ($1, $2)")
                    .bind(id)
                    .bind(members_to_db(&p.members)?)
                    .execute(&mut *self.tx)
                    .await?;
                if !p.cut_shares.is_empty() {
                    let positions: Vec<i64> = (0..p.cut_shares.len())
                        .map(to_db)
                        .collect::<Result<_, _>>()?;
                    let amounts: Vec<rust_decimal::Decimal> =
                        p.cut_shares.iter().map(|m| (*m).into()).collect();
                    sqlx::query(
                        "INSERT INTO packet_shares (packet_id, position, amount) \
                         SELECT $1, * FROM UNNEST($2::BIGINT[], $3::NUMERIC[])",
                    )
                    .bind(id)
                    .bind(positions)
                    .bind(amounts)
                    .execute(&mut *self.tx)
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn balance(&mut self, user: &str) -> Result<Option<Money>, sqlx::Error> {
        let balance =
            sqlx::query_scalar::<_, DbMoney>("SELECT balance FROM users WHERE username = $1")
                .bind(user)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(balance.map(|b| b.0))
    }

    async fn by_key(&mut self, sender: &str, key: &str) -> Result<Option<u64>, sqlx::Error> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM packets WHERE sender = $1 AND idempotency_key = $2")
                .bind(sender)
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?;
        id.map(|id| super::rows::from_db(id, "packet id"))
            .transpose()
    }

    async fn next_packet_id(&mut self) -> Result<u64, sqlx::Error> {
        let id: i64 = sqlx::query_scalar("SELECT nextval('packets_id_seq')")
            .fetch_one(&mut *self.tx)
            .await?;
        super::rows::from_db(id, "packets_id_seq")
    }

    async fn book(&mut self, postings: Vec<Posting>) -> Result<bool, sqlx::Error> {
        for p in postings {
            let delta = Money::from_fen(if p.kind.is_incoming() {
                p.amount.fen()
            } else {
                -p.amount.fen()
            });
            // One round trip: the guarded balance change, and the entry only if it happened.
            let booked = sqlx::query(
                "WITH moved AS (UPDATE users SET balance = balance + $1 \
                 WHERE username = $2 AND balance + $1 >= 0 RETURNING username) \
                 INSERT INTO ledger (username, kind, amount, packet_id, at) \
                 SELECT username, $3, $4, $5, $6 FROM moved",
            )
            .bind(DbMoney(delta))
            .bind(&p.user)
            .bind(p.kind.as_str())
            .bind(DbMoney(p.amount))
            .bind(p.packet.map(|id| to_db(id.0)).transpose()?)
            .bind(p.at.millis())
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
            if booked != 1 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn recalls_between(
        &mut self,
        user: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<u32, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM packets WHERE sender = $1 AND recalled_at >= $2 AND recalled_at < $3",
        )
        .bind(user)
        .bind(from.millis())
        .bind(to.millis())
        .fetch_one(&mut *self.tx)
        .await?;
        super::rows::from_db(n, "recalls")
    }

    async fn emit(&mut self, event: ChatEvent) -> Result<(), sqlx::Error> {
        let payload =
            serde_json::to_string(&event).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(PG_CHANNEL)
            .bind(payload)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
