//! The release builds, code-split: the app (`dist/`, for the tests, the benchmarks, `cargo
//! xtask size` and the real backend) and the embed bundle (`target/dist-embed/`).
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
//! 4. `wasm-opt -Oz` on every module (binaryen 132 from npm, as Trunk uses), in parallel, and
//!    esbuild `--minify` (npm) on the JS;
//! 5. the app: `dist/index.html` from the root `index.html`, whose Trunk CSS links become one
//!    link to `hongbao.css` (the files in order, minified by esbuild) and whose Trunk rust
//!    link becomes the module script that starts the app. The embed: the same CSS plus
//!    `embed/embed.css` as its `hongbao.css`, and the files of `embed/` (the loader
//!    `hongbao-embed.js` and the iframe mode), JS and CSS minified.
//!
//! Step 1 compiles both binaries in one cargo invocation when both are wanted
//! ([`compile_both`]); steps 2–4 are skipped when the linked module did not change.
//!
//! `trunk serve` (`cargo xtask serve`) stays on Trunk, unsplit. A Trunk `post_build` hook
//! cannot do this for `trunk build --release` without redoing all of Trunk's work after cargo:
//! ARCHITECTURE.md, "Why the release build is not `trunk build --release`".

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

/// Where the embed bundle goes.
pub fn embed_dist(sh: &Sh) -> PathBuf {
    sh.target_dir().join("dist-embed")
}

/// `true` for the files a page loads on demand (split points' modules).
pub fn is_lazy(file_name: &str) -> bool {
    file_name.ends_with(".wasm")
        && (file_name.starts_with("split_") || file_name.starts_with("chunk_"))
}

/// Builds the code-split release app into [`dist`].
pub fn app(sh: &Sh) -> Result<()> {
    let dist = dist(sh);
    split_build(sh, "hongbao", &dist)?;
    let html = std::fs::read_to_string(sh.root.join("index.html"))?;
    let (page, css) = page(&html)?;
    bundle_css(sh, &css, &dist)?;
    std::fs::write(dist.join("index.html"), page)?;
    Ok(())
}

/// Where the bare Leptos counter page goes (`cargo xtask bench ui`'s yardstick).
pub fn counter_dist(sh: &Sh) -> PathBuf {
    sh.target_dir().join("dist-counter")
}

/// Builds the bare Leptos counter page (crate `counter/`) into [`counter_dist`] exactly as
/// the app is built (the same cargo profile, flags and target directory, wasm-split,
/// wasm-bindgen, wasm-opt, the same start script), with a page of its own and no CSS. Only
/// `cargo xtask bench ui` builds it: the test command and `size` never do.
pub fn counter(sh: &Sh) -> Result<()> {
    let dist = counter_dist(sh);
    split_build(sh, "counter", &dist)?;
    std::fs::write(dist.join("index.html"), counter_page())?;
    Ok(())
}

/// The counter's page: the app's start script for the `counter` modules, nothing else.
fn counter_page() -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\" />\n    \
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n    \
         <title>Leptos counter</title>\n    <link rel=\"icon\" href=\"data:,\" />\n    {}\n  \
         </head>\n  <body></body>\n</html>\n",
        start_script("counter")
    )
}

/// Builds the embed bundle into [`embed_dist`]: stable file names (the loader
/// `hongbao-embed.js` imports `embed.js`, the shadow roots link `hongbao.css`).
pub fn embed(sh: &Sh) -> Result<()> {
    let dist = embed_dist(sh);
    split_build(sh, "embed", &dist)?;
    let html = std::fs::read_to_string(sh.root.join("index.html"))?;
    let (_, mut css) = page(&html)?;
    css.push("embed/embed.css");
    bundle_css(sh, &css, &dist)?;
    for name in EMBED_FILES {
        let (from, to) = (sh.root.join("embed").join(name), dist.join(name));
        if name.ends_with(".html") {
            std::fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
        } else {
            minify(sh, &from, &to)?;
        }
    }
    Ok(())
}

/// The embed's own files, next to its modules: the loader and the iframe mode.
const EMBED_FILES: [&str; 4] = ["hongbao-embed.js", "frame.html", "frame.js", "frame.css"];

/// The modules split point `split` needs, as file names in its dist: its own module and the
/// chunks it shares with other split points (read from the unminified loader wasm-split wrote,
/// whose comments name, above each chunk, the split points that need it).
pub fn split_modules(sh: &Sh, bin: &str, dist: &Path, split: &str) -> Result<Vec<String>> {
    let loader = std::fs::read_to_string(staging(sh, bin).join("__wasm_split.js"))?;
    let mut files: Vec<String> = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.strip_prefix("split_")
                .and_then(|rest| rest.strip_suffix(".wasm"))
                .is_some_and(|name| names(name, split))
        })
        .collect();
    if files.len() != 1 {
        bail!(
            "split point {split}: expected one module in {}, found {files:?}",
            dist.display()
        );
    }
    files.extend(chunks_needed(&loader, split));
    Ok(files)
}

