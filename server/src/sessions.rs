//! Logging in and out, login rate limits, and the load-test path that hands sessions out
//! directly.
//!
//! **Login attempts** are limited per user name and per client address with `governor`'s
//! keyed GCRA limiters: `--login-attempts-per-user` and `--login-attempts-per-ip` attempts
//! a minute (each a burst of that many, refilled evenly over the minute; 0 turns a limit
//! off). Every attempt that gets as far as the password check counts, right or wrong. Over
//! the limit the answer is `429` with code `rate_limited` and `Retry-After` (seconds) and
//! the password is not checked. The demo accounts (alice … judy, unless `--no-demo`) have no
//! per-name limit: their password is published, so there is nothing to guess, and a study's
//! participants all act as its demo user (thirty of them in a minute is a study, not an
//! attack); the per-address limit still holds for them. The client address is the connection's peer, or with
//! `--client-ip-header <name>` (behind a reverse proxy) the last address in that header.
//!
//! **Sessions** (see [`crate::auth::TokenCache`]) end after `--session-idle-secs` without
//! use or `--session-max-age-secs` after the login; `POST /api/v1/logout` ends the caller's
//! (`{"all": true}`: all of the caller's); logging in again leaves the user's other
//! sessions alone unless the login asks with `"revoke_other_sessions": true`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::HeaderName;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hongbao_api::{ErrorBody, ErrorCode};
use hongbao_engine::{Lang, Timestamp};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::AppState;
use crate::auth::{self, AuthSession, Verified};
use crate::codes;
use crate::error::{AppError, AppResult};
use crate::extract::{Body, json_bytes, parse_json};
use crate::store::CROWD;
use crate::validate;

/// Password hashing, bounded (see [`auth::hashing_permits`]).
pub struct Hashing(Arc<Semaphore>);

impl Default for Hashing {
    fn default() -> Hashing {
        Hashing(Arc::new(Semaphore::new(auth::hashing_permits())))
    }
}

impl Hashing {
    /// Runs `f` on the blocking pool once a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self.0.acquire().await.map_err(AppError::unavailable)?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(AppError::internal)
    }
}

/// The login rate limits.
pub struct LoginLimits {
    per_user: Option<DefaultKeyedRateLimiter<String>>,
    /// Names without a per-name limit: the demo accounts, whose password is published.
    public: &'static [&'static str],
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Study participants' tokens handed out per client address (`--participant-joins-per-ip`).
    joins_per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// `--client-ip-header`.
    pub ip_header: Option<HeaderName>,
}

impl LoginLimits {
    /// `per_user` and `per_ip` attempts a minute (0: no limit); with `demo`, the demo
    /// accounts have no per-name limit.
    pub fn new(
        per_user: u32,
        per_ip: u32,
        ip_header: Option<HeaderName>,
        demo: bool,
    ) -> LoginLimits {
        let quota = |n: u32| NonZeroU32::new(n).map(Quota::per_minute);
        LoginLimits {
            per_user: quota(per_user).map(RateLimiter::keyed),
            public: if demo {
                &hongbao_api::demo::DEMO_USERS
            } else {
                &[]
            },
            per_ip: quota(per_ip).map(RateLimiter::keyed),
            joins_per_ip: None,
            ip_header,
        }
    }

    /// With at most `per_ip` study participants' tokens a minute per client address (0: no
    /// limit).
    pub fn with_joins(mut self, per_ip: u32) -> LoginLimits {
        self.joins_per_ip =
            NonZeroU32::new(per_ip).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        self
    }

    /// Counts a participant's token asked for from `ip`; `Err(seconds to wait)` over the
    /// limit.
    pub fn check_join(&self, ip: IpAddr) -> Result<(), u64> {
        match &self.joins_per_ip {
            Some(limiter) => limiter.check_key(&ip).map_err(wait_secs),
            None => Ok(()),
        }
    }

    /// Counts an attempt; `Err(seconds to wait)` when over a limit.
    pub fn check(&self, user: &str, ip: IpAddr) -> Result<(), u64> {
        if let Some(limiter) = &self.per_ip {
            limiter.check_key(&ip).map_err(wait_secs)?;
        }
        if let Some(limiter) = &self.per_user
            && !self.public.contains(&user)
        {
            limiter.check_key(&user.to_owned()).map_err(wait_secs)?;
        }
        Ok(())
    }

