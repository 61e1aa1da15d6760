//! Pre-send warnings (PRODUCT §3): culturally loaded amounts and anomalies, as data.
//!
//! [`WARNINGS`] is the table (code, severity per chat kind, reason, zh/en texts with
//! `{amount}`, `{usual}` and `{limit}` placeholders); [`SPECIAL_AMOUNTS`] lists the loaded
//! amounts; [`check`] evaluates a prospective send and returns the warnings sorted most severe
//! first, without duplicate codes.
//!
//! Rules:
//! - special amounts are checked on the typed amount and on the total (for normal packets
//!   they differ); a romantic amount is [`Severity::Info`] in a direct chat,
//!   [`Severity::Caution`] in a group and [`Severity::Danger`] in a work group;
//! - `ten_times_usual`: the typed amount is at least 10× the sender's usual typed amount or
//!   their last amount in this chat;
//! - `decimal_slip` (danger): the typed amount is exactly 10× or 100× one of those (1.88 → 188);
//!   it replaces `ten_times_usual` for the same send;
//! - `normal_total_high`: a normal packet whose total is at least 5× the sender's usual total;
//! - `over_half_balance`: the total is more than half the balance;
//! - `count_above_group`: more shares than the group has members;
//! - `above_limit`: a share above the cap in force (or a lucky total above `cap × count`),
//!   which the engine will refuse.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::money::Money;
use crate::packet::{ChatKind, ChatRef, PacketKind};
use crate::policy::Policy;
use crate::time::Timestamp;

/// How serious a warning is. Ordered: `Info < Caution < Danger`. Serialised snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Look again.
    Caution,
    /// Very likely a mistake.
    Danger,
}

impl Severity {
    /// The stable name: `info`, `caution`, `danger`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Caution => "caution",
            Severity::Danger => "danger",
        }
    }
}

/// Which warning. [`WarningCode::as_str`] is the stable snake_case code (the UI's data-code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// 520, 521, 1314, 5.20, 13.14.
    Romantic,
    /// 6.66, 66, 666, 8.88, 88, 888, 8888, 168, 1688, 99, 999.
    Auspicious,
    /// 250 (二百五), 38.
    Offensive,
    /// 4, 14, 44, 444, 74.
    Unlucky,
    /// At least ten times the usual or last amount.
    TenTimesUsual,
    /// Exactly 10× or 100× the usual or last amount.
    DecimalSlip,
    /// A normal packet's total far above the usual total.
    NormalTotalHigh,
    /// More than half the balance.
    OverHalfBalance,
    /// More shares than group members.
    CountAboveGroup,
    /// Above a policy limit.
    AboveLimit,
}

impl WarningCode {
    /// Every code, in table order.
    pub const ALL: [WarningCode; 10] = [
        WarningCode::Romantic,
        WarningCode::Auspicious,
        WarningCode::Offensive,
        WarningCode::Unlucky,
        WarningCode::TenTimesUsual,
        WarningCode::DecimalSlip,
        WarningCode::NormalTotalHigh,
        WarningCode::OverHalfBalance,
        WarningCode::CountAboveGroup,
        WarningCode::AboveLimit,
    ];

    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::Romantic => "romantic",
            WarningCode::Auspicious => "auspicious",
            WarningCode::Offensive => "offensive",
            WarningCode::Unlucky => "unlucky",
            WarningCode::TenTimesUsual => "ten_times_usual",
            WarningCode::DecimalSlip => "decimal_slip",
            WarningCode::NormalTotalHigh => "normal_total_high",
            WarningCode::OverHalfBalance => "over_half_balance",
            WarningCode::CountAboveGroup => "count_above_group",
            WarningCode::AboveLimit => "above_limit",
        }
    }

    /// The table row of this code.
    pub fn def(self) -> &'static WarningDef {
        // The table has one row per code in `ALL` order.
        &WARNINGS[self as usize]
    }
}

/// One row of the warning table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarningDef {
    /// The code.
    pub code: WarningCode,
    /// Severity in a direct chat (the base severity).
    pub severity: Severity,
    /// Severity in a (non-work) group.
    pub in_group: Severity,
    /// Severity in a work group.
    pub in_work_group: Severity,
    /// Why the warning exists (English, for researchers and docs).
    pub reason: &'static str,
    /// Chinese text; placeholders `{amount}`, `{usual}`, `{limit}`, and two that follow from
    /// them: `{factor}` (10 or 100, `decimal_slip`) and `{meaning}` (what a romantic amount
    /// says: 我爱你 for 520, 521 and 5.20; 一生一世 for 1314 and 13.14).
    pub zh: &'static str,
    /// English text; the same placeholders.
    pub en: &'static str,
}

