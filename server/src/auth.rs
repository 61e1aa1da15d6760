//! Passwords, tokens and the `Authorization: Bearer` check.
//!
//! Passwords are stored as an iterated, salted SHA-256 (1,024 rounds) rather than argon2:
//! the accounts are demo accounts and the load tests log in a thousand users; a real
//! deployment would use argon2id. Tokens are 32 random bytes (hex); the sessions table
//! stores their SHA-256, so a leaked database holds no usable token. Sessions do not
//! expire (demo).

use std::collections::HashMap;
use std::sync::RwLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;

const ROUNDS: u32 = 1_024;
/// Cached token → user entries before the cache starts over.
const CACHE_MAX: usize = 100_000;

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the OS random source works");
    hex(&buf)
}

pub fn new_salt() -> String {
    random_hex(16)
}

pub fn new_token() -> String {
    random_hex(32)
}

pub fn hash_password(salt: &str, password: &str) -> String {
    let mut h: [u8; 32] = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(password.as_bytes())
        .finalize()
        .into();
    for _ in 1..ROUNDS {
        h = Sha256::new()
            .chain_update(h)
            .chain_update(salt.as_bytes())
            .chain_update(password.as_bytes())
            .finalize()
            .into();
    }
    hex(&h)
}

/// Compares in time independent of where the strings differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
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
