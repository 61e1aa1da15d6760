//! Strings of the recall flow, in Chinese and English.

use crate::i18n::{Lang, display_name};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Recall,
    Recalling,
    NeedsConfirmation,
    ConfirmRecall,
    Cancel,
    CountdownLabel,
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Msg::*;
        match (self, lang) {
            (Recall, Zh) => "撤回",
            (Recall, En) => "Recall",
            (Recalling, Zh) => "撤回中…",
            (Recalling, En) => "Recalling…",
            (NeedsConfirmation, Zh) => "撤回此红包需要再次确认。确定撤回吗？",
            (NeedsConfirmation, En) => "This recall needs your confirmation. Recall the packet?",
            (ConfirmRecall, Zh) => "确认撤回",
            (ConfirmRecall, En) => "Confirm recall",
            (Cancel, Zh) => "取消",
            (Cancel, En) => "Cancel",
            (CountdownLabel, Zh) => "撤回倒计时",
            (CountdownLabel, En) => "Recall countdown",
        }
    }
}

/// The timer's accessible name: "还可撤回 45 秒" / "45 seconds left to recall".
pub fn secs_left(secs: i64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("还可撤回 {secs} 秒"),
        Lang::En if secs == 1 => "1 second left to recall".to_owned(),
        Lang::En => format!("{secs} seconds left to recall"),
    }
}

/// The trace the chat shows for everyone once a packet is recalled.
pub fn trace(hhmm: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("红包已被发送者于 {hhmm} 撤回"),
        Lang::En => format!("Recalled by the sender at {hhmm}"),
    }
}

/// The sender's own trace, with the refund.
pub fn trace_mine(hhmm: &str, refund: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("你于 {hhmm} 撤回了红包，{refund} 已退回零钱"),
        Lang::En => format!("You recalled this packet at {hhmm}; {refund} refunded"),
    }
}

/// The Recall button's accessible name, naming the packet's greeting.
pub fn recall_packet(sender: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("撤回{}的红包", display_name(sender)),
        Lang::En => format!("Recall {}'s packet", display_name(sender)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_and_traces() {
        assert_eq!(secs_left(1, Lang::En), "1 second left to recall");
        assert_eq!(secs_left(45, Lang::Zh), "还可撤回 45 秒");
        assert_eq!(trace("14:03", Lang::En), "Recalled by the sender at 14:03");
        assert_eq!(trace("14:03", Lang::Zh), "红包已被发送者于 14:03 撤回");
        for m in [Msg::Recall, Msg::ConfirmRecall, Msg::Cancel] {
            assert_ne!(m.text(Lang::Zh), m.text(Lang::En));
        }
    }
}
