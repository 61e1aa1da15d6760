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
//! hash, with nothing compared byte by byte. Sessions expire: see [`TokenCache`].

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use hongbao_api::ErrorCode;
use hongbao_engine::Timestamp;

use crate::AppState;
use crate::error::AppError;
use crate::store::Store;

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

/// How long a cached session is trusted before it is read again (another process may have
/// revoked it, or seen it more recently).
const REVALIDATE: Duration = Duration::from_secs(5);

/// A session as this process knows it.
#[derive(Clone, Debug)]
struct Cached {
    user: String,
    created_at: i64,
    /// Its last use, as far as this process knows (ms).
    last_seen: i64,
    /// The `last_seen_at` written last (ms).
    persisted: i64,
    /// When it was last read from the database.
    checked: Instant,
}

/// Sessions: their lifetimes and the cache of token hash → session.
///
/// A session ends `idle` after its last use or `max_age` after the login, whichever comes
/// first (`--session-idle-secs`, `--session-max-age-secs`), or at logout. Its last use is
/// written at most every [`TokenCache::touch_every_ms`] (a minute, or a tenth of the idle
/// time), so idle times are exact to that; cached sessions are read again after
/// [`REVALIDATE`], so a logout through another process takes effect here within that.
#[derive(Debug)]
pub struct TokenCache {
    idle_ms: i64,
    max_age_ms: i64,
    map: RwLock<HashMap<String, Cached>>,
}

impl Default for TokenCache {
    fn default() -> TokenCache {
        TokenCache::new(Duration::from_secs(86_400), Duration::from_secs(7 * 86_400))
    }
}

/// Why a token does not authenticate.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
}

impl TokenCache {
    pub fn new(idle: Duration, max_age: Duration) -> TokenCache {
        TokenCache {
            idle_ms: idle.as_millis().min(i64::MAX as u128) as i64,
            max_age_ms: max_age.as_millis().min(i64::MAX as u128) as i64,
            map: RwLock::new(HashMap::new()),
        }
    }

    /// The absolute end of a session created at `created_at`.
    pub fn ends_at(&self, created_at: Timestamp) -> Timestamp {
        Timestamp::from_millis(created_at.millis().saturating_add(self.max_age_ms))
    }

    /// (idle, absolute) lifetimes in ms.
    pub fn lifetimes_ms(&self) -> (i64, i64) {
        (self.idle_ms, self.max_age_ms)
    }

    /// The idle lifetime.
    pub fn idle(&self) -> Duration {
        Duration::from_millis(self.idle_ms as u64)
    }

    fn touch_every_ms(&self) -> i64 {
        (self.idle_ms / 10).clamp(1_000, 60_000)
    }

    fn expired(&self, s: &Cached, now: i64) -> bool {
        now.saturating_sub(s.created_at) >= self.max_age_ms
            || now.saturating_sub(s.last_seen) >= self.idle_ms
    }

    fn get(&self, hash: &str) -> Option<Cached> {
        self.map.read().ok()?.get(hash).cloned()
    }

    fn put(&self, hash: &str, s: Cached) {
        if let Ok(mut map) = self.map.write() {
            if map.len() >= CACHE_MAX && !map.contains_key(hash) {
                map.clear();
            }
            map.insert(hash.to_owned(), s);
        }
    }

    /// A session just created (login): cached as fresh.
    pub fn insert(&self, hash: String, user: String, now: Timestamp) {
        let at = now.millis();
        self.put(
            &hash,
            Cached {
                user,
                created_at: at,
                last_seen: at,
                persisted: at,
                checked: Instant::now(),
            },
        );
    }

    /// Forgets one session (logout).
    pub fn remove(&self, hash: &str) {
        if let Ok(mut map) = self.map.write() {
            map.remove(hash);
        }
    }

