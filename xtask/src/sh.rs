//! Running commands from the repository root with the project's tools on PATH.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::Sender;
use std::time::Instant;

pub struct Sh {
    pub root: PathBuf,
    path: OsString,
}

impl Sh {
    /// Cargo's target directory (`CARGO_TARGET_DIR`, else `<root>/target`).
    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.join("target"))
    }

    pub fn new() -> Result<Sh> {
        // `cargo xtask` (cargo run) sets CARGO_MANIFEST_DIR for the run: the checkout the
        // command was typed in, even when the binary was built in another one (a target
        // directory copied between checkouts); the compile-time value is the fallback.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .context("xtask lives one level below the repository root")?
            .to_path_buf();
        // Tools we install: cargo's bin (Trunk, wasm-bindgen) and npm's (wasm-opt).
        let mut dirs = vec![cargo_home().join("bin"), root.join("e2e/node_modules/.bin")];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(dirs)?;
        Ok(Sh { root, path })
    }

    /// A command run from the repository root with the tools on PATH.
    pub fn cmd(&self, program: &str, args: &[&str]) -> Cmd {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(&self.root)
            .env("PATH", &self.path);
        Cmd {
            command,
            program: program.to_owned(),
            display: format!("{program} {}", args.join(" ")),
        }
    }

    /// cargo; on CI (`CI` set: a fresh clone, built once) without incremental compilation,
    /// which only slows a first build (measured on hongbao-engine and hongbao-api, our crates
    /// alone: 16.4 s -> 11.8 s of CPU). `CARGO_INCREMENTAL` set by the caller wins.
    pub fn cargo(&self, args: &[&str]) -> Cmd {
        let mut cmd = self.cmd("cargo", args);
        if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
            cmd.env("CARGO_INCREMENTAL", "0");
        }
        cmd
    }

    /// `cargo` with clippy as the workspace's compiler wrapper (`RUSTC_WORKSPACE_WRAPPER`,
    /// as `cargo clippy` sets it, with `-D warnings`): our crates are linted while they are
    /// built, so the test command needs no `cargo clippy`, whose check mode compiled every
    /// dependency a second time (as metadata). Dependencies are compiled by plain rustc, as
    /// by `cargo clippy`. The wrapper is part of a unit's fingerprint, so every cargo call
    /// that builds the same units goes through here (the test builds, the doc tests, the
    /// end-to-end suite's server build), or it would compile our crates again.
    pub fn cargo_linted(&self, args: &[&str]) -> Cmd {
        let mut cmd = self.cargo(args);
        cmd.env("RUSTC_WORKSPACE_WRAPPER", clippy_driver());
        cmd.env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        );
        cmd
    }

    /// Trunk, never downloading: version check off, tools from PATH (pinned in Trunk.toml).
    pub fn trunk(&self, args: &[&str]) -> Cmd {
        let mut all = args.to_vec();
        all.push("--offline");
        let mut cmd = self.cmd("trunk", &all);
        cmd.env("TRUNK_SKIP_VERSION_CHECK", "true");
        cmd
    }
}

std::thread_local! {
    static LOG: std::cell::RefCell<Option<(PathBuf, Sender<String>)>> =
        const { std::cell::RefCell::new(None) };
}

/// From now on, the commands this thread [runs](Cmd::run) append their output to `log`
/// instead of the terminal (for a stage that runs beside others: its output stays whole),
/// and the name of each program is sent to `started` as it starts.
pub fn log_to(log: PathBuf, started: Sender<String>) {
    LOG.with(|l| *l.borrow_mut() = Some((log, started)));
}

pub struct Cmd {
    command: Command,
    program: String,
    display: String,
}

