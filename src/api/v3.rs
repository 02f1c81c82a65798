//! luajwtjitsi 3.0's API for Rust callers: [`verify_3_0`] (the pipeline
//! with the caller's one algorithm) and `encode` (canonical header and
//! payload, signed; docs/contract.md §3).
#![forbid(unsafe_code)]

use crate::alg::{Algorithm, Family};
use crate::error::Error;
use crate::keys::Key;
use crate::pipeline::claims::{Accepted, ClaimRules};
use crate::pipeline::{self, Keys, Policy};
use crate::{base64url, json, signature};
use serde_json::{Map, Value};

/// `verify(token, expectedAlgo, key, acceptedIssuers, acceptedAudiences)`
/// at time `now` (whole seconds since the epoch), for Rust callers: the
/// claims as a map. The algorithm is the caller's, never the token's; `key`
/// is an HMAC secret for HS*, and a PEM or DER key or certificate otherwise
/// (docs/contract.md §5). `Algorithm not supported` when `expected_alg` is not a
/// name this module knows.
pub fn verify_3_0(
    token: &[u8],
    expected_alg: &[u8],
    key: &[u8],
    accepted: Accepted<'_>,
    now: i64,
) -> Result<Map<String, Value>, Error> {
    let alg = Algorithm::from_name(expected_alg).ok_or(Error::AlgorithmNotSupported)?;
    let rules = ClaimRules::accepting(accepted);
    pipeline::verify(token, &Policy::v3(alg, &rules), Keys::Bytes(key), now)?.claims()
}

/// Sign already-serialised header and payload JSON with `alg` and `key`,
/// giving `b64(header).b64(payload).b64(signature)`.
///
/// An HS* key that is empty or is a PEM/DER key gives `Invalid key: ...`
/// (3.0 accepted an empty secret); an RS* key that is not a usable private
/// key gives `Not a private PEM key: ...`. RSA signing keys need 2048 bits.
pub fn sign_parts(
    header_json: &[u8],
    payload_json: &[u8],
    alg: Algorithm,
    key: &[u8],
) -> Result<String, Error> {
    let refused = |reason| match alg.family() {
        Family::Hmac => Error::InvalidKey(reason),
        _ => Error::NotPrivateKey(reason),
    };
    let key = Key::for_alg(alg, key).map_err(refused)?;
    let bound = key.bind(alg).map_err(refused)?;
    let mut token = String::with_capacity((header_json.len() + payload_json.len()) * 4 / 3 + 380);
    base64url::encode_into(header_json, &mut token);
    token.push('.');
    base64url::encode_into(payload_json, &mut token);
    let sig = signature::sign(&bound, token.as_bytes()).map_err(Error::NotPrivateKey)?;
    token.push('.');
    base64url::encode_into(&sig, &mut token);
    Ok(token)
}

/// The header `encode` writes: the caller's members, with `typ` set to
/// `"JWT"` and `alg` to the algorithm's name (3.0 wrote both into the
/// caller's table too).
pub fn header_for(alg: Algorithm, extra: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut header = extra.cloned().unwrap_or_default();
    header.insert("typ".to_owned(), Value::String("JWT".to_owned()));
    header.insert("alg".to_owned(), Value::String(alg.name().to_owned()));
    header
}

/// `encode(payload, key, alg, header)` for Rust callers: canonical JSON
/// (members sorted, compact), then [`sign_parts`].
pub fn encode(
    payload: &Map<String, Value>,
    key: &[u8],
    alg: Algorithm,
    header: Option<&Map<String, Value>>,
) -> Result<String, Error> {
    let serialise = |m: &Map<String, Value>| {
        let mut out = Vec::new();
        json::write_object(&mut out, m.iter())
            .map(|()| out)
            .map_err(|e| Error::Serialise {
                kind: e.kind,
                reason: e.reason.to_owned(),
            })
    };
    let header_json = serialise(&header_for(alg, header))?;
    let payload_json = serialise(payload)?;
    sign_parts(&header_json, &payload_json, alg, key)
}
