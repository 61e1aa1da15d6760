//! Storage: every operation is one database transaction that runs the engine's
//! packet-level operations ([`hongbao_engine::ops`]) on the rows it locked.
//!
//! The operations ([`send`], [`claim`], [`recall`], [`expire`]) are written once, against
//! the [`Tx`] trait. Two implementations:
//! - [`pg`]: one PostgreSQL transaction per operation, the packet row locked with
//!   `SELECT … FOR UPDATE`, balances changed with guarded `balance = balance + $1`
//!   updates; any number of server processes may share the database.
//! - [`sqlite`]: one writer task owns the only writing connection and commits the
//!   operations that arrive together in one transaction (group commit), keeping the rows
//!   it wrote in memory; reads use a pool of read connections (WAL).
//!
//! Either way a response is sent only after its transaction committed.

pub mod pg;
pub mod sessions;
pub mod sqlite;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use hongbao_api::demo;
use hongbao_api::{ChatEvent, ChatInfo, LedgerEntry, PacketView};
use hongbao_engine::ops::{self, Posting};
use hongbao_engine::{
    ChatKind, Claim, ClaimError, Claimed, EntryKind, Lang, Money, Packet, PacketId, PacketState,
    Policy, RecallError, Recalled, Rng, SendError, SendRequest, SenderHistory, Timestamp,
};
use sqlx::Row;

use crate::error::AppError;
use crate::events::Hub;

/// A packet as stored: the engine's packet and the seed of its random shares.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub packet: Packet,
    pub seed: u64,
}

