//! `cargo xtask <command>`: the project's build, test, serve and benchmark tooling.
//!
//! Every command first installs what it needs and is missing (see `tools.rs`), so a fresh
//! machine needs nothing but cargo, node/npm and apt.

mod bench;
mod build;
mod native;
mod pg;
mod sh;
mod size;
mod test;
mod times;
mod tools;

use anyhow::{Result, bail};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  serve            install what is missing, build, and serve the app at http://127.0.0.1:8080
                   (mock backend)
  serve --backend real
                   the real backend: a release build of the widget served by hongbao-server
                   (SQLite in target/hongbao.db, demo users, test clock) at
                   http://127.0.0.1:8080/?backend=http
  test             everything CI checks: fmt, clippy (native + wasm32), native tests,
                   browser tests (wasm-bindgen-test), docs, release build, end-to-end tests
  e2e [--repeat N] [files…]
                   only the end-to-end tests (e2e/tests/*.test.mjs, or the files named:
                   `send`, `claim.test.mjs`, …) against the built dist/, embed bundle and book
                   (each built first only when missing); --repeat N runs N rounds and stops at
                   the first failing one, naming the round and its failed tests
  size             release builds, then raw/gzip/brotli sizes; ends with embed_brotli_bytes=<N>
                   and bundle_brotli_bytes=<N> (the app's first load; lazy chunks apart)
  bench engine     engine throughput (native and wasm32 in headless Chromium)
  bench ui         time to interactive and long tasks during claims, in headless Chromium
  bench server     claims/s and p99 of the server on SQLite and PostgreSQL (loopback load)
  setup            only install the tools (wasm32 target, Trunk, wasm-bindgen, wasm-split, mdBook,
                   npm packages, Chromium, PostgreSQL); the other commands install what they use
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let sh = sh::Sh::new()?;
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve", rest @ ..] => serve(&sh, rest),
        ["test"] => test::run(&sh),
        ["e2e", rest @ ..] => test::e2e_command(&sh, &test::E2e::parse(rest)?),
        ["size"] => size::run(&sh),
        ["bench", what] => bench::run(&sh, what),
        ["setup"] => tools::ensure_all(&sh),
        [] | ["help" | "-h" | "--help"] => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {:?}\n\n{USAGE}", other.join(" ")),
    }
}

fn serve(sh: &sh::Sh, rest: &[&str]) -> Result<()> {
    match rest {
        [] | ["--backend", "mock"] => {}
        ["--backend", "real" | "http"] => return serve_real(sh),
        _ => bail!("unknown arguments to serve: {}", rest.join(" ")),
    }
    tools::ensure_serve_tools(sh)?;
    println!(
        "\nHongbao: building, then serving at http://127.0.0.1:8080/ (mock backend). Ctrl-C stops.\n"
    );
    sh.trunk(&["serve", "--address", "127.0.0.1", "--port", "8080"])
        .run()
}

/// The whole thing on the real backend: the widget's release build served by the server.
fn serve_real(sh: &sh::Sh) -> Result<()> {
    build::app(sh)?;
    sh.cargo(&["build", "--profile", "server", "-p", "hongbao-server"])
        .run()?;
    let target = sh.target_dir();
    let exe = target.join("server/hongbao-server");
    let db = format!("sqlite://{}", target.join("hongbao.db").display());
    let dist = build::dist(sh);
    println!(
        "\nHongbao: serving the widget and the API at http://127.0.0.1:8080/ \
         (HTTP backend; SQLite: {db}; demo users alice … judy, password hongbao; alice is \
         also the researcher who reads everyone's lab events). Ctrl-C stops.\n"
    );
    sh.cmd(
        &exe.to_string_lossy(),
        &[
            "--listen",
            "127.0.0.1:8080",
            "--database-url",
            &db,
            "--static-dir",
            &dist.to_string_lossy(),
            "--test-clock",
            // The demo's researcher (the Lab tab's export of everyone's events).
            "--researcher",
            "alice",
        ],
    )
    .run()
}
