//! The content rules of the HMAC secret guard: what about key bytes says
//! "key" (a PEM line, a JWK member, DER, SSH or PuTTY key text, base64 or
//! hex of DER), in the
//! bytes as given and as UTF-16 read narrow. [`super::key_shape`] adds the
//! last, fail-closed step (asking the readers).
#![forbid(unsafe_code)]

use super::der::{der_is_key, der_prefix};
use super::ssh::is_ssh_text;
use crate::json;

/// What key bytes are, decided before they are used: the ONE rule that says
/// "HMAC secret or not" for `verify`, `encode`, `decode`, `jwt.verifier`
/// (including an `oct` JWK's `k`), the Prosody shim and `jitsi-jwt`. It fails
/// closed: bytes are [`KeyShape::Secret`] only when nothing about them says
/// "key".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    /// `-----BEGIN` somewhere in the bytes, also after a byte-order mark or
    /// in UTF-16 text; valid PEM or not.
    Pem,
    /// A DER key or certificate at the start, with or without trailing
    /// bytes; or anything else one of this module's key readers accepts.
    Der,
    /// Base64 (standard or URL alphabet) or hex text that decodes to a DER key
    /// or certificate: a PEM body without its armour, an `x5c` entry.
    Encoded,
    /// SSH or PuTTY key text, damaged or not (see `keys::ssh`): an OpenSSH
    /// public key line in any of its settings (authorized_keys, known_hosts,
    /// certificates), RFC 4716, PuTTY `.ppk`, SSH-1 keys; also after a
    /// byte-order mark or in UTF-16.
    Ssh,
    /// A JSON object with a `kty` or `keys` member (a JWK or JWKS), also
    /// after a byte-order mark or in UTF-16; or any text holding `"kty"` or
    /// `"keys"` with its quotes.
    Jwk,
    /// Anything else: an HMAC secret.
    Secret,
}

/// The UTF-8 byte-order mark a Windows editor writes before text.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `key` without one leading UTF-8 byte-order mark.
pub fn without_bom(key: &[u8]) -> &[u8] {
    key.strip_prefix(UTF8_BOM).unwrap_or(key)
}

