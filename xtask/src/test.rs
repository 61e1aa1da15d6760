//! `cargo xtask test`: everything CI checks, in order, with a summary at the end.

use crate::sh::Sh;
use crate::tools::{self, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

struct Stage {
    name: &'static str,
    outcome: Outcome,
    took: Duration,
    /// CPU time of the processes that ended during the stage (see [`children_cpu`]); none
    /// for a stage that ran beside others.
    cpu: Option<Duration>,
}

enum Outcome {
    Passed,
    Failed(String),
    Skipped(&'static str),
}

pub fn run(sh: &Sh) -> Result<()> {
    std::thread::scope(|scope| run_stages(sh, scope))
}

/// The stages in two phases. First everything is compiled, one cargo at a time (each uses
/// both cores). Then the tests run, the end-to-end suite on its own thread beside the native
/// and the browser tests: its three browsers spend most of their time waiting on animations,
/// timers and simulated latency, the server tests on fsync and timeouts, so running them side
/// by side takes little more than the longest of them.
fn run_stages<'scope>(sh: &'scope Sh, scope: &'scope std::thread::Scope<'scope, '_>) -> Result<()> {
    let started = Instant::now();
    // The installs that mostly download (apt: Chromium, fonts, PostgreSQL; npm), started at
    // once in the background while the first stages compile; each stage that needs one waits
    // for it. The tools cargo compiles are installed by the stages that use them (none of
    // them Trunk, which only `serve` uses), and are a quick check when present.
    let system = Background::spawn(scope, || {
        tools::ensure_chromium(sh).and_then(|()| tools::ensure_postgres(sh).map(drop))
    });
    let npm = Background::spawn(scope, || tools::ensure_npm_packages(sh));
    let mut stages = Stages::default();
    let wasm = ["--target", WASM_TARGET];
    let browser_args = ["test", "-p", "hongbao", "-p", "hongbao-engine"];

    stages.step("fmt", &[], &mut || {
        sh.cargo(&["fmt", "--all", "--check"]).run()
    });
    // Clippy lints our crates while the test builds below compile them (`Sh::cargo_linted`:
    // native and wasm32, `-D warnings`); only the engine's benchmark is no test target.
    stages.step("clippy (the engine's benchmark)", &[], &mut || {
        sh.cargo(&[
            "clippy",
            "-p",
            "hongbao-engine",
            "--benches",
            "--",
            "-D",
            "warnings",
        ])
        .run()
    });
    // One cargo invocation for the whole workspace: with `--exclude hongbao-server` and then
    // `-p hongbao-server`, the two selections unify different features (the server's
    // `hongbao-api/openapi`, its dev-dependencies), so the crates both use compiled twice.
    let mut native_tests = Vec::new();
    stages.step("native tests: build (and clippy)", &[], &mut || {
        native_tests = crate::native::build(sh)?;
        Ok(())
    });
    stages.step("engine docs", &[], &mut || {
        sh.cargo(&["doc", "-p", "hongbao-engine", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings")
            .run()
    });
    stages.step("browser tests: build (and clippy)", &[], &mut || {
        tools::ensure_wasm_target(sh)?;
        tools::ensure_wasm_bindgen(sh)?;
        let mut args = browser_args.to_vec();
        args.extend_from_slice(&wasm);
        args.push("--no-run");
        sh.cargo_linted(&args).run()
    });
    // Both binaries compile in the first of these two stages (see build::compile_both).
    stages.step("release build (code-split)", &[], &mut || {
        npm.wait()?;
        crate::build::compile_both(sh)?;
        crate::build::app(sh)
    });
    stages.step("embed build (code-split)", &[], &mut || {
        npm.wait()?;
        crate::build::embed(sh)
    });
    stages.step(
        "docs build (mdbook, mkdocs)",
        &["embed build (code-split)"],
        &mut || build_docs(sh),
    );

    // The runs.
    let e2e_name = "end-to-end (headless Chromium)";
    let e2e_log = sh.target_dir().join("e2e.log");
    let needs = [
        "native tests: build (and clippy)",
        "release build (code-split)",
        "embed build (code-split)",
        "docs build (mdbook, mkdocs)",
    ];
    let e2e = match (
        stages.blocked(&needs),
        system.wait().and_then(|()| npm.wait()),
    ) {
        (Some(dep), _) => {
            stages.skipped(e2e_name, dep);
            None
        }
        (None, Err(e)) => {
            stages.ran_beside(e2e_name, Err(e), Duration::ZERO);
            None
        }
        (None, Ok(())) => {
            println!(
                "\n=== {e2e_name}: started beside the tests below, its output in {} ===",
                e2e_log.display()
            );
            let _ = std::fs::remove_file(&e2e_log);
            let log = e2e_log.clone();
            stages.beside = true;
            let (started, programs) = std::sync::mpsc::channel();
            let handle = scope.spawn(move || {
                let t = Instant::now();
                crate::sh::log_to(log, started);
                (
                    run_e2e(
                        sh,
                        &E2e {
                            server_built: true,
                            ..E2e::default()
                        },
                    ),
                    t.elapsed(),
                )
            });
            // cargo holds the target directory's lock while `cargo test` runs the tests: the
            // tests below start once the suite has done its cargo (it builds the server) and
            // started something else (node), or has ended.
            while programs.recv().is_ok_and(|program| program == "cargo") {}
            Some(handle)
        }
    };
    // The server's tests start throwaway PostgreSQL clusters from Debian's binaries;
    // HONGBAO_REQUIRE_PG turns "skip without PostgreSQL" into a failure.
    stages.step(
        "native tests: run (server: SQLite + PostgreSQL)",
        &["native tests: build (and clippy)"],
        &mut || {
            system.wait()?;
            crate::native::run(sh, &native_tests, &[("HONGBAO_REQUIRE_PG", "1")])
        },
    );
    stages.step(
        "browser tests: run (wasm-bindgen-test)",
        &["browser tests: build (and clippy)"],
        &mut || {
            system.wait()?;
            let mut args = browser_args.to_vec();
            args.extend_from_slice(&wasm);
            browser_env(sh.cargo_linted(&args)).run()
        },
    );
    if let Some(handle) = e2e {
        let (outcome, took) = handle.join().unwrap_or_else(|_| {
            (
                Err(anyhow::anyhow!("the e2e thread panicked")),
                Duration::ZERO,
            )
        });
        println!("\n=== {e2e_name}: output ===");
        print!("{}", std::fs::read_to_string(&e2e_log).unwrap_or_default());
        stages.ran_beside(e2e_name, outcome, took);
    }
    // Joined here if no stage needed them (every stage failed or was skipped).
    let _ = (system.wait(), npm.wait());
    stages.summary(started)
}

#[derive(Default)]
struct Stages {
    done: Vec<Stage>,
    /// A stage is running on another thread: CPU times would include its processes.
    beside: bool,
}

impl Stages {
    /// The first of `needs` that did not pass, if any.
    fn blocked(&self, needs: &[&'static str]) -> Option<&'static str> {
        needs.iter().copied().find(|n| {
            self.done
                .iter()
                .any(|s| s.name == *n && !matches!(s.outcome, Outcome::Passed))
        })
    }

    /// Runs stage `name` unless one of `needs` did not pass.
    fn step(
        &mut self,
        name: &'static str,
        needs: &[&'static str],
        f: &mut dyn FnMut() -> Result<()>,
    ) {
        if let Some(dep) = self.blocked(needs) {
            return self.skipped(name, dep);
        }
        let (t, cpu) = (Instant::now(), children_cpu());
        println!("\n=== {name} ===");
        let outcome = match f() {
            Ok(()) => Outcome::Passed,
            Err(e) => Outcome::Failed(format!("{e:#}")),
        };
        self.done.push(Stage {
            name,
            outcome,
            took: t.elapsed(),
            cpu: (!self.beside).then(|| children_cpu().saturating_sub(cpu)),
        });
    }

    fn skipped(&mut self, name: &'static str, dep: &'static str) {
        self.done.push(Stage {
            name,
            outcome: Outcome::Skipped(dep),
            took: Duration::ZERO,
            cpu: None,
        });
    }

    /// A stage that ran on its own thread (its CPU time is in the stages beside it).
    fn ran_beside(&mut self, name: &'static str, outcome: Result<()>, took: Duration) {
        self.done.push(Stage {
            name,
            outcome: match outcome {
                Ok(()) => Outcome::Passed,
                Err(e) => Outcome::Failed(format!("{e:#}")),
            },
            took,
            cpu: None,
        });
    }

    fn summary(&self, started: Instant) -> Result<()> {
        println!("\n=== summary ({:.0?}) ===", started.elapsed());
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        for s in &self.done {
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
            let cpu = s
                .cpu
                .map_or("".into(), |c| format!("  cpu {:>6.1}s", c.as_secs_f64()));
            println!(
                "{mark} {:<48} {:>6.1}s{cpu}{detail}",
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
}

/// The user + system CPU time of this process's children that have ended (Linux:
/// `/proc/self/stat`'s cutime and cstime, in clock ticks of 1/100 s). On a machine other
/// work shares, a stage's CPU time says what it costs better than its wall time.
fn children_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The fields after the command name, which is in parentheses.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // cutime and cstime are fields 16 and 17 of the line, 14 and 15 after ')'.
            let user: u64 = fields.get(13)?.parse().ok()?;
            let system: u64 = fields.get(14)?.parse().ok()?;
            Some(user + system)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// An install running on its own thread; [`Background::wait`] blocks until it is done and
/// returns its outcome (to every caller).
struct Background<'scope> {
    handle: std::sync::Mutex<Option<std::thread::ScopedJoinHandle<'scope, Result<()>>>>,
    outcome: std::sync::OnceLock<Result<(), String>>,
}

impl<'scope> Background<'scope> {
    fn spawn(
        scope: &'scope std::thread::Scope<'scope, '_>,
        f: impl FnOnce() -> Result<()> + Send + 'scope,
    ) -> Self {
        Background {
            handle: std::sync::Mutex::new(Some(scope.spawn(f))),
            outcome: std::sync::OnceLock::new(),
        }
    }

    fn wait(&self) -> Result<()> {
        let outcome = self.outcome.get_or_init(|| {
            let handle = self.handle.lock().ok().and_then(|mut h| h.take());
            match handle.map(|h| h.join()) {
                Some(Ok(result)) => result.map_err(|e| format!("{e:#}")),
                Some(Err(_)) => Err("the install thread panicked".into()),
                None => Err("the install was already waited for".into()),
            }
        });
        outcome.clone().map_err(anyhow::Error::msg)
    }
}

/// wasm-bindgen-test-runner drives Debian's chromedriver; webdriver.json (next to each
/// crate) passes the headless flags.
fn browser_env(cmd: crate::sh::Cmd) -> crate::sh::Cmd {
    let mut cmd = cmd;
    cmd.env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    cmd
}

/// What `cargo xtask e2e` runs: some test files (all when empty), some rounds.
#[derive(Clone, Debug, Default)]
pub struct E2e {
    /// Test files (`send`, `send.test.mjs`, `e2e/tests/send.test.mjs`, …); empty: all of them.
    pub files: Vec<String>,
    /// Rounds of the whole selection; stops at the first failing round. 0 counts as 1.
    pub repeat: u32,
    /// The server's debug binary is built already (`cargo xtask test`'s `cargo test
    /// --workspace --no-run` builds it): a `cargo build -p hongbao-server` of its own would
    /// resolve other features and compile a dozen dependencies again.
    pub server_built: bool,
}

impl E2e {
    /// `[--repeat N] [files…]`.
    pub fn parse(args: &[&str]) -> Result<E2e> {
        let mut e2e = E2e {
            repeat: 1,
            ..E2e::default()
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--repeat" => {
                    let n = args.next().context("--repeat needs a number")?;
                    e2e.repeat = n
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .with_context(|| format!("--repeat {n}: expected a number above 0"))?;
                }
                flag if flag.starts_with('-') => bail!("unknown option {flag} to e2e"),
                file => e2e.files.push(file.to_owned()),
            }
        }
        Ok(e2e)
    }
}

/// `cargo xtask e2e`: only the browser suites, against the built `dist/`, the embed bundle
/// and the book, building each first only when it is missing.
pub fn e2e_command(sh: &Sh, e2e: &E2e) -> Result<()> {
    tools::ensure_npm_packages(sh)?;
    tools::ensure_chromium(sh)?;
    let book_embed = book_dir(sh).join("embed/hongbao-embed.js");
    let mkdocs_embed = mkdocs_dir(sh).join("embed/hongbao-embed.js");
    let missing = [
        crate::build::dist(sh).join("index.html"),
        crate::build::embed_dist(sh).join("hongbao-embed.js"),
        book_embed.clone(),
    ];
    if missing.iter().any(|p| !p.exists()) {
        tools::ensure_split_tools(sh)?;
    }
    if !book_embed.exists() {
        tools::ensure_mdbook(sh)?;
    }
    if !missing[0].exists() {
        crate::build::app(sh)?;
    }
    let new_embed = !missing[1].exists();
    if new_embed {
        crate::build::embed(sh)?;
    }
    if new_embed || !book_embed.exists() || !mkdocs_embed.exists() {
        build_docs(sh)?;
    }
    run_e2e(sh, e2e)
}

/// The end-to-end suite: node's test runner, Playwright (playwright-core) on Debian's Chromium,
/// `e2e.repeat` rounds of `e2e.files` (all files when empty). Stops at the first failing round
/// and names it and its failed tests.
pub fn run_e2e(sh: &Sh, e2e: &E2e) -> Result<()> {
    let files = e2e_files(sh, &e2e.files)?;
    // The real backend's tests (http.test.mjs) run the server's debug build (in `cargo xtask
    // test`, the native tests' build made it).
    if !e2e.server_built && files.iter().any(|f| f.ends_with("http.test.mjs")) {
        sh.cargo_linted(&[
            "build",
            "--quiet",
            "-p",
            "hongbao-server",
            "--bin",
            "hongbao-server",
        ])
        .run()?;
    }
    let server_bin = sh.target_dir().join("debug/hongbao-server");
    let artifacts = sh.root.join("target/e2e");
    std::fs::create_dir_all(&artifacts)?;
    let tap = artifacts.join("last-round.tap");
    let tap_arg = format!("--test-reporter-destination={}", tap.display());
    // Each file's time, to start the longest files first next time.
    let times_file = artifacts.join("file-times.txt");
    let round_times = artifacts.join("last-round-file-times.txt");
    let times_reporter = format!(
        "--test-reporter={}",
        sh.root.join("e2e/lib/file-times.mjs").display()
    );
    let times_arg = format!("--test-reporter-destination={}", round_times.display());
    let mut files = files;
    crate::times::longest_first(&mut files, String::as_str, &crate::times::read(&times_file));
    let rounds = e2e.repeat.max(1);
    let started = Instant::now();
    for round in 1..=rounds {
        if rounds > 1 {
            println!("\n=== end-to-end round {round} of {rounds} ===");
        }
        let t = Instant::now();
        // Three files at a time (the longest first), each with its own browser: most of a test waits on
        // animations, timers and simulated latency, so three browsers share the 2 cores well
        // (measured: the suite takes 145 s this way against 317 s one file at a time).
        // Two reporters: spec on the terminal, TAP into a file to name the failed tests.
        let mut args = vec![
            "--test",
            "--test-concurrency=3",
            "--test-reporter=spec",
            "--test-reporter-destination=stdout",
            "--test-reporter=tap",
            &tap_arg,
            &times_reporter,
            &times_arg,
        ];
        args.extend(files.iter().map(String::as_str));
        let mut cmd = sh.cmd("node", &args);
        cmd.env("HONGBAO_DIST", crate::build::dist(sh))
            .env("HONGBAO_SERVER_BIN", &server_bin)
            .env("HONGBAO_ARTIFACTS", &artifacts)
            .env("HONGBAO_EMBED_DIST", crate::build::embed_dist(sh))
            .env("HONGBAO_BOOK", book_dir(sh))
            .env("HONGBAO_MKDOCS", mkdocs_dir(sh))
            .env("CHROMIUM", CHROMIUM);
        let result = cmd.run();
        let _ = crate::times::record(&times_file, crate::times::read(&round_times));
        println!(
            "end-to-end round {round} of {rounds}: {} in {:.0?}",
            if result.is_ok() { "passed" } else { "FAILED" },
            t.elapsed()
        );
        if let Err(e) = result {
            let tap = std::fs::read_to_string(&tap).unwrap_or_default();
            let failed = failed_tests(&tap);
            for name in &failed {
                println!("  failed: {name}");
            }
            let which = if failed.is_empty() {
                format!("{e:#}")
            } else {
                failed.join("; ")
            };
            bail!("end-to-end round {round} of {rounds} failed: {which}");
        }
    }
    if rounds > 1 {
        println!(
            "end-to-end: {rounds} rounds passed in {:.0?}",
            started.elapsed()
        );
    }
    Ok(())
}

/// The test files to run, as paths: all `e2e/tests/*.test.mjs` when `wanted` is empty, else
/// each wanted one (`send`, `send.test.mjs` or a path to it).
fn e2e_files(sh: &Sh, wanted: &[String]) -> Result<Vec<String>> {
    let dir = sh.root.join("e2e/tests");
    let mut all: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    all.sort();
    if wanted.is_empty() {
        return Ok(all
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect());
    }
    wanted
        .iter()
        .map(|w| {
            let name = std::path::Path::new(w)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = if name.ends_with(".test.mjs") {
                name
            } else {
                format!("{}.test.mjs", name.trim_end_matches(".mjs"))
            };
            all.iter()
                .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == name))
                .map(|p| p.to_string_lossy().into_owned())
                .with_context(|| {
                    format!("no end-to-end test file {w} (looked for e2e/tests/{name})")
                })
        })
        .collect()
}

/// The failed tests in node's TAP output, as "file.test.mjs:line: test name: error" (from each
/// failure's `location:` and `error:` lines).
fn failed_tests(tap: &str) -> Vec<String> {
    let mut failed = Vec::new();
    let mut lines = tap.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim_start().strip_prefix("not ok ") else {
            continue;
        };
        let name = rest
            .split_once(" - ")
            .map_or(rest, |(_, name)| name)
            .trim()
            .to_owned();
        let (mut location, mut error) = (None, None);
        if lines.peek().is_some_and(|l| l.trim() == "---") {
            for detail in lines.by_ref() {
                let detail = detail.trim();
                if detail == "..." {
                    break;
                }
                let value = |key: &str| {
                    detail
                        .strip_prefix(key)
                        .map(|v| v.trim().trim_matches('\'').to_owned())
                };
                location = location.or_else(|| value("location:"));
                // A block scalar (`error: |-`): its first line.
                if error.as_deref() == Some("|-") {
                    error = Some(detail.to_owned());
                }
                error = error.or_else(|| value("error:"));
            }
        }
        // `/…/e2e/tests/send.test.mjs:441:1` → `send.test.mjs:441`.
        let place = location.map(|l| {
            let file = l.rsplit('/').next().unwrap_or(&l).to_owned();
            let mut parts = file.splitn(3, ':');
            match (parts.next(), parts.next()) {
                (Some(f), Some(line)) => format!("{f}:{line}"),
                _ => file,
            }
        });
        let mut entry = match place {
            Some(place) => format!("{place}: {name}"),
            None => name,
        };
        if let Some(error) = error.filter(|e| !e.is_empty() && e != "|-") {
            entry.push_str(&format!(" ({error})"));
        }
        failed.push(entry);
    }
    failed
}

/// The built user guide (`docs/book.toml` writes it here).
pub fn book_dir(sh: &Sh) -> std::path::PathBuf {
    sh.root.join("target/book")
}

/// The MkDocs example site (`docs/mkdocs/`), built here.
pub fn mkdocs_dir(sh: &Sh) -> std::path::PathBuf {
    sh.root.join("target/mkdocs")
}

/// The docs with live widgets: `mdbook build docs` (the user guide) and `mkdocs build` of the
/// MkDocs example (`docs/mkdocs/`, MkDocs from PyPI in a venv of its own), each with the embed
/// bundle copied into its `embed/` directory. Needs the embed build.
pub fn build_docs(sh: &Sh) -> Result<()> {
    tools::ensure_mdbook(sh)?;
    // The chapters' scripts load the loader's hashed file with its SRI hash (mdbook-hongbao).
    let manifest = crate::build::embed_dist(sh).join(crate::build::MANIFEST);
    sh.cmd("mdbook", &["build", "docs"])
        .env("HONGBAO_EMBED_MANIFEST", &manifest)
        .run()?;
    copy_embed(sh, &book_dir(sh).join("embed"))?;
    let mkdocs = tools::ensure_mkdocs(sh)?;
    let site = mkdocs_dir(sh);
    sh.cmd(
        &mkdocs.to_string_lossy(),
        &[
            "build",
            "--quiet",
            "--strict",
            "--config-file",
            "docs/mkdocs/mkdocs.yml",
            "--site-dir",
            &site.to_string_lossy(),
        ],
    )
    .run()?;
    copy_embed(sh, &site.join("embed"))
}

/// Copies the embed bundle's files into `to`.
fn copy_embed(sh: &Sh, to: &std::path::Path) -> Result<()> {
    let from = crate::build::embed_dist(sh);
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(&from)? {
        let path = entry?.path();
        if path.is_file() && path.file_name().is_some_and(|n| n != "index.html") {
            std::fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_tests_are_named_with_their_file() {
        let tap = [
            "TAP version 13",
            "# Subtest: a claim",
            "ok 1 - a claim",
            "  ---",
            "  duration_ms: 6.6",
            "  ...",
            "# Subtest: hold to confirm: letting go early cancels",
            "not ok 2 - hold to confirm: letting go early cancels",
            "  ---",
            "  duration_ms: 0.68",
            "  location: '/r/e2e/tests/send.test.mjs:441:1'",
            "  failureType: 'testCodeFailure'",
            "  error: 'an early release sent the packet'",
            "  stack: |-",
            "    TestContext.<anonymous> (file:///r/e2e/tests/send.test.mjs:456:3)",
            "  ...",
            "# Subtest: in flight",
            "not ok 3 - in flight",
            "  ---",
            "  location: '/r/e2e/tests/mock.test.mjs:76:3'",
            "  error: |-",
            "    the request was in flight",
            "    + actual - expected",
            "  code: 'ERR_ASSERTION'",
            "  ...",
            "# Subtest: no details",
            "not ok 3 - no details",
            "1..3",
        ]
        .join("\n");
        assert_eq!(
            failed_tests(&tap),
            [
                "send.test.mjs:441: hold to confirm: letting go early cancels (an early release sent the packet)",
                "mock.test.mjs:76: in flight (the request was in flight)",
                "no details"
            ]
        );
    }

    #[test]
    fn e2e_arguments_are_a_repeat_count_and_files() {
        let e2e = E2e::parse(&["--repeat", "5", "send", "claim.test.mjs"]).unwrap();
        assert_eq!(e2e.repeat, 5);
        assert_eq!(e2e.files, ["send", "claim.test.mjs"]);
        assert_eq!(E2e::parse(&[]).unwrap().repeat, 1);
        assert!(E2e::parse(&["--repeat", "0"]).is_err());
        assert!(E2e::parse(&["--repeat"]).is_err());
        assert!(E2e::parse(&["--fast"]).is_err());
    }
}
