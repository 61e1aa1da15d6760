//! Packet-level operations: the engine's rules as pure functions over one packet.
//!
//! `Engine` keeps every wallet and packet in memory; a server that stores
//! them in a database (and may run as several processes on one database) cannot. These
//! functions take exactly the state one operation needs — the packet, the sender's balance,
//! the policy, the time, a random source — and return the new packet state plus the ledger
//! [`Posting`]s to apply. They change nothing else and do no I/O. `Engine::send`, `claim`,
//! `recall` and `tick` are built on them, so the engine's property tests prove these
//! functions too.
//!
//! A caller that stores state elsewhere does, in one transaction: load (and lock) the
//! packet, call the operation, store the new packet, append the postings to the ledger and
//! apply their [`Posting::signed_amount`] to the balances.
//!
//! ```
//! use hongbao_engine::{ops, ChatRef, Money, PacketId, PacketKind, Policy, Rng, SendRequest, Timestamp};
//!
//! let policy = Policy::default();
//! let now = Timestamp::from_utc(2025, 1, 1, 12, 0, 0);
//! let req = SendRequest {
//!     sender: "ana".into(),
//!     chat: ChatRef::group("family", false, ["ana", "bo", "cai"]),
//!     kind: PacketKind::Lucky { total: Money::from_fen(1_000), count: 2, split: None },
//!     greeting: String::new(),
//!     idempotency_key: "k1".into(),
//! };
//! let mut rng = Rng::new(7);
//! let (mut packet, postings) =
//!     ops::prepare_send(&req, Some(Money::from_fen(5_000)), &policy, now, PacketId(1), &mut rng)?;
//! assert_eq!(postings[0].signed_amount(), -1_000); // the sender's debit
//!
//! let (claimed, postings) = ops::claim(&mut packet, "bo", now.plus_secs(1), &mut rng)?;
//! assert_eq!(postings[0].amount, claimed.amount); // bo's credit
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{ClaimError, RecallError, SendError};
use crate::ledger::{Entry, EntryKind, RefundReason};
use crate::money::Money;
use crate::packet::{Claim, Packet, PacketId, PacketKind, PacketKindTag, PacketState, SendRequest};
use crate::policy::{Policy, RecallMode};
use crate::rng::Rng;
use crate::split::{self, SplitRule};
use crate::time::Timestamp;
use crate::warnings::{self, SenderHistory, Warning, WarningInput};

/// Longest idempotency key, in characters.
pub const MAX_KEY_CHARS: usize = 128;
/// How many recent packets [`history`] takes the medians over.
pub const HISTORY_WINDOW: usize = 20;

/// One movement of money an operation asks the caller to book: a ledger [`Entry`] without
/// its sequence number. `amount` is always positive; the kind gives the direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// When.
    pub at: Timestamp,
    /// Whose wallet moves.
    pub user: String,
    /// Debit, credit or refund.
    pub kind: EntryKind,
    /// How much (always > 0).
    pub amount: Money,
    /// The packet involved.
    pub packet: Option<PacketId>,
}

impl Posting {
    /// The signed effect on the user's balance in fen (negative for a debit).
    pub fn signed_amount(&self) -> i128 {
        let a = i128::from(self.amount.fen());
        if self.kind.is_incoming() { a } else { -a }
    }

    /// The ledger entry with sequence number `id`.
    pub fn into_entry(self, id: u64) -> Entry {
        Entry {
            id,
            at: self.at,
            user: self.user,
            kind: self.kind,
            amount: self.amount,
            packet: self.packet,
        }
    }
}

/// The result of a successful [`claim`] (and of `Engine::claim`, built on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimed {
    /// The user's share.
    pub amount: Money,
    /// `true` when the user had already claimed this packet (the same share is returned and
    /// nothing changes).
    pub already_claimed: bool,
    /// `true` when every share of the packet is now claimed.
    pub fully_claimed: bool,
}

/// The result of a successful [`recall`] (and of `Engine::recall`, built on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recalled {
    /// What went back to the sender.
    pub refund: Money,
}

/// The result of a successful [`expire`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expired {
    /// The unclaimed remainder that went back to the sender.
    pub refund: Money,
}

