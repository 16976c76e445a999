#!/usr/bin/env python3
"""XEP-0478 limits of examples/c2s_server, over a raw socket (no client library):

1. before SASL the features advertise <limits xmlns='urn:xmpp:stream-limits:0'> with
   max-bytes 16384, and a 20 KiB stanza gets a policy-violation stream error;
2. after SASL success and the restart they advertise 262144, and a 20 KiB message to
   the domain (which the server echoes) is accepted and echoed back.

    c2s_limits.py HOST PORT          exit 0 when both hold
"""
import base64
import re
import socket
import sys

NS = "urn:xmpp:stream-limits:0"
HEADER = (
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>"
)


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=20)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data.encode() if isinstance(data, str) else data)

    def until(self, pattern):
        """Reads until `pattern` (a regex over the bytes read so far) matches; returns
        the match and drops what it covered."""
        rx = re.compile(pattern.encode(), re.S)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("FAIL: connection closed while waiting for %r; got %r"
                                 % (pattern, self.buf[-300:]))
            self.buf += chunk


def max_bytes(features):
    m = re.search(
        rb"<limits xmlns=['\"]" + NS.encode() + rb"['\"]>\s*<max-bytes>(\d+)</max-bytes>",
        features,
    )
    if not m:
        raise SystemExit("FAIL: no XEP-0478 limits in features: %r" % features)
    return int(m.group(1))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    big = "x" * (20 * 1024)

    # 1. Unauthenticated: small limit, enforced.
    c = Conn(host, port)
    c.send(HEADER)
    features = c.until(r"<stream:features>.*?</stream:features>").group(0)
    before = max_bytes(features)
    if before != 16384:
        raise SystemExit("FAIL: max-bytes before SASL is %d, not 16384" % before)
    c.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % big)
    c.until(r"<stream:error[^>]*>.*?policy-violation.*?</stream:error>")
    print("before SASL: max-bytes %d advertised; a 20 KiB stanza: policy-violation" % before)

    # 2. Authenticated: larger limit, advertised after the restart, enforced.
    c = Conn(host, port)
    c.send(HEADER)
    c.until(r"</stream:features>")
    token = base64.b64encode(b"\0juliet\0secret").decode()
    c.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" % token)
    c.until(r"<success[^>]*/>")
    c.send(HEADER)
    features = c.until(r"<stream:features>.*?</stream:features>").group(0)
    after = max_bytes(features)
    if after != 262144:
        raise SystemExit("FAIL: max-bytes after SASL is %d, not 262144" % after)
    c.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
           "<resource>limits</resource></bind></iq>")
    c.until(r"<iq[^>]*id=['\"]b['\"].*?</iq>")
    c.send("<message to='localhost' id='big'><body>%s</body></message>" % big)
    m = c.until(r"<message[^>]*>.*?</message>")
    if big.encode() not in m.group(0):
        raise SystemExit("FAIL: the 20 KiB message was not echoed: %r" % m.group(0)[:200])
    c.send("</stream:stream>")
    print("after SASL: max-bytes %d advertised; a 20 KiB message accepted and echoed" % after)
    print("PASS")


if __name__ == "__main__":
    main()
