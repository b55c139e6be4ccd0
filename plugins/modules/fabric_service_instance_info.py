#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fabric_service_instance_info
short_description: Read Huawei Cloud DataArts Fabric inference service instances
version_added: 0.1.0
description:
  - Reads DataArts Fabric (Fabric-ep) inference service instances of a workspace, by id, by exact name, by a list of ids, or by
    the List API's filters, and returns them with every page merged, in one shape whatever the List API's items carry.
  - With O(wait=true) it waits until every selected instance is steady and shows O(expect), polling the List API (one request
    per 100 instances per poll). It is the fast way to wait for a fleet-wide change made by a loop with O(wait=false).
author:
  - hwcloud.dataarts contributors (@hwcloud-dataarts)
options:
  workspace_id:
    description:
      - The DataArts Fabric workspace. 1 to 36 letters, digits or hyphens.
    type: str
    required: true
  instance_id:
    description:
      - One instance by id. An instance that does not exist gives an empty list, not a failure.
      - With O(wait=true) the wait reads this instance by id, one request per poll; one that does not exist is pending.
      - Cannot be combined with O(name) or O(filters).
    type: str
    aliases: [id]
  name:
    description:
      - Only the instances with exactly this name (case-sensitive; the API's own name filter is fuzzy).
    type: str
  filters:
    description:
      - Filters passed to the List API.
    type: dict
    suboptions:
      endpoint_id:
        description: Only instances on this inference endpoint.
        type: str
      source_id:
        description: Only instances of this model (or service) ID.
        type: str
      version_id:
        description: Only instances of this model (or service) version ID.
        type: str
      type:
        description: Only instances of this type.
        type: str
        choices: [LLM_MODEL, PGSQL_SERVICE]
      visibility:
        description: V(PRIVATE) for your own instances, V(PUBLIC) for every public one. Both of yours when not set.
        type: str
        choices: [PRIVATE, PUBLIC]
  instance_ids:
    description:
      - Exactly these instances (for example the ones a loop just changed), so that other changes in the workspace neither block
        nor fail a wait. Each 1 to 36 letters, digits or hyphens.
      - Can be combined with O(filters) (which narrow the listing), not with O(instance_id) or O(name).
    type: list
    version_added: 1.0.0
    elements: str
  wait:
    description:
      - Wait until every selected instance is in a steady status and shows O(expect).
      - A steady instance that still shows other values is pending (a read right after a write may be stale). An instance that
        ends C(FAILED) ends its wait; it is listed in RV(failed_instances) and in a warning.
      - Without O(instance_ids), the instances being deleted (C(DELETING), C(DELETED)) are left out of the wait.
      - Check mode reads once and never waits.
    type: bool
    version_added: 1.0.0
    default: false
  wait_timeout:
    description:
      - How many seconds to wait at the most, on a monotonic clock (1 to 86400). On timeout the task fails naming each instance
        still pending and its status.
    type: int
    version_added: 1.0.0
    default: 600
  expect:
    description:
      - The values every selected instance must show before the wait ends, in the shapes of M(hwcloud.dataarts.fabric_service_instance)'s
        options. Used with O(wait=true).
    type: dict
    version_added: 1.0.0
    suboptions:
      name:
        description: The name every selected instance shows.
        type: str
      description:
        description: The description every selected instance shows.
        type: str
      resource:
        description: The resource every selected instance shows.
        type: dict
        suboptions:
          max:
            description: The maximum number of instances.
            type: int
extends_documentation_fragment:
  - hwcloud.dataarts._connection
  - hwcloud.dataarts._auth
  - hwcloud.dataarts._auth.method_choice
  - hwcloud.dataarts._attributes
  - hwcloud.dataarts._attributes.read_only
notes:
  - Lists with the largest page the API allows (100), so N instances cost ceil(N/100) requests, at least one, per read or poll.
  - Where the List API's items lack the configuration (the official SDK's brief items), each instance's detail is read once.
  - A wait polls about once a second at first, backing off towards 10 seconds on long waits, as M(hwcloud.dataarts.fabric_service_instance) does.
seealso:
  - module: hwcloud.dataarts.fabric_service_instance
