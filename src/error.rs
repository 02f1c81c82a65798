//! The core's error type. Its `Display` is the exact message a Lua caller
//! sees as the second return value: the strings of docs/contract.md §2–§4, which
//! Prosody logs and jitsi-meet's plugins match on. Do not reword them. The
//! reasons under `Invalid key` are [`KeyError`]'s; the messages about Lua
//! arguments (`token argument must be string`, ...) are the binding's
//! (`src/lua/error.rs`), since the core never sees a Lua value.
#![forbid(unsafe_code)]

use crate::keys::KeyError;
use thiserror::Error;

/// Every way a call can fail, one variant per message.
///
/// Variants carrying a `String` add a reason after `": "`; the prefix before it
/// is fixed (callers match on the prefix).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    // --- verify(): the token (rows 6-14) -------------------------------------
    /// The caller's algorithm (or encode's) is not one of the supported names.
    #[error("Algorithm not supported")]
    AlgorithmNotSupported,
    /// Not exactly three `.`-separated segments, an empty header or payload,
    /// or longer than [`crate::MAX_TOKEN_LEN`].
    #[error("Invalid token")]
    InvalidToken,
    /// Header segment is not base64url or not a strict JSON object.
    #[error("Invalid header")]
    InvalidHeader,
    /// Payload segment is not base64url or not a strict JSON object.
    #[error("Invalid body")]
    InvalidBody,
    /// Signature segment is not base64url, or the signature does not verify.
    #[error("Invalid signature")]
    InvalidSignature,
    /// Header `typ` is not exactly `"JWT"`.
    #[error("Invalid typ")]
    InvalidTyp,
    /// Header `alg` is not exactly the caller's algorithm.
    #[error("Invalid or incorrect alg")]
    IncorrectAlg,
    /// The key cannot be used for the algorithm; the reason follows `": "`.
    #[error("Invalid key: {0}")]
    InvalidKey(KeyError),

    // --- verify(): claims (rows 15-22) ---------------------------------------
    /// `exp` is present and not a number (`false` included).
    #[error("exp must be number")]
    ExpNotNumber,
    /// `nbf` is present and not a number.
    #[error("nbf must be number")]
    NbfNotNumber,
    /// now >= exp. `since` is now − exp and `valid_for` is exp − iat (when
    /// `iat` is a number), both already formatted as integers.
    /// COMPAT(exp-message): jitsi-meet's detailed form; 3.0 said only
    /// `Not acceptable by exp`.
    #[error("Not acceptable by exp ({since} sec since expired{})", valid_for.as_ref().map(|m| format!(", valid for:{m} sec")).unwrap_or_default())]
    Expired {
        /// Seconds since expiry.
        since: String,
        /// The token's lifetime, exp − iat.
        valid_for: Option<String>,
    },
    /// now < nbf.
    #[error("Not acceptable by nbf")]
    NotYetValid,
    /// Issuers were given and the payload has no `iss`.
    #[error("'iss' claim is missing")]
    IssuerMissing,
    /// Issuers were given and `iss` is not accepted.
    #[error("invalid 'iss' claim")]
    IssuerInvalid,
    /// Audiences were given and the payload has no `aud`.
    #[error("'aud' claim is missing")]
    AudienceMissing,
    /// Audiences were given and `aud` is not accepted.
    #[error("invalid 'aud' claim")]
    AudienceInvalid,

    // --- the extended API ------------------------------------------------------
    /// A claim the verifier's `required` list names is absent.
    #[error("'{0}' claim is missing")]
    ClaimMissing(String),
    /// Building a verifier failed: a bad option. The reason follows.
    #[error("verifier: {0}")]
    VerifierOption(#[from] OptionError),

    // --- encode() (docs/contract.md §3) ----------------------------------------------
    /// A value JSON cannot hold. `kind` is the Lua type name.
    #[error("Cannot serialise {kind}: {reason}")]
    Serialise {
        /// Lua type of the offending value (`function`, `table`, `number`, ...).
        kind: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The signing key is not a usable private key for the algorithm.
    #[error("Not a private PEM key: {0}")]
    NotPrivateKey(KeyError),

    // --- decode(): the 1.x/2.0 API (docs/contract.md §4) -----------------------------
    /// `decode`: header or payload is not base64url JSON objects.
    #[error("Invalid json")]
    InvalidJson,
    /// `decode`: header `alg` missing, not a string, or outside the key's family.
    #[error("Invalid alg")]
    InvalidAlg,
    /// `decode`: now >= exp (2.0's short message).
    #[error("Not acceptable by exp")]
    ExpiredLegacy,
}

/// Why [`crate::Verifier::new`] refused its options (the Lua binding adds
/// its own reasons about the options table).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OptionError {
    /// `algs` is empty.
    #[error("alg must name at least one algorithm")]
    NoAlgorithm,
    /// `leeway` is negative or above the maximum.
    #[error("leeway must be between 0 and {max} seconds")]
    Leeway {
        /// [`crate::verifier::MAX_LEEWAY`].
        max: i64,
    },
    /// The key cannot be read, or cannot serve one of the algorithms.
    #[error("key: {0}")]
    Key(KeyError),
}

