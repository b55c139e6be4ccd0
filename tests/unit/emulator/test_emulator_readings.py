# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readings the documentation leaves open: one configuration switch each (fabric_emulator/readings.py)."""

from __future__ import annotations

import datetime
import re
import signal

import pytest
import requests

from ansible_collections.hwcloud.dataarts.tests.unit.emulator.emulator_support import BRIEF_SHAPE, CANARY, DEMO, SHAPE, SPACED, run_cli, running_cli

MILLIS_Z_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ANY_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$")


def instant(text):
    """(whole seconds since the epoch, nanoseconds) of an ISO-8601 timestamp: the test's own parser."""
    match = ANY_TIME_RE.match(text)
    assert match, text
    base, fraction, zone = match.groups()
    if zone == "Z":
        offset = datetime.timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])) * (1 if zone[0] == "+" else -1)
    moment = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone(offset))
    return int(moment.timestamp()), int((fraction or "").ljust(9, "0"))


def stored(client, instance_id):
    response = client.control("GET", "instances/" + instance_id)
    assert response.status_code == 200, response.text
    return response.json()


def items(response):
    assert response.status_code == 200, response.text
    return response.json()["service_instances"]


# ------------------------------------------------------------------------ list_items
def test_list_items_full_by_default_and_brief_on_request(client):
    for item in items(client.list()):
        assert list(item) == SHAPE
    assert client.configure(list_items="brief")["list_items"] == "brief"
    listed = items(client.list())
    assert [item["id"] for item in listed] == [SPACED, CANARY, DEMO]
    for item in listed:
        assert list(item) == BRIEF_SHAPE
    by_id = {item["id"]: item for item in listed}
    assert by_id[DEMO]["name"] == "demo-llm" and by_id[DEMO]["source"]["id"]
    # Show keeps the full detail
    assert list(client.show(DEMO).json()) == SHAPE
    assert client.show(DEMO).json()["config"]["model_instance_config"]["resource"]["max"] == 2


def test_brief_items_drop_extra_fields_too(client):
    client.control("PATCH", "instances/" + DEMO, {"solution": "retry", "update_user": {"user_name": "x"}})
    assert "solution" in next(item for item in items(client.list()) if item["id"] == DEMO)
    client.configure(list_items="brief")
    assert list(next(item for item in items(client.list()) if item["id"] == DEMO)) == BRIEF_SHAPE


# -------------------------------------------------------------------- update_time_on
def test_update_time_moves_on_accept_by_default(client):
    before = client.show(DEMO).json()
    assert client.update(DEMO, {"name": "moved"}).status_code == 202
    during = client.show(DEMO).json()
    assert during["status"] == "UPDATING" and during["update_time"] > before["update_time"]
    after = client.wait_status(DEMO, "RUNNING").json()
    assert after["update_time"] > during["update_time"]


def test_update_time_moves_only_on_completion(client):
    assert client.configure(update_time_on="complete")["update_time_on"] == "complete"
    before = client.show(DEMO).json()
    assert client.update(DEMO, {"name": "moved"}).status_code == 202
    during = client.show(DEMO).json()
    assert during["status"] == "UPDATING" and during["update_time"] == before["update_time"]
    after = client.wait_status(DEMO, "RUNNING").json()
    assert after["name"] == "moved" and after["update_time"] > before["update_time"]


# ------------------------------------------------------------------------ write_body
def test_write_bodies_are_json_by_default(client):
    for response in (client.update(DEMO, {"name": "x"}), client.delete(CANARY)):
        assert response.status_code == 202
        assert response.headers["Content-Type"] == "application/json" and response.json() == {"id": response.url.rsplit("/", 1)[1]}


def test_write_bodies_empty(client):
    client.configure(write_body="empty")
    for response in (client.update(DEMO, {"name": "x"}), client.delete(CANARY)):
        assert response.status_code == 202
        assert response.content == b"" and response.headers["Content-Length"] == "0"
        assert "Content-Type" not in response.headers and "X-Request-Id" in response.headers
    assert client.show(DEMO).json()["status"] == "UPDATING" and client.show(CANARY).json()["status"] == "DELETING"
    deploy = client.deploy(
        {
            "source": {"id": "model-1"},
            "name": "still-json",
            "endpoint_id": "ep-1",
            "config": {"model_instance_config": {"resource": {"min": 1, "max": 1, "spec_code": "s"}}},
        }
    )
    assert deploy.status_code == 202 and set(deploy.json()) == {"id"}
    # errors keep their JSON body
    missing = client.update("00000000-0000-0000-0000-000000000000", {"name": "x"})
    assert missing.status_code == 404 and missing.json()["error_code"] == "common.01000001"


