//! Material shared by the fuzz targets: the conformance vectors as seeds,
//! the test keys, and structure-aware mutations of tokens and keys.
//!
//! The targets start from real tokens and keys (tests/vectors) and mutate
//! them in ways a byte-level fuzzer rarely finds on its own: per-segment bit
//! flips, dropped and duplicated segments, padding, the other base64
//! alphabet, JSON edits inside a segment, and re-signing with the HMAC
//! secret so that mutated headers and payloads get past the signature check
//! and reach the claims checks.
#![forbid(unsafe_code)]

use arbitrary::Arbitrary;
use luajwtjitsi::internal::base64url;
use luajwtjitsi::Algorithm;
use serde_json::Value;
use std::sync::OnceLock;

const VECTORS: &str = include_str!("../../tests/vectors/verify.json");
const PROJECT_VECTORS: &str = include_str!("../../tests/vectors/project-verify.json");
const KEYS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys");
/// The SSH tools' key files (fuzz/keyfiles/README.md).
const SSH_KEYS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/keyfiles");

/// Every file of `dir` but `*.md`, sorted by name.
fn files_in(dir: &str) -> Vec<Vec<u8>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// The key files of the SSH tools (OpenSSH, PuTTY): public lines, RFC 4716,
/// PPK, certificates, `authorized_keys` and `known_hosts` lines.
pub fn ssh_key_files() -> &'static [Vec<u8>] {
    static KEYS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let out = files_in(SSH_KEYS_DIR);
        assert!(out.len() > 10, "no key files: fuzz/keyfiles not readable");
        out
    })
}

/// One verify case from the vectors: a token with the key and algorithm it
/// was made for.
#[derive(Debug, Clone)]
pub struct Seed {
    /// The token text.
    pub token: Vec<u8>,
    /// The algorithm the case verifies with.
    pub alg: Vec<u8>,
    /// The key the case verifies with.
    pub key: Vec<u8>,
    /// The case's fixed clock, if any.
    pub now: Option<i64>,
}

fn read_key(rel: &str) -> Option<Vec<u8>> {
    let name = rel.strip_prefix("keys/").unwrap_or(rel);
    std::fs::read(format!("{KEYS_DIR}/{name}")).ok()
}

fn seeds_from(text: &str, out: &mut Vec<Seed>) {
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(cases) = doc.get("cases").and_then(Value::as_array) else {
        return;
    };
    for case in cases {
        let (Some(token), Some(alg)) = (
            case.get("token").and_then(Value::as_str),
            case.get("alg").and_then(Value::as_str),
        ) else {
            continue;
        };
        let key = match case.get("key") {
            Some(Value::String(s)) => s.as_bytes().to_vec(),
            Some(Value::Object(o)) => {
                match o.get("file").and_then(Value::as_str).and_then(read_key) {
                    Some(k) => k,
                    None => continue,
                }
            }
            _ => continue,
        };
        out.push(Seed {
            token: token.as_bytes().to_vec(),
            alg: alg.as_bytes().to_vec(),
            key,
            now: case.get("now").and_then(Value::as_i64),
        });
    }
}

/// Every verify case of tests/vectors (shared and project vectors).
pub fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        seeds_from(VECTORS, &mut out);
        seeds_from(PROJECT_VECTORS, &mut out);
        assert!(!out.is_empty(), "no seeds: tests/vectors not readable");
        out
    })
}

/// Every key file of tests/vectors/keys (PEM, DER, JWK, certificates).
pub fn key_files() -> &'static [Vec<u8>] {
    static KEYS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut out = files_in(KEYS_DIR);
        out.extend_from_slice(ssh_key_files());
        out.push(b"s3cr3t-test-only".to_vec());
        out.push(b"sekr1t".to_vec());
        out.push(Vec::new());
        assert!(
            out.len() > 10,
            "no key files: tests/vectors/keys not readable"
        );
        out
    })
}

/// One key file by name (empty when it cannot be read).
pub fn key_named(name: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS_DIR}/{name}")).unwrap_or_default()
}

/// Pick `items[i % len]`.
pub fn pick<T>(items: &[T], i: usize) -> &T {
    &items[i % items.len()]
}

/// An edit on a byte string.
#[derive(Arbitrary, Debug, Clone)]
pub enum ByteOp {
    /// Flip one bit.
    FlipBit(u16, u8),
    /// Set one byte.
    Set(u16, u8),
    /// Insert bytes.
    Insert(u16, Vec<u8>),
    /// Delete up to `len` bytes.
    Delete(u16, u8),
    /// Truncate to a length.
    Truncate(u16),
    /// Repeat a range.
    Repeat(u16, u8, u8),
}

