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

pub mod alg;
pub mod base64url;
pub mod claims;
pub mod encode;
pub mod error;
pub mod json;
pub mod keys;
pub mod legacy;
pub mod quote;
pub mod signature;
pub mod token;
pub mod verifier;

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

pub use alg::Algorithm;
pub use claims::Accepted;
pub use encode::encode;
pub use error::Error;
pub use legacy::decode;
pub use token::{verify_3_0, MAX_TOKEN_LEN};
pub use verifier::{inspect_unverified, Options, Verifier};

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
