//! Lua ⇄ JSON: claims into plain Lua tables, Lua tables into canonical JSON,
//! and accepted lists into values the core can compare.
#![forbid(unsafe_code)]

use super::error::ArgError;
use crate::error::Error;
use crate::json::{self, SerialiseError};
use mlua::{Lua, Table, Value};
use serde_json::{Map, Number, Value as Json};

/// Deepest table nesting `encode` follows; deeper (or a cycle) is refused.
pub const MAX_ENCODE_DEPTH: usize = json::MAX_DEPTH;

/// Most entries read from an accepted-issuers/audiences list.
pub const MAX_LIST_ENTRIES: usize = 65_536;

/// Claims as Lua values: objects and arrays become fresh tables without
/// metatables, null the NULL light userdata (`cjson.null`), integers that
/// fit in 64 bits integers (doubles on 5.1/5.2/LuaJIT), other numbers floats.
pub fn object_to_lua(lua: &Lua, map: &Map<String, Json>) -> mlua::Result<Table> {
    let table = lua.create_table_with_capacity(0, map.len())?;
    for (name, value) in map {
        table.raw_set(lua.create_string(name)?, json_to_lua(lua, value)?)?;
    }
    Ok(table)
}

fn json_to_lua(lua: &Lua, value: &Json) -> mlua::Result<Value> {
    Ok(match value {
        Json::Null => Value::NULL,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(lua.create_string(s)?),
        Json::Array(items) => {
            let table = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                table.raw_set(i + 1, json_to_lua(lua, item)?)?;
            }
            Value::Table(table)
        }
        Json::Object(map) => Value::Table(object_to_lua(lua, map)?),
    })
}

/// A Lua value as a claim value to compare with, if it can equal one.
/// Tables, functions and the like can never equal a fresh claim, so they
/// are dropped (they accept nothing either way).
fn lua_to_claim(value: &Value) -> Option<Json> {
    match value {
        Value::Boolean(b) => Some(Json::Bool(*b)),
        Value::Integer(i) => Some(Json::Number((*i).into())),
        Value::Number(f) => Number::from_f64(*f).map(Json::Number),
        Value::String(s) => std::str::from_utf8(&s.as_bytes())
            .ok()
            .map(|s| Json::String(s.to_owned())),
        Value::LightUserData(p) if p.0.is_null() => Some(Json::Null),
        _ => None,
    }
}

/// Read an accepted list with `ipairs` semantics: entries 1, 2, ... up to the
/// first nil, through `__index` (Prosody passes `util.array` tables). A
/// metamethod that raises, or a list longer than [`MAX_LIST_ENTRIES`], gives
/// an error message instead of a Lua error.
pub fn read_list(table: &Table, what: &'static str) -> Result<Vec<Json>, ArgError> {
    let mut out = Vec::new();
    // A plain table (the usual case) is read raw: the same entries, without
    // a protected call per entry. __index is honoured whenever a metatable is.
    let plain = table.metatable().is_none();
    for i in 1..=MAX_LIST_ENTRIES {
        let entry: Value = if plain {
            table.raw_get(i)
        } else {
            table.get(i)
        }
        .map_err(|_| ArgError::ListUnreadable { what })?;
        if entry.is_nil() {
            return Ok(out);
        }
        out.extend(lua_to_claim(&entry));
    }
    Err(ArgError::ListTooLong {
        what,
        max: MAX_LIST_ENTRIES,
    })
}

/// Lua type name for messages (`Cannot serialise <type>: ...`).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        Value::LightUserData(_) | Value::UserData(_) | Value::Error(_) => "userdata",
        _ => "cdata",
    }
}

fn refuse(kind: &'static str, reason: impl Into<String>) -> Error {
    Error::Serialise {
        kind,
        reason: reason.into(),
    }
}

fn from_core(e: SerialiseError) -> Error {
    refuse(e.kind, e.reason)
}

