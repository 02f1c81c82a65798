//! No import circle in `src/`, and every module uses only what the table
//! below allows, so a new dependency between modules is a decision made
//! here, in review, not an accident.
//!
//! A module is a file: `src/<a>.rs` or `src/<a>/mod.rs` is `a`, `src/<a>/<b>.rs`
//! is `a::b`. An edge is any `crate::…` or `super::…` path outside the file's
//! `#[cfg(test)] mod tests`, and in a `mod.rs`, any path through one of its
//! own child modules (`pub use set::KeySet` makes `keys` depend on
//! `keys::set`). Items re-exported at the crate root (`crate::Error`) count
//! as their module.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test crate: its helpers stop the test on a broken assumption"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it may use. The core is layered bottom-up; the
/// binding (`lua…`) may use the whole core and nothing in the core may use it.
const ALLOWED: &[(&str, &[&str])] = &[
    ("alg", &[]),
    ("base64url", &[]),
    ("json", &[]),
    ("quote", &[]),
    ("keys::error", &["alg", "quote"]),
    ("keys::asymmetric", &["keys::error", "alg"]),
    ("keys::der", &["keys::asymmetric", "keys::error", "alg"]),
    (
        "keys::pem",
        &["keys::asymmetric", "keys::der", "keys::error"],
    ),
    (
        "keys::jwk",
        &[
            "keys::asymmetric",
            "keys::der",
            "keys::error",
            "alg",
            "base64url",
            "json",
        ],
    ),
    (
        "keys::ssh",
        &["keys::asymmetric", "keys::der", "keys::error", "alg"],
    ),
    ("keys::shape", &["keys::der", "keys::ssh", "json"]),
    ("keys::cache", &["keys::asymmetric", "keys::error"]),
    (
        "keys::classify",
        &[
            "keys::asymmetric",
            "keys::cache",
            "keys::der",
            "keys::error",
            "keys::jwk",
            "keys::pem",
            "keys::shape",
            "keys::ssh",
            "alg",
        ],
    ),
    (
        "keys::set",
        &[
            "keys::asymmetric",
            "keys::classify",
            "keys::error",
            "keys::jwk",
            "keys::shape",
            "alg",
            "json",
        ],
    ),
    (
        "keys",
        &[
            "keys::asymmetric",
            "keys::cache",
            "keys::classify",
            "keys::der",
            "keys::error",
            "keys::jwk",
            "keys::pem",
            "keys::set",
            "keys::shape",
            "alg",
        ],
    ),
    ("signature", &["alg", "keys"]),
    ("error", &["pipeline::claims", "keys", "quote"]),
    ("pipeline::claims", &[]),
    ("pipeline::split", &["base64url", "error", "json"]),
    ("pipeline::header", &["error", "json"]),
    (
        "pipeline",
        &[
            "pipeline::claims",
            "pipeline::header",
            "pipeline::split",
            "alg",
            "base64url",
            "error",
            "json",
            "keys",
            "signature",
        ],
    ),
    (
        "api::v3",
        &[
            "pipeline",
            "pipeline::claims",
            "alg",
            "base64url",
            "error",
            "json",
            "keys",
            "signature",
        ],
    ),
    ("api::v2", &["pipeline", "error"]),
    (
        "api::verifier",
        &["pipeline", "pipeline::claims", "alg", "error", "keys"],
    ),
    ("api", &["api::v2", "api::v3", "api::verifier"]),
    ("lua::calls", &[]),
    ("lua::error", &["error", "quote"]),
    ("lua::convert", &["lua::error", "error", "json"]),
    ("lua::raw_claims", &["json"]),
    (
        "lua::extended",
        &[
            "lua::calls",
            "lua::convert",
            "lua::error",
            "lua::raw_claims",
            "api::verifier",
            "alg",
            "pipeline::claims",
        ],
    ),
    (
        "lua",
        &[
            "lua::calls",
            "lua::convert",
            "lua::error",
            "lua::extended",
            "lua::raw_claims",
            "api::v2",
            "api::v3",
            "pipeline",
            "pipeline::claims",
            "alg",
            "error",
        ],
    ),
    ("lua::fallback", &[]),
    ("lua::entry", &["lua", "lua::fallback"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every module file: name → text without its test module.
fn modules() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src()).expect("under src/");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if parts.last().map(String::as_str) == Some("mod") {
                parts.pop();
            }
            let name = parts.join("::");
            if name == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            out.insert(name, code);
        }
    }
    out
}