impl WarningDef {
    /// The severity for a chat kind.
    pub fn severity_for(&self, chat: ChatKind) -> Severity {
        match chat {
            ChatKind::Direct => self.severity,
            ChatKind::Group { work: false } => self.in_group,
            ChatKind::Group { work: true } => self.in_work_group,
        }
    }
}

const fn row(
    code: WarningCode,
    sev: [Severity; 3],
    reason: &'static str,
    zh: &'static str,
    en: &'static str,
) -> WarningDef {
    WarningDef {
        code,
        severity: sev[0],
        in_group: sev[1],
        in_work_group: sev[2],
        reason,
        zh,
        en,
    }
}

use Severity::{Caution, Danger, Info};

/// The warning table, one row per [`WarningCode`] in [`WarningCode::ALL`] order.
pub static WARNINGS: &[WarningDef] = &[
    row(
        WarningCode::Romantic,
        [Info, Caution, Danger],
        "520/521 sound like 我爱你 (I love you), 1314 like 一生一世 (for ever): fine for a partner, awkward in a group, risky in a work group.",
        "{amount} 有“{meaning}”的含义，确定要发到这里吗？",
        "{amount} reads as “{meaning}” in Chinese. Is that what you mean here?",
    ),
    row(
        WarningCode::Auspicious,
        [Info, Info, Info],
        "6 (顺), 8 (发) and 9 (久) are lucky numbers; a nice touch, shown so the sender knows.",
        "{amount} 是个吉利数字，寓意好",
        "{amount} is an auspicious number in Chinese: a nice touch",
    ),
    row(
        WarningCode::Offensive,
        [Caution, Caution, Danger],
        "250 (二百五) means an idiot and 38 (三八) is an insult; easily read as mockery.",
        "{amount} 在中文里可能被理解为骂人（二百五 / 三八），确定要发吗？",
        "{amount} can read as an insult in Chinese (250 二百五 “idiot”, 38 三八). Send anyway?",
    ),
    row(
        WarningCode::Unlucky,
        [Info, Caution, Caution],
        "4 (四) sounds like 死 (death); 14, 44, 444 and 74 carry the same association.",
        "{amount} 含“4”（谐音“死”），有人会觉得不吉利",
        "{amount} contains 4, which sounds like “death” in Chinese; some find it unlucky",
    ),
    row(
        WarningCode::TenTimesUsual,
        [Caution, Caution, Caution],
        "An amount ten times the sender's usual or last one in this chat is often a slip.",
        "{amount} 是你平时金额 {usual} 的十倍以上，请确认",
        "{amount} is ten times or more your usual {usual}. Please check",
    ),
    row(
        WarningCode::DecimalSlip,
        [Danger, Danger, Danger],
        "Exactly 10× or 100× the usual amount looks like a misplaced decimal point (1.88 → 188).",
        "{amount} 恰好是你平时金额 {usual} 的 {factor} 倍：小数点是不是输错了？",
        "{amount} is exactly {factor}× your usual {usual}: is the decimal point in the right place?",
    ),
    row(
        WarningCode::NormalTotalHigh,
        [Caution, Caution, Caution],
        "In a normal packet the typed amount is per person; typing the intended total there multiplies it by the count.",
        "普通红包的金额是每人的金额，总计 {amount}，远高于你平时的 {usual}",
        "In a normal packet the amount is per person: the total is {amount}, far above your usual {usual}",
    ),
    row(
        WarningCode::OverHalfBalance,
        [Caution, Caution, Caution],
        "Spending more than half the balance in one packet is unusual.",
        "{amount} 超过了你余额的一半",
        "{amount} is more than half your balance",
    ),
    row(
        WarningCode::CountAboveGroup,
        [Caution, Caution, Caution],
        "More shares than members: some shares can never be claimed and return only after expiry.",
        "红包个数多于群成员人数，多出的份额要到过期后才会退回",
        "More shares than group members: the extra shares only come back when the packet expires",
    ),
    row(
        WarningCode::AboveLimit,
        [Danger, Danger, Danger],
        "Above a policy limit: the engine will refuse the send.",
        "{amount} 超过上限 {limit}，无法发送",
        "{amount} is above the limit of {limit} and cannot be sent",
    ),
];

