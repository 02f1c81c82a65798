//! The one verification pipeline, [`verify`], in the order of
//! docs/contract.md §2 (rows 6-22; rows 1-5 are the binding's):
//!
//! 1. [`split`]: three segments;
//! 2. [`header`]: the header's `crit` and `b64`, then `typ` and the
//!    algorithm by the [`Policy`]'s [`AlgRule`];
//! 3. the key ([`crate::keys`]): from the call's bytes or a [`KeySet`];
//! 4. the signature ([`crate::signature`]);
//! 5. [`claims`]: the registered claims, then the required ones;
//! 6. the value: [`Verified`], the payload's checked JSON text.
//!
//! Its callers ([`crate::api`]: 3.0's `verify`, 2.0's `decode`,
//! `jwt.verifier`; the Lua binding and the CLI through them) differ only in
//! their [`Policy`] and where their [`Keys`] come from.
#![forbid(unsafe_code)]

pub(crate) mod claims;
pub(crate) mod header;
pub(crate) mod split;

use crate::alg::{Algorithm, Family};
use crate::error::Error;
use crate::keys::{self, Key, KeySet, KeyShape};
use crate::{base64url, json, signature};
use claims::{ClaimRules, Registered};
use serde_json::{Map, Value};
pub use split::{decode_segments, split, Decoded, MAX_TOKEN_LEN};

/// Which algorithms a token may use: the one choice that differs between
/// 3.0's `verify`, 2.0's `decode` and the extended API's verifier.
#[derive(Debug, Clone, Copy)]
pub enum AlgRule<'a> {
    /// The caller's one algorithm (3.0 `verify`): the header's `alg` must be
    /// exactly its name, else `Invalid or incorrect alg`.
    Exactly(Algorithm),
    /// One of a list (`jwt.verifier`): any other or unknown `alg` is
    /// `Invalid or incorrect alg`.
    OneOf(&'a [Algorithm]),
    /// The header's algorithm, within the key's family (2.0 `decode`):
    /// `Invalid alg` when it is missing or outside the family, `Algorithm
    /// not supported` when unknown.
    KeyFamily,
}

/// Which message set a failure is told in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Messages {
    /// 3.0's (`Invalid header`, `Not acceptable by exp (...)`, ...).
    Current,
    /// 2.0's `decode` (`Invalid json`, `Not acceptable by exp`).
    Legacy,
}

/// Everything a verification allows or demands, apart from the key: the
/// algorithm rule, the claim rules (borrowed: building a policy copies
/// nothing) and the message set.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// Which algorithms are allowed.
    pub algs: AlgRule<'a>,
    /// `typ`, the registered claims and the required ones (3.0:
    /// [`ClaimRules::DEFAULT`] with the caller's lists).
    pub rules: &'a ClaimRules<'a>,
    /// The message set.
    pub messages: Messages,
}

impl<'a> Policy<'a> {
    /// 3.0's `verify(token, alg, key, acceptedIssuers, acceptedAudiences)`:
    /// `rules` is [`ClaimRules::accepting`] the caller's lists.
    pub fn v3(alg: Algorithm, rules: &'a ClaimRules<'a>) -> Policy<'a> {
        Policy {
            algs: AlgRule::Exactly(alg),
            rules,
            messages: Messages::Current,
        }
    }

    /// 2.0's `decode(token, key)`: the key's family decides the algorithm,
    /// the default rules (no `iss`/`aud` checks), 2.0's messages.
    pub fn legacy() -> Policy<'static> {
        Policy {
            algs: AlgRule::KeyFamily,
            rules: &ClaimRules::DEFAULT,
            messages: Messages::Legacy,
        }
    }
}

/// Where the key comes from.
#[derive(Debug, Clone, Copy)]
pub enum Keys<'a> {
    /// Key bytes given with the call (3.0 `verify`, 2.0 `decode`): read for
    /// the algorithm when the key step is reached, through the cache.
    Bytes(&'a [u8]),
    /// A key set parsed once (the verifier): the token's `alg` and `kid`
    /// choose.
    Set(&'a KeySet),
}

/// A token whose signature and claims held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    payload: Vec<u8>,
}

impl Verified {
    /// The payload: decoded, strictly checked JSON text of one object, so a
    /// caller can build its own representation in one pass (the Lua binding
    /// builds Lua tables from it).
    pub fn payload_json(&self) -> &[u8] {
        &self.payload
    }

    /// The claims as a map.
    pub fn claims(&self) -> Result<Map<String, Value>, Error> {
        json::parse_object(&self.payload).ok_or(Error::InvalidBody)
    }
}

