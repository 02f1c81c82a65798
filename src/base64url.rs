//! base64url (RFC 4648 §5) as JWS uses it: the URL-safe alphabet only.
#![forbid(unsafe_code)]

use base64::engine::general_purpose::{URL_SAFE_NO_PAD, URL_SAFE_PAD_INDIFFERENT};
use base64::Engine;

/// Decode a token segment. COMPAT(base64url-strict): one spelling per
/// segment, where 3.0 was laxer. Trailing `=` padding is accepted (3.0 and
/// PyJWT accept it); `+`, `/`, whitespace, `=` inside the text, a length of
/// 4n+1 and non-zero trailing bits are refused, so every segment has exactly
/// one accepted spelling apart from its padding.
pub fn decode(segment: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_PAD_INDIFFERENT.decode(segment).ok()
}

/// Encode without padding, as RFC 7515 requires.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Append the unpadded encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_padding_and_refuses_other_alphabets() {
        assert_eq!(decode(b"YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(decode(b"YQ==").as_deref(), Some(&b"a"[..]));
        // Short padding is accepted too, as PyJWT (which re-pads) does.
        assert_eq!(decode(b"YQ=").as_deref(), Some(&b"a"[..]));
        assert_eq!(decode(b"-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(decode(b""), Some(vec![]));
        for bad in [
            &b"+/8"[..],
            b"Y Q",
            b"Y=Q",
            b"YQ\n",
            b"YQ===",
            b"YWJj=",
            b"=",
            b"YWJjZ",
            b"YR",
        ] {
            assert_eq!(decode(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }
}
