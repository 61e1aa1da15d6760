//! Rows: what the database holds, read with `sqlx::FromRow` into row types, and the explicit
//! conversions between them and the engine's types.
//!
//! Columns are typed: integers (ids, counts, times in ms since the epoch), text for the
//! engine's enums (by their stable `as_str` names, with `CHECK`s in the schema), and money
//! as [`DbMoney`] (integer fen in SQLite, `NUMERIC(19,2)` yuan in PostgreSQL). Every
//! conversion that could lose information is checked and fails with an error naming the
//! row ([`BadRow`]): a negative id, a count above `u32`, an unknown state name. Nothing is
//! clamped or defaulted.

use hongbao_api::{ChatInfo, LedgerEntry};
use hongbao_engine::{
    Blackout, ChatKind, Claim, EntryKind, Money, Packet, PacketId, PacketKindTag, PacketState,
    RecallMode, RecallPolicy, SplitRule, Timestamp, ops,
};
use rust_decimal::Decimal;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

use super::Loaded;

// ---------------------------------------------------------------------------- money

/// An amount of money as a column: integer fen in SQLite, `NUMERIC(19,2)` yuan in
/// PostgreSQL (written and read through `rust_decimal`, exactly: a PostgreSQL value with a
/// part below one fen or out of range is an error, not a rounded amount).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbMoney(pub Money);

impl Type<Sqlite> for DbMoney {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for DbMoney {
    fn encode_by_ref(
        &self,
        args: &mut Vec<SqliteArgumentValue<'q>>,
    ) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, Sqlite>>::encode_by_ref(&self.0.fen(), args)
    }
}

impl<'r> Decode<'r, Sqlite> for DbMoney {
    fn decode(value: SqliteValueRef<'r>) -> Result<DbMoney, BoxDynError> {
        let fen = <i64 as Decode<'r, Sqlite>>::decode(value)?;
        Ok(DbMoney(Money::from_fen(fen)))
    }
}

impl Type<Postgres> for DbMoney {
    fn type_info() -> PgTypeInfo {
        <Decimal as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <Decimal as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for DbMoney {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Decimal as Encode<'_, Postgres>>::encode_by_ref(&Decimal::from(self.0), buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbMoney {
    fn decode(value: PgValueRef<'r>) -> Result<DbMoney, BoxDynError> {
        let decimal = <Decimal as Decode<'r, Postgres>>::decode(value)?;
        let money = Money::try_from(decimal)
            .map_err(|e| BadRow(format!("the amount {decimal} is not money: {e}")))?;
        Ok(DbMoney(money))
    }
}

// ---------------------------------------------------------------------------- errors, ids

/// A row that is not a valid engine value (a corrupt database, or one written by a foreign
/// program). Reported as `sqlx::Error::Decode`; the request fails with `internal`.
#[derive(Debug)]
pub struct BadRow(pub String);

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadRow {}

/// A [`BadRow`] as sqlx's decode error.
pub fn bad_row(message: String) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(BadRow(message)))
}

/// An id or count (`u64`/`u32`…) as the database's `i64`: checked, never clamped.
pub fn to_db<T>(value: T) -> Result<i64, sqlx::Error>
where
    T: Copy + std::fmt::Display,
    i64: TryFrom<T>,
{
    i64::try_from(value).map_err(|_| {
        sqlx::Error::Encode(Box::new(BadRow(format!(
            "{value} does not fit the database's 64-bit integers"
        ))))
    })
}

/// A column's `i64` as an unsigned id or count: checked, never clamped.
pub fn from_db<T: TryFrom<i64>>(value: i64, column: &str) -> Result<T, sqlx::Error> {
    T::try_from(value).map_err(|_| bad_row(format!("{column} {value} is out of range")))
}

/// A packet's random seed as stored: its 64 bits as a signed integer (a bit pattern, not a
/// number, so the reinterpretation is exact both ways).
pub fn seed_to_db(seed: u64) -> i64 {
    seed.cast_signed()
}

/// The seed back from its stored bits.
pub fn seed_from_db(stored: i64) -> u64 {
    stored.cast_unsigned()
}

fn name<T>(value: &str, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(value).ok_or_else(|| bad_row(format!("{column} {value:?} is not one of its names")))
}

