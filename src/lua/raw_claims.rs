//! Claims into Lua tables with Lua's C API, in one protected call.
//!
//! Through mlua's safe API every string and table made in module mode costs
//! a protected call and a registry reference (mlua cannot tell whether the
//! host limits memory): about half of an HS256 verify went there
//! (docs/performance.md). Here the payload JSON is first read into a tape of
//! push operations (plain Rust data, owned by this frame), then one
//! `Lua::exec_raw` replays the tape with `lua_createtable` (each table made
//! at its final size), `lua_pushlstring`, `lua_rawset` and `lua_rawseti`,
//! inside a single `lua_pcall`.
//!
//! Why this is sound: a Lua error (only "not enough memory" can happen here)
//! longjmps out of the replay to mlua's `lua_pcall`, which turns it into an
//! `Err`. The frames it skips are the replay closure's, which own nothing
//! with a destructor (a borrowed slice of the tape, integers), as
//! `exec_raw` requires; the tape itself lives in the caller's frame, outside
//! the protected call, and is dropped normally. Nothing in the replay can
//! panic: every count and index was checked while the tape was built.
#![allow(unsafe_code)]

use crate::json;
use mlua::{ffi, Lua, Table};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::os::raw::c_int;

/// One step of building the claims table on the Lua stack.
enum Op<'de> {
    /// Push a new table, sized for its members.
    Table { narr: c_int, nrec: c_int },
    /// Push a string (a name or a value).
    Str(Cow<'de, str>),
    /// Push an integer (a double on Lua 5.1, 5.2 and LuaJIT, as mlua does).
    Int(i64),
    /// Push a float.
    Float(f64),
    /// Push a boolean.
    Bool(bool),
    /// Push JSON null: the NULL light userdata (`cjson.null`).
    Null,
    /// Pop a name and a value into the table under them (`t[name] = value`).
    SetField,
    /// Pop a value into the table under it at this index (1-based).
    SetIndex(c_int),
}

#[derive(Default)]
struct Tape<'de> {
    ops: Vec<Op<'de>>,
    depth: usize,
    max_depth: usize,
}

impl<'de> Tape<'de> {
    /// Push a table whose size is filled in by [`Tape::close`].
    fn open(&mut self) -> usize {
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        self.ops.push(Op::Table { narr: 0, nrec: 0 });
        self.ops.len() - 1
    }

    fn close(&mut self, at: usize, narr: usize, nrec: usize) {
        self.depth -= 1;
        if let Some(op) = self.ops.get_mut(at) {
            // Sizes are hints to lua_createtable; a count past c_int gets none.
            *op = Op::Table {
                narr: c_int::try_from(narr).unwrap_or(0),
                nrec: c_int::try_from(nrec).unwrap_or(0),
            };
        }
    }
}

/// Claims as Lua values, straight from their JSON text: objects and arrays
/// become fresh tables without metatables, null the NULL light userdata
/// (`cjson.null`), integers that fit in 64 bits integers (doubles on
/// 5.1/5.2/LuaJIT), other numbers floats. `json` must already have passed
/// [`json::scan_object`]: duplicate names and the depth limit are checked
/// there. Errors: only Lua running out of memory, or JSON that is not an
/// object (which the scan already refused).
pub fn payload_to_lua(lua: &Lua, json: &[u8]) -> mlua::Result<Table> {
    // About one operation per 6 bytes of a typical Jitsi payload: one
    // allocation for the tape in the usual case.
    let mut tape = Tape {
        ops: Vec::with_capacity(json.len() / 6 + 8),
        ..Tape::default()
    };
    let mut de = serde_json::Deserializer::from_slice(json);
    de.deserialize_map(Record(&mut tape))
        .map_err(|e| mlua::Error::runtime(format!("claims could not be built: {e}")))?;
    if !matches!(tape.ops.first(), Some(Op::Table { .. })) {
        return Err(mlua::Error::runtime("claims are not a JSON object"));
    }
    // Stack slots: a table and a name per open level, then one value.
    let slots = c_int::try_from(tape.max_depth.saturating_mul(2).saturating_add(1))
        .map_err(|_| mlua::Error::runtime("claims nest too deeply"))?;
    let ops: &[Op] = &tape.ops;
    // SAFETY: the closure only pushes and sets with the C API on the stack
    // exec_raw gives it, after reserving `slots` (the most the tape ever
    // holds: the depth was counted while recording). It owns nothing that
    // needs dropping and cannot panic (indices fit c_int, checked when
    // recorded), so a memory error's longjmp skips no destructor. On
    // success the tape leaves exactly the claims table, which exec_raw
    // returns as a `Table`; if lua_checkstack fails, nothing is pushed and
    // the conversion from no value gives an `Err`.
    unsafe {
        lua.exec_raw::<Table>((), |state| {
            if ffi::lua_checkstack(state, slots) == 0 {
                return;
            }
            for op in ops {
                match op {
                    Op::Table { narr, nrec } => ffi::lua_createtable(state, *narr, *nrec),
                    Op::Str(s) => {
                        ffi::lua_pushlstring(state, s.as_ptr().cast(), s.len());
                    }
                    Op::Int(i) => ffi::lua_pushinteger(state, *i),
                    Op::Float(f) => ffi::lua_pushnumber(state, *f),
                    Op::Bool(b) => ffi::lua_pushboolean(state, c_int::from(*b)),
                    Op::Null => ffi::lua_pushlightuserdata(state, std::ptr::null_mut()),
                    Op::SetField => ffi::lua_rawset(state, -3),
                    Op::SetIndex(i) => ffi::lua_rawseti(state, -2, ffi::lua_Integer::from(*i)),
                }
            }
        })
    }
}

