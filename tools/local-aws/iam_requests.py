"""The authorization requests one API call makes of IAM: action, resource and condition keys.

IAM decides a call on the resource it names, not on `*`: GetItem on the table's ARN with the
item's partition key as `dynamodb:LeadingKeys`, DetachRolePolicy on the role's ARN (with its
path) with `iam:PolicyARN`, Publish on the topic. The table that says which action(s) and
which resource each operation is, tools/local-aws/iam-actions.json, is the one a unit test keeps
complete against every call the project makes; this module reads it and fills its templates from
the request and from the emulator's state (a role's path, a stack's ID, an organization's ID).

An operation the table does not list cannot be decided: `CannotDecide` says so, and the caller
refuses the call rather than letting it in.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlparse

_TABLE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iam-actions.json")
with open(_TABLE_FILE) as _file:
    TABLE: dict[str, Any] = json.load(_file)

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass
class AuthRequest:
    action: str
    resource: str
    keys: dict[str, Any] = field(default_factory=dict)


class CannotDecide(Exception):
    """The emulator does not know what IAM would evaluate for this call."""


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass
class Call:
    """One API call: its service prefix, operation and members, and where it is made."""

    service: str
    operation: str
    params: dict[str, Any]
    region: str
    account: str
    # Query-protocol members are flattened (Tags.member.1.Key): a member is present when any
    # flattened name starts with it.
    flat: bool = False

    def present(self, member: str, item: dict[str, Any] | None = None) -> bool:
        source = item if item is not None else self.params
        if member in source and source[member] not in (None, "", [], {}):
            return True
        return self.flat and item is None and any(k.startswith(member + ".") for k in source)


# --------------------------------------------------------------------------------------------
# Placeholders resolved from the emulator's state
# --------------------------------------------------------------------------------------------


def _role_path(call: Call, values: Callable[[str], str | None]) -> str:
    from moto.iam.models import iam_backends

    name = values("RoleName") or ""
    if call.account in iam_backends:
        for role in iam_backends[call.account][partition_of(call.region)].roles.values():
            if role.name.lower() == name.lower():
                return role.path or "/"
    return "/"


def _stack_arn(call: Call, values: Callable[[str], str | None]) -> str:
    from moto.cloudformation.models import cloudformation_backends

    name = values("StackName") or ""
    if name.startswith("arn:"):
        return name
    try:
        backend = cloudformation_backends[call.account][call.region]
        for stack in backend.stacks.values():
            if stack.name == name and not str(stack.status).startswith("DELETE_COMPLETE"):
                return stack.stack_id
    except KeyError:
        pass
    # A stack not created yet (CreateStack): IAM sees its ARN with an ID not known before; a
    # policy names a stack as stack/<name>/*.
    p = partition_of(call.region)
    return f"arn:{p}:cloudformation:{call.region}:{call.account}:stack/{name}/00000000-0000-0000-0000-000000000000"


def _organization(call: Call) -> tuple[str, str]:
    """(management account, organization ID), or ("", "") outside an organization."""
    from moto.organizations.models import organizations_backends

    try:
        org = organizations_backends[call.account][partition_of(call.region)].org
    except KeyError:
        org = None
    if org is None:
        return "", ""
    return org.master_account_id, org.id


def _parent_arn(call: Call, parent_id: str | None) -> str:
    mgmt, org_id = _organization(call)
    p = partition_of(call.region)
    if not parent_id:
        return ""
    kind = "root" if parent_id.startswith("r-") else "ou"
    return f"arn:{p}:organizations::{mgmt}:{kind}/{org_id}/{parent_id}"


def _queue_arn(call: Call, values: Callable[[str], str | None]) -> str:
    url = urlparse(values("QueueUrl") or "")
    parts = [x for x in url.path.split("/") if x]
    account, name = (parts + ["", ""])[:2] if len(parts) >= 2 else (call.account, parts[-1] if parts else "")
    return f"arn:{partition_of(call.region)}:sqs:{call.region}:{account}:{name}"


def _rule_arn(call: Call, values: Callable[[str], str | None]) -> str:
    name = values("Name") or values("Rule") or ""
    if name.startswith("arn:"):
        return name
    bus = values("EventBusName") or "default"
    path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return f"arn:{partition_of(call.region)}:events:{call.region}:{call.account}:{path}"


def _function_arn(call: Call, values: Callable[[str], str | None]) -> str:
    name = values("FunctionName") or ""
    p = partition_of(call.region)
    if name.startswith("arn:"):
        arn = name
    else:
        arn = f"arn:{p}:lambda:{call.region}:{call.account}:function:{name}"
    qualifier = values("Qualifier")
    return f"{arn}:{qualifier}" if qualifier and arn.count(":") == 6 else arn


def _secret_arn(call: Call, values: Callable[[str], str | None]) -> str:
    from moto.secretsmanager.models import secretsmanager_backends

    name = values("SecretId") or values("Name") or ""
    if name.startswith("arn:"):
        return name
    try:
        backend = secretsmanager_backends[call.account][call.region]
        for secret in backend.secrets.values():
            if getattr(secret, "name", None) == name:
                return secret.arn
    except KeyError:
        pass
    # A secret not created yet: IAM sees its name with six characters AWS adds.
    return f"arn:{partition_of(call.region)}:secretsmanager:{call.region}:{call.account}:secret:{name}-000000"


def _placeholder(call: Call, name: str, values: Callable[[str], str | None]) -> str | None:
    p = partition_of(call.region)
    if name == "Partition":
        return p
    if name == "Region":
        return call.region
    if name == "Account":
        return call.account
    if name == "RolePath":
        return _role_path(call, values)
    if name == "StackArn":
        return _stack_arn(call, values)
    if name == "ManagementAccount":
        return _organization(call)[0]
    if name == "OrganizationId":
        return _organization(call)[1]
    if name == "ParentArn":
        return _parent_arn(call, values("ParentId"))
    if name == "SourceParentArn":
        return _parent_arn(call, values("SourceParentId"))
    if name == "DestinationParentArn":
        return _parent_arn(call, values("DestinationParentId"))
    if name == "SubscriptionTopicArn":
        return (values("SubscriptionArn") or "").rsplit(":", 1)[0]
    if name == "QueueArn":
        return _queue_arn(call, values)
    if name == "RuleArn":
        return _rule_arn(call, values)
    if name == "FunctionArn":
        return _function_arn(call, values)
    if name == "SecretArn":
        return _secret_arn(call, values)
    return None


# --------------------------------------------------------------------------------------------
# DynamoDB's leading keys
# --------------------------------------------------------------------------------------------


def _table(call: Call, name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    name = name.rsplit("/", 1)[-1] if name.startswith("arn:") else name
    try:
        return dynamodb_backends[call.account][call.region].tables.get(name)
    except KeyError:
        return None


def _attr(value: Any) -> str | None:
    if isinstance(value, dict):
        for kind in ("S", "N", "B"):
            if kind in value:
                return str(value[kind])
    return None


def _hash_key(call: Call, table_name: str, index_name: str | None) -> str | None:
    table = _table(call, table_name)
    if table is None:
        return None
    if not index_name:
        return table.hash_key_attr
    for index in list(table.global_indexes) + list(table.indexes):
        if index.name == index_name:
            for key in index.schema:
                if key["KeyType"] == "HASH":
                    return key["AttributeName"]
    return None


def _key_condition_value(member: dict[str, Any], key_name: str) -> str | None:
    names = member.get("ExpressionAttributeNames") or {}
    values = member.get("ExpressionAttributeValues") or {}
    for m in re.finditer(r"([#\w.]+)\s*=\s*(:\w+)", member.get("KeyConditionExpression") or ""):
        if names.get(m.group(1), m.group(1)) == key_name:
            return _attr(values.get(m.group(2)))
    legacy = (member.get("KeyConditions") or {}).get(key_name)
    if legacy:
        return _attr((legacy.get("AttributeValueList") or [None])[0])
    return None


def _leading_keys(call: Call, op: str, member: dict[str, Any]) -> list[str] | None:
    """The partition key values a DynamoDB request names, or None when it names none (a scan)."""
    table_name = member.get("TableName") or ""
    if op in ("Scan", "DescribeTable", "CreateTable", "UpdateTimeToLive"):
        return None
    key_name = _hash_key(call, table_name, member.get("IndexName"))
    if key_name is None:
        return None
    if op == "Query":
        value = _key_condition_value(member, key_name)
        return [value] if value is not None else []
    if op == "BatchGetItem":
        return [v for k in member.get("Keys") or [] if (v := _attr(k.get(key_name))) is not None]
    if op == "BatchWriteItem":
        out = []
        for write in member.get("Requests") or []:
            item = (write.get("PutRequest") or {}).get("Item") or (write.get("DeleteRequest") or {}).get("Key") or {}
            if (v := _attr(item.get(key_name))) is not None:
                out.append(v)
        return out
    item = member.get("Key") or member.get("Item") or {}
    value = _attr(item.get(key_name))
    return [value] if value is not None else []


# --------------------------------------------------------------------------------------------
# The table's entries, applied to one call
# --------------------------------------------------------------------------------------------


def _items(call: Call, each: str) -> list[dict[str, Any]]:
    """The items an entry's `each` names: `X[]`, `X[].Y` or `Map{Name}`."""
    brace = re.fullmatch(r"(\w+)\{(\w+)\}", each)
    if brace:
        mapping = call.params.get(brace.group(1)) or {}
        out = []
        for key, value in mapping.items():
            item = {brace.group(2): key}
            if isinstance(value, dict):
                item.update(value)
            elif isinstance(value, list):
                item["Requests"] = value
            out.append(item)
        return out
    path, _, member = each.partition("[]")
    node: Any = call.params
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    items = [i for i in node or [] if isinstance(i, dict)]
    member = member.lstrip(".")
    if member:
        items = [i[member] for i in items if isinstance(i.get(member), dict)]
    return items


