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
/// The fix for a token given with `--token` that the host refuses.
const GIVEN_FIX: &str = "the message says why Prosody refuses it: see \"Why a token was refused\" in docs/troubleshooting.md (jitsi-jwt inspect <JWT> shows its claims)";
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
    /// A token your issuer signed (for key-server hosts: with your private
    /// key and its kid): verified end to end with the host's settings, the
    /// key fetched as Jitsi fetches it.
    #[arg(long, value_name = "JWT")]
    token: Option<String>,
    /// Run the checks as yourself with your environment, instead of as
    /// Prosody's user with the LUA_PATH/LUA_CPATH of its systemd unit.
    #[arg(long)]
    as_caller: bool,
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

/// How the probe runs: as whom and with which environment.
struct RunAs {
    /// Prosody's user and group to switch to (`setpriv`), when root.
    user: Option<(String, String)>,
    /// The environment to run with (`None`: the caller's, unchanged).
    env: Option<Vec<(String, String)>>,
}

/// Runs the probe under `lua` with its arguments and `input` on its stdin;
/// its lines, or why not.
fn run_probe(
    lua: &Path,
    args: &[&str],
    input: &str,
    how: &RunAs,
) -> Result<Vec<Vec<String>>, String> {
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
    let mut cmd = match &how.user {
        Some((user, group)) => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid", user, "--regid", group, "--init-groups", "--"])
                .arg(lua);
            c
        }
        None => Command::new(lua),
    };
    cmd.arg(&file).args(args);
    if let Some(env) = &how.env {
        cmd.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    }
    let out = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write;
                // A probe that stopped early closes its stdin: not an error here.
                let _ = stdin.write_all(input.as_bytes());
            }
            child.wait_with_output()
        });
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
    let (how, env_finding) = run_as(a.as_caller);
    found.push(env_finding);
    let probe = run_probe(
        &lua,
        &[
            &sourcedir,
            &prosody.plugindir,
            &prosody.datadir,
            &config_arg,
            a.host.as_deref().unwrap_or(""),
            if a.token.is_some() { "token" } else { "" },
        ],
        a.token.as_deref().unwrap_or(""),
        &how,
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
                    "{}: {}{}",
                    field(l, 2),
                    field(l, 3).lines().next().unwrap_or(""),
                    match &how.user {
                        Some((user, _)) => format!(" (read as {user})"),
                        None => String::new(),
                    }
                ),
                Some(match &how.user {
                    // Debian's own modes: root owns it, Prosody's group reads it.
                    Some((_, group)) if field(l, 3).contains(": Permission denied") => {
                        // "file: PATH: Permission denied", or for an Include
                        // "parser: Error loading included PATH: PATH: ...".
                        let d = field(l, 3);
                        let before = d.split(": Permission denied").next().unwrap_or(d);
                        let file = before.rsplit(' ').next().unwrap_or(field(l, 2));
                        format!("chgrp {group} {file} && chmod 640 {file} (Prosody reads its config as {group}), then: prosodyctl restart")
                    }
                    _ => "correct the error above, then check with: prosodyctl check config".to_owned(),
                }),
            )),
            "plugins" => plugins = field(l, 1).to_owned(),
            "shim" => found.push(shim_finding(l, &plugins, &cx)),
            "host" => {
                token_hosts += 1;
                found.push(host_finding(l));
            }
            "keys" => found.push(keys_finding(l)),
            "given" => found.push(finding(
                format!("given.{}", field(l, 1)),
                if field(l, 2) == "ok" { Verdict::Ok } else { Verdict::Problem },
                field(l, 3),
                (field(l, 2) != "ok").then(|| GIVEN_FIX.to_owned()),
            )),
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
                    "problem" if field(l, 3).starts_with("the token given") => Some(GIVEN_FIX.to_owned()),
                    "problem" => Some("see the problems above for this host; after fixing them, restart Prosody: prosodyctl restart".to_owned()),
                    _ => None,
                },
            )),
            _ => {}
        }
    }
    if cx.deb_installed {
        found.push(diversion_finding());
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
                    "{}, then put the shim back: apt-get install --reinstall lua-luajwtjitsi (or dpkg -i lua-luajwtjitsi_*.deb)",
                    divert_command()
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

/// The systemd unit files of `prosody.service` in systemd's order of
/// precedence: the unit itself (the first found of /etc, /run, /usr/local/lib,
/// /lib, /usr/lib `systemd/system/`), then its drop-ins (`prosody.service.d/
/// *.conf` of every folder, by file name; a name in an earlier folder hides
/// the same name in a later one).
fn service_files() -> Vec<PathBuf> {
    const DIRS: [&str; 5] = [
        "/etc/systemd/system",
        "/run/systemd/system",
        "/usr/local/lib/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
    ];
    let mut files = Vec::new();
    if let Some(unit) = DIRS
        .iter()
        .map(|d| Path::new(d).join("prosody.service"))
        .find(|p| p.is_file())
    {
        files.push(unit);
    } else {
        return files;
    }
    let mut dropins: Vec<(std::ffi::OsString, PathBuf)> = Vec::new();
    for d in DIRS {
        let Ok(rd) = std::fs::read_dir(Path::new(d).join("prosody.service.d")) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().ends_with(".conf") && !dropins.iter().any(|(n, _)| *n == name)
            {
                dropins.push((name, e.path()));
            }
        }
    }
    dropins.sort();
    files.extend(dropins.into_iter().map(|(_, p)| p));
    files
}

