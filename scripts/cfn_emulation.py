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
- Delete (the stack's deletion or rollback): a Delete request is published; the stack does not
  wait for its answer.

Updates of SNS-backed custom resources are not modelled.

2. Deleting a stack (or rolling it back) deletes its IAM managed policies. moto leaves them
behind, so a second stack creating a policy of the same name (the tenant template's
`<RoleName>-SessionRevocation`) fails with "already exists".
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


def install(host: str, port: int) -> None:
    from moto.cloudformation.custom_model import CustomModel
    from moto.cloudformation.models import cloudformation_backends
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
        }
        stack = cloudformation_backends[account_id][region_name].get_stack(stack_id)
        stack.add_custom_resource(resource)
        _publish(token, _request(resource, "Create"))
        return resource

    def delete(self, account_id: str, region_name: str) -> None:  # type: ignore[no-untyped-def]
        sns = getattr(self, "sns", None)
        if sns is not None:
            _publish(sns["token"], _request(self, "Delete"))

    CustomModel.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
    CustomModel.delete = delete  # type: ignore[attr-defined]

    original_answer = CloudFormationResponse.process_cfn_response

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
        if (
            stack is None
            or resource is None
            or getattr(resource, "sns", None) is None
            or stack.status != "CREATE_IN_PROGRESS"
            or resource.is_created()
        ):
            if resource is not None and getattr(resource, "sns", None) is None:
                return original_answer(self)
            return 200, {"status": 200}, json.dumps("{}")
        resource.sns["physical_id"] = self._get_param("PhysicalResourceId")
        if self._get_param("Status") == "SUCCESS":
            resource.set_data(self._get_param("Data") or {})
            stack.verify_readiness()
            return 200, {"status": 200}, json.dumps("{}")
        reason = self._get_param("Reason") or "The custom resource answered FAILED"
        stack._add_stack_event("CREATE_FAILED", resource_status_reason=f"{logical_id}: {reason}")
        stack.status = "ROLLBACK_IN_PROGRESS"
        stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
        try:
            stack.resource_map.delete()
        finally:
            stack.status = "ROLLBACK_COMPLETE"
            stack._add_stack_event("ROLLBACK_COMPLETE")
        return 200, {"status": 200}, json.dumps("{}")

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

    # The answer comes from the registration function with the stack's ID only: find its account.
    def _all_cfn_backends():  # type: ignore[no-untyped-def]
        for account_id in list(cloudformation_backends.keys()):
            for region in list(cloudformation_backends[account_id].keys()):
                yield cloudformation_backends[account_id][region]


def _request(resource: Any, request_type: str) -> dict[str, Any]:
    sns = resource.sns
    region = sns["stack_id"].split(":")[3]
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": sns["token"],
        "ResponseURL": f"{RESPONSE_BASE['url']}/cloudformation_{region}/cfnresponse?stack={sns['stack_id']}",
        "StackId": sns["stack_id"],
        "RequestId": str(mock_random.uuid4()),
        "LogicalResourceId": resource.logical_id,
        "ResourceType": sns["resource_type"],
        "ResourceProperties": sns["properties"],
    }
    if request_type != "Create":
        event["PhysicalResourceId"] = sns["physical_id"] or resource.resource_name
    return event