/// Serialise a table that must become a JSON object (a payload or a header):
/// an empty table is `{}`, a sequence is refused.
pub fn write_object_table(out: &mut Vec<u8>, table: &Table, what: &str) -> Result<(), Error> {
    match classify(table)? {
        Shape::Array(_) => Err(refuse(
            "table",
            format!("{what} must be a JSON object, not an array"),
        )),
        shape => write_shape(out, shape, 1),
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value, depth: usize) -> Result<(), Error> {
    match value {
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Integer(i) => json::write_i64(out, *i),
        Value::Number(f) => json::write_f64(out, *f).map_err(from_core)?,
        Value::String(s) => {
            let bytes = s.as_bytes();
            let text =
                std::str::from_utf8(&bytes).map_err(|_| refuse("string", "invalid UTF-8"))?;
            json::write_str(out, text);
        }
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Table(t) => {
            if depth >= MAX_ENCODE_DEPTH {
                return Err(refuse(
                    "table",
                    format!("nested deeper than {MAX_ENCODE_DEPTH} levels (a cycle?)"),
                ));
            }
            write_shape(out, classify(t)?, depth + 1)?;
        }
        other => return Err(refuse(kind(other), "no JSON form")),
    }
    Ok(())
}

/// What a table turns into: an object (members by name) or an array.
enum Shape {
    /// Members with their names' bytes (checked as UTF-8 when written).
    Object(Vec<(Vec<u8>, Value)>),
    Array(Vec<Value>),
}

/// Read a table without metamethods (as cjson does) and decide its shape:
/// no entries is `{}`; keys exactly 1..n an array; all-string keys an object.
fn classify(table: &Table) -> Result<Shape, Error> {
    let mut named = Vec::new();
    let mut indexed: Vec<(i64, Value)> = Vec::new();
    let mut bad_key: Option<&'static str> = None;
    table
        .for_each(|k: Value, v: Value| {
            match k {
                // The bytes are copied once here, so sorting compares plain
                // slices instead of asking Lua for each side of each comparison.
                Value::String(s) => named.push((s.as_bytes().to_vec(), v)),
                other => match whole(&other) {
                    Some(i) => indexed.push((i, v)),
                    None => bad_key = Some(kind(&other)),
                },
            }
            Ok(())
        })
        .map_err(|_| refuse("table", "could not be read"))?;
    if let Some(k) = bad_key {
        return Err(refuse("table", format!("a {k} key has no JSON form")));
    }
    match (named.is_empty(), indexed.is_empty()) {
        (_, true) => Ok(Shape::Object(named)),
        (true, false) => {
            indexed.sort_unstable_by_key(|(i, _)| *i);
            if indexed
                .iter()
                .enumerate()
                .any(|(pos, (i, _))| usize::try_from(*i) != Ok(pos + 1))
            {
                return Err(refuse("table", "sparse array (keys must be exactly 1..n)"));
            }
            Ok(Shape::Array(indexed.into_iter().map(|(_, v)| v).collect()))
        }
        // COMPAT(canonical-encode): 3.0 (lua-cjson) wrote a mixed table as an
        // object, its integer keys turned into strings; no single JSON form
        // says what the caller meant, so it is refused.
        (false, false) => Err(refuse(
            "table",
            "mixed table (both string and integer keys)",
        )),
    }
}

fn write_shape(out: &mut Vec<u8>, shape: Shape, depth: usize) -> Result<(), Error> {
    match shape {
        Shape::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item, depth)?;
            }
            out.push(b']');
        }
        Shape::Object(mut members) => {
            members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            out.push(b'{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let text = std::str::from_utf8(name)
                    .map_err(|_| refuse("string", "invalid UTF-8 in a key"))?;
                json::write_str(out, text);
                out.push(b':');
                write_value(out, value, depth)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// A whole number from a Lua number: an integer, or an integral float below
/// 9e15 (exact in a double). Seconds for `now` and `leeway`, array indexes
/// for tables.
pub(super) fn whole(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        #[allow(
            clippy::cast_possible_truncation,
            reason = "f is integral and |f| < 9e15, checked in the guard, so the cast is exact"
        )]
        Value::Number(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        _ => None,
    }
}
