//! The send flow's strings, in Chinese and English (same style as `crate::i18n`: one arm per
//! message and language, so a missing translation does not compile).

use crate::i18n::Lang;
use hongbao_engine::{Money, PacketKindTag, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendMsg {
    Close,
    KindGroup,
    KindLucky,
    KindNormal,
    KindPersonal,
    KindExclusive,
    HintLucky,
    HintNormal,
    HintPersonal,
    HintExclusive,
    AmountTotal,
    AmountEach,
    Amount,
    AmountPlaceholder,
    Count,
    CountPlaceholder,
    Recipient,
    RecipientChoose,
    Greeting,
    DefaultGreeting,
    Next,
    Cancel,
    Checking,
    CountEmpty,
    CountNotWhole,
    RecipientMissing,
    InWords,
    InCapitals,
    ReviewTitle,
    Edit,
    Confirm,
    To,
    Kind,
    PerShare,
    PerShareRandom,
    Total,
    Warnings,
    NoWarnings,
    AuthTitle,
    PinHint,
    PinLabel,
    Delete,
    PinWrong,
    HoldTitle,
    HoldButton,
    HoldHint,
    Sending,
    SendFailed,
    Retry,
    RetryNote,
}

impl SendMsg {
    pub fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use SendMsg::*;
        match (self, lang) {
            (Close, Zh) => "关闭",
            (Close, En) => "Close",
            (KindGroup, Zh) => "红包类型",
            (KindGroup, En) => "Packet type",
            (KindLucky, Zh) => "拼手气红包",
            (KindLucky, En) => "Lucky",
            (KindNormal, Zh) => "普通红包",
            (KindNormal, En) => "Normal",
            (KindPersonal, Zh) => "个人红包",
            (KindPersonal, En) => "Personal",
            (KindExclusive, Zh) => "专属红包",
            (KindExclusive, En) => "Exclusive",
            (HintLucky, Zh) => "输入总金额，每人抽到的金额随机",
            (HintLucky, En) => "Enter the total; each share is random",
            (HintNormal, Zh) => "输入每人的金额，每人领到的金额相同",
            (HintNormal, En) => "Enter the amount for each person; everyone gets the same",
            (HintPersonal, Zh) => "发给对方一个红包",
            (HintPersonal, En) => "One red packet for the other person",
            (HintExclusive, Zh) => "只有你指定的成员可以领取",
            (HintExclusive, En) => "Only the member you choose can claim it",
            (AmountTotal, Zh) => "总金额",
            (AmountTotal, En) => "Total",
            (AmountEach, Zh) => "单个金额",
            (AmountEach, En) => "Amount each",
            (Amount, Zh) => "金额",
            (Amount, En) => "Amount",
            (AmountPlaceholder, Zh) => "¥0.00",
            (AmountPlaceholder, En) => "¥0.00",
            (Count, Zh) => "红包个数",
            (Count, En) => "Number of packets",
            (CountPlaceholder, Zh) => "填写个数",
            (CountPlaceholder, En) => "How many",
            (Recipient, Zh) => "领取人",
            (Recipient, En) => "Recipient",
            (RecipientChoose, Zh) => "请选择",
            (RecipientChoose, En) => "Choose…",
            (Greeting, Zh) => "祝福语",
            (Greeting, En) => "Greeting",
            (DefaultGreeting, Zh) => "恭喜发财，大吉大利",
            (DefaultGreeting, En) => "Best wishes",
            (Next, Zh) => "下一步",
            (Next, En) => "Next",
            (Cancel, Zh) => "取消",
            (Cancel, En) => "Cancel",
            (Checking, Zh) => "正在检查…",
            (Checking, En) => "Checking…",
            (CountEmpty, Zh) => "请填写红包个数",
            (CountEmpty, En) => "Enter the number of packets",
            (CountNotWhole, Zh) => "红包个数必须是整数",
            (CountNotWhole, En) => "The number of packets must be a whole number",
            (RecipientMissing, Zh) => "请选择领取人",
            (RecipientMissing, En) => "Choose who can claim it",
            (InWords, Zh) => "英文",
            (InWords, En) => "In words",
            (InCapitals, Zh) => "大写",
            (InCapitals, En) => "In Chinese capitals",
            (ReviewTitle, Zh) => "核对红包",
            (ReviewTitle, En) => "Check your red packet",
            (Edit, Zh) => "修改",
            (Edit, En) => "Edit",
            (Confirm, Zh) => "确认发送",
            (Confirm, En) => "Confirm",
            (To, Zh) => "发给",
            (To, En) => "To",
            (Kind, Zh) => "类型",
            (Kind, En) => "Type",
            (PerShare, Zh) => "单个金额",
            (PerShare, En) => "Each",
            (PerShareRandom, Zh) => "随机",
            (PerShareRandom, En) => "Random",
            (Total, Zh) => "合计",
            (Total, En) => "Total",
            (Warnings, Zh) => "请注意",
            (Warnings, En) => "Please check",
            (NoWarnings, Zh) => "没有发现异常",
            (NoWarnings, En) => "Nothing unusual",
            (AuthTitle, Zh) => "输入支付 PIN",
            (AuthTitle, En) => "Enter your PIN",
            (PinHint, Zh) => "演示 PIN：123456",
            (PinHint, En) => "Demo PIN: 123456",
            (PinLabel, Zh) => "PIN 键盘，可直接输入数字",
            (PinLabel, En) => "PIN pad; you can type the digits",
            (Delete, Zh) => "删除",
            (Delete, En) => "Delete",
            (PinWrong, Zh) => "PIN 不正确，请重新输入",
            (PinWrong, En) => "Wrong PIN, please try again",
            (HoldTitle, Zh) => "长按确认",
            (HoldTitle, En) => "Press and hold to confirm",
            (HoldButton, Zh) => "按住 1 秒发送",
            (HoldButton, En) => "Hold for 1 second to send",
            (HoldHint, Zh) => "可用鼠标、手指或按住空格键；提前松开即取消",
            (HoldHint, En) => "Use the mouse, a finger or hold Space; let go early to cancel",
            (Sending, Zh) => "正在发送…",
            (Sending, En) => "Sending…",
            (SendFailed, Zh) => "发送失败",
            (SendFailed, En) => "Sending failed",
            (Retry, Zh) => "重试",
            (Retry, En) => "Retry",
            (RetryNote, Zh) => "重试使用同一笔请求，不会重复扣款",
            (RetryNote, En) => "A retry repeats the same request: you are never charged twice",
        }
    }
}

