//! [`KeyError`]: every reason a key is refused. Its `Display` is the text a
//! caller sees after `Invalid key: ` (verify, decode), `Not a private PEM
//! key: ` (encode) or `verifier: key: ` (the extended API); those prefixes
//! are [`crate::Error`]'s. The wording is pinned by tests: admins search
//! for it.
#![forbid(unsafe_code)]

use crate::alg::{Algorithm, Curve};
use crate::quote::quoted;
use der::asn1::ObjectIdentifier;
use thiserror::Error;

/// What kind of key a family-rule refusal is about, for its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An RSA key of `bits` bits.
    Rsa {
        /// Size of the modulus.
        bits: usize,
    },
    /// An EC key on a curve.
    Ec(Curve),
    /// An Ed25519 key.
    Ed25519,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "an RSA key of {bits} bits"),
            KeyKind::Ec(curve) => write!(f, "an EC {} key", curve.jwk_name()),
            KeyKind::Ed25519 => f.write_str("an Ed25519 key"),
        }
    }
}

/// Which DER structure failed to parse, for [`KeyError::Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
    PublicKey,
    /// An X.509 certificate (RFC 5280).
    Certificate,
    /// PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1).
    RsaPublicKey,
    /// PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2).
    RsaPrivateKey,
    /// PKCS#8 `PrivateKeyInfo` (RFC 5208).
    PrivateKey,
    /// SEC1 `ECPrivateKey` (RFC 5915).
    EcPrivateKey,
    /// The Ed25519 private key octet string (RFC 8410 §7).
    Ed25519Key,
}

impl std::fmt::Display for Structure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Structure::PublicKey => "public key",
            Structure::Certificate => "certificate",
            Structure::RsaPublicKey => "RSA public key",
            Structure::RsaPrivateKey => "RSA private key",
            Structure::PrivateKey => "private key",
            Structure::EcPrivateKey => "EC private key",
            Structure::Ed25519Key => "Ed25519 key",
        })
    }
}

/// Why a PEM block's body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PemBodyError {
    /// The block never ends.
    #[error("no \"-----END {label}-----\" line")]
    NoEnd {
        /// The block's label.
        label: String,
    },
    /// The END line names another label.
    #[error("its -----END line does not match \"-----BEGIN {label}-----\"")]
    EndMismatch {
        /// The BEGIN line's label.
        label: String,
    },
    /// A blank line inside the base64 (OpenSSL stops there too).
    #[error("a blank line inside its base64 text")]
    BlankLine,
    /// The body is not base64.
    #[error("its body is not base64")]
    NotBase64,
}

