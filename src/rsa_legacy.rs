//! RS384 verification for RSA moduli of 1024 to 2047 bits.
//!
//! ring verifies RS256 and RS512 from 1024 bits but RS384 only from 2048,
//! and CONTRACT §5 accepts 1024-bit keys for verification. The RustCrypto
//! `rsa` crate is ruled out (RUSTSEC-2023-0071, no fixed release), so this
//! is the public-key operation on `num-bigint` plus an encoding comparison:
//! RFC 8017 §8.2.2 recommends building the expected encoded message and
//! comparing it whole, which leaves no padding parser to fool (the
//! Bleichenbacher 2006 forgery needs one). Only public data is involved, so
//! timing does not matter.
#![forbid(unsafe_code)]

use num_bigint::BigUint;
use sha2::{Digest, Sha384};

/// DER DigestInfo prefix for SHA-384 (RFC 8017 §9.2, note 1).
const SHA384_DIGEST_INFO: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];

/// RSASSA-PKCS1-v1_5-VERIFY with SHA-384 (RFC 8017 §8.2.2).
pub fn verify_pkcs1_sha384(n: &[u8], e: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let k = n.len();
    if sig.len() != k {
        return false;
    }
    let modulus = BigUint::from_bytes_be(n);
    let s = BigUint::from_bytes_be(sig);
    if s >= modulus {
        return false;
    }
    let m = s.modpow(&BigUint::from_bytes_be(e), &modulus).to_bytes_be();
    if m.len() > k {
        return false;
    }
    let mut em = vec![0u8; k - m.len()];
    em.extend_from_slice(&m);
    em == expected_encoding(k, msg)
}

/// EMSA-PKCS1-v1_5 encoding of SHA-384(msg) for a k-byte modulus.
fn expected_encoding(k: usize, msg: &[u8]) -> Vec<u8> {
    let digest = Sha384::digest(msg);
    let t_len = SHA384_DIGEST_INFO.len() + digest.len();
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(k.saturating_sub(t_len + 1), 0xff);
    em.push(0x00);
    em.extend_from_slice(&SHA384_DIGEST_INFO);
    em.extend_from_slice(&digest);
    em
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_has_the_rfc_shape() {
        let em = expected_encoding(128, b"abc");
        assert_eq!(em.len(), 128);
        assert_eq!(&em[..2], &[0, 1]);
        assert!(em[2..128 - 68].iter().all(|&b| b == 0xff));
        assert_eq!(em[128 - 68], 0);
    }
}
