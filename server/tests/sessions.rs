//! Passwords and sessions (issue 15, items 2 and 3): argon2id hashes, old hashes replaced at
//! login, the load-test path only behind its flag; on SQLite and PostgreSQL.

mod common;

use common::{Db, TestServer};
use hongbao_server::clock::Clock;
use serde_json::json;
use sqlx::Row;

/// Runs one statement on the test server's database; the first column of every row.
async fn sql_strings(url: &str, q: &str) -> Vec<String> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let rows = sqlx::query(q).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.iter().map(|r| r.get(0)).collect()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let rows = sqlx::query(q).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.iter().map(|r| r.get(0)).collect()
    }
}

async fn sql_exec(url: &str, q: &str, binds: &[&str]) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let mut query = sqlx::query(q);
        for b in binds {
            query = query.bind(*b);
        }
        query.execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let mut query = sqlx::query(q);
        for b in binds {
            query = query.bind(*b);
        }
        query.execute(&pool).await.unwrap();
        pool.close().await;
    }
}

async fn login_status(s: &TestServer, user: &str, password: &str) -> u16 {
    s.client()
        .post(
            "/api/v1/login",
            json!({"username": user, "password": password}),
        )
        .await
        .status
        .as_u16()
}

async fn passwords_are_argon2id(db: Db) {
    let Some(s) = TestServer::start(db, |c| c.crowd = 3).await else {
        return;
    };
    let hashes = sql_strings(&s.database_url, "SELECT password_hash FROM users").await;
    assert_eq!(hashes.len(), 13, "ten demo users and three of the crowd");
    for h in &hashes {
        assert!(
            h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "an argon2id PHC string with the documented parameters: {h}"
        );
    }
    assert_eq!(login_status(&s, "alice", "hongbao").await, 200);
    assert_eq!(login_status(&s, "u0002", "hongbao").await, 200);
    assert_eq!(login_status(&s, "alice", "hongbao ").await, 401);
    assert_eq!(login_status(&s, "alice", "").await, 401);
    assert_eq!(login_status(&s, "nobody", "hongbao").await, 401);
    s.stop().await;
}
on_both!(passwords_are_argon2id, super::passwords_are_argon2id);

async fn old_hashes_are_replaced_at_login(db: Db) {
    let Some(s) = TestServer::start(db, |_| {}).await else {
        return;
    };
    let salt = "0123456789abcdef0123456789abcdef";
    let old = hongbao_server::auth::legacy_hash(salt, "hongbao");
    sql_exec(
        &s.database_url,
        "UPDATE users SET password_hash = $1, salt = $2 WHERE username = 'bob'",
        &[&old, salt],
    )
    .await;
    assert_eq!(login_status(&s, "bob", "wrong").await, 401);
    let stored = sql_strings(
        &s.database_url,
        "SELECT password_hash FROM users WHERE username = 'bob'",
    )
    .await;
    assert_eq!(stored.join(""), old, "a wrong password changes nothing");
    assert_eq!(login_status(&s, "bob", "hongbao").await, 200);
    let stored = sql_strings(
        &s.database_url,
        "SELECT password_hash FROM users WHERE username = 'bob'",
    )
    .await;
    assert!(
        stored[0].starts_with("$argon2id$"),
        "replaced by argon2id at login: {stored:?}"
    );
    assert_eq!(login_status(&s, "bob", "hongbao").await, 200);
    assert_eq!(login_status(&s, "bob", "wrong").await, 401);
    s.stop().await;
}
on_both!(
    old_hashes_are_replaced_at_login,
    super::old_hashes_are_replaced_at_login
);

