//! SSH and PuTTY key text: the content rule that says "SSH key" (so such
//! text is never an HMAC secret) and the reader of OpenSSH and RFC 4716
//! public keys (so such a file serves as the key it holds).
//!
//! The facts the rule is written from:
//! - OpenSSH public keys are one line, `[options] <type> <base64> [comment]`
//!   (`sshd(8)` AUTHORIZED_KEYS FILE FORMAT; `known_hosts` puts host names,
//!   optionally hashed `|1|salt|hash`, or a `@cert-authority`/`@revoked`
//!   marker before the type). The base64 is the key in the SSH wire format
//!   (RFC 4253 §6.6), which starts with the type again as a length-prefixed
//!   string (RFC 4251 §5): `ssh-rsa` (mpint e, mpint n; RFC 4253 §6.6),
//!   `ecdsa-sha2-nistp256/384/521` (string curve, string Q; RFC 5656 §3.1),
//!   `ssh-ed25519` (string key; RFC 8709 §4), `ssh-dss`, the FIDO types
//!   `sk-ssh-ed25519@openssh.com` and `sk-ecdsa-sha2-nistp256@openssh.com`
//!   (OpenSSH PROTOCOL.u2f), and certificates `<type>-cert-v01@openssh.com`
//!   (string nonce, then the key's fields; OpenSSH PROTOCOL.certkeys).
//!   Type names are printable US-ASCII, at most 64 characters, with no
//!   comma or whitespace (RFC 4251 §6); OpenSSH's table (sshkey.c) also has
//!   `rsa-sha2-256/512`, `webauthn-sk-*` and `ssh-xmss@openssh.com`, and
//!   RFC 6187 adds `x509v3-*` (RFC 4253 §6.6 also names `pgp-sign-*`,
//!   `spki-sign-*`).
//! - RFC 4716 armour: `---- BEGIN SSH2 PUBLIC KEY ----`, header lines
//!   `Tag: value` (a line ending in `\` continues), the base64 of the same
//!   wire-format key, `---- END SSH2 PUBLIC KEY ----` (`ssh-keygen -e`,
//!   `puttygen -O public`). ssh.com's private keys use the same armour with
//!   `SSH2 ENCRYPTED PRIVATE KEY` (`puttygen -O private-sshcom`).
//! - OpenSSH private keys are PEM `-----BEGIN OPENSSH PRIVATE KEY-----`
//!   (already never a secret; `src/keys/pem.rs` names them) whose body is
//!   base64 of `openssh-key-v1\0` (OpenSSH PROTOCOL.key).
//! - PuTTY key files start `PuTTY-User-Key-File-<version>: <type>`
//!   (versions 1 to 3; PuTTY manual appendix C).
//! - SSH-1 RSA keys: public `<bits> <exponent> <modulus> [comment]` in
//!   decimal (OpenSSH's authorized_keys before 7.4, `puttygen -t rsa1`), a
//!   private file starting `SSH PRIVATE KEY FILE FORMAT 1.1`.
//! - PyJWT refuses as an HMAC secret any key starting with `ssh-ed25519`,
//!   `ssh-rsa`, `ssh-dss` or `ecdsa-sha2-nistp256/384/521` (2.15's
//!   `jwt.utils.is_ssh_key`); 2.4.0, the fix of CVE-2022-29217, also
//!   refused these names anywhere in the key and a first word ending in
//!   `-cert-v01@openssh.com`. The rule below covers those and more.
#![forbid(unsafe_code)]

use super::asymmetric::{AsymmetricKey, PublicKey};
use super::der::rsa_components;
use super::error::{FileError, KeyError, LimitError, SshError};
use crate::alg::Curve;

/// The prefixes of SSH public key type names (OpenSSH's sshkey.c table,
/// RFC 4253 §6.6, RFC 6187), for a type word whose key is damaged.
const TYPE_PREFIXES: [&[u8]; 8] = [
    b"ssh-",
    b"ecdsa-sha2-",
    b"sk-",
    b"webauthn-sk-",
    b"rsa-sha2-",
    b"x509v3-",
    b"pgp-sign-",
    b"spki-sign-",
];

/// The names PyJWT's `is_ssh_key` refuses at the start of a key (2.15).
const PYJWT_NAMES: [&[u8]; 6] = [
    b"ssh-ed25519",
    b"ssh-rsa",
    b"ssh-dss",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
];

