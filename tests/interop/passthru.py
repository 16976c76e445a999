#!/usr/bin/env python3
"""Byte-for-byte TCP pass-through proxy: a stand-in for examples/xmpptap.rs.

    passthru.py LISTEN UPSTREAM LOG      (LISTEN/UPSTREAM as HOST:PORT)

Exists so that `run.sh --proxy-cmd` can be exercised before the real proxy
exists:  run.sh --proxy-cmd 'python3 tests/interop/passthru.py {listen} {upstream} {log}'

Writes one JSON line per connection event / data chunk to LOG
({"t", "conn", "dir": "c2s"|"s2c", "bytes"} and open/close records) and, with
PASSTHRU_RAW=1, the raw bytes of each direction to LOG.<conn>.<dir>.bin.
Half-closes are propagated (EOF on one side -> shutdown(SHUT_WR) on the other).
Stops on SIGTERM/SIGINT.
"""

import asyncio
import json
import os
import signal
import sys
import time

T0 = time.monotonic()


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def main():
    listen, upstream, logpath = sys.argv[1], sys.argv[2], sys.argv[3]
    raw = os.environ.get("PASSTHRU_RAW") == "1"
    logf = open(logpath, "a", buffering=1)
    counter = [0]

    def log(**kw):
        kw["t"] = round(time.monotonic() - T0, 6)
        logf.write(json.dumps(kw) + "\n")

    async def pump(conn, direction, reader, writer, rawf):
        total = 0
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                total += len(data)
                log(conn=conn, dir=direction, bytes=len(data))
                if rawf:
                    rawf.write(data)
                writer.write(data)
                await writer.drain()
            log(conn=conn, dir=direction, event="eof", total=total)
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError) as e:
            log(conn=conn, dir=direction, event="error", error=repr(e), total=total)
            writer.close()
        return total

    async def handle(creader, cwriter):
        counter[0] += 1
        conn = counter[0]
        log(conn=conn, event="open", peer=str(cwriter.get_extra_info("peername")))
        try:
            sreader, swriter = await asyncio.open_connection(*hostport(upstream))
        except OSError as e:
            log(conn=conn, event="upstream_connect_failed", error=repr(e))
            cwriter.close()
            return
        raws = [open(f"{logpath}.{conn}.{d}.bin", "wb") if raw else None for d in ("c2s", "s2c")]
        await asyncio.gather(pump(conn, "c2s", creader, swriter, raws[0]),
                             pump(conn, "s2c", sreader, cwriter, raws[1]))
        for w in (cwriter, swriter):
            w.close()
        for f in raws:
            if f:
                f.close()
        log(conn=conn, event="close")

    async def serve():
        host, port = hostport(listen)
        server = await asyncio.start_server(handle, host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        log(event="listening", listen=listen, upstream=upstream)
        await stop.wait()
        server.close()
        log(event="stopped", connections=counter[0])

    asyncio.run(serve())


if __name__ == "__main__":
    main()
