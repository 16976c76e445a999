#!/usr/bin/env python3
"""Run a command as a child subreaper and make sure it leaves nothing behind.

    reaper.py CMD [ARGS...]

Linux only.  Sets PR_SET_CHILD_SUBREAPER, so every process that CMD (or its
children) orphans is re-parented here instead of to PID 1 and gets reaped
(no <defunct> entries left in `ps`).  When CMD exits, any descendant that is
still alive is reported, sent SIGTERM (then SIGKILL after 5 s) and reaped;
that counts as a failure (exit 1 if CMD itself succeeded).

SIGINT/SIGTERM/SIGHUP received by the reaper are forwarded to CMD.
Exit status: CMD's (128+N if killed by signal N), or 1 on leftovers.
"""

import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def children_of(pid):
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                cmd = "?"
            out.append((int(name), cmd))
    return out


def reap_nohang():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("[reaper] prctl(PR_SET_CHILD_SUBREAPER) failed; running without", file=sys.stderr)

    child = os.fork()
    if child == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        except OSError as e:
            print(f"[reaper] exec {sys.argv[1]}: {e}", file=sys.stderr)
            os._exit(127)

    def forward(sig, _frame):
        try:
            os.kill(child, sig)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)

    status = None
    while status is None:
        try:
            pid, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == child:
            status = os.waitstatus_to_exitcode(st)
    rc = status if status is not None and status >= 0 else 128 + (-status if status else 0)

    # whatever is still alive was leaked by CMD (re-parented to us)
    time.sleep(0.2)
    reap_nohang()
    left = children_of(os.getpid())
    if left:
        print("[reaper] processes left running by the command:", file=sys.stderr)
        for pid, cmd in left:
            print(f"[reaper]   {pid} {cmd[:160]}", file=sys.stderr)
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.time() + 5
        while time.time() < deadline and children_of(os.getpid()):
            reap_nohang()
            time.sleep(0.1)
        for pid, _ in children_of(os.getpid()):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        reap_nohang()
        if rc == 0:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
