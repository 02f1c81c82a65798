//! The callers of the pipeline, one module per API generation: each builds
//! a [`crate::pipeline::Policy`] and hands the token to
//! [`crate::pipeline::verify`]. The Lua binding (`src/lua/`) and the CLI
//! (`cli/`) call these.
//!
//! - [`v3`]: luajwtjitsi 3.0's `verify` and `encode` (what Jitsi calls);
//! - [`v2`]: 2.0's `decode`, the algorithm chosen within the key's family;
//! - [`verifier`]: the extended API, a [`verifier::Verifier`] built once
//!   from [`verifier::Options`], and `inspect_unverified`.
#![forbid(unsafe_code)]

pub(crate) mod v2;
pub(crate) mod v3;
pub(crate) mod verifier;