/// What changed about a packet handed back with [`Tx::put_packet`].
#[derive(Debug)]
pub enum Change {
    /// Nothing (it was only read).
    None,
    /// Its state changed (expired, recalled).
    Updated,
    /// The last claim in `packet.claims` is new.
    Claimed,
    /// It is new; `request` is the send request as JSON (for idempotent retries).
    Inserted { request: String },
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
            OpError::Send(e) => AppError::send(&e, lang),
            OpError::Claim(e) => AppError::claim(&e, lang),
            OpError::Recall(e) => AppError::recall(&e, lang),
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

/// One transaction, as the operations see it.
pub trait Tx: Send {
    /// Loads and locks a packet with its claims. Hand it back with [`Tx::put_packet`].
    fn take_packet(
        &mut self,
        id: u64,
    ) -> impl Future<Output = Result<Option<Loaded>, sqlx::Error>> + Send;
    /// Hands a packet back, writing what changed.
    fn put_packet(
        &mut self,
        loaded: Loaded,
        change: Change,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// A user's balance (`None`: no such user).
    fn balance(
        &mut self,
        user: &str,
    ) -> impl Future<Output = Result<Option<Money>, sqlx::Error>> + Send;
    /// The packet a sender already sent with this idempotency key, and its request JSON.
    fn by_key(
        &mut self,
        sender: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<(u64, String)>, sqlx::Error>> + Send;
    /// A fresh packet id.
    fn next_packet_id(&mut self) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;
    /// Appends the postings to the ledger and applies them to the balances. `false` (and
    /// the caller rolls back) when a debit is no longer covered.
    fn book(
        &mut self,
        postings: Vec<Posting>,
    ) -> impl Future<Output = Result<bool, sqlx::Error>> + Send;
    /// How many packets `user` recalled in `[from, to)`.
    fn recalls_between(
        &mut self,
        user: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<u32, sqlx::Error>> + Send;
    /// Publishes a live update once the transaction commits.
    fn emit(&mut self, event: ChatEvent) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

// ------------------------------------------------------------------------------ operations

/// A sent (or replayed) packet, as its sender sees it.
#[derive(Debug)]
pub struct SendDone {
    pub view: PacketView,
    pub replayed: bool,
}

/// Sends: the idempotency record first (the same request again returns the first packet,
/// another request with the same key is a conflict), then the engine's validation against
/// the sender's balance, the new packet and the debit.
pub async fn send<T: Tx>(
    tx: &mut T,
    req: &SendRequest,
    policy: &Policy,
    now: Timestamp,
    seed: u64,
) -> TxResult<SendDone> {
    if let Err(e) = ops::check_idempotency_key(&req.idempotency_key) {
        return Ok(Err(OpError::Send(e)));
    }
    let request = serde_json::to_string(req).unwrap_or_default();
    if let Some((id, first)) = tx.by_key(&req.sender, &req.idempotency_key).await? {
        if first != request {
            return Ok(Err(OpError::Send(SendError::IdempotencyConflict {
                packet: PacketId(id),
            })));
        }
        let Some(loaded) = tx.take_packet(id).await? else {
            return Ok(Err(OpError::NotFound));
        };
        let view = PacketView::new(&loaded.packet, &req.sender, now);
        tx.put_packet(loaded, Change::None).await?;
        return Ok(Ok(SendDone {
            view,
            replayed: true,
        }));
    }
    let balance = tx.balance(&req.sender).await?;
    // Validate before taking an id: refused sends do not use up ids.
    if let Err(e) = ops::validate_send(req, balance, policy, now) {
        return Ok(Err(OpError::Send(e)));
    }
    let id = PacketId(tx.next_packet_id().await?);
    let mut rng = Rng::with_stream(seed, 0);
    let (packet, postings) = match ops::prepare_send(req, balance, policy, now, id, &mut rng) {
        Ok(ok) => ok,
        Err(e) => return Ok(Err(OpError::Send(e))),
    };
    let view = PacketView::new(&packet, &req.sender, now);
    let event = ChatEvent::PacketSent {
        chat_id: packet.chat_id.clone(),
        packet_id: id.0,
    };
    tx.put_packet(Loaded { packet, seed }, Change::Inserted { request })
        .await?;
    if !tx.book(postings).await? {
        let needed = view.total;
        return Err(TxError::Abort(OpError::Send(
            SendError::InsufficientBalance {
                balance: balance.unwrap_or_default(),
                needed,
            },
        )));
    }
    tx.emit(event).await?;
    Ok(Ok(SendDone {
        view,
        replayed: false,
    }))
}

/// Claims: a packet past its expiry is expired (and refunded) first, unless the user
/// already has their share; then the engine's claim with the packet's random stream for
/// this position.
pub async fn claim<T: Tx>(tx: &mut T, id: u64, user: &str, now: Timestamp) -> TxResult<Claimed> {
    let Some(mut loaded) = tx.take_packet(id).await? else {
        return Ok(Err(OpError::NotFound));
    };
    if !loaded.packet.is_member(user) {
        // Packets of chats the user is not in do not exist for them.
        tx.put_packet(loaded, Change::None).await?;
        return Ok(Err(OpError::NotFound));
    }
    let mut expired = None;
    if loaded.packet.claim_of(user).is_none() {
        expired = ops::expire(&mut loaded.packet, now);
    }
    let position = loaded.packet.claims.len() as u64;
    let mut rng = Rng::with_stream(loaded.seed, position + 1);
    let chat_id = loaded.packet.chat_id.clone();
    let result = ops::claim(&mut loaded.packet, user, now, &mut rng);
    match (expired, result) {
        (Some((_, refund)), result) => {
            // An expired packet refuses every new claim.
            debug_assert!(result.is_err());
            tx.put_packet(loaded, Change::Updated).await?;
            book_or_abort(tx, refund).await?;
            tx.emit(ChatEvent::PacketExpired {
                chat_id,
                packet_id: id,
            })
            .await?;
            Ok(result.map(|(c, _)| c).map_err(OpError::Claim))
        }
        (None, Ok((claimed, postings))) if !claimed.already_claimed => {
            tx.put_packet(loaded, Change::Claimed).await?;
            book_or_abort(tx, postings).await?;
            tx.emit(ChatEvent::PacketClaimed {
                chat_id,
                packet_id: id,
                username: user.to_owned(),
            })
            .await?;
            Ok(Ok(claimed))
        }
        (None, result) => {
            tx.put_packet(loaded, Change::None).await?;
            Ok(result.map(|(c, _)| c).map_err(OpError::Claim))
        }
    }
}

/// Recalls: expired first if due, then the engine's recall with the sender's recalls on
/// this local day.
pub async fn recall<T: Tx>(
    tx: &mut T,
    id: u64,
    user: &str,
    authorized: bool,
    policy: &Policy,
    now: Timestamp,
) -> TxResult<Recalled> {
    let Some(mut loaded) = tx.take_packet(id).await? else {
        return Ok(Err(OpError::NotFound));
    };
    if !loaded.packet.is_member(user) {
        tx.put_packet(loaded, Change::None).await?;
        return Ok(Err(OpError::NotFound));
    }
    let chat_id = loaded.packet.chat_id.clone();
    let is_sender = loaded.packet.sender == user;
    if let Some((_, refund)) = ops::expire(&mut loaded.packet, now) {
        tx.put_packet(loaded, Change::Updated).await?;
        book_or_abort(tx, refund).await?;
        tx.emit(ChatEvent::PacketExpired {
            chat_id,
            packet_id: id,
        })
        .await?;
        let refused = if is_sender {
            RecallError::Expired
        } else {
            RecallError::NotSender
        };
        return Ok(Err(OpError::Recall(refused)));
    }
    let offset = policy.utc_offset_minutes;
    let (from, to) = local_day_bounds(now, offset);
    let used = if loaded.packet.sender == user && loaded.packet.recall.max_recalls_per_day.is_some()
    {
        tx.recalls_between(user, from, to).await?
    } else {
        0
    };
    match ops::recall(&mut loaded.packet, user, now, authorized, used, offset) {
        Ok((recalled, postings)) => {
            tx.put_packet(loaded, Change::Updated).await?;
            book_or_abort(tx, postings).await?;
            tx.emit(ChatEvent::PacketRecalled {
                chat_id,
                packet_id: id,
            })
            .await?;
            Ok(Ok(recalled))
        }
        Err(e) => {
            tx.put_packet(loaded, Change::None).await?;
            Ok(Err(OpError::Recall(e)))
        }
    }
}

/// Expires a packet if it is due; `true` if it did.
pub async fn expire<T: Tx>(tx: &mut T, id: u64, now: Timestamp) -> TxResult<bool> {
    let Some(mut loaded) = tx.take_packet(id).await? else {
        return Ok(Ok(false));
    };
    match ops::expire(&mut loaded.packet, now) {
        Some((_, refund)) => {
            let chat_id = loaded.packet.chat_id.clone();
            tx.put_packet(loaded, Change::Updated).await?;
            book_or_abort(tx, refund).await?;
            tx.emit(ChatEvent::PacketExpired {
                chat_id,
                packet_id: id,
            })
            .await?;
            Ok(Ok(true))
        }
        None => {
            tx.put_packet(loaded, Change::None).await?;
            Ok(Ok(false))
        }
    }
}

async fn book_or_abort<T: Tx>(tx: &mut T, postings: Vec<Posting>) -> Result<(), TxError> {
    // Credits and refunds never fail the balance guard; only a debit can.
    if tx.book(postings).await? {
        Ok(())
    } else {
        Err(TxError::Db(sqlx::Error::Protocol(
            "a credit was refused by the balance guard".into(),
        )))
    }
}

/// `[start, end)` of the local day of `now`.
pub fn local_day_bounds(now: Timestamp, utc_offset_minutes: i32) -> (Timestamp, Timestamp) {
    let day = now.local_day(utc_offset_minutes);
    let start = day * 86_400_000 - i64::from(utc_offset_minutes) * 60_000;
    (
        Timestamp::from_millis(start),
        Timestamp::from_millis(start + 86_400_000),
    )
}

// ------------------------------------------------------------------------------ rows

/// The stored body of a packet: its JSON without the claims and the members (those are
/// stored apart: claims as rows, members once when the packet is sent).
pub fn encode_body(packet: &mut Packet) -> String {
    let claims = std::mem::take(&mut packet.claims);
    let members = std::mem::take(&mut packet.members);
    let body = serde_json::to_string(&*packet).unwrap_or_default();
    packet.claims = claims;
    packet.members = members;
    body
}

/// The members as stored: a JSON array.
pub fn encode_members(packet: &Packet) -> String {
    serde_json::to_string(&packet.members).unwrap_or_default()
}

/// A packet from its stored parts. `members: None` leaves the members empty (list views,
/// which check chat membership instead).
///
/// While a packet is open (or pending) what remains is its total less its claims: SQLite's
/// writer does not rewrite a packet's row for a claim that leaves it open (the claim's row
/// is what changed), so `remaining` is recomputed here from `claims`, which must then be
/// all of the packet's claims.
pub fn decode_body(
    body: &str,
    claims: Vec<Claim>,
    members: Option<&str>,
) -> Result<Packet, sqlx::Error> {
    let mut packet: Packet =
        serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    packet.claims = claims;
    if matches!(packet.state, PacketState::Open | PacketState::Pending) {
        let claimed: i64 = packet.claims.iter().map(|c| c.amount.fen()).sum();
        packet.remaining = Money::from_fen(packet.total.fen() - claimed);
    }
    if let Some(m) = members {
        packet.members = serde_json::from_str(m).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    }
    Ok(packet)
}

pub fn state_str(s: PacketState) -> &'static str {
    s.as_str()
}

pub fn kind_from_str(s: &str) -> Option<EntryKind> {
    Some(match s {
        "grant" => EntryKind::Grant,
        "debit" => EntryKind::Debit,
        "credit" => EntryKind::Credit,
        "refund_expiry" => EntryKind::RefundExpiry,
        "refund_recall" => EntryKind::RefundRecall,
        _ => return None,
    })
}

/// A user's login row.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub password_hash: String,
    pub salt: String,
}

/// A stored lab event.
#[derive(Clone, Debug)]
pub struct LabEventRow {
    pub id: i64,
    pub username: String,
    pub at: Timestamp,
    pub body: String,
}

/// A chat with its members (sorted).
#[derive(Clone, Debug)]
pub struct ChatRow {
    pub id: String,
    pub name: String,
    pub kind: ChatKind,
    pub members: Vec<String>,
}

impl ChatRow {
    /// The chat as `viewer` sees it (a 1:1 chat is named after the other member).
    pub fn info_for(&self, viewer: &str) -> ChatInfo {
        let name = match self.kind {
            ChatKind::Direct => self
                .members
                .iter()
                .find(|m| *m != viewer)
                .cloned()
                .unwrap_or_else(|| self.name.clone()),
            ChatKind::Group { .. } => self.name.clone(),
        };
        ChatInfo {
            id: self.id.clone(),
            name,
            members: self.members.clone(),
            kind: self.kind,
        }
    }
}

fn chat_kind(kind: &str, work: i64) -> ChatKind {
    if kind == "direct" {
        ChatKind::Direct
    } else {
        ChatKind::Group { work: work != 0 }
    }
}

// ------------------------------------------------------------------------------ the store

/// The database behind the API.
#[derive(Clone)]
pub enum Store {
    Sqlite(Arc<sqlite::SqliteStore>),
    Pg(Arc<pg::PgStore>),
}

/// Runs the same code on the SQLite read pool or the PostgreSQL pool.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            Store::Sqlite(s) => {
                let $pool = &s.read;
                $body
            }
            Store::Pg(s) => {
                let $pool = &s.pool;
                $body
            }
        }
    };
}

