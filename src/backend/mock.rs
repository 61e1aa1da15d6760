//! The mock backend: the engine in the page.
//!
//! [`MockCore`] is the synchronous part (engine, random sources, test clock, views) and is
//! tested natively. [`MockBackend`] wraps it for the browser: simulated latency, failure
//! injection (half of the failures lose the request, half lose the response after the change
//! was applied, so retries must be safe), simulated members ("bots") who claim on their own,
//! persistence in localStorage, and live-update listeners.
//!
//! The persisted state is an operation log, not a snapshot of the engine: how the demo
//! started (seed, time, policy) and every state-changing call the engine accepted, each with
//! the time it ran at. Restoring replays them on a fresh demo; the engine is deterministic
//! (time and randomness are inputs), so the replay rebuilds the exact state, the money's
//! random source included. Only the simulation's random source and the test clock, which no
//! operation rebuilds, are stored as they are. This keeps the engine's own deserialization
//! out of the browser bundle.

use super::Backend;
use crate::settings::Settings;
use hongbao_api::demo::{self, DEMO_BALANCE, DEMO_USERS};
use hongbao_api::{
    ApiError, ChatEvent, ChatInfo, ClaimResult, ErrorCode, LabEvent, LedgerEntry, Me, NewPacket,
    PacketView, Preview, RecallResult,
};
use hongbao_engine::{
    Engine, Lang, PacketId, PacketKindTag, PacketState, Policy, RecallMode, RecallPolicy, Rng,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Bumped when the persisted shape, or what a replay of the same log gives (the engine's
/// rules, the demo world), changes; a state of another version is replaced by a fresh demo.
/// Version 1 was a snapshot of the engine; version 2 logged new packets in the first
/// release's shape of `NewPacket` (`amount` meaning the total or the per-share amount).
const STATE_VERSION: u32 = 3;

/// The synchronous mock: everything but timing and storage.
#[derive(Clone, Debug, PartialEq)]
pub struct MockCore {
    engine: Engine,
    /// Draws shares (the money's randomness).
    money_rng: Rng,
    /// Draws latencies, failures and bot behaviour; kept apart so that failure injection
    /// does not change the shares a replay draws.
    sim_rng: Rng,
    /// The test clock: added to the wall clock.
    clock_offset_ms: i64,
    lang: Lang,
    /// The seed the demo started with.
    seed: u64,
    /// When the demo started (its wallets' opening grants).
    start: Timestamp,
    /// The policy the demo started with, as [`policy_query`] gives it.
    start_policy: String,
    /// Every state-changing call since the start, oldest first: what is persisted.
    ops: Vec<Op>,
}

/// One state-changing call the mock accepted, with the time it ran at. Calls that changed
/// nothing (refused ones, a retried send, a repeated claim, a tick with nothing due) are not
/// logged. Persisted as an [`OpRecord`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "OpRecord", into = "OpRecord")]
enum Op {
    /// A new packet.
    Send {
        at: Timestamp,
        user: String,
        packet: NewPacket,
    },
    /// A new share.
    Claim {
        at: Timestamp,
        user: String,
        id: u64,
    },
    /// A recall.
    Recall {
        at: Timestamp,
        user: String,
        id: u64,
        authorized: bool,
    },
    /// An expiry tick that expired or delivered a packet.
    Tick { at: Timestamp },
    /// A packet the engine expired on its own before refusing a claim or a recall of it.
    Expire { at: Timestamp, id: u64 },
    /// The policy of later sends changed: the settings that shape it, as [`policy_query`]
    /// gives them.
    Policy { query: String },
}

/// What an [`Op`] is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OpKind {
    Send,
    Claim,
    Recall,
    Tick,
    Expire,
    Policy,
}

/// The persisted form of an [`Op`]: one flat record, `{"op":"claim","at":…,"user":…,"id":…}`.
/// One struct's deserializer is less code than serde's derive for an enum of six struct
/// variants (measured: about 5 KB less wasm, 1 KB brotli'd).
#[derive(Serialize, Deserialize)]
struct OpRecord {
    op: OpKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    packet: Option<NewPacket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<String>,
}

impl From<Op> for OpRecord {
    fn from(op: Op) -> OpRecord {
        let record = |op, at| OpRecord {
            op,
            at,
            user: None,
            id: None,
            authorized: None,
            packet: None,
            query: None,
        };
        match op {
            Op::Send { at, user, packet } => OpRecord {
                user: Some(user),
                packet: Some(packet),
                ..record(OpKind::Send, Some(at))
            },
            Op::Claim { at, user, id } => OpRecord {
                user: Some(user),
                id: Some(id),
                ..record(OpKind::Claim, Some(at))
            },
            Op::Recall {
                at,
                user,
                id,
                authorized,
            } => OpRecord {
                user: Some(user),
                id: Some(id),
                authorized: Some(authorized),
                ..record(OpKind::Recall, Some(at))
            },
            Op::Tick { at } => record(OpKind::Tick, Some(at)),
            Op::Expire { at, id } => OpRecord {
                id: Some(id),
                ..record(OpKind::Expire, Some(at))
            },
            Op::Policy { query } => OpRecord {
                query: Some(query),
                ..record(OpKind::Policy, None)
            },
        }
    }
}

impl TryFrom<OpRecord> for Op {
    type Error = &'static str;

    fn try_from(r: OpRecord) -> Result<Op, &'static str> {
        let missing = "an operation without a field it needs";
        let at = r.at.ok_or(missing);
        let user = r.user.ok_or(missing);
        let id = r.id.ok_or(missing);
        Ok(match r.op {
            OpKind::Send => Op::Send {
                at: at?,
                user: user?,
                packet: r.packet.ok_or(missing)?,
            },
            OpKind::Claim => Op::Claim {
                at: at?,
                user: user?,
                id: id?,
            },
            OpKind::Recall => Op::Recall {
                at: at?,
                user: user?,
                id: id?,
                authorized: r.authorized.ok_or(missing)?,
            },
            OpKind::Tick => Op::Tick { at: at? },
            OpKind::Expire => Op::Expire { at: at?, id: id? },
            OpKind::Policy => Op::Policy {
                query: r.query.ok_or(missing)?,
            },
        })
    }
}

