//! [`MockCore`]: the engine with the demo world, two seeded random sources, the test clock
//! and the operation log; every backend operation as a synchronous call at a given time.

use crate::config::MockConfig;
use crate::log::Op;
use hongbao_api::demo::{self, DEMO_BALANCE, DEMO_USERS};
use hongbao_api::{
    ApiError, ChatEvent, ChatInfo, ClaimResult, ErrorCode, LedgerEntry, Me, NewPacket, PacketView,
    Preview, RecallResult,
};
use hongbao_engine::{
    Engine, Lang, Money, Packet, PacketId, PacketKindTag, PacketState, Rng, Timestamp,
};

/// The synchronous mock: everything but timing, the network and storage.
#[derive(Clone, Debug, PartialEq)]
pub struct MockCore {
    pub(crate) engine: Engine,
    /// Draws shares (the money's randomness).
    pub(crate) money_rng: Rng,
    /// Draws latencies, failures and bot behaviour; kept apart so that failure injection
    /// does not change the shares a replay draws.
    pub(crate) sim_rng: Rng,
    /// The test clock: added to the wall clock.
    pub(crate) clock_offset_ms: i64,
    pub(crate) lang: Lang,
    /// The seed the demo started with.
    pub(crate) seed: u64,
    /// When the demo started (its wallets' opening grants).
    pub(crate) start: Timestamp,
    /// The policy the demo started with, as [`MockConfig::policy_query`] gives it.
    pub(crate) start_policy: String,
    /// Every state-changing call since the start, oldest first: what is persisted.
    pub(crate) ops: Vec<Op>,
}

impl MockCore {
    /// The demo world at `now`: ten users with ¥1,000.00 each.
    pub fn new_demo(config: &MockConfig, now: Timestamp) -> MockCore {
        let mut engine = Engine::new(config.policy());
        for user in DEMO_USERS {
            engine
                .open_wallet(user, DEMO_BALANCE, now)
                .expect("demo users are valid and distinct");
        }
        MockCore {
            engine,
            money_rng: Rng::with_stream(config.seed, 1),
            sim_rng: Rng::with_stream(config.seed, 2),
            clock_offset_ms: 0,
            lang: config.lang,
            seed: config.seed,
            start: now,
            start_policy: config.policy_query(),
            ops: Vec::new(),
        }
    }

    /// Applies the configuration that shapes later sends (recall policy, split rule) and the
    /// language. The seed is the demo's own.
    pub fn configure(&mut self, config: &MockConfig) {
        self.set_policy(config);
        self.lang = config.lang;
    }

    /// Sets the policy `config` asks for, logging it when it changes.
    pub(crate) fn set_policy(&mut self, config: &MockConfig) {
        let policy = config.policy();
        if policy != *self.engine.policy() {
            self.engine.set_policy(policy);
            self.ops.push(Op::Policy {
                query: config.policy_query(),
            });
        }
    }

