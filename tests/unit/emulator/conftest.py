# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the emulator tests: one emulator per test module, reset before every test."""

from __future__ import annotations

import os
import sys
import time

import pytest
import requests

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fabric_emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from fabric_emulator.state import DEFAULT_SEED_PATH  # noqa: E402  pylint: disable=wrong-import-position

FAST = {"update_seconds": 0.2, "deploy_seconds": 0.2, "delete_seconds": 0.2}


class Client:
    """A requests session bound to the emulator, with short-hands for the API and the control API."""

    def __init__(self, emulator, workspace="ws-demo"):
        self.emulator = emulator
        self.url = emulator.url
        self.workspace = workspace
        self.session = requests.Session()

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url + path, **kwargs)

    def instances(self, workspace=None):
        return "/v1/workspaces/%s/services/instances" % (workspace or self.workspace)

    def instance(self, instance_id, workspace=None):
        return "%s/%s" % (self.instances(workspace), instance_id)

    def list(self, params=None, **kwargs):
        return self.request("GET", self.instances(), params=params, **kwargs)

    def show(self, instance_id, **kwargs):
        return self.request("GET", self.instance(instance_id), **kwargs)

    def update(self, instance_id, body, **kwargs):
        return self.request("PUT", self.instance(instance_id), json=body, **kwargs)

    def deploy(self, body, **kwargs):
        return self.request("POST", self.instances(), json=body, **kwargs)

    def delete(self, instance_id, **kwargs):
        return self.request("DELETE", self.instance(instance_id), **kwargs)

    def control(self, method, path, body=None):
        response = self.request(method, "/_emulator/" + path, json=body)
        return response

    def configure(self, **values):
        response = self.control("PUT", "config", values)
        assert response.status_code == 200, response.text
        return response.json()

    def fault(self, **rule):
        response = self.control("POST", "faults", rule)
        assert response.status_code == 201, response.text
        return response.json()

    def add_instances(self, *specs):
        """Instances put straight into the emulator's state through the control API: their ids."""
        response = self.control("POST", "instances", {"instances": list(specs)})
        assert response.status_code == 201, response.text
        return [item["id"] for item in response.json()["instances"]]

    def wait_status(self, instance_id, status, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            response = self.show(instance_id)
            current = response.json().get("status") if response.status_code == 200 else response.status_code
            if current == status:
                return response
            if time.monotonic() > deadline:
                raise AssertionError("instance %s: still %r, wanted %r" % (instance_id, current, status))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def emulator():
    emu = Emulator(seed=DEFAULT_SEED_PATH, host="127.0.0.1", port=0, **FAST)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def client(emulator):
    emulator.state.reset()
    api = Client(emulator)
    yield api
    api.session.close()