/// Lines without `//` comments (doc comments name other modules freely).
fn code_lines(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The root's re-exports: item name → module (`Error` → `error`).
fn root_items() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.trim_end_matches(';').split_once("::") else {
            continue;
        };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            out.insert(item.trim().to_owned(), module.to_owned());
        }
    }
    out
}

/// The first path segments after `prefix` in `code`, with `{a, b}` groups
/// opened (one level).
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let item = item.trim();
                let first = ident(item);
                let second = item
                    .strip_prefix(&*first)
                    .and_then(|r| r.strip_prefix("::"))
                    .map(ident);
                out.push([Some(first), second].into_iter().flatten().collect());
            }
            continue;
        }
        let first = ident(rest);
        let second = rest
            .strip_prefix(&*first)
            .and_then(|r| r.strip_prefix("::"))
            .map(ident);
        out.push([Some(first), second].into_iter().flatten().collect());
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let roots = root_items();
    let resolve = |segments: &[String]| -> Option<String> {
        let first = segments.first()?;
        if let Some(second) = segments.get(1) {
            let nested = format!("{first}::{second}");
            if modules.contains_key(&nested) {
                return Some(nested);
            }
        }
        if modules.contains_key(first) {
            return Some(first.clone());
        }
        roots.get(first).cloned()
    };
    let mut edges = BTreeMap::new();
    for (name, text) in &modules {
        let code = code_lines(text);
        let mut uses = BTreeSet::new();
        for path in paths_after(&code, "crate::") {
            uses.extend(resolve(&path));
        }
        let parent: Vec<String> = name.split("::").map(str::to_owned).collect();
        let parent = &parent[..parent.len() - 1];
        for path in paths_after(&code, "super::") {
            let full: Vec<String> = parent.iter().cloned().chain(path).collect();
            uses.extend(resolve(&full).or_else(|| Some(parent.join("::"))));
        }
        // A parent's paths through its own children.
        for child in modules.keys() {
            if let Some(short) = child
                .strip_prefix(name.as_str())
                .and_then(|c| c.strip_prefix("::"))
            {
                if !paths_after(&code, &format!("{short}::")).is_empty() {
                    uses.insert(child.clone());
                }
            }
        }
        uses.remove(name);
        uses.remove("");
        edges.insert(name.clone(), uses);
    }
    edges
}

#[test]
fn every_module_uses_only_what_the_table_allows() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect();
    let graph = graph();
    let mut problems = Vec::new();
    for (module, uses) in &graph {
        let Some(ok) = allowed.get(module.as_str()) else {
            problems.push(format!("{module} is not in ALLOWED"));
            continue;
        };
        for used in uses {
            if !ok.contains(used.as_str()) {
                problems.push(format!("{module} uses {used}, which ALLOWED does not list"));
            }
        }
    }
    for module in allowed.keys() {
        if !graph.contains_key(*module) {
            problems.push(format!("ALLOWED names {module}, which is not a module"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_import_circle() {
    let graph = graph();
    // Depth-first search; a grey node met again closes a circle.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, bool>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(true) => return None,
            Some(false) => {
                let start = path.iter().position(|n| *n == node).unwrap_or(0);
                let mut circle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                circle.push(node.to_owned());
                return Some(circle);
            }
            None => {}
        }
        state.insert(node, false);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(node, true);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(circle) = visit(node, &graph, &mut state, &mut Vec::new()) {
            panic!("import circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn the_checker_sees_circles_and_edges() {
    // The parser itself: a group, a nested path, a root item, a comment.
    let code = code_lines("use crate::{alg, keys::KeyError};\nuse crate::Error; // crate::json\n");
    let paths = paths_after(&code, "crate::");
    assert_eq!(
        paths,
        vec![
            vec!["alg".to_owned()],
            vec!["keys".to_owned(), "KeyError".to_owned()],
            vec!["Error".to_owned()],
        ]
    );
    assert_eq!(root_items().get("Error").map(String::as_str), Some("error"));
    // The real graph has the edges this file's table is about.
    let graph = graph();
    assert!(graph["pipeline"].contains("signature"));
    assert!(graph["keys::classify"].contains("keys::jwk"));
    assert!(graph["keys"].contains("keys::set"));
    assert!(!graph["keys::jwk"].contains("keys::classify"));
}
