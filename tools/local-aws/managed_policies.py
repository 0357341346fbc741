"""AWS-managed policies and a role's ManagedPolicyArns, on the local AWS as on AWS.

1. AWS-managed policies (arn:aws:iam::aws:policy/ReadOnlyAccess, ...) exist in every account, as
   on AWS: GetPolicy, GetPolicyVersion, ListPolicyVersions, Attach/DetachRolePolicy (and the
   group and user ones) and a permissions boundary find them. moto ships their documents
   (moto/iam/aws_managed_policies.py, 1,582 of them as one JSON text) but loads them only with
   MOTO_IAM_LOAD_MANAGED_POLICIES=true, and then all of them in every account the emulator
   touches: 168 ms (a parse of the whole text) and 5.8 MB per account, measured. Here a policy
   is loaded into an account the first time a call of that account names it, parsed alone from
   moto's text (which moto keeps in memory anyway): 3 ms and 0.1 MB for ReadOnlyAccess. So an
   account pays for the policies it uses (the tenant template's default ReadOnlyAccess, in
   practice), and any AWS-managed ARN works, not only those a list would name.
   Each gets the same policy ID in every account, as on AWS, derived from its name: loading one
   draws no number from moto's seeded random generator, so the identifiers a recorded state
   replays (moto-server.py) are the same whichever policies were loaded, and when.

2. CloudFormation attaches an AWS::IAM::Role's ManagedPolicyArns when it creates the role, attaches
   the added ones and detaches the removed ones when a stack update changes the list, and detaches
   them before deleting the role. moto's CloudFormation ignores the property. A policy attached
   to the role by other means (the emergency brake) is left as it is, as CloudFormation does: the
   stack only manages the ARNs of its template.

Loaded by tools/local-aws/moto-server.py (install()).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

# arn:<partition>:iam::aws:policy<path><name>; the path is "/" or "/segment/.../".
AWS_POLICY_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::aws:policy(/(?:[^/]+/)*)([^/]+)$")

# The IAMBackend methods whose argument may name an AWS-managed policy that a caller reads or
# attaches: the argument's name and its position after self (moto's signatures; another module
# may have wrapped the method with *args). A call that would change one (CreatePolicyVersion,
# DeletePolicy, tags) loads nothing: AWS-managed policies are AWS's to change.
POLICY_ARGUMENTS = {
    "get_policy": ("policy_arn", 0),
    "get_policy_version": ("policy_arn", 0),
    "list_policy_versions": ("policy_arn", 0),
    "list_policy_tags": ("policy_arn", 0),
    "attach_role_policy": ("policy_arn", 0),
    "detach_role_policy": ("policy_arn", 0),
    "attach_group_policy": ("policy_arn", 0),
    "detach_group_policy": ("policy_arn", 0),
    "attach_user_policy": ("policy_arn", 0),
    "detach_user_policy": ("policy_arn", 0),
    "create_role": ("permissions_boundary", 3),
    "put_role_permissions_boundary": ("permissions_boundary", 1),
}

# Where CloudFormation keeps, on the role, the ARNs its template attached.
STACK_ARNS = "_stack_managed_policy_arns"


def policy_id(name: str) -> str:
    """An ID in IAM's form for policies (ANPA + 17 characters), the same in every account."""
    digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()
    return "ANPA" + digest[:17]


def _policy_data(name: str) -> dict[str, Any] | None:
    """The entry of moto's managed policy text for `name`, parsed alone (not the whole text)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data as text

    # The text is indented one space per level: a top-level key starts a line with one space.
    at = text.find(f'\n "{name}":')
    if at < 0:
        return None
    start = text.index("{", at)
    data, _ = json.JSONDecoder().raw_decode(text, start)
    return data


def load(backend: Any, arn: Any) -> None:
    """Loads the AWS-managed policy `arn` names into the account of `backend`, if it is one."""
    if not isinstance(arn, str) or arn in backend.managed_policies:
        return
    match = AWS_POLICY_ARN.match(arn)
    if not match or match.group(1) != backend.partition:
        return
    path, name = match.group(2), match.group(3)
    data = _policy_data(name)
    if data is None or (data.get("Path") or "/") != path:
        return  # IAM's own answer follows: no such policy

    from moto.iam.models import AWSManagedPolicy
    from moto.moto_api._internal import mock_random

    state = mock_random.getstate()
    try:
        policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    finally:
        mock_random.setstate(state)
    policy.id = policy_id(name)
    backend.aws_managed_policies.append(policy)
    backend.managed_policies[policy.arn] = policy


def _loading(method: Any, argument: str, position: int) -> Any:
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        load(self, kwargs[argument] if argument in kwargs else (args[position:] or [None])[0])
        return method(self, *args, **kwargs)

    return wrapper


def _stack_arns(properties: dict[str, Any]) -> list[str]:
    arns = properties.get("ManagedPolicyArns") or []
    return [arns] if isinstance(arns, str) else list(arns)


def _check_attachable(backend: Any, arns: list[str]) -> None:
    """IAM's answer for an ARN that names no policy, before CloudFormation creates anything."""
    from moto.iam.exceptions import NotFoundException

    for arn in arns:
        load(backend, arn)
        if arn not in backend.managed_policies:
            raise NotFoundException(f"Policy {arn} does not exist or is not attachable.")


def install() -> None:
    from moto.iam.models import IAMBackend, Role, iam_backends
    from moto.utilities.utils import get_partition

    # 1. AWS-managed policies, loaded into an account when a call names one.
    for name, (argument, position) in POLICY_ARGUMENTS.items():
        setattr(IAMBackend, name, _loading(getattr(IAMBackend, name), argument, position))

    # 2. A role's ManagedPolicyArns, as CloudFormation manages them. The original methods are
    # looked up when install() runs: another module's wrapper installed before this one is kept.
    original_create = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    original_update = Role.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    original_delete = Role.delete_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        backend = iam_backends[account_id][get_partition(region_name)]
        arns = _stack_arns(cloudformation_json.get("Properties", {}))
        _check_attachable(backend, arns)
        role = original_create(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        for arn in arns:
            if arn not in role.managed_policies:
                backend.attach_role_policy(arn, role.name)
        setattr(role, STACK_ARNS, arns)
        return role

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = iam_backends[account_id][get_partition(region_name)]
        before = getattr(original_resource, STACK_ARNS, [])
        after = _stack_arns(cloudformation_json.get("Properties", {}))
        _check_attachable(backend, after)
        role = original_update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        for arn in after:
            if arn not in role.managed_policies:
                backend.attach_role_policy(arn, role.name)
        for arn in before:
            if arn not in after and arn in role.managed_policies:
                backend.detach_role_policy(arn, role.name)
        # Set by CloudFormation's update without a call that would load it (iam_enforcement.py).
        load(backend, role.permissions_boundary_arn)
        setattr(role, STACK_ARNS, after)
        return role

    def delete(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = iam_backends[account_id][get_partition(region_name)]
        role = next((r for r in backend.roles.values() if r.name == resource_name), None)
        for arn in getattr(role, STACK_ARNS, []) if role is not None else []:
            if arn in role.managed_policies:
                backend.detach_role_policy(arn, role.name)
        return original_delete(cls, resource_name, cloudformation_json, account_id, region_name)

    Role.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
    Role.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]
    Role.delete_from_cloudformation_json = classmethod(delete)  # type: ignore[method-assign,assignment]
