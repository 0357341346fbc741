"""CloudFormation on the emulator, where moto differs from AWS in ways the product depends on.

1. Custom resources backed by SNS, as CloudFormation runs them.

moto runs a custom resource only when its ServiceToken is a Lambda function (in Docker); with an
SNS topic ARN (the tenant template's auto-registration) it fails the stack with a garbled error and
leaves it in CREATE_IN_PROGRESS. Here, as on AWS:

- Create: the request (RequestType, ResponseURL, StackId, RequestId, LogicalResourceId,
  ResourceType, ResourceProperties) is published to the topic, in the topic's own account, and
  moto's SNS delivers it to the topic's subscribers (an HTTP subscription under `npm start`).
  The stack waits in CREATE_IN_PROGRESS for the answer at ResponseURL.
- The answer: SUCCESS completes the stack. FAILED fails the resource with the answer's Reason and
  rolls the stack back: its resources are deleted (the custom resource gets a Delete request, with
  the PhysicalResourceId it answered) and the stack ends in ROLLBACK_COMPLETE, so a retry is not
  blocked by what the failed attempt created. Late or repeated answers change nothing.
- Delete (the stack's deletion, or a rollback): the stack waits in DELETE_IN_PROGRESS (or
  ROLLBACK_IN_PROGRESS), every other resource still in place, until the custom resource answers;
  then the rest is deleted and the stack ends DELETE_COMPLETE (ROLLBACK_COMPLETE). A FAILED answer
  ends it DELETE_FAILED (ROLLBACK_FAILED), as on AWS. While it waits the stack keeps its name:
  DescribeStacks finds it by name, a new stack cannot take the name, and a second DeleteStack
  changes nothing.
- Update (an UpdateStack that changes the custom resource's properties, a new template version for
  one): the other resources are updated first (the custom resource depends on them); the request,
  with OldResourceProperties and the PhysicalResourceId, is published and the stack waits in
  UPDATE_IN_PROGRESS. SUCCESS completes it; FAILED rolls the whole stack back to its template and
  parameters before the update, sends the custom resource an Update back to its old properties
  while the stack is UPDATE_ROLLBACK_IN_PROGRESS, and ends UPDATE_ROLLBACK_COMPLETE.
- An answer counts only for the request the stack is waiting for (its RequestId, its resource):
  late, repeated or made-up answers change nothing.

So the control plane's check of a message against its stack (shared/domain/stack-message.ts) sees
the states it sees on AWS, and a message published by anyone else finds the stack in another.

2. Deleting a stack (or rolling it back) deletes its IAM managed policies. moto leaves them
behind, so a second stack creating a policy of the same name (the tenant template's
`<RoleName>-SessionRevocation`) fails with "already exists".

3. UpdateStack with `UsePreviousValue` takes the stack's current value of the parameter, as
CloudFormation does: the value given at the last create or update, or the default it was left at.
moto looks only at the values given at create: a parameter left at its default failed the update
with a 500 (`KeyError`), and one changed by an update reverted to its create-time value. A key
the stack does not have is CloudFormation's ValidationError.
"""

import json
import sys
from typing import Any

from moto.moto_api._internal import mock_random

RESPONSE_BASE = {"url": "http://127.0.0.1:5000"}


def _publish(topic_arn: str, event: dict[str, Any]) -> None:
    """Publishes within the current request: subscribers are invoked asynchronously (the relay
    answers at once), and nothing runs beside the server, so a replay of the emulator's recorded
    requests (moto-server.py) consumes moto's seeded random numbers in the same order."""
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    region, account = parts[3], parts[4]
    try:
        sns_backends[account][region].publish(message=json.dumps(event), arn=topic_arn)
    except Exception as err:  # the stack then waits, as on AWS when nobody answers
        print(f"custom resource: could not publish to {topic_arn}: {err!r}", file=sys.stderr, flush=True)