def requests_of(call: Call) -> list[AuthRequest]:
    """What IAM evaluates for this call. Raises CannotDecide for an operation not in the table."""
    service = TABLE["services"].get(call.service)
    entries = (service or {}).get("operations", {}).get(call.operation)
    if entries is None:
        raise CannotDecide(
            f"the local AWS cannot decide {call.service}:{call.operation}: it is not in "
            "tools/local-aws/iam-actions.json"
        )
    out: list[AuthRequest] = []
    for entry in entries:
        items: list[dict[str, Any] | None] = _items(call, entry["each"]) if "each" in entry else [None]
        for item in items:
            if "when" in entry and not call.present(entry["when"], item):
                continue
            if "unless" in entry and call.present(entry["unless"], item):
                continue
            defaults = entry.get("defaults", {})

            def values(name: str, item: dict[str, Any] | None = item) -> str | None:
                for source in (item or {}, call.params, defaults):
                    v = source.get(name)
                    if v not in (None, ""):
                        return v if isinstance(v, str) else json.dumps(v)
                return None

            def fill(template: str) -> str:
                def one(m: re.Match[str]) -> str:
                    name = m.group(1)
                    v = values(name)
                    if v is None:
                        v = _placeholder(call, name, values)
                    return v or ""

                return _PLACEHOLDER.sub(one, template)

            resources = entry["resource"] if isinstance(entry["resource"], list) else [entry["resource"]]
            keys: dict[str, Any] = {}
            for key, template in (entry.get("keys") or {}).items():
                if key == "dynamodb:LeadingKeys":
                    # One item of a batch or transaction is that operation's own request.
                    op = call.operation if item is None else entry["action"].split(":", 1)[1]
                    member = {**(item or call.params), "TableName": values("TableName") or ""}
                    leading = _leading_keys(call, op, member)
                    if leading is not None:
                        keys[key] = leading
                    continue
                value = fill(template)
                if value:
                    keys[key] = value
            for resource in resources:
                out.append(AuthRequest(entry["action"], fill(resource), keys))
    return out

