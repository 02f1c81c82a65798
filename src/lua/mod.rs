//! The Lua binding: argument checks with the legacy messages, Lua ⇄ JSON,
//! reading the clock once per call, and `Err(e)` turned into `nil, message`.
//! No function here raises on bad input; only running out of memory can.

mod calls;
mod convert;
#[cfg(feature = "module")]
mod entry;
mod error;
mod extended;
mod fallback;
mod raw_claims;

use crate::alg::Algorithm;
use crate::api::v2;
use crate::api::v3;
use crate::error::Error;
use crate::pipeline::claims::{Accepted, ClaimRules};
use crate::pipeline::{self, Keys, Policy};
use calls::{arg, fail, fail4, one};
use error::ArgError;
use mlua::{Lua, MultiValue, Table, Value};

/// Build the table `require "luajwtjitsi"` returns.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let m = lua.create_table()?;
    m.set(
        "verify",
        lua.create_function(|lua, args: MultiValue| verify_lua(lua, &args, None))?,
    )?;
    m.set("encode", lua.create_function(encode_lua)?)?;
    m.set("decode", lua.create_function(decode_lua)?)?;
    // The extended API (beyond 3.0): docs/extended-api.md.
    m.set("verifier", lua.create_function(extended::verifier_lua)?)?;
    m.set("inspect", lua.create_function(extended::inspect_lua)?)?;
    m.set("_VERSION", env!("CARGO_PKG_VERSION"))?;

    let internals = lua.create_table()?;
    internals.set("split_token", lua.create_function(split_token)?)?;
    internals.set("parse_token", lua.create_function(parse_token)?)?;
    internals.set("strip_signature", lua.create_function(strip_signature)?)?;
    internals.set("verify_claim", lua.create_function(verify_claim)?)?;
    internals.set("verify_at", lua.create_function(verify_at)?)?;
    #[cfg(feature = "panic-probe")]
    #[allow(clippy::panic)] // the probe's whole point (tests/panic_probe.sh)
    internals.set(
        "_panic",
        lua.create_function(|_, ()| -> mlua::Result<()> { panic!("panic-probe") })?,
    )?;
    m.set("_internals", internals)?;
    Ok(m)
}

/// An accepted list already type-checked as nil or a table, read with
/// ipairs semantics.
fn optional_list(
    value: &Value,
    what: &'static str,
) -> Result<Option<Vec<serde_json::Value>>, ArgError> {
    match value {
        Value::Table(t) => convert::read_list(t, what).map(Some),
        _ => Ok(None),
    }
}

/// `verify(token, expectedAlgo, key [, acceptedIssuers [, acceptedAudiences]])`,
/// or `_internals.verify_at` when `now` is given.
fn verify_lua(lua: &Lua, args: &MultiValue, now: Option<i64>) -> mlua::Result<MultiValue> {
    let Value::String(token) = arg(args, 0) else {
        return fail(lua, ArgError::Token);
    };
    let Value::String(alg) = arg(args, 1) else {
        return fail(lua, ArgError::Algorithm);
    };
    let Value::String(key) = arg(args, 2) else {
        return fail(lua, ArgError::Key);
    };
    if !matches!(arg(args, 3), Value::Nil | Value::Table(_)) {
        return fail(lua, ArgError::Issuers);
    }
    if !matches!(arg(args, 4), Value::Nil | Value::Table(_)) {
        return fail(lua, ArgError::Audiences);
    }
    // Both types are checked (rows 4-5) before either list is read.
    let lists = optional_list(arg(args, 3), "acceptedIssuers")
        .and_then(|iss| Ok((iss, optional_list(arg(args, 4), "acceptedAudiences")?)));
    let (issuers, audiences) = match lists {
        Ok(lists) => lists,
        Err(msg) => return fail(lua, msg),
    };
    let rules = ClaimRules::accepting(Accepted {
        issuers: issuers.as_deref(),
        audiences: audiences.as_deref(),
    });
    let Some(alg) = Algorithm::from_name(&alg.as_bytes()) else {
        return fail(lua, Error::AlgorithmNotSupported);
    };
    let now = now.unwrap_or_else(calls::now);
    let policy = Policy::v3(alg, &rules);
    match pipeline::verify(
        &token.as_bytes(),
        &policy,
        Keys::Bytes(&key.as_bytes()),
        now,
    ) {
        Ok(verified) => one(Value::Table(raw_claims::payload_to_lua(
            lua,
            verified.payload_json(),
        )?)),
        Err(e) => fail(lua, e),
    }
}

