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
  contains:
    id:
      description: The instance ID.
      type: str
    name:
      description: The instance's name.
      type: str
    description:
      description: The description (the API may leave it out when empty).
      type: str
    status:
      description:
        - The status. Transitional ones are C(PENDING), C(CREATING), C(UPDATING), C(STOPPING) and C(DELETING); the others
          (C(RUNNING), C(SUCCEEDED), C(FAILED), C(STOPPED), C(DELETED), and C(INACTIVE) and C(TRIAL_ENDED) that only the
          documentation lists) are steady.
      type: str
    source:
      description: The model the instance serves.
      type: dict
      contains:
        id:
          description: The model ID.
          type: str
        version_id:
          description: The model version ID.
          type: str
    endpoint_id:
      description: The inference endpoint the instance runs on.
      type: str
    config:
      description: The instance's configuration.
      type: dict
      contains:
        model_instance_config:
          description: The configuration of a model instance.
          type: dict
          contains:
            resource:
              description: The instance count and specification.
              type: dict
              contains:
                min:
                  description: The minimum number of instances.
                  type: int
                max:
                  description: The maximum number of instances.
                  type: int
                spec_code:
                  description: The resource specification.
                  type: str
    visibility:
      description: C(PRIVATE) or C(PUBLIC).
      type: str
    type:
      description: The instance type, C(LLM_MODEL) (or the deprecated C(PGSQL_SERVICE)).
      type: str
    create_time:
      description: When the instance was created, ISO 8601 as the API writes it.
      type: str
    update_time:
      description: When the instance was last changed, ISO 8601 as the API writes it.
      type: str
    error_code:
      description: The instance's own error code, when it is C(FAILED).
      type: str
    error_msg:
      description: The instance's own error message, when it is C(FAILED).
      type: str
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
waited:
  description:
    - How long the task waited and what it saw meanwhile, so that a slow run explains itself.
    - Covers every wait of the task (a transitional status waited out before the update, then the update itself).
  version_added: 1.0.0
  returned: when the task waited
  type: dict
  contains:
    seconds:
      description: The seconds spent waiting, on a monotonic clock.
      type: float
      sample: 6.2
    statuses:
      description:
        - Each status seen, when it changed, with the seconds since the first wait began; the latest 20 at most.
      type: list
      elements: dict
      sample:
        - {status: UPDATING, after_seconds: 0.0}
        - {status: RUNNING, after_seconds: 6.2}
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

from ansible_collections.hwcloud.dataarts.plugins.module_utils._module import FabricModule
from ansible_collections.hwcloud.dataarts.plugins.module_utils._reconcile import manage_instance

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


def main():
    module = FabricModule(ARGUMENT_SPEC, supports_check_mode=True, required_one_of=[("instance_id", "name")])
    module.run(manage_instance)


if __name__ == "__main__":
    main()
