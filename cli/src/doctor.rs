//! `jitsi-jwt doctor`: why Jitsi token logins fail on this host, and the fix.
//!
//! The questions are asked where the answers live: which Lua Prosody runs
//! on comes from `prosodyctl` (its first line, and `prosodyctl about`);
//! everything else comes from one Lua script of this project
//! (`doctor_probe.lua`) run under that interpreter, which `require`s the
//! modules Jitsi's token plugins need, reads the config with Prosody's own
//! `core.configmanager`, resolves `module:require "luajwtjitsi"` with
//! Prosody's own `util.pluginloader`, and mints and verifies a token through
//! the shim it found. Each answer becomes a [`Finding`]; the text and the
//! JSON output are two renderings of the same list.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The probe, run under Prosody's interpreter (see its header for the lines
/// it prints).
const PROBE: &str = include_str!("doctor_probe.lua");
/// Where Debian's jitsi-meet-prosody keeps its plugins, and with the
/// lua-luajwtjitsi package the shim (jitsi's own copy diverted).
const JITSI_LIB: &str = "/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua";

/// `jitsi-jwt doctor`'s options.
#[derive(clap::Args)]
pub struct DoctorArgs {
    /// The Lua interpreter Prosody runs on (default: the one prosodyctl names).
    #[arg(long, value_name = "INTERPRETER")]
    lua: Option<PathBuf>,
    /// Prosody's config file (default: prosodyctl's CFG_CONFIGDIR/prosody.cfg.lua).
    #[arg(long, value_name = "PROSODY_CFG")]
    config: Option<PathBuf>,
    /// Check only this VirtualHost (default: every host with authentication = "token").
    #[arg(long, value_name = "VIRTUALHOST")]
    host: Option<String>,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
}

/// A finding's verdict.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// This part works.
    Ok,
    /// This blocks token logins.
    Problem,
    /// The doctor cannot tell.
    Unknown,
}

impl Verdict {
    fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Problem => "problem",
            Verdict::Unknown => "unknown",
        }
    }
}

/// One thing the doctor looked at: `id` (e.g. `module.basexx`,
/// `host.meet.example`), its verdict, what was seen, and for a problem or an
/// unknown the exact command or edit that fixes it; `None` there is printed
/// as "cannot tell".
#[derive(Debug)]
pub struct Finding {
    /// Stable name, for scripts and tests.
    pub id: String,
    /// ok, problem or unknown.
    pub verdict: Verdict,
    /// What was seen, in one line.
    pub seen: String,
    /// The fix; `None` when there is nothing to fix or the doctor cannot tell.
    pub fix: Option<String>,
}

fn finding(
    id: impl Into<String>,
    verdict: Verdict,
    seen: impl Into<String>,
    fix: Option<String>,
) -> Finding {
    Finding {
        id: id.into(),
        verdict,
        seen: seen.into(),
        fix,
    }
}

/// What prosodyctl tells about the installation.
#[derive(Default)]
struct Prosody {
    ctl: Option<PathBuf>,
    version: Option<String>,
    /// The first line `prosodyctl about` printed when it gave no version.
    about_said: Option<String>,
    interpreter: Option<String>,
    sourcedir: String,
    plugindir: String,
    datadir: String,
    configdir: String,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Reads prosodyctl's first line (the interpreter) and its `CFG_*DIR`
/// settings, and the version from `prosodyctl about`.
fn find_prosody() -> Prosody {
    let mut p = Prosody::default();
    let Some(ctl) = on_path("prosodyctl") else {
        return p;
    };
    if let Ok(text) = std::fs::read_to_string(&ctl) {
        let mut lines = text.lines();
        if let Some(bang) = lines.next().and_then(|l| l.strip_prefix("#!")) {
            let words: Vec<&str> = bang.split_whitespace().collect();
            p.interpreter = match words.as_slice() {
                [env, lua, ..] if env.ends_with("/env") => Some((*lua).to_owned()),
                [lua, ..] => Some((*lua).to_owned()),
                [] => None,
            };
        }
        for line in text.lines().take(40) {
            let setting = |name: &str| {
                line.trim()
                    .strip_prefix(name)
                    .and_then(|r| r.trim_start().strip_prefix('='))
                    .map(|v| {
                        v.trim()
                            .trim_end_matches(';')
                            .trim_matches(['\'', '"'])
                            .to_owned()
                    })
            };
            if let Some(v) = setting("CFG_SOURCEDIR") {
                p.sourcedir = v;
            } else if let Some(v) = setting("CFG_PLUGINDIR") {
                p.plugindir = v;
            } else if let Some(v) = setting("CFG_DATADIR") {
                p.datadir = v;
            } else if let Some(v) = setting("CFG_CONFIGDIR") {
                p.configdir = v;
            }
        }
    }
    if let Ok(out) = Command::new(&ctl).arg("about").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        p.version = text
            .lines()
            .find(|l| {
                l.strip_prefix("Prosody ")
                    .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            })
            .map(str::to_owned);
        if p.version.is_none() {
            let all = format!("{text}{}", String::from_utf8_lossy(&out.stderr));
            p.about_said = all
                .lines()
                .find(|l| !l.trim().is_empty())
                .map(str::to_owned);
        }
    }
    p.ctl = Some(ctl);
    p
}