    /// Forgets the keys whose limits are full again (memory stays bounded).
    pub fn forget_idle(&self) {
        if let Some(l) = &self.per_user {
            l.retain_recent();
            l.shrink_to_fit();
        }
        for l in [&self.per_ip, &self.joins_per_ip].into_iter().flatten() {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// Whole seconds (rounded up) until a limiter lets the next attempt through.
fn wait_secs(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    not_until
        .wait_time_from(DefaultClock::default().now())
        .as_secs_f64()
        .ceil() as u64
}

/// The client's address: the connection's peer, or the last address of
/// `--client-ip-header` when the server runs behind a proxy that sets it.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<ClientIp> {
        if let Some(name) = &state.limits.ip_header
            && let Some(value) = parts.headers.get_all(name).iter().next_back()
        {
            let text = value.to_str().map_err(|_| {
                codes::invalid_text(format!("the {name} header must be printable ASCII"))
            })?;
            validate::text(name.as_str(), text, 256, false)?;
            let last = text.rsplit(',').next().unwrap_or("").trim();
            let ip = last
                .parse::<IpAddr>()
                .or_else(|_| last.parse::<SocketAddr>().map(|a| a.ip()))
                .map_err(|_| {
                    AppError::invalid(format!("the {name} header does not end with an address"))
                })?;
            return Ok(ClientIp(ip));
        }
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

/// `POST /api/v1/login`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// End the user's other sessions (other devices); default false.
    #[serde(default)]
    pub revoke_other_sessions: bool,
}

/// The answer to a login: send `token` as `Authorization: Bearer <token>`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    /// When the session ends at the latest (RFC 3339).
    #[schema(value_type = String)]
    #[serde(with = "hongbao_api::time::rfc3339")]
    pub expires_at: Timestamp,
    /// It also ends after this many seconds without use.
    pub idle_timeout_secs: u64,
}

/// Logs in (at most `--login-attempts-per-user` and `--login-attempts-per-ip` attempts a
/// minute). The user's other sessions go on unless `revoke_other_sessions` is true.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "rate_limited, with Retry-After")))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(body): Body<LoginRequest>,
) -> Response {
    match login_checked(&state, ip, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn login_checked(state: &AppState, ip: IpAddr, body: LoginRequest) -> AppResult<Response> {
    let wrong = || AppError::new(ErrorCode::Unauthorized, "wrong user name or password");
    if body.username.is_empty() {
        return Err(wrong());
    }
    if let Err(secs) = state.limits.check(&body.username, ip) {
        note_refusal("rate_limited");
        return Ok(codes::rate_limited(
            secs,
            "too many login attempts: try again later",
        ));
    }
    let refused = || {
        note_refusal("password");
        wrong()
    };
    let Some(user) = state.store.user(&body.username).await? else {
        // As slow as a wrong password, so that timing does not tell which names exist.
        let password = body.password;
        state
            .hashing
            .run(move || auth::verify_dummy(&password))
            .await?;
        return Err(refused());
    };
    let password = body.password.clone();
    let (stored, salt) = (user.password_hash.clone(), user.salt.clone());
    let verified = state
        .hashing
        .run(move || auth::verify_password(&stored, &salt, &password))
        .await?;
    match verified {
        Verified::No => return Err(refused()),
        Verified::Yes => {}
        Verified::YesRehash => {
            let password = body.password.clone();
            let (salt, hash) = state
                .hashing
                .run(move || {
                    let salt = auth::new_salt();
                    let hash = auth::hash_password(&salt, &password);
                    (salt, hash)
                })
                .await?;
            state
                .store
                .set_password_hash(&body.username, &hash, &salt)
                .await
                .map_err(|e| e.into_app(Lang::En))?;
        }
    }
    let token = auth::new_token();
    let hash = auth::token_hash(&token);
    let now = state.clock.now();
    state
        .store
        .new_sessions(vec![(hash.clone(), body.username.clone())], now)
        .await
        .map_err(|e| e.into_app(Lang::En))?;
    if body.revoke_other_sessions {
        state
            .store
            .revoke_user_sessions(&body.username, Some(&hash))
            .await
            .map_err(|e| e.into_app(Lang::En))?;
        state.tokens.remove_user(&body.username, Some(&hash));
    }
    state.tokens.insert(hash, body.username, now);
    Ok(Json(LoginResponse {
        token,
        expires_at: state.tokens.ends_at(now),
        idle_timeout_secs: state.tokens.idle().as_secs(),
    })
    .into_response())
}

/// Counts a refused login by reason (metrics).
pub fn note_refusal(reason: &'static str) {
    crate::observe::login_refused(reason);
}

/// `POST /api/v1/logout` (the body is optional).
#[derive(Default, Deserialize, utoipa::ToSchema)]
pub struct LogoutRequest {
    /// End every session of the caller (all devices), not only this one.
    #[serde(default)]
    pub all: bool,
}

/// How many sessions ended.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LogoutResponse {
    pub revoked: u64,
}

/// Ends the caller's session (the token stops working at once here, and within seconds on
/// other processes sharing a PostgreSQL database); `{"all": true}` ends all of the
/// caller's sessions.
#[utoipa::path(post, path = "/api/v1/logout", tag = "auth", security(("bearer" = [])),
    request_body(content = Option<LogoutRequest>),
    responses((status = 200, body = LogoutResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    session: AuthSession,
    request: axum::extract::Request,
) -> AppResult<Json<LogoutResponse>> {
    let bytes = json_bytes(request, &state, true).await?;
    let body: LogoutRequest = if bytes.is_empty() {
        LogoutRequest::default()
    } else {
        parse_json(&bytes)?
    };
    let revoked = if body.all {
        state.tokens.remove_user(&session.user, None);
        state.store.revoke_user_sessions(&session.user, None).await
    } else {
        state.tokens.remove(&session.token_hash);
        state.store.revoke_session(&session.token_hash).await
    }
    .map_err(|e| e.into_app(Lang::En))?;
    Ok(Json(LogoutResponse { revoked }))
}

/// `POST /api/v1/test/sessions`: the crowd's users to log in without their passwords.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CrowdLogin {
    /// Members of the `crowd` chat (at most 10,000).
    pub usernames: Vec<String>,
}

/// Their tokens, in the same order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CrowdTokens {
    pub tokens: Vec<String>,
}

