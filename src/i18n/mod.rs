//! User-visible strings, in Chinese and English.
//!
//! Every folder keeps its messages next to it (`flows/*/i18n.rs`, `wallet/i18n.rs`, …) as one
//! [`messages!`] table: one row per message, its name, its Chinese and its English text, so a
//! missing translation does not compile. A message with arguments is a row too (`fn name(lang,
//! args) => ("…{arg}…", "…{arg}…")`, `format!` strings, or a block for plurals). The same rows
//! give every table's `ALL`, which the tests below check for empty or untranslated texts. The
//! language type is the engine's, which also translates engine errors and warnings.

pub use hongbao_engine::Lang;

pub(crate) use hongbao_study::messages;

/// The BCP 47 tag for the `lang` attribute.
pub fn html_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

pub fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    }
}

/// "alice" → "Alice" (demo user names are ASCII; the same in both languages).
pub fn display_name(user: &str) -> String {
    let mut chars = user.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

messages! {
    /// A message of the shell (the frame, the chats, the split points' fallback).
    pub enum Msg {
        AppTitle => ("红包", "Hongbao"),
        Chats => ("聊天", "Chats"),
        Wallet => ("钱包", "Wallet"),
        Settings => ("设置", "Settings"),
        Back => ("返回", "Back"),
        SwitchLanguage => ("切换语言", "Switch language"),
        /// The switch shows the language it switches *to*.
        LanguageName => ("English", "中文"),
        NoMessages => ("还没有消息", "No messages yet"),
        Members => ("位成员", "members"),
        FamilyGroup => ("相亲相爱一家人", "Family"),
        Loading => ("加载中…", "Loading…"),
        ActingAs => ("当前身份", "Acting as"),
        /// The chat's button that opens the send flow, and the flow's title.
        NewPacket => ("发红包", "Send red packet"),
        /// A split point's module could not be fetched (`crate::split::show`).
        LoadFailed => (
            "加载失败，请检查网络。",
            "Could not load this part of the page. Check the connection.",
        ),
        TryAgain => ("重试", "Try again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_toggle_and_tag() {
        assert_eq!(other(Lang::Zh), Lang::En);
        assert_eq!(html_tag(Lang::Zh), "zh-CN");
        assert_eq!(display_name("bob"), "Bob");
    }

    /// Every message of every table (`ALL`, from the same rows as the texts): both languages
    /// have a text, the Chinese one is Chinese and the English one is not, and they differ,
    /// except where the same text is right in both (listed here with the reason).
    #[test]
    fn every_message_is_translated() {
        use crate::flows::{claim, recall, send};
        use crate::{lab, settings_panel, wallet};
        let tables: Vec<(&str, Vec<Row>)> = vec![
            ("shell", rows(Msg::ALL, Msg::text)),
            (
                "send",
                rows(send::i18n::SendMsg::ALL, send::i18n::SendMsg::text),
            ),
            ("claim", rows(claim::i18n::Msg::ALL, claim::i18n::Msg::text)),
            (
                "recall",
                rows(recall::i18n::Msg::ALL, recall::i18n::Msg::text),
            ),
            (
                "wallet",
                rows(wallet::i18n::Msg::ALL, wallet::i18n::Msg::text),
            ),
            (
                "settings",
                rows(
                    settings_panel::i18n::Msg::ALL,
                    settings_panel::i18n::Msg::text,
                ),
            ),
            ("lab", rows(lab::i18n::LabMsg::ALL, lab::i18n::LabMsg::text)),
            (
                "study",
                rows(
                    crate::study::i18n::StudyMsg::ALL,
                    crate::study::i18n::StudyMsg::text,
                ),
            ),
            (
                "study format",
                rows(
                    hongbao_study::i18n::ErrorMsg::ALL,
                    hongbao_study::i18n::ErrorMsg::text,
                ),
            ),
            (
                "nav",
                rows(
                    crate::nav::i18n::NavMsg::ALL,
                    crate::nav::i18n::NavMsg::text,
                ),
            ),
        ];
        // The same in both languages, or not in the language's script, on purpose.
        let same = ["AmountPlaceholder"];
        let swapped = ["LanguageName", "LangZh", "LangEn"];
        for (table, rows) in tables {
            assert!(!rows.is_empty(), "{table}");
            for (name, zh, en) in rows {
                let at = format!("{table}::{name}");
                assert!(
                    !zh.trim().is_empty() && !en.trim().is_empty(),
                    "{at}: empty"
                );
                if !same.contains(&name.as_str()) {
                    assert_ne!(zh, en, "{at}: not translated");
                }
                if !swapped.contains(&name.as_str()) && !same.contains(&name.as_str()) {
                    assert!(!has_han(en), "{at}: Chinese in the English text {en:?}");
                    assert!(has_han(zh), "{at}: no Chinese in the Chinese text {zh:?}");
                }
            }
        }
    }

    fn has_han(text: &str) -> bool {
        text.chars()
            .any(|c| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'))
    }

    /// A message's name, Chinese text and English text.
    type Row = (String, &'static str, &'static str);

    fn rows<M: Copy + std::fmt::Debug>(all: &[M], text: fn(M, Lang) -> &'static str) -> Vec<Row> {
        all.iter()
            .map(|&m| (format!("{m:?}"), text(m, Lang::Zh), text(m, Lang::En)))
            .collect()
    }
}
