//! Every documented limit, tested at its boundary (docs/limits.md).
//! Token length and JSON depth are also pinned as data in
//! tests/vectors/project-verify.json (size/*, json/*), which both the Rust
//! and the Lua runners read; the accepted-list length and encode's table
//! depth are the binding's and live in tests/lua/hostile_spec.lua.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a broken assumption fails the run, which is what a panic does here"
)]

use luajwtjitsi::internal::base64url;
use luajwtjitsi::internal::json::{self, MAX_DEPTH};
use luajwtjitsi::internal::keys::{
    self, PublicKey, KEY_CACHE_ENTRIES, KEY_CACHE_MAX_KEY_LEN, RSA_MAX_BITS, RSA_MIN_VERIFY_BITS,
};
use luajwtjitsi::Algorithm;
use luajwtjitsi::{encode, verify_3_0, Accepted, Error, MAX_TOKEN_LEN};
use serde_json::{Map, Value};
use std::sync::Arc;

const SECRET: &[u8] = b"s3cr3t-test-only";

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn verify(tok: &[u8]) -> Result<Map<String, Value>, Error> {
    verify_3_0(tok, b"HS256", SECRET, Accepted::default(), 0)
}

/// An HS256 token of exactly `len` bytes (a filler claim, then `=` padding
/// on the payload segment for the lengths base64 cannot reach).
fn token_of_len(len: usize) -> Vec<u8> {
    // base64 grows 4/3, so start just below the filler that fills `len`.
    let start = (len * 3 / 4).saturating_sub(64);
    for filler in (0..=start).rev().take(64) {
        let mut claims = Map::new();
        claims.insert("f".into(), Value::String("x".repeat(filler)));
        let tok = encode(&claims, SECRET, Algorithm::HS256, None).unwrap();
        if tok.len() <= len {
            let mut parts: Vec<String> = tok.split('.').map(str::to_owned).collect();
            let short = len - tok.len();
            if short == 0 {
                return tok.into_bytes();
            }
            // Padding is part of the signing input, so sign again.
            if short <= 2 && parts[1].len() % 4 + short <= 4 {
                parts[1].push_str(&"=".repeat(short));
                let input = format!("{}.{}", parts[0], parts[1]);
                let sig = luajwtjitsi::internal::signature::hmac_tag(
                    luajwtjitsi::internal::Hash::Sha256,
                    SECRET,
                    input.as_bytes(),
                );
                let out = format!("{input}.{}", base64url::encode(&sig));
                if out.len() == len {
                    return out.into_bytes();
                }
            }
        }
    }
    panic!("no token of {len} bytes");
}

#[test]
fn token_length_boundary() {
    for len in [MAX_TOKEN_LEN - 1, MAX_TOKEN_LEN] {
        let tok = token_of_len(len);
        assert_eq!(tok.len(), len);
        assert!(verify(&tok).is_ok(), "{len} bytes must verify");
    }
    let mut tok = token_of_len(MAX_TOKEN_LEN);
    tok.insert(0, b'e'); // one byte over: refused before any decoding
    assert_eq!(verify(&tok), Err(Error::InvalidToken));
}

#[test]
fn json_depth_boundary() {
    let nest = |n: usize| format!("{}{}", "[".repeat(n - 1), "]".repeat(n - 1));
    // The payload object is level 1, so MAX_DEPTH - 1 array levels fit.
    let ok = format!("{{\"d\":{}}}", nest(MAX_DEPTH));
    let over = format!("{{\"d\":{}}}", nest(MAX_DEPTH + 1));
    assert!(json::parse_object(ok.as_bytes()).is_some());
    assert!(json::parse_object(over.as_bytes()).is_none());
    // Through verify: the refusal is the body's.
    let header = base64url::encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let tok = format!("{header}.{}.", base64url::encode(over.as_bytes()));
    assert_eq!(verify(tok.as_bytes()), Err(Error::InvalidBody));
}

#[test]
fn members_are_bounded_by_the_token_length_only() {
    // No separate member limit: 7000 members verify when the token fits.
    let mut claims = Map::new();
    for i in 0..7_000 {
        claims.insert(format!("{i:x}"), Value::from(i));
    }
    let tok = encode(&claims, SECRET, Algorithm::HS256, None).unwrap();
    assert!(tok.len() <= MAX_TOKEN_LEN, "{} bytes", tok.len());
    assert_eq!(verify(tok.as_bytes()).unwrap().len(), 7_000);
}

