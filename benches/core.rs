//! Micro-benchmarks of the Rust core's steps on a realistic Jitsi token:
//! `cargo bench --bench core`. They print figures and assert nothing about
//! time; `make bench` is the end-to-end view from Lua.
#![forbid(unsafe_code)]
#![allow(
    clippy::panic,
    reason = "a benchmark program: a missing fixture stops it"
)]

use divan::{black_box, Bencher};
use luajwtjitsi::internal::pipeline::{Keys, Policy};
use luajwtjitsi::internal::{base64url, json, pipeline, signature};
use luajwtjitsi::{internal::Hash, Algorithm};
use luajwtjitsi::{Accepted, ClaimRules};
use serde_json::{json as j, Map, Value};

fn main() {
    divan::main();
}

const SECRET: &[u8] = b"a-32-byte-shared-secret-for-jwt!";
const NOW: i64 = 1_800_000_000;

fn claims() -> Map<String, Value> {
    let v = j!({
        "aud": "jitsi", "iss": "chat.example.com", "sub": "meet.example.com", "room": "*",
        "iat": NOW, "nbf": NOW - 10, "exp": NOW + 30 * 24 * 3600,
        "context": {
            "user": {
                "name": "Ada Lovelace", "email": "ada@example.com",
                "avatar": "https://example.com/avatars/ada.png",
                "id": "4f1a9c3e-7b2d-4e8a-9c61-2f0d5b7e3a10", "moderator": true
            },
            "features": {
                "recording": true, "livestreaming": false,
                "transcription": true, "screen-sharing": true
            }
        }
    });
    v.as_object().cloned().unwrap_or_default()
}

fn hs256_token() -> Vec<u8> {
    luajwtjitsi::encode(&claims(), SECRET, Algorithm::HS256, None)
        .map(String::into_bytes)
        .unwrap_or_default()
}

fn lists() -> (Vec<Value>, Vec<Value>) {
    (
        vec![j!("jitsi-admin"), j!("chat.example.com")],
        vec![j!("jitsi"), j!("meet.example.com")],
    )
}

#[divan::bench]
fn split(b: Bencher) {
    let t = hs256_token();
    b.bench(|| pipeline::split(black_box(&t)).is_ok());
}

#[divan::bench]
fn base64url_decode_payload(b: Bencher) {
    let t = hs256_token();
    let s = pipeline::split(&t)
        .map(|s| s.payload.to_vec())
        .unwrap_or_default();
    b.bench(|| base64url::decode(black_box(&s)));
}

fn payload_json() -> Vec<u8> {
    let t = hs256_token();
    pipeline::split(&t)
        .ok()
        .and_then(|s| base64url::decode(s.payload))
        .unwrap_or_default()
}

#[divan::bench]
fn json_scan_registered_claims(b: Bencher) {
    let p = payload_json();
    b.bench(|| json::scan_object(black_box(&p), ["exp", "nbf", "iat", "iss", "aud"]));
}

#[divan::bench]
fn json_parse_whole_payload(b: Bencher) {
    let p = payload_json();
    b.bench(|| json::parse_object(black_box(&p)));
}

#[divan::bench]
fn hmac_sha256_signing_input(b: Bencher) {
    let t = hs256_token();
    let (input, sig) = match pipeline::split(&t) {
        Ok(s) => (
            s.signing_input.to_vec(),
            base64url::decode(s.signature).unwrap_or_default(),
        ),
        Err(_) => (vec![], vec![]),
    };
    b.bench(|| signature::hmac_verify(Hash::Sha256, SECRET, black_box(&input), &sig));
}

/// `pipeline::verify`, the one pipeline: checks, signature and claims, the
/// payload left as checked JSON text (no claims map built).
#[divan::bench]
fn hs256_token_verify(b: Bencher) {
    let t = hs256_token();
    let (iss, aud) = lists();
    let accepted = Accepted {
        issuers: Some(&iss),
        audiences: Some(&aud),
    };
    let rules = ClaimRules::accepting(accepted);
    let policy = Policy::v3(Algorithm::HS256, &rules);
    b.bench(|| pipeline::verify(black_box(&t), &policy, Keys::Bytes(SECRET), NOW).is_ok());
}

/// `verify_3_0`, the 3.0-shaped function: the pipeline, then the claims
/// built into a map.
#[divan::bench]
fn hs256_verify_3_0_to_map(b: Bencher) {
    let t = hs256_token();
    let (iss, aud) = lists();
    let accepted = Accepted {
        issuers: Some(&iss),
        audiences: Some(&aud),
    };
    b.bench(|| luajwtjitsi::verify_3_0(black_box(&t), b"HS256", SECRET, accepted, NOW).is_ok());
}

#[divan::bench]
fn hs256_encode(b: Bencher) {
    let c = claims();
    b.bench(|| luajwtjitsi::encode(black_box(&c), SECRET, Algorithm::HS256, None).is_ok());
}

#[divan::bench]
fn rs256_verify_cached_key(b: Bencher) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/keys/");
    let (Ok(private), Ok(public)) = (
        std::fs::read(format!("{dir}rsa2048.key.pem")),
        std::fs::read(format!("{dir}rsa2048.pub.pem")),
    ) else {
        panic!("tests/vectors/keys/rsa2048.{{key,pub}}.pem are missing");
    };
    let t = luajwtjitsi::encode(&claims(), &private, Algorithm::RS256, None)
        .map(String::into_bytes)
        .unwrap_or_default();
    let rules = ClaimRules::DEFAULT;
    let policy = Policy::v3(Algorithm::RS256, &rules);
    b.bench(|| pipeline::verify(black_box(&t), &policy, Keys::Bytes(&public), NOW).is_ok());
}
