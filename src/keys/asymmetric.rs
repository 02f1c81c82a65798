//! Parsed asymmetric keys: the public half verification uses, the private
//! half in the form its signer is built from, and the signer itself (built
//! on first use, then kept with the key in the cache).
#![forbid(unsafe_code)]

use super::error::{FamilyError, KeyError, KeyKind, SignError};
use crate::alg::{Algorithm, Curve};
use std::sync::{Arc, OnceLock};

/// Smallest RSA modulus accepted for verification, in bits.
pub const RSA_MIN_VERIFY_BITS: usize = 1024;
/// Smallest RSA modulus accepted for signing, in bits (RFC 7518 §3.3; 3.0
/// signed with any size).
pub const RSA_MIN_SIGN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits, for verifying and signing alike
/// (AWS-LC's limit for both).
pub const RSA_MAX_BITS: usize = 8192;

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
    /// The key's kind, for error reasons.
    pub fn kind(&self) -> KeyKind {
        match self {
            PublicKey::Rsa { bits, .. } => KeyKind::Rsa { bits: *bits },
            PublicKey::Ec { curve, .. } => KeyKind::Ec(*curve),
            PublicKey::Ed25519(_) => KeyKind::Ed25519,
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
    /// RSA (RS* and PS*), [`RSA_MIN_SIGN_BITS`] to [`RSA_MAX_BITS`].
    Rsa(aws_lc_rs::rsa::KeyPair),
    /// ECDSA on a curve of `alg`'s table.
    Ecdsa(aws_lc_rs::signature::EcdsaKeyPair),
    /// Ed25519.
    Ed25519(aws_lc_rs::signature::Ed25519KeyPair),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signer::Rsa(_) => "Signer::Rsa(..)",
            Signer::Ecdsa(_) => "Signer::Ecdsa(..)",
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
    /// A JWK's `alg` member: the one algorithm the key may be used with
    /// (RFC 7517 §4.4). `None` for every other format.
    jwk_alg: Option<String>,
    signer: OnceLock<Result<Arc<Signer>, KeyError>>,
}

impl AsymmetricKey {
    pub(crate) fn public_only(public: PublicKey) -> Self {
        AsymmetricKey {
            public,
            private: None,
            jwk_alg: None,
            signer: OnceLock::new(),
        }
    }

    pub(crate) fn with_private(public: PublicKey, private: PrivatePart) -> Self {
        AsymmetricKey {
            public,
            private: Some(private),
            jwk_alg: None,
            signer: OnceLock::new(),
        }
    }

    /// The key limited to the algorithm a JWK's `alg` names.
    pub(crate) fn limited_to(mut self, jwk_alg: Option<String>) -> Self {
        self.jwk_alg = jwk_alg;
        self
    }

    /// The JWK `alg` rule: a key read from a JWK with an `alg` member serves
    /// only that algorithm, on every path (`verify`, `decode`, `encode`,
    /// `jwt.verifier`). Errors: [`FamilyError::JwkAlgMismatch`].
    pub fn allows(&self, alg: Algorithm) -> Result<(), KeyError> {
        jwk_alg_allows(self.jwk_alg.as_deref(), alg)
    }

    /// Whether the key has a private half.
    pub fn is_private(&self) -> bool {
        self.private.is_some()
    }

    /// The signer for this key, built (and checked against the public half)
    /// on first use. Errors are reasons for `Not a private PEM key: ...`.
    pub fn signer(&self) -> Result<Arc<Signer>, KeyError> {
        self.signer
            .get_or_init(|| build_signer(&self.public, self.private.as_ref()).map(Arc::new))
            .clone()
    }
}

/// Whether a JWK whose `alg` member is `own` (if any) may serve `alg`.
pub(crate) fn jwk_alg_allows(own: Option<&str>, alg: Algorithm) -> Result<(), KeyError> {
    match own {
        Some(own) if own != alg.name() => Err(KeyError::Family(FamilyError::JwkAlgMismatch {
            own: own.to_owned(),
            alg,
        })),
        _ => Ok(()),
    }
}

fn build_signer(public: &PublicKey, private: Option<&PrivatePart>) -> Result<Signer, KeyError> {
    use aws_lc_rs::signature as rs;
    let Some(private) = private else {
        return Err(SignError::PublicCannotSign.into());
    };
    match (public, private) {
        // COMPAT(rsa-sizes): 3.0 signed with a key of any size.
        (PublicKey::Rsa { bits, .. }, _) if *bits < RSA_MIN_SIGN_BITS => {
            Err(KeyError::Sign(SignError::RsaTooSmall {
                bits: *bits,
                min: RSA_MIN_SIGN_BITS,
            }))
        }
        (PublicKey::Rsa { n, e, .. }, rsa) => {
            let pair = match rsa {
                PrivatePart::RsaPkcs8(der) => aws_lc_rs::rsa::KeyPair::from_pkcs8(der),
                PrivatePart::RsaPkcs1(der) => aws_lc_rs::rsa::KeyPair::from_der(der),
                PrivatePart::RsaComponents(c) => {
                    let [d, p, q, dp, dq, qi] = &**c;
                    aws_lc_rs::rsa::KeyPair::from_components(&aws_lc_rs::rsa::KeyPairComponents {
                        public_key: aws_lc_rs::rsa::PublicKeyComponents {
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
                _ => return Err(SignError::NotRsaPrivate.into()),
            };
            pair.map(Signer::Rsa).map_err(|e| {
                KeyError::Sign(SignError::RsaRejected {
                    reason: e.to_string(),
                })
            })
        }
        (PublicKey::Ec { curve, point }, PrivatePart::EcScalar(scalar)) => {
            rs::EcdsaKeyPair::from_private_key_and_public_key(curve.row().signing, scalar, point)
                .map(Signer::Ecdsa)
                .map_err(|e| {
                    KeyError::Sign(SignError::EcRejected {
                        reason: e.to_string(),
                    })
                })
        }
        (PublicKey::Ed25519(public), PrivatePart::Ed25519Seed(seed)) => {
            rs::Ed25519KeyPair::from_seed_and_public_key(seed, public)
                .map(Signer::Ed25519)
                .map_err(|e| {
                    KeyError::Sign(SignError::Ed25519Rejected {
                        reason: e.to_string(),
                    })
                })
        }
        _ => Err(SignError::PrivateMismatch.into()),
    }
}
