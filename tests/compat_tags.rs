//! Every deliberate difference from luajwtjitsi 3.0 is tagged
//! `COMPAT(<name>): <reason>` where the code makes it (src/, lua/), and
//! docs/contract.md §8, the one list of them, names each as `` `<name>` ``
//! (its table's first column, and the behaviour kept from 3.0 on purpose
//! below it). Both lists must be equal, so a difference cannot be added or
//! removed on one side only, and no bare `COMPAT:` (a tag without a name) is
//! left.
//! The basexx and inspect fallbacks tag their fidelity to those libraries
//! `AS-BASEXX:` / `AS-INSPECT:`, which are not differences from 3.0.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a broken assumption fails the run, which is what a panic does here"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const HEADING: &str = "## 8. Deliberate differences from 3.0";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tag name: lower-case words joined by `-`, at least two words, so that
/// a quoted word in the contract (`` `aud` ``, `` `encode` ``) is never read
/// as one.
fn is_name(s: &str) -> bool {
    let words: Vec<&str> = s.split('-').collect();
    words.len() >= 2
        && words.iter().all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `.rs` and `.lua` files under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rs" | "lua")
        ) {
            out.push(path);
        }
    }
}

/// Tag name → the places (`file:line`) that carry it; bare or malformed
/// tags go to `bad`.
fn code_tags(bad: &mut Vec<String>) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    sources(&root().join("lua"), &mut files);
    assert!(files.len() > 10, "src/ and lua/ hold the sources");
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        let rel = file
            .strip_prefix(root())
            .expect("under the root")
            .display()
            .to_string();
        for (n, line) in text.lines().enumerate() {
            let place = format!("{rel}:{}", n + 1);
            for (at, _) in line.match_indices("COMPAT") {
                let rest = &line[at + "COMPAT".len()..];
                let tag = rest
                    .strip_prefix('(')
                    .and_then(|r| r.split_once("):"))
                    .filter(|(name, reason)| is_name(name) && !reason.trim().is_empty());
                match tag {
                    Some((name, _)) => tags.entry(name.to_owned()).or_default().push(place.clone()),
                    None => bad.push(format!("{place}: {}", line.trim())),
                }
            }
        }
    }
    tags
}

/// The `` `<name>` `` of docs/contract.md §8, in order.
fn contract_names() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("docs/contract.md")).expect("docs/contract.md");
    let start = text.find(HEADING).expect("the contract's §8");
    let body = &text[start + HEADING.len()..];
    let section = &body[..body.find("\n## ").unwrap_or(body.len())];
    section
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| is_name(name))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_tag_is_a_contract_difference_and_back() {
    let mut bad = Vec::new();
    let code = code_tags(&mut bad);
    assert!(
        bad.is_empty(),
        "COMPAT without a name and a reason:\n{}",
        bad.join("\n")
    );
    let listed = contract_names();
    let listed_set: BTreeSet<&String> = listed.iter().collect();
    assert_eq!(
        listed.len(),
        listed_set.len(),
        "a name is listed twice: {listed:?}"
    );
    assert!(listed.len() >= 15, "§8 names them: {listed:?}");
    let untold: Vec<_> = code
        .iter()
        .filter(|(n, _)| !listed_set.contains(n))
        .collect();
    assert!(
        untold.is_empty(),
        "tagged in code, not in docs/contract.md §8: {untold:?}"
    );
    let untagged: Vec<_> = listed.iter().filter(|n| !code.contains_key(*n)).collect();
    assert!(
        untagged.is_empty(),
        "in docs/contract.md §8, tagged nowhere in code: {untagged:?}"
    );
}

#[test]
fn the_name_rule_reads_what_it_should() {
    assert!(is_name("aud-arrays") && is_name("constant-time-hmac") && is_name("base64url-strict"));
    assert!(!is_name("block") && !is_name("RFC 7519") && !is_name("a--b") && !is_name("-a"));
    let mut bad = Vec::new();
    let tags = code_tags(&mut bad);
    assert!(tags.contains_key("aud-arrays"), "{tags:?}");
    assert!(
        tags["rsa-sizes"].len() >= 2,
        "signing floor and verification range"
    );
}