    /// Forgets every session of `user` but `keep`.
    pub fn remove_user(&self, user: &str, keep: Option<&str>) {
        if let Ok(mut map) = self.map.write() {
            map.retain(|hash, s| s.user != user || Some(hash.as_str()) == keep);
        }
    }

    /// Reads a session from the database into the cache.
    async fn load(
        &self,
        store: &Store,
        hash: &str,
        known: Option<&Cached>,
    ) -> Result<Option<Cached>, AppError> {
        let Some(row) = store.session(hash).await? else {
            self.remove(hash);
            return Ok(None);
        };
        let seen = row.last_seen_at.max(row.created_at);
        Ok(Some(Cached {
            user: row.username,
            created_at: row.created_at,
            last_seen: known.map_or(seen, |k| k.last_seen.max(seen)),
            persisted: seen,
            checked: Instant::now(),
        }))
    }

    /// The user of a token (by its hash) at `now`, noting the use. An expired session is
    /// deleted.
    pub async fn authenticate(
        &self,
        store: &Store,
        hash: &str,
        now: Timestamp,
    ) -> Result<Result<String, Refused>, AppError> {
        let now = now.millis();
        let known = self.get(hash);
        let mut fresh = false;
        let mut session = match &known {
            Some(s) if s.checked.elapsed() < REVALIDATE => s.clone(),
            _ => match self.load(store, hash, known.as_ref()).await? {
                Some(s) => {
                    fresh = true;
                    s
                }
                None => return Ok(Err(Refused::Unknown)),
            },
        };
        if self.expired(&session, now) && !fresh {
            // Another process may have seen it since: read it again before ending it.
            match self.load(store, hash, Some(&session)).await? {
                Some(s) => session = s,
                None => return Ok(Err(Refused::Unknown)),
            }
        }
        if self.expired(&session, now) {
            self.remove(hash);
            if let Err(e) = store.revoke_session(hash).await {
                tracing::warn!("deleting an expired session: {e:?}");
            }
            return Ok(Err(Refused::Expired));
        }
        session.last_seen = session.last_seen.max(now);
        if now - session.persisted >= self.touch_every_ms() {
            session.persisted = now;
            let (store, hash) = (store.clone(), hash.to_owned());
            tokio::spawn(async move {
                if let Err(e) = store.touch_session(&hash, now).await {
                    tracing::warn!("noting a session's use: {e:?}");
                }
            });
        }
        let user = session.user.clone();
        self.put(hash, session);
        Ok(Ok(user))
    }
}

/// Whatever a request's `Authorization: Bearer <value>` header carries, trimmed.
pub fn bearer_value(parts: &Parts) -> Option<&str> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
}

/// Whether `t` is 64 hex digits, the shape of every token the server hands out.
pub fn is_token(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The session token of a request's `Authorization: Bearer <token>` header.
pub fn bearer(parts: &Parts) -> Option<&str> {
    bearer_value(parts).filter(|t| is_token(t))
}

/// The refusal of a token.
pub fn refused(why: Refused) -> AppError {
    match why {
        Refused::Unknown => AppError::unauthorized(),
        Refused::Expired => AppError::new(
            ErrorCode::Unauthorized,
            "the session has expired: log in again",
        )
        .with_detail("session_expired"),
    }
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser(pub String);

/// The caller with the hash of the token they authenticated with (logout, tickets).
#[derive(Clone, Debug)]
pub struct AuthSession {
    pub user: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for AuthSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if crate::participants::participant_bearer(parts).is_some() {
            return Err(crate::participants::not_for_participants());
        }
        let token = bearer(parts).ok_or_else(AppError::unauthorized)?;
        let hash = token_hash(token);
        match state
            .tokens
            .authenticate(&state.store, &hash, state.clock.now())
            .await?
        {
            Ok(user) => Ok(AuthSession {
                user,
                token_hash: hash,
            }),
            Err(why) => Err(refused(why)),
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        AuthSession::from_request_parts(parts, state)
            .await
            .map(|s| AuthUser(s.user))
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
