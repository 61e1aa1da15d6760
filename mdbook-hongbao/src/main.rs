//! `mdbook-hongbao`, an mdBook preprocessor: a fenced block
//!
//! ````markdown
//! ```hongbao
//! scene=claim-demo lang=en storage=docs-intro
//! ```
//! ````
//!
//! becomes a live widget, `<hong-bao scene="claim-demo" lang="en" storage="docs-intro">`,
//! and the chapter gets the embed's module script once, before its first widget (the bundle is
//! expected in the book's `embed/` directory; `cargo xtask` copies it there). With the bundle's
//! `manifest.json` (the environment's `HONGBAO_EMBED_MANIFEST`, else `manifest = "<path>"` in
//! the book's `[preprocessor.hongbao]`, relative to the book), the script is the loader's
//! content-hashed file with its `integrity` (SRI) and `crossorigin` attributes; without one, the
//! loader's stable name `hongbao-embed.js`. The block holds
//! `name=value` pairs (a value with spaces in double quotes), as the element's attributes
//! (docs/src/embedding.md). Fenced blocks of any other language, and blocks inside them, are
//! left alone.
//!
//! The protocol (mdBook's): `mdbook-hongbao supports <renderer>` exits 0 for `html`; otherwise
//! stdin holds `[context, book]` as JSON and stdout gets the book back. The book is walked as
//! plain JSON (every `Chapter`'s `content` and `path`), so the preprocessor does not depend on
//! one mdBook version's types.

use serde_json::Value;
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [supports, renderer] = args.as_slice()
        && supports == "supports"
    {
        std::process::exit(if renderer == "html" { 0 } else { 1 });
    }
    if let Err(e) = run() {
        eprintln!("mdbook-hongbao: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())?;
    let value: Value =
        serde_json::from_str(&input).map_err(|e| format!("reading mdBook's JSON: {e}"))?;
    let Value::Array(mut pair) = value else {
        return Err("expected [context, book] on stdin".into());
    };
    if pair.len() != 2 {
        return Err("expected [context, book] on stdin".into());
    }
    let mut book = pair.pop().unwrap_or_default();
    let loader = loader(&pair[0])?;
    walk(&mut book, &loader)?;
    let out = serde_json::to_string(&book).map_err(|e| e.to_string())?;
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| e.to_string())
}

/// The loader a chapter's script loads: its file in `embed/`, and its SRI hash when known.
#[derive(Clone, Debug, PartialEq)]
pub struct Loader {
    pub file: String,
    pub integrity: Option<String>,
}

impl Default for Loader {
    fn default() -> Loader {
        Loader {
            file: "hongbao-embed.js".into(),
            integrity: None,
        }
    }
}

/// The loader from the embed bundle's manifest: `HONGBAO_EMBED_MANIFEST` (which must exist),
/// else the book's `manifest` setting (a missing file falls back to the stable name, with a
/// warning), else the stable name.
fn loader(context: &Value) -> Result<Loader, String> {
    let path = if let Some(env) = std::env::var_os("HONGBAO_EMBED_MANIFEST") {
        std::path::PathBuf::from(env)
    } else if let Some(rel) = context["config"]["preprocessor"]["hongbao"]["manifest"].as_str() {
        let path = std::path::Path::new(context["root"].as_str().unwrap_or(".")).join(rel);
        if !path.exists() {
            eprintln!(
                "mdbook-hongbao: no {} (build the embed bundle); the pages load embed/hongbao-embed.js without integrity",
                path.display()
            );
            return Ok(Loader::default());
        }
        path
    } else {
        return Ok(Loader::default());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("reading the embed manifest {}: {e}", path.display()))?;
    from_manifest(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The loader's entry of an embed manifest (`{"files": {"hongbao-embed.js": {file, integrity}}}`).
pub fn from_manifest(text: &str) -> Result<Loader, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let entry = &json["files"]["hongbao-embed.js"];
    let file = entry["file"]
        .as_str()
        .ok_or("no files.hongbao-embed.js.file")?;
    let integrity = entry["integrity"]
        .as_str()
        .ok_or("no files.hongbao-embed.js.integrity")?;
    let safe = |s: &str, extra: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    if !safe(file, "._-") || !safe(integrity, "-+/=") {
        return Err(format!("unexpected characters in {file:?} / {integrity:?}"));
    }
    Ok(Loader {
        file: file.into(),
        integrity: Some(integrity.into()),
    })
}

/// Rewrites the content of every chapter in `value` (any depth).
fn walk(value: &mut Value, loader: &Loader) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(chapter)) = map.get_mut("Chapter") {
                let path = chapter
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Some(Value::String(content)) = chapter.get_mut("content") {
                    *content = widgets(content, &root_of(&path), loader)
                        .map_err(|e| format!("{path}: {e}"))?;
                }
            }
            map.values_mut().try_for_each(|v| walk(v, loader))
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| walk(v, loader)),
        _ => Ok(()),
    }
}

