//! Strict JSON in, canonical JSON out.
//!
//! In: RFC 8259 UTF-8 text through serde_json's parser (no NaN/Infinity/hex,
//! no trailing garbage, no lone surrogates, no raw control characters), plus
//! two rules of our own: a member name may appear only once per object at any
//! depth, and nesting is capped at [`MAX_DEPTH`] levels (serde_json's
//! recursion limit).
//!
//! Out: compact, members sorted by the bytes of their names, integers exact,
//! floats in shortest round-trip form, strings raw UTF-8 with `/` unescaped.
#![forbid(unsafe_code)]

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Deepest nesting of arrays and objects accepted in a header or payload
/// (the outer object counts as level 1). serde_json refuses the next level.
pub const MAX_DEPTH: usize = 127;

/// Largest double below which an integral float is written as an integer:
/// 2^53, where every integer still has an exact double.
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Parse `bytes` as one strict JSON object.
pub fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match parse_value(bytes)? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Parse `bytes` as one strict JSON value of any kind.
pub fn parse_value(bytes: &[u8]) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// Builds a `Value`, refusing duplicate member names and turning integers
/// outside the signed 64-bit range into floats (docs/contract.md §2 value mapping).
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        match i64::try_from(v) {
            Ok(i) => Ok(Value::Number(i.into())),
            #[allow(
                clippy::cast_precision_loss,
                reason = "above i64::MAX a number is a float, as in Lua; the nearest double is meant"
            )]
            Err(_) => float(v as f64),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        float(v)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let value = access.next_value_seed(StrictValue)?;
            // COMPAT(strict-json): 3.0 parsed with lua-cjson, which is laxer; only
            // strict RFC 8259 objects pass here (no duplicates, NaN or trailing data).
            if map.insert(name, value).is_some() {
                // Parsers disagree on which duplicate wins; refusing is the
                // only answer that cannot be turned against a verifier.
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(Value::Object(map))
    }
}

/// Check `bytes` as one strict JSON object by the same rules as
/// [`parse_object`], keeping only the top-level members named in `wanted`
/// (in that order; `None` where absent). Everything else is checked, names
/// compared for duplicates at every depth, and dropped without being built,
/// so a verifier that needs five claims does not allocate the other fifty.
pub fn scan_object<const N: usize>(bytes: &[u8], wanted: [&str; N]) -> Option<[Option<Value>; N]> {
    let mut found = [const { None }; N];
    scan_members(bytes, &wanted, &mut found, &[], &mut []).map(|()| found)
}

/// [`scan_object`] for names known at run time: the values of `wanted` go
/// to the same positions of `found`, and for each name of `present` the
/// same position of `seen` says whether the member is there (its value is
/// checked but not built). `None` when `bytes` is not one strict JSON
/// object; slots past the shorter of each pair of slices stay untouched.
pub fn scan_members(
    bytes: &[u8],
    wanted: &[&str],
    found: &mut [Option<Value>],
    present: &[&str],
    seen: &mut [bool],
) -> Option<()> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.deserialize_any(ScanTop {
        wanted,
        found,
        present,
        seen,
    })
    .ok()?;
    de.end().ok()
}

/// A member name, borrowed from the input unless it had escapes.
pub(crate) struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Member names seen so far in one object: a short list scanned linearly,
/// turned into a hash set once it is long, so a payload of 20,000 members
/// costs no more than a map would.
pub(crate) struct SeenNames<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> SeenNames<'de> {
    const FEW: usize = 16;

    pub(crate) fn new() -> Self {
        SeenNames {
            few: Vec::new(),
            many: None,
        }
    }

    /// Record `name`; false when it was already there.
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(name);
        }
        if self.few.contains(&name) {
            return false;
        }
        self.few.push(name);
        if self.few.len() > Self::FEW {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

/// Read the next member name of `access` and refuse a duplicate.
pub(crate) fn next_name<'de, A: MapAccess<'de>>(
    access: &mut A,
    seen: &mut SeenNames<'de>,
) -> Result<Option<Cow<'de, str>>, A::Error> {
    let Some(name) = access.next_key_seed(Name)? else {
        return Ok(None);
    };
    // Parsers disagree on which duplicate wins; refusing is the only answer
    // that cannot be turned against a verifier.
    if !seen.insert(name.clone()) {
        return Err(de::Error::custom("duplicate member name"));
    }
    Ok(Some(name))
}

