//! Step 1: the compact JWS serialisation (RFC 7515 §7.1) split into its
//! three segments, and, for `inspect`, decoded without verifying anything.
#![forbid(unsafe_code)]

use crate::error::Error;
use crate::{base64url, json};
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
