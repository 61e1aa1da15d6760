//! The lab's events: what is stored of each (the caller, the server's time, the event's
//! `type` and `experiment`, its JSON as posted) and the reads of the researcher's console:
//! a user's or everyone's newest events, every event of one experiment (its export), and
//! one experiment's events parsed for its results. Reads run on the SQLite read pool or the
//! PostgreSQL pool; the writes are the SQLite writer's and PostgreSQL's
//! (`add_lab_events`), each of which publishes how many events a request stored once they
//! are committed (see [`crate::events`]).

use hongbao_api::LabEvent;

use super::reads::on_pool;
use super::rows::LabEventRow;
use super::{LAB_EVENTS_LIMIT, Store};

/// A lab event to store.
#[derive(Clone, Debug)]
pub struct NewLabEvent {
    /// Its `type`.
    pub kind: String,
    /// Its `experiment` string ('' without one).
    pub experiment: String,
    /// Its JSON text as posted.
    pub body: String,
}

/// Which events [`Store::lab_events`] reads.
#[derive(Clone, Copy, Debug)]
pub struct LabFilter<'a> {
    /// Only this user's (else everyone's).
    pub user: Option<&'a str>,
    /// Only this experiment's.
    pub experiment: Option<&'a str>,
}

impl Store {
    /// Lab events, oldest first: the newest [`LAB_EVENTS_LIMIT`] of a user or of everyone;
    /// of one experiment, a user's newest [`LAB_EVENTS_LIMIT`] or everyone's, all of them
    /// (the export of a study: no limit).
    pub async fn lab_events(&self, filter: LabFilter<'_>) -> Result<Vec<LabEventRow>, sqlx::Error> {
        // The newest (a subquery by id, descending), oldest first.
        let newest = |filter: &str, limit: &str| {
            format!(
                "SELECT id, username, at, body FROM (SELECT id, username, at, body \
                 FROM lab_events {filter} ORDER BY id DESC LIMIT {limit}) AS newest ORDER BY id"
            )
        };
        on_pool!(self, |pool| {
            match filter {
                LabFilter {
                    user: None,
                    experiment: Some(experiment),
                } => {
                    sqlx::query_as::<_, LabEventRow>(
                        "SELECT id, username, at, body FROM lab_events WHERE experiment = $1 \
                         ORDER BY id",
                    )
                    .bind(experiment)
                    .fetch_all(pool)
                    .await
                }
                LabFilter {
                    user: Some(user),
                    experiment: Some(experiment),
                } => {
                    sqlx::query_as::<_, LabEventRow>(&newest(
                        "WHERE username = $1 AND experiment = $2",
                        "$3",
                    ))
                    .bind(user)
                    .bind(experiment)
                    .bind(LAB_EVENTS_LIMIT)
                    .fetch_all(pool)
                    .await
                }
                LabFilter {
                    user: Some(user),
                    experiment: None,
                } => {
                    sqlx::query_as::<_, LabEventRow>(&newest("WHERE username = $1", "$2"))
                        .bind(user)
                        .bind(LAB_EVENTS_LIMIT)
                        .fetch_all(pool)
                        .await
                }
                LabFilter {
                    user: None,
                    experiment: None,
                } => {
                    sqlx::query_as::<_, LabEventRow>(&newest("", "$1"))
                        .bind(LAB_EVENTS_LIMIT)
                        .fetch_all(pool)
                        .await
                }
            }
        })
    }

    /// Every event of `experiment` that reads as a [`LabEvent`] (the others are skipped,
    /// as the client skips them), oldest first: what its results are computed from.
    ///
    /// Only the ids and bodies are read, [`RESULTS_CHUNK`] events per round trip joined into
    /// one text by the database: a row per event costs the SQLite driver more than reading
    /// the events (100,000 rows of 173 bytes took about 250 ms in the server's build, the
    /// same 17 MB in chunks about 55 ms). Each chunk is parsed on a blocking thread while
    /// the next is read, each event straight from its piece of the text into a [`LabEvent`].
    /// (Each chunk is its own statement: an event committed while they are read may be in
    /// the results or not, as with any read a moment earlier or later.)
    pub async fn experiment_events(&self, experiment: &str) -> Result<Vec<LabEvent>, sqlx::Error> {
        // The chunk after id $3 (ids and bodies, each `id:body`, RECORD_SEPARATOR between
        // them), its last id and its size. The aggregate's order is not promised (one with
        // `ORDER BY` inside costs SQLite a sort), so the ids come along.
        let q = "SELECT string_agg(CAST(id AS TEXT) || ':' || body, $1), MAX(id), COUNT(*) \
                 FROM (SELECT id, body FROM lab_events WHERE experiment = $2 AND id > $3 \
                 ORDER BY id LIMIT $4) AS chunk";
        let mut after = i64::MIN;
        let mut parsing = Vec::new();
        loop {
            let (text, last, n): (Option<String>, Option<i64>, i64) = on_pool!(self, |pool| {
                sqlx::query_as(q)
                    .bind(RECORD_SEPARATOR)
                    .bind(experiment)
                    .bind(after)
                    .bind(RESULTS_CHUNK)
                    .fetch_one(pool)
                    .await?
            });
            if let Some(text) = text {
                parsing.push(tokio::task::spawn_blocking(move || parse_chunk(&text)));
            }
            match last {
                Some(last) if n == RESULTS_CHUNK => after = last,
                _ => break,
            }
        }
        let mut events = Vec::new();
        for chunk in parsing {
            let chunk = chunk
                .await
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            events.extend(chunk.into_iter().map(|(_, event)| event));
        }
        Ok(events)
    }
}

/// Lab events of one experiment read per round trip by [`Store::experiment_events`].
pub const RESULTS_CHUNK: i64 = 10_000;

/// What separates two events in a chunk: ASCII's record separator, which JSON text never
/// holds as such (inside a string it is escaped; RFC 7464's JSON text sequences use it
/// so).
const RECORD_SEPARATOR: &str = "\u{1e}";

/// The events of one chunk (`id:body` pieces) with their ids, in the order of their ids; a
/// body that does not read as a [`LabEvent`] is skipped (and so is what follows a record
/// separator inside a body that is not JSON, which only a SQLite file written by hand can
/// hold).
fn parse_chunk(text: &str) -> Vec<(i64, LabEvent)> {
    let mut events: Vec<(i64, LabEvent)> = Vec::with_capacity(RESULTS_CHUNK as usize);
    for piece in text.split(RECORD_SEPARATOR) {
        let Some((id, body)) = piece.split_once(':') else {
            continue;
        };
        if let (Ok(id), Ok(event)) = (id.parse::<i64>(), serde_json::from_str::<LabEvent>(body)) {
            events.push((id, event));
        }
    }
    if !events.is_sorted_by_key(|(id, _)| *id) {
        events.sort_unstable_by_key(|(id, _)| *id);
    }
    events
}
