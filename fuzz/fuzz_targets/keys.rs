//! Every key parser: PEM (all labels, any wrapping), DER (SPKI, PKCS#1,
//! PKCS#8, SEC1, X.509), the HMAC secret guard, the cache, and AWS-LC's RSA
//! signer on whatever parses as a private key. Inputs are the test keys
//! edited at the byte level, the DER inside a PEM edited and re-wrapped, or
//! raw bytes.
//!
//! JWK: `keys::parse` reads JWK text too (src/keys/jwk.rs), and the key files
//! include the JWK vectors, so the byte-level edits reach the JWK parser;
//! the `Jwk` mode below also edits single members of a JWK.
//!
//! Oracles: no panic; the shape rule and the parser agree (a key that parses
//! is never accepted as an HMAC secret); HS* refuses anything a key reader
//! accepts or the never-a-secret rule matches; the cache gives what the
//! reader gives; a key file of any format (PEM, JWK, and the SSH tools'
//! files of fuzz/keyfiles/: OpenSSH and PuTTY keys, RFC 4716, certificates,
//! `authorized_keys` and `known_hosts` lines) dressed as tools and key
//! servers do (`Dressed`) never becomes a secret (issues 12 and 23).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use luajwtjitsi::internal::base64url;
use luajwtjitsi::internal::keys::{self, Key, KeyShape, PublicKey};
use luajwtjitsi::{internal::Family, Algorithm};
use luajwtjitsi_fuzz::{dressed, key_files, pick, ByteOp, Dress, Leaf};
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
enum Input {
    Raw(Vec<u8>),
    Edited(u8, Vec<ByteOp>),
    /// The DER inside a PEM key file edited, then wrapped again with the
    /// given label and line width.
    Rewrapped(u8, Vec<ByteOp>, u8, u8),
    /// One of the JWK files with one member replaced: by a JSON value, or
    /// by the base64url of arbitrary bytes (a modulus, a point, a seed).
    Jwk(u8, u8, Leaf),
    JwkBytes(u8, u8, Vec<u8>),
    /// A PEM or JWK file dressed (text around it, a byte-order mark, CRLF,
    /// whitespace edits): never an HMAC secret.
    Dressed(u8, Vec<Dress>),
}

const JWK_MEMBERS: &[&str] = &[
    "kty", "crv", "n", "e", "x", "y", "d", "k", "kid", "alg", "use", "p", "q",
];

/// The JWK files among the key files, parsed once (parsing all of them on
/// every execution cost about a tenth of the target's time).
fn jwk_files() -> &'static [serde_json::Map<String, serde_json::Value>] {
    static FILES: OnceLock<Vec<serde_json::Map<String, serde_json::Value>>> = OnceLock::new();
    FILES.get_or_init(|| {
        key_files()
            .iter()
            .filter_map(|k| match serde_json::from_slice(k) {
                Ok(serde_json::Value::Object(m)) if m.contains_key("kty") => Some(m),
                _ => None,
            })
            .collect()
    })
}

fn jwk_with(i: u8, member: u8, value: serde_json::Value) -> Vec<u8> {
    let files = jwk_files();
    if files.is_empty() {
        return Vec::new();
    }
    let mut jwk = pick(files, usize::from(i)).clone();
    jwk.insert((*pick(JWK_MEMBERS, usize::from(member))).to_owned(), value);
    serde_json::to_vec(&jwk).unwrap_or_default()
}

const LABELS: &[&str] = &[
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "CERTIFICATE",
    "ENCRYPTED PRIVATE KEY",
    "X",
];

fn b64(bytes: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
    out
}

fn unpem(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn key_bytes(input: &Input) -> Vec<u8> {
    match input {
        Input::Jwk(i, member, leaf) => jwk_with(*i, *member, leaf.value()),
        Input::JwkBytes(i, member, bytes) => jwk_with(
            *i,
            *member,
            serde_json::Value::String(base64url::encode(bytes)),
        ),
        Input::Raw(b) => b.clone(),
        Input::Dressed(i, dress) => dressed(*i, dress),
        Input::Edited(i, ops) => {
            let mut k = pick(key_files(), usize::from(*i)).clone();
            for op in ops.iter().take(8) {
                op.apply(&mut k);
            }
            k
        }
        Input::Rewrapped(i, ops, label, width) => {
            let file = pick(key_files(), usize::from(*i));
            let mut der = if file.starts_with(b"-----BEGIN") {
                unpem(file).unwrap_or_default()
            } else {
                file.clone()
            };
            for op in ops.iter().take(8) {
                op.apply(&mut der);
            }
            let label = pick(LABELS, usize::from(*label));
            let width = usize::from(*width % 80).max(4) / 4 * 4;
            let body = b64(&der);
            let mut pem = format!("-----BEGIN {label}-----\n").into_bytes();
            for line in body.chunks(width) {
                pem.extend_from_slice(line);
                pem.push(b'\n');
            }
            pem.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
            pem
        }
    }
}

fuzz_target!(|input: Input| {
    let key = key_bytes(&input);
    // Each reader and rule runs once per input, and the oracles compare
    // their answers. The target used to ask the same questions eight to ten
    // times (HS256, HS384 and HS512 each ran the secret rule, which parses
    // the key; the uncached reader ran twice), at several times the cost
    // and with nothing more checked: HS* all take the one secret rule.
    let shape = keys::key_shape(&key);
    let secret = Key::for_alg(Algorithm::HS256, &key);
    // Through the cache (as every entry point reads keys): the first read
    // of these bytes parses them.
    let parsed = keys::asymmetric(&key);
    assert_eq!(secret.is_ok(), shape == KeyShape::Secret && !key.is_empty());
    if let Input::Dressed(..) = input {
        // Every key file of every format (PEM, JWK, the SSH and PuTTY
        // files of fuzz/keyfiles/), dressed as tools and key servers do,
        // is never an HMAC secret: the one rule decides, whichever format
        // it learns next.
        assert_ne!(
            shape,
            KeyShape::Secret,
            "a dressed key file passed as a secret: {:?}",
            String::from_utf8_lossy(&key[..key.len().min(80)])
        );
    }
    match &parsed {
        Ok(parsed) => {
            assert_ne!(
                shape,
                KeyShape::Secret,
                "a key that parses passed as a secret"
            );
            if let PublicKey::Rsa { bits, .. } = parsed.public {
                assert!((keys::RSA_MIN_VERIFY_BITS..=keys::RSA_MAX_BITS).contains(&bits));
            }
            // The signer of a private key, built once per distinct key
            // bytes with the cached key, as in the module (on a fresh parse
            // every execution rebuilt it: ring's RSA key check and the
            // P-521 point multiplication were a fifth of the target's time).
            if parsed.is_private() {
                let _ = parsed.signer();
            }
        }
        Err(reason) => assert!(!reason.to_string().is_empty()),
    }
    // HS* refuses whatever a key reader accepts or the rule calls a key.
    assert!(
        !(secret.is_ok() && (parsed.is_ok() || shape != KeyShape::Secret)),
        "HS* took a key for an HMAC secret"
    );
    // Every algorithm binds by the key-family rule.
    for alg in Algorithm::ALL {
        if alg.family() == Family::Hmac {
            if let Ok(k) = &secret {
                let _ = k.bind(alg);
            }
        } else if let Ok(k) = Key::for_alg(alg, &key) {
            let _ = k.bind(alg);
        }
    }
});
