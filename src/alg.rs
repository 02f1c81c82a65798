//! The JWS algorithms and elliptic curves this module knows, each as one
//! row of a table (`ALGORITHMS`, `CURVES`) where every fact is written
//! once: an algorithm's name, family, hash, curve and padding; a curve's
//! JWK `crv`, OID, field length, SSH name and AWS-LC algorithms. The key
//! readers and the signature code look facts up here.
//!
//! Adding an algorithm is its enum variant and its row (and, for a new
//! curve, the curve's variant and row); a compile-time check keeps each
//! table in the order of its enum, so a lookup is one index.
#![forbid(unsafe_code)]

use aws_lc_rs::signature as rs;
use der::asn1::ObjectIdentifier;

/// An elliptic curve a key can be on: one per row of `CURVES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (ES256).
    P256,
    /// NIST P-384 (ES384).
    P384,
    /// NIST P-521 (ES512).
    P521,
}

/// Everything known about one curve.
#[derive(Debug)]
pub(crate) struct CurveRow {
    /// The curve this row describes (rows are in [`Curve`]'s order).
    pub(crate) curve: Curve,
    /// The JWK `crv` name (RFC 7518 §6.2.1.1).
    pub(crate) jwk_name: &'static str,
    /// The named-curve OID of SPKI, PKCS#8 and SEC1 keys (RFC 5480 §2.1.1.1).
    pub(crate) oid: ObjectIdentifier,
    /// Bytes of a field element (and of each of `r`, `s` in a JWS signature).
    pub(crate) field_len: usize,
    /// The curve's SSH name, after `ecdsa-sha2-` in the key type and again
    /// as the key's curve field (RFC 5656 §6.1); `None` if SSH has none.
    pub(crate) ssh_name: Option<&'static str>,
    /// AWS-LC's verifier of JWS (fixed-length `r || s`) signatures on this
    /// curve, with the hash JWS pairs it with.
    pub(crate) verification: &'static rs::EcdsaVerificationAlgorithm,
    /// AWS-LC's signer of the same.
    pub(crate) signing: &'static rs::EcdsaSigningAlgorithm,
}

/// The curves, in [`Curve`]'s order.
pub(crate) const CURVES: &[CurveRow] = &[
    CurveRow {
        curve: Curve::P256,
        jwk_name: "P-256",
        oid: ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        field_len: 32,
        ssh_name: Some("nistp256"),
        verification: &rs::ECDSA_P256_SHA256_FIXED,
        signing: &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
    },
    CurveRow {
        curve: Curve::P384,
        jwk_name: "P-384",
        oid: ObjectIdentifier::new_unwrap("1.3.132.0.34"),
        field_len: 48,
        ssh_name: Some("nistp384"),
        verification: &rs::ECDSA_P384_SHA384_FIXED,
        signing: &rs::ECDSA_P384_SHA384_FIXED_SIGNING,
    },
    CurveRow {
        curve: Curve::P521,
        jwk_name: "P-521",
        oid: ObjectIdentifier::new_unwrap("1.3.132.0.35"),
        field_len: 66,
        ssh_name: Some("nistp521"),
        verification: &rs::ECDSA_P521_SHA512_FIXED,
        signing: &rs::ECDSA_P521_SHA512_FIXED_SIGNING,
    },
];

impl Curve {
    /// This curve's row of [`CURVES`].
    #[allow(
        clippy::indexing_slicing,
        reason = "CURVES holds one row per variant in the enum's order, checked at compile time below"
    )]
    pub(crate) const fn row(self) -> &'static CurveRow {
        &CURVES[self as usize]
    }

    /// Bytes of a field element (and of each of `r`, `s` in a JWS signature).
    pub fn field_len(self) -> usize {
        self.row().field_len
    }

    /// Bytes of a JWS signature on this curve: `r || s`, each
    /// [`Curve::field_len`] bytes (RFC 7518 §3.4).
    pub fn signature_len(self) -> usize {
        2 * self.row().field_len
    }

    /// The JWK `crv` name.
    pub fn jwk_name(self) -> &'static str {
        self.row().jwk_name
    }

    /// The curve whose JWK `crv` name is `name` (case-sensitive).
    pub(crate) fn from_jwk_name(name: &str) -> Option<Curve> {
        CURVES.iter().find(|r| r.jwk_name == name).map(|r| r.curve)
    }

    /// The curve whose named-curve OID is `oid`.
    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<Curve> {
        CURVES.iter().find(|r| r.oid == *oid).map(|r| r.curve)
    }

    /// The curve whose SSH name (`nistp256`, ...) is `name`.
    pub(crate) fn from_ssh_name(name: &[u8]) -> Option<Curve> {
        CURVES
            .iter()
            .find(|r| r.ssh_name.is_some_and(|n| n.as_bytes() == name))
            .map(|r| r.curve)
    }
}