impl ByteOp {
    /// Apply the edit; positions wrap around the current length.
    pub fn apply(&self, bytes: &mut Vec<u8>) {
        let at = |p: u16, len: usize| if len == 0 { 0 } else { usize::from(p) % len };
        match self {
            ByteOp::FlipBit(p, bit) => {
                if !bytes.is_empty() {
                    let i = at(*p, bytes.len());
                    bytes[i] ^= 1 << (bit % 8);
                }
            }
            ByteOp::Set(p, v) => {
                if !bytes.is_empty() {
                    let i = at(*p, bytes.len());
                    bytes[i] = *v;
                }
            }
            ByteOp::Insert(p, new) => {
                let i = at(*p, bytes.len() + 1);
                bytes.splice(i..i, new.iter().copied());
            }
            ByteOp::Delete(p, n) => {
                let i = at(*p, bytes.len());
                let end = (i + usize::from(*n)).min(bytes.len());
                bytes.drain(i..end);
            }
            ByteOp::Truncate(n) => bytes.truncate(usize::from(*n)),
            ByteOp::Repeat(p, n, times) => {
                let i = at(*p, bytes.len());
                let end = (i + usize::from(*n)).min(bytes.len());
                let chunk = bytes[i..end].to_vec();
                for _ in 0..(*times % 16) {
                    bytes.splice(end..end, chunk.iter().copied());
                }
            }
        }
    }
}

/// A JSON value small enough to build from fuzz input.
#[derive(Arbitrary, Debug, Clone)]
pub enum Leaf {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (may be non-finite: then it is left out).
    Float(f64),
    /// A string.
    Str(String),
    /// A number written as a string (`"exp": "123"`).
    NumberString(i64),
    /// An array of strings (an `aud` list).
    Strings(Vec<String>),
    /// An empty object.
    EmptyObject,
}

impl Leaf {
    /// As a JSON value.
    pub fn value(&self) -> Value {
        match self {
            Leaf::Null => Value::Null,
            Leaf::Bool(b) => Value::Bool(*b),
            Leaf::Int(i) => Value::from(*i),
            Leaf::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Leaf::Str(s) => Value::String(s.clone()),
            Leaf::NumberString(i) => Value::String(i.to_string()),
            Leaf::Strings(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
            Leaf::EmptyObject => Value::Object(serde_json::Map::new()),
        }
    }
}

/// Member names worth editing, then anything.
const NAMES: &[&str] = &[
    "alg", "typ", "kid", "exp", "nbf", "iat", "iss", "aud", "sub", "room", "context", "crit", "b64",
];

/// A member name: a registered one or arbitrary text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Name {
    /// One of [`NAMES`].
    Known(u8),
    /// Any string.
    Other(String),
}

impl Name {
    /// The name as text.
    pub fn text(&self) -> String {
        match self {
            Name::Known(i) => (*pick(NAMES, usize::from(*i))).to_owned(),
            Name::Other(s) => s.clone(),
        }
    }
}

/// An edit of a whole token.
#[derive(Arbitrary, Debug, Clone)]
pub enum TokenOp {
    /// Edit the base64url text of one segment.
    Raw(u8, ByteOp),
    /// Edit the decoded bytes of one segment, then re-encode it.
    Decoded(u8, ByteOp),
    /// Set a member of the header (0) or payload (1) JSON.
    SetMember(bool, Name, Leaf),
    /// Remove a member.
    RemoveMember(bool, Name),
    /// Append a second copy of a member name (text level).
    DuplicateMember(bool, Name, Leaf),
    /// Replace the header or payload by a non-object JSON value.
    NotAnObject(bool, Leaf),
    /// Drop a segment.
    DropSegment(u8),
    /// Duplicate a segment in place.
    DuplicateSegment(u8),
    /// Swap two segments.
    SwapSegments(u8, u8),
    /// Append `=` padding to a segment.
    Pad(u8, u8),
    /// Switch a segment to the standard base64 alphabet (`-_` to `+/`).
    StdAlphabet(u8),
    /// Add an extra empty or arbitrary segment.
    ExtraSegment(Vec<u8>),
    /// Put arbitrary bytes between the segments instead of `.`.
    Separator(u8, u8),
}

/// A token as segments, mutated and put back together.
pub struct Token {
    /// The `.`-separated parts.
    pub parts: Vec<Vec<u8>>,
    /// Separators after each part but the last (normally `.`).
    seps: Vec<u8>,
}

impl Token {
    /// Split on `.`.
    pub fn new(text: &[u8]) -> Self {
        let parts: Vec<Vec<u8>> = text.split(|&b| b == b'.').map(<[u8]>::to_vec).collect();
        let seps = vec![b'.'; parts.len().saturating_sub(1)];
        Token { parts, seps }
    }

