//! Hongbao's HTTP backend (PRODUCT §8): the engine's rules over SQLite or PostgreSQL.
//!
//! The engine decides every rule; the database stores its results in transactions (see
//! [`store`]). `axum` serves the JSON API under `/api/v1` (documented by the OpenAPI
//! document at `/api/v1/openapi.json`), live updates as Server-Sent Events, and optionally
//! the widget's built files (`--static-dir`).

#![forbid(unsafe_code)]

pub mod auth;
pub mod clock;
pub mod codes;
pub mod compat;
pub mod config;
pub mod error;
pub mod events;
pub mod extract;
pub mod lab;
pub mod observe;
pub mod openapi;
pub mod participants;
pub mod routes;
pub mod security;
pub mod sessions;
pub mod store;
pub mod stream;
pub mod studies;
pub mod validate;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post, put};
use hongbao_engine::{Lang, Money, Policy};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::TokenCache;
use crate::clock::{Clock, SystemClock};
pub use crate::config::Config;
use crate::store::{Seed, Store};

/// What every handler gets (one `Arc`: cloned for every request).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The state behind [`AppState`].
pub struct Shared {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub policy: Arc<Policy>,
    pub tokens: TokenCache,
    pub openapi: axum::body::Bytes,
    /// Password hashing, a few at a time.
    pub hashing: sessions::Hashing,
    /// Login attempts per user name and per client address.
    pub limits: sessions::LoginLimits,
    /// The accounts that read everyone's lab events and keep the studies (`--researcher`).
    pub researchers: Vec<String>,
    /// Becomes true when the server starts shutting down (event streams end, `/readyz`
    /// answers 503).
    pub stopping: watch::Receiver<bool>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its store (tests read from it directly).
    pub store: Store,
    /// Its clock.
    pub clock: Arc<SystemClock>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    grace: Duration,
}

impl Server {
    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, ends the event streams, lets requests in flight finish (within
    /// `--shutdown-grace-secs`), stops the sweeper and closes the database (SQLite: its WAL
    /// checkpointed into the file).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + self.grace;
        for task in self.tasks {
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                tracing::warn!("shutdown: requests still running after the grace period");
            }
        }
        self.store.close().await;
        tracing::info!("shut down");
    }
}

/// Opens the database (creating, migrating and seeding it), binds, and serves in the
/// background.
pub async fn start(config: Config) -> anyhow::Result<Server> {
    let policy: Policy = match &config.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the policy {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("parsing the policy {}", path.display()))?
        }
        None => Policy::default(),
    };
    let crowd_balance = Money::from_wire(&config.crowd_balance)
        .map_err(|e| anyhow::anyhow!("--crowd-balance: {}", e.message(Lang::En)))?;
    let researcher_password = config
        .researcher_password()
        .context("reading --researcher-password-file")?;
    if researcher_password.is_none() && !config.researchers.is_empty() {
        tracing::info!(
            "--researcher without a password (HONGBAO_RESEARCHER_PASSWORD or \
             --researcher-password-file): only existing accounts become researchers"
        );
    }
    let seed = Seed {
        demo: !config.no_demo,
        crowd: config.crowd,
        crowd_balance,
        researchers: researcher_password
            .map(|p| {
                config
                    .researchers
                    .iter()
                    .map(|r| (r.clone(), p.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let clock = Arc::new(SystemClock::default());
    let now = clock.now();
    let store = if config.is_postgres() {
        let mut pg =
            store::pg::PgStore::open(&config.database_url, config.pg_max_connections, &seed, now)
                .await
                .context("opening PostgreSQL")?;
        pg.short_claims = config.pg_claim == config::PgClaim::Short;
        Store::Pg(Arc::new(pg))
    } else if config.database_url.starts_with("sqlite:") {
        Store::Sqlite(Arc::new(
            store::sqlite::SqliteStore::open(
                &config.database_url,
                config.sqlite_readers,
                config.sqlite_batch,
                config.sqlite_wal_pages,
                config.sqlite_synchronous,
                &seed,
                now,
            )
            .await
            .context("opening SQLite")?,
        ))
    } else {
        anyhow::bail!(
            "--database-url must start with sqlite:// or postgres:// (got {:?})",
            config.database_url
        );
    };
    let (stop, mut stopped) = watch::channel(false);
    let state = AppState(Arc::new(Shared {
        store: store.clone(),
        clock: clock.clone(),
        policy: Arc::new(policy),
        tokens: TokenCache::new(
            Duration::from_secs(config.session_idle_secs),
            Duration::from_secs(config.session_max_age_secs),
        ),
        openapi: axum::body::Bytes::from(openapi::json()),
        hashing: sessions::Hashing::default(),
        limits: sessions::LoginLimits::new(
            config.login_attempts_per_user,
            config.login_attempts_per_ip,
            config
                .client_ip_header
                .as_deref()
                .map(axum::http::HeaderName::try_from)
                .transpose()
                .context("--client-ip-header")?,
            !config.no_demo,
        )
        .with_joins(config.participant_joins_per_ip),
        researchers: config.researchers.clone(),
        stopping: stop.subscribe(),
    }));
    observe::handle();
    if config.load_test_sessions {
        tracing::warn!(
            "--load-test-sessions: POST /api/v1/test/sessions hands out the crowd's sessions \
             without passwords (benchmarks on loopback only)"
        );
    }
    let app = router(state.clone(), &config);
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let mut serve_stop = stop.subscribe();
    let serve = tokio::spawn(async move {
        let shutdown = async move {
            let _ = serve_stop.changed().await;
        };
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!("server: {e}");
        }
    });
    let maintenance = tokio::spawn(sessions::maintain(state.clone(), stop.subscribe()));
    let interval = Duration::from_millis(config.sweep_interval_ms.max(10));
    let sweeper = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => sweep(&state).await,
                _ = stopped.changed() => break,
            }
        }
    });
    Ok(Server {
        addr,
        store,
        clock,
        stop,
        tasks: vec![serve, sweeper, maintenance],
        grace: Duration::from_secs(config.shutdown_grace_secs),
    })
}

