//! Run the `jitsi-jwt` binary: exit codes, messages, round trips, and that a
//! secret never reaches stdout or stderr.
#![allow(
    clippy::expect_used,
    reason = "test code: a broken assumption fails the run, which is what a panic does here"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SECRET: &str = "cli-test-secret-0123456789abcdef-XYZ";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jitsi-jwt"));
    c.env_remove("JITSI_JWT_SECRET");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run jitsi-jwt")
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jitsi-jwt");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/keys")
}

/// A temp dir removed on drop.
struct Dir(PathBuf);
impl Dir {
    fn new(tag: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("jitsi-jwt-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }
    fn file(&self, name: &str, body: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, body).expect("write");
        p.to_string_lossy().into_owned()
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn no_secret_in(out: &Output, secret: &str) {
    assert!(!text(&out.stdout).contains(secret), "secret on stdout");
    assert!(!text(&out.stderr).contains(secret), "secret on stderr");
}

fn mint_ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "mint: {}", text(&out.stderr));
    text(&out.stdout).trim().to_owned()
}

/// `mint --iss a --sub d` plus `extra`: the token.
fn mint_ad(extra: &[&str]) -> String {
    mint_ok(&[&["mint", "--iss", "a", "--sub", "d"][..], extra].concat())
}

#[test]
fn secret_prints_a_fresh_app_id_and_32_byte_secret() {
    let a = run(&["secret"]);
    let b = run(&["secret", "--app-id", "myapp"]);
    assert_eq!(a.status.code(), Some(0));
    let (ta, tb) = (text(&a.stdout), text(&b.stdout));
    assert!(ta.starts_with("app_id = \"jitsi-"), "{ta}");
    assert!(tb.starts_with("app_id = \"myapp\"\n"), "{tb}");
    let secret = |t: &str| {
        t.lines()
            .find_map(|l| l.strip_prefix("app_secret = \""))
            .and_then(|s| s.strip_suffix('"'))
            .expect("app_secret line")
            .to_owned()
    };
    let (sa, sb) = (secret(&ta), secret(&tb));
    assert_eq!(sa.len(), 43, "32 bytes in unpadded base64url");
    assert_ne!(sa, sb);
}

#[test]
fn secret_to_a_file_is_private_and_not_printed() {
    let d = Dir::new("secretfile");
    let path = d.0.join("app.secret");
    let p = path.to_string_lossy().into_owned();
    let out = run(&["secret", "--secret-file", &p]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&path).expect("secret file");
    no_secret_in(&out, written.trim());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwrites.
    let again = run(&["secret", "--secret-file", &p]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), written);
}

