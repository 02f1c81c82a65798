//! A key set for the extended API's verifier: one key (a secret, a PEM/DER
//! key, one JWK) or a JWKS, parsed once, from which a token's algorithm and
//! `kid` choose the key (RFC 7515 §4.1.4, RFC 7517 §4.5).
#![forbid(unsafe_code)]

use super::asymmetric::jwk_alg_allows;
use super::classify::{asymmetric, key_shape, Bound, HmacSecret, Key};
use super::error::{JwksError, KeyError};
use super::jwk::{self, Material};
use super::shape::{without_bom, KeyShape};
use crate::alg::Algorithm;
use crate::json;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Most keys a JWKS may hold.
pub const MAX_JWKS_KEYS: usize = 64;

/// One usable key and the JWK members that limit it.
#[derive(Debug)]
struct Entry {
    kid: Option<String>,
    alg: Option<String>,
    key: Key,
}

impl Entry {
    /// This key bound to `alg`: the JWK's own `alg` member when it has one,
    /// then the key-family rule.
    fn bind(&self, alg: Algorithm) -> Result<Bound<'_>, KeyError> {
        jwk_alg_allows(self.alg.as_deref(), alg)?;
        self.key.bind(alg)
    }
}

/// The keys a verifier holds.
#[derive(Debug)]
pub struct KeySet(Entries);

#[derive(Debug)]
enum Entries {
    /// One key (a secret, a PEM/DER key, or one JWK): used whatever `kid` says.
    One(Entry),
    /// A JWKS: the token's `kid` picks the key.
    Set(Vec<Entry>),
}

impl KeySet {
    /// Read key text: a JWKS (`{"keys": [...]}`), a JWK (an `oct` one is a
    /// secret), a PEM/DER key or certificate, or else an HMAC secret, by the
    /// one classification rule. A JWKS leaves out keys this module cannot
    /// use (another `kty`, `use` other than `sig`, an unsupported curve), as
    /// RFC 7517 §5 asks; a malformed key of a known type, a `kid` shared by
    /// two keys that serve a common algorithm,
    /// more than [`MAX_JWKS_KEYS`] keys or an empty result is an error.
    pub fn parse(key: &[u8]) -> Result<KeySet, KeyError> {
        let one = |key: Key| {
            KeySet(Entries::One(Entry {
                kid: None,
                alg: None,
                key,
            }))
        };
        match key_shape(key) {
            KeyShape::Secret => HmacSecret::new(key).map(|s| one(Key::Secret(s))),
            KeyShape::Pem | KeyShape::Der | KeyShape::Encoded | KeyShape::Ssh => {
                asymmetric(key).map(|k| one(Key::Asymmetric(k)))
            }
            KeyShape::Jwk => {
                let obj = json::parse_object(without_bom(key).trim_ascii())
                    .ok_or(JwksError::NotObject)?;
                match obj.get("keys") {
                    Some(Value::Array(list)) if !obj.contains_key("kty") => parse_set(list),
                    Some(_) if !obj.contains_key("kty") => Err(JwksError::KeysNotArray.into()),
                    _ => entry(&obj).map(|e| KeySet(Entries::One(e))),
                }
            }
        }
    }

    /// Whether some key can verify `alg` (checked when a verifier is built,
    /// so a wrong key shows then, not on the first login).
    pub fn serves(&self, alg: Algorithm) -> Result<(), KeyError> {
        match &self.0 {
            Entries::One(entry) => entry.bind(alg).map(|_| ()),
            Entries::Set(entries) if entries.iter().any(|e| e.bind(alg).is_ok()) => Ok(()),
            Entries::Set(_) => Err(JwksError::NoKeyFor(alg).into()),
        }
    }

    /// The key for a token of `alg` whose header has `kid`. Errors are
    /// reasons for `Invalid key: ...`.
    pub fn select(&self, alg: Algorithm, kid: Option<&Value>) -> Result<Bound<'_>, KeyError> {
        let entries = match &self.0 {
            Entries::One(entry) => return entry.bind(alg),
            Entries::Set(entries) => entries,
        };
        match kid {
            Some(Value::String(kid)) => {
                // RFC 7517 §4.5: keys of different types may share a kid,
                // and then the token's alg chooses among them. `parse_set`
                // never keeps two keys with one kid that serve one alg, so
                // at most one of them binds.
                let mut named = entries
                    .iter()
                    .filter(|e| e.kid.as_deref() == Some(kid.as_str()));
                let first = named
                    .next()
                    .ok_or_else(|| JwksError::UnknownKid(kid.clone()))?;
                first
                    .bind(alg)
                    .or_else(|why| named.find_map(|e| e.bind(alg).ok()).ok_or(why))
            }
            Some(_) => Err(JwksError::KidNotString.into()),
            None => {
                // Without a kid, only an unambiguous set will do: trying
                // every key would let one token cost a whole JWKS of checks.
                let mut usable = entries.iter().filter_map(|e| e.bind(alg).ok());
                match (usable.next(), usable.next()) {
                    (Some(bound), None) => Ok(bound),
                    (None, _) => Err(JwksError::NoKeyFor(alg).into()),
                    (Some(_), Some(_)) => Err(JwksError::AmbiguousKey(alg).into()),
                }
            }
        }
    }
}

fn entry(obj: &Map<String, Value>) -> Result<Entry, KeyError> {
    // jwk::parse refuses a "use" other than "sig".
    let parsed = jwk::parse(obj, HmacSecret::new)?;
    Ok(Entry {
        kid: parsed.kid,
        alg: parsed.alg,
        key: match parsed.material {
            Material::Secret(k) => Key::Secret(k),
            Material::Asymmetric(k) => Key::Asymmetric(Arc::new(k)),
        },
    })
}

fn parse_set(list: &[Value]) -> Result<KeySet, KeyError> {
    if list.len() > MAX_JWKS_KEYS {
        return Err(JwksError::TooManyKeys { max: MAX_JWKS_KEYS }.into());
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(list.len());
    for (i, value) in list.iter().enumerate() {
        let Value::Object(obj) = value else {
            return Err(JwksError::EntryNotObject(i + 1).into());
        };
        let known = matches!(
            obj.get("kty").and_then(Value::as_str),
            Some("RSA" | "EC" | "OKP" | "oct")
        );
        let for_signing = obj.get("use").is_none_or(|u| u.as_str() == Some("sig"));
        if !known || !for_signing {
            continue;
        }
        let e = match entry(obj) {
            Ok(e) => e,
            // Curves this module has no code for are skipped like unknown kty.
            Err(why) if why.is_unsupported() => continue,
            Err(why) => {
                return Err(KeyError::Jwks(JwksError::Entry {
                    index: i + 1,
                    why: Box::new(why),
                }))
            }
        };
        // A kid may repeat only across keys that no algorithm could choose
        // between (an RSA and an EC key, say): kid and alg together must
        // name one key (RFC 7517 §4.5).
        let clash = |o: &Entry| {
            o.kid == e.kid
                && Algorithm::ALL
                    .iter()
                    .any(|&alg| o.bind(alg).is_ok() && e.bind(alg).is_ok())
        };
        if e.kid.is_some() && entries.iter().any(clash) {
            return Err(JwksError::KidRepeated(i + 1).into());
        }
        entries.push(e);
    }
    if entries.is_empty() {
        return Err(JwksError::NoUsableKey.into());
    }
    Ok(KeySet(Entries::Set(entries)))
}