# --------------------------------------------------------------------------- numbers
def test_numbers_as_strings(client):
    shown = client.show(DEMO).json()
    assert shown["duration"] == 0 and shown["config"]["model_instance_config"]["resource"] == {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"}
    client.configure(numbers="string")
    shown = client.show(DEMO).json()
    assert shown["duration"] == "0"
    assert shown["config"]["model_instance_config"]["resource"] == {"min": "1", "max": "2", "spec_code": "mu.llama3.8b"}
    listed = {item["id"]: item for item in items(client.list())}
    assert listed[SPACED]["config"]["model_instance_config"]["resource"]["max"] == "4" and listed[SPACED]["duration"] == "0"
    client.configure(list_items="brief")
    assert all(item["duration"] == "0" for item in items(client.list()))
    # the store keeps integers; an update compares with them
    assert stored(client, DEMO)["config"]["model_instance_config"]["resource"]["min"] == 1
    assert client.update(DEMO, {"config": {"model_instance_config": {"resource": {"min": 1, "max": 3}}}}).status_code == 202


# ------------------------------------------------------------------------ timestamps
def test_timestamps_millis_z_by_default(client):
    for item in items(client.list()):
        assert MILLIS_Z_RE.match(item["create_time"]) and MILLIS_Z_RE.match(item["update_time"])


def test_timestamps_with_offset(client):
    client.configure(timestamps="offset")
    for instance_id in (DEMO, CANARY, SPACED):
        shown = client.show(instance_id).json()
        truth = stored(client, instance_id)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0800", shown["create_time"]), shown["create_time"]
        assert instant(shown["create_time"]) == instant(truth["create_time"])
        assert instant(shown["update_time"]) == instant(truth["update_time"])
    # 12:24:30.401Z is 20:24:30.401+0800
    client.control("PATCH", "instances/" + DEMO, {"update_time": "2023-05-30T12:24:30.401Z"})
    assert client.show(DEMO).json()["update_time"] == "2023-05-30T20:24:30.401+0800"


def test_timestamps_varied(client):
    # creation times with every number of significant fractional digits, plus the seed's whole seconds
    fractions = ["", ".5", ".25", ".125", ".0625", ".03125", ".015625", ".0078125", ".00390625", ".001953125"]
    specs = [{"name": "t%d" % index, "create_time": "2024-01-02T03:04:%02d%sZ" % (index, fraction)} for index, fraction in enumerate(fractions)]
    # and ten consecutive whole seconds
    specs += [{"name": "s%d" % index, "create_time": "2024-01-02T03:05:%02dZ" % index} for index in range(10)]
    ids = client.add_instances(*specs)
    truth = {instance_id: stored(client, instance_id) for instance_id in ids + [DEMO, CANARY, SPACED]}
    client.configure(timestamps="varied")
    shown = {item["id"]: item for item in items(client.list({"limit": 100}))}
    digits, zones = set(), set()
    for instance_id, item in shown.items():
        for key in ("create_time", "update_time"):
            match = ANY_TIME_RE.match(item[key])
            assert match, item[key]
            digits.add(len(match.group(2) or ""))
            zones.add(match.group(3))
            assert instant(item[key]) == instant(truth[instance_id][key]), (item[key], truth[instance_id][key])
    assert digits == set(range(10)), digits
    assert zones == {"Z", "+08:00", "+0800"}, zones
    # the same timestamp looks the same on every read
    assert client.show(DEMO).json()["create_time"] == shown[DEMO]["create_time"]
    # creation order still strictly increasing, by instant
    new_ids = client.add_instances({"name": "late-1"}, {"name": "late-2"}, {"name": "late-3"})
    created = [instant(client.show(instance_id).json()["create_time"]) for instance_id in [DEMO, CANARY, SPACED] + new_ids]
    assert created == sorted(created) and len(set(created)) == len(created)


def test_non_timestamps_pass_through(client):
    client.control("PATCH", "instances/" + DEMO, {"update_time": "yesterday"})
    for mode in ("millis_z", "offset", "varied"):
        client.configure(timestamps=mode)
        assert client.show(DEMO).json()["update_time"] == "yesterday"


# ------------------------------------------------------------------------ list_total
def test_list_total_readings(client):
    client.add_instances(*({"name": "bulk-%02d" % index} for index in range(25)))  # 28 in all
    assert client.list({"limit": 10}).json()["total"] == 28
    client.configure(list_total="missing")
    body = client.list({"limit": 10}).json()
    assert "total" not in body and len(body["service_instances"]) == 10
    client.configure(list_total="string")
    assert client.list({"limit": 10}).json()["total"] == "28"
    client.configure(list_total="wrong")
    seen = []
    for offset in (0, 10, 20, 30):
        page = client.list({"limit": 10, "offset": offset}).json()
        assert page["total"] < 28 and page["total"] == len(page["service_instances"])
        seen += [item["id"] for item in page["service_instances"]]
    assert len(seen) == len(set(seen)) == 28  # paging to a short page finds them all
    assert client.list({"limit": 100}).json()["total"] == 27  # one page holds all: still short of the real count
    assert client.list({"id": "no-such-id"}).json() == {"total": 0, "service_instances": []}


# ------------------------------------------------------------ List order and paging
def test_list_order_by_create_time_both_ways_and_paging(client):
    new_ids = client.add_instances(*({"name": "bulk-%02d" % index} for index in range(5)))
    oldest_first = [DEMO, CANARY, SPACED] + new_ids
    ascending = [item["id"] for item in items(client.list({"sort_by": "CREATE_TIME", "order_by": "ASC", "limit": 100}))]
    assert ascending == oldest_first
    assert [item["id"] for item in items(client.list({"limit": 100}))] == oldest_first[::-1]  # DESC by default
    pages = []
    for offset in range(0, 8, 3):
        pages += [item["id"] for item in items(client.list({"order_by": "ASC", "limit": 3, "offset": offset}))]
    assert pages == oldest_first


def test_list_orders_by_instant_whatever_the_form(client):
    # stored in other forms (seed data, another writer): 20:00+08:00 is 12:00Z, before 12:00:00.5Z
    first, second, third = client.add_instances(
        {"name": "c", "create_time": "2024-01-01T20:00:01+08:00"},
        {"name": "a", "create_time": "2024-01-01T12:00:00.5Z"},
        {"name": "b", "create_time": "2024-01-01T20:00:00.000+0800"},
    )
    ascending = [item["id"] for item in items(client.list({"order_by": "ASC", "limit": 100}))]
    assert ascending[:3] == [third, second, first]


@pytest.mark.parametrize("sort_by", ["NAME", "create_time", "", "UPDATE_TIME"])
def test_list_ignores_unknown_sort_keys(client, sort_by):
    client.add_instances({"name": "long-running", "duration": 999})
    default = [item["id"] for item in items(client.list({"order_by": "ASC"}))]
    assert [item["id"] for item in items(client.list({"sort_by": sort_by, "order_by": "ASC"}))] == default


def test_list_sorts_by_duration(client):
    slow, fast = client.add_instances({"name": "slow", "duration": 500}, {"name": "fast", "duration": 5})
    ascending = [item["id"] for item in items(client.list({"sort_by": "DURATION", "order_by": "ASC"}))]
    assert ascending[-2:] == [fast, slow]


# ------------------------------------------------------------ stale_reads_after_delete
def test_stale_reads_after_delete_show_the_instance_as_before(client):
    client.control("PATCH", "instances/" + DEMO, {"status": "FAILED", "error_code": "E1", "error_msg": "boom"})
    before = client.show(DEMO).json()
    client.configure(stale_reads_after_delete=3, delete_seconds=0)
    assert client.delete(DEMO).status_code == 202
    assert client.emulator.get_instance(DEMO) is None  # gone at once in the store
    assert client.show(DEMO).json() == before
    listed = [item for item in items(client.list()) if item["id"] == DEMO]
    assert listed == [before]
    assert client.show(DEMO).json() == before
    assert client.show(DEMO).status_code == 404
    assert DEMO not in [item["id"] for item in items(client.list())]
    assert client.delete(DEMO).status_code == 404  # writes see the truth


def test_stale_reads_after_delete_in_deleted_mode(client):
    client.configure(stale_reads_after_delete=1, delete_mode="deleted", delete_seconds=0)
    assert client.delete(CANARY).status_code == 202
    assert client.show(CANARY).json()["status"] == "RUNNING"
    assert client.show(CANARY).json()["status"] == "DELETED"


def test_no_stale_reads_after_delete_by_default(client):
    assert client.delete(CANARY).status_code == 202
    assert client.show(CANARY).json()["status"] == "DELETING"


def test_stale_reads_after_delete_end_with_a_reset(client):
    client.configure(stale_reads_after_delete=5, delete_seconds=0)
    client.delete(CANARY)
    client.control("POST", "reset", {"instances": []})
    assert client.request("GET", client.instance(CANARY)).status_code == 404


# ---------------------------------------------------------- FAILED, updated, FAILED again
@pytest.mark.parametrize("update_time_on", ["accept", "complete"])
def test_update_of_a_failed_instance_can_end_failed_again(client, update_time_on):
    client.control("PATCH", "instances/" + DEMO, {"status": "FAILED", "error_code": "E1", "error_msg": "first failure"})
    failed = client.show(DEMO).json()
    client.configure(update_time_on=update_time_on, fail_next_update={"error_code": "E2", "error_msg": "second failure"}, update_seconds=0)
    assert client.update(DEMO, {"config": {"model_instance_config": {"resource": {"min": 1, "max": 5}}}}).status_code == 202
    again = client.show(DEMO).json()
    assert again["status"] == "FAILED" and again["error_code"] == "E2" and again["error_msg"] == "second failure"
    assert again["update_time"] > failed["update_time"]
    assert again["config"]["model_instance_config"]["resource"]["max"] == 2  # not applied
    events = [(e["from"], e["to"]) for e in client.control("GET", "events").json()["events"] if e["instance_id"] == DEMO]
    assert events[-2:] == [("FAILED", "UPDATING"), ("UPDATING", "FAILED")]


def test_update_time_is_always_newer_even_within_a_millisecond(client, emulator):
    # a frozen wall clock: every bump still moves update_time forward
    with emulator.state.lock:
        real = emulator.state.wallclock
        frozen = real()
        emulator.state.wallclock = lambda: frozen
    try:
        client.configure(update_seconds=0)
        times = [client.show(DEMO).json()["update_time"]]
        for name in ("a", "b", "c"):
            assert client.update(DEMO, {"name": name}).status_code == 202
            times.append(client.show(DEMO).json()["update_time"])
        assert times == sorted(times) and len(set(times)) == len(times)
    finally:
        with emulator.state.lock:
            emulator.state.wallclock = real


# ------------------------------------------------------------------------ config
@pytest.mark.parametrize(
    "bad",
    [
        {"list_items": "short"},
        {"update_time_on": "never"},
        {"write_body": None},
        {"numbers": "float"},
        {"timestamps": "iso"},
        {"list_total": 3},
        {"stale_reads_after_delete": -1},
        {"stale_reads_after_delete": True},
    ],
)
def test_reading_values_are_checked(client, bad):
    response = client.control("PUT", "config", bad)
    assert response.status_code == 400 and list(bad)[0] in response.json()["error_msg"]


def test_readings_reset_to_defaults(client):
    client.configure(list_items="brief", numbers="string", timestamps="varied", list_total="missing", write_body="empty")
    client.control("POST", "reset")
    config = client.control("GET", "config").json()
    assert [config[key] for key in ("list_items", "numbers", "timestamps", "list_total", "write_body")] == [
        "full",
        "int",
        "millis_z",
        "exact",
        "json",
    ]


def test_python_configure(emulator, client):
    assert emulator.configure(list_items="brief", stale_reads_after_delete=2)["list_items"] == "brief"
    assert list(items(client.list())[0]) == BRIEF_SHAPE


def test_cli_flags(tmp_path):
    flags = {
        "--list-items": "brief",
        "--update-time-on": "complete",
        "--write-body": "empty",
        "--numbers": "string",
        "--timestamps": "offset",
        "--list-total": "wrong",
        "--stale-reads-after-delete": "2",
    }
    arguments = [part for flag, value in flags.items() for part in (flag, value)]
    with running_cli(tmp_path / "port", *arguments) as (process, port, line):
        assert line.startswith("fabric emulator listening on")
        config = requests.get("http://127.0.0.1:%d/_emulator/config" % port, timeout=5).json()
        assert {key: config[key] for key in config if key in {flag[2:].replace("-", "_") for flag in flags}} == {
            "list_items": "brief",
            "update_time_on": "complete",
            "write_body": "empty",
            "numbers": "string",
            "timestamps": "offset",
            "list_total": "wrong",
            "stale_reads_after_delete": 2,
        }
        listed = requests.get("http://127.0.0.1:%d/v1/workspaces/ws-demo/services/instances" % port, timeout=5).json()
        assert listed["service_instances"][0]["duration"] == "0" and listed["service_instances"][0]["create_time"].endswith("+0800")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_cli_rejects_an_unknown_reading():
    result = run_cli("--port", "0", "--list-items", "tiny")
    assert result.returncode == 2 and "--list-items" in result.stderr


def test_seed_timestamps_are_whole_seconds(client):
    # so that the "varied" reading can show them with no fractional digits, and still the same instant
    for instance_id in (DEMO, CANARY, SPACED):
        assert stored(client, instance_id)["create_time"].endswith(".000Z")
