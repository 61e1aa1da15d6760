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

/// `true` for the files a page loads on demand (split points' modules and the app's
/// stylesheets of split points' views, [`Sheet`]).
pub fn is_lazy(file_name: &str) -> bool {
    (file_name.ends_with(".wasm")
        && (file_name.starts_with("split_") || file_name.starts_with("chunk_")))
        || (file_name.starts_with("sheet_") && file_name.ends_with(".css"))
}

/// Builds the code-split release app into [`dist`].
pub fn app(sh: &Sh) -> Result<()> {
    let dist = dist(sh);
    split_build(sh, "hongbao", &dist)?;
    let html = std::fs::read_to_string(sh.root.join("index.html"))?;
    let Page {
        html,
        eager,
        sheets,
        ..
    } = page(&html)?;
    bundle_css(sh, &eager, &dist.join(CSS))?;
    for sheet in &sheets {
        bundle_css(
            sh,
            &[sheet.href],
            &dist.join(format!("sheet_{}.css", sheet.name)),
        )?;
    }
    let loader = std::fs::read_to_string(staging(sh, "hongbao").join("__wasm_split.js"))?;
    let mut restore = vec![format!("split_{RESTORE}.wasm")];
    restore.extend(chunks_needed(&loader, RESTORE));
    std::fs::write(
        dist.join("index.html"),
        with_restore_preload(&html, &restore)?,
    )?;
    Ok(())
}

/// The split point that restores a mock state saved by an earlier visit (src/split.rs).
const RESTORE: &str = "restore_mock";

/// `html` with a script before the start script that preloads `files` (the modules of
/// [`RESTORE`]) when the browser holds a saved mock state (`hongbao:mock:…`): a first visit
/// fetches none of them, a returning one fetches them beside the main module rather than
/// after it.
fn with_restore_preload(html: &str, files: &[String]) -> Result<String> {
    let start = "<script type=\"module\">";
    let Some(at) = html.find(start) else {
        bail!("no start script in the page");
    };
    let list = files
        .iter()
        .map(|f| format!("\"/{f}\""))
        .collect::<Vec<_>>()
        .join(",");
    let indent = "\n    ";
    let script = format!(
        "<script>try{{if(Object.keys(localStorage).some(function(k){{return k.indexOf(\"hongbao:mock:\")==0}}))[{list}].forEach(function(f){{var l=document.createElement(\"link\");l.rel=\"preload\";l.as=\"fetch\";l.crossOrigin=\"anonymous\";l.href=f;document.head.appendChild(l)}})}}catch(e){{}}</script>{indent}"
    );
    Ok(format!("{}{script}{}", &html[..at], &html[at..]))
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
        start_script("counter", false)
    )
}

/// Builds the embed bundle into [`embed_dist`], its files named after their content with a
/// [`MANIFEST`] ([`hash_names`]).
pub fn embed(sh: &Sh) -> Result<()> {
    let dist = embed_dist(sh);
    split_build(sh, "embed", &dist)?;
    let loader = std::fs::read_to_string(staging(sh, "embed").join("__wasm_split.js"))?;
    pack_modules(&dist, &pack_assignment(&loader)?)?;
    let html = std::fs::read_to_string(sh.root.join("index.html"))?;
    // A widget's shadow root gets every stylesheet at once: no sheet is on demand there.
    let mut css = page(&html)?.all;
    css.push("embed/embed.css");
    bundle_css(sh, &css, &dist.join(CSS))?;
    for name in EMBED_FILES {
        let (from, to) = (sh.root.join("embed").join(name), dist.join(name));
        if name.ends_with(".html") {
            std::fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
        } else {
            minify(sh, &from, &to)?;
        }
    }
    hash_names(&dist)
}

/// The embed's own files, next to its modules: the loader and the iframe mode.
const EMBED_FILES: [&str; 4] = ["hongbao-embed.js", "frame.html", "frame.js", "frame.css"];

