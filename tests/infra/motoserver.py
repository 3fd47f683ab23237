"""moto server, the AWS APIs on localhost, for the deploy tests.

    MotoServer.start(account_id, workdir)  ->  a server on a free loopback port
    server.endpoint                            http://127.0.0.1:<port>
    server.boto3_env(region)                   what boto3 needs to reach it
    server.stop()

Each server is a child process (this file run as a script) that reports
every request as made by one account: MOTO_ACCOUNT_ID, set per server. moto
5.2.5 does not take the account id from a 12-digit access key (it looks the
key up among the IAM users it knows and otherwise answers with its default
account 123456789012), and the stack's provider block insists on
`allowed_account_ids = [var.account_number]`, so one server serves one
account. Separate servers keep the tests' state apart as well.

The child binds port 0 itself and writes the port it got to stdout, so no
other process can take the port between choosing and binding it.

MOTO_IAM_LOAD_MANAGED_POLICIES=true makes AWS's managed policies exist
(the crawler role attaches AWSGlueServiceRole).

Gaps of moto 5.2.5 that the child fills (see MOTO_GAPS). Each fill is only
installed while moto lacks the operation, so a moto upgrade that implements
it replaces the fill without anyone noticing. None of them makes a check
easier to pass: each is what AWS does, and the tests still look at the result.

Bugs of moto 5.2.5 that the child fixes (see MOTO_BUGS), the same way: each
fix is installed only while a probe of moto shows the bug, and is one
function of moto's replaced by what AWS does. None is active unless a test
switches on what it concerns (today: IAM enforcement, see live_grade.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT_S = 60

# Operations moto 5.2.5 lacks that `terraform destroy` needs, filled in the
# server process: (service, operation, why the stack needs it).
MOTO_GAPS = [
    (
        "athena",
        "DeleteNamedQuery",
        (
            "destroying aws_athena_named_query: moto answers 500"
            " NotImplementedError, the AWS SDK retries it for minutes and"
            " destroy then fails"
        ),
    ),
]


# Bugs of moto 5.2.5 fixed in the server process: (what, why a test needs it).
MOTO_BUGS = [
    (
        "IAM enforcement signs a request without a body over its query or headers",
        (
            "with IAM enforcement on (POST /moto-api/reset-auth), moto recomputes"
            " each request's SigV4 signature; for a GET, HEAD or DELETE without a"
            " body it hashes the parsed query string (or, with none, the request"
            " headers) as the payload, where the client signed an empty one. Every"
            " REST-JSON read (all of Lambda's: GetFunction,"
            " GetFunctionConfiguration, ...) then answers 403 SignatureDoesNotMatch"
            " whatever the policy says. live_grade.py needs Lambda's reads judged"
            " by the grader policy"
        ),
    ),
]


@dataclass
class MotoServer:
    account_id: str
    port: int
    proc: subprocess.Popen
    log_path: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, account_id: str, workdir: Path) -> MotoServer:
        """Starts a server that answers as `account_id`; returns once it
        answers HTTP. Its request log goes to workdir/moto-<account>.log."""
        workdir.mkdir(parents=True, exist_ok=True)
        log_path = workdir / f"moto-{account_id}.log"
        env = {
            k: v
            for k, v in os.environ.items()
            # The child's own settings only; nothing from a developer's shell
            # (AWS_PROFILE, AWS_ENDPOINT_URL, a different MOTO_ACCOUNT_ID).
            if not k.startswith(("AWS_", "MOTO_"))
        }
        env.update(
            MOTO_ACCOUNT_ID=account_id,
            MOTO_IAM_LOAD_MANAGED_POLICIES="true",
            PYTHONUNBUFFERED="1",
        )
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve())],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                # Its own process group: stop() ends exactly this server.
                start_new_session=True,
            )
        line = proc.stdout.readline() if proc.stdout else b""
        try:
            port = int(json.loads(line)["port"])
        except (ValueError, KeyError, TypeError):
            proc.kill()
            proc.wait()
            raise RuntimeError(
                f"moto server did not report its port (got {line!r});"
                f" log:\n{tail(log_path)}"
            ) from None
        server = cls(account_id, port, proc, log_path)
        server._wait_ready()
        return server

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(
                    f"{self.endpoint}/moto-api/data.json", timeout=5
                ):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"moto server on port {self.port} did not answer;"
                        f" log:\n{tail(self.log_path)}"
                    ) from None
                time.sleep(0.2)

    def boto3_env(self, region: str) -> dict[str, str]:
        """Settings for a boto3 session/client that talks to this server."""
        return {
            "endpoint_url": self.endpoint,
            "region_name": region,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def errors(self) -> list[str]:
        """Operations the server failed on with a Python exception (moto
        gaps), from its log: shown when a test fails."""
        text = self.log_path.read_text(errors="replace")
        return sorted(
            {
                line.strip()
                for line in text.splitlines()
                if line.startswith(("NotImplementedError", "AttributeError"))
                or "has not been implemented" in line
            }
        )


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})"


# --- the child process --------------------------------------------------------


def _fill_gaps() -> None:
    """Installs MOTO_GAPS' operations where this moto lacks them."""
    from moto.athena.models import AthenaBackend
    from moto.athena.responses import AthenaResponse

    if not hasattr(AthenaResponse, "delete_named_query"):

        def backend_delete_named_query(self, query_id: str) -> None:
            # AWS: deleting an id that does not exist is not an error.
            self.named_queries.pop(query_id, None)

        def response_delete_named_query(self) -> str:
            self.athena_backend.delete_named_query(self._get_param("NamedQueryId"))
            return "{}"

        AthenaBackend.delete_named_query = backend_delete_named_query
        AthenaResponse.delete_named_query = response_delete_named_query


def _signs_bodiless_requests_over_their_query() -> bool:
    """MOTO_BUGS[0]: does moto build the request it re-signs for a GET
    without a body with a non-empty payload? Probed on moto's own function
    with a request that has a query string."""
    from moto.iam.access_control import IAMRequest

    probe = object.__new__(IAMRequest)
    probe._method = "GET"
    probe._path = "/2015-03-31/functions/f/configuration?Qualifier=1"
    probe._data = {"Qualifier": "1"}
    probe._body = b""
    probe._headers = {
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIAPROBE/20260101/us-east-1/lambda/aws4_request,"
            " SignedHeaders=host;x-amz-date, Signature=0"
        ),
        "host": "localhost",
        "X-Amz-Date": "20260101T000000Z",
    }
    return bool(probe._create_aws_request().body)


def _fix_bugs() -> None:
    """Installs MOTO_BUGS' fixes where this moto has the bug."""
    from moto.iam.access_control import IAMRequestBase

    if _signs_bodiless_requests_over_their_query():
        original = IAMRequestBase._create_aws_request

        def create_aws_request(self):
            # What AWS signs for a request without a body: the empty payload.
            if self._method in ("GET", "HEAD", "DELETE") and not self._body:
                data, self._data = self._data, {}
                try:
                    return original(self)
                finally:
                    self._data = data
            return original(self)

        IAMRequestBase._create_aws_request = create_aws_request
        assert not _signs_bodiless_requests_over_their_query()


def _serve() -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    _fill_gaps()
    _fix_bugs()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.server_address[1]
    # moto builds some URLs from MOTO_PORT (as moto_server does).
    os.environ["MOTO_PORT"] = str(port)
    sys.stdout.write(json.dumps({"port": port}) + "\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    _serve()
