//! `cargo xtask bench <what>`: benchmarks that end with fixed `name=value` lines.

use crate::sh::{Sh, metric};
use crate::tools::{self, CHROMEDRIVER, WASM_TARGET};
use anyhow::{Context, Result, bail};

pub fn run(sh: &Sh, what: &str) -> Result<()> {
    match what {
        "engine" => engine(sh),
        "ui" => {
            // The yardstick: a bare Leptos counter built the same way, loaded alternately with
            // the app (e2e/bench/ui.mjs), so the app's time reads as a ratio too.
            crate::build::counter(sh)?;
            browser(
                sh,
                "ui",
                &[
                    "time_to_interactive_ms",
                    "tti_counter_ms",
                    "tti_ratio_vs_counter",
                    "claim_long_tasks",
                ],
            )
        }
        "lab" => browser(
            sh,
            "lab",
            &[
                "fairness_1m_ms",
                "fairness_long_tasks",
                "console_results_100k_ms",
                "console_long_tasks",
            ],
        ),
        "server" => server(sh),
        other => bail!("unknown benchmark {other:?} (engine, ui, lab, server)"),
    }
}

fn engine(sh: &Sh) -> Result<()> {
    tools::ensure_wasm_bindgen(sh)?;
    tools::ensure_chromium(sh)?;
    let native = sh
        .cargo(&["bench", "-p", "hongbao-engine", "--bench", "budget"])
        .run_capture()?;
    let wasm = sh
        .cargo(&[
            "test",
            "-p",
            "hongbao-engine",
            "--release",
            "--target",
            WASM_TARGET,
            "--test",
            "wasm_bench",
            "--",
            "--include-ignored",
            "--nocapture",
        ])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300")
        .run_capture()?;
    let claims =
        metric(&native, "engine_claims_per_sec").context("no engine_claims_per_sec line")?;
    let split = metric(&native, "split_1m_packets_ms").context("no split_1m_packets_ms line")?;
    let split_wasm =
        metric(&wasm, "split_1m_packets_wasm_ms").context("no split_1m_packets_wasm_ms line")?;
    println!("engine_claims_per_sec={claims}");
    println!("split_1m_packets_ms={split}");
    println!("split_1m_packets_wasm_ms={split_wasm}");
    Ok(())
}

/// Runs of each server benchmark: the figure printed is their median, and the runs are
/// printed beside it (`…_runs=a,b,c`) so that the spread shows.
const RUNS: usize = 3;

/// One run's figures.
struct Run {
    claims_per_sec: u64,
    p99_ms: f64,
    oversold: u64,
}

impl Run {
    fn read(out: &str) -> Result<Run> {
        let get = |key: &str| metric(out, key).with_context(|| format!("no {key} line"));
        Ok(Run {
            claims_per_sec: get("claims_per_sec")?.parse()?,
            p99_ms: get("claim_p99_ms")?.parse()?,
            oversold: get("oversold")?.parse()?,
        })
    }
}

/// Prints `<name>=<median>` and `<name>_runs=<a>,<b>,<c>` (in the order run).
fn print_runs<T: Copy + PartialOrd + std::fmt::Display>(name: &str, runs: &[T]) {
    let mut sorted = runs.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    println!("{name}={}", sorted[sorted.len() / 2]);
    let all: Vec<String> = runs.iter().map(T::to_string).collect();
    println!("{name}_runs={}", all.join(","));
}

