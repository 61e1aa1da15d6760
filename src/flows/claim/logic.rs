//! The pure decisions of the claim flow: which screen the card shows, what the bubble says,
//! and the count-up's values (integer fen only).

use crate::flows::recall::state_at;
use hongbao_api::{ErrorCode, PacketView};
use hongbao_engine::{PacketState, Timestamp};

/// How long the 開 button spins at least, and the count-up lasts, with motion on.
pub const SPIN_MS: i64 = 800;
pub const COUNT_UP_MS: i64 = 800;

/// What the card shows when it opens (before any claim in this card).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardScreen {
    /// The 開 button.
    Claimable,
    /// The viewer's share and the details.
    AlreadyClaimed,
    /// Too late: every share is gone.
    ClaimedOut,
    Expired,
    Recalled,
    /// Exclusive or personal for someone else.
    NotForYou,
    /// Delayed delivery: arriving in…
    Pending,
    /// The sender's own personal/exclusive packet, or their finished group packet: the details.
    Details,
}

impl CardScreen {
    /// The `data-state-screen` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CardScreen::Claimable => "claimable",
            CardScreen::AlreadyClaimed => "already_claimed",
            CardScreen::ClaimedOut => "claimed_out",
            CardScreen::Expired => "expired",
            CardScreen::Recalled => "recalled",
            CardScreen::NotForYou => "not_for_you",
            CardScreen::Pending => "pending",
            CardScreen::Details => "details",
        }
    }

    /// The screen for a claim refused with error `code`, if it has one of its own.
    pub fn for_error(code: ErrorCode) -> Option<CardScreen> {
        Some(match code {
            ErrorCode::ClaimedOut => CardScreen::ClaimedOut,
            ErrorCode::Expired => CardScreen::Expired,
            ErrorCode::Recalled => CardScreen::Recalled,
            ErrorCode::NotForYou => CardScreen::NotForYou,
            ErrorCode::Pending => CardScreen::Pending,
            _ => return None,
        })
    }

    /// Whether the screen reports a failure to claim (its message is an `error-message`).
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            CardScreen::ClaimedOut
                | CardScreen::Expired
                | CardScreen::Recalled
                | CardScreen::NotForYou
                | CardScreen::Pending
        )
    }

    /// Whether the screen shows the details list.
    pub fn shows_details(self) -> bool {
        !matches!(
            self,
            CardScreen::Claimable | CardScreen::NotForYou | CardScreen::Pending
        )
    }
}

/// The screen of packet `p` for `user` at `now`.
pub fn screen_for(p: &PacketView, user: &str, now: Timestamp) -> CardScreen {
    if p.claim_of(user).is_some() {
        return CardScreen::AlreadyClaimed;
    }
    let state = state_at(p, now);
    match state {
        PacketState::Recalled => return CardScreen::Recalled,
        PacketState::Expired => return CardScreen::Expired,
        _ => {}
    }
    let mine = p.sender == user;
    if mine && (p.recipient.is_some() || state == PacketState::ClaimedOut) {
        return CardScreen::Details;
    }
    if state == PacketState::ClaimedOut {
        return CardScreen::ClaimedOut;
    }
    if p.recipient.as_deref().is_some_and(|r| r != user) {
        return CardScreen::NotForYou;
    }
    if state == PacketState::Pending {
        return CardScreen::Pending;
    }
    CardScreen::Claimable
}

/// What the bubble says under the greeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BubbleStatus {
    Open,
    Claimed,
    AllClaimed,
    /// A one-share packet (personal, exclusive) that its recipient opened.
    Opened,
    Expired,
    Recalled,
    /// Arriving at `deliver_at` (the first field), after a delay of the second (seconds).
    Pending(Timestamp, i64),
    /// The sender's own unclaimed personal/exclusive packet.
    WaitingFor(String),
    /// Someone else's exclusive packet.
    OnlyFor(String),
}

impl BubbleStatus {
    /// Finished, or opened by the viewer: the bubble fades.
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            BubbleStatus::Claimed
                | BubbleStatus::AllClaimed
                | BubbleStatus::Opened
                | BubbleStatus::Expired
                | BubbleStatus::Recalled
        )
    }
}