/// A supported JWS algorithm: one per row of `ALGORITHMS`. `none` is
/// never one of them: the caller always names the algorithm and the
/// token's header must match it exactly.
///
/// HS* and RS* are luajwtjitsi 3.0's set; PS*, ES* and EdDSA (Ed25519) go
/// beyond it (docs/contract.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt length 48.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt length 64.
    PS512,
    /// ECDSA on P-256 with SHA-256, signature `r || s` (64 bytes).
    ES256,
    /// ECDSA on P-384 with SHA-384, signature `r || s` (96 bytes).
    ES384,
    /// ECDSA on P-521 with SHA-512, signature `r || s` (132 bytes).
    ES512,
    /// EdDSA with Ed25519 (the only curve accepted under this name).
    EdDSA,
}

/// What kind of key an algorithm needs. `decode` (the 2.0 API) takes the
/// algorithm from the token, so the key's family decides which are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A shared secret (HS*).
    Hmac,
    /// An RSA key (RS*, PS*).
    Rsa,
    /// An EC key on the algorithm's curve (ES*).
    Ec,
    /// An Ed25519 key (EdDSA).
    Ed25519,
}

/// The digest behind an algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// Everything known about one algorithm.
#[derive(Debug)]
pub(crate) struct AlgorithmRow {
    /// The algorithm this row describes (rows are in [`Algorithm`]'s order).
    pub(crate) alg: Algorithm,
    /// The JWS name, as written in the `alg` header (RFC 7518 §3.1).
    pub(crate) name: &'static str,
    /// The kind of key it needs.
    pub(crate) family: Family,
    /// Its digest (Ed25519's internal SHA-512 for EdDSA).
    pub(crate) hash: Hash,
    /// The curve of an ECDSA algorithm.
    pub(crate) curve: Option<Curve>,
    /// Whether an RSA algorithm pads with RSASSA-PSS (else PKCS#1 v1.5).
    pub(crate) pss: bool,
}

/// One row of [`ALGORITHMS`], the facts in the table's column order.
const fn row(
    alg: Algorithm,
    name: &'static str,
    family: Family,
    hash: Hash,
    curve: Option<Curve>,
    pss: bool,
) -> AlgorithmRow {
    AlgorithmRow {
        alg,
        name,
        family,
        hash,
        curve,
        pss,
    }
}

/// The algorithms, in [`Algorithm`]'s order.
#[rustfmt::skip]
pub(crate) const ALGORITHMS: &[AlgorithmRow] = {
    use {Algorithm as A, Family as F, Hash as H};
    &[
        //  algorithm  name     family      hash       curve               PSS
        row(A::HS256, "HS256", F::Hmac,    H::Sha256, None,               false),
        row(A::HS384, "HS384", F::Hmac,    H::Sha384, None,               false),
        row(A::HS512, "HS512", F::Hmac,    H::Sha512, None,               false),
        row(A::RS256, "RS256", F::Rsa,     H::Sha256, None,               false),
        row(A::RS384, "RS384", F::Rsa,     H::Sha384, None,               false),
        row(A::RS512, "RS512", F::Rsa,     H::Sha512, None,               false),
        row(A::PS256, "PS256", F::Rsa,     H::Sha256, None,               true),
        row(A::PS384, "PS384", F::Rsa,     H::Sha384, None,               true),
        row(A::PS512, "PS512", F::Rsa,     H::Sha512, None,               true),
        row(A::ES256, "ES256", F::Ec,      H::Sha256, Some(Curve::P256),  false),
        row(A::ES384, "ES384", F::Ec,      H::Sha384, Some(Curve::P384),  false),
        row(A::ES512, "ES512", F::Ec,      H::Sha512, Some(Curve::P521),  false),
        row(A::EdDSA, "EdDSA", F::Ed25519, H::Sha512, None,               false),
    ]
};

// Each table holds one row per variant, in the enum's order, so that a
// variant's discriminant is its row's index (what `row()` relies on).
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const _: () = {
    let mut i = 0;
    while i < ALGORITHMS.len() {
        assert!(
            ALGORITHMS[i].alg as usize == i,
            "ALGORITHMS is not in Algorithm's order"
        );
        i += 1;
    }
    assert!(
        Algorithm::EdDSA as usize + 1 == ALGORITHMS.len(),
        "ALGORITHMS must end with the row of Algorithm's last variant, named here"
    );
    let mut i = 0;
    while i < CURVES.len() {
        assert!(
            CURVES[i].curve as usize == i,
            "CURVES is not in Curve's order"
        );
        i += 1;
    }
    assert!(
        Curve::P521 as usize + 1 == CURVES.len(),
        "CURVES must end with the row of Curve's last variant, named here"
    );
};