async fn load_test_sessions_only_with_the_flag(db: Db) {
    let Some(s) = TestServer::start(db, |c| c.crowd = 5).await else {
        return;
    };
    let res = s
        .client()
        .post("/api/v1/test/sessions", json!({"usernames": ["u0001"]}))
        .await;
    res.err(404, "not_found");
    s.stop().await;

    let Some(s) = TestServer::start(db, |c| {
        c.crowd = 5;
        c.load_test_sessions = true;
    })
    .await
    else {
        return;
    };
    let users = common::crowd_clients(&s.url, 5).await;
    assert_eq!(users.len(), 5);
    for u in &users {
        assert_eq!(u.me().await["username"], u.user.as_str());
    }
    // Only the crowd.
    let anon = s.client();
    anon.post(
        "/api/v1/test/sessions",
        json!({"usernames": ["u0001", "alice"]}),
    )
    .await
    .err(404, "not_found");
    anon.post("/api/v1/test/sessions", json!({"usernames": ["u0006"]}))
        .await
        .err(404, "not_found");
    anon.post("/api/v1/test/sessions", json!({"usernames": []}))
        .await
        .err(400, "invalid_request");
    s.stop().await;
}
on_both!(
    load_test_sessions_only_with_the_flag,
    super::load_test_sessions_only_with_the_flag
);

async fn count_sessions(url: &str, user: &str) -> usize {
    sql_strings(
        url,
        &format!("SELECT token_hash FROM sessions WHERE username = '{user}'"),
    )
    .await
    .len()
}

async fn sessions_expire_when_idle_and_at_their_max_age(db: Db) {
    let Some(s) = TestServer::start(db, |c| {
        c.session_idle_secs = 3600;
        c.session_max_age_secs = 7200;
    })
    .await
    else {
        return;
    };
    let res = s
        .client()
        .post(
            "/api/v1/login",
            json!({"username": "alice", "password": "hongbao"}),
        )
        .await
        .ok();
    assert_eq!(res["idle_timeout_secs"], 3600);
    assert!(
        hongbao_api::time::parse(res["expires_at"].as_str().unwrap()).is_some(),
        "{res}"
    );
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let clock = s.login("carol").await;
    clock.advance(1800).await;
    alice.me().await;
    clock.advance(2700).await;
    // 75 minutes: alice was here 45 minutes ago, bob never since the login.
    alice.me().await;
    let res = bob.get("/api/v1/me").await;
    res.err(401, "unauthorized");
    assert_eq!(res.body["error"]["detail"], "session_expired", "{res:?}");
    assert_eq!(count_sessions(&s.database_url, "bob").await, 0, "deleted");
    bob.get("/api/v1/me").await.err(401, "unauthorized");
    clock.advance(2400).await;
    alice.me().await;
    clock.advance(400).await;
    // Two hours and five minutes after the login: over the max age however active.
    let res = alice.get("/api/v1/me").await;
    res.err(401, "unauthorized");
    assert_eq!(res.body["error"]["detail"], "session_expired");
    // A new login works; the purge deletes what has expired.
    let alice = s.login("alice").await;
    alice.me().await;
    let (idle, max_age) = (3_600_000, 7_200_000);
    let later = hongbao_engine::Timestamp::from_millis(s.server.clock.now().millis() + idle + 1);
    let purged = s
        .server
        .store
        .purge_sessions(later, idle, max_age)
        .await
        .unwrap();
    assert!(purged >= 2, "alice's two sessions and carol's: {purged}");
    assert_eq!(count_sessions(&s.database_url, "alice").await, 0);
    s.stop().await;
}
on_both!(
    sessions_expire_when_idle_and_at_their_max_age,
    super::sessions_expire_when_idle_and_at_their_max_age
);

