//! Keys: the HMAC secret guard, PEM/DER parsing of asymmetric keys, and the
//! bounded cache that keeps a key server's PEM from being parsed on every
//! login (CONTRACT §5).
//!
//! DER structures are parsed by RustCrypto's maintained crates (`spki`,
//! `pkcs1`, `pkcs8`, `sec1`, `x509-cert`), PEM base64 by `base64ct`; this
//! file finds PEM blocks in text (`pem_blocks`), chooses which parser
//! applies, checks sizes, and holds the one rule that says whether bytes
//! may be an HMAC secret ([`key_shape`]). JWK text goes to [`crate::jwk`].
#![forbid(unsafe_code)]

use der::asn1::ObjectIdentifier;
use der::Decode;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Smallest RSA modulus accepted for verification, in bits.
pub const RSA_MIN_VERIFY_BITS: usize = 1024;
/// Smallest RSA modulus accepted for signing, in bits (3.0 signed with any size).
pub const RSA_MIN_SIGN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (ring's limit).
pub const RSA_MAX_BITS: usize = 8192;
/// How many parsed keys the cache holds; the oldest entry leaves first.
pub const KEY_CACHE_ENTRIES: usize = 256;
/// Keys longer than this many bytes are parsed but never cached.
pub const KEY_CACHE_MAX_KEY_LEN: usize = 16 * 1024;

/// An elliptic curve a key can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (ES256).
    P256,
    /// NIST P-384 (ES384).
    P384,
    /// NIST P-521 (ES512).
    P521,
}

impl Curve {
    /// Bytes of a field element (and of each of `r`, `s` in a JWS signature).
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The JWK `crv` name.
    pub fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }
}

/// The public half of an asymmetric key: what verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA modulus and exponent, big-endian without leading zeros.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
        /// Size of the modulus in bits.
        bits: usize,
    },
    /// An EC point (SEC1 encoding) on a named curve.
    Ec {
        /// The curve.
        curve: Curve,
        /// The point, as found in the key.
        point: Vec<u8>,
    },
    /// An Ed25519 public key.
    Ed25519(Vec<u8>),
}

impl PublicKey {
    /// Human name of the key kind, for error reasons.
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa { bits, .. } => format!("an RSA key of {bits} bits"),
            PublicKey::Ec { curve, .. } => format!("an EC {} key", curve.jwk_name()),
            PublicKey::Ed25519(_) => "an Ed25519 key".to_owned(),
        }
    }
}

/// The private half of a key, kept in the form its signer is built from on
/// first use.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum PrivatePart {
    /// An RSA key in PKCS#8.
    RsaPkcs8(Vec<u8>),
    /// An RSA key in PKCS#1 (`RSA PRIVATE KEY`).
    RsaPkcs1(Vec<u8>),
    /// An RSA key from a JWK: d, p, q, dp, dq, qi (big-endian).
    RsaComponents(Box<[Vec<u8>; 6]>),
    /// An EC private scalar, big-endian, exactly the curve's field length.
    EcScalar(Vec<u8>),
    /// An Ed25519 seed (32 bytes).
    Ed25519Seed(Vec<u8>),
}

// Never print private material, even in a debug dump.
impl std::fmt::Debug for PrivatePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivatePart(..)")
    }
}

/// A ready-to-use signer for a private key.
pub enum Signer {
    /// RSA (RS* and PS*), at least [`RSA_MIN_SIGN_BITS`].
    Rsa(ring::rsa::KeyPair),
    /// ECDSA on P-256 or P-384 (ring).
    Ecdsa(ring::signature::EcdsaKeyPair),
    /// ECDSA on P-521 (RustCrypto `p521`, RFC 6979 nonces).
    P521(Box<p521::ecdsa::SigningKey>),
    /// Ed25519 (ring).
    Ed25519(ring::signature::Ed25519KeyPair),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signer::Rsa(_) => "Signer::Rsa(..)",
            Signer::Ecdsa(_) => "Signer::Ecdsa(..)",
            Signer::P521(_) => "Signer::P521(..)",
            Signer::Ed25519(_) => "Signer::Ed25519(..)",
        })
    }
}

