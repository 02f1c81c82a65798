//! The JWS algorithms this module knows, by their exact (case-sensitive) names.
#![forbid(unsafe_code)]

/// A supported JWS algorithm. `none` is never one of them: the caller always
/// names the algorithm and the token's header must match it exactly.
///
/// This is luajwtjitsi 3.0's set. PS*, ES* and EdDSA slot in as further
/// variants with their own [`Family`].
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
}

/// What kind of key an algorithm needs. `decode` (the 2.0 API) takes the
/// algorithm from the token, so the key's family decides which are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A shared secret (HS*).
    Hmac,
    /// An RSA key (RS*).
    Rsa,
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
    pub const ALL: [Algorithm; 6] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
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
        }
    }

    /// The kind of key this algorithm needs.
    pub fn family(self) -> Family {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Family::Hmac,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => Family::Rsa,
        }
    }

    /// The digest the algorithm uses.
    pub fn hash(self) -> Hash {
        match self {
            Algorithm::HS256 | Algorithm::RS256 => Hash::Sha256,
            Algorithm::HS384 | Algorithm::RS384 => Hash::Sha384,
            Algorithm::HS512 | Algorithm::RS512 => Hash::Sha512,
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
            "none", "None", "", "HS256 ", "HS256\0", "RS1", "HS1024", "ES256K",
        ] {
            assert_eq!(Algorithm::from_name(bad.as_bytes()), None, "{bad:?}");
        }
    }
}
