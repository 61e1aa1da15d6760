//! The demo world both backends start with: ten users with ¥1,000.00 each, the group
//! "Family" of all ten, and a few 1:1 chats.

use crate::ChatInfo;
use hongbao_engine::{ChatKind, Money};

pub const DEMO_USERS: [&str; 10] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
];

/// Every demo user's password on the real backend.
pub const DEMO_PASSWORD: &str = "hongbao";

/// Every demo user's starting balance: ¥1,000.00.
pub const DEMO_BALANCE: Money = Money::from_fen(100_000);

/// The group's id (the chat list's test id is `chat-family`).
pub const FAMILY: &str = "family";

const DIRECT: [(&str, &str); 4] = [
    ("alice", "bob"),
    ("alice", "carol"),
    ("alice", "dave"),
    ("bob", "carol"),
];

/// All demo chats, as `viewer` sees them (a 1:1 chat is named after the other person).
pub fn chats_for(viewer: &str) -> Vec<ChatInfo> {
    let mut chats = vec![ChatInfo {
        id: FAMILY.into(),
        name: "Family".into(),
        members: DEMO_USERS.iter().map(|u| u.to_string()).collect(),
        kind: ChatKind::Group { work: false },
    }];
    chats.extend(
        DIRECT
            .iter()
            .filter(|(a, b)| *a == viewer || *b == viewer)
            .map(|&(a, b)| ChatInfo {
                id: format!("{a}-{b}"),
                name: if a == viewer { b.into() } else { a.into() },
                members: vec![a.into(), b.into()],
                kind: ChatKind::Direct,
            }),
    );
    chats.retain(|c| c.members.iter().any(|m| m == viewer));
    chats
}

/// The chat `id` as `viewer` sees it, if `viewer` is a member.
pub fn chat_for(viewer: &str, id: &str) -> Option<ChatInfo> {
    chats_for(viewer).into_iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_is_in_family_and_direct_chats_have_two() {
        for user in DEMO_USERS {
            let chats = chats_for(user);
            assert_eq!(chats[0].id, FAMILY);
            assert!(
                chats[1..]
                    .iter()
                    .all(|c| c.members.len() == 2 && c.members.iter().any(|m| m == user))
            );
        }
        assert_eq!(chats_for("alice").len(), 4);
        assert_eq!(chat_for("bob", "alice-bob").unwrap().name, "alice");
        assert_eq!(chat_for("erin", "alice-bob"), None);
        assert_eq!(chats_for("mallory").len(), 0);
    }
}
