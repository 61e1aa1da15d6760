//! Passwords and sessions (issue 15, items 2 and 3): argon2id hashes, old hashes replaced at
//! login, the load-test path only behind its flag; on SQLite and PostgreSQL.

mod common;

use common::{Db, TestServer};
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
