//! Passwords, tokens and the `Authorization: Bearer` check.
//!
//! **Passwords** are hashed with argon2id (RustCrypto's `argon2`) and stored as PHC strings
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`): 19 MiB of memory, 2 passes, 1 lane
//! ([`M_COST_KIB`], [`T_COST`], [`P_COST`]; OWASP's first recommended setting for argon2id)
//! with a 16-byte random salt and a 32-byte output. Verification reads the parameters from
//! the stored string, so they can be raised later without invalidating anyone. A hash
//! takes about 25 ms of one core here, and at most [`hashing_permits`] run at once (each
//! holds 19 MiB), on the blocking pool. The iterated salted SHA-256 of earlier versions
//! still verifies (compared in constant time) and is replaced by argon2id at that login.
//! An unknown user name costs as much as a wrong password (a dummy hash is verified).
//!
//! **Tokens** are 32 random bytes (hex); the sessions table stores their SHA-256 only, so a
//! leaked database holds no usable token. Looking a token up is an index lookup of its
//! hash, with nothing compared byte by byte.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::AppError;

/// argon2id memory cost in KiB (19 MiB).
pub const M_COST_KIB: u32 = 19 * 1024;
/// argon2id passes.
pub const T_COST: u32 = 2;
/// argon2id lanes.
pub const P_COST: u32 = 1;

/// Cached token → user entries before the cache starts over.
const CACHE_MAX: usize = 100_000;

fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(32)).expect("valid parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random source works");
    buf
}

/// A new random salt (16 bytes, as the PHC string's B64).
pub fn new_salt() -> String {
    SaltString::encode_b64(&random_bytes::<16>())
        .expect("16 bytes make a salt")
        .as_str()
        .to_owned()
}

/// A new session token: 32 random bytes, hex.
pub fn new_token() -> String {
    hex::encode(random_bytes::<32>())
}

/// The argon2id PHC string of `password` with `salt` (from [`new_salt`]).
pub fn hash_password(salt: &str, password: &str) -> String {
    let salt = SaltString::from_b64(salt).unwrap_or_else(|_| {
        SaltString::encode_b64(salt.as_bytes()).expect("a salt from any bytes")
    });
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id hashes any password")
        .to_string()
}

/// How a password compared with a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    /// It matches an argon2id hash.
    Yes,
    /// It matches a hash of the old scheme: store a new argon2id hash.
    YesRehash,
    No,
}

/// Checks `password` against the stored hash (an argon2 PHC string, or the old scheme's
/// hex digest with its `salt`). CPU-heavy: call from the blocking pool.
pub fn verify_password(stored: &str, salt: &str, password: &str) -> Verified {
    if stored.starts_with('$') {
        return match PasswordHash::new(stored) {
            Ok(hash) if argon2().verify_password(password.as_bytes(), &hash).is_ok() => {
                Verified::Yes
            }
            _ => Verified::No,
        };
    }
    let legacy = legacy_hash(salt, password);
    if bool::from(legacy.as_bytes().ct_eq(stored.as_bytes())) {
        Verified::YesRehash
    } else {
        Verified::No
    }
}

/// Verifies against a fixed hash, for an unknown user name: the same cost as a real check.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password(&new_salt(), "no such user"));
    let _ = verify_password(dummy, "", password);
}

/// How many password hashes may run at once: one per core (at least two). Each holds
/// [`M_COST_KIB`] of memory, so a burst of logins cannot take the memory of a thousand.
pub fn hashing_permits() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
        .max(2)
}

/// The scheme of earlier versions: SHA-256 iterated 1,024 times over (previous, salt,
/// password), hex. Only verified (then replaced), never written (public for the tests).
pub fn legacy_hash(salt: &str, password: &str) -> String {
    let mut h: [u8; 32] = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(password.as_bytes())
        .finalize()
        .into();
    for _ in 1..1_024 {
        h = Sha256::new()
            .chain_update(h)
            .chain_update(salt.as_bytes())
            .chain_update(password.as_bytes())
            .finalize()
            .into();
    }
    hex::encode(h)
}

/// What the sessions table stores for a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// token hash → user name, for tokens seen before (sessions never change).
#[derive(Debug, Default)]
pub struct TokenCache {
    map: RwLock<HashMap<String, String>>,
}

impl TokenCache {
    pub fn get(&self, hash: &str) -> Option<String> {
        self.map.read().ok()?.get(hash).cloned()
    }

    pub fn insert(&self, hash: String, user: String) {
        if let Ok(mut map) = self.map.write() {
            if map.len() >= CACHE_MAX {
                map.clear();
            }
            map.insert(hash, user);
        }
    }
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser(pub String);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(AppError::unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(AppError::unauthorized)?;
        let hash = token_hash(token);
        if let Some(user) = state.tokens.get(&hash) {
            return Ok(AuthUser(user));
        }
        let user = state
            .store
            .session_user(&hash)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        state.tokens.insert(hash, user.clone());
        Ok(AuthUser(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_carry_their_parameters() {
        let salt = new_salt();
        let hash = hash_password(&salt, "hongbao");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(verify_password(&hash, "", "hongbao"), Verified::Yes);
        assert_eq!(verify_password(&hash, "", "hongbao!"), Verified::No);
        assert_eq!(verify_password(&hash, "", ""), Verified::No);
        assert_ne!(hash, hash_password(&new_salt(), "hongbao"), "salted");
        assert_eq!(verify_password("$garbage", "", "hongbao"), Verified::No);
    }

    #[test]
    fn old_hashes_verify_once_and_ask_for_a_new_one() {
        let old = legacy_hash("0123456789abcdef", "hongbao");
        assert_eq!(old.len(), 64);
        assert_eq!(
            verify_password(&old, "0123456789abcdef", "hongbao"),
            Verified::YesRehash
        );
        assert_eq!(
            verify_password(&old, "0123456789abcdef", "hongbaO"),
            Verified::No
        );
        assert_eq!(verify_password(&old, "other salt", "hongbao"), Verified::No);
    }

    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
