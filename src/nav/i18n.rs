//! The navigation's and layout's strings.

use crate::i18n::messages;

messages! {
    /// A message of the page's layout.
    pub enum NavMsg {
        /// The open-chat pane of the wide layout while no chat is open.
        PickChat => ("选择一个聊天", "Pick a chat"),
    }
}
