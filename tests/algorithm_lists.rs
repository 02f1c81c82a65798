//! The places outside `src/` that claim to cover every algorithm name
//! exactly the algorithms of `src/alg.rs`'s table, so that no count or list
//! has to be kept true by hand: the algorithm table of docs/algorithms.md,
//! the PyJWT interop test (tests/interop/test_interop.py) and the PyJWT
//! differential (tests/differential/differential.py), which
//! docs/security.md says runs "every algorithm the module supports".
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a broken assumption fails the run, which is what a panic does here"
)]

use luajwtjitsi::Algorithm;
use std::collections::BTreeSet;

fn read(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).expect("a readable file")
}

fn table() -> BTreeSet<String> {
    Algorithm::ALL.iter().map(|a| a.name().to_owned()).collect()
}

/// The double-quoted words of the Python list assigned on the line that
/// starts with `start`, up to its closing `]`.
fn python_list(text: &str, start: &str) -> Vec<String> {
    let from = text.find(start).expect("the list's assignment");
    let list = &text[from..];
    let list = &list[..list.find(']').expect("the list's end")];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn docs_algorithms_table_names_every_algorithm() {
    let text = read("docs/algorithms.md");
    let names: BTreeSet<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("| name |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| l.split('|').nth(1).expect("a first column").split(','))
        .map(|n| n.trim().to_owned())
        .collect();
    assert_eq!(names, table());
}

#[test]
fn pyjwt_interop_and_differential_run_every_algorithm() {
    let interop = python_list(&read("tests/interop/test_interop.py"), "ALGORITHMS = [");
    assert_eq!(interop.iter().cloned().collect::<BTreeSet<_>>(), table());
    assert_eq!(interop.len(), Algorithm::ALL.len(), "a name repeats");
    let differential = read("tests/differential/differential.py");
    let mut names = python_list(&differential, "\nHS = [");
    names.extend(python_list(&differential, "\nASYM = ["));
    assert_eq!(names.iter().cloned().collect::<BTreeSet<_>>(), table());
    assert_eq!(names.len(), Algorithm::ALL.len(), "a name repeats");
}
