//! The raw limits `make bench` sets the Lua figures against, measured in the
//! same run on the same tokens and keys (scripts/bench.sh drives it):
//!
//! - the primitives alone: HMAC-SHA256 over the signing input, and AWS-LC's
//!   RSA-2048 PKCS#1 v1.5 verification and signing;
//! - the Rust core's whole operation without Lua (split, base64url, strict
//!   JSON, key cache, claims), so "Lua figure / core figure" is what the
//!   binding costs.
//!
//! `limits WORK SECONDS` prints `RESULT rust OP OPS_PER_SEC` lines. Times are
//! this thread's CPU time, as the Lua driver's `os.clock` is.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark program: a missing fixture or a wrong result stops it"
)]
#![forbid(unsafe_code)]

use aws_lc_rs::signature as rs;
use luajwtjitsi::internal::keys::{self, PublicKey};
use luajwtjitsi::internal::signature;
use luajwtjitsi::Accepted;
use luajwtjitsi::{internal::Hash, Algorithm};
use serde_json::{Map, Value};
use std::hint::black_box;
use std::time::Instant;

/// CPU time of this thread in seconds: the first field of schedstat
/// (nanoseconds on a CPU). Falls back to wall time where that file is absent.
fn cpu_seconds(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(
            || start.elapsed().as_secs_f64(),
            |ns| std::time::Duration::from_nanos(ns).as_secs_f64(),
        )
}

/// Calls per second of `op`, measured as bench.lua measures: batches grown
/// to 20 ms as a warm-up, then batches until `seconds` of CPU time.
fn measure(seconds: f64, mut op: impl FnMut(usize)) -> f64 {
    let origin = Instant::now();
    let clock = || cpu_seconds(origin);
    let (mut n, mut i) = (1usize, 0usize);
    loop {
        let t0 = clock();
        for _ in 0..n {
            i += 1;
            op(i);
        }
        if clock() - t0 >= 0.02 {
            break;
        }
        n *= 2;
    }
    let (mut calls, mut spent) = (0usize, 0.0);
    while spent < seconds {
        let t0 = clock();
        for _ in 0..n {
            i += 1;
            op(i);
        }
        spent += clock() - t0;
        calls += n;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "a rate: calls stay far below 2^53, and a rounded count would not matter"
    )]
    let rate = calls as f64 / spent;
    rate
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("limits: cannot read {path}: {e}"))
}

/// Seconds since the Unix epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn main() {
    // `cargo bench` adds `--bench`; take the two positional arguments.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (work, seconds) = match args.as_slice() {
        [work, seconds] => (
            work.clone(),
            seconds.parse::<f64>().expect("SECONDS is a number"),
        ),
        _ => {
            eprintln!("usage: limits WORK SECONDS (scripts/bench.sh runs this)");
            std::process::exit(2);
        }
    };
    let report = |op: &str, rate: f64| println!("RESULT rust {op} {rate:.1}");

    let secret = read(&format!("{work}/secret"));
    let hs = read(&format!("{work}/hs256.jwt"));
    let (signing_input, sig) = split_signature(&hs);
    let issuers = [Value::from("jitsi-admin"), Value::from("chat.example.com")];
    let audiences = [Value::from("jitsi"), Value::from("meet.example.com")];
    let accepted = Accepted {
        issuers: Some(&issuers),
        audiences: Some(&audiences),
    };

    report(
        "hmac-sha256",
        measure(seconds, |_| {
            assert!(signature::hmac_verify(
                Hash::Sha256,
                black_box(&secret),
                black_box(signing_input),
                &sig
            ))
        }),
    );
    report(
        "core-hs256-verify",
        measure(seconds, |_| {
            let claims =
                luajwtjitsi::verify_3_0(black_box(&hs), b"HS256", &secret, accepted, now());
            assert!(claims.is_ok());
        }),
    );
    let payload: Map<String, Value> =
        luajwtjitsi::verify_3_0(&hs, b"HS256", &secret, accepted, now())
            .expect("the HS256 token verifies");
    report(
        "core-hs256-encode",
        measure(seconds, |_| {
            let token = luajwtjitsi::encode(black_box(&payload), &secret, Algorithm::HS256, None);
            assert!(token.is_ok());
        }),
    );

    let pub_pem = read(&format!("{work}/keys/rsa-001.pub.pem"));
    let key_pem = read(&format!("{work}/keys/rsa-001.key.pem"));
    let rs_same = read(&format!("{work}/rs256-same.jwt"));
    let (rs_input, rs_sig) = split_signature(&rs_same);
    let parsed = keys::asymmetric(&pub_pem).expect("the RSA public key parses");
    let PublicKey::Rsa { n, e, .. } = &parsed.public else {
        panic!("limits: rsa-001.pub.pem is not an RSA key")
    };
    report(
        "awslc-rsa2048-verify",
        measure(seconds, |_| {
            let ok = rs::RsaPublicKeyComponents { n, e }
                .verify(
                    &rs::RSA_PKCS1_2048_8192_SHA256,
                    black_box(rs_input),
                    &rs_sig,
                )
                .is_ok();
            assert!(ok);
        }),
    );
    report(
        "core-rs256-verify-same",
        measure(seconds, |_| {
            let claims =
                luajwtjitsi::verify_3_0(black_box(&rs_same), b"RS256", &pub_pem, accepted, now());
            assert!(claims.is_ok());
        }),
    );
    let rotate: usize = String::from_utf8_lossy(&read(&format!("{work}/rotate")))
        .trim()
        .parse()
        .expect("WORK/rotate holds a number");
    let rotation: Vec<(Vec<u8>, Vec<u8>)> = (1..=rotate)
        .map(|i| {
            (
                read(&format!("{work}/rs256-rot-{i:03}.jwt")),
                read(&format!("{work}/keys/rsa-{i:03}.pub.pem")),
            )
        })
        .collect();
    report(
        "core-rs256-verify-rotate",
        measure(seconds, |i| {
            let (token, key) = &rotation[i % rotate];
            let claims = luajwtjitsi::verify_3_0(black_box(token), b"RS256", key, accepted, now());
            assert!(claims.is_ok());
        }),
    );
    let signer = keys::asymmetric(&key_pem)
        .and_then(|k| k.signer())
        .expect("the RSA private key parses");
    let keys::Signer::Rsa(pair) = signer.as_ref() else {
        panic!("limits: rsa-001.key.pem is not an RSA key")
    };
    let rng = aws_lc_rs::rand::SystemRandom::new();
    report(
        "awslc-rsa2048-sign",
        measure(seconds, |_| {
            let mut out = vec![0; pair.public_modulus_len()];
            let ok = pair
                .sign(&rs::RSA_PKCS1_SHA256, &rng, black_box(rs_input), &mut out)
                .is_ok();
            assert!(ok);
        }),
    );
    let mut kid = Map::new();
    kid.insert("kid".to_owned(), Value::from("key-1"));
    report(
        "core-rs256-encode",
        measure(seconds, |_| {
            let token =
                luajwtjitsi::encode(black_box(&payload), &key_pem, Algorithm::RS256, Some(&kid));
            assert!(token.is_ok());
        }),
    );
}

/// `header.payload` and the decoded signature of a compact token.
fn split_signature(token: &[u8]) -> (&[u8], Vec<u8>) {
    let dot = token
        .iter()
        .rposition(|&b| b == b'.')
        .expect("a token has dots");
    let sig =
        luajwtjitsi::internal::base64url::decode(&token[dot + 1..]).expect("base64url signature");
    (&token[..dot], sig)
}