/// The suffix of OpenSSH's own type names (certificates, FIDO keys).
const OPENSSH_SUFFIX: &[u8] = b"@openssh.com";

/// Markers of SSH and PuTTY key files, anywhere in the text.
const MARKERS: [&[u8]; 5] = [
    // RFC 4716 armour, public or ssh.com private.
    b"---- BEGIN ",
    // PuTTY's key files (.ppk), every version.
    b"PuTTY-User-Key-File-",
    // SSH-1 private keys (binary).
    b"SSH PRIVATE KEY FILE FORMAT 1.1",
    // An OpenSSH private key's body, decoded or not (armour lost).
    b"openssh-key-v1\0",
    b"b3BlbnNzaC1rZXktdjE",
];

/// Whether `text` (bytes as given, or UTF-16 read narrow, after a
/// byte-order mark) is SSH or PuTTY key text, damaged or not: the content
/// rule of the HMAC secret guard for these formats. True when any of these
/// holds:
/// - a marker of RFC 4716 armour (`---- BEGIN `), a PuTTY key file
///   (`PuTTY-User-Key-File-`), an SSH-1 private key or an OpenSSH private
///   key's body (decoded or in base64) appears anywhere;
/// - base64 text (a word of its own, or glued to what precedes it)
///   decodes to the start of an SSH wire-format key: a length-prefixed type name
///   (printable, no comma, 1 to 64 characters) followed by more bytes.
///   That is every OpenSSH public key line (with options, host names,
///   markers or a comment around it), certificate, RFC 4716 body and PuTTY
///   `Public-Lines`, whatever the type;
/// - the text's first word is a type name (a prefix such as `ssh-`,
///   `ecdsa-sha2-`, `sk-`, or the suffix `@openssh.com`, in the characters
///   of type names), or a line holds such a word followed by a word
///   starting `AAAA` (a line whose key was damaged), or the text starts
///   with one of the names PyJWT refuses;
/// - a line holds three decimal words in a row, the first at most 5 digits
///   and the last at least 64 (an SSH-1 RSA public key).
///
/// Cost: one pass per marker, and a decode of at most 92 characters at each
/// place in a run of `A`s (at most three places a run).
pub(crate) fn is_ssh_text(text: &[u8]) -> bool {
    MARKERS
        .iter()
        .any(|m| memchr::memmem::find(text, m).is_some())
        || has_wire_key(text)
        || words(text).next().is_some_and(is_type_word)
        || PYJWT_NAMES
            .iter()
            .any(|name| text.trim_ascii_start().starts_with(name))
        || text.split(|&b| b == b'\n').any(|line| {
            let words: Vec<&[u8]> = words(line).collect();
            words.windows(2).any(|pair| match pair {
                [word, next] => is_type_word(word) && next.starts_with(b"AAAA"),
                _ => false,
            }) || ssh1_public(&words)
        })
}

/// Whether a line's words hold an SSH-1 RSA public key: three decimal
/// words in a row, the bits at most 5 digits, the modulus at least 64.
fn ssh1_public(words: &[&[u8]]) -> bool {
    words.windows(3).any(|w| match w {
        [bits, _, modulus] => {
            w.iter().all(|d| d.iter().all(u8::is_ascii_digit))
                && bits.len() <= 5
                && modulus.len() >= 64
        }
        _ => false,
    })
}

fn words(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
}

