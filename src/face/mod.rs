//! One face per person: an avatar whose colour and initial follow from the user id alone, so
//! a person looks the same in the chat list, the chat, the packet card and the details list,
//! whoever is looking (switching identity recolours no one).
//!
//! The colour is one of eight (`face.css`, each with white text at 5:1 or more), picked by
//! FNV-1a-32 of the id (its upper half, modulo eight: the demo's first four users get four
//! different colours).

use crate::i18n::display_name;
use leptos::prelude::*;

/// How many colours `face.css` defines (`hb-face--0` … `hb-face--7`).
pub const COLOURS: u32 = 8;

/// The colour of `id`: an index into the palette of `face.css`.
pub fn colour_index(id: &str) -> u32 {
    let hash = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (hash >> 16) % COLOURS
}

/// The first letter of a user's display name.
pub fn initial(user: &str) -> String {
    display_name(user).chars().take(1).collect()
}

/// The classes of `user`'s avatar: `class` (its size and shape), `hb-face` and its colour.
pub fn classes(class: &str, user: &str) -> String {
    let colour = char::from_digit(colour_index(user), 10).unwrap_or('0');
    let mut out = String::with_capacity(class.len() + 24);
    for part in [class, " hb-face hb-face--"] {
        out.push_str(part);
    }
    out.push(colour);
    out
}

/// The avatar of `user` (a user id). `class` gives its size and shape where it appears.
#[component]
pub fn Face(#[prop(into)] user: String, class: &'static str) -> impl IntoView {
    view! {
        <span class=classes(class, &user) data-face=user.clone() aria-hidden="true">
            {initial(&user)}
        </span>
    }
}

/// Members a group's avatar shows.
pub const GROUP_TILES: usize = 4;

/// A group's avatar as WeChat draws one: its first members' faces in a grid (two by two),
/// each in its own colour with its initial. (No emoji: a colour emoji font is the slowest
/// font a first screen can ask for.)
#[component]
pub fn GroupFace(
    #[prop(into)] group: String,
    members: Vec<String>,
    class: &'static str,
) -> impl IntoView {
    let tiles = members
        .into_iter()
        .take(GROUP_TILES)
        .map(|m| view! { <span class=classes("hb-group-tile", &m) data-member=m.clone()>{initial(&m)}</span> })
        .collect_view();
    view! {
        <span class=format!("{class} hb-group-face") data-face=group aria-hidden="true">
            {tiles}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_follows_the_id_only() {
        // FNV-1a-32 of "alice" is 0x872213e7: (0x8722 % 8) = 2 (computed independently).
        let demo: Vec<u32> = ["alice", "bob", "carol", "dave"]
            .into_iter()
            .map(colour_index)
            .collect();
        assert_eq!(demo, [2, 6, 0, 4]);
        for id in ["alice", "bob", "judy", "family", "", "红包"] {
            assert!(colour_index(id) < COLOURS);
            assert_eq!(colour_index(id), colour_index(id));
        }
        assert_eq!(initial("bob"), "B");
        assert_eq!(classes("hb-x", "bob"), "hb-x hb-face hb-face--6");
        assert_eq!(classes("hb-x", "alice"), "hb-x hb-face hb-face--2");
        assert_eq!(initial(""), "");
    }
}
