//! The extended API's reusable verifier: options checked once, keys parsed
//! once into a [`KeySet`] (a JWKS chosen from by the token's `kid`), then
//! the one pipeline, [`pipeline::verify`], with leeway, required claims and a
//! configurable `typ`. Also the explicitly unverified [`inspect_unverified`].
#![forbid(unsafe_code)]

use crate::alg::Algorithm;
use crate::error::{Error, OptionError};
use crate::keys::KeySet;
use crate::pipeline::claims::ClaimRules;
use crate::pipeline::{self, AlgRule, Decoded, Keys, Messages, Policy, Verified};
use serde_json::{Map, Value};

pub use crate::keys::MAX_JWKS_KEYS;
pub use crate::pipeline::claims::MAX_LEEWAY;

/// What a verifier is built from: the algorithms, the key, and the claim
/// rules, whose default ([`ClaimRules::DEFAULT`]) is 3.0's behaviour.
#[derive(Debug, Clone)]
pub struct Options {
    /// Accepted algorithms (at least one); the token's `alg` must be one.
    pub algs: Vec<Algorithm>,
    /// The key text: an HMAC secret, a PEM/DER key or certificate, a JWK, or
    /// a JWKS (`{"keys": [...]}`).
    pub key: Vec<u8>,
    /// `typ`, leeway, accepted issuers and audiences, required claims
    /// (default: [`ClaimRules::DEFAULT`]); checked by [`Verifier::new`].
    pub rules: ClaimRules<'static>,
}

impl Options {
    /// Options with the default claim rules: typ "JWT", no leeway, nothing
    /// checked or required.
    pub fn new(algs: Vec<Algorithm>, key: Vec<u8>) -> Options {
        Options {
            algs,
            key,
            rules: ClaimRules::default(),
        }
    }
}

/// A verifier built once from [`Options`] and used for many tokens.
#[derive(Debug)]
pub struct Verifier {
    algs: Vec<Algorithm>,
    keys: KeySet,
    rules: ClaimRules<'static>,
}

impl Verifier {
    /// Check the options and parse the key. Errors name the option; as
    /// [`Error::VerifierOption`] (`From`) they read `verifier: <reason>`.
    pub fn new(opts: Options) -> Result<Verifier, OptionError> {
        if opts.algs.is_empty() {
            return Err(OptionError::NoAlgorithm);
        }
        opts.rules.validate()?;
        let keys = KeySet::parse(&opts.key).map_err(OptionError::Key)?;
        // Every algorithm must have a key that can serve it, so a typo or a
        // wrong key shows now, not as "Invalid key" on the first login.
        for &alg in &opts.algs {
            keys.serves(alg).map_err(OptionError::Key)?;
        }
        Ok(Verifier {
            algs: opts.algs,
            keys,
            rules: opts.rules,
        })
    }

    /// Verify `token` at time `now` (whole seconds): [`pipeline::verify`] with
    /// this verifier's policy and keys. The checks and messages are
    /// `verify`'s (docs/contract.md §2 rows 7-22), then each required claim
    /// (`'<name>' claim is missing`), all under this verifier's [`ClaimRules`].
    pub(crate) fn check(&self, token_text: &[u8], now: i64) -> Result<Verified, Error> {
        let policy = Policy {
            algs: AlgRule::OneOf(&self.algs),
            rules: &self.rules,
            messages: Messages::Current,
        };
        pipeline::verify(token_text, &policy, Keys::Set(&self.keys), now)
    }

    /// [`Verifier::check`], giving the claims as a map.
    pub fn verify(&self, token_text: &[u8], now: i64) -> Result<Map<String, Value>, Error> {
        self.check(token_text, now)?.claims()
    }
}

