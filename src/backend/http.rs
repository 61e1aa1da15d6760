//! The HTTP backend: the project's server (PRODUCT §8) behind the same interface as the
//! mock.
//!
//! It is `hongbao_api`'s [`Client`] (the API's requests, logging in as the acting demo user
//! with password `hongbao` the first time and keeping the token; the contract suite runs the
//! same client natively) over the [`Web`] transport: `fetch`, and the server's
//! Server-Sent Events for live updates: after `chats(user)`, one `EventSource` per chat,
//! opened with a single-use ticket ([`Client::stream_ticket`]; `EventSource` cannot send
//! headers, and the token never goes into a URL). A stream that fails is closed and opened
//! again with a new ticket after a pause (the browser's own reconnect would present the
//! spent ticket); a reopened stream or a `lagged` event makes every screen refetch. The server decides the policy (recall mode,
//! split rule), so `configure` changes nothing here, and the server's data cannot be reset
//! from a widget.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use hongbao_api::client::{Client, Fetched, Transport};
use hongbao_api::http::{self, Request};
use hongbao_api::{ApiError, ChatEvent, ChatInfo, ErrorCode};
use hongbao_engine::{Lang, Timestamp};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use super::{AnyBackend, Call, Connection, Listener};
use crate::settings::Settings;

/// The backend of a widget talking to a server.
pub type HttpBackend = Client<Web>;

/// One chat's event stream; the closures live as long as the stream.
struct Stream {
    source: web_sys::EventSource,
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// The first and the longest pause before a failed event stream is opened again, in ms.
const RETRY_MS: (u32, u32) = (1_000, 30_000);

/// The browser's way to the server: `fetch` and `EventSource`.
pub struct Web {
    /// The client this transport belongs to (it asks for the stream tickets).
    client: Weak<HttpBackend>,
    /// The server's origin, `""` for the page's own.
    base: String,
    lang: Cell<Lang>,
    /// The server's clock minus this page's (the test clock moves it).
    offset_ms: Cell<i64>,
    listeners: Rc<RefCell<Vec<Listener>>>,
    /// chat id → its stream (`None` while its ticket is on the way or it waits to reopen).
    streams: RefCell<HashMap<String, Option<Stream>>>,
    /// The researcher's session, once the lab asks for it.
    research: RefCell<Option<Rc<super::research::ServerResearch>>>,
}

fn js_error(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::network(format!("{e:?}"))
}

/// A client of the server the settings name (or of the page's own origin).
pub fn connect(settings: &Settings) -> AnyBackend {
    let base = settings
        .server
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    let lang = settings.lang;
    Rc::new_cyclic(|client: &Weak<HttpBackend>| {
        let web = Web {
            client: client.clone(),
            base,
            lang: Cell::new(lang),
            offset_ms: Cell::new(0),
            listeners: Rc::new(RefCell::new(Vec::new())),
            streams: RefCell::new(HashMap::new()),
            research: RefCell::new(None),
        };
        Client::new(web, &settings.user)
    })
}

impl Web {
    /// The address of `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends one request; the status and the body text. A failure to reach the server is a
    /// `network` error (retryable).
    async fn send(&self, req: &Request, token: Option<&str>) -> Result<(u16, String), ApiError> {
        let init = web_sys::RequestInit::new();
        init.set_method(req.method);
        let headers = web_sys::Headers::new().map_err(js_error)?;
        headers
            .set("accept-language", self.lang.get().as_str())
            .map_err(js_error)?;
        if let Some(token) = token {
            headers
                .set("authorization", &format!("Bearer {token}"))
                .map_err(js_error)?;
        }
        if let Some(body) = &req.body {
            headers
                .set("content-type", "application/json")
                .map_err(js_error)?;
            init.set_body(&wasm_bindgen::JsValue::from_str(body));
        }
        init.set_headers(&headers);
        let url = format!("{}{}", self.base, req.path);
        let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(js_error)?;
        let window = web_sys::window().ok_or_else(|| ApiError::network("no window"))?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| ApiError::network("the server cannot be reached"))?
            .dyn_into()
            .map_err(js_error)?;
        let text = JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(|_| ApiError::network("the response was cut off"))?
            .as_string()
            .unwrap_or_default();
        Ok((response.status(), text))
    }

    fn emit(listeners: &RefCell<Vec<Listener>>, event: &ChatEvent) {
        let listeners = listeners.borrow().clone();
        for l in listeners {
            l(event);
        }
    }

    /// Opens the event stream of each chat not watched yet, as `user`.
    fn watch(&self, user: &str, chats: &[ChatInfo]) {
        for chat in chats {
            if self.streams.borrow().contains_key(&chat.id) {
                continue;
            }
            self.streams.borrow_mut().insert(chat.id.clone(), None);
            Web::open(
                self.client.clone(),
                user.to_owned(),
                chat.id.clone(),
                0,
                false,
            );
        }
    }

