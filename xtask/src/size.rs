//! `cargo xtask size`: release builds, then raw, gzip -9 and brotli sizes of the dists.
//!
//! Both bundles are code-split (xtask/src/build.rs), so each figure says what a page
//! downloads, when:
//!
//! - the app: `bundle_brotli_bytes` is its first load (the main module, its JS, the split
//!   loader and the CSS); the modules loaded when a view is first shown are counted apart
//!   (`app_lazy_brotli_bytes`), and all of it together in `app_total_brotli_bytes`;
//!   `console_brotli_bytes` is what opening the researcher's console (the lab tab) fetches;
//! - the embed: `embed_brotli_bytes` is the most a page with widgets downloads before a
//!   reader presses anything: the loader, the glue, the split loader, the main module and the
//!   CSS (`embed_first_load_brotli_bytes`; `embed_element_brotli_bytes` the same for a page
//!   with one `<hong-bao>` claim demo): every scene shows a stand-in until pressed.
//!   `embed_<scene>_started_brotli_bytes` is the first load plus the packs starting that
//!   scene fetches (the demos' card and send sheet are in their scenes). File names are the
//!   content-hashed ones of the bundle's manifest.

use crate::build::{embed_dist, is_lazy};
use crate::sh::Sh;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;

/// The embed's scenes and the split points starting each one fetches.
const SCENES: [(&str, &[&str]); 4] = [
    ("fairness", &["embed_fairness_scene"]),
    ("claim_demo", &["embed_claim_scene"]),
    ("send_demo", &["embed_send_scene"]),
    ("app", &["embed_app_scene"]),
];

/// What a page with widgets fetches before anyone presses one (logical names, see
/// [`crate::build::manifest`]): the loader, the wasm-bindgen glue, the split loader, the main
/// module and the stylesheet. (The iframe mode's `frame.js` and `frame.css` are fetched by
/// `frame.html`, a page of its own, not by a page with widgets.)
const FIRST_LOAD: [&str; 5] = [
    "hongbao-embed.js",
    "embed.js",
    "__wasm_split.js",
    "embed_bg.wasm",
    "hongbao.css",
];

pub fn run(sh: &Sh) -> Result<()> {
    crate::build::compile_both(sh)?;
    crate::build::app(sh)?;
    crate::build::embed(sh)?;

    let edist = embed_dist(sh);
    let manifest = crate::build::manifest(&edist)?;
    let files = |names: &[&str]| -> Result<Vec<String>> {
        names
            .iter()
            .map(|n| {
                manifest
                    .get(*n)
                    .map(|(file, _)| file.clone())
                    .with_context(|| format!("{n} is not in the embed's manifest"))
            })
            .collect()
    };
    let first_files = files(&FIRST_LOAD)?;
    let first = report(&edist, "embed, first load (a page with widgets)", |f| {
        first_files.iter().any(|m| m == f)
    })?;
    let mut started = vec![];
    for (scene, splits) in SCENES {
        let packs = crate::build::packs_needed(sh, splits)?;
        let modules = files(&packs.iter().map(String::as_str).collect::<Vec<_>>())?;
        let label = format!("embed, fetched when {scene} starts");
        let bytes = report(&edist, &label, |f| modules.iter().any(|m| m == f))?;
        started.push((scene, first + bytes));
    }
    let dist = crate::build::dist(sh);
    let app_first = report(&dist, "app, first load", |f| !is_lazy(f))?;
    let lazy = report(&dist, "app, loaded on demand", is_lazy)?;
    // The researcher's console (the lab tab): its module, the chunks it needs that the first
    // load does not have, and its stylesheet. A participant's page fetches none of it.
    let loader = std::fs::read_to_string(dist.join("__wasm_split.js"))?;
    let mut console_files = vec![
        "split_lab_screen.wasm".to_owned(),
        "sheet_lab.css".to_owned(),
    ];
    console_files.extend(crate::build::chunks_needed(&loader, "lab_screen"));
    let console = report(&dist, "app, the researcher's console", |f| {
        console_files.iter().any(|c| c == f)
    })?;
    println!("app_lazy_brotli_bytes={lazy}");
    println!("app_total_brotli_bytes={}", app_first + lazy);
    println!("embed_first_load_brotli_bytes={first}");
    // A page with one <hong-bao scene="claim-demo">: the first load, nothing else until the
    // reader presses the packet.
    println!("embed_element_brotli_bytes={first}");
    for (scene, bytes) in &started {
        println!("embed_{scene}_started_brotli_bytes={bytes}");
    }
    // Every scene shows a stand-in until pressed: before that, a page fetches the first load.
    println!("embed_brotli_bytes={first}");
    println!("console_brotli_bytes={console}");
    println!("bundle_brotli_bytes={app_first}");
    Ok(())
}

/// Prints one row per wasm/js/css/bin (pack) file of `dir` whose name passes `keep`, and returns the
/// brotli total.
pub fn report(dir: &Path, label: &str, keep: impl Fn(&str) -> bool) -> Result<usize> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "bin")
            ) && p.file_name().and_then(|n| n.to_str()).is_some_and(&keep)
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no wasm/js/css in {}", dir.display());
    }
    println!("\n{label}: {}", dir.display());
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli"
    );
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for path in &files {
        let bytes = std::fs::read(path)?;
        let (g, b) = (gzip(&bytes)?, brotli(&bytes)?);
        println!(
            "{:<48} {:>10} {:>10} {:>10}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            bytes.len(),
            g,
            b
        );
        raw += bytes.len();
        gz += g;
        br += b;
    }
    println!("{:<48} {raw:>10} {gz:>10} {br:>10}", "total");
    Ok(br)
}

fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}
