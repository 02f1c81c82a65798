//! A native `luajwtjitsi`: the JWT library Jitsi Meet's Prosody token
//! authentication loads, as a Rust core with a thin Lua binding.
//!
//! The core (everything outside `lua/`) has no Lua types and takes the time
//! as an argument. `docs/contract.md` is the specification, and
//! its §8 lists every deliberate difference from luajwtjitsi 3.0.
// unsafe_code, missing_docs and the panic and cast lints come from
// [workspace.lints] in Cargo.toml; the core files forbid unsafe code outright.
// No panics reachable from input: no unwrap/expect, no unchecked indexing or
// slicing, no panic!/unreachable! outside tests (docs/panic-review.md lists what
// remains and why it cannot fire).

// Every module is private: what the outside may use is re-exported below,
// so the compiler reports whatever nothing uses.
//
// The callers: 3.0's verify and encode, 2.0's decode, the verifier.
mod api;
// The one verification, step by step: split → header → key → signature →
// claims → value (the key and signature steps also serve signing).
mod keys;
mod pipeline;
mod signature;
// What every step shares: the algorithm table, the errors, the formats.
mod alg;
mod base64url;
mod error;
mod json;
mod quote;

#[cfg(any(
    feature = "lua51",
    feature = "lua52",
    feature = "lua53",
    feature = "lua54",
    feature = "luajit"
))]
// Without `module` no luaopen_* is exported, so the binding is reached only
// by its own unit tests (the vendored test build of scripts/check.sh).
#[cfg_attr(
    not(feature = "module"),
    allow(dead_code, reason = "only the binding's unit tests use it")
)]
mod lua;

// The API: what a Rust caller (and the CLI) needs.
pub use alg::{Algorithm, Curve};
pub use api::v2::decode;
pub use api::v3::{encode, verify_3_0};
pub use api::verifier::{inspect_unverified, Options, Verifier, MAX_JWKS_KEYS, MAX_LEEWAY};
pub use error::{CritError, Error, OptionError};
pub use keys::{
    DerError, FamilyError, FileError, JwkError, JwksError, KeyError, KeyKind, LimitError,
    PemBodyError, PemError, SecretError, SignError, SshError, Structure,
};
pub use pipeline::claims::{Accepted, ClaimError, ClaimRules, RuleError};
pub use pipeline::{Decoded, MAX_TOKEN_LEN};

/// What this workspace's other crates reach beyond the API: the CLI's key
/// checks and message quoting, and the internals the fuzz targets, benches
/// and integration tests drive directly. Not part of the API: no stability
/// is promised, and nothing outside this repository should use it.
#[doc(hidden)]
pub mod internal {
    pub use crate::alg::{Family, Hash};
    pub use crate::quote::quoted;

    /// The claim rules' questions, asked of one claim (the CLI's `inspect`).
    pub mod claims {
        pub use crate::pipeline::claims::{is_expired, is_not_yet_valid};
    }

    /// The pipeline's steps, driven one by one.
    pub mod pipeline {
        pub use crate::pipeline::{decode_segments, split, verify, Keys, Policy};
    }

    /// Reading and classifying keys.
    pub mod keys {
        pub use crate::keys::{
            asymmetric, cache_len, key_shape, parse, HmacSecret, Key, KeyShape, PublicKey, Signer,
            KEY_CACHE_ENTRIES, KEY_CACHE_MAX_KEY_LEN, RSA_MAX_BITS, RSA_MIN_VERIFY_BITS,
        };
    }

    /// The signature step and its primitives.
    pub mod signature {
        pub use crate::signature::{
            hmac_tag, hmac_verify, rustcrypto_rsa_verify, sign, verify, verify_public,
        };
    }

    /// base64url without padding (RFC 7515 §2).
    pub mod base64url {
        pub use crate::base64url::{decode, encode};
    }

    /// The strict JSON reader and the canonical writer.
    pub mod json {
        pub use crate::json::{parse_object, parse_value, scan_object, to_canonical, MAX_DEPTH};
    }
}

/// Helpers shared by the unit tests.
#[cfg(test)]
mod test_support {
    /// The bytes of a vector key file, `tests/vectors/keys/<name>`.
    pub fn key(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/vectors/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|e| panic!("key file {name}: {e}"))
    }
}
