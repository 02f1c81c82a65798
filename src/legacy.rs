//! `decode(token, key [, verify])`: the 1.x/2.0 API that jitsi-meet called
//! before April 2022 (CONTRACT §4).
#![forbid(unsafe_code)]

use crate::alg::{Algorithm, Family};
use crate::claims::{self, Accepted};
use crate::error::Error;
use crate::keys::{self, PublicKey};
use crate::{signature, token};
use serde_json::{Map, Value};

/// Verify `token` with `key`, taking the algorithm from the token's header,
/// at time `now`. The key decides which algorithms are allowed: a secret
/// only HS*, an RSA key only RS*. That closes the HS/RS confusion 2.0's
/// `decode` allowed. Messages are 2.0's (`Invalid json`, `Invalid alg`,
/// `Not acceptable by exp`, ...). No `iss`/`aud` checks, as in 2.0.
pub fn decode(token_text: &[u8], key: &[u8], now: i64) -> Result<Map<String, Value>, Error> {
    let segments = token::split(token_text)?;
    let decoded = token::decode_segments(&segments).map_err(Error::into_legacy)?;
    if decoded.header.get("typ").and_then(Value::as_str) != Some("JWT") {
        return Err(Error::InvalidTyp);
    }
    let name = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(Error::InvalidAlg)?;
    let alg = Algorithm::from_name(name.as_bytes()).ok_or(Error::AlgorithmNotSupported)?;
    if alg.family() != key_family(key).map_err(Error::InvalidKey)? {
        return Err(Error::InvalidAlg);
    }
    let key = signature::resolve(alg, key).map_err(Error::InvalidKey)?;
    if !signature::verify(alg, &key, segments.signing_input, &decoded.signature) {
        return Err(Error::InvalidSignature);
    }
    claims::check(&decoded.payload, now, Accepted::default()).map_err(Error::into_legacy)?;
    Ok(decoded.payload)
}

/// The family a key belongs to: anything that looks like a PEM or parses as
/// a DER key is asymmetric, everything else is an HMAC secret.
fn key_family(key: &[u8]) -> Result<Family, String> {
    let looks_asymmetric = key.trim_ascii_start().starts_with(b"-----BEGIN")
        || (key.first() == Some(&0x30) && keys::asymmetric(key).is_ok());
    if !looks_asymmetric {
        return Ok(Family::Hmac);
    }
    match keys::asymmetric(key)?.public {
        PublicKey::Rsa { .. } => Ok(Family::Rsa),
        ref other => Err(format!("{} is not supported by decode", other.describe())),
    }
}
