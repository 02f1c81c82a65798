//! Keys: the HMAC secret guard, PEM/DER parsing of asymmetric keys, and the
//! bounded cache that keeps a key server's PEM from being parsed on every
//! login (CONTRACT §5).
//!
//! Every format is parsed by RustCrypto's maintained crates (`pem-rfc7468`,
//! `spki`, `pkcs1`, `pkcs8`, `sec1`, `x509-cert`); this file only chooses
//! which one applies and checks sizes. JWK text goes to [`crate::jwk`].
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

/// Check that `key` can be an HMAC secret (CONTRACT §5): not empty, and not
/// a PEM or DER key or certificate. The second rule is the HS/RS confusion
/// guard: a verifier configured with a public key must never accept a token
/// MACed with that public key's bytes (compare CVE-2021-39215).
pub fn check_hmac_secret(key: &[u8]) -> Result<(), String> {
    if key.is_empty() {
        return Err("an empty HMAC secret would let anyone mint tokens".to_owned());
    }
    match key_shape(key) {
        KeyShape::Pem => Err("a PEM key or certificate cannot be an HMAC secret".to_owned()),
        KeyShape::Der => Err("a DER key or certificate cannot be an HMAC secret".to_owned()),
        KeyShape::Jwk => Err(
            "a JWK or JWKS cannot be an HMAC secret here: pass the raw secret (jwt.verifier takes an \"oct\" JWK)"
                .to_owned(),
        ),
        KeyShape::Secret => Ok(()),
    }
}

/// What a key string looks like before it is used: the one rule that both
/// the HMAC guard and `decode`'s family choice follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    /// Starts (after whitespace) with `-----BEGIN`, valid PEM or not.
    Pem,
    /// Parses as a DER key or certificate.
    Der,
    /// A JSON object with a `kty` or `keys` member: a JWK or JWKS.
    Jwk,
    /// Anything else: an HMAC secret.
    Secret,
}

/// Classify `key` without touching the cache, so secrets never enter it.
pub fn key_shape(key: &[u8]) -> KeyShape {
    if key.trim_ascii_start().starts_with(b"-----BEGIN") {
        KeyShape::Pem
    } else if crate::jwk::looks_like_jwk(key) {
        KeyShape::Jwk
    } else if key.first() == Some(&0x30) && parse_der(key).is_ok() {
        // Every DER key or certificate starts with a SEQUENCE tag; only such
        // secrets pay for a parse attempt.
        KeyShape::Der
    } else {
        KeyShape::Secret
    }
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

/// Parse an asymmetric key without the cache: PEM (surrounding whitespace and
/// CRLF line ends allowed) or DER.
pub fn parse(key: &[u8]) -> Result<AsymmetricKey, String> {
    let trimmed = key.trim_ascii();
    if trimmed.starts_with(b"-----BEGIN") {
        parse_pem(trimmed)
    } else if trimmed.starts_with(b"{") {
        crate::jwk::parse_asymmetric(trimmed)
    } else if key.is_empty() {
        Err("the key is empty".to_owned())
    } else {
        parse_der(key)
    }
}

fn parse_pem(pem: &[u8]) -> Result<AsymmetricKey, String> {
    let (label, der) = decode_pem(pem)?;
    match label {
        "PUBLIC KEY" => spki(&der),
        "RSA PUBLIC KEY" => rsa_public(&der),
        "PRIVATE KEY" => pkcs8(&der),
        "RSA PRIVATE KEY" => rsa_private_pkcs1(&der),
        "EC PRIVATE KEY" => sec1(&der, None),
        "CERTIFICATE" => certificate(&der),
        "ENCRYPTED PRIVATE KEY" => {
            Err("encrypted private keys are not supported: decrypt it first".to_owned())
        }
        other => Err(format!("unsupported PEM type '{other}'")),
    }
}

/// RFC 7468's strict grammar (constant-time base64) for the usual 64-column
/// PEM; if that fails, the same crate's decoder for other consistent line
/// widths, since tools such as Python's `base64.encodebytes` and Java's MIME
/// encoder wrap at 76 and OpenSSL (which 3.0 used) reads those.
fn decode_pem(pem: &[u8]) -> Result<(&str, Vec<u8>), String> {
    pem_rfc7468::decode_vec(pem).or_else(|strict_err| {
        let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(pem)
            .map_err(|_| format!("malformed PEM ({strict_err})"))?;
        let mut der = Vec::new();
        decoder
            .decode_to_end(&mut der)
            .map_err(|_| format!("malformed PEM ({strict_err})"))?;
        Ok((decoder.type_label(), der))
    })
}

/// DER: try each structure in turn. Each parser checks the whole input, so
/// at most one of them can succeed.
fn parse_der(der: &[u8]) -> Result<AsymmetricKey, String> {
    spki(der)
        .or_else(|_| rsa_public(der))
        .or_else(|_| pkcs8(der))
        .or_else(|_| rsa_private_pkcs1(der))
        .or_else(|_| sec1(der, None))
        .or_else(|_| certificate(der))
        .map_err(|_| "not a PEM or DER key or certificate".to_owned())
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
    }
}
