# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets kept under faults: every credential option and environment variable, at -vvvv, in check mode, in diff
mode, and in failing runs (credential rejected, 500, Ansible's own argument validation), never shows a secret.

One playbook per authentication method, run at -vvvv with --diff: the same tasks once with the credentials as module
options and once from HW_* environment variables. Every secret is long and random; the scan covers stdout, stderr,
every recorded task result, the emulator's request log, and the tokens the emulator's IAM issued during the run.
(test_auth.py covers each method's success and its own failures; this file is the fault/diff/check matrix.)
"""

from __future__ import annotations

import json
import secrets

import pytest
from seed import CANARY_ID, CHAT_ID, DEMO_ID, ENV_OF, INFO, WS  # pylint: disable=import-error

INSTANCE = "hwcloud.dataarts.fabric_service_instance"
REGION = "cn-north-4"
PROJECT = secrets.token_hex(16)
USER = "secrets-user"
DOMAIN = "secrets-domain"

TOKEN = "MIIT-" + secrets.token_urlsafe(96)
AK = "AKSEC" + secrets.token_hex(10).upper()
SK = "SK-" + secrets.token_urlsafe(40)
SECURITY_TOKEN = "gQpjbi1ub3J0aC00" + secrets.token_urlsafe(160)
PASSWORD = "Pw-" + secrets.token_urlsafe(32)
WRONG = {"token": "MIIT-" + secrets.token_urlsafe(96), "aksk": "SK-" + secrets.token_urlsafe(40), "password": "Pw-" + secrets.token_urlsafe(32)}

METHODS = {
    "token": {"auth_token": TOKEN},
    "aksk": {"access_key": AK, "secret_key": SK, "security_token": SECURITY_TOKEN, "project_id": PROJECT},
    "password": {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "project_id": PROJECT},
}
# The option a rejected-credential task replaces, and what the failure says.
REJECTED = {
    "token": ("auth_token", "HTTP 401"),
    "aksk": ("secret_key", "APIG.0301"),
    "password": ("password", "IAM refused the password authentication of user '{0}' of domain '{1}'".format(USER, DOMAIN)),
}
SECRETS = (TOKEN, AK, SK, SECURITY_TOKEN, PASSWORD) + tuple(WRONG.values())
MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@pytest.fixture
def credentials(ctl):
    ctl.config(
        tokens=[TOKEN],
        access_keys={AK: {"secret_key": SK, "security_token": SECURITY_TOKEN, "projects": {REGION: PROJECT}}},
        iam_users=[{"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "projects": {REGION: PROJECT}}],
        update_seconds=0,
    )
    ctl.fault(method="*", path=DEMO_ID, status=500, times=100)
    return ctl


def tasks_for(method, source):
    """The matrix for one method. From "options", every task passes the credentials as module arguments; from "env",
    they come from the HW_* variables ansible-playbook was started with (a task's own ``environment:`` would be
    printed by Ansible itself at -vvv, whatever the module does), and the rejected task overrides one of them."""
    creds = METHODS[method] if source == "options" else {}
    option, _text = REJECTED[method]

    def task(name, module, args, over=None, **keywords):
        return dict({"name": "{0} ({1})".format(name, source), module: dict(args, **dict(creds, **(over or {})))}, **keywords)

    change = {"workspace_id": WS, "instance_id": CHAT_ID, "resource": {"max": 6}}
    return [
        task("diff", INSTANCE, dict(change, description="changed from " + source)),
        task("check", INSTANCE, dict(change, description="only predicted from " + source), check_mode=True),
        task("500", INSTANCE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "never", "api_retries": 0}, ignore_errors=True),
        task("rejected", INFO, {"workspace_id": WS, "instance_id": CANARY_ID, "api_retries": 0}, {option: WRONG[method]}, ignore_errors=True),
        # ansible-core stops collecting no_log values at a dict option given as text (ansible/ansible#81672)
        task("dict of the wrong type", INSTANCE, {"workspace_id": WS, "instance_id": CHAT_ID, "resource": "four"}, ignore_errors=True),
    ]


def scan(ctl, run, extra=()):
    """Every secret (and every IAM-issued token) against everything the run showed; returns how many were compared."""
    issued = [item["token"] for item in ctl.call("GET", "tokens")["tokens"]]
    outputs = {
        "stdout": run.stdout,
        "stderr": run.stderr,
        "results": json.dumps(run.results, default=str),
        "request log": json.dumps(ctl.requests(api_only=False)),
        "events": json.dumps(ctl.call("GET", "events")),
    }
    values = SECRETS + tuple(issued) + tuple(extra)
    for where, text in outputs.items():
        for value in values:
            assert value not in text, "a secret was shown in {0}".format(where)
            middle = value[len(value) // 2 - 8 : len(value) // 2 + 8]
            assert middle not in text, "a slice of a secret was shown in {0}".format(where)
    return issued, len(outputs) * len(values)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_no_secret_at_vvvv_in_diff_check_and_failing_runs(ansible, credentials, emulator, method):
    connection = {"endpoint": emulator.url}
    if method == "password":
        connection["iam_endpoint"] = emulator.url
    for source in ("options", "env"):
        credentials.clear_log()
        tasks = tasks_for(method, source)
        if source == "options":
            run = ansible.playbook(
                tasks, diff=True, verbosity=4, connection=False, play={"module_defaults": {"group/hwcloud.dataarts.fabric": connection}}
            )
        else:
            env = {ENV_OF[key]: value for key, value in dict(METHODS[method], **connection).items()}
            run = ansible.playbook(tasks, diff=True, verbosity=4, connection=False, env=env)
        assert run.rc == 0, run  # the failures are ignored, none of them crashed
        assert "Traceback (most recent call last)" not in run.stdout + run.stderr
        issued, compared = scan(credentials, run)
        assert compared > 0
        results = {entry["task"].rsplit(" (", 1)[0]: entry for entry in run.results}
        assert len(results) == len(tasks), sorted(results)
        assert MASK in run.stdout or source == "env"  # -vvvv really printed the module arguments, masked

        diff = results["diff"]
        assert diff["outcome"] == "ok" and diff["result"]["changed"] is True, diff
        assert diff["result"]["diff"]["after"]["description"] == "changed from " + source
        check = results["check"]
        assert check["outcome"] == "ok" and check["result"]["changed"] is True, check
        failed = results["500"]
        assert failed["outcome"] == "failed" and "HTTP 500" in failed["result"]["msg"], failed
        rejected = results["rejected"]
        assert rejected["outcome"] == "failed" and REJECTED[method][1] in rejected["result"]["msg"], rejected
        early = results["dict of the wrong type"]
        assert early["outcome"] == "failed" and "dictionary requested" in early["result"]["msg"], early
        # The check-mode task wrote nothing: one real update, through the credentials under test.
        puts = [entry for entry in credentials.requests() if entry["method"] == "PUT"]
        assert [entry["body"]["description"] for entry in puts] == ["changed from " + source]
        if method == "password":
            assert issued, "the password runs fetched IAM tokens, and they were scanned for too"


def test_no_secret_in_an_adhoc_run_with_the_token_on_the_command_line(ansible, credentials):
    """ansible -m ... -a 'auth_token=...' -vvvv, failing on a 500 (a rejected token: the playbook runs above)."""
    run = ansible.adhoc(
        INSTANCE,
        "workspace_id={0} instance_id={1} description=never api_retries=0 auth_token={2}".format(WS, DEMO_ID, TOKEN),
        verbosity=4,
        env={"HW_AUTH_TOKEN": ""},
    )
    assert run.rc != 0 and "HTTP 500" in run.last["msg"], run
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr
    scan(credentials, run)
