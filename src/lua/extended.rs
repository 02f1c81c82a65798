//! The extended Lua API: `verifier{...}` and `inspect(token)`. Options are
//! read and checked here, once; the work is [`crate::api::verifier`]'s. Like the
//! 3.0 functions, nothing here raises on bad input: `nil, message` instead.

use super::calls::{arg, fail, now, one};
use super::convert::{self, whole};
use super::error::{ArgError, OptionArg};
use crate::alg::Algorithm;
use crate::api::verifier::{self, Options, Verifier};
use crate::pipeline::claims::ClaimRules;
use mlua::{AnyUserData, Function, Lua, MetaMethod, MultiValue, Table, UserData, Value};
use std::borrow::Cow;

/// Where a verifier's clock comes from.
enum Now {
    /// `os.time()`'s clock, read once per call.
    Clock,
    /// A fixed time (tests).
    Fixed(i64),
    /// A Lua function returning the time (tests, or a shared clock).
    Func(Function),
}

/// The userdata `verifier{...}` returns.
struct LuaVerifier {
    core: Verifier,
    now: Now,
    algs: String,
}

impl UserData for LuaVerifier {
    fn add_methods<M: mlua::UserDataMethods<Self>>(methods: &mut M) {
        // A function, not a method, so `v.verify(token)` (a missing colon)
        // returns nil, message instead of raising.
        methods.add_function("verify", verify_method);
        methods.add_meta_method(MetaMethod::ToString, |_, this, ()| {
            Ok(format!("luajwtjitsi verifier ({})", this.algs))
        });
    }
}

/// How a non-nil option value sets the claim rules.
type SetRule = fn(&mut ClaimRules<'static>, Value) -> Result<(), OptionArg>;

/// The options that set the claim rules, in the order they are read and
/// listed, each with how its value sets the rules; `nil` keeps
/// [`ClaimRules::DEFAULT`]'s value. A new rule option is one row here.
const RULE_OPTIONS: &[(&str, SetRule)] = &[
    ("issuers", |r, v| {
        r.issuers = Some(list(v, "issuers")?);
        Ok(())
    }),
    ("audiences", |r, v| {
        r.audiences = Some(list(v, "audiences")?);
        Ok(())
    }),
    ("leeway", |r, v| {
        r.leeway = seconds(&v, "leeway")?;
        Ok(())
    }),
    ("required", |r, v| {
        let Value::Table(t) = v else {
            return Err(OptionArg::RequiredType);
        };
        r.required = strings(&t, "required")?.into();
        Ok(())
    }),
    ("typ", |r, v| {
        r.typ = match v {
            Value::Boolean(false) => None,
            Value::String(s) => Some(
                s.to_str()
                    .map_err(|_| OptionArg::TypUtf8)?
                    .to_owned()
                    .into(),
            ),
            _ => return Err(OptionArg::TypType),
        };
        Ok(())
    }),
];

/// Every option name, in the order of the unknown-option message.
fn option_names() -> impl Iterator<Item = &'static str> {
    ["alg", "key"]
        .into_iter()
        .chain(RULE_OPTIONS.iter().map(|&(name, _)| name))
        .chain(["now"])
}

/// `verifier(options)`: a verifier userdata, or `nil, "verifier: <reason>"`.
pub fn verifier_lua(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::Table(opts) = arg(&args, 0) else {
        return fail(lua, ArgError::Verifier(OptionArg::NotTable));
    };
    match build(opts) {
        Ok(v) => one(Value::UserData(lua.create_userdata(v)?)),
        Err(reason) => fail(lua, ArgError::Verifier(reason)),
    }
}

fn build(opts: &Table) -> Result<LuaVerifier, OptionArg> {
    // Unknown names are refused so a typo ("audience", "leway") cannot
    // silently turn a check off.
    for pair in opts.clone().pairs::<Value, Value>() {
        let (k, _) = pair.map_err(|_| OptionArg::Unreadable)?;
        let known = match &k {
            Value::String(s) => option_names().any(|o| s.as_bytes().as_ref() == o.as_bytes()),
            _ => false,
        };
        if !known {
            return Err(OptionArg::Unknown {
                name: describe_key(&k),
                known: option_names().collect::<Vec<_>>().join(", "),
            });
        }
    }
    let get = |name: &'static str| -> Result<Value, OptionArg> {
        opts.raw_get::<Value>(name)
            .map_err(|_| OptionArg::OptionUnreadable(name))
    };
    let algs = match get("alg")? {
        Value::String(s) => vec![alg_named(&s.as_bytes())?],
        Value::Table(t) => {
            let mut algs = Vec::new();
            for v in strings(&t, "alg")? {
                let a = alg_named(v.as_bytes())?;
                if !algs.contains(&a) {
                    algs.push(a);
                }
            }
            algs
        }
        Value::Nil => return Err(OptionArg::AlgMissing),
        _ => return Err(OptionArg::AlgType),
    };
    let key = match get("key")? {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Nil => return Err(OptionArg::KeyMissing),
        _ => return Err(OptionArg::KeyType),
    };
    let mut o = Options::new(algs, key);
    for &(name, set) in RULE_OPTIONS {
        match get(name)? {
            Value::Nil => {}
            v => set(&mut o.rules, v)?,
        }
    }
    let now = match get("now")? {
        Value::Nil => Now::Clock,
        Value::Function(f) => Now::Func(f),
        v => Now::Fixed(whole(&v).ok_or(OptionArg::NowType)?),
    };
    let names: Vec<&str> = o.algs.iter().map(|a| a.name()).collect();
    let algs = names.join(", ");
    let core = Verifier::new(o).map_err(OptionArg::Core)?;
    Ok(LuaVerifier { core, now, algs })
}

