//! The send flow's strings, in Chinese and English (one [`messages!`] table, see `crate::i18n`).

use crate::i18n::{Lang, messages};
use hongbao_engine::{Money, PacketKindTag, Severity};

messages! {
    pub enum SendMsg {
        Close => ("关闭", "Close"),
        KindGroup => ("红包类型", "Packet type"),
        KindLucky => ("拼手气红包", "Lucky"),
        KindNormal => ("普通红包", "Normal"),
        KindPersonal => ("个人红包", "Personal"),
        KindExclusive => ("专属红包", "Exclusive"),
        HintLucky => ("输入总金额，每人抽到的金额随机", "Enter the total; each share is random"),
        HintNormal => (
            "输入每人的金额，每人领到的金额相同",
            "Enter the amount for each person; everyone gets the same",
        ),
        HintPersonal => ("发给对方一个红包", "One red packet for the other person"),
        HintExclusive => ("只有你指定的成员可以领取", "Only the member you choose can claim it"),
        AmountTotal => ("总金额", "Total"),
        AmountEach => ("单个金额", "Amount each"),
        Amount => ("金额", "Amount"),
        AmountPlaceholder => ("¥0.00", "¥0.00"),
        Count => ("红包个数", "Number of packets"),
        CountPlaceholder => ("填写个数", "How many"),
        Recipient => ("领取人", "Recipient"),
        RecipientChoose => ("请选择", "Choose…"),
        Greeting => ("祝福语", "Greeting"),
        DefaultGreeting => ("恭喜发财，大吉大利", "Best wishes"),
        Next => ("下一步", "Next"),
        Cancel => ("取消", "Cancel"),
        Checking => ("正在检查…", "Checking…"),
        CountEmpty => ("请填写红包个数", "Enter the number of packets"),
        CountNotWhole => ("红包个数必须是整数", "The number of packets must be a whole number"),
        RecipientMissing => ("请选择领取人", "Choose who can claim it"),
        InWords => ("英文", "In words"),
        InCapitals => ("大写", "In Chinese capitals"),
        ReviewTitle => ("核对红包", "Check your red packet"),
        Edit => ("修改", "Edit"),
        Confirm => ("确认发送", "Confirm"),
        To => ("发给", "To"),
        Kind => ("类型", "Type"),
        PerShare => ("单个金额", "Each"),
        PerShareRandom => ("随机", "Random"),
        Total => ("合计", "Total"),
        Warnings => ("请注意", "Please check"),
        NoWarnings => ("没有发现异常", "Nothing unusual"),
        AuthTitle => ("输入支付 PIN", "Enter your PIN"),
        PinHint => ("演示 PIN：123456", "Demo PIN: 123456"),
        PinLabel => ("PIN 键盘，可直接输入数字", "PIN pad; you can type the digits"),
        Delete => ("删除", "Delete"),
        PinWrong => ("PIN 不正确，请重新输入", "Wrong PIN, please try again"),
        HoldTitle => ("长按确认", "Press and hold to confirm"),
        HoldButton => ("按住 1 秒发送", "Hold for 1 second to send"),
        HoldHint => (
            "可用鼠标、手指或按住空格键；提前松开即取消",
            "Use the mouse, a finger or hold Space; let go early to cancel",
        ),
        Sending => ("正在发送…", "Sending…"),
        SendFailed => ("发送失败", "Sending failed"),
        Retry => ("重试", "Retry"),
        SeverityDanger => ("危险", "Danger"),
        SeverityCaution => ("注意", "Caution"),
        SeverityInfo => ("提示", "Info"),
        RetryNote => (
            "重试使用同一笔请求，不会重复扣款",
            "A retry repeats the same request: you are never charged twice",
        ),
    }
    /// "Total ¥18.80 · 10 packets" for a lucky packet.
    fn lucky_total(lang, total: Money, count: u32) { let total = total.format(lang); } => (
        "共 {total} · {count} 个红包",
        {
            if count == 1 {
                format!("Total {total} · 1 packet")
            } else {
                format!("Total {total} · {count} packets")
            }
        }
    );
    /// "Total ¥18.80" for a single packet.
    fn single_total(lang, total: Money) { let total = total.format(lang); } => ("合计 {total}", "Total {total}");
    /// "10 个" / "10" in the review's count row.
    fn count_value(lang, count: u32) => ("{count} 个", "{count}");
    /// Where an exclusive packet goes: "Bob（相亲相爱一家人）" / "Bob in Family".
    fn exclusive_to(lang, name: &str, group: &str) => ("{name}（{group}）", "{name} in {group}");
    /// The PIN progress for screen readers.
    fn pin_progress(lang, entered: usize) => ("已输入 {entered}/6 位", "{entered} of 6 digits entered");
    /// The digit key's accessible name.
    fn digit_label(lang, digit: u8) => ("数字 {digit}", "Digit {digit}");
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
    match severity {
        Severity::Danger => SendMsg::SeverityDanger,
        Severity::Caution => SendMsg::SeverityCaution,
        Severity::Info => SendMsg::SeverityInfo,
    }
    .text(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_read_naturally() {
        let t = Money::from_fen(1880);
        assert_eq!(lucky_total(t, 10, Lang::En), "Total ¥18.80 · 10 packets");
        assert_eq!(lucky_total(t, 1, Lang::En), "Total ¥18.80 · 1 packet");
        assert_eq!(lucky_total(t, 10, Lang::Zh), "共 ¥18.80 · 10 个红包");
        assert_eq!(single_total(t, Lang::En), "Total ¥18.80");
        assert_eq!(single_total(t, Lang::Zh), "合计 ¥18.80");
        assert_eq!(exclusive_to("Bob", "Family", Lang::En), "Bob in Family");
        assert_eq!(exclusive_to("Bob", "一家人", Lang::Zh), "Bob（一家人）");
        assert_eq!(count_value(10, Lang::Zh), "10 个");
        assert_eq!(pin_progress(3, Lang::En), "3 of 6 digits entered");
        assert_eq!(digit_label(7, Lang::Zh), "数字 7");
    }
}
