//! Signing and verifying the JWS signing input, per algorithm family.
//! HMAC comes from RustCrypto's `hmac`/`sha2` (constant-time tag comparison),
//! RSA from `ring`, except RS384 under 2048 bits, which ring has no
//! parameters for (see [`crate::rsa_legacy`]).
#![forbid(unsafe_code)]

use crate::alg::{Algorithm, Family, Hash};
use crate::keys::{self, AsymmetricKey, PublicKey};
use crate::rsa_legacy;
use hmac::{Hmac, KeyInit, Mac};
use ring::signature as rs;
use sha2::{Sha256, Sha384, Sha512};
use std::sync::Arc;

/// A key resolved for one algorithm: a checked HMAC secret, or a parsed
/// (cached) asymmetric key of the algorithm's family.
pub enum ResolvedKey<'a> {
    /// A raw HMAC secret that passed [`keys::check_hmac_secret`].
    Secret(&'a [u8]),
    /// A parsed key of the right family.
    Asymmetric(Arc<AsymmetricKey>),
}

/// Resolve `key` for `alg`. Errors are reasons for `Invalid key: ...`.
pub fn resolve(alg: Algorithm, key: &[u8]) -> Result<ResolvedKey<'_>, String> {
    match alg.family() {
        Family::Hmac => keys::check_hmac_secret(key).map(|()| ResolvedKey::Secret(key)),
        Family::Rsa => {
            let parsed = keys::asymmetric(key)?;
            match parsed.public {
                PublicKey::Rsa { .. } => Ok(ResolvedKey::Asymmetric(parsed)),
                ref other => Err(format!(
                    "{} cannot be used with {}",
                    other.describe(),
                    alg.name()
                )),
            }
        }
    }
}

/// Whether `sig` is a valid signature of `msg` under `key` for `alg`.
/// `key` must come from [`resolve`] with the same `alg`.
pub fn verify(alg: Algorithm, key: &ResolvedKey<'_>, msg: &[u8], sig: &[u8]) -> bool {
    match key {
        ResolvedKey::Secret(secret) => hmac_verify(alg.hash(), secret, msg, sig),
        ResolvedKey::Asymmetric(parsed) => match &parsed.public {
            PublicKey::Rsa { n, e, bits } => rsa_verify(alg.hash(), n, e, *bits, msg, sig),
            _ => false,
        },
    }
}

/// Sign `msg` for `alg`. Errors are reasons for `Not a private PEM key: ...`
/// (the HMAC secret check reports through `Invalid key`, see the caller).
pub fn sign(alg: Algorithm, key: &ResolvedKey<'_>, msg: &[u8]) -> Result<Vec<u8>, String> {
    match key {
        ResolvedKey::Secret(secret) => Ok(hmac_tag(alg.hash(), secret, msg)),
        ResolvedKey::Asymmetric(parsed) => {
            let pair = parsed.rsa_signer()?;
            let padding: &'static dyn rs::RsaEncoding = match alg.hash() {
                Hash::Sha256 => &rs::RSA_PKCS1_SHA256,
                Hash::Sha384 => &rs::RSA_PKCS1_SHA384,
                Hash::Sha512 => &rs::RSA_PKCS1_SHA512,
            };
            let mut out = vec![0; pair.public().modulus_len()];
            pair.sign(padding, &ring::rand::SystemRandom::new(), msg, &mut out)
                .map_err(|_| "RSA signing failed".to_owned())?;
            Ok(out)
        }
    }
}

macro_rules! with_hmac {
    ($hash:expr, $key:expr, |$mac:ident| $body:expr) => {
        match $hash {
            // new_from_slice accepts keys of any length for HMAC.
            Hash::Sha256 => Hmac::<Sha256>::new_from_slice($key).map(|mut $mac| $body),
            Hash::Sha384 => Hmac::<Sha384>::new_from_slice($key).map(|mut $mac| $body),
            Hash::Sha512 => Hmac::<Sha512>::new_from_slice($key).map(|mut $mac| $body),
        }
    };
}

/// The HMAC of `msg` under `key`.
pub fn hmac_tag(hash: Hash, key: &[u8], msg: &[u8]) -> Vec<u8> {
    with_hmac!(hash, key, |mac| {
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    })
    .unwrap_or_default()
}

/// Constant-time check of an HMAC tag (3.0 compared with `==`). A tag of the
/// wrong length fails.
pub fn hmac_verify(hash: Hash, key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    with_hmac!(hash, key, |mac| {
        mac.update(msg);
        mac.verify_slice(tag).is_ok()
    })
    .unwrap_or(false)
}

/// RSASSA-PKCS1-v1_5 verification.
pub fn rsa_verify(hash: Hash, n: &[u8], e: &[u8], bits: usize, msg: &[u8], sig: &[u8]) -> bool {
    // ring's "legacy" parameter sets differ from the others only in allowing
    // 1024-bit moduli, which CONTRACT §5 accepts for verification.
    let params: &'static rs::RsaParameters = match hash {
        Hash::Sha256 => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        Hash::Sha512 => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        Hash::Sha384 if bits >= 2048 => &rs::RSA_PKCS1_2048_8192_SHA384,
        Hash::Sha384 => return rsa_legacy::verify_pkcs1_sha384(n, e, msg, sig),
    };
    rs::RsaPublicKeyComponents { n, e }
        .verify(params, msg, sig)
        .is_ok()
}
