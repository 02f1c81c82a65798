//! `verify` and the 2.0 `decode` on a vector token mutated per segment, with
//! an arbitrary algorithm, key, accepted lists and clock. With `resign`, an
//! HS* token is signed again after the edits, so edited headers and payloads
//! reach the claims checks.
//!
//! Oracles: no panic (ASan also watches memory); an accepted token passed
//! the claims rules; an HS* verification never accepts key bytes that the
//! never-a-secret rule matches or a key reader accepts (the HS/RS confusion
//! guard), including PEM and JWK files dressed as tools and key servers do
//! (`KeyChoice::Dressed`); `decode` never accepts with bytes that are
//! neither a secret nor a readable key; a key file of any format (PEM, JWK,
//! the SSH tools' files), dressed, never verifies an HS* token, whatever
//! the classifier thinks of it; no token whose header has `crit`, or `b64`
//! other than `true`, is ever accepted, by `verify` or `decode` (RFC 7515
//! §4.1.11, RFC 7797 §7).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use luajwtjitsi::internal::keys::{self, Key, KeyShape};
use luajwtjitsi::internal::{base64url, signature};
use luajwtjitsi::Accepted;
use luajwtjitsi::{decode, verify_3_0};
use luajwtjitsi::{internal::Family, Algorithm};
use luajwtjitsi_fuzz::{pick, seeds, AlgChoice, KeyChoice, Leaf, Token, TokenOp};
use serde_json::Value;

#[derive(Arbitrary, Debug)]
struct Input {
    seed: u16,
    ops: Vec<TokenOp>,
    resign: bool,
    alg: AlgChoice,
    key: KeyChoice,
    issuers: Option<Vec<Leaf>>,
    audiences: Option<Vec<Leaf>>,
    now: Option<i64>,
    raw_token: Option<Vec<u8>>,
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

fuzz_target!(|input: Input| {
    let seed = pick(seeds(), usize::from(input.seed));
    let mut tok = Token::new(&seed.token);
    for op in input.ops.iter().take(16) {
        tok.apply(op);
    }
    let alg_name = input.alg.name(&seed.alg);
    let key = input.key.bytes(&seed.key);
    if input.resign {
        if let Some(alg) = Algorithm::from_name(&alg_name) {
            if alg.family() == Family::Hmac && tok.parts.len() >= 2 {
                if let Ok(resolved) = Key::for_alg(alg, &key) {
                    let mut msg = tok.parts[0].clone();
                    msg.push(b'.');
                    msg.extend_from_slice(&tok.parts[1]);
                    let signed = resolved.bind(alg).and_then(|b| signature::sign(&b, &msg));
                    if let Ok(sig) = signed {
                        tok.parts.truncate(2);
                        tok.parts.push(base64url::encode(&sig).into_bytes());
                    }
                }
            }
        }
    }
    let text = input.raw_token.clone().unwrap_or_else(|| tok.bytes());
    let now = input.now.or(seed.now).unwrap_or(1_700_000_000);
    let issuers: Option<Vec<Value>> = input
        .issuers
        .as_ref()
        .map(|v| v.iter().map(Leaf::value).collect());
    let audiences: Option<Vec<Value>> = input
        .audiences
        .as_ref()
        .map(|v| v.iter().map(Leaf::value).collect());
    let accepted = Accepted {
        issuers: issuers.as_deref(),
        audiences: audiences.as_deref(),
    };

    let verified = verify_3_0(&text, &alg_name, &key, accepted, now);
    let decoded = decode(&text, &key, now);
    if verified.is_ok() || decoded.is_ok() {
        let header = luajwtjitsi::inspect_unverified(&text)
            .expect("accepted a token whose header does not decode")
            .header;
        assert!(!header.contains_key("crit"), "accepted a token with crit");
        assert!(
            header.get("b64").is_none_or(|b| *b == Value::Bool(true)),
            "accepted a token with b64 other than true"
        );
        if matches!(input.key, KeyChoice::Dressed(..)) {
            let alg = Algorithm::from_name(&alg_name);
            assert!(
                verified.is_err() || alg.is_none_or(|a| a.family() != Family::Hmac),
                "an HS* token verified with a dressed key file as the secret"
            );
            assert!(
                decoded.is_err() || keys::parse(&key).is_ok(),
                "decode accepted a token with a dressed key file it cannot read as a key"
            );
        }
    }
    if let Ok(claims) = verified {
        if let Some(exp) = claims.get("exp") {
            let exp = number(exp).expect("accepted a token whose exp is not a number");
            assert!((now as f64) < exp, "accepted an expired token");
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = number(nbf).expect("accepted a token whose nbf is not a number");
            assert!((now as f64) >= nbf.floor(), "accepted a token before nbf");
        }
        if issuers.is_some() {
            assert!(claims.contains_key("iss"), "accepted a token without iss");
        }
        if audiences.is_some() {
            assert!(claims.contains_key("aud"), "accepted a token without aud");
        }
        let alg = Algorithm::from_name(&alg_name).expect("accepted with an unknown algorithm");
        if alg.family() == Family::Hmac {
            assert_eq!(
                keys::key_shape(&key),
                KeyShape::Secret,
                "an HS* token verified with a PEM/DER key as the secret"
            );
            assert!(
                keys::parse(&key).is_err(),
                "an HS* token verified with bytes a key reader accepts"
            );
            assert!(
                !key.is_empty(),
                "an HS* token verified with an empty secret"
            );
        }
    }
    // decode lets a key allow only its own family: whenever the rule calls
    // the bytes a key, an accepted token was checked with a parsed key.
    if decoded.is_ok() && keys::key_shape(&key) != KeyShape::Secret {
        assert!(
            keys::parse(&key).is_ok(),
            "decode accepted a token with key bytes that are neither a secret nor a key"
        );
    }
});
