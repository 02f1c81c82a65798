//! [`KeyError`]: every reason a key is refused. Its `Display` is the text a
//! caller sees after `Invalid key: ` (verify, decode), `Not a private PEM
//! key: ` (encode) or `verifier: key: ` (the extended API); those prefixes
//! are [`crate::Error`]'s. The wording is pinned, variant by variant, by
//! the table test at the end of this file: admins search for it.
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

/// Which DER structure failed to parse, for [`DerError::Malformed`].
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

/// Every reason a key is refused, grouped by what refused it: one group per
/// rule or reader, one variant per failure inside it, data in fields.
///
/// The groups follow the code that refuses: the two rules (secret, family),
/// the key file as a whole, each reader (PEM, DER, SSH, JWK, JWKS) and the
/// signer. A refusal goes with what it is about, not with the file that
/// happens to find it: the PEM reader's `OPENSSH PRIVATE KEY` block is an
/// [`SshError`]. Two groups hold refusals several readers share:
/// [`FileError`] (nothing reads the bytes, or they hold two keys: said by
/// `classify`, `der`, `pem` and `ssh`) and [`LimitError`] (the RSA size and
/// exponent, which `der::rsa_components` checks for a key read from DER, JWK
/// or SSH alike, and the Ed25519 public key length, checked by the DER and
/// SSH readers). SSH is its own group rather than part of DER: its keys are
/// another wire format with refusals of their own (private key files,
/// type words). Every group is `transparent`: its text is the whole
/// message, as it was before the grouping.
///
/// Adding a refusal: a variant in its group (with its `#[error]` text), its
/// arm in the group's `nature` (malformed, unsupported or refused), its row
/// in the tests' `table` and its arm in their `names`, and the site that
/// returns it (`Err(JwkError::New.into())`, or `?` on a group error). The
/// compiler asks for both arms; `the_table_has_every_variant` fails until
/// the row is there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// The HMAC secret rule (docs/contract.md §5; `HmacSecret::new`).
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The key-family rule (docs/contract.md §4; `Key::bind`, a JWK's `alg`).
    #[error(transparent)]
    Family(#[from] FamilyError),
    /// The key file as a whole: no reader takes it, or it holds two keys.
    #[error(transparent)]
    File(#[from] FileError),
    /// The PEM reader: the blocks and which of them holds the key.
    #[error(transparent)]
    Pem(#[from] PemError),
    /// The DER reader: the structures, algorithms and curves.
    #[error(transparent)]
    Der(#[from] DerError),
    /// The limits every key meets, whichever reader read it.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// The SSH and PuTTY reader.
    #[error(transparent)]
    Ssh(#[from] SshError),
    /// The JWK reader (RFC 7517, RFC 7518 §6, RFC 8037).
    #[error(transparent)]
    Jwk(#[from] JwkError),
    /// The JWKS reader and the choice of a key by `kid` and `alg` (the
    /// extended API).
    #[error(transparent)]
    Jwks(#[from] JwksError),
    /// Making a signer from a private key, and signing.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// The HMAC secret rule refused the bytes (docs/contract.md §5; see
/// `key_shape`): they are empty or they are a key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecretError {
    /// An empty HMAC secret.
    #[error("an empty HMAC secret would let anyone mint tokens")]
    Empty,
    /// PEM text given as an HMAC secret.
    #[error("text with a \"-----BEGIN\" line (a PEM key or certificate) cannot be an HMAC secret")]
    Pem,
    /// A DER key given as an HMAC secret.
    #[error("a DER key or certificate cannot be an HMAC secret")]
    Der,
    /// Base64 or hex of a DER key given as an HMAC secret.
    #[error("base64 or hex text of a DER key or certificate cannot be an HMAC secret")]
    Encoded,
    /// A JWK or JWKS given as an HMAC secret to the 3.0 functions.
    #[error("a JWK or JWKS cannot be an HMAC secret here: pass the raw secret (jwt.verifier takes an \"oct\" JWK)")]
    Jwk,
    /// SSH or PuTTY key text given as an HMAC secret.
    #[error("an SSH or PuTTY key (an OpenSSH public key line, authorized_keys or known_hosts entry, certificate, RFC 4716, PuTTY or SSH-1 key file) cannot be an HMAC secret")]
    Ssh,
}

/// The key-family rule refused a key for an algorithm (docs/contract.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FamilyError {
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
}

/// The key file as a whole: empty, no reader takes it, or two keys in it
/// (said by whichever reader found them: PEM blocks, SSH lines).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileError {
    /// Empty key bytes where a key file was expected.
    #[error("the key is empty")]
    Empty,
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
    /// Two different keys in one file.
    #[error("the file holds two different keys, {first} and {other}: keep only the one to use")]
    TwoKeys {
        /// The first key block.
        first: String,
        /// The block with another key.
        other: String,
    },
}

/// The PEM reader: the blocks OpenSSL 3.0 would find, and the key among them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PemError {
    /// `-----BEGIN` with no block OpenSSL would find.
    #[error("the text holds \"-----BEGIN\" but no PEM block: a block starts with a line \"-----BEGIN <label>-----\" at the start of a line")]
    NoBlock,
    /// A PKCS#8 `ENCRYPTED PRIVATE KEY` block.
    #[error("the block {block} is an encrypted private key, which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)")]
    EncryptedPkcs8 {
        /// `'<label>' (block <n>)`.
        block: String,
    },
    /// A block with `Proc-Type: 4,ENCRYPTED`.
    #[error("the block {block} is encrypted (Proc-Type: 4,ENCRYPTED), which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)")]
    Encrypted {
        /// `'<label>' (block <n>)`.
        block: String,
    },
    /// A key block with RFC 1421 header lines.
    #[error("the block {block} has RFC 1421 header lines, which OpenSSL 3.0 does not read in a key either: remove them")]
    Headers {
        /// `'<label>' (block <n>)`.
        block: String,
    },
    /// A key block whose body cannot be read.
    #[error("the PEM block {block} is malformed: {why}")]
    Body {
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
    NoKey {
        /// The labels found, quoted, comma-separated.
        labels: String,
    },
}

/// The DER reader: a structure that does not parse, or a key algorithm or
/// curve it has no code for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DerError {
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
}

/// The limits a key meets whichever reader read it (DER, JWK, SSH): the
/// RSA size and exponent (`der::rsa_components`), the Ed25519 length.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LimitError {
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
    /// An Ed25519 public key that is not 32 bytes.
    #[error("an Ed25519 public key has 32 bytes")]
    Ed25519Length,
}

/// The SSH and PuTTY reader: private key files it does not read, public
/// keys that do not parse or of a type it has no code for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SshError {
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
    NoKeyLine,
    /// An SSH public key that does not parse.
    #[error("malformed SSH public key ({0})")]
    Malformed(&'static str),
    /// An SSH key line whose type word is not the type inside its key.
    #[error("the SSH key line says \"{line}\" but holds a \"{key}\" key")]
    TypeMismatch {
        /// The type word of the line.
        line: String,
        /// The type in the key.
        key: String,
    },
    /// An SSH key type this module has no code for (`ssh-dss`, FIDO `sk-*`).
    #[error("unsupported SSH key type \"{0}\"")]
    Unsupported(String),
}

/// The JWK reader (RFC 7517, RFC 7518 §6, RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JwkError {
    /// JWK text that is not a JSON object.
    #[error("not a JSON object (JWK)")]
    NotObject,
    /// A JWKS given where one key is expected.
    #[error("a JWKS needs jwt.verifier, which picks the key by the token's kid")]
    JwksNeedsVerifier,
    /// An `oct` JWK given where a public key is expected.
    #[error("an \"oct\" JWK is an HMAC secret, not a public key")]
    OctNotPublic,
    /// A member that must be a string is not.
    #[error("JWK member \"{0}\" must be a string")]
    MemberType(&'static str),
    /// A required member is absent.
    #[error("JWK without \"{0}\"")]
    Missing(&'static str),
    /// A member is not base64url.
    #[error("JWK member \"{0}\" is not base64url")]
    Base64(&'static str),
    /// A fixed-length member has another length.
    #[error("JWK member \"{name}\" must have {len} bytes, it has {got}")]
    Length {
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
    UnsupportedCurve(String),
    /// An EC JWK without `crv`.
    #[error("EC JWK without \"crv\"")]
    EcNoCrv,
    /// An OKP curve other than Ed25519.
    #[error("unsupported OKP curve {} (only Ed25519)", quoted(.0))]
    UnsupportedOkpCurve(String),
    /// An OKP JWK without `crv`.
    #[error("OKP JWK without \"crv\"")]
    OkpNoCrv,
    /// An Ed25519 JWK whose `d` does not give its `x`.
    #[error("the Ed25519 private key does not match \"x\"")]
    Ed25519Mismatch,
    /// A JWK whose `use` is not `sig`.
    #[error("the JWK's \"use\" is not \"sig\"")]
    UseNotSig,
}

/// The JWKS reader and the choice of a key by the token's `kid` and `alg`
/// (the extended API).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JwksError {
    /// JWK or JWKS text that is not a JSON object in UTF-8.
    #[error("a JWK or JWKS that is not a JSON object in UTF-8")]
    NotObject,
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

/// Making a signer from a private key (checked against its public half),
/// and signing with it: reasons for `Not a private PEM key: ...`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignError {
    /// A public key or certificate given to sign.
    #[error("a public key or certificate cannot sign")]
    PublicCannotSign,
    /// An RSA key under [`super::RSA_MIN_SIGN_BITS`] given to sign.
    #[error("RSA signing keys must have at least {min} bits, this one has {bits}")]
    RsaTooSmall {
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
    /// An RSA public half with a private half of another type.
    #[error("not an RSA private key")]
    NotRsaPrivate,
    /// A private half of another type than the public half.
    #[error("the private half does not match the key type")]
    PrivateMismatch,
    /// The RSA signing operation failed.
    #[error("RSA signing failed")]
    RsaFailed,
    /// The ECDSA signing operation failed.
    #[error("ECDSA signing failed")]
    EcdsaFailed,
    /// The Ed25519 signing operation failed.
    #[error("Ed25519 signing failed")]
    Ed25519Failed,
}

/// What a refusal says about the key, the one answer behind the questions
/// callers ask ([`KeyError::is_malformed`], [`KeyError::is_unsupported`]).
/// Each group's `nature` lists every variant in a `match` without a `_`
/// arm, so a new variant does not compile until someone decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nature {
    /// The bytes are not the structure the reader tried: another reader
    /// may still apply, and the reason is not worth showing alone.
    Malformed,
    /// A key of a kind this module has no code for (another algorithm,
    /// curve, exponent, key type): a JWKS skips it (RFC 7517 §5).
    Unsupported,
    /// Any other refusal: the key, or its use, is refused as it is.
    Refused,
}

impl KeyError {
    /// A reader's refusal that says the bytes are not this structure at all
    /// (rather than a key of it this module refuses): other readers may
    /// still apply, and the reason is not worth showing alone.
    pub fn is_malformed(&self) -> bool {
        self.nature() == Nature::Malformed
    }

    /// A key of a kind this module has no code for (another algorithm or
    /// curve): a JWKS skips such keys, as RFC 7517 §5 asks.
    pub fn is_unsupported(&self) -> bool {
        self.nature() == Nature::Unsupported
    }

    fn nature(&self) -> Nature {
        match self {
            KeyError::Secret(e) => e.nature(),
            KeyError::Family(e) => e.nature(),
            KeyError::File(e) => e.nature(),
            KeyError::Pem(e) => e.nature(),
            KeyError::Der(e) => e.nature(),
            KeyError::Limit(e) => e.nature(),
            KeyError::Ssh(e) => e.nature(),
            KeyError::Jwk(e) => e.nature(),
            KeyError::Jwks(e) => e.nature(),
            KeyError::Sign(e) => e.nature(),
        }
    }
}

impl SecretError {
    fn nature(&self) -> Nature {
        match self {
            Self::Empty | Self::Pem | Self::Der | Self::Encoded | Self::Jwk | Self::Ssh => {
                Nature::Refused
            }
        }
    }
}

impl FamilyError {
    fn nature(&self) -> Nature {
        match self {
            Self::WrongFamily { .. }
            | Self::SecretForAsymmetric { .. }
            | Self::AsymmetricForHmac { .. }
            | Self::JwkAlgMismatch { .. } => Nature::Refused,
        }
    }
}

impl FileError {
    fn nature(&self) -> Nature {
        match self {
            Self::Empty
            | Self::NotAKey
            | Self::Utf16Pem
            | Self::JwkNotAlone
            | Self::UnarmouredDer
            | Self::Utf16Ssh
            | Self::TwoKeys { .. } => Nature::Refused,
        }
    }
}

impl PemError {
    fn nature(&self) -> Nature {
        match self {
            Self::NoBlock
            | Self::EncryptedPkcs8 { .. }
            | Self::Encrypted { .. }
            | Self::Headers { .. }
            | Self::Body { .. }
            | Self::CertificateBody { .. }
            | Self::BlockNotKey { .. }
            | Self::CertificateNotKey { .. }
            | Self::NoKey { .. } => Nature::Refused,
        }
    }
}

impl DerError {
    fn nature(&self) -> Nature {
        match self {
            Self::Malformed { .. }
            | Self::BitString { .. }
            | Self::ScalarLength
            | Self::Ed25519Seed { .. } => Nature::Malformed,
            Self::UnsupportedAlgorithm(_) | Self::UnsupportedCurve(_) => Nature::Unsupported,
            Self::NoNamedCurve | Self::PrivateNoNamedCurve | Self::NoPublicPoint => Nature::Refused,
        }
    }
}

impl LimitError {
    fn nature(&self) -> Nature {
        match self {
            Self::RsaExponent => Nature::Unsupported,
            Self::RsaTooSmall { .. } | Self::RsaTooLarge { .. } | Self::Ed25519Length => {
                Nature::Refused
            }
        }
    }
}

impl SshError {
    fn nature(&self) -> Nature {
        match self {
            Self::Unsupported(_) => Nature::Unsupported,
            Self::OpenSshPrivate
            | Self::PuttyPrivate
            | Self::SshComPrivate
            | Self::Ssh1Key
            | Self::NoKeyLine
            | Self::Malformed(_)
            | Self::TypeMismatch { .. } => Nature::Refused,
        }
    }
}

impl JwkError {
    fn nature(&self) -> Nature {
        match self {
            Self::UnsupportedKty(_) | Self::UnsupportedCurve(_) | Self::UnsupportedOkpCurve(_) => {
                Nature::Unsupported
            }
            Self::NotObject
            | Self::JwksNeedsVerifier
            | Self::OctNotPublic
            | Self::MemberType(_)
            | Self::Missing(_)
            | Self::Base64(_)
            | Self::Length { .. }
            | Self::EmptyOct
            | Self::OctIsKey(_)
            | Self::RsaMultiPrime
            | Self::EcNoCrv
            | Self::OkpNoCrv
            | Self::Ed25519Mismatch
            | Self::UseNotSig => Nature::Refused,
        }
    }
}

impl JwksError {
    fn nature(&self) -> Nature {
        match self {
            Self::NotObject
            | Self::KeysNotArray
            | Self::TooManyKeys { .. }
            | Self::EntryNotObject(_)
            | Self::Entry { .. }
            | Self::KidRepeated(_)
            | Self::NoUsableKey
            | Self::UnknownKid(_)
            | Self::KidNotString
            | Self::NoKeyFor(_)
            | Self::AmbiguousKey(_) => Nature::Refused,
        }
    }
}

impl SignError {
    fn nature(&self) -> Nature {
        match self {
            Self::PublicCannotSign
            | Self::RsaTooSmall { .. }
            | Self::RsaRejected { .. }
            | Self::EcRejected { .. }
            | Self::Ed25519Rejected { .. }
            | Self::NotRsaPrivate
            | Self::PrivateMismatch
            | Self::RsaFailed
            | Self::EcdsaFailed
            | Self::Ed25519Failed => Nature::Refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// A DER parser's reason, as `der` gives it for a cut-short SEQUENCE.
    fn cut_short() -> der::Error {
        use der::Decode;
        spki::SubjectPublicKeyInfoRef::from_der(&[0x30, 0x03]).unwrap_err()
    }

    fn oid(text: &str) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(text)
    }

    /// Every variant of every group (every `Structure`, `KeyKind` and
    /// `PemBodyError` too) with representative data, and its exact message.
    /// A change here changes what admins read and search for after
    /// `Invalid key: `: see the module's doc.
    fn table() -> Vec<(KeyError, &'static str)> {
        use Algorithm::*;
        let block = |label: &str, n: usize| format!("'{label}' (block {n})");
        vec![
            // --- the secret rule
            (
                SecretError::Empty.into(),
                "an empty HMAC secret would let anyone mint tokens",
            ),
            (
                SecretError::Pem.into(),
                "text with a \"-----BEGIN\" line (a PEM key or certificate) cannot be an HMAC secret",
            ),
            (
                SecretError::Der.into(),
                "a DER key or certificate cannot be an HMAC secret",
            ),
            (
                SecretError::Encoded.into(),
                "base64 or hex text of a DER key or certificate cannot be an HMAC secret",
            ),
            (
                SecretError::Jwk.into(),
                "a JWK or JWKS cannot be an HMAC secret here: pass the raw secret (jwt.verifier takes an \"oct\" JWK)",
            ),
            (
                SecretError::Ssh.into(),
                "an SSH or PuTTY key (an OpenSSH public key line, authorized_keys or known_hosts entry, certificate, RFC 4716, PuTTY or SSH-1 key file) cannot be an HMAC secret",
            ),
            // --- the family rule
            (
                FamilyError::WrongFamily {
                    key: KeyKind::Rsa { bits: 2048 },
                    alg: ES256,
                }
                .into(),
                "an RSA key of 2048 bits cannot be used with ES256",
            ),
            (
                FamilyError::WrongFamily {
                    key: KeyKind::Ec(Curve::P256),
                    alg: ES384,
                }
                .into(),
                "an EC P-256 key cannot be used with ES384",
            ),
            (
                FamilyError::WrongFamily {
                    key: KeyKind::Ed25519,
                    alg: RS256,
                }
                .into(),
                "an Ed25519 key cannot be used with RS256",
            ),
            (
                FamilyError::SecretForAsymmetric { alg: PS512 }.into(),
                "an HMAC secret cannot be used with PS512",
            ),
            (
                FamilyError::AsymmetricForHmac { alg: HS256 }.into(),
                "a public or private key cannot be used with HS256",
            ),
            (
                FamilyError::JwkAlgMismatch {
                    own: "RS512".into(),
                    alg: RS256,
                }
                .into(),
                "the JWK's \"alg\" is \"RS512\", not RS256",
            ),
            // --- the file as a whole
            (FileError::Empty.into(), "the key is empty"),
            (
                FileError::NotAKey.into(),
                "not a PEM or DER key or certificate",
            ),
            (
                FileError::Utf16Pem.into(),
                "UTF-16 text with a -----BEGIN line: save the key file as UTF-8 or ASCII",
            ),
            (
                FileError::JwkNotAlone.into(),
                "JWK text with something around it or in UTF-16: give the JWK alone, in UTF-8",
            ),
            (
                FileError::UnarmouredDer.into(),
                "base64 or hex text of a DER key or certificate without PEM armour: add its -----BEGIN and -----END lines",
            ),
            (
                FileError::Utf16Ssh.into(),
                "UTF-16 text of an SSH key: save the key file as UTF-8 or ASCII",
            ),
            (
                FileError::TwoKeys {
                    first: block("PUBLIC KEY", 1),
                    other: block("PRIVATE KEY", 2),
                }
                .into(),
                "the file holds two different keys, 'PUBLIC KEY' (block 1) and 'PRIVATE KEY' (block 2): keep only the one to use",
            ),
            // --- PEM
            (
                PemError::NoBlock.into(),
                "the text holds \"-----BEGIN\" but no PEM block: a block starts with a line \"-----BEGIN <label>-----\" at the start of a line",
            ),
            (
                PemError::EncryptedPkcs8 {
                    block: block("ENCRYPTED PRIVATE KEY", 1),
                }
                .into(),
                "the block 'ENCRYPTED PRIVATE KEY' (block 1) is an encrypted private key, which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)",
            ),
            (
                PemError::Encrypted {
                    block: block("RSA PRIVATE KEY", 1),
                }
                .into(),
                "the block 'RSA PRIVATE KEY' (block 1) is encrypted (Proc-Type: 4,ENCRYPTED), which is not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)",
            ),
            (
                PemError::Headers {
                    block: block("PUBLIC KEY", 1),
                }
                .into(),
                "the block 'PUBLIC KEY' (block 1) has RFC 1421 header lines, which OpenSSL 3.0 does not read in a key either: remove them",
            ),
            (
                PemError::Body {
                    block: block("PUBLIC KEY", 1),
                    why: PemBodyError::NoEnd {
                        label: "PUBLIC KEY".into(),
                    },
                }
                .into(),
                "the PEM block 'PUBLIC KEY' (block 1) is malformed: no \"-----END PUBLIC KEY-----\" line",
            ),
            (
                PemError::Body {
                    block: block("PUBLIC KEY", 1),
                    why: PemBodyError::EndMismatch {
                        label: "PUBLIC KEY".into(),
                    },
                }
                .into(),
                "the PEM block 'PUBLIC KEY' (block 1) is malformed: its -----END line does not match \"-----BEGIN PUBLIC KEY-----\"",
            ),
            (
                PemError::Body {
                    block: block("EC PRIVATE KEY", 2),
                    why: PemBodyError::BlankLine,
                }
                .into(),
                "the PEM block 'EC PRIVATE KEY' (block 2) is malformed: a blank line inside its base64 text",
            ),
            (
                PemError::Body {
                    block: block("PRIVATE KEY", 1),
                    why: PemBodyError::NotBase64,
                }
                .into(),
                "the PEM block 'PRIVATE KEY' (block 1) is malformed: its body is not base64",
            ),
            (
                PemError::CertificateBody {
                    block: block("CERTIFICATE", 2),
                    why: PemBodyError::NotBase64,
                }
                .into(),
                "the first certificate in the file, 'CERTIFICATE' (block 2), cannot be read: its body is not base64",
            ),
            (
                PemError::BlockNotKey {
                    block: block("RSA PUBLIC KEY", 1),
                    why: Box::new(
                        DerError::Malformed {
                            what: Structure::RsaPublicKey,
                            cause: cut_short(),
                        }
                        .into(),
                    ),
                }
                .into(),
                "the PEM block 'RSA PUBLIC KEY' (block 1) does not hold a usable key: malformed RSA public key (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                PemError::CertificateNotKey {
                    block: block("CERTIFICATE", 1),
                    why: Box::new(
                        LimitError::RsaTooSmall {
                            bits: 512,
                            min: 1024,
                        }
                        .into(),
                    ),
                }
                .into(),
                "the first certificate in the file, 'CERTIFICATE' (block 1), cannot be read: RSA keys must have at least 1024 bits, this one has 512",
            ),
            (
                PemError::NoKey {
                    labels: "'EC PARAMETERS', 'X509 CRL'".into(),
                }
                .into(),
                "no key or certificate in the PEM text: 'EC PARAMETERS', 'X509 CRL' is not a key",
            ),
            // --- DER
            (
                DerError::Malformed {
                    what: Structure::PublicKey,
                    cause: cut_short(),
                }
                .into(),
                "malformed public key (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                DerError::Malformed {
                    what: Structure::Certificate,
                    cause: cut_short(),
                }
                .into(),
                "malformed certificate (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                DerError::Malformed {
                    what: Structure::RsaPrivateKey,
                    cause: cut_short(),
                }
                .into(),
                "malformed RSA private key (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                DerError::Malformed {
                    what: Structure::PrivateKey,
                    cause: cut_short(),
                }
                .into(),
                "malformed private key (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                DerError::Malformed {
                    what: Structure::EcPrivateKey,
                    cause: cut_short(),
                }
                .into(),
                "malformed EC private key (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                DerError::Malformed {
                    what: Structure::Ed25519Key,
                    cause: cut_short(),
                }
                .into(),
                "malformed Ed25519 key (ASN.1 DER message is incomplete: expected 3, actual 2 at DER byte 2)",
            ),
            (
                DerError::BitString { certificate: false }.into(),
                "malformed public key bit string",
            ),
            (
                DerError::BitString { certificate: true }.into(),
                "malformed certificate key bit string",
            ),
            (
                DerError::ScalarLength.into(),
                "malformed EC private key (scalar length)",
            ),
            (
                DerError::Ed25519Seed {
                    reason: "InvalidEncoding".into(),
                }
                .into(),
                "malformed Ed25519 key (InvalidEncoding)",
            ),
            (
                DerError::UnsupportedAlgorithm(oid("1.3.101.113")).into(),
                "unsupported key algorithm 1.3.101.113",
            ),
            (
                DerError::UnsupportedCurve(oid("1.3.132.0.10")).into(),
                "unsupported elliptic curve 1.3.132.0.10",
            ),
            (
                DerError::NoNamedCurve.into(),
                "EC key without a named curve",
            ),
            (
                DerError::PrivateNoNamedCurve.into(),
                "EC private key without a named curve",
            ),
            (
                DerError::NoPublicPoint.into(),
                "EC private key without its public point",
            ),
            // --- the limits of every key
            (
                LimitError::RsaTooSmall {
                    bits: 1023,
                    min: 1024,
                }
                .into(),
                "RSA keys must have at least 1024 bits, this one has 1023",
            ),
            (
                LimitError::RsaTooLarge {
                    bits: 16392,
                    max: 16384,
                }
                .into(),
                "RSA keys above 16384 bits are not supported (this one has 16392)",
            ),
            (
                LimitError::RsaExponent.into(),
                "unsupported RSA public exponent",
            ),
            (
                LimitError::Ed25519Length.into(),
                "an Ed25519 public key has 32 bytes",
            ),
            // --- SSH
            (
                SshError::OpenSshPrivate.into(),
                "an OpenSSH private key is not read here: to verify, give its public key (the .pub file, or what ssh-keygen -y -f FILE prints); to sign, convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8 -f FILE, which does so for RSA and ECDSA keys)",
            ),
            (
                SshError::PuttyPrivate.into(),
                "a PuTTY private key file (.ppk) is not read here: to verify, export its public key (puttygen FILE -O public-openssh); to sign, export an RSA or ECDSA key as PEM (puttygen FILE -O private-openssh)",
            ),
            (
                SshError::SshComPrivate.into(),
                "an ssh.com private key is not read here: to verify, give its public key; to sign, convert an RSA or ECDSA key to PEM (puttygen FILE -O private-openssh)",
            ),
            (
                SshError::Ssh1Key.into(),
                "an SSH-1 RSA key (SSH protocol 1) is not supported: use an SSH-2 or PEM key",
            ),
            (
                SshError::NoKeyLine.into(),
                "SSH key text without a readable public key line: give the line as ssh-keygen writes it (<key type> <base64> [comment])",
            ),
            (
                SshError::Malformed("a field is cut short").into(),
                "malformed SSH public key (a field is cut short)",
            ),
            (
                SshError::TypeMismatch {
                    line: "ssh-rsa".into(),
                    key: "ssh-ed25519".into(),
                }
                .into(),
                "the SSH key line says \"ssh-rsa\" but holds a \"ssh-ed25519\" key",
            ),
            (
                SshError::Unsupported("ssh-dss".into()).into(),
                "unsupported SSH key type \"ssh-dss\"",
            ),
            // --- JWK
            (JwkError::NotObject.into(), "not a JSON object (JWK)"),
            (
                JwkError::JwksNeedsVerifier.into(),
                "a JWKS needs jwt.verifier, which picks the key by the token's kid",
            ),
            (
                JwkError::OctNotPublic.into(),
                "an \"oct\" JWK is an HMAC secret, not a public key",
            ),
            (
                JwkError::MemberType("kty").into(),
                "JWK member \"kty\" must be a string",
            ),
            (JwkError::Missing("n").into(), "JWK without \"n\""),
            (
                JwkError::Base64("x").into(),
                "JWK member \"x\" is not base64url",
            ),
            (
                JwkError::Length {
                    name: "y",
                    len: 32,
                    got: 31,
                }
                .into(),
                "JWK member \"y\" must have 32 bytes, it has 31",
            ),
            (
                JwkError::EmptyOct.into(),
                "an empty \"oct\" key would let anyone mint tokens",
            ),
            (
                JwkError::OctIsKey(Box::new(SecretError::Pem.into())).into(),
                "the \"oct\" JWK's \"k\": text with a \"-----BEGIN\" line (a PEM key or certificate) cannot be an HMAC secret",
            ),
            (
                JwkError::UnsupportedKty("AKP".into()).into(),
                "unsupported JWK kty \"AKP\"",
            ),
            (
                JwkError::RsaMultiPrime.into(),
                "RSA JWKs with more than two primes (\"oth\") are not supported",
            ),
            (
                JwkError::UnsupportedCurve("secp256k1".into()).into(),
                "unsupported JWK curve \"secp256k1\"",
            ),
            (JwkError::EcNoCrv.into(), "EC JWK without \"crv\""),
            (
                JwkError::UnsupportedOkpCurve("Ed448".into()).into(),
                "unsupported OKP curve \"Ed448\" (only Ed25519)",
            ),
            (JwkError::OkpNoCrv.into(), "OKP JWK without \"crv\""),
            (
                JwkError::Ed25519Mismatch.into(),
                "the Ed25519 private key does not match \"x\"",
            ),
            (
                JwkError::UseNotSig.into(),
                "the JWK's \"use\" is not \"sig\"",
            ),
            // --- JWKS and key selection
            (
                JwksError::NotObject.into(),
                "a JWK or JWKS that is not a JSON object in UTF-8",
            ),
            (
                JwksError::KeysNotArray.into(),
                "a JWKS's \"keys\" must be an array",
            ),
            (
                JwksError::TooManyKeys { max: 64 }.into(),
                "a JWKS may hold at most 64 keys",
            ),
            (
                JwksError::EntryNotObject(3).into(),
                "JWKS key 3 is not an object",
            ),
            (
                JwksError::Entry {
                    index: 2,
                    why: Box::new(JwkError::Missing("e").into()),
                }
                .into(),
                "JWKS key 2: JWK without \"e\"",
            ),
            (
                JwksError::KidRepeated(4).into(),
                "JWKS key 4: its kid is shared with a key for the same algorithm",
            ),
            (
                JwksError::NoUsableKey.into(),
                "the JWKS has no key usable for signatures",
            ),
            (
                JwksError::UnknownKid("key \"2\"\n".into()).into(),
                "no key in the JWKS has kid \"key \\\"2\\\"\\n\"",
            ),
            (
                JwksError::KidNotString.into(),
                "the token's kid is not a string",
            ),
            (
                JwksError::NoKeyFor(ES512).into(),
                "no key in the JWKS can be used with ES512",
            ),
            (
                JwksError::AmbiguousKey(EdDSA).into(),
                "the token has no kid and several keys in the JWKS can be used with EdDSA",
            ),
            // --- signing
            (
                SignError::PublicCannotSign.into(),
                "a public key or certificate cannot sign",
            ),
            (
                SignError::RsaTooSmall {
                    bits: 1024,
                    min: 2048,
                }
                .into(),
                "RSA signing keys must have at least 2048 bits, this one has 1024",
            ),
            (
                SignError::RsaRejected {
                    reason: "InconsistentComponents".into(),
                }
                .into(),
                "RSA key rejected (InconsistentComponents)",
            ),
            (
                SignError::EcRejected {
                    reason: "InvalidEncoding".into(),
                }
                .into(),
                "EC key rejected (InvalidEncoding)",
            ),
            (
                SignError::Ed25519Rejected {
                    reason: "InconsistentComponents".into(),
                }
                .into(),
                "Ed25519 key rejected (InconsistentComponents)",
            ),
            (SignError::NotRsaPrivate.into(), "not an RSA private key"),
            (
                SignError::PrivateMismatch.into(),
                "the private half does not match the key type",
            ),
            (SignError::RsaFailed.into(), "RSA signing failed"),
            (SignError::EcdsaFailed.into(), "ECDSA signing failed"),
            (SignError::Ed25519Failed.into(), "Ed25519 signing failed"),
        ]
    }

    /// `(enum, variant)` for `e` and for every enum of this file inside
    /// it. The `match`es have no `_` arm: a new variant does not compile
    /// until it is named here, and `the_table_has_every_variant` fails
    /// until [`table`] has a row for it.
    fn names(e: &KeyError, out: &mut BTreeSet<(&'static str, &'static str)>) {
        let (group, group_enum, variant) = match e {
            KeyError::Secret(e) => (
                "Secret",
                "SecretError",
                match e {
                    SecretError::Empty => "Empty",
                    SecretError::Pem => "Pem",
                    SecretError::Der => "Der",
                    SecretError::Encoded => "Encoded",
                    SecretError::Jwk => "Jwk",
                    SecretError::Ssh => "Ssh",
                },
            ),
            KeyError::Family(e) => (
                "Family",
                "FamilyError",
                match e {
                    FamilyError::WrongFamily { key, .. } => {
                        out.insert((
                            "KeyKind",
                            match key {
                                KeyKind::Rsa { .. } => "Rsa",
                                KeyKind::Ec(_) => "Ec",
                                KeyKind::Ed25519 => "Ed25519",
                            },
                        ));
                        "WrongFamily"
                    }
                    FamilyError::SecretForAsymmetric { .. } => "SecretForAsymmetric",
                    FamilyError::AsymmetricForHmac { .. } => "AsymmetricForHmac",
                    FamilyError::JwkAlgMismatch { .. } => "JwkAlgMismatch",
                },
            ),
            KeyError::File(e) => (
                "File",
                "FileError",
                match e {
                    FileError::Empty => "Empty",
                    FileError::NotAKey => "NotAKey",
                    FileError::Utf16Pem => "Utf16Pem",
                    FileError::JwkNotAlone => "JwkNotAlone",
                    FileError::UnarmouredDer => "UnarmouredDer",
                    FileError::Utf16Ssh => "Utf16Ssh",
                    FileError::TwoKeys { .. } => "TwoKeys",
                },
            ),
            KeyError::Pem(e) => (
                "Pem",
                "PemError",
                match e {
                    PemError::NoBlock => "NoBlock",
                    PemError::EncryptedPkcs8 { .. } => "EncryptedPkcs8",
                    PemError::Encrypted { .. } => "Encrypted",
                    PemError::Headers { .. } => "Headers",
                    PemError::Body { why, .. } | PemError::CertificateBody { why, .. } => {
                        out.insert((
                            "PemBodyError",
                            match why {
                                PemBodyError::NoEnd { .. } => "NoEnd",
                                PemBodyError::EndMismatch { .. } => "EndMismatch",
                                PemBodyError::BlankLine => "BlankLine",
                                PemBodyError::NotBase64 => "NotBase64",
                            },
                        ));
                        if matches!(e, PemError::Body { .. }) {
                            "Body"
                        } else {
                            "CertificateBody"
                        }
                    }
                    PemError::BlockNotKey { why, .. } => {
                        names(why, out);
                        "BlockNotKey"
                    }
                    PemError::CertificateNotKey { why, .. } => {
                        names(why, out);
                        "CertificateNotKey"
                    }
                    PemError::NoKey { .. } => "NoKey",
                },
            ),
            KeyError::Der(e) => (
                "Der",
                "DerError",
                match e {
                    DerError::Malformed { what, .. } => {
                        out.insert((
                            "Structure",
                            match what {
                                Structure::PublicKey => "PublicKey",
                                Structure::Certificate => "Certificate",
                                Structure::RsaPublicKey => "RsaPublicKey",
                                Structure::RsaPrivateKey => "RsaPrivateKey",
                                Structure::PrivateKey => "PrivateKey",
                                Structure::EcPrivateKey => "EcPrivateKey",
                                Structure::Ed25519Key => "Ed25519Key",
                            },
                        ));
                        "Malformed"
                    }
                    DerError::BitString { .. } => "BitString",
                    DerError::ScalarLength => "ScalarLength",
                    DerError::Ed25519Seed { .. } => "Ed25519Seed",
                    DerError::UnsupportedAlgorithm(_) => "UnsupportedAlgorithm",
                    DerError::UnsupportedCurve(_) => "UnsupportedCurve",
                    DerError::NoNamedCurve => "NoNamedCurve",
                    DerError::PrivateNoNamedCurve => "PrivateNoNamedCurve",
                    DerError::NoPublicPoint => "NoPublicPoint",
                },
            ),
            KeyError::Limit(e) => (
                "Limit",
                "LimitError",
                match e {
                    LimitError::RsaTooSmall { .. } => "RsaTooSmall",
                    LimitError::RsaTooLarge { .. } => "RsaTooLarge",
                    LimitError::RsaExponent => "RsaExponent",
                    LimitError::Ed25519Length => "Ed25519Length",
                },
            ),
            KeyError::Ssh(e) => (
                "Ssh",
                "SshError",
                match e {
                    SshError::OpenSshPrivate => "OpenSshPrivate",
                    SshError::PuttyPrivate => "PuttyPrivate",
                    SshError::SshComPrivate => "SshComPrivate",
                    SshError::Ssh1Key => "Ssh1Key",
                    SshError::NoKeyLine => "NoKeyLine",
                    SshError::Malformed(_) => "Malformed",
                    SshError::TypeMismatch { .. } => "TypeMismatch",
                    SshError::Unsupported(_) => "Unsupported",
                },
            ),
            KeyError::Jwk(e) => (
                "Jwk",
                "JwkError",
                match e {
                    JwkError::NotObject => "NotObject",
                    JwkError::JwksNeedsVerifier => "JwksNeedsVerifier",
                    JwkError::OctNotPublic => "OctNotPublic",
                    JwkError::MemberType(_) => "MemberType",
                    JwkError::Missing(_) => "Missing",
                    JwkError::Base64(_) => "Base64",
                    JwkError::Length { .. } => "Length",
                    JwkError::EmptyOct => "EmptyOct",
                    JwkError::OctIsKey(why) => {
                        names(why, out);
                        "OctIsKey"
                    }
                    JwkError::UnsupportedKty(_) => "UnsupportedKty",
                    JwkError::RsaMultiPrime => "RsaMultiPrime",
                    JwkError::UnsupportedCurve(_) => "UnsupportedCurve",
                    JwkError::EcNoCrv => "EcNoCrv",
                    JwkError::UnsupportedOkpCurve(_) => "UnsupportedOkpCurve",
                    JwkError::OkpNoCrv => "OkpNoCrv",
                    JwkError::Ed25519Mismatch => "Ed25519Mismatch",
                    JwkError::UseNotSig => "UseNotSig",
                },
            ),
            KeyError::Jwks(e) => (
                "Jwks",
                "JwksError",
                match e {
                    JwksError::NotObject => "NotObject",
                    JwksError::KeysNotArray => "KeysNotArray",
                    JwksError::TooManyKeys { .. } => "TooManyKeys",
                    JwksError::EntryNotObject(_) => "EntryNotObject",
                    JwksError::Entry { why, .. } => {
                        names(why, out);
                        "Entry"
                    }
                    JwksError::KidRepeated(_) => "KidRepeated",
                    JwksError::NoUsableKey => "NoUsableKey",
                    JwksError::UnknownKid(_) => "UnknownKid",
                    JwksError::KidNotString => "KidNotString",
                    JwksError::NoKeyFor(_) => "NoKeyFor",
                    JwksError::AmbiguousKey(_) => "AmbiguousKey",
                },
            ),
            KeyError::Sign(e) => (
                "Sign",
                "SignError",
                match e {
                    SignError::PublicCannotSign => "PublicCannotSign",
                    SignError::RsaTooSmall { .. } => "RsaTooSmall",
                    SignError::RsaRejected { .. } => "RsaRejected",
                    SignError::EcRejected { .. } => "EcRejected",
                    SignError::Ed25519Rejected { .. } => "Ed25519Rejected",
                    SignError::NotRsaPrivate => "NotRsaPrivate",
                    SignError::PrivateMismatch => "PrivateMismatch",
                    SignError::RsaFailed => "RsaFailed",
                    SignError::EcdsaFailed => "EcdsaFailed",
                    SignError::Ed25519Failed => "Ed25519Failed",
                },
            ),
        };
        out.insert(("KeyError", group));
        out.insert((group_enum, variant));
    }

    /// The variants each enum of this file declares, read from its source:
    /// at four spaces of indent, a capitalised name.
    fn declared() -> BTreeMap<String, BTreeSet<String>> {
        let code = include_str!("error.rs");
        let code = code.split("#[cfg(test)]").next().unwrap_or(code);
        let mut enums = BTreeMap::new();
        let mut current: Option<(String, BTreeSet<String>)> = None;
        for line in code.lines() {
            if let Some(rest) = line.strip_prefix("pub enum ") {
                let name = rest.trim_end_matches(" {").to_owned();
                current = Some((name, BTreeSet::new()));
            } else if line == "}" {
                if let Some((name, variants)) = current.take() {
                    enums.insert(name, variants);
                }
            } else if let Some((_, variants)) = current.as_mut() {
                let indented = line.strip_prefix("    ").unwrap_or("");
                if indented.starts_with(|c: char| c.is_ascii_uppercase()) {
                    let name: String = indented
                        .chars()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect();
                    variants.insert(name);
                }
            }
        }
        enums
    }

    /// Every message, pinned: the text admins read after `Invalid key: `,
    /// `Not a private PEM key: ` and `verifier: key: `.
    #[test]
    fn every_message_is_pinned() {
        for (err, msg) in table() {
            let mut seen = BTreeSet::new();
            names(&err, &mut seen);
            assert_eq!(err.to_string(), msg, "{seen:?}");
        }
    }

    /// The table names every variant of every enum in this file: the
    /// compiler asks for a new variant in `names`, this test for its row.
    #[test]
    fn the_table_has_every_variant() {
        let mut seen = BTreeSet::new();
        for (err, _) in table() {
            names(&err, &mut seen);
        }
        let mut covered: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (enum_name, variant) in seen {
            covered
                .entry(enum_name.to_owned())
                .or_default()
                .insert(variant.to_owned());
        }
        let declared = declared();
        let missing: Vec<String> = declared
            .iter()
            .flat_map(|(name, variants)| {
                let rows = covered.get(name);
                variants
                    .iter()
                    .filter(move |v| !rows.is_some_and(|r| r.contains(*v)))
                    .map(move |v| format!("{name}::{v}"))
            })
            .collect();
        assert!(missing.is_empty(), "no row in table() for {missing:?}");
        assert_eq!(covered, declared);
    }

    /// The questions callers ask, answered for every variant: the only
    /// malformed refusals are the DER parsers', the only unsupported ones
    /// are keys of a kind with no code here.
    #[test]
    fn questions_answered_for_every_variant() {
        let mut malformed = BTreeSet::new();
        let mut unsupported = BTreeSet::new();
        for (err, _) in table() {
            let mut seen = BTreeSet::new();
            names(&err, &mut seen);
            seen.retain(|(enum_name, _)| *enum_name != "KeyError");
            let name = seen
                .iter()
                .find(|(enum_name, _)| {
                    !matches!(*enum_name, "KeyKind" | "Structure" | "PemBodyError")
                })
                .map(|(enum_name, variant)| format!("{enum_name}::{variant}"))
                .unwrap();
            assert!(!(err.is_malformed() && err.is_unsupported()), "{name}");
            if err.is_malformed() {
                malformed.insert(name.clone());
            }
            if err.is_unsupported() {
                unsupported.insert(name);
            }
        }
        let set = |names: &[&str]| {
            names
                .iter()
                .map(|n| (*n).to_owned())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(
            malformed,
            set(&[
                "DerError::BitString",
                "DerError::Ed25519Seed",
                "DerError::Malformed",
                "DerError::ScalarLength",
            ])
        );
        assert_eq!(
            unsupported,
            set(&[
                "DerError::UnsupportedAlgorithm",
                "DerError::UnsupportedCurve",
                "JwkError::UnsupportedCurve",
                "JwkError::UnsupportedKty",
                "JwkError::UnsupportedOkpCurve",
                "LimitError::RsaExponent",
                "SshError::Unsupported",
            ])
        );
    }
}
