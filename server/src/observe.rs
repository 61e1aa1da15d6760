//! Operations: `GET /healthz` (the process answers), `GET /readyz` (the database answers
//! and its migrations are this binary's), and Prometheus metrics at `GET /metrics`, through
//! the `metrics` facade and `metrics-exporter-prometheus`:
//!
//! - `hongbao_http_requests_total{method, route, status}`: every answered request, by its
//!   route's template (`/api/v1/packets/{id}/claim`, never the path itself: no ids, no query);
//! - `hongbao_http_request_duration_seconds{method, route}`: a histogram of the same;
//! - `hongbao_claim_duration_seconds{outcome}`: a histogram of claims (`ok` or the error code);
//! - `hongbao_sse_streams_open`: event streams open now;
//! - `hongbao_db_connections_open`, `hongbao_db_connections_idle`: the pool (SQLite: its
//!   readers), `hongbao_db_writer_queue`: SQLite commands waiting for the writer;
//! - `hongbao_login_refused_total{reason}`: refused logins (`password`, `rate_limited`).
//!
//! The recorder is the process's (one per process, installed by the first server started).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::store::sessions::latest_migration;

/// Latency buckets, in seconds (1 ms … 5 s).
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process's Prometheus recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), &BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed already; /metrics stays empty");
        }
        handle
    })
}

/// Counts and times every request by its route (a layer around the whole application).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let secs = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!("hongbao_http_requests_total",
        "method" => method.clone(), "route" => route.clone(), "status" => status)
    .increment(1);
    metrics::histogram!("hongbao_http_request_duration_seconds",
        "method" => method, "route" => route)
    .record(secs);
    response
}

/// Records a claim's latency and outcome.
pub fn claim(started: Instant, outcome: &'static str) {
    metrics::histogram!("hongbao_claim_duration_seconds", "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
}

/// A refused login, by reason.
pub fn login_refused(reason: &'static str) {
    metrics::counter!("hongbao_login_refused_total", "reason" => reason).increment(1);
}

/// Held by an open event stream: counts it in `hongbao_sse_streams_open` until dropped.
pub struct OpenStream(());

impl Default for OpenStream {
    fn default() -> OpenStream {
        metrics::gauge!("hongbao_sse_streams_open").increment(1.0);
        OpenStream(())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!("hongbao_sse_streams_open").decrement(1.0);
    }
}

/// `GET /metrics`: the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain")))]
pub async fn metrics_page(State(state): State<AppState>) -> Response {
    let pool = state.store.pool_use();
    metrics::gauge!("hongbao_db_connections_open").set(f64::from(pool.open));
    metrics::gauge!("hongbao_db_connections_idle").set(f64::from(pool.idle));
    metrics::gauge!("hongbao_db_writer_queue").set(f64::from(pool.queued));
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// `GET /healthz`: the process is alive and serving.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "ok", content_type = "text/plain")))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: 200 when the database answers and its schema is this binary's newest
/// migration, 503 otherwise (and from the moment a shutdown begins, so that a load
/// balancer stops sending requests).
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, description = "ready", content_type = "text/plain"),
              (status = 503, description = "the database does not answer, its schema is not this server's, or the server is shutting down", content_type = "text/plain")))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    if *state.stopping.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    let want = latest_migration(&state.store);
    match tokio::time::timeout(
        std::time::Duration::from_secs(2),
        state.store.schema_version(),
    )
    .await
    {
        Ok(Ok(v)) if v == want => (StatusCode::OK, "ready\n").into_response(),
        Ok(Ok(v)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the database's schema is at migration {v}, this server needs {want}\n"),
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::warn!("readiness: the database does not answer: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is too slow to answer\n",
        )
            .into_response(),
    }
}