/// The chunks of wasm-split's loader `loader` that split point `split` needs: above each
/// `const __chunk_N`, a comment lists the split points (`name_hash`) that need it.
fn chunks_needed(loader: &str, split: &str) -> Vec<String> {
    let mut chunks = vec![];
    let mut users = None;
    for line in loader.lines() {
        let line = line.trim();
        if let Some(list) = line.strip_prefix("/* ").and_then(|l| l.strip_suffix(" */")) {
            users = Some(list.to_owned());
        } else if let Some(rest) = line.strip_prefix("const __chunk_") {
            let n = rest.split(' ').next().unwrap_or_default();
            let needed = users
                .take()
                .is_some_and(|list| list.split(", ").any(|u| names(u, split)));
            if needed {
                chunks.push(format!("chunk_{n}.wasm"));
            }
        }
    }
    chunks
}

/// Whether wasm-split's module name `name` is split point `split`: `split_point!` names it after
/// the function (src/split.rs), Leptos's `#[lazy]` appends `_<hash>` to that.
fn names(name: &str, split: &str) -> bool {
    name.strip_prefix(split).is_some_and(|rest| {
        rest.is_empty()
            || rest
                .strip_prefix('_')
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn staging(sh: &Sh, bin: &str) -> PathBuf {
    sh.target_dir().join("split").join(format!("staging-{bin}"))
}

/// The flags of step 1 (`erase_components` as in .cargo/config.toml, which RUSTFLAGS replaces).
const RUSTFLAGS: &str = "--cfg erase_components --cfg hongbao_split -C link-arg=--emit-relocs";

/// Step 1 for both binaries, in one cargo invocation: each ends in a fat-LTO link with one
/// codegen unit, which uses one core, so the two links run side by side. [`app`] and
/// [`embed`] then find them built.
pub fn compile_both(sh: &Sh) -> Result<()> {
    crate::tools::ensure_wasm_target(sh)?;
    compile(sh, &["hongbao", "embed"])
}

/// Step 1: `cargo build --release` of `bins` for wasm32 with [`RUSTFLAGS`], in `target/split/`.
/// The counter (crate `hongbao-counter`) is built with the app's package selected too, so
/// that cargo unifies the same features as for the app and reuses every dependency it built.
fn compile(sh: &Sh, bins: &[&str]) -> Result<()> {
    let mut args = vec!["build", "--release", "--target", crate::tools::WASM_TARGET];
    if bins.contains(&"counter") {
        args.extend(["-p", "hongbao", "-p", "hongbao-counter"]);
    }
    for bin in bins {
        args.extend(["--bin", bin]);
    }
    sh.cargo(&args)
        .env("CARGO_TARGET_DIR", sh.target_dir().join("split"))
        .env("RUSTFLAGS", RUSTFLAGS)
        .run()
}

/// Steps 1–4 for `bin` into `dist` (emptied first).
fn split_build(sh: &Sh, bin: &str, dist: &Path) -> Result<()> {
    crate::tools::ensure_split_tools(sh)?;
    compile(sh, &[bin])?;
    let target = sh.target_dir().join("split");
    let linked = target.join(format!("wasm32-unknown-unknown/release/{bin}.wasm"));

    // Steps 2–4 take a minute for the ~90 modules of both bins, and their result depends
    // only on the linked module and the recipe: when neither changed (cargo did not relink),
    // the modules of the last build are copied instead.
    let cache = target.join(format!("out-{bin}"));
    let stamp = cache.join(".key");
    let key = cache_key(sh, &linked)?;
    if std::fs::read_to_string(&stamp).is_ok_and(|k| k == key) {
        println!("xtask: {bin}.wasm is unchanged since the last split build: reusing its modules");
        fresh_dir(dist)?;
        copy_files(&cache, dist)?;
        return Ok(());
    }
    if cache.exists() {
        std::fs::remove_dir_all(&cache)?;
    }

    let staging = staging(sh, bin);
    fresh_dir(&staging)?;
    let staging_s = staging.to_string_lossy();
    sh.cmd(
        "wasm-split-cli",
        &[
            &linked.to_string_lossy(),
            &staging_s,
            "--out-name",
            bin,
            "--target",
            "web",
        ],
    )
    .run()?;
    let main = staging.join(format!("{bin}.wasm"));
    sh.cmd(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-typescript",
            "--out-name",
            bin,
            "--out-dir",
            &staging_s,
            &main.to_string_lossy(),
        ],
    )
    .run()?;
    std::fs::remove_file(&main)?;
    if bin == "embed" {
        let loader = staging.join("__wasm_split.js");
        let js = std::fs::read_to_string(&loader)?;
        std::fs::write(&loader, restartable_split_loader(&js, bin)?)?;
    }

    fresh_dir(dist)?;
    let mut modules = vec![];
    for entry in std::fs::read_dir(&staging)? {
        let path = entry?.path();
        let out = dist.join(path.file_name().context("a file name")?);
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => modules.push((path, out)),
            // wasm-bindgen writes one `import * as importN from "./__wasm_split.js"` per split
            // point and lists them under the same key: the same module, so esbuild's warning
            // about the duplicate key is noise (hence --log-level=error).
            Some("js") => minify(sh, &path, &out)?,
            _ => {}
        }
    }
    // wasm-opt is single-threaded: one worker per core takes the modules in turn.
    let queue = std::sync::Mutex::new(modules.iter());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        let jobs: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    while let Some((input, output)) = queue.lock().ok().and_then(|mut q| q.next()) {
                        let mut args = vec!["-Oz"];
                        args.extend(WASM_FEATURES);
                        let (input, output) = (input.to_string_lossy(), output.to_string_lossy());
                        args.extend([&*input, "-o", &*output]);
                        sh.cmd("wasm-opt", &args).run()?;
                    }
                    Ok(())
                })
            })
            .collect();
        jobs.into_iter().try_for_each(|job| {
            job.join()
                .map_err(|_| anyhow::anyhow!("a wasm-opt worker panicked"))?
        })
    })?;
    for required in [
        format!("{bin}.js"),
        format!("{bin}_bg.wasm"),
        "__wasm_split.js".into(),
    ] {
        if !dist.join(&required).exists() {
            bail!("the split build made no {required}");
        }
    }
    fresh_dir(&cache)?;
    copy_files(dist, &cache)?;
    std::fs::write(&stamp, key)?;
    Ok(())
}

