//! The send flow's pure logic: which stages run, what the entry form means, how the total
//! reads. No signals here, so all of it is tested natively.

use super::i18n::{SendMsg, lucky_total, single_total};
use crate::i18n::Lang;
use crate::settings::Stages;
use hongbao_api::{ChatInfo, NewPacket};
use hongbao_engine::{
    AmountError, Money, PacketKind, PacketKindTag, Severity, Warning, WarningCode,
};

/// A stage after entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Review,
    Authorize,
}

/// Whether a warning asks the sender to look again (caution or danger; info does not).
pub fn needs_attention(warnings: &[Warning]) -> bool {
    warnings.iter().any(|w| w.severity >= Severity::Caution)
}

/// The stages that run after entry, for the settings in force and the preview's warnings.
pub fn stages_for(stages: Stages, warnings: &[Warning]) -> Vec<Stage> {
    match stages {
        Stages::One => vec![],
        Stages::Two => vec![Stage::Review],
        Stages::Three => vec![Stage::Review, Stage::Authorize],
        Stages::Adaptive if needs_attention(warnings) => vec![Stage::Review, Stage::Authorize],
        Stages::Adaptive => vec![],
    }
}

/// The kinds a chat offers: lucky, normal and exclusive in a group, personal in a 1:1 chat.
pub fn kinds_for(chat: &ChatInfo) -> &'static [PacketKindTag] {
    if chat.is_group() {
        &[
            PacketKindTag::Lucky,
            PacketKindTag::Normal,
            PacketKindTag::Exclusive,
        ]
    } else {
        &[PacketKindTag::Personal]
    }
}

/// Whether a kind has a count field.
pub fn has_count(kind: PacketKindTag) -> bool {
    matches!(kind, PacketKindTag::Lucky | PacketKindTag::Normal)
}

/// The members who can be named as recipient (everyone but the sender).
pub fn others(chat: &ChatInfo, user: &str) -> Vec<String> {
    chat.members
        .iter()
        .filter(|m| *m != user)
        .cloned()
        .collect()
}

/// A field of the entry form that can be wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Amount,
    Count,
    Recipient,
}

/// Why the entry form cannot go on (before asking the backend).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryError {
    Amount(AmountError),
    CountEmpty,
    CountNotWhole,
    RecipientMissing,
}

impl EntryError {
    pub fn field(self) -> Field {
        match self {
            EntryError::Amount(_) => Field::Amount,
            EntryError::CountEmpty | EntryError::CountNotWhole => Field::Count,
            EntryError::RecipientMissing => Field::Recipient,
        }
    }

    pub fn message(self, lang: Lang) -> String {
        match self {
            EntryError::Amount(e) => e.message(lang),
            EntryError::CountEmpty => SendMsg::CountEmpty.text(lang).to_owned(),
            EntryError::CountNotWhole => SendMsg::CountNotWhole.text(lang).to_owned(),
            EntryError::RecipientMissing => SendMsg::RecipientMissing.text(lang).to_owned(),
        }
    }
}

/// A whole number of packets: ASCII or full-width digits, surrounding spaces allowed. Range
/// limits (1–100) are the engine's, checked by the backend's preview; a number too big for
/// `u32` is kept as `u32::MAX` so that the engine's message explains the limit.
pub fn parse_count(text: &str) -> Result<u32, EntryError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(EntryError::CountEmpty);
    }
    let mut n: u64 = 0;
    for c in t.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return Err(EntryError::CountNotWhole),
        };
        n = (n * 10 + u64::from(d)).min(u64::from(u32::MAX));
    }
    Ok(n as u32)
}

/// Parses the entry form into the packet kind it describes, with that kind's fields: the
/// typed amount is the total of a lucky packet, the per-share amount of a normal one and
/// the amount of a personal or exclusive one. `others` are the members other than the
/// sender (the implicit recipient of a personal packet is the only one).
pub fn parse_entry(
    kind: PacketKindTag,
    amount: &str,
    count: &str,
    recipient: &str,
    others: &[String],
) -> Result<PacketKind, EntryError> {
    let amount = Money::parse_typed(amount).map_err(EntryError::Amount)?;
    Ok(match kind {
        PacketKindTag::Lucky => PacketKind::Lucky {
            total: amount,
            count: parse_count(count)?,
            split: None,
        },
        PacketKindTag::Normal => PacketKind::Normal {
            per_share: amount,
            count: parse_count(count)?,
        },
        PacketKindTag::Personal => PacketKind::Personal {
            to: others
                .first()
                .cloned()
                .ok_or(EntryError::RecipientMissing)?,
            amount,
        },
        PacketKindTag::Exclusive => PacketKind::Exclusive {
            to: Some(recipient.to_owned())
                .filter(|r| others.iter().any(|o| o == r))
                .ok_or(EntryError::RecipientMissing)?,
            amount,
        },
    })
}

