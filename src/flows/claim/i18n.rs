//! Strings of the claim flow (bubble and card), in Chinese and English.

use crate::i18n::{Lang, display_name};
use hongbao_engine::PacketKindTag;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    KindLucky,
    KindNormal,
    KindExclusive,
    KindPersonal,
    StatusOpen,
    StatusClaimed,
    StatusAllClaimed,
    StatusOpened,
    StatusExpired,
    StatusRecalled,
    DefaultGreeting,
    OpenVisible,
    OpenLabel,
    Opening,
    Close,
    SavedToWallet,
    TooLate,
    Expired,
    Recalled,
    AlreadyClaimed,
    NoClaimsYet,
    BestLuck,
    Details,
    Retry,
    Loading,
    CardLabel,
    SeeDetails,
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Msg::*;
        match (self, lang) {
            (KindLucky, Zh) => "拼手气红包",
            (KindLucky, En) => "Lucky packet",
            (KindNormal, Zh) => "普通红包",
            (KindNormal, En) => "Normal packet",
            (KindExclusive, Zh) => "专属红包",
            (KindExclusive, En) => "Exclusive packet",
            (KindPersonal, Zh) => "红包",
            (KindPersonal, En) => "Red packet",
            (StatusOpen, Zh) => "领取红包",
            (StatusOpen, En) => "Open the packet",
            (StatusClaimed, Zh) => "已领取",
            (StatusClaimed, En) => "Claimed",
            (StatusAllClaimed, Zh) => "已被领完",
            (StatusAllClaimed, En) => "All claimed",
            (StatusOpened, Zh) => "已被领取",
            (StatusOpened, En) => "Opened",
            (StatusExpired, Zh) => "已过期",
            (StatusExpired, En) => "Expired",
            (StatusRecalled, Zh) => "已撤回",
            (StatusRecalled, En) => "Recalled",
            (DefaultGreeting, Zh) => "恭喜发财，大吉大利",
            (DefaultGreeting, En) => "Best wishes",
            // The round button's face: 開 in Chinese, as in the apps people know.
            (OpenVisible, Zh) => "開",
            (OpenVisible, En) => "Open",
            (OpenLabel, Zh) => "开红包",
            (OpenLabel, En) => "Open the packet",
            (Opening, Zh) => "正在打开红包…",
            (Opening, En) => "Opening the packet…",
            (Close, Zh) => "关闭",
            (Close, En) => "Close",
            (SavedToWallet, Zh) => "已存入零钱",
            (SavedToWallet, En) => "Saved to your wallet",
            (TooLate, Zh) => "手慢了，红包派完了",
            (TooLate, En) => "Too late: all claimed",
            (Expired, Zh) => "该红包已超过24小时。如已领取，可在钱包中查看",
            (Expired, En) => "This packet has expired: it was not claimed within 24 hours",
            (Recalled, Zh) => "该红包已被发送者撤回",
            (Recalled, En) => "This packet was recalled by the sender",
            (AlreadyClaimed, Zh) => "你已领取过这个红包",
            (AlreadyClaimed, En) => "You already claimed this packet",
            (NoClaimsYet, Zh) => "还没有人领取",
            (NoClaimsYet, En) => "No one has claimed it yet",
            (BestLuck, Zh) => "手气最佳",
            (BestLuck, En) => "Best luck",
            (Details, Zh) => "领取详情",
            (Details, En) => "Who got what",
            (Retry, Zh) => "重试",
            (Retry, En) => "Retry",
            (Loading, Zh) => "加载中…",
            (Loading, En) => "Loading…",
            (CardLabel, Zh) => "红包",
            (CardLabel, En) => "Red packet",
            (SeeDetails, Zh) => "看看大家的手气",
            (SeeDetails, En) => "See who got what",
        }
    }
}

pub fn kind(kind: PacketKindTag, lang: Lang) -> &'static str {
    match kind {
        PacketKindTag::Lucky => Msg::KindLucky,
        PacketKindTag::Normal => Msg::KindNormal,
        PacketKindTag::Exclusive => Msg::KindExclusive,
        PacketKindTag::Personal => Msg::KindPersonal,
    }
    .text(lang)
}

