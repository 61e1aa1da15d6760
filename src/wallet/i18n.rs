//! Strings of the wallet, in Chinese and English.

use crate::i18n::Lang;
use hongbao_engine::EntryKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Balance,
    Ledger,
    NoEntries,
    Grant,
    Sent,
    Received,
    RefundExpired,
    RefundRecalled,
    Retry,
    Loading,
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Msg::*;
        match (self, lang) {
            (Balance, Zh) => "零钱余额",
            (Balance, En) => "Balance",
            (Ledger, Zh) => "零钱明细",
            (Ledger, En) => "Transactions",
            (NoEntries, Zh) => "还没有记录",
            (NoEntries, En) => "No transactions yet",
            (Grant, Zh) => "初始资金",
            (Grant, En) => "Opening balance",
            (Sent, Zh) => "发出红包",
            (Sent, En) => "Sent",
            (Received, Zh) => "领取红包",
            (Received, En) => "Received",
            (RefundExpired, Zh) => "退款·过期",
            (RefundExpired, En) => "Refund (expired)",
            (RefundRecalled, Zh) => "撤回退款",
            (RefundRecalled, En) => "Refund (recalled)",
            (Retry, Zh) => "重试",
            (Retry, En) => "Retry",
            (Loading, Zh) => "加载中…",
            (Loading, En) => "Loading…",
        }
    }
}

/// The label of a ledger entry's kind.
pub fn kind_label(kind: EntryKind) -> Msg {
    match kind {
        EntryKind::Grant => Msg::Grant,
        EntryKind::Debit => Msg::Sent,
        EntryKind::Credit => Msg::Received,
        EntryKind::RefundExpiry => Msg::RefundExpired,
        EntryKind::RefundRecall => Msg::RefundRecalled,
    }
}

/// "红包 #12" / "Packet #12".
pub fn packet_ref(id: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("红包 #{id}"),
        Lang::En => format!("Packet #{id}"),
    }
}

/// The accessible name of an entry's link: "Received ¥1.23, packet #12: open it".
pub fn open_entry(kind: &str, amount: &str, id: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{kind} {amount}，{}：查看", packet_ref(id, lang)),
        Lang::En => format!("{kind} {amount}, {}: open it", packet_ref(id, lang)),
    }
}
