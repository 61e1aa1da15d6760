//! `hongbao-load`: the load generator of `cargo xtask bench server`.
//!
//! Against a server started with `--crowd <clients> --load-test-sessions` (loopback only):
//! gets the crowd's sessions,
//! sends `--packets` lucky packets of `--shares` shares in the `crowd` chat, then
//! `--clients` concurrent clients (one keep-alive HTTP/1.1 connection each) claim across
//! all packets — every packet is claimed by exactly `--shares` distinct clients, so every
//! claim can succeed, and each client starts at its own place in its list — until all shares are gone or `--seconds` have passed. Prints
//! `claims_per_sec=<N>`, `claim_p99_ms=<N>` and the check `oversold=<packets>` (0: no
//! packet handed out more than its shares or more than its total).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::body::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

#[derive(Parser, Debug)]
#[command(
    name = "hongbao-load",
    about = "Claims load against a hongbao-server (loopback only)"
)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080 (must be a loopback address). Repeat it for
    /// several server processes on one database: the setup goes through the first, the
    /// claiming clients are spread over all of them (client i on server i mod n).
    #[arg(long, required = true)]
    url: Vec<String>,
    /// Concurrent clients (each a crowd user with its own connection).
    #[arg(long, default_value_t = 256)]
    clients: u32,
    /// Lucky packets to claim across.
    #[arg(long, default_value_t = 1000)]
    packets: u32,
    /// Shares per packet.
    #[arg(long, default_value_t = 100)]
    shares: u32,
    /// Upper bound of the claiming phase, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

