//! Sessions and passwords in the database: sessions created, looked up, touched, revoked
//! and purged, passwords re-hashed. Written once for both databases: on PostgreSQL on the
//! pool, on SQLite as a [`Job`] for the writer task (the only writing connection, see
//! [`super::sqlite`]), which runs it inside its next batch's transaction.

use std::any::Any;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use hongbao_engine::Timestamp;
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
                    "INSERT INTO sessions (token_hash, username, created_at) ",
                );
                q.push_values(chunk, |mut row, (hash, user)| {
                    row.push_bind(hash.clone())
                        .push_bind(user.clone())
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
