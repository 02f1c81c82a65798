//! The registered claims `verify` checks once the signature holds (docs/contract.md
//! §2 rows 15-22): `exp` and `nbf` types, then times, then `iss`, then `aud`.
#![forbid(unsafe_code)]

use crate::error::Error;
use serde_json::Value;

/// What the caller accepts for `iss` and `aud`. `None` skips the check; an
/// empty list accepts nothing; an entry `"*"` accepts any value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accepted<'a> {
    /// Accepted issuers (`acceptedIssuers`).
    pub issuers: Option<&'a [Value]>,
    /// Accepted audiences (`acceptedAudiences`).
    pub audiences: Option<&'a [Value]>,
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

/// The claim checks in docs/contract.md §2's order (rows 15-22): the `exp` and
/// `nbf` types, `exp`, `nbf`, then `iss`, then `aud`. `leeway` seconds of
/// clock skew are allowed on both sides: a token is expired from
/// `exp + leeway` on, and valid from `nbf - leeway`. The exp message still
/// counts the seconds since `exp` itself.
pub fn check_registered(
    claims: &Registered,
    now: i64,
    accepted: Accepted<'_>,
    leeway: i64,
) -> Result<(), Error> {
    // COMPAT(exp-false): 3.0 skipped falsy values (`exp: false`); present means present.
    let exp = claims
        .exp
        .as_ref()
        .map(|v| number(v).ok_or(Error::ExpNotNumber))
        .transpose()?;
    let nbf = claims
        .nbf
        .as_ref()
        .map(|v| number(v).ok_or(Error::NbfNotNumber))
        .transpose()?;
    if let Some(exp) = exp {
        if at_or_after(now.saturating_sub(leeway), exp) {
            let valid_for = claims
                .iat
                .as_ref()
                .and_then(number)
                .map(|iat| difference(exp, iat));
            return Err(Error::Expired {
                since: difference(Num::Int(now), exp),
                valid_for,
            });
        }
    }
    if let Some(nbf) = nbf {
        if !at_or_after(now.saturating_add(leeway), nbf) {
            return Err(Error::NotYetValid);
        }
    }
    if let Some(list) = accepted.issuers {
        let iss = claims.iss.as_ref().ok_or(Error::IssuerMissing)?;
        if !verify_claim(iss, list) {
            return Err(Error::IssuerInvalid);
        }
    }
    if let Some(list) = accepted.audiences {
        let aud = claims.aud.as_ref().ok_or(Error::AudienceMissing)?;
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
            return Err(Error::AudienceInvalid);
        }
    }
    Ok(())
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

    /// The checks on a claims map's five registered members, with no leeway.
    fn check(claims: &Map<String, Value>, now: i64, accepted: Accepted<'_>) -> Result<(), Error> {
        check_with_leeway(claims, now, accepted, 0)
    }

    /// [`check`] with `leeway` seconds.
    fn check_with_leeway(
        claims: &Map<String, Value>,
        now: i64,
        accepted: Accepted<'_>,
        leeway: i64,
    ) -> Result<(), Error> {
        let registered =
            Registered::from_values(Registered::NAMES.map(|name| claims.get(name).cloned()));
        check_registered(&registered, now, accepted, leeway)
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
        assert_eq!(check(&c, 9, Accepted::default()), Err(Error::NotYetValid));
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
            Err(Error::NotYetValid)
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
}