/// The culturally loaded amounts and their codes.
pub static SPECIAL_AMOUNTS: &[(Money, WarningCode)] = &[
    (Money::from_fen(52_000), WarningCode::Romantic),
    (Money::from_fen(52_100), WarningCode::Romantic),
    (Money::from_fen(131_400), WarningCode::Romantic),
    (Money::from_fen(520), WarningCode::Romantic),
    (Money::from_fen(1_314), WarningCode::Romantic),
    (Money::from_fen(666), WarningCode::Auspicious),
    (Money::from_fen(6_600), WarningCode::Auspicious),
    (Money::from_fen(66_600), WarningCode::Auspicious),
    (Money::from_fen(888), WarningCode::Auspicious),
    (Money::from_fen(8_800), WarningCode::Auspicious),
    (Money::from_fen(88_800), WarningCode::Auspicious),
    (Money::from_fen(888_800), WarningCode::Auspicious),
    (Money::from_fen(16_800), WarningCode::Auspicious),
    (Money::from_fen(168_800), WarningCode::Auspicious),
    (Money::from_fen(9_900), WarningCode::Auspicious),
    (Money::from_fen(99_900), WarningCode::Auspicious),
    (Money::from_fen(25_000), WarningCode::Offensive),
    (Money::from_fen(3_800), WarningCode::Offensive),
    (Money::from_fen(400), WarningCode::Unlucky),
    (Money::from_fen(1_400), WarningCode::Unlucky),
    (Money::from_fen(4_400), WarningCode::Unlucky),
    (Money::from_fen(44_400), WarningCode::Unlucky),
    (Money::from_fen(7_400), WarningCode::Unlucky),
];

/// The code of a special amount, if it is one.
pub fn special_amount(amount: Money) -> Option<WarningCode> {
    SPECIAL_AMOUNTS
        .iter()
        .find(|(m, _)| *m == amount)
        .map(|&(_, c)| c)
}

/// What the engine knows about a sender's habits (see [`Engine::history`](crate::Engine::history)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderHistory {
    /// Median of the sender's recent typed amounts (per-share for normal packets, total for
    /// lucky ones), `None` without history.
    pub usual_amount: Option<Money>,
    /// The typed amount of the sender's last packet in this chat.
    pub last_in_chat: Option<Money>,
    /// Median of the sender's recent totals.
    pub usual_total: Option<Money>,
    /// How many packets the median is taken over.
    pub samples: u32,
}

/// The input of [`check`].
#[derive(Clone, Copy, Debug)]
pub struct WarningInput<'a> {
    /// What the sender is about to send.
    pub kind: &'a PacketKind,
    /// Where.
    pub chat: &'a ChatRef,
    /// The sender's habits.
    pub history: &'a SenderHistory,
    /// The sender's balance.
    pub balance: Money,
    /// The policy in force.
    pub policy: &'a Policy,
    /// Now (for special-day limits).
    pub now: Timestamp,
}

/// A warning raised by [`check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Which warning.
    pub code: WarningCode,
    /// How serious, in this chat.
    pub severity: Severity,
    /// The amount that triggered it (typed amount or total).
    pub amount: Money,
    /// The usual amount it was compared with (anomalies).
    pub usual: Option<Money>,
    /// The limit it was compared with (`above_limit`).
    pub limit: Option<Money>,
}

impl Warning {
    /// The table row.
    pub fn def(&self) -> &'static WarningDef {
        self.code.def()
    }

    /// The text with its placeholders filled in.
    pub fn text(&self, lang: Lang) -> String {
        let def = self.def();
        let template = lang.pick(def.zh, def.en);
        let mut out = template.replace("{amount}", &self.amount.format(lang));
        if let Some(u) = self.usual {
            out = out.replace("{usual}", &u.format(lang));
        }
        if let Some(l) = self.limit {
            out = out.replace("{limit}", &l.format(lang));
        }
        if let Some(factor) = self.factor() {
            out = out.replace("{factor}", &factor.to_string());
        }
        if out.contains("{meaning}") {
            let forever = matches!(self.amount.fen(), 131_400 | 1_314);
            let meaning = match (forever, lang) {
                (false, Lang::Zh) => "我爱你",
                (false, Lang::En) => "I love you",
                (true, Lang::Zh) => "一生一世",
                (true, Lang::En) => "for ever",
            };
            out = out.replace("{meaning}", meaning);
        }
        out
    }

    /// How many times the usual amount this one is, when it is exactly 10× or 100×
    /// (`decimal_slip`).
    pub fn factor(&self) -> Option<u32> {
        let usual = self.usual.filter(|u| u.is_positive())?;
        [10, 100]
            .into_iter()
            .find(|&k| usual.checked_mul(k) == Some(self.amount))
    }
}