/// The relative path from a chapter (`a/b.md`) to the book's root (`../`).
fn root_of(chapter: &str) -> String {
    "../".repeat(chapter.matches('/').count())
}

/// `markdown` with each ```` ```hongbao ```` block replaced by a widget; `root` is the path
/// from the chapter to the book's root, `loader` the script to load.
pub fn widgets(markdown: &str, root: &str, loader: &Loader) -> Result<String, String> {
    let mut out = String::with_capacity(markdown.len());
    let mut lines = markdown.split_inclusive('\n').enumerate();
    let mut scripted = false;
    while let Some((n, line)) = lines.next() {
        let Some((fence, info)) = fence_open(line) else {
            out.push_str(line);
            continue;
        };
        // The block's lines, up to its closing fence (or the end of the chapter).
        let mut body = String::new();
        let mut closing = None;
        for (_, inner) in lines.by_ref() {
            if is_fence_close(inner, &fence) {
                closing = Some(inner);
                break;
            }
            body.push_str(inner);
        }
        if info != "hongbao" {
            out.push_str(line);
            out.push_str(&body);
            out.push_str(closing.unwrap_or_default());
            continue;
        }
        let attributes = attributes(&body).map_err(|e| format!("line {}: {e}", n + 1))?;
        if !scripted {
            out.push_str(&format!(
                "<script type=\"module\" src=\"{root}embed/{}\"",
                loader.file
            ));
            if let Some(integrity) = &loader.integrity {
                out.push_str(&format!(
                    " integrity=\"{integrity}\" crossorigin=\"anonymous\""
                ));
            }
            out.push_str("></script>\n");
            scripted = true;
        }
        out.push_str("<hong-bao");
        for (name, value) in attributes {
            out.push_str(&format!(" {name}=\"{}\"", escape(&value)));
        }
        out.push_str("></hong-bao>\n");
    }
    Ok(out)
}

/// A fence's characters and its info string, if `line` opens a fenced block.
fn fence_open(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|x| *x == c).count();
    if len < 3 {
        return None;
    }
    let info = trimmed[len..].trim();
    if c == '`' && info.contains('`') {
        return None;
    }
    let lang = info.split_whitespace().next().unwrap_or_default();
    Some((trimmed[..len].to_owned(), lang.to_owned()))
}

fn is_fence_close(line: &str, fence: &str) -> bool {
    let trimmed = line.trim();
    let c = fence.chars().next().unwrap_or('`');
    trimmed.len() >= fence.len() && trimmed.chars().all(|x| x == c)
}

