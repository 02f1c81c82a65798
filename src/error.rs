//! The core's error type. Its `Display` is the exact message a Lua caller
//! sees as the second return value: the strings of docs/contract.md §2–§4, which
//! Prosody logs and jitsi-meet's plugins match on. Do not reword them. The
//! reasons under `Invalid key` are [`KeyError`]'s; the claims' refusals are
//! [`ClaimError`]'s, beside the rules they apply; the messages about Lua
//! arguments (`token argument must be string`, ...) are the binding's
//! (`src/lua/error.rs`), since the core never sees a Lua value.
#![forbid(unsafe_code)]

use crate::keys::KeyError;
use crate::pipeline::claims::{ClaimError, RuleError};
use crate::quote::quoted;
use thiserror::Error;

/// Every way a call can fail, one variant per message (the claims' are
/// [`ClaimError`]'s, shown through [`Error::Claim`]).
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
    /// The header lists `crit` or sets `b64` to other than `true`: an
    /// extension this module does not process (RFC 7515 §4.1.11, RFC 7797
    /// §7). The reason, which names the header parameter, follows `": "`.
    #[error("Invalid header: {0}")]
    CriticalHeader(CritError),
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
    /// The claims refuse the token (`exp`, `nbf`, `iss`, `aud`, a required
    /// claim): [`ClaimError`]'s message, as is.
    #[error(transparent)]
    Claim(#[from] ClaimError),

    // --- the extended API ------------------------------------------------------
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
    /// The claim rules are out of range (`leeway`): [`RuleError`]'s message.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// The key cannot be read, or cannot serve one of the algorithms.
    #[error("key: {0}")]
    Key(KeyError),
}

/// Why a header's `crit` or `b64` refuses the token (after `Invalid header: `).
///
/// RFC 7515 §4.1.11: `crit` is a non-empty array of the names of header
/// parameters that are present, are not defined by RFC 7515 or RFC 7518,
/// and must be understood and processed, or the JWS is invalid. This module
/// processes no extension, so every `crit` refuses the token; the variants
/// only say which rule the first name breaks. RFC 7797 §7: a JWT never
/// uses the unencoded payload (`b64: false`), listed in `crit` or not.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CritError {
    /// `crit` is not an array, is empty, or holds something other than strings.
    #[error("crit must be a non-empty array of header parameter names")]
    NotNames,
    /// `crit` names a header parameter of RFC 7515 or RFC 7518 (`alg`, `kid`, ...).
    #[error("crit names {}, a header parameter crit must not list", quoted(.0))]
    Registered(String),
    /// `crit` names a parameter the header does not have.
    #[error("crit names {}, which the header does not have", quoted(.0))]
    Absent(String),
    /// A well-formed `crit`: its first name is an extension this module
    /// does not process (`exp`, `b64`, anything).
    #[error("crit names {}, which this module does not process", quoted(.0))]
    NotProcessed(String),
    /// `b64` is present and not `true`.
    #[error("b64 must be true: a JWT never has an unencoded payload (RFC 7797)")]
    UnencodedPayload,
}

impl Error {
    /// Map a verify-path error to the message 2.0's `decode` gave for it.
    pub(crate) fn into_legacy(self) -> Error {
        match self {
            Error::InvalidHeader | Error::InvalidBody => Error::InvalidJson,
            Error::Claim(ClaimError::Expired { .. }) => Error::ExpiredLegacy,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error::*;
    use super::{CritError, OptionError};
    use crate::keys::{KeyError, SecretError, SignError};
    use crate::pipeline::claims::{ClaimError, RuleError};

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
            (
                CriticalHeader(CritError::NotNames),
                "Invalid header: crit must be a non-empty array of header parameter names",
            ),
            (
                CriticalHeader(CritError::Registered("alg".into())),
                "Invalid header: crit names \"alg\", a header parameter crit must not list",
            ),
            (
                CriticalHeader(CritError::Absent("x".into())),
                "Invalid header: crit names \"x\", which the header does not have",
            ),
            (
                CriticalHeader(CritError::NotProcessed("exp".into())),
                "Invalid header: crit names \"exp\", which this module does not process",
            ),
            (
                CriticalHeader(CritError::UnencodedPayload),
                "Invalid header: b64 must be true: a JWT never has an unencoded payload (RFC 7797)",
            ),
            (InvalidTyp, "Invalid typ"),
            (IncorrectAlg, "Invalid or incorrect alg"),
            (
                InvalidKey(KeyError::Secret(SecretError::Empty)),
                "Invalid key: an empty HMAC secret would let anyone mint tokens",
            ),
            (Claim(ClaimError::NotYetValid), "Not acceptable by nbf"),
            (
                VerifierOption(OptionError::Rules(RuleError::Seconds {
                    name: "leeway",
                    min: 0,
                    max: 3600,
                })),
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
                NotPrivateKey(KeyError::Sign(SignError::PublicCannotSign)),
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