/// The request a parsed entry describes: the one place the send flow builds a [`NewPacket`].
/// An empty greeting is the default one (in the language in force).
pub fn draft(chat_id: &str, kind: PacketKind, greeting: &str, lang: Lang, key: &str) -> NewPacket {
    let greeting = match greeting.trim() {
        "" => SendMsg::DefaultGreeting.text(lang).to_owned(),
        typed => typed.to_owned(),
    };
    NewPacket {
        chat_id: chat_id.to_owned(),
        kind,
        greeting,
        idempotency_key: key.to_owned(),
    }
}

/// The live total line: "10 × ¥1.88 = ¥18.80" (normal), "Total ¥18.80 · 10 packets"
/// (lucky), "Total ¥18.80" (one packet); `None` if the total overflows. For display: the
/// backend's preview is authoritative.
pub fn total_line(kind: &PacketKind, lang: Lang) -> Option<String> {
    let total = kind.total()?;
    Some(match *kind {
        PacketKind::Normal { per_share, count } => {
            format!(
                "{count} × {} = {}",
                per_share.format(lang),
                total.format(lang)
            )
        }
        PacketKind::Lucky { count, .. } => lucky_total(total, count, lang),
        PacketKind::Personal { .. } | PacketKind::Exclusive { .. } => single_total(total, lang),
    })
}

/// Splits a text into runs of Chinese characters (`true`) and the rest (`false`), so that
/// Chinese words quoted inside an English text can be marked `lang="zh-CN"` (screen readers
/// then pronounce them in Chinese).
pub fn han_runs(text: &str) -> Vec<(bool, String)> {
    let is_han = |c: char| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}');
    let mut runs: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let han = is_han(c);
        match runs.last_mut() {
            Some((h, run)) if *h == han => run.push(c),
            _ => runs.push((han, c.to_string())),
        }
    }
    runs
}

/// What the lab wants to know about warnings (PRODUCT §6): which were shown, with which
/// amount, and whether the sender changed the amount afterwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningLog {
    /// The codes shown on the review, in order of first showing.
    pub shown: Vec<WarningCode>,
    /// The typed amount when warnings were last shown.
    pub amount_when_shown: Option<Money>,
    /// The amount sent (or confirmed) differs from the one the warnings were shown for.
    pub amount_changed_after_warning: bool,
}

impl WarningLog {
    /// The review showed `warnings` for `amount`.
    /// The review opened for `amount` with `warnings` (maybe none).
    pub fn shown(&mut self, warnings: &[Warning], amount: Money) {
        self.proceeded(amount);
        if warnings.is_empty() {
            return;
        }
        for w in warnings {
            if !self.shown.contains(&w.code) {
                self.shown.push(w.code);
            }
        }
        self.amount_when_shown = Some(amount);
    }