/// `Environment=` and `User=`/`Group=` of the unit files, in order
/// (systemd.exec(5)): each `Environment=` holds assignments separated by
/// spaces, double-quoted ones may hold spaces; an empty one clears the list.
/// Returns (variables, User, Group).
fn service_settings(files: &[PathBuf]) -> (Vec<(String, String)>, Option<String>, Option<String>) {
    let mut env: Vec<(String, String)> = Vec::new();
    let (mut user, mut group) = (None, None);
    for f in files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let mut in_service = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_service = line == "[Service]";
                continue;
            }
            if !in_service {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key.trim() {
                "Environment" if value.trim().is_empty() => env.clear(),
                "Environment" => {
                    for word in unit_words(value) {
                        if let Some((k, v)) = word.split_once('=') {
                            env.retain(|(old, _)| old != k);
                            env.push((k.to_owned(), v.to_owned()));
                        }
                    }
                }
                "User" => user = Some(value.trim().to_owned()),
                "Group" => group = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    (env, user, group)
}

/// The words of a unit file value: split on spaces, "double" or 'single'
/// quotes keep spaces, a backslash escapes the next character.
fn unit_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    let mut chars = value.trim().chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                in_word = true;
            }
            ('"' | '\'', None) => {
                quote = Some(c);
                in_word = true;
            }
            (c, Some(q)) if c == q => quote = None,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (c, _) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Whether `name` is a user in /etc/passwd, and its primary group's name.
fn passwd_group(name: &str) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let gid = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name)).then(|| f.get(3).map(|g| (*g).to_owned()))?
    })?;
    let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
    Some(
        groups
            .lines()
            .find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.get(2) == Some(&gid.as_str())).then(|| f.first().map(|g| (*g).to_owned()))?
            })
            .unwrap_or(gid),
    )
}

