//! Signing and verifying the JWS signing input, per algorithm family.
//! HMAC comes from RustCrypto's `hmac`/`sha2` (constant-time tag comparison);
//! RSA, ECDSA (each curve's AWS-LC algorithms are in `alg`'s table) and
//! Ed25519 from AWS-LC through `aws-lc-rs`; RS384 and PS* verification under 2048 bits, which aws-lc-rs
//! has no parameters for, from RustCrypto's `rsa` ([`rustcrypto_rsa_verify`]).
#![forbid(unsafe_code)]

use crate::alg::{Algorithm, Curve, Family, Hash};
use crate::keys::{Bound, Key, KeyError, PublicKey, SignError, Signer};
use aws_lc_rs::signature as rs;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384, Sha512};

/// Whether `sig` is a valid signature of `msg` under the bound key, for
/// the algorithm it was bound to.
pub fn verify(bound: &Bound<'_>, msg: &[u8], sig: &[u8]) -> bool {
    let alg = bound.alg();
    match bound.key() {
        Key::Secret(secret) => hmac_verify(alg.hash(), secret.as_bytes(), msg, sig),
        Key::Asymmetric(parsed) => verify_public(alg, &parsed.public, msg, sig),
    }
}

/// Verify with a public key for `alg`. Reached through [`verify`], whose
/// [`Bound`] guarantees the key fits; called directly only by tests and
/// benchmarks of the primitives. A key outside `alg`'s family fails.
pub fn verify_public(alg: Algorithm, public: &PublicKey, msg: &[u8], sig: &[u8]) -> bool {
    match (alg.family(), public) {
        (Family::Rsa, PublicKey::Rsa { n, e, bits }) if alg.is_pss() => {
            pss_verify(alg.hash(), n, e, *bits, msg, sig)
        }
        (Family::Rsa, PublicKey::Rsa { n, e, bits }) => {
            rsa_verify(alg.hash(), n, e, *bits, msg, sig)
        }
        (Family::Ec, PublicKey::Ec { curve, point }) if alg.curve() == Some(*curve) => {
            ecdsa_verify(*curve, point, msg, sig)
        }
        (Family::Ed25519, PublicKey::Ed25519(public)) => {
            sig.len() == 64
                && rs::UnparsedPublicKey::new(&rs::ED25519, public)
                    .verify(msg, sig)
                    .is_ok()
        }
        _ => false,
    }
}

/// Sign `msg` with the bound key. Errors are reasons for `Not a private PEM
/// key: ...` (a public key, a small RSA key, a mismatched private half).
pub fn sign(bound: &Bound<'_>, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    match bound.key() {
        Key::Secret(secret) => Ok(hmac_tag(bound.alg().hash(), secret.as_bytes(), msg)),
        Key::Asymmetric(parsed) => sign_with(bound.alg(), parsed.signer()?.as_ref(), msg),
    }
}

/// Sign `msg` with a signer whose key fits `alg` (the RSA padding follows
/// `alg`; the other signers have one scheme each).
fn sign_with(alg: Algorithm, signer: &Signer, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    match signer {
        Signer::Rsa(pair) => {
            let padding: &'static dyn rs::RsaEncoding = match (alg.is_pss(), alg.hash()) {
                (false, Hash::Sha256) => &rs::RSA_PKCS1_SHA256,
                (false, Hash::Sha384) => &rs::RSA_PKCS1_SHA384,
                (false, Hash::Sha512) => &rs::RSA_PKCS1_SHA512,
                (true, Hash::Sha256) => &rs::RSA_PSS_SHA256,
                (true, Hash::Sha384) => &rs::RSA_PSS_SHA384,
                (true, Hash::Sha512) => &rs::RSA_PSS_SHA512,
            };
            let mut out = vec![0; pair.public_modulus_len()];
            pair.sign(padding, &rng, msg, &mut out)
                .map_err(|_| SignError::RsaFailed)?;
            Ok(out)
        }
        Signer::Ecdsa(pair) => pair
            .sign(&rng, msg)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| KeyError::Sign(SignError::EcdsaFailed)),
        Signer::Ed25519(pair) => pair
            .try_sign(msg)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| KeyError::Sign(SignError::Ed25519Failed)),
    }
}

/// ECDSA in the JWS form: `r || s`, each exactly the field length. A DER
/// signature, a wrong length, or a zero `r` or `s` fails before any
/// arithmetic (AWS-LC refuses them too; this makes it explicit).
pub fn ecdsa_verify(curve: Curve, point: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    if sig.len() != curve.signature_len() {
        return false;
    }
    let len = curve.field_len();
    let (r, s) = sig.split_at(len);
    if r.iter().all(|&b| b == 0) || s.iter().all(|&b| b == 0) {
        return false;
    }
    rs::UnparsedPublicKey::new(curve.row().verification, point)
        .verify(msg, sig)
        .is_ok()
}

