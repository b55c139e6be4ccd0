# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance state=absent: a DELETE answered 404 is 'already gone' (unchanged) when another client got
there first, and this task's own change when it is the resend of a DELETE whose answer was lost."""

from __future__ import annotations

import requests
import responses

from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance as module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import ITEM_URL, instance
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.modules.test_fabric_service_instance import args, methods

GONE = {"status": 404, "json": {"error_code": "common.01000001", "error_msg": "response status exception, code: 404"}}


def test_a_resend_answered_404_after_a_stale_read_is_this_tasks_delete(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED"))
    mocked.add(responses.DELETE, ITEM_URL, body=requests.exceptions.ConnectionError("Connection aborted.', ConnectionResetError(104)"))
    # The confirmation read is stale: the instance as it was before the DELETE, so the DELETE is sent again.
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED"))
    mocked.add(responses.DELETE, ITEM_URL, **GONE)
    mocked.add(responses.GET, ITEM_URL, **GONE)
    result = run_module(module, args(state="absent"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "DELETE", "GET", "DELETE", "GET"]


def test_a_first_delete_answered_404_is_someone_elses(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.DELETE, ITEM_URL, **GONE)
    result = run_module(module, args(state="absent"))
    assert not result.get("failed") and result["changed"] is False
    assert methods(mocked) == ["GET", "DELETE"]