/// The persisted form of a [`MockCore`] (JSON in localStorage).
#[derive(Serialize, Deserialize)]
struct Saved<'a> {
    version: u32,
    seed: u64,
    start: Timestamp,
    policy: Cow<'a, str>,
    /// The test clock's offset, in ms.
    clock: i64,
    /// The simulation's random source, [`Rng::to_parts`].
    sim: (u64, u64),
    ops: Cow<'a, [Op]>,
}

impl MockCore {
    /// The demo world at `now`: ten users with ¥1,000.00 each.
    pub fn new_demo(settings: &Settings, now: Timestamp) -> MockCore {
        let mut engine = Engine::new(policy_for(settings));
        for user in DEMO_USERS {
            engine
                .open_wallet(user, DEMO_BALANCE, now)
                .expect("demo users are valid and distinct");
        }
        MockCore {
            engine,
            money_rng: Rng::with_stream(settings.seed, 1),
            sim_rng: Rng::with_stream(settings.seed, 2),
            clock_offset_ms: 0,
            lang: settings.lang,
            seed: settings.seed,
            start: now,
            start_policy: policy_query(settings),
            ops: Vec::new(),
        }
    }

    /// Restores a persisted state ([`MockCore::to_json`]) by replaying its operations on a
    /// fresh demo, then applies `settings` ([`MockCore::configure`]). `None` when it is
    /// unreadable, of another version, or does not replay to itself (every logged call must
    /// succeed again and log the same).
    pub fn restore(json: &str, settings: &Settings) -> Option<MockCore> {
        let saved: Saved = serde_json::from_str(json).ok()?;
        if saved.version != STATE_VERSION {
            return None;
        }
        let (mut start, errors) = Settings::from_query(&saved.policy);
        if !errors.is_empty() {
            return None;
        }
        start.seed = saved.seed;
        let mut core = MockCore::new_demo(&start, saved.start);
        for op in saved.ops.iter() {
            core.replay(op)?;
        }
        if core.ops[..] != saved.ops[..] || core.engine.check_invariants().is_err() {
            return None;
        }
        core.sim_rng = Rng::from_parts(saved.sim.0, saved.sim.1)?;
        core.clock_offset_ms = saved.clock;
        core.configure(settings);
        Some(core)
    }

    /// Runs one logged call again (which logs it again); `None` if it fails now.
    fn replay(&mut self, op: &Op) -> Option<()> {
        match op {
            Op::Send { at, user, packet } => {
                self.send(user, packet, *at).ok()?;
            }
            Op::Claim { at, user, id } => {
                self.claim(user, *id, *at).ok()?;
            }
            Op::Recall {
                at,
                user,
                id,
                authorized,
            } => {
                self.recall(user, *id, *authorized, *at).ok()?;
            }
            Op::Tick { at } => {
                self.tick(*at);
            }
            Op::Expire { at, id } => {
                if self.engine.expire_if_due(PacketId(*id), *at) {
                    self.ops.push(op.clone());
                }
            }
            Op::Policy { query } => {
                let (settings, errors) = Settings::from_query(query);
                if !errors.is_empty() {
                    return None;
                }
                self.set_policy(&settings);
            }
        }
        Some(())
    }