fn time(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

// ---------------------------------------------------------------------------- packets

/// The columns of a packet read with [`PacketRow`], from [`PACKET_FROM`].
pub const PACKET_COLUMNS: &str = "p.id, p.chat_id, c.kind AS chat_kind, c.work AS chat_work, \
     p.sender, p.idempotency_key, p.kind, p.recipient, p.greeting, p.total, p.count, \
     p.per_share, p.split, p.share_cap, p.created_at, p.deliver_at, p.expires_at, \
     p.recall_mode, p.recall_window_secs, p.recall_delay_secs, p.recall_max_per_day, \
     p.recall_blackout_start, p.recall_blackout_end, p.recall_auth_above, p.state, \
     p.recalled_at, p.refund, p.finished_at, p.seed";

/// The packets with their chat (whose kind the packet carries).
pub const PACKET_FROM: &str = "packets p JOIN chats c ON c.id = p.chat_id";

/// `INSERT INTO packets` with every column, for [`bind_packet!`](crate::store::rows::bind_packet).
pub const PACKET_INSERT: &str = "INSERT INTO packets (id, chat_id, sender, idempotency_key, \
     kind, recipient, greeting, total, count, per_share, split, share_cap, created_at, \
     deliver_at, expires_at, recall_mode, recall_window_secs, recall_delay_secs, \
     recall_max_per_day, recall_blackout_start, recall_blackout_end, recall_auth_above, \
     state, recalled_at, refund, finished_at, seed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
     $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, \
     $27)";

/// Binds a [`PacketRow`]'s columns in the order of [`PACKET_INSERT`].
macro_rules! bind_packet {
    ($query:expr, $row:expr) => {{
        let r = $row;
        $query
            .bind(r.id)
            .bind(&r.chat_id)
            .bind(&r.sender)
            .bind(&r.idempotency_key)
            .bind(&r.kind)
            .bind(&r.recipient)
            .bind(&r.greeting)
            .bind(r.total)
            .bind(r.count)
            .bind(r.per_share)
            .bind(&r.split)
            .bind(r.share_cap)
            .bind(r.created_at)
            .bind(r.deliver_at)
            .bind(r.expires_at)
            .bind(&r.recall_mode)
            .bind(r.recall_window_secs)
            .bind(r.recall_delay_secs)
            .bind(r.recall_max_per_day)
            .bind(r.recall_blackout_start)
            .bind(r.recall_blackout_end)
            .bind(r.recall_auth_above)
            .bind(&r.state)
            .bind(r.recalled_at)
            .bind(r.refund)
            .bind(r.finished_at)
            .bind(r.seed)
    }};
}
pub(crate) use bind_packet;

/// One row of `packets` (with its chat's kind): every field of the engine's packet but its
/// claims (rows of `claims`), members (`packet_members`) and pre-cut shares
/// (`packet_shares`). What remains while it is open, and its best-luck share, follow from
/// its claims and are not stored.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PacketRow {
    pub id: i64,
    pub chat_id: String,
    /// `direct` or `group` (from `chats`; not written with the packet).
    pub chat_kind: String,
    pub chat_work: i64,
    pub sender: String,
    pub idempotency_key: String,
    pub kind: String,
    pub recipient: Option<String>,
    pub greeting: String,
    pub total: DbMoney,
    pub count: i64,
    pub per_share: Option<DbMoney>,
    pub split: Option<String>,
    pub share_cap: DbMoney,
    pub created_at: i64,
    pub deliver_at: Option<i64>,
    pub expires_at: i64,
    pub recall_mode: String,
    pub recall_window_secs: i64,
    pub recall_delay_secs: i64,
    pub recall_max_per_day: Option<i64>,
    pub recall_blackout_start: Option<i64>,
    pub recall_blackout_end: Option<i64>,
    pub recall_auth_above: Option<DbMoney>,
    pub state: String,
    pub recalled_at: Option<i64>,
    pub refund: Option<DbMoney>,
    pub finished_at: Option<i64>,
    pub seed: i64,
}

