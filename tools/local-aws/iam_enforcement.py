"""IAM decisions the local AWS makes the way AWS does, on top of moto.

moto on its own evaluates no trust policy and no deny: every AssumeRole succeeds (even for a role
that does not exist) and every session may do anything. A security test on bare moto passes
whatever the policy says. This module, loaded by tools/local-aws/moto-server.py, adds what the
control plane relies on IAM for:

1. AssumeRole evaluates the target role's trust policy (principal, action, conditions, explicit
   deny) and, for callers that are role sessions, the caller's own identity policies (an allow for
   sts:AssumeRole on that role, no deny). A role that does not exist is refused.
2. Every other call made with a role session is decided as IAM decides it: an explicit Deny in
   the role's inline or managed policies, its permissions boundary or the session policy refuses
   it (the emergency brake, `aws:TokenIssueTime` revocation); otherwise it needs an Allow in the
   role's policies AND in its boundary when it has one AND in the session policy when the
   session has one. Each call is decided on the resources IAM evaluates it on (the table, the
   role with its path, the topic, the stack: tools/local-aws/iam_requests.py reads them from
   tools/local-aws/iam-actions.json); a call that table does not list is refused, and says so.
   sts:GetCallerIdentity is never denied, as on AWS.
3. An access key ID that is a 12-digit number acts as the root user of that account (LocalStack's
   multi-account model), so a tenant admin can work in any account without a pre-existing role.
4. Lambda, when a function is created (by the API or by CloudFormation), checks that its
   execution role may do what the function's configuration needs, and refuses the function
   otherwise, as Lambda does: Active tracing needs xray:PutTraceSegments and
   xray:PutTelemetryRecords; a dead-letter queue or topic needs sqs:SendMessage or sns:Publish
   on it.
5. IAM refuses a role trust policy with NotPrincipal (MalformedPolicyDocument) at CreateRole and
   UpdateAssumeRolePolicy, and so in a stack's AWS::IAM::Role. This is IAM's validation of the
   request, not a decision: the switch below leaves it on.

What it does NOT evaluate is listed in docs/testing.md ("Where the emulator is narrower than IAM").
Switch: CP_EMULATOR_IAM=off turns 1, 2 and 4 off (for debugging only; 3 and 5 stay).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import iam_requests  # beside this file

ENABLED = os.environ.get("CP_EMULATOR_IAM", "enforce").lower() not in ("off", "0", "false")

ACCOUNT_KEY = re.compile(r"^\d{12}$")

# Services whose requests are JSON bodies even when the client sends no X-Amz-Target.
JSON_SERVICES = ("dynamodb", "organizations", "events", "secretsmanager", "sqs")


# --------------------------------------------------------------------------------------------
# Who is calling
# --------------------------------------------------------------------------------------------


@dataclass
class Session:
    """What STS knows about a role session that moto does not keep."""

    role_arn: str
    account: str
    session_name: str
    source_identity: str | None
    tags: dict[str, str]
    issued_at: dt.datetime
    policy: str | None


@dataclass
class Principal:
    kind: str  # "root" | "session"
    account: str
    arn: str  # aws:PrincipalArn: the account root or the role (not the session)
    caller_arn: str  # what error messages name: the root or the assumed-role session ARN
    session: Session | None = None
    role_tags: dict[str, str] = field(default_factory=dict)


# Access key ID -> session, recorded at AssumeRole.
SESSIONS: dict[str, Session] = {}
# The issue time of a session created by the current request: its arrival time, recorded with it,
# so that a replay after a restart gives the session its original time (moto-server.py sets it).
ISSUE_TIME: dt.datetime | None = None
_pending: dict[str, Any] = {}


def _partition(account_region: str | None) -> str:
    from moto.utilities.utils import get_partition

    return get_partition(account_region or "us-east-1")


def principal_for(access_key_id: str, default_account: str) -> Principal:
    session = SESSIONS.get(access_key_id)
    if session:
        name = session.role_arn.split("/")[-1]
        role = _find_role(session.role_arn)
        return Principal(
            kind="session",
            account=session.account,
            arn=role.arn if role else session.role_arn,
            caller_arn=f"arn:aws:sts::{session.account}:assumed-role/{name}/{session.session_name}",
            session=session,
            role_tags={t["Key"]: t["Value"] for t in (role.tags if role else [])},
        )
    account = access_key_id if ACCOUNT_KEY.match(access_key_id or "") else default_account
    root = f"arn:aws:iam::{account}:root"
    return Principal(kind="root", account=account, arn=root, caller_arn=root)


def _find_role(role_arn: str):
    from moto.iam.models import iam_backends

    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None
    account, name = parts[4], parts[5].split("/")[-1]
    if account not in iam_backends:
        return None
    backend = iam_backends[account][parts[1] or "aws"]
    for role in backend.roles.values():
        # IAM compares role names case-insensitively; the path must match too.
        if role.name.lower() == name.lower() and role.arn.lower() == role_arn.lower():
            return role
    return None


def _role_policies(role) -> list[Any]:
    """The role's identity policies: inline, then attached managed (default versions)."""
    docs: list[Any] = list(role.policies.values())
    for policy in role.managed_policies.values():
        for version in policy.versions:
            if version.version_id == policy.default_version_id:
                docs.append(version.document)
    return docs


