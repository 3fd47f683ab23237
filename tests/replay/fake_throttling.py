"""A fake of Kinesis throttling: a loopback HTTP proxy in front of moto.

moto never throttles, so nothing real can make PutRecords fail. This proxy
forwards every request to the real moto server unchanged, except that, as
its `policy` says, it

- refuses whole PutRecords requests with AWS's 400
  ProvisionedThroughputExceededException (nothing reaches moto), or
- refuses single records of a PutRecords request: it forwards the request
  without them, then answers moto's results with those records put back in
  place as `{"ErrorCode": "ProvisionedThroughputExceededException"}` and
  `FailedRecordCount` raised to match, as Kinesis does when a shard is over
  its limit.

So a refused record is really not in the stream, and a retried one is
stored by moto. The proxy counts what it refused, for the tests to compare
with replay's summary.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

THROTTLED = "ProvisionedThroughputExceededException"
THROTTLED_MESSAGE = "Rate exceeded for shard shardId-000000000000 in stream (fake)."


class Policy:
    """Which requests and records to refuse. Subclass and override."""

    def refuse_request(self, number: int) -> bool:
        """number: the PutRecords call's number, from 1."""
        return False

    def refuse_record(self, trade: dict, attempt: int) -> bool:
        """attempt: how many times this trade has reached the proxy, from 1."""
        return False


class ThrottlingProxy:
    def __init__(self, upstream: str, policy: Policy):
        self.upstream = urlparse(upstream)
        self.policy = policy
        self.lock = threading.Lock()
        self.put_records_calls = 0
        self.refused_requests = 0
        # Records refused in all: one per record of a refused request, one
        # per refused record.
        self.refused_records = 0
        self.seen: dict[int, int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                target = self.headers.get("X-Amz-Target", "")
                if target.endswith(".PutRecords"):
                    status, headers, payload = proxy._put_records(self.headers, body)
                else:
                    status, headers, payload = proxy._forward(self.headers, body)
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _forward(self, headers, body: bytes):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            fwd = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
            fwd["Content-Length"] = str(len(body))
            conn.request("POST", "/", body=body, headers=fwd)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def _put_records(self, headers, body: bytes):
        import base64

        request = json.loads(body)
        records = request["Records"]
        with self.lock:
            self.put_records_calls += 1
            number = self.put_records_calls
            if self.policy.refuse_request(number):
                self.refused_requests += 1
                self.refused_records += len(records)
                error = json.dumps({"__type": THROTTLED, "message": THROTTLED_MESSAGE}).encode()
                return 400, [("Content-Type", "application/x-amz-json-1.1")], error
            refused = []
            for i, record in enumerate(records):
                trade = json.loads(base64.b64decode(record["Data"]))
                attempt = self.seen.get(trade["trans_id"], 0) + 1
                self.seen[trade["trans_id"]] = attempt
                if self.policy.refuse_record(trade, attempt):
                    refused.append(i)
            self.refused_records += len(refused)
        kept = [r for i, r in enumerate(records) if i not in set(refused)]
        if not kept:
            results = []
            status, resp_headers = 200, [("Content-Type", "application/x-amz-json-1.1")]
            failed = 0
        else:
            forward = dict(request, Records=kept)
            status, resp_headers, payload = self._forward(headers, json.dumps(forward).encode())
            if status != 200:
                return status, resp_headers, payload
            answer = json.loads(payload)
            results = answer["Records"]
            failed = answer.get("FailedRecordCount", 0)
        merged = []
        it = iter(results)
        for i in range(len(records)):
            if i in refused:
                merged.append({"ErrorCode": THROTTLED, "ErrorMessage": THROTTLED_MESSAGE})
            else:
                merged.append(next(it))
        answer = {"FailedRecordCount": failed + len(refused), "Records": merged}
        return status, resp_headers, json.dumps(answer).encode()
