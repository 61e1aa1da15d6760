//! The mock as a [`Backend`]: [`Mock`] answers each operation from a [`MockCore`] the way
//! the widget's mock backend always has — simulated latency, failure injection (half of the
//! failures lose the request, half lose the response after the change was applied, so
//! retries must be safe), the expiry tick before every call, bots claiming on their own —
//! and leaves what needs a platform to its [`Host`]: timers, tasks, storage, listeners.
//! The widget's host is the browser (localStorage, `setTimeout`); [`InMemory`] is the
//! native one, for tests and the server's contract suite.

use std::cell::{Cell, Ref, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use hongbao_api::backend::{Backend, Call};
use hongbao_api::{
    ApiError, ChatEvent, ChatInfo, ClaimResult, LabEvent, LedgerEntry, Me, NewPacket, PacketView,
    Preview, RecallResult,
};
use hongbao_engine::{Lang, Timestamp};

use crate::config::MockConfig;
use crate::core::MockCore;
use crate::log::SaveMark;

/// A task a [`Host`] runs: a simulated delay, a bot's claim.
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

/// What the mock needs of the platform it runs on.
pub trait Host: 'static {
    /// The wall clock; the mock's clock adds the test clock's offset to it.
    fn wall_clock(&self) -> Timestamp;
    /// A future ready after `ms` milliseconds (simulated latency, a bot's delay).
    fn sleep(&self, ms: u32) -> Task;
    /// Runs `task` on its own (a bot that claims later).
    fn spawn(&self, task: Task);
    /// Stores the state ([`MockCore::to_json`]); called after every call, since the expiry
    /// tick before a read may change it too.
    fn save(&self, core: &MockCore);
    /// Delivers the changes of a call, also those made by others (bots) and by the clock.
    fn emit(&self, events: &[ChatEvent]);
    /// Appends lab events to the host's store (kept apart from the demo's state, so that a
    /// reset keeps them).
    fn log_events(&self, events: &[LabEvent]);
    /// Every stored lab event, oldest first. A future: the browser's host reads them with
    /// code it fetches only then (only the researcher's console reads them).
    fn lab_events(&self) -> Call<'_, Vec<LabEvent>>;
}

/// The mock backend over a [`Host`].
pub struct Mock<H> {
    core: Rc<RefCell<MockCore>>,
    /// What the host holds (or, for a new demo, would hold: nothing worth writing until the
    /// first change; a reload then starts the same demo afresh): see [`Mock::save`].
    saved: Cell<SaveMark>,
    /// Latency, failures and bots are read per call, so that they can change at any time.
    config: RefCell<MockConfig>,
    host: Rc<H>,
}

impl<H: Host> Mock<H> {
    /// Goes on from `restored` (a saved state read back with [`MockCore::restore`]), or
    /// starts the demo at the host's wall clock when there is none; then saves.
    ///
    /// The caller restores, not this: a page that has nothing saved (a first visit) then
    /// carries no restoring code (the widget fetches it only when there is a state to
    /// restore, `src/split.rs`).
    pub fn start(config: MockConfig, host: H, restored: Option<MockCore>) -> Mock<H> {
        let core = restored.unwrap_or_else(|| MockCore::new_demo(&config, host.wall_clock()));
        Mock {
            saved: Cell::new(core.save_mark()),
            core: Rc::new(RefCell::new(core)),
            config: RefCell::new(config),
            host: Rc::new(host),
        }
    }

    /// Hands the core to the host to keep, if anything it keeps changed since the last time
    /// (most calls only read: no serializing and writing the whole log for them).
    fn save(&self) {
        if self.saved.get() != self.core.borrow().save_mark() {
            self.save_anyway();
        }
    }

    /// Hands the core to the host to keep, changed or not: after a call the simulated network
    /// failed, whose draws only the simulation's random source remembers.
    fn save_anyway(&self) {
        let core = self.core.borrow();
        self.host.save(&core);
        self.saved.set(core.save_mark());
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    /// The core, to read (tests, diagnostics).
    pub fn core(&self) -> Ref<'_, MockCore> {
        self.core.borrow()
    }

    /// The mock's clock: the wall clock plus the test offset.
    pub fn now(&self) -> Timestamp {
        now(&*self.host, &self.core)
    }

    /// Applies a changed configuration: the policy of later sends (recall, split), latency,
    /// failure injection and bots. The seed stays the demo's and the language stays as
    /// [`Mock::set_lang`] set it.
    pub fn configure(&self, config: MockConfig) {
        let mut core = self.core.borrow_mut();
        let lang = core.lang();
        core.configure(&config);
        core.set_lang(lang);
        let mut current = self.config.borrow_mut();
        *current = MockConfig {
            seed: current.seed,
            ..config
        };
    }