def _boundary(role) -> Any | None:
    arn = getattr(role, "permissions_boundary_arn", None)
    if not arn:
        return None
    from moto.iam.models import iam_backends

    backend = iam_backends[role.account_id][role.partition]
    # managed_policies is a dict by ARN; moto keeps the AWS-managed ones in a list.
    policy = backend.managed_policies.get(arn) or next(
        (p for p in backend.aws_managed_policies if getattr(p, "arn", None) == arn), None
    )
    if policy is None:
        # A boundary that names no policy allows nothing (fail closed), never everything.
        return {"Version": "2012-10-17", "Statement": []}
    for version in policy.versions:
        if version.version_id == policy.default_version_id:
            return version.document
    return None


# --------------------------------------------------------------------------------------------
# Policy language
# --------------------------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _doc(policy: Any) -> dict[str, Any]:
    if isinstance(policy, dict):
        return policy
    text = unquote(policy) if isinstance(policy, str) and policy.startswith("%7B") else policy
    return json.loads(text)


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _glob_regex(pattern, ignore_case).fullmatch(value) is not None


@functools.lru_cache(maxsize=65536)
def _glob_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """Compiled once: an AWS-managed policy (ReadOnlyAccess) names thousands of actions, more
    than re's own cache holds, and compiling them at every call made a call take 0.6 s."""
    regex = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
    )
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _arn_like(pattern: str, value: str) -> bool:
    # Each of the six colon-separated parts separately; the resource part keeps its colons.
    p, v = pattern.split(":", 5), value.split(":", 5)
    if len(p) != 6 or len(v) != 6:
        return False
    return all(_glob(a, b) for a, b in zip(p, v, strict=True))


def _date(value: str) -> dt.datetime | None:
    try:
        if re.fullmatch(r"\d+", value):
            return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _compare(base: str, actual: str, expected: str) -> bool:
    """One request value against one policy value, for a positive operator."""
    if base == "StringEquals":
        return actual == expected
    if base == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if base == "StringLike":
        return _glob(expected, actual)
    if base in ("ArnEquals", "ArnLike"):
        return _arn_like(expected, actual)
    if base == "Bool":
        return actual.lower() == expected.lower()
    for family, parse in (("Date", _date), ("Numeric", _number)):
        if base.startswith(family):
            a, e = parse(actual), parse(expected)
            if a is None or e is None:
                return False
            comparison = ORDERINGS.get(base[len(family) :])
            return comparison is not None and comparison(a, e)
    raise UnsupportedPolicy(f"condition operator {base}")


