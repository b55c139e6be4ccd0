# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Answers that are not the API's, and the faults of issue 11 that no reading switch covers.

A proxy's or WAF's sign-in page (200 and HTML), a redirect, an empty body where an operation needs one: a read fails
clearly naming the status and the content type; a write's outcome is then unknown, so the instance is read back before
anything is sent again. Deploy confirmation finding two instances, a DELETE answered 404, a hanging poll against the
task's deadline, and the TLS cases: a handshake dropped before anything was sent is retried, only a certificate
failure is reported as one, and a connection error keeps its cause however long the URL.
"""

from __future__ import annotations

import socket
import threading

import test_tls  # pylint: disable=import-error
from seed import BASE, INFO, MODULE, WS  # pylint: disable=import-error
from test_faults import applied_writes, clean_failure, log_of  # pylint: disable=import-error
from test_readings import by_task, case_id, deploy_args, ok, resource, show  # pylint: disable=import-error

# The HTTPS emulator and its certificates (a CA made at test time), shared with the TLS tests.
pki = test_tls.pki
tls_emulator = test_tls.tls_emulator


def of_path(log, instance_id):
    return [(entry["method"], entry["status"]) for entry in log if entry["path"] == show(instance_id)]


def names_the_answer(result, status, content_type):
    msg = result["msg"]
    assert "HTTP {0} with content type {1}".format(status, content_type) in msg, msg
    assert "not the API's" in msg, msg
    assert result["error"]["status"] == status and result["error"]["error_code"] == "unexpected_answer", result
    return msg


# ------------------------------------------------------------------------------------------ reads: a clear failure
READ_IDS = {name: case_id(0x61, number) for number, name in enumerate(("sign-in", "redirect", "empty", "empty-absent"))}


def test_a_read_answered_by_a_sign_in_page_a_redirect_or_nothing_fails_clearly(ansible, ctl):
    ctl.add_instances([{"id": instance_id, "name": "read-" + name, "workspace_id": WS} for name, instance_id in READ_IDS.items()])
    ctl.fault(method="GET", path=show(READ_IDS["sign-in"]) + "$", html=True, status=200, times=5)
    ctl.fault(method="GET", path=show(READ_IDS["redirect"]) + "$", redirect=True, times=5)
    ctl.fault(method="GET", path=show(READ_IDS["empty"]) + "$", empty=True, times=5)
    ctl.fault(method="GET", path=show(READ_IDS["empty-absent"]) + "$", empty=True, times=5)
    # The List rules are taken in the order of the tasks below (each a single request: a read is not resent).
    ctl.fault(method="GET", path=BASE + "$", html=True, status=200)
    ctl.fault(method="GET", path=BASE + "$", redirect=True)
    ctl.fault(method="GET", path=BASE + "$", empty=True)
    update = {"workspace_id": WS, "description": "never", "api_retries": 2}
    tasks = [
        {"name": "Show: sign-in page", MODULE: dict(update, instance_id=READ_IDS["sign-in"])},
        {"name": "Show: redirect", MODULE: dict(update, instance_id=READ_IDS["redirect"])},
        {"name": "Show: empty", MODULE: dict(update, instance_id=READ_IDS["empty"])},
        {"name": "Show: empty, state absent", MODULE: {"workspace_id": WS, "instance_id": READ_IDS["empty-absent"], "state": "absent"}},
        {"name": "List: sign-in page (info)", INFO: {"workspace_id": WS, "name": "read-sign-in"}},
        {"name": "List: redirect (by name)", MODULE: dict(update, name="read-redirect")},
        {"name": "List: empty (info)", INFO: {"workspace_id": WS}},
    ]
    run = ansible.playbook([dict(task, ignore_errors=True) for task in tasks])
    results = {name: clean_failure(run, entry["result"], entry["outcome"]) for name, entry in by_task(run).items()}
    assert sorted(results) == sorted(task["name"] for task in tasks)
    log = log_of(ctl)

    msg = names_the_answer(results["Show: sign-in page"], 200, "text/html")
    assert "Sign in" in msg, msg
    msg = names_the_answer(results["Show: redirect"], 302, "text/html")
    assert "a redirect to /_emulator/sign-in?service=" in msg, msg
    for name in ("Show: empty", "Show: empty, state absent"):
        assert "an empty body, where the API answers the instance" in names_the_answer(results[name], 200, "application/json")
    for name, instance_id in READ_IDS.items():
        assert of_path(log, instance_id) == [("GET", 302 if name == "redirect" else 200)], (name, log)  # never resent
    names_the_answer(results["List: sign-in page (info)"], 200, "text/html")
    assert "instances" not in results["List: sign-in page (info)"]  # no [] that would read as "none found"
    names_the_answer(results["List: redirect (by name)"], 302, "text/html")
    assert "an empty body, where the API answers a page of instances" in names_the_answer(results["List: empty (info)"], 200, "application/json")
    assert [entry["status"] for entry in log if entry["path"] == BASE] == [200, 302, 200]
    assert ctl.writes() == []
    assert [rule for rule in ctl.call("GET", "faults")["faults"] if rule["path"] == BASE + "$"] == [], "every List rule was met"


# ------------------------------------------------------------------- writes: read back before anything is resent
WRITE_IDS = {name: case_id(0x62, number) for number, name in enumerate(("sign-in-every-put", "redirect-applied", "sign-in-applied"))}


def test_a_write_answered_by_a_foreign_page_is_read_back_before_it_is_resent(ansible, ctl):
    ctl.config(update_seconds=0.5, deploy_seconds=0.5)
    ctl.add_instances(
        [
            dict({"id": instance_id, "name": "write-" + name, "workspace_id": WS, "description": "before"}, **resource(1, 2))
            for name, instance_id in WRITE_IDS.items()
        ]
    )
    ctl.fault(method="PUT", path=show(WRITE_IDS["sign-in-every-put"]) + "$", html=True, status=200, times=10)
    ctl.fault(method="PUT", path=show(WRITE_IDS["redirect-applied"]) + "$", redirect=True, apply=True)
    ctl.fault(method="PUT", path=show(WRITE_IDS["sign-in-applied"]) + "$", html=True, status=200, apply=True)
    # POST rules, taken in the order of the deploy tasks below.
    ctl.fault(method="POST", path=BASE + "$", empty=True, status=202, apply=True)
    ctl.fault(method="POST", path=BASE + "$", drop=True, apply=True, then={"create": {"name": "deploy-namesake", "workspace_id": WS}})
    ctl.fault(method="POST", path=BASE + "$", html=True, status=200)
    update = {"workspace_id": WS, "description": "after", "api_retries": 1}
    tasks = [
        {"name": "PUT: sign-in page every time", MODULE: dict(update, instance_id=WRITE_IDS["sign-in-every-put"])},
        {"name": "PUT: redirect after it took effect", MODULE: dict(update, instance_id=WRITE_IDS["redirect-applied"])},
        {"name": "PUT: sign-in page after it took effect", MODULE: dict(update, instance_id=WRITE_IDS["sign-in-applied"])},
        {"name": "POST: empty 202 after it took effect", MODULE: deploy_args("deploy-empty")},
        {"name": "POST: answer lost, and a namesake appeared", MODULE: deploy_args("deploy-namesake")},
        {"name": "POST: sign-in page before it took effect", MODULE: deploy_args("deploy-sign-in")},
    ]
    run = ansible.playbook([dict(task, ignore_errors=True) for task in tasks])
    results = by_task(run)
    log = log_of(ctl)

    every = clean_failure(run, results["PUT: sign-in page every time"]["result"], results["PUT: sign-in page every time"]["outcome"])
    names_the_answer(every, 200, "text/html")
    # Each PUT followed by the reads (three: a read right after a write may be stale) that found it had not taken effect;
    # nothing applied.
    confirmation = [("GET", 200)] * 3
    assert of_path(log, WRITE_IDS["sign-in-every-put"]) == [("GET", 200), ("PUT", 200)] + confirmation + [("PUT", 200)] + confirmation
    assert applied_writes([entry for entry in log if entry["path"] == show(WRITE_IDS["sign-in-every-put"])]) == []
    assert ctl.instance(WRITE_IDS["sign-in-every-put"])["description"] == "before"
    for case, status in (("redirect-applied", 302), ("sign-in-applied", 200)):
        name = "PUT: redirect after it took effect" if case == "redirect-applied" else "PUT: sign-in page after it took effect"
        result = ok(results[name], changed=True)
        assert result["instance"]["description"] == "after" and result["instance"]["status"] == "RUNNING", result
        mine = of_path(log, WRITE_IDS[case])
        assert mine[:3] == [("GET", 200), ("PUT", status), ("GET", 200)] and mine.count(("PUT", status)) == 1, mine
        assert [entry["method"] for entry in log if entry["path"] == show(WRITE_IDS[case])].count("PUT") == 1
        assert ctl.instance(WRITE_IDS[case])["description"] == "after"

    posts = [entry for entry in log if entry["method"] == "POST"]
    assert [(entry["body"]["name"], entry["status"], entry.get("applied_status")) for entry in posts] == [
        ("deploy-empty", 202, 202),
        ("deploy-namesake", None, 202),
        ("deploy-sign-in", 200, None),
        ("deploy-sign-in", 202, None),
    ]
    instances = ctl.instances()
    deployed = ok(results["POST: empty 202 after it took effect"], changed=True)
    empty_named = [item for item in instances if item["name"] == "deploy-empty"]
    assert len(empty_named) == 1 and deployed["instance"]["id"] == empty_named[0]["id"] and deployed["instance"]["status"] == "RUNNING"

    namesake = clean_failure(run, results["POST: answer lost, and a namesake appeared"]["result"], "failed")
    twins = sorted(item["id"] for item in instances if item["name"] == "deploy-namesake")
    assert len(twins) == 2
    assert "2 instances now have that name (ids: {0}); not deploying again".format(", ".join(twins)) in namesake["msg"], namesake["msg"]

    resent = ok(results["POST: sign-in page before it took effect"], changed=True)
    sign_in_named = [item for item in instances if item["name"] == "deploy-sign-in"]
    assert len(sign_in_named) == 1 and resent["instance"]["id"] == sign_in_named[0]["id"]
    # Between the sign-in page and the resend: the read by name that found nothing.
    between = [entry for entry in log if posts[2]["seq"] < entry["seq"] < posts[3]["seq"]]
    assert [(entry["method"], entry["path"], entry["query"].get("name")) for entry in between] == [("GET", BASE, ["deploy-sign-in"])]


# ------------------------------------------------------------------------------------- DELETE 404, hanging polls
DELETE_RACE_ID = case_id(0x63, 1)
DELETE_RACE_BY_NAME_ID = case_id(0x63, 2)
HANGING_ID = case_id(0x63, 3)


def test_a_delete_answered_404_and_a_hanging_poll(ansible, ctl):
    """Another client deletes the instance right after our read: the DELETE's 404 means already gone (ok, unchanged).
    A poll that hangs (api_timeout 6) ends by the task's wait_timeout (2 s), measured by the playbook itself."""
    ctl.add_instances(
        [
            {"id": DELETE_RACE_ID, "name": "delete-race", "workspace_id": WS},
            {"id": DELETE_RACE_BY_NAME_ID, "name": "delete-race-by-name", "workspace_id": WS},
            {"id": HANGING_ID, "name": "hanging-poll", "workspace_id": WS, "description": "before"},
        ]
    )
    ctl.fault(method="GET", path=show(DELETE_RACE_ID) + "$", then={"delete": DELETE_RACE_ID})
    ctl.fault(method="GET", path=BASE + "$", then={"delete": DELETE_RACE_BY_NAME_ID})
    ctl.fault(method="GET", path=show(HANGING_ID) + "$", delay=10, times=3)  # only polls: the task finds it by name
    run = ansible.playbook(
        [
            {"name": "delete by id", MODULE: {"workspace_id": WS, "instance_id": DELETE_RACE_ID, "state": "absent"}},
            {"name": "delete by name", MODULE: {"workspace_id": WS, "name": "delete-race-by-name", "state": "absent"}},
            {"name": "before", "ansible.builtin.set_fact": {"started": "{{ now().timestamp() }}"}},
            {
                "name": "hanging poll",
                MODULE: {"workspace_id": WS, "name": "hanging-poll", "description": "after", "api_timeout": 6, "wait_timeout": 2},
                "ignore_errors": True,
            },
            {"name": "after", "ansible.builtin.set_fact": {"task_seconds": "{{ now().timestamp() | float - started | float }}"}},
        ]
    )
    results = by_task(run)
    log = log_of(ctl)
    for name, instance_id in (("delete by id", DELETE_RACE_ID), ("delete by name", DELETE_RACE_BY_NAME_ID)):
        ok(results[name], changed=False)
        assert [entry["status"] for entry in log if entry["path"] == show(instance_id) and entry["method"] == "DELETE"] == [404], name
    hanging = clean_failure(run, results["hanging poll"]["result"], results["hanging poll"]["outcome"])
    assert "timed out after 2s" in hanging["msg"], hanging["msg"]
    task_seconds = float(results["after"]["result"]["ansible_facts"]["task_seconds"])
    assert task_seconds < 4, task_seconds
    # The update itself was sent once and applied; only seeing it through was cut short.
    assert [entry["method"] for entry in log if entry["path"] == show(HANGING_ID)].count("PUT") == 1
    assert ctl.instance(HANGING_ID)["description"] == "after"