    /// Join with the separators.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push(self.seps.get(i - 1).copied().unwrap_or(b'.'));
            }
            out.extend_from_slice(p);
        }
        out
    }

    fn json_segment(
        &mut self,
        payload: bool,
        edit: impl FnOnce(&mut serde_json::Map<String, Value>),
    ) {
        let i = usize::from(payload);
        let Some(seg) = self.parts.get(i) else { return };
        let Some(bytes) = base64url::decode(seg) else {
            return;
        };
        let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&bytes) else {
            return;
        };
        edit(&mut map);
        if let Ok(text) = serde_json::to_vec(&Value::Object(map)) {
            self.parts[i] = base64url::encode(&text).into_bytes();
        }
    }

    /// Apply one edit. Segment indices wrap around.
    pub fn apply(&mut self, op: &TokenOp) {
        let n = self.parts.len();
        let seg = |s: u8| if n == 0 { 0 } else { usize::from(s) % n };
        match op {
            TokenOp::Raw(s, e) if n > 0 => e.apply(&mut self.parts[seg(*s)]),
            TokenOp::Decoded(s, e) if n > 0 => {
                let i = seg(*s);
                if let Some(mut bytes) = base64url::decode(&self.parts[i]) {
                    e.apply(&mut bytes);
                    self.parts[i] = base64url::encode(&bytes).into_bytes();
                }
            }
            TokenOp::SetMember(p, name, leaf) => {
                let (name, value) = (name.text(), leaf.value());
                self.json_segment(*p, |m| {
                    m.insert(name, value);
                });
            }
            TokenOp::RemoveMember(p, name) => {
                let name = name.text();
                self.json_segment(*p, |m| {
                    m.remove(&name);
                });
            }
            TokenOp::DuplicateMember(p, name, leaf) => {
                let i = usize::from(*p);
                let Some(seg) = self.parts.get(i) else { return };
                let Some(mut text) = base64url::decode(seg) else {
                    return;
                };
                if text.last() == Some(&b'}') && text.len() > 2 {
                    text.pop();
                    let member =
                        serde_json::to_vec(&(name.text(), leaf.value())).unwrap_or_default();
                    // ["name",value] -> ,"name":value
                    if member.len() > 2 {
                        let inner = &member[1..member.len() - 1];
                        if let Some(comma) = inner.iter().position(|&b| b == b',') {
                            text.push(b',');
                            text.extend_from_slice(&inner[..comma]);
                            text.push(b':');
                            text.extend_from_slice(&inner[comma + 1..]);
                        }
                    }
                    text.push(b'}');
                    self.parts[i] = base64url::encode(&text).into_bytes();
                }
            }
            TokenOp::NotAnObject(p, leaf) => {
                let i = usize::from(*p);
                if i < n {
                    let text = serde_json::to_vec(&leaf.value()).unwrap_or_default();
                    self.parts[i] = base64url::encode(&text).into_bytes();
                }
            }
            TokenOp::DropSegment(s) if n > 0 => {
                self.parts.remove(seg(*s));
                self.seps.pop();
            }
            TokenOp::DuplicateSegment(s) if n > 0 => {
                let i = seg(*s);
                let copy = self.parts[i].clone();
                self.parts.insert(i, copy);
                self.seps.push(b'.');
            }
            TokenOp::SwapSegments(a, b) if n > 0 => self.parts.swap(seg(*a), seg(*b)),
            TokenOp::Pad(s, k) if n > 0 => {
                let i = seg(*s);
                self.parts[i].extend(std::iter::repeat_n(b'=', usize::from(k % 4)));
            }
            TokenOp::StdAlphabet(s) if n > 0 => {
                for b in &mut self.parts[seg(*s)] {
                    *b = match *b {
                        b'-' => b'+',
                        b'_' => b'/',
                        other => other,
                    };
                }
            }
            TokenOp::ExtraSegment(bytes) => {
                self.parts.push(bytes.clone());
                self.seps.push(b'.');
            }
            TokenOp::Separator(i, b) if !self.seps.is_empty() => {
                let len = self.seps.len();
                self.seps[usize::from(*i) % len] = *b;
            }
            _ => {}
        }
    }
}

/// The algorithm a target uses.
#[derive(Arbitrary, Debug, Clone)]
pub enum AlgChoice {
    /// The seed's own algorithm.
    Seed,
    /// One of the supported algorithms.
    Known(u8),
    /// Any bytes.
    Raw(Vec<u8>),
}