impl PacketRow {
    /// The row of a packet and its seed.
    pub fn new(loaded: &Loaded) -> Result<PacketRow, sqlx::Error> {
        let p = &loaded.packet;
        let (chat_kind, chat_work) = chat_kind_to_db(p.chat_kind);
        let r = &p.recall;
        Ok(PacketRow {
            id: to_db(p.id.0)?,
            chat_id: p.chat_id.clone(),
            chat_kind: chat_kind.to_owned(),
            chat_work,
            sender: p.sender.clone(),
            idempotency_key: p.idempotency_key.clone(),
            kind: p.kind.as_str().to_owned(),
            recipient: p.recipient.clone(),
            greeting: p.greeting.clone(),
            total: DbMoney(p.total),
            count: i64::from(p.count),
            per_share: p.per_share.map(DbMoney),
            split: p.split.map(|s| s.as_str().to_owned()),
            share_cap: DbMoney(p.share_cap),
            created_at: p.created_at.millis(),
            deliver_at: p.deliver_at.map(Timestamp::millis),
            expires_at: p.expires_at.millis(),
            recall_mode: r.mode.as_str().to_owned(),
            recall_window_secs: i64::from(r.window_secs),
            recall_delay_secs: i64::from(r.delay_secs),
            recall_max_per_day: r.max_recalls_per_day.map(i64::from),
            recall_blackout_start: r.blackout.map(|b| i64::from(b.start_minute)),
            recall_blackout_end: r.blackout.map(|b| i64::from(b.end_minute)),
            recall_auth_above: r.auth_above.map(DbMoney),
            state: p.state.as_str().to_owned(),
            recalled_at: p.recalled_at.map(Timestamp::millis),
            refund: p.refund.map(DbMoney),
            finished_at: p.finished_at.map(Timestamp::millis),
            seed: seed_to_db(loaded.seed),
        })
    }

    /// The packet, with its parts kept in other tables: its claims in claim order (all of
    /// them: what an open packet still holds is its total less its claims), its members
    /// (empty for reads that check chat membership instead), and the pre-cut shares of a
    /// line-cutting packet (empty for reads that only show it).
    pub fn into_loaded(
        self,
        claims: Vec<Claim>,
        members: Vec<String>,
        cut_shares: Vec<Money>,
    ) -> Result<Loaded, sqlx::Error> {
        let at = |column: &str| format!("packet {} {column}", self.id);
        let state = name(&self.state, &at("state"), PacketState::parse)?;
        let blackout = match (self.recall_blackout_start, self.recall_blackout_end) {
            (Some(start), Some(end)) => Some(Blackout {
                start_minute: from_db(start, &at("recall_blackout_start"))?,
                end_minute: from_db(end, &at("recall_blackout_end"))?,
            }),
            (None, None) => None,
            _ => return Err(bad_row(at("has half a blackout"))),
        };
        let recall = RecallPolicy {
            mode: name(&self.recall_mode, &at("recall_mode"), RecallMode::parse)?,
            window_secs: from_db(self.recall_window_secs, &at("recall_window_secs"))?,
            delay_secs: from_db(self.recall_delay_secs, &at("recall_delay_secs"))?,
            max_recalls_per_day: self
                .recall_max_per_day
                .map(|n| from_db(n, &at("recall_max_per_day")))
                .transpose()?,
            blackout,
            auth_above: self.recall_auth_above.map(|m| m.0),
        };
        let total = self.total.0;
        let remaining = if state.is_finished() {
            Money::ZERO
        } else {
            let claimed: i64 = claims.iter().map(|c| c.amount.fen()).sum();
            Money::from_fen(total.fen() - claimed)
        };
        let mut packet = Packet {
            id: PacketId(from_db(self.id, "packet id")?),
            chat_kind: chat_kind_from_db(&self.chat_kind, self.chat_work)?,
            chat_id: self.chat_id,
            members,
            sender: self.sender,
            kind: name(&self.kind, &at("kind"), PacketKindTag::parse)?,
            recipient: self.recipient,
            greeting: self.greeting,
            total,
            count: from_db(self.count, &at("count"))?,
            per_share: self.per_share.map(|m| m.0),
            split: self
                .split
                .as_deref()
                .map(|s| name(s, &at("split"), SplitRule::parse))
                .transpose()?,
            share_cap: self.share_cap.0,
            claims,
            remaining,
            created_at: time(self.created_at),
            deliver_at: self.deliver_at.map(time),
            expires_at: time(self.expires_at),
            recall,
            state,
            recalled_at: self.recalled_at.map(time),
            refund: self.refund.map(|m| m.0),
            finished_at: self.finished_at.map(time),
            best_luck: None,
            idempotency_key: self.idempotency_key,
            cut_shares,
        };
        packet.best_luck = ops::best_luck(&packet);
        Ok(Loaded {
            packet,
            seed: seed_from_db(self.seed),
        })
    }
}

