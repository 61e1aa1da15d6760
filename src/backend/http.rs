//! The HTTP backend: the project's server (PRODUCT §8) behind the same [`Backend`]
//! interface as the mock.
//!
//! Requests are [`hongbao_api::http::Request`]s (the contract tests send the very same ones
//! natively) sent with `fetch`. Every call acts as a demo user: the backend logs in as that
//! user (password `hongbao`) the first time and keeps the token. Live updates come from the
//! server's Server-Sent Events: after `chats(user)`, one `EventSource` per chat (the token
//! in the query, since `EventSource` cannot send headers); a reconnect or a `lagged` event
//! makes every screen refetch. The server decides the policy (recall mode, split rule), so
//! `configure` changes nothing here, and the server's data cannot be reset from a widget.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use hongbao_api::http::{self, DEMO_PASSWORD, Request};
use hongbao_api::{
    ApiError, ChatEvent, ChatInfo, ClaimResult, ClockNow, LabEvent, LedgerEntry, Me, NewPacket,
    PacketView, Preview, RecallResult, Token,
};
use hongbao_engine::{Lang, Timestamp};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use super::Backend;
use crate::settings::Settings;

type Listener = Rc<dyn Fn(&ChatEvent)>;

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

/// The backend of a widget talking to a server.
pub struct HttpBackend {
    /// The server's origin, `""` for the page's own.
    base: String,
    /// user → token.
    tokens: RefCell<HashMap<String, String>>,
    /// The last user a call acted as (the test clock and the lab export act as them).
    last_user: RefCell<String>,
    lang: Cell<Lang>,
    /// The server's clock minus this page's (the test clock moves it).
    offset_ms: Cell<i64>,
    listeners: Rc<RefCell<Vec<Listener>>>,
    streams: RefCell<HashMap<String, Stream>>,
}

fn js_error(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::network(format!("{e:?}"))
}

impl HttpBackend {
    pub fn new(settings: &Settings) -> Rc<HttpBackend> {
        Rc::new(HttpBackend {
            base: settings
                .server
                .clone()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
            tokens: RefCell::new(HashMap::new()),
            last_user: RefCell::new(settings.user.to_owned()),
            lang: Cell::new(settings.lang),
            offset_ms: Cell::new(0),
            listeners: Rc::new(RefCell::new(Vec::new())),
            streams: RefCell::new(HashMap::new()),
        })
    }

    /// Sends one request; the status and the body text. A failure to reach the server is a
    /// `network` error (retryable).
    async fn fetch(&self, req: &Request, token: Option<&str>) -> Result<(u16, String), ApiError> {
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

    /// The user's token, logging in as the demo user when there is none yet.
    async fn token(&self, user: &str) -> Result<String, ApiError> {
        if let Some(t) = self.tokens.borrow().get(user) {
            return Ok(t.clone());
        }
        let (status, body) = self
            .fetch(&Request::login(user, DEMO_PASSWORD), None)
            .await?;
        let Token { token } = http::parse(status, &body)?;
        self.tokens
            .borrow_mut()
            .insert(user.to_owned(), token.clone());
        Ok(token)
    }

    /// Sends `req` as `user` and reads the answer; logs in again once if the server has
    /// forgotten the token.
    async fn raw(&self, user: &str, req: &Request) -> Result<(u16, String), ApiError> {
        *self.last_user.borrow_mut() = user.to_owned();
        let token = self.token(user).await?;
        let (status, body) = self.fetch(req, Some(&token)).await?;
        if status != 401 {
            return Ok((status, body));
        }
        self.tokens.borrow_mut().remove(user);
        let token = self.token(user).await?;
        self.fetch(req, Some(&token)).await
    }

    async fn call<T: DeserializeOwned>(&self, user: &str, req: Request) -> Result<T, ApiError> {
        let (status, body) = self.raw(user, &req).await?;
        http::parse(status, &body)
    }

    fn emit(listeners: &RefCell<Vec<Listener>>, event: &ChatEvent) {
        let listeners = listeners.borrow().clone();
        for l in listeners {
            l(event);
        }
    }

    /// Opens the event stream of each chat not watched yet.
    fn watch(&self, chats: &[ChatInfo], token: &str) {
        for chat in chats {
            if self.streams.borrow().contains_key(&chat.id) {
                continue;
            }
            let url = format!("{}{}", self.base, http::events_path(&chat.id, token));
            let Ok(source) = web_sys::EventSource::new(&url) else {
                continue;
            };
            let refresh = ChatEvent::PacketExpired {
                chat_id: chat.id.clone(),
                packet_id: 0,
            };
            let mut handlers = Vec::new();
            let listeners = self.listeners.clone();
            let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let data = e
                    .dyn_ref::<web_sys::MessageEvent>()
                    .and_then(|m| m.data().as_string());
                if let Some(event) = data.and_then(|d| serde_json::from_str::<ChatEvent>(&d).ok()) {
                    HttpBackend::emit(&listeners, &event);
                }
            });
            let _ = source
                .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
            handlers.push(on_message);
            // Missed events (a reconnect after the first open, or `lagged`): refetch all.
            let listeners = self.listeners.clone();
            let opened = Cell::new(false);
            let stale = refresh.clone();
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
                if opened.replace(true) {
                    HttpBackend::emit(&listeners, &stale);
                }
            });
            let _ =
                source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
            handlers.push(on_open);
            let listeners = self.listeners.clone();
            let on_lagged = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
                HttpBackend::emit(&listeners, &refresh);
            });
            let _ = source
                .add_event_listener_with_callback("lagged", on_lagged.as_ref().unchecked_ref());
            handlers.push(on_lagged);
            self.streams.borrow_mut().insert(
                chat.id.clone(),
                Stream {
                    source,
                    _handlers: handlers,
                },
            );
        }
    }
}

