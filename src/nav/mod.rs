//! The standalone page's navigation and layout (not the embed's: an embedded widget never
//! reads or writes its host page's hash, history or localStorage).
//!
//! **Routes live in the hash**, so that `dist/` works from any static file server (a path
//! would need the server to answer every route with `index.html`):
//!
//! | hash | place |
//! | --- | --- |
//! | `#/` | the chat list |
//! | `#/chat/<id>` | a chat |
//! | `#/chat/<id>/send` | a chat with the send sheet open |
//! | `#/chat/<id>/packet/<n>` | a chat with packet `n`'s card open |
//! | `#/packet/<n>` | packet `n`'s card over the chat list |
//! | `#/wallet`, `#/settings`, `#/lab` | the tabs |
//!
//! The app's state stays the source of truth ([`AppState`]'s `screen`, `open_packet` and
//! `composing`); [`install`] mirrors it into the URL and back:
//!
//! - a change of place pushes a history entry (`history.pushState`), whose `state` holds the
//!   hash of the entry below it; a change back to that hash (closing the card, the sheet or
//!   the chat) is `history.back()` instead, so closing a layer in the app and the browser's
//!   Back do the same thing and the entries stay in order; that Back is asynchronous, so the
//!   URL follows the state again only once it has landed (a card closed and another opened at
//!   once: the second card's entry is pushed after the Back);
//! - Back and Forward (`popstate`) set the state from the hash;
//! - a page opened on a deep link (an entry with no `state` yet: a shared link, not a reload)
//!   gets its back stack built under it (`#/`, then `#/chat/<id>`, then the card), so Back
//!   closes the layers one by one and Back from the chat list leaves the app, as from any page;
//!   a reload keeps the entries and their place.
//!
//! The language, the acting user and the theme are kept in localStorage (`hongbao:prefs`) and
//! read before the URL's query, which wins ([`stored_prefs`]). The theme is shown as the root
//! element's `data-theme` ([`show_theme`]; `auto` follows `prefers-color-scheme` in CSS).
//!
//! We measured `leptos_router` against this module (ARCHITECTURE.md, "Navigation"); it has no
//! hash mode, and it cost more bytes than this whole module.

pub mod i18n;

use crate::settings::{Frame, Theme};
use crate::state::{AppState, Screen};
use hongbao_api::demo;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Where the app is: a screen and the layer over it (a packet's card or the send sheet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub screen: Screen,
    pub packet: Option<u64>,
    /// The send sheet (only over a chat).
    pub send: bool,
}

impl Place {
    pub const CHATS: Place = Place {
        screen: Screen::Chats,
        packet: None,
        send: false,
    };

    pub fn screen(screen: Screen) -> Place {
        Place {
            screen,
            packet: None,
            send: false,
        }
    }

    /// The place a hash names (`#/chat/family/packet/3`); `None` for a hash that is not a route.
    pub fn parse(hash: &str) -> Option<Place> {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        let mut place = Place::CHATS;
        let mut next = parts.next();
        match next {
            Some("chat") => {
                let id = parts.next().filter(|id| {
                    id.len() <= 64
                        && id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })?;
                place.screen = Screen::Chat(id.to_owned());
                next = parts.next();
            }
            Some("wallet") | Some("settings") | Some("lab") => {
                place.screen = match next {
                    Some("wallet") => Screen::Wallet,
                    Some("settings") => Screen::Settings,
                    _ => Screen::Lab,
                };
                next = parts.next();
            }
            _ => {}
        }
        match next {
            None => {}
            Some("packet") => place.packet = Some(parts.next()?.parse().ok()?),
            Some("send") if matches!(place.screen, Screen::Chat(_)) => place.send = true,
            Some(_) => return None,
        }
        parts.next().is_none().then_some(place)
    }

    /// The hash that names this place (`#/` for the chat list).
    pub fn to_hash(&self) -> String {
        let mut hash = String::from("#");
        match &self.screen {
            Screen::Chats => {}
            Screen::Chat(id) => hash += &format!("/chat/{id}"),
            Screen::Wallet => hash += "/wallet",
            Screen::Settings => hash += "/settings",
            Screen::Lab => hash += "/lab",
        }
        if let Some(n) = self.packet {
            hash += &format!("/packet/{n}");
        } else if self.send && matches!(self.screen, Screen::Chat(_)) {
            hash += "/send";
        }
        if hash == "#" {
            hash.push('/');
        }
        hash
    }

    /// The place under this one: the screen under a card or sheet, the chat list under a
    /// chat; `None` for the chat list and the tabs.
    pub fn parent(&self) -> Option<Place> {
        if self.packet.is_some() || self.send {
            Some(Place::screen(self.screen.clone()))
        } else if matches!(self.screen, Screen::Chat(_)) {
            Some(Place::CHATS)
        } else {
            None
        }
    }

