"""Response checks for `npm run fuzz`, loaded by schemathesis through SCHEMATHESIS_HOOKS.

The local API Gateway is Node's HTTP server and hapi under serverless-offline. Before any handler
runs, Node rejects a request whose target holds raw control characters, spaces or non-ASCII bytes,
or is too long, with a bare 400 (no body, no Content-Type), and hapi rejects a malformed
Content-Type header with its own 400 body ({"statusCode", "error", "message"}, a shape this API
never answers). Those answers are reported apart, in the file CP_FUZZ_GATEWAY_LOG names, instead
of as the API's failures. Every other answer must have the content type and the body that
docs/openapi.yaml documents, as schemathesis's own checks require.

The corpus also gets text the generators never make: hypothesis's strings are well-formed
Unicode, so no request carried an unpaired UTF-16 surrogate (JSON's `"\\ud800"`), which once
answered 500 and 503 (issue 26, point 4). Each explicit example with strings in its body is
repeated with a lone surrogate in a few of its values (at most four such cases per operation),
and one generated body in four gets one in a string (or key) hypothesis picks, so the run stays reproducible from its seed and no longer than
before. Only bodies: a query, path or header cannot be sent with one (requests encodes them as
UTF-8, which refuses a lone surrogate), and JSON bodies are where one can reach the API.
"""

from __future__ import annotations

import json
import os

import schemathesis
from hypothesis import strategies as st
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


LONE_SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")
# Explicit examples repeated with a lone surrogate, at most this many per operation.
MAX_SURROGATE_EXAMPLES = 4


def _count_strings(value, keys: bool = True) -> int:
    """The strings of a JSON value, object keys included unless `keys` is false."""
    if isinstance(value, str):
        return 1
    if isinstance(value, list):
        return sum(_count_strings(v, keys) for v in value)
    if isinstance(value, dict):
        return sum(int(keys) + _count_strings(v, keys) for v in value.values())
    return 0


def _with_surrogate(value, index: int, surrogate: str, keys: bool = True):
    """A copy of `value` whose string number `index` (depth first, a key before its value; keys
    not counted unless `keys`) has `surrogate` in its middle."""
    seen = 0

    def spoil(s: str) -> str:
        return s[: len(s) // 2] + surrogate + s[len(s) // 2 :]

    def walk(v):
        nonlocal seen
        if isinstance(v, str):
            seen += 1
            return spoil(v) if seen - 1 == index else v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                key = k
                if keys:
                    seen += 1
                    key = spoil(k) if seen - 1 == index else k
                out[key] = walk(x)
            return out
        return v

    return walk(value)


@schemathesis.hook
def before_add_examples(context, examples) -> None:
    added = []
    for case in examples:
        body = case.body
        if not isinstance(body, (dict, list)):
            continue
        # Values, not keys (an unknown key is refused before its text is looked at): the first
        # string, the last, and two between.
        count = _count_strings(body, keys=False)
        places = sorted({0, count - 1, count // 3, (2 * count) // 3}) if count else []
        for n, place in enumerate(places):
            if len(added) >= MAX_SURROGATE_EXAMPLES:
                break
            added.append(
                context.operation.Case(
                    path_parameters=dict(case.path_parameters),
                    headers=dict(case.headers),
                    cookies=dict(case.cookies),
                    query=dict(case.query),
                    body=_with_surrogate(
                        body, place, LONE_SURROGATES[n % len(LONE_SURROGATES)], keys=False
                    ),
                    media_type=case.media_type,
                )
            )
    examples.extend(added)


@schemathesis.hook
def flatmap_body(context, body):
    count = _count_strings(body) if isinstance(body, (dict, list)) else 0
    if count == 0:
        return st.just(body)
    spoiled = st.builds(
        lambda index, surrogate: _with_surrogate(body, index, surrogate),
        st.integers(0, count - 1),
        st.sampled_from(LONE_SURROGATES),
    )
    return st.integers(0, 3).flatmap(lambda k: spoiled if k == 0 else st.just(body))