/// `_internals.verify_at(now, token, alg, key, issuers, audiences)`: `verify`
/// with the clock fixed at `now` (whole seconds), for tests.
fn verify_at(lua: &Lua, mut args: MultiValue) -> mlua::Result<MultiValue> {
    let Some(now) = args.pop_front().as_ref().and_then(convert::whole) else {
        return fail(lua, ArgError::Now);
    };
    verify_lua(lua, &args, Some(now))
}

/// `encode(payload, key [, alg [, header]])`.
fn encode_lua(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::Table(payload) = arg(&args, 0) else {
        return fail(lua, ArgError::Payload);
    };
    let Value::String(key) = arg(&args, 1) else {
        return fail(lua, ArgError::SecondString);
    };
    let alg = match arg(&args, 2) {
        Value::Nil => Algorithm::HS256,
        Value::String(name) => match Algorithm::from_name(&name.as_bytes()) {
            Some(alg) => alg,
            None => return fail(lua, Error::AlgorithmNotSupported),
        },
        _ => return fail(lua, Error::AlgorithmNotSupported),
    };
    let mut header_json = Vec::with_capacity(64);
    let header_written = match arg(&args, 3) {
        // No header table: the canonical header is known without one.
        Value::Nil => {
            header_json
                .extend_from_slice(format!(r#"{{"alg":"{}","typ":"JWT"}}"#, alg.name()).as_bytes());
            Ok(())
        }
        Value::Table(header) => {
            // COMPAT(header-written): kept from 3.0, which wrote typ and alg
            // into the caller's header table.
            header.raw_set("typ", "JWT")?;
            header.raw_set("alg", alg.name())?;
            convert::write_object_table(&mut header_json, header, "a header")
        }
        _ => return fail(lua, ArgError::Header),
    };
    let mut payload_json = Vec::with_capacity(512);
    let result = header_written
        .and_then(|()| convert::write_object_table(&mut payload_json, payload, "a payload"))
        .and_then(|()| v3::sign_parts(&header_json, &payload_json, alg, &key.as_bytes()));
    match result {
        Ok(token) => one(Value::String(lua.create_string(token)?)),
        Err(e) => fail(lua, e),
    }
}

/// `decode(token, key [, verify])`: the 2.0 API. Unverified decoding is
/// refused rather than offered.
fn decode_lua(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::String(token) = arg(&args, 0) else {
        return fail(lua, ArgError::FirstString);
    };
    if arg(&args, 1).is_nil() || matches!(arg(&args, 2), Value::Boolean(false)) {
        return fail(lua, ArgError::UnverifiedDecode);
    }
    let Value::String(key) = arg(&args, 1) else {
        return fail(lua, ArgError::SecondString);
    };
    match v2::decode(&token.as_bytes(), &key.as_bytes(), calls::now()) {
        Ok(claims) => one(Value::Table(convert::object_to_lua(lua, &claims)?)),
        Err(e) => fail(lua, e),
    }
}

/// `_internals.split_token(s)`: every `.`-separated segment, empty ones kept.
fn split_token(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::String(s) = arg(&args, 0) else {
        return fail(lua, ArgError::Token);
    };
    let table = lua.create_table()?;
    for (i, part) in s.as_bytes().split(|&b| b == b'.').enumerate() {
        table.raw_set(i + 1, lua.create_string(part)?)?;
    }
    one(Value::Table(table))
}

/// `_internals.parse_token(t)`: header table, body table, raw signature.
fn parse_token(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::String(s) = arg(&args, 0) else {
        return fail4(lua, ArgError::Token);
    };
    let bytes = s.as_bytes();
    let decoded = match pipeline::split(&bytes).and_then(|seg| pipeline::decode_segments(&seg)) {
        Ok(d) => d,
        Err(e) => return fail4(lua, e),
    };
    Ok(MultiValue::from_vec(vec![
        Value::Table(convert::object_to_lua(lua, &decoded.header)?),
        Value::Table(convert::object_to_lua(lua, &decoded.payload)?),
        Value::String(lua.create_string(&decoded.signature)?),
    ]))
}

/// `_internals.strip_signature(t)`: `"header.payload"`.
fn strip_signature(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::String(s) = arg(&args, 0) else {
        return fail4(lua, ArgError::Token);
    };
    let bytes = s.as_bytes();
    match pipeline::split(&bytes) {
        Ok(seg) => one(Value::String(lua.create_string(seg.signing_input)?)),
        Err(e) => fail4(lua, e),
    }
}

/// `_internals.verify_claim(value, list)`: true when an entry is `"*"` or
/// raw-equal to `value`. A list that is not a table accepts nothing.
fn verify_claim(_lua: &Lua, args: MultiValue) -> mlua::Result<bool> {
    let value = arg(&args, 0);
    let Value::Table(list) = arg(&args, 1) else {
        return Ok(false);
    };
    for i in 1..=convert::MAX_LIST_ENTRIES {
        let Ok(entry) = list.get::<Value>(i) else {
            return Ok(false);
        };
        match &entry {
            Value::Nil => return Ok(false),
            Value::String(s) if s.as_bytes().as_ref() == b"*" => return Ok(true),
            e if e == value => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::module;
    use mlua::{Lua, Table, Value};

    /// The export table `require "luajwtjitsi"` returns: every name of the
    /// 3.0 API, the extended API and the internals, and a round trip
    /// through it, in a real Lua state (the vendored test build).
    #[test]
    fn the_export_table_has_the_api_and_works() {
        let lua = Lua::new();
        let m = module(&lua).unwrap();
        for name in ["verify", "encode", "decode", "verifier", "inspect"] {
            assert!(
                matches!(m.get::<Value>(name).unwrap(), Value::Function(_)),
                "{name}"
            );
        }
        assert_eq!(
            m.get::<String>("_VERSION").unwrap(),
            env!("CARGO_PKG_VERSION")
        );
        let internals: Table = m.get("_internals").unwrap();
        for name in [
            "split_token",
            "parse_token",
            "strip_signature",
            "verify_claim",
            "verify_at",
        ] {
            assert!(
                matches!(internals.get::<Value>(name).unwrap(), Value::Function(_)),
                "_internals.{name}"
            );
        }
        lua.globals().set("jwt", m).unwrap();
        let (room, err): (Option<String>, Option<String>) = lua
            .load(
                r#"
                local t = assert(jwt.encode({ room = "r", exp = os.time() + 60 }, "s3cret-key"))
                local claims, err = jwt.verify(t, "HS256", "s3cret-key")
                if not claims then return nil, err end
                local _, bad = jwt.verify(t, "HS256", "other-key")
                return claims.room, bad
                "#,
            )
            .eval()
            .unwrap();
        assert_eq!(room.as_deref(), Some("r"));
        assert_eq!(err.as_deref(), Some("Invalid signature"));
        // Bad arguments answer nil, message: no Lua error.
        let msg: Option<String> = lua
            .load("return select(2, jwt.verify(nil, 'HS256', 'k'))")
            .eval()
            .unwrap();
        assert_eq!(msg.as_deref(), Some("token argument must be string"));
    }
}
