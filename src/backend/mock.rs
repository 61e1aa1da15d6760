//! The mock backend: the engine in the page.
//!
//! [`MockCore`] is the synchronous part (engine, random sources, test clock, views) and is
//! tested natively. [`MockBackend`] wraps it for the browser: simulated latency, failure
//! injection (half of the failures lose the request, half lose the response after the change
//! was applied, so retries must be safe), simulated members ("bots") who claim on their own,
//! persistence in localStorage, and live-update listeners.

use super::Backend;
use crate::settings::Settings;
use hongbao_api::demo::{self, DEMO_BALANCE, DEMO_USERS};
use hongbao_api::{
    ApiError, ChatEvent, ChatInfo, ClaimResult, LabEvent, LedgerEntry, Me, NewPacket, PacketView,
    Preview, RecallResult,
};
use hongbao_engine::{
    Engine, Lang, PacketId, PacketKindTag, Policy, RecallMode, RecallPolicy, Rng, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Bumped when the persisted shape changes; an older snapshot is replaced by a fresh demo.
const STATE_VERSION: u32 = 1;

/// The synchronous mock: everything but timing and storage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MockCore {
    version: u32,
    engine: Engine,
    /// Draws shares (the money's randomness).
    money_rng: Rng,
    /// Draws latencies, failures and bot behaviour; kept apart so that failure injection
    /// does not change the shares a replay draws.
    sim_rng: Rng,
    /// The test clock: added to the wall clock.
    clock_offset_ms: i64,
    #[serde(skip)]
    lang: Lang,
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
            version: STATE_VERSION,
            engine,
            money_rng: Rng::with_stream(settings.seed, 1),
            sim_rng: Rng::with_stream(settings.seed, 2),
            clock_offset_ms: 0,
            lang: settings.lang,
        }
    }

    /// Restores a persisted state; `None` when it is unreadable or of another version.
    pub fn restore(json: &str, settings: &Settings) -> Option<MockCore> {
        let mut core: MockCore = serde_json::from_str(json).ok()?;
        if core.version != STATE_VERSION || core.engine.check_invariants().is_err() {
            return None;
        }
        core.configure(settings);
        Some(core)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the mock state serializes")
    }

    /// Applies the settings that shape later sends (recall policy, split rule) and the language.
    pub fn configure(&mut self, settings: &Settings) {
        self.engine.set_policy(policy_for(settings));
        self.lang = settings.lang;
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
        self.engine
            .tick(now)
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
                "unauthorized",
                self.lang.pick("未知用户", "unknown user"),
            )),
        }
    }

    fn chat(&self, user: &str, chat_id: &str) -> Result<ChatInfo, ApiError> {
        self.user_known(user)?;
        demo::chat_for(user, chat_id).ok_or_else(|| {
            ApiError::new("not_found", self.lang.pick("没有这个聊天", "no such chat"))
        })
    }

    fn visible_packet(&self, user: &str, id: u64) -> Result<&hongbao_engine::Packet, ApiError> {
        self.user_known(user)?;
        self.engine
            .packet(PacketId(id))
            .filter(|p| p.members.iter().any(|m| m == user))
            .ok_or_else(|| {
                ApiError::new(
                    "not_found",
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
        let request = draft.to_request(user, &chat)?;
        let total = request.kind.total().ok_or_else(|| {
            ApiError::new(
                "invalid_amount",
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
        .map_err(|e| ApiError::engine(e.code(), e.message(self.lang)))?;
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
        let request = packet.to_request(user, &chat)?;
        let sent = self
            .engine
            .send(&request, now, &mut self.money_rng)
            .map_err(|e| ApiError::engine(e.code(), e.message(self.lang)))?;
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
        self.visible_packet(user, id)?;
        let claimed = self
            .engine
            .claim(PacketId(id), user, now, &mut self.money_rng)
            .map_err(|e| ApiError::engine(e.code(), e.message(self.lang)))?;
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
        self.visible_packet(user, id)?;
        let recalled = self
            .engine
            .recall(PacketId(id), user, now, authorized)
            .map_err(|e| ApiError::engine(e.code(), e.message(self.lang)))?;
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
    use hongbao_engine::Money;

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
            kind: PacketKindTag::Lucky,
            amount: Money::from_fen(total),
            count,
            greeting: "恭喜发财".into(),
            recipient: None,
            split: None,
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
        assert_eq!(too_big.unwrap_err().code, "limit_exceeded");
        for i in 0..5 {
            core.send("alice", &lucky(&format!("s{i}"), 20_000, 1), t0())
                .unwrap();
        }
        let broke = core.preview("alice", &lucky("p3", 1_000, 1), t0());
        assert_eq!(broke.unwrap_err().code, "insufficient_balance");
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
            kind: PacketKindTag::Personal,
            recipient: Some("bob".into()),
            count: 1,
            ..lucky("d", 520, 1)
        };
        let (view, _) = core.send("alice", &dm, t0()).unwrap();
        assert_eq!(
            core.packet("erin", view.id, t0()).unwrap_err().code,
            "not_found"
        );
        assert_eq!(
            core.claim("mallory", view.id, t0()).unwrap_err().code,
            "unauthorized"
        );
        assert_eq!(core.send("erin", &dm, t0()).unwrap_err().code, "not_found");
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