async fn logout_ends_one_session_or_all(db: Db) {
    let Some(s) = TestServer::start(db, |_| {}).await else {
        return;
    };
    let phone = s.login("alice").await;
    let laptop = s.login("alice").await;
    let res = phone.post_empty("/api/v1/logout").await.ok();
    assert_eq!(res["revoked"], 1);
    phone.get("/api/v1/me").await.err(401, "unauthorized");
    phone
        .post_empty("/api/v1/logout")
        .await
        .err(401, "unauthorized");
    assert_eq!(
        laptop.me().await["username"],
        "alice",
        "other devices go on"
    );
    // Logging in again leaves the others alone...
    let tablet = s.login("alice").await;
    laptop.me().await;
    tablet.me().await;
    // ...unless asked.
    let res = s
        .client()
        .post(
            "/api/v1/login",
            json!({"username": "alice", "password": "hongbao", "revoke_other_sessions": true}),
        )
        .await
        .ok();
    let mut only = s.client();
    only.token = Some(res["token"].as_str().unwrap().to_owned());
    laptop.get("/api/v1/me").await.err(401, "unauthorized");
    tablet.get("/api/v1/me").await.err(401, "unauthorized");
    only.me().await;
    assert_eq!(count_sessions(&s.database_url, "alice").await, 1);
    // Everywhere at once; bob is not touched.
    let bob = s.login("bob").await;
    let second = s.login("alice").await;
    let res = only.post("/api/v1/logout", json!({"all": true})).await.ok();
    assert_eq!(res["revoked"], 2);
    only.get("/api/v1/me").await.err(401, "unauthorized");
    second.get("/api/v1/me").await.err(401, "unauthorized");
    bob.me().await;
    // Bad bodies change nothing.
    bob.post("/api/v1/logout", json!({"all": "yes"}))
        .await
        .err(400, "invalid_request");
    bob.me().await;
    // The logged-out tokens stay out after a restart.
    let s = s.restart().await;
    let laptop = common::Client {
        base: s.url.clone(),
        ..laptop
    };
    laptop.get("/api/v1/me").await.err(401, "unauthorized");
    let bob = common::Client {
        base: s.url.clone(),
        ..bob
    };
    bob.me().await;
    s.stop().await;
}
on_both!(
    logout_ends_one_session_or_all,
    super::logout_ends_one_session_or_all
);

async fn attempt(s: &TestServer, from: &str, user: &str, password: &str) -> reqwest::Response {
    s.client()
        .http
        .post(format!("{}/api/v1/login", s.url))
        .header("x-forwarded-for", format!("203.0.113.9, {from}"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn login_attempts_are_limited_per_user_and_per_address(db: Db) {
    let Some(s) = TestServer::start(db, |c| {
        c.login_attempts_per_user = 3;
        c.login_attempts_per_ip = 5;
        c.client_ip_header = Some("x-forwarded-for".into());
        c.researchers = vec!["rita".into()];
        c.researcher_password = Some("rita's own secret".into());
    })
    .await
    else {
        return;
    };
    let (a, b, c) = ("192.0.2.1", "198.51.100.7", "203.0.113.50");
    for _ in 0..3 {
        assert_eq!(attempt(&s, a, "rita", "guess").await.status(), 401);
    }
    // The fourth attempt for rita is refused before the password is looked at.
    let r = attempt(&s, a, "rita", "rita's own secret").await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // From another address too: the limit is rita's.
    assert_eq!(
        attempt(&s, b, "rita", "rita's own secret").await.status(),
        429
    );
    // A demo account's password is published: no per-name limit (a study's participants all
    // log in as its demo user), only the address's. Address b has used 1 of its 5.
    for _ in 0..4 {
        assert_eq!(attempt(&s, b, "alice", "hongbao").await.status(), 200);
    }
    let r = attempt(&s, b, "alice", "hongbao").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // Address a has used 4 of its 5: bob gets in, the next one from a does not.
    assert_eq!(attempt(&s, a, "bob", "hongbao").await.status(), 200);
    assert_eq!(attempt(&s, a, "carol", "hongbao").await.status(), 429);
    // Carol from address c is fine.
    assert_eq!(attempt(&s, c, "carol", "hongbao").await.status(), 200);
    // A header that is not an address is refused, not guessed.
    let r = s
        .client()
        .http
        .post(format!("{}/api/v1/login", s.url))
        .header("x-forwarded-for", "not an address")
        .json(&json!({"username": "dave", "password": "hongbao"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    s.stop().await;
}
on_both!(
    login_attempts_are_limited_per_user_and_per_address,
    super::login_attempts_are_limited_per_user_and_per_address
);