    /// This place as `user` may see it: a chat they are not in is the chat list.
    pub fn for_user(self, user: &str) -> Place {
        match &self.screen {
            Screen::Chat(id) if demo::chat_for(user, id).is_none() => Place::CHATS,
            _ => self,
        }
    }

    /// This place as the page may show it: a tab a study's participant may not see
    /// ([`AppState::allows`]) is the chat list.
    fn for_state(self, state: AppState) -> Place {
        if state.allows(&self.screen) {
            self.for_user(&state.user.get_untracked())
        } else {
            Place::CHATS
        }
    }

    /// The place the state shows (tracked).
    fn of(state: AppState) -> Place {
        Place {
            screen: state.screen.get(),
            packet: state.open_packet.get(),
            send: state.composing.get(),
        }
    }

    /// Shows this place (setting only what differs, so nothing open is rebuilt).
    fn show(self, state: AppState) {
        if state.screen.get_untracked() != self.screen {
            state.screen.set(self.screen);
        }
        if state.open_packet.get_untracked() != self.packet {
            state.open_packet.set(self.packet);
        }
        if state.composing.get_untracked() != self.send {
            state.composing.set(self.send);
        }
    }
}

/// What the standalone page asks of the app (provided as context by `main.rs`; an embedded
/// widget has none, so it keeps out of the page's URL, history and storage).
#[derive(Clone, Copy)]
pub struct Page {
    pub frame: Frame,
    /// [`install`], handed over by `main.rs`: the shell calls it through this pointer, so the
    /// embed binary, which never provides a `Page`, does not link it.
    pub install: fn(AppState, Page),
}

/// The viewport width from which the page shows the chat list and the open chat side by side.
pub const WIDE_QUERY: &str = "(min-width: 900px)";

const PREFS_KEY: &str = "hongbao:prefs";

/// The language, acting user and theme kept from the last visit, as a query string
/// (`lang=en&user=bob&theme=dark`) to read before the URL's query; empty if none.
pub fn stored_prefs() -> String {
    crate::local::get(PREFS_KEY).unwrap_or_default()
}

/// Shows `theme` on the page: the root element's `data-theme` (style/main.css reads it).
pub fn show_theme(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}

/// Whether the URL's `hash` names the place whose hash is `to` (no hash at all is the chat
/// list's `#/`).
fn names(hash: &str, to: &str) -> bool {
    hash == to || (hash.is_empty() && to == "#/")
}

/// The page's hash (`#/chat/family`), or empty.
fn hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Brings the URL to the place whose hash is `to`: nothing if it is there; Back if `to` is the
/// entry below (setting `backing` until its `popstate`); else a new entry.
fn follow(history: &web_sys::History, backing: StoredValue<bool, LocalStorage>, to: &str) {
    let now = hash();
    if names(&now, to) {
        return;
    }
    let parent = history.state().ok().and_then(|s| s.as_string());
    if parent.as_deref() == Some(to) {
        backing.set_value(true);
        let _ = history.back();
    } else {
        let _ = history.push_state_with_url(&JsValue::from_str(&now), "", Some(to));
    }
}