/// Checks an idempotency key: 1–[`MAX_KEY_CHARS`] characters.
pub fn check_idempotency_key(key: &str) -> Result<(), SendError> {
    if key.is_empty() || key.chars().nth(MAX_KEY_CHARS).is_some() {
        Err(SendError::InvalidIdempotencyKey)
    } else {
        Ok(())
    }
}

/// What a sender asked for, as the idempotency check compares it: the chat, the kind with
/// its amounts, count, split rule and recipient, and the greeting (the sender and the key
/// are what found the earlier packet). A lucky packet that left its split rule to the
/// policy is compared with the rule the policy gives it, so a retry that names the default
/// is the same request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFields {
    /// The chat it is sent in.
    pub chat_id: String,
    /// The kind with its fields, a lucky packet's split rule filled in.
    pub kind: PacketKind,
    /// The greeting.
    pub greeting: String,
}

impl SendFields {
    /// The fields of a request, its split rule filled in with `default_split` (the
    /// policy's).
    pub fn requested(req: &SendRequest, default_split: SplitRule) -> SendFields {
        let kind = match req.kind.clone() {
            PacketKind::Lucky {
                total,
                count,
                split,
            } => PacketKind::Lucky {
                total,
                count,
                split: Some(split.unwrap_or(default_split)),
            },
            other => other,
        };
        SendFields {
            chat_id: req.chat.id.clone(),
            kind,
            greeting: req.greeting.clone(),
        }
    }

    /// The fields a packet was sent with (`None` for a packet whose fields do not form a
    /// request, which no send made).
    pub fn sent(p: &Packet) -> Option<SendFields> {
        let kind = match p.kind {
            PacketKindTag::Lucky => PacketKind::Lucky {
                total: p.total,
                count: p.count,
                split: p.split,
            },
            PacketKindTag::Normal => PacketKind::Normal {
                per_share: p.per_share?,
                count: p.count,
            },
            PacketKindTag::Personal => PacketKind::Personal {
                to: p.recipient.clone()?,
                amount: p.total,
            },
            PacketKindTag::Exclusive => PacketKind::Exclusive {
                to: p.recipient.clone()?,
                amount: p.total,
            },
        };
        Some(SendFields {
            chat_id: p.chat_id.clone(),
            kind,
            greeting: p.greeting.clone(),
        })
    }
}

/// Whether `req`, a send with the idempotency key `packet` was sent with, asks for the same
/// packet (then it is a retry that returns `packet`; otherwise a conflict): its fields
/// compared one by one with the packet's ([`SendFields`]), never as serialized text.
pub fn same_send(packet: &Packet, req: &SendRequest, default_split: SplitRule) -> bool {
    SendFields::sent(packet).is_some_and(|sent| sent == SendFields::requested(req, default_split))
}

/// Validates a send request against the policy and the sender's balance (`None`: the
/// sender has no wallet) and returns the total to debit. The checks, in order: the
/// idempotency key, the greeting, the wallet, membership, the kind of chat, the recipient,
/// the count, the amounts and limits, the balance. Looking up an already used idempotency
/// key is the caller's job (it owns the records) and comes before this.
pub fn validate_send(
    req: &SendRequest,
    balance: Option<Money>,
    policy: &Policy,
    now: Timestamp,
) -> Result<Money, SendError> {
    validate(req, balance, policy, now).map(|v| v.total)
}

/// What a draft would do if it were sent: the total to debit and the warnings the review
/// shows. See [`preview`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    /// What the send would debit.
    pub total: Money,
    /// Every warning for the draft ([`warnings::check`]).
    pub warnings: Vec<Warning>,
}

/// Validates a draft exactly as [`validate_send`] validates a send, except for the
/// idempotency key (a draft has none yet), and adds its warnings, computed from the sender's
/// `history` (see [`history`]) and `balance` (`None`: no wallet, refused as a send is). The
/// one preview of every backend: the mock and the server's route call it with what they
/// store.
pub fn preview(
    req: &SendRequest,
    balance: Option<Money>,
    history: &SenderHistory,
    policy: &Policy,
    now: Timestamp,
) -> Result<Preview, SendError> {
    let keyed;
    let req = if check_idempotency_key(&req.idempotency_key).is_ok() {
        req
    } else {
        keyed = SendRequest {
            idempotency_key: "preview".into(),
            ..req.clone()
        };
        &keyed
    };
    let total = validate_send(req, balance, policy, now)?;
    let warnings = warnings::check(&WarningInput {
        kind: &req.kind,
        chat: &req.chat,
        history,
        balance: balance.unwrap_or(Money::ZERO),
        policy,
        now,
    });
    Ok(Preview { total, warnings })
}

