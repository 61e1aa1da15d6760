//! Installs what the build and the tests need, skipping what is already there.
//!
//! Sources are package registries only (crates.io, npm, Debian); nothing is downloaded
//! from GitHub. Trunk would fetch wasm-bindgen and wasm-opt itself unless the versions on
//! PATH match `Trunk.toml` exactly, so we install exactly those.

use crate::sh::Sh;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::thread;

pub const TRUNK_VERSION: &str = "0.21.14";
/// wasm-split (crate `wasm_split_cli_support`): cuts the release app at its split points.
pub const WASM_SPLIT_VERSION: &str = "0.2.4";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// mdBook for the user guide (docs/); 0.5.4 builds on rustc 1.95.
pub const MDBOOK_VERSION: &str = "0.5.4";
/// MkDocs (PyPI), for the MkDocs example site of the docs (docs/mkdocs/).
pub const MKDOCS_VERSION: &str = "1.6.1";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Everything any command uses (`cargo xtask setup`): build tools, Trunk, mdBook, npm
/// packages, Chromium, PostgreSQL.
pub fn ensure_all(sh: &Sh) -> Result<()> {
    thread::scope(|s| {
        // One thread for apt: dpkg takes one lock.
        let apt = s.spawn(|| ensure_chromium(sh).and_then(|()| ensure_postgres(sh).map(drop)));
        let npm = s.spawn(|| ensure_npm_packages(sh));
        let cargo = ensure_trunk(sh)
            .and_then(|()| ensure_split_tools(sh))
            .and_then(|()| ensure_mdbook(sh))
            .and_then(|()| ensure_mkdocs(sh).map(drop));
        let apt = apt.join().expect("apt thread");
        let npm = npm.join().expect("npm thread");
        cargo.and(apt).and(npm)
    })
}

/// What `trunk serve` needs: the wasm target, Trunk and the wasm-bindgen CLI (a debug build
/// runs no wasm-opt), and the crates fetched (Trunk builds `--offline`).
pub fn ensure_serve_tools(sh: &Sh) -> Result<()> {
    ensure_trunk(sh)?;
    ensure_wasm_bindgen(sh)
}

/// What the code-split release build needs (xtask/src/build.rs): the wasm target, the
/// wasm-bindgen CLI, wasm-split, and npm's wasm-opt and esbuild.
pub fn ensure_split_tools(sh: &Sh) -> Result<()> {
    ensure_wasm_bindgen(sh)?;
    ensure_wasm_split(sh)?;
    ensure_npm_packages(sh)
}

/// Trunk (for `serve` only: the tests and the release builds do not use it).
pub fn ensure_trunk(sh: &Sh) -> Result<()> {
    ensure_wasm_target(sh)?;
    ensure_cargo_tool(sh, "trunk", "trunk", TRUNK_VERSION, &["--locked"])?;
    // Trunk needs the crates fetched to build with --offline.
    sh.cargo(&["fetch", "--quiet"]).run()
}

/// The wasm32 target and the wasm-bindgen CLI of the version in Cargo.lock (with it comes
/// `wasm-bindgen-test-runner`, the browser tests' runner).
pub fn ensure_wasm_bindgen(sh: &Sh) -> Result<()> {
    ensure_wasm_target(sh)?;
    let bindgen = wasm_bindgen_version(&sh.root)?;
    // Not --locked: the CLI's own lockfile wants a crate version the registry lacks.
    ensure_cargo_tool(sh, "wasm-bindgen", "wasm-bindgen-cli", &bindgen, &[])
}

pub fn ensure_wasm_target(sh: &Sh) -> Result<()> {
    let sysroot = sh
        .cmd("rustc", &["--print", "sysroot"])
        .read()
        .context("rustc not found")?;
    if Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .exists()
    {
        return Ok(());
    }
    sh.cmd("rustup", &["target", "add", WASM_TARGET]).run()
}

/// mdBook, for `docs/` (the docs stage calls this; installed once, like Trunk).
pub fn ensure_mdbook(sh: &Sh) -> Result<()> {
    let have = sh.cmd("mdbook", &["--version"]).read().unwrap_or_default();
    if have
        .split_whitespace()
        .nth(1)
        .map(|v| v.trim_start_matches('v'))
        == Some(MDBOOK_VERSION)
    {
        return Ok(());
    }
    println!("xtask: installing mdbook {MDBOOK_VERSION}; this takes a few minutes once");
    cargo_install(sh, &["mdbook", "--version", MDBOOK_VERSION, "--locked"])
}

/// MkDocs from PyPI in a virtual environment of its own under the target directory (never the
/// system's Python packages); returns the `mkdocs` executable. Installed once, when missing.
pub fn ensure_mkdocs(sh: &Sh) -> Result<PathBuf> {
    let venv = sh.target_dir().join("mkdocs-venv");
    let mkdocs = venv.join("bin/mkdocs");
    let have = sh
        .cmd(&mkdocs.to_string_lossy(), &["--version"])
        .read()
        .unwrap_or_default();
    // "mkdocs, version 1.6.1 from …"
    if have.split_whitespace().nth(2) == Some(MKDOCS_VERSION) {
        return Ok(mkdocs);
    }
    println!(
        "xtask: installing mkdocs {MKDOCS_VERSION} from PyPI into {}",
        venv.display()
    );
    sh.cmd("python3", &["-m", "venv", &venv.to_string_lossy()])
        .run()?;
    let pip = venv.join("bin/pip");
    sh.cmd(
        &pip.to_string_lossy(),
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("mkdocs=={MKDOCS_VERSION}"),
        ],
    )
    .run()?;
    Ok(mkdocs)
}