/// The verification pipeline, for every API (docs/contract.md §2 rows 6-22): split;
/// decode the header, the payload and the signature; `typ`; the algorithm
/// by `policy.algs`; the key; the signature; then the claim rules
/// ([`ClaimRules::check`]: the registered claims, then the required ones).
/// Before the signature holds, the payload is only checked as strict JSON
/// and its five registered members captured; nothing else is built from it. `now` is whole seconds since the epoch.
pub fn verify(
    token: &[u8],
    policy: &Policy<'_>,
    keys: Keys<'_>,
    now: i64,
) -> Result<Verified, Error> {
    let result = pipeline(token, policy, keys, now);
    match policy.messages {
        Messages::Current => result,
        Messages::Legacy => result.map_err(Error::into_legacy),
    }
}

fn pipeline(
    token: &[u8],
    policy: &Policy<'_>,
    keys: Keys<'_>,
    now: i64,
) -> Result<Verified, Error> {
    let segments = split(token)?;
    let header = base64url::decode(segments.header).ok_or(Error::InvalidHeader)?;
    let [typ, header_alg, kid, crit, b64] =
        json::scan_object(&header, ["typ", "alg", "kid", "crit", "b64"])
            .ok_or(Error::InvalidHeader)?;
    header::check_critical(&header, crit.as_ref(), b64.as_ref()).map_err(Error::CriticalHeader)?;
    let payload = base64url::decode(segments.payload).ok_or(Error::InvalidBody)?;
    let mut registered = [const { None }; 5];
    let required: Vec<&str> = policy.rules.required.iter().map(String::as_str).collect();
    let mut present = vec![false; required.len()];
    json::scan_members(
        &payload,
        &Registered::NAMES,
        &mut registered,
        &required,
        &mut present,
    )
    .ok_or(Error::InvalidBody)?;
    let signature = base64url::decode(segments.signature).ok_or(Error::InvalidSignature)?;
    if let Some(wanted) = policy.rules.typ.as_deref() {
        if typ.as_ref().and_then(Value::as_str) != Some(wanted) {
            return Err(Error::InvalidTyp);
        }
    }
    let header_alg = header_alg.as_ref().and_then(Value::as_str);
    let alg = match policy.algs {
        AlgRule::Exactly(alg) if header_alg == Some(alg.name()) => alg,
        AlgRule::Exactly(_) => return Err(Error::IncorrectAlg),
        AlgRule::OneOf(list) => header_alg
            .and_then(|name| Algorithm::from_name(name.as_bytes()))
            .filter(|alg| list.contains(alg))
            .ok_or(Error::IncorrectAlg)?,
        AlgRule::KeyFamily => {
            let name = header_alg.ok_or(Error::InvalidAlg)?;
            Algorithm::from_name(name.as_bytes()).ok_or(Error::AlgorithmNotSupported)?
        }
    };
    let given;
    let bound = match keys {
        Keys::Set(set) => set.select(alg, kid.as_ref()).map_err(Error::InvalidKey)?,
        Keys::Bytes(bytes) => {
            if matches!(policy.algs, AlgRule::KeyFamily) && !family_allows(bytes, alg)? {
                return Err(Error::InvalidAlg);
            }
            given = Key::for_alg(alg, bytes).map_err(Error::InvalidKey)?;
            given.bind(alg).map_err(Error::InvalidKey)?
        }
    };
    if !signature::verify(&bound, segments.signing_input, &signature) {
        return Err(Error::InvalidSignature);
    }
    policy
        .rules
        .check(&Registered::from_values(registered), &present, now)?;
    Ok(Verified { payload })
}

