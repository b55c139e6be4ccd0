#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fabric_service_instance
short_description: Manage Huawei Cloud DataArts Fabric inference service instances
version_added: 0.1.0
description:
  - Keeps a DataArts Fabric (Fabric-ep) inference service instance in the state the task declares.
  - Reads the instance by O(instance_id), or by its exact O(name), compares it with the options the task sets, and sends a
    single C(PUT) holding only what differs; options left out are left as they are.
  - Refuses, before any write, a change the API cannot make (O(resource.min), O(source), O(resource.spec_code),
    O(endpoint_id) of an existing instance), naming each field with its current and requested value.
  - Deploys the instance when O(state=present), no O(instance_id) is given and no instance has the O(name); deletes it with
    O(state=absent).
  - Updates, deploys and deletes are asynchronous in the API; with O(wait=true) the module polls until the instance really
    shows the requested state.
author:
  - hwcloud.dataarts contributors (@hwcloud-dataarts)
options:
  workspace_id:
    description:
      - The DataArts Fabric workspace that holds the instance. 1 to 36 letters, digits or hyphens.
    type: str
    required: true
  instance_id:
    description:
      - The instance to manage. 1 to 36 letters, digits or hyphens.
      - When given, O(name) is the instance's desired name. One of O(instance_id) and O(name) is required.
    type: str
    aliases: [id]
  name:
    description:
      - The instance's name, 1 to 64 letters (Chinese too), digits, C(_), C(-), C(.) and spaces.
      - Without O(instance_id) it identifies the instance by exact, case-sensitive match (the API's own filter is fuzzy);
        two instances with that name make the task fail, listing their ids.
    type: str
  description:
    description:
      - The description, 0 to 1024 characters, none of C(! < > = & ' ").
    type: str
  source:
    description:
      - The model the instance serves. Set when deploying; on an existing instance it can only be compared.
    type: dict
    suboptions:
      id:
        description: The model ID.
        type: str
        required: true
      version_id:
        description: The model version ID.
        type: str
  resource:
    description:
      - The instance count and specification (C(config.model_instance_config.resource) in the API).
      - Only O(resource.max) can be changed on an existing instance.
    type: dict
    suboptions:
      min:
        description: The minimum number of instances, at least 1. Cannot be changed after deployment.
        type: int
      max:
        description: The maximum number of instances, 1 to 1000, not below O(resource.min) (or the instance's current minimum).
        type: int
      spec_code:
        description: The resource specification, from the Fabric specification list. Cannot be changed after deployment.
        type: str
  endpoint_id:
    description:
      - The inference endpoint the instance runs on. Set when deploying; on an existing instance it can only be compared.
    type: str
  state:
    description:
      - V(present) updates the instance, or deploys it when it does not exist (by O(name) only).
      - V(absent) deletes it if it exists.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until the instance reaches a steady status and shows the requested values (or is gone, for V(absent)).
      - A transitional status found before the update is waited out first; with V(false) the task fails instead.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at the most, on a monotonic clock (1 to 86400).
    type: int
    default: 600
extends_documentation_fragment:
  - hwcloud.dataarts._connection
  - hwcloud.dataarts._auth
  - hwcloud.dataarts._auth.method_choice
  - hwcloud.dataarts._attributes
attributes:
  check_mode:
    support: full
    details:
      - Makes no write and returns the instance as it would be.
  diff_mode:
    support: full
    details:
      - C(before) and C(after) hold the fields the task names, in the API's own shape.
  idempotent:
    support: full
notes:
  - Polls about once a second at first, backing off towards 10 seconds on long waits.
  - Success needs a steady status other than C(FAILED) that shows the requested values, so a stale read right after the write
    does not end the wait. An instance that turns steady with other values and a newer C(update_time) makes the task fail at
    once (another writer won).
seealso:
  - module: hwcloud.dataarts.fabric_service_instance_info
"""

EXAMPLES = r"""
- name: Raise the maximum of an instance found by its exact name
  hwcloud.dataarts.fabric_service_instance:
    region: cn-north-4
    workspace_id: "{{ workspace_id }}"
    name: demo-llm
    description: serves the demo chat
    resource:
      max: 4

- name: Rename an instance by id, without waiting for the asynchronous update
  hwcloud.dataarts.fabric_service_instance:
    region: cn-north-4
    workspace_id: "{{ workspace_id }}"
    instance_id: b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6
    name: demo-llm-v2
    wait: false

- name: Set the connection once for every module of the collection
  module_defaults:
    group/hwcloud.dataarts.fabric:
      region: cn-north-4
      access_key: "{{ vault_access_key }}"
      secret_key: "{{ vault_secret_key }}"
      project_id: "{{ project_id }}"
  block:
    - name: Deploy an instance when no instance has this name
      hwcloud.dataarts.fabric_service_instance:
        workspace_id: "{{ workspace_id }}"
        name: chat-prod
        source:
          id: "{{ model_id }}"
          version_id: "{{ model_version_id }}"
        endpoint_id: "{{ endpoint_id }}"
        resource:
          min: 1
          max: 2
          spec_code: mu.llama3.8b

    - name: Delete it
      hwcloud.dataarts.fabric_service_instance:
        workspace_id: "{{ workspace_id }}"
        name: chat-prod
        state: absent
"""

RETURN = r"""
instance:
  description:
    - The instance as the API shows it after the task.
    - In check mode, and with O(wait=false), the instance as read before the write with the requested values applied.
    - V({}) when the instance is absent.
  returned: always
  type: dict
  sample:
    id: b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6
    name: demo-llm
    description: serves the demo chat
    status: RUNNING
    endpoint_id: 0b5633ba2b904511ad514346f4d23d4b
    source:
      id: 5f0c6a3b8e2d4f1a9b7c6d5e4f3a2b1c
      version_id: 7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b
    config:
      model_instance_config:
        resource:
          min: 1
          max: 4
          spec_code: mu.llama3.8b
    visibility: PRIVATE
    type: LLM_MODEL
    create_time: "2026-11-01T08:00:00.000Z"
    update_time: "2026-11-28T09:30:12.345Z"
diff:
  description:
    - The fields the task names, before and after, in the API's shape (so C(diff.after.description) is the description the
      task leaves). Returned in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      description: demo instance
      config: {model_instance_config: {resource: {max: 2}}}
    after:
      description: serves the demo chat
      config: {model_instance_config: {resource: {max: 4}}}
error:
  description: The API's error, when the task failed on an HTTP error answer.
  returned: on an API failure
  type: dict
  contains:
    status:
      description: The HTTP status.
      type: int
    error_code:
      description: The API's C(error_code) (the status itself when the body had none).
      type: str
    error_msg:
      description: The API's C(error_msg), or the text of a non-JSON error page.
      type: str
    solution_msg:
      description: The API's C(solution_msg), when present.
      type: str
    request_id:
      description: The C(X-Request-Id) response header, for Huawei Cloud support.
      type: str
"""

import datetime

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _validate
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricInputError, FabricWaitError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import ApiResponse
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import (
    FAILED,
    FIELD_BY_OPTION,
    GONE,
    TRANSITIONAL,
    InstancesApi,
    Plan,
    requested_values,
    shaped,
    shows,
)
from ansible_collections.hwcloud.dataarts.plugins.module_utils._module import FabricModule
from ansible_collections.hwcloud.dataarts.plugins.module_utils._waiter import Pending, Waiter

ARGUMENT_SPEC = dict(
    workspace_id=dict(type="str", required=True),
    instance_id=dict(type="str", aliases=["id"]),
    name=dict(type="str"),
    description=dict(type="str"),
    source=dict(
        type="dict",
        options=dict(
            id=dict(type="str", required=True),
            version_id=dict(type="str"),
        ),
    ),
    resource=dict(
        type="dict",
        options=dict(
            min=dict(type="int"),
            max=dict(type="int"),
            spec_code=dict(type="str"),
        ),
    ),
    endpoint_id=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)

DEPLOY_REQUIRES = ("source.id", "endpoint_id", "resource.min", "resource.max", "resource.spec_code")


def validate(params):
    """Every documented constraint on the options, before any request."""
    _validate.check_id("workspace_id", params["workspace_id"])
    _validate.check_id("instance_id", params["instance_id"])
    _validate.check_name("name", params["name"])
    _validate.check_description("description", params["description"])
    _validate.check_source("source", params["source"])
    _validate.check_resource("resource", params["resource"])
    _validate.check_id("endpoint_id", params["endpoint_id"])
    _validate.check_positive("wait_timeout", params["wait_timeout"], 86400)


def _instant(value):
    """An API timestamp as an aware datetime, or None when it cannot be read."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def newer(value, than):
    later, earlier = _instant(value), _instant(than)
    if later is None or earlier is None:
        return False
    return later > earlier


def failed_text(instance_id, instance, what):
    """The instance's own error, for a failure or a warning."""
    return "instance {0} {1}: error_code={2}, error_msg={3}".format(instance_id, what, instance.get("error_code"), instance.get("error_msg"))


def accepted(instance_id):
    """What a write whose outcome was unknown answers once a read shows it took effect."""
    return ApiResponse(202, {"id": instance_id}, {})


class Reconciler:
    """Finds the instance, plans the change and applies it; ``_write`` is the only place that writes."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.api = InstancesApi(module.client, self.params["workspace_id"])
        self.waiter = Waiter(clock=module.clock, sleep=module.sleep)
        self.requested = requested_values(self.params)

    def wait(self, probe, what):
        """Every wait of the task shares one wait_timeout, counted from the task's start."""
        return self.waiter.wait(probe, self.params["wait_timeout"], what, deadline=self.module.deadline)

    # Reading

    def find(self):
        """The instance, or None when it is absent (DELETING and DELETED count as absent)."""
        instance_id = self.params["instance_id"]
        if instance_id:
            if self.params["state"] == "absent":
                instance = self.api.show_or_none(instance_id)
            else:
                instance = self.api.show(instance_id)  # an unknown id is the API's 404, as a failure
            return None if instance is None or instance.get("status") in GONE else instance
        matches = self.api.find_by_name(self.params["name"])
        if len(matches) > 1:
            raise FabricInputError(
                "{0} instances are named {1!r} (ids: {2}); give instance_id to choose one".format(
                    len(matches), self.params["name"], ", ".join(sorted(str(item.get("id")) for item in matches))
                )
            )
        return matches[0] if matches else None

    def settle(self, instance):
        """Wait out a transitional status before changing anything."""
        status = instance.get("status")
        if status not in TRANSITIONAL:
            return instance
        if self.module.check_mode:
            self.module.warn("instance {0} is {1}; check mode predicts from that state without waiting".format(instance.get("id"), status))
            return instance
        if not self.params["wait"]:
            raise FabricWaitError(
                "instance {0} is {1}; set wait: true to wait for a steady status first".format(instance.get("id"), status), instance
            )

        def probe():
            seen = self.api.show(instance["id"])
            return Pending(seen.get("status")) if seen.get("status") in TRANSITIONAL else seen

        return self.wait(probe, "instance {0} to leave {1}".format(instance["id"], status))

    # Writing: check mode branches here and nowhere else.

    def _write(self, send):
        if self.module.check_mode:
            return False
        send()
        return True

    # The three outcomes

    def update(self, instance):
        instance = self.settle(instance)
        plan = Plan(instance, self.requested)
        plan.check()
        result = {"changed": plan.changed, "instance": instance, "diff": plan.diff()}
        if not plan.changed:
            if instance.get("status") == FAILED:
                # Nothing to change is not the same as healthy: say so instead of a silent green run.
                self.module.warn(failed_text(instance.get("id"), instance, "is FAILED"))
            return result
        result["instance"] = plan.predicted()
        instance_id = instance["id"]

        def confirm():
            seen = self.api.show(instance_id)
            took = shows(seen, plan.changes) or (seen.get("status") == "UPDATING" and newer(seen.get("update_time"), instance.get("update_time")))
            return accepted(instance_id) if took else None

        if self._write(lambda: self.send_update(instance, plan, confirm)) and self.params["wait"]:
            result["instance"] = self.wait_for_update(instance, plan)
        return result

    def send_update(self, instance, plan, confirm):
        try:
            self.api.update(instance["id"], plan.body(), confirm)
        except FabricApiError as err:
            # A refused PUT on an instance that another writer has just changed is a conflict, not bad input.
            if err.status not in (400, 409):
                raise
            seen = self.api.show(instance["id"])
            if seen.get("status") in TRANSITIONAL or newer(seen.get("update_time"), instance.get("update_time")):
                raise FabricWaitError(
                    "another writer changed instance {0} while this task updated it (now {1}); the API refused the update: {2}".format(
                        instance["id"], seen.get("status"), err
                    ),
                    seen,
                ) from None
            raise

    def wait_for_update(self, before, plan):
        instance_id = before["id"]
        was_failed = before.get("status") == FAILED

        def probe():
            seen = self.api.show(instance_id)
            status = seen.get("status")
            if status in TRANSITIONAL:
                return Pending(status)
            fresh = newer(seen.get("update_time"), before.get("update_time"))
            if status == FAILED and (fresh or not was_failed):
                raise FabricWaitError(failed_text(instance_id, seen, "is FAILED after the update"), seen)
            if shows(seen, self.requested):
                return seen
            if fresh:
                raise FabricWaitError(
                    "another writer changed instance {0} during the update; it now shows {1}".format(
                        instance_id, shaped({option: FIELD_BY_OPTION[option].get(seen) for option in plan.changes})
                    ),
                    seen,
                )
            return Pending("{0} (requested values not shown yet)".format(status))

        return self.wait(probe, "instance {0} to show the update".format(instance_id))

    def deploy(self):
        if self.params["instance_id"]:
            raise FabricInputError(
                "instance {0} does not exist (it is being deleted or deleted); an instance id cannot be created".format(self.params["instance_id"])
            )
        missing = [option for option in DEPLOY_REQUIRES if option not in self.requested]
        if missing:
            raise FabricInputError("no instance is named {0!r}; deploying it needs {1}".format(self.params["name"], ", ".join(missing)))
        body = shaped(self.requested)
        result = {"changed": True, "instance": dict(body, status="CREATING"), "diff": {"before": {}, "after": body}}
        created = {}

        def confirm():
            found = self.api.find_by_name(self.params["name"])
            return accepted(found[0].get("id")) if len(found) == 1 else None

        def send():
            created["id"] = self.api.deploy(body, confirm)

        if not self._write(send):
            return result
        result["instance"]["id"] = created["id"]
        if self.params["wait"] and created["id"]:
            result["instance"] = self.wait_until_running(created["id"])
        return result

    def wait_until_running(self, instance_id):
        def probe():
            seen = self.api.show_or_none(instance_id)
            if seen is None:
                return Pending("not visible yet")
            status = seen.get("status")
            if status in TRANSITIONAL:
                return Pending(status)
            if status == FAILED:
                raise FabricWaitError(failed_text(instance_id, seen, "is FAILED after deployment"), seen)
            return seen

        return self.wait(probe, "instance {0} to be deployed".format(instance_id))

    def delete(self, instance):
        if instance is None:
            return {"changed": False, "instance": {}, "diff": {"before": {}, "after": {}}}
        instance_id = instance["id"]
        before = {"id": instance_id, "name": instance.get("name")}
        result = {"changed": True, "instance": {}, "diff": {"before": before, "after": {}}}

        def gone_or_going():
            seen = self.api.show_or_none(instance_id)
            return seen is None or seen.get("status") in GONE

        def confirm():
            return accepted(instance_id) if gone_or_going() else None

        if self._write(lambda: self.api.delete(instance_id, confirm)) and self.params["wait"]:

            def probe():
                seen = self.api.show_or_none(instance_id)
                if seen is None or seen.get("status") == "DELETED":
                    return {}
                if seen.get("status") == FAILED:
                    raise FabricWaitError(failed_text(instance_id, seen, "is FAILED instead of deleted"), seen)
                return Pending(seen.get("status"))

            self.wait(probe, "instance {0} to be deleted".format(instance_id))
        return result

    def run(self):
        instance = self.find()
        if self.params["state"] == "absent":
            return self.delete(instance)
        if instance is None:
            return self.deploy()
        return self.update(instance)


def execute(module):
    validate(module.params)
    module.validate_connection()
    module.deadline = module.started + module.params["wait_timeout"]
    result = Reconciler(module).run()
    if not module.diff_mode:
        result.pop("diff", None)
    return result


def main():
    module = FabricModule(ARGUMENT_SPEC, supports_check_mode=True, required_one_of=[("instance_id", "name")])
    module.run(execute)


if __name__ == "__main__":
    main()
