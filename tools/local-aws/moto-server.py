"""moto in server mode, one request at a time.

moto's own `moto_server` serves requests on threads. Its DynamoDB transactions are not isolated
from other threads: a transaction backs up the whole table first and, when it fails, restores that
backup, erasing whatever other requests wrote meanwhile. DynamoDB serializes conflicting writes
and isolates transactions; serving one request at a time gives the emulator the same property,
so that race tests (test/integration/races.test.ts) test the control plane, not moto's threads.
The Python interpreter runs one thread at a time anyway, so little speed is lost.

IAM decides here as it does on AWS: trust policies on AssumeRole, explicit denies on role
sessions, 12-digit access keys as account roots (tools/local-aws/iam_enforcement.py says what and
how).
CloudFormation custom resources backed by SNS run as on AWS (tools/local-aws/cfn_emulation.py).
CP_EMULATOR_IAM=off turns the policy evaluation off, for debugging only.
CP_EMULATOR_LOG=1 prints one line per request when it starts and one when it ends (service,
operation, status, milliseconds), so a request that holds the one-at-a-time server is named;
`VERBOSE=1 npm start` shows them as `[aws]` lines.

State that survives a restart (CP_EMULATOR_STATE=<file>, set by `npm start`): moto's own
recorder appends every request to the file, and a start replays the file before serving, with
moto's random generator seeded the same way each time, so that the replay recreates the same
identifiers (role IDs, access keys, stack IDs) and the requests that follow still find them.
The replay goes through the WSGI app in-process: moto's replay endpoint would send the requests
over HTTP to this single-threaded server and wait for itself.

Usage: moto-server.py <host> <port>
"""

import base64
import io
import json
import os
import re
import signal
import sys
import time
from urllib.parse import parse_qs, urlparse

STATE = os.environ.get("CP_EMULATOR_STATE")
if STATE:
    # Read by moto's recorder when it is imported.
    os.environ["MOTO_ENABLE_RECORDING"] = "true"
    os.environ["MOTO_RECORDER_FILEPATH"] = STATE

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import iam_enforcement  # noqa: E402  (beside this file)
import cfn_emulation  # noqa: E402


SEED = 20261202

_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


class RequestLog:
    """One line when a request starts and one when its answer is sent (CP_EMULATOR_LOG=1)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.count = 0

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        self.count += 1
        n = self.count
        service = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
        action = ""
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        what = " ".join(
            x
            for x in (
                service.group(1) if service else "-",
                environ.get("REQUEST_METHOD", ""),
                environ.get("PATH_INFO", ""),
                environ.get("HTTP_X_AMZ_TARGET", ""),
                action,
            )
            if x
        )
        print(f"#{n} > {what}", file=sys.stderr, flush=True)
        started = time.monotonic()

        def logged_start(status, headers, *rest):  # type: ignore[no-untyped-def]
            ms = (time.monotonic() - started) * 1000
            print(f"#{n} < {status.split(' ')[0]} in {ms:.0f} ms", file=sys.stderr, flush=True)
            return start_response(status, headers, *rest)

        return self.app(environ, logged_start)


def replay(app, path: str) -> int:  # type: ignore[no-untyped-def]
    """Replays the recorded requests, unrecorded, in order; returns how many."""
    from moto.moto_api import recorder
    from werkzeug.test import Client

    if not os.path.exists(path):
        return 0
    with open(path) as file:
        entries = [json.loads(line) for line in file if line.strip()]
    client = Client(app)
    recorder.stop_recording()
    try:
        for entry in entries:
            body = entry.get("body") or b""
            if entry.get("body_encoded"):
                body = base64.b64decode(body)
            headers = {
                k: v for k, v in (entry.get("headers") or {}).items() if k != "Transfer-Encoding"
            }
            url = urlparse(entry["url"])
            client.open(
                path=url.path,
                query_string=url.query,
                method=entry["method"],
                headers=headers,
                data=body,
            )
    finally:
        recorder.start_recording()
    return len(entries)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    iam_enforcement.install()
    # Custom resources whose ServiceToken is an SNS topic run as on AWS (the tenant template's
    # auto-registration); their ResponseURL points back at this server.
    cfn_emulation.install("127.0.0.1" if host in ("0.0.0.0", "localhost") else host, port)
    app = DomainDispatcherApplication(create_backend_app)
    if STATE:
        from moto.moto_api._internal import mock_random

        mock_random.seed(SEED)
        count = replay(app, STATE)
        print(f"replayed {count} requests from {STATE}", file=sys.stderr, flush=True)
    if os.environ.get("CP_EMULATOR_LOG") == "1":
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the lines above say more
        app = RequestLog(app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
