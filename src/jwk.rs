//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037): RSA, EC (P-256, P-384,
//! P-521) and OKP (Ed25519) keys, public or private, and `oct` secrets for
//! the extended API. A JWK reaches [`crate::keys`] as JSON text and becomes
//! the same [`AsymmetricKey`] a PEM would, so caching, the key-family rule
//! and signing work unchanged.
#![forbid(unsafe_code)]

use crate::keys::{self, AsymmetricKey, Curve, PrivatePart, PublicKey};
use crate::{base64url, json};
use serde_json::{Map, Value};

/// One parsed JWK with the members that decide where it may be used.
#[derive(Debug)]
pub struct Jwk {
    /// `kid`, when the JWK has one as a string.
    pub kid: Option<String>,
    /// `alg`, when given: the only algorithm the key may be used with.
    pub alg: Option<String>,
    /// `use`, when given (`"sig"` for signing keys).
    pub usage: Option<String>,
    /// The key itself.
    pub material: Material,
}

/// What a JWK holds.
#[derive(Debug)]
pub enum Material {
    /// An RSA, EC or OKP key.
    Asymmetric(AsymmetricKey),
    /// An `oct` key: an HMAC secret (never empty).
    Secret(Vec<u8>),
}

/// Whether `key` is JSON text for a JWK or JWKS: an object with a `kty` or
/// `keys` member, after optional whitespace (the caller drops a byte-order
/// mark). Used by the HMAC guard, [`crate::keys::key_shape`].
pub fn looks_like_jwk(key: &[u8]) -> bool {
    let trimmed = key.trim_ascii();
    trimmed.starts_with(b"{")
        && json::parse_object(trimmed)
            .is_some_and(|o| o.contains_key("kty") || o.contains_key("keys"))
}

/// Parse JWK text as an asymmetric key, for the 3.0-compatible functions.
/// A JWKS or an `oct` key is refused there: the JWKS needs the token's
/// `kid` (the extended API's verifier does that), and an HMAC secret is
/// passed raw.
pub fn parse_asymmetric(text: &[u8]) -> Result<AsymmetricKey, String> {
    let obj = json::parse_object(text).ok_or("not a JSON object (JWK)")?;
    if obj.contains_key("keys") && !obj.contains_key("kty") {
        return Err("a JWKS needs jwt.verifier, which picks the key by the token's kid".to_owned());
    }
    match parse(&obj)?.material {
        Material::Asymmetric(key) => Ok(key),
        Material::Secret(_) => Err("an \"oct\" JWK is an HMAC secret, not a public key".to_owned()),
    }
}

/// Parse one JWK object.
pub fn parse(obj: &Map<String, Value>) -> Result<Jwk, String> {
    let text = |name: &str| -> Result<Option<String>, String> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("JWK member \"{name}\" must be a string")),
        }
    };
    let kty = text("kty")?.ok_or("JWK without \"kty\"")?;
    let material = match kty.as_str() {
        "RSA" => rsa(obj)?,
        "EC" => ec(obj)?,
        "OKP" => okp(obj)?,
        "oct" => {
            let k = bytes(obj, "k")?;
            if k.is_empty() {
                return Err("an empty \"oct\" key would let anyone mint tokens".to_owned());
            }
            // The same rule as a raw secret: an "oct" JWK whose k is a key
            // file's bytes must not turn a key into an HMAC secret.
            keys::check_hmac_secret(&k).map_err(|why| format!("the \"oct\" JWK's \"k\": {why}"))?;
            Material::Secret(k)
        }
        other => return Err(format!("unsupported JWK kty \"{other}\"")),
    };
    Ok(Jwk {
        kid: text("kid")?,
        alg: text("alg")?,
        usage: text("use")?,
        material,
    })
}

/// A base64url member, required.
fn bytes(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    match obj.get(name) {
        Some(Value::String(s)) => base64url::decode(s.as_bytes())
            .ok_or_else(|| format!("JWK member \"{name}\" is not base64url")),
        Some(_) => Err(format!("JWK member \"{name}\" must be a string")),
        None => Err(format!("JWK without \"{name}\"")),
    }
}