pub fn bubble_status(p: &PacketView, user: &str, now: Timestamp) -> BubbleStatus {
    let state = state_at(p, now);
    if state == PacketState::Recalled {
        return BubbleStatus::Recalled;
    }
    if p.claim_of(user).is_some() {
        return BubbleStatus::Claimed;
    }
    match state {
        PacketState::Expired => return BubbleStatus::Expired,
        PacketState::ClaimedOut if p.count == 1 && p.recipient.is_some() => {
            return BubbleStatus::Opened;
        }
        PacketState::ClaimedOut => return BubbleStatus::AllClaimed,
        PacketState::Pending => {
            let at = p.deliver_at.unwrap_or(p.created_at);
            return BubbleStatus::Pending(at, p.created_at.secs_left_until(at));
        }
        _ => {}
    }
    match &p.recipient {
        Some(r) if p.sender == user => BubbleStatus::WaitingFor(r.clone()),
        Some(r) if r != user => BubbleStatus::OnlyFor(r.clone()),
        _ => BubbleStatus::Open,
    }
}

/// The longest a count-up step may show one value: small amounts count fen by fen quickly
/// instead of idling on a value (and anyone watching for "the number stopped" sees the end).
pub const COUNT_UP_STEP_MS: i64 = 20;

/// How long the count-up to `target_fen` lasts: [`COUNT_UP_MS`], shorter for small amounts.
pub fn count_up_duration(target_fen: i64) -> i64 {
    (target_fen.max(0) * COUNT_UP_STEP_MS).min(COUNT_UP_MS)
}

