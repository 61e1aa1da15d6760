//! The engine: wallets, packets and the ledger, driven by explicit time and randomness.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{
    ClaimError, EngineError, InvariantViolation, RecallError, SendError, SnapshotError,
};
use crate::ledger::{Entry, EntryKind};
use crate::money::Money;
use crate::ops::{self, Claimed, Posting, Recalled};
use crate::packet::{Packet, PacketId, PacketKindTag, PacketState, SendRequest};
use crate::policy::{Policy, RecallMode};
use crate::rng::Rng;
use crate::split::SplitRule;
use crate::time::Timestamp;
use crate::warnings::{self, SenderHistory, Warning, WarningInput};

/// Longest user name, in characters.
const MAX_USER_CHARS: usize = 64;

/// The result of a successful [`Engine::send`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The packet.
    pub packet_id: PacketId,
    /// `true` when this was a retry with an already used idempotency key: nothing new was
    /// sent or debited.
    pub replayed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Wallet {
    balance: Money,
    /// Local day number of the last recall and the number of recalls that day.
    recall_day: i64,
    recalls_on_day: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct IdempotencyRecord {
    packet: PacketId,
    request: SendRequest,
}

/// The packet engine. Sans-IO: time and randomness are inputs.
///
/// The whole state is plain data: `Engine` is `Clone`, `PartialEq`, `Serialize` and
/// `Deserialize`, and [`Engine::snapshot`] / [`Engine::restore`] round-trip it exactly as JSON.
/// Every operation either succeeds or returns an error and changes nothing (except that a
/// packet past its expiry is expired first, see [`Engine::claim`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engine {
    policy: Policy,
    wallets: BTreeMap<String, Wallet>,
    packets: Vec<Packet>,
    ledger: Vec<Entry>,
    /// Sum of all grants (money that entered the system).
    granted: Money,
    /// sender → idempotency key → record.
    idempotency: BTreeMap<String, BTreeMap<String, IdempotencyRecord>>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(Policy::default())
    }
}

impl Engine {
    /// An empty engine under `policy`.
    pub fn new(policy: Policy) -> Engine {
        Engine {
            policy,
            wallets: BTreeMap::new(),
            packets: Vec::new(),
            ledger: Vec::new(),
            granted: Money::ZERO,
            idempotency: BTreeMap::new(),
        }
    }

    /// The policy new packets are sent under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Replaces the policy. Packets already sent keep the recall policy and split rule they
    /// captured; limits apply to later sends.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    // ----------------------------------------------------------------------------- wallets

    /// Opens a wallet for `user` with `initial` money, booked as a [`EntryKind::Grant`]
    /// (no entry when `initial` is zero). Errors: the user exists (`conflict`), an empty or
    /// over-long name (`invalid_user`), a negative amount (`invalid_amount`), or more money
    /// in the system than an `i64` of fen holds (`limit_exceeded`).
    pub fn open_wallet(
        &mut self,
        user: &str,
        initial: Money,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if user.is_empty() || user.chars().nth(MAX_USER_CHARS).is_some() {
            return Err(EngineError::InvalidUser);
        }
        if self.wallets.contains_key(user) {
            return Err(EngineError::UserExists);
        }
        if initial.fen() < 0 {
            return Err(EngineError::InvalidAmount);
        }
        let granted = self
            .granted
            .checked_add(initial)
            .ok_or(EngineError::Overflow)?;
        self.wallets.insert(user.to_string(), Wallet::new());
        if initial.is_positive() {
            self.granted = granted;
            self.append(now, user, EntryKind::Grant, initial, None);
        }
        Ok(())
    }

    /// Adds money to an existing wallet (a top-up), booked as a [`EntryKind::Grant`].
    pub fn grant(&mut self, user: &str, amount: Money, now: Timestamp) -> Result<(), EngineError> {
        if !self.wallets.contains_key(user) {
            return Err(EngineError::UnknownUser);
        }
        if !amount.is_positive() {
            return Err(EngineError::InvalidAmount);
        }
        self.granted = self
            .granted
            .checked_add(amount)
            .ok_or(EngineError::Overflow)?;
        self.append(now, user, EntryKind::Grant, amount, None);
        Ok(())
    }

    /// The user's balance, `None` without a wallet.
    pub fn balance(&self, user: &str) -> Option<Money> {
        self.wallets.get(user).map(|w| w.balance)
    }