/// A parsed asymmetric key: always its public half, sometimes a private half.
#[derive(Debug)]
pub struct AsymmetricKey {
    /// What verification uses (for a private key, its public half).
    pub public: PublicKey,
    private: Option<PrivatePart>,
    signer: OnceLock<Result<Arc<Signer>, String>>,
}

impl AsymmetricKey {
    pub(crate) fn public_only(public: PublicKey) -> Self {
        AsymmetricKey {
            public,
            private: None,
            signer: OnceLock::new(),
        }
    }

    pub(crate) fn with_private(public: PublicKey, private: PrivatePart) -> Self {
        AsymmetricKey {
            public,
            private: Some(private),
            signer: OnceLock::new(),
        }
    }

    /// Whether the key has a private half.
    pub fn is_private(&self) -> bool {
        self.private.is_some()
    }

    /// The signer for this key, built (and checked against the public half)
    /// on first use. Errors are reasons for `Not a private PEM key: ...`.
    pub fn signer(&self) -> Result<Arc<Signer>, String> {
        self.signer
            .get_or_init(|| build_signer(&self.public, self.private.as_ref()).map(Arc::new))
            .clone()
    }
}

fn build_signer(public: &PublicKey, private: Option<&PrivatePart>) -> Result<Signer, String> {
    use ring::signature as rs;
    let Some(private) = private else {
        return Err("a public key or certificate cannot sign".to_owned());
    };
    match (public, private) {
        (PublicKey::Rsa { bits, .. }, _) if *bits < RSA_MIN_SIGN_BITS => Err(format!(
            "RSA signing keys must have at least {RSA_MIN_SIGN_BITS} bits, this one has {bits}"
        )),
        (PublicKey::Rsa { n, e, .. }, rsa) => {
            let pair = match rsa {
                PrivatePart::RsaPkcs8(der) => ring::rsa::KeyPair::from_pkcs8(der),
                PrivatePart::RsaPkcs1(der) => ring::rsa::KeyPair::from_der(der),
                PrivatePart::RsaComponents(c) => {
                    let [d, p, q, dp, dq, qi] = &**c;
                    ring::rsa::KeyPair::from_components(&ring::rsa::KeyPairComponents {
                        public_key: ring::rsa::PublicKeyComponents {
                            n: n.as_slice(),
                            e: e.as_slice(),
                        },
                        d: d.as_slice(),
                        p: p.as_slice(),
                        q: q.as_slice(),
                        dP: dp.as_slice(),
                        dQ: dq.as_slice(),
                        qInv: qi.as_slice(),
                    })
                }
                _ => return Err("not an RSA private key".to_owned()),
            };
            pair.map(Signer::Rsa)
                .map_err(|e| format!("RSA key rejected ({e})"))
        }
        (PublicKey::Ec { curve, point }, PrivatePart::EcScalar(scalar)) => {
            let rng = ring::rand::SystemRandom::new();
            let alg = match curve {
                Curve::P256 => &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
                Curve::P384 => &rs::ECDSA_P384_SHA384_FIXED_SIGNING,
                Curve::P521 => {
                    let key = p521::ecdsa::SigningKey::from_slice(scalar)
                        .map_err(|_| "malformed P-521 private key".to_owned())?;
                    let derived = key.verifying_key();
                    if derived.to_sec1_point(false).as_bytes() != point.as_slice()
                        && derived.to_sec1_point(true).as_bytes() != point.as_slice()
                    {
                        return Err("the EC private key does not match its public point".to_owned());
                    }
                    return Ok(Signer::P521(Box::new(key)));
                }
            };
            rs::EcdsaKeyPair::from_private_key_and_public_key(alg, scalar, point, &rng)
                .map(Signer::Ecdsa)
                .map_err(|e| format!("EC key rejected ({e})"))
        }
        (PublicKey::Ed25519(public), PrivatePart::Ed25519Seed(seed)) => {
            rs::Ed25519KeyPair::from_seed_and_public_key(seed, public)
                .map(Signer::Ed25519)
                .map_err(|e| format!("Ed25519 key rejected ({e})"))
        }
        _ => Err("the private half does not match the key type".to_owned()),
    }
}

