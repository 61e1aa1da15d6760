//! The state every screen shares, provided as context by [`crate::App`].

use crate::backend::AnyBackend;
use crate::settings::Settings;
use hongbao_engine::{Lang, Timestamp};
use leptos::prelude::*;
use std::rc::Rc;

/// Which screen the phone shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Chats,
    Chat(String),
    Wallet,
    Settings,
    Lab,
}

/// A study's participant (`?study=`, `crate::study`): what the study lets them see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Participant {
    /// The identity switcher shows (a study whose tasks need another identity).
    pub identity: bool,
}

/// Shared UI state. `Copy`: signals and stored values are handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    /// The identity the user acts as (the identity switcher changes it).
    pub user: RwSignal<String>,
    /// The settings in force (the settings panel changes them).
    pub settings: RwSignal<Settings>,
    /// Bumped on every change the backend reports (own or others'): resources that read it
    /// refetch, which is how live updates reach every screen.
    pub revision: RwSignal<u64>,
    /// The backend's clock, refreshed every second (countdowns read it).
    pub now: RwSignal<Timestamp>,
    pub screen: RwSignal<Screen>,
    /// The packet whose card is open (over the chat), if any.
    pub open_packet: RwSignal<Option<u64>>,
    /// The send sheet is open (over the open chat).
    pub composing: RwSignal<bool>,
    /// The wide layout (chat list and chat side by side): set by `crate::nav` on a wide page,
    /// never in an embedded widget.
    pub wide: RwSignal<bool>,
    /// Animations on: the setting, and the system's `prefers-reduced-motion` not set.
    pub motion: Signal<bool>,
    /// A study's participant: no Lab or Settings, no demo hints (set by the shell).
    pub participant: Option<Participant>,
    backend: StoredValue<AnyBackend, LocalStorage>,
}

impl AppState {
    pub fn new(settings: Settings, backend: AnyBackend) -> AppState {
        let reduced = reduced_motion();
        let settings = RwSignal::new(settings);
        let now = RwSignal::new(backend.now());
        let state = AppState {
            lang: RwSignal::new(settings.get_untracked().lang),
            user: RwSignal::new(settings.get_untracked().user),
            settings,
            revision: RwSignal::new(0),
            now,
            screen: RwSignal::new(Screen::Chats),
            open_packet: RwSignal::new(None),
            composing: RwSignal::new(false),
            wide: RwSignal::new(false),
            motion: Signal::derive(move || settings.with(|s| s.motion) && !reduced),
            participant: None,
            backend: StoredValue::new_local(backend),
        };
        let revision = state.revision;
        state
            .backend()
            .subscribe(Rc::new(move |_event| revision.update(|r| *r += 1)));
        state
    }

    /// The backend (a cheap clone of a handle).
    pub fn backend(&self) -> AnyBackend {
        self.backend.get_value()
    }

    /// Re-reads the backend's clock (after a fast-forward, and every second).
    pub fn refresh_now(&self) {
        self.now.set(self.backend().now());
    }

    /// Whether this page may show `screen` (a participant has no Lab or Settings).
    pub fn allows(&self, screen: &Screen) -> bool {
        self.participant.is_none() || !matches!(screen, Screen::Settings | Screen::Lab)
    }

    /// Marks the data stale so that every resource refetches.
    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
    }
}

/// The [`AppState`] provided by the app; panics only on a programming error (a component
/// used outside the app).
pub fn use_app() -> AppState {
    use_context::<AppState>().expect("AppState is provided by App")
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}