    /// All users with a wallet, in name order.
    pub fn users(&self) -> impl Iterator<Item = &str> + '_ {
        self.wallets.keys().map(String::as_str)
    }

    // ----------------------------------------------------------------------------- ledger

    /// The whole ledger, oldest first. Entries are never edited or removed.
    pub fn ledger(&self) -> &[Entry] {
        &self.ledger
    }

    /// The entries of one user, oldest first.
    pub fn ledger_for<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.ledger.iter().filter(move |e| e.user == user)
    }

    fn append(
        &mut self,
        at: Timestamp,
        user: &str,
        kind: EntryKind,
        amount: Money,
        packet: Option<PacketId>,
    ) {
        let wallet = match self.wallets.get_mut(user) {
            Some(w) => w,
            None => self
                .wallets
                .entry(user.to_string())
                .or_insert_with(Wallet::new),
        };
        // Every balance is at most the money granted, which fits in an i64: no overflow; and
        // a debit was checked against the balance before it was booked.
        let balance = if kind.is_incoming() {
            wallet.balance.checked_add(amount)
        } else {
            wallet.balance.checked_sub(amount)
        };
        debug_assert!(
            amount.is_positive() && balance.is_some_and(|b| b.fen() >= 0),
            "{user}: booking {kind:?} {amount} on a balance of {}",
            wallet.balance
        );
        wallet.balance = balance.unwrap_or(wallet.balance);
        let id = self.ledger.len() as u64 + 1;
        self.ledger.push(Entry {
            id,
            at,
            user: user.to_string(),
            kind,
            amount,
            packet,
        });
    }

    /// Books what a packet-level operation ([`ops`]) returned.
    fn book(&mut self, postings: Vec<Posting>) {
        for p in postings {
            self.append(p.at, &p.user, p.kind, p.amount, p.packet);
        }
    }

    // ----------------------------------------------------------------------------- packets

    /// A packet by id.
    pub fn packet(&self, id: PacketId) -> Option<&Packet> {
        self.index(id).map(|i| &self.packets[i])
    }

    /// All packets, oldest first.
    pub fn packets(&self) -> core::slice::Iter<'_, Packet> {
        self.packets.iter()
    }

    /// The packets of one chat, oldest first.
    pub fn packets_in_chat<'a>(
        &'a self,
        chat_id: &'a str,
    ) -> impl Iterator<Item = &'a Packet> + 'a {
        self.packets.iter().filter(move |p| p.chat_id == chat_id)
    }

    fn index(&self, id: PacketId) -> Option<usize> {
        let i = usize::try_from(id.0.checked_sub(1)?).ok()?;
        (i < self.packets.len()).then_some(i)
    }

    /// Sends a packet: validates the request against the policy and the sender's balance,
    /// debits the total and returns the new packet's id.
    ///
    /// The idempotency key is scoped per sender: the same key with the same request returns
    /// the first packet with `replayed: true` (no second debit, even after the policy changed);
    /// with a different request it is [`SendError::IdempotencyConflict`]. A refused send
    /// changes nothing. `rng` is used only to pre-cut line-cutting packets.
    pub fn send(
        &mut self,
        req: &SendRequest,
        now: Timestamp,
        rng: &mut Rng,
    ) -> Result<Sent, SendError> {
        let key = &req.idempotency_key;
        ops::check_idempotency_key(key)?;
        if let Some(rec) = self.idempotency.get(&req.sender).and_then(|m| m.get(key)) {
            // The request as first sent (also after the policy's default split changed), or
            // one asking for the same packet field by field.
            let same = rec.request == *req
                || self
                    .packet(rec.packet)
                    .is_some_and(|p| ops::same_send(p, req, self.policy.split));
            return if same {
                Ok(Sent {
                    packet_id: rec.packet,
                    replayed: true,
                })
            } else {
                Err(SendError::IdempotencyConflict { packet: rec.packet })
            };
        }
        let balance = self.wallets.get(&req.sender).map(|w| w.balance);
        let id = PacketId(self.packets.len() as u64 + 1);
        let (packet, postings) = ops::prepare_send(req, balance, &self.policy, now, id, rng)?;
        self.packets.push(packet);
        self.book(postings);
        self.idempotency
            .entry(req.sender.clone())
            .or_default()
            .insert(
                key.clone(),
                IdempotencyRecord {
                    packet: id,
                    request: req.clone(),
                },
            );
        Ok(Sent {
            packet_id: id,
            replayed: false,
        })
    }

    /// Claims a share for `user`.
    ///
    /// A user claims at most once: a repeated claim returns the same share with
    /// `already_claimed: true` and changes nothing (whatever state the packet is in now).
    /// Otherwise, if `now` is at or past the packet's expiry, the packet is expired and its
    /// remainder refunded first (as [`Engine::tick`] would) and the claim fails with
    /// [`ClaimError::Expired`]. Then, in order: [`ClaimError::NotForYou`] (not a member of the
    /// chat, or a personal/exclusive packet for someone else — the sender included),
    /// [`ClaimError::Recalled`], [`ClaimError::Expired`], [`ClaimError::ClaimedOut`],
    /// [`ClaimError::Pending`]. Lucky and normal packets may be claimed by any member,
    /// the sender included. On success the share is credited; when the last share goes the
    /// packet is claimed out and, for lucky packets of two or more shares, best luck is set.
    pub fn claim(
        &mut self,
        id: PacketId,
        user: &str,
        now: Timestamp,
        rng: &mut Rng,
    ) -> Result<Claimed, ClaimError> {
        let idx = self.index(id).ok_or(ClaimError::NotFound)?;
        if self.packets[idx].claim_of(user).is_none() {
            self.expire_at_index(idx, now);
        }
        let (claimed, postings) = ops::claim(&mut self.packets[idx], user, now, rng)?;
        self.book(postings);
        Ok(claimed)
    }

    /// Recalls a packet for its sender under the recall policy the packet captured.
    ///
    /// A packet past its expiry is expired and refunded first, then the recall fails with
    /// [`RecallError::Expired`]. Checks, in order: sender ([`RecallError::NotSender`]), state
    /// (recalled, expired, claimed out), mode `none` ([`RecallError::NotAllowed`]), the
    /// deadline of [`Packet::recall_deadline`] ([`RecallError::WindowClosed`]), claims in
    /// window mode ([`RecallError::HasClaims`]), then the risk rules: blackout, per-day limit
    /// (counted per sender per local day), and `authorized` for totals above `auth_above`.
    /// The refund is the whole total (window, delayed) or the unclaimed remainder (remainder),
    /// booked as [`EntryKind::RefundRecall`].
    pub fn recall(
        &mut self,
        id: PacketId,
        user: &str,
        now: Timestamp,
        authorized: bool,
    ) -> Result<Recalled, RecallError> {
        let idx = self.index(id).ok_or(RecallError::NotFound)?;
        self.expire_at_index(idx, now);
        let offset = self.policy.utc_offset_minutes;
        let day = now.local_day(offset);
        let used = match self.wallets.get(user) {
            Some(w) if w.recall_day == day => w.recalls_on_day,
            _ => 0,
        };
        let (recalled, postings) =
            ops::recall(&mut self.packets[idx], user, now, authorized, used, offset)?;
        if let Some(w) = self.wallets.get_mut(user) {
            w.recall_day = day;
            w.recalls_on_day = used.saturating_add(1);
        }
        self.book(postings);
        Ok(recalled)
    }

    /// Advances time: delivers pending packets whose delay is over and expires every
    /// unfinished packet at or past its expiry, refunding the unclaimed remainder
    /// ([`EntryKind::RefundExpiry`]). Returns the packets expired by this call; idempotent.
    pub fn tick(&mut self, now: Timestamp) -> Vec<PacketId> {
        let mut expired = Vec::new();
        for idx in 0..self.packets.len() {
            if self.expire_at_index(idx, now) {
                expired.push(self.packets[idx].id);
            } else {
                ops::deliver(&mut self.packets[idx], now);
            }
        }
        expired
    }

    /// Expires one packet if it is unfinished and `now` is at or past its expiry (what
    /// [`Engine::tick`] does for every packet). Returns `true` if it expired it now.
    pub fn expire_if_due(&mut self, id: PacketId, now: Timestamp) -> bool {
        match self.index(id) {
            Some(idx) => self.expire_at_index(idx, now),
            None => false,
        }
    }

    fn expire_at_index(&mut self, idx: usize, now: Timestamp) -> bool {
        match ops::expire(&mut self.packets[idx], now) {
            Some((_, postings)) => {
                self.book(postings);
                true
            }
            None => false,
        }
    }

    // ----------------------------------------------------------------------------- history & warnings

    /// The sender's habits, for anomaly warnings: the median of the typed amounts and of the
    /// totals of their last 20 packets (recalled ones excluded; the lower median for an even
    /// number), and the typed amount of their last packet in `chat_id`.
    pub fn history(&self, sender: &str, chat_id: &str) -> SenderHistory {
        ops::history(sender, chat_id, self.packets.iter().rev())
    }

    /// The warnings for a prospective send, with the sender's history and balance filled in
    /// from this engine (see [`warnings::check`]).
    pub fn warnings(&self, req: &SendRequest, now: Timestamp) -> Vec<Warning> {
        let history = self.history(&req.sender, &req.chat.id);
        warnings::check(&WarningInput {
            kind: &req.kind,
            chat: &req.chat,
            history: &history,
            balance: self.balance(&req.sender).unwrap_or(Money::ZERO),
            policy: &self.policy,
            now,
        })
    }

    // ----------------------------------------------------------------------------- snapshot

    /// The whole state as JSON. [`Engine::restore`] gives back an equal engine.
    pub fn snapshot(&self) -> String {
        serde_json::to_string(self)
            .expect("an engine serialises: every map key is a string, every value plain data")
    }

    /// Rebuilds an engine from [`Engine::snapshot`] output, checking every invariant.
    pub fn restore(json: &str) -> Result<Engine, SnapshotError> {
        let engine: Engine =
            serde_json::from_str(json).map_err(|e| SnapshotError::Parse(e.to_string()))?;
        engine
            .check_invariants()
            .map_err(SnapshotError::Invariant)?;
        Ok(engine)
    }

    // ----------------------------------------------------------------------------- invariants

    /// Checks every invariant (PRODUCT §2): per packet, debit = Σ claims + Σ refunds +
    /// remaining (remaining = 0 once finished) and the ledger matches the claims and refunds;
    /// every share within `[0.01, cap]`; at most one claim per user and no more claims than
    /// shares; the right state and best luck; balances never negative and equal to the
    /// ledger; Σ balances + Σ remaining of unfinished packets = Σ grants. Linear in the size
    /// of the state.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let n = self.packets.len();
        let mut debits = vec![0u32; n];
        let mut credits = vec![0usize; n];
        let mut refunds = vec![0u32; n];
        let mut derived: BTreeMap<&str, i128> = BTreeMap::new();
        let mut grants: i128 = 0;
        for (i, e) in self.ledger.iter().enumerate() {
            let bad = || InvariantViolation::LedgerEntry { entry: e.id };
            if e.id != i as u64 + 1
                || !e.amount.is_positive()
                || !self.wallets.contains_key(&e.user)
            {
                return Err(bad());
            }
            *derived.entry(e.user.as_str()).or_insert(0) += e.signed_amount();
            if e.kind == EntryKind::Grant {
                if e.packet.is_some() {
                    return Err(bad());
                }
                grants += i128::from(e.amount.fen());
                continue;
            }
            let pi = e.packet.and_then(|id| self.index(id)).ok_or_else(bad)?;
            let p = &self.packets[pi];
            match e.kind {
                EntryKind::Grant => {}
                EntryKind::Debit => {
                    if e.user != p.sender || e.amount != p.total {
                        return Err(bad());
                    }
                    debits[pi] += 1;
                }
                EntryKind::Credit => {
                    let ok = p
                        .claims
                        .get(credits[pi])
                        .is_some_and(|c| c.user == e.user && c.amount == e.amount);
                    if !ok {
                        return Err(bad());
                    }
                    credits[pi] += 1;
                }
                EntryKind::RefundExpiry | EntryKind::RefundRecall => {
                    let state_ok = match e.kind {
                        EntryKind::RefundExpiry => p.state == PacketState::Expired,
                        _ => p.state == PacketState::Recalled,
                    };
                    if e.user != p.sender || !state_ok || p.refund != Some(e.amount) {
                        return Err(bad());
                    }
                    refunds[pi] += 1;
                }
            }
        }

        let mut held: i128 = 0;
        for (i, p) in self.packets.iter().enumerate() {
            let id = p.id;
            let state_err = InvariantViolation::PacketState { packet: id };
            let accounting_err = InvariantViolation::PacketAccounting { packet: id };
            if p.members.windows(2).any(|w| w[0] >= w[1]) {
                return Err(state_err);
            }
            if p.id.0 != i as u64 + 1
                || !self.wallets.contains_key(&p.sender)
                || !p.share_cap.is_positive()
            {
                return Err(state_err);
            }
            // Ledger ↔ packet.
            let refund = p.refund.unwrap_or(Money::ZERO);
            if debits[i] != 1
                || credits[i] != p.claims.len()
                || refunds[i] != u32::from(refund.is_positive())
                || refund.fen() < 0
                || p.remaining.fen() < 0
            {
                return Err(accounting_err);
            }
            let sum = p
                .claims
                .iter()
                .map(|c| i128::from(c.amount.fen()))
                .sum::<i128>()
                + i128::from(refund.fen())
                + i128::from(p.remaining.fen());
            if sum != i128::from(p.total.fen()) {
                return Err(accounting_err);
            }
            // Claims.
            if p.claims.len() as u64 > u64::from(p.count) {
                return Err(InvariantViolation::DuplicateClaim { packet: id });
            }
            for (k, c) in p.claims.iter().enumerate() {
                if p.claims[..k].iter().any(|d| d.user == c.user) {
                    return Err(InvariantViolation::DuplicateClaim { packet: id });
                }
                if c.amount < Money::FEN || c.amount > p.share_cap {
                    return Err(InvariantViolation::ShareOutOfRange { packet: id });
                }
                if !p.is_member(&c.user) || p.recipient.as_deref().is_some_and(|r| r != c.user) {
                    return Err(state_err);
                }
            }
            // Kind.
            let kind_ok = match p.kind {
                PacketKindTag::Personal | PacketKindTag::Exclusive => {
                    p.count == 1
                        && p.per_share == Some(p.total)
                        && p.split.is_none()
                        && p.recipient.as_deref().is_some_and(|r| r != p.sender)
                        && p.cut_shares.is_empty()
                }
                PacketKindTag::Normal => {
                    p.split.is_none()
                        && p.recipient.is_none()
                        && p.cut_shares.is_empty()
                        && p.per_share.is_some_and(|s| {
                            s.checked_mul(p.count) == Some(p.total)
                                && p.claims.iter().all(|c| c.amount == s)
                        })
                }
                PacketKindTag::Lucky => {
                    p.per_share.is_none()
                        && p.recipient.is_none()
                        && match p.split {
                            Some(SplitRule::DoubleMean) => p.cut_shares.is_empty(),
                            Some(SplitRule::LineCutting) => {
                                p.cut_shares.len() as u64 == u64::from(p.count)
                                    && p.cut_shares
                                        .iter()
                                        .map(|s| i128::from(s.fen()))
                                        .sum::<i128>()
                                        == i128::from(p.total.fen())
                                    && p.cut_shares
                                        .iter()
                                        .all(|&s| s >= Money::FEN && s <= p.share_cap)
                                    && p.claims
                                        .iter()
                                        .zip(&p.cut_shares)
                                        .all(|(c, &s)| c.amount == s)
                            }
                            None => false,
                        }
                }
            };
            if !kind_ok || p.count == 0 {
                return Err(state_err);
            }
            // State.
            let left = i128::from(p.shares_left());
            let claimed_out = p.claims.len() as u64 == u64::from(p.count);
            let state_ok = match p.state {
                PacketState::Pending | PacketState::Open => {
                    held += i128::from(p.remaining.fen());
                    !claimed_out
                        && p.refund.is_none()
                        && p.recalled_at.is_none()
                        && p.finished_at.is_none()
                        && i128::from(p.remaining.fen()) >= left
                        && i128::from(p.remaining.fen()) <= left * i128::from(p.share_cap.fen())
                        && (p.state == PacketState::Open || p.deliver_at.is_some())
                }
                PacketState::ClaimedOut => {
                    claimed_out
                        && p.remaining.is_zero()
                        && p.refund.is_none()
                        && p.finished_at.is_some()
                }
                PacketState::Expired => {
                    !claimed_out
                        && p.remaining.is_zero()
                        && refund.is_positive()
                        && p.recalled_at.is_none()
                }
                PacketState::Recalled => {
                    !claimed_out
                        && p.remaining.is_zero()
                        && refund.is_positive()
                        && p.recalled_at.is_some()
                        && (p.recall.mode != RecallMode::Window || p.claims.is_empty())
                }
            };
            if !state_ok {
                return Err(state_err);
            }
            if p.best_luck != ops::best_luck(p) {
                return Err(InvariantViolation::BestLuck { packet: id });
            }
        }

        let mut balances: i128 = 0;
        for (user, w) in &self.wallets {
            if w.balance.fen() < 0 {
                return Err(InvariantViolation::NegativeBalance { user: user.clone() });
            }
            if derived.get(user.as_str()).copied().unwrap_or(0) != i128::from(w.balance.fen()) {
                return Err(InvariantViolation::BalanceCache { user: user.clone() });
            }
            balances += i128::from(w.balance.fen());
        }
        if balances + held != grants || grants != i128::from(self.granted.fen()) {
            return Err(InvariantViolation::Conservation);
        }
        for (sender, records) in &self.idempotency {
            for (key, rec) in records {
                let ok = self.packet(rec.packet).is_some_and(|p| {
                    p.sender == *sender
                        && p.idempotency_key == *key
                        && rec.request.sender == *sender
                        && rec.request.idempotency_key == *key
                });
                if !ok {
                    return Err(InvariantViolation::Idempotency);
                }
            }
        }
        Ok(())
    }
}

impl Wallet {
    fn new() -> Wallet {
        Wallet {
            balance: Money::ZERO,
            recall_day: i64::MIN,
            recalls_on_day: 0,
        }
    }
}