/// The chunks of wasm-split's loader `loader` that split point `split` needs: above each
/// `const __chunk_N`, a comment lists the split points (`name_hash`) that need it.
pub fn chunks_needed(loader: &str, split: &str) -> Vec<String> {
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
        let packs = pack_assignment(&js)?;
        let js = packed_split_loader(&restartable_split_loader(&js, bin)?, &packs)?;
        std::fs::write(&loader, js)?;
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
/// second wasm instance, and freed of its import of the glue: it gets the instance's
/// `initSync` from the embed's loader (`export function __hongbao_instance(initSync)`), right
/// after the first instantiation and again after a panic, when the loader instantiates the
/// module again (a second import of `embed.js` under another URL); the split loader then takes
/// the new instance's memory and table and forgets the modules it loaded into the old one.
/// Without the import, the glue (which imports the split loader) and the split loader form no
/// cycle, so each can be named after its content ([`hash_names`]). wasm-split 0.2.4's loader is
/// matched exactly; any other shape is an error, not a silently unpatched bundle.
fn restartable_split_loader(js: &str, bin: &str) -> Result<String> {
    let import = format!("import {{ initSync }} from \"./{bin}.js\";");
    let memo = "    let loadingModule = undefined;\n";
    if js.matches(&import).count() != 1 || !js.contains(memo) {
        bail!(
            "__wasm_split.js: not the shape of wasm-split 0.2.4's loader (see restartable_split_loader)"
        );
    }
    let instance = "// The wasm instance's initSync (the embed's loader gives it).\n\
         let initSync = undefined;\n\
         const forgetLoads = [];\n\
         // A new wasm instance: its exports from now on, and no module loaded yet.\n\
         export function __hongbao_instance(next) {\n    \
         initSync = next;\n    \
         sharedImports = undefined;\n    \
         for (const forget of forgetLoads) forget();\n\
         }";
    Ok(js.replace(&import, instance).replace(
        memo,
        &format!("{memo}    forgetLoads.push(() => {{ loadingModule = undefined; }});\n"),
    ))
}

/// The embed's scenes: its top-level split points (src/bin/embed.rs), each with its short name
/// in pack names. Every other split point of the embed (the app's own: the packet card, the
/// send flow, …) loads only inside a scene.
const SCENES: [(&str, &str); 4] = [
    ("embed_app_scene", "app"),
    ("embed_claim_scene", "claim"),
    ("embed_send_scene", "send"),
    ("embed_fairness_scene", "fairness"),
];

/// The app's split points a demo scene loads before the app scene takes over from it (the
/// backend's connection: a saved mock state restored, or the HTTP client; src/embed/demo.rs),
/// with the demos that do. A module such a point needs goes in a pack of its own unless every
/// demo that loads the point has it already: a returning reader's claim demo must not fetch
/// the app scene's pack for the few functions the restore shares with it. (A wrong entry costs
/// bytes, never correctness: the loader finds every module in its pack.)
const DEMO_LOADS: [(&str, &[&str]); 2] = [
    ("restore_mock", &["embed_claim_scene", "embed_send_scene"]),
    ("connect_http", &["embed_claim_scene", "embed_send_scene"]),
];

/// Which pack each of the embed's lazily loaded modules goes in, from wasm-split's
/// (unminified) loader: module name (`chunk_7`, `split_packet_card`) → pack file name.
///
/// wasm-split makes a module per set of split points that share code: starting the claim demo
/// fetched 115 modules, 240 KB of brotli compressed one by one, 178 KB as one stream. The
/// modules of a pack travel as one file (one compressed stream). A module that scenes need is
/// in the pack of exactly those scenes (`pack_scene_app.bin`, `pack_scene_app_claim.bin`, …), so
/// that starting a scene fetches one stream per set of scenes sharing code and never another
/// scene's own code; a module only the app's inner split points need (the packet card, the
/// send flow, …: they load only inside a scene) is in the pack of exactly the set of split
/// points that need it, so a split point fetches nothing another needs more than once.
pub fn pack_assignment(loader: &str) -> Result<std::collections::BTreeMap<String, String>> {
    let mut packs = std::collections::BTreeMap::new();
    let mut users: Option<Vec<String>> = None;
    let mut sets: Vec<Vec<String>> = vec![];
    for line in loader.lines() {
        let line = line.trim();
        if let Some(list) = line.strip_prefix("/* ").and_then(|l| l.strip_suffix(" */")) {
            users = Some(list.split(", ").map(split_name).collect());
        } else if let Some(rest) = line.strip_prefix("const __chunk_") {
            let n = rest.split(' ').next().unwrap_or_default();
            let mut set = users.take().context("a chunk without its users' comment")?;
            set.sort();
            set.dedup();
            packs.insert(format!("chunk_{n}"), pack_of(&set, &mut sets));
        } else if let Some(rest) = line.strip_prefix("export const __wasm_split_load_") {
            let name = rest.split(' ').next().unwrap_or_default();
            packs.insert(
                format!("split_{name}"),
                pack_of(&[split_name(name)], &mut sets),
            );
        }
    }
    if !packs.values().any(|p| p == "pack_scene_app.bin") {
        bail!("__wasm_split.js: no module of the app scene found (see pack_assignment)");
    }
    Ok(packs)
}

/// A split point's name without the hash Leptos's `#[lazy]` appends (`send_flow_123`).
fn split_name(module: &str) -> String {
    match module.rsplit_once('_') {
        Some((name, hash)) if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit()) => {
            name.to_owned()
        }
        _ => module.to_owned(),
    }
}

