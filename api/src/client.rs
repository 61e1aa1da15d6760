//! The HTTP client of the API, written once: [`Client`] implements [`Backend`] with the
//! requests of [`crate::http`], over any [`Transport`]. The widget's HTTP backend is a
//! `Client` over `fetch` (with live updates from the server's event streams); the server's
//! contract suite is a `Client` over a native HTTP client, so it tests the very code the
//! widget runs.
//!
//! Every call acts as a demo user: the client logs in as that user (the demo password) the
//! first time, keeps the token, and logs in again once when the server has forgotten it.
//! The exceptions are a study participant's: [`Client::study`] without a login, and once
//! the page has joined its study ([`Client::join_study`]), its lab events, which are posted
//! with the participant's token (scoped to the study) rather than as a user.
//! The token never leaves the client in a URL: an event stream is opened with a
//! single-use ticket from [`Client::stream_ticket`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::backend::{Backend, Call};
use crate::http::{self, DEMO_PASSWORD, Request};
use crate::{
    ApiError, ChatInfo, ClaimResult, ClockNow, JoinStudy, LabEvent, LedgerEntry, Me, NewPacket,
    PacketView, ParticipantToken, Preview, RecallResult, StreamTicket, Token,
};
use hongbao_engine::Timestamp;

/// A response: its status and body.
pub type Fetched<'a> = Pin<Box<dyn Future<Output = Result<(u16, String), ApiError>> + 'a>>;

/// How a [`Client`] reaches the server, and what it tells its owner.
pub trait Transport {
    /// Sends `req` (with `token` as its bearer token) and reads the answer; a server that
    /// cannot be reached, or an answer cut off, is a `network` error.
    fn fetch<'a>(&'a self, req: &'a Request, token: Option<&'a str>) -> Fetched<'a>;
    /// `user`'s chats were listed (the widget opens their event streams, each with a ticket
    /// from [`Client::stream_ticket`]).
    fn chats_listed(&self, _user: &str, _chats: &[ChatInfo]) {}
    /// The server's clock after the test clock moved.
    fn server_clock(&self, _now: Timestamp) {}
}

/// Lab events are sent in batches of at most this many.
const LAB_BATCH: usize = 500;

/// The API's client over a [`Transport`].
pub struct Client<T> {
    transport: T,
    /// user → token.
    tokens: RefCell<HashMap<String, String>>,
    /// The last user a call acted as (the test clock and the lab export act as them).
    last_user: RefCell<String>,
    /// The study this page's participant joined (its key, how it joined, its token): lab
    /// events go with that token.
    participant: RefCell<Option<(String, JoinStudy, String)>>,
}