# DateLessThan, NumericGreaterThanEquals, ...: the comparison after the family's name.
ORDERINGS = {
    "Equals": lambda a, e: a == e,
    "LessThan": lambda a, e: a < e,
    "LessThanEquals": lambda a, e: a <= e,
    "GreaterThan": lambda a, e: a > e,
    "GreaterThanEquals": lambda a, e: a >= e,
}

NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "DateNotEquals": "DateEquals",
    "NumericNotEquals": "NumericEquals",
}


class UnsupportedPolicy(Exception):
    """A policy uses something this evaluator does not implement: the request is refused."""


def _operator_holds(operator: str, key: str, expected: list[Any], ctx: dict[str, Any]) -> bool:
    qualifier = None
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if operator.startswith(prefix):
            qualifier, operator = prefix[:-1], operator[len(prefix) :]
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]
    present = ctx.get(key.lower())
    expected_s = [str(e).lower() if isinstance(e, bool) else str(e) for e in expected]

    if operator == "Null":
        # true: the key must be absent; false: present. Several values: any may match.
        return any((present is None) == (e.lower() == "true") for e in expected_s)

    negated = operator in NEGATED
    base = NEGATED.get(operator, operator)
    if present is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        # A negated operator on an absent key holds; every other operator fails.
        return negated
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _list(present)]

    def one(value: str) -> bool:
        hit = any(_compare(base, value, e) for e in expected_s)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)
    return any(one(v) for v in values) if not negated else all(one(v) for v in values)


def conditions_hold(condition: dict[str, Any] | None, ctx: dict[str, Any]) -> bool:
    for operator, block in (condition or {}).items():
        for key, expected in block.items():
            if not _operator_holds(operator, key, _list(expected), ctx):
                return False
    return True


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(_glob(p, action, ignore_case=True) for p in _list(statement["Action"]))
    if "NotAction" in statement:
        return not any(_glob(p, action, ignore_case=True) for p in _list(statement["NotAction"]))
    return False


def _resource_matches(statement: dict[str, Any], resource: str) -> bool:
    if "Resource" in statement:
        return any(_glob(p, resource) for p in _list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(_glob(p, resource) for p in _list(statement["NotResource"]))
    # Trust policies have no Resource element: the role itself is the resource.
    return True


def _names_principal(value: Any, caller: Principal) -> tuple[bool, bool]:
    """(matches, names the caller itself rather than its account)."""
    if value == "*":
        return True, False
    if not isinstance(value, dict):
        return False, False
    for kind, entries in value.items():
        if kind != "AWS":
            continue  # Service and Federated principals never match these callers
        for entry in _list(entries):
            if entry == "*":
                return True, False
            if entry == caller.account or entry == f"arn:aws:iam::{caller.account}:root":
                return True, False
            if caller.kind == "session" and entry in (caller.arn, caller.caller_arn):
                return True, True
    return False, False


def _statements(policy: Any) -> list[dict[str, Any]]:
    return [s for s in _list(_doc(policy).get("Statement")) if isinstance(s, dict)]


def evaluate(
    policy: Any,
    action: str,
    resource: str,
    ctx: dict[str, Any],
    caller: Principal | None = None,
) -> tuple[str, bool]:
    """("DENY" | "ALLOW" | "NONE", an allowing statement named the caller itself)."""
    allowed, named = False, False
    for statement in _statements(policy):
        if not _action_matches(statement, action) or not _resource_matches(statement, resource):
            continue
        direct = False
        if caller is not None:
            if "Principal" not in statement:
                # A trust policy statement without a principal applies to no one (IAM refuses
                # NotPrincipal in a trust policy: see check_trust_policy).
                continue
            ok, direct = _names_principal(statement["Principal"], caller)
            if not ok:
                continue
        if not conditions_hold(statement.get("Condition"), ctx):
            continue
        if statement.get("Effect") == "Deny":
            return "DENY", False
        if statement.get("Effect") == "Allow":
            allowed, named = True, named or direct
    return ("ALLOW" if allowed else "NONE"), named


# --------------------------------------------------------------------------------------------
# Request context
# --------------------------------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def principal_context(caller: Principal) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "aws:principalarn": caller.arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": "AssumedRole" if caller.kind == "session" else "Account",
        "aws:currenttime": _iso(dt.datetime.now(dt.timezone.utc)),
        # AWS's endpoints are HTTPS, and the SDKs use them so; the emulator is plain HTTP on
        # loopback, which stands in for that.
        "aws:securetransport": "true",
    }
    tags = dict(caller.role_tags)
    if caller.session:
        tags.update(caller.session.tags)  # session tags override the role's tags
        ctx["aws:tokenissuetime"] = _iso(caller.session.issued_at)
        if caller.session.source_identity is not None:
            ctx["aws:sourceidentity"] = caller.session.source_identity
    for key, value in tags.items():
        ctx[f"aws:principaltag/{key.lower()}"] = value
    return ctx


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


