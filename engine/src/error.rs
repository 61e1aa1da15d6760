//! Typed errors, one variant per reason. Every error has a stable snake_case
//! [`code`](SendError::code) (the server's error codes where one applies) and a
//! [`message`](SendError::message) in Chinese and English.

use core::fmt;

use crate::lang::Lang;
use crate::money::Money;
use crate::packet::PacketId;
use crate::policy::SpecialDay;
use crate::time::Timestamp;

macro_rules! error_boilerplate {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.message(Lang::En))
            }
        }
        impl std::error::Error for $t {}
    };
}

fn pick(lang: Lang, zh: String, en: String) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Why opening a wallet or granting money failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// The user already has a wallet. `conflict`
    UserExists,
    /// No wallet for this user. `not_found`
    UnknownUser,
    /// The user name is empty or longer than 64 characters. `invalid_user`
    InvalidUser,
    /// A negative amount (or a zero top-up). `invalid_amount`
    InvalidAmount,
    /// The balance would overflow. `limit_exceeded`
    Overflow,
}

impl EngineError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::UserExists => "conflict",
            EngineError::UnknownUser => "not_found",
            EngineError::InvalidUser => "invalid_user",
            EngineError::InvalidAmount => "invalid_amount",
            EngineError::Overflow => "limit_exceeded",
        }
    }

    /// User-facing message.
    pub fn message(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            EngineError::UserExists => ("该用户的钱包已存在", "This user already has a wallet"),
            EngineError::UnknownUser => ("找不到该用户的钱包", "No wallet for this user"),
            EngineError::InvalidUser => ("用户名无效", "Invalid user name"),
            EngineError::InvalidAmount => ("金额无效", "Invalid amount"),
            EngineError::Overflow => ("金额超出上限", "The amount is too large"),
        };
        lang.pick(zh, en).to_string()
    }
}
error_boilerplate!(EngineError);

/// Why a send was refused. A refused send changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// An amount below the smallest share (or a lucky total below `min × count`). `invalid_amount`
    InvalidAmount {
        /// The smallest allowed amount (per share, or the lucky total's minimum).
        min: Money,
    },
    /// A count outside 1..=max. `invalid_count`
    InvalidCount {
        /// The largest count allowed.
        max: u32,
    },
    /// A share above the cap, or a lucky total above `cap × count`. `limit_exceeded`
    LimitExceeded {
        /// The largest amount allowed (per share, or the lucky total's maximum).
        max: Money,
    },
    /// A personal (1:1) packet above the cap of an ordinary day that the special days would
    /// allow (a ¥520.00 packet on any day but 5/20, 2/14 and Qixi). `limit_exceeded`
    PersonalLimitExceeded {
        /// The cap in force today.
        max: Money,
        /// The cap on the special days.
        special_max: Money,
        /// The special days.
        days: Vec<SpecialDay>,
    },
    /// The sender's balance does not cover the total. `insufficient_balance`
    InsufficientBalance {
        /// The sender's balance.
        balance: Money,
        /// The total needed.
        needed: Money,
    },
    /// The sender has no wallet. `not_found`
    UnknownSender,
    /// The sender is not a member of the chat. `forbidden`
    NotAMember,
    /// Personal packets need a direct chat; lucky, normal and exclusive ones a group. `invalid_chat`
    WrongChat,
    /// The named recipient is not a member of the chat, or is the sender. `invalid_recipient`
    InvalidRecipient,
    /// The greeting is longer than the policy allows. `greeting_too_long`
    GreetingTooLong {
        /// Most characters allowed.
        max: u32,
    },
    /// The idempotency key is empty or longer than 128 characters. `invalid_idempotency_key`
    InvalidIdempotencyKey,
    /// The key was already used by this sender for a different request. `conflict`
    IdempotencyConflict {
        /// The packet sent with that key.
        packet: PacketId,
    },
}

