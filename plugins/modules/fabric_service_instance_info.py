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
  - Reads DataArts Fabric (Fabric-ep) inference service instances of a workspace, by id, by exact name, or by the List API's
    filters, and returns them with every page merged.
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
extends_documentation_fragment:
  - hwcloud.dataarts._connection
  - hwcloud.dataarts._auth
  - hwcloud.dataarts._auth.method_choice
  - hwcloud.dataarts._attributes
  - hwcloud.dataarts._attributes.read_only
notes:
  - Lists with the largest page the API allows (100), so N instances cost ceil(N/100) requests, at least one.
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
"""

RETURN = r"""
instances:
  description: The instances found, as the API shows them (every page merged). Empty when none match.
  returned: always
  type: list
  elements: dict
  sample:
    - id: b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6
      name: demo-llm
      status: RUNNING
      endpoint_id: 0b5633ba2b904511ad514346f4d23d4b
      config:
        model_instance_config:
          resource: {min: 1, max: 2, spec_code: mu.llama3.8b}
"""

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _validate
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import InstancesApi
from ansible_collections.hwcloud.dataarts.plugins.module_utils._module import FabricModule

FILTER_KEYS = ("endpoint_id", "source_id", "version_id", "type", "visibility")

ARGUMENT_SPEC = dict(
    workspace_id=dict(type="str", required=True),
    instance_id=dict(type="str", aliases=["id"]),
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
)


def validate(params):
    _validate.check_id("workspace_id", params["workspace_id"])
    _validate.check_id("instance_id", params["instance_id"])
    _validate.check_name("name", params["name"])
    for key in ("endpoint_id", "source_id", "version_id"):
        _validate.check_id("filters." + key, (params["filters"] or {}).get(key))


def execute(module):
    params = module.params
    validate(params)
    module.validate_connection()
    api = InstancesApi(module.client, params["workspace_id"])
    if params["instance_id"]:
        instance = api.show_or_none(params["instance_id"])
        return {"changed": False, "instances": [instance] if instance is not None else []}
    query = [(key, value) for key, value in sorted((params["filters"] or {}).items()) if value is not None and key in FILTER_KEYS]
    if params["name"] is not None:
        return {"changed": False, "instances": api.list_named(params["name"], query)}
    return {"changed": False, "instances": api.list(query)}


def main():
    module = FabricModule(ARGUMENT_SPEC, supports_check_mode=True, mutually_exclusive=[("instance_id", "name"), ("instance_id", "filters")])
    module.run(execute)


if __name__ == "__main__":
    main()
