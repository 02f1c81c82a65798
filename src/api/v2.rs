//! `decode(token, key [, verify])`: the 1.x/2.0 API that jitsi-meet called
//! before April 2022 (docs/contract.md §4).
#![forbid(unsafe_code)]

use crate::error::Error;
use crate::pipeline::{self, Keys, Policy};
use serde_json::{Map, Value};

/// Verify `token` with `key`, taking the algorithm from the token's header,
/// at time `now`: [`pipeline::verify`] under [`Policy::legacy`]. The key
/// decides which algorithms are allowed: a secret only HS*, an RSA key RS*
/// and PS*, an EC key its curve's ES*, an Ed25519 key EdDSA (an ES* of
/// another curve is `Invalid alg`). That closes the HS/RS confusion 2.0's
/// `decode` allowed. Messages are 2.0's (`Invalid json`, `Invalid alg`,
/// `Not acceptable by exp`, ...). No `iss`/`aud` checks, as in 2.0.
///
/// COMPAT(decode-verified): 2.0 decoded without verification when asked;
/// this always verifies. COMPAT(decode-key-family): the key's family limits
/// the header's alg.
pub fn decode(token_text: &[u8], key: &[u8], now: i64) -> Result<Map<String, Value>, Error> {
    pipeline::verify(token_text, &Policy::legacy(), Keys::Bytes(key), now)?
        .claims()
        .map_err(Error::into_legacy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Algorithm;
    use crate::api::v3::encode;
    use crate::pipeline::claims::ClaimError;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    use crate::test_support::key;

    fn mint(claims: Value, key: &[u8], alg: Algorithm) -> String {
        encode(claims.as_object().unwrap(), key, alg, None).unwrap()
    }

    #[test]
    fn the_key_decides_the_family() {
        let claims = json!({"sub": "x", "exp": NOW + 60});
        let hs = mint(claims.clone(), b"sekr1t", Algorithm::HS256);
        assert_eq!(
            decode(hs.as_bytes(), b"sekr1t", NOW).unwrap(),
            *claims.as_object().unwrap()
        );
        let rs = mint(claims.clone(), &key("rsa2048.key.pem"), Algorithm::RS512);
        assert!(decode(rs.as_bytes(), &key("rsa2048.pub.pem"), NOW).is_ok());
        assert!(decode(rs.as_bytes(), &key("rsa2048.crt.der"), NOW).is_ok());
        // An RS token with a secret, and an HS token MACed with the public
        // PEM's bytes checked with that PEM: both outside the key's family.
        assert_eq!(
            decode(rs.as_bytes(), b"sekr1t", NOW),
            Err(Error::InvalidAlg)
        );
        let pem = key("rsa2048.pub.pem");
        let forged = {
            let mut t = mint(claims, b"placeholder", Algorithm::HS256);
            t.truncate(t.rfind('.').unwrap());
            let mac = crate::signature::hmac_tag(crate::alg::Hash::Sha256, &pem, t.as_bytes());
            format!("{t}.{}", crate::base64url::encode(&mac))
        };
        assert_eq!(decode(forged.as_bytes(), &pem, NOW), Err(Error::InvalidAlg));
        assert!(matches!(
            decode(hs.as_bytes(), b"-----BEGIN PUBLIC KEY-----", NOW),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn new_families_decode_and_stay_in_their_lane() {
        let claims = json!({"sub": "x", "exp": NOW + 60});
        let es256 = mint(claims.clone(), &key("ec-p256.key.pem"), Algorithm::ES256);
        let es384 = mint(claims.clone(), &key("ec-p384.key.pem"), Algorithm::ES384);
        let eddsa = mint(claims.clone(), &key("ed25519.key.pem"), Algorithm::EdDSA);
        let ps256 = mint(claims.clone(), &key("rsa2048.key.pem"), Algorithm::PS256);
        assert!(decode(es256.as_bytes(), &key("ec-p256.pub.jwk.json"), NOW).is_ok());
        assert!(decode(es384.as_bytes(), &key("ec-p384.pub.pem"), NOW).is_ok());
        assert!(decode(eddsa.as_bytes(), &key("ed25519.crt.pem"), NOW).is_ok());
        assert!(decode(ps256.as_bytes(), &key("rsa2048.pub.pem"), NOW).is_ok());
        // Another curve, another family, a secret: all outside the key's lane.
        for (token, k) in [
            (&es384, key("ec-p256.pub.pem")),
            (&es256, key("ed25519.pub.pem")),
            (&eddsa, key("rsa2048.pub.pem")),
            (&ps256, key("ec-p256.pub.pem")),
            (&es256, b"sekr1t".to_vec()),
        ] {
            assert_eq!(decode(token.as_bytes(), &k, NOW), Err(Error::InvalidAlg));
        }
    }

    #[test]
    fn legacy_messages() {
        let expired = mint(
            json!({"exp": NOW - 1, "iat": NOW - 100}),
            b"s",
            Algorithm::HS256,
        );
        assert_eq!(
            decode(expired.as_bytes(), b"s", NOW),
            Err(Error::ExpiredLegacy)
        );
        let early = mint(json!({"nbf": NOW + 1}), b"s", Algorithm::HS256);
        assert_eq!(
            decode(early.as_bytes(), b"s", NOW),
            Err(Error::Claim(ClaimError::NotYetValid))
        );
        let exp_string = mint(json!({"exp": "soon"}), b"s", Algorithm::HS256);
        assert_eq!(
            decode(exp_string.as_bytes(), b"s", NOW),
            Err(Error::Claim(ClaimError::ExpNotNumber))
        );
        assert_eq!(decode(b"a.b", b"s", NOW), Err(Error::InvalidToken));
        assert_eq!(decode(b"!!.e30.", b"s", NOW), Err(Error::InvalidJson));
        assert_eq!(decode(b"e30.!!.", b"s", NOW), Err(Error::InvalidJson));
        assert_eq!(
            decode(expired.as_bytes(), b"other", NOW),
            Err(Error::InvalidSignature)
        );
        // e30 = {}: no typ. eyJ0eXAiOiJKV1QifQ = {"typ":"JWT"}: no alg.
        assert_eq!(decode(b"e30.e30.", b"s", NOW), Err(Error::InvalidTyp));
        assert_eq!(
            decode(b"eyJ0eXAiOiJKV1QifQ.e30.", b"s", NOW),
            Err(Error::InvalidAlg)
        );
        // {"typ":"JWT","alg":"none"}
        let none = format!(
            "{}.e30.",
            crate::base64url::encode(br#"{"typ":"JWT","alg":"none"}"#)
        );
        assert_eq!(
            decode(none.as_bytes(), b"s", NOW),
            Err(Error::AlgorithmNotSupported)
        );
    }
}