/// wasm-split, for the code-split release build only (`trunk serve` does not need it).
/// wasm-split-cli has no `--version`: ask cargo what it installed.
pub fn ensure_wasm_split(sh: &Sh) -> Result<()> {
    let installed = sh.cargo(&["install", "--list"]).read().unwrap_or_default();
    let want = format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:");
    if installed.lines().any(|l| l.trim() == want) {
        return Ok(());
    }
    println!(
        "xtask: installing wasm_split_cli_support {WASM_SPLIT_VERSION}; this takes a few minutes once"
    );
    cargo_install(
        sh,
        &[
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
            "--locked",
        ],
    )
}

/// `cargo install <krate> --version <version>` unless `<bin> --version` already says it.
fn ensure_cargo_tool(sh: &Sh, bin: &str, krate: &str, version: &str, extra: &[&str]) -> Result<()> {
    let have = sh.cmd(bin, &["--version"]).read().unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version) {
        return Ok(());
    }
    println!(
        "xtask: installing {krate} {version} (have: {:?}); this takes a few minutes once",
        have.trim()
    );
    let mut args = vec![krate, "--version", version];
    args.extend_from_slice(extra);
    cargo_install(sh, &args)
}

/// `cargo install <args>`, without the tools' own link-time optimisation and with 16 codegen
/// units: measured for wasm-split, 183 s -> 145 s of CPU (Trunk's own profile is fat LTO with
/// one codegen unit, so it gains more). The tools run for seconds per build either way.
fn cargo_install(sh: &Sh, args: &[&str]) -> Result<()> {
    let mut all = vec!["install"];
    all.extend_from_slice(args);
    let mut cmd = sh.cargo(&all);
    cmd.env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    cmd.run()
}

/// The wasm-bindgen version in Cargo.lock (the CLI must match it exactly).
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""#
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen not found in Cargo.lock")
}

/// playwright-core (drives Chromium), binaryen (wasm-opt), esbuild (minifies the release
/// build's JS and CSS), axe-core (the accessibility audit of `a11y.test.mjs`) and jsQR (reads
/// the lab's QR codes back in `lab.test.mjs`), from e2e/package-lock.json.
pub fn ensure_npm_packages(sh: &Sh) -> Result<()> {
    let e2e = sh.root.join("e2e");
    let ready = [
        "node_modules/.bin/wasm-opt",
        "node_modules/.bin/esbuild",
        "node_modules/playwright-core/package.json",
        "node_modules/axe-core/axe.min.js",
        "node_modules/jsqr/dist/jsQR.js",
    ]
    .iter()
    .all(|p| e2e.join(p).exists());
    let lock_newer = modified(&e2e.join("package-lock.json"))
        > modified(&e2e.join("node_modules/.package-lock.json"));
    if ready && !lock_newer {
        return Ok(());
    }
    // PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: belt and braces; playwright-core downloads nothing.
    sh.cmd(
        "npm",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    )
    .dir(&e2e)
    .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    .run()
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Fonts so that screenshots show Chinese text and emoji rather than boxes.
const FONTS: [(&str, &str); 2] = [
    (
        "fonts-wqy-microhei",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    ),
    (
        "fonts-noto-color-emoji",
        "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    ),
];

/// Debian's chromium and chromium-driver (never a browser a tool downloads itself), and fonts.
pub fn ensure_chromium(sh: &Sh) -> Result<()> {
    let fonts_present = FONTS.iter().all(|(_, file)| Path::new(file).exists());
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() && fonts_present {
        return Ok(());
    }
    println!("xtask: installing Debian's chromium, chromium-driver and fonts");
    apt(sh, &["update", "-qq"])?;
    let mut packages = vec![
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ];
    packages.extend(FONTS.iter().map(|(package, _)| *package));
    apt(sh, &packages)
}

/// `apt-get <args>`, through sudo unless we are root.
fn apt(sh: &Sh, args: &[&str]) -> Result<()> {
    if is_root(sh) {
        sh.cmd("apt-get", args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    } else {
        let mut all = vec!["apt-get"];
        all.extend_from_slice(args);
        sh.cmd("sudo", &all)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`, if any.
pub fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Debian's PostgreSQL (the server's tests and benchmark start throwaway clusters from its
/// binaries; nothing uses the cluster the package may create).
pub fn ensure_postgres(sh: &Sh) -> Result<PathBuf> {
    if let Some(bin) = postgres_bin() {
        return Ok(bin);
    }
    println!("xtask: installing Debian's postgresql");
    apt(sh, &["update", "-qq"])?;
    apt(
        sh,
        &[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "postgresql",
        ],
    )?;
    postgres_bin().context("postgresql is installed but /usr/lib/postgresql/*/bin/initdb is not")
}

fn is_root(sh: &Sh) -> bool {
    sh.cmd("id", &["-u"])
        .read()
        .is_some_and(|s| s.trim() == "0")
}