impl Backend for Rc<HttpBackend> {
    async fn me(&self, user: &str) -> Result<Me, ApiError> {
        self.call(user, Request::me()).await
    }
    async fn chats(&self, user: &str) -> Result<Vec<ChatInfo>, ApiError> {
        let chats: Vec<ChatInfo> = self.call(user, Request::chats()).await?;
        if let Ok(token) = self.token(user).await {
            self.watch(&chats, &token);
        }
        Ok(chats)
    }
    async fn chat_packets(&self, user: &str, chat_id: &str) -> Result<Vec<PacketView>, ApiError> {
        self.call(user, Request::chat_packets(chat_id)).await
    }
    async fn packet(&self, user: &str, id: u64) -> Result<PacketView, ApiError> {
        self.call(user, Request::packet(id)).await
    }
    async fn preview(&self, user: &str, draft: &NewPacket) -> Result<Preview, ApiError> {
        self.call(user, Request::preview(draft)).await
    }
    async fn send(&self, user: &str, packet: &NewPacket) -> Result<PacketView, ApiError> {
        self.call(user, Request::send(packet)).await
    }
    async fn claim(&self, user: &str, id: u64) -> Result<ClaimResult, ApiError> {
        self.call(user, Request::claim(id)).await
    }
    async fn recall(
        &self,
        user: &str,
        id: u64,
        authorized: bool,
    ) -> Result<RecallResult, ApiError> {
        self.call(user, Request::recall(id, authorized)).await
    }
    async fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, ApiError> {
        self.call(user, Request::ledger()).await
    }
    async fn advance_clock(&self, secs: i64) -> Result<(), ApiError> {
        let user = self.last_user.borrow().clone();
        let ClockNow { now } = self.call(&user, Request::advance_clock(secs)).await?;
        self.offset_ms
            .set(now.millis() - js_sys::Date::now() as i64);
        Ok(())
    }
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(js_sys::Date::now() as i64 + self.offset_ms.get())
    }
    fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
    }
    fn configure(&self, _settings: &Settings) {}
    async fn reset_demo(&self) -> Result<(), ApiError> {
        Err(ApiError::new(
            hongbao_api::ErrorCode::Forbidden,
            self.lang.get().pick(
                "服务器上的数据不能从小组件重置",
                "The server's data cannot be reset from the widget",
            ),
        ))
    }
    fn subscribe(&self, listener: Listener) {
        self.listeners.borrow_mut().push(listener);
    }
    async fn log_events(&self, user: &str, events: &[LabEvent]) -> Result<(), ApiError> {
        if events.is_empty() {
            return Ok(());
        }
        for chunk in events.chunks(500) {
            let (status, body) = self.raw(user, &Request::log_events(chunk)).await?;
            http::parse::<serde::de::IgnoredAny>(status, &body)?;
        }
        Ok(())
    }
    async fn lab_events(&self) -> Result<Vec<LabEvent>, ApiError> {
        let user = self.last_user.borrow().clone();
        let (status, body) = self.raw(&user, &Request::lab_events()).await?;
        http::lab_events(status, &body)
    }
}
