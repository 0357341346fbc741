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

A recording survives its own mistakes:
- Every request is replayed, in order. One that fails (raises, or answers 5xx: an API moto does not
  implement, a bug of moto's fixed since) is skipped and the replay carries on; a request is never
  dropped before it is replayed, as that would shift the seeded identifiers of every later one.
  The start says so in one line on stderr ("replayed 812 requests from ... in 6.1 s, skipped 2
  that failed (lines 31, 407): ..."), naming each one by its line in the file, its method, URL
  and action; `npm start` prints that line.
- Nothing goes out while replaying: SNS does not deliver to HTTP subscribers (the relays, which
  received the messages the first time, and whose answers are recorded requests themselves), and
  no other HTTP request leaves moto. The deliveries' random numbers are still drawn, in the same
  order.
- Each request is stamped with its arrival time (header X-Local-Received-At, recorded with it).
  A role session's issue time (aws:TokenIssueTime) is that time, live and on replay, so that a
  session revoked before a restart stays revoked after it. Recordings from before the stamp use
  the request's X-Amz-Date (to the second).

Usage: moto-server.py <host> <port>
"""

import base64
import datetime as dt
import io
import json
import os
import re
import signal
import sys
import time
from typing import Any
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
import managed_policies  # noqa: E402


SEED = 20261202

_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


class RequestLog:
    """One line when a request starts and one when its answer is sent (CP_EMULATOR_LOG=1)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.count = 0

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == READY_PATH:
            return self.app(environ, start_response)
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


_WSGI_RECEIVED_AT = "HTTP_X_LOCAL_RECEIVED_AT"
REPLAYING = False


def _received_at(environ: dict[str, Any]) -> dt.datetime | None:
    """The request's arrival time: now for a live request; the recorded one on replay."""
    if not REPLAYING:
        now = dt.datetime.now(dt.timezone.utc)
        environ[_WSGI_RECEIVED_AT] = now.isoformat()
        return now
    stamp = environ.get(_WSGI_RECEIVED_AT)
    if stamp:
        try:
            return dt.datetime.fromisoformat(stamp)
        except ValueError:
            pass
    amz_date = environ.get("HTTP_X_AMZ_DATE")  # recorded before the stamp: the signing time
    if amz_date:
        try:
            return dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return None


# Answered here, neither by moto nor recorded: the readiness probe of local-stack.ts. (It probed
# moto's /moto-api/data.json, which the recorder kept: each start replayed one more dump of the
# whole state, a second each at 1,000 requests.)
READY_PATH = "/_local/ready"


class Stamped:
    """Stamps each request with its arrival time (recorded with it) and hands that time to IAM as
    the issue time of any session the request creates."""

    def __init__(self, app: Any):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == READY_PATH:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ready"]
        iam_enforcement.ISSUE_TIME = _received_at(environ)
        try:
            return self.app(environ, start_response)
        finally:
            iam_enforcement.ISSUE_TIME = None


DELIVERY_TIMEOUT_SECONDS = 5


def _bounded_deliveries() -> None:
    """SNS's HTTP deliveries give up after a few seconds, and a failed one fails no Publish.

    moto posts to an HTTP subscriber inside the request that publishes, with no timeout, and this
    server answers one request at a time: a subscriber slow to answer would hold every other
    caller behind it (a function's DynamoDB call, a stack's custom resource). On AWS delivery is
    asynchronous and retried, and Publish does not wait for it. A slow or failed delivery is named
    on stderr (`[aws]` lines under `VERBOSE=1 npm start`)."""
    import requests
    from moto.sns import models as sns_models

    class BoundedRequests:
        RequestException = requests.RequestException

        @staticmethod
        def post(url: str, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", DELIVERY_TIMEOUT_SECONDS)
            started = time.monotonic()
            try:
                return requests.post(url, *args, **kwargs)
            except requests.RequestException as err:
                print(f"SNS: delivery to {url} failed: {err!r}", file=sys.stderr, flush=True)
                return None
            finally:
                elapsed = time.monotonic() - started
                if elapsed > 1:
                    print(f"SNS: delivery to {url} took {elapsed:.1f} s", file=sys.stderr, flush=True)

    sns_models.requests = BoundedRequests  # type: ignore[assignment]


def _quiet_outbound() -> None:
    """While replaying, no HTTP request leaves moto (SNS's deliveries to HTTP subscribers are the
    ones that would): each gets an empty 200 instead, after everything before it ran as live."""
    import requests

    original_send = requests.Session.send

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        if not REPLAYING:
            return original_send(self, request, **kwargs)
        response = requests.Response()
        response.status_code = 200
        response._content = b""
        response.url = request.url
        response.request = request
        return response

    requests.Session.send = send  # type: ignore[method-assign]


def _describe(entry: dict[str, Any]) -> str:
    """Method, URL and, where the request names one, its service and action."""
    method = entry.get("method", "?")
    url = urlparse(str(entry.get("url", "")))
    headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
    action = None
    target = headers.get("x-amz-target")
    if target:
        action = target.split(".")[-1]
    else:
        body = entry.get("body") or ""
        try:
            if entry.get("body_encoded"):
                body = base64.b64decode(body).decode()
        except ValueError:  # not text: no action in it
            body = ""
        query = parse_qs(url.query)
        if "Action" in query:
            action = query["Action"][0]
        elif "form-urlencoded" in str(headers.get("content-type", "")):
            action = parse_qs(str(body)).get("Action", [None])[0]
    scope = str(headers.get("authorization", "")).split("Credential=")[-1].split("/")
    service = scope[3] if len(scope) > 3 else None
    named = " ".join(x for x in (service, action) if x)
    path = url.path + (f"?{url.query}" if url.query else "")
    return f"{method} {path}" + (f" ({named})" if named else "")


def _failure(response: Any) -> str:
    """What a 5xx answer says, in a few words."""
    text = response.get_data(as_text=True)
    for tag in ("<Message>", "<message>", '"message": "', '"Message": "'):
        if tag in text:
            return text.split(tag, 1)[1].split("<")[0].split('"')[0][:160]
    return f"HTTP {response.status_code}"


def replay(app, path: str) -> tuple[int, list[tuple[int, str, str]]]:  # type: ignore[no-untyped-def]
    """Replays the recorded requests, unrecorded, in order. Returns how many, and the ones that
    failed (line in the file, the request, why), which are skipped."""
    global REPLAYING
    from moto.moto_api import recorder
    from werkzeug.test import Client

    if not os.path.exists(path):
        return 0, []
    client = Client(app)
    count = 0
    skipped: list[tuple[int, str, str]] = []
    recorder.stop_recording()
    REPLAYING = True
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                count += 1
                try:
                    entry = json.loads(line)
                except ValueError as err:  # a line cut short (the server killed mid-write)
                    skipped.append((number, "an unreadable line", repr(err)))
                    continue
                try:
                    body = entry.get("body") or b""
                    if entry.get("body_encoded"):
                        body = base64.b64decode(body)
                    headers = {
                        k: v
                        for k, v in (entry.get("headers") or {}).items()
                        if k != "Transfer-Encoding"
                    }
                    url = urlparse(entry["url"])
                    response = client.open(
                        path=url.path,
                        query_string=url.query,
                        method=entry["method"],
                        headers=headers,
                        data=body,
                    )
                    if response.status_code >= 500:
                        skipped.append((number, _describe(entry), _failure(response)))
                except Exception as err:  # noqa: BLE001  (whatever it was, the next one runs)
                    skipped.append((number, _describe(entry), repr(err)[:160]))
        with open(path, "rb+") as file:  # a line cut short stays its own line: the next goes below
            if file.seek(0, os.SEEK_END) and (file.seek(-1, os.SEEK_END), file.read(1))[1] != b"\n":
                file.write(b"\n")
    finally:
        REPLAYING = False
        recorder.start_recording()
    return count, skipped


def summary(path: str, count: int, skipped: list[tuple[int, str, str]], seconds: float) -> str:
    """The start's one line about the replay."""
    line = f"replayed {count} requests from {path} in {seconds:.1f} s"
    if not skipped:
        return line
    lines = ", ".join(str(n) for n, _, _ in skipped[:20]) + (", ..." if len(skipped) > 20 else "")
    details = "; ".join(f"line {n}: {what}: {why}" for n, what, why in skipped[:5])
    more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return (
        f"{line}, skipped {len(skipped)} that failed (lines {lines}): {details}{more}"
        " (npm start -- --fresh starts empty)"
    )


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    iam_enforcement.install()
    # Custom resources whose ServiceToken is an SNS topic run as on AWS (the tenant template's
    # auto-registration); their ResponseURL points back at this server.
    cfn_emulation.install("127.0.0.1" if host in ("0.0.0.0", "localhost") else host, port)
    managed_policies.install()  # AWS-managed policies; a role's ManagedPolicyArns
    _bounded_deliveries()
    app = Stamped(DomainDispatcherApplication(create_backend_app))
    if STATE:
        from moto.moto_api._internal import mock_random

        _quiet_outbound()
        mock_random.seed(SEED)
        started = time.monotonic()
        count, skipped = replay(app, STATE)
        elapsed = time.monotonic() - started
        print(summary(STATE, count, skipped, elapsed), file=sys.stderr, flush=True)
    if os.environ.get("CP_EMULATOR_LOG") == "1":
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the lines above say more
        app = RequestLog(app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