/// Records one JSON value onto the tape.
struct Record<'t, 'de>(&'t mut Tape<'de>);

impl<'de> DeserializeSeed<'de> for Record<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.ops.push(Op::Null);
        Ok(())
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.ops.push(Op::Bool(v));
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.ops.push(Op::Int(v));
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        // Beyond i64: a float, as json::parse_value makes it.
        self.0.ops.push(match i64::try_from(v) {
            Ok(i) => Op::Int(i),
            #[allow(
                clippy::cast_precision_loss,
                reason = "above i64::MAX a number is a float, as in Lua; the nearest double is meant"
            )]
            Err(_) => Op::Float(v as f64),
        });
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0.ops.push(Op::Float(v));
        Ok(())
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        self.0.ops.push(Op::Str(Cow::Borrowed(v)));
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.ops.push(Op::Str(Cow::Owned(v.to_owned())));
        Ok(())
    }
    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.0.ops.push(Op::Str(Cow::Owned(v)));
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.0.open();
        let mut n: c_int = 0;
        while seq.next_element_seed(Record(&mut *self.0))?.is_some() {
            n = n
                .checked_add(1)
                .ok_or_else(|| de::Error::custom("array too long"))?;
            self.0.ops.push(Op::SetIndex(n));
        }
        self.0.close(at, usize::try_from(n).unwrap_or(0), 0);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let at = self.0.open();
        let mut n = 0usize;
        while let Some(name) = access.next_key_seed(json::Name)? {
            self.0.ops.push(Op::Str(name));
            access.next_value_seed(Record(&mut *self.0))?;
            self.0.ops.push(Op::SetField);
            n += 1;
        }
        self.0.close(at, 0, n);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::payload_to_lua;
    use mlua::{Lua, Table, Value};

    const CLAIMS: &[u8] = br#"{"aud":"jitsi","n":-7,"big":18446744073709551615,"f":1.5,
        "t":true,"z":null,"esc":"a\"\u00e9","arr":[1,"two",[],{}],
        "context":{"user":{"name":"Ada","moderator":false},"features":{}}}"#;

    /// The tape gives the table mlua's safe API would: every JSON type, in
    /// nested objects and arrays, escaped strings, null as NULL.
    #[test]
    fn builds_every_json_type() {
        let lua = Lua::new();
        let t = payload_to_lua(&lua, CLAIMS).unwrap();
        assert_eq!(t.raw_get::<String>("aud").unwrap(), "jitsi");
        assert_eq!(t.raw_get::<i64>("n").unwrap(), -7);
        assert_eq!(
            t.raw_get::<f64>("big").unwrap(),
            18_446_744_073_709_551_615.0
        );
        assert_eq!(t.raw_get::<f64>("f").unwrap(), 1.5);
        assert!(t.raw_get::<bool>("t").unwrap());
        assert_eq!(t.raw_get::<Value>("z").unwrap(), Value::NULL);
        assert_eq!(t.raw_get::<String>("esc").unwrap(), "a\"\u{e9}");
        let arr: Table = t.raw_get("arr").unwrap();
        assert_eq!(arr.raw_len(), 4);
        assert_eq!(arr.raw_get::<i64>(1).unwrap(), 1);
        assert_eq!(arr.raw_get::<String>(2).unwrap(), "two");
        assert_eq!(arr.raw_get::<Table>(3).unwrap().raw_len(), 0);
        let user: Table = t
            .raw_get::<Table>("context")
            .unwrap()
            .raw_get("user")
            .unwrap();
        assert_eq!(user.raw_get::<String>("name").unwrap(), "Ada");
        assert!(!user.raw_get::<bool>("moderator").unwrap());
        assert!(t.metatable().is_none() && arr.metatable().is_none());
        assert_eq!(t.pairs::<Value, Value>().count(), 9);
    }

    /// A memory error while the table is built is an `Err`, not a crash
    /// or a longjmp into Rust, and the state stays usable afterwards.
    #[test]
    fn a_memory_error_is_an_err_and_the_state_survives() {
        let lua = Lua::new();
        let used = lua.used_memory();
        let mut refused = 0;
        for extra in (0..4096).step_by(64) {
            lua.set_memory_limit(used + extra).unwrap();
            match payload_to_lua(&lua, CLAIMS) {
                Err(mlua::Error::MemoryError(_)) => refused += 1,
                Err(e) => panic!("not a memory error: {e}"),
                Ok(t) => assert_eq!(t.raw_get::<String>("aud").unwrap(), "jitsi"),
            }
        }
        assert!(refused > 0, "no limit was tight enough to fail");
        lua.set_memory_limit(0).unwrap();
        let t = payload_to_lua(&lua, CLAIMS).unwrap();
        assert_eq!(t.raw_get::<String>("aud").unwrap(), "jitsi");
        assert_eq!(lua.load("return 1 + 1").eval::<i64>().unwrap(), 2);
    }

    /// JSON that is not an object never becomes a table.
    #[test]
    fn not_an_object_is_an_err() {
        let lua = Lua::new();
        for json in [&b"[1]"[..], b"1", b"\"x\"", b"{", b""] {
            assert!(payload_to_lua(&lua, json).is_err(), "{json:?}");
        }
    }
}