impl Error {
    /// Map a verify-path error to the message 2.0's `decode` gave for it.
    pub(crate) fn into_legacy(self) -> Error {
        match self {
            Error::InvalidHeader | Error::InvalidBody => Error::InvalidJson,
            Error::Expired { .. } => Error::ExpiredLegacy,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error::*;
    use super::OptionError;
    use crate::keys::KeyError;

    /// Every message, pinned. A change here breaks Prosody log matching and
    /// jitsi-meet plugins: update docs/contract.md first.
    #[test]
    fn messages_are_the_contract_strings() {
        let cases = [
            (AlgorithmNotSupported, "Algorithm not supported"),
            (InvalidToken, "Invalid token"),
            (InvalidHeader, "Invalid header"),
            (InvalidBody, "Invalid body"),
            (InvalidSignature, "Invalid signature"),
            (InvalidTyp, "Invalid typ"),
            (IncorrectAlg, "Invalid or incorrect alg"),
            (
                InvalidKey(KeyError::EmptySecret),
                "Invalid key: an empty HMAC secret would let anyone mint tokens",
            ),
            (ExpNotNumber, "exp must be number"),
            (NbfNotNumber, "nbf must be number"),
            (
                Expired {
                    since: "5".into(),
                    valid_for: None,
                },
                "Not acceptable by exp (5 sec since expired)",
            ),
            (
                Expired {
                    since: "5".into(),
                    valid_for: Some("-100".into()),
                },
                "Not acceptable by exp (5 sec since expired, valid for:-100 sec)",
            ),
            (NotYetValid, "Not acceptable by nbf"),
            (IssuerMissing, "'iss' claim is missing"),
            (IssuerInvalid, "invalid 'iss' claim"),
            (AudienceMissing, "'aud' claim is missing"),
            (AudienceInvalid, "invalid 'aud' claim"),
            (ClaimMissing("room".into()), "'room' claim is missing"),
            (
                VerifierOption(OptionError::Leeway { max: 3600 }),
                "verifier: leeway must be between 0 and 3600 seconds",
            ),
            (
                Serialise {
                    kind: "function",
                    reason: "no JSON form".into(),
                },
                "Cannot serialise function: no JSON form",
            ),
            (
                NotPrivateKey(KeyError::PublicCannotSign),
                "Not a private PEM key: a public key or certificate cannot sign",
            ),
            (InvalidJson, "Invalid json"),
            (InvalidAlg, "Invalid alg"),
            (ExpiredLegacy, "Not acceptable by exp"),
        ];
        for (err, msg) in cases {
            assert_eq!(err.to_string(), msg);
        }
    }
}