/// Check that `key` can be an HMAC secret (CONTRACT §5): not empty, and
/// [`key_shape`] finds nothing about it that says "key". This is the HS/RS
/// confusion guard: a verifier configured with a key file must never accept
/// a token MACed with that file's bytes (compare CVE-2021-39215). Errors are
/// reasons for `Invalid key: ...`.
pub fn check_hmac_secret(key: &[u8]) -> Result<(), String> {
    if key.is_empty() {
        return Err("an empty HMAC secret would let anyone mint tokens".to_owned());
    }
    match key_shape(key) {
        KeyShape::Pem => Err(
            "text with a \"-----BEGIN\" line (a PEM key or certificate) cannot be an HMAC secret"
                .to_owned(),
        ),
        KeyShape::Der => Err("a DER key or certificate cannot be an HMAC secret".to_owned()),
        KeyShape::Encoded => Err(
            "base64 or hex text of a DER key or certificate cannot be an HMAC secret".to_owned(),
        ),
        KeyShape::Jwk => Err(
            "a JWK or JWKS cannot be an HMAC secret here: pass the raw secret (jwt.verifier takes an \"oct\" JWK)"
                .to_owned(),
        ),
        KeyShape::Secret => Ok(()),
    }
}

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
    /// A JSON object with a `kty` or `keys` member (a JWK or JWKS), also
    /// after a byte-order mark or in UTF-16; or any text holding `"kty"` or
    /// `"keys"` with its quotes.
    Jwk,
    /// Anything else: an HMAC secret.
    Secret,
}

/// The UTF-8 byte-order mark a Windows editor writes before text.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `key` without one leading UTF-8 byte-order mark.
pub fn without_bom(key: &[u8]) -> &[u8] {
    key.strip_prefix(UTF8_BOM).unwrap_or(key)
}

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

/// [`key_shape`] without its last step (asking the readers), so that
/// [`parse`] can use it to explain a refusal.
fn shape_by_content(key: &[u8]) -> KeyShape {
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
        if crate::jwk::looks_like_jwk(without_bom(view))
            || memchr::memmem::find(view, br#""kty""#).is_some()
            || memchr::memmem::find(view, br#""keys""#).is_some()
        {
            return KeyShape::Jwk;
        }
    }
    if der_prefix(key).is_some_and(der_is_key) {
        return KeyShape::Der;
    }
    if views
        .into_iter()
        .any(|view| encoded_der(without_bom(view).trim_ascii()))
    {
        return KeyShape::Encoded;
    }
    KeyShape::Secret
}

/// The first DER element of `bytes` when it is a SEQUENCE (every key and
/// certificate is one) whose length fits: the key part of "DER with
/// trailing bytes".
fn der_prefix(bytes: &[u8]) -> Option<&[u8]> {
    let (header, len) = match bytes {
        [0x30, short, ..] if *short < 0x80 => (2, usize::from(*short)),
        [0x30, long, rest @ ..] if (0x81..=0x84).contains(long) => {
            let n = usize::from(long & 0x7f);
            let len = rest
                .get(..n)?
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (2 + n, len)
        }
        _ => return None,
    };
    bytes.get(..header.checked_add(len)?)
}

/// Whether `der` has the structure of a key or certificate this module
/// knows, whatever its algorithm, curve or size (an Ed448, secp256k1 or
/// 512-bit RSA key is still a key, never a secret).
fn der_is_key(der: &[u8]) -> bool {
    spki::SubjectPublicKeyInfoRef::from_der(der).is_ok()
        || pkcs8::PrivateKeyInfoRef::from_der(der).is_ok()
        || pkcs1::RsaPublicKeyRef::from_der(der).is_ok()
        || pkcs1::RsaPrivateKeyRef::from_der(der).is_ok()
        || sec1::EcPrivateKey::from_der(der).is_ok()
        || x509_cert::Certificate::from_der(der).is_ok()
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

/// Parse an asymmetric key, through the cache. Errors are reasons for
/// `Invalid key: ...`.
pub fn asymmetric(key: &[u8]) -> Result<Arc<AsymmetricKey>, String> {
    if key.len() > KEY_CACHE_MAX_KEY_LEN {
        return parse(key).map(Arc::new);
    }
    let cache = CACHE.get_or_init(|| Mutex::new(KeyCache::default()));
    // A panic while the lock was held cannot leave the map inconsistent
    // (inserts are single calls), so a poisoned lock is still usable.
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
        return hit;
    }
    let parsed = parse(key).map(Arc::new);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, parsed.clone());
    parsed
}

