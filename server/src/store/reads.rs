//! What handlers read outside a transaction: logins, balances, chats, packets for views, a
//! sender's history, the ledger, due packets (lab events: see [`super::lab`]). SQLite reads from its pool of
//! read connections (what its writer committed), PostgreSQL from its pool; the queries are
//! the same.

use std::collections::BTreeMap;

use hongbao_api::LedgerEntry;
use hongbao_engine::{Money, Packet, SenderHistory, Timestamp, ops};

use super::rows::{
    ChatMemberRow, ChatRow, ClaimRow, DbMoney, LedgerRow, PACKET_COLUMNS, PACKET_FROM, PacketRow,
    UserRow, from_db, members_from_db, to_db,
};
use super::{CHAT_PACKETS_LIMIT, LEDGER_LIMIT, Store};

/// Runs the same code on the SQLite read pool or the PostgreSQL pool.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            Store::Sqlite(s) => {
                let $pool = &s.read;
                $body
            }
            Store::Pg(s) => {
                let $pool = &s.pool;
                $body
            }
        }
    };
}

/// For the other reads of the same kind (see [`super::studies`], [`super::lab`]).
pub(super) use on_pool;

/// Packets from their rows and the claims of those packets (ordered by packet, then
/// position), without members or pre-cut shares (views check chat membership instead, and
/// never show shares before they are claimed).
fn packets_with_claims(
    rows: Vec<PacketRow>,
    claims: Vec<ClaimRow>,
) -> Result<Vec<Packet>, sqlx::Error> {
    let mut by_packet: BTreeMap<i64, Vec<hongbao_engine::Claim>> = BTreeMap::new();
    for c in claims {
        by_packet
            .entry(c.packet_id)
            .or_default()
            .push(c.into_claim());
    }
    rows.into_iter()
        .map(|row| {
            let claims = by_packet.remove(&row.id).unwrap_or_default();
            row.into_loaded(claims, Vec::new(), Vec::new())
                .map(|l| l.packet)
        })
        .collect()
}