/// The distribution, from /etc/os-release: (ID, VERSION_ID).
fn distribution() -> (String, String) {
    let text = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim_matches('"').to_owned())
            .unwrap_or_default()
    };
    (get("ID"), get("VERSION_ID"))
}

/// What the fixes depend on: the distribution and the Lua version ("5.4").
struct Context {
    debian: bool,
    lua: String,
    luajit: bool,
    deb_installed: bool,
}

impl Context {
    /// The install line for a Lua library: Debian's package when Debian
    /// packages it for this Lua, else luarocks for this Lua version.
    fn install(&self, debian_pkg: &str, debian_luas: &[&str], rock: &str) -> String {
        let lua = if self.luajit {
            "5.1"
        } else {
            self.lua.as_str()
        };
        if self.debian && debian_luas.contains(&lua) {
            format!("apt-get install {debian_pkg}")
        } else {
            format!("luarocks --lua-version {lua} install {rock}")
        }
    }
}

/// Each probe line, split on tabs and unescaped.
fn parse_probe(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .map(|l| {
            l.split('\t')
                .map(|f| {
                    let mut s = String::new();
                    let mut chars = f.chars();
                    while let Some(c) = chars.next() {
                        match (c, c == '\\') {
                            (_, true) => match chars.next() {
                                Some('t') => s.push('\t'),
                                Some('n') => s.push('\n'),
                                Some(o) => s.push(o),
                                None => s.push('\\'),
                            },
                            (c, false) => s.push(c),
                        }
                    }
                    s
                })
                .collect()
        })
        .collect()
}