/// Parse an asymmetric key without the cache. Reads what OpenSSL 3.0's
/// `openssl pkey`, `pkey -pubin` and `x509` read (README "Keys"), plus JWK
/// text (CONTRACT §5):
/// - PEM anywhere in text: after a UTF-8 byte-order mark, explanatory text
///   or OpenSSL's `Bag Attributes` lines, with CRLF line ends, trailing
///   blanks, any line width, RFC 1421 headers; several blocks are resolved
///   by `pem_file`;
/// - DER, with or without bytes after the key;
/// - a JWK (after a byte-order mark too).
pub fn parse(key: &[u8]) -> Result<AsymmetricKey, String> {
    read(key).unwrap_or_else(|| {
        Err(match shape_by_content(key) {
            KeyShape::Pem => "UTF-16 text with a -----BEGIN line: save the key file as UTF-8 or ASCII",
            KeyShape::Jwk => "JWK text with something around it or in UTF-16: give the JWK alone, in UTF-8",
            KeyShape::Encoded => {
                "base64 or hex text of a DER key or certificate without PEM armour: add its -----BEGIN and -----END lines"
            }
            _ => "not a PEM or DER key or certificate",
        }
        .to_owned())
    })
}

/// The key readers of [`parse`]: `None` when none of them applies to `key`
/// (no PEM line, no JSON object, no DER key at its start).
fn read(key: &[u8]) -> Option<Result<AsymmetricKey, String>> {
    let text = without_bom(key);
    let trimmed = text.trim_ascii();
    if memchr::memmem::find(text, b"-----BEGIN").is_some() {
        Some(pem_file(text))
    } else if trimmed.starts_with(b"{") {
        Some(crate::jwk::parse_asymmetric(trimmed))
    } else if key.is_empty() {
        Some(Err("the key is empty".to_owned()))
    } else {
        der_prefix(key).filter(|d| der_is_key(d)).map(parse_der)
    }
}

/// One PEM block, found the way OpenSSL's PEM reader finds it.
struct PemBlock {
    label: String,
    /// RFC 1421 header lines after the `-----BEGIN` line.
    headers: bool,
    /// An RFC 1421 `Proc-Type: 4,ENCRYPTED` header.
    encrypted: bool,
    /// The decoded body, or why it could not be decoded.
    der: Result<Vec<u8>, String>,
}

/// Every PEM block in `text`, located line by line as OpenSSL 3.0's
/// `PEM_read_bio` does: a line that starts with `-----BEGIN ` and ends with
/// `-----` (trailing blanks and CR ignored) opens a block, optional RFC 1421
/// headers follow up to a blank line, then base64 lines of any width up to
/// `-----END <same label>-----`; every other line is text around the blocks.
///
/// Written here because neither maintained crate fits: `pem-rfc7468` is the
/// strict one-block grammar (no text around, 64-column lines), and `pem`
/// matches a regular expression over the whole text, so it reads what
/// OpenSSL refuses (a one-line PEM, an indented `-----BEGIN`, a blank line
/// taken for the end of headers) and fails the whole file when one block is
/// damaged. The base64 is decoded by `base64ct` (constant time).
fn pem_blocks(text: &[u8]) -> Vec<PemBlock> {
    let mut lines = text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii_end);
    let mut blocks = Vec::new();
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix(b"-----BEGIN ")
            .and_then(|rest| rest.strip_suffix(b"-----"))
        else {
            continue;
        };
        let label = String::from_utf8_lossy(label).into_owned();
        let end = format!("-----END {label}-----");
        let mut body = Vec::new();
        let mut headers = false;
        let mut encrypted = false;
        let mut in_headers = false;
        let mut problem: Option<String> = Some(format!("no \"{end}\" line"));
        for (n, line) in lines.by_ref().enumerate() {
            if line.starts_with(b"-----END ") {
                problem = (line != end.as_bytes()).then(|| {
                    format!("its -----END line does not match \"-----BEGIN {label}-----\"")
                });
                break;
            }
            if n == 0 && line.contains(&b':') {
                in_headers = true;
                headers = true;
            }
            if in_headers {
                if line.is_empty() {
                    in_headers = false;
                } else if line.starts_with(b"Proc-Type:")
                    && memchr::memmem::find(line, b"ENCRYPTED").is_some()
                {
                    encrypted = true;
                }
                continue;
            }
            if line.is_empty() {
                // OpenSSL stops at a blank line inside the base64 too.
                body.clear();
                problem = Some("a blank line inside its base64 text".to_owned());
                for rest in lines.by_ref() {
                    if rest.starts_with(b"-----END ") {
                        break;
                    }
                }
                break;
            }
            body.extend_from_slice(line);
        }
        let der = match problem {
            Some(p) => Err(p),
            None => {
                use base64ct::Encoding;
                std::str::from_utf8(&body)
                    .ok()
                    .and_then(|b| base64ct::Base64::decode_vec(b).ok())
                    .ok_or_else(|| "its body is not base64".to_owned())
            }
        };
        blocks.push(PemBlock {
            label,
            headers,
            encrypted,
            der,
        });
    }
    blocks
}