/// The outer object of [`scan_members`].
struct ScanTop<'w> {
    wanted: &'w [&'w str],
    found: &'w mut [Option<Value>],
    present: &'w [&'w str],
    seen: &'w mut [bool],
}

impl<'de> Visitor<'de> for ScanTop<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let mut seen = SeenNames::new();
        while let Some(name) = next_name(&mut access, &mut seen)? {
            if let Some(flag) = self
                .present
                .iter()
                .position(|p| *p == name)
                .and_then(|i| self.seen.get_mut(i))
            {
                *flag = true;
            }
            let slot = self
                .wanted
                .iter()
                .position(|w| *w == name)
                .and_then(|i| self.found.get_mut(i));
            match slot {
                Some(slot) => *slot = Some(access.next_value_seed(StrictValue)?),
                None => access.next_value_seed(Skip)?,
            }
        }
        Ok(())
    }
}

/// Checks one value by the rules of [`StrictValue`] and builds nothing.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        // deserialize_any, not deserialize_ignored_any: serde_json skips
        // ignored strings without checking them as strictly.
        de.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        float(v).map(drop)
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let mut seen = SeenNames::new();
        while next_name(&mut access, &mut seen)?.is_some() {
            access.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

fn float<E: de::Error>(v: f64) -> Result<Value, E> {
    Number::from_f64(v)
        .map(Value::Number)
        .ok_or_else(|| de::Error::custom("number is not finite"))
}

/// Why a value has no JSON form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialiseError {
    /// Lua-style type name of the value (`number`, `string`, ...).
    pub kind: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Append `s` as a JSON string: `"` and `\` escaped, `\b \f \n \r \t` short,
/// other C0 controls as lowercase `\u00xx`, everything else raw (DEL and
/// U+2028 included, `/` unescaped).
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x00..=0x1f => 0,
            _ => continue,
        };
        // start <= i < len: start is one past an earlier i.
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if short == 0 {
            // b < 0x20: the high digit is 0 or 1, the low one any hex digit.
            let low = b & 0xf;
            out.extend_from_slice(b"\\u00");
            out.push(b'0' + (b >> 4));
            out.push(if low < 10 {
                b'0' + low
            } else {
                b'a' + low - 10
            });
        } else {
            out.push(b'\\');
            out.push(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Append an integer exactly.
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Append a float: integral values below 2^53 as integers (so `exp` built
/// from a Lua 5.1 double reads `4102444800`, as cjson writes it), everything
/// else in shortest round-trip form. NaN and infinities have no JSON form.
pub fn write_f64(out: &mut Vec<u8>, v: f64) -> Result<(), SerialiseError> {
    if !v.is_finite() {
        return Err(SerialiseError {
            kind: "number",
            reason: "NaN and infinity have no JSON form",
        });
    }
    if v.fract() == 0.0 && v.abs() < EXACT_INT_LIMIT {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "v is integral and |v| < 2^53, checked just above, so the cast is lossless"
        )]
        write_i64(out, v as i64);
    } else {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    }
    Ok(())
}

/// Append `value` in canonical form (see the module docs).
pub fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), SerialiseError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                write_i64(out, i);
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes());
            } else if let Some(f) = n.as_f64() {
                write_f64(out, f)?;
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map.iter())?,
    }
    Ok(())
}

/// Append an object from its members, sorted by name bytes whatever order
/// they come in (serde_json's map may preserve insertion order when another
/// crate turns on its `preserve_order` feature).
pub fn write_object<'a>(
    out: &mut Vec<u8>,
    members: impl Iterator<Item = (&'a String, &'a Value)>,
) -> Result<(), SerialiseError> {
    let mut members: Vec<_> = members.collect();
    // COMPAT(canonical-encode): 3.0 (lua-cjson) wrote members in Lua's
    // traversal order, which varies; sorted, equal input gives equal tokens.
    members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.push(b'{');
    for (i, (name, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, name);
        out.push(b':');
        write_value(out, value)?;
    }
    out.push(b'}');
    Ok(())
}

/// Canonical bytes of `value`.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, SerialiseError> {
    let mut out = Vec::new();
    write_value(&mut out, value)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_parsing() {
        assert!(parse_object(br#"{"a":1}"#).is_some());
        assert!(parse_object(b" {\"a\" : [1, {\"b\": null}]}\r\n").is_some());
        for bad in [
            &br#"{"a":1,"a":2}"#[..],
            br#"{"x":{"a":1,"a":2}}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"{"a":NaN}"#,
            br#"{"a":Infinity}"#,
            br#"{"a":0x10}"#,
            br#"{"a":01}"#,
            br#"{"a":+1}"#,
            br#"{"a":1}x"#,
            br#"{"a":1}{}"#,
            br#"{"a":1,}"#,
            br#"{'a':1}"#,
            br#"{"a":"\ud800"}"#,
            b"{\"a\":\"\x01\"}",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":\"\xc0\xaf\"}",
            br#"{"a":1e400}"#,
            b"[]",
            b"null",
            b"",
        ] {
            assert!(
                parse_object(bad).is_none(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn scanning_follows_the_same_rules_as_parsing() {
        let many = |dup: bool| {
            let mut members: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
            if dup {
                members.push("\"m3\":0".to_owned());
            }
            format!("{{\"x\":[{{{}}}]}}", members.join(","))
        };
        let nest = |n: usize| format!("{{\"a\":{}{}}}", "[".repeat(n - 1), "]".repeat(n - 1));
        let cases: Vec<Vec<u8>> = [
            &br#"{"a":1}"#[..],
            b" {\"a\" : [1, {\"b\": null}]}\r\n",
            br#"{"a":1,"a":2}"#,
            br#"{"x":{"a":1,"a":2}}"#,
            br#"{"x":[{"a":1},{"a":1,"b":[{"c":1,"c":2}]}]}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"{"a":NaN}"#,
            br#"{"a":0x10}"#,
            br#"{"a":1}x"#,
            br#"{"a":1,}"#,
            br#"{"a":"\ud800"}"#,
            b"{\"x\":\"\x01\"}",
            b"{\"x\":\"\xff\"}",
            b"{\"x\":[\"\xc0\xaf\"]}",
            br#"{"a":1e400}"#,
            br#"{"a":18446744073709551616}"#,
            b"[]",
            b"null",
            b"",
        ]
        .iter()
        .map(|c| c.to_vec())
        .chain(
            [
                many(false),
                many(true),
                nest(MAX_DEPTH),
                nest(MAX_DEPTH + 1),
            ]
            .map(String::into_bytes),
        )
        .collect();
        for case in &cases {
            assert_eq!(
                scan_object(case, ["a"]).is_some(),
                parse_object(case).is_some(),
                "{:?}",
                String::from_utf8_lossy(case)
            );
        }
        assert!(scan_object(many(false).as_bytes(), ["x"]).is_some());
        assert!(scan_object(many(true).as_bytes(), ["x"]).is_none());
    }

    #[test]
    fn scanning_keeps_only_the_wanted_members() {
        let [exp, aud, iss] = scan_object(
            br#"{"aud":["a","b"],"exp":5,"context":{"user":{"name":"x"}},"typ":"JWT"}"#,
            ["exp", "aud", "iss"],
        )
        .unwrap();
        assert_eq!(exp, Some(serde_json::json!(5)));
        assert_eq!(aud, Some(serde_json::json!(["a", "b"])));
        assert_eq!(iss, None);
    }

    #[test]
    fn integers_outside_i64_become_floats() {
        let v =
            parse_value(b"[9223372036854775807,-9223372036854775808,9223372036854775808,1.0,1e2]")
                .unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(a[0].as_i64(), Some(i64::MAX));
        assert_eq!(a[1].as_i64(), Some(i64::MIN));
        assert!(a[2].is_f64());
        assert!(a[3].is_f64() && a[4].is_f64());
    }

    #[test]
    fn depth_limit_is_exact() {
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_value(nest(MAX_DEPTH).as_bytes()).is_some());
        assert!(parse_value(nest(MAX_DEPTH + 1).as_bytes()).is_none());
        assert!(parse_value(nest(100_000).as_bytes()).is_none());
    }

    #[test]
    fn canonical_output() {
        let v = json!({"b": 1, "a": [1.5, -0.25, 0.1, 4102444800.0, 1e20, null, true], "s": "q\"\\/\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}\u{2028}é"});
        let out = String::from_utf8(to_canonical(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\"a\":[1.5,-0.25,0.1,4102444800,1e20,null,true],\"b\":1,\"s\":\"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\u{7f}\u{2028}é\"}"
        );
        let mut out = Vec::new();
        assert!(write_f64(&mut out, f64::NAN).is_err());
        assert!(write_f64(&mut out, f64::INFINITY).is_err());
    }
}
