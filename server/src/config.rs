//! The command line (`hongbao-server --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Hongbao's HTTP backend: wallets, red packets, claims, recalls, ledgers and lab events
/// over a JSON API (OpenAPI at /api/v1/openapi.json), with live updates as Server-Sent
/// Events. SQLite by default (a file, created and migrated on first start); PostgreSQL with
/// `--database-url postgres://…` (several processes may share one database).
#[derive(Clone, Debug, Parser)]
#[command(name = "hongbao-server", version)]
pub struct Config {
    /// Without a command: serve.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Log lines as text, or as one JSON object per line (`json`: for log collectors).
    /// The level comes from `HONGBAO_LOG` (default `info`).
    #[arg(long, value_enum, env = "HONGBAO_LOG_FORMAT", default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Address to listen on. Port 0 picks a free port; the first line on stdout is
    /// `listening on http://<addr>`.
    #[arg(long, env = "HONGBAO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// `sqlite://<file>` (created if missing; one server process per file) or
    /// `postgres://user@host:port/db` (any number of server processes).
    #[arg(
        long,
        env = "HONGBAO_DATABASE_URL",
        default_value = "sqlite://hongbao.db"
    )]
    pub database_url: String,

    /// Serve this directory at / (the widget's Trunk dist, built for the HTTP backend).
    #[arg(long, env = "HONGBAO_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Do not create the demo users (alice … judy, password `hongbao`, ¥1,000.00 each)
    /// and chats when the database is new.
    #[arg(long)]
    pub no_demo: bool,

    /// Also create N load-test users u0001…uN (password `hongbao`) and a group chat `crowd`
    /// with all of them (tests and benchmarks). Idempotent.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub crowd: u32,

    /// Starting balance of each crowd user, in yuan.
    #[arg(long, default_value = "1000.00")]
    pub crowd_balance: String,

    /// Enable POST /api/v1/test/clock {advance_seconds} to move this process's time
    /// forward (tests only; without the flag the endpoint does not exist). The offset is per
    /// process: with several processes on one PostgreSQL, move each one.
    #[arg(long)]
    pub test_clock: bool,

    /// Sessions end after this many seconds without use (default: a day).
    #[arg(long, env = "HONGBAO_SESSION_IDLE_SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(60..=31_536_000))]
    pub session_idle_secs: u64,

    /// Sessions end this many seconds after the login at the latest (default: a week).
    #[arg(long, env = "HONGBAO_SESSION_MAX_AGE_SECS", default_value_t = 604_800,
          value_parser = clap::value_parser!(u64).range(60..=31_536_000))]
    pub session_max_age_secs: u64,

    /// Login attempts a minute per user name (right or wrong); more get 429 with
    /// Retry-After. 0: no limit. The demo accounts have none (their password is published).
    #[arg(long, default_value_t = 10)]
    pub login_attempts_per_user: u32,

    /// Login attempts a minute per client address; more get 429 with Retry-After. 0: no
    /// limit.
    #[arg(long, default_value_t = 60)]
    pub login_attempts_per_ip: u32,

    /// Study participants' tokens (`POST /api/v1/studies/{key}/participants`) handed out a
    /// minute per client address; more get 429 with Retry-After. 0: no limit. A session in
    /// a room behind one address (a lab, a classroom) is a burst of this many.
    #[arg(long, default_value_t = 120)]
    pub participant_joins_per_ip: u32,

    /// Behind a reverse proxy: take the client's address (for the login limits) from the
    /// last entry of this header (e.g. X-Forwarded-For) instead of the connection's peer.
    /// Only set it when the proxy always writes the header.
    #[arg(long, value_name = "HEADER")]
    pub client_ip_header: Option<String>,

    /// Enable POST /api/v1/test/sessions {usernames} to get sessions for members of the
    /// `crowd` chat without their passwords (the load generator: a thousand argon2id logins
    /// would take longer than its run). Loopback benchmarks only; without the flag the
    /// endpoint does not exist.
    #[arg(long)]
    pub load_test_sessions: bool,

    /// A researcher's account name (repeatable): only researchers read everyone's lab
    /// events (`GET /api/v1/lab/events?all=true`) and list, save and delete the studies
    /// (`/api/v1/studies`); anyone else gets 403. A missing account
    /// is created at start (no money) with the password of `--researcher-password-file`
    /// or, without it, of the environment variable `HONGBAO_RESEARCHER_PASSWORD` (never a
    /// command-line argument, which other users of the machine can see); an existing
    /// account keeps its password.
    #[arg(long = "researcher", value_name = "NAME")]
    pub researchers: Vec<String>,

    /// A file holding the password of the `--researcher` accounts to create (its first
    /// line).
    #[arg(long, value_name = "FILE")]
    pub researcher_password_file: Option<PathBuf>,

    /// The researchers' password set by a program that starts the server in-process (the
    /// tests); the command line reads it from the file or the environment instead.
    #[arg(skip)]
    pub researcher_password: Option<String>,

    /// Allow cross-origin requests from this origin (repeatable). CORS is off by default.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,

    /// The engine policy as a JSON file (limits, recall policy, split rule; every field
    /// optional). Default: the product's defaults (window recall of 120 s, 24 h expiry).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Largest request body in bytes.
    #[arg(long, default_value_t = 16 * 1024)]
    pub max_body_bytes: usize,

    /// How often the sweeper refunds expired packets, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub sweep_interval_ms: u64,

    /// PostgreSQL: how a claim is written. `short` (the default): one SELECT, the engine's
    /// draw, one statement that commits it (two round trips; a lost race starts over).
    /// `locked`: always the transaction that locks the packet first (about seven round
    /// trips; for comparison).
    #[arg(long, value_enum, default_value_t = PgClaim::Short)]
    pub pg_claim: PgClaim,

    /// PostgreSQL: connections in the pool.
    #[arg(long, default_value_t = 16)]
    pub pg_max_connections: u32,

    /// SQLite: read connections (all writes go through one writer connection).
    #[arg(long, default_value_t = 4)]
    pub sqlite_readers: u32,

    /// SQLite: most operations committed together in one transaction (group commit).
    #[arg(long, default_value_t = 512)]
    pub sqlite_batch: usize,

    /// SQLite: WAL pages (4 KiB) after which the writer's commit copies the WAL back into
    /// the database file itself (SQLite's `wal_autocheckpoint`; normally the checkpointer,
    /// woken after every commit, has done so already).
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u32).range(100..=1_000_000))]
    pub sqlite_wal_pages: u32,

    /// SQLite: when a commit is durable. `full` (the default): the WAL is synced to disk
    /// before a claim, send or recall is answered, so an acknowledged change survives a
    /// power loss or an OS crash (the group commit shares one sync among the commands of a
    /// batch). `normal`: faster, but changes acknowledged since the last checkpoint may be
    /// lost with the machine (they survive the process being killed); benchmarks only.
    #[arg(long, value_enum, env = "HONGBAO_SQLITE_SYNCHRONOUS", default_value_t = SqliteSync::Full)]
    pub sqlite_synchronous: SqliteSync,

    /// On SIGTERM or SIGINT: how long requests in flight may take to finish, in seconds,
    /// before the server closes anyway.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// What `hongbao-server` does besides serving.
