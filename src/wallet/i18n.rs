//! Strings of the wallet, in Chinese and English.

use crate::i18n::messages;
use hongbao_engine::EntryKind;

messages! {
    pub enum Msg {
        Balance => ("零钱余额", "Balance"),
        Ledger => ("零钱明细", "Transactions"),
        NoEntries => ("还没有记录", "No transactions yet"),
        Grant => ("初始资金", "Opening balance"),
        Sent => ("发出红包", "Sent"),
        Received => ("领取红包", "Received"),
        RefundExpired => ("退款·过期", "Refund (expired)"),
        RefundRecalled => ("撤回退款", "Refund (recalled)"),
        Retry => ("重试", "Retry"),
        Loading => ("加载中…", "Loading…"),
    }
    /// "红包 #12" / "Packet #12".
    fn packet_ref(lang, id: u64) => ("红包 #{id}", "Packet #{id}");
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
