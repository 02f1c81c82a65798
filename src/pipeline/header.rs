//! Step 2, the header's extension parameters: `crit` (RFC 7515 §4.1.11) and
//! `b64` (RFC 7797). The header's `typ` and `alg` are checked by the
//! pipeline itself, by its [`super::Policy`].
#![forbid(unsafe_code)]

use crate::error::CritError;
use crate::json;
use serde_json::Value;

/// The header parameters RFC 7515 §4.1 defines, which `crit` must not
/// list (RFC 7518 defines none for JWS).
const REGISTERED_HEADER: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// Row 8, after the header parsed: `crit` and `b64`. This module processes
/// no JWS extension, so a header with `crit` is refused on every path
/// (RFC 7515 §4.1.11: a recipient that does not understand a listed name
/// must refuse the JWS), and so is `b64` other than `true` (RFC 7797 §7:
/// JWTs never use the unencoded payload). The reason names the first
/// parameter at fault. Checked before the payload, as part of the header:
/// a token that asks for an extension is not read further. `header` is the
/// decoded header JSON, parsed whole only when `crit` is present.
/// COMPAT(crit-header): 3.0 ignored `crit` and `b64`, so it accepted tokens
/// RFC 7515 and RFC 7797 call invalid (`crit:["exp"]` with an expired
/// header `exp`, `b64:false`); Jitsi's token servers never send either.
pub fn check_critical(
    header: &[u8],
    crit: Option<&Value>,
    b64: Option<&Value>,
) -> Result<(), CritError> {
    if let Some(crit) = crit {
        let names = match crit {
            Value::Array(list) if !list.is_empty() => list,
            _ => return Err(CritError::NotNames),
        };
        let all = json::parse_object(header).unwrap_or_default();
        for name in names {
            let Value::String(name) = name else {
                return Err(CritError::NotNames);
            };
            if REGISTERED_HEADER.contains(&name.as_str()) {
                return Err(CritError::Registered(name.clone()));
            }
            if !all.contains_key(name) {
                return Err(CritError::Absent(name.clone()));
            }
        }
        // Well formed: its first name is an extension this module does not
        // process (none is), so the token is refused.
        if let Some(Value::String(first)) = names.first() {
            return Err(CritError::NotProcessed(first.clone()));
        }
    }
    if b64.is_some_and(|v| *v != Value::Bool(true)) {
        return Err(CritError::UnencodedPayload);
    }
    Ok(())
}