/// One keep-alive connection.
struct Conn {
    sender: http1::SendRequest<Full<Bytes>>,
    host: String,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn {
            sender,
            host: addr.to_string(),
        })
    }

    async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Bytes)> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Full::new(Bytes::from(serde_json::to_vec(b)?))
            }
            None => Full::new(Bytes::new()),
        };
        self.sender.ready().await?;
        let resp = self.sender.send_request(req.body(body)?).await?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }

    async fn json(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value> {
        let (status, bytes) = self.call(method, path, token, body).await?;
        if !status.is_success() {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        Ok(serde_json::from_slice(&bytes)?)
    }
}

fn crowd_user(i: u32) -> String {
    format!("u{i:04}")
}

/// Runs `f` over `items` with at most `width` at a time, each with its own connection.
async fn in_parallel<T, R, F, Fut>(
    addr: SocketAddr,
    items: Vec<T>,
    width: usize,
    f: F,
) -> Result<Vec<R>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(Conn, T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(Conn, R)>> + Send,
{
    let f = Arc::new(f);
    let chunk = items.len().div_ceil(width.max(1)).max(1);
    let mut items = items.into_iter().enumerate().collect::<Vec<_>>();
    let mut tasks = Vec::new();
    while !items.is_empty() {
        let rest = items.split_off(chunk.min(items.len()));
        let mine = std::mem::replace(&mut items, rest);
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut out = Vec::new();
            for (i, item) in mine {
                let (c, r) = f(conn, item).await?;
                conn = c;
                out.push((i, r));
            }
            Ok::<_, anyhow::Error>(out)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for url in &args.url {
        let hostport = url
            .strip_prefix("http://")
            .context("--url must be http://<loopback>:<port>")?
            .trim_end_matches('/');
        let addr: SocketAddr = hostport
            .parse()
            .context("--url must be an IP address and port")?;
        if !addr.ip().is_loopback() {
            bail!("refusing to load a non-loopback address ({addr})");
        }
        addrs.push(addr);
    }
    let addr = addrs[0];
    if args.shares > args.clients {
        bail!("--shares must be at most --clients (one claim per user per packet)");
    }

    // 1. Sessions for the crowd, straight from the server (started with
    // `--load-test-sessions`): a thousand argon2id logins would take longer than the run.
    let users: Vec<u32> = (1..=args.clients).collect();
    let mut tokens: Vec<String> = Vec::with_capacity(users.len());
    let mut conn = Conn::open(addr).await?;
    for chunk in users.chunks(1000) {
        let names: Vec<String> = chunk.iter().map(|&i| crowd_user(i)).collect();
        let v = conn
            .json(
                Method::POST,
                "/api/v1/test/sessions",
                None,
                Some(&json!({ "usernames": names })),
            )
            .await
            .context("the server must run with --load-test-sessions")?;
        let got = v["tokens"].as_array().context("tokens")?;
        for t in got {
            tokens.push(t.as_str().context("a token")?.to_owned());
        }
    }
    if tokens.len() != users.len() {
        bail!("{} tokens for {} users", tokens.len(), users.len());
    }
    let tokens = Arc::new(tokens);

    // 2. Send the packets (senders round-robin over the crowd).
    let total = format!("{}.00", args.shares);
    let started = Instant::now();
    let specs: Vec<u32> = (0..args.packets).collect();
    let send_tokens = tokens.clone();
    let ids: Vec<u64> = in_parallel(addr, specs, 16, move |mut c, p| {
        let tokens = send_tokens.clone();
        let total = total.clone();
        async move {
            let token = &tokens[p as usize % tokens.len()];
            let body = json!({"chat_id": "crowd", "kind": "lucky", "total": total,
                              "count": args.shares, "greeting": "bench",
                              "idempotency_key": format!("bench-{p}-{}", std::process::id())});
            let v = c
                .json(Method::POST, "/api/v1/packets", Some(token), Some(&body))
                .await?;
            Ok((c, v["id"].as_u64().context("a packet id")?))
        }
    })
    .await?;
    eprintln!(
        "setup: {} users, {} packets in {:.1?}",
        args.clients,
        ids.len(),
        started.elapsed()
    );

    // 3. Claim: packet p is claimed by clients (p·7 + j) mod clients, j < shares.
    let n = args.clients as usize;
    let mut plan: Vec<Vec<u64>> = vec![Vec::new(); n];
    for (p, id) in ids.iter().enumerate() {
        for j in 0..args.shares as usize {
            plan[(p * 7 + j) % n].push(*id);
        }
    }
    // Each client starts at its own place in its list, so that the clients spread over the
    // packets instead of all queueing on the first one.
    for (c, mine) in plan.iter_mut().enumerate() {
        if !mine.is_empty() {
            let len = mine.len();
            mine.rotate_left(c * 37 % len);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, mine) in plan.into_iter().enumerate() {
        let token = tokens[c].clone();
        let server = addrs[c % addrs.len()];
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(server).await?;
            let mut latencies = Vec::with_capacity(mine.len());
            let (mut ok, mut refused) = (0u64, 0u64);
            for id in mine {
                if Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                let (status, _) = conn
                    .call(
                        Method::POST,
                        &format!("/api/v1/packets/{id}/claim"),
                        Some(&token),
                        None,
                    )
                    .await?;
                latencies.push(t.elapsed());
                if status == StatusCode::OK {
                    ok += 1;
                } else {
                    refused += 1;
                }
            }
            Ok::<_, anyhow::Error>((ok, refused, latencies))
        }));
    }
    let (mut ok, mut refused, mut latencies) = (0u64, 0u64, Vec::new());
    for t in tasks {
        let (o, r, l) = t.await??;
        ok += o;
        refused += r;
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let p = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    eprintln!(
        "claims: {ok} ok, {refused} refused in {elapsed:.2?}; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        p(0.5),
        p(0.99),
        latencies
            .last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    );

    // 4. Nothing oversold: per packet, claims ≤ shares, distinct users, the shares at most
    // the total, and the shares and what remains (never negative) add up to the total.
    let check_tokens = tokens.clone();
    let shares = args.shares;
    let bad: Vec<bool> = in_parallel(addr, ids, 16, move |mut c, id| {
        let token = check_tokens[0].clone();
        async move {
            let v = c
                .json(
                    Method::GET,
                    &format!("/api/v1/packets/{id}"),
                    Some(&token),
                    None,
                )
                .await?;
            let claims = v["claims"].as_array().cloned().unwrap_or_default();
            let fen = |v: &Value| -> i64 {
                v.as_str()
                    .and_then(|s| hongbao_engine::Money::from_wire(s).ok())
                    .map(|m| m.fen())
                    .unwrap_or(i64::MIN / 4)
            };
            let sum: i64 = claims.iter().map(|c| fen(&c["amount"])).sum();
            let mut users: Vec<&str> = claims
                .iter()
                .filter_map(|c| c["username"].as_str())
                .collect();
            users.sort_unstable();
            users.dedup();
            let oversold = claims.len() > shares as usize
                || users.len() != claims.len()
                || sum > fen(&v["total"])
                || fen(&v["remaining"]) < 0
                || sum + fen(&v["remaining"]) != fen(&v["total"])
                || claims.iter().any(|c| fen(&c["amount"]) < 1);
            Ok((c, oversold))
        }
    })
    .await?;
    let oversold = bad.iter().filter(|b| **b).count();
    let per_sec = ok as f64 / elapsed.as_secs_f64();
    println!("claims_ok={ok}");
    println!("claims_refused={refused}");
    println!("claims_per_sec={per_sec:.0}");
    println!("claim_p50_ms={:.2}", p(0.5));
    println!("claim_p99_ms={:.2}", p(0.99));
    println!("oversold={oversold}");
    if oversold > 0 {
        bail!("{oversold} packet(s) oversold");
    }
    Ok(())
}