impl<T: Transport> Client<T> {
    /// A client whose calls without a user of their own act as `user` until another call
    /// names one.
    pub fn new(transport: T, user: &str) -> Client<T> {
        Client {
            transport,
            tokens: RefCell::new(HashMap::new()),
            last_user: RefCell::new(user.to_owned()),
            participant: RefCell::new(None),
        }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The user's token, logging in as the demo user when there is none yet.
    async fn token(&self, user: &str) -> Result<String, ApiError> {
        if let Some(t) = self.tokens.borrow().get(user) {
            return Ok(t.clone());
        }
        let login = Request::login(user, DEMO_PASSWORD);
        let (status, body) = self.transport.fetch(&login, None).await?;
        let Token { token } = http::parse(status, &body)?;
        self.tokens
            .borrow_mut()
            .insert(user.to_owned(), token.clone());
        Ok(token)
    }

    /// Sends `req` as `user` and reads the answer; logs in again once if the server has
    /// forgotten the token.
    /// Boxed, so that its state machine (token, login, retry) is compiled once rather than
    /// into each [`Client::call`] instance (about 1 KB of the browser bundle).
    fn raw<'a>(&'a self, user: &'a str, req: &'a Request) -> Fetched<'a> {
        Box::pin(async move {
            *self.last_user.borrow_mut() = user.to_owned();
            self.authed(user, req).await
        })
    }

    /// [`Client::raw`] without making `user` the last user.
    async fn authed(&self, user: &str, req: &Request) -> Result<(u16, String), ApiError> {
        let token = self.token(user).await?;
        let (status, body) = self.transport.fetch(req, Some(&token)).await?;
        if status != 401 {
            return Ok((status, body));
        }
        self.tokens.borrow_mut().remove(user);
        let token = self.token(user).await?;
        self.transport.fetch(req, Some(&token)).await
    }

    async fn call<R: DeserializeOwned>(&self, user: &str, req: Request) -> Result<R, ApiError> {
        let (status, body) = self.raw(user, &req).await?;
        http::parse(status, &body)
    }

    /// A ticket that opens `chat_id`'s event stream as `user` once, within a minute
    /// ([`http::events_path`]); browsers' `EventSource` cannot send the token in a header,
    /// and a token in a URL ends up in logs.
    pub async fn stream_ticket(&self, user: &str, chat_id: &str) -> Result<StreamTicket, ApiError> {
        let (status, body) = self.authed(user, &Request::stream_ticket(chat_id)).await?;
        http::parse(status, &body)
    }

    /// The study of `key` as the server stores it (its JSON text, which the caller parses
    /// and validates), `None` when there is none. No login: a participant's page reads its
    /// study before anything else.
    pub async fn study(&self, key: &str) -> Result<Option<String>, ApiError> {
        let (status, body) = self.transport.fetch(&Request::study(key), None).await?;
        http::study(status, body)
    }

    /// Joins the study of `key` as the link's participant (no login): from now on this
    /// client posts lab events with the participant's token, which the server scopes to
    /// that study and participant.
    pub async fn join_study(
        &self,
        key: &str,
        join: JoinStudy,
    ) -> Result<ParticipantToken, ApiError> {
        let (status, body) = self
            .transport
            .fetch(&Request::join_study(key, &join), None)
            .await?;
        let joined: ParticipantToken = http::parse(status, &body)?;
        *self.participant.borrow_mut() = Some((key.to_owned(), join, joined.token.clone()));
        Ok(joined)
    }

    /// Posts one batch of lab events with the participant's token, joining again once if
    /// the server has forgotten it (expired); `None` when this page joined no study.
    async fn post_as_participant(&self, batch: &[LabEvent]) -> Option<Result<(), ApiError>> {
        let (key, join, token) = self.participant.borrow().clone()?;
        let req = Request::log_events(batch);
        Some(
            async {
                let (mut status, mut body) = self.transport.fetch(&req, Some(&token)).await?;
                if status == 401 {
                    let joined = self.join_study(&key, join).await?;
                    (status, body) = self.transport.fetch(&req, Some(&joined.token)).await?;
                }
                http::parse::<IgnoredAny>(status, &body).map(|_| ())
            }
            .await,
        )
    }

    /// Every stored study's JSON text, by key, read as `user` (a researcher; the client
    /// logs in with the demo password, so a demo user named with `--researcher`).
    pub async fn studies(&self, user: &str) -> Result<Vec<String>, ApiError> {
        let (status, body) = self.raw(user, &Request::studies()).await?;
        http::studies(status, &body)
    }

    /// Saves a study (its JSON, whose `key` is `key`) as `user` (a researcher, as for
    /// [`Client::studies`]); the study as the server stored it.
    pub async fn put_study(
        &self,
        user: &str,
        key: &str,
        study_json: &str,
    ) -> Result<String, ApiError> {
        let (status, body) = self.raw(user, &Request::put_study(key, study_json)).await?;
        http::text(status, body)
    }

    /// Deletes a study as `user` (a researcher, as for [`Client::studies`]); whether there
    /// was one.
    pub async fn delete_study(&self, user: &str, key: &str) -> Result<bool, ApiError> {
        let (status, body) = self.raw(user, &Request::delete_study(key)).await?;
        http::deleted(status, &body)
    }

    /// Logs in as `user` with `password` (a researcher's own account rather than a demo
    /// user's); later calls as `user` use this session. A refusal changes nothing.
    pub async fn sign_in(&self, user: &str, password: &str) -> Result<(), ApiError> {
        let (status, body) = self
            .transport
            .fetch(&Request::login(user, password), None)
            .await?;
        let Token { token } = http::parse(status, &body)?;
        self.tokens.borrow_mut().insert(user.to_owned(), token);
        Ok(())
    }

    /// Every event of `experiment` (an experiment's or a study's key), read as `user` (a
    /// researcher).
    pub async fn lab_events_of(
        &self,
        user: &str,
        experiment: &str,
    ) -> Result<Vec<LabEvent>, ApiError> {
        let (status, body) = self
            .authed(user, &Request::lab_events_of(experiment))
            .await?;
        http::lab_events(status, &body)
    }

    /// The results of `experiment` per variant, computed by the server, read as `user` (a
    /// researcher); the JSON of `hongbao_study::results::VariantResult`s, which the caller
    /// reads (this crate does not know the study format).
    pub async fn lab_results(
        &self,
        user: &str,
        experiment: &str,
        variants: &[String],
        forced: bool,
    ) -> Result<String, ApiError> {
        let req = Request::lab_results(experiment, variants, forced);
        let (status, body) = self.authed(user, &req).await?;
        http::text(status, body)
    }

    /// A ticket that opens the stream of everyone's new lab events as `user` (a researcher)
    /// once ([`http::lab_events_stream_path`]).
    pub async fn lab_stream_ticket(&self, user: &str) -> Result<StreamTicket, ApiError> {
        let (status, body) = self.authed(user, &Request::lab_stream_ticket()).await?;
        http::parse(status, &body)
    }

    fn last_user(&self) -> String {
        self.last_user.borrow().clone()
    }
}