    /// The sender went on (to a later stage, or sent) with `amount`.
    pub fn proceeded(&mut self, amount: Money) {
        if self.amount_when_shown.is_some_and(|a| a != amount) {
            self.amount_changed_after_warning = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_engine::ChatKind;

    fn w(code: WarningCode, severity: Severity) -> Warning {
        Warning {
            code,
            severity,
            amount: Money::from_fen(100),
            usual: None,
            limit: None,
        }
    }

    #[test]
    fn stages_follow_the_setting_and_adaptive_follows_severity() {
        let info = [w(WarningCode::Auspicious, Severity::Info)];
        let caution = [
            w(WarningCode::Auspicious, Severity::Info),
            w(WarningCode::Offensive, Severity::Caution),
        ];
        let danger = [w(WarningCode::DecimalSlip, Severity::Danger)];
        assert_eq!(stages_for(Stages::One, &danger), vec![]);
        assert_eq!(stages_for(Stages::Two, &[]), vec![Stage::Review]);
        assert_eq!(
            stages_for(Stages::Three, &[]),
            vec![Stage::Review, Stage::Authorize]
        );
        assert_eq!(stages_for(Stages::Adaptive, &[]), vec![]);
        assert_eq!(stages_for(Stages::Adaptive, &info), vec![]);
        for ws in [&caution[..], &danger[..]] {
            assert_eq!(
                stages_for(Stages::Adaptive, ws),
                vec![Stage::Review, Stage::Authorize]
            );
        }
    }

    #[test]
    fn totals_are_unmissable_and_exact() {
        let a = Money::parse_typed("1.88").unwrap();
        let normal = |per_share, count| PacketKind::Normal { per_share, count };
        assert_eq!(
            total_line(&normal(a, 10), Lang::En).unwrap(),
            "10 × ¥1.88 = ¥18.80"
        );
        assert_eq!(
            total_line(&normal(a, 10), Lang::Zh).unwrap(),
            "10 × ¥1.88 = ¥18.80"
        );
        let lucky = PacketKind::Lucky {
            total: Money::parse_typed("18.8").unwrap(),
            count: 10,
            split: None,
        };
        assert_eq!(
            total_line(&lucky, Lang::En).unwrap(),
            "Total ¥18.80 · 10 packets"
        );
        let personal = PacketKind::Personal {
            to: "bob".into(),
            amount: a,
        };
        assert_eq!(total_line(&personal, Lang::En).unwrap(), "Total ¥1.88");
        assert_eq!(
            total_line(&normal(Money::from_fen(i64::MAX / 2), 3), Lang::En),
            None
        );
    }

    #[test]
    fn counts_are_whole_numbers() {
        assert_eq!(parse_count(" 10 "), Ok(10));
        assert_eq!(parse_count("１０"), Ok(10));
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count(""), Err(EntryError::CountEmpty));
        assert_eq!(parse_count("2.5"), Err(EntryError::CountNotWhole));
        assert_eq!(parse_count("-1"), Err(EntryError::CountNotWhole));
        assert_eq!(parse_count("99999999999999999999"), Ok(u32::MAX));
    }

    fn family() -> ChatInfo {
        ChatInfo {
            id: "family".into(),
            name: "Family".into(),
            members: vec!["alice".into(), "bob".into(), "carol".into()],
            kind: ChatKind::Group { work: false },
        }
    }

    #[test]
    fn entry_parses_kind_by_kind() {
        let chat = family();
        let others = others(&chat, "alice");
        assert_eq!(others, vec!["bob".to_string(), "carol".to_string()]);
        assert_eq!(kinds_for(&chat).len(), 3);
        assert_eq!(
            parse_entry(PacketKindTag::Normal, "1.88", "10", "", &others),
            Ok(PacketKind::Normal {
                per_share: Money::from_fen(188),
                count: 10
            })
        );
        assert_eq!(
            parse_entry(PacketKindTag::Lucky, "18.8", "3", "", &others),
            Ok(PacketKind::Lucky {
                total: Money::from_fen(1_880),
                count: 3,
                split: None
            })
        );
        assert_eq!(
            parse_entry(PacketKindTag::Lucky, "abc", "10", "", &others),
            Err(EntryError::Amount(AmountError::Letters))
        );
        assert_eq!(
            parse_entry(PacketKindTag::Lucky, "5", "", "", &others),
            Err(EntryError::CountEmpty)
        );
        assert_eq!(
            parse_entry(PacketKindTag::Exclusive, "5", "", "", &others),
            Err(EntryError::RecipientMissing)
        );
        assert_eq!(
            parse_entry(PacketKindTag::Exclusive, "5", "", "alice", &others),
            Err(EntryError::RecipientMissing)
        );
        // One share: the count field is not read.
        assert_eq!(
            parse_entry(PacketKindTag::Exclusive, "5", "x", "carol", &others),
            Ok(PacketKind::Exclusive {
                to: "carol".into(),
                amount: Money::from_fen(500)
            })
        );
        assert_eq!(
            parse_entry(PacketKindTag::Personal, "5", "", "", &["bob".into()]),
            Ok(PacketKind::Personal {
                to: "bob".into(),
                amount: Money::from_fen(500)
            })
        );
        for bad in ["", "-5", "0", "1.234", "1e3", "NaN", "99999999999999999999"] {
            let e = parse_entry(PacketKindTag::Lucky, bad, "3", "", &others).unwrap_err();
            assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Zh).is_empty());
        }
        for good in ["８.８８", "¥20", " 20 ", "1,000"] {
            assert!(parse_entry(PacketKindTag::Lucky, good, "10", "", &others).is_ok());
        }
    }

    #[test]
    fn the_draft_is_the_parsed_entry_with_a_greeting() {
        let others = others(&family(), "alice");
        let p = parse_entry(PacketKindTag::Exclusive, "5", "", "carol", &others).unwrap();
        let d = draft("family", p.clone(), "  ", Lang::En, "k1");
        assert_eq!((d.chat_id.as_str(), &d.kind), ("family", &p));
        assert_eq!(
            (d.greeting.as_str(), d.idempotency_key.as_str()),
            ("Best wishes", "k1")
        );
        let p = parse_entry(PacketKindTag::Lucky, "5", "3", "", &others).unwrap();
        assert_eq!(
            draft("family", p, " 新年好 ", Lang::Zh, "k").greeting,
            "新年好"
        );
    }

    #[test]
    fn chinese_words_in_english_text_are_found() {
        assert_eq!(
            han_runs("250 二百五 “idiot”"),
            vec![
                (false, "250 ".to_string()),
                (true, "二百五".to_string()),
                (false, " “idiot”".to_string())
            ]
        );
        assert_eq!(han_runs(""), vec![]);
    }

    #[test]
    fn the_log_notices_a_changed_amount() {
        let mut log = WarningLog::default();
        log.proceeded(Money::from_fen(100));
        assert!(!log.amount_changed_after_warning);
        let ws = [w(WarningCode::DecimalSlip, Severity::Danger)];
        log.shown(&ws, Money::from_fen(18_800));
        log.proceeded(Money::from_fen(18_800));
        assert!(!log.amount_changed_after_warning);
        log.shown(&[], Money::from_fen(188));
        assert!(log.amount_changed_after_warning);
        assert_eq!(log.shown, vec![WarningCode::DecimalSlip]);
    }
}
