"""Response checks for `npm run fuzz`, loaded by schemathesis through SCHEMATHESIS_HOOKS.

The local API Gateway is Node's HTTP server and hapi under serverless-offline. Before any handler
runs, Node rejects a request whose target holds raw control characters, spaces or non-ASCII bytes,
or is too long, with a bare 400 (no body, no Content-Type), and hapi rejects a malformed
Content-Type header with its own 400 body ({"statusCode", "error", "message"}, a shape this API
never answers). Those answers are reported apart, in the file CP_FUZZ_GATEWAY_LOG names, instead
of as the API's failures. Every other answer must have the content type and the body that
docs/openapi.yaml documents, as schemathesis's own checks require.
"""

from __future__ import annotations

import json
import os

import schemathesis
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)


HAPI_ERROR_KEYS = {"statusCode", "error", "message"}


def _gateway_rejection(response) -> bool:
    if response.status_code != 400:
        return False
    body = response.content or b""
    if not response.headers.get("content-type") and not body:
        return True  # Node's HTTP parser
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return isinstance(parsed, dict) and set(parsed) == HAPI_ERROR_KEYS


def _record(case) -> None:
    log = os.environ.get("CP_FUZZ_GATEWAY_LOG")
    if not log:
        return
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps({"method": case.method, "path": case.path}) + "\n")


def _apart_from_gateway(check):
    """`check`, registered as api_<its name>, except for the local gateway's own 400s."""

    def wrapped(ctx, response, case):
        if _gateway_rejection(response):
            _record(case)
            return None
        return check(ctx, response, case)

    wrapped.__name__ = f"api_{check.__name__}"
    wrapped.__doc__ = check.__doc__
    return schemathesis.check(wrapped)


api_content_type_conformance = _apart_from_gateway(content_type_conformance)
api_response_schema_conformance = _apart_from_gateway(response_schema_conformance)
