//! Strings of the claim flow (bubble and card), in Chinese and English.

use crate::i18n::{Lang, display_name, messages};
use hongbao_engine::PacketKindTag;

messages! {
    pub enum Msg {
        KindLucky => ("拼手气红包", "Lucky packet"),
        KindNormal => ("普通红包", "Normal packet"),
        KindExclusive => ("专属红包", "Exclusive packet"),
        KindPersonal => ("红包", "Red packet"),
        StatusOpen => ("领取红包", "Open the packet"),
        StatusClaimed => ("已领取", "Claimed"),
        StatusAllClaimed => ("已被领完", "All claimed"),
        StatusOpened => ("已被领取", "Opened"),
        StatusExpired => ("已过期", "Expired"),
        StatusRecalled => ("已撤回", "Recalled"),
        DefaultGreeting => ("恭喜发财，大吉大利", "Best wishes"),
        /// The round button's accessible name (its face is 開 in every language, as in the
        /// apps people know).
        OpenLabel => ("开", "Open"),
        Opening => ("正在打开红包…", "Opening the packet…"),
        Close => ("关闭", "Close"),
        SavedToWallet => ("已存入零钱", "Saved to your wallet"),
        TooLate => ("手慢了，红包派完了", "Too late: all claimed"),
        Expired => (
            "该红包已超过24小时。如已领取，可在钱包中查看",
            "This packet has expired: it was not claimed within 24 hours",
        ),
        Recalled => ("该红包已被发送者撤回", "This packet was recalled by the sender"),
        AlreadyClaimed => ("你已领取过这个红包", "You already claimed this packet"),
        NoClaimsYet => ("还没有人领取", "No one has claimed it yet"),
        BestLuck => ("手气最佳", "Best luck"),
        Details => ("领取详情", "Who got what"),
        Retry => ("重试", "Retry"),
        Loading => ("加载中…", "Loading…"),
        CardLabel => ("红包", "Red packet"),
        SeeDetails => ("看看大家的手气", "See who got what"),
    }
    /// "Alice的红包" / "Alice's packet".
    fn packet_of(lang, sender: &str) { let name = display_name(sender); } => ("{name}的红包", "{name}'s packet");
    /// Bubble status of a delayed packet: "即将到账 0:42" / "Arriving in 0:42".
    fn arriving(lang, countdown: &str) => ("即将到账 {countdown}", "Arriving in {countdown}");
    /// The sender's own personal or exclusive packet, unclaimed.
    fn waiting_for(lang, user: &str) { let name = display_name(user); } => ("等待{name}领取", "Waiting for {name}");
    /// Someone else's exclusive or personal packet.
    fn only_for(lang, user: &str) { let name = display_name(user); } => ("{name}的专属红包", "Only for {name}");
    /// The not-for-you screen.
    fn not_for_you(lang, user: &str) { let name = display_name(user); } => (
        "这是发给{name}的红包，只有对方可以领取",
        "This packet is for {name} only: you cannot open it"
    );
    /// The sender's details of a personal or exclusive packet.
    fn sent_to(lang, user: &str) { let name = display_name(user); } => (
        "你发给{name}的红包，只有对方可以领取",
        "You sent this packet to {name}: only they can open it"
    );
    /// The pending screen.
    fn pending(lang, countdown: &str) => (
        "红包即将到账，{countdown} 后可领取",
        "This packet arrives in {countdown}; open it then"
    );
    /// The recalled screen, with the time.
    fn recalled_at(lang, hhmm: &str) => ("该红包已被发送者于 {hhmm} 撤回", "This packet was recalled by the sender at {hhmm}");
    /// The live region after a claim.
    fn you_received(lang, amount: &str) => ("你领取了 {amount}，已存入零钱", "You received {amount}; it is in your wallet");
    /// "已领取 2/3 个，共 ¥3.50/¥10.00" / "2 of 3 claimed: ¥3.50 of ¥10.00".
    fn summary(lang, claimed: u32, count: u32, got: &str, total: &str) => (
        "已领取 {claimed}/{count} 个，共 {got}/{total}",
        "{claimed} of {count} claimed: {got} of {total}"
    );
    /// The refund line of an expired or recalled packet.
    fn refunded(lang, amount: &str) => ("{amount} 已退回发送者", "{amount} went back to the sender");
    /// The bubble's accessible name: kind, sender, greeting and status.
    /// What a screen reader hears first on a bubble, before its visible text (greeting, status,
    /// kind), which is the rest of the button's name: "Bob的红包：" / "Bob's packet: ".
    fn bubble_sender(lang, sender: &str) { let packet = packet_of(sender, lang); } => ("{packet}：", "{packet}: ");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_with_arguments() {
        assert_eq!(packet_of("alice", Lang::En), "Alice's packet");
        assert_eq!(packet_of("alice", Lang::Zh), "Alice的红包");
        assert_eq!(
            summary(1, 3, "¥1.00", "¥3.00", Lang::En),
            "1 of 3 claimed: ¥1.00 of ¥3.00"
        );
        assert_eq!(bubble_sender("bob", Lang::Zh), "Bob的红包：");
        assert_eq!(bubble_sender("bob", Lang::En), "Bob's packet: ");
        assert_eq!(waiting_for("carol", Lang::En), "Waiting for Carol");
    }
}
