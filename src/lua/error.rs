//! The binding's own messages: what is wrong with a Lua argument, which the
//! core never sees. Like [`crate::Error`]'s, each `Display` is the exact
//! second return value (docs/contract.md §2 rows 1-5, §3, §4 for the 3.0 and 2.0
//! functions; docs/extended-api.md for `verifier{...}`), pinned by the
//! test below.

use thiserror::Error;

/// A bad argument to a function of the module.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArgError {
    // --- verify() (docs/contract.md §2 rows 1-5) ------------------------------------
    /// `verify` (or `v:verify`, `inspect`, the `_internals`) got a non-string token.
    #[error("token argument must be string")]
    Token,
    /// `verify` got a non-string algorithm.
    #[error("algorithm argument must be string")]
    Algorithm,
    /// `verify` got a non-string key.
    #[error("key argument must be string")]
    Key,
    /// `verify` got acceptedIssuers that is neither nil nor a table.
    #[error("acceptedIssuers argument must be table")]
    Issuers,
    /// `verify` got acceptedAudiences that is neither nil nor a table.
    #[error("acceptedAudiences argument must be table")]
    Audiences,
    /// An accepted list whose `__index` raised.
    #[error("{what} argument could not be read")]
    ListUnreadable {
        /// `acceptedIssuers`, `issuers`, ...
        what: &'static str,
    },
    /// An accepted list longer than the limit.
    #[error("{what} argument has more than {max} entries")]
    ListTooLong {
        /// `acceptedIssuers`, `issuers`, ...
        what: &'static str,
        /// [`super::convert::MAX_LIST_ENTRIES`].
        max: usize,
    },
    /// `_internals.verify_at` got a `now` that is not a whole number.
    #[error("now argument must be an integer")]
    Now,

    // --- encode() (docs/contract.md §3) ----------------------------------------------
    /// `encode`'s payload is not a table.
    #[error("Argument #1 must be table")]
    Payload,
    /// `encode`'s key (and 2.0 `decode`'s key) is not a string.
    #[error("Argument #2 must be string")]
    SecondString,
    /// `encode`'s header is given and not a table.
    #[error("Argument #4 must be table")]
    Header,

    // --- decode() (docs/contract.md §4) ----------------------------------------------
    /// `decode`'s token is not a string.
    #[error("Argument #1 must be string")]
    FirstString,
    /// `decode` was asked to skip verification (no key, or verify == false).
    #[error("unverified decode is not supported")]
    UnverifiedDecode,

    // --- the extended API ----------------------------------------------------
    /// `verifier{...}` refused an option.
    #[error("verifier: {0}")]
    Verifier(OptionArg),
    /// `v.verify(token)` without the colon, or on something else.
    #[error("verify must be called as v:verify(token)")]
    NotAMethodCall,
    /// The verifier's `now` function returned something else than seconds.
    #[error("now() must return a whole number of seconds")]
    NowReturn,
    /// The verifier's `now` function raised; Lua's message follows.
    #[error("now() failed: {0}")]
    NowFailed(String),
}

/// What is wrong with the options table of `verifier{...}`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OptionArg {
    /// The argument is not a table.
    #[error("options must be a table")]
    NotTable,
    /// Iterating the table raised.
    #[error("options could not be read")]
    Unreadable,
    /// A name that is not an option (a typo must not turn a check off).
    #[error("unknown option {name} (known: {known})")]
    Unknown {
        /// `'<name>'`, or `of type <type>` for a key that is not a string.
        name: String,
        /// The option names, comma-separated.
        known: String,
    },
    /// Reading one option raised.
    #[error("{0} could not be read")]
    OptionUnreadable(&'static str),
    /// No `alg`.
    #[error("alg is required: an algorithm name or a list of them")]
    AlgMissing,
    /// `alg` of another type.
    #[error("alg must be an algorithm name or a list of them")]
    AlgType,
    /// An algorithm name this module does not know.
    #[error("alg '{0}' is not a supported algorithm")]
    AlgUnknown(String),
    /// No `key`.
    #[error("key is required")]
    KeyMissing,
    /// `key` of another type.
    #[error("key must be a string (secret, PEM, DER, JWK or JWKS)")]
    KeyType,
    /// A whole-seconds option (`leeway`) holding something else; the
    /// option's name.
    #[error("{0} must be a whole number of seconds")]
    WholeSeconds(&'static str),
    /// `required` of another type.
    #[error("required must be a list of claim names")]
    RequiredType,
    /// `typ` is not UTF-8.
    #[error("typ must be UTF-8")]
    TypUtf8,
    /// `typ` of another type.
    #[error("typ must be a string, or false to skip the check")]
    TypType,
    /// `now` of another type.
    #[error("now must be a whole number of seconds or a function")]
    NowType,
    /// A list entry that is not UTF-8.
    #[error("{0} entries must be UTF-8")]
    EntryUtf8(&'static str),
    /// A list of strings with too many entries.
    #[error("{0} has more than 256 entries")]
    TooManyEntries(&'static str),
    /// A list of strings holding something else.
    #[error("{0} must be a list of strings")]
    NotStrings(&'static str),
    /// `issuers`/`audiences` of another type.
    #[error("{0} must be a list")]
    NotList(&'static str),
    /// An accepted list that could not be read.
    #[error("{0}")]
    List(Box<ArgError>),
    /// The core refused the options.
    #[error("{0}")]
    Core(crate::error::OptionError),
}

#[cfg(test)]
mod tests {
    use super::ArgError::*;
    use super::OptionArg;

    /// Every message, pinned, as the core's are in `src/error.rs`.
    #[test]
    fn messages_are_the_contract_strings() {
        let cases = [
            (Token, "token argument must be string"),
            (Algorithm, "algorithm argument must be string"),
            (Key, "key argument must be string"),
            (Issuers, "acceptedIssuers argument must be table"),
            (Audiences, "acceptedAudiences argument must be table"),
            (
                ListUnreadable {
                    what: "acceptedIssuers",
                },
                "acceptedIssuers argument could not be read",
            ),
            (
                ListTooLong {
                    what: "acceptedAudiences",
                    max: 256,
                },
                "acceptedAudiences argument has more than 256 entries",
            ),
            (Now, "now argument must be an integer"),
            (Payload, "Argument #1 must be table"),
            (SecondString, "Argument #2 must be string"),
            (Header, "Argument #4 must be table"),
            (FirstString, "Argument #1 must be string"),
            (UnverifiedDecode, "unverified decode is not supported"),
            (
                Verifier(OptionArg::WholeSeconds("leeway")),
                "verifier: leeway must be a whole number of seconds",
            ),
            (
                Verifier(OptionArg::NotTable),
                "verifier: options must be a table",
            ),
            (
                Verifier(OptionArg::Unknown {
                    name: "'leway'".into(),
                    known: "alg, key".into(),
                }),
                "verifier: unknown option 'leway' (known: alg, key)",
            ),
            (
                Verifier(OptionArg::AlgUnknown("none".into())),
                "verifier: alg 'none' is not a supported algorithm",
            ),
            (
                Verifier(OptionArg::NotStrings("required")),
                "verifier: required must be a list of strings",
            ),
            (NotAMethodCall, "verify must be called as v:verify(token)"),
            (NowReturn, "now() must return a whole number of seconds"),
            (NowFailed("boom".into()), "now() failed: boom"),
        ];
        for (err, msg) in cases {
            assert_eq!(err.to_string(), msg);
        }
    }
}
