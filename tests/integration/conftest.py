# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: the emulator on loopback, and real ansible-playbook / ansible runs of the built collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from fabric_emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position

SEED = os.path.join(ROOT, "fabric_emulator", "seed.json")
WORKSPACE = "ws-demo"
TOKEN = "itest-token-" + "7Qk2xVw9LmZt4RbN8cHs3JdF6pYaE1uG"
COLLECTIONS = os.environ.get("HWCLOUD_COLLECTIONS_PATH", os.path.join(ROOT, "build", "collections"))
BIN = os.path.dirname(sys.executable)
# ansible-test's integration targets live beside these tests; pytest leaves them to `ansible-test integration`.
collect_ignore = ["targets"]


class Control:
    """The emulator's control API, over HTTP like everything else."""

    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec - loopback test server
            text = response.read().decode("utf-8")
        return json.loads(text) if text else None

    def reset(self):
        self.call("POST", "reset")

    def requests(self, api_only=True):
        entries = self.call("GET", "requests")["requests"]
        return [entry for entry in entries if not api_only or entry["path"].startswith("/v1/")]

    def writes(self):
        return [entry for entry in self.requests() if entry["method"] in ("PUT", "POST", "DELETE")]

    def clear_log(self):
        self.call("DELETE", "requests")

    def config(self, **settings):
        return self.call("PUT", "config", settings)

    def fault(self, **rule):
        return self.call("POST", "faults", rule)

    def instance(self, instance_id):
        return self.call("GET", "instances/" + instance_id)

    def instances(self):
        return self.call("GET", "instances")["instances"]

    def add_instances(self, instances):
        return self.call("POST", "instances", {"instances": instances})

    def patch(self, instance_id, changes):
        return self.call("PATCH", "instances/" + instance_id, changes)


class RunResult:
    def __init__(self, completed, results):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.results = results

    @property
    def last(self):
        return self.results[-1]["result"] if self.results else {}

    def __repr__(self):
        return "RunResult(rc={0}, results={1!r}, stdout={2!r}, stderr={3!r})".format(self.rc, self.results, self.stdout[-3000:], self.stderr[-3000:])


class Ansible:
    """Runs real ansible-playbook / ansible against the emulator, with the built collection."""

    def __init__(self, emulator_url, tmp_path):
        self.emulator_url = emulator_url
        self.tmp_path = tmp_path
        self.count = 0

    def env(self, extra=None, connection=True):
        env = {key: value for key, value in os.environ.items() if not key.startswith(("HW_", "ANSIBLE_"))}
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
                "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
                "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
                "ANSIBLE_LOAD_CALLBACK_PLUGINS": "true",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "ANSIBLE_LOCALHOST_WARNING": "false",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
                "ANSIBLE_NOCOLOR": "true",
                "ANSIBLE_RETRY_FILES_ENABLED": "false",
                "ANSIBLE_HOME": str(self.tmp_path / "ansible-home"),
                "ANSIBLE_LOCAL_TEMP": str(self.tmp_path / "ansible-tmp"),
                "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
            }
        )
        if connection:
            env.update({"HW_FABRIC_ENDPOINT": self.emulator_url, "HW_AUTH_TOKEN": TOKEN})
        env.update(extra or {})
        return env

    def _run(self, argv, env):
        self.count += 1
        result_file = self.tmp_path / "results-{0}.jsonl".format(self.count)
        env = dict(env, HWCLOUD_RESULT_FILE=str(result_file))
        completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False, cwd=str(self.tmp_path))
        results = []
        if result_file.exists():
            results = [json.loads(line) for line in result_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        return RunResult(completed, results)

    def playbook(self, tasks_or_path, check=False, diff=False, verbosity=0, env=None, connection=True, extra_vars=None, play=None):
        """Run a playbook file, or a list of tasks wrapped in a localhost play."""
        if isinstance(tasks_or_path, (list, tuple)):
            document = dict({"name": "integration", "hosts": "localhost", "gather_facts": False, "tasks": list(tasks_or_path)}, **(play or {}))
            path = self.tmp_path / "play-{0}.yml".format(self.count + 1)
            path.write_text(json.dumps([document], indent=1), encoding="utf-8")
        else:
            path = tasks_or_path
        argv = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
        if check:
            argv.append("--check")
        if diff:
            argv.append("--diff")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        if extra_vars:
            argv += ["-e", json.dumps(extra_vars)]
        return self._run(argv, self.env(env, connection))

    def module(self, module, args, check=False, diff=False, env=None, connection=True):
        """One task of ``module`` with ``args``; returns the RunResult."""
        return self.playbook([{"name": "task under test", module: args}], check=check, diff=diff, env=env, connection=connection)

    def adhoc(self, module, args, check=False, env=None, verbosity=0):
        argv = [os.path.join(BIN, "ansible"), "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a", args]
        if check:
            argv.append("--check")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        return self._run(argv, self.env(env))


@pytest.fixture(scope="session")
def emulator():
    if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "hwcloud", "dataarts")):
        raise RuntimeError("the built collection is not installed in {0}: run `make build` (make integration does)".format(COLLECTIONS))
    server = Emulator(seed=SEED, host="127.0.0.1", port=0, tokens=[TOKEN], update_seconds=1.0, deploy_seconds=1.0, delete_seconds=0.5)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ctl(emulator):
    control = Control(emulator.url)
    control.reset()
    return control


@pytest.fixture
def ansible(emulator, ctl, tmp_path):  # pylint: disable=unused-argument
    return Ansible(emulator.url, tmp_path)