struct Validated {
    total: Money,
    cap: Money,
    per_share: Option<Money>,
    split: Option<SplitRule>,
}

fn validate(
    req: &SendRequest,
    balance: Option<Money>,
    policy: &Policy,
    now: Timestamp,
) -> Result<Validated, SendError> {
    check_idempotency_key(&req.idempotency_key)?;
    if req.greeting.chars().count() > policy.max_greeting_chars as usize {
        return Err(SendError::GreetingTooLong {
            max: policy.max_greeting_chars,
        });
    }
    let Some(balance) = balance else {
        return Err(SendError::UnknownSender);
    };
    if !req.chat.is_member(&req.sender) {
        return Err(SendError::NotAMember);
    }
    let tag = req.kind.tag();
    if tag.needs_group() != req.chat.kind.is_group() {
        return Err(SendError::WrongChat);
    }
    if let Some(to) = req.kind.recipient()
        && (to == req.sender || !req.chat.is_member(to))
    {
        return Err(SendError::InvalidRecipient);
    }
    let count = req.kind.count();
    let max_count = policy.effective_max_count();
    if count == 0 || count > max_count {
        return Err(SendError::InvalidCount { max: max_count });
    }
    let min = policy.effective_min_share();
    let check_share = |amount: Money, cap: Money| -> Result<(), SendError> {
        if amount < min {
            Err(SendError::InvalidAmount { min })
        } else if amount > cap {
            Err(SendError::LimitExceeded { max: cap })
        } else {
            Ok(())
        }
    };
    let validated = match req.kind {
        PacketKind::Personal { amount, .. } => {
            let cap = policy.personal_cap(now);
            check_share(amount, cap).map_err(|e| match e {
                // Refused today, allowed on a special day: say so.
                SendError::LimitExceeded { max }
                    if amount <= policy.personal_special_max && !policy.special_days.is_empty() =>
                {
                    SendError::PersonalLimitExceeded {
                        max,
                        special_max: policy.personal_special_max,
                        days: policy.special_days.clone(),
                    }
                }
                e => e,
            })?;
            Validated {
                total: amount,
                cap,
                per_share: Some(amount),
                split: None,
            }
        }
        PacketKind::Exclusive { amount, .. } => {
            check_share(amount, policy.max_share)?;
            Validated {
                total: amount,
                cap: policy.max_share,
                per_share: Some(amount),
                split: None,
            }
        }
        PacketKind::Normal { per_share, count } => {
            check_share(per_share, policy.max_share)?;
            let total = per_share
                .checked_mul(count)
                .ok_or(SendError::LimitExceeded {
                    max: policy.max_share,
                })?;
            Validated {
                total,
                cap: policy.max_share,
                per_share: Some(per_share),
                split: None,
            }
        }
        PacketKind::Lucky {
            total,
            count,
            split,
        } => {
            let min_total = min.checked_mul(count).unwrap_or(Money::from_fen(i64::MAX));
            if total < min_total {
                return Err(SendError::InvalidAmount { min: min_total });
            }
            let max_total = policy
                .max_share
                .checked_mul(count)
                .unwrap_or(Money::from_fen(i64::MAX));
            if total > max_total {
                return Err(SendError::LimitExceeded { max: max_total });
            }
            Validated {
                total,
                cap: policy.max_share,
                per_share: None,
                split: Some(split.unwrap_or(policy.split)),
            }
        }
    };
    if balance < validated.total {
        return Err(SendError::InsufficientBalance {
            balance,
            needed: validated.total,
        });
    }
    Ok(validated)
}