    /// Logs that a refused claim or recall of packet `id` expired it on the way (the engine
    /// expires a packet past its expiry before refusing), given its state before the call.
    fn log_expiry(&mut self, id: u64, before: PacketState, now: Timestamp) {
        if self.engine.packet(PacketId(id)).map(|p| p.state) != Some(before) {
            self.ops.push(Op::Expire { at: now, id });
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The simulation's random source (latencies, failures, bots).
    pub fn sim_rng(&mut self) -> &mut Rng {
        &mut self.sim_rng
    }

    /// Expires what is due at `now` (and delivers delayed packets); returns the events.
    pub fn tick(&mut self, now: Timestamp) -> Vec<ChatEvent> {
        let pending = |engine: &Engine| {
            engine
                .packets()
                .filter(|p| p.state == PacketState::Pending)
                .count()
        };
        let pending_before = pending(&self.engine);
        let expired = self.engine.tick(now);
        if !expired.is_empty() || pending(&self.engine) != pending_before {
            self.ops.push(Op::Tick { at: now });
        }
        expired
            .into_iter()
            .filter_map(|id| self.engine.packet(id))
            .map(|p| ChatEvent::PacketExpired {
                chat_id: p.chat_id.clone(),
                packet_id: p.id.0,
            })
            .collect()
    }

    /// Moves the test clock forward by `secs`.
    pub fn advance_clock(&mut self, secs: i64) {
        self.clock_offset_ms = self
            .clock_offset_ms
            .saturating_add(secs.saturating_mul(1000));
    }

    /// The user's balance; an unknown user is `unauthorized`.
    fn user_balance(&self, user: &str) -> Result<Money, ApiError> {
        self.engine.balance(user).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                self.lang.pick("未知用户", "unknown user"),
            )
        })
    }

    fn user_known(&self, user: &str) -> Result<(), ApiError> {
        self.user_balance(user).map(drop)
    }

    fn chat(&self, user: &str, chat_id: &str) -> Result<ChatInfo, ApiError> {
        self.user_known(user)?;
        demo::chat_for(user, chat_id).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                self.lang.pick("没有这个聊天", "no such chat"),
            )
        })
    }

    fn visible_packet(&self, user: &str, id: u64) -> Result<&Packet, ApiError> {
        self.user_known(user)?;
        self.engine
            .packet(PacketId(id))
            .filter(|p| p.members.iter().any(|m| m == user))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    self.lang.pick("没有这个红包", "no such packet"),
                )
            })
    }

    pub fn me(&self, user: &str) -> Result<Me, ApiError> {
        Ok(Me {
            username: user.to_owned(),
            balance: self.user_balance(user)?,
        })
    }

    pub fn chats(&self, user: &str) -> Result<Vec<ChatInfo>, ApiError> {
        self.user_known(user)?;
        Ok(demo::chats_for(user))
    }

    /// The packets of a chat, oldest first.
    pub fn chat_packets(
        &self,
        user: &str,
        chat_id: &str,
        now: Timestamp,
    ) -> Result<Vec<PacketView>, ApiError> {
        self.chat(user, chat_id)?;
        Ok(self
            .engine
            .packets_in_chat(chat_id)
            .map(|p| PacketView::new(p, user, now))
            .collect())
    }

    pub fn packet(&self, user: &str, id: u64, now: Timestamp) -> Result<PacketView, ApiError> {
        Ok(PacketView::new(self.visible_packet(user, id)?, user, now))
    }

    /// Validation and warnings for a draft ([`hongbao_engine::ops::preview`]); changes
    /// nothing.
    pub fn preview(
        &self,
        user: &str,
        draft: &NewPacket,
        now: Timestamp,
    ) -> Result<Preview, ApiError> {
        let chat = self.chat(user, &draft.chat_id)?;
        let request = draft.to_request(user, &chat);
        let preview = hongbao_engine::ops::preview(
            &request,
            self.engine.balance(user),
            &self.engine.history(user, &chat.id),
            self.engine.policy(),
            now,
        )
        .map_err(|e| ApiError::engine(&e, self.lang))?;
        Ok(Preview {
            total: preview.total,
            warnings: preview.warnings,
        })
    }

    /// Sends; the event is `None` when the idempotency key replayed an earlier send.
    pub fn send(
        &mut self,
        user: &str,
        packet: &NewPacket,
        now: Timestamp,
    ) -> Result<(PacketView, Option<ChatEvent>), ApiError> {
        let chat = self.chat(user, &packet.chat_id)?;
        let request = packet.to_request(user, &chat);
        let sent = self
            .engine
            .send(&request, now, &mut self.money_rng)
            .map_err(|e| ApiError::engine(&e, self.lang))?;
        if !sent.replayed {
            self.ops.push(Op::Send {
                at: now,
                user: user.to_owned(),
                packet: packet.clone(),
            });
        }
        let view = self.packet(user, sent.packet_id.0, now)?;
        let event = (!sent.replayed).then(|| ChatEvent::PacketSent {
            chat_id: view.chat_id.clone(),
            packet_id: view.id,
        });
        Ok((view, event))
    }

    /// The packet `user` sent with `idempotency_key`, if any (the newest such).
    pub fn sent_with_key(
        &self,
        user: &str,
        idempotency_key: &str,
        now: Timestamp,
    ) -> Option<PacketView> {
        self.engine
            .packets()
            .rev()
            .find(|p| p.idempotency_key == idempotency_key && p.sender == user)
            .map(|p| PacketView::new(p, user, now))
    }

    /// Claims; the event is `None` when `user` had claimed already.
    pub fn claim(
        &mut self,
        user: &str,
        id: u64,
        now: Timestamp,
    ) -> Result<(ClaimResult, Option<ChatEvent>), ApiError> {
        let before = self.visible_packet(user, id)?.state;
        let claimed = match self
            .engine
            .claim(PacketId(id), user, now, &mut self.money_rng)
        {
            Ok(claimed) => claimed,
            Err(e) => {
                self.log_expiry(id, before, now);
                return Err(ApiError::engine(&e, self.lang));
            }
        };
        if !claimed.already_claimed {
            self.ops.push(Op::Claim {
                at: now,
                user: user.to_owned(),
                id,
            });
        }
        let chat_id = self.visible_packet(user, id)?.chat_id.clone();
        let event = (!claimed.already_claimed).then(|| ChatEvent::PacketClaimed {
            chat_id,
            packet_id: id,
            username: user.to_owned(),
        });
        Ok((
            ClaimResult {
                amount: claimed.amount,
                already_claimed: claimed.already_claimed,
            },
            event,
        ))
    }

    pub fn recall(
        &mut self,
        user: &str,
        id: u64,
        authorized: bool,
        now: Timestamp,
    ) -> Result<(RecallResult, ChatEvent), ApiError> {
        let before = self.visible_packet(user, id)?.state;
        let recalled = match self.engine.recall(PacketId(id), user, now, authorized) {
            Ok(recalled) => recalled,
            Err(e) => {
                self.log_expiry(id, before, now);
                return Err(ApiError::engine(&e, self.lang));
            }
        };
        self.ops.push(Op::Recall {
            at: now,
            user: user.to_owned(),
            id,
            authorized,
        });
        let chat_id = self.visible_packet(user, id)?.chat_id.clone();
        Ok((
            RecallResult {
                refund: recalled.refund,
            },
            ChatEvent::PacketRecalled {
                chat_id,
                packet_id: id,
            },
        ))
    }

    /// The user's own ledger, newest first.
    pub fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, ApiError> {
        self.user_known(user)?;
        let mut entries: Vec<LedgerEntry> = self
            .engine
            .ledger_for(user)
            .map(LedgerEntry::from)
            .collect();
        entries.reverse();
        Ok(entries)
    }

    /// The members a bot claims for after `packet` is sent, each with a delay in ms.
    pub fn bot_plan(&mut self, packet: &PacketView, acting_user: &str) -> Vec<(String, u32)> {
        let candidates: Vec<String> = match packet.kind {
            PacketKindTag::Lucky | PacketKindTag::Normal => {
                demo::chat_for(acting_user, &packet.chat_id)
                    .map(|c| c.members)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|m| m != acting_user)
                    .collect()
            }
            PacketKindTag::Personal | PacketKindTag::Exclusive => {
                packet.recipient.iter().cloned().collect()
            }
        };
        let rng = &mut self.sim_rng;
        candidates
            .into_iter()
            .filter_map(|m| (rng.below(2) == 0).then(|| (m, rng.between(8_000, 40_000))))
            .collect()
    }
}