/// Most sessions one `POST /api/v1/test/sessions` creates.
const MAX_CROWD_LOGIN: usize = 10_000;

/// Sessions for load-test users without their passwords: only with
/// `--load-test-sessions` (otherwise this endpoint does not exist), only for members of the
/// `crowd` chat (`--crowd`). The load generator uses it so that a thousand logins do not
/// cost a thousand argon2id hashes.
#[utoipa::path(post, path = "/api/v1/test/sessions", tag = "test", request_body = CrowdLogin,
    responses((status = 200, body = CrowdTokens), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "without --load-test-sessions, or a user not in the crowd")))]
pub async fn crowd_sessions(
    State(state): State<AppState>,
    Body(body): Body<CrowdLogin>,
) -> AppResult<Json<CrowdTokens>> {
    if body.usernames.is_empty() || body.usernames.len() > MAX_CROWD_LOGIN {
        return Err(AppError::invalid("between 1 and 10,000 user names"));
    }
    let crowd = state
        .store
        .chat_for(&body.usernames[0], CROWD)
        .await?
        .ok_or_else(|| AppError::not_found("crowd user"))?;
    let members: std::collections::HashSet<&str> =
        crowd.members.iter().map(String::as_str).collect();
    if let Some(stranger) = body
        .usernames
        .iter()
        .find(|u| !members.contains(u.as_str()))
    {
        return Err(AppError::not_found(&format!("crowd user {stranger:?}")));
    }
    let tokens: Vec<String> = body.usernames.iter().map(|_| auth::new_token()).collect();
    let rows: Vec<(String, String)> = tokens
        .iter()
        .zip(&body.usernames)
        .map(|(t, u)| (auth::token_hash(t), u.clone()))
        .collect();
    let now = state.clock.now();
    state
        .store
        .new_sessions(rows.clone(), now)
        .await
        .map_err(|e| e.into_app(Lang::En))?;
    for (hash, user) in rows {
        state.tokens.insert(hash, user, now);
    }
    Ok(Json(CrowdTokens { tokens }))
}

/// Every minute until `stop`: deletes expired sessions and lapsed stream tickets, and
/// forgets idle rate-limit keys.
pub async fn maintain(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = stop.changed() => break,
        }
        state.limits.forget_idle();
        let (idle, max_age) = state.tokens.lifetimes_ms();
        if let Err(e) = state
            .store
            .purge_sessions(state.clock.now(), idle, max_age)
            .await
        {
            tracing::warn!("purging expired sessions: {e:?}");
        }
    }
}
