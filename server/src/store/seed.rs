//! The demo world (PRODUCT §8: alice … judy, Family and the 1:1 chats) and the load tests'
//! crowd, inserted idempotently when a store opens.

use hongbao_api::demo;
use hongbao_engine::{ChatKind, Money};

use super::rows::ChatRow;

/// The demo world and the crowd, inserted idempotently.
pub struct Seed {
    pub demo: bool,
    pub crowd: u32,
    pub crowd_balance: Money,
    /// Researchers' accounts to create when missing (name, password; no money).
    pub researchers: Vec<(String, String)>,
}

/// A user to create: name, salt, password hash, starting balance.
pub struct NewUser {
    pub username: String,
    pub salt: String,
    pub password_hash: String,
    pub balance: Money,
}

/// What [`Seed`] asks for, as rows.
pub fn seed_rows(seed: &Seed) -> (Vec<NewUser>, Vec<ChatRow>) {
    let mut users = Vec::new();
    let mut chats = Vec::new();
    // Generated and demo users share one salt (and so one argon2id hash): hashing their
    // passwords at every start would be slow, and these are test accounts with a
    // published password.
    let shared_salt = crate::auth::new_salt();
    let shared_hash = crate::auth::hash_password(&shared_salt, demo::DEMO_PASSWORD);
    let mut add_user = |name: String, balance: Money, own_password: Option<&str>| {
        let (salt, password_hash) = if let Some(password) = own_password {
            let salt = crate::auth::new_salt();
            let hash = crate::auth::hash_password(&salt, password);
            (salt, hash)
        } else {
            (shared_salt.clone(), shared_hash.clone())
        };
        users.push(NewUser {
            username: name,
            salt,
            password_hash,
            balance,
        });
    };
    if seed.demo {
        for u in demo::DEMO_USERS {
            add_user(u.to_owned(), demo::DEMO_BALANCE, None);
        }
        let mut seen = std::collections::BTreeSet::new();
        for u in demo::DEMO_USERS {
            for chat in demo::chats_for(u) {
                if seen.insert(chat.id.clone()) {
                    let mut members = chat.members.clone();
                    members.sort();
                    chats.push(ChatRow {
                        name: if chat.is_group() {
                            chat.name.clone()
                        } else {
                            chat.id.clone()
                        },
                        id: chat.id,
                        kind: chat.kind,
                        members,
                    });
                }
            }
        }
    }
    if seed.crowd > 0 {
        let names: Vec<String> = (1..=seed.crowd).map(crowd_user).collect();
        for n in &names {
            add_user(n.clone(), seed.crowd_balance, None);
        }
        chats.push(ChatRow {
            id: CROWD.into(),
            name: "Crowd".into(),
            kind: ChatKind::Group { work: false },
            members: names,
        });
    }
    // A demo user named as a researcher keeps the demo's row (its insert does nothing).
    let seeded: Vec<String> = seed
        .researchers
        .iter()
        .filter(|(name, _)| !(seed.demo && demo::DEMO_USERS.contains(&name.as_str())))
        .map(|(name, _)| name.clone())
        .collect();
    for (name, password) in &seed.researchers {
        if seeded.contains(name) {
            add_user(name.clone(), Money::ZERO, Some(password));
        }
    }
    (users, chats)
}

/// The crowd's group chat.
pub const CROWD: &str = "crowd";

/// The name of crowd user `i` (1-based): `u0001`.
pub fn crowd_user(i: u32) -> String {
    format!("u{i:04}")
}

/// Inserts the seed rows in one transaction; existing users and chats are left alone, new
/// users get their starting balance as a grant.
macro_rules! insert_seed {
    ($tx:expr, $users:expr, $chats:expr, $now:expr) => {{
        for u in $users {
            let inserted = sqlx::query(
                "INSERT INTO users (username, password_hash, salt, balance, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING",
            )
            .bind(&u.username)
            .bind(&u.password_hash)
            .bind(&u.salt)
            .bind($crate::store::DbMoney(u.balance))
            .bind($now.millis())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if inserted == 1 && u.balance.is_positive() {
                sqlx::query(
                    "INSERT INTO ledger (username, kind, amount, packet_id, at) \
                     VALUES ($1, 'grant', $2, NULL, $3)",
                )
                .bind(&u.username)
                .bind($crate::store::DbMoney(u.balance))
                .bind($now.millis())
                .execute(&mut *$tx)
                .await?;
            }
        }
        for c in $chats {
            let (kind, work) = $crate::store::rows::chat_kind_to_db(c.kind);
            sqlx::query(
                "INSERT INTO chats (id, name, kind, work) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&c.id)
            .bind(&c.name)
            .bind(kind)
            .bind(work)
            .execute(&mut *$tx)
            .await?;
            for m in &c.members {
                sqlx::query(
                    "INSERT INTO chat_members (chat_id, username) VALUES ($1, $2) \
                     ON CONFLICT (chat_id, username) DO NOTHING",
                )
                .bind(&c.id)
                .bind(m)
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}
pub(crate) use insert_seed;
