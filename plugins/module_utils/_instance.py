# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service-instance API, and the comparison of an instance with what a task asks for.

The comparison is pure (dicts in, dicts out) so that check mode and a real run compute
the same change, and so that it can be tested on its own.
"""

from __future__ import annotations

import copy

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricInputError, FabricUnexpectedAnswer
from ansible_collections.hwcloud.dataarts.plugins.module_utils._validate import ID_PATTERN

TRANSITIONAL = frozenset(("PENDING", "CREATING", "UPDATING", "STOPPING", "DELETING"))
GONE = frozenset(("DELETING", "DELETED"))
FAILED = "FAILED"
DELETED = "DELETED"
# The List API documents its name filter with the same rule as an id: 1-36 letters, digits, hyphens.
NAME_FILTER_PATTERN = ID_PATTERN
PAGE_SIZE = 100  # the API's maximum: fewest requests per listing
# Oldest first: an instance created while the pages are read lands on the last page, never before the offset.
STABLE_ORDER = (("sort_by", "CREATE_TIME"), ("order_by", "ASC"))
# How many times a listing starts over when the list shrank under it; then the last pass is taken as it is.
LIST_RESTARTS = 3
RESOURCE = ("config", "model_instance_config", "resource")


def _as_int(value):
    """A number the API sent, as an int: a gateway may turn JSON integers into numeric strings."""
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    return value


class Field:
    """One managed field, as the FIELDS table declares it.

    ``option``: the module option (``group.key`` for a sub-option); ``path``: where it lives in the API's shape;
    ``updatable``: whether PUT can change it; ``absent``: what a missing value means (the API may leave out an
    empty description); ``number``: compared as an integer; ``sent_with``: options whose current value must
    travel in the PUT body beside this one.
    """

    def __init__(self, option, path, updatable, absent=None, number=False, sent_with=()):
        self.option = option
        self.path = path
        self.updatable = updatable
        self.absent = absent
        self.number = number
        self.sent_with = sent_with

    def get(self, instance):
        value = instance
        for key in self.path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        if value is None:
            return self.absent
        return _as_int(value) if self.number else value

    def requested(self, params):
        """The value the task sets for this field, or None (unmanaged)."""
        group, _dot, key = self.option.rpartition(".")
        holder = (params.get(group) or {}) if group else params
        return holder.get(key)


FIELDS = (
    Field("name", ("name",), updatable=True),
    Field("description", ("description",), updatable=True, absent=""),
    Field("source.id", ("source", "id"), updatable=False),
    Field("source.version_id", ("source", "version_id"), updatable=False),
    Field("endpoint_id", ("endpoint_id",), updatable=False),
    Field("resource.min", RESOURCE + ("min",), updatable=False, number=True),
    # The API takes min and max together: a new max travels with the current min.
    Field("resource.max", RESOURCE + ("max",), updatable=True, number=True, sent_with=("resource.min",)),
    Field("resource.spec_code", RESOURCE + ("spec_code",), updatable=False),
)
FIELD_BY_OPTION = {field.option: field for field in FIELDS}


def _set_path(target, path, value):
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def requested_values(params):
    """{option: value} of every managed field the task names (None means unmanaged)."""
    return {field.option: field.requested(params) for field in FIELDS if field.requested(params) is not None}


def shaped(values):
    """{option: value} in the API's own nested shape (for diffs and bodies)."""
    result = {}
    for option, value in values.items():
        _set_path(result, FIELD_BY_OPTION[option].path, value)
    return result