    /// The persisted state: how the demo started and the operations since, plus the
    /// simulation's random source and the test clock. [`MockCore::restore`] reads it back.
    pub fn to_json(&self) -> String {
        let sim = self.sim_rng.to_parts();
        serde_json::to_string(&Saved {
            version: STATE_VERSION,
            seed: self.seed,
            start: self.start,
            policy: Cow::Borrowed(&self.start_policy),
            clock: self.clock_offset_ms,
            sim,
            ops: Cow::Borrowed(&self.ops),
        })
        .expect("the mock state serializes")
    }

    /// Applies the settings that shape later sends (recall policy, split rule) and the language.
    pub fn configure(&mut self, settings: &Settings) {
        self.set_policy(settings);
        self.lang = settings.lang;
    }

    /// Sets the policy `settings` ask for, logging it when it changes.
    fn set_policy(&mut self, settings: &Settings) {
        let policy = policy_for(settings);
        if policy != *self.engine.policy() {
            self.engine.set_policy(policy);
            self.ops.push(Op::Policy {
                query: policy_query(settings),
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

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    pub fn sim_rng(&mut self) -> &mut Rng {
        &mut self.sim_rng
    }

    /// Expires what is due at `now`; returns the events.
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

    pub fn advance_clock(&mut self, secs: i64) {
        self.clock_offset_ms = self
            .clock_offset_ms
            .saturating_add(secs.saturating_mul(1000));
    }

    fn user_known(&self, user: &str) -> Result<(), ApiError> {
        match self.engine.balance(user) {
            Some(_) => Ok(()),
            None => Err(ApiError::new(
                ErrorCode::Unauthorized,
                self.lang.pick("未知用户", "unknown user"),
            )),
        }
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

    fn visible_packet(&self, user: &str, id: u64) -> Result<&hongbao_engine::Packet, ApiError> {
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
        self.user_known(user)?;
        Ok(Me {
            username: user.to_owned(),
            balance: self.engine.balance(user).unwrap_or_default(),
        })
    }

    pub fn chats(&self, user: &str) -> Result<Vec<ChatInfo>, ApiError> {
        self.user_known(user)?;
        Ok(demo::chats_for(user))
    }

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

    pub fn preview(
        &self,
        user: &str,
        draft: &NewPacket,
        now: Timestamp,
    ) -> Result<Preview, ApiError> {
        let chat = self.chat(user, &draft.chat_id)?;
        let request = draft.to_request(user, &chat);
        let total = request.kind.total().ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidAmount,
                self.lang.pick("金额过大", "amount too large"),
            )
        })?;
        // Validate exactly as a send would (limits, count, balance, recipient), with the
        // engine's own check: nothing changes.
        let probe = hongbao_engine::SendRequest {
            idempotency_key: "preview".into(),
            ..request.clone()
        };
        hongbao_engine::ops::validate_send(
            &probe,
            self.engine.balance(user),
            self.engine.policy(),
            now,
        )
        .map_err(|e| ApiError::engine(&e, self.lang))?;
        Ok(Preview {
            total,
            warnings: self.engine.warnings(&request, now),
        })
    }

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

/// The engine policy the settings ask for.
fn policy_for(settings: &Settings) -> Policy {
    let defaults = Policy::default();
    Policy {
        recall: RecallPolicy {
            mode: settings.recall,
            window_secs: settings.window_secs,
            delay_secs: if settings.recall == RecallMode::Delayed {
                settings.window_secs
            } else {
                defaults.recall.delay_secs
            },
            ..defaults.recall.clone()
        },
        split: settings.split,
        ..defaults
    }
}

/// The settings [`policy_for`] reads, as a query string [`Settings::from_query`] reads back:
/// how the log records a policy.
fn policy_query(settings: &Settings) -> String {
    format!(
        "recall={}&window={}&split={}",
        settings.recall.as_str(),
        settings.window_secs,
        settings.split.as_str()
    )
}

type Listener = Rc<dyn Fn(&ChatEvent)>;

/// The mock backend of the browser.
pub struct MockBackend {
    core: RefCell<MockCore>,
    /// Latency, failures and bots are read per call, so the settings panel can change them.
    settings: RefCell<Settings>,
    lang: Cell<Lang>,
    listeners: RefCell<Vec<Listener>>,
}

impl MockBackend {
    /// Loads the state saved under the settings' storage key, or starts the demo.
    pub fn new(settings: &Settings) -> Rc<MockBackend> {
        let now = wall_clock();
        let core = load(&settings.storage_key)
            .and_then(|json| MockCore::restore(&json, settings))
            .unwrap_or_else(|| MockCore::new_demo(settings, now));
        let backend = Rc::new(MockBackend {
            core: RefCell::new(core),
            settings: RefCell::new(settings.clone()),
            lang: Cell::new(settings.lang),
            listeners: RefCell::new(Vec::new()),
        });
        backend.save();
        backend
    }

    /// The mock's clock: the wall clock plus the test offset.
    pub fn now(&self) -> Timestamp {
        wall_clock().plus_millis(self.core.borrow().clock_offset_ms())
    }

    /// Applies changed settings: the policy of later sends (recall, split), latency, failure
    /// injection and bots. The storage key, seed and language stay as they are.
    pub fn configure(&self, settings: &Settings) {
        {
            let mut current = self.settings.borrow_mut();
            let keep = (current.storage_key.clone(), current.seed);
            *current = settings.clone();
            (current.storage_key, current.seed) = keep;
        }
        let mut core = self.core.borrow_mut();
        core.configure(settings);
        core.set_lang(self.lang.get());
    }

    /// Forgets everything and starts the demo again ("reset demo").
    pub fn reset(&self) {
        let fresh = MockCore::new_demo(&self.settings.borrow(), wall_clock());
        *self.core.borrow_mut() = fresh;
        self.core.borrow_mut().set_lang(self.lang.get());
        self.save();
    }

    fn save(&self) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(
                &storage_key(&self.settings.borrow().storage_key),
                &self.core.borrow().to_json(),
            );
        }
    }

    fn emit(&self, events: &[ChatEvent]) {
        let listeners = self.listeners.borrow().clone();
        for event in events {
            for listener in &listeners {
                listener(event);
            }
        }
    }

    /// Simulated network: waits, and maybe fails before the call (`Err`) or marks the
    /// response to be lost after it (`Ok(true)`).
    async fn network(&self) -> Result<bool, ApiError> {
        let (delay, fail_before, fail_after) = {
            let mut core = self.core.borrow_mut();
            let rng = core.sim_rng();
            let settings = self.settings.borrow();
            let delay = settings.latency_ms.unwrap_or_else(|| rng.between(150, 400));
            let fail = u32::from(settings.fail_percent) > rng.below(100);
            let before = fail && rng.below(2) == 0;
            (delay, before, fail && !before)
        };
        if delay > 0 {
            gloo_timers::future::TimeoutFuture::new(delay).await;
        }
        if fail_before {
            return Err(self.lost());
        }
        Ok(fail_after)
    }

    fn lost(&self) -> ApiError {
        ApiError::network(
            self.lang
                .get()
                .pick("网络异常，请重试", "Network error, please retry"),
        )
    }

    /// Runs a mutating call: network, expiry tick, the change, save, events.
    async fn mutate<T>(
        &self,
        f: impl FnOnce(&mut MockCore, Timestamp) -> Result<(T, Vec<ChatEvent>), ApiError>,
    ) -> Result<T, ApiError> {
        let lose_response = self.network().await?;
        let now = self.now();
        let (result, mut events) = {
            let mut core = self.core.borrow_mut();
            let events = core.tick(now);
            (f(&mut core, now), events)
        };
        let result = result.map(|(value, more)| {
            events.extend(more);
            value
        });
        self.save();
        self.emit(&events);
        if lose_response {
            return Err(self.lost());
        }
        result
    }

    /// Runs a read-only call (after the expiry tick, which may change state).
    async fn read<T>(
        &self,
        f: impl FnOnce(&MockCore, Timestamp) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.mutate(|core, now| f(core, now).map(|v| (v, Vec::new())))
            .await
    }

    fn schedule_bots(self: &Rc<Self>, packet: &PacketView, acting_user: &str) {
        if !self.settings.borrow().bots {
            return;
        }
        let plan = self.core.borrow_mut().bot_plan(packet, acting_user);
        for (bot, delay) in plan {
            let backend = Rc::clone(self);
            let id = packet.id;
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(delay).await;
                let now = backend.now();
                let result = backend.core.borrow_mut().claim(&bot, id, now);
                if let Ok((_, Some(event))) = result {
                    backend.save();
                    backend.emit(&[event]);
                }
            });
        }
    }
}

