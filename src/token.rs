//! The compact JWS token: splitting, decoding, and the one verification
//! pipeline, [`verify`], in the order of docs/contract.md §2 (rows 6-22; rows 1-5
//! are the binding's). 3.0's `verify`, 2.0's `decode` and `jwt.verifier`
//! differ only in their [`Policy`] and where their [`Keys`] come from.
#![forbid(unsafe_code)]

use crate::alg::{Algorithm, Family};
use crate::claims::{self, Accepted, Registered};
use crate::error::Error;
use crate::keys::{self, Key, KeySet, KeyShape};
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
/// COMPAT(token-shape): 3.0 dropped empty segments and also split on `\`; this does not.
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

/// Which algorithms a token may use: the one choice that differs between
/// 3.0's `verify`, 2.0's `decode` and the extended API's verifier.
#[derive(Debug, Clone, Copy)]
pub enum AlgRule<'a> {
    /// The caller's one algorithm (3.0 `verify`): the header's `alg` must be
    /// exactly its name, else `Invalid or incorrect alg`.
    Exactly(Algorithm),
    /// One of a list (`jwt.verifier`): any other or unknown `alg` is
    /// `Invalid or incorrect alg`.
    OneOf(&'a [Algorithm]),
    /// The header's algorithm, within the key's family (2.0 `decode`):
    /// `Invalid alg` when it is missing or outside the family, `Algorithm
    /// not supported` when unknown.
    KeyFamily,
}

/// Which message set a failure is told in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Messages {
    /// 3.0's (`Invalid header`, `Not acceptable by exp (...)`, ...).
    Current,
    /// 2.0's `decode` (`Invalid json`, `Not acceptable by exp`).
    Legacy,
}

/// Everything a verification allows or demands, apart from the key.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// Which algorithms are allowed.
    pub algs: AlgRule<'a>,
    /// The `typ` the header must have; `None` skips the check (3.0: `"JWT"`).
    pub typ: Option<&'a str>,
    /// Seconds of clock skew allowed on `exp` and `nbf` (3.0: 0).
    pub leeway: i64,
    /// Accepted issuers and audiences (3.0: whatever the caller passes).
    pub accepted: Accepted<'a>,
    /// Claims that must be present (3.0: none); `'<name>' claim is missing`.
    pub required: &'a [String],
    /// The message set.
    pub messages: Messages,
}

impl<'a> Policy<'a> {
    /// 3.0's `verify(token, alg, key, acceptedIssuers, acceptedAudiences)`.
    pub fn v3(alg: Algorithm, accepted: Accepted<'a>) -> Policy<'a> {
        Policy {
            algs: AlgRule::Exactly(alg),
            typ: Some("JWT"),
            leeway: 0,
            accepted,
            required: &[],
            messages: Messages::Current,
        }
    }

    /// 2.0's `decode(token, key)`: the key's family decides the algorithm,
    /// no `iss`/`aud` checks, 2.0's messages.
    pub fn legacy() -> Policy<'static> {
        Policy {
            algs: AlgRule::KeyFamily,
            typ: Some("JWT"),
            leeway: 0,
            accepted: Accepted::default(),
            required: &[],
            messages: Messages::Legacy,
        }
    }
}

/// Where the key comes from.
#[derive(Debug, Clone, Copy)]
pub enum Keys<'a> {
    /// Key bytes given with the call (3.0 `verify`, 2.0 `decode`): read for
    /// the algorithm when the key step is reached, through the cache.
    Bytes(&'a [u8]),
    /// A key set parsed once (the verifier): the token's `alg` and `kid`
    /// choose.
    Set(&'a KeySet),
}

/// A token whose signature and claims held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The algorithm it was verified with.
    pub alg: Algorithm,
    payload: Vec<u8>,
}

impl Verified {
    /// The payload: decoded, strictly checked JSON text of one object, so a
    /// caller can build its own representation in one pass (the Lua binding
    /// builds Lua tables from it).
    pub fn payload_json(&self) -> &[u8] {
        &self.payload
    }

    /// The claims as a map.
    pub fn claims(&self) -> Result<Map<String, Value>, Error> {
        json::parse_object(&self.payload).ok_or(Error::InvalidBody)
    }
}

