//! What the researcher's console asks of the server beyond the lab's events
//! (`crate::routes::lab_events`): a study's results computed where its events are, and a
//! live stream of newly stored lab events. Researchers (`--researcher`) only.
//!
//! Results: `GET /api/v1/lab/results` reads one experiment's events (by the `experiment`
//! column, only their JSON), parses each into the widget's [`hongbao_api::LabEvent`] as the
//! client does (an event that does not read as one is skipped) and runs hongbao-study's
//! [`summarize`] on them, the code the console would run on the exported events: a
//! study of 100,000 events is not sent to the browser to be counted there.
//!
//! The stream: `POST /api/v1/lab/events/ticket` gives a researcher a single-use ticket (as
//! for a chat's stream, see [`crate::stream`]) that opens
//! `GET /api/v1/lab/events/stream?ticket=…`: Server-Sent Events, one default (`message`)
//! event `{"stored": N}` each time a request stored N lab events, whoever posted them; on
//! PostgreSQL those stored through any server process.

use std::convert::Infallible;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::response::sse::{Event, Sse};
use futures_util::{Stream, StreamExt};
use hongbao_api::{ErrorBody, ErrorCode, StreamTicket};
use hongbao_study::results::{VariantResult, summarize};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::AppState;
use crate::auth::{AuthSession, AuthUser};
use crate::error::{AppError, AppResult, shortened};
use crate::routes::experiment_key;
use crate::stream::{self, LAB_SCOPE, Opener};

/// Refuses anyone but a researcher (403 `forbidden`): "only a researcher may {what}".
pub(crate) fn researcher(state: &AppState, user: &str, what: &str) -> AppResult<()> {
    if state.researchers.iter().any(|r| r == user) {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Forbidden,
            format!("only a researcher may {what}"),
        ))
    }
}

// ------------------------------------------------------------------------------ results

/// The query of `GET /api/v1/lab/results`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ResultsQuery {
    /// The experiment's (or study's) key, as its events' `experiment`.
    experiment: String,
    /// Its variants, comma-separated, in the order of the rows (then any other variant
    /// seen in the events); empty or absent: rows only for the variants seen.
    #[serde(default)]
    variants: String,
    /// Whether participants with a forced variant (`?variant=` links) count.
    #[serde(default)]
    forced: bool,
}

/// The variants of a query: comma-separated names, each once, in order (empty names are
/// dropped).
fn variants(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in list.split(',').filter(|n| !n.is_empty()) {
        if !out.iter().any(|v| v == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// The results of an experiment or study per variant (researchers only), computed by the
/// server from that experiment's stored events with hongbao-study's `summarize`: rows in
/// `variants` order, then any other variant seen; forced participants only with
/// `forced=true`. Each row: `variant`, `participants`, `sent`, `slips`, `slip_ci` (95%
/// Wilson), `median_send_ms`, `send_quartiles_ms`, `cancels`, `recalls`. Events that do
/// not read as the widget's lab events are skipped.
#[utoipa::path(get, path = "/api/v1/lab/results", tag = "lab", security(("bearer" = [])),
    params(ResultsQuery),
    responses((status = 200, body = [Object], description = "hongbao-study's VariantResult per variant"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "not a researcher")))]
pub async fn results(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    query: Result<Query<ResultsQuery>, QueryRejection>,
) -> AppResult<Json<Vec<VariantResult>>> {
    researcher(&state, &user, "read the lab's results")?;
    let Query(query) = query.map_err(|e| {
        AppError::invalid(format!(
            "the query is ?experiment=KEY&variants=A,B&forced=true|false ({})",
            shortened(e.body_text(), 200)
        ))
    })?;
    experiment_key(&query.experiment)?;
    let variants = variants(&query.variants);
    let events = state.store.experiment_events(&query.experiment).await?;
    // Counting is CPU work: off the async workers. So is freeing the events (a hundred
    // thousand of them take about 10 ms), which the answer does not wait for.
    let results = tokio::task::spawn_blocking(move || {
        let results = summarize(&events, &query.experiment, &variants, query.forced);
        tokio::task::spawn_blocking(move || drop(events));
        results
    })
    .await
    .map_err(AppError::internal)?;
    Ok(Json(results))
}

// ------------------------------------------------------------------------------ the stream

/// Asks for a ticket to open the stream of stored lab events (researchers only; one
/// stream, once, within a minute).
#[utoipa::path(post, path = "/api/v1/lab/events/ticket", tag = "lab", security(("bearer" = [])),
    responses((status = 200, body = StreamTicket), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "not a researcher")))]
pub async fn stream_ticket(
    State(state): State<AppState>,
    session: AuthSession,
) -> AppResult<Json<StreamTicket>> {
    researcher(&state, &session.user, "follow the lab's events")?;
    stream::issue(&state, session, LAB_SCOPE.to_owned()).await
}

/// Newly stored lab events as Server-Sent Events: each time a request stores lab events
/// (anyone's), a default (`message`) event whose `data:` is `{"stored": N}`, N the events
/// it stored. A comment `: ready` comes first; an event named `lagged` means some were
/// missed. Open it with `?ticket=` from `POST /api/v1/lab/events/ticket` (browsers) or with
/// a researcher's `Authorization` header; a spent, lapsed or unknown ticket is 401.
#[utoipa::path(get, path = "/api/v1/lab/events/stream", tag = "lab", security(("bearer" = [])),
    params(("ticket" = Option<String>, Query, description = "a lab stream ticket (single use, 60 s), instead of the Authorization header")),
    responses((status = 200, description = "text/event-stream of {\"stored\": N}"),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "with the Authorization header of someone not a researcher")))]
pub async fn events_stream(
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let (mut parts, _body) = request.into_parts();
    match stream::stream_user(&state, &mut parts, LAB_SCOPE).await? {
        // A researcher's: checked when it was issued.
        Opener::Ticket(_) => {}
        Opener::Header(user) => researcher(&state, &user, "follow the lab's events")?,
    }
    let events = BroadcastStream::new(state.store.hub().subscribe_lab()).map(|item| {
        Ok(match item {
            Ok(stored) => Event::default().data(format!("{{\"stored\":{stored}}}")),
            Err(BroadcastStreamRecvError::Lagged(n)) => {
                Event::default().event("lagged").data(n.to_string())
            }
        })
    });
    Ok(stream::sse(&state, events))
}

#[cfg(test)]
mod tests {
    use super::variants;

    #[test]
    fn variants_are_comma_separated_each_once_in_order() {
        assert_eq!(variants(""), Vec::<String>::new());
        assert_eq!(variants("B,A"), ["B", "A"]);
        assert_eq!(variants("A,,B,A,"), ["A", "B"]);
        assert_eq!(variants("长 1,x y"), ["长 1", "x y"]);
    }
}
