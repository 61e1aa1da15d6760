//! PostgreSQL for the tests: `HONGBAO_PG_URL` (a server the tests may create databases
//! on), or else a throwaway cluster from Debian's binaries (/usr/lib/postgresql/<v>/bin),
//! initialised in a temp dir and listening on a free loopback port, stopped when the test
//! process exits. Each test gets a fresh database. The PostgreSQL tests are skipped only
//! when neither is available and `HONGBAO_REQUIRE_PG` is not set (CI sets it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

static SERVER: OnceCell<Option<String>> = OnceCell::const_new();
static NOTE: OnceLock<()> = OnceLock::new();

/// `true` when PostgreSQL tests can run (panics when they must and cannot).
pub async fn available() -> bool {
    let ok = server_url().await.is_some();
    if !ok {
        NOTE.get_or_init(|| {
            eprintln!(
                "note: PostgreSQL tests skipped (no HONGBAO_PG_URL and no /usr/lib/postgresql/*/bin)"
            )
        });
    }
    ok
}

/// A URL of the server's maintenance database (`…/postgres`).
pub async fn server_url() -> Option<String> {
    SERVER
        .get_or_init(|| async {
            if let Ok(url) = std::env::var("HONGBAO_PG_URL")
                && !url.is_empty()
            {
                return Some(url);
            }
            let found = tokio::task::spawn_blocking(start_cluster)
                .await
                .ok()
                .flatten();
            if found.is_none() && std::env::var_os("HONGBAO_REQUIRE_PG").is_some() {
                panic!("HONGBAO_REQUIRE_PG is set but no PostgreSQL could be started");
            }
            found
        })
        .await
        .clone()
}

/// A new, empty database on the test server; its URL.
pub async fn fresh_database() -> Option<String> {
    let base = server_url().await?;
    let name = format!("hb_{:016x}", hongbao_server::store::random_u64());
    let pool = sqlx::PgPool::connect(&base)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .expect("create a test database");
    pool.close().await;
    Some(with_database(&base, &name))
}

/// `base` with its database path replaced by `name`.
pub fn with_database(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = head[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..host_end])
}

fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root).
fn pg_command(bin: &Path, args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// initdb in a temp dir, start `postgres` on a loopback port under a watchdog that stops
/// it when this process exits. Returns the maintenance database's URL.
fn start_cluster() -> Option<String> {
    let bin = bin_dir()?;
    let dir = std::env::temp_dir().join(format!(
        "hongbao-pg-{}-{:x}",
        std::process::id(),
        hongbao_server::store::random_u64()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    if is_root() {
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status();
    }
    let data = dir.join("data");
    let data_s = data.to_string_lossy().into_owned();
    let init = pg_command(
        &bin.join("initdb"),
        &[
            "-D",
            &data_s,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .output()
    .ok()?;
    if !init.status.success() {
        eprintln!("initdb failed: {}", String::from_utf8_lossy(&init.stderr));
        return None;
    }
    let port = free_port();
    let postgres = bin.join("postgres");
    // The watchdog: start postgres, stop it (fast shutdown) when the test process is gone,
    // and remove the cluster.
    let script = format!(
        "{run} {pg} -D {data} -p {port} -k {data} -c listen_addresses=127.0.0.1 \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
         -c max_connections=300 -c shared_buffers=128MB >{dir}/log 2>&1 & \
         PG=$!; while kill -0 {parent} 2>/dev/null && kill -0 $PG 2>/dev/null; do sleep 0.5; done; \
         {run} {pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; wait $PG; rm -rf {dir}",
        run = if is_root() {
            "runuser -u postgres --"
        } else {
            ""
        },
        pg = postgres.display(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data_s,
        dir = dir.display(),
        parent = std::process::id(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Accepting connections is not quite ready; give it a moment.
            std::thread::sleep(Duration::from_millis(300));
            return Some(url);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "PostgreSQL did not start: {}",
        std::fs::read_to_string(dir.join("log")).unwrap_or_default()
    );
    None
}