/// DER of an RSA public key (PKCS#1) with a modulus of `bits` bits.
fn rsa_public_der(bits: usize) -> Vec<u8> {
    fn int(bytes: &[u8]) -> Vec<u8> {
        let mut body = bytes.to_vec();
        if body[0] & 0x80 != 0 {
            body.insert(0, 0);
        }
        let mut out = vec![0x02];
        out.extend(len(body.len()));
        out.extend(body);
        out
    }
    fn len(n: usize) -> Vec<u8> {
        let [hi, lo] = u16::try_from(n).unwrap().to_be_bytes();
        match n {
            0..=0x7f => vec![lo],
            0x80..=0xff => vec![0x81, lo],
            _ => vec![0x82, hi, lo],
        }
    }
    let mut n = vec![0xc5u8; bits.div_ceil(8)];
    n[0] = 0xff >> ((8 - bits % 8) % 8); // top bit exactly at `bits`
    *n.last_mut().unwrap() |= 1; // odd
    let mut body = int(&n);
    body.extend(int(&[1, 0, 1]));
    let mut out = vec![0x30];
    out.extend(len(body.len()));
    out.extend(body);
    out
}

/// The same as PEM, whose parse errors keep their reason (DER's say only
/// that no structure matched).
fn rsa_public_pem(bits: usize) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(rsa_public_der(bits));
    let mut pem = String::from("-----BEGIN RSA PUBLIC KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END RSA PUBLIC KEY-----\n");
    pem.into_bytes()
}

#[test]
fn rsa_key_size_boundaries() {
    for bits in [RSA_MIN_VERIFY_BITS, 2048, RSA_MAX_BITS] {
        assert!(
            keys::parse(&rsa_public_der(bits)).is_ok(),
            "{bits} bits as DER"
        );
        match keys::parse(&rsa_public_pem(bits)) {
            Ok(k) => assert!(matches!(k.public, PublicKey::Rsa { bits: b, .. } if b == bits)),
            Err(e) => panic!("{bits} bits refused: {e}"),
        }
    }
    for bits in [RSA_MIN_VERIFY_BITS - 1, 512, RSA_MAX_BITS + 1, 16384] {
        assert!(
            keys::parse(&rsa_public_der(bits)).is_err(),
            "{bits} bits as DER"
        );
        let err = keys::parse(&rsa_public_pem(bits))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(&format!("this one has {bits}")),
            "{bits} bits: {err:?}"
        );
    }
}

#[test]
fn key_cache_is_bounded_and_skips_large_keys() {
    let pem = key_file("rsa2048.pub.pem");
    // Distinct byte strings (trailing newlines) for the same key.
    for i in 0..KEY_CACHE_ENTRIES + 44 {
        let mut k = pem.clone();
        k.extend(std::iter::repeat_n(b'\n', i));
        keys::asymmetric(&k).unwrap();
        assert!(keys::cache_len() <= KEY_CACHE_ENTRIES);
    }
    assert_eq!(keys::cache_len(), KEY_CACHE_ENTRIES);
    // A key longer than the cache's limit parses every time, uncached.
    let mut big = vec![b' '; KEY_CACHE_MAX_KEY_LEN + 1 - pem.len()];
    big.extend_from_slice(&pem);
    assert_eq!(big.len(), KEY_CACHE_MAX_KEY_LEN + 1);
    let (a, b) = (
        keys::asymmetric(&big).unwrap(),
        keys::asymmetric(&big).unwrap(),
    );
    assert!(
        !Arc::ptr_eq(&a, &b),
        "a key over {KEY_CACHE_MAX_KEY_LEN} bytes was cached"
    );
    let mut at_limit = big[1..].to_vec();
    assert_eq!(at_limit.len(), KEY_CACHE_MAX_KEY_LEN);
    let (a, b) = (
        keys::asymmetric(&at_limit).unwrap(),
        keys::asymmetric(&at_limit).unwrap(),
    );
    assert!(
        Arc::ptr_eq(&a, &b),
        "a key of exactly {KEY_CACHE_MAX_KEY_LEN} bytes was not cached"
    );
    at_limit.clear();
}