impl Backend for Rc<MockBackend> {
    async fn me(&self, user: &str) -> Result<Me, ApiError> {
        self.read(|c, _| c.me(user)).await
    }
    async fn chats(&self, user: &str) -> Result<Vec<ChatInfo>, ApiError> {
        self.read(|c, _| c.chats(user)).await
    }
    async fn chat_packets(&self, user: &str, chat_id: &str) -> Result<Vec<PacketView>, ApiError> {
        self.read(|c, now| c.chat_packets(user, chat_id, now)).await
    }
    async fn packet(&self, user: &str, id: u64) -> Result<PacketView, ApiError> {
        self.read(|c, now| c.packet(user, id, now)).await
    }
    async fn preview(&self, user: &str, draft: &NewPacket) -> Result<Preview, ApiError> {
        self.read(|c, now| c.preview(user, draft, now)).await
    }
    async fn send(&self, user: &str, packet: &NewPacket) -> Result<PacketView, ApiError> {
        let result = self
            .mutate(|c, now| {
                c.send(user, packet, now)
                    .map(|(view, event)| ((view, event.is_some()), event.into_iter().collect()))
            })
            .await;
        // Bots react to the packet even when the response was lost: it was sent.
        let view = match &result {
            Ok((view, _)) => Some(view.clone()),
            Err(e) if e.is_network() => self
                .core
                .borrow()
                .engine()
                .packets()
                .rev()
                .find(|p| p.idempotency_key == packet.idempotency_key && p.sender == user)
                .map(|p| PacketView::new(p, user, self.now())),
            Err(_) => None,
        };
        let fresh = matches!(&result, Ok((_, true))) || matches!(&result, Err(e) if e.is_network());
        if let (Some(view), true) = (view, fresh) {
            self.schedule_bots(&view, user);
        }
        result.map(|(view, _)| view)
    }
    async fn claim(&self, user: &str, id: u64) -> Result<ClaimResult, ApiError> {
        self.mutate(|c, now| {
            c.claim(user, id, now)
                .map(|(r, e)| (r, e.into_iter().collect()))
        })
        .await
    }
    async fn recall(
        &self,
        user: &str,
        id: u64,
        authorized: bool,
    ) -> Result<RecallResult, ApiError> {
        self.mutate(|c, now| {
            c.recall(user, id, authorized, now)
                .map(|(r, e)| (r, vec![e]))
        })
        .await
    }
    async fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, ApiError> {
        self.read(|c, _| c.ledger(user)).await
    }
    async fn advance_clock(&self, secs: i64) -> Result<(), ApiError> {
        self.core.borrow_mut().advance_clock(secs);
        let now = self.now();
        let events = self.core.borrow_mut().tick(now);
        self.save();
        self.emit(&events);
        Ok(())
    }
    fn now(&self) -> Timestamp {
        MockBackend::now(self)
    }
    fn configure(&self, settings: &Settings) {
        MockBackend::configure(self, settings)
    }
    async fn reset_demo(&self) -> Result<(), ApiError> {
        self.reset();
        Ok(())
    }
    fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        self.core.borrow_mut().set_lang(lang);
    }
    fn subscribe(&self, listener: Rc<dyn Fn(&ChatEvent)>) {
        self.listeners.borrow_mut().push(listener);
    }
    /// Lab events live apart from the engine state (`hongbao:lab:<storage key>`, one JSON
    /// line per event), so resetting the demo keeps them.
    async fn log_events(&self, _user: &str, events: &[LabEvent]) -> Result<(), ApiError> {
        let key = lab_key(&self.settings.borrow().storage_key);
        let mut lines = local_get(&key).unwrap_or_default();
        for event in events {
            if let Ok(line) = serde_json::to_string(event) {
                lines.push_str(&line);
                lines.push('\n');
            }
        }
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(&key, &lines);
        }
        Ok(())
    }
    async fn lab_events(&self) -> Result<Vec<LabEvent>, ApiError> {
        let lines = local_get(&lab_key(&self.settings.borrow().storage_key)).unwrap_or_default();
        Ok(lines
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }
}

