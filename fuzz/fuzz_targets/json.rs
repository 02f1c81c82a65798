//! The strict JSON parser and base64url, on raw bytes.
//!
//! Oracles: no panic; what parses writes canonically, and the canonical
//! form parses back to the same canonical form; a base64url segment that
//! decodes is the unpadded encoding of its bytes plus at most two `=`
//! (one accepted spelling per value).
#![no_main]

use libfuzzer_sys::fuzz_target;
use luajwtjitsi::internal::{base64url, json};

fuzz_target!(|data: &[u8]| {
    if let Some(value) = json::parse_value(data) {
        if let Ok(canon) = json::to_canonical(&value) {
            let again = json::parse_value(&canon).expect("canonical output does not parse");
            assert_eq!(
                json::to_canonical(&again).ok(),
                Some(canon),
                "canonical form not stable"
            );
        }
    }
    let _ = json::parse_object(data);
    if let Some(bytes) = base64url::decode(data) {
        let unpadded = data
            .strip_suffix(b"==")
            .or_else(|| data.strip_suffix(b"="))
            .unwrap_or(data);
        assert_eq!(
            base64url::encode(&bytes).as_bytes(),
            unpadded,
            "two spellings of one value"
        );
    }
});
