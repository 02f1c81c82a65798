//! `jitsi-jwt`: make app secrets, mint, verify and inspect Jitsi Meet tokens
//! with the same core as the luajwtjitsi Lua module.
//!
//! Exit codes: 0 success; 1 the token was rejected (`verify`) or could not
//! be decoded (`inspect`); 2 a usage error, or a key, secret or file that
//! cannot be used. Secrets are read from a file or an environment variable,
//! never from the command line, and are never printed (except by `secret`,
//! whose job it is).
#![forbid(unsafe_code)]

mod doctor;
mod time;

use clap::{Args, Parser, Subcommand};
use luajwtjitsi::internal::claims::{is_expired, is_not_yet_valid};
use luajwtjitsi::internal::quoted;
use luajwtjitsi::ClaimRules;
use luajwtjitsi::{encode, inspect_unverified, Algorithm, Options, Verifier};
use serde_json::{json, Map, Value};
use std::io::Read;
use std::process::ExitCode;

/// Environment variable read for an HMAC secret when no file is given.
const SECRET_ENV: &str = "JITSI_JWT_SECRET";
/// Secrets shorter than this many bytes get a warning (RFC 7518 §3.2 asks
/// for at least the hash length: 32 bytes for HS256).
const WEAK_SECRET: usize = 32;
/// An `exp` further away than this gets a warning from `inspect`.
const FAR_EXP_SECS: u32 = 7 * 24 * 3600;

#[derive(Parser)]
#[command(
    name = "jitsi-jwt",
    version,
    about = "Make app secrets, mint, verify and inspect Jitsi Meet tokens (JWT).",
    after_help = "Exit codes: 0 success; 1 token rejected (verify) or undecodable (inspect); \
                  2 usage error or unusable key/secret/file.\n\
                  Secrets come from --secret-file or the JITSI_JWT_SECRET environment variable, \
                  never from the command line."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a new app_id and app_secret (32 random bytes) for Prosody's config.
    Secret(SecretArgs),
    /// Mint a Jitsi token and print it.
    Mint(Box<MintArgs>),
    /// Verify a token as Prosody would; print its claims as JSON, or the message Prosody logs.
    Verify(VerifyArgs),
    /// Show a token's header and claims WITHOUT verifying it, with warnings.
    Inspect(InspectArgs),
    /// Say why Jitsi token logins fail on this host, and the fix (exit 0 works, 1 blocked, 2 cannot tell).
    Doctor(doctor::DoctorArgs),
}

#[derive(Args)]
struct SecretArgs {
    /// The app_id to print (default: "jitsi-" and 8 random hex digits).
    #[arg(long)]
    app_id: Option<String>,
    /// Write the secret to this new file (mode 0600) instead of printing it.
    #[arg(long, value_name = "PATH")]
    secret_file: Option<std::path::PathBuf>,
}

/// Where the key comes from: a PEM/DER/JWK file, a secret file, or the
/// environment.
#[derive(Args)]
struct KeyArgs {
    /// A PEM, DER or JWK key file (RS*, PS*, ES*, EdDSA); for verify also a
    /// certificate, a JWKS or an OpenSSH public key (a .pub line or RFC 4716).
    #[arg(long, value_name = "PATH", conflicts_with = "secret_file")]
    key_file: Option<std::path::PathBuf>,
    /// A file holding the HMAC secret (HS*); one trailing newline is ignored.
    /// Without it, the JITSI_JWT_SECRET environment variable is read.
    #[arg(long, value_name = "PATH")]
    secret_file: Option<std::path::PathBuf>,
}

