//! Inputs that once broke an invariant, found by the fuzz targets
//! (fuzz/regressions/<target>/ holds the raw inputs, replayed by
//! `scripts/fuzz.sh regressions`). Each test states the invariant in core
//! terms so it runs in plain `cargo test`, without the fuzzer.

use luajwtjitsi::internal::json;
use luajwtjitsi::Algorithm;
use luajwtjitsi::{verify_3_0, Accepted};
use serde_json::{Map, Value};

/// fuzz/regressions/json/crash-95f6cc91844b9cf5dc2ddd65e4a9ca47ad0357b7:
/// serde_json without `float_roundtrip` read some long decimals to a neighbouring double, so the canonical form of a
/// parsed claim was not stable: 8.99999199999999999e35 came back as
/// 8.999992e35.
#[test]
fn long_decimal_parses_to_the_nearest_double() {
    let text = b"899999199999999999991999999999999299992";
    let value = json::parse_value(text).unwrap();
    let canon = json::to_canonical(&value).unwrap();
    let again = json::to_canonical(&json::parse_value(&canon).unwrap()).unwrap();
    assert_eq!(canon, again);
    assert_eq!(
        value.as_f64(),
        Some(899999199999999999991999999999999299992.0)
    );
}

/// fuzz/regressions/encode/crash-bdda34c747871b5c76b49a4b1ac6c5c2136c9813:
/// a payload float written in shortest form
/// (9.113902524445539e-306) was read back by verify as ...554e-306.
#[test]
fn encoded_float_claim_comes_back_unchanged() {
    let x = 9.113902524445539e-306_f64;
    let mut claims = Map::new();
    claims.insert(String::new(), Value::from(x));
    let tok = luajwtjitsi::encode(&claims, b"s3cr3t-test-only", Algorithm::HS256, None).unwrap();
    let back = verify_3_0(
        tok.as_bytes(),
        b"HS256",
        b"s3cr3t-test-only",
        Accepted::default(),
        0,
    )
    .unwrap();
    assert_eq!(back.get("").and_then(Value::as_f64), Some(x));
    for text in [
        "9.113902524445539e-306",
        "1.7976931348623157e308",
        "5e-324",
        "0.1",
    ] {
        let parsed = json::parse_value(text.as_bytes()).unwrap();
        assert_eq!(parsed.as_f64(), text.parse::<f64>().ok(), "{text}");
    }
}

/// fuzz/regressions/keys/issue12-bom-public-pem and issue12-bom-crlf-public-pem: the
/// inputs of issue 12, written by hand for the `Dressed` oracle (the fuzz
/// targets had no such oracle before). A public key PEM after a UTF-8
/// byte-order mark (and with CRLF) passed as an HMAC secret, so an HS256
/// token MACed with the file's bytes verified.
#[test]
fn a_key_file_with_a_byte_order_mark_is_no_secret() {
    use luajwtjitsi::internal::keys::{self, KeyShape};
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/keys/rsa2048.pub.pem"
    ))
    .unwrap();
    let bom = [&b"\xEF\xBB\xBF"[..], &pem].concat();
    let crlf = String::from_utf8(bom.clone())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    for key in [bom, crlf] {
        assert_ne!(keys::key_shape(&key), KeyShape::Secret);
        assert!(keys::HmacSecret::new(&key).is_err());
        // And the file is read as the key it is.
        assert_eq!(
            keys::parse(&key).unwrap().public,
            keys::parse(&pem).unwrap().public
        );
    }
}

/// fuzz/regressions/keys/ssh-ecdsa-521-line-spaces-removed,
/// known-hosts-line-space-removed, authorized-keys-line-space-removed and
/// ssh-ecdsa-384-line-space-removed (issue 23, found by the `keys` target):
/// an OpenSSH public key line whose space between the type and its base64
/// was lost (`ssh-ed25519AAAAC3Nz…`), in a `known_hosts` or
/// `authorized_keys` setting, after arbitrary bytes or a byte-order mark,
/// with its newline gone, passed as an HMAC secret.
#[test]
fn an_ssh_key_line_with_its_type_glued_to_the_key_is_no_secret() {
    use luajwtjitsi::internal::keys::{self, KeyShape};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/keyfiles/");
    let mut lines = Vec::new();
    for name in std::fs::read_dir(dir).unwrap() {
        let path = name.unwrap().path();
        if path.extension().is_some_and(|e| e == "pub") {
            lines.push(std::fs::read(&path).unwrap());
        }
    }
    assert!(lines.len() >= 3, "the SSH public key placeholders in {dir}");
    for line in lines {
        let text = String::from_utf8(line).unwrap();
        let glued = text.trim_end().replacen(' ', "", 1);
        for dressed in [
            glued.clone(),
            glued.replace(' ', ""),
            format!("\u{feff}{glued}"),
            format!("host.example,127.0.0.1 {glued}"),
            format!("from=\"10.0.0.1\",no-pty {glued}"),
            format!("\x02#\u{fffd}{}", glued.replace(' ', "")),
        ] {
            let bytes = dressed.as_bytes();
            assert_ne!(keys::key_shape(bytes), KeyShape::Secret, "{dressed:?}");
            assert!(keys::HmacSecret::new(bytes).is_err(), "{dressed:?}");
        }
    }
}
