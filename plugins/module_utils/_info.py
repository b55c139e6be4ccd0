# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance_info: which instances a task selects, read in as few requests as the API allows."""

from __future__ import annotations

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _validate
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import FIELDS, InstancesApi

# Every managed field: an instance listed without one of them (the SDK's brief List items) is read in detail, so
# that the result has one shape whatever the List API carries.
ALL_FIELDS = tuple(field.option for field in FIELDS)

# The List API's filters, by the names of the module's ``filters`` keys (the same as the API's query keys).
FILTER_KEYS = ("endpoint_id", "source_id", "version_id", "type", "visibility")


def validate(params):
    _validate.check_id("workspace_id", params["workspace_id"])
    _validate.check_id("instance_id", params["instance_id"])
    _validate.check_name("name", params["name"])
    for key in ("endpoint_id", "source_id", "version_id"):
        _validate.check_id("filters." + key, (params["filters"] or {}).get(key))


def read_instances(module):
    """The task's result: the selected instances, all pages merged."""
    params = module.params
    validate(params)
    module.validate_connection()
    api = InstancesApi(module.client, params["workspace_id"])
    if params["instance_id"]:
        instance = api.show_or_none(params["instance_id"])
        return {"changed": False, "instances": [instance] if instance is not None else []}
    query = [(key, value) for key, value in sorted((params["filters"] or {}).items()) if value is not None and key in FILTER_KEYS]
    listed = api.list_named(params["name"], query) if params["name"] is not None else api.list(query)
    return {"changed": False, "instances": api.with_details(listed, ALL_FIELDS)}
