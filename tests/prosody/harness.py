"""Pieces the Prosody integration test and the demo share.

* Prosody: a private Prosody on 127.0.0.1 high ports, with its config, data,
  pid and log under a temp directory, stopped by pid when the `with` block
  ends, whatever happened inside it. By default it is this machine's Prosody
  (Debian 12: 0.12) with the fresh build (build/lua54) first on its cpath and
  the shim from lua/ first on its plugin paths. With LUAJWT_PROSODY_CHROOT=DIR
  it is `chroot DIR prosody` (tests/prosody/debian13.sh: Debian 13's
  Prosody 13), with the module and the shim where the installed Debian
  package put them, and the temp directory under DIR/tmp.
* KeyServer: an asap-style public-key server on 127.0.0.1 that serves
  `<hex(sha256(kid))>.pem` and counts the requests for each kid.
* bosh_login / ws_login: real XMPP clients (BOSH over urllib's http.client,
  WebSocket with the `websockets` package) that open a stream with
  `?token=...` in the URL, authenticate with SASL ANONYMOUS and, when that
  succeeds, restart the stream and bind a resource.
* Prosody(image=IMAGE): the Prosody of a Docker image instead
  (tests/docker/run.sh): `docker run --network host` of IMAGE as its own
  user, the temp directory mounted at the same path, this folder's test
  plugins mounted read-only as /prosody-plugins-custom (a volume of
  docker-jitsi-meet's image), and the plugin_paths the caller gives. The
  Docker client is $DOCKER (default `docker`), the engine $DOCKER_HOST's.
* visible: the path under which Prosody sees a file of this machine (a copy
  in the chroot, if any). A host option that names a file must use it, or the
  Debian 13 run (tests/prosody/debian13.sh) cannot read that file.
* mint: tokens made by the module itself (Lua 5.4 build) through mint.lua;
  in a chroot, by the installed module under the chroot's lua5.4.
"""

import hashlib
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SO_DIR = os.path.join(ROOT, "build", "lua54")

# Where Prosody runs (see the top of this file). In a chroot the module is
# the one the Debian package installed for Lua 5.4, and the shim is at
# jitsi-meet's path, where the package's diversion puts it.
CHROOT = os.environ.get("LUAJWT_PROSODY_CHROOT") or None
JITSI_PLUGINS = "/usr/share/jitsi-meet/prosody-plugins"
SO_PATH = ("/usr/lib/x86_64-linux-gnu/lua/5.4/luajwtjitsi.so" if CHROOT
           else os.path.join(SO_DIR, "luajwtjitsi.so"))


def inside(path):
    """A path on this machine as Prosody sees it (inside the chroot, if any)."""
    if CHROOT is None:
        return path
    rel = os.path.relpath(path, CHROOT)
    if rel.startswith(".."):
        raise ValueError("%s is not under the chroot %s" % (path, CHROOT))
    return "/" + rel


_shared_dir = None


def visible(path):
    """A file that Prosody or a chroot program must read (a key file named in
    a host's options, a script): `path` itself on this machine; in a chroot,
    where that path does not exist, a copy (same mode) under the chroot's /tmp,
    as the chroot sees it."""
    global _shared_dir
    if CHROOT is None:
        return path
    if _shared_dir is None:
        _shared_dir = tempfile.mkdtemp(prefix="luajwt-files-", dir=os.path.join(CHROOT, "tmp"))
    dest = os.path.join(_shared_dir, os.path.basename(path))
    shutil.copy(path, dest)
    return inside(dest)


def _in_target(argv):
    """argv run where Prosody runs, and the environment to run it with."""
    if CHROOT is None:
        return argv, dict(os.environ)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    return ["chroot", CHROOT] + argv, env

NS_BOSH = "http://jabber.org/protocol/httpbind"
NS_XBOSH = "urn:xmpp:xbosh"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_FRAMING = "urn:ietf:params:xml:ns:xmpp-framing"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_string(value):
    """A Lua string literal for a config file."""
    return '"' + "".join(
        c if c.isalnum() or c in " ./:_-+=@*" else "\\%03d" % b
        for c, b in ((chr(b), b) for b in value.encode())
    ) + '"'


def lua_list(values):
    return "{ " + ", ".join(lua_string(v) for v in values) + " }"


class Result:
    """What a login attempt came to: ok and the bound JID, or the SASL failure."""

    def __init__(self, ok, jid=None, condition=None, text=None):
        self.ok, self.jid, self.condition, self.text = ok, jid, condition, text

    def __repr__(self):
        if self.ok:
            return "logged in as %s" % self.jid
        return "refused (%s): %s" % (self.condition, self.text)