/// A packet's row with its members' JSON (`packet_members`): what loading a packet for an
/// operation reads in one round trip.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct MemberPacketRow {
    #[sqlx(flatten)]
    pub packet: PacketRow,
    pub members: String,
}

/// `SELECT` of one packet with its members (`$1`: the id), for [`MemberPacketRow`].
pub fn packet_with_members(for_update: &str) -> String {
    format!(
        "SELECT {PACKET_COLUMNS}, m.members FROM {PACKET_FROM} \
         JOIN packet_members m ON m.packet_id = p.id WHERE p.id = $1 {for_update}"
    )
}

/// The claims of a packet (`$1`), in claim order.
pub const CLAIMS_OF: &str = "SELECT packet_id, position, username, amount, at FROM claims \
     WHERE packet_id = $1 ORDER BY position";

/// The pre-cut shares of a packet (`$1`), in claim order.
pub const SHARES_OF: &str = "SELECT packet_id, position, amount FROM packet_shares \
     WHERE packet_id = $1 ORDER BY position";

/// Loads one packet for an operation (with its claims, members and pre-cut shares) on a
/// connection or transaction: `fetch_packet!(&mut *conn, id, "FOR UPDATE OF p")`. One
/// round trip for the row and its members, one for its claims, and one more for the shares
/// of a line-cutting packet.
macro_rules! fetch_packet {
    ($conn:expr, $id:expr, $for_update:expr) => {{
        let id = $crate::store::rows::to_db($id)?;
        let row = sqlx::query_as::<_, $crate::store::rows::MemberPacketRow>(
            &$crate::store::rows::packet_with_members($for_update),
        )
        .bind(id)
        .fetch_optional(&mut *$conn)
        .await?;
        match row {
            None => None,
            Some(row) => {
                let claims = sqlx::query_as::<_, $crate::store::rows::ClaimRow>(
                    $crate::store::rows::CLAIMS_OF,
                )
                .bind(id)
                .fetch_all(&mut *$conn)
                .await?;
                let shares = if row.packet.split.as_deref()
                    == Some(hongbao_engine::SplitRule::LineCutting.as_str())
                {
                    sqlx::query_as::<_, $crate::store::rows::ShareRow>(
                        $crate::store::rows::SHARES_OF,
                    )
                    .bind(id)
                    .fetch_all(&mut *$conn)
                    .await?
                } else {
                    Vec::new()
                };
                Some($crate::store::rows::assemble(row, claims, shares)?)
            }
        }
    }};
}
pub(crate) use fetch_packet;

/// A packet loaded for an operation, from its rows.
pub fn assemble(
    row: MemberPacketRow,
    claims: Vec<ClaimRow>,
    shares: Vec<ShareRow>,
) -> Result<Loaded, sqlx::Error> {
    let id = row.packet.id;
    let members = members_from_db(id, &row.members)?;
    in_order(id, "claims", claims.iter().map(|c| c.position))?;
    in_order(id, "shares", shares.iter().map(|s| s.position))?;
    let claims = claims.into_iter().map(ClaimRow::into_claim).collect();
    let shares = shares.into_iter().map(|s| s.amount.0).collect();
    row.packet.into_loaded(claims, members, shares)
}

/// Positions 0, 1, 2, … without a gap: rows of one packet in claim order.
fn in_order(
    packet: i64,
    what: &str,
    positions: impl Iterator<Item = i64>,
) -> Result<(), sqlx::Error> {
    for (expected, position) in (0i64..).zip(positions) {
        if position != expected {
            return Err(bad_row(format!(
                "packet {packet} {what}: position {position} where {expected} belongs"
            )));
        }
    }
    Ok(())
}

/// One row of `claims`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ClaimRow {
    pub packet_id: i64,
    pub position: i64,
    pub username: String,
    pub amount: DbMoney,
    pub at: i64,
}

impl ClaimRow {
    /// The row of claim number `position` (0-based) of packet `packet`.
    pub fn new(packet: PacketId, position: usize, claim: &Claim) -> Result<ClaimRow, sqlx::Error> {
        Ok(ClaimRow {
            packet_id: to_db(packet.0)?,
            position: to_db(position)?,
            username: claim.user.clone(),
            amount: DbMoney(claim.amount),
            at: claim.at.millis(),
        })
    }

    pub fn into_claim(self) -> Claim {
        Claim {
            user: self.username,
            amount: self.amount.0,
            at: time(self.at),
        }
    }
}

