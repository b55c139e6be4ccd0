# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input through real ansible-playbook runs: every item fails cleanly and the emulator sees no request at all.

One looped task per module, a sample of the constraints (the unit tests in tests/unit/plugins/modules/test_bad_input.py
go through every documented one; this is the end-to-end proof with the built collection, real templating and real
environment variables). Loop items are printed by Ansible itself, so they hold no secret worth checking here:
test_secrets.py does that.
"""

from __future__ import annotations

from seed import CHAT_ID, INFO, WS  # pylint: disable=import-error

INSTANCE = "hwcloud.dataarts.fabric_service_instance"
TOKEN_MODULE = "hwcloud.dataarts.iam_token"
PASSWORD = "Pw-bad-input-4R9tK2mQ7xV1nL8s"


def base(**over):
    args = {"workspace_id": WS, "instance_id": CHAT_ID, "description": "new"}
    args.update(over)
    return {key: value for key, value in args.items() if value is not None}


INSTANCE_CASES = [
    (base(workspace_id="ws_demo"), "workspace_id must be 1 to 36"),
    (base(instance_id="i" * 37), "instance_id must be 1 to 36"),
    (base(name="bad/name"), "name must be 1 to 64"),
    (base(description="a <b> tag"), "description must not contain"),
    (base(source={"version_id": "v-1"}), "missing required arguments: id"),
    (base(resource={"min": 3, "max": 1001}), "resource.max must be between 1 and 1000"),
    (base(resource=4), "resource must be a dictionary with the keys max, min, spec_code, got 4 (int)"),
    (base(resource={"maxx": 3}), "resource.maxx"),
    (base(state="gone"), "value of state must be one of: present, absent"),
    (base(wait_timeout="soon"), "cannot be converted to an int"),
    (base(endpoint="http://127.0.0.1:99999"), "endpoint must be a URL with a valid host and port"),
    (base(ca_path="/nonexistent/hwcloud-ca.pem"), "ca_path '/nonexistent/hwcloud-ca.pem' does not exist"),
    (base(auth_token=""), "no complete authentication method"),
]

INFO_CASES = [
    ({"workspace_id": WS, "instance_id": CHAT_ID, "name": "x"}, "parameters are mutually exclusive: instance_id|name"),
    ({"workspace_id": WS, "filters": {"type": "GPU"}}, "value of type must be one of: LLM_MODEL, PGSQL_SERVICE"),
]

TOKEN_CASES = [
    ({"user_name": "alice", "domain_name": "acme", "project_id": "p-1", "iam_endpoint": "http://127.0.0.1:1"}, "iam_token needs password"),
]

# Environment variables are options too.
ENV_CASES = [
    ({"HW_FABRIC_ENDPOINT": "ftp://127.0.0.1:1"}, "endpoint must be an http:// or https:// URL"),
    ({"HW_AUTH_TOKEN": "", "HW_USER_NAME": "alice", "HW_PASSWORD": PASSWORD}, "given: password, user_name"),
]


def looped(name, module, cases):
    return {
        "name": name,
        module: "{{ item.args }}",
        "loop": [{"args": args, "text": text} for args, text in cases],
        "loop_control": {"label": "{{ item.text }}"},
        "ignore_errors": True,
    }


def test_bad_input_makes_no_request_at_all(ansible, ctl):
    env_task = {
        "name": "environment",
        INSTANCE: base(),
        "environment": "{{ item.env }}",
        "ignore_errors": True,
        "loop": [{"env": env, "text": text} for env, text in ENV_CASES],
        "loop_control": {"label": "{{ item.text }}"},
    }
    run = ansible.playbook(
        [
            looped("instance", INSTANCE, INSTANCE_CASES),
            looped("info", INFO, INFO_CASES),
            looped("iam_token", TOKEN_MODULE, TOKEN_CASES),
            env_task,
        ],
        check=False,
    )
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr
    results = {entry["task"]: entry["result"] for entry in run.results}
    expected = {"instance": INSTANCE_CASES, "info": INFO_CASES, "iam_token": TOKEN_CASES, "environment": ENV_CASES}
    tried = 0
    for task, cases in expected.items():
        items = results[task]["results"]
        assert len(items) == len(cases), (task, items)
        for item, (_args, text) in zip(items, cases):
            tried += 1
            assert item.get("failed") is True, (task, text, item)
            assert text in item["msg"], (task, text, item["msg"])
            assert "module_stderr" not in item and "Traceback" not in item["msg"], item
    assert tried == len(INSTANCE_CASES) + len(INFO_CASES) + len(TOKEN_CASES) + len(ENV_CASES)
    # Not one request reached the emulator: neither the Fabric API nor anything else it logs.
    assert ctl.requests(api_only=False) == []
    assert ctl.call("GET", "events")["events"] == []