def _failure(elem):
    condition = next((c.tag.split("}")[1] for c in elem if not c.tag.endswith("}text")), None)
    text = elem.findtext("{%s}text" % NS_SASL)
    return Result(False, condition=condition, text=text)


# ---------------------------------------------------------------- BOSH client

class _Bosh:
    def __init__(self, port, host, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        self.host = host
        self.path = "/http-bind"
        if token is not None:
            self.path += "?token=" + urllib.parse.quote(token, safe="")
        self.rid = int.from_bytes(os.urandom(4), "big") % 10**9
        self.sid = None

    def post(self, attrs="", children=""):
        self.rid += 1
        sid = " sid='%s'" % self.sid if self.sid else ""
        body = "<body xmlns='%s' xmlns:xmpp='%s' rid='%d'%s %s>%s</body>" % (
            NS_BOSH, NS_XBOSH, self.rid, sid, attrs, children)
        self.conn.request("POST", self.path, body.encode(), {
            "Host": self.host, "Content-Type": "text/xml; charset=utf-8"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError("BOSH HTTP %d: %r" % (response.status, data[:200]))
        return ET.fromstring(data)

    def wait_for(self, tag, attrs=""):
        """Post (empty bodies after the first) until a child `tag` arrives."""
        for _ in range(10):
            reply = self.post(attrs)
            if reply.get("type") == "terminate":
                raise RuntimeError("BOSH session terminated: %s" % reply.get("condition"))
            found = reply.find(".//" + tag)
            if found is not None:
                return found
            attrs = ""
        raise RuntimeError("BOSH: no %s arrived" % tag)

    def close(self):
        try:
            if self.sid:
                self.post("type='terminate'")
        except (OSError, RuntimeError, ET.ParseError):
            pass
        self.conn.close()


def bosh_login(port, host, token):
    """Open a BOSH session with ?token=, try SASL ANONYMOUS, bind on success."""
    c = _Bosh(port, host, token)
    try:
        first = c.post("content='text/xml; charset=utf-8' hold='1' wait='10' ver='1.6' "
                       "to='%s' xml:lang='en' xmpp:version='1.0'" % host)
        c.sid = first.get("sid")
        if not c.sid:
            raise RuntimeError("BOSH: no sid in %s" % ET.tostring(first)[:200])
        mechs = first.find(".//{%s}mechanisms" % NS_SASL)
        if mechs is None:
            mechs = c.wait_for("{%s}mechanisms" % NS_SASL)
        offered = [m.text for m in mechs]
        if "ANONYMOUS" not in offered:
            raise RuntimeError("ANONYMOUS not offered: %s" % offered)
        reply = c.post(children="<auth xmlns='%s' mechanism='ANONYMOUS'/>" % NS_SASL)
        outcome = next((e for e in reply if e.tag in (
            "{%s}success" % NS_SASL, "{%s}failure" % NS_SASL)), None)
        if outcome is None:
            outcome = c.wait_for("{%s}*" % NS_SASL)
        if outcome.tag.endswith("failure"):
            return _failure(outcome)
        c.wait_for("{%s}bind" % NS_BIND, "xmpp:restart='true' to='%s' xml:lang='en'" % host)
        reply = c.post(children=(
            "<iq xmlns='jabber:client' type='set' id='b1'>"
            "<bind xmlns='%s'><resource>probe</resource></bind></iq>" % NS_BIND))
        jid = reply.findtext(".//{%s}jid" % NS_BIND)
        if not jid:
            jid = c.wait_for("{%s}jid" % NS_BIND).text
        return Result(True, jid=jid)
    finally:
        c.close()


# ----------------------------------------------------------- WebSocket client

def ws_login(port, host, token):
    """The same login over XMPP-over-WebSocket (RFC 7395)."""
    from websockets.sync.client import connect

    query = "" if token is None else "?token=" + urllib.parse.quote(token, safe="")
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    with connect("ws://%s:%d/xmpp-websocket%s" % (host, port, query), sock=sock,
                 subprotocols=["xmpp"], max_size=2**20, open_timeout=20,
                 close_timeout=2) as ws:
        def recv_elem():
            return ET.fromstring(ws.recv(timeout=20))

        def open_stream():
            ws.send("<open xmlns='%s' to='%s' version='1.0'/>" % (NS_FRAMING, host))
            opened = recv_elem()
            if opened.tag != "{%s}open" % NS_FRAMING:
                raise RuntimeError("WebSocket: expected <open/>, got %s" % opened.tag)
            return recv_elem()  # stream features

        features = open_stream()
        offered = [m.text for m in features.iter("{%s}mechanism" % NS_SASL)]
        if "ANONYMOUS" not in offered:
            raise RuntimeError("ANONYMOUS not offered: %s" % offered)
        ws.send("<auth xmlns='%s' mechanism='ANONYMOUS'/>" % NS_SASL)
        outcome = recv_elem()
        if outcome.tag == "{%s}failure" % NS_SASL:
            return _failure(outcome)
        if outcome.tag != "{%s}success" % NS_SASL:
            raise RuntimeError("WebSocket: unexpected %s" % outcome.tag)
        open_stream()
        ws.send("<iq xmlns='jabber:client' type='set' id='b1'>"
                "<bind xmlns='%s'><resource>probe</resource></bind></iq>" % NS_BIND)
        jid = recv_elem().findtext(".//{%s}jid" % NS_BIND)
        ws.send("<close xmlns='%s'/>" % NS_FRAMING)
        return Result(True, jid=jid)


# ----------------------------------------------------------------- key server

class KeyServer:
    """Serves PEMs by hex(sha256(kid)) + '.pem' on 127.0.0.1; counts requests."""

    def __init__(self, keys):
        self.files = {hashlib.sha256(kid.encode()).hexdigest() + ".pem": (kid, pem)
                      for kid, pem in keys.items()}
        self.hits = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                entry = server.files.get(name)
                kid = entry[0] if entry else name
                server.hits[kid] = server.hits.get(kid, 0) + 1
                if entry is None:
                    self.send_error(404)
                    return
                body = entry[1].encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# -------------------------------------------------------------------- Prosody

class Prosody:
    """A private Prosody; `hosts` maps a VirtualHost name to its option lines.

    `plugin_paths` and `cpath_dir` replace, on this machine only, the shim
    folder and module folder of the default set-up (lua/ then this folder,
    and build/lua54); tests/prosody/test_fallback.py sets `cpath_dir`.
    `path_dir` (this machine only) is put first on Lua 5.4's package.path
    (LUA_PATH_5_4), where Prosody then finds `.lua` libraries; by default
    LUA_PATH_5_4 is unset. `auth` names every host's authentication
    provider (mod_auth_<auth>.lua; default jwt_probe). `image` runs
    Prosody in that Docker image (see the top of this file); its plugin
    folders are then `plugin_paths` as the image's config names them."""

    def __init__(self, hosts, keep=False, plugin_paths=None, cpath_dir=None,
                 path_dir=None, auth="jwt_probe", image=None):
        self.hosts = hosts
        self.keep = keep
        self.plugin_paths = plugin_paths
        self.cpath_dir = cpath_dir or SO_DIR
        self.path_dir = path_dir
        self.auth = auth
        self.image = image
        self.dir = tempfile.mkdtemp(prefix="luajwt-prosody-",
                                    dir=CHROOT and os.path.join(CHROOT, "tmp"))
        if image:
            # The image's user (s6 in docker-jitsi-meet's) writes the data,
            # pid and log files here.
            os.chmod(self.dir, 0o777)
            self.container = "luajwt-prosody-%d-%s" % (os.getpid(), os.path.basename(self.dir)[-8:])
        self.http_port = free_port()
        self.c2s_port = free_port()
        self.log_path = os.path.join(self.dir, "prosody.log")
        self.proc = None

    def config(self):
        d = inside(self.dir)
        if CHROOT:
            # The installed shim, then a copy of this folder's modules.
            plugins = [JITSI_PLUGINS, os.path.join(d, "plugins")]
        elif self.image or self.plugin_paths:
            plugins = self.plugin_paths
        else:
            # The shim from lua/ comes first, as the README tells admins to do.
            plugins = [os.path.join(ROOT, "lua"), HERE]
        lines = [
            "-- written by tests/prosody/harness.py for one test run",
            "pidfile = %s" % lua_string(os.path.join(d, "prosody.pid")),
            "data_path = %s" % lua_string(os.path.join(d, "data")),
            "certificates = %s" % lua_string(os.path.join(d, "certs")),
            "log = { { levels = { min = \"info\" }, to = \"file\", filename = %s } }"
            % lua_string(inside(self.log_path)),
            "plugin_paths = %s" % lua_list(plugins),
            "interfaces = { \"127.0.0.1\" }",
            "local_interfaces = { \"127.0.0.1\" }",
            "c2s_ports = { %d }" % self.c2s_port,
            "c2s_interfaces = { \"127.0.0.1\" }",
            "http_ports = { %d }" % self.http_port,
            "http_interfaces = { \"127.0.0.1\" }",
            "https_ports = { }",
            "modules_enabled = { \"bosh\", \"websocket\", \"saslauth\", \"jwt_probe_http_limits\" }",
            "modules_disabled = { \"s2s\", \"offline\" }",
            "storage = \"memory\"",
            "c2s_require_encryption = false",
            "consider_bosh_secure = true",
            "consider_websocket_secure = true",
            "bosh_max_inactivity = 20",
        ]
        if os.geteuid() == 0 and not self.image:
            # CI runs as root; Prosody would otherwise switch to the prosody
            # user, which cannot write this temp dir.
            lines.append("run_as_root = true")
        for host, options in self.hosts.items():
            lines.append("")
            lines.append("VirtualHost %s" % lua_string(host))
            lines.append("    authentication = %s" % lua_string(self.auth))
            for option in options:
                lines.append("    " + option)
        return "\n".join(lines) + "\n"

    def __enter__(self):
        os.makedirs(os.path.join(self.dir, "data"))
        os.makedirs(os.path.join(self.dir, "certs"))
        cfg = os.path.join(self.dir, "prosody.cfg.lua")
        with open(cfg, "w") as f:
            f.write(self.config())
        argv, env = _in_target(["prosody", "-F", "--config", inside(cfg)])
        if self.image:
            plugins = os.path.join(self.dir, "plugins")
            os.makedirs(plugins)
            for name in os.listdir(HERE):
                if name.endswith(".lua"):
                    shutil.copy(os.path.join(HERE, name), plugins)
            for sub in ("data", "certs"):
                os.chmod(os.path.join(self.dir, sub), 0o777)
            # Attached, so the client passes the TERM of __exit__ on to Prosody.
            argv = [os.environ.get("DOCKER", "docker"), "run", "--rm", "--name", self.container,
                    "--network", "host", "-v", "%s:%s" % (self.dir, self.dir),
                    "-v", "%s:/prosody-plugins-custom:ro" % plugins, self.image] + argv
        elif CHROOT:
            os.makedirs(os.path.join(self.dir, "plugins"))
            for name in os.listdir(HERE):
                if name.endswith(".lua"):
                    shutil.copy(os.path.join(HERE, name), os.path.join(self.dir, "plugins"))
        else:
            env["LUA_CPATH_5_4"] = os.path.join(self.cpath_dir, "?.so") + ";;"
            env.pop("LUA_PATH_5_4", None)
            if self.path_dir:
                env["LUA_PATH_5_4"] = os.path.join(self.path_dir, "?.lua") + ";;"
        self.stdout = open(os.path.join(self.dir, "stdout.log"), "w")
        self.proc = subprocess.Popen(argv, env=env,
                                     stdout=self.stdout, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Prosody exited with %s:\n%s" % (self.proc.returncode, self.output()))
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("Prosody did not listen on 127.0.0.1:%d within 30 s:\n%s"
                           % (self.http_port, self.output()))

    def output(self):
        text = ""
        for path in (os.path.join(self.dir, "stdout.log"), self.log_path):
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f.read()
        return text[-4000:]

    def log(self):
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                if self.image:
                    subprocess.run([os.environ.get("DOCKER", "docker"), "rm", "-f", self.container],
                                   capture_output=True, check=False)
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "stdout", None):
            self.stdout.close()
        if not self.keep:
            self.final_log = self.log()
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------- token minting

_mint_script = None


def mint(claims, key, alg="HS256", header=None):
    """A token made by the module itself (Lua 5.4 build), via mint.lua."""
    global _mint_script
    if _mint_script is None:
        _mint_script = visible(os.path.join(HERE, "mint.lua"))
    argv, env = _in_target(["lua5.4", _mint_script])
    if not CHROOT:
        env["LUA_CPATH_5_4"] = os.path.join(SO_DIR, "?.so")
    request = json.dumps({"claims": claims, "key": key, "alg": alg, "header": header or {}})
    out = subprocess.run(argv, input=request,
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError("mint.lua failed: %s" % out.stderr.strip())
    return out.stdout.strip()