/// Read the key in PEM text with one or more blocks. The key is the one in
/// the file's key blocks (`PUBLIC KEY`, `RSA PUBLIC KEY`, `PRIVATE KEY`,
/// `RSA PRIVATE KEY`, `EC PRIVATE KEY`) and its first certificate (later
/// ones are a chain); blocks of other labels (`EC PARAMETERS`, ...) are
/// passed over. When it holds both a private key and its public key or
/// certificate, the private key is returned (it serves signing and
/// verifying). Refused, with the labels named: two different keys, a key
/// block that does not hold a usable key (a label contradicting its
/// content), an unreadable first certificate, an encrypted key, header
/// lines, a file with no key block.
fn pem_file(text: &[u8]) -> Result<AsymmetricKey, String> {
    // The contract's promise beyond OpenSSL: whitespace before -----BEGIN.
    let start = text.trim_ascii_start();
    let text = if start.starts_with(b"-----BEGIN") {
        start
    } else {
        text
    };
    let blocks = pem_blocks(text);
    let single = blocks.len() == 1;
    if blocks.is_empty() {
        return Err("the text holds \"-----BEGIN\" but no PEM block: a block starts with a line \"-----BEGIN <label>-----\" at the start of a line".to_owned());
    }
    let mut found: Vec<(String, AsymmetricKey)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    let mut seen_certificate = false;
    for (i, block) in blocks.into_iter().enumerate() {
        let name = format!("'{}' (block {})", block.label, i + 1);
        let certificate_label = matches!(
            block.label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        );
        let reader: Reader = match block.label.as_str() {
            "PUBLIC KEY" => spki,
            "RSA PUBLIC KEY" => rsa_public,
            "PRIVATE KEY" => pkcs8,
            "RSA PRIVATE KEY" => rsa_private_pkcs1,
            "EC PRIVATE KEY" => |der| sec1(der, None),
            _ if certificate_label => {
                if seen_certificate {
                    continue;
                }
                seen_certificate = true;
                // TRUSTED CERTIFICATE has OpenSSL's trust settings after it.
                |der| certificate(der_prefix(der).unwrap_or(der))
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(format!(
                    "the block {name} is an encrypted private key, which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)"
                ))
            }
            _ => {
                others.push(format!("'{}'", block.label));
                continue;
            }
        };
        if block.encrypted {
            return Err(format!(
                "the block {name} is encrypted (Proc-Type: 4,ENCRYPTED), which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)"
            ));
        }
        if block.headers {
            return Err(format!(
                "the block {name} has RFC 1421 header lines, which OpenSSL 3.0 does not read in a key either: remove them"
            ));
        }
        let der = block.der.map_err(|why| {
            if certificate_label {
                format!("the first certificate in the file, {name}, cannot be read: {why}")
            } else {
                format!("the PEM block {name} is malformed: {why}")
            }
        })?;
        let key = reader(&der).map_err(|why| {
            // A reason about a key that was read (its size, its algorithm)
            // stands alone in a one-block file, as before; a parser error
            // says which block it was about.
            if single && !why.starts_with("malformed") {
                why
            } else if certificate_label {
                format!("the first certificate in the file, {name}, cannot be read: {why}")
            } else {
                format!("the PEM block {name} does not hold a usable key: {why}")
            }
        })?;
        found.push((name, key));
    }
    let Some((first_name, first)) = found.first() else {
        return Err(format!(
            "no key or certificate in the PEM text: {} is not a key",
            others.join(", ")
        ));
    };
    if let Some((other_name, _)) = found.iter().find(|(_, k)| k.public != first.public) {
        return Err(format!(
            "the file holds two different keys, {first_name} and {other_name}: keep only the one to use"
        ));
    }
    let chosen = found.iter().position(|(_, k)| k.is_private()).unwrap_or(0);
    Ok(found.swap_remove(chosen).1)
}

