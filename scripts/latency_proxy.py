"""A stand-in for the network distance to AWS, for benchmarks.

moto server answers on localhost at once, while AWS answers a university
network in tens of milliseconds. This HTTP reverse proxy sits in front of
moto and holds every request DELAY_MS (default 50) before forwarding it,
so that a benchmark of live calls (`stackgen grade CLASS --live --jobs N`,
`scripts/bench.sh` with BENCH=live) pays a round trip per call, as it would
against AWS. Standard library only.

    python scripts/latency_proxy.py UPSTREAM_URL [--delay-ms 50] [--log FILE]

It binds a free loopback port and prints `{"port": N}` on its first line of
stdout (as tests/infra/motoserver.py does), then serves until killed. With
--log, it appends one line per request (method, path, status) to FILE, so a
benchmark can count the calls each run made.

What matters for a faithful stand-in:
- The `Host` header is forwarded unchanged: SigV4 signs it, and moto
  recomputes the signature from the headers it receives.
- Client connections are kept alive (HTTP/1.1), as the AWS SDKs keep theirs.
- TCP_NODELAY on the client side: the handler writes headers and body
  separately, and Nagle's algorithm with the client's delayed ACK would add
  about 40 ms to every answer, on top of the delay asked for.
- HEAD relays upstream's Content-Length (there is no body to count), or an
  SDK reads a HeadObject's length as 0.
- Hop-by-hop headers are dropped both ways; Content-Length is set here.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    # Set by main() before serving.
    upstream: tuple[str, int] = ("127.0.0.1", 0)
    delay_s: float = 0.05
    log_file = None
    log_lock = threading.Lock()
    # One upstream connection per handler thread (each client connection
    # has its own thread), reopened whenever upstream closes it.
    local = threading.local()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    # Trailers, up to the empty line.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _upstream(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(*self.upstream, timeout=120)
            self.local.conn = conn
        return conn

    def _drop_upstream(self) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
        self.local.conn = None

    def _send_upstream(self, body: bytes) -> tuple[http.client.HTTPResponse, bytes]:
        # A kept-alive upstream connection may have been closed under us:
        # retry once on a fresh one.
        for attempt in (1, 2):
            conn = self._upstream()
            try:
                conn.putrequest(
                    self.command, self.path, skip_host=True, skip_accept_encoding=True
                )
                for key, value in self.headers.items():
                    if (
                        key.lower() not in HOP_BY_HOP
                        and key.lower() != "content-length"
                    ):
                        conn.putheader(key, value)
                # The length the client sent (it may be signed), or of the
                # body a chunked request was read into.
                if body or "Content-Length" in self.headers:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                response = conn.getresponse()
                return response, response.read()
            except (http.client.HTTPException, ConnectionError):
                self._drop_upstream()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _forward(self) -> None:
        body = self._body()
        time.sleep(self.delay_s)
        response, data = self._send_upstream(body)
        if response.getheader("Connection", "").lower() == "close":
            self._drop_upstream()
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        length = (
            response.getheader("Content-Length") if self.command == "HEAD" else None
        )
        self.send_header("Content-Length", length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        if self.log_file is not None:
            with self.log_lock:
                self.log_file.write(f"{self.command} {self.path} {response.status}\n")
                self.log_file.flush()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward

    def log_message(self, format: str, *args: object) -> None:
        # Quiet: a benchmark's output is its table.
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", help="e.g. http://127.0.0.1:5000 (moto server)")
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--log", help="append one line per request to this file")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.upstream)
    if url.scheme != "http" or not url.hostname or not url.port:
        parser.error(f"UPSTREAM_URL must be http://HOST:PORT, got {args.upstream!r}")
    Proxy.upstream = (url.hostname, url.port)
    Proxy.delay_s = args.delay_ms / 1000
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    with contextlib.ExitStack() as files:
        if args.log:
            Proxy.log_file = files.enter_context(open(args.log, "a", encoding="utf-8"))
        sys.stdout.write(json.dumps({"port": server.server_address[1]}) + "\n")
        sys.stdout.flush()
        server.serve_forever()


if __name__ == "__main__":
    main()