/// A base64url member of exactly `len` bytes (RFC 7518 §6.2.1.2: EC
/// coordinates and `d` are the full field length).
fn fixed(obj: &Map<String, Value>, name: &str, len: usize) -> Result<Vec<u8>, String> {
    let b = bytes(obj, name)?;
    if b.len() != len {
        return Err(format!(
            "JWK member \"{name}\" must have {len} bytes, it has {}",
            b.len()
        ));
    }
    Ok(b)
}

fn rsa(obj: &Map<String, Value>) -> Result<Material, String> {
    let public = keys::rsa_components(&bytes(obj, "n")?, &bytes(obj, "e")?)?;
    if !obj.contains_key("d") {
        return Ok(Material::Asymmetric(AsymmetricKey::public_only(public)));
    }
    if obj.contains_key("oth") {
        return Err("RSA JWKs with more than two primes (\"oth\") are not supported".to_owned());
    }
    let mut parts = [const { Vec::new() }; 6];
    for (slot, name) in parts.iter_mut().zip(["d", "p", "q", "dp", "dq", "qi"]) {
        *slot = keys::strip_zeros(&bytes(obj, name)?).to_vec();
    }
    Ok(Material::Asymmetric(AsymmetricKey::with_private(
        public,
        PrivatePart::RsaComponents(Box::new(parts)),
    )))
}

fn ec(obj: &Map<String, Value>) -> Result<Material, String> {
    let curve = match obj.get("crv").and_then(Value::as_str) {
        Some("P-256") => Curve::P256,
        Some("P-384") => Curve::P384,
        Some("P-521") => Curve::P521,
        Some(other) => return Err(format!("unsupported JWK curve \"{other}\"")),
        None => return Err("EC JWK without \"crv\"".to_owned()),
    };
    let len = curve.field_len();
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    point.extend_from_slice(&fixed(obj, "x", len)?);
    point.extend_from_slice(&fixed(obj, "y", len)?);
    let public = PublicKey::Ec { curve, point };
    Ok(Material::Asymmetric(if obj.contains_key("d") {
        AsymmetricKey::with_private(public, PrivatePart::EcScalar(fixed(obj, "d", len)?))
    } else {
        AsymmetricKey::public_only(public)
    }))
}