fn describe_key(k: &Value) -> String {
    match k {
        Value::String(s) => format!("'{}'", s.to_string_lossy()),
        Value::Integer(_) | Value::Number(_) => "of type number".to_owned(),
        other => format!("of type {}", other.type_name()),
    }
}

fn alg_named(name: &[u8]) -> Result<Algorithm, OptionArg> {
    Algorithm::from_name(name)
        .ok_or_else(|| OptionArg::AlgUnknown(String::from_utf8_lossy(name).into_owned()))
}

/// A list of strings, read with ipairs semantics (at most 256 entries).
fn strings(t: &Table, what: &'static str) -> Result<Vec<String>, OptionArg> {
    let mut out = Vec::new();
    for i in 1..=257 {
        match t.raw_get::<Value>(i) {
            Ok(Value::Nil) => return Ok(out),
            Ok(Value::String(s)) if i <= 256 => out.push(
                s.to_str()
                    .map_err(|_| OptionArg::EntryUtf8(what))?
                    .to_owned(),
            ),
            Ok(Value::String(_)) => return Err(OptionArg::TooManyEntries(what)),
            _ => return Err(OptionArg::NotStrings(what)),
        }
    }
    Ok(out)
}

/// An accepted list (`issuers`, `audiences`), read as `verify`'s are.
fn list(v: Value, what: &'static str) -> Result<Cow<'static, [serde_json::Value]>, OptionArg> {
    match v {
        Value::Table(t) => convert::read_list(&t, what)
            .map(Cow::Owned)
            .map_err(|e| OptionArg::List(Box::new(e))),
        _ => Err(OptionArg::NotList(what)),
    }
}

/// A whole number of seconds (`leeway`), else `<name> must be a whole
/// number of seconds`.
fn seconds(v: &Value, name: &'static str) -> Result<i64, OptionArg> {
    whole(v).ok_or(OptionArg::WholeSeconds(name))
}

/// `v:verify(token)`: claims, or `nil, message`.
fn verify_method(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let this = match arg(&args, 0) {
        Value::UserData(ud) => ud.clone(),
        _ => return fail(lua, ArgError::NotAMethodCall),
    };
    let Ok(this) = AnyUserData::borrow::<LuaVerifier>(&this) else {
        return fail(lua, ArgError::NotAMethodCall);
    };
    let Value::String(token_text) = arg(&args, 1) else {
        return fail(lua, ArgError::Token);
    };
    let now = match &this.now {
        Now::Clock => now(),
        Now::Fixed(t) => *t,
        Now::Func(f) => match f.call::<Value>(()) {
            Ok(v) => match whole(&v) {
                Some(t) => t,
                None => return fail(lua, ArgError::NowReturn),
            },
            Err(e) => return fail(lua, ArgError::NowFailed(e.to_string())),
        },
    };
    match this.core.check(&token_text.as_bytes(), now) {
        Ok(verified) => one(Value::Table(super::raw_claims::payload_to_lua(
            lua,
            verified.payload_json(),
        )?)),
        Err(e) => fail(lua, e),
    }
}

/// `inspect(token)`: `{ header = ..., claims = ..., verified = false }`
/// WITHOUT verifying the signature or any claim, or `nil, message`.
pub fn inspect_lua(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let Value::String(token_text) = arg(&args, 0) else {
        return fail(lua, ArgError::Token);
    };
    match verifier::inspect_unverified(&token_text.as_bytes()) {
        Ok(d) => {
            let t = lua.create_table()?;
            t.raw_set("header", convert::object_to_lua(lua, &d.header)?)?;
            t.raw_set("claims", convert::object_to_lua(lua, &d.payload)?)?;
            t.raw_set("verified", false)?;
            one(Value::Table(t))
        }
        Err(e) => fail(lua, e),
    }
}

#[cfg(test)]
mod tests {
    use mlua::Lua;

    /// What `verifier{...}` says of its options, in a real Lua state: the
    /// rule options are read from one table, with the texts they had.
    #[test]
    fn rule_options_keep_their_messages() {
        let lua = Lua::new();
        lua.globals()
            .set("jwt", super::super::module(&lua).unwrap())
            .unwrap();
        let said = |opts: &str| -> String {
            lua.load(format!(
                "local v, err = jwt.verifier({{ alg = 'HS256', key = 's3cret-key', {opts} }}) \
                 return err or tostring(v)"
            ))
            .eval()
            .unwrap()
        };
        assert_eq!(
            said("leway = 1"),
            "verifier: unknown option 'leway' \
             (known: alg, key, issuers, audiences, leeway, required, typ, now)"
        );
        assert_eq!(
            said("leeway = 1.5"),
            "verifier: leeway must be a whole number of seconds"
        );
        assert_eq!(
            said("leeway = 3601"),
            "verifier: leeway must be between 0 and 3600 seconds"
        );
        assert_eq!(said("issuers = 'app'"), "verifier: issuers must be a list");
        assert_eq!(
            said("required = 'room'"),
            "verifier: required must be a list of claim names"
        );
        assert_eq!(
            said("typ = 1"),
            "verifier: typ must be a string, or false to skip the check"
        );
        assert_eq!(
            said(
                "issuers = {'a'}, audiences = {'b'}, leeway = 30, required = {'room'}, typ = false"
            ),
            "luajwtjitsi verifier (HS256)"
        );
    }
}