impl Store {
    pub async fn user(&self, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as::<_, UserRow>(
                "SELECT password_hash, salt FROM users WHERE username = $1",
            )
            .bind(username)
            .fetch_optional(pool)
            .await
        })
    }

    pub async fn balance(&self, username: &str) -> Result<Option<Money>, sqlx::Error> {
        let balance = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, DbMoney>("SELECT balance FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(pool)
                .await?
        });
        Ok(balance.map(|b| b.0))
    }

    pub async fn session_user(&self, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, String>("SELECT username FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await
        })
    }

    /// The chats `user` belongs to: groups first, then by id.
    pub async fn chats_of(&self, user: &str) -> Result<Vec<ChatRow>, sqlx::Error> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, ChatMemberRow>(
                "SELECT c.id, c.name, c.kind, c.work, m.username \
                 FROM chats c JOIN chat_members m ON m.chat_id = c.id \
                 WHERE c.id IN (SELECT chat_id FROM chat_members WHERE username = $1) \
                 ORDER BY CASE WHEN c.kind = 'group' THEN 0 ELSE 1 END, c.id, m.username",
            )
            .bind(user)
            .fetch_all(pool)
            .await?
        });
        ChatRow::collect(rows)
    }

    /// The chat `id` if `user` is a member.
    pub async fn chat_for(&self, user: &str, id: &str) -> Result<Option<ChatRow>, sqlx::Error> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, ChatMemberRow>(
                "SELECT c.id, c.name, c.kind, c.work, m.username \
                 FROM chats c JOIN chat_members m ON m.chat_id = c.id \
                 WHERE c.id = $1 ORDER BY m.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(ChatRow::collect(rows)?
            .into_iter()
            .next()
            .filter(|c| c.members.iter().any(|m| m == user)))
    }

    /// One packet with its claims and members, as committed (without its pre-cut shares:
    /// for views).
    pub async fn packet(&self, id: u64) -> Result<Option<Packet>, sqlx::Error> {
        let id = to_db(id)?;
        let (row, claims) = on_pool!(self, |pool| {
            let row = sqlx::query_as::<_, super::rows::MemberPacketRow>(
                &super::rows::packet_with_members(""),
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            let claims = match row {
                Some(_) => {
                    sqlx::query_as::<_, ClaimRow>(super::rows::CLAIMS_OF)
                        .bind(id)
                        .fetch_all(pool)
                        .await?
                }
                None => Vec::new(),
            };
            (row, claims)
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let members = members_from_db(id, &row.members)?;
        let claims = claims.into_iter().map(ClaimRow::into_claim).collect();
        let loaded = row.packet.into_loaded(claims, members, Vec::new())?;
        Ok(Some(loaded.packet))
    }

    /// The newest [`CHAT_PACKETS_LIMIT`] packets of a chat, oldest first, with their claims
    /// but without their members (for views; the caller checked chat membership).
    pub async fn chat_packets(&self, chat_id: &str) -> Result<Vec<Packet>, sqlx::Error> {
        let (rows, claims) = on_pool!(self, |pool| {
            let rows = sqlx::query_as::<_, PacketRow>(&format!(
                "SELECT * FROM (SELECT {PACKET_COLUMNS} FROM {PACKET_FROM} WHERE p.chat_id = $1 \
                 ORDER BY p.id DESC LIMIT $2) AS newest ORDER BY id"
            ))
            .bind(chat_id)
            .bind(CHAT_PACKETS_LIMIT)
            .fetch_all(pool)
            .await?;
            let first = rows.first().map_or(i64::MAX, |r| r.id);
            let claims = sqlx::query_as::<_, ClaimRow>(
                "SELECT c.packet_id, c.position, c.username, c.amount, c.at FROM claims c \
                 JOIN packets p ON p.id = c.packet_id \
                 WHERE p.chat_id = $1 AND p.id >= $2 ORDER BY c.packet_id, c.position",
            )
            .bind(chat_id)
            .bind(first)
            .fetch_all(pool)
            .await?;
            (rows, claims)
        });
        packets_with_claims(rows, claims)
    }

    /// The sender's habits for the warnings: their newest packets plus the newest one in
    /// `chat_id` (see [`ops::history`]).
    pub async fn history(&self, sender: &str, chat_id: &str) -> Result<SenderHistory, sqlx::Error> {
        let window = to_db(ops::HISTORY_WINDOW)?;
        let rows: Vec<PacketRow> = on_pool!(self, |pool| {
            let mut rows = sqlx::query_as::<_, PacketRow>(&format!(
                "SELECT {PACKET_COLUMNS} FROM {PACKET_FROM} \
                 WHERE p.sender = $1 AND p.state <> 'recalled' ORDER BY p.id DESC LIMIT $2"
            ))
            .bind(sender)
            .bind(window)
            .fetch_all(pool)
            .await?;
            if !rows.is_empty() {
                let last = sqlx::query_as::<_, PacketRow>(&format!(
                    "SELECT {PACKET_COLUMNS} FROM {PACKET_FROM} \
                     WHERE p.sender = $1 AND p.chat_id = $2 AND p.state <> 'recalled' \
                     ORDER BY p.id DESC LIMIT 1"
                ))
                .bind(sender)
                .bind(chat_id)
                .fetch_optional(pool)
                .await?;
                if let Some(last) = last
                    && !rows.iter().any(|r| r.id == last.id)
                {
                    rows.push(last);
                }
            }
            rows
        });
        // Without their claims: the history reads neither claims nor what remains.
        let packets = packets_with_claims(rows, Vec::new())?;
        Ok(ops::history(sender, chat_id, packets.iter()))
    }

    /// The user's ledger, newest first.
    pub async fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, sqlx::Error> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as::<_, LedgerRow>(
                "SELECT id, kind, amount, packet_id, at FROM ledger WHERE username = $1 \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(user)
            .bind(LEDGER_LIMIT)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(LedgerEntry::try_from).collect()
    }

    /// Ids of unfinished packets at or past their expiry (at most `limit`), optionally
    /// only those sent by `sender`.
    pub async fn due_packets(
        &self,
        now: Timestamp,
        sender: Option<&str>,
        limit: i64,
    ) -> Result<Vec<u64>, sqlx::Error> {
        let ids: Vec<i64> = on_pool!(self, |pool| {
            match sender {
                Some(sender) => {
                    sqlx::query_scalar(
                        "SELECT id FROM packets WHERE state IN ('open', 'pending') \
                         AND expires_at <= $1 AND sender = $2 ORDER BY expires_at LIMIT $3",
                    )
                    .bind(now.millis())
                    .bind(sender)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query_scalar(
                        "SELECT id FROM packets WHERE state IN ('open', 'pending') \
                         AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
                    )
                    .bind(now.millis())
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                }
            }
        });
        ids.into_iter().map(|id| from_db(id, "packet id")).collect()
    }
}

/// How busy the store's connections are (the `/metrics` gauges).
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolUse {
    /// Connections open in the pool (SQLite: its readers).
    pub open: u32,
    /// Of those, idle.
    pub idle: u32,
    /// SQLite: commands waiting for the writer.
    pub queued: u32,
}

impl Store {
    /// The newest migration applied to the database (a read through the pool, so also a
    /// check that the database answers).
    pub async fn schema_version(&self) -> Result<i64, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
            )
            .fetch_one(pool)
            .await
            .map(|v| v.unwrap_or(0))
        })
    }

    /// The pool's use right now.
    pub fn pool_use(&self) -> PoolUse {
        match self {
            Store::Sqlite(s) => PoolUse {
                open: s.read.size(),
                idle: u32::try_from(s.read.num_idle()).unwrap_or(u32::MAX),
                queued: s.queued(),
            },
            Store::Pg(s) => PoolUse {
                open: s.pool.size(),
                idle: u32::try_from(s.pool.num_idle()).unwrap_or(u32::MAX),
                queued: 0,
            },
        }
    }
}