/// `name=value` pairs separated by white space; a value may be in double quotes.
fn attributes(body: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = vec![];
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').ok_or_else(|| {
            format!(
                "expected name=value, found {:?}",
                rest.lines().next().unwrap_or_default()
            )
        })?;
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid || name.starts_with("on") {
            return Err(format!(
                "{name:?} is not a widget attribute (a-z, 0-9, -; no event handler)"
            ));
        }
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or_else(|| format!("{name}: a quoted value without its closing quote"))?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.push((name.to_owned(), value.to_owned()));
        rest = after.trim_start();
    }
    Ok(out)
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hongbao_block_becomes_a_widget_and_the_script_comes_once() {
        let md = "# Title\n\n```hongbao\nscene=claim-demo lang=en\nsettings=\"recall=none&stages=1\"\n```\n\ntext\n\n```hongbao\nscene=fairness\n```\n";
        let out = widgets(md, "../", &Loader::default()).unwrap();
        assert_eq!(
            out,
            "# Title\n\n<script type=\"module\" src=\"../embed/hongbao-embed.js\"></script>\n<hong-bao scene=\"claim-demo\" lang=\"en\" settings=\"recall=none&amp;stages=1\"></hong-bao>\n\ntext\n\n<hong-bao scene=\"fairness\"></hong-bao>\n"
        );
    }

    #[test]
    fn other_blocks_and_examples_inside_them_stay() {
        let md = "````markdown\n```hongbao\nscene=claim-demo\n```\n````\n```rust\nlet x = 1;\n```\nend\n";
        assert_eq!(widgets(md, "", &Loader::default()).unwrap(), md);
    }

    fn widgets_(md: &str, root: &str) -> Result<String, String> {
        widgets(md, root, &Loader::default())
    }

    #[test]
    fn the_script_is_the_hashed_loader_with_its_integrity_from_the_manifest() {
        let manifest = r#"{"version": 1, "files": {
            "embed.js": {"file": "embed.0a1b.js", "integrity": "sha384-x"},
            "hongbao-embed.js": {"file": "hongbao-embed.1a2b3c4d5e6f7a8b.js", "integrity": "sha384-AbC+/d="}}}"#;
        let loader = from_manifest(manifest).unwrap();
        let out = widgets("```hongbao\nscene=fairness\n```\n", "../", &loader).unwrap();
        assert!(
            out.starts_with("<script type=\"module\" src=\"../embed/hongbao-embed.1a2b3c4d5e6f7a8b.js\" integrity=\"sha384-AbC+/d=\" crossorigin=\"anonymous\"></script>\n"),
            "{out}"
        );
        assert!(from_manifest(r#"{"files": {}}"#).is_err());
        let evil = r#"{"files": {"hongbao-embed.js": {"file": "x.js\"><script>", "integrity": "sha384-x"}}}"#;
        assert!(from_manifest(evil).is_err());
    }

    #[test]
    fn bad_blocks_are_errors() {
        assert!(widgets_("```hongbao\nscene\n```\n", "").is_err());
        assert!(widgets_("```hongbao\nScene=x\n```\n", "").is_err());
        assert!(widgets_("```hongbao\nlang=\"x\n```\n", "").is_err());
        assert!(widgets_("```hongbao\nonclick=alert(1)\n```\n", "").is_err());
    }

    #[test]
    fn chapters_are_found_at_any_depth_with_their_path() {
        let mut book = serde_json::json!({"items": [
            {"Chapter": {"name": "a", "path": "a.md", "content": "```hongbao\nscene=fairness\n```\n",
              "sub_items": [{"Chapter": {"name": "b", "path": "a/b.md", "content": "```hongbao\nlang=en\n```\n", "sub_items": []}}]}},
            "Separator"
        ]});
        walk(&mut book, &Loader::default()).unwrap();
        let a = book["items"][0]["Chapter"]["content"].as_str().unwrap();
        assert!(a.starts_with("<script type=\"module\" src=\"embed/hongbao-embed.js\">"));
        let b = book["items"][0]["Chapter"]["sub_items"][0]["Chapter"]["content"]
            .as_str()
            .unwrap();
        assert!(b.contains("src=\"../embed/hongbao-embed.js\""), "{b}");
        assert!(b.contains("<hong-bao lang=\"en\"></hong-bao>"));
    }
}