/// The pack of a module needed by split points `set` (sorted); `sets` numbers the other packs.
fn pack_of(set: &[String], sets: &mut Vec<Vec<String>>) -> String {
    let has = |name: &str| set.iter().any(|s| s == name);
    let scenes: Vec<&str> = SCENES
        .iter()
        .filter(|(name, _)| has(name))
        .map(|(_, short)| *short)
        .collect();
    let early = DEMO_LOADS
        .iter()
        .any(|(point, demos)| has(point) && demos.iter().any(|d| !has(d)));
    if !scenes.is_empty() && !early {
        return format!("pack_scene_{}.bin", scenes.join("_"));
    }
    let n = sets.iter().position(|s| s == set).unwrap_or_else(|| {
        sets.push(set.to_vec());
        sets.len() - 1
    });
    format!("pack_{n}.bin")
}

/// The split loader fetching its modules from packs ([`pack_assignment`]): each
/// `fetch(new URL("./<module>.wasm", import.meta.url))` becomes `__hongbao_module("<module>")`,
/// which fetches the module's pack once (a failed fetch is retried at the next load) and
/// returns the module's bytes, and `instantiateStreaming` becomes `instantiate`. A pack is
/// `u32 count`, then per module `u32 name length`, the name, `u32 length`, then the modules'
/// bytes in that order (little-endian; [`pack_modules`]).
fn packed_split_loader(
    js: &str,
    packs: &std::collections::BTreeMap<String, String>,
) -> Result<String> {
    let mut out = js.to_owned();
    for module in packs.keys() {
        let fetch = format!("fetch(new URL(\"./{module}.wasm\", import.meta.url))");
        if out.matches(&fetch).count() != 1 {
            bail!("__wasm_split.js: expected one {fetch} (see packed_split_loader)");
        }
        out = out.replace(&fetch, &format!("__hongbao_module(\"{module}\")"));
    }
    let streaming = "WebAssembly.instantiateStreaming(src, imports)";
    if out.matches(streaming).count() != packs.len() {
        bail!(
            "__wasm_split.js: expected {} {streaming} (see packed_split_loader)",
            packs.len()
        );
    }
    out = out.replace(streaming, "WebAssembly.instantiate(await src, imports)");
    let mut table = String::from("const PACKS = {\n");
    for (module, pack) in packs {
        table += &format!("    \"{module}\": () => new URL(\"./{pack}\", import.meta.url),\n");
    }
    table += "};\n";
    let runtime = r#"// The modules travel in packs (xtask/src/build.rs, pack_assignment): one fetch per pack.
const packLoads = new Map();
function loadPack(url) {
    let load = packLoads.get(url.href);
    if (load === undefined) {
        load = fetch(url).then((response) => {
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            return response.arrayBuffer();
        }).then((buffer) => {
            const view = new DataView(buffer);
            const modules = new Map();
            let at = 4;
            const entries = [];
            for (let i = 0, n = view.getUint32(0, true); i < n; i++) {
                const length = view.getUint32(at, true);
                const name = new TextDecoder().decode(new Uint8Array(buffer, at + 4, length));
                entries.push([name, view.getUint32(at + 4 + length, true)]);
                at += 8 + length;
            }
            for (const [name, length] of entries) {
                modules.set(name, new Uint8Array(buffer, at, length));
                at += length;
            }
            return modules;
        });
        // Successes only are kept: a failed fetch is tried again at the next load.
        load.catch(() => { if (packLoads.get(url.href) === load) packLoads.delete(url.href); });
        packLoads.set(url.href, load);
    }
    return load;
}
async function __hongbao_module(name) {
    const modules = await loadPack(PACKS[name]());
    const bytes = modules.get(name);
    if (bytes === undefined) throw new Error(`no module ${name} in its pack`);
    return bytes;
}
"#;
    let anchor = "let sharedImports = undefined;";
    if !out.contains(anchor) {
        bail!("__wasm_split.js: no {anchor} (see packed_split_loader)");
    }
    Ok(out.replacen(anchor, &format!("{table}{runtime}{anchor}"), 1))
}