#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Copies the SQLite database of `--database-url` into FILE while a server may be
    /// running on it (SQLite's `VACUUM INTO`: one consistent snapshot, compacted). Restore
    /// by starting a server on the copy (`--database-url sqlite://FILE`). FILE must not
    /// exist.
    Backup {
        /// The copy to write.
        file: PathBuf,
    },
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `--pg-claim`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PgClaim {
    Short,
    Locked,
}

/// `--sqlite-synchronous`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqliteSync {
    /// Synced before the answer (durable).
    Full,
    /// WAL written, synced at checkpoints (survives a killed process, not a power loss).
    Normal,
}

impl Config {
    /// The defaults, as if started without arguments, on `database_url`.
    pub fn for_database(database_url: impl Into<String>) -> Config {
        let mut config = Config::parse_from(["hongbao-server"]);
        config.database_url = database_url.into();
        config.listen = "127.0.0.1:0".parse().expect("a valid address");
        config
    }

    /// The password for new `--researcher` accounts: set in-process, else the first line of
    /// `--researcher-password-file`, else `HONGBAO_RESEARCHER_PASSWORD`; `None` without one.
    pub fn researcher_password(&self) -> std::io::Result<Option<String>> {
        if let Some(p) = &self.researcher_password {
            return Ok(Some(p.clone()));
        }
        if let Some(file) = &self.researcher_password_file {
            let text = std::fs::read_to_string(file)?;
            return Ok(Some(text.lines().next().unwrap_or_default().to_owned()));
        }
        Ok(std::env::var("HONGBAO_RESEARCHER_PASSWORD").ok())
    }

    /// `true` for a PostgreSQL URL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
    }
}