    /// The language of error messages.
    pub fn set_lang(&self, lang: Lang) {
        self.core.borrow_mut().set_lang(lang);
    }

    /// Forgets everything and starts the demo again ("reset demo").
    pub fn reset(&self) {
        let mut fresh = MockCore::new_demo(&self.config.borrow(), self.host.wall_clock());
        fresh.set_lang(self.core.borrow().lang());
        *self.core.borrow_mut() = fresh;
        self.save();
    }

    fn lost(&self) -> ApiError {
        ApiError::network(
            self.core
                .borrow()
                .lang()
                .pick("网络异常，请重试", "Network error, please retry"),
        )
    }

    /// Simulated network: waits, and maybe fails before the call (`Err`) or marks the
    /// response to be lost after it (`Ok(true)`).
    async fn network(&self) -> Result<bool, ApiError> {
        let (delay, fail_before, fail_after) = {
            let mut core = self.core.borrow_mut();
            let rng = core.sim_rng();
            let config = self.config.borrow();
            let delay = config.latency_ms.unwrap_or_else(|| rng.between(150, 400));
            let fail = u32::from(config.fail_percent) > rng.below(100);
            let before = fail && rng.below(2) == 0;
            (delay, before, fail && !before)
        };
        if delay > 0 {
            self.host.sleep(delay).await;
        }
        if fail_before {
            return Err(self.lost());
        }
        Ok(fail_after)
    }

    /// Runs a call: network, expiry tick, the call, save, events.
    async fn mutate<T>(
        &self,
        f: impl FnOnce(&mut MockCore, Timestamp) -> Result<(T, Vec<ChatEvent>), ApiError>,
    ) -> Result<T, ApiError> {
        let lose_response = match self.network().await {
            Ok(lose) => lose,
            Err(lost) => {
                // Saved with the draws that failed it: a reload does not fail the same way.
                self.save_anyway();
                return Err(lost);
            }
        };
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
        if lose_response {
            self.save_anyway();
            self.host.emit(&events);
            return Err(self.lost());
        }
        self.save();
        self.host.emit(&events);
        result
    }

    /// Runs a call that changes nothing itself (the expiry tick before it may).
    async fn read<T>(
        &self,
        f: impl FnOnce(&MockCore, Timestamp) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.mutate(|core, now| f(core, now).map(|v| (v, Vec::new())))
            .await
    }

    /// Bots: some members of the packet's chat claim it 8–40 s later.
    fn schedule_bots(&self, packet: &PacketView, acting_user: &str) {
        if !self.config.borrow().bots {
            return;
        }
        let plan = self.core.borrow_mut().bot_plan(packet, acting_user);
        for (bot, delay) in plan {
            let (core, host, id) = (Rc::clone(&self.core), Rc::clone(&self.host), packet.id);
            self.host.spawn(Box::pin(async move {
                host.sleep(delay).await;
                let now = now(&*host, &core);
                let result = core.borrow_mut().claim(&bot, id, now);
                if let Ok((_, Some(event))) = result {
                    host.save(&core.borrow());
                    host.emit(&[event]);
                }
            }));
        }
    }
}

fn now<H: Host>(host: &H, core: &RefCell<MockCore>) -> Timestamp {
    host.wall_clock()
        .plus_millis(core.borrow().clock_offset_ms())
}

