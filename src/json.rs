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
/// outside the signed 64-bit range into floats (CONTRACT §2 value mapping).
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
            if map.insert(name, value).is_some() {
                // Parsers disagree on which duplicate wins; refusing is the
                // only answer that cannot be turned against a verifier.
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(Value::Object(map))
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
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
        out.extend_from_slice(&bytes[start..i]);
        if short == 0 {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(b'\\');
            out.push(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
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
        // Exact: |v| < 2^53, so the cast is lossless.
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