impl SendError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SendError::InvalidAmount { .. } => "invalid_amount",
            SendError::InvalidCount { .. } => "invalid_count",
            SendError::LimitExceeded { .. } | SendError::PersonalLimitExceeded { .. } => {
                "limit_exceeded"
            }
            SendError::InsufficientBalance { .. } => "insufficient_balance",
            SendError::UnknownSender => "not_found",
            SendError::NotAMember => "forbidden",
            SendError::WrongChat => "invalid_chat",
            SendError::InvalidRecipient => "invalid_recipient",
            SendError::GreetingTooLong { .. } => "greeting_too_long",
            SendError::InvalidIdempotencyKey => "invalid_idempotency_key",
            SendError::IdempotencyConflict { .. } => "conflict",
        }
    }

    /// User-facing message.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SendError::InvalidAmount { min } => pick(
                lang,
                format!("金额不能低于 {}", min.format(Lang::Zh)),
                format!("The amount cannot be below {}", min.format(Lang::En)),
            ),
            SendError::InvalidCount { max } => pick(
                lang,
                format!("红包个数须在 1 到 {max} 之间"),
                format!("The number of shares must be between 1 and {max}"),
            ),
            SendError::LimitExceeded { max } => pick(
                lang,
                format!("金额超过上限 {}", max.format(Lang::Zh)),
                format!("The amount is above the limit of {}", max.format(Lang::En)),
            ),
            SendError::PersonalLimitExceeded {
                max,
                special_max,
                days,
            } => pick(
                lang,
                format!(
                    "金额超过上限 {}；{}，个人红包最多可发 {}",
                    max.format(Lang::Zh),
                    special_days(days, Lang::Zh),
                    special_max.format(Lang::Zh)
                ),
                format!(
                    "The amount is above the limit of {}; on {} a personal packet may be up to {}",
                    max.format(Lang::En),
                    special_days(days, Lang::En),
                    special_max.format(Lang::En)
                ),
            ),
            SendError::InsufficientBalance { balance, needed } => pick(
                lang,
                format!(
                    "余额不足：需要 {}，余额 {}",
                    needed.format(Lang::Zh),
                    balance.format(Lang::Zh)
                ),
                format!(
                    "Insufficient balance: {} needed, {} available",
                    needed.format(Lang::En),
                    balance.format(Lang::En)
                ),
            ),
            SendError::UnknownSender => lang.pick("找不到你的钱包", "You have no wallet").into(),
            SendError::NotAMember => lang
                .pick("你不在这个聊天中", "You are not a member of this chat")
                .into(),
            SendError::WrongChat => lang
                .pick(
                    "这种红包不能在此聊天中发送（个人红包用于单聊，拼手气、普通和专属红包用于群聊）",
                    "This kind of packet cannot be sent in this chat (personal packets go to direct chats; lucky, normal and exclusive packets to groups)",
                )
                .into(),
            SendError::InvalidRecipient => lang
                .pick(
                    "收款人必须是聊天成员，且不能是你自己",
                    "The recipient must be a member of the chat other than you",
                )
                .into(),
            SendError::GreetingTooLong { max } => pick(
                lang,
                format!("祝福语最多 {max} 个字"),
                format!("The greeting can have at most {max} characters"),
            ),
            SendError::InvalidIdempotencyKey => lang
                .pick("请求标识无效", "Invalid idempotency key")
                .into(),
            SendError::IdempotencyConflict { .. } => lang
                .pick(
                    "该请求标识已用于另一个红包",
                    "This idempotency key was already used for a different packet",
                )
                .into(),
        }
    }
}
error_boilerplate!(SendError);

/// "5/20, 2/14 and Qixi" / "5月20日、2月14日和七夕".
fn special_days(days: &[SpecialDay], lang: Lang) -> String {
    let names: Vec<String> = days
        .iter()
        .map(|d| match (*d, lang) {
            (SpecialDay::Date { month, day }, Lang::Zh) => format!("{month}月{day}日"),
            (SpecialDay::Date { month, day }, Lang::En) => format!("{month}/{day}"),
            (SpecialDay::Qixi, Lang::Zh) => "七夕".to_owned(),
            (SpecialDay::Qixi, Lang::En) => "Qixi".to_owned(),
        })
        .collect();
    let (sep, and) = match lang {
        Lang::Zh => ("、", "和"),
        Lang::En => (", ", " and "),
    };
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{and}{last}", rest.join(sep)),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Why a claim was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimError {
    /// No such packet. `not_found`
    NotFound,
    /// The packet is for someone else (personal/exclusive), the sender tried to claim their own
    /// personal/exclusive packet, or the user is not a member of the chat. `not_for_you`
    NotForYou,
    /// Delayed delivery: the packet is not claimable yet. `pending`
    Pending {
        /// When it becomes claimable.
        deliver_at: Timestamp,
    },
    /// Every share was already claimed (手慢了，红包派完了). `claimed_out`
    ClaimedOut,
    /// The packet expired. `expired`
    Expired,
    /// The sender recalled the packet. `recalled`
    Recalled {
        /// When it was recalled.
        at: Timestamp,
    },
}

