//! `cargo xtask bench <what>`: benchmarks that end with fixed `name=value` lines.

use crate::sh::{Sh, metric};
use crate::tools::{self, CHROMEDRIVER, WASM_TARGET};
use anyhow::{Context, Result, bail};

pub fn run(sh: &Sh, what: &str) -> Result<()> {
    match what {
        "engine" => engine(sh),
        "ui" => browser(sh, "ui", &["time_to_interactive_ms", "claim_long_tasks"]),
        "lab" => browser(sh, "lab", &["fairness_1m_ms", "fairness_long_tasks"]),
        other => bail!("unknown benchmark {other:?} (engine, ui, lab)"),
    }
}

fn engine(sh: &Sh) -> Result<()> {
    tools::ensure_all(sh)?;
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

/// A browser benchmark: a release build, then `e2e/bench/<name>.mjs` in headless Chromium.
fn browser(sh: &Sh, name: &str, keys: &[&str]) -> Result<()> {
    tools::ensure_all(sh)?;
    sh.trunk(&["build", "--release"]).run()?;
    let script = sh.root.join(format!("e2e/bench/{name}.mjs"));
    let out = sh
        .cmd("node", &[&script.to_string_lossy()])
        .env("HONGBAO_DIST", sh.root.join("dist"))
        .env("CHROMIUM", tools::CHROMIUM)
        .run_capture()?;
    for key in keys {
        let value = metric(&out, key).with_context(|| format!("no {key} line"))?;
        println!("{key}={value}");
    }
    Ok(())
}
