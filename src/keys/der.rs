//! DER key structures, read by RustCrypto's maintained parsers (`spki`,
//! `pkcs1`, `pkcs8`, `sec1`, `x509-cert`): which structure applies, the
//! supported key algorithms (the curves come from `alg`'s table), and the
//! RSA size and exponent rules.
#![forbid(unsafe_code)]

use super::asymmetric::{AsymmetricKey, PrivatePart, PublicKey, RSA_MAX_BITS, RSA_MIN_VERIFY_BITS};
use super::error::{DerError, FileError, KeyError, LimitError, Structure};
use crate::alg::Curve;
use der::asn1::ObjectIdentifier;
use der::Decode;

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The first DER element of `bytes` when it is a SEQUENCE (every key and
/// certificate is one) whose length fits: the key part of "DER with
/// trailing bytes".
pub(crate) fn der_prefix(bytes: &[u8]) -> Option<&[u8]> {
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
pub(crate) fn der_is_key(der: &[u8]) -> bool {
    spki::SubjectPublicKeyInfoRef::from_der(der).is_ok()
        || pkcs8::PrivateKeyInfoRef::from_der(der).is_ok()
        || pkcs1::RsaPublicKeyRef::from_der(der).is_ok()
        || pkcs1::RsaPrivateKeyRef::from_der(der).is_ok()
        || sec1::EcPrivateKey::from_der(der).is_ok()
        || x509_cert::Certificate::from_der(der).is_ok()
}

/// A parser of one key structure; errors are reasons for `Invalid key: ...`.
pub(crate) type Reader = fn(&[u8]) -> Result<AsymmetricKey, KeyError>;

/// DER: try each structure in turn. Each parser checks the whole input, so
/// at most one of them can succeed. When none does, the reason is the one
/// from a parser that got past the structure (an unsupported curve, a small
/// RSA key), else a general one.
pub(crate) fn parse_der(der: &[u8]) -> Result<AsymmetricKey, KeyError> {
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
            Err(why) if !why.is_malformed() => {
                reason.get_or_insert(why);
            }
            Err(_) => {}
        }
    }
    Err(reason.unwrap_or(KeyError::File(FileError::NotAKey)))
}

pub(crate) fn spki(der: &[u8]) -> Result<AsymmetricKey, KeyError> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|cause| malformed(Structure::PublicKey, cause))?;
    let params = info
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or(DerError::BitString { certificate: false })?;
    public_from_spki(info.algorithm.oid, params, bits).map(AsymmetricKey::public_only)
}

/// COMPAT(key-formats): 3.0 raised a Lua error on a certificate; its public
/// key is used here, as OpenSSL reads it.
pub(crate) fn certificate(der: &[u8]) -> Result<AsymmetricKey, KeyError> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|cause| malformed(Structure::Certificate, cause))?;
    let info = cert.tbs_certificate().subject_public_key_info();
    let params = info
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or(DerError::BitString { certificate: true })?;
    public_from_spki(info.algorithm.oid, params, bits).map(AsymmetricKey::public_only)
}

fn public_from_spki(
    oid: ObjectIdentifier,
    params: Option<ObjectIdentifier>,
    key: &[u8],
) -> Result<PublicKey, KeyError> {
    match oid {
        OID_RSA => rsa_public(key).map(|k| k.public),
        OID_EC => Ok(PublicKey::Ec {
            curve: curve(params)?,
            point: key.to_vec(),
        }),
        OID_ED25519 if key.len() == 32 => Ok(PublicKey::Ed25519(key.to_vec())),
        OID_ED25519 => Err(LimitError::Ed25519Length.into()),
        other => Err(DerError::UnsupportedAlgorithm(other).into()),
    }
}

/// The curve a named-curve OID stands for, from `alg`'s table of curves.
fn curve(oid: Option<ObjectIdentifier>) -> Result<Curve, KeyError> {
    let oid = oid.ok_or(DerError::NoNamedCurve)?;
    Curve::from_oid(&oid).ok_or_else(|| DerError::UnsupportedCurve(oid).into())
}

pub(crate) fn rsa_public(der: &[u8]) -> Result<AsymmetricKey, KeyError> {
    let key = pkcs1::RsaPublicKeyRef::from_der(der)
        .map_err(|cause| malformed(Structure::RsaPublicKey, cause))?;
    rsa_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
        .map(AsymmetricKey::public_only)
}

