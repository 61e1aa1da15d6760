//! `cargo xtask bench <what>`: benchmarks that end with fixed `name=value` lines.

use crate::sh::{Sh, metric};
use crate::tools::{self, CHROMEDRIVER, WASM_TARGET};
use anyhow::{Context, Result, bail};

pub fn run(sh: &Sh, what: &str) -> Result<()> {
    match what {
        "engine" => engine(sh),
        "ui" => browser(sh, "ui", &["time_to_interactive_ms", "claim_long_tasks"]),
        "lab" => browser(sh, "lab", &["fairness_1m_ms", "fairness_long_tasks"]),
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

/// The server under claims load, on SQLite and on PostgreSQL: the server's optimised build
/// (profile `server`) and `hongbao-load` on loopback, 256 clients claiming across 1,000
/// packets of 100 shares until the shares are gone or 20 s have passed.
fn server(sh: &Sh) -> Result<()> {
    let pg_bin = tools::ensure_postgres(sh)?;
    sh.cargo(&[
        "build",
        "--profile",
        "server",
        "-p",
        "hongbao-server",
        "--bins",
    ])
    .run()?;
    let bin_dir = sh.target_dir().join("server");
    let dir = std::env::temp_dir().join(format!("hongbao-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let sqlite_url = format!("sqlite://{}", dir.join("bench.db").display());
    let sqlite = claims_load(&bin_dir, &sqlite_url);
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = sqlite?;
    let postgres = {
        let cluster = crate::pg::Cluster::start(&pg_bin)?;
        claims_load(&bin_dir, &cluster.url)?
    };
    let get = |out: &str, key: &str| metric(out, key).with_context(|| format!("no {key} line"));
    let oversold: u64 =
        get(&sqlite, "oversold")?.parse::<u64>()? + get(&postgres, "oversold")?.parse::<u64>()?;
    println!("claims_per_sec_sqlite={}", get(&sqlite, "claims_per_sec")?);
    println!(
        "claims_per_sec_postgres={}",
        get(&postgres, "claims_per_sec")?
    );
    println!("claim_p99_ms={}", get(&sqlite, "claim_p99_ms")?);
    println!("claim_p99_ms_postgres={}", get(&postgres, "claim_p99_ms")?);
    println!("oversold={oversold}");
    if oversold > 0 {
        bail!("{oversold} packet(s) oversold");
    }
    Ok(())
}

/// Starts the server on `database_url` (port 0, loopback), runs the load generator against
/// it, stops the server; returns the load generator's output.
fn claims_load(bin_dir: &std::path::Path, database_url: &str) -> Result<String> {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut server = Command::new(bin_dir.join("hongbao-server"))
        .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
        .args(["--crowd", "256", "--no-demo", "--load-test-sessions"])
        .env("HONGBAO_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("starting hongbao-server")?;
    let mut lines = BufReader::new(server.stdout.take().context("stdout")?).lines();
    let first = lines.next().transpose()?.unwrap_or_default();
    std::thread::spawn(move || for _ in lines {});
    let result = (|| {
        let url = first
            .strip_prefix("listening on ")
            .with_context(|| format!("unexpected server output {first:?}"))?;
        println!(
            "\n--- {} at {url}",
            database_url.split(':').next().unwrap_or("")
        );
        let out = Command::new(bin_dir.join("hongbao-load"))
            .args([
                "--url",
                url,
                "--clients",
                "256",
                "--packets",
                "1000",
                "--shares",
                "100",
            ])
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
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// A browser benchmark: a release build, then `e2e/bench/<name>.mjs` in headless Chromium.
fn browser(sh: &Sh, name: &str, keys: &[&str]) -> Result<()> {
    tools::ensure_chromium(sh)?;
    crate::build::app(sh)?;
    let script = sh.root.join(format!("e2e/bench/{name}.mjs"));
    let out = sh
        .cmd("node", &[&script.to_string_lossy()])
        .env("HONGBAO_DIST", crate::build::dist(sh))
        .env("CHROMIUM", tools::CHROMIUM)
        .run_capture()?;
    for key in keys {
        let value = metric(&out, key).with_context(|| format!("no {key} line"))?;
        println!("{key}={value}");
    }
    Ok(())
}
