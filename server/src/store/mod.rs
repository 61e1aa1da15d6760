//! Storage: every operation is one database transaction that runs the engine's
//! packet-level operations ([`hongbao_engine::ops`]) on the rows it locked.
//!
//! One concern per file:
//! - [`ops`]: the operations ([`ops::send`], [`ops::claim`], [`ops::recall`],
//!   [`ops::expire`]), written once against the [`ops::Tx`] trait;
//! - [`rows`]: the row types read with `sqlx::FromRow` and their conversions to and from the
//!   engine's types (money as [`rows::DbMoney`]: fen in SQLite, `NUMERIC` in PostgreSQL);
//! - [`reads`]: what handlers read outside a transaction (views, lists, the ledger);
//! - [`seed`]: the demo world and the crowd;
//! - [`migrations`]: the embedded schema migrations of both dialects;
//! - [`sessions`], [`studies`]: sessions, tickets and the lab's studies, each statement written
//!   once for both databases;
//! - [`lab`]: the lab's events as stored, and the reads of the researcher's console (one
//!   experiment's events, for its export and its results);
//! - the two implementations of [`ops::Tx`]:
//!   - [`pg`]: one PostgreSQL transaction per operation, the packet row locked with
//!     `SELECT … FOR UPDATE`, balances changed with guarded `balance = balance + $1`
//!     updates; any number of server processes may share the database.
//!   - [`sqlite`]: one writer task owns the only writing connection and commits the
//!     operations that arrive together in one transaction (group commit), keeping the rows
//!     it wrote in memory; reads use a pool of read connections (WAL).
//!
//! Either way a response is sent only after its transaction committed.

pub mod lab;
pub mod migrations;
pub mod ops;
pub mod participants;
pub mod pg;
pub mod reads;
pub mod rows;
pub mod seed;
pub mod sessions;
pub mod sqlite;
pub mod studies;

use std::sync::Arc;

use hongbao_engine::{
    ClaimError, Claimed, Lang, Packet, Policy, RecallError, Recalled, SendError, SendRequest,
    Timestamp,
};

use crate::error::AppError;
use crate::events::Hub;

pub use lab::{LabFilter, NewLabEvent};
pub use ops::SendDone;
pub use participants::ParticipantRow;
pub use rows::{ChatRow, DbMoney, LabEventRow, StudyRow, UserRow};
pub use seed::{CROWD, Seed, crowd_user};

/// A packet as stored: the engine's packet and the seed of its random shares.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub packet: Packet,
    pub seed: u64,
}

/// What changed about a packet handed back with [`ops::Tx::put_packet`].
#[derive(Debug)]
pub enum Change {
    /// Nothing (it was only read).
    None,
    /// Its state changed (expired, recalled).
    Updated,
    /// The last claim in `packet.claims` is new.
    Claimed,
    /// It is new.
    Inserted,
}

/// A refusal by the rules (the transaction still commits what it did, e.g. an expiry found
/// on access).
#[derive(Debug)]
pub enum OpError {
    NotFound,
    Send(SendError),
    Claim(ClaimError),
    Recall(RecallError),
}

impl OpError {
    pub fn into_app(self, lang: Lang) -> AppError {
        match self {
            OpError::NotFound => AppError::not_found("packet"),
            OpError::Send(e) => AppError::engine(&e, lang),
            OpError::Claim(e) => AppError::engine(&e, lang),
            OpError::Recall(e) => AppError::engine(&e, lang),
        }
    }
}

/// Why a transaction was rolled back.
#[derive(Debug)]
pub enum TxError {
    Db(sqlx::Error),
    /// A rule caught by the database (a debit no longer covered): roll back, then refuse.
    Abort(OpError),
}

impl From<sqlx::Error> for TxError {
    fn from(e: sqlx::Error) -> TxError {
        TxError::Db(e)
    }
}

/// The outcome of an operation run in a transaction: `Err` rolls back, `Ok(Err)` commits
/// and refuses.
pub type TxResult<T> = Result<Result<T, OpError>, TxError>;