/// The embed's split loader (`__wasm_split.js`, written by wasm-split) made able to serve a
/// second wasm instance: after a panic the embed's loader instantiates the module again (a
/// second import of `embed.js` under another URL), and the split loader, which that second
/// glue shares with the first (same URL), must then take the new instance's memory and table
/// and forget the modules it loaded into the old one. Adds `export function
/// __hongbao_instance(initSync)` doing that. wasm-split 0.2.4's loader is matched exactly; any
/// other shape is an error, not a silently unpatched bundle.
fn restartable_split_loader(js: &str, bin: &str) -> Result<String> {
    let import = format!("import {{ initSync }} from \"./{bin}.js\";");
    let memo = "    let loadingModule = undefined;\n";
    if js.matches(&import).count() != 1 || !js.contains(memo) {
        bail!(
            "__wasm_split.js: not the shape of wasm-split 0.2.4's loader (see restartable_split_loader)"
        );
    }
    let instance = format!(
        "import {{ initSync as firstInitSync }} from \"./{bin}.js\";\n\
         let initSync = firstInitSync;\n\
         const forgetLoads = [];\n\
         // A new wasm instance: its exports from now on, and no module loaded yet.\n\
         export function __hongbao_instance(next) {{\n    \
         initSync = next;\n    \
         sharedImports = undefined;\n    \
         for (const forget of forgetLoads) forget();\n\
         }}"
    );
    Ok(js.replace(&import, &instance).replace(
        memo,
        &format!("{memo}    forgetLoads.push(() => {{ loadingModule = undefined; }});\n"),
    ))
}

/// What steps 2–4 depend on: the linked module, the flags it was built with, the tool
/// versions (wasm-bindgen from Cargo.lock, wasm-split, npm's wasm-opt and esbuild from
/// e2e/package-lock.json) and the steps' options.
fn cache_key(sh: &Sh, linked: &Path) -> Result<String> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    std::fs::read(linked)
        .with_context(|| format!("reading {}", linked.display()))?
        .hash(&mut hasher);
    RUSTFLAGS.hash(&mut hasher);
    crate::tools::wasm_bindgen_version(&sh.root)?.hash(&mut hasher);
    crate::tools::WASM_SPLIT_VERSION.hash(&mut hasher);
    std::fs::read(sh.root.join("e2e/package-lock.json"))?.hash(&mut hasher);
    // The recipe itself: any change to this file rebuilds.
    include_str!("build.rs").hash(&mut hasher);
    Ok(format!("{:016x}", hasher.finish()))
}