class Plan:
    """What a task would change on an instance: the differences, the refusals, the PUT body."""

    def __init__(self, current, requested):
        self.current = current
        self.requested = requested
        self.before = {}
        self.after = {}
        self.changes = {}
        self.refused = []
        for option, wanted in requested.items():
            field = FIELD_BY_OPTION[option]
            have = field.get(current)
            self.before[option] = have
            self.after[option] = wanted
            if have != wanted:
                if field.updatable:
                    self.changes[option] = wanted
                else:
                    self.refused.append((option, have, wanted))

    @property
    def changed(self):
        return bool(self.changes)

    def check(self):
        """Raise, before any write, what the API cannot do."""
        if self.refused:
            fields = "; ".join("{0} (current {1!r}, requested {2!r})".format(option, have, wanted) for option, have, wanted in self.refused)
            raise FabricInputError("the API cannot change these fields of an existing instance (delete and deploy it anew instead): " + fields)
        new_max = self.changes.get("resource.max")
        current_min = FIELD_BY_OPTION["resource.min"].get(self.current)
        if new_max is not None and current_min is None:
            raise FabricInputError("the instance shows no resource.min, and the API needs it beside a new resource.max")
        if new_max is not None and new_max < current_min:
            raise FabricInputError("resource.max {0} is below the instance's current resource.min {1}".format(new_max, current_min))

    def body(self):
        """The PUT body: only the differing updatable fields, each with the current values it must travel with."""
        values = {}
        for option, value in self.changes.items():
            for companion in FIELD_BY_OPTION[option].sent_with:
                values[companion] = FIELD_BY_OPTION[companion].get(self.current)
            values[option] = value
        return shaped(values)

    def predicted(self):
        """The instance as it will look once the change is applied (check mode, wait: false)."""
        instance = copy.deepcopy(self.current)
        for option, value in self.changes.items():
            _set_path(instance, FIELD_BY_OPTION[option].path, value)
        return instance

    def diff(self):
        return {"before": shaped(self.before), "after": shaped(self.after)}


def shows(instance, requested):
    """Whether the instance shows every requested value."""
    return all(FIELD_BY_OPTION[option].get(instance) == value for option, value in requested.items())


def lacks_fields(item, options):
    """Whether an instance as listed lacks a field of ``options`` (the SDK's brief List items carry no config)."""
    for option in options:
        field = FIELD_BY_OPTION[option]
        if field.absent is None and field.path[0] not in item:
            return True
    return False


def _total(page, position):
    """The page's ``total`` when it can be believed: an integer (or numeric string) not below what was already read."""
    total = _as_int(page.get("total"))
    if isinstance(total, int) and not isinstance(total, bool) and total >= position:
        return total
    return None


def _id_of(item):
    return item.get("id") if isinstance(item, dict) else None


def _instance_body(response, method, path, what):
    """The JSON object an operation needs from its answer; anything else is a clear failure."""
    if isinstance(response.body, dict) and (response.body or response.confirmed):
        return response.body
    content_type = response.headers.get("Content-Type") if response.headers else None
    shown = "an empty body" if response.body is None else "JSON that is not {0}".format(what)
    raise FabricUnexpectedAnswer(response.status, method, path, content_type, "{0}, where the API answers {1}".format(shown, what))


