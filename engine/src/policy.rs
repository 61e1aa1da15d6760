//! The configurable rules: limits, special days, expiry, recall policy, default split rule.
//!
//! [`Policy::default`] is the product's default (PRODUCT §2 and §4). Every field can be changed;
//! a policy is plain data (serde, every field optional in JSON thanks to `#[serde(default)]`).
//! A packet captures the recall policy and split rule in force when it was sent.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::split::SplitRule;
use crate::time::{LocalDate, Timestamp};

/// An absolute ceiling on the number of shares of one packet, whatever the policy says
/// (it bounds the memory and work of one packet).
pub const COUNT_CEILING: u32 = 1_000;

/// The rules the engine enforces. See the field docs for the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Largest share of any packet (default ¥200.00).
    pub max_share: Money,
    /// Smallest amount a sender may type per share (default ¥0.01). Random splits never go
    /// below one fen; a lucky total must be at least `min_share × count`.
    pub min_share: Money,
    /// Largest personal (1:1) packet on a special day (default ¥520.00).
    pub personal_special_max: Money,
    /// The days on which [`Policy::personal_special_max`] applies (default 5/20, 2/14, Qixi).
    pub special_days: Vec<SpecialDay>,
    /// Most shares per packet (default 100; never more than [`COUNT_CEILING`]).
    pub max_count: u32,
    /// Seconds from delivery until an unfinished packet expires and its remainder is refunded
    /// (default 86 400, 24 h).
    pub expiry_secs: i64,
    /// The local time zone as minutes east of UTC (default 480, +08:00), used for special
    /// days, per-day recall limits and blackout windows.
    pub utc_offset_minutes: i32,
    /// Longest greeting in characters (default 50).
    pub max_greeting_chars: u32,
    /// The recall policy new packets capture.
    pub recall: RecallPolicy,
    /// The split rule of new lucky packets that do not choose one.
    pub split: SplitRule,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_share: Money::from_fen(20_000),
            min_share: Money::FEN,
            personal_special_max: Money::from_fen(52_000),
            special_days: vec![
                SpecialDay::Date { month: 5, day: 20 },
                SpecialDay::Date { month: 2, day: 14 },
                SpecialDay::Qixi,
            ],
            max_count: 100,
            expiry_secs: 86_400,
            utc_offset_minutes: 480,
            max_greeting_chars: 50,
            recall: RecallPolicy::default(),
            split: SplitRule::DoubleMean,
        }
    }
}

impl Policy {
    /// `true` when `now` falls on one of the special days in local time.
    pub fn is_special_day(&self, now: Timestamp) -> bool {
        let date = now.local_date(self.utc_offset_minutes);
        self.special_days.iter().any(|d| d.matches(date))
    }

    /// The largest personal packet at `now`: `personal_special_max` on a special day (if it is
    /// higher than `max_share`), else `max_share`.
    pub fn personal_cap(&self, now: Timestamp) -> Money {
        if self.is_special_day(now) {
            self.max_share.max(self.personal_special_max)
        } else {
            self.max_share
        }
    }

    /// The largest count actually allowed: `max_count`, at most [`COUNT_CEILING`].
    pub fn effective_max_count(&self) -> u32 {
        self.max_count.min(COUNT_CEILING)
    }

    /// The smallest typed share actually enforced: `min_share`, at least one fen.
    pub fn effective_min_share(&self) -> Money {
        self.min_share.max(Money::FEN)
    }

    /// Expiry in milliseconds, at least one millisecond.
    pub(crate) fn expiry_millis(&self) -> i64 {
        self.expiry_secs.saturating_mul(1000).max(1)
    }
}

/// A day on which personal packets may reach [`Policy::personal_special_max`].
///
/// Serialised as `{"kind":"date","month":5,"day":20}` or `{"kind":"qixi"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SpecialDay {
    /// A fixed Gregorian month and day every year (5/20, 2/14).
    Date {
        /// Month, 1–12.
        month: u8,
        /// Day of month.
        day: u8,
    },
    /// 七夕: the 7th day of the 7th lunar month, looked up in [`QIXI_DATES`].
    Qixi,
}

impl SpecialDay {
    /// `true` when `date` is this special day.
    pub fn matches(&self, date: LocalDate) -> bool {
        match *self {
            SpecialDay::Date { month, day } => date.month == month && date.day == day,
            SpecialDay::Qixi => qixi(date.year) == Some((date.month, date.day)),
        }
    }
}

