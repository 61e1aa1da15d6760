//! The native tests, their binaries run side by side.
//!
//! `cargo test --workspace` runs the test binaries one after another. Ours spend most of their
//! time waiting (the server's tests on fsync, PostgreSQL, child processes and timeouts: 190 s
//! of wall time for 71 s of CPU, measured with `/usr/bin/time cargo test --workspace`), so
//! [`run`] starts them [`JOBS`] at a time, longest first (each binary's time of the last run
//! is kept in `target/native-test-times.txt`), each from its package's directory as cargo
//! would, and prints each binary's output whole when it ends. The doc tests run as one more
//! job (`cargo test --doc`, which compiles them).

use crate::sh::Sh;
use anyhow::{Context, Result, bail};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Binaries running at once. Each runs its own tests on two threads; three binaries keep the
/// two cores busy while most of them wait (the end-to-end suite runs beside them too).
const JOBS: usize = 3;

/// A test binary cargo built: what `cargo test` would run, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    /// Its source, relative to the repository (`server/tests/fuzz.rs`): the name it is shown by.
    pub name: String,
    pub exe: PathBuf,
    /// Its package's directory: the working directory `cargo test` gives it.
    pub dir: PathBuf,
}

/// Builds the workspace's test binaries (`cargo test --no-run`), linting our crates as they
/// compile ([`Sh::cargo_linted`]), and lists them.
pub fn build(sh: &Sh) -> Result<Vec<Binary>> {
    let json = sh
        .cargo_linted(&[
            "test",
            "--workspace",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .run_capture_quiet()?;
    let binaries = binaries(&json, &sh.root);
    if binaries.is_empty() {
        bail!("cargo built no test binary");
    }
    Ok(binaries)
}

/// The test executables in cargo's JSON messages.
pub fn binaries(json: &str, root: &std::path::Path) -> Vec<Binary> {
    let mut out: Vec<Binary> = Vec::new();
    for line in json.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" || msg["profile"]["test"] != true {
            continue;
        }
        let (Some(exe), Some(manifest), Some(src)) = (
            msg["executable"].as_str(),
            msg["manifest_path"].as_str(),
            msg["target"]["src_path"].as_str(),
        ) else {
            continue;
        };
        let src = PathBuf::from(src);
        let name = src.strip_prefix(root).unwrap_or(&src).display().to_string();
        let dir = PathBuf::from(manifest)
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| root.to_path_buf());
        let binary = Binary {
            name,
            exe: PathBuf::from(exe),
            dir,
        };
        if !out.contains(&binary) {
            out.push(binary);
        }
    }
    out
}

/// What one job runs.
enum Job {
    Binary(Binary),
    DocTests,
}

impl Job {
    fn name(&self) -> &str {
        match self {
            Job::Binary(b) => &b.name,
            Job::DocTests => "doc tests",
        }
    }
}

/// Runs the binaries (and the doc tests) [`JOBS`] at a time; fails naming every binary that
/// failed.
pub fn run(sh: &Sh, binaries: &[Binary], envs: &[(&str, &str)]) -> Result<()> {
    let times_file = sh.target_dir().join("native-test-times.txt");
    let last = crate::times::read(&times_file);
    let mut jobs: Vec<Job> = binaries.iter().cloned().map(Job::Binary).collect();
    jobs.push(Job::DocTests);
    crate::times::longest_first(&mut jobs, Job::name, &last);
    let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<_>>());
    let results: Mutex<Vec<(String, Duration, bool)>> = Mutex::new(Vec::new());
    let print = Mutex::new(());
    println!(
        "$ {} test binaries and the doc tests, {JOBS} at a time (xtask/src/native.rs)",
        binaries.len()
    );
    std::thread::scope(|scope| {
        for _ in 0..JOBS {
            scope.spawn(|| {
                // The guard is the closure's and ends with it: the queue is locked only to pop.
                while let Some(job) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let started = Instant::now();
                    let output = match &job {
                        Job::Binary(b) => {
                            let mut cmd = Command::new(&b.exe);
                            cmd.current_dir(&b.dir).env("CARGO_MANIFEST_DIR", &b.dir);
                            for (k, v) in envs {
                                cmd.env(k, v);
                            }
                            cmd.output()
                        }
                        Job::DocTests => sh
                            .cargo_linted(&["test", "--workspace", "--doc"])
                            .command()
                            .output(),
                    };
                    let took = started.elapsed();
                    let _guard = print.lock();
                    let passed = match output {
                        Ok(out) => {
                            println!(
                                "\n--- {} ({:.1} s) ---\n{}{}",
                                job.name(),
                                took.as_secs_f64(),
                                String::from_utf8_lossy(&out.stdout),
                                String::from_utf8_lossy(&out.stderr)
                            );
                            out.status.success()
                        }
                        Err(e) => {
                            println!("\n--- {}: could not start: {e} ---", job.name());
                            false
                        }
                    };
                    if let Ok(mut r) = results.lock() {
                        r.push((job.name().to_owned(), took, passed));
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let times = results
        .iter()
        .map(|(name, took, _)| (name.clone(), took.as_millis() as u64))
        .collect();
    crate::times::record(&times_file, times)
        .with_context(|| format!("writing {}", times_file.display()))?;
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, _, passed)| !passed)
        .map(|(name, _, _)| name.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_binaries_are_read_from_cargos_messages() {
        let json = r#"{"reason":"compiler-artifact","package_id":"path+file:///r/server#hongbao-server@0.1.0","manifest_path":"/r/server/Cargo.toml","target":{"kind":["test"],"name":"fuzz","src_path":"/r/server/tests/fuzz.rs"},"profile":{"test":true},"executable":"/r/target/debug/deps/fuzz-1"}
{"reason":"compiler-artifact","manifest_path":"/r/engine/Cargo.toml","target":{"kind":["lib"],"name":"e","src_path":"/r/engine/src/lib.rs"},"profile":{"test":false},"executable":null}
{"reason":"compiler-artifact","manifest_path":"/r/engine/Cargo.toml","target":{"kind":["lib"],"name":"e","src_path":"/r/engine/src/lib.rs"},"profile":{"test":true},"executable":"/r/target/debug/deps/e-2"}
not json
{"reason":"build-finished","success":true}"#;
        let found = binaries(json, std::path::Path::new("/r"));
        assert_eq!(
            found,
            vec![
                Binary {
                    name: "server/tests/fuzz.rs".into(),
                    exe: "/r/target/debug/deps/fuzz-1".into(),
                    dir: "/r/server".into(),
                },
                Binary {
                    name: "engine/src/lib.rs".into(),
                    exe: "/r/target/debug/deps/e-2".into(),
                    dir: "/r/engine".into(),
                },
            ]
        );
    }
}
