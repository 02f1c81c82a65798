//! The claim rules and the checks that apply them: what a verification
//! demands of a token besides its algorithm and key (the header's `typ`,
//! `exp`, `nbf`, `iss`, `aud`, required claims), owned by one struct,
//! [`ClaimRules`], with one default (3.0's behaviour). The verifier holds
//! one, the pipeline borrows it, the binding and the CLI build it. The
//! checks run in docs/contract.md §2's order (rows 15-22): `exp` and `nbf`
//! types, then times, then `iss`, then `aud`, then the required claims.
//! Their refusals ([`ClaimError`]) and the rules' own ([`RuleError`]) live
//! here, beside the rules.
#![forbid(unsafe_code)]

use serde_json::Value;
use std::borrow::Cow;
use thiserror::Error;

/// Largest leeway accepted, in seconds (one hour). Clock skew is seconds;
/// anything near an hour is a misconfiguration worth hearing about.
pub const MAX_LEEWAY: i64 = 3600;

/// What the caller accepts for `iss` and `aud`, as 3.0's `verify` takes
/// them (`acceptedIssuers`, `acceptedAudiences`). `None` skips the check; an
/// empty list accepts nothing; an entry `"*"` accepts any value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accepted<'a> {
    /// Accepted issuers (`acceptedIssuers`).
    pub issuers: Option<&'a [Value]>,
    /// Accepted audiences (`acceptedAudiences`).
    pub audiences: Option<&'a [Value]>,
}

/// Everything a verification demands of a token apart from its algorithm
/// and key. [`ClaimRules::DEFAULT`] (also `Default`) is 3.0's behaviour:
/// `typ` must be `"JWT"`, no leeway, no `iss`/`aud` check, nothing
/// required. Lists and texts are [`Cow`]s, so 3.0's `verify` borrows the
/// caller's lists while a verifier owns its own (`ClaimRules<'static>`).
/// Check a set built by hand with [`ClaimRules::validate`]; the verifier
/// does.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRules<'a> {
    /// The `typ` the header must have; `None` skips the check (default
    /// `"JWT"`, as 3.0). `Invalid typ` otherwise.
    pub typ: Option<Cow<'a, str>>,
    /// Seconds of clock skew allowed on `exp` and `nbf`, 0 to
    /// [`MAX_LEEWAY`] (default 0, as 3.0): a token is expired from
    /// `exp + leeway` on and valid from `nbf - leeway`.
    pub leeway: i64,
    /// Accepted issuers (default `None`: not checked). See [`Accepted`].
    pub issuers: Option<Cow<'a, [Value]>>,
    /// Accepted audiences (default `None`: not checked). See [`Accepted`].
    pub audiences: Option<Cow<'a, [Value]>>,
    /// Claims that must be present (default none); `'<name>' claim is
    /// missing` names the first one absent, in this order.
    pub required: Cow<'a, [String]>,
}

impl ClaimRules<'_> {
    /// 3.0's rules: `typ` `"JWT"`, leeway 0, nothing checked, nothing
    /// required. A constant, so the 3.0 and 2.0 paths borrow it without
    /// allocating.
    pub const DEFAULT: Self = ClaimRules {
        typ: Some(Cow::Borrowed("JWT")),
        leeway: 0,
        issuers: None,
        audiences: None,
        required: Cow::Borrowed(&[]),
    };
}

impl Default for ClaimRules<'_> {
    fn default() -> Self {
        ClaimRules::DEFAULT
    }
}

