//! Every user-visible string, in Chinese and English.
//!
//! A message is an enum variant, and its text is one `match` arm per language, so a
//! missing translation is a compile error rather than a blank on screen.

use serde::{Deserialize, Serialize};

/// The two languages of the widget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    /// The BCP 47 tag for the `lang` attribute.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// A user-visible message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    AppTitle,
    Chats,
    Back,
    SwitchLanguage,
    LanguageName,
    NoMessages,
    GroupMembers,
    FamilyGroup,
    Settings,
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
            (Back, Zh) => "返回",
            (Back, En) => "Back",
            (SwitchLanguage, Zh) => "切换语言",
            (SwitchLanguage, En) => "Switch language",
            // The switch shows the language it switches *to*.
            (LanguageName, Zh) => "English",
            (LanguageName, En) => "中文",
            (NoMessages, Zh) => "还没有消息",
            (NoMessages, En) => "No messages yet",
            (GroupMembers, Zh) => "位成员",
            (GroupMembers, En) => "members",
            (FamilyGroup, Zh) => "相亲相爱一家人",
            (FamilyGroup, En) => "Family",
            (Settings, Zh) => "设置",
            (Settings, En) => "Settings",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_toggle() {
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::Zh.other(), Lang::En);
    }

    #[test]
    fn translations_differ_between_languages() {
        for msg in [
            Msg::AppTitle,
            Msg::Chats,
            Msg::Back,
            Msg::NoMessages,
            Msg::Settings,
        ] {
            assert_ne!(msg.text(Lang::Zh), msg.text(Lang::En), "{msg:?}");
        }
    }
}