/// A store operation's failure, for handlers.
#[derive(Debug)]
pub enum StoreError {
    Op(OpError),
    Db(sqlx::Error),
    Unavailable(String),
}

impl StoreError {
    pub fn into_app(self, lang: Lang) -> AppError {
        match self {
            StoreError::Op(e) => e.into_app(lang),
            StoreError::Db(e) => AppError::from(e),
            StoreError::Unavailable(why) => AppError::unavailable(why),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Db(e)
    }
}

impl From<TxError> for StoreError {
    fn from(e: TxError) -> StoreError {
        match e {
            TxError::Db(e) => StoreError::Db(e),
            TxError::Abort(e) => StoreError::Op(e),
        }
    }
}

// ------------------------------------------------------------------------------ the store

/// The database behind the API.
#[derive(Clone)]
pub enum Store {
    Sqlite(Arc<sqlite::SqliteStore>),
    Pg(Arc<pg::PgStore>),
}

/// Most packets `GET /chats/{id}/packets` returns (the newest ones, oldest first).
pub const CHAT_PACKETS_LIMIT: i64 = 500;
/// Most entries `GET /ledger` returns (the newest).
pub const LEDGER_LIMIT: i64 = 2_000;
/// Most lab events `GET /lab/events` returns (the newest, oldest first), but for the export
/// of one experiment (`?all=true&experiment=`), which returns all of them.
pub const LAB_EVENTS_LIMIT: i64 = 10_000;

impl Store {
    /// The live-update hub of this process.
    pub fn hub(&self) -> &Arc<Hub> {
        match self {
            Store::Sqlite(s) => &s.hub,
            Store::Pg(s) => &s.hub,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Pg(_) => "postgres",
        }
    }

    // -------------------------------------------------------------------------- writes

    pub async fn send(
        &self,
        req: SendRequest,
        policy: Arc<Policy>,
        now: Timestamp,
    ) -> Result<SendDone, StoreError> {
        let seed = random_u64();
        match self {
            Store::Sqlite(s) => s.send(req, policy, now, seed).await,
            Store::Pg(s) => s.send(&req, &policy, now, seed).await,
        }
    }

    pub async fn claim(&self, id: u64, user: &str, now: Timestamp) -> Result<Claimed, StoreError> {
        match self {
            Store::Sqlite(s) => s.claim(id, user.to_owned(), now).await,
            Store::Pg(s) => s.claim(id, user, now).await,
        }
    }

    pub async fn recall(
        &self,
        id: u64,
        user: &str,
        authorized: bool,
        policy: Arc<Policy>,
        now: Timestamp,
    ) -> Result<Recalled, StoreError> {
        match self {
            Store::Sqlite(s) => s.recall(id, user.to_owned(), authorized, policy, now).await,
            Store::Pg(s) => s.recall(id, user, authorized, &policy, now).await,
        }
    }

    /// Expires the given packets if they are due; returns how many it expired.
    pub async fn expire(&self, ids: Vec<u64>, now: Timestamp) -> Result<usize, StoreError> {
        match self {
            Store::Sqlite(s) => s.expire(ids, now).await,
            Store::Pg(s) => s.expire(&ids, now).await,
        }
    }

    pub async fn create_session(
        &self,
        token_hash: String,
        user: String,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.create_session(token_hash, user, now).await,
            Store::Pg(s) => s.create_session(&token_hash, &user, now).await,
        }
    }

    /// Stores lab events in one transaction; their ids, in order. Once committed, the
    /// researchers' streams hear how many (on PostgreSQL, those of every process).
    pub async fn add_lab_events(
        &self,
        user: String,
        at: Timestamp,
        events: Vec<NewLabEvent>,
    ) -> Result<Vec<i64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.add_lab_events(user, at, events).await,
            Store::Pg(s) => s.add_lab_events(&user, at, &events).await,
        }
    }

    /// Closes the pools (and stops the SQLite writer after its last batch).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Pg(s) => s.close().await,
        }
    }
}

/// 64 random bits from the OS.
pub fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).expect("the OS random source works");
    u64::from_le_bytes(buf)
}