/// Decode a token's header and claims WITHOUT verifying anything: not the
/// signature, not `exp`, not the issuer. For display and debugging only;
/// never base a decision on the result.
pub fn inspect_unverified(token_text: &[u8]) -> Result<Decoded, Error> {
    pipeline::split(token_text).and_then(|s| pipeline::decode_segments(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v3::encode;
    use crate::pipeline::claims::{Accepted, ClaimError};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    use crate::test_support::key;

    fn mint(claims: Value, key: &[u8], alg: Algorithm, kid: Option<&str>) -> String {
        let header = kid.map(|k| {
            let mut m = Map::new();
            m.insert("kid".into(), json!(k));
            m
        });
        encode(claims.as_object().unwrap(), key, alg, header.as_ref()).unwrap()
    }

    fn err(r: Result<Verifier, OptionError>) -> String {
        Error::from(r.err().unwrap()).to_string()
    }

    #[test]
    fn options_are_checked_when_built() {
        let o = |algs: Vec<Algorithm>, key: &[u8]| Options::new(algs, key.to_vec());
        assert_eq!(
            err(Verifier::new(o(vec![], b"s"))),
            "verifier: alg must name at least one algorithm"
        );
        let mut lee = o(vec![Algorithm::HS256], b"s");
        lee.rules.leeway = -1;
        assert!(err(Verifier::new(lee.clone())).contains("leeway"));
        lee.rules.leeway = MAX_LEEWAY + 1;
        assert!(err(Verifier::new(lee.clone())).contains("leeway"));
        lee.rules.leeway = MAX_LEEWAY;
        assert!(Verifier::new(lee).is_ok());
        assert!(err(Verifier::new(o(vec![Algorithm::HS256], b""))).starts_with("verifier: key: "));
        assert!(err(Verifier::new(o(vec![Algorithm::ES256], b"secret")))
            .contains("an HMAC secret cannot be used with ES256"));
        assert!(err(Verifier::new(o(
            vec![Algorithm::RS256, Algorithm::ES256],
            &key("rsa2048.pub.pem")
        )))
        .contains("cannot be used with ES256"));
        assert!(err(Verifier::new(o(
            vec![Algorithm::HS256],
            &key("rsa2048.pub.pem")
        )))
        .contains("cannot be used with HS256"));
        assert!(err(Verifier::new(o(
            vec![Algorithm::HS256],
            &key("jwks.pub.json")
        )))
        .contains("no key in the JWKS can be used with HS256"));
    }

    #[test]
    fn jwks_picks_by_kid() {
        let jwks = key("jwks.pub.json");
        let v = Verifier::new(Options::new(
            vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA],
            jwks,
        ))
        .unwrap();
        let claims = json!({"sub": "x"});
        let rs = mint(
            claims.clone(),
            &key("rsa2048.key.pem"),
            Algorithm::RS256,
            Some("rsa2048"),
        );
        assert!(v.verify(rs.as_bytes(), NOW).is_ok());
        let es = mint(
            claims.clone(),
            &key("ec-p256.key.pem"),
            Algorithm::ES256,
            Some("ec-p256"),
        );
        assert!(v.verify(es.as_bytes(), NOW).is_ok());
        let ed = mint(
            claims.clone(),
            &key("ed25519.key.pem"),
            Algorithm::EdDSA,
            Some("ed25519"),
        );
        assert!(v.verify(ed.as_bytes(), NOW).is_ok());
        // Signed by rsa2048 but naming rsa2048b's kid.
        let wrong = mint(
            claims.clone(),
            &key("rsa2048.key.pem"),
            Algorithm::RS256,
            Some("rsa2048b"),
        );
        assert_eq!(
            v.verify(wrong.as_bytes(), NOW),
            Err(Error::InvalidSignature)
        );
        let unknown = mint(
            claims.clone(),
            &key("rsa2048.key.pem"),
            Algorithm::RS256,
            Some("nope"),
        );
        assert_eq!(
            v.verify(unknown.as_bytes(), NOW).unwrap_err().to_string(),
            "Invalid key: no key in the JWKS has kid \"nope\""
        );
        // Issue 23: a 60,000-character kid is quoted short.
        let long = mint(
            claims.clone(),
            &key("rsa2048.key.pem"),
            Algorithm::RS256,
            Some(&"k".repeat(60_000)),
        );
        let said = v.verify(long.as_bytes(), NOW).unwrap_err().to_string();
        assert_eq!(
            said,
            format!(
                "Invalid key: no key in the JWKS has kid \"{}\"…(60000 bytes)",
                "k".repeat(64)
            )
        );
        // An ES256 token naming an RSA key's kid: the family rule holds.
        let cross = mint(
            claims.clone(),
            &key("ec-p256.key.pem"),
            Algorithm::ES256,
            Some("rsa2048"),
        );
        assert!(v
            .verify(cross.as_bytes(), NOW)
            .unwrap_err()
            .to_string()
            .contains("cannot be used with ES256"));
        // No kid: several RSA keys could apply.
        let no_kid = mint(claims, &key("rsa2048.key.pem"), Algorithm::RS256, None);
        assert!(v
            .verify(no_kid.as_bytes(), NOW)
            .unwrap_err()
            .to_string()
            .contains("no kid"));
    }

    /// A vector JWK with `extra` members set (or removed, for `null`).
    fn jwk_with(name: &str, extra: Value) -> Map<String, Value> {
        let mut jwk: Map<String, Value> = serde_json::from_slice(&key(name)).unwrap();
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                jwk.remove(k);
            } else {
                jwk.insert(k.clone(), v.clone());
            }
        }
        jwk
    }

    /// Issue 23: a JWK's `alg` and `use` hold on every path, with one rule.
    #[test]
    fn jwk_alg_and_use_hold_on_every_path() {
        let rs512 = mint(
            json!({"sub": "x"}),
            &key("rsa2048.key.pem"),
            Algorithm::RS512,
            None,
        );
        let rs256 = mint(
            json!({"sub": "x"}),
            &key("rsa2048.key.pem"),
            Algorithm::RS256,
            None,
        );
        let text = |m: Map<String, Value>| serde_json::to_vec(&m).unwrap();
        let for_rs256 = text(jwk_with("rsa2048.pub.jwk.json", json!({"alg": "RS256"})));
        let for_enc = text(jwk_with("rsa2048.pub.jwk.json", json!({"use": "enc"})));
        let for_sig = text(jwk_with(
            "rsa2048.pub.jwk.json",
            json!({"use": "sig", "alg": "RS512"}),
        ));
        let verify = |tok: &str, alg: &[u8], k: &[u8]| {
            crate::verify_3_0(tok.as_bytes(), alg, k, Accepted::default(), NOW)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let decode = |tok: &str, k: &[u8]| {
            crate::decode(tok.as_bytes(), k, NOW)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let verifier = |algs: Vec<Algorithm>, k: &[u8]| {
            Verifier::new(Options::new(algs, k.to_vec())).map_err(|e| Error::from(e).to_string())
        };
        let mismatch = "the JWK's \"alg\" is \"RS256\", not RS512";
        let not_sig = "the JWK's \"use\" is not \"sig\"";
        // verify (3.0): the caller's alg against the JWK's.
        assert_eq!(verify(&rs256, b"RS256", &for_rs256), Ok(()));
        assert_eq!(
            verify(&rs512, b"RS512", &for_rs256),
            Err(format!("Invalid key: {mismatch}"))
        );
        assert_eq!(
            verify(&rs256, b"RS256", &for_enc),
            Err(format!("Invalid key: {not_sig}"))
        );
        assert_eq!(verify(&rs512, b"RS512", &for_sig), Ok(()));
        // decode (2.0): the JWK's alg bounds the header's as the family does.
        assert_eq!(decode(&rs256, &for_rs256), Ok(()));
        assert_eq!(decode(&rs512, &for_rs256), Err("Invalid alg".to_owned()));
        assert_eq!(
            decode(&rs256, &for_enc),
            Err(format!("Invalid key: {not_sig}"))
        );
        assert_eq!(decode(&rs512, &for_sig), Ok(()));
        // jwt.verifier: refused when built, as before.
        assert_eq!(
            verifier(vec![Algorithm::RS512], &for_rs256).unwrap_err(),
            format!("verifier: key: {mismatch}")
        );
        assert_eq!(
            verifier(vec![Algorithm::RS256], &for_enc).unwrap_err(),
            format!("verifier: key: {not_sig}")
        );
        let v = verifier(vec![Algorithm::RS256], &for_rs256).unwrap();
        assert!(v.verify(rs256.as_bytes(), NOW).is_ok());
        assert_eq!(v.verify(rs512.as_bytes(), NOW), Err(Error::IncorrectAlg));
        // encode: a private JWK for RS256 does not sign RS512, nor one for "enc".
        let private = |extra| text(jwk_with("rsa2048.jwk.json", extra));
        let claims = json!({}).as_object().unwrap().clone();
        assert_eq!(
            encode(
                &claims,
                &private(json!({"alg": "RS256"})),
                Algorithm::RS512,
                None
            )
            .unwrap_err()
            .to_string(),
            format!("Not a private PEM key: {mismatch}")
        );
        assert!(encode(
            &claims,
            &private(json!({"alg": "RS256"})),
            Algorithm::RS256,
            None
        )
        .is_ok());
        assert!(encode(
            &claims,
            &private(json!({"use": "enc"})),
            Algorithm::RS256,
            None
        )
        .unwrap_err()
        .to_string()
        .ends_with(not_sig));
    }

    /// RFC 7517 §4.5: keys of different types may share a kid; kid and alg
    /// together choose.
    #[test]
    fn jwks_keys_of_different_types_may_share_a_kid() {
        let jwks =
            |keys: Vec<Map<String, Value>>| serde_json::to_vec(&json!({ "keys": keys })).unwrap();
        let shared = jwks(vec![
            jwk_with("rsa2048.pub.jwk.json", json!({"kid": "k1"})),
            jwk_with("ec-p256.pub.jwk.json", json!({"kid": "k1"})),
            jwk_with("ed25519.pub.jwk.json", json!({"kid": "k1"})),
        ]);
        let v = Verifier::new(Options::new(
            vec![
                Algorithm::RS256,
                Algorithm::ES256,
                Algorithm::EdDSA,
                Algorithm::ES384,
            ],
            shared.clone(),
        ));
        // ES384: no key at all serves it, so the build says so.
        assert_eq!(
            Error::from(v.unwrap_err()).to_string(),
            "verifier: key: no key in the JWKS can be used with ES384"
        );
        let v = Verifier::new(Options::new(
            vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA],
            shared,
        ))
        .unwrap();
        for (file, other, alg) in [
            ("rsa2048.key.pem", "rsa2048b.key.pem", Algorithm::RS256),
            ("ec-p256.key.pem", "ec-p256b.key.pem", Algorithm::ES256),
            ("ed25519.key.pem", "ed25519b.key.pem", Algorithm::EdDSA),
        ] {
            let tok = mint(json!({"sub": "x"}), &key(file), alg, Some("k1"));
            assert!(v.verify(tok.as_bytes(), NOW).is_ok(), "{}", alg.name());
            // Signed by another key of the same type: the key chosen refuses it.
            let forged = mint(json!({"sub": "x"}), &key(other), alg, Some("k1"));
            assert_eq!(
                v.verify(forged.as_bytes(), NOW),
                Err(Error::InvalidSignature)
            );
        }
        // Two RSA keys with one kid: RS256 could not choose, so the set is refused...
        let rsa_twice = jwks(vec![
            jwk_with("rsa2048.pub.jwk.json", json!({"kid": "k1"})),
            jwk_with("rsa2048b.pub.jwk.json", json!({"kid": "k1"})),
        ]);
        assert_eq!(
            Error::from(
                Verifier::new(Options::new(vec![Algorithm::RS256], rsa_twice)).unwrap_err()
            )
            .to_string(),
            "verifier: key: JWKS key 2: its kid is shared with a key for the same algorithm"
        );
        // ...unless their "alg" members part them: then kid and alg choose.
        let by_alg = jwks(vec![
            jwk_with("rsa2048.pub.jwk.json", json!({"kid": "k1", "alg": "RS256"})),
            jwk_with(
                "rsa2048b.pub.jwk.json",
                json!({"kid": "k1", "alg": "PS256"}),
            ),
        ]);
        let v = Verifier::new(Options::new(
            vec![Algorithm::RS256, Algorithm::PS256],
            by_alg,
        ))
        .unwrap();
        let rs = mint(
            json!({}),
            &key("rsa2048.key.pem"),
            Algorithm::RS256,
            Some("k1"),
        );
        let ps = mint(
            json!({}),
            &key("rsa2048b.key.pem"),
            Algorithm::PS256,
            Some("k1"),
        );
        let ps_wrong = mint(
            json!({}),
            &key("rsa2048.key.pem"),
            Algorithm::PS256,
            Some("k1"),
        );
        assert!(v.verify(rs.as_bytes(), NOW).is_ok());
        assert!(v.verify(ps.as_bytes(), NOW).is_ok());
        assert_eq!(
            v.verify(ps_wrong.as_bytes(), NOW),
            Err(Error::InvalidSignature)
        );
    }

    #[test]
    fn hs_tokens_cannot_borrow_a_jwks_public_key() {
        // An HS256 token MACed with a JWKS entry's text, naming its kid.
        let v = Verifier::new(Options::new(
            vec![Algorithm::HS256, Algorithm::RS256],
            br#"{"keys":[{"kty":"oct","kid":"h","k":"c2VrcjF0"},
                {"kty":"RSA","kid":"r","n":"tSRprDHwu3CIVPwsFlgEPg76bN9aCht8M_ptyjZ3EZ0_7lLZd8xFyOM9sBRDW71U-hGhl8ZVfpBZGsFxWmwozsQSE09d2Bq1wbiMqNPtD0P35Iq_5dCXIhowQjbyLuWVZP2TlP_LiaI9VYCQjDmo0lRAwA2fMof-3D0M8Sn9QWoWwzkAGauLSSZL4uuUBxoxX3d4INRiVWViAOUbwNSRox5Amot5wOj-NLqxiVvrCIsrLOOMIn46LiaLV5P18rxqPRaGg2ZoPtinNUiarZZ7RBo1Jy4E2dD0uXGHLDCncso2GR55EIhOZaLBw7lkdI4RIiMACYAAt53fb6eA1nbZWQ","e":"AQAB"}]}"#
                .to_vec(),
        ))
        .unwrap();
        let good = mint(json!({}), b"sekr1t", Algorithm::HS256, Some("h"));
        assert!(v.verify(good.as_bytes(), NOW).is_ok());
        let forged = mint(json!({}), b"anything", Algorithm::HS256, Some("r"));
        assert!(matches!(
            v.verify(forged.as_bytes(), NOW),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn claim_options_at_their_edges() {
        let mut o = Options::new(vec![Algorithm::HS256], b"s3cret".to_vec());
        o.rules.leeway = 30;
        o.rules.required = vec!["room".into(), "sub".into()].into();
        o.rules.audiences = Some(vec![json!("jitsi")].into());
        o.rules.issuers = Some(vec![json!("app")].into());
        let v = Verifier::new(o).unwrap();
        let t = |c: Value| mint(c, b"s3cret", Algorithm::HS256, None);
        let base = json!({"iss": "app", "aud": ["x", "jitsi"], "room": "*", "sub": "d",
            "exp": NOW, "nbf": NOW + 100});
        let tok = t(base.clone());
        assert!(v.verify(tok.as_bytes(), NOW + 29).is_err()); // nbf still ahead
        assert!(v.verify(tok.as_bytes(), NOW + 70).is_err()); // exp + 30 passed
        let mut ok = base.clone();
        ok["nbf"] = json!(NOW + 30);
        let tok = t(ok.clone());
        assert!(v.verify(tok.as_bytes(), NOW).is_ok()); // nbf - 30 == now
        assert!(v.verify(tok.as_bytes(), NOW + 29).is_ok()); // exp + 30 > now
        assert_eq!(
            v.verify(tok.as_bytes(), NOW + 30).unwrap_err().to_string(),
            "Not acceptable by exp (30 sec since expired)"
        );
        assert_eq!(
            v.verify(tok.as_bytes(), NOW - 1),
            Err(Error::Claim(ClaimError::NotYetValid))
        );
        let mut no_room = ok.clone();
        no_room.as_object_mut().unwrap().remove("room");
        assert_eq!(
            v.verify(t(no_room).as_bytes(), NOW)
                .unwrap_err()
                .to_string(),
            "'room' claim is missing"
        );
        let mut other_aud = ok.clone();
        other_aud["aud"] = json!(["x", "y"]);
        assert_eq!(
            v.verify(t(other_aud).as_bytes(), NOW),
            Err(Error::Claim(ClaimError::AudienceInvalid))
        );
    }

    #[test]
    fn typ_option_and_alg_list() {
        let mut o = Options::new(vec![Algorithm::HS256], b"s3cret".to_vec());
        o.rules.typ = None;
        let v = Verifier::new(o).unwrap();
        // {"alg":"HS256"} without typ, signed with s3cret.
        let header = crate::base64url::encode(br#"{"alg":"HS256"}"#);
        let input = format!("{header}.e30");
        let mac = crate::signature::hmac_tag(crate::alg::Hash::Sha256, b"s3cret", input.as_bytes());
        let tok = format!("{input}.{}", crate::base64url::encode(&mac));
        assert!(v.verify(tok.as_bytes(), NOW).is_ok());
        let strict =
            Verifier::new(Options::new(vec![Algorithm::HS256], b"s3cret".to_vec())).unwrap();
        assert_eq!(strict.verify(tok.as_bytes(), NOW), Err(Error::InvalidTyp));
        let hs384 = mint(json!({}), b"s3cret", Algorithm::HS384, None);
        assert_eq!(
            strict.verify(hs384.as_bytes(), NOW),
            Err(Error::IncorrectAlg)
        );
    }

    #[test]
    fn inspect_does_not_verify() {
        let tok = mint(json!({"room": "r"}), b"s3cret", Algorithm::HS256, Some("k"));
        let d = inspect_unverified(tok.as_bytes()).unwrap();
        assert_eq!(d.header["kid"], json!("k"));
        assert_eq!(d.payload["room"], json!("r"));
        assert_eq!(inspect_unverified(b"a.b"), Err(Error::InvalidToken));
    }
}