/// Every reason a key is refused: one variant per failure, data in fields.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    // --- the HMAC secret rule (docs/contract.md §5; see `key_shape`) --------------------
    /// An empty HMAC secret.
    #[error("an empty HMAC secret would let anyone mint tokens")]
    EmptySecret,
    /// PEM text given as an HMAC secret.
    #[error("text with a \"-----BEGIN\" line (a PEM key or certificate) cannot be an HMAC secret")]
    PemAsSecret,
    /// A DER key given as an HMAC secret.
    #[error("a DER key or certificate cannot be an HMAC secret")]
    DerAsSecret,
    /// Base64 or hex of a DER key given as an HMAC secret.
    #[error("base64 or hex text of a DER key or certificate cannot be an HMAC secret")]
    EncodedAsSecret,
    /// A JWK or JWKS given as an HMAC secret to the 3.0 functions.
    #[error("a JWK or JWKS cannot be an HMAC secret here: pass the raw secret (jwt.verifier takes an \"oct\" JWK)")]
    JwkAsSecret,
    /// SSH or PuTTY key text given as an HMAC secret.
    #[error("an SSH or PuTTY key (an OpenSSH public key line, authorized_keys or known_hosts entry, certificate, RFC 4716, PuTTY or SSH-1 key file) cannot be an HMAC secret")]
    SshAsSecret,

    // --- the key-family rule (docs/contract.md §4) ----------------------------------------
    /// An asymmetric key of another family or curve than the algorithm's.
    #[error("{key} cannot be used with {}", alg.name())]
    WrongFamily {
        /// The key's kind.
        key: KeyKind,
        /// The algorithm asked for.
        alg: Algorithm,
    },
    /// An HMAC secret for an asymmetric algorithm (extended API).
    #[error("an HMAC secret cannot be used with {}", alg.name())]
    SecretForAsymmetric {
        /// The algorithm asked for.
        alg: Algorithm,
    },
    /// An asymmetric key for HS* (extended API).
    #[error("a public or private key cannot be used with {}", alg.name())]
    AsymmetricForHmac {
        /// The algorithm asked for.
        alg: Algorithm,
    },
    /// A JWK whose `alg` member names another algorithm.
    #[error("the JWK's \"alg\" is {}, not {}", quoted(own), alg.name())]
    JwkAlgMismatch {
        /// The JWK's `alg`.
        own: String,
        /// The algorithm asked for.
        alg: Algorithm,
    },

    // --- reading key files -----------------------------------------------------
    /// Empty key bytes where a key file was expected.
    #[error("the key is empty")]
    EmptyKey,
    /// Nothing in the bytes is a key this module reads.
    #[error("not a PEM or DER key or certificate")]
    NotAKey,
    /// PEM text in UTF-16.
    #[error("UTF-16 text with a -----BEGIN line: save the key file as UTF-8 or ASCII")]
    Utf16Pem,
    /// JWK text that is not alone or not UTF-8.
    #[error("JWK text with something around it or in UTF-16: give the JWK alone, in UTF-8")]
    JwkNotAlone,
    /// Base64 or hex of a DER key without PEM armour.
    #[error("base64 or hex text of a DER key or certificate without PEM armour: add its -----BEGIN and -----END lines")]
    UnarmouredDer,
    /// SSH key text in UTF-16.
    #[error("UTF-16 text of an SSH key: save the key file as UTF-8 or ASCII")]
    Utf16Ssh,
    /// An OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`).
    #[error("an OpenSSH private key is not read here: to verify, give its public key (the .pub file, or what ssh-keygen -y -f FILE prints); to sign, convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8 -f FILE, which does so for RSA and ECDSA keys)")]
    OpenSshPrivate,
    /// A PuTTY key file (`PuTTY-User-Key-File-<n>:`).
    #[error("a PuTTY private key file (.ppk) is not read here: to verify, export its public key (puttygen FILE -O public-openssh); to sign, export an RSA or ECDSA key as PEM (puttygen FILE -O private-openssh)")]
    PuttyPrivate,
    /// An ssh.com private key (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`).
    #[error("an ssh.com private key is not read here: to verify, give its public key; to sign, convert an RSA or ECDSA key to PEM (puttygen FILE -O private-openssh)")]
    SshComPrivate,
    /// An SSH-1 RSA key, public (decimal) or private.
    #[error("an SSH-1 RSA key (SSH protocol 1) is not supported: use an SSH-2 or PEM key")]
    Ssh1Key,
    /// SSH key text without a key line this module reads.
    #[error("SSH key text without a readable public key line: give the line as ssh-keygen writes it (<key type> <base64> [comment])")]
    SshNoKeyLine,
    /// An SSH public key that does not parse.
    #[error("malformed SSH public key ({0})")]
    SshMalformed(&'static str),
    /// An SSH key line whose type word is not the type inside its key.
    #[error("the SSH key line says \"{line}\" but holds a \"{key}\" key")]
    SshTypeMismatch {
        /// The type word of the line.
        line: String,
        /// The type in the key.
        key: String,
    },
    /// An SSH key type this module has no code for (`ssh-dss`, FIDO `sk-*`).
    #[error("unsupported SSH key type \"{0}\"")]
    SshUnsupported(String),
    /// `-----BEGIN` with no block OpenSSL would find.
    #[error("the text holds \"-----BEGIN\" but no PEM block: a block starts with a line \"-----BEGIN <label>-----\" at the start of a line")]
    NoPemBlock,
    /// A PKCS#8 `ENCRYPTED PRIVATE KEY` block.
    #[error("the block {block} is an encrypted private key, which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)")]
    EncryptedPkcs8 {
        /// `'<label>' (block <n>)`.
        block: String,
    },
    /// A block with `Proc-Type: 4,ENCRYPTED`.
    #[error("the block {block} is encrypted (Proc-Type: 4,ENCRYPTED), which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)")]
    EncryptedPem {
        /// `'<label>' (block <n>)`.
        block: String,
    },
    /// A key block with RFC 1421 header lines.
    #[error("the block {block} has RFC 1421 header lines, which OpenSSL 3.0 does not read in a key either: remove them")]
    PemHeaders {
        /// `'<label>' (block <n>)`.
        block: String,
    },
    /// A key block whose body cannot be read.
    #[error("the PEM block {block} is malformed: {why}")]
    PemBody {
        /// `'<label>' (block <n>)`.
        block: String,
        /// What is wrong.
        why: PemBodyError,
    },
    /// The first certificate's body cannot be read.
    #[error("the first certificate in the file, {block}, cannot be read: {why}")]
    CertificateBody {
        /// `'<label>' (block <n>)`.
        block: String,
        /// What is wrong.
        why: PemBodyError,
    },
    /// A key block whose content is no usable key.
    #[error("the PEM block {block} does not hold a usable key: {why}")]
    BlockNotKey {
        /// `'<label>' (block <n>)`.
        block: String,
        /// What the reader said.
        why: Box<KeyError>,
    },
    /// The first certificate holds no usable key.
    #[error("the first certificate in the file, {block}, cannot be read: {why}")]
    CertificateNotKey {
        /// `'<label>' (block <n>)`.
        block: String,
        /// What the reader said.
        why: Box<KeyError>,
    },
    /// PEM text with blocks but none of a key label.
    #[error("no key or certificate in the PEM text: {labels} is not a key")]
    NoKeyInPem {
        /// The labels found, quoted, comma-separated.
        labels: String,
    },
    /// Two different keys in one file.
    #[error("the file holds two different keys, {first} and {other}: keep only the one to use")]
    TwoKeys {
        /// The first key block.
        first: String,
        /// The block with another key.
        other: String,
    },
    /// A DER structure that does not parse.
    #[error("malformed {what} ({cause})")]
    Malformed {
        /// Which structure.
        what: Structure,
        /// The DER parser's reason.
        cause: der::Error,
    },
    /// A public key's BIT STRING has unused bits.
    #[error("malformed {} key bit string", if *.certificate { "certificate" } else { "public" })]
    BitString {
        /// In a certificate rather than a bare public key.
        certificate: bool,
    },
    /// An EC private scalar that is empty or longer than the field.
    #[error("malformed EC private key (scalar length)")]
    ScalarLength,
    /// An Ed25519 seed that is not 32 bytes.
    #[error("malformed Ed25519 key ({reason})")]
    Ed25519Seed {
        /// AWS-LC's reason.
        reason: String,
    },
    /// An Ed25519 public key that is not 32 bytes.
    #[error("an Ed25519 public key has 32 bytes")]
    Ed25519Length,
    /// A key algorithm other than RSA, EC and Ed25519.
    #[error("unsupported key algorithm {0}")]
    UnsupportedAlgorithm(ObjectIdentifier),
    /// A curve other than P-256, P-384, P-521.
    #[error("unsupported elliptic curve {0}")]
    UnsupportedCurve(ObjectIdentifier),
    /// An EC public key without a named curve.
    #[error("EC key without a named curve")]
    NoNamedCurve,
    /// An EC private key without a named curve, inside or around it.
    #[error("EC private key without a named curve")]
    PrivateNoNamedCurve,
    /// An EC private key without its public point.
    #[error("EC private key without its public point")]
    NoPublicPoint,
    /// An RSA modulus under [`super::RSA_MIN_VERIFY_BITS`].
    #[error("RSA keys must have at least {min} bits, this one has {bits}")]
    RsaTooSmall {
        /// The key's size.
        bits: usize,
        /// The floor.
        min: usize,
    },
    /// An RSA modulus over [`super::RSA_MAX_BITS`].
    #[error("RSA keys above {max} bits are not supported (this one has {bits})")]
    RsaTooLarge {
        /// The key's size.
        bits: usize,
        /// The ceiling.
        max: usize,
    },
    /// An RSA exponent AWS-LC does not take (even, < 3, or ≥ 2^33).
    #[error("unsupported RSA public exponent")]
    RsaExponent,

    // --- signing ---------------------------------------------------------------
    /// A public key or certificate given to sign.
    #[error("a public key or certificate cannot sign")]
    PublicCannotSign,
    /// An RSA key under [`super::RSA_MIN_SIGN_BITS`] given to sign.
    #[error("RSA signing keys must have at least {min} bits, this one has {bits}")]
    RsaSignTooSmall {
        /// The key's size.
        bits: usize,
        /// The floor.
        min: usize,
    },
    /// AWS-LC refused the RSA private key.
    #[error("RSA key rejected ({reason})")]
    RsaRejected {
        /// AWS-LC's reason.
        reason: String,
    },
    /// AWS-LC refused the EC private key.
    #[error("EC key rejected ({reason})")]
    EcRejected {
        /// AWS-LC's reason.
        reason: String,
    },
    /// AWS-LC refused the Ed25519 private key.
    #[error("Ed25519 key rejected ({reason})")]
    Ed25519Rejected {
        /// AWS-LC's reason.
        reason: String,
    },
    /// An EC private scalar that does not give the key's public point.
    #[error("the EC private key does not match its public point")]
    EcPointMismatch,
    /// An RSA public half with a private half of another type.
    #[error("not an RSA private key")]
    NotRsaPrivate,
    /// A private half of another type than the public half.
    #[error("the private half does not match the key type")]
    PrivateMismatch,
    /// The RSA signing operation failed.
    #[error("RSA signing failed")]
    RsaSignFailed,
    /// The ECDSA signing operation failed.
    #[error("ECDSA signing failed")]
    EcdsaSignFailed,
    /// The Ed25519 signing operation failed.
    #[error("Ed25519 signing failed")]
    Ed25519SignFailed,

    // --- JWK (RFC 7517, RFC 7518 §6, RFC 8037) ----------------------------------
    /// JWK text that is not a JSON object.
    #[error("not a JSON object (JWK)")]
    JwkNotObject,
    /// A JWKS given where one key is expected.
    #[error("a JWKS needs jwt.verifier, which picks the key by the token's kid")]
    JwksNeedsVerifier,
    /// An `oct` JWK given where a public key is expected.
    #[error("an \"oct\" JWK is an HMAC secret, not a public key")]
    OctNotPublic,
    /// A member that must be a string is not.
    #[error("JWK member \"{0}\" must be a string")]
    JwkMemberType(&'static str),
    /// A required member is absent.
    #[error("JWK without \"{0}\"")]
    JwkMissing(&'static str),
    /// A member is not base64url.
    #[error("JWK member \"{0}\" is not base64url")]
    JwkBase64(&'static str),
    /// A fixed-length member has another length.
    #[error("JWK member \"{name}\" must have {len} bytes, it has {got}")]
    JwkLength {
        /// The member.
        name: &'static str,
        /// Its length by RFC 7518 §6.2.
        len: usize,
        /// What it has.
        got: usize,
    },
    /// An empty `oct` key.
    #[error("an empty \"oct\" key would let anyone mint tokens")]
    EmptyOct,
    /// An `oct` key whose `k` is key material.
    #[error("the \"oct\" JWK's \"k\": {0}")]
    OctIsKey(Box<KeyError>),
    /// A `kty` other than RSA, EC, OKP, oct.
    #[error("unsupported JWK kty {}", quoted(.0))]
    UnsupportedKty(String),
    /// A multi-prime RSA JWK.
    #[error("RSA JWKs with more than two primes (\"oth\") are not supported")]
    RsaMultiPrime,
    /// An EC JWK curve this module lacks.
    #[error("unsupported JWK curve {}", quoted(.0))]
    UnsupportedJwkCurve(String),
    /// An EC JWK without `crv`.
    #[error("EC JWK without \"crv\"")]
    EcJwkNoCrv,
    /// An OKP curve other than Ed25519.
    #[error("unsupported OKP curve {} (only Ed25519)", quoted(.0))]
    UnsupportedOkpCurve(String),
    /// An OKP JWK without `crv`.
    #[error("OKP JWK without \"crv\"")]
    OkpJwkNoCrv,
    /// An Ed25519 JWK whose `d` does not give its `x`.
    #[error("the Ed25519 private key does not match \"x\"")]
    Ed25519Mismatch,
    /// A JWK whose `use` is not `sig`.
    #[error("the JWK's \"use\" is not \"sig\"")]
    UseNotSig,

    // --- JWKS and key selection (the extended API) -------------------------------
    /// JWK or JWKS text that is not a JSON object in UTF-8.
    #[error("a JWK or JWKS that is not a JSON object in UTF-8")]
    KeySetNotObject,
    /// A JWKS whose `keys` is not an array.
    #[error("a JWKS's \"keys\" must be an array")]
    KeysNotArray,
    /// A JWKS with too many keys.
    #[error("a JWKS may hold at most {max} keys")]
    TooManyKeys {
        /// The limit.
        max: usize,
    },
    /// A JWKS entry that is not an object (1-based index).
    #[error("JWKS key {0} is not an object")]
    EntryNotObject(usize),
    /// A JWKS entry that is refused (1-based index).
    #[error("JWKS key {index}: {why}")]
    Entry {
        /// 1-based position in `keys`.
        index: usize,
        /// Why.
        why: Box<KeyError>,
    },
    /// Two JWKS entries with one `kid` that can serve one algorithm, so the
    /// token's `kid` and `alg` could not choose (1-based index of the second).
    #[error("JWKS key {0}: its kid is shared with a key for the same algorithm")]
    KidRepeated(usize),
    /// A JWKS with no usable signing key.
    #[error("the JWKS has no key usable for signatures")]
    NoUsableKey,
    /// The token's `kid` names no key.
    #[error("no key in the JWKS has kid {}", quoted(.0))]
    UnknownKid(String),
    /// The token's `kid` is not a string.
    #[error("the token's kid is not a string")]
    KidNotString,
    /// No key of the set serves the algorithm.
    #[error("no key in the JWKS can be used with {}", .0.name())]
    NoKeyFor(Algorithm),
    /// No `kid` and several keys serve the algorithm.
    #[error("the token has no kid and several keys in the JWKS can be used with {}", .0.name())]
    AmbiguousKey(Algorithm),
}

impl KeyError {
    /// A reader's refusal that says the bytes are not this structure at all
    /// (rather than a key of it this module refuses): other readers may
    /// still apply, and the reason is not worth showing alone.
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            KeyError::Malformed { .. }
                | KeyError::BitString { .. }
                | KeyError::ScalarLength
                | KeyError::Ed25519Seed { .. }
        )
    }

    /// A key of a kind this module has no code for (another algorithm or
    /// curve): a JWKS skips such keys, as RFC 7517 §5 asks.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            KeyError::UnsupportedAlgorithm(_)
                | KeyError::UnsupportedCurve(_)
                | KeyError::RsaExponent
                | KeyError::UnsupportedKty(_)
                | KeyError::UnsupportedJwkCurve(_)
                | KeyError::UnsupportedOkpCurve(_)
                | KeyError::SshUnsupported(_)
        )
    }
}