class InstancesApi:
    """The Fabric-ep service-instance operations of one workspace."""

    def __init__(self, client, workspace_id):
        self.client = client
        self.base = "/v1/workspaces/{0}/services/instances".format(workspace_id)

    def path(self, instance_id):
        return "{0}/{1}".format(self.base, instance_id)

    def show(self, instance_id):
        path = self.path(instance_id)
        return _instance_body(self.client.request("GET", path), "GET", path, "the instance")

    def show_or_none(self, instance_id):
        """The instance, or None when the API answers 404 (it is gone)."""
        try:
            return self.show(instance_id)
        except FabricApiError as err:
            if err.status == 404:
                return None
            raise

    def with_details(self, items, options):
        """Listed instances completed from their details where the List items lack a field of ``options``.

        An instance that vanished between the List and its detail (404) is left out.
        """
        completed = []
        for item in items:
            if lacks_fields(item, options) and item.get("id"):
                item = self.show_or_none(item["id"])
            if item is not None:
                completed.append(item)
        return completed

    def list(self, query=None):
        """Every instance matching the (key, value) query pairs, all pages merged, each once.

        Paging holds while the list changes: the order asked for is stable (oldest first, so a new instance lands
        on the last page), items are de-duplicated by id, and a listing that may have skipped one (an instance deleted
        before the offset shifts the rest forward) starts over, from then on with pages that overlap by one item.
        """
        query = list(query or []) + list(STABLE_ORDER)
        overlap = False
        for _restart in range(LIST_RESTARTS):
            instances, unsure = self._list_pages(query, overlap)
            if not unsure:
                return instances
            overlap = True
        return self._list_pages(query, True)[0]

    def _list_pages(self, query, overlap=False):
        """One pass over the pages: (the instances, whether one may have been skipped because the list shifted).

        A page starts where the last one ended when a believable total vouches for that (a total that shrinks
        says an instance before the offset went away). Without one (total missing, or proven wrong), or with
        ``overlap``, a page starts at the last item already read: that item must come first again, else the
        list shifted under the reading.
        """
        by_id = {}
        offset, first_total, overlap_id = 0, None, None
        while True:
            response = self.client.request("GET", self.base, query=query + [("limit", PAGE_SIZE), ("offset", offset)])
            page = _instance_body(response, "GET", self.base, "a page of instances")
            items = page.get("service_instances") or []
            if not isinstance(items, list):
                raise FabricUnexpectedAnswer(
                    response.status, "GET", self.base, response.headers.get("Content-Type"), "service_instances is not a list"
                )
            if overlap_id is not None and (not items or _id_of(items[0]) != overlap_id):
                return list(by_id.values()), True
            for item in items:
                by_id.setdefault(_id_of(item), item)
            position = offset + len(items)
            total = _total(page, position)
            if total is None and offset and overlap_id is None:
                # Read where a total said the page starts, and that total proves wrong: nothing vouches for the offset.
                return list(by_id.values()), True
            if total is not None:
                first_total = total if first_total is None else first_total
                if total < first_total:
                    return list(by_id.values()), True
            if len(items) < PAGE_SIZE:
                return list(by_id.values()), False
            # A full first page whose total is its own length may be a total that counts the page: read on.
            if total is not None and position >= total and not (offset == 0 and total == len(items)):
                return list(by_id.values()), False
            overlap_id = _id_of(items[-1]) if overlap or total is None else None
            offset = position - 1 if overlap_id is not None else position

    def list_named(self, name, query=()):
        """Instances whose name is exactly ``name`` (the API's filter is fuzzy), among those ``query`` selects."""
        try:
            candidates = self.list([("name", name)] + list(query))
        except FabricApiError as err:
            # The List filter is documented narrower than names are; then match on our side. A name the filter
            # accepts was not the cause of a 400 (an unknown workspace, say): that error stands.
            if err.status != 400 or NAME_FILTER_PATTERN.fullmatch(name):
                raise
            candidates = self.list(query)
        return [item for item in candidates if isinstance(item, dict) and item.get("name") == name]

    def find_by_name(self, name):
        """The live instances named exactly ``name``: DELETING and DELETED count as absent."""
        return [item for item in self.list_named(name) if item.get("status") not in GONE]

    def update(self, instance_id, body, confirm_write):
        # Any 2xx is acceptance; its body (JSON, or none at all) is not used.
        self.client.request("PUT", self.path(instance_id), body=body, confirm_write=confirm_write)

    def deploy(self, body, confirm_write):
        """The new instance's id; an answer without one is read back (by name) before the task trusts it."""
        response = self.client.request("POST", self.base, body=body, confirm_write=confirm_write)
        created = response.body if isinstance(response.body, dict) else {}
        if created.get("id"):
            return created["id"]
        found = confirm_write()
        if found and found.get("id"):
            return found["id"]
        content_type = response.headers.get("Content-Type") if response.headers else None
        raise FabricUnexpectedAnswer(
            response.status, "POST", self.base, content_type, "no instance id in the answer, and no instance with the name is visible yet"
        )

    def delete(self, instance_id, confirm_write):
        # Any 2xx is acceptance: the body is documented as AnyType, and the SDK's response model is empty.
        self.client.request("DELETE", self.path(instance_id), confirm_write=confirm_write)