#[derive(Args)]
struct MintArgs {
    /// The issuer: your app_id.
    #[arg(long, visible_alias = "app-id", value_name = "APP_ID")]
    iss: String,
    /// The audience.
    #[arg(long, default_value = "jitsi")]
    aud: String,
    /// The subject: your Jitsi domain (or tenant).
    #[arg(long, value_name = "DOMAIN")]
    sub: String,
    /// The room the token admits to; "*" for every room.
    #[arg(long, default_value = "*")]
    room: String,
    /// Lifetime, as a duration: 90, 90s, 15m, 1h, 7d, 2w or 1h30m.
    #[arg(long, default_value = "1h", value_name = "DURATION")]
    exp: String,
    /// Not valid before now plus this duration; "-30s" allows clock skew.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    nbf: Option<String>,
    /// context.user.name
    #[arg(long)]
    name: Option<String>,
    /// context.user.email
    #[arg(long)]
    email: Option<String>,
    /// context.user.avatar (a URL)
    #[arg(long)]
    avatar: Option<String>,
    /// context.user.id
    #[arg(long)]
    id: Option<String>,
    /// Set context.user.moderator to true.
    #[arg(long)]
    moderator: bool,
    /// context.features.KEY = "VALUE" (repeatable), e.g. recording=true.
    #[arg(long = "feature", value_name = "KEY=VALUE")]
    features: Vec<String>,
    /// The algorithm.
    #[arg(long, default_value = "HS256")]
    alg: String,
    /// A `kid` header (the key id, for key servers and JWKS).
    #[arg(long)]
    kid: Option<String>,
    #[command(flatten)]
    key: KeyArgs,
}

#[derive(Args)]
struct VerifyArgs {
    /// The token, or "-" to read it from standard input.
    token: String,
    /// Accepted algorithm (repeatable, or comma-separated).
    #[arg(long, default_value = "HS256", value_delimiter = ',')]
    alg: Vec<String>,
    /// Accepted issuer (repeatable); "*" accepts any. Default: not checked.
    #[arg(long)]
    issuer: Vec<String>,
    /// Accepted audience (repeatable); "*" accepts any. Default: not checked.
    #[arg(long)]
    audience: Vec<String>,
    /// Seconds of clock skew allowed on exp and nbf (0 to 3600).
    #[arg(long, default_value_t = ClaimRules::DEFAULT.leeway)]
    leeway: i64,
    /// A claim that must be present (repeatable).
    #[arg(long)]
    require: Vec<String>,
    #[command(flatten)]
    key: KeyArgs,
}

#[derive(Args)]
struct InspectArgs {
    /// The token, or "-" to read it from standard input.
    token: String,
    /// Also check the secret's length (not the signature: use verify).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<std::path::PathBuf>,
}

/// A failure with its exit code; the message goes to stderr.
struct Failure {
    code: u8,
    message: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

/// `eprintln!` that cannot panic: a stderr that is gone loses the message,
/// and the exit code still tells the result.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Secret(a) => secret(a),
        Command::Mint(a) => mint(*a),
        Command::Verify(a) => verify(a),
        Command::Inspect(a) => inspect(a),
        Command::Doctor(a) => {
            let (out, code) = doctor::run(&a);
            if let Err(e) = emit(&out) {
                errln!("jitsi-jwt: cannot write to stdout: {e}");
            }
            return ExitCode::from(code);
        }
    };
    match result {
        Ok(out) => match emit(&out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                errln!("jitsi-jwt: cannot write to stdout: {e}");
                ExitCode::from(1)
            }
        },
        Err(f) => {
            errln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Write a command's whole output to stdout. A reader that closed the pipe
/// early (`| head -1`, `| grep -q`) took what it wanted: that is not an
/// error, and above all not a panic (which `println!` would raise).
fn emit(out: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn random_bytes(n: usize) -> Result<Vec<u8>, Failure> {
    use aws_lc_rs::rand::SecureRandom;
    let mut out = vec![0u8; n];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| usage("jitsi-jwt: the OS random source failed"))?;
    Ok(out)
}

fn secret(a: SecretArgs) -> Result<String, Failure> {
    let app_id = match a.app_id {
        Some(id) => id,
        None => {
            let hex: String = random_bytes(4)?
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("jitsi-{hex}")
        }
    };
    let secret = luajwtjitsi::internal::base64url::encode(&random_bytes(32)?);
    Ok(match a.secret_file {
        None => format!("app_id = \"{app_id}\"\napp_secret = \"{secret}\"\n"),
        Some(path) => {
            write_new_private(&path, secret.as_bytes())?;
            format!(
                "app_id = \"{app_id}\"\n# app_secret written to {}\n",
                path.display()
            )
        }
    })
}

/// Create `path` (it must not exist) readable by its owner only.
fn write_new_private(path: &std::path::Path, data: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| usage(format!("jitsi-jwt: cannot create {}: {e}", path.display())))?;
    f.write_all(data)
        .and_then(|()| f.write_all(b"\n"))
        .map_err(|e| usage(format!("jitsi-jwt: cannot write {}: {e}", path.display())))
}

