//! `cargo xtask size`: release builds, then raw, gzip -9 and brotli sizes of the dists.
//!
//! The app is code-split (xtask/src/build.rs): `bundle_brotli_bytes` is what its first load
//! fetches (the main module, its JS, the split loader and the CSS); the modules loaded when a
//! view is first shown are counted apart (`app_lazy_brotli_bytes`), and all of it together in
//! `app_total_brotli_bytes`.

use crate::sh::Sh;
use crate::tools;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::Path;

pub fn run(sh: &Sh) -> Result<()> {
    tools::ensure_build_tools(sh)?;
    crate::build::app(sh)?;
    build_embed(sh)?;
    let embed = report(&embed_dist(sh), "embed", |_| true)?;
    let dist = crate::build::dist(sh);
    let first = report(&dist, "app, first load", |f| !crate::build::is_lazy(f))?;
    let lazy = report(&dist, "app, loaded on demand", crate::build::is_lazy)?;
    println!("app_lazy_brotli_bytes={lazy}");
    println!("app_total_brotli_bytes={}", first + lazy);
    println!("embed_brotli_bytes={embed}");
    println!("bundle_brotli_bytes={first}");
    Ok(())
}

/// Where the embed bundle is built (`embed/index.html`).
pub fn embed_dist(sh: &Sh) -> std::path::PathBuf {
    sh.root.join("target/dist-embed")
}

/// The embed bundle: stable file names (the loader `hongbao-embed.js` imports `embed.js`,
/// the shadow roots link `hongbao.css`).
pub fn build_embed(sh: &Sh) -> Result<()> {
    let dist = embed_dist(sh);
    let dist = dist.to_string_lossy();
    sh.trunk(&[
        "build",
        "--release",
        "--filehash",
        "false",
        "--dist",
        &dist,
        "embed/index.html",
    ])
    .run()
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