/// Refunds packets past their expiry (a few hundred per round).
async fn sweep(state: &AppState) {
    let now = state.clock.now();
    match state.store.due_packets(now, None, 500).await {
        Ok(ids) if !ids.is_empty() => {
            if let Err(e) = state.store.expire(ids, now).await {
                tracing::warn!("sweeper: {e:?}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("sweeper: {e}"),
    }
}

/// Largest `POST /api/v1/lab/events` body (a batch of events).
pub const LAB_BODY_BYTES: usize = 256 * 1024;

/// The whole application: the API, the widget, and the layers around them.
pub fn router(state: AppState, config: &Config) -> Router {
    use crate::routes::*;
    let mut api = Router::new()
        .route("/login", post(sessions::login))
        .route("/logout", post(sessions::logout))
        .route("/me", get(me))
        .route("/ledger", get(ledger))
        .route("/chats", get(chats))
        .route("/chats/{id}/packets", get(chat_packets))
        .route("/chats/{id}/events", get(stream::chat_events))
        .route("/chats/{id}/events/ticket", post(stream::ticket))
        .route("/packets", post(send))
        .route("/packets/preview", post(preview))
        .route("/packets/{id}", get(packet))
        .route("/packets/{id}/claim", post(claim))
        .route("/packets/{id}/recall", post(recall))
        .route(
            "/lab/events",
            post(add_lab_event)
                .layer(DefaultBodyLimit::max(LAB_BODY_BYTES))
                .get(lab_events),
        )
        .route("/lab/events/ticket", post(lab::stream_ticket))
        .route("/lab/events/stream", get(lab::events_stream))
        .route("/lab/results", get(lab::results))
        .route("/studies", get(studies::studies))
        .route(
            "/studies/{key}",
            put(studies::put_study)
                .layer(DefaultBodyLimit::max(studies::STUDY_BODY_BYTES))
                .get(studies::study)
                .delete(studies::delete_study),
        )
        .route("/studies/{key}/participants", post(participants::join))
        .route("/openapi.json", get(openapi_json));
    if config.test_clock {
        api = api.route("/test/clock", post(advance_clock));
    }
    if config.load_test_sessions {
        api = api.route("/test/sessions", post(sessions::crowd_sessions));
    }
    let mut api = api
        // Every route: path segments, query values and identity headers are checked before
        // the handler (JSON bodies where they are parsed), see `validate`.
        .route_layer(axum::middleware::from_fn(validate::layer))
        // Outside the validation: its 400s are counted too.
        .route_layer(axum::middleware::from_fn(observe::track))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(security::API_CSP),
        ));
    if let Some(cors) = security::cors(&config.cors_origins) {
        api = api.layer(cors);
    }
    let ops = Router::new()
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics_page))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state.clone());
    let mut app = Router::new()
        .nest("/api/v1", api.with_state(state))
        .merge(ops);
    app = match &config.static_dir {
        Some(dir) => {
            // index.html is read once, at start-up: its inline scripts' hashes go into the
            // CSP, and it is served with the widget's settings added.
            let html = std::fs::read_to_string(dir.join("index.html")).ok();
            let csp = HeaderValue::from_str(&security::widget_csp(html.as_deref().unwrap_or("")))
                .unwrap_or_else(|_| HeaderValue::from_static(security::WIDGET_CSP));
            let mut files = Router::new();
            if let Some(html) = html {
                let index = axum::body::Bytes::from(security::widget_index(&html));
                let page = move || std::future::ready(axum::response::Html(index.clone()));
                files = files
                    .route("/", get(page.clone()))
                    .route("/index.html", get(page));
            }
            let files = files
                .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    csp,
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("SAMEORIGIN"),
                ));
            app.merge(files)
        }
        None => app.fallback(|| async { routes::not_found().await }),
    };
    for (name, value) in security::common_headers() {
        app = app.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    // Request spans carry the method and the path, never the query (a stream ticket
    // travels there) nor any header.
    app.layer(
        tower_http::trace::TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            },
        ),
    )
}

/// `hongbao-server`: start, print the address, run until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let static_dir = config.static_dir.clone();
    let server = start(config).await?;
    println!("listening on {}", server.url());
    if let Some(dir) = static_dir {
        println!("serving the widget from {}", dir.display());
    }
    println!("backend: {}", server.store.backend_name());
    shutdown_signal().await;
    tracing::info!("shutting down: no new connections, finishing the requests in flight");
    server.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