impl ClaimError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ClaimError::NotFound => "not_found",
            ClaimError::NotForYou => "not_for_you",
            ClaimError::Pending { .. } => "pending",
            ClaimError::ClaimedOut => "claimed_out",
            ClaimError::Expired => "expired",
            ClaimError::Recalled { .. } => "recalled",
        }
    }

    /// User-facing message.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ClaimError::NotFound => lang.pick("红包不存在", "No such red packet").into(),
            ClaimError::NotForYou => lang
                .pick("这个红包不是给你的", "This red packet is not for you")
                .into(),
            ClaimError::Pending { .. } => lang
                .pick(
                    "红包还在路上，稍后再来",
                    "This red packet has not arrived yet",
                )
                .into(),
            ClaimError::ClaimedOut => lang
                .pick(
                    "手慢了，红包派完了",
                    "Too late: every share has been claimed",
                )
                .into(),
            ClaimError::Expired => lang
                .pick("红包已过期", "This red packet has expired")
                .into(),
            ClaimError::Recalled { .. } => lang
                .pick("红包已被发送者撤回", "The sender recalled this red packet")
                .into(),
        }
    }
}
error_boilerplate!(ClaimError);

/// Why a recall was refused. A refused recall changes nothing (except that a packet past its
/// expiry is expired and refunded first, as [`Engine::tick`](crate::Engine::tick) would).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecallError {
    /// No such packet. `not_found`
    NotFound,
    /// Only the sender may recall. `recall_forbidden`
    NotSender,
    /// The packet's recall policy is `none`. `recall_not_allowed`
    NotAllowed,
    /// The recall window (or the delivery delay) is over. `recall_window_closed`
    WindowClosed,
    /// Window mode: a share was already claimed. `recall_has_claims`
    HasClaims,
    /// Every share was claimed. `claimed_out`
    ClaimedOut,
    /// The packet expired. `expired`
    Expired,
    /// Already recalled. `recalled`
    AlreadyRecalled,
    /// The sender reached the most recalls allowed per day. `recall_daily_limit`
    DailyLimit {
        /// Recalls allowed per local day.
        max: u32,
    },
    /// Recalls are not possible during the blackout window. `recall_blackout`
    Blackout,
    /// The packet's total is above the policy's threshold: confirm with extra authorization
    /// (call again with `authorized = true`). `recall_needs_authorization`
    NeedsAuthorization {
        /// The threshold.
        above: Money,
    },
}

impl RecallError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            RecallError::NotFound => "not_found",
            RecallError::NotSender => "recall_forbidden",
            RecallError::NotAllowed => "recall_not_allowed",
            RecallError::WindowClosed => "recall_window_closed",
            RecallError::HasClaims => "recall_has_claims",
            RecallError::ClaimedOut => "claimed_out",
            RecallError::Expired => "expired",
            RecallError::AlreadyRecalled => "recalled",
            RecallError::DailyLimit { .. } => "recall_daily_limit",
            RecallError::Blackout => "recall_blackout",
            RecallError::NeedsAuthorization { .. } => "recall_needs_authorization",
        }
    }

    /// User-facing message.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            RecallError::NotFound => lang.pick("红包不存在", "No such red packet").into(),
            RecallError::NotSender => lang
                .pick(
                    "只有发送者可以撤回",
                    "Only the sender can recall a red packet",
                )
                .into(),
            RecallError::NotAllowed => lang
                .pick(
                    "当前规则下红包不能撤回",
                    "Red packets cannot be recalled under this policy",
                )
                .into(),
            RecallError::WindowClosed => lang
                .pick("已超过可撤回的时间", "The recall window has closed")
                .into(),
            RecallError::HasClaims => lang
                .pick(
                    "已有人领取，不能撤回",
                    "Someone has already claimed a share; it can no longer be recalled",
                )
                .into(),
            RecallError::ClaimedOut => lang
                .pick("红包已被领完", "Every share has been claimed")
                .into(),
            RecallError::Expired => lang
                .pick("红包已过期", "This red packet has expired")
                .into(),
            RecallError::AlreadyRecalled => lang
                .pick("红包已撤回", "This red packet was already recalled")
                .into(),
            RecallError::DailyLimit { max } => pick(
                lang,
                format!("今天的撤回次数已用完（每天最多 {max} 次）"),
                format!("You have used today's recalls (at most {max} a day)"),
            ),
            RecallError::Blackout => lang
                .pick(
                    "结算时段内不能撤回",
                    "Recalls are not possible during the settlement window",
                )
                .into(),
            RecallError::NeedsAuthorization { above } => pick(
                lang,
                format!("撤回超过 {} 的红包需要再次验证", above.format(Lang::Zh)),
                format!(
                    "Recalling a packet above {} needs extra authorization",
                    above.format(Lang::En)
                ),
            ),
        }
    }
}
error_boilerplate!(RecallError);

/// Why [`Engine::restore`](crate::Engine::restore) refused a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a valid snapshot document (the JSON error text). `invalid_snapshot`
    Parse(String),
    /// The snapshot parses but breaks an invariant. `invalid_snapshot`
    Invariant(InvariantViolation),
}