pub fn kind_name(kind: PacketKindTag, lang: Lang) -> &'static str {
    match kind {
        PacketKindTag::Lucky => SendMsg::KindLucky,
        PacketKindTag::Normal => SendMsg::KindNormal,
        PacketKindTag::Personal => SendMsg::KindPersonal,
        PacketKindTag::Exclusive => SendMsg::KindExclusive,
    }
    .text(lang)
}

pub fn kind_hint(kind: PacketKindTag, lang: Lang) -> &'static str {
    match kind {
        PacketKindTag::Lucky => SendMsg::HintLucky,
        PacketKindTag::Normal => SendMsg::HintNormal,
        PacketKindTag::Personal => SendMsg::HintPersonal,
        PacketKindTag::Exclusive => SendMsg::HintExclusive,
    }
    .text(lang)
}

/// The label of the amount field: the total for lucky packets, per person for normal ones.
pub fn amount_label(kind: PacketKindTag, lang: Lang) -> &'static str {
    match kind {
        PacketKindTag::Lucky => SendMsg::AmountTotal,
        PacketKindTag::Normal => SendMsg::AmountEach,
        PacketKindTag::Personal | PacketKindTag::Exclusive => SendMsg::Amount,
    }
    .text(lang)
}

pub fn severity_name(severity: Severity, lang: Lang) -> &'static str {
    match (severity, lang) {
        (Severity::Danger, Lang::Zh) => "危险",
        (Severity::Danger, Lang::En) => "Danger",
        (Severity::Caution, Lang::Zh) => "注意",
        (Severity::Caution, Lang::En) => "Caution",
        (Severity::Info, Lang::Zh) => "提示",
        (Severity::Info, Lang::En) => "Info",
    }
}

/// "Total ¥18.80 · 10 packets" for a lucky packet.
pub fn lucky_total(total: Money, count: u32, lang: Lang) -> String {
    let total = total.format(lang);
    match lang {
        Lang::Zh => format!("共 {total} · {count} 个红包"),
        Lang::En if count == 1 => format!("Total {total} · 1 packet"),
        Lang::En => format!("Total {total} · {count} packets"),
    }
}

/// "Total ¥18.80" for a single packet.
pub fn single_total(total: Money, lang: Lang) -> String {
    format!("{} {}", SendMsg::Total.text(lang), total.format(lang))
}

/// "10 个" / "10" in the review's count row.
pub fn count_value(count: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{count} 个"),
        Lang::En => count.to_string(),
    }
}

/// Where an exclusive packet goes: "Bob（相亲相爱一家人）" / "Bob in Family".
pub fn exclusive_to(name: &str, group: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{name}（{group}）"),
        Lang::En => format!("{name} in {group}"),
    }
}

/// The PIN progress for screen readers.
pub fn pin_progress(entered: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已输入 {entered}/6 位"),
        Lang::En => format!("{entered} of 6 digits entered"),
    }
}

/// The digit key's accessible name.
pub fn digit_label(digit: u8, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("数字 {digit}"),
        Lang::En => format!("Digit {digit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_texts_have_no_chinese() {
        let all = [
            SendMsg::Close,
            SendMsg::KindLucky,
            SendMsg::DefaultGreeting,
            SendMsg::ReviewTitle,
            SendMsg::PinHint,
            SendMsg::HoldHint,
            SendMsg::RetryNote,
        ];
        for m in all {
            assert!(
                !m.text(Lang::En)
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{m:?}"
            );
            assert_ne!(m.text(Lang::Zh), m.text(Lang::En), "{m:?}");
        }
    }

    #[test]
    fn totals_read_naturally() {
        let t = Money::from_fen(1880);
        assert_eq!(lucky_total(t, 10, Lang::En), "Total ¥18.80 · 10 packets");
        assert_eq!(lucky_total(t, 1, Lang::En), "Total ¥18.80 · 1 packet");
        assert_eq!(lucky_total(t, 10, Lang::Zh), "共 ¥18.80 · 10 个红包");
        assert_eq!(single_total(t, Lang::En), "Total ¥18.80");
        assert_eq!(exclusive_to("Bob", "Family", Lang::En), "Bob in Family");
    }
}
