//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037): RSA, EC (the curves of
//! `alg`'s table) and OKP (Ed25519) keys, public or private, and `oct` secrets for
//! the extended API. A JWK becomes the same [`AsymmetricKey`] a PEM would,
//! so caching, the key-family rule and signing work unchanged. An `oct`
//! key's `k` goes through the HMAC secret rule the caller passes in (the
//! one rule, [`super::HmacSecret::new`]), so this reader needs nothing
//! from the classification that itself asks this reader.
#![forbid(unsafe_code)]

use super::asymmetric::{AsymmetricKey, PrivatePart, PublicKey};
use super::der;
use super::error::{JwkError, KeyError};
use crate::alg::Curve;
use crate::{base64url, json};
use serde_json::{Map, Value};

/// One parsed JWK with the members that decide where it may be used; `S`
/// is what the secret rule makes of an `oct` key's `k`.
#[derive(Debug)]
pub struct Jwk<S> {
    /// `kid`, when the JWK has one as a string.
    pub kid: Option<String>,
    /// `alg`, when given: the only algorithm the key may be used with.
    pub alg: Option<String>,
    /// The key itself.
    pub material: Material<S>,
}

/// What a JWK holds.
#[derive(Debug)]
pub enum Material<S> {
    /// An RSA, EC or OKP key.
    Asymmetric(AsymmetricKey),
    /// An `oct` key: an HMAC secret (never empty), as the secret rule made it.
    Secret(S),
}

/// Parse JWK text as an asymmetric key, for the 3.0-compatible functions.
/// A JWKS or an `oct` key is refused there: the JWKS needs the token's
/// `kid` (the extended API's verifier does that), and an HMAC secret is
/// passed raw.
pub fn parse_asymmetric<S>(
    text: &[u8],
    secret: impl Fn(&[u8]) -> Result<S, KeyError>,
) -> Result<AsymmetricKey, KeyError> {
    let obj = json::parse_object(text).ok_or(JwkError::NotObject)?;
    if obj.contains_key("keys") && !obj.contains_key("kty") {
        return Err(JwkError::JwksNeedsVerifier.into());
    }
    match parse(&obj, secret)?.material {
        Material::Asymmetric(key) => Ok(key),
        Material::Secret(_) => Err(JwkError::OctNotPublic.into()),
    }
}

/// Parse one JWK object; `secret` is the HMAC secret rule, applied to an
/// `oct` key's `k`.
pub fn parse<S>(
    obj: &Map<String, Value>,
    secret: impl Fn(&[u8]) -> Result<S, KeyError>,
) -> Result<Jwk<S>, KeyError> {
    let text = |name: &'static str| -> Result<Option<String>, KeyError> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(JwkError::MemberType(name).into()),
        }
    };
    let kty = text("kty")?.ok_or(JwkError::Missing("kty"))?;
    let material = match kty.as_str() {
        "RSA" => rsa(obj)?,
        "EC" => ec(obj)?,
        "OKP" => okp(obj)?,
        "oct" => {
            let k = bytes(obj, "k")?;
            if k.is_empty() {
                return Err(JwkError::EmptyOct.into());
            }
            // The same rule as a raw secret: an "oct" JWK whose k is a key
            // file's bytes must not turn a key into an HMAC secret.
            Material::Secret(secret(&k).map_err(|why| JwkError::OctIsKey(Box::new(why)))?)
        }
        other => return Err(JwkError::UnsupportedKty(other.to_owned()).into()),
    };
    let alg = text("alg")?;
    // RFC 7517 §4.2: "sig" keys verify signatures; a key for another use
    // is refused on every path (a JWKS leaves such keys out first).
    if text("use")?.is_some_and(|u| u != "sig") {
        return Err(JwkError::UseNotSig.into());
    }
    let material = match material {
        Material::Asymmetric(key) => Material::Asymmetric(key.limited_to(alg.clone())),
        secret @ Material::Secret(_) => secret,
    };
    Ok(Jwk {
        kid: text("kid")?,
        alg,
        material,
    })
}

/// A base64url member, required.
fn bytes(obj: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    match obj.get(name) {
        Some(Value::String(s)) => {
            base64url::decode(s.as_bytes()).ok_or(KeyError::Jwk(JwkError::Base64(name)))
        }
        Some(_) => Err(JwkError::MemberType(name).into()),
        None => Err(JwkError::Missing(name).into()),
    }
}

/// A base64url member of exactly `len` bytes (RFC 7518 §6.2.1.2: EC
/// coordinates and `d` are the full field length).
fn fixed(obj: &Map<String, Value>, name: &'static str, len: usize) -> Result<Vec<u8>, KeyError> {
    let b = bytes(obj, name)?;
    if b.len() != len {
        return Err(KeyError::Jwk(JwkError::Length {
            name,
            len,
            got: b.len(),
        }));
    }
    Ok(b)
}