fn lab_key(key: &str) -> String {
    format!("hongbao:lab:{key}")
}

fn local_get(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

fn storage_key(key: &str) -> String {
    format!("hongbao:mock:{key}")
}

fn load(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(&storage_key(key))
        .ok()?
}

fn wall_clock() -> Timestamp {
    Timestamp::from_millis(js_sys::Date::now() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_engine::{Money, PacketKind};

    fn t0() -> Timestamp {
        Timestamp::from_utc(2026, 11, 22, 12, 0, 0)
    }

    fn settings() -> Settings {
        Settings {
            bots: false,
            ..Settings::default()
        }
    }

    fn lucky(key: &str, total: i64, count: u32) -> NewPacket {
        NewPacket {
            chat_id: demo::FAMILY.into(),
            kind: PacketKind::Lucky {
                total: Money::from_fen(total),
                count,
                split: None,
            },
            greeting: "恭喜发财".into(),
            idempotency_key: key.into(),
        }
    }

    #[test]
    fn preview_checks_like_a_send_and_changes_nothing() {
        let mut core = MockCore::new_demo(&settings(), t0());
        let ok = core
            .preview("alice", &lucky("p1", 52_000, 10), t0())
            .unwrap();
        assert_eq!(ok.total, Money::from_fen(52_000));
        assert!(
            ok.warnings
                .iter()
                .any(|w| w.code == hongbao_engine::WarningCode::Romantic),
            "{ok:?}"
        );
        // Over the per-packet limit, and (after spending) over the balance: the send's errors.
        let too_big = core.preview("alice", &lucky("p2", 20_000_000, 1), t0());
        assert_eq!(too_big.unwrap_err().code, ErrorCode::LimitExceeded);
        for i in 0..5 {
            core.send("alice", &lucky(&format!("s{i}"), 20_000, 1), t0())
                .unwrap();
        }
        let broke = core.preview("alice", &lucky("p3", 1_000, 1), t0());
        assert_eq!(broke.unwrap_err().code, ErrorCode::InsufficientBalance);
        // Previews changed nothing: five packets, and the balance only they took.
        assert_eq!(core.me("alice").unwrap().balance, Money::from_fen(0));
        let again = core.send("alice", &lucky("s0", 20_000, 1), t0()).unwrap();
        assert!(again.1.is_none(), "the same key replays");
    }

    #[test]
    fn send_claim_and_ledger_agree() {
        let mut core = MockCore::new_demo(&settings(), t0());
        let (view, event) = core.send("alice", &lucky("k1", 1000, 3), t0()).unwrap();
        assert!(event.is_some());
        assert_eq!(
            core.me("alice").unwrap().balance,
            Money::from_fen(100_000 - 1000)
        );
        let mut sum = 0;
        for user in ["bob", "carol", "dave"] {
            sum += core
                .claim(user, view.id, t0().plus_secs(1))
                .unwrap()
                .0
                .amount
                .fen();
        }
        assert_eq!(sum, 1000);
        let view = core.packet("alice", view.id, t0().plus_secs(2)).unwrap();
        assert_eq!(view.claims.iter().filter(|c| c.best_luck).count(), 1);
        assert_eq!(core.ledger("bob").unwrap()[0].packet_id, Some(view.id));
        core.engine().check_invariants().unwrap();
    }

    #[test]
    fn retries_never_double_send_or_double_claim() {
        let mut core = MockCore::new_demo(&settings(), t0());
        let (a, _) = core.send("alice", &lucky("same", 500, 2), t0()).unwrap();
        let (b, event) = core.send("alice", &lucky("same", 500, 2), t0()).unwrap();
        assert_eq!((a.id, event), (b.id, None));
        assert_eq!(
            core.me("alice").unwrap().balance,
            Money::from_fen(100_000 - 500)
        );
        let (first, _) = core.claim("bob", a.id, t0()).unwrap();
        let (again, event) = core.claim("bob", a.id, t0()).unwrap();
        assert!(again.already_claimed && event.is_none());
        assert_eq!(first.amount, again.amount);
    }

    #[test]
    fn outsiders_and_unknown_users_are_refused() {
        let mut core = MockCore::new_demo(&settings(), t0());
        let dm = NewPacket {
            chat_id: "alice-bob".into(),
            kind: PacketKind::Personal {
                to: "bob".into(),
                amount: Money::from_fen(520),
            },
            ..lucky("d", 520, 1)
        };
        let (view, _) = core.send("alice", &dm, t0()).unwrap();
        assert_eq!(
            core.packet("erin", view.id, t0()).unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            core.claim("mallory", view.id, t0()).unwrap_err().code,
            ErrorCode::Unauthorized
        );
        assert_eq!(
            core.send("erin", &dm, t0()).unwrap_err().code,
            ErrorCode::NotFound
        );
    }

    #[test]
    fn test_clock_expires_and_refunds() {
        let mut core = MockCore::new_demo(&settings(), t0());
        let (view, _) = core.send("alice", &lucky("e", 1000, 2), t0()).unwrap();
        core.claim("bob", view.id, t0()).unwrap();
        core.advance_clock(24 * 3600);
        let events = core.tick(t0().plus_millis(core.clock_offset_ms()));
        assert_eq!(events.len(), 1);
        let bob = core.me("bob").unwrap().balance.fen() - 100_000;
        assert_eq!(core.me("alice").unwrap().balance.fen(), 100_000 - bob);
    }

    #[test]
    fn state_round_trips_through_json() {
        let mut core = MockCore::new_demo(&settings(), t0());
        core.send("alice", &lucky("r", 1000, 4), t0()).unwrap();
        let back = MockCore::restore(&core.to_json(), &settings()).unwrap();
        assert_eq!(back, core);
        assert!(MockCore::restore("{not json", &settings()).is_none());
    }

    fn kinds(core: &MockCore) -> Vec<&'static str> {
        let mut kinds: Vec<_> = core
            .ops
            .iter()
            .map(|op| match op {
                Op::Send { .. } => "send",
                Op::Claim { .. } => "claim",
                Op::Recall { .. } => "recall",
                Op::Tick { .. } => "tick",
                Op::Expire { .. } => "expire",
                Op::Policy { .. } => "policy",
            })
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }

    /// A long mixed session, driven as `MockBackend` drives it (an expiry tick before each
    /// call, bots claiming on their own without one), then saved and restored: the replay
    /// gives the same engine, random sources, clock and log, and both go on alike.
    #[test]
    fn the_operation_log_replays_to_the_same_state() {
        let mut s = settings();
        let mut core = MockCore::new_demo(&s, t0());
        // The wall clock, and the mock's clock after `secs` more seconds of it, with what
        // fell due expired.
        let mut wall = t0();
        let mut at = |core: &mut MockCore, secs: i64| {
            wall = wall.plus_secs(secs);
            let now = wall.plus_millis(core.clock_offset_ms());
            core.tick(now);
            now
        };

        // Every kind of send, claims by several users.
        let now = at(&mut core, 0);
        let (l1, _) = core.send("alice", &lucky("l1", 10_000, 5), now).unwrap();
        for user in ["bob", "carol"] {
            let now = at(&mut core, 3);
            core.claim(user, l1.id, now).unwrap();
        }
        let now = at(&mut core, 1);
        let normal = NewPacket {
            kind: PacketKind::Normal {
                per_share: Money::from_fen(200),
                count: 3,
            },
            ..lucky("n1", 200, 3)
        };
        let (n1, _) = core.send("bob", &normal, now).unwrap();
        for user in ["alice", "dave"] {
            let now = at(&mut core, 2);
            core.claim(user, n1.id, now).unwrap();
        }
        let now = at(&mut core, 1);
        let personal = NewPacket {
            chat_id: "alice-bob".into(),
            kind: PacketKind::Personal {
                to: "bob".into(),
                amount: Money::from_fen(520),
            },
            ..lucky("p1", 520, 1)
        };
        let (p1, _) = core.send("alice", &personal, now).unwrap();
        let now = at(&mut core, 1);
        core.claim("bob", p1.id, now).unwrap();
        let now = at(&mut core, 1);
        let exclusive = NewPacket {
            kind: PacketKind::Exclusive {
                to: "carol".into(),
                amount: Money::from_fen(888),
            },
            ..lucky("x1", 888, 1)
        };
        let (x1, _) = core.send("alice", &exclusive, now).unwrap();

        // Bots: their plan draws on the simulation's source, their claims skip the tick.
        let mut plan = core.bot_plan(&l1, "alice");
        assert!(!plan.is_empty());
        plan.sort_by_key(|(_, delay)| *delay);
        let bots_from = at(&mut core, 0);
        for (bot, delay) in &plan {
            let _ = core.claim(bot, l1.id, bots_from.plus_millis(i64::from(*delay)));
        }
        at(&mut core, 41);
        for _ in 0..7 {
            core.sim_rng().next_u32(); // latencies and failure draws
        }

        // Refused calls change nothing and are not logged.
        let logged = core.ops.len();
        let now = at(&mut core, 1);
        assert!(core.claim("mallory", l1.id, now).is_err());
        assert!(core.claim("dave", x1.id, now).is_err());
        assert!(core.recall("bob", x1.id, true, now).is_err());
        assert!(
            core.send("alice", &lucky("big", 20_000_000, 1), now)
                .is_err()
        );
        assert_eq!(core.ops.len(), logged);

        // A policy change between sends: line-cutting, remainder recall.
        s = Settings {
            split: hongbao_engine::SplitRule::LineCutting,
            recall: RecallMode::Remainder,
            window_secs: 60,
            ..s
        };
        core.configure(&s);
        let now = at(&mut core, 1);
        let (l2, _) = core.send("carol", &lucky("l2", 5_000, 4), now).unwrap();
        let now = at(&mut core, 2);
        core.claim("erin", l2.id, now).unwrap();
        let now = at(&mut core, 2);
        let refund = core.recall("carol", l2.id, true, now).unwrap().0.refund;
        assert!(refund.is_positive());

        // The same key again: nothing new, live and after a restore alike.
        let now = at(&mut core, 1);
        let (again, event) = core.send("bob", &normal, now).unwrap();
        assert_eq!((again.id, event), (n1.id, None));

        // Delayed delivery: a tick that only delivers is logged too.
        s = Settings {
            recall: RecallMode::Delayed,
            window_secs: 30,
            ..s
        };
        core.configure(&s);
        let now = at(&mut core, 1);
        let (d1, _) = core.send("dave", &lucky("d1", 3_000, 3), now).unwrap();
        let logged = core.ops.len();
        at(&mut core, 31);
        assert_eq!(core.ops.len(), logged + 1, "the delivering tick");
        let now = at(&mut core, 1);
        core.claim("frank", d1.id, now).unwrap();
        let now = at(&mut core, 1);
        let (late, _) = core.send("grace", &lucky("late", 900, 3), now).unwrap();

        // Past 24 h: a bot's claim (no tick first) expires its packet and is refused; then
        // the tick expires the rest.
        core.advance_clock(25 * 3600);
        let late_bot = now.plus_secs(25 * 3600 + 1);
        let refused = core.claim("heidi", late.id, late_bot).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Expired);
        let now = at(&mut core, 2);
        assert_eq!(
            core.engine().packet(PacketId(x1.id)).unwrap().state,
            PacketState::Expired
        );
        assert_eq!(
            core.engine().packet(PacketId(d1.id)).unwrap().state,
            PacketState::Expired
        );
        let now = now.plus_secs(1);
        core.send("ivan", &lucky("after", 1_000, 2), now).unwrap();
        core.engine().check_invariants().unwrap();
        assert_eq!(
            kinds(&core),
            ["claim", "expire", "policy", "recall", "send", "tick"]
        );

        let json = core.to_json();
        let mut back = MockCore::restore(&json, &s).expect("the log replays");
        assert_eq!(back.engine(), core.engine());
        assert_eq!(back.money_rng, core.money_rng);
        assert_eq!(back.sim_rng, core.sim_rng);
        assert_eq!(back.clock_offset_ms(), core.clock_offset_ms());
        assert_eq!(back, core);
        for user in DEMO_USERS {
            assert_eq!(back.me(user).unwrap(), core.me(user).unwrap());
            assert_eq!(back.ledger(user).unwrap(), core.ledger(user).unwrap());
        }
        assert_eq!(back.to_json(), json);

        // Both go on alike: the retried send, and a new one with its claims.
        let now = now.plus_secs(5);
        assert_eq!(
            back.send("bob", &normal, now).unwrap(),
            core.send("bob", &normal, now).unwrap()
        );
        let next = lucky("next", 7_777, 6);
        let (view, _) = core.send("judy", &next, now).unwrap();
        assert_eq!(back.send("judy", &next, now).unwrap().0, view);
        // (Still the delayed policy: claimable after 30 s.)
        let later = now.plus_secs(31);
        for user in ["alice", "bob", "judy"] {
            assert_eq!(
                back.claim(user, view.id, later).unwrap(),
                core.claim(user, view.id, later).unwrap()
            );
        }
        assert_eq!(back.bot_plan(&view, "judy"), core.bot_plan(&view, "judy"));
        assert_eq!(back, core);
    }

    #[test]
    fn an_unreadable_log_starts_a_fresh_demo() {
        let mut core = MockCore::new_demo(&settings(), t0());
        let (view, _) = core.send("alice", &lucky("k", 1000, 3), t0()).unwrap();
        core.claim("bob", view.id, t0()).unwrap();
        let json = core.to_json();
        assert!(MockCore::restore(&json, &settings()).is_some());
        let restore = |json: &str| MockCore::restore(json, &settings());
        assert!(restore("").is_none());
        assert!(restore("{not json").is_none());
        assert!(restore(&json[..json.len() / 2]).is_none());
        // Another version, and version 1's snapshot of the engine.
        let v = format!(r#""version":{STATE_VERSION}"#);
        assert!(json.contains(&v));
        assert!(restore(&json.replace(&v, r#""version":1"#)).is_none());
        assert!(restore(&json.replace(&v, r#""version":2"#)).is_none());
        assert!(restore(&json.replace(&v, r#""version":4"#)).is_none());
        assert!(
            restore(r#"{"version":1,"engine":{},"money_rng":{"state":"1","inc":"1"}}"#).is_none()
        );
        // Readable, but it does not replay: a claim of a packet that was never sent, a
        // claim twice, a bad policy, a bad random state.
        let id = format!(r#""id":{}"#, view.id);
        assert!(restore(&json.replace(&id, r#""id":99"#)).is_none());
        let claim = &json[json.find(r#"{"op":"claim""#).unwrap()..json.rfind(']').unwrap()];
        assert!(restore(&json.replace(claim, &format!("{claim},{claim}"))).is_none());
        // A record without a field its operation needs, and an unknown operation.
        assert!(restore(&json.replace(r#""user":"bob","#, "")).is_none());
        assert!(restore(&json.replace(r#""op":"claim""#, r#""op":"steal""#)).is_none());
        assert!(restore(&json.replace("recall=window", "recall=sometimes")).is_none());
        let (state, inc) = core.sim_rng.to_parts();
        assert!(
            restore(&json.replace(
                &format!("[{state},{inc}]"),
                &format!("[{state},{}]", inc - 1)
            ))
            .is_none()
        );
    }

    #[test]
    fn settings_shape_the_policy() {
        let s = Settings {
            recall: RecallMode::Delayed,
            window_secs: 45,
            ..settings()
        };
        let p = policy_for(&s);
        assert_eq!(
            (p.recall.mode, p.recall.window_secs, p.recall.delay_secs),
            (RecallMode::Delayed, 45, 45)
        );
    }
}