/// Whether `word` looks like an SSH key type name: a known prefix or
/// OpenSSH's suffix, and only the characters type names use (lower-case
/// letters, digits, `-`, `.`, `@`), so a base64url secret that happens to
/// start `sk-` (1 in 262,144 of `jitsi-jwt secret`'s) stays a secret.
fn is_type_word(word: &[u8]) -> bool {
    word.iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-.@".contains(&c))
        && (TYPE_PREFIXES.iter().any(|p| word.starts_with(p)) || word.ends_with(OPENSSH_SUFFIX))
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Whether some base64 word of `text` decodes to the start of an SSH
/// wire-format key (see [`is_ssh_text`]).
fn has_wire_key(text: &[u8]) -> bool {
    // A wire-format key's base64 starts `AAAA` (a length under 2^24), then a
    // character from `A` (a type name of 1 to 3 bytes) to `Q` (64 bytes). So
    // in each run of `A`s the key can start only at the run's start (a word
    // of its own), four before its end, or five before it (when the run
    // ends inside the key: a short name). Checking those three places finds
    // a key glued to whatever precedes it (`ssh-ed25519AAAAC3Nz…`, a line
    // whose space was lost; found by the `keys` fuzz target), and keeps the
    // scan linear in the text's length.
    let mut i = 0;
    while i < text.len() {
        if text.get(i) != Some(&b'A') {
            i += 1;
            continue;
        }
        let run = text.get(i..).unwrap_or_default();
        let len = run.iter().take_while(|&&b| b == b'A').count();
        let starts = [Some(i), (i + len).checked_sub(4), (i + len).checked_sub(5)];
        for start in starts.into_iter().flatten().filter(|&s| s >= i) {
            let rest = text.get(start..).unwrap_or_default();
            if rest.starts_with(b"AAAA") && wire_type_name(&decode_head(rest)).is_some() {
                return true;
            }
        }
        i += len;
    }
    false
}

/// The first bytes of base64 text (whitespace skipped, as in an RFC 4716
/// body): enough for a length and a 64-character type name.
fn decode_head(text: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut chars: Vec<u8> = text
        .iter()
        .copied()
        .take_while(|&b| is_base64_char(b) || b.is_ascii_whitespace())
        .filter(|&b| is_base64_char(b))
        .take(92)
        .collect();
    chars.truncate(chars.len() / 4 * 4);
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(chars)
        .unwrap_or_default()
}

/// The type name a wire-format key starts with, when it is a valid one
/// (RFC 4251 §6: printable US-ASCII, no comma, 1 to 64 characters) and
/// bytes follow it.
fn wire_type_name(blob: &[u8]) -> Option<&[u8]> {
    let mut wire = Wire(blob);
    let name = wire.string()?;
    let valid = (1..=64).contains(&name.len())
        && name.iter().all(|&c| c.is_ascii_graphic() && c != b',')
        && !wire.0.is_empty();
    valid.then_some(name)
}

/// Read SSH key text (after its byte-order mark): `None` when
/// [`is_ssh_text`] does not hold for it. An OpenSSH public key line (also with
/// authorized_keys options, known_hosts names or markers, a comment, CRLF,
/// text or `#` lines around it) or RFC 4716 text is read as its key; a
/// certificate as its certified key. Refused, saying what was found:
/// private key files (PuTTY, ssh.com, SSH-1), SSH-1 public keys, types
/// without an implementation here (`ssh-dss`, FIDO `sk-*`), malformed keys,
/// a type word that contradicts its key, two different keys.
pub(crate) fn read(text: &[u8]) -> Option<Result<AsymmetricKey, KeyError>> {
    if !is_ssh_text(text) {
        return None;
    }
    let find = |m: &[u8]| memchr::memmem::find(text, m).is_some();
    Some(
        if find(b"PuTTY-User-Key-File-") {
            Err(SshError::PuttyPrivate.into())
        } else if find(b"SSH PRIVATE KEY FILE FORMAT 1.1") {
            Err(SshError::Ssh1Key.into())
        } else if find(b"openssh-key-v1\0") || find(b"b3BlbnNzaC1rZXktdjE") {
            Err(SshError::OpenSshPrivate.into())
        } else if find(b"---- BEGIN ") {
            rfc4716(text)
        } else {
            public_lines(text)
        }
        .map(AsymmetricKey::public_only),
    )
}

/// RFC 4716 §3: the first `---- BEGIN <label> ----` block.
fn rfc4716(text: &[u8]) -> Result<PublicKey, KeyError> {
    let mut lines = text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii);
    let label = lines
        .by_ref()
        .find_map(|l| l.strip_prefix(b"---- BEGIN ")?.strip_suffix(b" ----"))
        .ok_or(SshError::Malformed("no \"---- BEGIN <label> ----\" line"))?;
    if label != b"SSH2 PUBLIC KEY" {
        return Err(if memchr::memmem::find(label, b"PRIVATE").is_some() {
            KeyError::Ssh(SshError::SshComPrivate)
        } else {
            KeyError::Ssh(SshError::Malformed(
                "an RFC 4716 label other than SSH2 PUBLIC KEY",
            ))
        });
    }
    let mut body = Vec::new();
    let mut in_headers = true;
    let mut continued = false;
    for line in lines {
        if line.starts_with(b"---- END ") {
            if line != b"---- END SSH2 PUBLIC KEY ----" {
                return Err(SshError::Malformed("an END line of another label").into());
            }
            use base64::Engine;
            let blob = base64::engine::general_purpose::STANDARD
                .decode(&body)
                .map_err(|_| SshError::Malformed("its body is not base64"))?;
            return public_from_wire(&blob);
        }
        // A header line holds a colon; one ending in a backslash goes on.
        if in_headers && (continued || line.contains(&b':')) {
            continued = line.ends_with(b"\\");
            continue;
        }
        in_headers = false;
        body.extend_from_slice(line);
    }
    Err(SshError::Malformed("no \"---- END SSH2 PUBLIC KEY ----\" line").into())
}