/// Wires the standalone page: the URL's hash and history to the state, the preferences to
/// localStorage, and `state.wide` to the viewport.
pub fn install(state: AppState, page: Page) {
    let win = window();
    let Ok(history) = win.history() else {
        return;
    };
    // The place the URL names, as this user may see it.
    let place = Place::parse(&hash())
        .unwrap_or(Place::CHATS)
        .for_state(state);
    let entry =
        |parent: Option<&Place>| JsValue::from_str(&parent.map(Place::to_hash).unwrap_or_default());
    if history
        .state()
        .is_ok_and(|s| s.is_null() || s.is_undefined())
    {
        // A new visit: build the back stack under a deep link.
        let mut chain = vec![place.clone()];
        while let Some(parent) = chain.last().and_then(Place::parent) {
            chain.push(parent);
        }
        chain.reverse();
        let first = chain[0].to_hash();
        if chain.len() == 1 && names(&hash(), &first) {
            // The URL already names the one place (the usual first visit, to the chat list):
            // marking the entry (and writing the chat list's `#/`) can wait until the first
            // screen is up, as a history call costs milliseconds of the first load (`xtask
            // bench ui`). Unless the user has moved on by then.
            let (history, now) = (history.clone(), hash());
            set_timeout(
                move || {
                    if hash() == now && history.state().is_ok_and(|s| s.is_null()) {
                        let _ = history.replace_state_with_url(&entry(None), "", Some(&first));
                    }
                },
                std::time::Duration::ZERO,
            );
        } else {
            let _ = history.replace_state_with_url(&entry(None), "", Some(&first));
        }
        for pair in chain.windows(2) {
            let _ =
                history.push_state_with_url(&entry(Some(&pair[0])), "", Some(&pair[1].to_hash()));
        }
    } else if place.to_hash() != hash() {
        let kept = history.state().unwrap_or(JsValue::NULL);
        let _ = history.replace_state_with_url(&kept, "", Some(&place.to_hash()));
    }
    place.show(state);

    // State → URL: a new place is a new entry, or Back to the one below. `history.back()` is
    // asynchronous: until its `popstate` lands, the URL still names the place being left, and
    // the state may move on meanwhile (a card closed, another opened at once). So while a Back
    // of ours is under way the URL is left alone, and when it lands the URL is brought to
    // wherever the state is by then (never the other way round: that Back is not the user's).
    let backing = StoredValue::new_local(false);
    let history_ = history.clone();
    Effect::new(move |_| {
        let to = Place::of(state).to_hash();
        if !backing.get_value() {
            follow(&history_, backing, &to);
        }
    });
    // URL → state: Back, Forward, a hash typed or followed.
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        if backing.get_value() {
            backing.set_value(false);
            follow(&history, backing, &untrack(|| Place::of(state)).to_hash());
            return;
        }
        let place = Place::parse(&hash())
            .unwrap_or(Place::CHATS)
            .for_state(state);
        if place.to_hash() != hash() {
            let kept = history.state().unwrap_or(JsValue::NULL);
            let _ = history.replace_state_with_url(&kept, "", Some(&place.to_hash()));
        }
        place.show(state);
    });

    // The theme, on the page; the language, acting user and theme, for the next visit.
    let theme = Memo::new(move |_| state.settings.with(|s| s.theme));
    Effect::new(move |_| show_theme(theme.get()));
    Effect::new(move |_| {
        let prefs = format!(
            "lang={}&user={}&theme={}",
            state.lang.get().as_str(),
            state.user.get(),
            theme.get().as_str()
        );
        crate::local::set(PREFS_KEY, &prefs);
    });

    // Two panes on a wide viewport, unless the phone frame was asked for.
    let wide = move || {
        page.frame == Frame::Auto
            && win
                .match_media(WIDE_QUERY)
                .ok()
                .flatten()
                .is_some_and(|m| m.matches())
    };
    state.wide.set(wide());
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        let now = wide();
        if state.wide.get_untracked() != now {
            state.wide.set(now);
        }
    });
    on_cleanup(move || {
        popstate.remove();
        resize.remove();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(id: &str) -> Place {
        Place::screen(Screen::Chat(id.into()))
    }

    #[test]
    fn every_place_round_trips_through_its_hash() {
        let places = [
            Place::CHATS,
            chat("family"),
            Place {
                send: true,
                ..chat("family")
            },
            Place {
                packet: Some(12),
                ..chat("alice-bob")
            },
            Place {
                packet: Some(3),
                ..Place::CHATS
            },
            Place::screen(Screen::Wallet),
            Place::screen(Screen::Settings),
            Place::screen(Screen::Lab),
        ];
        for place in places {
            assert_eq!(
                Place::parse(&place.to_hash()),
                Some(place.clone()),
                "{place:?}"
            );
        }
        assert_eq!(Place::CHATS.to_hash(), "#/");
        assert_eq!(
            Place::parse("#/chat/family/packet/7")
                .map(|p| p.to_hash())
                .as_deref(),
            Some("#/chat/family/packet/7")
        );
        assert_eq!(Place::parse(""), Some(Place::CHATS));
        assert_eq!(Place::parse("#"), Some(Place::CHATS));
        assert_eq!(Place::parse("#/packet/3").unwrap().packet, Some(3));
    }

    #[test]
    fn hashes_that_are_not_routes_are_refused() {
        for hash in [
            "#/nowhere",
            "#/chat",
            "#/chat/a b",
            "#/chat/family/packet",
            "#/chat/family/packet/x",
            "#/chat/family/packet/-1",
            "#/wallet/send",
            "#/chat/family/send/more",
            "#/packet/1/packet/2",
        ] {
            assert_eq!(Place::parse(hash), None, "{hash}");
        }
    }

    #[test]
    fn parents_close_one_layer_at_a_time() {
        let card = Place {
            packet: Some(3),
            ..chat("family")
        };
        assert_eq!(card.parent(), Some(chat("family")));
        assert_eq!(chat("family").parent(), Some(Place::CHATS));
        assert_eq!(Place::CHATS.parent(), None);
        assert_eq!(Place::screen(Screen::Wallet).parent(), None);
    }

    #[test]
    fn a_chat_the_user_is_not_in_is_the_chat_list() {
        assert_eq!(chat("alice-bob").for_user("carol"), Place::CHATS);
        assert_eq!(chat("alice-bob").for_user("bob"), chat("alice-bob"));
        assert_eq!(chat("nowhere").for_user("alice"), Place::CHATS);
    }
}