impl SnapshotError {
    /// Stable code: `invalid_snapshot`.
    pub fn code(&self) -> &'static str {
        "invalid_snapshot"
    }

    /// User-facing message.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SnapshotError::Parse(e) => pick(
                lang,
                format!("存档无法读取：{e}"),
                format!("The snapshot cannot be read: {e}"),
            ),
            SnapshotError::Invariant(v) => pick(
                lang,
                format!("存档数据不一致：{}", v.message(Lang::Zh)),
                format!("The snapshot is inconsistent: {}", v.message(Lang::En)),
            ),
        }
    }
}
error_boilerplate!(SnapshotError);

/// A broken invariant found by [`Engine::check_invariants`](crate::Engine::check_invariants).
/// Never expected; a bug or a tampered snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvariantViolation {
    /// A ledger entry is malformed (ids out of sequence, non-positive amount, unknown user or
    /// packet, wrong user for the kind). `ledger_entry`
    LedgerEntry {
        /// Entry id.
        entry: u64,
    },
    /// A packet's id, fields or state are inconsistent. `packet_state`
    PacketState {
        /// The packet.
        packet: PacketId,
    },
    /// Debit ≠ Σ claims + Σ refunds + remaining, or the ledger disagrees with the claims and
    /// refunds. `packet_accounting`
    PacketAccounting {
        /// The packet.
        packet: PacketId,
    },
    /// A share outside `[0.01, cap]`. `share_out_of_range`
    ShareOutOfRange {
        /// The packet.
        packet: PacketId,
    },
    /// A user claimed twice, or more claims than shares. `duplicate_claim`
    DuplicateClaim {
        /// The packet.
        packet: PacketId,
    },
    /// The best-luck mark is wrong. `best_luck`
    BestLuck {
        /// The packet.
        packet: PacketId,
    },
    /// A negative balance. `negative_balance`
    NegativeBalance {
        /// The user.
        user: String,
    },
    /// The cached balance differs from the ledger. `balance_cache`
    BalanceCache {
        /// The user.
        user: String,
    },
    /// Σ balances + Σ remaining of unfinished packets ≠ Σ grants. `conservation`
    Conservation,
    /// An idempotency record points at a missing packet or another sender's. `idempotency`
    Idempotency,
}

impl InvariantViolation {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            InvariantViolation::LedgerEntry { .. } => "ledger_entry",
            InvariantViolation::PacketState { .. } => "packet_state",
            InvariantViolation::PacketAccounting { .. } => "packet_accounting",
            InvariantViolation::ShareOutOfRange { .. } => "share_out_of_range",
            InvariantViolation::DuplicateClaim { .. } => "duplicate_claim",
            InvariantViolation::BestLuck { .. } => "best_luck",
            InvariantViolation::NegativeBalance { .. } => "negative_balance",
            InvariantViolation::BalanceCache { .. } => "balance_cache",
            InvariantViolation::Conservation => "conservation",
            InvariantViolation::Idempotency => "idempotency",
        }
    }

    /// Message (technical, for logs and the lab).
    pub fn message(&self, lang: Lang) -> String {
        let what = match self {
            InvariantViolation::LedgerEntry { entry } => {
                return pick(
                    lang,
                    format!("账目 #{entry} 无效"),
                    format!("ledger entry #{entry} is invalid"),
                );
            }
            InvariantViolation::PacketState { packet } => {
                (packet, "状态不一致", "has an inconsistent state")
            }
            InvariantViolation::PacketAccounting { packet } => {
                (packet, "账目不平", "does not balance")
            }
            InvariantViolation::ShareOutOfRange { packet } => {
                (packet, "有金额超出范围的份额", "has a share out of range")
            }
            InvariantViolation::DuplicateClaim { packet } => {
                (packet, "被重复领取", "was claimed twice by one user")
            }
            InvariantViolation::BestLuck { packet } => {
                (packet, "手气最佳标记错误", "has a wrong best-luck mark")
            }
            InvariantViolation::NegativeBalance { user } => {
                return pick(
                    lang,
                    format!("{user} 的余额为负"),
                    format!("{user}'s balance is negative"),
                );
            }
            InvariantViolation::BalanceCache { user } => {
                return pick(
                    lang,
                    format!("{user} 的余额与账目不符"),
                    format!("{user}'s balance differs from the ledger"),
                );
            }
            InvariantViolation::Conservation => {
                return lang.pick("资金总量不守恒", "money is not conserved").into();
            }
            InvariantViolation::Idempotency => {
                return lang
                    .pick("请求标识记录无效", "an idempotency record is invalid")
                    .into();
            }
        };
        let (packet, zh, en) = what;
        pick(
            lang,
            format!("红包 {packet} {zh}"),
            format!("packet {packet} {en}"),
        )
    }
}
error_boilerplate!(InvariantViolation);