/// OpenSSH public key lines: in each line, a type word followed by base64
/// that decodes to a key. Every key found must be the same one.
fn public_lines(text: &[u8]) -> Result<PublicKey, KeyError> {
    let mut found: Option<(String, PublicKey)> = None;
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.starts_with(b"#") {
            continue;
        }
        let words: Vec<&[u8]> = words(line).collect();
        for pair in words.windows(2) {
            let [word, encoded] = pair else { continue };
            let blob = decode_word(encoded);
            let Some(name) = blob.as_deref().and_then(wire_type_name) else {
                if is_type_word(word) && encoded.starts_with(b"AAAA") {
                    return Err(SshError::Malformed("its base64 does not decode to a key").into());
                }
                continue;
            };
            if name != *word {
                if !is_type_word(word) {
                    continue;
                }
                return Err(KeyError::Ssh(SshError::TypeMismatch {
                    line: String::from_utf8_lossy(word).into_owned(),
                    key: String::from_utf8_lossy(name).into_owned(),
                }));
            }
            let key = public_from_wire(blob.as_deref().unwrap_or_default())?;
            let here = format!("'{}' (line {})", String::from_utf8_lossy(word), n + 1);
            match &found {
                None => found = Some((here, key)),
                Some((_, first)) if *first == key => {}
                Some((first, _)) => {
                    return Err(KeyError::File(FileError::TwoKeys {
                        first: first.clone(),
                        other: here,
                    }))
                }
            }
        }
    }
    found.map(|(_, key)| key).ok_or_else(|| {
        let ssh1 = text
            .split(|&b| b == b'\n')
            .any(|line| ssh1_public(&words(line).collect::<Vec<_>>()));
        if ssh1 {
            KeyError::Ssh(SshError::Ssh1Key)
        } else {
            KeyError::Ssh(SshError::NoKeyLine)
        }
    })
}

fn decode_word(word: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    word.starts_with(b"AAAA")
        .then(|| lenient.decode(word).ok())
        .flatten()
}

/// The public key in an SSH wire-format key (RFC 4253 §6.6, RFC 5656 §3.1,
/// RFC 8709 §4) or certificate (PROTOCOL.certkeys: the certified key's
/// fields follow a nonce; the rest, CA signature included, is not read, as
/// an X.509 certificate's is not).
fn public_from_wire(blob: &[u8]) -> Result<PublicKey, KeyError> {
    let malformed = || SshError::Malformed("a field is cut short");
    let mut wire = Wire(blob);
    let name = wire.string().ok_or_else(malformed)?;
    let (base, certificate) = match name.strip_suffix(b"-cert-v01@openssh.com") {
        Some(base) => (base, true),
        None => (name, false),
    };
    if certificate {
        wire.string().ok_or_else(malformed)?; // nonce
    }
    // RFC 5656 §6.1: the type is ecdsa-sha2-<the curve's SSH name>.
    let curve = base
        .strip_prefix(b"ecdsa-sha2-")
        .and_then(|id| Some((Curve::from_ssh_name(id)?, id)));
    let key = match (base, curve) {
        (b"ssh-rsa", _) => {
            let e = wire.mpint().ok_or_else(malformed)?;
            let n = wire.mpint().ok_or_else(malformed)?;
            rsa_components(n, e)?
        }
        (b"ssh-ed25519", _) => {
            let key = wire.string().ok_or_else(malformed)?;
            if key.len() != 32 {
                return Err(LimitError::Ed25519Length.into());
            }
            PublicKey::Ed25519(key.to_vec())
        }
        (_, Some((curve, id))) => {
            if wire.string().ok_or_else(malformed)? != id {
                return Err(SshError::Malformed("the curve does not match the key type").into());
            }
            let point = wire.string().ok_or_else(malformed)?;
            if point.first() != Some(&4) || point.len() != 1 + 2 * curve.field_len() {
                return Err(SshError::Malformed("not an uncompressed point of its curve").into());
            }
            PublicKey::Ec {
                curve,
                point: point.to_vec(),
            }
        }
        _ => return Err(SshError::Unsupported(String::from_utf8_lossy(name).into_owned()).into()),
    };
    if !certificate && !wire.0.is_empty() {
        return Err(SshError::Malformed("bytes after the key").into());
    }
    Ok(key)
}