/// Copies the files (not the directories, nor dot files) of `from` into `to`.
fn copy_files(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let name = path.file_name().context("a file name")?;
        if path.is_file() && !name.to_string_lossy().starts_with('.') {
            std::fs::copy(&path, to.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

/// The stylesheets `css` (paths from the repository root), in order, as one minified
/// [`CSS`] in `dist`.
fn bundle_css(sh: &Sh, css: &[&str], dist: &Path) -> Result<()> {
    let mut bundle = String::new();
    for href in css {
        let file = sh.root.join(href);
        bundle += &std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        bundle.push('\n');
    }
    let unminified = dist.join("hongbao.src.css");
    std::fs::write(&unminified, bundle)?;
    minify(sh, &unminified, &dist.join(CSS))?;
    Ok(std::fs::remove_file(&unminified)?)
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

/// The module script that starts `bin`'s page, and preloads of what it fetches first.
fn start_script(bin: &str) -> String {
    format!(
        r#"<link rel="modulepreload" href="/{bin}.js" />
    <link rel="preload" href="/{bin}_bg.wasm" as="fetch" type="application/wasm" crossorigin="anonymous" />
    <script type="module">
      import init from '/{bin}.js';
      await init({{ module_or_path: '/{bin}_bg.wasm' }});
    </script>"#
    )
}

/// The served page from Trunk's source page, and the stylesheets to bundle: the
/// `<link data-trunk rel="css" href="…">` lines become one link to [`CSS`] (where the first
/// was), the `<link data-trunk rel="rust" …>` the start script ([`start_script`]); everything
/// else is kept.
fn page(source: &str) -> Result<(String, Vec<&str>)> {
    let start = start_script("hongbao");
    let mut out = String::with_capacity(source.len() + start.len());
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
            out.push_str(&start);
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
    fn the_counter_page_starts_the_counter_modules_only() {
        let page = counter_page();
        assert!(page.starts_with("<!doctype html>\n"));
        assert!(page.contains("import init from '/counter.js';"));
        assert!(page.contains("await init({ module_or_path: '/counter_bg.wasm' });"));
        assert!(page.contains("<link rel=\"modulepreload\" href=\"/counter.js\" />"));
        assert!(!page.contains("hongbao"));
        assert!(!page.contains("stylesheet"));
    }

    #[test]
    fn a_page_without_the_app_or_with_an_unknown_trunk_link_is_refused() {
        assert!(page("<head></head>").is_err());
        let unknown = "<link data-trunk rel=\"copy-dir\" href=\"assets\" />\n<link data-trunk rel=\"rust\" />";
        assert!(page(unknown).is_err());
    }

    #[test]
    fn a_split_point_needs_the_chunks_whose_comment_names_it() {
        let loader = "/* app_scene_12, send_flow_34 */\nconst __chunk_7 = makeLoad(() => {\n}, []);\n/* send_flow_34 */\nconst __chunk_8 = makeLoad(() => {\n/* app_scene_flow_9, embed_fairness */\nconst __chunk_9 = x;\nconst __chunk_10 = y;\n";
        assert_eq!(chunks_needed(loader, "app_scene"), ["chunk_7.wasm"]);
        assert_eq!(
            chunks_needed(loader, "send_flow"),
            ["chunk_7.wasm", "chunk_8.wasm"]
        );
        assert_eq!(chunks_needed(loader, "app_scene_flow"), ["chunk_9.wasm"]);
        assert_eq!(chunks_needed(loader, "embed_fairness"), ["chunk_9.wasm"]);
        assert!(chunks_needed(loader, "lab").is_empty());
        assert!(chunks_needed(loader, "embed").is_empty());
    }

    #[test]
    fn the_split_loader_learns_a_new_instance() {
        let js = "import { initSync } from \"./embed.js\";\nlet sharedImports = undefined;\nfunction makeLoad(fetcher, deps) {\n    let loadingModule = undefined;\n    return () => loadingModule;\n}\n";
        let out = restartable_split_loader(js, "embed").unwrap();
        assert!(out.contains("import { initSync as firstInitSync } from \"./embed.js\";"));
        assert!(out.contains("export function __hongbao_instance(next) {"));
        assert!(out.contains("    let loadingModule = undefined;\n    forgetLoads.push("));
        assert!(restartable_split_loader("let x;", "embed").is_err());
    }

    #[test]
    fn the_cache_key_follows_the_linked_module() {
        let sh = Sh::new().unwrap();
        let linked = std::env::temp_dir().join(format!("xtask-key-{}.wasm", std::process::id()));
        std::fs::write(&linked, b"\0asm one").unwrap();
        let one = cache_key(&sh, &linked).unwrap();
        assert_eq!(cache_key(&sh, &linked).unwrap(), one);
        std::fs::write(&linked, b"\0asm two").unwrap();
        assert_ne!(cache_key(&sh, &linked).unwrap(), one);
        std::fs::remove_file(&linked).unwrap();
        assert!(cache_key(&sh, &linked).is_err());
    }

    #[test]
    fn lazy_files_are_the_split_and_chunk_modules() {
        assert!(is_lazy("split_lab_screen_123.wasm"));
        assert!(is_lazy("chunk_7.wasm"));
        assert!(!is_lazy("hongbao_bg.wasm"));
        assert!(!is_lazy("__wasm_split.js"));
    }
}