#[test]
fn mint_then_verify_with_a_secret_file_and_the_environment() {
    let d = Dir::new("mint");
    let sf = d.file("s", &format!("{SECRET}\n"));
    let args = [
        "mint",
        "--app-id",
        "app",
        "--sub",
        "meet.example.com",
        "--room",
        "r1",
        "--name",
        "Zoë",
        "--email",
        "z@example.com",
        "--moderator",
        "--feature",
        "recording=true",
        "--kid",
        "k1",
        "--nbf=-30s",
        "--exp",
        "10m",
        "--secret-file",
        &sf,
    ];
    let out = run(&args);
    no_secret_in(&out, SECRET);
    let token = text(&out.stdout).trim().to_owned();
    assert_eq!(token.split('.').count(), 3);

    let ok = run(&[
        "verify",
        &token,
        "--secret-file",
        &sf,
        "--issuer",
        "app",
        "--audience",
        "jitsi",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    no_secret_in(&ok, SECRET);
    let claims: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("claims JSON");
    assert_eq!(claims["room"], "r1");
    assert_eq!(claims["context"]["user"]["moderator"], true);
    assert_eq!(claims["context"]["features"]["recording"], "true");
    let (exp, iat, nbf) = (
        claims["exp"].as_i64().unwrap(),
        claims["iat"].as_i64().unwrap(),
        claims["nbf"].as_i64().unwrap(),
    );
    assert_eq!((exp - iat, iat - nbf), (600, 30));

    // The same secret from the environment, the token from stdin.
    let mut c = bin();
    c.env("JITSI_JWT_SECRET", SECRET)
        .args(["verify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{token}\n").as_bytes())
        .unwrap();
    let env_out = child.wait_with_output().unwrap();
    assert_eq!(env_out.status.code(), Some(0), "{}", text(&env_out.stderr));
    no_secret_in(&env_out, SECRET);
}

#[test]
fn verify_exit_codes_and_exact_messages() {
    let d = Dir::new("verify");
    let sf = d.file("s", SECRET);
    let wrong = d.file("w", "another-secret-of-a-decent-length-000");
    let token = mint_ok(&["mint", "--iss", "app", "--sub", "d", "--secret-file", &sf]);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--secret-file", &wrong], 1, "Invalid signature\n"),
        (
            &["--secret-file", &sf, "--issuer", "other"],
            1,
            "invalid 'iss' claim\n",
        ),
        (
            &["--secret-file", &sf, "--audience", "other"],
            1,
            "invalid 'aud' claim\n",
        ),
        (
            &["--secret-file", &sf, "--alg", "HS512"],
            1,
            "Invalid or incorrect alg\n",
        ),
        (
            &["--secret-file", &sf, "--require", "context"],
            1,
            "'context' claim is missing\n",
        ),
    ];
    for (extra, code, msg) in cases {
        let mut args = vec!["verify", token.as_str()];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(*code), "{extra:?}");
        assert_eq!(text(&out.stderr), *msg, "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
    assert_eq!(
        run(&["verify", "a.b", "--secret-file", &sf]).status.code(),
        Some(1)
    );
    assert_eq!(
        text(&run(&["verify", "a.b", "--secret-file", &sf]).stderr),
        "Invalid token\n"
    );

    // Expired: the detailed exp message.
    let old = mint_ad(&["--exp", "1s", "--secret-file", &sf]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let out = run(&["verify", &old, "--secret-file", &sf]);
    assert_eq!(out.status.code(), Some(1));
    let msg = text(&out.stderr);
    assert!(
        msg.starts_with("Not acceptable by exp (")
            && msg.ends_with(" sec since expired, valid for:1 sec)\n"),
        "{msg}"
    );
    let out = run(&["verify", &old, "--secret-file", &sf, "--leeway", "60"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "leeway 60: {}",
        text(&out.stderr)
    );

    // Usage errors: exit 2.
    for args in [
        vec!["verify", token.as_str()],
        vec![
            "verify",
            token.as_str(),
            "--secret-file",
            "/nonexistent/secret",
        ],
        vec![
            "verify",
            token.as_str(),
            "--secret-file",
            &sf,
            "--alg",
            "none",
        ],
        vec![
            "verify",
            token.as_str(),
            "--secret-file",
            &sf,
            "--leeway",
            "-5",
        ],
        vec![
            "verify",
            token.as_str(),
            "--secret-file",
            &sf,
            "--key-file",
            &sf,
        ],
        vec!["verify"],
        vec!["mint", "--iss", "a"],
        vec!["frobnicate"],
    ] {
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
        no_secret_in(&out, SECRET);
    }
}

#[test]
fn asymmetric_keys_and_jwks() {
    let k = keys();
    let key = |n: &str| k.join(n).to_string_lossy().into_owned();
    for (alg, private, public) in [
        ("RS256", "rsa2048.key.pem", "rsa2048.pub.pem"),
        ("PS384", "rsa2048.jwk.json", "rsa2048.crt.pem"),
        ("ES256", "ec-p256.key.pem", "ec-p256.pub.jwk.json"),
        ("ES512", "ec-p521.jwk.json", "ec-p521.pub.pem"),
        ("EdDSA", "ed25519.key.pem", "ed25519.pub.pem"),
    ] {
        let token = mint_ad(&["--alg", alg, "--key-file", &key(private)]);
        let out = run(&["verify", &token, "--alg", alg, "--key-file", &key(public)]);
        assert_eq!(out.status.code(), Some(0), "{alg}: {}", text(&out.stderr));
    }
    // A JWKS picks by kid; two algorithms accepted.
    let token = mint_ad(&[
        "--alg",
        "ES384",
        "--kid",
        "ec-p384",
        "--key-file",
        &key("ec-p384.key.pem"),
    ]);
    let out = run(&[
        "verify",
        &token,
        "--alg",
        "RS256,ES384",
        "--key-file",
        &key("jwks.pub.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A public key cannot mint; an HS alg with a key file is refused.
    for (extra, needle) in [
        (
            ["--alg", "ES256", "--key-file", &key("ec-p256.pub.pem")],
            "Not a private PEM key",
        ),
        (
            ["--alg", "HS256", "--key-file", &key("rsa2048.key.pem")],
            "Invalid key",
        ),
    ] {
        let out = run(&[&["mint", "--iss", "a", "--sub", "d"][..], &extra].concat());
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(text(&out.stderr).contains(needle), "{}", text(&out.stderr));
    }
}

#[test]
fn inspect_shows_times_and_warnings_unverified() {
    let d = Dir::new("inspect");
    let weak = d.file("weak", "short");
    let token = mint_ad(&["--exp", "30d", "--secret-file", &weak]);
    let out = run(&["inspect", &token, "--secret-file", &weak]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.starts_with("UNVERIFIED"), "{t}");
    // Whole days, floored: a second between minting and inspecting (a
    // loaded machine) makes 30 days read as 29.
    assert!(
        t.contains("  exp  ")
            && (t.contains(" UTC  (in 30 days)") || t.contains(" UTC  (in 29 days)")),
        "{t}"
    );
    assert!(
        t.contains("exp is 30 days away") || t.contains("exp is 29 days away"),
        "{t}"
    );
    assert!(t.contains("the secret has 5 bytes"), "{t}");
    no_secret_in(&out, "short");

    // alg none, no claims: every warning.
    let none = "eyJhbGciOiJub25lIn0.e30.";
    let out = run_stdin(&["inspect", "-"], none);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    for needle in [
        "alg is \"none\"",
        "typ is not \"JWT\"",
        "no \"room\" claim",
        "no \"sub\" claim",
        "no \"aud\" claim",
        "no \"exp\"",
    ] {
        assert!(t.contains(needle), "{needle}:\n{t}");
    }
    let out = run(&["inspect", "not-a-token"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "jitsi-jwt: cannot decode the token: Invalid token\n"
    );
}

#[test]
fn help_everywhere() {
    for sub in ["secret", "mint", "verify", "inspect"] {
        let out = run(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        assert!(text(&out.stdout).contains("Usage: jitsi-jwt"), "{sub}");
    }
    let out = run(&["--help"]);
    assert!(text(&out.stdout).contains("Exit codes:"));
}

/// Issue 12: a key file given as --secret-file is refused as it is on disk,
/// before the trailing newline is dropped: a DER key whose last byte is '\r'
/// followed by '\n' would otherwise lose a byte and stop looking like a key.
#[test]
fn a_key_file_is_never_a_secret_file() {
    let d = Dir::new("keyfile-secret");
    let mut der = std::fs::read(keys().join("rsa2048.pub.der")).expect("der");
    der.extend_from_slice(b"\r\n");
    let p = d.0.join("key.der");
    std::fs::write(&p, &der).expect("write");
    let bom = d.file(
        "bom.pem",
        &format!(
            "\u{feff}{}",
            std::fs::read_to_string(keys().join("rsa2048.pub.pem")).expect("pem")
        ),
    );
    for file in [p.to_string_lossy().into_owned(), bom] {
        for cmd in ["verify", "mint"] {
            let args: Vec<&str> = if cmd == "verify" {
                vec!["verify", "a.b.c", "--secret-file", &file]
            } else {
                vec!["mint", "--iss", "app", "--sub", "d", "--secret-file", &file]
            };
            let out = run(&args);
            assert_eq!(out.status.code(), Some(2), "{cmd} {file}");
            assert!(
                text(&out.stderr).contains("holds a key, not an HMAC secret"),
                "{cmd} {file}: {}",
                text(&out.stderr)
            );
        }
    }
}