/// The key bytes and whether they are an HMAC secret. Errors never quote the
/// key.
fn read_key(k: &KeyArgs) -> Result<(Vec<u8>, bool), Failure> {
    let read = |p: &std::path::Path| {
        std::fs::read(p).map_err(|e| usage(format!("jitsi-jwt: cannot read {}: {e}", p.display())))
    };
    if let Some(p) = &k.key_file {
        return Ok((read(p)?, false));
    }
    if let Some(p) = &k.secret_file {
        // The rule judges the file as it is: dropping the newline first could
        // turn a DER key ending in "\r" into bytes that no longer look like one.
        let raw = read(p)?;
        if luajwtjitsi::internal::keys::key_shape(&raw)
            != luajwtjitsi::internal::keys::KeyShape::Secret
        {
            let reason = luajwtjitsi::internal::keys::HmacSecret::new(&raw)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            return Err(usage(format!(
                "jitsi-jwt: {} holds a key, not an HMAC secret ({reason}); give it with --key-file",
                p.display()
            )));
        }
        return Ok((strip_newline(raw), true));
    }
    match std::env::var_os(SECRET_ENV) {
        Some(v) if !v.is_empty() => Ok((v.into_encoded_bytes(), true)),
        _ => Err(usage(format!(
            "jitsi-jwt: no key: give --key-file, --secret-file or set {SECRET_ENV}"
        ))),
    }
}

/// One trailing "\n" or "\r\n", as `echo secret > file` leaves.
fn strip_newline(mut v: Vec<u8>) -> Vec<u8> {
    if v.last() == Some(&b'\n') {
        v.pop();
        if v.last() == Some(&b'\r') {
            v.pop();
        }
    }
    v
}

fn warn_weak(secret: &[u8]) {
    if secret.len() < WEAK_SECRET {
        errln!(
            "warning: the secret has {} bytes; use at least {WEAK_SECRET} (jitsi-jwt secret makes one)",
            secret.len()
        );
    }
}

fn alg_named(name: &str) -> Result<Algorithm, Failure> {
    Algorithm::from_name(name.as_bytes())
        .ok_or_else(|| usage(format!("jitsi-jwt: unsupported algorithm '{name}'")))
}

fn mint(a: MintArgs) -> Result<String, Failure> {
    let alg = alg_named(&a.alg)?;
    let (key, is_secret) = read_key(&a.key)?;
    if is_secret {
        warn_weak(&key);
    }
    let now = time::now();
    let exp = time::parse_duration(&a.exp).map_err(|m| usage(format!("jitsi-jwt: --exp: {m}")))?;
    if exp <= 0 {
        return Err(usage("jitsi-jwt: --exp must be a positive duration"));
    }
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(a.iss));
    claims.insert("aud".into(), json!(a.aud));
    claims.insert("sub".into(), json!(a.sub));
    claims.insert("room".into(), json!(a.room));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now.saturating_add(exp)));
    if let Some(nbf) = &a.nbf {
        let d = time::parse_duration(nbf).map_err(|m| usage(format!("jitsi-jwt: --nbf: {m}")))?;
        claims.insert("nbf".into(), json!(now.saturating_add(d)));
    }
    let mut user = Map::new();
    for (name, v) in [
        ("name", &a.name),
        ("email", &a.email),
        ("avatar", &a.avatar),
        ("id", &a.id),
    ] {
        if let Some(v) = v {
            user.insert(name.into(), json!(v));
        }
    }
    if a.moderator {
        user.insert("moderator".into(), json!(true));
    }
    let mut features = Map::new();
    for f in &a.features {
        let (k, v) = f
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| usage(format!("jitsi-jwt: --feature '{f}' is not KEY=VALUE")))?;
        features.insert(k.into(), json!(v));
    }
    let mut context = Map::new();
    if !user.is_empty() {
        context.insert("user".into(), Value::Object(user));
    }
    if !features.is_empty() {
        context.insert("features".into(), Value::Object(features));
    }
    if !context.is_empty() {
        claims.insert("context".into(), Value::Object(context));
    }
    let header = a.kid.map(|kid| {
        let mut h = Map::new();
        h.insert("kid".into(), json!(kid));
        h
    });
    let token = encode(&claims, &key, alg, header.as_ref())
        .map_err(|e| usage(format!("jitsi-jwt: {e}")))?;
    Ok(format!("{token}\n"))
}