impl Algorithm {
    /// Every supported algorithm, in `ALGORITHMS`' order.
    #[allow(
        clippy::indexing_slicing,
        reason = "evaluated at compile time: an index out of range fails the build"
    )]
    pub const ALL: [Algorithm; ALGORITHMS.len()] = {
        let mut all = [Algorithm::HS256; ALGORITHMS.len()];
        let mut i = 0;
        while i < ALGORITHMS.len() {
            all[i] = ALGORITHMS[i].alg;
            i += 1;
        }
        all
    };

    /// This algorithm's row of [`ALGORITHMS`].
    #[allow(
        clippy::indexing_slicing,
        reason = "ALGORITHMS holds one row per variant in the enum's order, checked at compile time above"
    )]
    pub(crate) const fn row(self) -> &'static AlgorithmRow {
        &ALGORITHMS[self as usize]
    }

    /// Look an algorithm up by its JWS name. Case-sensitive and exact:
    /// `"hs256"`, `"HS256 "` and `"none"` are not algorithms.
    pub fn from_name(name: &[u8]) -> Option<Algorithm> {
        ALGORITHMS
            .iter()
            .find(|r| r.name.as_bytes() == name)
            .map(|r| r.alg)
    }

    /// The JWS name, as written in the `alg` header.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The kind of key this algorithm needs.
    pub fn family(self) -> Family {
        self.row().family
    }

    /// The curve an ES* algorithm needs (`None` for the others).
    pub fn curve(self) -> Option<Curve> {
        self.row().curve
    }

    /// Whether the signature scheme is RSASSA-PSS.
    pub fn is_pss(self) -> bool {
        self.row().pss
    }

    /// The digest the algorithm uses (Ed25519's internal SHA-512 for EdDSA).
    pub fn hash(self) -> Hash {
        self.row().hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name().as_bytes()), Some(a));
            assert_eq!(
                Algorithm::from_name(a.name().to_lowercase().as_bytes()),
                None
            );
        }
        for bad in [
            "none", "None", "", "HS256 ", "HS256\0", "RS1", "HS1024", "ES256K", "Ed25519", "ES521",
            "EDDSA",
        ] {
            assert_eq!(Algorithm::from_name(bad.as_bytes()), None, "{bad:?}");
        }
    }

    /// The tables agree with themselves: every name, `crv`, OID and SSH
    /// name is unique and leads back to its row, only ECDSA rows have a
    /// curve, and only RSA rows are PSS.
    #[test]
    fn the_tables_are_consistent() {
        fn unique<T: PartialEq + std::fmt::Debug>(what: &str, items: &[T]) {
            for (i, a) in items.iter().enumerate() {
                assert!(!items[..i].contains(a), "{what} {a:?} repeats");
            }
        }
        let names: Vec<_> = ALGORITHMS.iter().map(|r| r.name).collect();
        unique("name", &names);
        for (i, r) in ALGORITHMS.iter().enumerate() {
            assert_eq!(Algorithm::ALL[i], r.alg);
            assert_eq!(Algorithm::from_name(r.name.as_bytes()), Some(r.alg));
            assert_eq!(r.curve.is_some(), r.family == Family::Ec, "{}", r.name);
            assert!(!r.pss || r.family == Family::Rsa, "{}", r.name);
        }
        unique(
            "jwk_name",
            &CURVES.iter().map(|r| r.jwk_name).collect::<Vec<_>>(),
        );
        unique("oid", &CURVES.iter().map(|r| r.oid).collect::<Vec<_>>());
        let ssh: Vec<_> = CURVES.iter().filter_map(|r| r.ssh_name).collect();
        unique("ssh_name", &ssh);
        for r in CURVES {
            let c = r.curve;
            assert_eq!(Curve::from_jwk_name(r.jwk_name), Some(c));
            assert_eq!(Curve::from_oid(&r.oid), Some(c));
            if let Some(name) = r.ssh_name {
                assert_eq!(Curve::from_ssh_name(name.as_bytes()), Some(c));
            }
            assert_eq!(c.signature_len(), 2 * c.field_len());
            // Every curve serves exactly one algorithm.
            let algs = ALGORITHMS.iter().filter(|a| a.curve == Some(c)).count();
            assert_eq!(algs, 1, "{c:?}");
        }
        // The facts of the curves as the RFCs give them.
        let facts: Vec<_> = CURVES
            .iter()
            .map(|r| (r.jwk_name, r.oid.to_string(), r.field_len, r.ssh_name))
            .collect();
        assert_eq!(
            facts,
            [
                (
                    "P-256",
                    "1.2.840.10045.3.1.7".to_owned(),
                    32,
                    Some("nistp256")
                ),
                ("P-384", "1.3.132.0.34".to_owned(), 48, Some("nistp384")),
                ("P-521", "1.3.132.0.35".to_owned(), 66, Some("nistp521")),
            ]
        );
    }
}