/// Runs the probe under `lua` with its arguments; its lines, or why not.
fn run_probe(lua: &Path, args: &[&str]) -> Result<Vec<Vec<String>>, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let file = std::env::temp_dir().join(format!(
        "jitsi-jwt-doctor-{}-{nanos}.lua",
        std::process::id()
    ));
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .map_err(|e| format!("cannot write the probe to {}: {e}", file.display()))?;
        f.write_all(PROBE.as_bytes())
            .map_err(|e| format!("cannot write the probe to {}: {e}", file.display()))?;
    }
    let out = Command::new(lua).arg(&file).args(args).output();
    let _ = std::fs::remove_file(&file);
    let out = out.map_err(|e| format!("cannot run {}: {e}", lua.display()))?;
    let lines = parse_probe(&String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(format!(
            "{} stopped ({}): {}",
            lua.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(lines)
}

fn field(line: &[String], i: usize) -> &str {
    line.get(i).map(String::as_str).unwrap_or("")
}

/// Runs every check; the findings in the order they were made.
pub fn diagnose(a: &DoctorArgs) -> Vec<Finding> {
    let mut found = Vec::new();
    let prosody = find_prosody();
    let (os_id, _) = distribution();

    // ---- Which Lua
    let lua = match (&a.lua, &prosody.interpreter) {
        (Some(l), _) => {
            found.push(finding(
                "prosody.lua",
                Verdict::Ok,
                format!("{} (given with --lua)", l.display()),
                None,
            ));
            l.clone()
        }
        (None, Some(i)) => {
            let ctl = prosody.ctl.as_deref().unwrap_or(Path::new("prosodyctl"));
            found.push(finding(
                "prosody.lua",
                Verdict::Ok,
                format!(
                    "{} runs on {i} (the first line of {}){}",
                    prosody.version.as_deref().unwrap_or("Prosody"),
                    ctl.display(),
                    match &prosody.about_said {
                        Some(said) =>
                            format!("; `prosodyctl about` gave no version, it said: {said}"),
                        None => String::new(),
                    }
                ),
                None,
            ));
            PathBuf::from(i)
        }
        (None, None) => {
            found.push(finding(
                "prosody.lua",
                Verdict::Unknown,
                "no prosodyctl on PATH, and no --lua given",
                Some("give Prosody's interpreter: jitsi-jwt doctor --lua /usr/bin/lua5.4 --config /etc/prosody/prosody.cfg.lua".to_owned()),
            ));
            return found;
        }
    };

    let config = a.config.clone().or_else(|| {
        let dir = if prosody.configdir.is_empty() {
            "/etc/prosody"
        } else {
            &prosody.configdir
        };
        let p = Path::new(dir).join("prosody.cfg.lua");
        p.is_file().then_some(p)
    });
    let usable = config.as_ref().filter(|c| c.is_file());
    let config_arg = usable.map(|c| c.display().to_string()).unwrap_or_default();
    let sourcedir = if prosody.sourcedir.is_empty()
        && Path::new("/usr/lib/prosody/core/configmanager.lua").is_file()
    {
        "/usr/lib/prosody".to_owned()
    } else {
        prosody.sourcedir.clone()
    };
    let probe = run_probe(
        &lua,
        &[
            &sourcedir,
            &prosody.plugindir,
            &prosody.datadir,
            &config_arg,
            a.host.as_deref().unwrap_or(""),
        ],
    );
    let lines = match probe {
        Ok(l) => l,
        Err(e) => {
            found.push(finding("probe", Verdict::Unknown, e, None));
            return found;
        }
    };
    let lua_version = lines
        .iter()
        .find(|l| field(l, 0) == "lua")
        .map(|l| {
            (
                field(l, 1).trim_start_matches("Lua ").to_owned(),
                !field(l, 2).is_empty(),
            )
        })
        .unwrap_or_default();
    let cx = Context {
        debian: os_id == "debian",
        lua: lua_version.0.clone(),
        luajit: lua_version.1,
        deb_installed: Command::new("dpkg-query")
            .args(["-W", "-f", "${Status}", "lua-luajwtjitsi"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
            .unwrap_or(false),
    };

    let mut plugins = String::new();
    let mut token_hosts = 0;
    for l in &lines {
        match field(l, 0) {
            "module" => found.push(module_finding(l, &cx)),
            "config" if field(l, 1) == "ok" => {
                found.push(finding("config", Verdict::Ok, format!("{} read with Prosody's configmanager", field(l, 2)), None))
            }
            "config" => found.push(finding(
                "config",
                Verdict::Problem,
                format!(
                    "{}: {}",
                    field(l, 2),
                    field(l, 3).lines().next().unwrap_or("")
                ),
                Some("correct the error above, then check with: prosodyctl check config".to_owned()),
            )),
            "plugins" => plugins = field(l, 1).to_owned(),
            "shim" => found.push(shim_finding(l, &plugins, &cx)),
            "host" => {
                token_hosts += 1;
                found.push(host_finding(l));
            }
            "token" => found.push(finding(
                format!("token.{}", field(l, 1)),
                match field(l, 2) {
                    "ok" => Verdict::Ok,
                    "problem" => Verdict::Problem,
                    _ => Verdict::Unknown,
                },
                field(l, 3),
                match field(l, 2) {
                    "ok" => None,
                    "problem" => Some("see the problems above for this host; after fixing them, restart Prosody: prosodyctl restart".to_owned()),
                    _ => None,
                },
            )),
            _ => {}
        }
    }
    if usable.is_none() {
        found.push(finding(
            "config",
            Verdict::Unknown,
            match &config {
                Some(c) => format!("no Prosody config file at {}", c.display()),
                None => "no Prosody config file found".to_owned(),
            },
            Some("give it: jitsi-jwt doctor --config /etc/prosody/prosody.cfg.lua".to_owned()),
        ));
    } else if token_hosts == 0
        && found
            .iter()
            .any(|f| f.id == "config" && f.verdict == Verdict::Ok)
    {
        found.push(finding(
            "hosts",
            Verdict::Problem,
            match &a.host {
                Some(h) => format!("no VirtualHost {h:?} in the config"),
                None => "no VirtualHost has authentication = \"token\"".to_owned(),
            },
            Some("in your Jitsi VirtualHost's section: authentication = \"token\", app_id = \"...\", app_secret = \"...\"".to_owned()),
        ));
    }
    found
}

fn module_finding(l: &[String], cx: &Context) -> Finding {
    let (name, state, file, kind, detail) = (
        field(l, 1),
        field(l, 2),
        field(l, 3),
        field(l, 4),
        field(l, 5),
    );
    let id = format!("module.{name}");
    if state != "ok" {
        let fix = match name {
            "basexx" => cx.install("lua-basexx", &["5.1", "5.2"], "basexx"),
            "inspect" => cx.install("lua-inspect", &["5.1", "5.2", "5.3"], "inspect"),
            "cjson.safe" => cx.install("lua-cjson", &["5.1", "5.2", "5.3", "5.4"], "lua-cjson"),
            "ssl" => cx.install("lua-sec", &["5.1", "5.2", "5.3", "5.4"], "luasec"),
            _ if cx.debian => {
                "install this project's Debian package: apt-get install ./lua-luajwtjitsi_*.deb"
                    .to_owned()
            }
            _ => format!(
                "luarocks --lua-version {} install luajwtjitsi-native",
                cx.lua
            ),
        };
        let fix = if matches!(name, "basexx" | "inspect") && cx.debian {
            format!("{fix} (or install lua-luajwtjitsi, whose {name} fallback serves every Lua)")
        } else {
            fix
        };
        let why = if detail.starts_with(&format!("module '{name}' not found")) {
            "no file for it on package.path or package.cpath".to_owned()
        } else {
            detail.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        return finding(
            id,
            Verdict::Problem,
            format!("require \"{name}\" fails: {why}"),
            Some(fix),
        );
    }
    match (name, kind) {
        ("luajwtjitsi", "lua") => finding(
            id,
            Verdict::Problem,
            format!("require \"luajwtjitsi\" loads the pure-Lua {file}, which shadows the native module"),
            Some(format!("mv {file} {file}.disabled")),
        ),
        ("basexx" | "inspect", "fallback") => finding(
            id,
            Verdict::Ok,
            format!("this package's {name} fallback ({file})"),
            None,
        ),
        ("basexx" | "inspect", _) => finding(id, Verdict::Ok, format!("the real {name} ({file})"), None),
        _ => finding(id, Verdict::Ok, format!("loads from {file} ({kind})"), None),
    }
}

fn shim_finding(l: &[String], plugins: &str, cx: &Context) -> Finding {
    let (path, whose, detail, elsewhere) = (field(l, 1), field(l, 2), field(l, 3), field(l, 4));
    match whose {
        "ours" if detail.is_empty() => finding(
            "shim",
            Verdict::Ok,
            format!("module:require \"luajwtjitsi\" finds this package's shim {path}"),
            None,
        ),
        "ours" => finding(
            "shim",
            Verdict::Problem,
            format!("this package's shim {path} fails: {detail}"),
            Some("fix the module.luajwtjitsi finding, then: prosodyctl restart".to_owned()),
        ),
        _ => {
            let seen = if path.is_empty() {
                format!("module:require \"luajwtjitsi\" finds nothing on {plugins}")
            } else {
                format!(
                    "module:require \"luajwtjitsi\" finds {path}, which is not this package's shim"
                )
            };
            let fix = if path == JITSI_LIB && cx.deb_installed {
                Some(format!(
                    "dpkg-divert --package lua-luajwtjitsi --rename --divert {JITSI_LIB}.distrib --add {JITSI_LIB}, then put the shim back: apt-get install --reinstall lua-luajwtjitsi (or dpkg -i lua-luajwtjitsi_*.deb)"
                ))
            } else if !elsewhere.is_empty() {
                let mut entries = vec![format!("{:?}", elsewhere.trim_end_matches('/'))];
                entries.extend(
                    plugins
                        .split(';')
                        .take_while(|d| !d.ends_with("custom_plugins"))
                        .map(|d| format!("{d:?}")),
                );
                Some(format!(
                    "in the config: plugin_paths = {{ {} }}",
                    entries.join(", ")
                ))
            } else if cx.debian {
                Some("apt-get install ./lua-luajwtjitsi_*.deb (its shim takes the place of jitsi's copy)".to_owned())
            } else {
                None
            };
            finding("shim", Verdict::Problem, seen, fix)
        }
    }
}

fn host_finding(l: &[String]) -> Finding {
    let (host, auth, app_id, len, trailing, asap, alg) = (
        field(l, 1),
        field(l, 2),
        field(l, 3),
        field(l, 4),
        field(l, 5),
        field(l, 6),
        field(l, 7),
    );
    let seen = format!(
        "authentication = {auth:?}, app_id = {app_id:?}, app_secret: {} bytes, asap_key_server = {:?}, signature_algorithm = {alg}",
        if len.is_empty() { "none, 0" } else { len },
        asap
    );
    let id = format!("host.{host}");
    if trailing == "yes" {
        return finding(
            id,
            Verdict::Problem,
            format!("{seen}; app_secret ends in whitespace (a newline pasted with it?)"),
            Some(format!(
                "in the config file that sets app_secret for {host}, end the string right after the secret (no \\n or space before the closing quote), then: prosodyctl restart"
            )),
        );
    }
    if auth == "token" && len.is_empty() && asap.is_empty() {
        return finding(
            id,
            Verdict::Problem,
            format!("{seen}; neither app_secret nor asap_key_server is set"),
            Some(format!(
                "for {host}: app_secret = \"...\" (jitsi-jwt secret makes one)"
            )),
        );
    }
    finding(id, Verdict::Ok, seen, None)
}

/// Exit status: 1 when anything blocks, else 2 when anything is unknown,
/// else 0.
pub fn status(found: &[Finding]) -> u8 {
    if found.iter().any(|f| f.verdict == Verdict::Problem) {
        1
    } else if found.iter().any(|f| f.verdict == Verdict::Unknown) {
        2
    } else {
        0
    }
}

/// The one-line verdict for an exit status of [`status`].
fn summary(code: u8) -> &'static str {
    match code {
        0 => "token logins would work",
        1 => "something blocks token logins",
        _ => "cannot tell whether token logins work",
    }
}

/// The findings as text: one block per finding, then the summary.
pub fn text(found: &[Finding]) -> String {
    let mut out = String::new();
    for f in found {
        out.push_str(&format!("[{}] {}: {}\n", f.verdict.name(), f.id, f.seen));
        if f.verdict != Verdict::Ok {
            out.push_str(&format!(
                "    fix: {}\n",
                f.fix.as_deref().unwrap_or("cannot tell")
            ));
        }
    }
    out.push_str(&format!("doctor: {}\n", summary(status(found))));
    out
}

/// The findings as JSON: `{"status": 0|1|2, "summary", "findings": [{"id",
/// "verdict", "seen", "fix"}]}`, `fix` null for ok and "cannot tell" when
/// the doctor has none.
pub fn json(found: &[Finding]) -> String {
    let list: Vec<Value> = found
        .iter()
        .map(|f| {
            json!({
                "id": f.id,
                "verdict": f.verdict.name(),
                "seen": f.seen,
                "fix": match (f.verdict, &f.fix) {
                    (Verdict::Ok, _) => Value::Null,
                    (_, Some(x)) => Value::from(x.as_str()),
                    (_, None) => Value::from("cannot tell"),
                },
            })
        })
        .collect();
    let code = status(found);
    let doc = json!({"status": code, "summary": summary(code), "findings": list});
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

/// `jitsi-jwt doctor`: the report and the exit status.
pub fn run(a: &DoctorArgs) -> (String, u8) {
    let found = diagnose(a);
    let out = if a.json { json(&found) } else { text(&found) };
    (out, status(&found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_lines_are_unescaped() {
        let lines = parse_probe("module\tbasexx\tmissing\t\t\tnot found:\\n\\tno file\\\\x\n");
        assert_eq!(lines.len(), 1);
        assert_eq!(field(&lines[0], 1), "basexx");
        assert_eq!(field(&lines[0], 5), "not found:\n\tno file\\x");
        assert_eq!(field(&lines[0], 9), "");
    }

    #[test]
    fn status_is_problem_before_unknown() {
        let ok = finding("a", Verdict::Ok, "", None);
        let unknown = finding("b", Verdict::Unknown, "", None);
        let problem = finding("c", Verdict::Problem, "", Some("fix it".into()));
        assert_eq!(status(&[]), 0);
        assert_eq!(status(std::slice::from_ref(&ok)), 0);
        let both = [ok, unknown, problem];
        assert_eq!(status(&both), 1);
        assert_eq!(status(&both[..2]), 2);
        let doc: Value = serde_json::from_str(&json(&both)).unwrap();
        assert_eq!(doc["status"], 1);
        assert_eq!(doc["findings"][0]["fix"], Value::Null);
        assert_eq!(doc["findings"][1]["fix"], "cannot tell");
        assert_eq!(doc["findings"][2]["fix"], "fix it");
        let t = text(&both);
        assert!(t.contains("[unknown] b: \n    fix: cannot tell\n"), "{t}");
        assert!(
            t.ends_with("doctor: something blocks token logins\n"),
            "{t}"
        );
    }

    #[test]
    fn fixes_follow_what_debian_packages_for_that_lua() {
        let cx = |lua: &str, debian| Context {
            debian,
            lua: lua.into(),
            luajit: false,
            deb_installed: false,
        };
        let basexx = |c: &Context| c.install("lua-basexx", &["5.1", "5.2"], "basexx");
        assert_eq!(basexx(&cx("5.2", true)), "apt-get install lua-basexx");
        assert_eq!(
            basexx(&cx("5.4", true)),
            "luarocks --lua-version 5.4 install basexx"
        );
        assert_eq!(
            basexx(&cx("5.2", false)),
            "luarocks --lua-version 5.2 install basexx"
        );
    }
}