/// Gregorian dates of Qixi (七夕, lunar 7/7) for 2015–2060: `(year, month, day)`.
/// Checked against two independent lunar calendar implementations.
pub static QIXI_DATES: &[(i32, u8, u8)] = &[
    (2015, 8, 20),
    (2016, 8, 9),
    (2017, 8, 28),
    (2018, 8, 17),
    (2019, 8, 7),
    (2020, 8, 25),
    (2021, 8, 14),
    (2022, 8, 4),
    (2023, 8, 22),
    (2024, 8, 10),
    (2025, 8, 29),
    (2026, 8, 19),
    (2027, 8, 8),
    (2028, 8, 26),
    (2029, 8, 16),
    (2030, 8, 5),
    (2031, 8, 24),
    (2032, 8, 12),
    (2033, 8, 1),
    (2034, 8, 20),
    (2035, 8, 10),
    (2036, 8, 28),
    (2037, 8, 17),
    (2038, 8, 7),
    (2039, 8, 26),
    (2040, 8, 14),
    (2041, 8, 3),
    (2042, 8, 22),
    (2043, 8, 11),
    (2044, 7, 31),
    (2045, 8, 19),
    (2046, 8, 8),
    (2047, 8, 27),
    (2048, 8, 16),
    (2049, 8, 5),
    (2050, 8, 23),
    (2051, 8, 12),
    (2052, 8, 1),
    (2053, 8, 20),
    (2054, 8, 10),
    (2055, 8, 29),
    (2056, 8, 17),
    (2057, 8, 6),
    (2058, 8, 25),
    (2059, 8, 14),
    (2060, 8, 2),
];

/// The Gregorian `(month, day)` of Qixi in `year`, if the year is in [`QIXI_DATES`].
pub fn qixi(year: i32) -> Option<(u8, u8)> {
    QIXI_DATES
        .iter()
        .find(|(y, _, _)| *y == year)
        .map(|&(_, m, d)| (m, d))
}

/// What a sender may undo after sending (PRODUCT §4). Serialised as `"none"`, `"window"`,
/// `"remainder"`, `"delayed"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecallMode {
    /// Nothing can be recalled; only the expiry refund (WeChat today).
    None,
    /// Full recall within `window_secs` of sending, only while no share is claimed (the default).
    #[default]
    Window,
    /// Within `window_secs`, recall refunds the unclaimed remainder; claimed shares stand.
    Remainder,
    /// Delivery is held for `delay_secs`; the packet can be recalled (full refund) any time
    /// before delivery and not after.
    Delayed,
}

impl RecallMode {
    /// All modes.
    pub const ALL: [RecallMode; 4] = [
        RecallMode::None,
        RecallMode::Window,
        RecallMode::Remainder,
        RecallMode::Delayed,
    ];

    /// The stable name: `none`, `window`, `remainder`, `delayed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecallMode::None => "none",
            RecallMode::Window => "window",
            RecallMode::Remainder => "remainder",
            RecallMode::Delayed => "delayed",
        }
    }

    /// The mode named by its stable name ([`RecallMode::as_str`]).
    pub fn parse(name: &str) -> Option<RecallMode> {
        RecallMode::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// The recall policy a packet captures when it is sent, with the optional risk rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallPolicy {
    /// The mode (default [`RecallMode::Window`]).
    pub mode: RecallMode,
    /// Recall window W in seconds for `window` and `remainder` (default 120).
    pub window_secs: u32,
    /// Delivery delay D in seconds for `delayed` (default 60).
    pub delay_secs: u32,
    /// Most recalls per sender per local day (default: no limit).
    pub max_recalls_per_day: Option<u32>,
    /// No recall during this local time window (default: none).
    pub blackout: Option<Blackout>,
    /// Recalling a packet whose total is above this amount needs extra authorization
    /// (default: never).
    pub auth_above: Option<Money>,
}

impl Default for RecallPolicy {
    fn default() -> RecallPolicy {
        RecallPolicy {
            mode: RecallMode::Window,
            window_secs: 120,
            delay_secs: 60,
            max_recalls_per_day: None,
            blackout: None,
            auth_above: None,
        }
    }
}

/// A daily window, in local minutes since midnight, during which recalls are refused
/// (a settlement blackout). `start_minute..end_minute`, half-open; it wraps past midnight
/// when `start_minute > end_minute` (e.g. 23:30–00:30 is `1410..30`); equal bounds mean
/// no blackout at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Blackout {
    /// First blacked-out minute of the day, 0–1439.
    pub start_minute: u16,
    /// First minute after the blackout, 0–1440.
    pub end_minute: u16,
}

impl Blackout {
    /// `true` when the local `minute_of_day` is inside the blackout.
    pub fn contains(&self, minute_of_day: u32) -> bool {
        let (s, e) = (u32::from(self.start_minute), u32::from(self.end_minute));
        if s <= e {
            s <= minute_of_day && minute_of_day < e
        } else {
            minute_of_day >= s || minute_of_day < e
        }
    }
}