impl AlgChoice {
    /// The algorithm name to pass.
    pub fn name(&self, seed_alg: &[u8]) -> Vec<u8> {
        match self {
            AlgChoice::Seed => seed_alg.to_vec(),
            AlgChoice::Known(i) => pick(&Algorithm::ALL, usize::from(*i))
                .name()
                .as_bytes()
                .to_vec(),
            AlgChoice::Raw(b) => b.clone(),
        }
    }
}

/// The key a target uses.
#[derive(Arbitrary, Debug, Clone)]
pub enum KeyChoice {
    /// The seed's own key.
    Seed,
    /// The seed's key, edited.
    SeedEdited(Vec<ByteOp>),
    /// One of the key files.
    File(u8),
    /// One of the key files, edited.
    FileEdited(u8, Vec<ByteOp>),
    /// Any bytes.
    Raw(Vec<u8>),
    /// A PEM or JWK key file dressed as admins' tools and key servers do:
    /// it must still never pass as an HMAC secret.
    Dressed(u8, Vec<Dress>),
}

/// An edit that keeps a key file a key file (issue 12): text before or
/// after it, a byte-order mark, CRLF, whitespace added or taken away where
/// a tool might (at line ends, after separators).
#[derive(Arbitrary, Debug, Clone)]
pub enum Dress {
    /// Any bytes before it.
    Prefix(Vec<u8>),
    /// Any bytes after it.
    Suffix(Vec<u8>),
    /// A UTF-8 byte-order mark before it.
    Bom,
    /// Every LF becomes CRLF.
    Crlf,
    /// A whitespace character inserted after the n-th whitespace, `,`, `:`,
    /// `{`, `[` or before the n-th line end.
    Insert(u16, u8),
    /// The n-th whitespace character removed.
    Remove(u16),
}

impl Dress {
    /// Apply the edit.
    pub fn apply(&self, bytes: &mut Vec<u8>) {
        let nth = |bytes: &[u8], n: u16, want: &dyn Fn(u8) -> bool| {
            let spots: Vec<usize> = (0..bytes.len()).filter(|&i| want(bytes[i])).collect();
            (!spots.is_empty()).then(|| spots[usize::from(n) % spots.len()])
        };
        match self {
            Dress::Prefix(p) => {
                bytes.splice(0..0, p.iter().copied());
            }
            Dress::Suffix(s) => bytes.extend_from_slice(s),
            Dress::Bom => {
                bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
            }
            Dress::Crlf => {
                let mut out = Vec::with_capacity(bytes.len() + 64);
                for &b in bytes.iter() {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
                *bytes = out;
            }
            Dress::Insert(n, c) => {
                let c = b" \t\r\n"[usize::from(*c) % 4];
                let separator = |b: u8| b.is_ascii_whitespace() || b",:{[".contains(&b);
                if let Some(i) = nth(bytes, *n, &separator) {
                    let at = if bytes[i] == b'\n' { i } else { i + 1 };
                    bytes.insert(at, c);
                }
            }
            Dress::Remove(n) => {
                if let Some(i) = nth(bytes, *n, &|b: u8| b.is_ascii_whitespace()) {
                    bytes.remove(i);
                }
            }
        }
    }
}

/// The text key files among [`key_files`], for [`Dress`]: PEM, JWK and
/// every SSH tool's format. None of them may ever be an HMAC secret.
pub fn text_key_files() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        key_files()
            .iter()
            .filter(|k| {
                k.starts_with(b"-----BEGIN") || k.starts_with(b"{") || ssh_key_files().contains(k)
            })
            .cloned()
            .collect()
    })
}

/// A PEM or JWK file with the dress edits applied.
pub fn dressed(i: u8, dress: &[Dress]) -> Vec<u8> {
    let mut k = pick(text_key_files(), usize::from(i)).clone();
    for d in dress.iter().take(8) {
        d.apply(&mut k);
    }
    k
}

impl KeyChoice {
    /// The key bytes to pass.
    pub fn bytes(&self, seed_key: &[u8]) -> Vec<u8> {
        let edited = |mut k: Vec<u8>, ops: &[ByteOp]| {
            for op in ops.iter().take(8) {
                op.apply(&mut k);
            }
            k
        };
        match self {
            KeyChoice::Seed => seed_key.to_vec(),
            KeyChoice::SeedEdited(ops) => edited(seed_key.to_vec(), ops),
            KeyChoice::File(i) => pick(key_files(), usize::from(*i)).clone(),
            KeyChoice::FileEdited(i, ops) => {
                edited(pick(key_files(), usize::from(*i)).clone(), ops)
            }
            KeyChoice::Raw(b) => b.clone(),
            KeyChoice::Dressed(i, dress) => dressed(*i, dress),
        }
    }
}
