//! The researcher's side of the HTTP backend ([`Research`]): signing in with a researcher's
//! own account (not a demo user's), the studies the server keeps, everyone's lab events and
//! the results the server computes from them, and their live stream. Reached only from the lab (`src/lab`), through
//! [`Connection::research`](super::Connection::research), so it lives in the HTTP backend's
//! chunk with the rest of `http.rs`.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use hongbao_api::http;
use hongbao_api::{ApiError, ErrorCode, LabEvent};
use hongbao_study::results::VariantResult;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::http::HttpBackend;
use super::{Call, Research};

/// The first and the longest pause before a failed stream is opened again, in ms.
const RETRY_MS: (u32, u32) = (1_000, 30_000);

/// A researcher's session on the page's server.
pub struct ServerResearch {
    client: Weak<HttpBackend>,
    researcher: RefCell<Option<String>>,
}

impl ServerResearch {
    pub fn new(client: Weak<HttpBackend>) -> ServerResearch {
        ServerResearch {
            client,
            researcher: RefCell::new(None),
        }
    }

    fn client(&self) -> Result<Rc<HttpBackend>, ApiError> {
        self.client
            .upgrade()
            .ok_or_else(|| ApiError::network("the page is closing"))
    }

    /// The signed-in researcher, or an error saying that one must sign in.
    fn who(&self) -> Result<String, ApiError> {
        self.researcher
            .borrow()
            .clone()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "sign in as a researcher first"))
    }
}

impl Research for ServerResearch {
    fn sign_in<'a>(&'a self, user: &'a str, password: &'a str) -> Call<'a, ()> {
        Box::pin(async move {
            let client = self.client()?;
            client.sign_in(user, password).await?;
            // A researcher reads the studies; anyone else is refused here, not later.
            client.studies(user).await?;
            *self.researcher.borrow_mut() = Some(user.to_owned());
            Ok(())
        })
    }
    fn researcher(&self) -> Option<String> {
        self.researcher.borrow().clone()
    }
    fn studies(&self) -> Call<'_, String> {
        Box::pin(async move {
            let studies = self.client()?.studies(&self.who()?).await?;
            Ok(format!("[{}]", studies.join(",")))
        })
    }
    fn save_study<'a>(&'a self, key: &'a str, study: &'a str) -> Call<'a, ()> {
        Box::pin(async move {
            self.client()?
                .put_study(&self.who()?, key, study)
                .await
                .map(|_| ())
        })
    }
    fn delete_study<'a>(&'a self, key: &'a str) -> Call<'a, ()> {
        // Gone already (another researcher's console): as good as deleted.
        Box::pin(async move {
            self.client()?
                .delete_study(&self.who()?, key)
                .await
                .map(|_| ())
        })
    }
    fn events<'a>(&'a self, experiment: &'a str) -> Call<'a, Vec<LabEvent>> {
        Box::pin(async move { self.client()?.lab_events_of(&self.who()?, experiment).await })
    }
    fn results<'a>(
        &'a self,
        experiment: &'a str,
        variants: &'a [String],
        forced: bool,
    ) -> Call<'a, Vec<VariantResult>> {
        Box::pin(async move {
            let json = self
                .client()?
                .lab_results(&self.who()?, experiment, variants, forced)
                .await?;
            serde_json::from_str(&json)
                .map_err(|e| ApiError::new(ErrorCode::InvalidResponse, format!("results: {e}")))
        })
    }
    fn watch(&self, changed: Rc<dyn Fn()>) -> Box<dyn std::any::Any> {
        let watch = Rc::new(Watch {
            source: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
        });
        if let Ok(user) = self.who() {
            open(self.client.clone(), user, Rc::downgrade(&watch), changed, 0);
        }
        Box::new(watch)
    }
}

/// An `EventSource` listener, kept as long as its stream.
type Handler = Closure<dyn FnMut(web_sys::Event)>;

/// A live stream of everyone's lab events; closed when the lab drops it.
struct Watch {
    source: RefCell<Option<web_sys::EventSource>>,
    handlers: RefCell<Vec<Handler>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(source) = self.source.borrow_mut().take() {
            source.close();
        }
    }
}

/// After `delay_ms`, a ticket, then the stream: `changed` on every message and once it opens
/// (events may have come in meanwhile); on an error, closed and opened again with a new
/// ticket after twice the pause.
fn open(
    client: Weak<HttpBackend>,
    user: String,
    watch: Weak<Watch>,
    changed: Rc<dyn Fn()>,
    delay_ms: u32,
) {
    leptos::task::spawn_local(async move {
        if delay_ms > 0 {
            gloo_timers::future::TimeoutFuture::new(delay_ms).await;
        }
        let (Some(backend), Some(live)) = (client.upgrade(), watch.upgrade()) else {
            return;
        };
        let next = (delay_ms * 2).clamp(RETRY_MS.0, RETRY_MS.1);
        let source = backend.lab_stream_ticket(&user).await.ok().and_then(|t| {
            let url = backend
                .transport()
                .url(&http::lab_events_stream_path(&t.ticket));
            web_sys::EventSource::new(&url).ok()
        });
        let Some(source) = source else {
            open(client, user, watch, changed, next);
            return;
        };
        let mut handlers = Vec::new();
        for name in ["message", "open"] {
            let changed = changed.clone();
            let on = Handler::new(move |_e: web_sys::Event| changed());
            let _ = source.add_event_listener_with_callback(name, on.as_ref().unchecked_ref());
            handlers.push(on);
        }
        let (again, stale) = (watch.clone(), live.clone());
        let on_error = Handler::new(move |_e: web_sys::Event| {
            if let Some(source) = stale.source.borrow_mut().take() {
                source.close();
            }
            open(
                client.clone(),
                user.clone(),
                again.clone(),
                changed.clone(),
                next,
            );
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        handlers.push(on_error);
        *live.source.borrow_mut() = Some(source);
        // The old stream's handlers may be running: they are replaced, not dropped under it.
        let old = live.handlers.replace(handlers);
        leptos::task::spawn_local(async move { drop(old) });
    });
}