# ---------------------------------------------------------------------------------------------------------- TLS
class FlakyTlsFront:
    """A TCP front for a TLS server: drops the first ``drop_first`` connections after reading the ClientHello (a
    handshake broken off before anything of the request was sent), relays every other one as it is."""

    def __init__(self, upstream_port, host="127.0.0.1", drop_first=0):
        self.upstream_port = upstream_port
        self.drop_first = drop_first
        self.connections = 0
        self.listener = socket.create_server((host, 0))
        self.port = self.listener.getsockname()[1]
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.connections <= self.drop_first:
                client.recv(4096)
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closing = True
        self.listener.close()


def closed_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def test_tls_only_a_certificate_failure_is_one_and_a_dropped_handshake_is_retried(ansible, tls_emulator, pki):
    tls_emulator.reset()
    flaky = FlakyTlsFront(tls_emulator.port, drop_first=1)
    mismatched = FlakyTlsFront(tls_emulator.port, host="127.0.0.2")  # the certificate names 127.0.0.1 and localhost
    long_path = "/" + "p" * 400
    read = {"workspace_id": WS, "name": "demo-llm", "api_retries": 2, "ca_path": pki["ca"]}
    try:
        tasks = [
            {"name": "handshake dropped once", INFO: dict(read, endpoint="https://127.0.0.1:{0}".format(flaky.port))},
            {"name": "unknown CA", INFO: dict(read, endpoint="https://127.0.0.1:{0}".format(flaky.port), ca_path=pki["other_ca"])},
            {"name": "hostname mismatch", INFO: dict(read, endpoint="https://127.0.0.2:{0}".format(mismatched.port))},
            {
                "name": "connection refused, long URL",
                INFO: dict(read, endpoint="http://127.0.0.1:{0}{1}".format(closed_port(), long_path), api_retries=0),
            },
        ]
        run = ansible.playbook([dict(task, ignore_errors=True) for task in tasks])
    finally:
        flaky.close()
        mismatched.close()
    results = by_task(run)
    dropped = ok(results["handshake dropped once"], changed=False)
    assert [item["name"] for item in dropped["instances"]] == ["demo-llm"]
    assert flaky.connections >= 2
    for name, cause in (("unknown CA", "unable to get local issuer certificate"), ("hostname mismatch", "mismatch")):
        failed = clean_failure(run, results[name]["result"], results[name]["outcome"])
        assert "TLS verification failed" in failed["msg"] and cause in failed["msg"] and "after 1 attempt(s)" in failed["msg"], failed["msg"]
    refused = clean_failure(run, results["connection refused, long URL"]["result"], results["connection refused, long URL"]["outcome"])
    assert "Connection refused" in refused["msg"] and "TLS" not in refused["msg"], refused["msg"]