/// A parser of one key structure; errors are reasons for `Invalid key: ...`.
type Reader = fn(&[u8]) -> Result<AsymmetricKey, String>;

/// DER: try each structure in turn. Each parser checks the whole input, so
/// at most one of them can succeed. When none does, the reason is the one
/// from a parser that got past the structure (an unsupported curve, a small
/// RSA key), else a general one.
fn parse_der(der: &[u8]) -> Result<AsymmetricKey, String> {
    let readers: [Reader; 6] = [
        spki,
        rsa_public,
        pkcs8,
        rsa_private_pkcs1,
        |d| sec1(d, None),
        certificate,
    ];
    let mut reason = None;
    for read in readers {
        match read(der) {
            Ok(key) => return Ok(key),
            Err(why) if !why.starts_with("malformed") => {
                reason.get_or_insert(why);
            }
            Err(_) => {}
        }
    }
    Err(reason.unwrap_or_else(|| "not a PEM or DER key or certificate".to_owned()))
}

fn spki(der: &[u8]) -> Result<AsymmetricKey, String> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| format!("malformed public key ({e})"))?;
    let params = info
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or("malformed public key bit string")?;
    public_from_spki(info.algorithm.oid, params, bits).map(AsymmetricKey::public_only)
}

fn certificate(der: &[u8]) -> Result<AsymmetricKey, String> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| format!("malformed certificate ({e})"))?;
    let info = cert.tbs_certificate().subject_public_key_info();
    let params = info
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or("malformed certificate key bit string")?;
    public_from_spki(info.algorithm.oid, params, bits).map(AsymmetricKey::public_only)
}

fn public_from_spki(
    oid: ObjectIdentifier,
    params: Option<ObjectIdentifier>,
    key: &[u8],
) -> Result<PublicKey, String> {
    match oid {
        OID_RSA => rsa_public(key).map(|k| k.public),
        OID_EC => Ok(PublicKey::Ec {
            curve: curve(params)?,
            point: key.to_vec(),
        }),
        OID_ED25519 if key.len() == 32 => Ok(PublicKey::Ed25519(key.to_vec())),
        OID_ED25519 => Err("an Ed25519 public key has 32 bytes".to_owned()),
        other => Err(format!("unsupported key algorithm {other}")),
    }
}

fn curve(oid: Option<ObjectIdentifier>) -> Result<Curve, String> {
    match oid {
        Some(OID_P256) => Ok(Curve::P256),
        Some(OID_P384) => Ok(Curve::P384),
        Some(OID_P521) => Ok(Curve::P521),
        Some(other) => Err(format!("unsupported elliptic curve {other}")),
        None => Err("EC key without a named curve".to_owned()),
    }
}

fn rsa_public(der: &[u8]) -> Result<AsymmetricKey, String> {
    let key = pkcs1::RsaPublicKeyRef::from_der(der)
        .map_err(|e| format!("malformed RSA public key ({e})"))?;
    rsa_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
        .map(AsymmetricKey::public_only)
}

fn rsa_private_pkcs1(der: &[u8]) -> Result<AsymmetricKey, String> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der)
        .map_err(|e| format!("malformed RSA private key ({e})"))?;
    let public = rsa_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
    Ok(AsymmetricKey::with_private(
        public,
        PrivatePart::RsaPkcs1(der.to_vec()),
    ))
}

