//! `cargo xtask test`: everything CI checks, in order, with a summary at the end.

use crate::sh::Sh;
use crate::tools::{self, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use anyhow::{Result, bail};
use std::time::{Duration, Instant};

struct Stage {
    name: &'static str,
    outcome: Outcome,
    took: Duration,
}

enum Outcome {
    Passed,
    Failed(String),
    Skipped(&'static str),
}

pub fn run(sh: &Sh) -> Result<()> {
    let started = Instant::now();
    let mut stages: Vec<Stage> = Vec::new();
    let mut step =
        |name: &'static str, needs: &[&'static str], f: &mut dyn FnMut() -> Result<()>| {
            let blocked = needs.iter().find(|n| {
                stages
                    .iter()
                    .any(|s| s.name == **n && !matches!(s.outcome, Outcome::Passed))
            });
            let t = Instant::now();
            let outcome = match blocked {
                Some(dep) => Outcome::Skipped(dep),
                None => {
                    println!("\n=== {name} ===");
                    match f() {
                        Ok(()) => Outcome::Passed,
                        Err(e) => Outcome::Failed(format!("{e:#}")),
                    }
                }
            };
            stages.push(Stage {
                name,
                outcome,
                took: t.elapsed(),
            });
        };

    let wasm = ["--target", WASM_TARGET];
    step("setup", &[], &mut || tools::ensure_all(sh));
    step("fmt", &[], &mut || {
        sh.cargo(&["fmt", "--all", "--check"]).run()
    });
    step("clippy native", &[], &mut || {
        sh.cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .run()
    });
    step("clippy wasm32", &["setup"], &mut || {
        let mut args = vec![
            "clippy",
            "-p",
            "hongbao",
            "-p",
            "hongbao-engine",
            "--all-targets",
        ];
        args.extend_from_slice(&wasm);
        args.extend_from_slice(&["--", "-D", "warnings"]);
        sh.cargo(&args).run()
    });
    step("native tests", &[], &mut || {
        sh.cargo(&["test", "--workspace", "--exclude", "hongbao-server"])
            .run()
    });
    // The server's tests start throwaway PostgreSQL clusters from Debian's binaries (setup
    // installs them); HONGBAO_REQUIRE_PG turns "skip without PostgreSQL" into a failure.
    step(
        "server tests (SQLite + PostgreSQL)",
        &["setup"],
        &mut || {
            sh.cargo(&["test", "-p", "hongbao-server"])
                .env("HONGBAO_REQUIRE_PG", "1")
                .run()
        },
    );
    step("engine docs", &[], &mut || {
        sh.cargo(&["doc", "-p", "hongbao-engine", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings")
            .run()
    });
    step("browser tests (wasm-bindgen-test)", &["setup"], &mut || {
        let mut args = vec!["test", "-p", "hongbao", "-p", "hongbao-engine"];
        args.extend_from_slice(&wasm);
        browser_env(sh.cargo(&args)).run()
    });
    step("release build (code-split)", &["setup"], &mut || {
        crate::build::app(sh)
    });
    step("embed build (code-split)", &["setup"], &mut || {
        crate::build::embed(sh)
    });
    step(
        "docs build (mdbook)",
        &["embed build (code-split)"],
        &mut || build_docs(sh),
    );
    step(
        "end-to-end (headless Chromium)",
        &[
            "release build (code-split)",
            "embed build (code-split)",
            "docs build (mdbook)",
        ],
        &mut || run_e2e(sh),
    );

    println!("\n=== summary ({:.0?}) ===", started.elapsed());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for s in &stages {
        let (mark, detail) = match &s.outcome {
            Outcome::Passed => {
                passed += 1;
                ("ok  ", String::new())
            }
            Outcome::Failed(e) => {
                failed += 1;
                (
                    "FAIL",
                    format!("  {}", e.lines().next().unwrap_or_default()),
                )
            }
            Outcome::Skipped(dep) => {
                skipped += 1;
                ("skip", format!("  (needs: {dep})"))
            }
        };
        println!(
            "{mark} {:<36} {:>6.1}s{detail}",
            s.name,
            s.took.as_secs_f64()
        );
    }
    println!("stages: {passed} passed, {failed} failed, {skipped} skipped");
    if failed + skipped > 0 {
        bail!("{} stage(s) did not pass", failed + skipped);
    }
    Ok(())
}

/// wasm-bindgen-test-runner drives Debian's chromedriver; webdriver.json (next to each
/// crate) passes the headless flags.
fn browser_env(cmd: crate::sh::Cmd) -> crate::sh::Cmd {
    let mut cmd = cmd;
    cmd.env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    cmd
}

/// The end-to-end suite: node's test runner, Playwright (playwright-core) on Debian's Chromium.
pub fn run_e2e(sh: &Sh) -> Result<()> {
    let dir = sh.root.join("e2e/tests");
    let mut files: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    // Three files at a time, each with its own browser: most of a test waits on animations,
    // timers and simulated latency, so three browsers share the 2 cores well (measured: the
    // suite takes 145 s this way against 317 s one file at a time).
    let mut args = vec!["--test", "--test-concurrency=3"];
    args.extend(files.iter().map(String::as_str));
    // The real backend's tests (http.test.mjs) run the server's debug build, which the
    // server tests have built already.
    sh.cargo(&[
        "build",
        "--quiet",
        "-p",
        "hongbao-server",
        "--bin",
        "hongbao-server",
    ])
    .run()?;
    let server_bin = sh.target_dir().join("debug/hongbao-server");
    let mut cmd = sh.cmd("node", &args);
    cmd.env("HONGBAO_DIST", crate::build::dist(sh))
        .env("HONGBAO_SERVER_BIN", server_bin)
        .env("HONGBAO_ARTIFACTS", sh.root.join("target/e2e"))
        .env("HONGBAO_EMBED_DIST", crate::build::embed_dist(sh))
        .env("HONGBAO_BOOK", book_dir(sh))
        .env("CHROMIUM", CHROMIUM);
    cmd.run()
}

/// The built user guide (`docs/book.toml` writes it here).
pub fn book_dir(sh: &Sh) -> std::path::PathBuf {
    sh.root.join("target/book")
}

/// `mdbook build docs`, then the embed bundle copied into the book (`<book>/embed/`), so
/// its pages show live widgets. Needs the embed build.
pub fn build_docs(sh: &Sh) -> Result<()> {
    tools::ensure_mdbook(sh)?;
    sh.cmd("mdbook", &["build", "docs"]).run()?;
    let from = crate::build::embed_dist(sh);
    let to = book_dir(sh).join("embed");
    std::fs::create_dir_all(&to)?;
    for entry in std::fs::read_dir(&from)? {
        let path = entry?.path();
        if path.is_file() && path.file_name().is_some_and(|n| n != "index.html") {
            std::fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}
