//! The app's release build, code-split: what `dist/` holds for the tests, the benchmarks,
//! `cargo xtask size` and the real backend.
//!
//! Trunk 0.21 cannot split a wasm module (trunk-rs/trunk#1022), so this does by hand what
//! cargo-leptos does for Leptos's `#[lazy]` split points (src/split.rs):
//!
//! 1. `cargo build --release` for wasm32 with `--cfg hongbao_split` (the split points become
//!    `#[lazy]`) and `--emit-relocs` (wasm-split needs the relocations), in its own target
//!    directory: these RUSTFLAGS differ from every other wasm build's;
//! 2. `wasm-split-cli` (crates.io `wasm_split_cli_support`) cuts the module at the split
//!    points: a main module, one module per split point (`split_*.wasm`), modules of code
//!    shared by several split points (`chunk_*.wasm`) and their loader `__wasm_split.js`;
//! 3. `wasm-bindgen --target web --keep-lld-exports` on the main module (the chunks import its
//!    memory and function table, which wasm-bindgen would otherwise stop exporting);
//! 4. `wasm-opt -Oz` on every module (binaryen 132 from npm, as Trunk uses), and esbuild
//!    `--minify` (npm) on the JS;
//! 5. `dist/index.html` from the root `index.html`: its Trunk CSS links become one link to
//!    `hongbao.css` (the files in order, minified by esbuild), its Trunk rust link the module
//!    script that starts the app.
//!
//! `trunk serve` (`cargo xtask serve`) and the embed bundle stay on Trunk, unsplit.

use crate::sh::Sh;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The wasm features rustc 1.95 emits for wasm32-unknown-unknown; wasm-opt must accept them.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Where the app's release build goes.
pub fn dist(sh: &Sh) -> PathBuf {
    sh.root.join("dist")
}

/// `true` for the files the page loads on demand (not on the first screen).
pub fn is_lazy(file_name: &str) -> bool {
    file_name.ends_with(".wasm")
        && (file_name.starts_with("split_") || file_name.starts_with("chunk_"))
}

/// Builds the code-split release app into [`dist`].
pub fn app(sh: &Sh) -> Result<()> {
    crate::tools::ensure_wasm_split(sh)?;
    let target = sh.target_dir().join("split");
    let rustflags = "--cfg erase_components --cfg hongbao_split -C link-arg=--emit-relocs";
    sh.cargo(&[
        "build",
        "--release",
        "--target",
        crate::tools::WASM_TARGET,
        "--bin",
        "hongbao",
    ])
    .env("CARGO_TARGET_DIR", &target)
    .env("RUSTFLAGS", rustflags)
    .run()?;
    let linked = target.join("wasm32-unknown-unknown/release/hongbao.wasm");

    let staging = target.join("staging");
    fresh_dir(&staging)?;
    let staging_s = staging.to_string_lossy();
    sh.cmd(
        "wasm-split-cli",
        &[
            &linked.to_string_lossy(),
            &staging_s,
            "--out-name",
            "hongbao",
            "--target",
            "web",
        ],
    )
    .run()?;
    let main = staging.join("hongbao.wasm");
    sh.cmd(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-typescript",
            "--out-name",
            "hongbao",
            "--out-dir",
            &staging_s,
            &main.to_string_lossy(),
        ],
    )
    .run()?;
    std::fs::remove_file(&main)?;

    let dist = dist(sh);
    fresh_dir(&dist)?;
    for entry in std::fs::read_dir(&staging)? {
        let path = entry?.path();
        let name = path.file_name().context("a file name")?.to_owned();
        let out = dist.join(&name);
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => {
                let mut args = vec!["-Oz"];
                args.extend(WASM_FEATURES);
                let (input, output) = (path.to_string_lossy(), out.to_string_lossy());
                args.extend([&*input, "-o", &*output]);
                sh.cmd("wasm-opt", &args).run()?;
            }
            // wasm-bindgen writes one `import * as importN from "./__wasm_split.js"` per split
            // point and lists them under the same key: the same module, so esbuild's warning
            // about the duplicate key is noise (hence --log-level=error).
            Some("js") => minify(sh, &path, &out)?,
            _ => {}
        }
    }
    for required in ["hongbao.js", "hongbao_bg.wasm", "__wasm_split.js"] {
        if !dist.join(required).exists() {
            bail!("the split build made no {required}");
        }
    }
    let html = std::fs::read_to_string(sh.root.join("index.html"))?;
    let (page, css) = page(&html)?;
    let mut bundle = String::new();
    for href in css {
        let file = sh.root.join(href);
        bundle += &std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        bundle.push('\n');
    }
    let unminified = staging.join(CSS);
    std::fs::write(&unminified, bundle)?;
    minify(sh, &unminified, &dist.join(CSS))?;
    std::fs::write(dist.join("index.html"), page)?;
    Ok(())
}

