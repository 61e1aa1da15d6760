//! The schema of each dialect as embedded, numbered migrations (`server/migrations/`). A
//! database created by an earlier release is migrated forward when a store opens (under
//! sqlx's lock in PostgreSQL, so processes may start together); each migration converts the
//! rows it finds.
//!
//! - 1 `init`: users, sessions, chats, packets (the engine's JSON in a `body` column),
//!   claims, the append-only ledger, lab events.
//! - 2 `ledger indexes`: drops the ledger's index by packet.
//! - 3 `typed packets`: a column per packet field instead of the JSON `body` (kind, amounts,
//!   count, split, recipient, greeting, times, state, refund, recall policy), foreign keys
//!   on the packet's chat, sender and recipient and on the claimer, the pre-cut shares of
//!   line-cutting packets as rows of `packet_shares`; the idempotency request's JSON is
//!   gone (a retry is compared field by field). PostgreSQL's money columns become
//!   `NUMERIC(19,2)` yuan (SQLite keeps integer fen).
//! - 4 `sessions`: sessions get a last-use time and an end (idle and absolute expiry,
//!   logout), and the event streams' single-use tickets (see `store::sessions`).
//! - 5 `studies`: the lab's studies (issue 14), one row per key: the study's JSON as the
//!   server normalized it, `closed` as a boolean column, when and by whom it was last saved
//!   (see `store::studies`).
//! - 6 `lab experiment`: lab events get their experiment as a column, `experiment` (text,
//!   `NOT NULL`, '' for an event without an `experiment` string), filled in from each
//!   stored event's JSON and indexed with the id, so one experiment's events are read
//!   without reading the others (see `store::lab`).

/// SQLite's migrations.
pub const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "ledger indexes",
        include_str!("../../migrations/sqlite/0002_ledger_indexes.sql"),
    ),
    (
        3,
        "typed packets",
        include_str!("../../migrations/sqlite/0003_typed_packets.sql"),
    ),
    (
        4,
        "sessions",
        include_str!("../../migrations/sqlite/0004_sessions.sql"),
    ),
    (
        5,
        "studies",
        include_str!("../../migrations/sqlite/0005_studies.sql"),
    ),
    (
        6,
        "lab experiment",
        include_str!("../../migrations/sqlite/0006_lab_experiment.sql"),
    ),
    (
        7,
        "participants",
        include_str!("../../migrations/sqlite/0007_participants.sql"),
    ),
];

/// PostgreSQL's migrations.
pub const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "ledger indexes",
        include_str!("../../migrations/postgres/0002_ledger_indexes.sql"),
    ),
    (
        3,
        "typed packets",
        include_str!("../../migrations/postgres/0003_typed_packets.sql"),
    ),
    (
        4,
        "sessions",
        include_str!("../../migrations/postgres/0004_sessions.sql"),
    ),
    (
        5,
        "studies",
        include_str!("../../migrations/postgres/0005_studies.sql"),
    ),
    (
        6,
        "lab experiment",
        include_str!("../../migrations/postgres/0006_lab_experiment.sql"),
    ),
    (
        7,
        "participants",
        include_str!("../../migrations/postgres/0007_participants.sql"),
    ),
];

/// The embedded migrations of one dialect, `(version, description, SQL)` in order.
pub fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> sqlx::migrate::Migrator {
    use std::borrow::Cow;
    let migrations = migrations
        .iter()
        .map(|&(version, description, sql)| {
            sqlx::migrate::Migration::new(
                version,
                Cow::Borrowed(description),
                sqlx::migrate::MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    sqlx::migrate::Migrator {
        migrations: Cow::Owned(migrations),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}