fn okp(obj: &Map<String, Value>) -> Result<Material, String> {
    match obj.get("crv").and_then(Value::as_str) {
        Some("Ed25519") => {}
        Some(other) => return Err(format!("unsupported OKP curve \"{other}\" (only Ed25519)")),
        None => return Err("OKP JWK without \"crv\"".to_owned()),
    }
    let x = fixed(obj, "x", 32)?;
    if !obj.contains_key("d") {
        return Ok(Material::Asymmetric(AsymmetricKey::public_only(
            PublicKey::Ed25519(x),
        )));
    }
    let key = keys::ed25519_private(&fixed(obj, "d", 32)?)?;
    if key.public != PublicKey::Ed25519(x) {
        return Err("the Ed25519 private key does not match \"x\"".to_owned());
    }
    Ok(Material::Asymmetric(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::key as key_text;

    #[test]
    fn jwk_and_pem_give_the_same_public_key() {
        for (jwk, pem) in [
            ("rsa2048.pub.jwk.json", "rsa2048.pub.pem"),
            ("rsa2048.jwk.json", "rsa2048.pub.pem"),
            ("ec-p256.pub.jwk.json", "ec-p256.pub.pem"),
            ("ec-p384.jwk.json", "ec-p384.pub.pem"),
            ("ec-p521.jwk.json", "ec-p521.pub.pem"),
            ("ed25519.jwk.json", "ed25519.pub.pem"),
            ("ed25519.pub.jwk.json", "ed25519.pub.pem"),
        ] {
            let a = parse_asymmetric(&key_text(jwk)).unwrap();
            let b = keys::parse(&key_text(pem)).unwrap();
            assert_eq!(a.public, b.public, "{jwk}");
        }
    }

    #[test]
    fn private_jwks_build_signers() {
        for name in [
            "rsa2048.jwk.json",
            "ec-p256.jwk.json",
            "ec-p384.jwk.json",
            "ec-p521.jwk.json",
            "ed25519.jwk.json",
        ] {
            let key = parse_asymmetric(&key_text(name)).unwrap();
            assert!(key.is_private(), "{name}");
            assert!(key.signer().is_ok(), "{name}: {:?}", key.signer().err());
        }
        let public = parse_asymmetric(&key_text("ec-p256.pub.jwk.json")).unwrap();
        assert!(public.signer().is_err());
    }

    #[test]
    fn refusals() {
        let cases: &[(&str, &str)] = &[
            (r#"{"keys":[]}"#, "JWKS"),
            (r#"{"kty":"oct","k":"c2VrcjF0"}"#, "HMAC secret"),
            (r#"{"kty":"oct","k":""}"#, "empty"),
            (
                r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
                "32 bytes",
            ),
            (
                r#"{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}"#,
                "curve",
            ),
            (r#"{"kty":"OKP","crv":"Ed448","x":"AA"}"#, "Ed25519"),
            (r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#, "Ed25519"),
            (r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#, "1024 bits"),
            (r#"{"kty":"RSA","e":"AQAB"}"#, "\"n\""),
            (r#"{"kty":"EC","crv":"P-256","x":1,"y":"AA"}"#, "string"),
            (r#"{"kty":"XYZ"}"#, "kty"),
            (r#"{"kty":"OKP","crv":"Ed25519","x":"+/8"}"#, "base64url"),
        ];
        for (text, reason) in cases {
            let err = parse_asymmetric(text.as_bytes()).unwrap_err();
            assert!(err.contains(reason), "{text}: {err}");
        }
        // A private Ed25519 JWK whose x belongs to another key.
        let mut mixed: Map<String, Value> =
            serde_json::from_slice(&key_text("ed25519.jwk.json")).unwrap();
        let other: Map<String, Value> =
            serde_json::from_slice(&key_text("ed25519b.pub.jwk.json")).unwrap();
        mixed.insert("x".into(), other["x"].clone());
        assert!(parse(&mixed).unwrap_err().contains("does not match"));
        // A private EC JWK whose d belongs to another key: refused when signing.
        let mut mixed: Map<String, Value> =
            serde_json::from_slice(&key_text("ec-p256.jwk.json")).unwrap();
        let other: Map<String, Value> =
            serde_json::from_slice(&key_text("ec-p256b.jwk.json")).unwrap();
        mixed.insert("d".into(), other["d"].clone());
        let Material::Asymmetric(key) = parse(&mixed).unwrap().material else {
            panic!("EC JWK parsed as a secret")
        };
        assert!(key.signer().is_err());
    }

    #[test]
    fn shape() {
        assert!(looks_like_jwk(br#" {"kty":"RSA"} "#));
        assert!(looks_like_jwk(br#"{"keys":[]}"#));
        assert!(!looks_like_jwk(br#"{"k":"v"}"#));
        assert!(!looks_like_jwk(b"{not json"));
        assert!(!looks_like_jwk(b"sekr1t"));
    }

    /// Issue 12: an `oct` JWK's `k` passes the same rule as a raw secret.
    #[test]
    fn oct_k_that_is_a_key_file_is_refused() {
        let pem = key_text("rsa2048.pub.pem");
        let bom_pem = [&b"\xEF\xBB\xBF"[..], &pem].concat();
        for k in [pem, bom_pem] {
            let jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, base64url::encode(&k));
            let obj = json::parse_object(jwk.as_bytes()).unwrap();
            let err = parse(&obj).unwrap_err();
            assert!(err.starts_with("the \"oct\" JWK's \"k\": "), "{err}");
        }
    }
}