/// Most packets `GET /chats/{id}/packets` returns (the newest ones, oldest first).
pub const CHAT_PACKETS_LIMIT: i64 = 500;
/// Most entries `GET /ledger` returns (the newest).
pub const LEDGER_LIMIT: i64 = 2_000;
/// Most lab events `GET /lab/events` returns (the newest, oldest first).
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

    /// Stores lab events, (type, JSON text) each, in one transaction; their ids.
    pub async fn add_lab_events(
        &self,
        user: String,
        at: Timestamp,
        events: Vec<(String, String)>,
    ) -> Result<Vec<i64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.add_lab_events(user, at, events).await,
            Store::Pg(s) => s.add_lab_events(&user, at, &events).await,
        }
    }

    // -------------------------------------------------------------------------- reads

    pub async fn user(&self, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
        on_pool!(self, |pool| {
            let row = sqlx::query("SELECT password_hash, salt FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(|r| UserRow {
                password_hash: r.get(0),
                salt: r.get(1),
            }))
        })
    }

    pub async fn balance(&self, username: &str) -> Result<Option<Money>, sqlx::Error> {
        on_pool!(self, |pool| {
            let row = sqlx::query("SELECT balance FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(|r| Money::from_fen(r.get(0))))
        })
    }

    pub async fn session_user(&self, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            let row = sqlx::query("SELECT username FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    /// The chats `user` belongs to: groups first, then by id.
    pub async fn chats_of(&self, user: &str) -> Result<Vec<ChatRow>, sqlx::Error> {
        let rows: Vec<(String, String, String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query(
                "SELECT c.id, c.name, c.kind, c.work, m.username \
                 FROM chats c JOIN chat_members m ON m.chat_id = c.id \
                 WHERE c.id IN (SELECT chat_id FROM chat_members WHERE username = $1) \
                 ORDER BY CASE WHEN c.kind = 'group' THEN 0 ELSE 1 END, c.id, m.username",
            )
            .bind(user)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
            .collect()
        });
        let mut chats: Vec<ChatRow> = Vec::new();
        for (id, name, kind, work, member) in rows {
            match chats.last_mut() {
                Some(c) if c.id == id => c.members.push(member),
                _ => chats.push(ChatRow {
                    id,
                    name,
                    kind: chat_kind(&kind, work),
                    members: vec![member],
                }),
            }
        }
        Ok(chats)
    }

    /// The chat `id` if `user` is a member.
    pub async fn chat_for(&self, user: &str, id: &str) -> Result<Option<ChatRow>, sqlx::Error> {
        let rows: Vec<(String, String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query(
                "SELECT c.name, c.kind, c.work, m.username \
                 FROM chats c JOIN chat_members m ON m.chat_id = c.id \
                 WHERE c.id = $1 ORDER BY m.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
        });
        let Some((name, kind, work, _)) = rows.first().cloned() else {
            return Ok(None);
        };
        let members: Vec<String> = rows.into_iter().map(|r| r.3).collect();
        if !members.iter().any(|m| m == user) {
            return Ok(None);
        }
        Ok(Some(ChatRow {
            id: id.to_owned(),
            name,
            kind: chat_kind(&kind, work),
            members,
        }))
    }

    /// One packet with its claims and members, as committed.
    pub async fn packet(&self, id: u64) -> Result<Option<Packet>, sqlx::Error> {
        let id = to_i64(id);
        on_pool!(self, |pool| {
            let Some(row) = sqlx::query(
                "SELECT p.body, m.members FROM packets p \
                 JOIN packet_members m ON m.packet_id = p.id WHERE p.id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            else {
                return Ok(None);
            };
            let claims = sqlx::query(
                "SELECT username, amount, at FROM claims WHERE packet_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| claim_from(r.get(0), r.get(1), r.get(2)))
            .collect();
            let body: String = row.get(0);
            let members: String = row.get(1);
            decode_body(&body, claims, Some(&members)).map(Some)
        })
    }

    /// The newest [`CHAT_PACKETS_LIMIT`] packets of a chat, oldest first, with their claims
    /// but without their members (for views; the caller checked chat membership).
    pub async fn chat_packets(&self, chat_id: &str) -> Result<Vec<Packet>, sqlx::Error> {
        #[allow(clippy::type_complexity)]
        let (bodies, claims): (Vec<(i64, String)>, Vec<(i64, String, i64, i64)>) =
            on_pool!(self, |pool| {
                let bodies = sqlx::query(
                    "SELECT id, body FROM (SELECT id, body FROM packets WHERE chat_id = $1 \
                     ORDER BY id DESC LIMIT $2) AS newest ORDER BY id",
                )
                .bind(chat_id)
                .bind(CHAT_PACKETS_LIMIT)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect::<Vec<(i64, String)>>();
                let first = bodies.first().map(|b| b.0).unwrap_or(i64::MAX);
                let claims = sqlx::query(
                    "SELECT c.packet_id, c.username, c.amount, c.at FROM claims c \
                     JOIN packets p ON p.id = c.packet_id \
                     WHERE p.chat_id = $1 AND p.id >= $2 ORDER BY c.packet_id, c.position",
                )
                .bind(chat_id)
                .bind(first)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect();
                (bodies, claims)
            });
        let mut by_packet: BTreeMap<i64, Vec<Claim>> = BTreeMap::new();
        for (pid, user, amount, at) in claims {
            by_packet
                .entry(pid)
                .or_default()
                .push(claim_from(user, amount, at));
        }
        bodies
            .into_iter()
            .map(|(id, body)| decode_body(&body, by_packet.remove(&id).unwrap_or_default(), None))
            .collect()
    }

    /// The sender's habits for the warnings: their newest packets plus the newest one in
    /// `chat_id` (see [`ops::history`]).
    pub async fn history(&self, sender: &str, chat_id: &str) -> Result<SenderHistory, sqlx::Error> {
        let window = ops::HISTORY_WINDOW as i64;
        let bodies: Vec<(i64, String)> = on_pool!(self, |pool| {
            let mut rows: Vec<(i64, String)> = sqlx::query(
                "SELECT id, body FROM packets WHERE sender = $1 AND state <> 'recalled' \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(sender)
            .bind(window)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
            if !rows.is_empty() {
                let last = sqlx::query(
                    "SELECT id, body FROM packets WHERE sender = $1 AND chat_id = $2 \
                     AND state <> 'recalled' ORDER BY id DESC LIMIT 1",
                )
                .bind(sender)
                .bind(chat_id)
                .fetch_optional(pool)
                .await?;
                if let Some(r) = last {
                    let id: i64 = r.get(0);
                    if !rows.iter().any(|(i, _)| *i == id) {
                        rows.push((id, r.get(1)));
                    }
                }
            }
            rows
        });
        let packets: Vec<Packet> = bodies
            .iter()
            // Without their claims: the history reads neither claims nor what remains.
            .map(|(_, b)| decode_body(b, Vec::new(), None))
            .collect::<Result<_, _>>()?;
        Ok(ops::history(sender, chat_id, packets.iter()))
    }

    /// The user's ledger, newest first.
    pub async fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, sqlx::Error> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, kind, amount, packet_id, at FROM ledger WHERE username = $1 \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(user)
            .bind(LEDGER_LIMIT)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .filter_map(|r| {
                    let kind: String = r.get(1);
                    let packet: Option<i64> = r.get(3);
                    Some(LedgerEntry {
                        id: r.get::<i64, _>(0) as u64,
                        kind: kind_from_str(&kind)?,
                        amount: Money::from_fen(r.get(2)),
                        packet_id: packet.map(|p| p as u64),
                        at: Timestamp::from_millis(r.get(4)),
                    })
                })
                .collect())
        })
    }

    /// Ids of unfinished packets at or past their expiry (at most `limit`), optionally
    /// only those sent by `sender`.
    pub async fn due_packets(
        &self,
        now: Timestamp,
        sender: Option<&str>,
        limit: i64,
    ) -> Result<Vec<u64>, sqlx::Error> {
        on_pool!(self, |pool| {
            let rows = match sender {
                Some(sender) => {
                    sqlx::query(
                        "SELECT id FROM packets WHERE state IN ('open', 'pending') \
                         AND expires_at <= $1 AND sender = $2 ORDER BY expires_at LIMIT $3",
                    )
                    .bind(now.millis())
                    .bind(sender)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query(
                        "SELECT id FROM packets WHERE state IN ('open', 'pending') \
                         AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
                    )
                    .bind(now.millis())
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                }
            };
            Ok(rows
                .into_iter()
                .map(|r| r.get::<i64, _>(0) as u64)
                .collect())
        })
    }

    /// Lab events of `user` (or everyone's), the newest [`LAB_EVENTS_LIMIT`], oldest first.
    pub async fn lab_events(&self, user: Option<&str>) -> Result<Vec<LabEventRow>, sqlx::Error> {
        on_pool!(self, |pool| {
            let rows = match user {
                Some(user) => {
                    sqlx::query(
                        "SELECT id, username, at, body FROM (SELECT id, username, at, body \
                         FROM lab_events WHERE username = $1 ORDER BY id DESC LIMIT $2) AS newest \
                         ORDER BY id",
                    )
                    .bind(user)
                    .bind(LAB_EVENTS_LIMIT)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query(
                        "SELECT id, username, at, body FROM (SELECT id, username, at, body \
                         FROM lab_events ORDER BY id DESC LIMIT $1) AS newest ORDER BY id",
                    )
                    .bind(LAB_EVENTS_LIMIT)
                    .fetch_all(pool)
                    .await?
                }
            };
            Ok(rows
                .into_iter()
                .map(|r| LabEventRow {
                    id: r.get(0),
                    username: r.get(1),
                    at: Timestamp::from_millis(r.get(2)),
                    body: r.get(3),
                })
                .collect())
        })
    }

    /// (Σ balances, Σ grants): equal when no money is held in unfinished packets.
    pub async fn totals(&self) -> Result<(i64, i64), sqlx::Error> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT CAST((SELECT COALESCE(SUM(balance), 0) FROM users) AS BIGINT), \
                        CAST((SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind = 'grant') AS BIGINT)",
            )
            .fetch_one(pool)
            .await?;
            Ok((row.get(0), row.get(1)))
        })
    }

    /// Closes the pools (and stops the SQLite writer after its last batch).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Pg(s) => s.close().await,
        }
    }
}

