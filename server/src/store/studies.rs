//! The lab's studies (issue 14): listed, read by key, put (inserted or replaced) and
//! deleted. Written once for both databases, like [`super::sessions`]: reads on the read
//! pool (SQLite) or the pool (PostgreSQL), writes on SQLite's writer task or a PostgreSQL
//! connection. What a study may hold is decided before it gets here (`crate::studies`,
//! with hongbao-study); the store keeps the text it is given.

use std::sync::Arc;

use sqlx::sqlite::SqliteConnection;

use super::reads::on_pool;
use super::rows::StudyRow;
use super::sessions::{Job, Out, write};
use super::{Store, StoreError};

/// The columns of [`StudyRow`].
const COLUMNS: &str = "key, body, closed, saved_at, saved_by";

/// What [`Store::put_study`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    /// There was no study of this key.
    Created,
    /// The study of this key was replaced.
    Replaced,
}

impl Store {
    /// Every stored study, by key (in the keys' byte order: PostgreSQL's `ORDER BY` would
    /// follow its database's locale, SQLite's compares bytes; keys are ASCII).
    pub async fn studies(&self) -> Result<Vec<StudyRow>, sqlx::Error> {
        let q = format!("SELECT {COLUMNS} FROM studies");
        let mut rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, StudyRow>(&q).fetch_all(pool).await?
        });
        rows.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(rows)
    }

    /// The study of `key`, if any.
    pub async fn study(&self, key: &str) -> Result<Option<StudyRow>, sqlx::Error> {
        let q = format!("SELECT {COLUMNS} FROM studies WHERE key = $1");
        on_pool!(self, |pool| {
            sqlx::query_as::<_, StudyRow>(&q)
                .bind(key)
                .fetch_optional(pool)
                .await
        })
    }

    /// Stores `study` under its key: a new row, or the row of that key replaced.
    ///
    /// Two statements that each stand alone, no transaction: an insert that does nothing
    /// when the key is taken, then an update of that key. A study deleted between the two
    /// (PostgreSQL, another request or process) makes the update change nothing; then the
    /// insert is tried again. (SQLite's writer runs one write at a time: it never loops.)
    pub async fn put_study(&self, study: StudyRow) -> Result<Put, StoreError> {
        let study = Arc::new(study);
        Ok(write!(self, [study], |conn| {
            loop {
                let inserted = sqlx::query(
                    "INSERT INTO studies (key, body, closed, saved_at, saved_by) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
                )
                .bind(study.key.clone())
                .bind(study.body.clone())
                .bind(study.closed)
                .bind(study.saved_at)
                .bind(study.saved_by.clone())
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if inserted == 1 {
                    break Put::Created;
                }
                let updated = sqlx::query(
                    "UPDATE studies SET body = $2, closed = $3, saved_at = $4, saved_by = $5 \
                     WHERE key = $1",
                )
                .bind(study.key.clone())
                .bind(study.body.clone())
                .bind(study.closed)
                .bind(study.saved_at)
                .bind(study.saved_by.clone())
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if updated == 1 {
                    break Put::Replaced;
                }
            }
        }))
    }

    /// Deletes the study of `key`; whether there was one.
    pub async fn delete_study(&self, key: &str) -> Result<bool, StoreError> {
        let key = key.to_owned();
        Ok(write!(self, [key], |conn| {
            sqlx::query("DELETE FROM studies WHERE key = $1")
                .bind(key)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                == 1
        }))
    }
}
