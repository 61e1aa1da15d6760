//! Sessions and passwords in the database: sessions created, looked up, touched, revoked
//! and purged, passwords re-hashed. Written once for both databases: on PostgreSQL on the
//! pool, on SQLite as a [`Job`] for the writer task (the only writing connection, see
//! [`super::sqlite`]), which runs it inside its next batch's transaction.

use std::any::Any;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use hongbao_engine::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use super::{Store, StoreError};

/// What a [`Job`] returns (downcast by [`Store::write`]).
pub type Out = Box<dyn Any + Send>;

/// A write for the SQLite writer task: run (maybe again, if its batch is retried one by
/// one) on the writer's connection inside a transaction.
pub type Job = Arc<
    dyn for<'c> Fn(&'c mut SqliteConnection) -> BoxFuture<'c, Result<Out, sqlx::Error>>
        + Send
        + Sync,
>;

/// Runs the same statements on SQLite's writer or on a PostgreSQL connection: `$conn` is a
/// `&mut` connection (SQLite's inside the writer's transaction), the `[$captured]`
/// variables are cloned into the job (which may run more than once), and the body's value
/// is the result.
macro_rules! write {
    ($store:expr, [$($captured:ident),*], |$conn:ident| $body:expr) => {
        match $store {
            Store::Sqlite(s) => {
                let job: Job = Arc::new(move |$conn: &mut SqliteConnection| {
                    $(let $captured = $captured.clone();)*
                    Box::pin(async move {
                        let out = $body;
                        Ok(Box::new(out) as Out)
                    })
                });
                let out = s.exec(job).await?;
                *out.downcast().expect("a job returns its own type")
            }
            Store::Pg(s) => {
                let mut pooled = s.pool.acquire().await?;
                let $conn = &mut *pooled;
                $body
            }
        }
    };
}

/// For the other stores of the same kind of rows (see [`super::studies`]).
pub(super) use write;

