//! The one rule that says what key bytes are, and the key values built
//! through it: [`HmacSecret`] (only made by [`HmacSecret::new`]), [`Key`],
//! and [`Bound`], a key checked against one algorithm by the key-family
//! rule, which is all the signature code takes.
#![forbid(unsafe_code)]

use super::asymmetric::{AsymmetricKey, PublicKey};
use super::error::{FamilyError, FileError, KeyError, SecretError};
use super::shape::{shape_by_content, without_bom, KeyShape};
use super::{cache, der, jwk, pem, ssh};
use crate::alg::{Algorithm, Family};
use std::sync::Arc;

/// Classify `key` (see [`KeyShape`]) without touching the cache, so secrets
/// never enter it. Cost for a real secret: a few scans (`-----BEGIN`, NUL,
/// `"kty"`), and a base64 or hex decode when the secret is such text.
pub fn key_shape(key: &[u8]) -> KeyShape {
    match shape_by_content(key) {
        // Fail closed: whatever a key reader of this module accepts is a
        // key, even if a rule missed it. Only the readers are asked: the
        // content rules already ran (this is on every HS* verify).
        KeyShape::Secret if read(key).is_some_and(|r| r.is_ok()) => KeyShape::Der,
        shape => shape,
    }
}

/// An HMAC secret that passed the one classification rule: not empty, and
/// [`key_shape`] finds nothing about it that says "key". This is the HS/RS
/// confusion guard: a verifier configured with a key file must never accept
/// a token MACed with that file's bytes (compare CVE-2021-39215).
#[derive(Clone, PartialEq, Eq)]
pub struct HmacSecret(Box<[u8]>);

impl HmacSecret {
    /// Check `bytes` and keep them. Errors: [`SecretError::Empty`],
    /// [`SecretError::Pem`], [`SecretError::Der`],
    /// [`SecretError::Encoded`], [`SecretError::Jwk`],
    /// [`SecretError::Ssh`].
    pub fn new(bytes: &[u8]) -> Result<HmacSecret, KeyError> {
        // COMPAT(empty-secret): 3.0 accepted an empty secret, which anyone can sign with.
        if bytes.is_empty() {
            return Err(SecretError::Empty.into());
        }
        // COMPAT(key-as-secret): 3.0 took any bytes; a key used as a secret is the
        // HS/RS confusion, since the public key is public.
        match key_shape(bytes) {
            KeyShape::Pem => Err(SecretError::Pem.into()),
            KeyShape::Der => Err(SecretError::Der.into()),
            KeyShape::Encoded => Err(SecretError::Encoded.into()),
            KeyShape::Jwk => Err(SecretError::Jwk.into()),
            KeyShape::Ssh => Err(SecretError::Ssh.into()),
            KeyShape::Secret => Ok(HmacSecret(bytes.into())),
        }
    }

    /// The secret's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

// Never print a secret, even in a debug dump.
impl std::fmt::Debug for HmacSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HmacSecret({} bytes)", self.0.len())
    }
}

/// A key of either kind.
#[derive(Debug, Clone)]
pub enum Key {
    /// A checked HMAC secret.
    Secret(HmacSecret),
    /// A parsed (cached) asymmetric key.
    Asymmetric(Arc<AsymmetricKey>),
}

impl Key {
    /// The key `alg` needs, read from `bytes`: an HMAC secret for HS*, an
    /// asymmetric key (through the cache) otherwise. Errors are reasons for
    /// `Invalid key: ...`.
    pub fn for_alg(alg: Algorithm, bytes: &[u8]) -> Result<Key, KeyError> {
        match alg.family() {
            Family::Hmac => HmacSecret::new(bytes).map(Key::Secret),
            _ => asymmetric(bytes).map(Key::Asymmetric),
        }
    }

    /// Bind the key to `alg` by the key-family rule (docs/contract.md §4): a secret
    /// serves HS*, an RSA key RS* and PS*, an EC key only the ES* of its
    /// curve, an Ed25519 key only EdDSA. Errors are reasons for
    /// `Invalid key: ...`.
    pub fn bind(&self, alg: Algorithm) -> Result<Bound<'_>, KeyError> {
        let fits = match (alg.family(), self) {
            (Family::Hmac, Key::Secret(_)) => Ok(()),
            (_, Key::Secret(_)) => Err(FamilyError::SecretForAsymmetric { alg }.into()),
            (Family::Hmac, Key::Asymmetric(_)) => {
                Err(FamilyError::AsymmetricForHmac { alg }.into())
            }
            (_, Key::Asymmetric(k)) => k.allows(alg).and_then(|()| fits(alg, &k.public)),
        };
        fits.map(|()| Bound { alg, key: self })
    }
}

