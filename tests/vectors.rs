//! Every case of tests/vectors/verify.json and encode.json (copied from the
//! shared conformance vectors) against the Rust core. Lua-only cases (argument
//! types) belong to the busted specs. No case is skipped.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a broken assumption fails the run, which is what a panic does here"
)]

use luajwtjitsi::{Accepted, Algorithm};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Seconds since the Unix epoch, for cases without a `now`.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join(name)).expect("vector file");
    let doc: Value = serde_json::from_str(&text).expect("vector JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn key_bytes(key: &Value) -> Vec<u8> {
    match key {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Object(o) => {
            std::fs::read(vectors_dir().join(o["file"].as_str().expect("file"))).expect("key file")
        }
        other => panic!("unexpected key {other}"),
    }
}

/// Compare actual claims with an expectation written with the vectors'
/// markers ($null, $int, $float). Returns a description of the first mismatch.
fn matches(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    let fail = || Err(format!("{path}: expected {expected}, got {actual}"));
    match expected {
        Value::Object(o) if o.len() == 1 && o.keys().next().is_some_and(|k| k.starts_with('$')) => {
            let (marker, arg) = o.iter().next().expect("one member");
            let ok = match marker.as_str() {
                "$null" => actual.is_null(),
                "$int" => {
                    actual.as_i64().is_some()
                        && actual.as_i64() == arg.as_str().and_then(|s| s.parse().ok())
                }
                "$float" => {
                    actual.is_f64() && actual.as_f64() == arg.as_str().and_then(|s| s.parse().ok())
                }
                other => return Err(format!("{path}: unknown marker {other}")),
            };
            if ok {
                Ok(())
            } else {
                fail()
            }
        }
        Value::Object(exp) => {
            let Value::Object(act) = actual else {
                return fail();
            };
            if exp.len() != act.len() || exp.keys().any(|k| !act.contains_key(k)) {
                return Err(format!(
                    "{path}: keys differ: expected {:?}, got {:?}",
                    exp.keys(),
                    act.keys()
                ));
            }
            exp.iter()
                .try_for_each(|(k, v)| matches(v, &act[k], &format!("{path}.{k}")))
        }
        Value::Array(exp) => {
            let Value::Array(act) = actual else {
                return fail();
            };
            if exp.len() != act.len() {
                return fail();
            }
            exp.iter()
                .zip(act)
                .enumerate()
                .try_for_each(|(i, (e, a))| matches(e, a, &format!("{path}[{i}]")))
        }
        Value::Number(e) => match (e.as_i64(), actual.as_i64(), actual.as_f64()) {
            (Some(x), Some(y), _) => {
                if x == y {
                    Ok(())
                } else {
                    fail()
                }
            }
            (_, _, Some(y)) if e.as_f64() == Some(y) => Ok(()),
            _ => fail(),
        },
        _ => {
            if expected == actual {
                Ok(())
            } else {
                fail()
            }
        }
    }
}

fn check_outcome(expect: &Value, result: Result<String, String>) -> Result<(), String> {
    if let Some(msg) = expect.get("error").and_then(Value::as_str) {
        return match result {
            Err(got) if got == msg => Ok(()),
            other => Err(format!("expected error {msg:?}, got {other:?}")),
        };
    }
    if let Some(prefix) = expect.get("error_prefix").and_then(Value::as_str) {
        let suffix = expect
            .get("error_suffix")
            .and_then(Value::as_str)
            .unwrap_or("");
        return match result {
            Err(got) if got.starts_with(prefix) && got.ends_with(suffix) => Ok(()),
            other => Err(format!(
                "expected error {prefix:?}...{suffix:?}, got {other:?}"
            )),
        };
    }
    Err("unknown expectation".into())
}

struct Tally {
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    fn new() -> Self {
        Tally {
            passed: 0,
            failures: vec![],
        }
    }

