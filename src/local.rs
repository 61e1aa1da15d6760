//! The browser's `localStorage`: what outlives the page (the language, user and theme, the
//! mock's data and lab events, a participant's id and study progress). Every read and write of
//! it goes through here. A browser without storage (blocked, or a private mode that refuses
//! it) reads nothing and writes nowhere: the app then forgets on reload, and works.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The value kept under `key`, if any.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Keeps `value` under `key`; a refusal (no storage, the quota) is ignored (module docs).
pub fn set(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}
