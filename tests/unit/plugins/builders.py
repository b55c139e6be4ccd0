# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builders shared by the plugin unit tests: module arguments, API answers and a List API stand-in.

Imported as ``ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders``, the path the collection has both
here (tests/unit/conftest.py links the checkout into build/src) and under ``ansible-test units``.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import responses

ENDPOINT = "https://fabric.test"
LIST_URL = ENDPOINT + "/v1/workspaces/ws-1/services/instances"
ITEM_URL = LIST_URL + "/inst-1"


class _Drop:
    """Leaves an option out of the arguments; a stable repr keeps test ids equal across xdist workers."""

    def __repr__(self):
        return "<drop>"


DROP = _Drop()


def options(base, **over):
    """The module arguments ``base`` updated with ``over``, without those set to ``DROP``."""
    values = dict(base, **over)
    return {key: value for key, value in values.items() if value is not DROP}


# update_time of instance(): later answers carry later times.
T0 = "2026-11-28T09:00:00.000Z"


def instance(**over):
    """A Show answer for inst-1 (a RUNNING LLM service), with these top-level fields replaced or added."""
    item = {
        "id": "inst-1",
        "name": "demo",
        "description": "old description",
        "status": "RUNNING",
        "endpoint_id": "ep-1",
        "source": {"id": "model-1", "version_id": "ver-1"},
        "config": {"model_instance_config": {"resource": {"min": 2, "max": 4, "spec_code": "mu.llama3.8b"}}},
        "visibility": "PRIVATE",
        "type": "LLM_MODEL",
        "create_time": "2026-11-01T08:00:00.000Z",
        "update_time": T0,
    }
    item.update(over)
    return item


def serve(mocked, everything, total=None, reject_name=False):
    """The List API on LIST_URL: fuzzy name filter, limit/offset paging, a 'total' (the true count unless told);
    with ``reject_name``, a 400 for any name filter."""

    def callback(request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        if reject_name and "name" in query:
            return 400, {}, json.dumps({"error_code": "common.01000001", "error_msg": "name is invalid"})
        selected = [item for item in everything if query.get("name", "") in item["name"]]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
        page = selected[offset : offset + limit]
        return 200, {}, json.dumps({"total": len(selected) if total is None else total, "service_instances": page})

    mocked.add_callback(responses.GET, LIST_URL, callback=callback)


def sent_queries(mocked):
    """The queries sent, in order; each List query is checked to ask for the stable order (oldest first), which is
    then left out."""
    sent = []
    for call in mocked.calls:
        url = urlsplit(call.request.url)
        query = dict(parse_qsl(url.query))
        if url.path == urlsplit(LIST_URL).path:
            assert (query.pop("sort_by"), query.pop("order_by")) == ("CREATE_TIME", "ASC"), query
        sent.append(query)
    return sent
