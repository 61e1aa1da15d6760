//! `cargo xtask <command>`: the project's build, test, serve and benchmark tooling.
//!
//! Every command first installs what it needs and is missing (see `tools.rs`), so a fresh
//! machine needs nothing but cargo, node/npm and apt.

mod bench;
mod sh;
mod size;
mod test;
mod tools;

use anyhow::{Result, bail};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  serve            install what is missing, build, and serve the app at http://127.0.0.1:8080
                   (mock backend)
  test             everything CI checks: fmt, clippy (native + wasm32), native tests,
                   browser tests (wasm-bindgen-test), docs, release build, end-to-end tests
  size             release build, then raw/gzip/brotli sizes; last line bundle_brotli_bytes=<N>
  bench engine     engine throughput (native and wasm32 in headless Chromium)
  bench ui         time to interactive and long tasks during claims, in headless Chromium
  setup            only install the tools (wasm32 target, Trunk, wasm-bindgen, wasm-opt,
                   Chromium, npm packages)
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
    if let Some(arg) = rest.first() {
        bail!("unknown argument to serve: {arg}");
    }
    tools::ensure_build_tools(sh)?;
    println!(
        "\nHongbao: building, then serving at http://127.0.0.1:8080/ (mock backend). Ctrl-C stops.\n"
    );
    sh.trunk(&["serve", "--address", "127.0.0.1", "--port", "8080"])
        .run()
}