    fn report(self, what: &str) {
        println!(
            "{what}: {} passed, {} failed",
            self.passed,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{} {what} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(self.passed > 0, "no {what} case ran");
    }
}

fn list(v: &Value) -> Option<Vec<Value>> {
    v.as_array().cloned()
}

#[test]
fn verify_vectors() {
    let mut tally = Tally::new();
    // The shared conformance vectors, then this project's own cases beside
    // them (tests/vectors/make_project_vectors.py).
    let cases = load("verify.json")
        .into_iter()
        .chain(load("project-verify.json"));
    for case in cases {
        let name = case["name"].as_str().expect("name").to_owned();
        if case.get("lua_only").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let token = case["token"].as_str().expect("token");
        let alg = case["alg"].as_str().expect("alg");
        let key = key_bytes(&case["key"]);
        let (issuers, audiences) = (list(&case["issuers"]), list(&case["audiences"]));
        let accepted = Accepted {
            issuers: issuers.as_deref(),
            audiences: audiences.as_deref(),
        };
        let now = case["now"].as_i64().unwrap_or_else(now);
        let result = luajwtjitsi::verify_3_0(token.as_bytes(), alg.as_bytes(), &key, accepted, now);
        // project-verify.json may give the claims as JSON text (too deep to embed).
        let text_claims = case["expect"]
            .get("claims_json")
            .and_then(Value::as_str)
            .map(|t| serde_json::from_str::<Value>(t).expect("claims_json"));
        let outcome = match (
            &case["expect"].get("claims").or(text_claims.as_ref()),
            result,
        ) {
            (Some(claims), Ok(got)) => matches(claims, &Value::Object(got), "claims"),
            (Some(_), Err(e)) => Err(format!(
                "expected claims, got error {e:?}",
                e = e.to_string()
            )),
            (None, result) => check_outcome(
                &case["expect"],
                result.map(|c| format!("{c:?}")).map_err(|e| e.to_string()),
            ),
        };
        match outcome {
            Ok(()) => tally.passed += 1,
            Err(why) => tally.failures.push(format!("{name}: {why}")),
        }
    }
    tally.report("verify.json + project-verify.json");
}

#[test]
fn encode_vectors() {
    let mut tally = Tally::new();
    for case in load("encode.json") {
        let name = case["name"].as_str().expect("name").to_owned();
        let payload: Map<String, Value> = case["payload"].as_object().cloned().expect("payload");
        let header = case["header"].as_object().cloned();
        let alg_name = case["alg"].as_str().unwrap_or("HS256");
        let key = key_bytes(&case["key"]);
        let result = match Algorithm::from_name(alg_name.as_bytes()) {
            Some(alg) => {
                luajwtjitsi::encode(&payload, &key, alg, header.as_ref()).map_err(|e| e.to_string())
            }
            None => Err(luajwtjitsi::Error::AlgorithmNotSupported.to_string()),
        };
        let expect = &case["expect"];
        let outcome = if let Some(token) = expect.get("token").and_then(Value::as_str) {
            match result {
                Ok(got) if got == token => Ok(()),
                other => Err(format!("expected {token}, got {other:?}")),
            }
        } else if let Some(input) = expect.get("signing_input").and_then(Value::as_str) {
            let verify_key = key_bytes(&expect["verify_with"]);
            match result {
                Ok(got) if got.starts_with(&format!("{input}.")) => {
                    let alg = alg_name.as_bytes();
                    let now = now();
                    match luajwtjitsi::verify_3_0(
                        got.as_bytes(),
                        alg,
                        &verify_key,
                        Accepted::default(),
                        now,
                    ) {
                        Ok(claims) if claims == payload => Ok(()),
                        other => Err(format!("own verify: {other:?}")),
                    }
                }
                other => Err(format!("expected a token starting {input}., got {other:?}")),
            }
        } else {
            check_outcome(expect, result)
        };
        match outcome {
            Ok(()) => tally.passed += 1,
            Err(why) => tally.failures.push(format!("{name}: {why}")),
        }
    }
    tally.report("encode.json");
}