fn rsa<S>(obj: &Map<String, Value>) -> Result<Material<S>, KeyError> {
    let public = der::rsa_components(&bytes(obj, "n")?, &bytes(obj, "e")?)?;
    if !obj.contains_key("d") {
        return Ok(Material::Asymmetric(AsymmetricKey::public_only(public)));
    }
    if obj.contains_key("oth") {
        return Err(JwkError::RsaMultiPrime.into());
    }
    let mut parts = [const { Vec::new() }; 6];
    for (slot, name) in parts.iter_mut().zip(["d", "p", "q", "dp", "dq", "qi"]) {
        *slot = der::strip_zeros(&bytes(obj, name)?).to_vec();
    }
    Ok(Material::Asymmetric(AsymmetricKey::with_private(
        public,
        PrivatePart::RsaComponents(Box::new(parts)),
    )))
}

fn ec<S>(obj: &Map<String, Value>) -> Result<Material<S>, KeyError> {
    let crv = obj
        .get("crv")
        .and_then(Value::as_str)
        .ok_or(JwkError::EcNoCrv)?;
    let curve =
        Curve::from_jwk_name(crv).ok_or_else(|| JwkError::UnsupportedCurve(crv.to_owned()))?;
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

fn okp<S>(obj: &Map<String, Value>) -> Result<Material<S>, KeyError> {
    match obj.get("crv").and_then(Value::as_str) {
        Some("Ed25519") => {}
        Some(other) => return Err(JwkError::UnsupportedOkpCurve(other.to_owned()).into()),
        None => return Err(JwkError::OkpNoCrv.into()),
    }
    let x = fixed(obj, "x", 32)?;
    if !obj.contains_key("d") {
        return Ok(Material::Asymmetric(AsymmetricKey::public_only(
            PublicKey::Ed25519(x),
        )));
    }
    let key = der::ed25519_private(&fixed(obj, "d", 32)?)?;
    if key.public != PublicKey::Ed25519(x) {
        return Err(JwkError::Ed25519Mismatch.into());
    }
    Ok(Material::Asymmetric(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{self, HmacSecret};

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
            let a = parse_asymmetric(&key_text(jwk), HmacSecret::new).unwrap();
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
            let key = parse_asymmetric(&key_text(name), HmacSecret::new).unwrap();
            assert!(key.is_private(), "{name}");
            assert!(key.signer().is_ok(), "{name}: {:?}", key.signer().err());
        }
        let public = parse_asymmetric(&key_text("ec-p256.pub.jwk.json"), HmacSecret::new).unwrap();
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
            let err = parse_asymmetric(text.as_bytes(), HmacSecret::new).unwrap_err();
            assert!(err.to_string().contains(reason), "{text}: {err}");
        }
        // A private Ed25519 JWK whose x belongs to another key.
        let mut mixed: Map<String, Value> =
            serde_json::from_slice(&key_text("ed25519.jwk.json")).unwrap();
        let other: Map<String, Value> =
            serde_json::from_slice(&key_text("ed25519b.pub.jwk.json")).unwrap();
        mixed.insert("x".into(), other["x"].clone());
        assert!(parse(&mixed, HmacSecret::new)
            .unwrap_err()
            .to_string()
            .contains("does not match"));
        // A private EC JWK whose d belongs to another key: refused when signing.
        let mut mixed: Map<String, Value> =
            serde_json::from_slice(&key_text("ec-p256.jwk.json")).unwrap();
        let other: Map<String, Value> =
            serde_json::from_slice(&key_text("ec-p256b.jwk.json")).unwrap();
        mixed.insert("d".into(), other["d"].clone());
        let Material::Asymmetric(key) = parse(&mixed, HmacSecret::new).unwrap().material else {
            panic!("EC JWK parsed as a secret")
        };
        assert!(key.signer().is_err());
    }

    /// Issue 12: an `oct` JWK's `k` passes the same rule as a raw secret.
    #[test]
    fn oct_k_that_is_a_key_file_is_refused() {
        let pem = key_text("rsa2048.pub.pem");
        let bom_pem = [&b"\xEF\xBB\xBF"[..], &pem].concat();
        for k in [pem, bom_pem] {
            let jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, base64url::encode(&k));
            let obj = json::parse_object(jwk.as_bytes()).unwrap();
            let err = parse(&obj, HmacSecret::new).unwrap_err().to_string();
            assert!(err.starts_with("the \"oct\" JWK's \"k\": "), "{err}");
        }
    }
}
