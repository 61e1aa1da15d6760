//! Strings of the recall flow, in Chinese and English.

use crate::i18n::{display_name, messages};

messages! {
    pub enum Msg {
        Recall => ("撤回", "Recall"),
        Recalling => ("撤回中…", "Recalling…"),
        NeedsConfirmation => (
            "撤回此红包需要再次确认。确定撤回吗？",
            "This recall needs your confirmation. Recall the packet?",
        ),
        ConfirmRecall => ("确认撤回", "Confirm recall"),
        RecallTitle => ("撤回这个红包？", "Recall this packet?"),
        Cancel => ("取消", "Cancel"),
        CountdownLabel => ("撤回倒计时", "Recall countdown"),
    }
    /// The timer's accessible name: "还可撤回 45 秒" / "45 seconds left to recall".
    fn secs_left(lang, secs: i64) => ("还可撤回 {secs} 秒", {
        if secs == 1 {
            "1 second left to recall".to_owned()
        } else {
            format!("{secs} seconds left to recall")
        }
    });
    /// The trace the chat shows for everyone once a packet is recalled.
    fn trace(lang, hhmm: &str) => ("红包已被发送者于 {hhmm} 撤回", "Recalled by the sender at {hhmm}");
    /// The sender's own trace, with the refund.
    fn trace_mine(lang, hhmm: &str, refund: &str) => (
        "你于 {hhmm} 撤回了红包，{refund} 已退回零钱",
        "You recalled this packet at {hhmm}; {refund} refunded"
    );
    /// The confirmation: what goes back, from where.
    fn confirm_text(lang, amount: &str, chat: &str) => (
        "将从“{chat}”撤回 {amount}，退回你的零钱。",
        "{amount} will be recalled from {chat} and go back to your wallet."
    );
    /// The Recall button's accessible name, naming the packet's sender.
    fn recall_packet(lang, sender: &str) { let name = display_name(sender); } => ("撤回{name}的红包", "Recall {name}'s packet");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn plural_and_traces() {
        assert_eq!(secs_left(1, Lang::En), "1 second left to recall");
        assert_eq!(secs_left(45, Lang::Zh), "还可撤回 45 秒");
        assert_eq!(trace("14:03", Lang::En), "Recalled by the sender at 14:03");
        assert_eq!(trace("14:03", Lang::Zh), "红包已被发送者于 14:03 撤回");
        assert_eq!(
            confirm_text("¥10.00", "Family", Lang::En),
            "¥10.00 will be recalled from Family and go back to your wallet."
        );
        assert_eq!(
            confirm_text("¥10.00", "相亲相爱一家人", Lang::Zh),
            "将从“相亲相爱一家人”撤回 ¥10.00，退回你的零钱。"
        );
        for m in [Msg::Recall, Msg::ConfirmRecall, Msg::Cancel] {
            assert_ne!(m.text(Lang::Zh), m.text(Lang::En));
        }
    }
}