/// Validates a send (see [`validate_send`]) and builds the new packet with id `id`, plus the
/// sender's debit. `rng` is used only to pre-cut the shares of a line-cutting packet.
/// The caller books the debit (the sender's balance must still cover it) and records the
/// idempotency key.
pub fn prepare_send(
    req: &SendRequest,
    balance: Option<Money>,
    policy: &Policy,
    now: Timestamp,
    id: PacketId,
    rng: &mut Rng,
) -> Result<(Packet, Vec<Posting>), SendError> {
    let v = validate(req, balance, policy, now)?;
    let count = req.kind.count();
    let recall = policy.recall.clone();
    let deliver_at =
        (recall.mode == RecallMode::Delayed).then(|| now.plus_secs(i64::from(recall.delay_secs)));
    let state = match deliver_at {
        Some(at) if at > now => PacketState::Pending,
        _ => PacketState::Open,
    };
    let expires_at = deliver_at
        .unwrap_or(now)
        .plus_millis(policy.expiry_millis());
    let mut cut_shares = Vec::new();
    if v.split == Some(SplitRule::LineCutting) {
        split::split_all(
            SplitRule::LineCutting,
            v.total,
            count,
            v.cap,
            rng,
            &mut cut_shares,
        );
    }
    let mut members = req.chat.members.clone();
    crate::sort::sort_short(&mut members);
    members.dedup();
    let packet = Packet {
        id,
        chat_id: req.chat.id.clone(),
        chat_kind: req.chat.kind,
        members,
        sender: req.sender.clone(),
        kind: req.kind.tag(),
        recipient: req.kind.recipient().map(str::to_string),
        greeting: req.greeting.clone(),
        total: v.total,
        count,
        per_share: v.per_share,
        split: v.split,
        share_cap: v.cap,
        claims: Vec::new(),
        remaining: v.total,
        created_at: now,
        deliver_at,
        expires_at,
        recall,
        state,
        recalled_at: None,
        refund: None,
        finished_at: None,
        best_luck: None,
        idempotency_key: req.idempotency_key.clone(),
        cut_shares,
    };
    debug_assert!(
        packet.cut_shares.is_empty()
            || (packet.cut_shares.len() == count as usize
                && sum_fen(packet.cut_shares.iter().copied()) == i128::from(v.total.fen())),
        "the pre-cut shares of packet {id} add up to its total"
    );
    debug_assert_books(&packet);
    let debit = Posting {
        at: now,
        user: req.sender.clone(),
        kind: EntryKind::Debit,
        amount: v.total,
        packet: Some(id),
    };
    Ok((packet, vec![debit]))
}

/// Σ of amounts in fen, without overflow.
fn sum_fen(amounts: impl Iterator<Item = Money>) -> i128 {
    amounts.map(|m| i128::from(m.fen())).sum()
}

/// The packet's books balance: its debit (the total) is what was claimed, plus what went
/// back to the sender, plus what it still holds; none of these is negative.
fn debug_assert_books(p: &Packet) {
    debug_assert!(
        p.remaining.fen() >= 0 && p.refund.is_none_or(|r| r.fen() >= 0),
        "packet {}: a negative remainder or refund",
        p.id
    );
    debug_assert_eq!(
        sum_fen(p.claims.iter().map(|c| c.amount))
            + i128::from(p.refund.unwrap_or(Money::ZERO).fen())
            + i128::from(p.remaining.fen()),
        i128::from(p.total.fen()),
        "packet {}: total = Σ claims + refund + remaining",
        p.id
    );
}