/// The family rule for an asymmetric key and an asymmetric algorithm.
fn fits(alg: Algorithm, public: &PublicKey) -> Result<(), KeyError> {
    let ok = match (alg.family(), public) {
        (Family::Rsa, PublicKey::Rsa { .. }) => true,
        (Family::Ec, PublicKey::Ec { curve, .. }) => alg.curve() == Some(*curve),
        (Family::Ed25519, PublicKey::Ed25519(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(KeyError::Family(FamilyError::WrongFamily {
            key: public.kind(),
            alg,
        }))
    }
}

/// A key bound to one algorithm by [`Key::bind`], the only way to make one:
/// the signature code takes this, so a key of the wrong family cannot
/// reach it.
#[derive(Debug, Clone, Copy)]
pub struct Bound<'k> {
    alg: Algorithm,
    key: &'k Key,
}

impl<'k> Bound<'k> {
    /// The algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key, which fits [`Bound::alg`].
    pub fn key(&self) -> &'k Key {
        self.key
    }
}

/// Parse an asymmetric key, through the cache. Errors are reasons for
/// `Invalid key: ...`.
pub fn asymmetric(key: &[u8]) -> Result<Arc<AsymmetricKey>, KeyError> {
    cache::cached(key, parse)
}

/// Parse an asymmetric key without the cache. Reads what OpenSSL 3.0's
/// `openssl pkey`, `pkey -pubin` and `x509` read (docs/keys.md), plus JWK
/// text (docs/contract.md §5):
/// - PEM anywhere in text: after a UTF-8 byte-order mark, explanatory text
///   or OpenSSL's `Bag Attributes` lines, with CRLF line ends, trailing
///   blanks, any line width, RFC 1421 headers; several blocks are resolved
///   by `pem_file`;
/// - DER, with or without bytes after the key;
/// - a JWK (after a byte-order mark too);
/// - an OpenSSH public key line or certificate (in an authorized_keys or
///   known_hosts setting too) and RFC 4716 text (`ssh::read`).
pub fn parse(key: &[u8]) -> Result<AsymmetricKey, KeyError> {
    read(key).unwrap_or_else(|| {
        Err(KeyError::File(match shape_by_content(key) {
            KeyShape::Pem => FileError::Utf16Pem,
            KeyShape::Jwk => FileError::JwkNotAlone,
            KeyShape::Encoded => FileError::UnarmouredDer,
            KeyShape::Ssh => FileError::Utf16Ssh,
            _ => FileError::NotAKey,
        }))
    })
}