def _sns_resources(stack: Any) -> list[Any]:
    """The stack's SNS-backed custom resources that still exist."""
    return [
        r
        for r in stack.custom_resources.values()
        if getattr(r, "sns", None) is not None and not r.sns.get("deleted")
    ]


def install(host: str, port: int) -> None:
    from moto.cloudformation.custom_model import CustomModel
    from moto.cloudformation.models import Stack, cloudformation_backends
    from moto.cloudformation.responses import CloudFormationResponse

    RESPONSE_BASE["url"] = f"http://{host}:{port}"
    original_create = CustomModel.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        properties = cloudformation_json["Properties"]
        token = str(properties.get("ServiceToken", ""))
        if not token.startswith("arn:") or token.split(":")[2] != "sns":
            return original_create(
                cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        stack_id = kwargs["StackId"]
        resource = CustomModel(region_name, str(mock_random.uuid4()), kwargs["LogicalId"], resource_name)
        resource.sns = {  # type: ignore[attr-defined]
            "token": token,
            "stack_id": stack_id,
            "account_id": account_id,
            "resource_type": kwargs["ResourceType"],
            "properties": properties,
            "physical_id": None,
            "pending": None,
        }
        stack = cloudformation_backends[account_id][region_name].get_stack(stack_id)
        stack.add_custom_resource(resource)
        _publish(token, _request(resource, "Create"))
        return resource

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        # The properties change in place; the request is published once the stack's other
        # resources are updated (stack_update below), as CloudFormation updates dependencies first.
        sns = getattr(original_resource, "sns", None)
        if sns is None:
            return original_resource
        properties = cloudformation_json["Properties"]
        if properties != sns["properties"]:
            if not sns.get("rolling_back"):
                sns["old_properties"] = sns["properties"]
            sns["properties"] = properties
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:  # type: ignore[no-untyped-def]
        # Reached through the stack's resource map once the stack's Delete was answered (then a
        # no-op), or when an update removes the resource: then the request goes out, unanswered.
        sns = getattr(self, "sns", None)
        if sns is not None and not sns.get("deleted"):
            sns["deleted"] = True
            _publish(sns["token"], _request(self, "Delete"))

    CustomModel.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
    CustomModel.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]
    CustomModel.delete = delete  # type: ignore[attr-defined]

    original_stack_delete = Stack.delete

    def stack_delete(self) -> None:  # type: ignore[no-untyped-def]
        waiting = _sns_resources(self)
        if waiting and self.status == "DELETE_IN_PROGRESS":
            return None  # deleting already: a second DeleteStack changes nothing, as on AWS
        if not waiting or self.status == "DELETE_COMPLETE":
            return original_stack_delete(self)
        # The custom resources depend on everything else: they go first, and the stack waits.
        self.status = "DELETE_IN_PROGRESS"
        self._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
        for resource in waiting:
            _publish(resource.sns["token"], _request(resource, "Delete"))

    Stack.delete = stack_delete  # type: ignore[method-assign]

    # moto moves a stack out of the live ones as soon as DeleteStack returns. While it waits in
    # DELETE_IN_PROGRESS it stays one, as on AWS: found by its name, and its name cannot be taken
    # by a new stack (AlreadyExistsException) until the deletion completes.
    from moto.cloudformation.models import CloudFormationBackend

    original_delete_stack = CloudFormationBackend.delete_stack

    def delete_stack(self, name_or_stack_id: str) -> None:  # type: ignore[no-untyped-def]
        live = [st for st in self.stacks.values() if name_or_stack_id in (st.stack_id, st.name)]
        original_delete_stack(self, name_or_stack_id)
        for stack in live:
            if stack.status == "DELETE_IN_PROGRESS":
                self.stacks[stack.stack_id] = stack

    CloudFormationBackend.delete_stack = delete_stack  # type: ignore[method-assign]

    original_stack_update = Stack.update

    def stack_update(self, template, role_arn=None, parameters=None, tags=None):  # type: ignore[no-untyped-def]
        before = {
            "template": self.template,
            "role_arn": self.role_arn,
            "parameters": dict(self.resource_map.input_parameters),
        }
        original_stack_update(self, template, role_arn, parameters=parameters, tags=tags)
        changed = [r for r in _sns_resources(self) if "old_properties" in r.sns]
        if not changed:
            return
        self.status = "UPDATE_IN_PROGRESS"
        self.events.pop()  # moto's UPDATE_COMPLETE: not yet
        self.cp_before_update = before  # type: ignore[attr-defined]
        for resource in changed:
            old = resource.sns.pop("old_properties")
            _publish(resource.sns["token"], _request(resource, "Update", old))

    Stack.update = stack_update  # type: ignore[method-assign]

    def finish_delete(stack: Any, final: str) -> None:
        stack.resource_map.delete()
        stack.status = final
        stack._add_stack_event(final)
        if final == "DELETE_COMPLETE":
            for backend in _all_cfn_backends():
                if backend.stacks.pop(stack.stack_id, None) is not None:
                    backend.deleted_stacks[stack.stack_id] = stack

    def roll_back_update(stack: Any, resource: Any, reason: str) -> None:
        stack._add_stack_event("UPDATE_FAILED", resource_status_reason=f"{resource.logical_id}: {reason}")
        before = stack.cp_before_update
        failed_properties = resource.sns["properties"]
        resource.sns["rolling_back"] = True
        try:
            original_stack_update(
                stack, before["template"], before["role_arn"], parameters=before["parameters"]
            )
        finally:
            resource.sns["rolling_back"] = False
        stack.events.pop()  # moto's UPDATE_COMPLETE
        stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
        _publish(resource.sns["token"], _request(resource, "Update", failed_properties, rollback=True))

    def process_cfn_response(self):  # type: ignore[no-untyped-def]
        stack_id = self._get_param("StackId")
        logical_id = self._get_param("LogicalResourceId")
        stack = None
        for backend in _all_cfn_backends():
            try:
                stack = backend.get_stack(stack_id)
                break
            except Exception:
                continue
        resource = stack.custom_resources.get(logical_id) if stack is not None else None
        if resource is not None and getattr(resource, "sns", None) is None:
            return original_answer(self)
        ignored = 200, {"status": 200}, json.dumps("{}")
        pending = resource.sns.get("pending") if resource is not None else None
        # Only the answer to the request the stack waits for counts.
        if pending is None or pending["request_id"] != self._get_param("RequestId"):
            return ignored
        resource.sns["pending"] = None
        status = self._get_param("Status")
        reason = self._get_param("Reason") or "The custom resource answered FAILED"
        kind = pending["type"]
        if kind == "Create" and stack.status == "CREATE_IN_PROGRESS":
            resource.sns["physical_id"] = self._get_param("PhysicalResourceId")
            if status == "SUCCESS":
                resource.set_data(self._get_param("Data") or {})
                stack.verify_readiness()
                return ignored
            stack._add_stack_event("CREATE_FAILED", resource_status_reason=f"{logical_id}: {reason}")
            stack.status = "ROLLBACK_IN_PROGRESS"
            stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
            _publish(resource.sns["token"], _request(resource, "Delete"))
            return ignored
        if kind == "Delete" and stack.status in ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"):
            rollback = stack.status == "ROLLBACK_IN_PROGRESS"
            if status != "SUCCESS":
                stack.status = "ROLLBACK_FAILED" if rollback else "DELETE_FAILED"
                stack._add_stack_event(stack.status, resource_status_reason=f"{logical_id}: {reason}")
                return ignored
            resource.sns["deleted"] = True
            if any(r.sns.get("pending") for r in _sns_resources(stack)):
                return ignored
            if rollback:
                # Rolled back: the stack keeps no resources (moto would build them again, lazily).
                finish_delete(stack, "ROLLBACK_COMPLETE")
            else:
                finish_delete(stack, "DELETE_COMPLETE")
            return ignored
        if kind == "Update" and stack.status == "UPDATE_IN_PROGRESS":
            if status == "SUCCESS":
                resource.set_data(self._get_param("Data") or resource.data)
                stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
                stack.status = "UPDATE_COMPLETE"
                stack._add_stack_event("UPDATE_COMPLETE")
            else:
                roll_back_update(stack, resource, reason)
            return ignored
        if kind == "UpdateRollback" and stack.status == "UPDATE_ROLLBACK_IN_PROGRESS":
            stack.status = "UPDATE_ROLLBACK_COMPLETE" if status == "SUCCESS" else "UPDATE_ROLLBACK_FAILED"
            stack._add_stack_event(stack.status)
            return ignored
        return ignored

    original_answer = CloudFormationResponse.process_cfn_response
    CloudFormationResponse.process_cfn_response = process_cfn_response  # type: ignore[method-assign]

    # 2. A managed policy created by a stack goes with it: detached from every principal, its
    # versions and itself deleted.
    from moto.iam.models import ManagedPolicy, iam_backends

    def delete_policy(self, account_id: str, region_name: str) -> None:  # type: ignore[no-untyped-def]
        backend = iam_backends[self.account_id][self.partition]
        for role in list(backend.roles.values()):
            role.managed_policies.pop(self.arn, None)
        for user in list(backend.users.values()):
            user.managed_policies.pop(self.arn, None)
        for group in list(backend.groups.values()):
            group.managed_policies.pop(self.arn, None)
        backend.managed_policies.pop(self.arn, None)

    ManagedPolicy.delete = delete_policy  # type: ignore[attr-defined]

    # 3. UsePreviousValue: the stack's current value, given or defaulted.
    from moto.cloudformation.exceptions import ValidationError

    original_resolve = CloudFormationBackend._resolve_update_parameters

    def resolve_update_parameters(self, instance, incoming_params):  # type: ignore[no-untyped-def]
        if not isinstance(instance, Stack):
            return original_resolve(self, instance, incoming_params)
        given = dict(instance.resource_map.input_parameters or {})
        slots = (instance.template_dict or {}).get("Parameters") or {}
        parameters = {}
        for parameter in incoming_params:
            key = parameter["ParameterKey"]
            if not parameter.get("UsePreviousValue", False):
                if "ParameterValue" in parameter:
                    parameters[key] = parameter["ParameterValue"]
                continue
            if key in given:
                parameters[key] = given[key]
            elif key in slots and "Default" in slots[key]:
                parameters[key] = slots[key]["Default"]
            else:
                raise ValidationError(
                    message=f"Invalid input for parameter key {key}. Cannot specify "
                    "usePreviousValue as true for a parameter key not in the previous template"
                )
        return parameters

    CloudFormationBackend._resolve_update_parameters = resolve_update_parameters  # type: ignore[method-assign]

    # The answer comes from the registration function with the stack's ID only: find its account.
    def _all_cfn_backends():  # type: ignore[no-untyped-def]
        for account_id in list(cloudformation_backends.keys()):
            for region in list(cloudformation_backends[account_id].keys()):
                yield cloudformation_backends[account_id][region]


def _request(
    resource: Any, request_type: str, old_properties: dict[str, Any] | None = None, rollback: bool = False
) -> dict[str, Any]:
    """The request for the resource, which the stack now waits for."""
    sns = resource.sns
    region = sns["stack_id"].split(":")[3]
    request_id = str(mock_random.uuid4())
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": sns["token"],
        "ResponseURL": f"{RESPONSE_BASE['url']}/cloudformation_{region}/cfnresponse?stack={sns['stack_id']}",
        "StackId": sns["stack_id"],
        "RequestId": request_id,
        "LogicalResourceId": resource.logical_id,
        "ResourceType": sns["resource_type"],
        "ResourceProperties": sns["properties"],
    }
    if request_type != "Create":
        event["PhysicalResourceId"] = sns["physical_id"] or resource.resource_name
    if old_properties is not None:
        event["OldResourceProperties"] = old_properties
    sns["pending"] = {"request_id": request_id, "type": "UpdateRollback" if rollback else request_type}
    return event