/// Claims a share of `packet` for `user` at `now`.
///
/// A user claims at most once: a repeated claim returns the same share with
/// `already_claimed: true`, no postings, and changes nothing. Otherwise, in order:
/// [`ClaimError::NotForYou`] (not a member of the chat, or a personal/exclusive packet for
/// someone else — the sender included), then the state at `now` ([`Packet::state_at`]):
/// recalled, expired (also a packet past its expiry that nobody has expired yet: call
/// [`expire`] to book its refund), claimed out, pending. On success the share is drawn
/// (double-mean at claim time with `rng`, the pre-cut share for line cutting, the fixed
/// share otherwise), the packet updated (claimed out and best luck when the last share
/// goes) and the claimer's credit returned. A refused claim changes nothing.
pub fn claim(
    packet: &mut Packet,
    user: &str,
    now: Timestamp,
    rng: &mut Rng,
) -> Result<(Claimed, Vec<Posting>), ClaimError> {
    if let Some(c) = packet.claim_of(user) {
        let claimed = Claimed {
            amount: c.amount,
            already_claimed: true,
            fully_claimed: packet.state == PacketState::ClaimedOut,
        };
        return Ok((claimed, Vec::new()));
    }
    let p = packet;
    if !p.is_member(user) || p.recipient.as_deref().is_some_and(|r| r != user) {
        return Err(ClaimError::NotForYou);
    }
    match p.state_at(now) {
        PacketState::Recalled => {
            return Err(ClaimError::Recalled {
                at: p.recalled_at.unwrap_or(now),
            });
        }
        PacketState::Expired => return Err(ClaimError::Expired),
        PacketState::ClaimedOut => return Err(ClaimError::ClaimedOut),
        PacketState::Pending => {
            return Err(ClaimError::Pending {
                deliver_at: p.deliver_at.unwrap_or(now),
            });
        }
        PacketState::Open => {}
    }
    let position = p.claims.len();
    let amount = match (p.kind, p.split) {
        (PacketKindTag::Lucky, Some(SplitRule::LineCutting)) => {
            p.cut_shares.get(position).copied().unwrap_or(p.remaining)
        }
        (PacketKindTag::Lucky, _) => {
            split::draw_double_mean(p.remaining, p.shares_left(), p.share_cap, rng)
        }
        _ => p.per_share.unwrap_or(p.remaining),
    };
    // A share is at least one fen and never more than what remains: a claim leaves no
    // negative remainder (the split rules and the validation at send time guarantee it).
    let left = p.remaining.checked_sub(amount).filter(|r| r.fen() >= 0);
    debug_assert!(
        amount.is_positive() && left.is_some(),
        "packet {}: a share of {amount} out of {} remaining",
        p.id,
        p.remaining
    );
    p.remaining = left.unwrap_or(Money::ZERO);
    p.claims.push(Claim {
        user: user.to_string(),
        amount,
        at: now,
    });
    p.state = PacketState::Open;
    let fully_claimed = p.claims.len() as u64 >= u64::from(p.count);
    if fully_claimed {
        p.state = PacketState::ClaimedOut;
        p.finished_at = Some(now);
        p.best_luck = best_luck(p);
        debug_assert!(
            p.remaining.is_zero(),
            "packet {}: claimed out with {} left",
            p.id,
            p.remaining
        );
    }
    debug_assert_books(p);
    let credit = Posting {
        at: now,
        user: user.to_string(),
        kind: EntryKind::Credit,
        amount,
        packet: Some(p.id),
    };
    let claimed = Claimed {
        amount,
        already_claimed: false,
        fully_claimed,
    };
    Ok((claimed, vec![credit]))
}

/// Recalls `packet` for `user` at `now` under the recall policy the packet captured.
///
/// `recalls_today` is how many recalls the sender has made on the local day of `now`
/// (`now.local_day(utc_offset_minutes)`), for the per-day limit; `authorized` is the extra
/// authorization for totals above the policy's threshold. Checks, in order: sender
/// ([`RecallError::NotSender`]), the state at `now` (recalled, expired — also a packet past
/// its expiry that nobody has expired yet —, claimed out), mode `none`
/// ([`RecallError::NotAllowed`]), the deadline ([`RecallError::WindowClosed`]), claims in
/// window mode ([`RecallError::HasClaims`]), the blackout, the per-day limit, the
/// authorization. The refund is the unclaimed remainder (the whole total unless remainder
/// mode let shares be claimed), booked as a recall refund. A refused recall changes nothing.
pub fn recall(
    packet: &mut Packet,
    user: &str,
    now: Timestamp,
    authorized: bool,
    recalls_today: u32,
    utc_offset_minutes: i32,
) -> Result<(Recalled, Vec<Posting>), RecallError> {
    let p = packet;
    if p.sender != user {
        return Err(RecallError::NotSender);
    }
    match p.state_at(now) {
        PacketState::Recalled => return Err(RecallError::AlreadyRecalled),
        PacketState::Expired => return Err(RecallError::Expired),
        PacketState::ClaimedOut => return Err(RecallError::ClaimedOut),
        PacketState::Pending | PacketState::Open => {}
    }
    let Some(deadline) = p.recall_deadline() else {
        return Err(RecallError::NotAllowed);
    };
    if now >= deadline {
        return Err(RecallError::WindowClosed);
    }
    let rules = &p.recall;
    if rules.mode == RecallMode::Window && !p.claims.is_empty() {
        return Err(RecallError::HasClaims);
    }
    if rules
        .blackout
        .is_some_and(|b| b.contains(now.local_minute_of_day(utc_offset_minutes)))
    {
        return Err(RecallError::Blackout);
    }
    if let Some(max) = rules.max_recalls_per_day
        && recalls_today >= max
    {
        return Err(RecallError::DailyLimit { max });
    }
    if let Some(above) = rules.auth_above
        && p.total > above
        && !authorized
    {
        return Err(RecallError::NeedsAuthorization { above });
    }
    let refund = p.remaining;
    p.remaining = Money::ZERO;
    p.state = PacketState::Recalled;
    p.recalled_at = Some(now);
    p.finished_at = Some(now);
    p.refund = Some(refund);
    debug_assert_books(p);
    let postings = refund_posting(p, now, RefundReason::Recall);
    Ok((Recalled { refund }, postings))
}

