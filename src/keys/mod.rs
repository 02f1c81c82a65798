//! Keys: what key bytes are (the one HMAC-secret rule), reading PEM, DER,
//! certificates and JWK/JWKS, the parse cache, and binding a key to an
//! algorithm by the key-family rule (docs/contract.md §4–§5).
//!
//! DER structures are parsed by RustCrypto's maintained crates (`spki`,
//! `pkcs1`, `pkcs8`, `sec1`, `x509-cert`), PEM base64 by `base64ct`. The
//! submodules depend on each other without a circle (tests/module_graph.rs
//! checks it); this file only declares them and names the public items.
//!
//! - `error`: [`KeyError`], every refusal, grouped by what refused the key
//!   ([`SecretError`], [`PemError`], ...), one variant each;
//! - `asymmetric`: [`PublicKey`], [`AsymmetricKey`], [`Signer`];
//! - `der`, `pem`, `jwk`, `ssh`: the readers (`ssh` also holds the SSH and
//!   PuTTY content rule of the secret guard);
//! - `shape`: the content rules of the secret guard;
//! - `classify`: [`key_shape`], [`HmacSecret`], [`Key`], [`Bound`], [`parse`];
//! - `cache`: the bounded parse cache;
//! - `set`: [`KeySet`], a key or JWKS chosen from by `alg` and `kid`.
#![forbid(unsafe_code)]

mod asymmetric;
mod cache;
mod classify;
mod der;
mod error;
mod jwk;
mod pem;
mod set;
mod shape;
mod ssh;

pub use asymmetric::{PublicKey, Signer, RSA_MAX_BITS, RSA_MIN_VERIFY_BITS};
pub use cache::{cache_len, KEY_CACHE_ENTRIES, KEY_CACHE_MAX_KEY_LEN};
pub use classify::{asymmetric, key_shape, parse, Bound, HmacSecret, Key};
pub use error::{
    DerError, FamilyError, FileError, JwkError, JwksError, KeyError, KeyKind, LimitError,
    PemBodyError, PemError, SecretError, SignError, SshError, Structure,
};
pub use set::{KeySet, MAX_JWKS_KEYS};
pub use shape::KeyShape;