/// Writes the packs of [`pack_assignment`] into `dist` (the format: [`packed_split_loader`])
/// and removes the modules they hold.
fn pack_modules(dist: &Path, packs: &std::collections::BTreeMap<String, String>) -> Result<()> {
    let mut by_pack: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (module, pack) in packs {
        by_pack.entry(pack).or_default().push(module);
    }
    for (pack, modules) in by_pack {
        let mut header = (modules.len() as u32).to_le_bytes().to_vec();
        let mut body = vec![];
        for module in &modules {
            let path = dist.join(format!("{module}.wasm"));
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            header.extend((module.len() as u32).to_le_bytes());
            header.extend(module.as_bytes());
            header.extend((bytes.len() as u32).to_le_bytes());
            body.extend(bytes);
            std::fs::remove_file(&path)?;
        }
        header.extend(body);
        std::fs::write(dist.join(pack), header)?;
    }
    Ok(())
}

/// The packs starting the embed's split points `splits` fetches: those holding their modules.
pub fn packs_needed(sh: &Sh, splits: &[&str]) -> Result<Vec<String>> {
    let loader = std::fs::read_to_string(staging(sh, "embed").join("__wasm_split.js"))?;
    let packs = pack_assignment(&loader)?;
    let mut files = vec![];
    for split in splits {
        let own = packs
            .keys()
            .find(|m| m.strip_prefix("split_").is_some_and(|n| names(n, split)))
            .with_context(|| format!("no module of split point {split}"))?
            .clone();
        let modules = std::iter::once(own).chain(
            chunks_needed(&loader, split)
                .into_iter()
                .map(|c| c.trim_end_matches(".wasm").to_owned()),
        );
        for module in modules {
            let pack = packs
                .get(&module)
                .with_context(|| format!("{module} ({split}) is in no pack"))?;
            if !files.contains(pack) {
                files.push(pack.clone());
            }
        }
    }
    Ok(files)
}

/// The embed bundle's manifest: each logical file name (`embed_bg.wasm`) with its
/// content-hashed file and SRI hash.
pub const MANIFEST: &str = "manifest.json";

/// Files that also keep their logical name: the loader, as the entry for pages that want the
/// latest bundle without an `integrity` attribute, and the iframe mode's page (a URL other
/// pages write in their iframes). Both are short-lived in caches; everything else is immutable.
const STABLE: [&str; 2] = ["hongbao-embed.js", "frame.html"];

/// Names every file of `dist` after its content (`embed_bg.wasm` → `embed_bg.<hash>.wasm`,
/// the hash the first 16 hex digits of its SHA-384), rewrites the relative URLs by which the
/// files refer to each other (`./embed.js`, `'embed_bg.wasm'`, `href="frame.css"`) to those
/// names, and writes [`MANIFEST`]. A file is named once every file it refers to has its name,
/// so a reference cycle is an error. Pages ([`STABLE`] `.html`) keep only their name; the
/// loader keeps both.
fn hash_names(dist: &Path) -> Result<()> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut pending = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .context("a file name")?
            .to_string_lossy()
            .into_owned();
        if path.is_file() && !name.starts_with('.') && name != MANIFEST {
            pending.insert(name, std::fs::read(&path)?);
        }
    }
    let mut named: Vec<(String, String, String)> = vec![];
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .find(|(name, bytes)| {
                !is_text(name)
                    || pending
                        .keys()
                        .all(|other| other == *name || refers_to(bytes, other).is_none())
            })
            .map(|(name, _)| name.clone());
        let Some(name) = ready else {
            bail!(
                "{}: these files refer to each other in a cycle: {:?}",
                dist.display(),
                pending.keys().collect::<Vec<_>>()
            );
        };
        let mut bytes = pending.remove(&name).context("pending")?;
        if is_text(&name) {
            for (logical, file, _) in &named {
                bytes = rewrite_refs(&bytes, logical, file);
            }
        }
        let digest = sha2::Sha384::digest(&bytes);
        let integrity = format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        let file = if name.ends_with(".html") {
            name.clone()
        } else {
            let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let (stem, ext) = name.rsplit_once('.').context("an extension")?;
            format!("{stem}.{hex}.{ext}")
        };
        std::fs::write(dist.join(&file), &bytes)?;
        if file != name {
            if STABLE.contains(&name.as_str()) {
                std::fs::write(dist.join(&name), &bytes)?;
            } else {
                std::fs::remove_file(dist.join(&name))?;
            }
        }
        named.push((name, file, integrity));
    }
    let files: serde_json::Map<String, serde_json::Value> = named
        .into_iter()
        .map(|(logical, file, integrity)| {
            (
                logical,
                serde_json::json!({ "file": file, "integrity": integrity }),
            )
        })
        .collect();
    let manifest = serde_json::json!({ "version": 1, "files": files });
    std::fs::write(
        dist.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(())
}