/// Expires `packet` if it is unfinished and `now` is at or past its expiry: the unclaimed
/// remainder goes back to the sender. `None` (and no change) when it is not due or already
/// finished; otherwise the refund and its posting. Idempotent.
pub fn expire(packet: &mut Packet, now: Timestamp) -> Option<(Expired, Vec<Posting>)> {
    let p = packet;
    if p.state.is_finished() || now < p.expires_at {
        return None;
    }
    let refund = p.remaining;
    p.remaining = Money::ZERO;
    p.state = PacketState::Expired;
    p.finished_at = Some(p.expires_at);
    p.refund = Some(refund);
    debug_assert_books(p);
    let postings = refund_posting(p, now, RefundReason::Expiry);
    Some((Expired { refund }, postings))
}

/// Delivers a pending packet whose delay is over (delayed recall mode): its stored state
/// becomes open. Returns `true` if it changed. [`claim`] does this itself.
pub fn deliver(packet: &mut Packet, now: Timestamp) -> bool {
    if packet.state == PacketState::Pending && packet.deliver_at.is_some_and(|at| now >= at) {
        packet.state = PacketState::Open;
        true
    } else {
        false
    }
}

fn refund_posting(p: &Packet, now: Timestamp, reason: RefundReason) -> Vec<Posting> {
    let refund = p.refund.unwrap_or(Money::ZERO);
    if !refund.is_positive() {
        return Vec::new();
    }
    vec![Posting {
        at: now,
        user: p.sender.clone(),
        kind: EntryKind::refund(reason),
        amount: refund,
        packet: Some(p.id),
    }]
}

/// The sender's habits, for anomaly warnings, from their packets **newest first** (other
/// senders' packets are skipped): the median of the typed amounts and of the totals of the
/// last [`HISTORY_WINDOW`] packets (recalled ones excluded; the lower median for an even
/// number), and the typed amount of the last packet in `chat_id`. A store can pass its
/// newest `HISTORY_WINDOW` packets of the sender followed by the newest one in the chat
/// (if that one is not among them): the result is the same as over the whole history.
pub fn history<'a>(
    sender: &str,
    chat_id: &str,
    newest_first: impl IntoIterator<Item = &'a Packet>,
) -> SenderHistory {
    let mut typed: Vec<Money> = Vec::new();
    let mut totals: Vec<Money> = Vec::new();
    let mut last_in_chat = None;
    for p in newest_first {
        if p.sender != sender || p.state == PacketState::Recalled {
            continue;
        }
        if last_in_chat.is_none() && p.chat_id == chat_id {
            last_in_chat = Some(p.typed_amount());
        }
        if typed.len() < HISTORY_WINDOW {
            typed.push(p.typed_amount());
            totals.push(p.total);
        } else if last_in_chat.is_some() {
            break;
        }
    }
    SenderHistory {
        usual_amount: median(&mut typed),
        last_in_chat,
        usual_total: median(&mut totals),
        samples: typed.len() as u32,
    }
}

/// The best-luck index a packet should have: lucky, two or more shares, claimed out;
/// the largest share, the earliest claimer on a tie.
pub fn best_luck(p: &Packet) -> Option<u32> {
    if p.kind != PacketKindTag::Lucky || p.count < 2 || p.state != PacketState::ClaimedOut {
        return None;
    }
    let mut best: Option<(usize, Money)> = None;
    for (i, c) in p.claims.iter().enumerate() {
        if best.is_none_or(|(_, m)| c.amount > m) {
            best = Some((i, c.amount));
        }
    }
    best.map(|(i, _)| i as u32)
}

fn median(values: &mut [Money]) -> Option<Money> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}