pub(crate) fn rsa_private_pkcs1(der: &[u8]) -> Result<AsymmetricKey, KeyError> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der)
        .map_err(|cause| malformed(Structure::RsaPrivateKey, cause))?;
    let public = rsa_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())?;
    Ok(AsymmetricKey::with_private(
        public,
        PrivatePart::RsaPkcs1(der.to_vec()),
    ))
}

pub(crate) fn pkcs8(der: &[u8]) -> Result<AsymmetricKey, KeyError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|cause| malformed(Structure::PrivateKey, cause))?;
    let inner = info.private_key.as_bytes();
    match info.algorithm.oid {
        OID_RSA => {
            let key = pkcs1::RsaPrivateKeyRef::from_der(inner)
                .map_err(|cause| malformed(Structure::RsaPrivateKey, cause))?;
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
                .map_err(|cause| malformed(Structure::Ed25519Key, cause))?;
            ed25519_private(seed.as_bytes())
        }
        other => Err(DerError::UnsupportedAlgorithm(other).into()),
    }
}

pub(crate) fn sec1(der: &[u8], outer_curve: Option<Curve>) -> Result<AsymmetricKey, KeyError> {
    let key = sec1::EcPrivateKey::from_der(der)
        .map_err(|cause| malformed(Structure::EcPrivateKey, cause))?;
    let curve = match (key.parameters.and_then(|p| p.named_curve()), outer_curve) {
        (Some(oid), _) => curve(Some(oid))?,
        (None, Some(c)) => c,
        (None, None) => return Err(DerError::PrivateNoNamedCurve.into()),
    };
    let point = key.public_key.ok_or(DerError::NoPublicPoint)?.to_vec();
    // RFC 5915 fixes the octet string at the field length; be lenient with
    // encoders that drop leading zeros, strict with anything longer.
    let len = curve.field_len();
    let scalar = strip_zeros(key.private_key);
    if scalar.len() > len || scalar.is_empty() {
        return Err(DerError::ScalarLength.into());
    }
    let mut padded = vec![0u8; len - scalar.len()];
    padded.extend_from_slice(scalar);
    Ok(AsymmetricKey::with_private(
        PublicKey::Ec { curve, point },
        PrivatePart::EcScalar(padded),
    ))
}

/// An Ed25519 private key from its 32-byte seed; the public half is derived.
pub(crate) fn ed25519_private(seed: &[u8]) -> Result<AsymmetricKey, KeyError> {
    let pair = aws_lc_rs::signature::Ed25519KeyPair::from_seed_unchecked(seed).map_err(|e| {
        DerError::Ed25519Seed {
            reason: e.to_string(),
        }
    })?;
    let public = aws_lc_rs::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec();
    Ok(AsymmetricKey::with_private(
        PublicKey::Ed25519(public),
        PrivatePart::Ed25519Seed(seed.to_vec()),
    ))
}

pub(crate) fn rsa_components(n: &[u8], e: &[u8]) -> Result<PublicKey, KeyError> {
    let n = strip_zeros(n);
    let e = strip_zeros(e);
    let bits = match n.first() {
        Some(&top) => n.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    };
    // COMPAT(rsa-sizes): 3.0 verified with a key of any size.
    if bits < RSA_MIN_VERIFY_BITS {
        return Err(KeyError::Limit(LimitError::RsaTooSmall {
            bits,
            min: RSA_MIN_VERIFY_BITS,
        }));
    }
    if bits > RSA_MAX_BITS {
        return Err(KeyError::Limit(LimitError::RsaTooLarge {
            bits,
            max: RSA_MAX_BITS,
        }));
    }
    // AWS-LC (as ring did) accepts odd exponents from 3 to 2^33 - 1; refuse the rest here
    // so the caller hears "Invalid key", not "Invalid signature".
    let e_ok = e.len() <= 5
        && e.last().is_some_and(|&low| low & 1 == 1)
        && !matches!(e, [only] if *only < 3)
        && {
            let v = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            v < (1 << 33)
        };
    if !e_ok {
        return Err(LimitError::RsaExponent.into());
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

fn malformed(what: Structure, cause: der::Error) -> KeyError {
    KeyError::Der(DerError::Malformed { what, cause })
}