/// [`super::key_shape`] without its last step (asking the readers), so
/// that [`super::parse`] can use it to explain a refusal.
pub(crate) fn shape_by_content(key: &[u8]) -> KeyShape {
    // UTF-16 text (or any text with NULs in it) is looked at once more with
    // the NULs and a UTF-16 byte-order mark dropped: ASCII in UTF-16 reads
    // as ASCII then.
    let narrowed = memchr::memchr(0, key).map(|_| {
        let mut v: Vec<u8> = key.iter().copied().filter(|&b| b != 0).collect();
        if let Some(rest) = v
            .strip_prefix(b"\xFF\xFE".as_slice())
            .or_else(|| v.strip_prefix(b"\xFE\xFF".as_slice()))
        {
            v = rest.to_vec();
        }
        v
    });
    let views = std::iter::once(key).chain(narrowed.as_deref());
    for view in views.clone() {
        if memchr::memmem::find(view, b"-----BEGIN").is_some() {
            return KeyShape::Pem;
        }
    }
    for view in views.clone() {
        // A JWK member name in quotes is enough: JSON text around a JWK, or a
        // JWK damaged in transit, is still no secret.
        if looks_like_jwk(without_bom(view))
            || memchr::memmem::find(view, br#""kty""#).is_some()
            || memchr::memmem::find(view, br#""keys""#).is_some()
        {
            return KeyShape::Jwk;
        }
    }
    if der_prefix(key).is_some_and(der_is_key) {
        return KeyShape::Der;
    }
    if views.clone().any(|view| is_ssh_text(without_bom(view))) {
        return KeyShape::Ssh;
    }
    if views
        .into_iter()
        .any(|view| encoded_der(without_bom(view).trim_ascii()))
    {
        return KeyShape::Encoded;
    }
    KeyShape::Secret
}

/// Whether `key` is JSON text for a JWK or JWKS: an object with a `kty` or
/// `keys` member, after optional whitespace (the caller drops a byte-order
/// mark). Used by the HMAC guard.
pub(crate) fn looks_like_jwk(key: &[u8]) -> bool {
    let trimmed = key.trim_ascii();
    trimmed.starts_with(b"{")
        && json::parse_object(trimmed)
            .is_some_and(|o| o.contains_key("kty") || o.contains_key("keys"))
}

/// Most candidate runs [`encoded_der`] fully decodes; past this the bytes
/// count as a key (fail closed), so a long text cannot cost more.
const MAX_ENCODED_CANDIDATES: usize = 32;

/// Whether `text` holds, starting at a word, base64 (either alphabet,
/// padding optional, wrapped or not) or hex (colons allowed) that decodes to
/// a DER key or certificate: a PEM body without its armour, alone or among
/// other text (`Bag Attributes` lines, a comment), or an `x5c` entry.
///
/// Every DER key or certificate starts with a SEQUENCE, so its base64 starts
/// with `M`, its hex with `3`: only runs starting so after a character that
/// is not a letter or digit are decoded, and only when their first bytes
/// (whitespace skipped) are a SEQUENCE header.
fn encoded_der(text: &[u8]) -> bool {
    use base64::Engine;
    const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || b"+/-_=".contains(b);
    let is_hex = |b: &u8| b.is_ascii_hexdigit() || *b == b':';
    let b64_run = |run: &[u8]| -> Option<Vec<u8>> {
        let mut standard: Vec<u8> = run
            .iter()
            // Padding ends the base64; text may follow it.
            .take_while(|b| (is_b64(b) && **b != b'=') || b.is_ascii_whitespace())
            .filter(|b| !b.is_ascii_whitespace())
            .map(|&b| match b {
                b'-' => b'+',
                b'_' => b'/',
                other => other,
            })
            .collect();
        // A length that leaves one lone character cannot decode: drop it.
        if standard.len() % 4 == 1 {
            standard.pop();
        }
        LENIENT.decode(standard).ok()
    };
    let hex_run = |run: &[u8]| -> Option<Vec<u8>> {
        let digits: Vec<u8> = run
            .iter()
            .take_while(|b| is_hex(b) || b.is_ascii_whitespace())
            .filter(|b| b.is_ascii_hexdigit())
            .copied()
            .collect();
        digits
            .chunks_exact(2)
            .map(|pair| {
                let text = std::str::from_utf8(pair).ok()?;
                u8::from_str_radix(text, 16).ok()
            })
            .collect()
    };
    let sequence_header = |bytes: &[u8]| matches!(bytes, [0x30, len, ..] if *len < 0x85);
    // The first characters of a run, whitespace skipped: enough for the
    // SEQUENCE header (2 bytes).
    let head = |run: &[u8], keep: &dyn Fn(&u8) -> bool, n: usize| -> Vec<u8> {
        run.iter()
            .take_while(|b| keep(b) || b.is_ascii_whitespace())
            .filter(|b| keep(b))
            .take(n)
            .copied()
            .collect()
    };
    let mut decoded = 0;
    let mut previous_alphanumeric = false;
    for (i, b) in text.iter().enumerate() {
        let word_start = !previous_alphanumeric;
        previous_alphanumeric = b.is_ascii_alphanumeric();
        if !word_start {
            continue;
        }
        let rest = text.get(i..).unwrap_or_default();
        let run = match rest {
            [b'M', ..] => {
                let first = LENIENT.decode(head(rest, &is_b64, 4)).ok();
                if !first.is_some_and(|h| sequence_header(&h)) {
                    continue;
                }
                b64_run(rest)
            }
            [b'3', ..] => {
                let first = hex_run(&head(rest, &is_hex, 8));
                if !first.is_some_and(|h| sequence_header(&h)) {
                    continue;
                }
                hex_run(rest)
            }
            _ => continue,
        };
        decoded += 1;
        if decoded > MAX_ENCODED_CANDIDATES {
            return true;
        }
        if run.is_some_and(|der| der_prefix(&der).is_some_and(der_is_key)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        assert!(looks_like_jwk(br#" {"kty":"RSA"} "#));
        assert!(looks_like_jwk(br#"{"keys":[]}"#));
        assert!(!looks_like_jwk(br#"{"k":"v"}"#));
        assert!(!looks_like_jwk(b"{not json"));
        assert!(!looks_like_jwk(b"sekr1t"));
    }
}
