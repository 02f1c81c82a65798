//! The JWS algorithms this module knows, by their exact (case-sensitive) names.
#![forbid(unsafe_code)]

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

/// A supported JWS algorithm. `none` is never one of them: the caller always
/// names the algorithm and the token's header must match it exactly.
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

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Algorithm; 13] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ];

    /// Look an algorithm up by its JWS name. Case-sensitive and exact:
    /// `"hs256"`, `"HS256 "` and `"none"` are not algorithms.
    pub fn from_name(name: &[u8]) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().as_bytes() == name)
    }

    /// The JWS name, as written in the `alg` header.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// The kind of key this algorithm needs.
    pub fn family(self) -> Family {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Family::Hmac,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Family::Rsa,
            Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => Family::Ec,
            Algorithm::EdDSA => Family::Ed25519,
        }
    }

    /// The curve an ES* algorithm needs (`None` for the others).
    pub fn curve(self) -> Option<Curve> {
        match self {
            Algorithm::ES256 => Some(Curve::P256),
            Algorithm::ES384 => Some(Curve::P384),
            Algorithm::ES512 => Some(Curve::P521),
            _ => None,
        }
    }

    /// Whether the signature scheme is RSASSA-PSS.
    pub fn is_pss(self) -> bool {
        matches!(self, Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512)
    }

    /// The digest the algorithm uses (Ed25519's internal SHA-512 for EdDSA).
    pub fn hash(self) -> Hash {
        match self {
            Algorithm::HS256 | Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 => {
                Hash::Sha256
            }
            Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
                Hash::Sha384
            }
            Algorithm::HS512
            | Algorithm::RS512
            | Algorithm::PS512
            | Algorithm::ES512
            | Algorithm::EdDSA => Hash::Sha512,
        }
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
}