fn pkcs8(der: &[u8]) -> Result<AsymmetricKey, String> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|e| format!("malformed private key ({e})"))?;
    let inner = info.private_key.as_bytes();
    match info.algorithm.oid {
        OID_RSA => {
            let key = pkcs1::RsaPrivateKeyRef::from_der(inner)
                .map_err(|e| format!("malformed RSA private key ({e})"))?;
            let public = rsa_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
            Ok(AsymmetricKey::with_private(
                public,
                PrivatePart::RsaPkcs8(der.to_vec()),
            ))
        }
        OID_EC => {
            let params = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            sec1(inner, Some(curve(params)?))
        }
        OID_ED25519 => {
            let seed = <&der::asn1::OctetStringRef>::from_der(inner)
                .map_err(|e| format!("malformed Ed25519 key ({e})"))?;
            ed25519_private(seed.as_bytes())
        }
        other => Err(format!("unsupported key algorithm {other}")),
    }
}

fn sec1(der: &[u8], outer_curve: Option<Curve>) -> Result<AsymmetricKey, String> {
    let key =
        sec1::EcPrivateKey::from_der(der).map_err(|e| format!("malformed EC private key ({e})"))?;
    let curve = match (key.parameters.and_then(|p| p.named_curve()), outer_curve) {
        (Some(oid), _) => curve(Some(oid))?,
        (None, Some(c)) => c,
        (None, None) => return Err("EC private key without a named curve".to_owned()),
    };
    let point = key
        .public_key
        .ok_or("EC private key without its public point")?
        .to_vec();
    // RFC 5915 fixes the octet string at the field length; be lenient with
    // encoders that drop leading zeros, strict with anything longer.
    let len = curve.field_len();
    let scalar = strip_zeros(key.private_key);
    if scalar.len() > len || scalar.is_empty() {
        return Err("malformed EC private key (scalar length)".to_owned());
    }
    let mut padded = vec![0u8; len - scalar.len()];
    padded.extend_from_slice(scalar);
    Ok(AsymmetricKey::with_private(
        PublicKey::Ec { curve, point },
        PrivatePart::EcScalar(padded),
    ))
}

/// An Ed25519 private key from its 32-byte seed; the public half is derived.
pub(crate) fn ed25519_private(seed: &[u8]) -> Result<AsymmetricKey, String> {
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
        .map_err(|e| format!("malformed Ed25519 key ({e})"))?;
    let public = ring::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec();
    Ok(AsymmetricKey::with_private(
        PublicKey::Ed25519(public),
        PrivatePart::Ed25519Seed(seed.to_vec()),
    ))
}

pub(crate) fn rsa_components(n: &[u8], e: &[u8]) -> Result<PublicKey, String> {
    let n = strip_zeros(n);
    let e = strip_zeros(e);
    let bits = match n.first() {
        Some(&top) => n.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    };
    if bits < RSA_MIN_VERIFY_BITS {
        return Err(format!(
            "RSA keys must have at least {RSA_MIN_VERIFY_BITS} bits, this one has {bits}"
        ));
    }
    if bits > RSA_MAX_BITS {
        return Err(format!(
            "RSA keys above {RSA_MAX_BITS} bits are not supported (this one has {bits})"
        ));
    }
    // ring accepts odd exponents from 3 to 2^33 - 1; refuse the rest here
    // so the caller hears "Invalid key", not "Invalid signature".
    let e_ok = e.len() <= 5
        && e.last().is_some_and(|&low| low & 1 == 1)
        && !matches!(e, [only] if *only < 3)
        && {
            let v = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            v < (1 << 33)
        };
    if !e_ok {
        return Err("unsupported RSA public exponent".to_owned());
    }
    Ok(PublicKey::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
        bits,
    })
}

