//! `encode` with arbitrary JSON payloads and headers, algorithms and keys.
//!
//! Oracles: no panic; a token that comes out splits into three segments whose
//! header carries `typ` and `alg`, whose payload is canonically equal to the
//! input, and whose signature verifies with the same key.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use luajwtjitsi::encode;
use luajwtjitsi::internal::json::{self, MAX_DEPTH};
use luajwtjitsi::internal::keys::Key;
use luajwtjitsi::internal::{pipeline, signature};
use luajwtjitsi::Algorithm;
use luajwtjitsi_fuzz::{key_named, pick, KeyChoice};
use serde_json::{Map, Number, Value};

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::from(*i),
            // serde_json's Number cannot hold NaN/inf; those stay out here and
            // are the Lua binding's job (it refuses them).
            Json::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Str(s) => Value::String(s.clone()),
            Json::Array(a) => Value::Array(a.iter().map(Json::value).collect()),
            Json::Object(o) => Value::Object(map(o)),
        }
    }
}

fn map(members: &[(String, Json)]) -> Map<String, Value> {
    members
        .iter()
        .map(|(k, v)| (k.clone(), v.value()))
        .collect()
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    payload: Vec<(String, Json)>,
    header: Option<Vec<(String, Json)>>,
    alg: u8,
    key: KeyChoice,
}

fuzz_target!(|input: Input| {
    let alg = *pick(&Algorithm::ALL, usize::from(input.alg));
    // The seed key for encode: the HS secret or a private key of the
    // algorithm's family (RSA for RS*/PS*, the curve's for ES*, Ed25519).
    let default_key = match alg.name() {
        "HS256" | "HS384" | "HS512" => b"s3cr3t-test-only".to_vec(),
        "ES256" => key_named("ec-p256.key.pem"),
        "ES384" => key_named("ec-p384.key.pem"),
        "ES512" => key_named("ec-p521.key.pem"),
        "EdDSA" => key_named("ed25519.key.pem"),
        _ => key_named("rsa2048.key.pem"),
    };
    let key = input.key.bytes(&default_key);
    let payload = map(&input.payload);
    let header = input.header.as_deref().map(map);
    let Ok(text) = encode(&payload, &key, alg, header.as_ref()) else {
        return;
    };
    let seg = pipeline::split(text.as_bytes()).expect("encode made a token split refuses");
    let payload_value = Value::Object(payload);
    if depth(&payload_value) > MAX_DEPTH
        || header
            .as_ref()
            .is_some_and(|h| depth(&Value::Object(h.clone())) > MAX_DEPTH)
    {
        // Deeper than the parser's limit: encode writes it, verify refuses it.
        return;
    }
    let decoded = pipeline::decode_segments(&seg).expect("encode made a token decode refuses");
    assert_eq!(
        decoded.header.get("typ"),
        Some(&Value::String("JWT".into()))
    );
    assert_eq!(
        decoded.header.get("alg"),
        Some(&Value::String(alg.name().into()))
    );
    assert_eq!(
        json::to_canonical(&Value::Object(decoded.payload)).ok(),
        json::to_canonical(&payload_value).ok(),
        "payload changed on the way through encode"
    );
    let resolved = Key::for_alg(alg, &key).expect("encode signed with a key the reader refuses");
    let bound = resolved
        .bind(alg)
        .expect("encode signed with a key the family rule refuses");
    assert!(
        signature::verify(&bound, seg.signing_input, &decoded.signature),
        "encode made a signature that does not verify"
    );
});