impl<'a> ClaimRules<'a> {
    /// 3.0's `verify(token, alg, key, acceptedIssuers, acceptedAudiences)`:
    /// the default rules with the caller's lists, borrowed.
    pub fn accepting(accepted: Accepted<'a>) -> ClaimRules<'a> {
        ClaimRules {
            issuers: accepted.issuers.map(Cow::Borrowed),
            audiences: accepted.audiences.map(Cow::Borrowed),
            ..ClaimRules::DEFAULT
        }
    }

    /// Whether the rules are usable: `leeway` within 0 to [`MAX_LEEWAY`].
    pub fn validate(&self) -> Result<(), RuleError> {
        seconds_within("leeway", self.leeway, 0, MAX_LEEWAY)
    }

    /// The claim checks in docs/contract.md §2's order (rows 15-22): the
    /// `exp` and `nbf` types, `exp`, `nbf`, then `iss`, then `aud`, then the
    /// required claims (`present[i]` says whether `required[i]` was found;
    /// a missing entry counts as absent). `now` is whole seconds since the
    /// epoch. The exp message still counts the seconds since `exp` itself,
    /// leeway or not.
    pub fn check(&self, claims: &Registered, present: &[bool], now: i64) -> Result<(), ClaimError> {
        // COMPAT(exp-false): 3.0 skipped falsy values (`exp: false`); present means present.
        let exp = claims
            .exp
            .as_ref()
            .map(|v| number(v).ok_or(ClaimError::ExpNotNumber))
            .transpose()?;
        let nbf = claims
            .nbf
            .as_ref()
            .map(|v| number(v).ok_or(ClaimError::NbfNotNumber))
            .transpose()?;
        if let Some(exp) = exp {
            if past_exp(exp, now, self.leeway) {
                let valid_for = claims
                    .iat
                    .as_ref()
                    .and_then(number)
                    .map(|iat| difference(exp, iat));
                return Err(ClaimError::Expired {
                    since: difference(Num::Int(now), exp),
                    valid_for,
                });
            }
        }
        if let Some(nbf) = nbf {
            if before_nbf(nbf, now, self.leeway) {
                return Err(ClaimError::NotYetValid);
            }
        }
        if let Some(list) = self.issuers.as_deref() {
            let iss = claims.iss.as_ref().ok_or(ClaimError::IssuerMissing)?;
            if !verify_claim(iss, list) {
                return Err(ClaimError::IssuerInvalid);
            }
        }
        if let Some(list) = self.audiences.as_deref() {
            let aud = claims.aud.as_ref().ok_or(ClaimError::AudienceMissing)?;
            let ok = match aud {
                // COMPAT(aud-arrays): RFC 7519 §4.1.3: an array of audience
                // strings is accepted when any of them is (3.0 compared the array
                // itself, which never matched). An array holding anything but strings is not an
                // audience list: it is compared whole, as 3.0 did, so only "*"
                // accepts it.
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    has_wildcard(list) || items.iter().any(|a| verify_claim(a, list))
                }
                single => verify_claim(single, list),
            };
            if !ok {
                return Err(ClaimError::AudienceInvalid);
            }
        }
        let absent = |&(i, _): &(usize, &String)| !present.get(i).copied().unwrap_or(false);
        if let Some((_, name)) = self.required.iter().enumerate().find(absent) {
            return Err(ClaimError::ClaimMissing(name.clone()));
        }
        Ok(())
    }
}

/// `value` as a whole number of seconds within `min..=max`, else
/// [`RuleError::Seconds`] naming the rule.
fn seconds_within(name: &'static str, value: i64, min: i64, max: i64) -> Result<(), RuleError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(RuleError::Seconds { name, min, max })
    }
}