/// 2.0's rule: whether the family of the key in `bytes` allows `alg`.
/// Bytes the one classification rule calls a secret allow only HS*;
/// anything else must parse as an asymmetric key (`Invalid key` if not)
/// and allows only its own algorithms (docs/contract.md §4). That closes the HS/RS
/// confusion 2.0's `decode` allowed.
fn family_allows(bytes: &[u8], alg: Algorithm) -> Result<bool, Error> {
    if keys::key_shape(bytes) == KeyShape::Secret {
        return Ok(alg.family() == Family::Hmac);
    }
    let parsed = keys::asymmetric(bytes).map_err(Error::InvalidKey)?;
    Ok(Key::Asymmetric(parsed).bind(alg).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v2::decode;
    use crate::api::v3::{encode, verify_3_0};
    use crate::api::verifier::{Options, Verifier};
    use claims::Accepted;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    /// An HS256 token with `extra` in its header, signed with `sekr1t`.
    fn with_header(extra: Value) -> String {
        let claims = json!({"iss": "app", "exp": NOW + 60});
        encode(
            claims.as_object().unwrap(),
            b"sekr1t",
            Algorithm::HS256,
            extra.as_object(),
        )
        .unwrap()
    }

    /// What each path says: 3.0 `verify`, 2.0 `decode`, `jwt.verifier`.
    fn every_path(token: &str) -> [Result<(), String>; 3] {
        let v = Verifier::new(Options::new(vec![Algorithm::HS256], b"sekr1t".to_vec())).unwrap();
        let say = |r: Result<Map<String, Value>, Error>| r.map(|_| ()).map_err(|e| e.to_string());
        [
            say(verify_3_0(
                token.as_bytes(),
                b"HS256",
                b"sekr1t",
                Accepted::default(),
                NOW,
            )),
            say(decode(token.as_bytes(), b"sekr1t", NOW)),
            say(v.verify(token.as_bytes(), NOW)),
        ]
    }

    #[test]
    fn crit_refuses_the_token_on_every_path() {
        let long = "x".repeat(40_000);
        let cases = [
            // RFC 7515 §4.1.11's own example: exp in the header, listed in crit.
            (
                json!({"crit": ["exp"], "exp": NOW - 10}),
                r#"crit names "exp", which this module does not process"#.to_owned(),
            ),
            (
                json!({"crit": ["urn:example:ext"], "urn:example:ext": 1}),
                r#"crit names "urn:example:ext", which this module does not process"#.to_owned(),
            ),
            (
                json!({"b64": false, "crit": ["b64"]}),
                r#"crit names "b64", which this module does not process"#.to_owned(),
            ),
            (
                json!({"crit": ["nope"]}),
                r#"crit names "nope", which the header does not have"#.to_owned(),
            ),
            (
                json!({"crit": ["alg"]}),
                r#"crit names "alg", a header parameter crit must not list"#.to_owned(),
            ),
            (
                json!({"crit": ["x5t#S256"], "x5t#S256": "AA"}),
                r#"crit names "x5t#S256", a header parameter crit must not list"#.to_owned(),
            ),
            (
                json!({"crit": [long.clone()], long.clone(): 1}),
                format!(
                    "crit names \"{}\"…(40000 bytes), which this module does not process",
                    &long[..64]
                ),
            ),
        ];
        let malformed = "crit must be a non-empty array of header parameter names";
        let mut all = cases.to_vec();
        for bad in [
            json!([]),
            json!("exp"),
            json!([1]),
            json!(["exp", null]),
            json!(null),
            json!({}),
        ] {
            all.push((json!({"crit": bad, "exp": 1}), malformed.to_owned()));
        }
        all.push((
            json!({"b64": false}),
            "b64 must be true: a JWT never has an unencoded payload (RFC 7797)".to_owned(),
        ));
        all.push((
            json!({"b64": "false"}),
            "b64 must be true: a JWT never has an unencoded payload (RFC 7797)".to_owned(),
        ));
        for (header, reason) in all {
            let token = with_header(header.clone());
            let want = Err(format!("Invalid header: {reason}"));
            assert_eq!(
                every_path(&token),
                [want.clone(), want.clone(), want],
                "{header}"
            );
        }
        // b64 true (the default) and no crit: accepted everywhere.
        let ok = with_header(json!({"b64": true, "x-other": ["exp"]}));
        assert_eq!(every_path(&ok), [Ok(()), Ok(()), Ok(())]);
    }

    #[test]
    fn crit_is_checked_with_the_header_before_the_payload() {
        // Row 8: a crit header with a broken payload and signature still
        // says what is wrong with the header.
        let header = base64url::encode(br#"{"alg":"HS256","typ":"JWT","crit":["exp"],"exp":1}"#);
        let token = format!("{header}.!!!.!!!");
        assert_eq!(
            verify_3_0(
                token.as_bytes(),
                b"HS256",
                b"sekr1t",
                Accepted::default(),
                NOW
            )
            .unwrap_err()
            .to_string(),
            "Invalid header: crit names \"exp\", which this module does not process"
        );
        // A header that is not JSON stays plain `Invalid header`.
        let bad = format!("{}.e30.", base64url::encode(br#"{"crit":["#));
        assert_eq!(
            verify_3_0(
                bad.as_bytes(),
                b"HS256",
                b"sekr1t",
                Accepted::default(),
                NOW
            ),
            Err(Error::InvalidHeader)
        );
    }
}
