//! The compact JWS token: splitting, decoding, and the `verify` pipeline in
//! the order of CONTRACT §2 (rows 6-22; rows 1-5 are the binding's).
#![forbid(unsafe_code)]

use crate::alg::Algorithm;
use crate::claims::{self, Accepted};
use crate::error::Error;
use crate::{base64url, json, signature};
use serde_json::{Map, Value};

/// Longest token accepted, in bytes. Longer input is `Invalid token` before
/// any decoding, so a megabyte of garbage costs one comparison. Real Jitsi
/// tokens are well under 4 KiB; the contract asks for at least 64 KiB.
pub const MAX_TOKEN_LEN: usize = 128 * 1024;

/// The three raw (still base64url) segments of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments<'a> {
    /// First segment: the header.
    pub header: &'a [u8],
    /// Second segment: the payload.
    pub payload: &'a [u8],
    /// Third segment: the signature (may be empty).
    pub signature: &'a [u8],
    /// `header.payload`: the bytes the signature covers, exactly as sent.
    pub signing_input: &'a [u8],
}

/// Split `token` into exactly three `.`-separated segments, header and
/// payload non-empty, the whole at most [`MAX_TOKEN_LEN`] bytes.
/// COMPAT: 3.0 dropped empty segments and also split on `\`; this does not.
pub fn split(token: &[u8]) -> Result<Segments<'_>, Error> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::InvalidToken);
    }
    // memchr scans a word or a vector at a time; every byte must still be
    // looked at, since a third dot anywhere makes the token invalid.
    let mut dots = memchr::memchr_iter(b'.', token);
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(Error::InvalidToken);
    };
    // The dots are in bounds and first < second, so these cannot fail; they
    // are checked so that no input can reach a slicing panic.
    let (Some(header), Some(payload), Some(signature), Some(signing_input)) = (
        token.get(..first),
        token.get(first + 1..second),
        token.get(second + 1..),
        token.get(..second),
    ) else {
        return Err(Error::InvalidToken);
    };
    let segments = Segments {
        header,
        payload,
        signature,
        signing_input,
    };
    if segments.header.is_empty() || segments.payload.is_empty() {
        return Err(Error::InvalidToken);
    }
    Ok(segments)
}

/// A token whose segments decoded: two JSON objects and the signature bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub payload: Map<String, Value>,
    /// The raw signature.
    pub signature: Vec<u8>,
}

/// Decode the segments (rows 8-10): header, then payload, then signature.
/// Nothing is verified.
pub fn decode_segments(segments: &Segments<'_>) -> Result<Decoded, Error> {
    let header = base64url::decode(segments.header)
        .and_then(|bytes| json::parse_object(&bytes))
        .ok_or(Error::InvalidHeader)?;
    let payload = base64url::decode(segments.payload)
        .and_then(|bytes| json::parse_object(&bytes))
        .ok_or(Error::InvalidBody)?;
    let signature = base64url::decode(segments.signature).ok_or(Error::InvalidSignature)?;
    Ok(Decoded {
        header,
        payload,
        signature,
    })
}

/// `verify(token, expectedAlgo, key, acceptedIssuers, acceptedAudiences)`
/// at time `now` (whole seconds since the epoch). Returns the claims.
///
/// The algorithm is the caller's, never the token's; `key` is an HMAC secret
/// for HS*, and a PEM or DER key or certificate otherwise (CONTRACT §5).
pub fn verify(
    token: &[u8],
    expected_alg: &[u8],
    key: &[u8],
    accepted: Accepted<'_>,
    now: i64,
) -> Result<Map<String, Value>, Error> {
    let payload = verify_to_json(token, expected_alg, key, accepted, now)?;
    json::parse_object(&payload).ok_or(Error::InvalidBody)
}

/// The claims `verify` reads; the rest of the payload is checked as strict
/// JSON but not built.
const REGISTERED: [&str; 5] = ["exp", "nbf", "iat", "iss", "aud"];

/// [`verify`], returning the payload as its (decoded, strictly checked) JSON
/// text instead of a map, so a caller can build its own representation of
/// the claims in one pass (the Lua binding builds Lua tables from it).
pub fn verify_to_json(
    token: &[u8],
    expected_alg: &[u8],
    key: &[u8],
    accepted: Accepted<'_>,
    now: i64,
) -> Result<Vec<u8>, Error> {
    let alg = Algorithm::from_name(expected_alg).ok_or(Error::AlgorithmNotSupported)?;
    let segments = split(token)?;
    let [typ, header_alg] = base64url::decode(segments.header)
        .and_then(|bytes| json::scan_object(&bytes, ["typ", "alg"]))
        .ok_or(Error::InvalidHeader)?;
    let payload = base64url::decode(segments.payload).ok_or(Error::InvalidBody)?;
    let registered = json::scan_object(&payload, REGISTERED).ok_or(Error::InvalidBody)?;
    let signature = base64url::decode(segments.signature).ok_or(Error::InvalidSignature)?;
    if typ.as_ref().and_then(Value::as_str) != Some("JWT") {
        return Err(Error::InvalidTyp);
    }
    if header_alg.as_ref().and_then(Value::as_str) != Some(alg.name()) {
        return Err(Error::IncorrectAlg);
    }
    let key = signature::resolve(alg, key).map_err(Error::InvalidKey)?;
    if !signature::verify(alg, &key, segments.signing_input, &signature) {
        return Err(Error::InvalidSignature);
    }
    let claims: Map<String, Value> = REGISTERED
        .into_iter()
        .zip(registered)
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .collect();
    claims::check(&claims, now, accepted)?;
    Ok(payload)
}

/// Seconds since the Unix epoch, as Lua's `os.time()` gives them.
pub fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_needs_exactly_three_segments() {
        let s = split(b"a.b.c").unwrap();
        assert_eq!(
            (s.header, s.payload, s.signature, s.signing_input),
            (&b"a"[..], &b"b"[..], &b"c"[..], &b"a.b"[..])
        );
        assert!(split(b"a.b.").is_ok());
        for bad in [
            &b""[..],
            b"a",
            b"a.b",
            b"a.b.c.d",
            b".b.c",
            b"a..c",
            b"..",
            b"a\\b\\c",
        ] {
            assert_eq!(
                split(bad),
                Err(Error::InvalidToken),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = vec![b'a'; MAX_TOKEN_LEN + 1];
        assert_eq!(split(&long), Err(Error::InvalidToken));
    }
}