/// Why a token's claims refuse it. `Display` is the exact message a caller
/// sees (docs/contract.md §2 rows 15-22; [`crate::Error`] shows it as is).
/// Do not reword them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClaimError {
    /// `exp` is present and not a number (`false` included).
    #[error("exp must be number")]
    ExpNotNumber,
    /// `nbf` is present and not a number.
    #[error("nbf must be number")]
    NbfNotNumber,
    /// now >= exp (+ leeway). `since` is now − exp and `valid_for` is exp − iat (when
    /// `iat` is a number), both already formatted as integers.
    /// COMPAT(exp-message): jitsi-meet's detailed form; 3.0 said only
    /// `Not acceptable by exp`.
    #[error("Not acceptable by exp ({since} sec since expired{})", valid_for.as_ref().map(|m| format!(", valid for:{m} sec")).unwrap_or_default())]
    Expired {
        /// Seconds since expiry.
        since: String,
        /// The token's lifetime, exp − iat.
        valid_for: Option<String>,
    },
    /// now < nbf (− leeway).
    #[error("Not acceptable by nbf")]
    NotYetValid,
    /// Issuers were given and the payload has no `iss`.
    #[error("'iss' claim is missing")]
    IssuerMissing,
    /// Issuers were given and `iss` is not accepted.
    #[error("invalid 'iss' claim")]
    IssuerInvalid,
    /// Audiences were given and the payload has no `aud`.
    #[error("'aud' claim is missing")]
    AudienceMissing,
    /// Audiences were given and `aud` is not accepted.
    #[error("invalid 'aud' claim")]
    AudienceInvalid,
    /// A claim of [`ClaimRules::required`] is absent.
    #[error("'{0}' claim is missing")]
    ClaimMissing(String),
}

/// Why [`ClaimRules::validate`] refused the rules (a verifier shows it
/// after `verifier: `).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// A rule in seconds is outside its range (`leeway`: 0 to [`MAX_LEEWAY`]).
    #[error("{name} must be between {min} and {max} seconds")]
    Seconds {
        /// The rule's option name (`leeway`).
        name: &'static str,
        /// The least value accepted.
        min: i64,
        /// The largest value accepted.
        max: i64,
    },
}

/// Whether the `exp` value `exp` has passed at `now` with `leeway` seconds
/// of skew: the comparison verification makes (`now - leeway >= exp`,
/// integers compared exactly, a float as Lua compares a number with it).
/// `None` when `exp` is not a number, which verification refuses.
pub fn is_expired(exp: &Value, now: i64, leeway: i64) -> Option<bool> {
    number(exp).map(|exp| past_exp(exp, now, leeway))
}

/// Whether the `nbf` value `nbf` is still ahead at `now` with `leeway`
/// seconds of skew: the comparison verification makes (`now + leeway <
/// nbf`). `None` when `nbf` is not a number, which verification refuses.
pub fn is_not_yet_valid(nbf: &Value, now: i64, leeway: i64) -> Option<bool> {
    number(nbf).map(|nbf| before_nbf(nbf, now, leeway))
}

fn past_exp(exp: Num, now: i64, leeway: i64) -> bool {
    at_or_after(now.saturating_sub(leeway), exp)
}

fn before_nbf(nbf: Num, now: i64, leeway: i64) -> bool {
    !at_or_after(now.saturating_add(leeway), nbf)
}

/// A JSON number as the clock checks see it.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

fn number(v: &Value) -> Option<Num> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(Num::Int)
            .or_else(|| n.as_f64().map(Num::Float)),
        _ => None,
    }
}

/// a − b, formatted as a whole number (floored when fractional).
fn difference(a: Num, b: Num) -> String {
    match (a, b) {
        (Num::Int(a), Num::Int(b)) => (i128::from(a) - i128::from(b)).to_string(),
        _ => whole(as_f64(a) - as_f64(b)),
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        #[allow(
            clippy::cast_precision_loss,
            reason = "mixed int/float arithmetic is done in doubles, as Lua does it"
        )]
        Num::Int(i) => i as f64,
        Num::Float(f) => f,
    }
}

fn whole(f: f64) -> String {
    // `+ 0.0` turns a -0 into 0.
    format!("{:.0}", f.floor() + 0.0)
}

/// `now >= limit`, compared exactly for integers.
fn at_or_after(now: i64, limit: Num) -> bool {
    match limit {
        Num::Int(l) => now >= l,
        #[allow(
            clippy::cast_precision_loss,
            reason = "a float limit is compared in doubles, as Lua compares a number with a float"
        )]
        Num::Float(l) => (now as f64) >= l,
    }
}

