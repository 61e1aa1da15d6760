//! Logging in, and the load-test path that hands sessions out directly.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use hongbao_api::{ErrorBody, Login, Token};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::AppState;
use crate::auth::{self, Verified};
use crate::error::{AppError, AppResult};
use crate::extract::Body;
use crate::store::CROWD;

/// Password hashing, bounded (see [`auth::hashing_permits`]).
pub struct Hashing(Arc<Semaphore>);

impl Default for Hashing {
    fn default() -> Hashing {
        Hashing(Arc::new(Semaphore::new(auth::hashing_permits())))
    }
}

impl Hashing {
    /// Runs `f` on the blocking pool once a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self.0.acquire().await.map_err(AppError::unavailable)?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(AppError::internal)
    }
}

/// Logs in; the token goes into `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = Login,
    responses((status = 200, body = Token), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Body(body): Body<Login>,
) -> AppResult<Json<Token>> {
    let wrong = || AppError::new("unauthorized", "wrong user name or password");
    if body.username.is_empty() {
        return Err(wrong());
    }
    let Some(user) = state.store.user(&body.username).await? else {
        // As slow as a wrong password, so that timing does not tell which names exist.
        let password = body.password;
        state
            .hashing
            .run(move || auth::verify_dummy(&password))
            .await?;
        return Err(wrong());
    };
    let password = body.password.clone();
    let (stored, salt) = (user.password_hash.clone(), user.salt.clone());
    let verified = state
        .hashing
        .run(move || auth::verify_password(&stored, &salt, &password))
        .await?;
    match verified {
        Verified::No => return Err(wrong()),
        Verified::Yes => {}
        Verified::YesRehash => {
            let password = body.password.clone();
            let (salt, hash) = state
                .hashing
                .run(move || {
                    let salt = auth::new_salt();
                    let hash = auth::hash_password(&salt, &password);
                    (salt, hash)
                })
                .await?;
            state
                .store
                .set_password_hash(&body.username, &hash, &salt)
                .await
                .map_err(|e| e.into_app(hongbao_engine::Lang::En))?;
        }
    }
    let token = auth::new_token();
    let hash = auth::token_hash(&token);
    state
        .store
        .new_sessions(
            vec![(hash.clone(), body.username.clone())],
            state.clock.now(),
        )
        .await
        .map_err(|e| e.into_app(hongbao_engine::Lang::En))?;
    state.tokens.insert(hash, body.username);
    Ok(Json(Token { token }))
}

/// `POST /api/v1/test/sessions`: the crowd's users to log in without their passwords.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CrowdLogin {
    /// Members of the `crowd` chat (at most 10,000).
    pub usernames: Vec<String>,
}

/// Their tokens, in the same order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CrowdTokens {
    pub tokens: Vec<String>,
}

/// Most sessions one `POST /api/v1/test/sessions` creates.
const MAX_CROWD_LOGIN: usize = 10_000;

/// Sessions for load-test users without their passwords: only with
/// `--load-test-sessions` (otherwise this endpoint does not exist), only for members of the
/// `crowd` chat (`--crowd`). The load generator uses it so that a thousand logins do not
/// cost a thousand argon2id hashes.
#[utoipa::path(post, path = "/api/v1/test/sessions", tag = "test", request_body = CrowdLogin,
    responses((status = 200, body = CrowdTokens), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "without --load-test-sessions, or a user not in the crowd")))]
pub async fn crowd_sessions(
    State(state): State<AppState>,
    Body(body): Body<CrowdLogin>,
) -> AppResult<Json<CrowdTokens>> {
    if body.usernames.is_empty() || body.usernames.len() > MAX_CROWD_LOGIN {
        return Err(AppError::invalid("between 1 and 10,000 user names"));
    }
    let crowd = state
        .store
        .chat_for(&body.usernames[0], CROWD)
        .await?
        .ok_or_else(|| AppError::not_found("crowd user"))?;
    let members: std::collections::HashSet<&str> =
        crowd.members.iter().map(String::as_str).collect();
    if let Some(stranger) = body
        .usernames
        .iter()
        .find(|u| !members.contains(u.as_str()))
    {
        return Err(AppError::not_found(&format!("crowd user {stranger:?}")));
    }
    let tokens: Vec<String> = body.usernames.iter().map(|_| auth::new_token()).collect();
    let rows: Vec<(String, String)> = tokens
        .iter()
        .zip(&body.usernames)
        .map(|(t, u)| (auth::token_hash(t), u.clone()))
        .collect();
    state
        .store
        .new_sessions(rows.clone(), state.clock.now())
        .await
        .map_err(|e| e.into_app(hongbao_engine::Lang::En))?;
    for (hash, user) in rows {
        state.tokens.insert(hash, user);
    }
    Ok(Json(CrowdTokens { tokens }))
}