"""

EXAMPLES = r"""
- name: Read one instance by its exact name
  hwcloud.dataarts.fabric_service_instance_info:
    region: cn-north-4
    workspace_id: "{{ workspace_id }}"
    name: demo-llm
  register: found

- name: Use what was read
  ansible.builtin.debug:
    msg: "{{ found.instances[0].id }} is {{ found.instances[0].status }}"
  when: found.instances | length == 1

- name: Every private instance on one endpoint
  hwcloud.dataarts.fabric_service_instance_info:
    region: cn-north-4
    workspace_id: "{{ workspace_id }}"
    filters:
      endpoint_id: 0b5633ba2b904511ad514346f4d23d4b
      visibility: PRIVATE
  register: on_endpoint

- name: Fleet-wide change, part 1 - send every update without waiting
  hwcloud.dataarts.fabric_service_instance:
    region: cn-north-4
    workspace_id: "{{ workspace_id }}"
    instance_id: "{{ item }}"
    resource:
      max: 8
    wait: false
  loop: "{{ fleet_ids }}"

- name: Fleet-wide change, part 2 - wait for all of them at once
  hwcloud.dataarts.fabric_service_instance_info:
    region: cn-north-4
    workspace_id: "{{ workspace_id }}"
    instance_ids: "{{ fleet_ids }}"
    wait: true
    expect:
      resource:
        max: 8
  register: fleet
"""

RETURN = r"""
instances:
  description: The instances found, as the API shows them (every page merged). Empty when none match.
  returned: always
  type: list
  elements: dict
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
    - id: b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6
      name: demo-llm
      status: RUNNING
      endpoint_id: 0b5633ba2b904511ad514346f4d23d4b
      config:
        model_instance_config:
          resource: {min: 1, max: 2, spec_code: mu.llama3.8b}
failed_instances:
  description:
    - The instances a wait ended on in status C(FAILED), with their own error (each also in a warning).
    - Not called C(failed), which Ansible reserves for the task's own outcome (a non-empty list would fail the task).
  version_added: 1.0.0
  returned: when O(wait=true) and not in check mode
  type: list
  elements: dict
  sample:
    - {id: b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6, name: demo-llm, status: FAILED, error_code: ModelArts.0001, error_msg: no capacity}
waited:
  description:
    - How long the task waited and the fleet's progress it saw meanwhile (how many instances were pending).
  version_added: 1.0.0
  returned: when O(wait=true) and not in check mode
  type: dict
  contains:
    seconds:
      description: The seconds spent waiting, on a monotonic clock.
      type: float
      sample: 12.4
    statuses:
      description: Each change of progress, with the seconds since the wait began; the latest 20 at most.
      type: list
      elements: dict
      sample:
        - {status: 200 of 200 pending, after_seconds: 0.0}
        - {status: 12 of 200 pending, after_seconds: 3.1}
        - {status: all 200 steady, after_seconds: 4.2}
"""

from ansible_collections.hwcloud.dataarts.plugins.module_utils._info import read_instances
from ansible_collections.hwcloud.dataarts.plugins.module_utils._module import FabricModule

ARGUMENT_SPEC = dict(
    workspace_id=dict(type="str", required=True),
    instance_id=dict(type="str", aliases=["id"]),
    instance_ids=dict(type="list", elements="str"),
    name=dict(type="str"),
    filters=dict(
        type="dict",
        options=dict(
            endpoint_id=dict(type="str"),
            source_id=dict(type="str"),
            version_id=dict(type="str"),
            type=dict(type="str", choices=["LLM_MODEL", "PGSQL_SERVICE"]),
            visibility=dict(type="str", choices=["PRIVATE", "PUBLIC"]),
        ),
    ),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=600),
    expect=dict(
        type="dict",
        options=dict(
            name=dict(type="str"),
            description=dict(type="str"),
            resource=dict(type="dict", options=dict(max=dict(type="int"))),
        ),
    ),
)

MUTUALLY_EXCLUSIVE = [("instance_id", "name"), ("instance_id", "filters"), ("instance_id", "instance_ids"), ("instance_ids", "name")]


def main():
    module = FabricModule(ARGUMENT_SPEC, supports_check_mode=True, mutually_exclusive=MUTUALLY_EXCLUSIVE)
    module.run(read_instances)


if __name__ == "__main__":
    main()