/// The amount the count-up shows `elapsed_ms` into an animation of `duration_ms` towards
/// `target_fen`: linear, in whole fen, never above the target, and exactly the target from
/// `duration_ms` on.
pub fn count_up_value(target_fen: i64, elapsed_ms: i64, duration_ms: i64) -> i64 {
    if duration_ms <= 0 || elapsed_ms >= duration_ms {
        return target_fen;
    }
    if elapsed_ms <= 0 {
        return 0;
    }
    (i128::from(target_fen) * i128::from(elapsed_ms) / i128::from(duration_ms)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_api::ClaimView;
    use hongbao_engine::{Money, PacketKindTag, RecallMode};

    fn t0() -> Timestamp {
        Timestamp::from_utc(2026, 1, 1, 0, 0, 0)
    }

    fn lucky(claimers: &[&str], count: u32) -> PacketView {
        PacketView {
            id: 1,
            chat_id: "family".into(),
            sender: "alice".into(),
            kind: PacketKindTag::Lucky,
            recipient: None,
            greeting: "hi".into(),
            total: Money::from_fen(300),
            per_share: None,
            count,
            claimed_count: claimers.len() as u32,
            remaining: Money::from_fen(300 - 100 * claimers.len() as i64),
            state: if claimers.len() as u32 == count {
                PacketState::ClaimedOut
            } else {
                PacketState::Open
            },
            created_at: t0(),
            deliver_at: None,
            expires_at: t0().plus_hours(24),
            recall_mode: RecallMode::Window,
            recall_deadline: Some(t0().plus_secs(120)),
            can_recall: false,
            recalled_at: None,
            refund: None,
            claims: claimers
                .iter()
                .map(|u| ClaimView {
                    username: (*u).into(),
                    amount: Money::from_fen(100),
                    claimed_at: t0(),
                    best_luck: false,
                })
                .collect(),
        }
    }

    #[test]
    fn screens() {
        let now = t0().plus_secs(5);
        assert_eq!(
            screen_for(&lucky(&[], 3), "bob", now),
            CardScreen::Claimable
        );
        assert_eq!(
            screen_for(&lucky(&[], 3), "alice", now),
            CardScreen::Claimable
        );
        let out = lucky(&["bob", "carol"], 2);
        assert_eq!(screen_for(&out, "bob", now), CardScreen::AlreadyClaimed);
        assert_eq!(screen_for(&out, "dave", now), CardScreen::ClaimedOut);
        assert_eq!(screen_for(&out, "alice", now), CardScreen::Details);
        assert_eq!(
            screen_for(&lucky(&["bob"], 3), "dave", t0().plus_hours(24)),
            CardScreen::Expired
        );
        // The claimer still sees their share after expiry.
        assert_eq!(
            screen_for(&lucky(&["bob"], 3), "bob", t0().plus_hours(25)),
            CardScreen::AlreadyClaimed
        );
        let mut recalled = lucky(&[], 3);
        recalled.state = PacketState::Recalled;
        assert_eq!(screen_for(&recalled, "bob", now), CardScreen::Recalled);
        let mut excl = lucky(&[], 1);
        excl.kind = PacketKindTag::Exclusive;
        excl.recipient = Some("carol".into());
        assert_eq!(screen_for(&excl, "bob", now), CardScreen::NotForYou);
        assert_eq!(screen_for(&excl, "carol", now), CardScreen::Claimable);
        assert_eq!(screen_for(&excl, "alice", now), CardScreen::Details);
        let mut delayed = lucky(&[], 3);
        delayed.deliver_at = Some(t0().plus_secs(60));
        delayed.state = PacketState::Pending;
        assert_eq!(screen_for(&delayed, "bob", now), CardScreen::Pending);
        assert_eq!(
            screen_for(&delayed, "bob", t0().plus_secs(60)),
            CardScreen::Claimable
        );
        assert_eq!(
            CardScreen::for_error(ErrorCode::ClaimedOut),
            Some(CardScreen::ClaimedOut)
        );
        assert_eq!(CardScreen::for_error(ErrorCode::Network), None);
    }

    #[test]
    fn bubble_statuses() {
        let now = t0().plus_secs(5);
        let mut delayed = lucky(&[], 3);
        delayed.deliver_at = Some(t0().plus_secs(60));
        delayed.state = PacketState::Pending;
        assert_eq!(
            bubble_status(&delayed, "bob", now),
            BubbleStatus::Pending(t0().plus_secs(60), 60)
        );
        assert_eq!(
            bubble_status(&lucky(&[], 3), "bob", now),
            BubbleStatus::Open
        );
        assert_eq!(
            bubble_status(&lucky(&["bob"], 3), "bob", now),
            BubbleStatus::Claimed
        );
        assert!(BubbleStatus::Claimed.is_done());
        assert_eq!(
            bubble_status(&lucky(&["bob", "carol"], 2), "dave", now),
            BubbleStatus::AllClaimed
        );
        assert_eq!(
            bubble_status(&lucky(&[], 3), "bob", t0().plus_hours(24)),
            BubbleStatus::Expired
        );
        let mut personal = lucky(&[], 1);
        personal.kind = PacketKindTag::Personal;
        personal.recipient = Some("bob".into());
        assert_eq!(
            bubble_status(&personal, "alice", now),
            BubbleStatus::WaitingFor("bob".into())
        );
        assert!(!BubbleStatus::WaitingFor("bob".into()).is_done());
        assert_eq!(bubble_status(&personal, "bob", now), BubbleStatus::Open);
    }

    #[test]
    fn count_up_ends_exactly_on_the_amount_without_long_pauses() {
        for target in [1, 7, 31, 100, 188, 12_345, 20_000, 100_000_000] {
            let duration = count_up_duration(target);
            assert!(duration <= COUNT_UP_MS);
            let (mut last, mut since) = (0, 0);
            for t in 0..=duration + 40 {
                let v = count_up_value(target, t, duration);
                assert!(v >= last && v <= target, "{target} at {t}: {v}");
                if v != last {
                    since = t;
                }
                // No value is held longer than one step before the end.
                assert!(
                    v == target || t - since <= COUNT_UP_STEP_MS,
                    "{target} at {t}"
                );
                last = v;
            }
            assert_eq!(last, target);
            assert_eq!(count_up_value(target, duration, duration), target);
        }
        assert_eq!(count_up_value(555, 10, 0), 555);
        assert_eq!(count_up_value(800, 0, 800), 0);
        assert_eq!(count_up_duration(3), 60);
    }
}