/// "Alice的红包" / "Alice's packet".
pub fn packet_of(sender: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}的红包", display_name(sender)),
        Lang::En => format!("{}'s packet", display_name(sender)),
    }
}

/// Bubble status of a delayed packet: "即将到账 0:42" / "Arriving in 0:42".
pub fn arriving(countdown: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("即将到账 {countdown}"),
        Lang::En => format!("Arriving in {countdown}"),
    }
}

/// The sender's own personal or exclusive packet, unclaimed.
pub fn waiting_for(user: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("等待{}领取", display_name(user)),
        Lang::En => format!("Waiting for {}", display_name(user)),
    }
}

/// Someone else's exclusive or personal packet.
pub fn only_for(user: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}的专属红包", display_name(user)),
        Lang::En => format!("Only for {}", display_name(user)),
    }
}

/// The not-for-you screen.
pub fn not_for_you(user: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("这是发给{}的红包，只有对方可以领取", display_name(user)),
        Lang::En => format!(
            "This packet is for {} only: you cannot open it",
            display_name(user)
        ),
    }
}

/// The sender's details of a personal or exclusive packet.
pub fn sent_to(user: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("你发给{}的红包，只有对方可以领取", display_name(user)),
        Lang::En => format!(
            "You sent this packet to {}: only they can open it",
            display_name(user)
        ),
    }
}

/// The pending screen.
pub fn pending(countdown: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("红包即将到账，{countdown} 后可领取"),
        Lang::En => format!("This packet arrives in {countdown}; open it then"),
    }
}

/// The recalled screen, with the time.
pub fn recalled_at(hhmm: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("该红包已被发送者于 {hhmm} 撤回"),
        Lang::En => format!("This packet was recalled by the sender at {hhmm}"),
    }
}

/// The live region after a claim.
pub fn you_received(amount: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("你领取了 {amount}，已存入零钱"),
        Lang::En => format!("You received {amount}; it is in your wallet"),
    }
}

/// "已领取 2/3 个，共 ¥3.50/¥10.00" / "2 of 3 claimed: ¥3.50 of ¥10.00".
pub fn summary(claimed: u32, count: u32, got: &str, total: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已领取 {claimed}/{count} 个，共 {got}/{total}"),
        Lang::En => format!("{claimed} of {count} claimed: {got} of {total}"),
    }
}

/// The refund line of an expired or recalled packet.
pub fn refunded(amount: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{amount} 已退回发送者"),
        Lang::En => format!("{amount} went back to the sender"),
    }
}

/// The bubble's accessible name: kind, sender, greeting and status.
pub fn bubble_label(
    kind_text: &str,
    sender: &str,
    greeting: &str,
    status: &str,
    lang: Lang,
) -> String {
    match lang {
        Lang::Zh => format!(
            "{}，{}：{}。{}",
            kind_text,
            packet_of(sender, lang),
            greeting,
            status
        ),
        Lang::En => format!(
            "{}, {}: {}. {}",
            kind_text,
            packet_of(sender, lang),
            greeting,
            status
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_has_no_chinese_characters() {
        let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        use Msg::*;
        for m in [
            KindLucky,
            KindNormal,
            KindExclusive,
            KindPersonal,
            StatusOpen,
            StatusClaimed,
            StatusAllClaimed,
            StatusOpened,
            StatusExpired,
            StatusRecalled,
            DefaultGreeting,
            OpenVisible,
            OpenLabel,
            Opening,
            Close,
            SavedToWallet,
            TooLate,
            Expired,
            Recalled,
            AlreadyClaimed,
            NoClaimsYet,
            BestLuck,
            Details,
            Retry,
            Loading,
            CardLabel,
            SeeDetails,
        ] {
            assert!(!han(m.text(Lang::En)), "{m:?}");
            assert!(han(m.text(Lang::Zh)), "{m:?}");
        }
        assert_eq!(packet_of("alice", Lang::En), "Alice's packet");
        assert_eq!(packet_of("alice", Lang::Zh), "Alice的红包");
        assert!(!han(&summary(1, 3, "¥1.00", "¥3.00", Lang::En)));
    }
}
