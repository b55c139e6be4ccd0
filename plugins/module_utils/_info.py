# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance_info: which instances a task selects, read in as few requests as the API allows,
and the fleet wait: poll the List API until every selected instance is steady and shows what is expected."""

from __future__ import annotations

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _conditions, _validate
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricTimeoutError, FabricWaitError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import (
    FIELDS,
    GONE,
    InstancesApi,
    lacks_fields,
    requested_values,
)

# The List API's filters, by the names of the module's ``filters`` keys (the same as the API's query keys).
FILTER_KEYS = ("endpoint_id", "source_id", "version_id", "type", "visibility")
# Every managed field: an instance listed without one of them (the SDK's brief List items) is read in detail, so
# that the result has one shape whatever the List API carries.
ALL_FIELDS = tuple(field.option for field in FIELDS)
# How many stragglers a timeout names one by one (the rest are counted): the message stays readable for a fleet.
STRAGGLERS_NAMED = 20


def validate(params):
    _validate.check_id("workspace_id", params["workspace_id"])
    _validate.check_id("instance_id", params["instance_id"])
    _validate.check_name("name", params["name"])
    for key in ("endpoint_id", "source_id", "version_id"):
        _validate.check_id("filters." + key, (params["filters"] or {}).get(key))
    for index, instance_id in enumerate(params["instance_ids"] or []):
        _validate.check_id("instance_ids[{0}]".format(index), instance_id)
    expect = params["expect"] or {}
    _validate.check_name("expect.name", expect.get("name"))
    _validate.check_description("expect.description", expect.get("description"))
    resource = expect.get("resource") or {}
    _validate.check_resource("expect.resource", {"max": resource.get("max")})
    _validate.check_wait_timeout(params)


class Selection:
    """The instances a task selects: the one ``instance_id``, exactly ``instance_ids``, or those with the name, the
    filters, or the workspace."""

    def __init__(self, api, params):
        self.api = api
        self.name = params["name"]
        self.single = params["instance_id"]
        self.ids = [self.single] if self.single else list(dict.fromkeys(params["instance_ids"] or []))
        self.query = [(key, value) for key, value in sorted((params["filters"] or {}).items()) if value is not None and key in FILTER_KEYS]

    def read(self):
        """One reading of every selected instance: one instance by Show, else from the List API (all pages)."""
        if self.single:
            instance = self.api.show_or_none(self.single)
            return [instance] if instance is not None else []
        listed = self.api.list_named(self.name, self.query) if self.name is not None else self.api.list(self.query)
        if not self.ids:
            return listed
        by_id = {item.get("id"): item for item in listed}
        return [by_id[instance_id] for instance_id in self.ids if instance_id in by_id]

    def expected_ids(self, listed):
        """The ids the wait covers: the given ones (listed or not yet), else the live instances listed."""
        if self.ids:
            return self.ids
        return [item.get("id") for item in listed if item.get("status") not in GONE]


class FleetWait:
    """One poll of the fleet: which selected instances are done (steady and showing ``expect``), which pending."""

    def __init__(self, api, selection, expected):
        self.api = api
        self.selection = selection
        self.expected = expected
        self.done = {}
        self.failed = {}
        self.pending = {}
        self.order = []

    def poll(self):
        listed = {item.get("id"): item for item in self.selection.read()}
        self.pending = {}
        self.order = self.selection.expected_ids(list(listed.values()))
        for instance_id in self.order:
            if instance_id in self.done or instance_id in self.failed:
                continue
            self._judge(instance_id, listed.get(instance_id))
        if self.pending:
            return _conditions.Pending("{0} of {1} pending".format(len(self.pending), len(self.pending) + len(self.done) + len(self.failed)))
        return _conditions.Done(None, "all {0} steady".format(len(self.done) + len(self.failed)))

    def _judge(self, instance_id, seen):
        if seen is None:
            self.pending[instance_id] = "not listed"
            return
        if _conditions.is_steady(seen) and not _conditions.is_failed(seen) and lacks_fields(seen, self.expected):
            # Brief List items: the detail, read once the List shows the instance steady, says what it shows.
            seen = self.api.show_or_none(instance_id)
            if seen is None:
                self.pending[instance_id] = "not found"
                return
        if _conditions.is_transitional(seen):
            self.pending[instance_id] = _conditions.status_of(seen)
        elif _conditions.is_failed(seen):
            self.failed[instance_id] = seen
        elif _conditions.status_of(seen) in GONE:
            self.pending[instance_id] = _conditions.status_of(seen)
        elif _conditions.shows_requested(seen, self.expected):
            self.done[instance_id] = seen
        else:
            self.pending[instance_id] = "{0} (expected values not shown yet)".format(_conditions.status_of(seen))

    def stragglers(self):
        named = ["{0} ({1})".format(instance_id, status) for instance_id, status in sorted(self.pending.items())[:STRAGGLERS_NAMED]]
        more = len(self.pending) - len(named)
        return ", ".join(named) + (" and {0} more".format(more) if more > 0 else "")

    def instances(self):
        """Every instance the wait ended on, in the selection's order."""
        ended = dict(self.done, **self.failed)
        return [ended[instance_id] for instance_id in self.order if instance_id in ended]


def failed_summary(instance):
    return {key: instance.get(key) for key in ("id", "name", "status", "error_code", "error_msg")}


def read_instances(module):
    """The task's result: the selected instances, all pages merged; with wait, once every one is steady."""
    params = module.params
    waiter = module.start_task(validate)
    api = InstancesApi(module.client, params["workspace_id"])
    selection = Selection(api, params)
    if not params["wait"] or module.check_mode:
        # Read-only: check mode reads once and never waits.
        return {"changed": False, "instances": api.with_details(selection.read(), ALL_FIELDS)}
    fleet = FleetWait(api, selection, requested_values(params["expect"] or {}))
    try:
        waiter.wait(fleet.poll, params["wait_timeout"], "the selected instances", deadline=module.deadline)
    except FabricTimeoutError as err:
        raise FabricWaitError(
            "timed out after {0}s waiting for {1} instance(s) to be steady and show what is expected; still pending: {2}".format(
                params["wait_timeout"], len(fleet.pending), fleet.stragglers()
            )
        ) from err
    instances = api.with_details(fleet.instances(), ALL_FIELDS)
    # From the details: brief List items carry no error_code or error_msg.
    failed = [instance for instance in instances if instance.get("id") in fleet.failed]
    # Not "failed": Ansible reads that key as the task's outcome.
    result = {"changed": False, "instances": instances, "waited": waiter.waited(), "failed_instances": [failed_summary(item) for item in failed]}
    for instance in failed:
        module.warn(_conditions.failed_text(instance.get("id"), instance, "is FAILED"))
    return result
