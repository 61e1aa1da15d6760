//! User-visible strings of the shell, in Chinese and English.
//!
//! A message is an enum variant, and its text is one `match` arm per language, so a missing
//! translation is a compile error rather than a blank on screen. Each flow keeps its own
//! messages next to it (`flows/*/i18n.rs`) in the same style; the language type is the
//! engine's, which also translates engine errors and warnings.

pub use hongbao_engine::Lang;

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

/// A message of the shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    AppTitle,
    Chats,
    Wallet,
    Settings,
    Back,
    SwitchLanguage,
    LanguageName,
    NoMessages,
    Members,
    FamilyGroup,
    Loading,
    ActingAs,
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Msg::*;
        match (self, lang) {
            (AppTitle, Zh) => "红包",
            (AppTitle, En) => "Hongbao",
            (Chats, Zh) => "聊天",
            (Chats, En) => "Chats",
            (Wallet, Zh) => "钱包",
            (Wallet, En) => "Wallet",
            (Settings, Zh) => "设置",
            (Settings, En) => "Settings",
            (Back, Zh) => "返回",
            (Back, En) => "Back",
            (SwitchLanguage, Zh) => "切换语言",
            (SwitchLanguage, En) => "Switch language",
            // The switch shows the language it switches *to*.
            (LanguageName, Zh) => "English",
            (LanguageName, En) => "中文",
            (NoMessages, Zh) => "还没有消息",
            (NoMessages, En) => "No messages yet",
            (Members, Zh) => "位成员",
            (Members, En) => "members",
            (FamilyGroup, Zh) => "相亲相爱一家人",
            (FamilyGroup, En) => "Family",
            (Loading, Zh) => "加载中…",
            (Loading, En) => "Loading…",
            (ActingAs, Zh) => "当前身份",
            (ActingAs, En) => "Acting as",
        }
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

    #[test]
    fn translations_differ_between_languages() {
        for msg in [
            Msg::AppTitle,
            Msg::Chats,
            Msg::Wallet,
            Msg::Back,
            Msg::NoMessages,
            Msg::Settings,
        ] {
            assert_ne!(msg.text(Lang::Zh), msg.text(Lang::En), "{msg:?}");
        }
    }
}
