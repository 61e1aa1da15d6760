//! The mock backend of the browser: `hongbao-mock`'s [`Mock`] (the engine in the page, with
//! latency, failure injection, expiry ticks and bots) on the [`Browser`] host: the page's
//! clock, `setTimeout`, localStorage and the widget's listeners.
//!
//! What is persisted (under `hongbao:mock:<storage key>`) is the mock core's operation log
//! (`hongbao_mock::MockCore::to_json`), replayed on load; lab events are kept apart
//! (`hongbao:lab:<storage key>`, one JSON line per event), so resetting the demo keeps them.

use super::{AnyBackend, Call, Connection, Listener};
use crate::settings::Settings;
use hongbao_api::{ChatEvent, LabEvent};
use hongbao_engine::{Lang, Timestamp};
use hongbao_mock::{Host, Mock, MockCore, Task};
use std::cell::RefCell;
use std::rc::Rc;

/// The mock backend of the browser.
pub type MockBackend = Mock<Browser>;

/// The browser, as the mock's host.
pub struct Browser {
    /// Keeps the mock state of several widgets on one page apart.
    storage_key: String,
    listeners: RefCell<Vec<Listener>>,
}

/// The state saved under the settings' storage key, if any (see [`restore`]).
pub fn saved(settings: &Settings) -> Option<String> {
    crate::local::get(&state_key(&settings.storage_key))
}

/// The state saved under the settings' storage key, restored (its log replayed), or `None`
/// when there is none or it does not restore (the demo starts afresh). The restoring code
/// (the log's reader, the replay, the engine's invariant check) is a split point
/// ([`crate::split::restore_mock`]): a first visit, with nothing saved, never fetches it;
/// later visits find it in the browser's cache.
pub async fn restore(settings: &Settings) -> Result<Option<MockCore>, crate::split::LoadFailed> {
    let Some(saved) = saved(settings) else {
        return Ok(None);
    };
    let config = crate::settings::mock_config(settings);
    Ok(crate::split::restore_mock(saved, config).await?.take())
}

/// The mock on `restored` (see [`restore`]), or on a new demo.
pub fn connect(settings: &Settings, restored: Option<MockCore>) -> AnyBackend {
    let host = Browser {
        storage_key: settings.storage_key.clone(),
        listeners: RefCell::new(Vec::new()),
    };
    Rc::new(Mock::start(
        crate::settings::mock_config(settings),
        host,
        restored,
    ))
}

impl Host for Browser {
    fn wall_clock(&self) -> Timestamp {
        Timestamp::from_millis(js_sys::Date::now() as i64)
    }
    fn sleep(&self, ms: u32) -> Task {
        Box::pin(gloo_timers::future::TimeoutFuture::new(ms))
    }
    fn spawn(&self, task: Task) {
        leptos::task::spawn_local(task);
    }
    fn save(&self, core: &MockCore) {
        crate::local::set(&state_key(&self.storage_key), &core.to_json());
    }
    fn emit(&self, events: &[ChatEvent]) {
        let listeners = self.listeners.borrow().clone();
        for event in events {
            for listener in &listeners {
                listener(event);
            }
        }
    }
    fn log_events(&self, events: &[LabEvent]) {
        let key = lab_key(&self.storage_key);
        let mut lines = crate::local::get(&key).unwrap_or_default();
        for event in events {
            if let Ok(line) = serde_json::to_string(event) {
                lines.push_str(&line);
                lines.push('\n');
            }
        }
        crate::local::set(&key, &lines);
    }
    fn lab_events(&self) -> Call<'_, Vec<LabEvent>> {
        let lines = crate::local::get(&lab_key(&self.storage_key)).unwrap_or_default();
        Box::pin(async move {
            crate::split::read_lab_events(lines).await.map_err(|_| {
                hongbao_api::ApiError::network(crate::i18n::Msg::LoadFailed.text(Lang::En))
            })
        })
    }
}

impl Connection for MockBackend {
    fn now(&self) -> Timestamp {
        Mock::now(self)
    }
    fn set_lang(&self, lang: Lang) {
        Mock::set_lang(self, lang)
    }
    fn configure(&self, settings: &Settings) {
        Mock::configure(self, crate::settings::mock_config(settings))
    }
    fn reset_demo(&self) -> Call<'_, ()> {
        Box::pin(async move {
            self.reset();
            Ok(())
        })
    }
    fn subscribe(&self, listener: Listener) {
        self.host().listeners.borrow_mut().push(listener);
    }
    fn kept_studies<'a>(&'a self, _key: &'a str) -> Call<'a, Option<String>> {
        Box::pin(async { Ok(crate::local::get(hongbao_study::definition::STORAGE_KEY)) })
    }
    fn join_study<'a>(
        &'a self,
        _key: &'a str,
        _participant: &'a str,
        _variant: Option<&'a str>,
    ) -> Call<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn research(&self) -> Option<Rc<dyn super::Research>> {
        None
    }
}

fn state_key(key: &str) -> String {
    format!("hongbao:mock:{key}")
}

fn lab_key(key: &str) -> String {
    format!("hongbao:lab:{key}")
}