/// The embed bundle's manifest ([`MANIFEST`] in `dist`): logical name → (file, integrity).
pub fn manifest(dist: &Path) -> Result<std::collections::BTreeMap<String, (String, String)>> {
    let path = dist.join(MANIFEST);
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    let files = json["files"]
        .as_object()
        .with_context(|| format!("{}: no files", path.display()))?;
    files
        .iter()
        .map(|(logical, entry)| {
            let field = |k: &str| {
                entry[k]
                    .as_str()
                    .map(str::to_owned)
                    .with_context(|| format!("{}: {logical} has no {k}", path.display()))
            };
            Ok((logical.clone(), (field("file")?, field("integrity")?)))
        })
        .collect()
}

fn is_text(name: &str) -> bool {
    [".js", ".css", ".html"].iter().any(|e| name.ends_with(e))
}

/// Where `bytes` refers to file `name` by a relative URL: the name right after `/` or a quote
/// and right before a quote, `?`, `#` or `)` (so `embed.js` is not found in
/// `hongbao-embed.js`).
fn refers_to(bytes: &[u8], name: &str) -> Option<usize> {
    let name = name.as_bytes();
    (0..bytes.len().saturating_sub(name.len() - 1)).find(|&at| {
        bytes[at..].starts_with(name)
            && at > 0
            && matches!(bytes[at - 1], b'/' | b'"' | b'\'' | b'`')
            && match bytes.get(at + name.len()) {
                // Not an object's key: wasm-bindgen's glue names the wasm's import module
                // `"./__wasm_split.js": import1`, which must stay as the wasm names it.
                Some(b'"' | b'\'' | b'`') => bytes.get(at + name.len() + 1) != Some(&b':'),
                Some(b'?' | b'#' | b')') => true,
                _ => false,
            }
    })
}

/// `bytes` with every relative reference to `from` (see [`refers_to`]) pointing at `to`.
fn rewrite_refs(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = refers_to(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to.as_bytes());
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// What steps 2–4 depend on: the linked module, the flags it was built with, the tool
/// versions (wasm-bindgen from Cargo.lock, wasm-split, npm's wasm-opt and esbuild from
/// e2e/package-lock.json) and the steps' options.
pub(crate) fn cache_key(sh: &Sh, linked: &Path) -> Result<String> {
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

/// The stylesheets `css` (paths from the repository root), in order, as one minified file
/// `out`.
fn bundle_css(sh: &Sh, css: &[&str], out: &Path) -> Result<()> {
    let mut bundle = String::new();
    for href in css {
        let file = sh.root.join(href);
        bundle += &std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        bundle.push('\n');
    }
    let unminified = out.with_extension("src.css");
    std::fs::write(&unminified, bundle)?;
    minify(sh, &unminified, out)?;
    Ok(std::fs::remove_file(&unminified)?)
}

/// The app's first-load CSS: the stylesheets of index.html that are not [`Sheet`]s, in order,
/// in one file (the embed's: all of them).
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

/// The module script that starts `bin`'s page, and preloads of what it fetches first. With
/// `split` (a module with split points), also the split loader `__wasm_split.js`, which
/// `{bin}.js` imports: without the preload it would be fetched only once `{bin}.js` arrived.
fn start_script(bin: &str, split: bool) -> String {
    let loader = if split {
        "\n    <link rel=\"modulepreload\" href=\"/__wasm_split.js\" />"
    } else {
        ""
    };
    format!(
        r#"<link rel="modulepreload" href="/{bin}.js" />{loader}
    <link rel="preload" href="/{bin}_bg.wasm" as="fetch" type="application/wasm" crossorigin="anonymous" />
    <script type="module">
      import init from '/{bin}.js';
      await init({{ module_or_path: '/{bin}_bg.wasm' }});
    </script>"#
    )
}

/// A stylesheet that only a split point's views use, marked in index.html
/// (`<link data-trunk rel="css" href="src/lab/lab.css" data-hongbao-sheet="lab" />`): the
/// app's page fetches it (as `sheet_<name>.css`) when the split point loads (src/split.rs).
#[derive(Debug, PartialEq, Eq)]
struct Sheet<'a> {
    name: &'a str,
    href: &'a str,
}

/// The served page from Trunk's source page, and its stylesheets.
struct Page<'a> {
    /// The page: the first-load stylesheet links become one link to [`CSS`] (where the first
    /// was), each [`Sheet`] a `<meta name="hongbao-sheet" content="<name>">` that declares it,
    /// the `<link data-trunk rel="rust" …>` the start script ([`start_script`]); everything
    /// else is kept.
    html: String,
    /// The stylesheets of the first load, in order.
    eager: Vec<&'a str>,
    sheets: Vec<Sheet<'a>>,
    /// Every stylesheet, in the page's order.
    all: Vec<&'a str>,
}

