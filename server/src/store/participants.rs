//! Study participants' tokens (issue 14): stored by the hash of the token, read back as the
//! study and participant every event posted with the token is written under. Written once
//! for both databases, like [`super::sessions`].

use std::sync::Arc;

use sqlx::sqlite::SqliteConnection;

use super::reads::on_pool;
use super::sessions::{Job, Out, write};
use super::{Store, StoreError};

/// A participant's token as stored (by its hash).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ParticipantRow {
    pub study: String,
    pub participant: String,
    /// The variant it was assigned, and whether the link forced it.
    pub variant: String,
    pub forced: bool,
    /// When it was handed out (ms since the epoch).
    pub created_at: i64,
}

impl Store {
    /// Stores a participant's token (its hash) for `study`.
    pub async fn new_participant(
        &self,
        token_hash: String,
        row: ParticipantRow,
    ) -> Result<(), StoreError> {
        let stored = Arc::new((token_hash, row));
        let n: u64 = write!(self, [stored], |conn| {
            let (hash, row) = &*stored;
            sqlx::query(
                "INSERT INTO participants \
                 (token_hash, study, participant, variant, forced, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(hash.clone())
            .bind(row.study.clone())
            .bind(row.participant.clone())
            .bind(row.variant.clone())
            .bind(row.forced)
            .bind(row.created_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        debug_assert_eq!(n, 1, "one participant's token stored");
        Ok(())
    }

    /// The participant's token of `token_hash`, if any (an expired one too: the caller
    /// decides by its `created_at`).
    pub async fn participant(
        &self,
        token_hash: &str,
    ) -> Result<Option<ParticipantRow>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as::<_, ParticipantRow>(
                "SELECT study, participant, variant, forced, created_at FROM participants \
                 WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })
    }
}