/// RSASSA-PSS verification (salt length = hash length, RFC 7518 §3.5).
pub fn pss_verify(hash: Hash, n: &[u8], e: &[u8], bits: usize, msg: &[u8], sig: &[u8]) -> bool {
    if bits < 2048 {
        return rustcrypto_rsa_verify(true, hash, n, e, msg, sig);
    }
    let params: &'static rs::RsaParameters = match hash {
        Hash::Sha256 => &rs::RSA_PSS_2048_8192_SHA256,
        Hash::Sha384 => &rs::RSA_PSS_2048_8192_SHA384,
        Hash::Sha512 => &rs::RSA_PSS_2048_8192_SHA512,
    };
    rs::RsaPublicKeyComponents { n, e }
        .verify(params, msg, sig)
        .is_ok()
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

/// Constant-time check of an HMAC tag. COMPAT(constant-time-hmac): 3.0
/// compared with `==`, whose timing can leak the tag. A tag of the
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
    // The "legacy" parameter sets differ from the others only in allowing
    // 1024-bit moduli, which docs/contract.md §5 accepts for verification.
    let params: &'static rs::RsaParameters = match hash {
        Hash::Sha256 => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        Hash::Sha512 => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        Hash::Sha384 if bits >= 2048 => &rs::RSA_PKCS1_2048_8192_SHA384,
        Hash::Sha384 => return rustcrypto_rsa_verify(false, hash, n, e, msg, sig),
    };
    rs::RsaPublicKeyComponents { n, e }
        .verify(params, msg, sig)
        .is_ok()
}