pub fn claim_from(user: String, amount: i64, at: i64) -> Claim {
    Claim {
        user,
        amount: Money::from_fen(amount),
        at: Timestamp::from_millis(at),
    }
}

pub fn to_i64(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

/// 64 random bits from the OS.
pub fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).expect("the OS random source works");
    u64::from_le_bytes(buf)
}

/// The demo world and the crowd, inserted idempotently.
pub struct Seed {
    pub demo: bool,
    pub crowd: u32,
    pub crowd_balance: Money,
}

/// A user to create: name, salt, password hash, starting balance.
pub struct NewUser {
    pub username: String,
    pub salt: String,
    pub password_hash: String,
    pub balance: Money,
}

/// What [`Seed`] asks for, as rows.
pub fn seed_rows(seed: &Seed) -> (Vec<NewUser>, Vec<ChatRow>) {
    let mut users = Vec::new();
    let mut chats = Vec::new();
    // Generated and demo users share one salt (and so one argon2id hash): hashing their
    // passwords at every start would be slow, and these are test accounts with a
    // published password.
    let shared_salt = crate::auth::new_salt();
    let shared_hash = crate::auth::hash_password(&shared_salt, demo::DEMO_PASSWORD);
    let mut add_user = |name: String, balance: Money, own_salt: bool| {
        let (salt, password_hash) = if own_salt {
            let salt = crate::auth::new_salt();
            let hash = crate::auth::hash_password(&salt, demo::DEMO_PASSWORD);
            (salt, hash)
        } else {
            (shared_salt.clone(), shared_hash.clone())
        };
        users.push(NewUser {
            username: name,
            salt,
            password_hash,
            balance,
        });
    };
    if seed.demo {
        for u in demo::DEMO_USERS {
            add_user(u.to_owned(), demo::DEMO_BALANCE, false);
        }
        let mut seen = std::collections::BTreeSet::new();
        for u in demo::DEMO_USERS {
            for chat in demo::chats_for(u) {
                if seen.insert(chat.id.clone()) {
                    let mut members = chat.members.clone();
                    members.sort();
                    chats.push(ChatRow {
                        name: if chat.is_group() {
                            chat.name.clone()
                        } else {
                            chat.id.clone()
                        },
                        id: chat.id,
                        kind: chat.kind,
                        members,
                    });
                }
            }
        }
    }
    if seed.crowd > 0 {
        let names: Vec<String> = (1..=seed.crowd).map(crowd_user).collect();
        for n in &names {
            add_user(n.clone(), seed.crowd_balance, false);
        }
        chats.push(ChatRow {
            id: CROWD.into(),
            name: "Crowd".into(),
            kind: ChatKind::Group { work: false },
            members: names,
        });
    }
    (users, chats)
}