/// A reader of the SSH wire format's types (RFC 4251 §5).
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    /// `string`: a uint32 length, then that many bytes.
    fn string(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
        let (value, rest) = rest.split_at_checked(len)?;
        self.0 = rest;
        Some(value)
    }

    /// `mpint`, non-negative: a `string` whose first bit is clear.
    fn mpint(&mut self) -> Option<&'a [u8]> {
        self.string()
            .filter(|v| v.first().is_none_or(|&b| b & 0x80 == 0))
    }
}

#[cfg(test)]
mod tests {
    use super::super::classify::{key_shape, parse, HmacSecret};
    use super::super::error::SecretError;
    use super::super::shape::{KeyShape, UTF8_BOM};
    use super::*;
    use crate::test_support::key;
    use base64::Engine;

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    /// What `ssh-keygen -i -m PKCS8 -f tests/vectors/keys/<name>.pub.pem`
    /// printed (OpenSSH 9.2).
    const SSH_KEYGEN: [(&str, &str); 4] = [
        ("ec-p256", "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMV31dRqjmyah7sKUjPuwEXpuhXrdkAZ/tOtSbpTC1FoN8oQzDcReksBxha3xYrvmNJ7aSh6N5joQlcaLiUc3Sc="),
        ("ec-p384", "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBHss6lGRgH2NabxQ/A0L7+qxZhlHNk9OANttE1IEvPx0mmBngj2+x3t7ftAu3K02OK4P9PKlDdaf8jdVqqWb3ScKy5DsvEkPIvC56Y2VyL88cY+s9Pxy0rsQnP9AFED9WQ=="),
        ("ec-p521", "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAFfMlPUBaj0HStTE5NcDnWZ5xATVmuvQOieN6f4aSjeEOiF0oPwtPJOpiDh858jJ5xbBBIzy6kji5/o17AyDWMgMQDlt7Tg2/hMD6PnVbt6XzMBL/FO4zvCZnbPPqzAIHY0143ZzVgF9TwSBUxKpw6/a2D0qZS4zNhR21iB4dJCl642OA=="),
        ("rsa2048", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1JGmsMfC7cIhU/CwWWAQ+Dvps31oKG3wz+m3KNncRnT/uUtl3zEXI4z2wFENbvVT6EaGXxlV+kFkawXFabCjOxBITT13YGrXBuIyo0+0PQ/fkir/l0JciGjBCNvIu5ZVk/ZOU/8uJoj1VgJCMOajSVEDADZ8yh/7cPQzxKf1BahbDOQAZq4tJJkvi65QHGjFfd3gg1GJVZWIA5RvA1JGjHkCai3nA6P40urGJW+sIiyss44wifjouJotXk/XyvGo9FoaDZmg+2Kc1SJqtlntEGjUnLgTZ0PS5cYcsMKdyyjYZHnkQiE5losHDuWR0jhEiIwAJgAC3nd9vp4DWdtlZ"),
    ];

    fn string(bytes: &[u8]) -> Vec<u8> {
        [
            &u32::try_from(bytes.len()).unwrap().to_be_bytes()[..],
            bytes,
        ]
        .concat()
    }

    /// The Ed25519 test key as an OpenSSH line (RFC 8709 §4).
    fn ed25519_line() -> String {
        let PublicKey::Ed25519(pk) = parse(&key("ed25519.pub.pem")).unwrap().public else {
            panic!("not Ed25519")
        };
        let blob = [string(b"ssh-ed25519"), string(&pk)].concat();
        format!("ssh-ed25519 {}", B64.encode(blob))
    }

    fn lines() -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = SSH_KEYGEN
            .iter()
            .map(|(k, l)| (k.to_string(), l.to_string()))
            .collect();
        all.push(("ed25519".into(), ed25519_line()));
        all
    }