impl Cmd {
    pub fn env(&mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> &mut Cmd {
        self.command.env(key, value);
        self
    }
    pub fn dir(&mut self, dir: impl AsRef<Path>) -> &mut Cmd {
        self.command.current_dir(dir);
        self
    }

    /// Runs it, echoing the command; fails on a non-zero exit. Its output goes to the
    /// terminal, or to this thread's log (see [`log_to`]).
    pub fn run(&mut self) -> Result<()> {
        let log = LOG.with(|l| l.borrow().clone());
        if let Some((path, started)) = log {
            let _ = started.send(self.program.clone());
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            writeln!(file, "$ {}", self.display)?;
            self.command
                .stdout(file.try_clone()?)
                .stderr(file.try_clone()?);
        } else {
            println!("$ {}", self.display);
        }
        let started = Instant::now();
        let status = self
            .command
            .status()
            .with_context(|| format!("could not start `{}`", self.display))?;
        if !status.success() {
            bail!(
                "`{}` failed ({status}) after {:.0?}",
                self.display,
                started.elapsed()
            );
        }
        Ok(())
    }

    /// The command itself, for a caller that runs it its own way.
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Runs it, echoing the command line (not its stdout, which it returns; stderr goes to
    /// the terminal); fails on a non-zero exit.
    pub fn run_capture_quiet(&mut self) -> Result<String> {
        println!("$ {}", self.display);
        let out = self
            .command
            .stderr(std::process::Stdio::inherit())
            .output()
            .with_context(|| format!("could not start `{}`", self.display))?;
        if !out.status.success() {
            bail!("`{}` failed ({})", self.display, out.status);
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs it quietly and returns its stdout; `None` when it cannot start or fails.
    pub fn read(&mut self) -> Option<String> {
        let out = self.command.output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs it, echoing its output as it comes, and also returns the whole stdout.
    pub fn run_capture(&mut self) -> Result<String> {
        use std::io::{BufRead, BufReader};
        println!("$ {}", self.display);
        let mut child = self
            .command
            .stdout(std::process::Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start `{}`", self.display))?;
        let mut all = String::new();
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line?;
                println!("{line}");
                all.push_str(&line);
                all.push('\n');
            }
        }
        let status = child.wait()?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.display);
        }
        Ok(all)
    }
}

/// The toolchain's `clippy-driver` (rustup's, else the one on the `PATH`).
fn clippy_driver() -> PathBuf {
    std::process::Command::new("rustup")
        .args(["which", "clippy-driver"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| PathBuf::from(s.trim()))
        .unwrap_or_else(|| PathBuf::from("clippy-driver"))
}

pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".cargo")
        })
}

/// The last `key=value` line of `output` for `key`.
pub fn metric(output: &str, key: &str) -> Option<String> {
    output.lines().rev().find_map(|l| {
        l.trim()
            .strip_prefix(key)?
            .strip_prefix('=')
            .map(|v| v.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_logging_to_a_file_writes_its_commands_output_there_and_announces_them() {
        let sh = Sh::new().unwrap();
        let log = std::env::temp_dir().join(format!("xtask-log-test-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&log);
        let (started, programs) = std::sync::mpsc::channel();
        let path = log.clone();
        std::thread::spawn(move || {
            log_to(path, started);
            sh.cmd("echo", &["to the log"]).run().unwrap();
            sh.cmd("sh", &["-c", "echo to stderr >&2"]).run().unwrap();
            assert!(sh.cmd("false", &[]).run().is_err());
        })
        .join()
        .unwrap();
        // The sender went with the thread: the list ends.
        assert_eq!(programs.iter().collect::<Vec<_>>(), ["echo", "sh", "false"]);
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            text,
            "$ echo to the log\nto the log\n$ sh -c echo to stderr >&2\nto stderr\n$ false \n"
        );
        std::fs::remove_file(&log).unwrap();
    }

    #[test]
    fn other_threads_are_not_redirected() {
        let sh = Sh::new().unwrap();
        let (started, programs) = std::sync::mpsc::channel();
        let log = std::env::temp_dir().join(format!("xtask-log-test2-{}.log", std::process::id()));
        std::thread::spawn(move || log_to(log, started))
            .join()
            .unwrap();
        assert!(sh.cmd("true", &[]).run().is_ok());
        assert!(programs.iter().next().is_none());
    }
}