/// How the probe runs, and the `prosody.env` finding that says so. As root,
/// with a prosody.service unit: as the unit's User (default prosody) with a
/// clean environment (PATH, and the unit's LUA_PATH*, LUA_CPATH* and
/// LUA_INIT* variables), as Prosody's service gets. Otherwise as the caller.
fn run_as(as_caller: bool) -> (RunAs, Finding) {
    let caller = RunAs {
        user: None,
        env: None,
    };
    let ok = |seen: String| finding("prosody.env", Verdict::Ok, seen, None);
    if as_caller {
        return (
            caller,
            ok("checks run as you, with your environment (--as-caller)".to_owned()),
        );
    }
    let files = service_files();
    if files.is_empty() {
        return (
            caller,
            ok("no prosody.service unit: checks run as you, with your environment".to_owned()),
        );
    }
    let (unit_env, user, group) = service_settings(&files);
    let lua_env: Vec<(String, String)> = unit_env
        .into_iter()
        .filter(|(k, _)| {
            k.starts_with("LUA_PATH") || k.starts_with("LUA_CPATH") || k.starts_with("LUA_INIT")
        })
        .collect();
    let mut env = vec![
        (
            "PATH".to_owned(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
        ),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
    ];
    env.extend(lua_env.iter().cloned());
    let shown = if lua_env.is_empty() {
        "no LUA_PATH or LUA_CPATH".to_owned()
    } else {
        lua_env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let from = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let user = user.unwrap_or_else(|| "prosody".to_owned());
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let group = group.or_else(|| passwd_group(&user));
    match (root, group, on_path("setpriv")) {
        (true, Some(group), Some(_)) => (
            RunAs {
                user: Some((user.clone(), group)),
                env: Some(env),
            },
            ok(format!("checks run as {user} with the service's environment ({shown}; from {from})")),
        ),
        (true, None, _) => (
            RunAs { user: None, env: Some(env) },
            finding(
                "prosody.env",
                Verdict::Unknown,
                format!("the unit's user {user} does not exist here; checks run as root with the service's environment ({shown}; from {from})"),
                Some(format!("check User= in {from}")),
            ),
        ),
        _ => (
            RunAs { user: None, env: Some(env) },
            finding(
                "prosody.env",
                Verdict::Unknown,
                format!("checks run as you, not as {user}, with the service's environment ({shown}; from {from}): files only {user} can read, or only you can, may be judged wrongly"),
                Some("run the doctor as root (sudo jitsi-jwt doctor) to check as Prosody's user".to_owned()),
            ),
        ),
    }
}

/// A key-server host's keys (`keys` probe line: HOST VERDICT DETAIL URL
/// KIND, KIND fetch|parse|needtoken|kid|ok).
fn keys_finding(l: &[String]) -> Finding {
    let (host, verdict, detail, url, kind) = (
        field(l, 1),
        field(l, 2),
        field(l, 3),
        field(l, 4),
        field(l, 5),
    );
    let id = format!("keys.{host}");
    match (verdict, kind) {
        ("ok", _) => finding(id, Verdict::Ok, detail, None),
        (_, "needtoken") => finding(
            id,
            Verdict::Unknown,
            detail,
            Some("give a token your issuer signed: jitsi-jwt doctor --token <JWT>".to_owned()),
        ),
        (_, "fetch") => finding(
            id,
            Verdict::Problem,
            detail,
            Some(format!("make {url} answer from this host (try: curl -fsS {url}), or correct the URL in the config, then: prosodyctl restart")),
        ),
        (_, "kid") => finding(
            id,
            Verdict::Problem,
            detail,
            Some("sign tokens with a kid header naming the key on the key server".to_owned()),
        ),
        _ => finding(
            id,
            Verdict::Problem,
            detail,
            Some(format!("publish at {url} a public key for the host's signature_algorithm, or set signature_algorithm to your key's algorithm, then: prosodyctl restart")),
        ),
    }
}

/// A line the shim carries (the probe's mark of this project's shim).
const SHIM_MARK: &str = "the native luajwtjitsi module could not be loaded";

/// The command that gives jitsi's file back to the diversion, fitted to the
/// files on disk. `dpkg-divert --rename` would not do: dpkg ignores it for a
/// path that the diverting package itself ships ("Ignoring request to rename
/// file ... owned by diverting package"), and the reinstall that follows would
/// then overwrite jitsi's file with the shim. So jitsi's file, when it is at
/// jitsi's path and nothing is at `.distrib`, is moved there first, and the
/// diversion is added with `--no-rename`.
fn divert_command() -> String {
    let distrib = format!("{JITSI_LIB}.distrib");
    let add = format!(
        "dpkg-divert --package lua-luajwtjitsi --no-rename --divert {distrib} --add {JITSI_LIB}"
    );
    let jitsi_at_path = !Path::new(&distrib).exists()
        && std::fs::read_to_string(JITSI_LIB).is_ok_and(|t| !t.contains(SHIM_MARK));
    if jitsi_at_path {
        format!("mv {JITSI_LIB} {distrib} && {add}")
    } else {
        add
    }
}

/// With the package installed, jitsi-meet-prosody's `luajwtjitsi.lib.lua`
/// must stay diverted to `.distrib` by lua-luajwtjitsi (`dpkg-divert
/// --listpackage`): without the diversion the next jitsi-meet-prosody
/// upgrade fails on the shim's file or puts jitsi's file back in its place,
/// even while the shim is still found today. The fix: [`divert_command`].
fn diversion_finding() -> Finding {
    let owner = Command::new("dpkg-divert")
        .args(["--listpackage", JITSI_LIB])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let owner = match owner {
        Ok(o) => o,
        Err(e) => {
            return finding(
                "diversion",
                Verdict::Unknown,
                format!("dpkg-divert could not be run: {e}"),
                None,
            )
        }
    };
    if owner == "lua-luajwtjitsi" {
        return finding(
            "diversion",
            Verdict::Ok,
            format!("jitsi-meet-prosody's {JITSI_LIB} is diverted to .distrib by lua-luajwtjitsi"),
            None,
        );
    }
    let add = divert_command();
    let (seen, fix) = if owner.is_empty() {
        (
            format!("lua-luajwtjitsi is installed but {JITSI_LIB} is not diverted: the next jitsi-meet-prosody upgrade would fail or put jitsi's file in the shim's place"),
            Some(format!("{add}, then: apt-get install --reinstall lua-luajwtjitsi")),
        )
    } else {
        (
            format!("{JITSI_LIB} is diverted by {owner}, not by lua-luajwtjitsi"),
            Some(format!(
                "dpkg-divert --package {owner} --rename --remove {JITSI_LIB}; {add}; apt-get install --reinstall lua-luajwtjitsi"
            )),
        )
    };
    finding("diversion", Verdict::Problem, seen, fix)
}

fn host_finding(l: &[String]) -> Finding {
    let (host, auth, app_id, len, trailing, asap, alg, set_at) = (
        field(l, 1),
        field(l, 2),
        field(l, 3),
        field(l, 4),
        field(l, 5),
        field(l, 6),
        field(l, 7),
        field(l, 8),
    );
    let seen = format!(
        "authentication = {auth:?}, app_id = {app_id:?}, app_secret: {} bytes, asap_key_server = {:?}, signature_algorithm = {alg}",
        if len.is_empty() { "none, 0" } else { len },
        asap
    );
    let id = format!("host.{host}");
    if trailing == "yes" {
        // set_at is FILE:LINE from the probe; the file may hold a colon.
        let place = match set_at.rsplit_once(':') {
            Some((file, line)) if !file.is_empty() => format!("in {file} line {line}"),
            _ => "in the config file that sets it".to_owned(),
        };
        return finding(
            id,
            Verdict::Problem,
            format!(
                "{seen}; app_secret ends in whitespace (a newline pasted with it?){}",
                if set_at.is_empty() { String::new() } else { format!("; it is set at {set_at}") }
            ),
            Some(format!(
                "{place}, app_secret for {host}: end the string right after the secret (no \\n or space before the closing quote), then: prosodyctl restart"
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
    fn unit_environment_lines_are_read_as_systemd_does() {
        assert_eq!(
            unit_words(r#""LUA_PATH=/opt/a b/?.lua;;" LANG=C 'X=y z' A\ B=c"#),
            ["LUA_PATH=/opt/a b/?.lua;;", "LANG=C", "X=y z", "A B=c"]
        );
        let dir = std::env::temp_dir().join(format!("doctor-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let unit = dir.join("prosody.service");
        let dropin = dir.join("lua.conf");
        std::fs::write(
            &unit,
            "[Unit]\nEnvironment=NOT=this\n[Service]\nUser=prosody\nEnvironment=LUA_PATH=/a/?.lua LUA_CPATH=/c/?.so\n",
        )
        .unwrap();
        std::fs::write(
            &dropin,
            "[Service]\nEnvironment=\nEnvironment=\"LUA_PATH=/b/?.lua;;\"\nGroup=jitsi\n",
        )
        .unwrap();
        let (env, user, group) = service_settings(&[unit, dropin]);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(env, [("LUA_PATH".to_owned(), "/b/?.lua;;".to_owned())]);
        assert_eq!(user.as_deref(), Some("prosody"));
        assert_eq!(group.as_deref(), Some("jitsi"));
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
