//! `cargo xtask size`: release builds, then raw, gzip -9 and brotli sizes of the dists.
//!
//! Both bundles are code-split (xtask/src/build.rs), so each figure says what a page
//! downloads, when:
//!
//! - the app: `bundle_brotli_bytes` is its first load (the main module, its JS, the split
//!   loader and the CSS); the modules loaded when a view is first shown are counted apart
//!   (`app_lazy_brotli_bytes`), and all of it together in `app_total_brotli_bytes`;
//! - the embed: `embed_brotli_bytes` is the most a page with widgets downloads before a
//!   reader presses anything: the loader, the main module, its JS, the CSS and the iframe
//!   mode's two files, plus the fairness scene, the one scene that starts at once. The other
//!   scenes start when pressed; `embed_<scene>_started_brotli_bytes` is the first load plus
//!   what starting that scene fetches (for claim-demo, the packet card it opens too).

use crate::build::{embed_dist, is_lazy, split_modules};
use crate::sh::Sh;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::Path;

/// The embed's scenes and the split points starting each one fetches.
const SCENES: [(&str, &[&str]); 4] = [
    ("fairness", &["embed_fairness_scene"]),
    ("claim_demo", &["embed_app_scene", "packet_card"]),
    ("send_demo", &["embed_app_scene", "send_flow"]),
    ("app", &["embed_app_scene"]),
];

pub fn run(sh: &Sh) -> Result<()> {
    crate::build::compile_both(sh)?;
    crate::build::app(sh)?;
    crate::build::embed(sh)?;

    let edist = embed_dist(sh);
    let first = report(&edist, "embed, first load", |f| !is_lazy(f))?;
    let mut started = vec![];
    for (scene, splits) in SCENES {
        let mut files = vec![];
        for split in splits {
            files.extend(split_modules(sh, "embed", &edist, split)?);
        }
        let label = format!("embed, fetched when {scene} starts");
        let bytes = report(&edist, &label, |f| files.iter().any(|m| m == f))?;
        started.push((scene, first + bytes));
    }
    let dist = crate::build::dist(sh);
    let app_first = report(&dist, "app, first load", |f| !is_lazy(f))?;
    let lazy = report(&dist, "app, loaded on demand", is_lazy)?;
    println!("app_lazy_brotli_bytes={lazy}");
    println!("app_total_brotli_bytes={}", app_first + lazy);
    println!("embed_first_load_brotli_bytes={first}");
    for (scene, bytes) in &started {
        println!("embed_{scene}_started_brotli_bytes={bytes}");
    }
    let (_, fairness) = started[0];
    println!("embed_brotli_bytes={fairness}");
    println!("bundle_brotli_bytes={app_first}");
    Ok(())
}

/// Prints one row per wasm/js/css file of `dir` whose name passes `keep`, and returns the
/// brotli total.
pub fn report(dir: &Path, label: &str, keep: impl Fn(&str) -> bool) -> Result<usize> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css")
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