/// The app's CSS: every stylesheet of index.html, in order, in one file.
const CSS: &str = "hongbao.css";

/// `esbuild --minify` of `input` (JS or CSS, by its extension) into `output`.
fn minify(sh: &Sh, input: &Path, output: &Path) -> Result<()> {
    let out = format!("--outfile={}", output.display());
    let input = input.to_string_lossy();
    sh.cmd("esbuild", &[&input, "--minify", "--log-level=error", &out])
        .run()
}

fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// The module script that starts the app, and preloads of what it fetches first.
const START: &str = r#"<link rel="modulepreload" href="/hongbao.js" />
    <link rel="preload" href="/hongbao_bg.wasm" as="fetch" type="application/wasm" crossorigin="anonymous" />
    <script type="module">
      import init from '/hongbao.js';
      await init({ module_or_path: '/hongbao_bg.wasm' });
    </script>"#;

/// The served page from Trunk's source page, and the stylesheets to bundle: the
/// `<link data-trunk rel="css" href="…">` lines become one link to [`CSS`] (where the first
/// was), the `<link data-trunk rel="rust" …>` the start script; everything else is kept.
fn page(source: &str) -> Result<(String, Vec<&str>)> {
    let mut out = String::with_capacity(source.len() + START.len());
    let mut css = vec![];
    let mut started = false;
    for line in source.lines() {
        let tag = line.trim();
        if !tag.starts_with("<link data-trunk") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        if tag.contains(r#"rel="css""#) {
            let href = attribute(tag, "href").with_context(|| format!("no href in {tag}"))?;
            if css.is_empty() {
                out.push_str(&format!(
                    "{indent}<link rel=\"stylesheet\" href=\"/{CSS}\" />\n"
                ));
            }
            css.push(href);
        } else if tag.contains(r#"rel="rust""#) {
            out.push_str(indent);
            out.push_str(START);
            out.push('\n');
            started = true;
        } else {
            bail!("index.html: a Trunk link this build does not know: {tag}");
        }
    }
    if !started {
        bail!("index.html has no <link data-trunk rel=\"rust\">");
    }
    Ok((out, css))
}

/// The value of `name="…"` in `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_links_one_css_bundle_and_starts_the_app() {
        let source = "<head>\n  <title>t</title>\n  <link data-trunk rel=\"css\" href=\"style/main.css\" />\n  <link data-trunk rel=\"css\" href=\"src/a/a.css\" />\n  <link data-trunk rel=\"rust\" data-bin=\"hongbao\" />\n</head>\n";
        let (page, css) = page(source).unwrap();
        assert_eq!(css, ["style/main.css", "src/a/a.css"]);
        assert!(page.contains("  <title>t</title>\n"));
        assert_eq!(page.matches("<link rel=\"stylesheet\"").count(), 1);
        assert!(page.contains("  <link rel=\"stylesheet\" href=\"/hongbao.css\" />\n"));
        assert!(page.contains("import init from '/hongbao.js';"));
        assert!(!page.contains("data-trunk"));
    }

    #[test]
    fn a_page_without_the_app_or_with_an_unknown_trunk_link_is_refused() {
        assert!(page("<head></head>").is_err());
        let unknown = "<link data-trunk rel=\"copy-dir\" href=\"assets\" />\n<link data-trunk rel=\"rust\" />";
        assert!(page(unknown).is_err());
    }

    #[test]
    fn lazy_files_are_the_split_and_chunk_modules() {
        assert!(is_lazy("split_lab_screen_123.wasm"));
        assert!(is_lazy("chunk_7.wasm"));
        assert!(!is_lazy("hongbao_bg.wasm"));
        assert!(!is_lazy("__wasm_split.js"));
    }
}