impl<H: Host> Backend for Mock<H> {
    fn me<'a>(&'a self, user: &'a str) -> Call<'a, Me> {
        Box::pin(self.read(move |c, _| c.me(user)))
    }
    fn chats<'a>(&'a self, user: &'a str) -> Call<'a, Vec<ChatInfo>> {
        Box::pin(self.read(move |c, _| c.chats(user)))
    }
    fn chat_packets<'a>(&'a self, user: &'a str, chat_id: &'a str) -> Call<'a, Vec<PacketView>> {
        Box::pin(self.read(move |c, now| c.chat_packets(user, chat_id, now)))
    }
    fn packet<'a>(&'a self, user: &'a str, id: u64) -> Call<'a, PacketView> {
        Box::pin(self.read(move |c, now| c.packet(user, id, now)))
    }
    fn preview<'a>(&'a self, user: &'a str, draft: &'a NewPacket) -> Call<'a, Preview> {
        Box::pin(self.read(move |c, now| c.preview(user, draft, now)))
    }
    fn send<'a>(&'a self, user: &'a str, packet: &'a NewPacket) -> Call<'a, PacketView> {
        Box::pin(async move {
            let result = self
                .mutate(|c, now| {
                    c.send(user, packet, now)
                        .map(|(view, event)| ((view, event.is_some()), event.into_iter().collect()))
                })
                .await;
            // Bots react to a new packet even when the response was lost: it was sent.
            let fresh = match &result {
                Ok((view, true)) => Some(view.clone()),
                Err(e) if e.is_network() => {
                    self.core()
                        .sent_with_key(user, &packet.idempotency_key, self.now())
                }
                _ => None,
            };
            if let Some(view) = fresh {
                self.schedule_bots(&view, user);
            }
            result.map(|(view, _)| view)
        })
    }
    fn claim<'a>(&'a self, user: &'a str, id: u64) -> Call<'a, ClaimResult> {
        Box::pin(self.mutate(move |c, now| {
            c.claim(user, id, now)
                .map(|(r, e)| (r, e.into_iter().collect()))
        }))
    }
    fn recall<'a>(&'a self, user: &'a str, id: u64, authorized: bool) -> Call<'a, RecallResult> {
        Box::pin(self.mutate(move |c, now| {
            c.recall(user, id, authorized, now)
                .map(|(r, e)| (r, vec![e]))
        }))
    }
    fn ledger<'a>(&'a self, user: &'a str) -> Call<'a, Vec<LedgerEntry>> {
        Box::pin(self.read(move |c, _| c.ledger(user)))
    }
    /// Moves the test clock (no latency, never fails) and expires what fell due.
    fn advance_clock(&self, secs: i64) -> Call<'_, ()> {
        Box::pin(async move {
            self.core.borrow_mut().advance_clock(secs);
            let now = self.now();
            let events = self.core.borrow_mut().tick(now);
            self.save();
            self.host.emit(&events);
            Ok(())
        })
    }
    fn log_events<'a>(&'a self, _user: &'a str, events: &'a [LabEvent]) -> Call<'a, ()> {
        Box::pin(async move {
            self.host.log_events(events);
            Ok(())
        })
    }
    fn lab_events(&self) -> Call<'_, Vec<LabEvent>> {
        self.host.lab_events()
    }
}

/// A host without a platform: time stands still (sleeps are instant; the wall clock moves
/// only by [`InMemory::pass`]), spawned tasks wait until [`InMemory::run_tasks`], the state
/// and the events are kept to be read back. The native tests and the server's contract
/// suite run the mock on it.
pub struct InMemory {
    wall: Cell<Timestamp>,
    tasks: RefCell<VecDeque<Task>>,
    saved: RefCell<String>,
    saves: Cell<usize>,
    events: RefCell<Vec<ChatEvent>>,
    lab: RefCell<Vec<LabEvent>>,
}

impl InMemory {
    /// A host whose wall clock shows `wall`.
    pub fn new(wall: Timestamp) -> InMemory {
        InMemory {
            wall: Cell::new(wall),
            tasks: RefCell::new(VecDeque::new()),
            saved: RefCell::new(String::new()),
            saves: Cell::new(0),
            events: RefCell::new(Vec::new()),
            lab: RefCell::new(Vec::new()),
        }
    }

    /// Moves the wall clock forward.
    pub fn pass(&self, ms: i64) {
        self.wall.set(self.wall.get().plus_millis(ms));
    }

    /// Runs the spawned tasks, oldest first, until none is left.
    pub async fn run_tasks(&self) {
        loop {
            let next = self.tasks.borrow_mut().pop_front();
            match next {
                Some(task) => task.await,
                None => return,
            }
        }
    }

    /// The state last saved.
    pub fn saved(&self) -> String {
        self.saved.borrow().clone()
    }

    /// How many times the state was saved.
    pub fn saves(&self) -> usize {
        self.saves.get()
    }

    /// The events delivered since the last call of this.
    pub fn take_events(&self) -> Vec<ChatEvent> {
        std::mem::take(&mut self.events.borrow_mut())
    }
}

impl Host for InMemory {
    fn wall_clock(&self) -> Timestamp {
        self.wall.get()
    }
    fn sleep(&self, _ms: u32) -> Task {
        Box::pin(std::future::ready(()))
    }
    fn spawn(&self, task: Task) {
        self.tasks.borrow_mut().push_back(task);
    }
    fn save(&self, core: &MockCore) {
        *self.saved.borrow_mut() = core.to_json();
        self.saves.set(self.saves.get() + 1);
    }
    fn emit(&self, events: &[ChatEvent]) {
        self.events.borrow_mut().extend_from_slice(events);
    }
    fn log_events(&self, events: &[LabEvent]) {
        self.lab.borrow_mut().extend_from_slice(events);
    }
    fn lab_events(&self) -> Call<'_, Vec<LabEvent>> {
        let events = self.lab.borrow().clone();
        Box::pin(async move { Ok(events) })
    }
}

impl Mock<InMemory> {
    /// The mock on an [`InMemory`] host, starting the demo at `wall`.
    pub fn in_memory(config: MockConfig, wall: Timestamp) -> Mock<InMemory> {
        Mock::start(config, InMemory::new(wall), None)
    }
}