/// RSASSA-PSS (`pss` true: MGF1 with `hash`, salt length = hash length, RFC
/// 7518 §3.5) or RSASSA-PKCS1-v1_5 verification with RustCrypto's `rsa`,
/// for the cases aws-lc-rs has no parameters for: RS384 and PS* under 2048
/// bits.
/// [`rsa_verify`] and [`pss_verify`] choose it; it is public only so that
/// tests/wycheproof.rs can run the Wycheproof suites through it directly.
///
/// `n` and `e` are big-endian magnitudes as `keys` stores them; `rsa`
/// refuses moduli outside 1024..=8192 bits, an even modulus and exponents
/// outside 2..2^33 (the key readers already refuse all of these). Any
/// refusal, and a signature that is not exactly `n`'s length or not below
/// `n`, is `false`. Only public-key operations happen here (RUSTSEC-2023-0071
/// concerns private keys; scripts/rsa-verify-only.sh keeps it that way).
#[doc(hidden)]
pub fn rustcrypto_rsa_verify(
    pss: bool,
    hash: Hash,
    n: &[u8],
    e: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> bool {
    use rsa::signature::Verifier as _;
    let Ok(key) = rsa::PublicKey::new(
        rsa::BoxedUint::from_be_slice_vartime(n),
        rsa::BoxedUint::from_be_slice_vartime(e),
    ) else {
        return false;
    };
    let ok = if pss {
        let Ok(sig) = rsa::pss::Signature::try_from(sig) else {
            return false;
        };
        match hash {
            Hash::Sha256 => rsa::pss::VerifyingKey::<Sha256>::new(key).verify(msg, &sig),
            Hash::Sha384 => rsa::pss::VerifyingKey::<Sha384>::new(key).verify(msg, &sig),
            Hash::Sha512 => rsa::pss::VerifyingKey::<Sha512>::new(key).verify(msg, &sig),
        }
    } else {
        let Ok(sig) = rsa::pkcs1v15::Signature::try_from(sig) else {
            return false;
        };
        match hash {
            Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key).verify(msg, &sig),
            Hash::Sha384 => rsa::pkcs1v15::VerifyingKey::<Sha384>::new(key).verify(msg, &sig),
            Hash::Sha512 => rsa::pkcs1v15::VerifyingKey::<Sha512>::new(key).verify(msg, &sig),
        }
    };
    ok.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::key;

    /// The key `alg` needs from `bytes`, checked by the family rule.
    fn resolve(alg: Algorithm, bytes: &[u8]) -> Result<Key, KeyError> {
        let key = Key::for_alg(alg, bytes)?;
        key.bind(alg)?;
        Ok(key)
    }

    fn check(alg: Algorithm, key: &Key, msg: &[u8], sig: &[u8]) -> bool {
        verify(&key.bind(alg).unwrap(), msg, sig)
    }

    fn make(alg: Algorithm, key: &Key, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        sign(&key.bind(alg).unwrap(), msg)
    }

    #[test]
    fn every_new_algorithm_signs_and_verifies_and_refuses_bad_shapes() {
        for (alg, private, public) in [
            (Algorithm::PS256, "rsa2048.key.pem", "rsa2048.pub.pem"),
            (Algorithm::PS384, "rsa2048.jwk.json", "rsa2048.pub.jwk.json"),
            (Algorithm::PS512, "rsa4096.key.pem", "rsa4096.crt.pem"),
            (Algorithm::ES256, "ec-p256.key.sec1.pem", "ec-p256.pub.pem"),
            (Algorithm::ES384, "ec-p384.jwk.json", "ec-p384.pub.pem"),
            (Algorithm::ES512, "ec-p521.key.pem", "ec-p521.pub.jwk.json"),
            (Algorithm::EdDSA, "ed25519.jwk.json", "ed25519.crt.pem"),
        ] {
            let (private, public) = (key(private), key(public));
            let signer = resolve(alg, &private).unwrap();
            let verifier = resolve(alg, &public).unwrap();
            let sig = make(alg, &signer, b"msg").unwrap();
            assert!(check(alg, &verifier, b"msg", &sig), "{alg:?}");
            assert!(
                check(alg, &signer, b"msg", &sig),
                "{alg:?} private verifies"
            );
            assert!(!check(alg, &verifier, b"msh", &sig), "{alg:?}");
            let mut longer = sig.clone();
            longer.push(0);
            assert!(!check(alg, &verifier, b"msg", &longer), "{alg:?}");
            assert!(!check(alg, &verifier, b"msg", &sig[1..]), "{alg:?}");
            assert!(
                !check(alg, &verifier, b"msg", &vec![0; sig.len()]),
                "{alg:?}"
            );
            assert!(!check(alg, &verifier, b"msg", &[]), "{alg:?}");
            // A public key cannot sign.
            assert!(make(alg, &verifier, b"msg").is_err(), "{alg:?}");
        }
    }

    #[test]
    fn rsa_signs_from_2048_to_8192_bits_and_refuses_smaller_keys_with_their_size() {
        // ring signed 2048-4096 only; 3.0 (OpenSSL) signed any size.
        for (private, public) in [
            ("rsa2048.key.pem", "rsa2048.pub.pem"),
            ("rsa4096.key.pkcs1.pem", "rsa4096.pub.pem"),
            ("rsa8192.key.pem", "rsa8192.pub.pem"),
        ] {
            for alg in [Algorithm::RS256, Algorithm::PS512] {
                let signer = resolve(alg, &key(private)).unwrap();
                let verifier = resolve(alg, &key(public)).unwrap();
                let sig = make(alg, &signer, b"msg").unwrap();
                assert!(check(alg, &verifier, b"msg", &sig), "{alg:?} {private}");
            }
        }
        let small = resolve(Algorithm::RS256, &key("rsa1024.key.pem")).unwrap();
        let err = make(Algorithm::RS256, &small, b"msg").unwrap_err();
        assert_eq!(
            err.to_string(),
            "RSA signing keys must have at least 2048 bits, this one has 1024"
        );
    }

    #[test]
    fn ecdsa_zero_halves_and_der_are_refused() {
        let public = key("ec-p256.pub.pem");
        let k = resolve(Algorithm::ES256, &public).unwrap();
        let Key::Asymmetric(parsed) = &k else {
            panic!("not asymmetric")
        };
        let PublicKey::Ec { point, .. } = &parsed.public else {
            panic!("not EC")
        };
        let private = key("ec-p256.key.pem");
        let signer = resolve(Algorithm::ES256, &private).unwrap();
        let sig = make(Algorithm::ES256, &signer, b"m").unwrap();
        assert!(ecdsa_verify(Curve::P256, point, b"m", &sig));
        let mut zero_r = sig.clone();
        zero_r[..32].fill(0);
        assert!(!ecdsa_verify(Curve::P256, point, b"m", &zero_r));
        let mut zero_s = sig.clone();
        zero_s[32..].fill(0);
        assert!(!ecdsa_verify(Curve::P256, point, b"m", &zero_s));
    }

    #[test]
    fn the_key_family_rule() {
        let cases = [
            (Algorithm::ES256, "ec-p384.pub.pem"),
            (Algorithm::ES384, "ec-p521.pub.pem"),
            (Algorithm::ES512, "ec-p256.pub.jwk.json"),
            (Algorithm::EdDSA, "ec-p256.pub.pem"),
            (Algorithm::PS256, "ed25519.pub.pem"),
            (Algorithm::RS256, "ec-p256.pub.pem"),
            (Algorithm::ES256, "rsa2048.pub.pem"),
        ];
        for (alg, name) in cases {
            let err = resolve(alg, &key(name)).err().unwrap();
            assert!(
                err.to_string().contains("cannot be used with"),
                "{alg:?} {name}: {err}"
            );
        }
        for name in ["ec-p256.pub.jwk.json", "rsa2048.pub.pem", "ed25519.pub.pem"] {
            assert!(resolve(Algorithm::HS256, &key(name)).is_err(), "{name}");
        }
    }
}