/// The verification pipeline, for every API (docs/contract.md §2 rows 6-22): split;
/// decode the header, the payload and the signature; `typ`; the algorithm
/// by `policy.algs`; the key; the signature; then the registered claims and
/// the required ones. Before the signature holds, the payload is only
/// checked as strict JSON and its five registered members captured;
/// nothing else is built from it. `now` is whole seconds since the epoch.
pub fn verify(
    token: &[u8],
    policy: &Policy<'_>,
    keys: Keys<'_>,
    now: i64,
) -> Result<Verified, Error> {
    let result = pipeline(token, policy, keys, now);
    match policy.messages {
        Messages::Current => result,
        Messages::Legacy => result.map_err(Error::into_legacy),
    }
}

fn pipeline(
    token: &[u8],
    policy: &Policy<'_>,
    keys: Keys<'_>,
    now: i64,
) -> Result<Verified, Error> {
    let segments = split(token)?;
    let [typ, header_alg, kid] = base64url::decode(segments.header)
        .and_then(|bytes| json::scan_object(&bytes, ["typ", "alg", "kid"]))
        .ok_or(Error::InvalidHeader)?;
    let payload = base64url::decode(segments.payload).ok_or(Error::InvalidBody)?;
    let mut registered = [const { None }; 5];
    let required: Vec<&str> = policy.required.iter().map(String::as_str).collect();
    let mut present = vec![false; required.len()];
    json::scan_members(
        &payload,
        &Registered::NAMES,
        &mut registered,
        &required,
        &mut present,
    )
    .ok_or(Error::InvalidBody)?;
    let signature = base64url::decode(segments.signature).ok_or(Error::InvalidSignature)?;
    if let Some(wanted) = policy.typ {
        if typ.as_ref().and_then(Value::as_str) != Some(wanted) {
            return Err(Error::InvalidTyp);
        }
    }
    let header_alg = header_alg.as_ref().and_then(Value::as_str);
    let alg = match policy.algs {
        AlgRule::Exactly(alg) if header_alg == Some(alg.name()) => alg,
        AlgRule::Exactly(_) => return Err(Error::IncorrectAlg),
        AlgRule::OneOf(list) => header_alg
            .and_then(|name| Algorithm::from_name(name.as_bytes()))
            .filter(|alg| list.contains(alg))
            .ok_or(Error::IncorrectAlg)?,
        AlgRule::KeyFamily => {
            let name = header_alg.ok_or(Error::InvalidAlg)?;
            Algorithm::from_name(name.as_bytes()).ok_or(Error::AlgorithmNotSupported)?
        }
    };
    let given;
    let bound = match keys {
        Keys::Set(set) => set.select(alg, kid.as_ref()).map_err(Error::InvalidKey)?,
        Keys::Bytes(bytes) => {
            if matches!(policy.algs, AlgRule::KeyFamily) && !family_allows(bytes, alg)? {
                return Err(Error::InvalidAlg);
            }
            given = Key::for_alg(alg, bytes).map_err(Error::InvalidKey)?;
            given.bind(alg).map_err(Error::InvalidKey)?
        }
    };
    if !signature::verify(&bound, segments.signing_input, &signature) {
        return Err(Error::InvalidSignature);
    }
    claims::check_registered(
        &Registered::from_values(registered),
        now,
        policy.accepted,
        policy.leeway,
    )?;
    if let Some(missing) = present
        .iter()
        .position(|&here| !here)
        .and_then(|i| policy.required.get(i))
    {
        return Err(Error::ClaimMissing(missing.clone()));
    }
    Ok(Verified { alg, payload })
}

/// 2.0's rule: whether the family of the key in `bytes` allows `alg`.
/// Bytes the one classification rule calls a secret allow only HS*;
/// anything else must parse as an asymmetric key (`Invalid key` if not)
/// and allows only its own algorithms (docs/contract.md §4). That closes the HS/RS
/// confusion 2.0's `decode` allowed.
fn family_allows(bytes: &[u8], alg: Algorithm) -> Result<bool, Error> {
    if keys::key_shape(bytes) == KeyShape::Secret {
        return Ok(alg.family() == Family::Hmac);
    }
    let parsed = keys::asymmetric(bytes).map_err(Error::InvalidKey)?;
    Ok(Key::Asymmetric(parsed).bind(alg).is_ok())
}

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
    verify(token, &Policy::v3(alg, accepted), Keys::Bytes(key), now)?.claims()
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
