"""Drivers for the seed clients of seeds.py: one class per client, same five verbs.

    d = DRIVERS[name](workdir, account, tmux)   # account: jid, password, host, port, ...
    d.start()                  # log in (configured to 127.0.0.1:PORT, no TLS unless asked)
    d.set_away(text)           # presence: show=away with a status text
    d.send(to_bare, body)      # one chat message
    d.received(token) -> bool  # has the client shown / stored a message containing token?
    d.quit(); d.exited() -> bool
    d.stop()                   # kill whatever is left (only what this driver started)

Terminal clients (mcabber, profanity, poezio, finch) run in a tmux session on a tmux
server of our own (`-L SOCKET`, remain-on-exit on, so that exit is observable), typed
into with `send-keys -l` and read with `capture-pane`. nbxmpp runs seed_nbxmpp.py, a
headless GLib script driven over stdin/stdout. Waiting is seeds.py's job: every verb
here returns at once.
"""

import json
import os
import pwd
import shlex
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's: python3-nbxmpp, poezio
NONROOT = "xmppseeds"                # poezio refuses to run as root


def version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() or "?"


class Tmux:
    """A private tmux server (its own socket); every session runs with remain-on-exit."""

    def __init__(self, workdir):
        self.sock = f"xmppseeds{os.getpid()}"
        self.conf = os.path.join(workdir, "tmux.conf")
        with open(self.conf, "w") as f:
            f.write("set -g remain-on-exit on\nset -g history-limit 5000\n"
                    "set -g default-terminal screen-256color\n")
        self.started = False

    def cmd(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", self.conf, *args],
                           capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def new(self, name, argv, env):
        line = "exec env " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + \
            " ".join(shlex.quote(a) for a in argv)
        self.cmd("new-session", "-d", "-s", name, "-x", "200", "-y", "50", line)
        self.started = True

    def type(self, name, text):
        self.cmd("send-keys", "-t", name, "-l", text)
        self.cmd("send-keys", "-t", name, "Enter")

    def keys(self, name, *keys):
        self.cmd("send-keys", "-t", name, *keys)

    def screen(self, name):
        return self.cmd("capture-pane", "-p", "-J", "-S", "-2000", "-t", name, check=False)

    def dead(self, name):
        out = self.cmd("list-panes", "-t", name, "-F", "#{pane_dead}", check=False).strip()
        return out in ("1", "")

    def kill(self, name):
        self.cmd("kill-session", "-t", name, check=False)

    def shutdown(self):
        if self.started:
            self.cmd("kill-server", check=False)


class JsonChild:
    """A child process spoken to in JSON lines: commands on its stdin, events from its
    stdout collected by a reader thread, stderr to a file."""

    def __init__(self, argv, err_path):
        self.err = open(err_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, encoding="utf-8", bufsize=1)
        self.events = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.events.append(json.loads(line))

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def cmd(self, **kw):
        self.proc.stdin.write(json.dumps(kw, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def utf8_env(home):
    return {"HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "screen-256color",
            "PATH": "/usr/local/bin:/usr/bin:/bin"}


def ensure_nonroot_user():
    try:
        pwd.getpwnam(NONROOT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        NONROOT], check=True)
    return pwd.getpwnam(NONROOT)


def chown_tree(path, pw):
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


class Driver:
    name = "?"
    package = "?"

    def __init__(self, workdir, acct, tmux):
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.acct = acct
        self.tmux = tmux
        self.session = self.name

    def version(self):
        return version(self.package)

    # tmux clients
    def exited(self):
        return self.tmux.dead(self.session)

    def stop(self):
        self.tmux.kill(self.session)

    def screen(self):
        return self.tmux.screen(self.session)

    def received(self, token):
        return token in self.screen()

    def diagnostics(self):
        return self.screen()[-3000:]


class Mcabber(Driver):
    """mcabber 1.1 (loudmouth): rc file, `/say_to`, history files for what arrived."""
    name = package = "mcabber"

    def start(self):
        a = self.acct
        self.histo = os.path.join(self.dir, "histo")
        os.makedirs(self.histo, exist_ok=True)
        rc = os.path.join(self.dir, "mcabberrc")
        with open(rc, "w") as f:
            f.write(f"set jid = {a['jid']}\nset password = {a['password']}\n"
                    f"set server = 127.0.0.1\nset port = {a['port']}\nset resource = seed\n"
                    f"set disable_random_resource = 1\nset tls = {1 if a.get('tls') else 0}\n"
                    f"set ssl = 0\nset logging = 1\nset logging_dir = {self.histo}\n"
                    "set load_muc_logs = 0\nset beep_on_message = 0\n")
            if a.get("tls"):
                f.write(f"set ssl_ca = {a['cafile']}\n")
        os.chmod(rc, 0o600)
        self.tmux.new(self.session, ["mcabber", "-f", rc], utf8_env(self.dir))

    def set_away(self, text):
        self.tmux.type(self.session, f"/status away {text}")

    def send(self, to, body):
        self.tmux.type(self.session, f"/say_to {to} {body}")

    def received(self, token):
        for fn in os.listdir(self.histo):
            with open(os.path.join(self.histo, fn), encoding="utf-8", errors="replace") as f:
                if token in f.read():
                    return True
        return False

    def quit(self):
        self.tmux.type(self.session, "/quit")


class Profanity(Driver):
    """profanity 0.13 (libstrophe): accounts file, `/msg`, the chat window for what arrived."""
    name = package = "profanity"

    def start(self):
        a = self.acct
        d = os.path.join(self.dir, ".local/share/profanity")
        os.makedirs(d, exist_ok=True)
        os.makedirs(os.path.join(self.dir, ".config/profanity"), exist_ok=True)
        with open(os.path.join(d, "accounts"), "w") as f:
            f.write(f"[{a['jid']}]\nenabled=true\njid={a['jid']}\nserver=127.0.0.1\n"
                    f"port={a['port']}\nresource=seed\npassword={a['password']}\n"
                    f"tls.policy={'force' if a.get('tls') else 'disable'}\n")
        with open(os.path.join(self.dir, ".config/profanity/profrc"), "w") as f:
            f.write("[ui]\nsplash=false\n[notifications]\nmessage=false\n")
        env = utf8_env(self.dir)
        if a.get("tls"):
            env["SSL_CERT_FILE"] = a["cafile"]  # libstrophe's OpenSSL trusts the tap's certificate
        self.tmux.new(self.session, ["profanity", "-a", a["jid"]], env)

    def set_away(self, text):
        self.tmux.type(self.session, f'/status set away "{text}"')

    def send(self, to, body):
        self.tmux.type(self.session, f"/msg {to} {body}")

    def quit(self):
        self.tmux.type(self.session, "/quit")


class Nbxmpp(Driver):
    """Gajim's library nbxmpp 4.2, headless (seed_nbxmpp.py on GLib), over stdin/stdout."""
    name = "nbxmpp"
    package = "python3-nbxmpp"

    def start(self):
        a = self.acct
        argv = [SYSTEM_PYTHON, os.path.join(HERE, "seed_nbxmpp.py"), a["jid"], a["password"],
                "127.0.0.1", str(a["port"])]
        if a.get("tls"):
            argv += ["--starttls", "--cafile", a["cafile"]]
        self.child = JsonChild(argv, os.path.join(self.dir, "nbxmpp.err"))
        self.proc = self.child.proc
        self._cmd = self.child.cmd

    def set_away(self, text):
        self._cmd(cmd="away", status=text)

    def send(self, to, body):
        self._cmd(cmd="send", to=to, body=body)

    def received(self, token):
        return any(token in e.get("body", "") for e in self.child.snapshot() if e.get("ev") == "message")

    def quit(self):
        self._cmd(cmd="quit")

    def exited(self):
        return self.proc.poll() is not None

    def stop(self):
        self.child.stop()

    def diagnostics(self):
        with open(os.path.join(self.dir, "nbxmpp.err"), errors="replace") as f:
            return f.read()[-3000:] + "\nevents: " + json.dumps(self.child.snapshot())[-1000:]


class Poezio(Driver):
    """poezio 0.14 (its own slixmpp): refuses to run as root, so it runs as NONROOT.

    A command typed in one burst is taken as a paste and dropped in the roster tab: the
    `/` goes first, and the rest once the input line shows it."""
    name = package = "poezio"

    def _type(self, text):
        self.tmux.keys(self.session, "-l", text[0])
        deadline = time.monotonic() + 10
        while not self._input_line().endswith(text[0]):
            if time.monotonic() > deadline:
                raise RuntimeError("poezio did not echo the command prefix")
            time.sleep(0.05)
        self.tmux.keys(self.session, "-l", text[1:])
        want = text[1:].split(" ")[0]
        while want not in self._input_line():
            if time.monotonic() > deadline:
                raise RuntimeError(f"poezio did not echo {want!r}")
            time.sleep(0.05)
        self.tmux.keys(self.session, "Enter")

    def _input_line(self):
        lines = [ln.rstrip() for ln in self.tmux.cmd("capture-pane", "-p", "-t", self.session,
                                                       check=False).splitlines()]
        return lines[-1] if lines else ""

    def start(self):
        a = self.acct
        pw = ensure_nonroot_user()
        cfgdir = os.path.join(self.dir, ".config/poezio")
        os.makedirs(cfgdir, exist_ok=True)
        self.logdir = os.path.join(self.dir, "logs")
        os.makedirs(self.logdir, exist_ok=True)
        with open(os.path.join(cfgdir, "poezio.cfg"), "w") as f:
            f.write(f"[Poezio]\njid = {a['jid']}\npassword = {a['password']}\n"
                    f"custom_host = 127.0.0.1\ncustom_port = {a['port']}\nresource = seed\n"
                    f"force_encryption = {'true' if a.get('tls') else 'false'}\n"
                    f"ca_cert_path = {a.get('cafile', '')}\n"
                    "rooms =\nuse_bookmarks_method = local\nenable_carbons = false\n"
                    f"log_dir = {self.logdir}\nuse_log = true\nenable_user_tune = false\n"
                    "enable_user_mood = false\nenable_user_activity = false\n"
                    "enable_user_gaming = false\nenable_user_nick = false\n"
                    "send_chat_states = false\nenable_avatars = false\nexec_remote = false\n"
                    "plugins_autoload =\n")
        chown_tree(self.dir, pw)
        os.chmod(self.dir, 0o755)
        env = utf8_env(self.dir)
        env["XDG_CONFIG_HOME"] = os.path.join(self.dir, ".config")
        env["XDG_DATA_HOME"] = os.path.join(self.dir, ".local/share")
        env["XDG_CACHE_HOME"] = os.path.join(self.dir, ".cache")
        self.tmux.new(self.session, ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                                     "--clear-groups", "--", "poezio"], env)

    def set_away(self, text):
        self._type(f"/status away {text}")

    def send(self, to, body):
        self._type(f"/message {to} {body}")

    def quit(self):
        self._type("/quit")


class Finch(Driver):
    """finch 2.14 (libpurple, the Pidgin core) in tmux, acted on through libpurple's D-Bus
    API on a private session bus: its gnt widgets take keys by focus, and focus after a
    combo-box choice is not predictable from outside (tried: the same key sequence sent
    the status text to different widgets). The screen is still read with capture-pane.

    libpurple treats outgoing text as HTML, so the driver escapes what it sends; the
    connection security is `opportunistic_tls` (finch has no "off": without STARTTLS on
    offer it stays plaintext)."""
    name = package = "finch"
    BUS = "im.pidgin.purple.PurpleService"

    def start(self):
        import html
        self._esc = lambda t: html.escape(t, quote=False)
        a = self.acct
        os.makedirs(os.path.join(self.dir, ".purple"), exist_ok=True)
        security = "require_tls" if a.get("tls") else "opportunistic_tls"
        with open(os.path.join(self.dir, ".purple/accounts.xml"), "w") as f:
            f.write(f"""<?xml version='1.0' encoding='UTF-8' ?>
<account version='1.0'><account>
 <protocol>prpl-jabber</protocol><name>{a['jid']}/seed</name><password>{a['password']}</password>
 <settings>
  <setting name='connect_server' type='string'>127.0.0.1</setting>
  <setting name='port' type='int'>{a['port']}</setting>
  <setting name='connection_security' type='string'>{security}</setting>
  <setting name='auth_plain_in_clear' type='bool'>1</setting>
 </settings>
 <settings ui='gnt-purple'><setting name='auto-login' type='bool'>1</setting></settings>
</account></account>
""")
        self.bus_addr = f"unix:path={self.dir}/bus"
        self.bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", f"--address={self.bus_addr}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(f"{self.dir}/bus"):
            if time.monotonic() > deadline or self.bus.poll() is not None:
                raise RuntimeError("dbus-daemon did not start")
            time.sleep(0.05)
        env = utf8_env(self.dir)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_addr
        self.tmux.new(self.session, ["finch"], env)

    def _call(self, method, *args):
        r = subprocess.run(["dbus-send", f"--bus={self.bus_addr}", "--print-reply=literal",
                            f"--dest={self.BUS}", "/im/pidgin/purple/PurpleObject",
                            f"im.pidgin.purple.PurpleInterface.{method}", *args],
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise RuntimeError(f"finch D-Bus {method}: {r.stderr.strip()}")
        out = r.stdout.split()
        return out[-1] if out else None

    def _account(self):
        return self._call("PurpleAccountsGetAllActive").strip("]")

    def set_away(self, text):
        # what arrives is read from libpurple's plain-text IM log (the gnt window wraps
        # long lines itself, so a token can be split on the screen)
        self._call("PurplePrefsSetString", "string:/purple/logging/format", "string:txt")
        self._call("PurplePrefsSetBool", "string:/purple/logging/log_ims", "int32:1")
        st = self._call("PurpleSavedstatusNew", "string:", "int32:5")  # PURPLE_STATUS_AWAY
        self._call("PurpleSavedstatusSetMessage", f"int32:{st}", f"string:{self._esc(text)}")
        self._call("PurpleSavedstatusActivate", f"int32:{st}")

    def send(self, to, body):
        acct = self._call("PurpleAccountsFindConnected", f"string:{self.acct['jid']}/seed",
                          "string:prpl-jabber")
        conv = self._call("PurpleConversationNew", "int32:1", f"int32:{acct}", f"string:{to}")
        im = self._call("PurpleConvIm", f"int32:{conv}")
        self._call("PurpleConvImSend", f"int32:{im}", f"string:{self._esc(body)}")

    def received(self, token):
        logs = os.path.join(self.dir, ".purple/logs")
        for root, _dirs, files in os.walk(logs):
            for fn in files:
                with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                    if token in f.read():
                        return True
        return False

    def quit(self):
        # disconnect the account (that is what closes the stream); finch's own exit
        # (PurpleCoreQuit) sometimes hangs after the stream closed, so it is not waited for
        self.account = self._call("PurpleAccountsFindConnected", f"string:{self.acct['jid']}/seed",
                                  "string:prpl-jabber")
        self._call("PurpleAccountSetEnabled", f"int32:{self.account}", "string:gnt-purple", "int32:0")

    def exited(self):
        if self.tmux.dead(self.session):
            return True
        if getattr(self, "account", None) is None:
            return False
        return self._call("PurpleAccountIsDisconnected", f"int32:{self.account}") == "1"

    def stop(self):
        super().stop()
        if getattr(self, "bus", None) is not None and self.bus.poll() is None:
            self.bus.terminate()
            self.bus.wait(10)


class GoSendxmpp(Driver):
    """go-sendxmpp 0.5 (Go, a go-xmpp fork): one message from stdin, then it
    quits; it refuses plaintext, so it is in the TLS run only (trusting the tap's
    certificate through SSL_CERT_FILE, which Go's crypto/x509 reads on Linux)."""
    name = "gosendxmpp"
    package = "go-sendxmpp"
    oneshot = True

    def start(self):
        self.proc = None

    def send(self, to, body):
        a = self.acct
        env = {"HOME": self.dir, "PATH": "/usr/bin:/bin", "SSL_CERT_FILE": a.get("cafile", "")}
        self.out = open(os.path.join(self.dir, "go-sendxmpp.out"), "w")
        self.proc = subprocess.Popen(
            ["go-sendxmpp", "-u", a["jid"], "-p", a["password"], "-j", f"127.0.0.1:{a['port']}",
             to], stdin=subprocess.PIPE, stdout=self.out, stderr=subprocess.STDOUT,
            env=env, text=True, encoding="utf-8")
        self.proc.stdin.write(body)
        self.proc.stdin.close()

    def exited(self):
        return self.proc is not None and self.proc.poll() is not None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def diagnostics(self):
        with open(os.path.join(self.dir, "go-sendxmpp.out"), errors="replace") as f:
            return f.read()[-2000:]


DRIVERS = {c.name: c for c in (Mcabber, Profanity, Nbxmpp, Poezio, Finch, GoSendxmpp)}


if __name__ == "__main__":
    print(json.dumps({n: version(c.package) for n, c in DRIVERS.items()}))
    sys.exit(0)
