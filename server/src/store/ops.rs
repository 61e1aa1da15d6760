//! The operations ([`send`], [`claim`], [`recall`], [`expire`]), written once against the
//! [`Tx`] trait: one transaction's view of the database. Each loads (and locks) the packet,
//! runs the engine's packet-level operation ([`hongbao_engine::ops`]) on it, hands back
//! what changed and books the postings. SQLite's writer and PostgreSQL implement [`Tx`].

use std::future::Future;

use hongbao_api::{ChatEvent, PacketView};
use hongbao_engine::ops::{self, Posting};
use hongbao_engine::{
    Claimed, Money, PacketId, Policy, RecallError, Recalled, Rng, SendError, SendRequest, Timestamp,
};

use super::rows::bad_row;
use super::{Change, Loaded, OpError, TxError, TxResult};

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
    /// The packet a sender already sent with this idempotency key.
    fn by_key(
        &mut self,
        sender: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<u64>, sqlx::Error>> + Send;
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
    if let Some(id) = tx.by_key(&req.sender, &req.idempotency_key).await? {
        let Some(loaded) = tx.take_packet(id).await? else {
            return Ok(Err(OpError::NotFound));
        };
        let same = ops::same_send(&loaded.packet, req, policy.split);
        let view = PacketView::new(&loaded.packet, &req.sender, now);
        tx.put_packet(loaded, Change::None).await?;
        if !same {
            return Ok(Err(OpError::Send(SendError::IdempotencyConflict {
                packet: PacketId(id),
            })));
        }
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
    tx.put_packet(Loaded { packet, seed }, Change::Inserted)
        .await?;
    if !tx.book(postings).await? {
        // The balance was read in this transaction, so only another process's debit in
        // between (PostgreSQL) gets here; the validation above saw a wallet.
        return Err(TxError::Abort(OpError::Send(
            SendError::InsufficientBalance {
                balance: balance.unwrap_or(Money::ZERO),
                needed: view.total,
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
    // Claim k draws from stream k + 1 of the packet's seed (stream 0 cut the shares of a
    // line-cutting packet at send time), so a packet's shares replay from the database.
    let stream = u64::try_from(loaded.packet.claims.len())
        .map_err(|_| TxError::Db(bad_row(format!("packet {id} has too many claims"))))?
        + 1;
    let mut rng = Rng::with_stream(loaded.seed, stream);
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