impl Store {
    /// Stores new sessions `(token hash, user)` in one transaction.
    pub async fn new_sessions(
        &self,
        sessions: Vec<(String, String)>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let expected = sessions.len() as u64;
        let sessions = Arc::new(sessions);
        let at = now.millis();
        let n: u64 = write!(self, [sessions], |conn| {
            let mut n = 0u64;
            for chunk in sessions.chunks(500) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO sessions (token_hash, username, created_at, last_seen_at) ",
                );
                q.push_values(chunk, |mut row, (hash, user)| {
                    row.push_bind(hash.clone())
                        .push_bind(user.clone())
                        .push_bind(at)
                        .push_bind(at);
                });
                n += q.build().execute(&mut *conn).await?.rows_affected();
            }
            n
        });
        debug_assert_eq!(n, expected);
        Ok(())
    }

    /// Replaces a user's password hash (an old-scheme hash by an argon2id one).
    pub async fn set_password_hash(
        &self,
        user: &str,
        password_hash: &str,
        salt: &str,
    ) -> Result<(), StoreError> {
        let (user, hash, salt) = (user.to_owned(), password_hash.to_owned(), salt.to_owned());
        let _: u64 = write!(self, [user, hash, salt], |conn| {
            sqlx::query("UPDATE users SET password_hash = $1, salt = $2 WHERE username = $3")
                .bind(hash)
                .bind(salt)
                .bind(user)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}

/// A stored session (times in ms since the epoch).
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub username: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl Store {
    /// The session of a token hash, if any (expired or not).
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
        let q = "SELECT username, created_at, last_seen_at FROM sessions WHERE token_hash = $1";
        let row = match self {
            Store::Sqlite(s) => sqlx::query(q)
                .bind(token_hash)
                .fetch_optional(&s.read)
                .await?
                .map(|r| (r.get(0), r.get(1), r.get(2))),
            Store::Pg(s) => sqlx::query(q)
                .bind(token_hash)
                .fetch_optional(&s.pool)
                .await?
                .map(|r| (r.get(0), r.get(1), r.get(2))),
        };
        Ok(row.map(|(username, created_at, last_seen_at)| SessionRow {
            username,
            created_at,
            last_seen_at,
        }))
    }

    /// Notes a session's use at `at` (ms; never moves back).
    pub async fn touch_session(&self, token_hash: &str, at: i64) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        let _: u64 = write!(self, [hash], |conn| {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1",
            )
            .bind(at)
            .bind(hash)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Deletes a session and its unused stream tickets; how many sessions went (0 or 1).
    pub async fn revoke_session(&self, token_hash: &str) -> Result<u64, StoreError> {
        let hash = token_hash.to_owned();
        Ok(write!(self, [hash], |conn| {
            sqlx::query("DELETE FROM stream_tickets WHERE session_hash = $1")
                .bind(hash.clone())
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(hash)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }

    /// Deletes every session of `user` but `keep` (and their stream tickets); how many.
    pub async fn revoke_user_sessions(
        &self,
        user: &str,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        let user = user.to_owned();
        let keep = keep.unwrap_or("").to_owned();
        Ok(write!(self, [user, keep], |conn| {
            sqlx::query("DELETE FROM stream_tickets WHERE username = $1 AND session_hash <> $2")
                .bind(user.clone())
                .bind(keep.clone())
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE username = $1 AND token_hash <> $2")
                .bind(user)
                .bind(keep)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }

    /// Deletes the sessions that have expired at `now` (idle for `idle_ms`, or older than
    /// `max_age_ms`), the stream tickets that have lapsed and the participants' tokens older
    /// than `max_age_ms`; how many sessions went.
    pub async fn purge_sessions(
        &self,
        now: Timestamp,
        idle_ms: i64,
        max_age_ms: i64,
    ) -> Result<u64, StoreError> {
        let now = now.millis();
        let (idle_before, created_before) =
            (now.saturating_sub(idle_ms), now.saturating_sub(max_age_ms));
        Ok(write!(self, [], |conn| {
            sqlx::query("DELETE FROM stream_tickets WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *conn)
                .await?;
            // A study participant's token lives as long as a session may (no idle end).
            sqlx::query("DELETE FROM participants WHERE created_at <= $1")
                .bind(created_before)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
                .bind(idle_before)
                .bind(created_before)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }
}

/// A stream ticket, taken (see [`Store::take_ticket`]).
#[derive(Clone, Debug)]
pub struct TakenTicket {
    /// The hash of the token of the session it was asked with.
    pub session_hash: String,
    pub username: String,
    pub chat_id: String,
}

impl Store {
    /// Stores a stream ticket (its hash) until `expires_at`.
    pub async fn new_ticket(
        &self,
        ticket_hash: String,
        session_hash: String,
        username: String,
        chat_id: String,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let at = expires_at.millis();
        let _: u64 = write!(
            self,
            [ticket_hash, session_hash, username, chat_id],
            |conn| {
                sqlx::query(
                    "INSERT INTO stream_tickets (ticket_hash, session_hash, username, chat_id, \
                     expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(ticket_hash)
                .bind(session_hash)
                .bind(username)
                .bind(chat_id)
                .bind(at)
                .execute(&mut *conn)
                .await?
                .rows_affected()
            }
        );
        Ok(())
    }

    /// Takes a stream ticket: deletes it and returns it if it had not lapsed at `now`. A
    /// ticket is taken at most once, also by concurrent requests or processes.
    pub async fn take_ticket(
        &self,
        ticket_hash: String,
        now: Timestamp,
    ) -> Result<Option<TakenTicket>, StoreError> {
        let now = now.millis();
        let row: Option<(String, String, String, i64)> = write!(self, [ticket_hash], |conn| {
            let row: Option<(String, String, String, i64)> = sqlx::query(
                "DELETE FROM stream_tickets WHERE ticket_hash = $1 \
                 RETURNING session_hash, username, chat_id, expires_at",
            )
            .bind(ticket_hash)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)));
            row
        });
        Ok(row.filter(|(_, _, _, expires_at)| now < *expires_at).map(
            |(session_hash, username, chat_id, _)| TakenTicket {
                session_hash,
                username,
                chat_id,
            },
        ))
    }
}

/// The newest migration this binary knows for the store's database.
pub fn latest_migration(store: &Store) -> i64 {
    let migrations = match store {
        Store::Sqlite(_) => super::migrations::SQLITE,
        Store::Pg(_) => super::migrations::POSTGRES,
    };
    migrations.last().map_or(0, |m| m.0)
}