fn read_token(arg: &str) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut s = String::new();
    std::io::stdin()
        .take(luajwtjitsi::MAX_TOKEN_LEN as u64 + 1024)
        .read_to_string(&mut s)
        .map_err(|e| usage(format!("jitsi-jwt: cannot read the token from stdin: {e}")))?;
    Ok(s.trim().to_owned())
}

fn verify(a: VerifyArgs) -> Result<String, Failure> {
    let token = read_token(&a.token)?;
    let algs = a
        .alg
        .iter()
        .map(|n| alg_named(n))
        .collect::<Result<Vec<_>, _>>()?;
    let (key, is_secret) = read_key(&a.key)?;
    if is_secret {
        warn_weak(&key);
    }
    let list = |v: &[String]| {
        (!v.is_empty()).then(|| v.iter().map(|s| json!(s)).collect::<Vec<_>>().into())
    };
    let mut o = Options::new(algs, key);
    o.rules.issuers = list(&a.issuer);
    o.rules.audiences = list(&a.audience);
    o.rules.leeway = a.leeway;
    o.rules.required = a.require.into();
    let verifier = Verifier::new(o)
        .map_err(|e| usage(format!("jitsi-jwt: {}", luajwtjitsi::Error::from(e))))?;
    match verifier.verify(token.as_bytes(), time::now()) {
        Ok(claims) => Ok(format!("{}\n", pretty(&Value::Object(claims)))),
        // The exact message Prosody would log, alone on its line.
        Err(e) => Err(Failure {
            code: 1,
            message: e.to_string(),
        }),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// `writeln!` into a `String`, which cannot fail.
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

fn inspect(a: InspectArgs) -> Result<String, Failure> {
    let token = read_token(&a.token)?;
    let decoded = inspect_unverified(token.as_bytes()).map_err(|e| Failure {
        code: 1,
        message: format!("jitsi-jwt: cannot decode the token: {e}"),
    })?;
    let now = time::now();
    let mut out = String::new();
    outln!(
        out,
        "UNVERIFIED: nothing below has been checked; use `jitsi-jwt verify` for that."
    );
    outln!(
        out,
        "header:\n{}",
        pretty(&Value::Object(decoded.header.clone()))
    );
    outln!(
        out,
        "claims:\n{}",
        pretty(&Value::Object(decoded.payload.clone()))
    );
    let times: Vec<String> = ["iat", "nbf", "exp"]
        .iter()
        .filter_map(|name| {
            let t = decoded.payload.get(*name)?.as_i64()?;
            Some(format!(
                "  {name}  {}  ({})",
                time::utc_date(t),
                time::relative(t - now)
            ))
        })
        .collect();
    if !times.is_empty() {
        outln!(out, "times:\n{}", times.join("\n"));
    }
    let mut warnings = token_warnings(&decoded.header, &decoded.payload, now);
    if let Some(p) = &a.secret_file {
        let secret = strip_newline(
            std::fs::read(p)
                .map_err(|e| usage(format!("jitsi-jwt: cannot read {}: {e}", p.display())))?,
        );
        if secret.len() < WEAK_SECRET {
            warnings.push(format!(
                "the secret has {} bytes; use at least {WEAK_SECRET} (jitsi-jwt secret makes one)",
                secret.len()
            ));
        }
    }
    if warnings.is_empty() {
        outln!(out, "warnings: none");
    } else {
        outln!(out, "warnings:");
        for w in warnings {
            outln!(out, "  - {w}");
        }
    }
    Ok(out)
}

/// What an admin should hear about a token before trusting it.
fn token_warnings(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    now: i64,
) -> Vec<String> {
    // Expired or not yet valid: the core's own comparisons, under the
    // default rules (no leeway).
    let leeway = ClaimRules::DEFAULT.leeway;
    let expired = |v: &Value| is_expired(v, now, leeway);
    let not_yet_valid = |v: &Value| is_not_yet_valid(v, now, leeway);
    // The far-exp span is shown in doubles, as Lua computes it.
    #[allow(
        clippy::cast_precision_loss,
        reason = "now is a Unix time in seconds, far below 2^53, so the double is exact"
    )]
    let now = now as f64;
    let mut w = Vec::new();
    match header.get("alg").and_then(Value::as_str) {
        Some(a) if a.eq_ignore_ascii_case("none") => {
            w.push("alg is \"none\": the token is unsigned and must never be accepted".to_owned())
        }
        Some(a) if Algorithm::from_name(a.as_bytes()).is_none() => {
            w.push(format!("alg {} is not one luajwtjitsi supports", quoted(a)))
        }
        Some(_) => {}
        None => w.push("no alg in the header".to_owned()),
    }
    if header.contains_key("crit") {
        w.push(
            "the header has crit: every verify refuses it (no JWS extension is processed)"
                .to_owned(),
        );
    }
    if header.get("typ").and_then(Value::as_str) != ClaimRules::DEFAULT.typ.as_deref() {
        w.push("typ is not \"JWT\": luajwtjitsi's verify refuses it".to_owned());
    }
    for (claim, why) in [
        ("room", "Jitsi needs it (\"*\" for every room)"),
        ("sub", "Jitsi needs it (the domain or tenant)"),
        ("aud", "Prosody's token auth checks it"),
        ("iss", "Prosody's token auth checks it against app_id"),
    ] {
        if !claims.contains_key(claim) {
            w.push(format!("no \"{claim}\" claim: {why}"));
        }
    }
    match claims.get("exp") {
        None => w.push("no \"exp\": the token never expires".to_owned()),
        Some(v) => match (expired(v), v.as_f64()) {
            (None, _) | (_, None) => {
                w.push("\"exp\" is not a number: every verify refuses it".to_owned())
            }
            (Some(true), _) => w.push("the token has expired".to_owned()),
            #[allow(
                clippy::cast_possible_truncation,
                reason = "only shown: the span is floored, and `as` saturates a huge exp"
            )]
            (Some(false), Some(exp)) if exp - now > f64::from(FAR_EXP_SECS) => w.push(format!(
                "exp is {} away: a leaked token stays usable that long",
                time::relative_span((exp - now) as i64)
            )),
            (Some(false), Some(_)) => {}
        },
    }
    if claims.get("nbf").and_then(not_yet_valid) == Some(true) {
        w.push("the token is not valid yet (nbf in the future)".to_owned());
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_name_each_problem() {
        let header: Map<String, Value> = serde_json::from_value(json!({"alg": "none"})).unwrap();
        let claims: Map<String, Value> =
            serde_json::from_value(json!({"exp": 100 + 30 * 86400})).unwrap();
        let w = token_warnings(&header, &claims, 100).join("\n");
        for needle in [
            "\"none\"", "typ", "\"room\"", "\"sub\"", "\"aud\"", "\"iss\"", "30 days",
        ] {
            assert!(w.contains(needle), "{needle} missing from:\n{w}");
        }
        let header: Map<String, Value> =
            serde_json::from_value(json!({"alg": "HS256", "typ": "JWT"})).unwrap();
        let claims: Map<String, Value> = serde_json::from_value(
            json!({"exp": 200, "room": "*", "sub": "d", "aud": "jitsi", "iss": "a"}),
        )
        .unwrap();
        assert!(token_warnings(&header, &claims, 100).is_empty());
        // A 60,000-character alg is quoted short; a crit header is named.
        let long = "A".repeat(60_000);
        let odd: Map<String, Value> =
            serde_json::from_value(json!({"alg": long, "typ": "JWT", "crit": ["exp"]})).unwrap();
        let w = token_warnings(&odd, &claims, 100);
        assert!(
            w[0].ends_with("\"…(60000 bytes) is not one luajwtjitsi supports"),
            "{}",
            &w[0][..100]
        );
        assert!(w[0].len() < 200);
        assert!(w[1].starts_with("the header has crit"));
        assert_eq!(
            token_warnings(&header, &claims, 200),
            vec!["the token has expired".to_owned()]
        );
    }

    #[test]
    fn newline_stripping_is_one_line_end_only() {
        assert_eq!(strip_newline(b"s\n".to_vec()), b"s");
        assert_eq!(strip_newline(b"s\r\n".to_vec()), b"s");
        assert_eq!(strip_newline(b"s\n\n".to_vec()), b"s\n");
        assert_eq!(strip_newline(b" s ".to_vec()), b" s ");
    }
}