/// The server under claims load: the server's optimised build (profile `server`) and
/// `hongbao-load` on loopback, 256 clients claiming across 1,000 packets of 100 shares until
/// the shares are gone or 20 s have passed; three runs each, every run on a new database
/// (a run never inherits the previous run's file, WAL or tables): SQLite (durable,
/// `synchronous=FULL`, the default), PostgreSQL with one server process, and PostgreSQL
/// with two server processes on one database, the clients spread over both.
fn server(sh: &Sh) -> Result<()> {
    let pg_bin = tools::ensure_postgres(sh)?;
    server_build(sh)?;
    let bin_dir = sh.target_dir().join("server");
    let mut sqlite = Vec::new();
    for run in 0..RUNS {
        let dir = std::env::temp_dir().join(format!("hongbao-bench-{}-{run}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let out = claims_load(&bin_dir, &url, 1);
        let _ = std::fs::remove_dir_all(&dir);
        sqlite.push(Run::read(&out?)?);
    }
    let (mut postgres, mut postgres_2proc) = (Vec::new(), Vec::new());
    {
        let cluster = crate::pg::Cluster::start(&pg_bin)?;
        for run in 0..RUNS {
            let url = cluster.create_database(&format!("bench_{run}"))?;
            postgres.push(Run::read(&claims_load(&bin_dir, &url, 1)?)?);
        }
        for run in 0..RUNS {
            let url = cluster.create_database(&format!("bench_2proc_{run}"))?;
            postgres_2proc.push(Run::read(&claims_load(&bin_dir, &url, 2)?)?);
        }
    }
    let oversold: u64 = sqlite
        .iter()
        .chain(&postgres)
        .chain(&postgres_2proc)
        .map(|r| r.oversold)
        .sum();
    println!();
    let rate = |runs: &[Run]| runs.iter().map(|r| r.claims_per_sec).collect::<Vec<_>>();
    let p99 = |runs: &[Run]| runs.iter().map(|r| r.p99_ms).collect::<Vec<_>>();
    print_runs("claims_per_sec_sqlite", &rate(&sqlite));
    print_runs("claim_p99_ms", &p99(&sqlite));
    print_runs("claims_per_sec_postgres", &rate(&postgres));
    print_runs("claim_p99_ms_postgres", &p99(&postgres));
    print_runs("claims_per_sec_postgres_2proc", &rate(&postgres_2proc));
    print_runs("claim_p99_ms_postgres_2proc", &p99(&postgres_2proc));
    println!("oversold={oversold}");
    if oversold > 0 {
        bail!("{oversold} packet(s) oversold");
    }
    Ok(())
}

/// Starts `procs` server processes on `database_url` (port 0, loopback; one after the
/// other, so that one seeds), runs the load generator against them (the clients spread
/// over the processes), stops them; returns the load generator's output.
fn claims_load(bin_dir: &std::path::Path, database_url: &str, procs: usize) -> Result<String> {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    let mut servers: Vec<Child> = Vec::new();
    let result = (|| {
        let mut urls = Vec::new();
        for _ in 0..procs {
            let mut server = Command::new(bin_dir.join("hongbao-server"))
                .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
                .args(["--crowd", "256", "--no-demo", "--load-test-sessions"])
                .env("HONGBAO_LOG", "error")
                .stdout(Stdio::piped())
                .spawn()
                .context("starting hongbao-server")?;
            let stdout = server.stdout.take().context("stdout")?;
            servers.push(server);
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().transpose()?.unwrap_or_default();
            std::thread::spawn(move || for _ in lines {});
            let url = first
                .strip_prefix("listening on ")
                .with_context(|| format!("unexpected server output {first:?}"))?
                .to_owned();
            urls.push(url);
        }
        println!(
            "\n--- {} ×{procs} at {}",
            database_url.split(':').next().unwrap_or(""),
            urls.join(" ")
        );
        let mut load = Command::new(bin_dir.join("hongbao-load"));
        for url in &urls {
            load.args(["--url", url]);
        }
        let out = load
            .args(["--clients", "256", "--packets", "1000", "--shares", "100"])
            .args(["--seconds", "20"])
            .stderr(Stdio::inherit())
            .output()
            .context("running hongbao-load")?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        print!("{stdout}");
        if !out.status.success() {
            bail!("hongbao-load failed ({})", out.status);
        }
        Ok(stdout)
    })();
    for mut server in servers {
        let _ = server.kill();
        let _ = server.wait();
    }
    result
}

/// A browser benchmark: a release build, then `e2e/bench/<name>.mjs` in headless Chromium.
/// The server's binaries, optimized (the `server` profile: `target/server/`).
fn server_build(sh: &Sh) -> Result<()> {
    sh.cargo(&[
        "build",
        "--profile",
        "server",
        "-p",
        "hongbao-server",
        "--bins",
    ])
    .run()
}

fn browser(sh: &Sh, name: &str, keys: &[&str]) -> Result<()> {
    tools::ensure_chromium(sh)?;
    crate::build::app(sh)?;
    let script = sh.root.join(format!("e2e/bench/{name}.mjs"));
    // The console's figures need the server (an optimized build, as `bench server` uses).
    if name == "lab" {
        server_build(sh)?;
    }
    let out = sh
        .cmd("node", &[&script.to_string_lossy()])
        .env(
            "HONGBAO_SERVER_BIN",
            sh.target_dir().join("server/hongbao-server"),
        )
        .env("HONGBAO_DIST", crate::build::dist(sh))
        .env("HONGBAO_COUNTER_DIST", crate::build::counter_dist(sh))
        .env("CHROMIUM", tools::CHROMIUM)
        .run_capture()?;
    for key in keys {
        let value = metric(&out, key).with_context(|| format!("no {key} line"))?;
        println!("{key}={value}");
    }
    Ok(())
}