pub(crate) fn strip_zeros(mut bytes: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

static CACHE: OnceLock<Mutex<KeyCache>> = OnceLock::new();

type Entry = Result<Arc<AsymmetricKey>, String>;

/// A bounded map from exact key bytes to parse results, oldest out first.
/// Failures are cached too, so a misconfigured key is not re-parsed per login.
#[derive(Default)]
struct KeyCache {
    map: HashMap<Box<[u8]>, Entry>,
    order: VecDeque<Box<[u8]>>,
}

impl KeyCache {
    fn get(&self, key: &[u8]) -> Option<Entry> {
        self.map.get(key).cloned()
    }

    fn insert(&mut self, key: &[u8], entry: Entry) {
        if self.map.contains_key(key) {
            return;
        }
        while self.order.len() >= KEY_CACHE_ENTRIES {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back(key.into());
        self.map.insert(key.into(), entry);
    }
}

/// Number of keys in the cache (for tests and diagnostics).
pub fn cache_len() -> usize {
    CACHE
        .get()
        .map_or(0, |c| c.lock().unwrap_or_else(|e| e.into_inner()).map.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_is_bounded_and_keeps_the_newest() {
        let mut cache = KeyCache::default();
        for i in 0..(KEY_CACHE_ENTRIES + 10) {
            cache.insert(format!("k{i}").as_bytes(), Err(String::new()));
        }
        assert_eq!(cache.map.len(), KEY_CACHE_ENTRIES);
        assert!(cache.get(b"k0").is_none());
        assert!(cache
            .get(format!("k{}", KEY_CACHE_ENTRIES + 9).as_bytes())
            .is_some());
    }

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
        assert!(check_hmac_secret(b"").is_err());
        assert!(check_hmac_secret(b"  -----BEGIN PUBLIC KEY-----").is_err());
        assert!(check_hmac_secret(b"0ther-secret").is_ok());
        assert!(check_hmac_secret(b"sekr1t").is_ok());
        // Secrets as tools make them stay secrets.
        assert!(check_hmac_secret(b"kP3w9Zq1Xy7Lm2Nb5Vc8Rt4Sd6Fg0Hj+/A=").is_ok());
        assert!(check_hmac_secret(b"3082a1b2c3d4e5f60718293a4b5c6d7e8f90").is_ok());
        assert!(check_hmac_secret(br#"{"secret":"x"}"#).is_ok());
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
                check_hmac_secret(&bytes).is_err(),
                "{name} passed as a secret"
            );
        }
    }

    /// A 512-bit RSA SPKI: a key this module refuses to use, still a key.
    fn key_512_der() -> Vec<u8> {
        let mut n = vec![0x00, 0xC1];
        n.extend(std::iter::repeat_n(0x5A, 63));
        let int = |v: &[u8]| [&[0x02, v.len() as u8][..], v].concat();
        let seq = |v: &[u8]| [&[0x30, v.len() as u8][..], v].concat();
        let rsa = seq(&[int(&n), int(&[1, 0, 1])].concat());
        let bits = [&[0x03, (rsa.len() + 1) as u8, 0][..], &rsa].concat();
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
        let err = parse(&two).unwrap_err();
        assert!(
            err.contains("two different keys, 'PUBLIC KEY' (block 1) and 'PUBLIC KEY' (block 2)"),
            "{err}"
        );
        let csr = b"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
        let err = parse(csr).unwrap_err();
        assert!(err.contains("'CERTIFICATE REQUEST' is not a key"), "{err}");
        let bad_cert = b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        let err = parse(&[&bad_cert[..], &key("rsa2048.pub.pem")].concat()).unwrap_err();
        assert!(err.contains("first certificate in the file"), "{err}");
        let bad_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = parse(&[&bad_base64[..], &key("rsa2048.pub.pem")].concat()).unwrap_err();
        assert!(err.contains("first certificate in the file"), "{err}");
        let blank = b"-----BEGIN PUBLIC KEY-----\nMAA=\n\nMAA=\n-----END PUBLIC KEY-----\n";
        let err = parse(blank).unwrap_err();
        assert!(err.contains("a blank line inside its base64 text"), "{err}");
        let relabelled = String::from_utf8(key("rsa2048.key.pem"))
            .unwrap()
            .replace("PRIVATE KEY", "PUBLIC KEY");
        let err = parse(relabelled.as_bytes()).unwrap_err();
        assert!(
            err.contains("'PUBLIC KEY' (block 1) does not hold a usable key"),
            "{err}"
        );
        let err = parse(&key("rsa2048.key.enc.pem")).unwrap_err();
        assert!(err.contains("encrypted"), "{err}");
    }
}