/// The registered claims the checks read (RFC 7519 §4.1), captured once
/// from the payload. Nothing else of the payload is built to check a token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registered {
    /// `exp`, as found (any JSON type; checked to be a number).
    pub exp: Option<Value>,
    /// `nbf`, as found (any JSON type; checked to be a number).
    pub nbf: Option<Value>,
    /// `iat`, as found (used only in the exp message, when a number).
    pub iat: Option<Value>,
    /// `iss`, as found.
    pub iss: Option<Value>,
    /// `aud`, as found (a string, or an array of strings per RFC 7519 §4.1.3).
    pub aud: Option<Value>,
}

impl Registered {
    /// The member names, in the order of [`Registered::from_values`].
    pub const NAMES: [&'static str; 5] = ["exp", "nbf", "iat", "iss", "aud"];

    /// From the values of [`Registered::NAMES`], in that order (as
    /// [`crate::json::scan_object`] gives them).
    pub fn from_values([exp, nbf, iat, iss, aud]: [Option<Value>; 5]) -> Registered {
        Registered {
            exp,
            nbf,
            iat,
            iss,
            aud,
        }
    }
}

fn has_wildcard(list: &[Value]) -> bool {
    list.iter().any(|v| v.as_str() == Some("*"))
}

/// Whether `value` is accepted by `list`: some entry is `"*"` or equal to it,
/// type included (`5` does not match `"5"`). Numbers compare by value as Lua
/// `==` does (`5 == 5.0`); arrays and objects never match, as a fresh Lua
/// table equals no list entry.
pub fn verify_claim(value: &Value, list: &[Value]) -> bool {
    list.iter()
        .any(|accepted| accepted.as_str() == Some("*") || same(value, accepted))
}

/// 2^63: floats in [-2^63, 2^63) convert to i64 exactly when integral.
const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Number(_), Value::Number(_)) => match (number(a), number(b)) {
            (Some(Num::Int(x)), Some(Num::Int(y))) => x == y,
            (Some(Num::Float(x)), Some(Num::Float(y))) => x == y,
            #[allow(
                clippy::cast_possible_truncation,
                reason = "f is integral and inside [-2^63, 2^63), checked first, so the cast is exact"
            )]
            (Some(Num::Int(i)), Some(Num::Float(f))) | (Some(Num::Float(f)), Some(Num::Int(i))) => {
                // Exact, like Lua 5.3+: 2^63 as a float is not i64::MAX.
                f.fract() == 0.0 && (-I64_BOUND..I64_BOUND).contains(&f) && f as i64 == i
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    /// The five registered members of a claims map, as the pipeline captures them.
    fn registered(claims: &Map<String, Value>) -> Registered {
        Registered::from_values(Registered::NAMES.map(|name| claims.get(name).cloned()))
    }

    /// The checks on a claims map's five registered members, with no leeway,
    /// as 3.0 did.
    fn check(
        claims: &Map<String, Value>,
        now: i64,
        accepted: Accepted<'_>,
    ) -> Result<(), ClaimError> {
        check_with_leeway(claims, now, accepted, 0)
    }

    /// [`check`] with `leeway` seconds of clock skew allowed on both sides.
    fn check_with_leeway(
        claims: &Map<String, Value>,
        now: i64,
        accepted: Accepted<'_>,
        leeway: i64,
    ) -> Result<(), ClaimError> {
        let registered = registered(claims);
        let rules = ClaimRules {
            leeway,
            ..ClaimRules::accepting(accepted)
        };
        rules.check(&registered, &[], now)
    }

    #[test]
    fn exp_messages_and_boundaries() {
        let c = claims(json!({"exp": 1000, "iat": 400}));
        assert!(check(&c, 999, Accepted::default()).is_ok());
        assert_eq!(
            check(&c, 1000, Accepted::default())
                .unwrap_err()
                .to_string(),
            "Not acceptable by exp (0 sec since expired, valid for:600 sec)"
        );
        let c = claims(json!({"exp": 1000.5}));
        assert!(check(&c, 1000, Accepted::default()).is_ok());
        assert_eq!(
            check(&c, 1005, Accepted::default())
                .unwrap_err()
                .to_string(),
            "Not acceptable by exp (4 sec since expired)"
        );
        let c = claims(json!({"exp": i64::MIN}));
        assert_eq!(
            check(&c, 1, Accepted::default()).unwrap_err().to_string(),
            "Not acceptable by exp (9223372036854775809 sec since expired)"
        );
        let c = claims(json!({"nbf": 10}));
        assert!(check(&c, 10, Accepted::default()).is_ok());
        assert_eq!(
            check(&c, 9, Accepted::default()),
            Err(ClaimError::NotYetValid)
        );
    }

    #[test]
    fn leeway_moves_both_edges_by_exactly_its_seconds() {
        let none = Accepted::default();
        let c = claims(json!({"exp": 1000, "nbf": 900}));
        assert!(check_with_leeway(&c, 1029, none, 30).is_ok());
        assert_eq!(
            check_with_leeway(&c, 1030, none, 30)
                .unwrap_err()
                .to_string(),
            "Not acceptable by exp (30 sec since expired)"
        );
        assert!(check_with_leeway(&c, 870, none, 30).is_ok());
        assert_eq!(
            check_with_leeway(&c, 869, none, 30),
            Err(ClaimError::NotYetValid)
        );
        assert!(check_with_leeway(&c, i64::MAX, none, 30).is_err());
        assert!(check_with_leeway(&c, i64::MIN, none, 30).is_err());
    }

    #[test]
    fn claim_matching() {
        let list = [json!("a"), json!(5)];
        assert!(verify_claim(&json!("a"), &list));
        assert!(verify_claim(&json!(5.0), &list));
        assert!(!verify_claim(&json!("5"), &list));
        assert!(!verify_claim(&json!(["a"]), &list));
        assert!(verify_claim(&json!(null), &[json!("*")]));
        assert!(!verify_claim(&json!("a"), &[]));
        assert!(!same(&json!(I64_BOUND), &json!(i64::MAX)));
    }

    /// Every claim message, pinned (moved here from `src/error.rs` with the
    /// variants; [`crate::Error`] shows them as is). A change here breaks
    /// Prosody log matching and jitsi-meet plugins: update docs/contract.md first.
    #[test]
    fn messages_are_the_contract_strings() {
        use ClaimError::*;
        let cases = [
            (ExpNotNumber, "exp must be number"),
            (NbfNotNumber, "nbf must be number"),
            (
                Expired {
                    since: "5".into(),
                    valid_for: None,
                },
                "Not acceptable by exp (5 sec since expired)",
            ),
            (
                Expired {
                    since: "5".into(),
                    valid_for: Some("-100".into()),
                },
                "Not acceptable by exp (5 sec since expired, valid for:-100 sec)",
            ),
            (NotYetValid, "Not acceptable by nbf"),
            (IssuerMissing, "'iss' claim is missing"),
            (IssuerInvalid, "invalid 'iss' claim"),
            (AudienceMissing, "'aud' claim is missing"),
            (AudienceInvalid, "invalid 'aud' claim"),
            (ClaimMissing("room".into()), "'room' claim is missing"),
        ];
        for (err, msg) in cases {
            assert_eq!(err.to_string(), msg);
            assert_eq!(crate::Error::from(err).to_string(), msg);
        }
        assert_eq!(
            RuleError::Seconds {
                name: "leeway",
                min: 0,
                max: MAX_LEEWAY
            }
            .to_string(),
            "leeway must be between 0 and 3600 seconds"
        );
    }

    /// One default: `Default`, the constant and 3.0's `accepting` agree, and
    /// they are 3.0's behaviour.
    #[test]
    fn the_default_is_3_0s_behaviour() {
        let d = ClaimRules::default();
        assert_eq!(d, ClaimRules::DEFAULT);
        assert_eq!(ClaimRules::accepting(Accepted::default()), d);
        assert_eq!(d.typ.as_deref(), Some("JWT"));
        assert_eq!(d.leeway, 0);
        assert_eq!((d.issuers, d.audiences), (None, None));
        assert!(d.required.is_empty());
        assert_eq!(ClaimRules::DEFAULT.validate(), Ok(()));
        for (leeway, ok) in [
            (-1, false),
            (0, true),
            (MAX_LEEWAY, true),
            (MAX_LEEWAY + 1, false),
        ] {
            let rules = ClaimRules {
                leeway,
                ..ClaimRules::DEFAULT
            };
            assert_eq!(rules.validate().is_ok(), ok, "{leeway}");
        }
    }

    #[test]
    fn required_claims_come_last_in_their_order() {
        let rules = ClaimRules {
            required: vec!["room".to_owned(), "sub".to_owned()].into(),
            issuers: Some(vec![json!("app")].into()),
            ..ClaimRules::DEFAULT
        };
        let with = |c: Value| registered(&claims(c));
        let say = |r: Result<(), ClaimError>| r.map_err(|e| e.to_string());
        assert_eq!(
            rules.check(&with(json!({"iss": "app"})), &[true, true], 0),
            Ok(())
        );
        assert_eq!(
            say(rules.check(&with(json!({"iss": "app"})), &[true, false], 0)),
            Err("'sub' claim is missing".to_owned())
        );
        // A missing `present` entry counts as absent.
        assert_eq!(
            say(rules.check(&with(json!({"iss": "app"})), &[], 0)),
            Err("'room' claim is missing".to_owned())
        );
        // The issuer is checked first.
        assert_eq!(
            rules.check(&with(json!({})), &[], 0),
            Err(ClaimError::IssuerMissing)
        );
    }

    /// The CLI's warnings use these; they are the checks' own comparisons.
    #[test]
    fn expiry_questions_agree_with_the_checks() {
        type Question = fn(&Value, i64, i64) -> Option<bool>;
        let exp: (&str, Question) = ("exp", is_expired);
        let nbf: (&str, Question) = ("nbf", is_not_yet_valid);
        for ((name, question), value, now, leeway) in [
            (exp, json!(1000), 999, 0),
            (exp, json!(1000), 1000, 0),
            (exp, json!(1000.5), 1000, 0),
            (exp, json!(1000.5), 1001, 0),
            (exp, json!(1000), 1029, 30),
            (exp, json!(1000), 1030, 30),
            (exp, json!(i64::MAX), i64::MAX, 0),
            (
                exp,
                json!(9_007_199_254_740_993_i64),
                9_007_199_254_740_992,
                0,
            ),
            (nbf, json!(10), 9, 0),
            (nbf, json!(10), 10, 0),
            (nbf, json!(10.5), 10, 0),
            (nbf, json!(100), 70, 30),
            (nbf, json!(100), 69, 30),
        ] {
            let mut map = Map::new();
            map.insert(name.to_owned(), value.clone());
            let refused = check_with_leeway(&map, now, Accepted::default(), leeway).is_err();
            assert_eq!(
                question(&value, now, leeway),
                Some(refused),
                "{name} {value} {now}"
            );
        }
        // Integers are exact: 2^53 + 1 is not yet reached at 2^53.
        assert_eq!(
            is_expired(&json!(9_007_199_254_740_993_i64), 9_007_199_254_740_992, 0),
            Some(false)
        );
        assert_eq!(is_expired(&json!("soon"), 0, 0), None);
        assert_eq!(is_not_yet_valid(&json!(null), 0, 0), None);
    }
}