    /// After `delay_ms`, asks for a ticket and opens `chat_id`'s stream with it; `reopened`:
    /// events may have been missed, so the screens refetch once it is open. A failure (no
    /// ticket, or a stream that errs) tries again after twice the pause, up to
    /// [`RETRY_MS`]'s longest.
    fn open(
        client: Weak<HttpBackend>,
        user: String,
        chat_id: String,
        delay_ms: u32,
        reopened: bool,
    ) {
        leptos::task::spawn_local(async move {
            if delay_ms > 0 {
                gloo_timers::future::TimeoutFuture::new(delay_ms).await;
            }
            let Some(backend) = client.upgrade() else {
                return;
            };
            let next = (delay_ms * 2).clamp(RETRY_MS.0, RETRY_MS.1);
            let ticket = backend.stream_ticket(&user, &chat_id).await;
            let web = backend.transport();
            let source = ticket.ok().and_then(|t| {
                let url = format!("{}{}", web.base, http::events_path(&chat_id, &t.ticket));
                web_sys::EventSource::new(&url).ok()
            });
            let Some(source) = source else {
                Web::open(client, user, chat_id, next, true);
                return;
            };
            let stream = web.handlers(source, &client, &user, &chat_id, next, reopened);
            web.streams.borrow_mut().insert(chat_id, Some(stream));
        });
    }

    /// The stream's handlers: events to the listeners; on open after a failure and on
    /// `lagged`, a refetch; on an error, close and open again with a new ticket.
    fn handlers(
        &self,
        source: web_sys::EventSource,
        client: &Weak<HttpBackend>,
        user: &str,
        chat_id: &str,
        next_ms: u32,
        reopened: bool,
    ) -> Stream {
        let refresh = ChatEvent::PacketExpired {
            chat_id: chat_id.to_owned(),
            packet_id: 0,
        };
        let mut handlers = Vec::new();
        let listeners = self.listeners.clone();
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let data = e
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string());
            if let Some(event) = data.and_then(|d| serde_json::from_str::<ChatEvent>(&d).ok()) {
                Web::emit(&listeners, &event);
            }
        });
        let _ =
            source.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        handlers.push(on_message);
        // Missed events (a stream opened again after a failure, or `lagged`): refetch all.
        let listeners = self.listeners.clone();
        let stale = refresh.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            if reopened {
                Web::emit(&listeners, &stale);
            }
        });
        let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
        handlers.push(on_open);
        let listeners = self.listeners.clone();
        let on_lagged = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            Web::emit(&listeners, &refresh);
        });
        let _ =
            source.add_event_listener_with_callback("lagged", on_lagged.as_ref().unchecked_ref());
        handlers.push(on_lagged);
        // The ticket is spent: rather than the browser's reconnect with it, a new ticket.
        let (client, user, chat) = (client.clone(), user.to_owned(), chat_id.to_owned());
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            let Some(backend) = client.upgrade() else {
                return;
            };
            // Dropping the stream closes it (after this handler returns, as a task).
            let old = backend
                .transport()
                .streams
                .borrow_mut()
                .insert(chat.clone(), None);
            if let Some(Some(old)) = old {
                old.source.close();
                leptos::task::spawn_local(async move { drop(old) });
            }
            Web::open(client.clone(), user.clone(), chat.clone(), next_ms, true);
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        handlers.push(on_error);
        Stream {
            source,
            _handlers: handlers,
        }
    }
}

impl Transport for Web {
    fn fetch<'a>(&'a self, req: &'a Request, token: Option<&'a str>) -> Fetched<'a> {
        Box::pin(self.send(req, token))
    }
    fn chats_listed(&self, user: &str, chats: &[ChatInfo]) {
        self.watch(user, chats);
    }
    fn server_clock(&self, now: Timestamp) {
        self.offset_ms
            .set(now.millis() - js_sys::Date::now() as i64);
    }
}

impl Connection for HttpBackend {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(js_sys::Date::now() as i64 + self.transport().offset_ms.get())
    }
    fn set_lang(&self, lang: Lang) {
        self.transport().lang.set(lang);
    }
    fn configure(&self, _settings: &Settings) {}
    fn reset_demo(&self) -> Call<'_, ()> {
        let lang = self.transport().lang.get();
        Box::pin(async move {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                lang.pick(
                    "服务器上的数据不能从小组件重置",
                    "The server's data cannot be reset from the widget",
                ),
            ))
        })
    }
    fn subscribe(&self, listener: Listener) {
        self.transport().listeners.borrow_mut().push(listener);
    }
    fn kept_studies<'a>(&'a self, key: &'a str) -> Call<'a, Option<String>> {
        Box::pin(async move { Ok(self.study(key).await?.map(|study| format!("[{study}]"))) })
    }
    fn join_study<'a>(
        &'a self,
        key: &'a str,
        participant: &'a str,
        variant: Option<&'a str>,
    ) -> Call<'a, ()> {
        Box::pin(async move {
            let join = hongbao_api::JoinStudy {
                participant: Some(participant.to_owned()),
                variant: variant.map(str::to_owned),
            };
            self.join_study(key, join).await.map(|_| ())
        })
    }
    fn research(&self) -> Option<Rc<dyn super::Research>> {
        let web = self.transport();
        let research = web
            .research
            .borrow_mut()
            .get_or_insert_with(|| {
                Rc::new(super::research::ServerResearch::new(web.client.clone()))
            })
            .clone();
        Some(research)
    }
}