impl<T: Transport> Backend for Client<T> {
    fn me<'a>(&'a self, user: &'a str) -> Call<'a, Me> {
        Box::pin(self.call(user, Request::me()))
    }
    fn chats<'a>(&'a self, user: &'a str) -> Call<'a, Vec<ChatInfo>> {
        Box::pin(async move {
            let chats: Vec<ChatInfo> = self.call(user, Request::chats()).await?;
            self.transport.chats_listed(user, &chats);
            Ok(chats)
        })
    }
    fn chat_packets<'a>(&'a self, user: &'a str, chat_id: &'a str) -> Call<'a, Vec<PacketView>> {
        Box::pin(self.call(user, Request::chat_packets(chat_id)))
    }
    fn packet<'a>(&'a self, user: &'a str, id: u64) -> Call<'a, PacketView> {
        Box::pin(self.call(user, Request::packet(id)))
    }
    fn preview<'a>(&'a self, user: &'a str, draft: &'a NewPacket) -> Call<'a, Preview> {
        Box::pin(self.call(user, Request::preview(draft)))
    }
    fn send<'a>(&'a self, user: &'a str, packet: &'a NewPacket) -> Call<'a, PacketView> {
        Box::pin(self.call(user, Request::send(packet)))
    }
    fn claim<'a>(&'a self, user: &'a str, id: u64) -> Call<'a, ClaimResult> {
        Box::pin(self.call(user, Request::claim(id)))
    }
    fn recall<'a>(&'a self, user: &'a str, id: u64, authorized: bool) -> Call<'a, RecallResult> {
        Box::pin(self.call(user, Request::recall(id, authorized)))
    }
    fn ledger<'a>(&'a self, user: &'a str) -> Call<'a, Vec<LedgerEntry>> {
        Box::pin(self.call(user, Request::ledger()))
    }
    fn advance_clock(&self, secs: i64) -> Call<'_, ()> {
        Box::pin(async move {
            let user = self.last_user();
            let ClockNow { now } = self.call(&user, Request::advance_clock(secs)).await?;
            self.transport.server_clock(now);
            Ok(())
        })
    }
    fn log_events<'a>(&'a self, user: &'a str, events: &'a [LabEvent]) -> Call<'a, ()> {
        Box::pin(async move {
            for batch in events.chunks(LAB_BATCH) {
                if let Some(posted) = self.post_as_participant(batch).await {
                    posted?;
                    continue;
                }
                let (status, body) = self.raw(user, &Request::log_events(batch)).await?;
                http::parse::<IgnoredAny>(status, &body)?;
            }
            Ok(())
        })
    }
    fn lab_events(&self) -> Call<'_, Vec<LabEvent>> {
        Box::pin(async move {
            let user = self.last_user();
            let (status, body) = self.raw(&user, &Request::lab_events()).await?;
            http::lab_events(status, &body)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use std::cell::Cell;
    use std::task::{Context, Poll, Waker};

    /// A server in memory: tokens it issues (and may forget), the requests it saw.
    #[derive(Default)]
    struct Fake {
        tokens: RefCell<HashMap<String, String>>,
        issued: Cell<u32>,
        seen: RefCell<Vec<(String, Option<String>)>>,
        listed: RefCell<Vec<(usize, String)>>,
        clock: Cell<Option<Timestamp>>,
        /// Participants' tokens it honours.
        participants: RefCell<Vec<String>>,
    }

    impl Fake {
        fn answer(&self, req: &Request, token: Option<&str>) -> (u16, String) {
            let path = req.path.trim_start_matches(http::PREFIX);
            if path == "/login" {
                let login: crate::Login =
                    serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
                self.issued.set(self.issued.get() + 1);
                let token = format!("t{}", self.issued.get());
                self.tokens
                    .borrow_mut()
                    .insert(token.clone(), login.username);
                return (200, format!(r#"{{"token":"{token}"}}"#));
            }
            if path == "/studies/s2/participants" {
                // No login; a token scoped to the study.
                let join: JoinStudy = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
                self.issued.set(self.issued.get() + 1);
                let token = format!("pt_{}", self.issued.get());
                self.participants.borrow_mut().push(token.clone());
                self.seen.borrow_mut().push((path.to_owned(), None));
                let answer = ParticipantToken {
                    token,
                    study: "s2".into(),
                    participant: join.participant.unwrap_or_else(|| "p-drawn".into()),
                    variant: join.variant.clone().unwrap_or_else(|| "A".into()),
                    forced: join.variant.is_some(),
                    expires_at: Timestamp::from_utc(2026, 1, 9, 0, 0, 0),
                };
                return (201, serde_json::to_string(&answer).unwrap());
            }
            if let Some(t) = token.filter(|t| t.starts_with("pt_")) {
                let known = self.participants.borrow().iter().any(|p| p == t);
                if !(known && path == "/lab/events") {
                    return (
                        401,
                        r#"{"error":{"code":"unauthorized","message":"who?"}}"#.into(),
                    );
                }
                self.seen
                    .borrow_mut()
                    .push((format!("{path} as {t}"), req.body.clone()));
                return (201, "{}".into());
            }
            if path.starts_with("/studies/") && req.method == "GET" {
                // No login: what was asked, and whether with a token.
                self.seen
                    .borrow_mut()
                    .push((path.to_owned(), token.map(str::to_owned)));
                return match path {
                    "/studies/s1" => (200, r#"{"key":"s1","closed":true}"#.into()),
                    _ => (
                        404,
                        r#"{"error":{"code":"not_found","message":"no such study"}}"#.into(),
                    ),
                };
            }
            let Some(user) = token.and_then(|t| self.tokens.borrow().get(t).cloned()) else {
                return (
                    401,
                    r#"{"error":{"code":"unauthorized","message":"who?"}}"#.into(),
                );
            };
            self.seen
                .borrow_mut()
                .push((path.to_owned(), req.body.clone()));
            match path {
                "/me" => (200, format!(r#"{{"username":"{user}","balance":"1.00"}}"#)),
                "/chats" => (
                    200,
                    serde_json::to_string(&crate::demo::chats_for(&user)).unwrap(),
                ),
                "/test/clock" => (200, r#"{"now":"2026-01-02T03:04:05Z"}"#.into()),
                "/chats/family/events/ticket" => (
                    200,
                    format!(r#"{{"ticket":"for-{user}","expires_at":"2026-01-02T03:05:05Z"}}"#),
                ),
                "/lab/events" => (201, "{}".into()),
                "/studies" => (200, r#"[{"key":"s1"}]"#.into()),
                "/studies/s1" if req.method == "PUT" => (201, r#"{"key":"s1"}"#.into()),
                "/studies/s1" if req.method == "DELETE" => (204, String::new()),
                _ => (
                    404,
                    r#"{"error":{"code":"not_found","message":"no"}}"#.into(),
                ),
            }
        }
    }

    impl Transport for Fake {
        fn fetch<'a>(&'a self, req: &'a Request, token: Option<&'a str>) -> Fetched<'a> {
            let answer = self.answer(req, token);
            Box::pin(async move { Ok(answer) })
        }
        fn chats_listed(&self, user: &str, chats: &[ChatInfo]) {
            self.listed
                .borrow_mut()
                .push((chats.len(), user.to_owned()));
        }
        fn server_clock(&self, now: Timestamp) {
            self.clock.set(Some(now));
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the fake server never waits"),
        }
    }

    #[test]
    fn logs_in_once_per_user_and_again_when_forgotten() {
        let client = Client::new(Fake::default(), "alice");
        assert_eq!(block_on(client.me("bob")).unwrap().username, "bob");
        assert_eq!(block_on(client.me("bob")).unwrap().username, "bob");
        assert_eq!(block_on(client.me("carol")).unwrap().username, "carol");
        assert_eq!(client.transport().issued.get(), 2, "one login per user");
        client.transport().tokens.borrow_mut().clear();
        assert_eq!(block_on(client.me("bob")).unwrap().username, "bob");
        assert_eq!(client.transport().issued.get(), 3, "logged in again");
        let e = block_on(client.packet("bob", 7)).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
    }

    #[test]
    fn hooks_batches_and_the_last_user() {
        let client = Client::new(Fake::default(), "alice");
        let chats = block_on(client.chats("dave")).unwrap();
        assert_eq!(chats, crate::demo::chats_for("dave"));
        assert_eq!(
            *client.transport().listed.borrow(),
            [(chats.len(), "dave".to_owned())]
        );
        // A stream ticket, asked for with the token in a header; the token is in no URL.
        let ticket = block_on(client.stream_ticket("erin", "family")).unwrap();
        assert_eq!(ticket.ticket, "for-erin");
        assert_eq!(
            http::events_path("family", &ticket.ticket),
            "/api/v1/chats/family/events?ticket=for-erin"
        );
        assert!(
            client
                .transport()
                .seen
                .borrow()
                .iter()
                .all(|(path, _)| !path.contains("t1") && !path.contains("t2"))
        );
        assert_eq!(client.transport().issued.get(), 2, "erin logged in");
        // The test clock acts as the last user (a ticket does not make erin the last user)
        // and reports the server's time.
        block_on(client.advance_clock(60)).unwrap();
        assert_eq!(
            client.transport().issued.get(),
            2,
            "as dave, logged in already"
        );
        assert_eq!(
            client.transport().clock.get(),
            Some(Timestamp::from_utc(2026, 1, 2, 3, 4, 5))
        );
        let event: LabEvent = serde_json::from_str(
            r#"{"type":"exposure","experiment":"e","variant":"A","participant":"p","at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        let events = vec![event; 2 * LAB_BATCH + 1];
        block_on(client.log_events("dave", &events)).unwrap();
        let batches: Vec<usize> = client
            .transport()
            .seen
            .borrow()
            .iter()
            .filter(|(path, _)| path == "/lab/events")
            .map(|(_, body)| {
                serde_json::from_str::<Vec<serde_json::Value>>(body.as_deref().unwrap())
                    .unwrap()
                    .len()
            })
            .collect();
        assert_eq!(batches, [LAB_BATCH, LAB_BATCH, 1]);
        block_on(client.log_events("dave", &[])).unwrap();
    }

    #[test]
    fn a_participant_posts_events_with_its_token_and_joins_again_when_forgotten() {
        let client = Client::new(Fake::default(), "alice");
        let event: LabEvent = serde_json::from_str(
            r#"{"type":"consent","experiment":"s2","study":"s2","variant":"A","participant":"p-1","at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        // Before joining: as the user.
        block_on(client.log_events("alice", std::slice::from_ref(&event))).unwrap();
        let join = JoinStudy {
            participant: Some("p-1".into()),
            variant: None,
        };
        let joined = block_on(client.join_study("s2", join)).unwrap();
        assert_eq!(
            (
                joined.participant.as_str(),
                joined.variant.as_str(),
                joined.forced
            ),
            ("p-1", "A", false)
        );
        let logins = client.transport().issued.get();
        block_on(client.log_events("alice", &[event.clone(), event.clone()])).unwrap();
        // The server forgets the token: the client joins again, once, and posts.
        client.transport().participants.borrow_mut().clear();
        block_on(client.log_events("alice", std::slice::from_ref(&event))).unwrap();
        let seen: Vec<String> = client
            .transport()
            .seen
            .borrow()
            .iter()
            .map(|(path, _)| path.clone())
            .collect();
        assert_eq!(
            seen,
            [
                "/lab/events",
                "/studies/s2/participants",
                &format!("/lab/events as pt_{logins}"),
                "/studies/s2/participants",
                &format!("/lab/events as pt_{}", logins + 1),
            ]
        );
        assert_eq!(client.transport().issued.get(), logins + 1, "no user login");
    }

    #[test]
    fn studies_are_read_without_a_login_and_saved_as_a_user() {
        let client = Client::new(Fake::default(), "alice");
        assert_eq!(
            block_on(client.study("s1")).unwrap().as_deref(),
            Some(r#"{"key":"s1","closed":true}"#)
        );
        assert_eq!(block_on(client.study("nope")).unwrap(), None);
        assert_eq!(client.transport().issued.get(), 0, "no login");
        assert_eq!(
            *client.transport().seen.borrow(),
            [
                ("/studies/s1".to_owned(), None),
                ("/studies/nope".to_owned(), None)
            ],
            "no token sent"
        );
        assert_eq!(
            block_on(client.studies("alice")).unwrap(),
            [r#"{"key":"s1"}"#]
        );
        assert_eq!(
            block_on(client.put_study("alice", "s1", r#"{"key":"s1"}"#)).unwrap(),
            r#"{"key":"s1"}"#
        );
        assert!(block_on(client.delete_study("alice", "s1")).unwrap());
        assert_eq!(client.transport().issued.get(), 1, "alice logged in once");
    }
}