/// One row of `packet_shares`: a line-cutting packet's share number `position`, cut at send
/// time.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ShareRow {
    pub packet_id: i64,
    pub position: i64,
    pub amount: DbMoney,
}

/// The members of a packet's chat when it was sent, as stored in `packet_members`: a JSON
/// array of names, written once (a list that is only ever read whole, kept apart so that
/// the packet's row stays small; rows per member would multiply the writes of a send).
pub fn members_to_db(members: &[String]) -> Result<String, sqlx::Error> {
    serde_json::to_string(members).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// The members back from `packet_members`.
pub fn members_from_db(packet: i64, json: &str) -> Result<Vec<String>, sqlx::Error> {
    serde_json::from_str(json)
        .map_err(|e| bad_row(format!("packet {packet} members {json:?}: {e}")))
}

// ---------------------------------------------------------------------------- chats, users

/// A chat kind as `chats` stores it: `(kind, work)`.
pub fn chat_kind_to_db(kind: ChatKind) -> (&'static str, i64) {
    match kind {
        ChatKind::Direct => ("direct", 0),
        ChatKind::Group { work } => ("group", i64::from(work)),
    }
}

/// A chat kind from `chats`.
pub fn chat_kind_from_db(kind: &str, work: i64) -> Result<ChatKind, sqlx::Error> {
    match (kind, work) {
        ("direct", 0) => Ok(ChatKind::Direct),
        ("group", 0 | 1) => Ok(ChatKind::Group { work: work == 1 }),
        _ => Err(bad_row(format!("chat kind {kind:?} with work {work}"))),
    }
}

/// One row of `chats` joined with one of its members.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ChatMemberRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub work: i64,
    pub username: String,
}

/// A chat with its members (sorted).
#[derive(Clone, Debug)]
pub struct ChatRow {
    pub id: String,
    pub name: String,
    pub kind: ChatKind,
    pub members: Vec<String>,
}

impl ChatRow {
    /// Chats from their member rows, ordered by chat: one per run of the same id.
    pub fn collect(rows: Vec<ChatMemberRow>) -> Result<Vec<ChatRow>, sqlx::Error> {
        let mut chats: Vec<ChatRow> = Vec::new();
        for r in rows {
            match chats.last_mut() {
                Some(c) if c.id == r.id => c.members.push(r.username),
                _ => chats.push(ChatRow {
                    kind: chat_kind_from_db(&r.kind, r.work)?,
                    id: r.id,
                    name: r.name,
                    members: vec![r.username],
                }),
            }
        }
        Ok(chats)
    }

    /// The chat as `viewer` sees it (a 1:1 chat is named after the other member).
    pub fn info_for(&self, viewer: &str) -> ChatInfo {
        let name = match self.kind {
            ChatKind::Direct => self
                .members
                .iter()
                .find(|m| *m != viewer)
                .cloned()
                .unwrap_or_else(|| self.name.clone()),
            ChatKind::Group { .. } => self.name.clone(),
        };
        ChatInfo {
            id: self.id.clone(),
            name,
            members: self.members.clone(),
            kind: self.kind,
        }
    }
}

/// A user's login row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub password_hash: String,
    pub salt: String,
}

// ---------------------------------------------------------------------------- ledger, lab

/// One row of `ledger`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub kind: String,
    pub amount: DbMoney,
    pub packet_id: Option<i64>,
    pub at: i64,
}

impl TryFrom<LedgerRow> for LedgerEntry {
    type Error = sqlx::Error;

    fn try_from(r: LedgerRow) -> Result<LedgerEntry, sqlx::Error> {
        Ok(LedgerEntry {
            id: from_db(r.id, "ledger id")?,
            kind: name(&r.kind, "ledger kind", EntryKind::parse)?,
            amount: r.amount.0,
            packet_id: r
                .packet_id
                .map(|p| from_db(p, "ledger packet_id"))
                .transpose()?,
            at: time(r.at),
        })
    }
}

/// A stored lab event (its JSON as posted: lab events are research data of any shape).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LabEventRow {
    pub id: i64,
    pub username: String,
    pub at: i64,
    pub body: String,
}

// ---------------------------------------------------------------------------- studies

/// One row of `studies`: a study's JSON as the server wrote it (see
/// [`crate::studies`]), whether it is closed, and its last save (ms since the epoch, the
/// researcher).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StudyRow {
    pub key: String,
    pub body: String,
    pub closed: bool,
    pub saved_at: i64,
    pub saved_by: String,
}