/// Evaluates a prospective send. Sorted most severe first (table order within a severity),
/// at most one warning per code.
pub fn check(input: &WarningInput<'_>) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    let chat = input.chat.kind;
    let typed = input.kind.typed_amount();
    let total = input.kind.total();
    let count = input.kind.count();

    let push = |out: &mut Vec<Warning>, w: Warning| {
        if let Some(existing) = out.iter_mut().find(|e| e.code == w.code) {
            if w.severity > existing.severity {
                *existing = w;
            }
        } else {
            out.push(w);
        }
    };
    let simple = |code: WarningCode, amount: Money| Warning {
        code,
        severity: code.def().severity_for(chat),
        amount,
        usual: None,
        limit: None,
    };

    // Culturally loaded amounts, on the typed amount and on the total.
    for amount in [Some(typed), total].into_iter().flatten() {
        if let Some(code) = special_amount(amount) {
            push(&mut out, simple(code, amount));
        }
    }

    // Ten times the usual or the last amount; exact 10× / 100× is a decimal slip.
    let refs = [input.history.usual_amount, input.history.last_in_chat];
    let slip = refs.into_iter().flatten().find(|u| {
        u.is_positive() && (u.checked_mul(10) == Some(typed) || u.checked_mul(100) == Some(typed))
    });
    if let Some(u) = slip {
        push(
            &mut out,
            Warning {
                usual: Some(u),
                ..simple(WarningCode::DecimalSlip, typed)
            },
        );
    } else if let Some(u) = refs
        .into_iter()
        .flatten()
        .find(|u| u.is_positive() && u.checked_mul(10).is_some_and(|ten| typed >= ten))
    {
        push(
            &mut out,
            Warning {
                usual: Some(u),
                ..simple(WarningCode::TenTimesUsual, typed)
            },
        );
    }

    // A normal packet whose total is far above the usual total.
    if let (PacketKind::Normal { .. }, Some(t), Some(u)) =
        (input.kind, total, input.history.usual_total)
        && u.is_positive()
        && u.checked_mul(5).is_some_and(|five| t >= five)
    {
        push(
            &mut out,
            Warning {
                usual: Some(u),
                ..simple(WarningCode::NormalTotalHigh, t)
            },
        );
    }

    // More than half the balance.
    let spend = total.unwrap_or(Money::from_fen(i64::MAX));
    if spend.is_positive() && i128::from(spend.fen()) * 2 > i128::from(input.balance.fen()) {
        push(&mut out, simple(WarningCode::OverHalfBalance, spend));
    }

    // More shares than members.
    if chat.is_group() && count as usize > input.chat.member_count() {
        push(&mut out, simple(WarningCode::CountAboveGroup, spend));
    }

    // Above a limit.
    let policy = input.policy;
    match *input.kind {
        PacketKind::Personal { amount, .. } => {
            let cap = policy.personal_cap(input.now);
            if amount > cap {
                push(
                    &mut out,
                    Warning {
                        limit: Some(cap),
                        ..simple(WarningCode::AboveLimit, amount)
                    },
                );
            }
        }
        PacketKind::Exclusive { amount: per, .. } | PacketKind::Normal { per_share: per, .. } => {
            if per > policy.max_share {
                push(
                    &mut out,
                    Warning {
                        limit: Some(policy.max_share),
                        ..simple(WarningCode::AboveLimit, per)
                    },
                );
            }
        }
        PacketKind::Lucky { total, count, .. } => {
            let max = policy
                .max_share
                .checked_mul(count.max(1))
                .unwrap_or(Money::from_fen(i64::MAX));
            if total > max {
                push(
                    &mut out,
                    Warning {
                        limit: Some(max),
                        ..simple(WarningCode::AboveLimit, total)
                    },
                );
            }
        }
    }

    crate::sort::sort_short_by(&mut out, |a, b| (b.severity, a.code) < (a.severity, b.code));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order() {
        assert_eq!(WARNINGS.len(), WarningCode::ALL.len());
        for (def, code) in WARNINGS.iter().zip(WarningCode::ALL) {
            assert_eq!(def.code, code);
            assert_eq!(code.def().code, code);
        }
    }
}