    /// The same key as a certificate (PROTOCOL.certkeys): its fields after
    /// a nonce, then the rest (here stand-in bytes).
    fn certificate(line: &str) -> String {
        let (name, encoded) = line.split_once(' ').unwrap();
        let blob = B64.decode(encoded).unwrap();
        let fields = blob.get(4 + name.len()..).unwrap();
        let cert_name = format!("{name}-cert-v01@openssh.com");
        let cert = [
            string(cert_name.as_bytes()),
            string(&[7; 32]),
            fields.to_vec(),
            string(b"serial, principals, CA key and signature"),
        ]
        .concat();
        format!("{cert_name} {} admin@example", B64.encode(cert))
    }

    /// RFC 4716 text for the key of `line`, as `ssh-keygen -e` writes it,
    /// with a header continued over two lines.
    fn rfc4716(line: &str) -> String {
        let encoded = line.split(' ').nth(1).unwrap();
        let body: Vec<&str> = encoded
            .as_bytes()
            .chunks(70)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a comment wrapped \\\nover two lines\"\nx-tag: v\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            body.join("\n")
        )
    }

    #[test]
    fn reads_what_ssh_keygen_writes() {
        for (name, line) in lines() {
            let pem = if name == "ed25519" {
                key("ed25519.pub.pem")
            } else {
                key(&format!("{name}.pub.pem"))
            };
            let public = parse(&pem).unwrap().public;
            let (ty, encoded) = line.split_once(' ').unwrap();
            for (setting, text) in [
                ("line", line.clone()),
                ("comment", format!("{line} admin@meet.example.com\n")),
                ("crlf + bom", format!("\u{feff}{line} c\r\n")),
                ("tabs", format!("{ty}\t{encoded}\tc")),
                (
                    "options",
                    format!("from=\"192.0.2.0/24\",command=\"a b\",no-pty {line} c\n"),
                ),
                (
                    "comment lines",
                    format!("# token key\n\n  {line}\n{line} again\n"),
                ),
                (
                    "known_hosts",
                    format!("meet.example.com,192.0.2.1 {line}\n"),
                ),
                (
                    "hashed",
                    format!(
                        "|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= {line}\n"
                    ),
                ),
                (
                    "@cert-authority",
                    format!("@cert-authority *.example.com {line}\n"),
                ),
                ("text before", format!("The key:\n{line}\n")),
                ("certificate", certificate(&line)),
                ("rfc 4716", rfc4716(&line)),
                ("rfc 4716 crlf", rfc4716(&line).replace('\n', "\r\n")),
            ] {
                let read = parse(text.as_bytes());
                assert_eq!(
                    read.map(|k| k.public),
                    Ok(public.clone()),
                    "{name} {setting}"
                );
                assert_eq!(
                    key_shape(text.as_bytes()),
                    KeyShape::Ssh,
                    "{name} {setting}"
                );
                assert!(
                    HmacSecret::new(text.as_bytes()).is_err(),
                    "{name} {setting}"
                );
            }
        }
    }

    fn refused(text: &[u8]) -> KeyError {
        assert_ne!(
            key_shape(text),
            KeyShape::Secret,
            "{:?}",
            String::from_utf8_lossy(text)
        );
        assert!(HmacSecret::new(text).is_err());
        parse(text).unwrap_err()
    }

    #[test]
    fn refusals_say_what_was_found() {
        let ed = ed25519_line();
        let p256 = SSH_KEYGEN[0].1;
        let encoded = p256.split(' ').nth(1).unwrap();
        let dss = format!(
            "ssh-dss {}",
            B64.encode([string(b"ssh-dss"), string(&[1; 20])].concat())
        );
        let fido = [
            string(b"sk-ssh-ed25519@openssh.com"),
            string(&[2; 32]),
            string(b"ssh:"),
        ]
        .concat();
        let fido = format!("sk-ssh-ed25519@openssh.com {}", B64.encode(fido));
        let cut = &encoded[..encoded.len() - 8];
        let ppk =
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: c\nPublic-Lines: 2\n";
        let sshcom = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"c\"\nP2/56wAAA+4=\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n";
        let openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n";
        let ssh1 = format!("no-pty 2048 65537 {} c\n", "1".repeat(617));
        let utf16: Vec<u8> = ed.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let cases: Vec<(String, Vec<u8>, KeyError)> = vec![
            (
                "dss".into(),
                dss.into(),
                KeyError::Ssh(SshError::Unsupported("ssh-dss".into())),
            ),
            (
                "fido".into(),
                fido.into(),
                KeyError::Ssh(SshError::Unsupported("sk-ssh-ed25519@openssh.com".into())),
            ),
            (
                "type word of another key".into(),
                format!("ssh-rsa {encoded}").into(),
                KeyError::Ssh(SshError::TypeMismatch {
                    line: "ssh-rsa".into(),
                    key: "ecdsa-sha2-nistp256".into(),
                }),
            ),
            (
                "cut short".into(),
                format!("ecdsa-sha2-nistp256 {cut}").into(),
                KeyError::Ssh(SshError::Malformed("a field is cut short")),
            ),
            (
                "damaged base64".into(),
                b"ssh-ed25519 AAAAC3Nza!!C1lZDI1NTE5".to_vec(),
                KeyError::Ssh(SshError::Malformed("its base64 does not decode to a key")),
            ),
            (
                "two keys".into(),
                format!("{ed}\n{p256}\n").into(),
                KeyError::File(FileError::TwoKeys {
                    first: "'ssh-ed25519' (line 1)".into(),
                    other: "'ecdsa-sha2-nistp256' (line 2)".into(),
                }),
            ),
            (
                "blob alone".into(),
                encoded.as_bytes().to_vec(),
                KeyError::Ssh(SshError::NoKeyLine),
            ),
            (
                "type word alone".into(),
                b"ssh-ed25519".to_vec(),
                KeyError::Ssh(SshError::NoKeyLine),
            ),
            (
                "ppk".into(),
                ppk.into(),
                KeyError::Ssh(SshError::PuttyPrivate),
            ),
            (
                "ssh.com".into(),
                sshcom.into(),
                KeyError::Ssh(SshError::SshComPrivate),
            ),
            (
                "openssh private".into(),
                openssh.into(),
                KeyError::Ssh(SshError::OpenSshPrivate),
            ),
            (
                "openssh private unarmoured".into(),
                openssh.lines().nth(1).unwrap().into(),
                KeyError::Ssh(SshError::OpenSshPrivate),
            ),
            (
                "ssh-1 public".into(),
                ssh1.into(),
                KeyError::Ssh(SshError::Ssh1Key),
            ),
            (
                "ssh-1 private".into(),
                b"SSH PRIVATE KEY FILE FORMAT 1.1\n\0\0\0".to_vec(),
                KeyError::Ssh(SshError::Ssh1Key),
            ),
            (
                "utf-16".into(),
                [&[0xFF, 0xFE][..], &utf16].concat(),
                KeyError::File(FileError::Utf16Ssh),
            ),
        ];
        for (name, text, error) in cases {
            assert_eq!(refused(&text), error, "{name}");
            assert_eq!(
                refused(&[UTF8_BOM, &text].concat()),
                error,
                "{name} after a BOM"
            );
        }
        assert_eq!(HmacSecret::new(ed.as_bytes()), Err(SecretError::Ssh.into()));
    }

    /// Secrets as admins and tools make them stay secrets.
    #[test]
    fn secrets_stay_secrets() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut random = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_be_bytes()[0]
                })
                .collect()
        };
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        for _ in 0..10_000 {
            let bytes = random(48);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            for secret in [B64.encode(&bytes), url.encode(&bytes), hex] {
                assert!(!is_ssh_text(secret.as_bytes()), "{secret}");
            }
        }
        for secret in [
            // base64url secrets (jitsi-jwt secret) that start like type names
            "sk-Xq3_9fLmP0aZ7uVbN2wE5rT8yK1hJ4gD6sA0cQ",
            "ssh-AbU8_kP2mW9qZ1xC4vN7bT0yR3eH6jL5fG8dS",
            "x509v3-Qz_8mN1bV4cX7zL0kJ3hG6fD9sA2pO5iU",
            "my ssh-rsa secret",
            "sshsecret",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "1024 65537 1234567890",
            "jitsi-meet-secret ---- not BEGIN",
        ] {
            assert!(HmacSecret::new(secret.as_bytes()).is_ok(), "{secret}");
        }
    }
}
