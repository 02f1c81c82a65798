//! Reading a call's arguments and shaping its return values: `nil, message`
//! on every failure, as 3.0 did.

use mlua::{Lua, MultiValue, Value};

/// Argument `i` (0-based); nil when the call has fewer.
pub fn arg(args: &MultiValue, i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Nil)
}

/// COMPAT(lua-errors): where 3.0 raised a Lua error (bad base64, a number
/// payload, a garbage key), the module returns this instead.
/// `nil, message`: two values, as every failure returns.
pub fn fail(lua: &Lua, err: impl ToString) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_vec(vec![
        Value::Nil,
        Value::String(lua.create_string(err.to_string())?),
    ]))
}

/// `parse_token`/`strip_signature` fail with four values (3.0's shape).
pub fn fail4(lua: &Lua, err: impl ToString) -> mlua::Result<MultiValue> {
    let msg = Value::String(lua.create_string(err.to_string())?);
    Ok(MultiValue::from_vec(vec![
        Value::Nil,
        Value::Nil,
        Value::Nil,
        msg,
    ]))
}

pub fn one(value: Value) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_vec(vec![value]))
}

/// Seconds since the Unix epoch, as Lua's `os.time()` gives them: the
/// binding's clock, read once per call.
pub(crate) fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}