/// The key readers of [`parse`]: `None` when none of them applies to `key`
/// (no PEM line, no JSON object, no DER key at its start, no SSH key text).
fn read(key: &[u8]) -> Option<Result<AsymmetricKey, KeyError>> {
    let text = without_bom(key);
    let trimmed = text.trim_ascii();
    if memchr::memmem::find(text, b"-----BEGIN").is_some() {
        Some(pem::pem_file(text))
    } else if trimmed.starts_with(b"{") {
        Some(jwk::parse_asymmetric(trimmed, HmacSecret::new))
    } else if key.is_empty() {
        Some(Err(FileError::Empty.into()))
    } else {
        der::der_prefix(key)
            .filter(|d| der::der_is_key(d))
            .map(der::parse_der)
            .or_else(|| ssh::read(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::shape::UTF8_BOM;

    #[test]
    fn cache_returns_the_same_parse_for_the_same_bytes() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/keys/rsa2048b.pub.pem"
        ))
        .unwrap();
        let first = asymmetric(&pem).unwrap();
        let second = asymmetric(&pem).unwrap();
        assert!(Arc::ptr_eq(&first, &second), "second lookup parsed again");
        let mut other = pem.clone();
        other.push(b'\n');
        assert!(
            !Arc::ptr_eq(&first, &asymmetric(&other).unwrap()),
            "keyed by exact bytes"
        );
    }

    #[test]
    fn hmac_guard() {
        assert!(HmacSecret::new(b"").is_err());
        assert!(HmacSecret::new(b"  -----BEGIN PUBLIC KEY-----").is_err());
        assert!(HmacSecret::new(b"0ther-secret").is_ok());
        assert!(HmacSecret::new(b"sekr1t").is_ok());
        // Secrets as tools make them stay secrets.
        assert!(HmacSecret::new(b"kP3w9Zq1Xy7Lm2Nb5Vc8Rt4Sd6Fg0Hj+/A=").is_ok());
        assert!(HmacSecret::new(b"3082a1b2c3d4e5f60718293a4b5c6d7e8f90").is_ok());
        assert!(HmacSecret::new(br#"{"secret":"x"}"#).is_ok());
    }

    fn utf16le(text: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        for &b in text {
            out.extend_from_slice(&[b, 0]);
        }
        out
    }

    /// Issue 12: the shapes of a key file that used to pass as a secret.
    #[test]
    fn key_files_are_never_secrets() {
        use crate::test_support::key;
        use base64::Engine;
        let pem = key("rsa2048.pub.pem");
        let der = key("rsa2048.pub.der");
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
        let with = |prefix: &[u8], body: &[u8], suffix: &[u8]| [prefix, body, suffix].concat();
        let cases: Vec<(&str, Vec<u8>, KeyShape)> = vec![
            ("bom", with(UTF8_BOM, &pem, b""), KeyShape::Pem),
            ("preamble", with(b"my key:\n", &pem, b""), KeyShape::Pem),
            (
                "begin in the middle",
                b"x -----BEGIN nothing".to_vec(),
                KeyShape::Pem,
            ),
            ("utf-16", utf16le(&pem), KeyShape::Pem),
            ("der + trailing", with(b"", &der, b"junk"), KeyShape::Der),
            ("rsa 512 der", key_512_der(), KeyShape::Der),
            ("base64", b64.clone().into_bytes(), KeyShape::Encoded),
            (
                "base64 + bom",
                with(UTF8_BOM, b64.as_bytes(), b"\n"),
                KeyShape::Encoded,
            ),
            ("hex", hex.into_bytes(), KeyShape::Encoded),
            (
                "jwk + bom",
                with(UTF8_BOM, &key("ec-p256.pub.jwk.json"), b""),
                KeyShape::Jwk,
            ),
            (
                "jwk utf-16",
                utf16le(&key("ec-p256.pub.jwk.json")),
                KeyShape::Jwk,
            ),
        ];
        for (name, bytes, shape) in cases {
            assert_eq!(key_shape(&bytes), shape, "{name}");
            assert!(
                HmacSecret::new(&bytes).is_err(),
                "{name} passed as a secret"
            );
        }
    }

    /// A 512-bit RSA SPKI: a key this module refuses to use, still a key.
    fn key_512_der() -> Vec<u8> {
        let mut n = vec![0x00, 0xC1];
        n.extend(std::iter::repeat_n(0x5A, 63));
        let len = |v: &[u8]| u8::try_from(v.len()).unwrap();
        let int = |v: &[u8]| [&[0x02, len(v)][..], v].concat();
        let seq = |v: &[u8]| [&[0x30, len(v)][..], v].concat();
        let rsa = seq(&[int(&n), int(&[1, 0, 1])].concat());
        let bits = [&[0x03, len(&rsa) + 1, 0][..], &rsa].concat();
        let alg = seq(&[
            &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 1, 1][..],
            &[0x05, 0],
        ]
        .concat());
        seq(&[alg, bits].concat())
    }

    #[test]
    fn openssl_shaped_files_are_read() {
        use crate::test_support::key;
        let pem = key("rsa2048.pub.pem");
        let public = parse(&pem).unwrap().public;
        let crlf: Vec<u8> = String::from_utf8(pem.clone())
            .unwrap()
            .replace('\n', "\r\n")
            .into();
        let bag = b"Bag Attributes\n    localKeyID: 01 02 \nKey Attributes: <No Attributes>\n";
        for (name, bytes) in [
            ("bom + crlf", [UTF8_BOM, &crlf].concat()),
            ("bag attributes", [&bag[..], &pem].concat()),
            (
                "trailing blanks",
                String::from_utf8(pem.clone())
                    .unwrap()
                    .replace('\n', "  \n")
                    .into(),
            ),
            ("text after", [&pem[..], b"that was the key\n"].concat()),
            (
                "der + trailing",
                [&key("rsa2048.pub.der")[..], b"\n"].concat(),
            ),
            (
                "cert then key",
                [key("rsa2048.crt.pem"), key("rsa2048.key.pem")].concat(),
            ),
        ] {
            assert_eq!(
                parse(&bytes).map(|k| k.public),
                Ok(public.clone()),
                "{name}"
            );
        }
        let both = parse(&[key("rsa2048.crt.pem"), key("rsa2048.key.pem")].concat()).unwrap();
        assert!(both.is_private(), "the private key is the one kept");
    }

    #[test]
    fn refusals_say_what_was_found() {
        use crate::test_support::key;
        let two = [key("rsa2048.pub.pem"), key("rsa2048b.pub.pem")].concat();
        let err = parse(&two).unwrap_err().to_string();
        assert!(
            err.contains("two different keys, 'PUBLIC KEY' (block 1) and 'PUBLIC KEY' (block 2)"),
            "{err}"
        );
        let csr = b"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
        let err = parse(csr).unwrap_err().to_string();
        assert!(err.contains("'CERTIFICATE REQUEST' is not a key"), "{err}");
        let bad_cert = b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        let err = parse(&[&bad_cert[..], &key("rsa2048.pub.pem")].concat())
            .unwrap_err()
            .to_string();
        assert!(err.contains("first certificate in the file"), "{err}");
        let bad_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = parse(&[&bad_base64[..], &key("rsa2048.pub.pem")].concat())
            .unwrap_err()
            .to_string();
        assert!(err.contains("first certificate in the file"), "{err}");
        let blank = b"-----BEGIN PUBLIC KEY-----\nMAA=\n\nMAA=\n-----END PUBLIC KEY-----\n";
        let err = parse(blank).unwrap_err().to_string();
        assert!(err.contains("a blank line inside its base64 text"), "{err}");
        let relabelled = String::from_utf8(key("rsa2048.key.pem"))
            .unwrap()
            .replace("PRIVATE KEY", "PUBLIC KEY");
        let err = parse(relabelled.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains("'PUBLIC KEY' (block 1) does not hold a usable key"),
            "{err}"
        );
        let err = parse(&key("rsa2048.key.enc.pem")).unwrap_err().to_string();
        assert!(err.contains("encrypted"), "{err}");
    }
}