/// The crowd's group chat.
pub const CROWD: &str = "crowd";

/// The name of crowd user `i` (1-based): `u0001`.
pub fn crowd_user(i: u32) -> String {
    format!("u{i:04}")
}

/// Inserts the seed rows in one transaction; existing users and chats are left alone, new
/// users get their starting balance as a grant.
macro_rules! insert_seed {
    ($tx:expr, $users:expr, $chats:expr, $now:expr) => {{
        for u in $users {
            let inserted = sqlx::query(
                "INSERT INTO users (username, password_hash, salt, balance, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING",
            )
            .bind(&u.username)
            .bind(&u.password_hash)
            .bind(&u.salt)
            .bind(u.balance.fen())
            .bind($now.millis())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if inserted == 1 && u.balance.is_positive() {
                sqlx::query(
                    "INSERT INTO ledger (username, kind, amount, packet_id, at) \
                     VALUES ($1, 'grant', $2, NULL, $3)",
                )
                .bind(&u.username)
                .bind(u.balance.fen())
                .bind($now.millis())
                .execute(&mut *$tx)
                .await?;
            }
        }
        for c in $chats {
            let (kind, work) = match c.kind {
                hongbao_engine::ChatKind::Direct => ("direct", 0i64),
                hongbao_engine::ChatKind::Group { work } => ("group", i64::from(work)),
            };
            sqlx::query(
                "INSERT INTO chats (id, name, kind, work) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&c.id)
            .bind(&c.name)
            .bind(kind)
            .bind(work)
            .execute(&mut *$tx)
            .await?;
            for m in &c.members {
                sqlx::query(
                    "INSERT INTO chat_members (chat_id, username) VALUES ($1, $2) \
                     ON CONFLICT (chat_id, username) DO NOTHING",
                )
                .bind(&c.id)
                .bind(m)
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}
pub(crate) use insert_seed;

/// The embedded migrations of one dialect, `(version, description, SQL)` in order.
pub fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> sqlx::migrate::Migrator {
    use std::borrow::Cow;
    let migrations = migrations
        .iter()
        .map(|&(version, description, sql)| {
            sqlx::migrate::Migration::new(
                version,
                Cow::Borrowed(description),
                sqlx::migrate::MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    sqlx::migrate::Migrator {
        migrations: Cow::Owned(migrations),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}