fn page(source: &str) -> Result<Page<'_>> {
    let start = start_script("hongbao", true);
    let mut html = String::with_capacity(source.len() + start.len());
    let (mut eager, mut sheets, mut all) = (vec![], vec![], vec![]);
    let mut started = false;
    for line in source.lines() {
        let tag = line.trim();
        if !tag.starts_with("<link data-trunk") {
            html.push_str(line);
            html.push('\n');
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        if tag.contains(r#"rel="css""#) {
            let href = attribute(tag, "href").with_context(|| format!("no href in {tag}"))?;
            all.push(href);
            if let Some(name) = attribute(tag, "data-hongbao-sheet") {
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase()) {
                    bail!("index.html: a sheet's name must be lowercase letters: {tag}");
                }
                html.push_str(&format!(
                    "{indent}<meta name=\"hongbao-sheet\" content=\"{name}\" />\n"
                ));
                sheets.push(Sheet { name, href });
                continue;
            }
            if eager.is_empty() {
                html.push_str(&format!(
                    "{indent}<link rel=\"stylesheet\" href=\"/{CSS}\" />\n"
                ));
            }
            eager.push(href);
        } else if tag.contains(r#"rel="rust""#) {
            html.push_str(indent);
            html.push_str(&start);
            html.push('\n');
            started = true;
        } else {
            bail!("index.html: a Trunk link this build does not know: {tag}");
        }
    }
    if !started {
        bail!("index.html has no <link data-trunk rel=\"rust\">");
    }
    Ok(Page {
        html,
        eager,
        sheets,
        all,
    })
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
        let source = "<head>\n  <title>t</title>\n  <link data-trunk rel=\"css\" href=\"style/main.css\" />\n  <link data-trunk rel=\"css\" href=\"src/lab/lab.css\" data-hongbao-sheet=\"lab\" />\n  <link data-trunk rel=\"css\" href=\"src/a/a.css\" />\n  <link data-trunk rel=\"rust\" data-bin=\"hongbao\" />\n</head>\n";
        let Page {
            html,
            eager,
            sheets,
            all,
        } = page(source).unwrap();
        assert_eq!(eager, ["style/main.css", "src/a/a.css"]);
        assert_eq!(
            sheets,
            [Sheet {
                name: "lab",
                href: "src/lab/lab.css"
            }]
        );
        assert_eq!(all, ["style/main.css", "src/lab/lab.css", "src/a/a.css"]);
        assert!(html.contains("  <title>t</title>\n"));
        assert_eq!(html.matches("<link rel=\"stylesheet\"").count(), 1);
        assert!(html.contains("  <link rel=\"stylesheet\" href=\"/hongbao.css\" />\n"));
        assert!(html.contains("  <meta name=\"hongbao-sheet\" content=\"lab\" />\n"));
        assert!(html.contains("import init from '/hongbao.js';"));
        assert!(html.contains(r#"<link rel="modulepreload" href="/__wasm_split.js" />"#));
        assert!(!html.contains("data-trunk"));
        let bad = source.replace("\"lab\"", "\"Lab 2\"");
        assert!(page(&bad).is_err());
    }

    #[test]
    fn a_returning_visitor_preloads_the_restoring_modules_before_the_start_script() {
        let html = page("<head>\n<link data-trunk rel=\"rust\" />\n</head>")
            .unwrap()
            .html;
        let files = [
            "split_restore_mock.wasm".to_owned(),
            "chunk_3.wasm".to_owned(),
        ];
        let out = with_restore_preload(&html, &files).unwrap();
        let preload = out.find("hongbao:mock:").unwrap();
        assert!(preload < out.find("<script type=\"module\">").unwrap());
        assert!(out.contains(r#"["/split_restore_mock.wasm","/chunk_3.wasm"].forEach"#));
        assert!(out.contains(r#"l.as="fetch";l.crossOrigin="anonymous""#));
        assert_eq!(
            out.replace(
                &out[out.find("<script>").unwrap()..out.find("</script>").unwrap() + 14],
                ""
            ),
            html
        );
        assert!(with_restore_preload("<head></head>", &files).is_err());
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
        assert!(!out.contains("embed.js"), "{out}");
        assert!(out.contains("let initSync = undefined;"));
        assert!(out.contains("export function __hongbao_instance(next) {"));
        assert!(out.contains("    let loadingModule = undefined;\n    forgetLoads.push("));
        assert!(restartable_split_loader("let x;", "embed").is_err());
    }

    #[test]
    fn files_are_named_after_their_content_and_references_follow() {
        let dist = std::env::temp_dir().join(format!("xtask-hash-{}", std::process::id()));
        fresh_dir(&dist).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dist.join(name), text).unwrap();
        write("embed_bg.wasm", "\0asm");
        write("hongbao.css", "a{}");
        write(
            "__wasm_split.js",
            "fetch(new URL(\"./split_a_1.wasm\",import.meta.url))",
        );
        write("split_a_1.wasm", "\0asm a");
        write(
            "embed.js",
            "import*as i from\"./__wasm_split.js\";new URL('embed_bg.wasm',u)",
        );
        write(
            "hongbao-embed.js",
            "import'./embed.js';import('./embed.js?instance=2');new URL('hongbao.css',u)",
        );
        write("frame.js", "await import('./hongbao-embed.js')");
        write("frame.html", "<script src=\"frame.js\"></script>");
        hash_names(&dist).unwrap();
        let files = manifest(&dist).unwrap();
        assert_eq!(files.len(), 8);
        let file = |n: &str| files[n].0.clone();
        let read = |f: &str| std::fs::read_to_string(dist.join(f)).unwrap();
        assert!(file("embed_bg.wasm").starts_with("embed_bg."));
        assert_eq!(file("frame.html"), "frame.html");
        let loader = read(&file("hongbao-embed.js"));
        assert_eq!(read("hongbao-embed.js"), loader, "the stable copy");
        assert!(loader.contains(&format!("import'./{}'", file("embed.js"))));
        assert!(loader.contains(&format!("import('./{}?instance=2')", file("embed.js"))));
        assert!(loader.contains(&file("hongbao.css")));
        assert!(read(&file("embed.js")).contains(&file("__wasm_split.js")));
        assert!(read(&file("__wasm_split.js")).contains(&file("split_a_1.wasm")));
        assert!(read("frame.html").contains(&file("frame.js")));
        assert!(!dist.join("embed.js").exists() && !dist.join("embed_bg.wasm").exists());
        // The integrity is the SRI form of the file's SHA-384.
        let (f, integrity) = &files["hongbao.css"];
        assert_eq!(read(f), "a{}");
        assert_eq!(
            integrity,
            "sha384-m4Zcd9m9Kerya2aMKZ9CuL1yv7QLjdpmEo79GaQCk1uO2U4trsxWuyqSJsOzpOru"
        );
        // A cycle cannot be named.
        write("a.js", "import'./b.js'");
        write("b.js", "import'./a.js'");
        assert!(hash_names(&dist).is_err());
        std::fs::remove_dir_all(&dist).unwrap();
    }

    /// wasm-split 0.2.4's loader, cut down: four chunks and three split points.
    const LOADER: &str = "let sharedImports = undefined;\n\
        /* embed_app_scene, embed_fairness_scene */\n\
        const __chunk_1 = makeLoad(() => {\n    \
        const src = fetch(new URL(\"./chunk_1.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, []);\n\
        /* packet_card_12, send_flow_34 */\n\
        const __chunk_2 = makeLoad(() => {\n    \
        const src = fetch(new URL(\"./chunk_2.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, []);\n\
        /* embed_app_scene, restore_mock */\n\
        const __chunk_3 = makeLoad(() => {\n    \
        const src = fetch(new URL(\"./chunk_3.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, []);\n\
        /* embed_claim_scene, embed_send_scene, restore_mock */\n\
        const __chunk_4 = makeLoad(() => {\n    \
        const src = fetch(new URL(\"./chunk_4.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, []);\n\
        export const __wasm_split_load_embed_app_scene = wrapAsyncCb(makeLoad(() => {\n    \
        const src = fetch(new URL(\"./split_embed_app_scene.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, [__chunk_1]));\n\
        export const __wasm_split_load_packet_card_12 = wrapAsyncCb(makeLoad(() => {\n    \
        const src = fetch(new URL(\"./split_packet_card_12.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, [__chunk_2]));\n\
        export const __wasm_split_load_send_flow_34 = wrapAsyncCb(makeLoad(() => {\n    \
        const src = fetch(new URL(\"./split_send_flow_34.wasm\", import.meta.url));\n    \
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, [__chunk_2]));\n";

    #[test]
    fn modules_are_packed_by_the_split_points_that_need_them() {
        let packs = pack_assignment(LOADER).unwrap();
        let pack = |m: &str| packs[m].as_str();
        assert_eq!(pack("chunk_1"), "pack_scene_app_fairness.bin");
        assert_eq!(pack("split_embed_app_scene"), "pack_scene_app.bin");
        assert_eq!(pack("chunk_2"), "pack_0.bin");
        // Shared by the app scene and the mock's restore, which the demos load: apart, so that
        // a demo does not fetch the app scene's pack; shared with both demos: theirs.
        assert_eq!(pack("chunk_3"), "pack_1.bin");
        assert_eq!(pack("chunk_4"), "pack_scene_claim_send.bin");
        assert_eq!(pack("split_packet_card_12"), "pack_2.bin");
        assert_eq!(pack("split_send_flow_34"), "pack_3.bin");
        assert_eq!(packs.len(), 7);
        let js = packed_split_loader(LOADER, &packs).unwrap();
        assert!(!js.contains("fetch(new URL(\"./chunk_") && !js.contains("instantiateStreaming"));
        assert!(js.contains("__hongbao_module(\"chunk_2\")"));
        assert!(js.contains("WebAssembly.instantiate(await src, imports)"));
        assert!(js.contains("\"chunk_2\": () => new URL(\"./pack_0.bin\", import.meta.url),"));
        assert!(pack_assignment("let sharedImports = undefined;").is_err());

        // The packs: a header (count, then name length, name, length per module), the bytes.
        let dist = std::env::temp_dir().join(format!("xtask-pack-{}", std::process::id()));
        fresh_dir(&dist).unwrap();
        for (m, bytes) in [
            ("chunk_1", "one"),
            ("chunk_2", "two!"),
            ("chunk_3", "three"),
            ("chunk_4", "four"),
            ("split_embed_app_scene", "app"),
            ("split_packet_card_12", "card"),
            ("split_send_flow_34", "send"),
        ] {
            std::fs::write(dist.join(format!("{m}.wasm")), bytes).unwrap();
        }
        pack_modules(&dist, &packs).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(&dist)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "pack_0.bin",
                "pack_1.bin",
                "pack_2.bin",
                "pack_3.bin",
                "pack_scene_app.bin",
                "pack_scene_app_fairness.bin",
                "pack_scene_claim_send.bin"
            ]
        );
        let mut expected = 1u32.to_le_bytes().to_vec();
        expected.extend(7u32.to_le_bytes());
        expected.extend(b"chunk_2");
        expected.extend(4u32.to_le_bytes());
        expected.extend(b"two!");
        assert_eq!(std::fs::read(dist.join("pack_0.bin")).unwrap(), expected);
        std::fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn references_are_relative_urls_of_the_whole_name() {
        assert_eq!(refers_to(b"import'./embed.js'", "embed.js"), Some(9));
        assert_eq!(refers_to(b"'./hongbao-embed.js'", "embed.js"), None);
        assert_eq!(refers_to(b"\"embed.json\"", "embed.js"), None);
        // wasm-bindgen's imports object names the module as the wasm does.
        assert_eq!(refers_to(b"{\"./x.js\":a}", "x.js"), None);
        assert_eq!(refers_to(b"from\"./x.js\";{\"./x.js\":a}", "x.js"), Some(7));
        assert_eq!(
            rewrite_refs(b"a('./x.js?i=1');b(\"x.js\")", "x.js", "x.1.js"),
            b"a('./x.1.js?i=1');b(\"x.1.js\")"
        );
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
        assert!(is_lazy("sheet_lab.css"));
        assert!(!is_lazy("hongbao.css"));
    }
}