class Denied(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _identity_decision(caller: Principal, action: str, resource: str, ctx: dict[str, Any]) -> str:
    """The caller's own policies: DENY, ALLOW, or no allow: NONE (in the role's policies),
    NONE_BOUNDARY, NONE_SESSION. The root user is always allowed."""
    if caller.kind != "session" or caller.session is None:
        return "ALLOW"
    role = _find_role(caller.session.role_arn)
    if role is None:
        return "DENY"  # a session of a role deleted since: AWS refuses it
    allowed = False
    for policy in _role_policies(role):
        decision, _ = evaluate(policy, action, resource, ctx)
        if decision == "DENY":
            return "DENY"
        allowed = allowed or decision == "ALLOW"
    if not allowed:
        return "NONE"
    for layer, policy in (("boundary", _boundary(role)), ("session", caller.session.policy)):
        if policy is None:
            continue
        decision, _ = evaluate(policy, action, resource, ctx)
        if decision == "DENY":
            return "DENY"
        if decision != "ALLOW":
            return f"NONE_{layer.upper()}"
    return "ALLOW"


def check_call(caller: Principal, action: str, resource: str, extra: dict[str, Any]) -> None:
    """A call made with a role session: an explicit deny in any of its policies refuses it, and
    so does the lack of an allow (in the identity policies, and in the boundary and the session
    policy when there are)."""
    if not ENABLED or caller.kind != "session" or action.lower() == "sts:getcalleridentity":
        return
    decision = _identity_decision(caller, action, resource, {**principal_context(caller), **extra})
    if decision == "DENY":
        raise Denied(
            f"User: {caller.caller_arn} is not authorized to perform: {action} on resource: "
            f"{resource} with an explicit deny in an identity-based policy"
        )
    if decision != "ALLOW":
        # IAM's own words for each missing allow.
        where = {
            "NONE_BOUNDARY": "permissions boundary",
            "NONE_SESSION": "session policy",
        }.get(decision, "identity-based policy")
        raise Denied(
            f"User: {caller.caller_arn} is not authorized to perform: {action} on resource: "
            f"{resource} because no {where} allows the {action} action"
        )


def check_requests(caller: Principal, call: iam_requests.Call, extra: dict[str, Any]) -> None:
    """Every authorization request one call makes (iam_requests.py), decided as check_call does.
    A call whose requests the emulator cannot name is refused, and says why."""
    if not ENABLED or caller.kind != "session":
        return
    if f"{call.service}:{call.operation}".lower() == "sts:getcalleridentity":
        return
    try:
        requests = iam_requests.requests_of(call)
    except iam_requests.CannotDecide as unknown:
        raise Denied(f"User: {caller.caller_arn}: {unknown}") from unknown
    if not requests:
        raise Denied(
            f"User: {caller.caller_arn}: the local AWS cannot decide {call.service}:"
            f"{call.operation}: the request names nothing tools/local-aws/iam-actions.json evaluates"
        )
    extra = {"aws:requestedregion": call.region, **extra}
    for request in requests:
        keys = {k.lower(): v for k, v in request.keys.items()}
        check_call(caller, request.action, request.resource or "*", {**extra, **keys})


def check_assume_role(caller: Principal, params: dict[str, Any]) -> None:
    """Decides sts:AssumeRole as IAM does; remembers what the new session carries."""
    role_arn = params.get("RoleArn") or ""
    tags = params.get("Tags") or {}
    source_identity = params.get("SourceIdentity")
    inherited = caller.session.source_identity if caller.session else None
    denied = Denied(
        f"User: {caller.caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )
    _pending.clear()
    _pending.update(
        {
            "source_identity": source_identity if source_identity is not None else inherited,
            "tags": tags,
            "policy": params.get("Policy"),
        }
    )
    if not ENABLED:
        return
    if inherited is not None and source_identity is not None and source_identity != inherited:
        raise denied  # a source identity, once set, cannot change along the chain
    role = _find_role(role_arn)
    if role is None:
        raise denied
    ctx = principal_context(caller)
    if params.get("ExternalId") is not None:
        ctx["sts:externalid"] = params["ExternalId"]
    if _pending["source_identity"] is not None:
        ctx["aws:sourceidentity"] = _pending["source_identity"]
    for key, value in tags.items():
        ctx[f"aws:requesttag/{key.lower()}"] = value
    if tags:
        ctx["aws:tagkeys"] = list(tags)

    actions = ["sts:AssumeRole"]
    if tags:
        actions.append("sts:TagSession")
    if _pending["source_identity"] is not None:
        actions.append("sts:SetSourceIdentity")
    try:
        trust = _doc(role.assume_role_policy_document)
    except (ValueError, TypeError):
        raise denied from None
    for action in actions:
        decision, named = evaluate(trust, action, role.arn, ctx, caller)
        if decision != "ALLOW":
            raise denied
        # A trust policy that names the account delegates to that account's own policies; one
        # that names this very role lets it in without them (same account only).
        if named and caller.account == role.account_id:
            continue
        if _identity_decision(caller, action, role.arn, ctx) != "ALLOW":
            raise denied


def check_trust_policy(document: Any) -> None:
    """What IAM refuses in a role's trust policy at CreateRole and UpdateAssumeRolePolicy (and so
    in a stack's AWS::IAM::Role), with its MalformedPolicyDocument: NotPrincipal, which IAM
    supports only in other resource-based policies. moto accepts it."""
    try:
        statements = _statements(document)
    except (ValueError, TypeError, AttributeError):
        return  # not JSON: moto's own validation answers
    if any("NotPrincipal" in statement for statement in statements):
        from moto.iam.exceptions import MalformedPolicyDocument

        err = MalformedPolicyDocument("Has prohibited field NotPrincipal")
        err.resource_refused = True  # type: ignore[attr-defined]  (a stack creating it fails)
        raise err


def record_session(assumed_role) -> None:
    """Called after moto created the session: keep what IAM will evaluate its calls with."""
    SESSIONS[assumed_role.access_key_id] = Session(
        role_arn=assumed_role.role_arn,
        account=assumed_role.account_id,
        session_name=assumed_role.session_name,
        source_identity=_pending.get("source_identity"),
        tags=dict(_pending.get("tags") or {}),
        issued_at=ISSUE_TIME or dt.datetime.now(dt.timezone.utc),
        policy=_pending.get("policy"),
    )
    _pending.clear()


# --------------------------------------------------------------------------------------------
# moto hooks
# --------------------------------------------------------------------------------------------


def _assume_role_params(response) -> dict[str, Any]:
    q = response.querystring
    first = lambda k: (q.get(k) or [None])[0]  # noqa: E731
    tags: dict[str, str] = {}
    i = 1
    while first(f"Tags.member.{i}.Key") is not None:
        tags[first(f"Tags.member.{i}.Key")] = first(f"Tags.member.{i}.Value") or ""
        i += 1
    return {
        "RoleArn": first("RoleArn"),
        "ExternalId": first("ExternalId"),
        "SourceIdentity": first("SourceIdentity"),
        "Policy": first("Policy"),
        "Tags": tags,
    }


def _service(response) -> str:
    auth = response.headers.get("Authorization", "")
    scope = auth.partition("Credential=")[2].partition(",")[0].split("/")
    return scope[3] if len(scope) > 3 else (response.service_name or "")


def role_allows(role_arn: str, action: str, resource: str) -> bool:
    """Whether a role's own policies allow an action on a resource (no deny, within its boundary)."""
    role = _find_role(role_arn or "")
    if role is None:
        return False
    allowed = False
    for policy in _role_policies(role):
        decision, _ = evaluate(policy, action, resource, {})
        if decision == "DENY":
            return False
        allowed = allowed or decision == "ALLOW"
    boundary = _boundary(role)
    if boundary is not None and evaluate(boundary, action, resource, {})[0] != "ALLOW":
        return False
    return allowed


def _function_refused(message: str) -> Exception:
    """Lambda's InvalidParameterValueException, marked so that a stack creating it fails as on AWS."""
    from moto.awslambda.exceptions import InvalidParameterValueException

    err = InvalidParameterValueException(message)
    err.resource_refused = True  # type: ignore[attr-defined]
    return err


def check_function_configuration(properties: dict[str, Any]) -> None:
    """Lambda's CreateFunction checks of the execution role; raises with Lambda's message."""
    if not ENABLED:
        return
    InvalidParameterValueException = _function_refused  # noqa: N806  (raised as Lambda's error)

    role = properties.get("Role") or ""
    if (properties.get("TracingConfig") or {}).get("Mode") == "Active":
        for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
            if not role_allows(role, action, "*"):
                raise InvalidParameterValueException(
                    f"The provided execution role does not have permissions to call "
                    f"{action.split(':')[1]} on XRAY"
                )
    target = (properties.get("DeadLetterConfig") or {}).get("TargetArn")
    if target:
        action = "sqs:SendMessage" if ":sqs:" in target else "sns:Publish"
        if not role_allows(role, action, target):
            raise InvalidParameterValueException(
                f"The provided execution role does not have permissions to call "
                f"{action.split(':')[1]} on {action.split(':')[0].upper()}"
            )


def _json_protocol(response) -> bool:
    return bool(response.headers.get("X-Amz-Target") or response.headers.get("x-amz-target"))


def install() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import JsonRESTError, _RESTError
    from moto.iam import models as iam_models
    from moto.sts import models as sts_models

    # 3. A 12-digit access key ID is the root user of that account.
    original_account_of = iam_models.get_account_id_from

    def account_of(access_key: str) -> str:
        if ACCOUNT_KEY.match(access_key or ""):
            return access_key
        return original_account_of(access_key)

    iam_models.get_account_id_from = account_of

    # moto reads only 20-character access key IDs from a signature; take whatever was signed with.
    from moto.core.responses import BaseResponse

    original_access_key = BaseResponse.get_access_key

    def access_key(self) -> str:
        auth = self.headers.get("Authorization", "") if self.headers else ""
        match = re.search(r"Credential=([^/,\s]+)/", auth)
        if match:
            return match.group(1)
        presigned = (getattr(self, "querystring", {}) or {}).get("X-Amz-Credential")
        if presigned:
            return presigned[0].split("/")[0]
        return original_access_key(self)

    BaseResponse.get_access_key = access_key

    original_identity = sts_models.STSBackend.get_caller_identity

    def caller_identity(self, access_key_id: str, region: str):
        if ACCOUNT_KEY.match(access_key_id or "") and access_key_id not in SESSIONS:
            return access_key_id, f"arn:aws:iam::{access_key_id}:root", access_key_id
        return original_identity(self, access_key_id, region)

    sts_models.STSBackend.get_caller_identity = caller_identity

    original_assume = sts_models.STSBackend.assume_role

    def assume_role(self, *args: Any, **kwargs: Any):
        role = original_assume(self, *args, **kwargs)
        record_session(role)
        return role

    sts_models.STSBackend.assume_role = assume_role

    class AccessDenied(_RESTError):
        code = 403

        def __init__(self, message: str):
            super().__init__("AccessDenied", message)

    def refuse(response, message: str):
        if _json_protocol(response):
            err = JsonRESTError("AccessDeniedException", message)
            err.code = 400
            raise err
        raise AccessDenied(message)

    def call_of(self, caller: Principal, service: str, operation: str) -> iam_requests.Call:
        if _json_protocol(self) or service in JSON_SERVICES:
            # The request's own JSON (moto's DynamoDB replaces self.body with its parsed form).
            raw = getattr(self, "raw_body", None) or self.body
            try:
                params = raw if isinstance(raw, dict) else json.loads(raw or "{}")
            except (TypeError, ValueError):
                params = {}
            return iam_requests.Call(service, operation, params if isinstance(params, dict) else {}, self.region, caller.account)
        q = getattr(self, "querystring", {}) or {}
        flat = {k: v[0] if isinstance(v, list) and v else v for k, v in q.items()}
        return iam_requests.Call(service, operation, flat, self.region, caller.account, flat=True)

    def normal_action(self, resource: str = "*") -> None:
        caller = principal_for(self.get_access_key(), DEFAULT_ACCOUNT_ID)
        service, operation = _service(self), self._get_action()
        try:
            if f"{service}:{operation}" == "sts:AssumeRole":
                params = _assume_role_params(self)
                check_assume_role(caller, params)
                # The caller's own policies: sts:AssumeRole (and TagSession, SetSourceIdentity
                # when the request carries them) on the role.
                check_requests(caller, call_of(self, caller, service, operation), {})
                return
            # Only an AssumeRole that was just decided may hand its source identity and tags to
            # the session moto creates next.
            _pending.clear()
            check_requests(caller, call_of(self, caller, service, operation), {})
        except Denied as denied:
            refuse(self, denied.message)

    def s3_action(self, bucket_name: str | None = None, key_name: str | None = None) -> None:
        caller = principal_for(self.get_access_key(), DEFAULT_ACCOUNT_ID)
        try:
            operation = self._get_action() or "Unknown"
        except Exception:  # noqa: BLE001  (S3 routes some requests without an operation name)
            operation = "Unknown"
        q = getattr(self, "querystring", {}) or {}
        params: dict[str, Any] = {"Bucket": bucket_name or "", "Key": key_name or ""}
        if q.get("versionId"):
            params["VersionId"] = q["versionId"][0]
        headers = {k.lower(): v for k, v in (self.headers or {}).items()}
        if headers.get("x-amz-tagging"):
            params["Tagging"] = headers["x-amz-tagging"]
        if headers.get("x-amz-acl"):
            params["ACL"] = headers["x-amz-acl"]
        if operation == "DeleteObjects":
            body = self.body.decode("utf-8", "replace") if isinstance(self.body, bytes) else str(self.body or "")
            params["Delete"] = {
                "Objects": [
                    {"Bucket": bucket_name or "", "Key": unquote(k)}
                    for k in re.findall(r"<Key>(.*?)</Key>", body)
                ]
            }
        try:
            if operation in iam_requests.TABLE["services"]["s3"]["operations"]:
                check_requests(
                    caller, iam_requests.Call("s3", operation, params, self.region, caller.account), {}
                )
            else:
                # moto's S3 names most requests by their IAM action already (ListAllMyBuckets,
                # ListBucket): decided on the bucket or object it names, as moto computes it.
                path = f"{bucket_name or '*'}/{key_name}" if key_name else (bucket_name or "*")
                partition = iam_requests.partition_of(self.region)
                check_call(
                    caller,
                    f"s3:{operation}",
                    f"arn:{partition}:s3:::{path}",
                    {"aws:requestedregion": self.region},
                )
        except Denied as denied:
            from moto.s3.exceptions import S3AccessDeniedError

            raise S3AccessDeniedError() from denied

    # A stack update changes the role's trust policy and boundary, as CloudFormation does on AWS
    # (moto's update keeps the old ones: a tenant updating its stack after a rotation would
    # otherwise change nothing).
    original_update = iam_models.Role.update_from_cloudformation_json.__func__

    def update_role(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        role = original_update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        properties = cloudformation_json.get("Properties", {})
        document = properties.get("AssumeRolePolicyDocument")
        if document is not None:
            check_trust_policy(document)
            role.assume_role_policy_document = (
                document if isinstance(document, str) else json.dumps(document)
            )
        if "PermissionsBoundary" in properties:
            role.permissions_boundary_arn = properties["PermissionsBoundary"] or None
        return role

    iam_models.Role.update_from_cloudformation_json = classmethod(update_role)

    # 5. IAM refuses a trust policy with NotPrincipal; moto stores it.
    original_create_role = iam_models.IAMBackend.create_role

    def create_role(self, role_name: str, assume_role_policy_document: str, *args, **kwargs):
        check_trust_policy(assume_role_policy_document)
        return original_create_role(self, role_name, assume_role_policy_document, *args, **kwargs)

    iam_models.IAMBackend.create_role = create_role

    original_update_trust = iam_models.IAMBackend.update_assume_role_policy

    def update_assume_role_policy(self, role_name: str, policy_document: str) -> None:
        check_trust_policy(policy_document)
        return original_update_trust(self, role_name, policy_document)

    iam_models.IAMBackend.update_assume_role_policy = update_assume_role_policy

    # 4. Lambda checks the execution role when a function is created.
    from moto.awslambda import models as lambda_models

    original_create_function = lambda_models.LambdaBackend.create_function

    def create_function(self, spec: dict[str, Any]):
        check_function_configuration(spec)
        return original_create_function(self, spec)

    lambda_models.LambdaBackend.create_function = create_function

    original_function_from_cfn = lambda_models.LambdaFunction.create_from_cloudformation_json.__func__

    def function_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        # moto's CloudFormation passes neither TracingConfig nor DeadLetterConfig to the function.
        check_function_configuration(cloudformation_json.get("Properties", {}))
        return original_function_from_cfn(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

    lambda_models.LambdaFunction.create_from_cloudformation_json = classmethod(function_from_cfn)

    # A stack whose function Lambda refuses fails and rolls back, as on AWS, with Lambda's message
    # in its events (moto would fail the CreateStack call, or a later read of the stack).
    from moto.cloudformation import models as cfn_models

    def failed(stack, message: str):
        # Rolled back: no resources and no outputs left (moto would create them again, lazily,
        # when they are read).
        stack.template_dict = {"Resources": {}}
        stack.resource_map = stack._create_resource_map()
        stack.output_map = stack._create_output_map()
        stack._add_stack_event("CREATE_FAILED", resource_status_reason=message)
        stack.status = "ROLLBACK_COMPLETE"
        stack._add_stack_event("ROLLBACK_COMPLETE")
        return stack

    original_create_resources = cfn_models.Stack.create_resources

    def create_resources(self) -> None:
        try:
            original_create_resources(self)
        except Exception as err:
            if not getattr(err, "resource_refused", False):
                raise
            failed(self, err.message)

    cfn_models.Stack.create_resources = create_resources

    original_create_stack = cfn_models.CloudFormationBackend.create_stack

    def create_stack(self, name, template, parameters, *args, **kwargs):
        try:
            return original_create_stack(self, name, template, parameters, *args, **kwargs)
        except Exception as err:
            if not getattr(err, "resource_refused", False):
                raise
            # Refused while moto built the stack or read its exports: the stack record, failed.
            stack = next((st for st in self.stacks.values() if st.name == name), None)
            if stack is None:
                stack = original_create_stack(
                    self, name, json.dumps({"Resources": {}}), {}, *args, **kwargs
                )
            return failed(stack, err.message)

    cfn_models.CloudFormationBackend.create_stack = create_stack

    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = normal_action
    ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = s3_action
