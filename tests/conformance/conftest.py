# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance harness: the emulator driven by Huawei's generated client (huaweicloudsdkdataartsfabricep).

One emulator for the session, signed with AK/SK by the official SDK. Its lifecycle runs on a manual clock, so a
test sees UPDATING, CREATING and DELETING for as long as it wants and completes them by advancing the clock
exactly by the operation's duration (no sleeping, nothing left to the scheduler).
"""

from __future__ import annotations

import copy
import os
import sys
import warnings

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.warning.warning import TypeConversionWarning
from huaweicloudsdkdataartsfabricep.v1 import DataArtsFabricEpClient

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from fabric_emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from fabric_emulator.state import DEFAULT_SEED_PATH, load_seed  # noqa: E402  pylint: disable=wrong-import-position

WORKSPACE = "ws-demo"
ACCESS_KEY = "CONFORMANCEAK0000000"
SECRET_KEY = "conformance-secret-" + "Vq3Lx8Rt2Nw6Bz0Hk4Pd9Fs1Gm7Jc5Ya"
PROJECT_ID = "0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5"
# Each operation takes this long on the manual clock; advancing it by exactly this much completes the operation at
# the current wall-clock time (the emulator dates a completion `now - due` seconds in the past).
OPERATION_SECONDS = 5.0

ENDPOINT_ID = "0b5633ba2b904511ad514346f4d23d4b"
OTHER_ENDPOINT_ID = "7d1f3b5a9c2e4d6f8a0b1c3d5e7f9a2b"
SOURCE = {"id": "3f2a4c1e9b8d4e6f8a7b6c5d4e3f2a1b", "version_id": "7c6b5a4d3e2f41a0b9c8d7e6f5a4b3c2"}
OTHER_SOURCE = {"id": "5a7c9e1b3d5f47a9c1e3b5d7f9a1c3e5", "version_id": "2c4e6a8b0d2f44a6c8e0b2d4f6a8c0e2"}
DEMO_ID = "b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6"  # demo-llm (packaged seed): min 1, max 2
FAILED_ID = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

# The packaged seed plus instances that give every field a value worth checking: a FAILED one with its error, one
# with a duration, another endpoint and source, and enough of them (7) for three pages of two.
EXTRA_INSTANCES = [
    {
        "workspace_id": WORKSPACE,
        "id": FAILED_ID,
        "name": "demo-llm-broken",
        "description": "failed deployment",
        "endpoint_id": ENDPOINT_ID,
        "source": copy.deepcopy(SOURCE),
        "status": "FAILED",
        "error_code": "dataartsfabric.00040001",
        "error_msg": "Failed to deploy the service instance.",
        "config": {"model_instance_config": {"resource": {"min": 1, "max": 1, "spec_code": "mu.llama3.8b"}}},
    },
    {
        "workspace_id": WORKSPACE,
        "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "name": "long-runner",
        "description": "has run for an hour",
        "endpoint_id": OTHER_ENDPOINT_ID,
        "source": copy.deepcopy(OTHER_SOURCE),
        "duration": 3600,
        "config": {"model_instance_config": {"resource": {"min": 2, "max": 8, "spec_code": "mu.qwen2.7b"}}},
    },
    {
        "workspace_id": WORKSPACE,
        "id": "6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c",
        "name": "demo-llm-shadow",
        "endpoint_id": ENDPOINT_ID,
        "source": copy.deepcopy(SOURCE),
        "duration": 42,
    },
    {"workspace_id": WORKSPACE, "id": "0f1e2d3c-4b5a-4697-8877-665544332211", "name": "batch.worker 7", "visibility": "PUBLIC"},
]


def conformance_seed():
    seed = load_seed(DEFAULT_SEED_PATH)
    seed["instances"] = seed["instances"] + copy.deepcopy(EXTRA_INSTANCES)
    return seed


class ManualClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds=OPERATION_SECONDS):
        self.now += seconds


class Sdk:
    """The generated client, and a record of the type-conversion warnings each call raised."""

    def __init__(self, url):
        config = HttpConfig.get_default_config()
        config.ignore_ssl_verification = True
        config.timeout = (5, 30)
        credentials = BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT_ID)
        self.client = DataArtsFabricEpClient.new_builder().with_credentials(credentials).with_endpoints([url]).with_http_config(config).build()
        self.conversion_warnings = []

    def call(self, operation, request):
        """client.<operation>(request); the SDK's TypeConversionWarnings go to self.conversion_warnings."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            response = getattr(self.client, operation)(request)
        self.conversion_warnings.extend(str(item.message) for item in caught if issubclass(item.category, TypeConversionWarning))
        return response

    def deserialize(self, data, type_name):
        """What the SDK makes of JSON data as the given model (the path every answer takes)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.client._deserialize(data, type_name)  # pylint: disable=protected-access


class Emu:
    """The emulator with its manual clock and short-hands for the state the tests compare with."""

    def __init__(self, server, clock):
        self.server = server
        self.clock = clock

    def truth(self, instance_id):
        """The stored instance (lifecycle advanced), or None: what every answer must agree with."""
        return self.server.get_instance(instance_id)

    def workspace_instances(self):
        with self.server.state.lock:
            self.server.state.advance()
            return [self.server.state.internal_view(item) for item in self.server.state.in_workspace(WORKSPACE)]

    def requests(self, method=None):
        with self.server.state.lock:
            entries = list(self.server.state.requests)
        return [entry for entry in entries if method is None or entry["method"] == method]

    def complete_operations(self):
        self.clock.advance()


@pytest.fixture(scope="session")
def server():
    emulator = Emulator(
        seed=conformance_seed(),
        host="127.0.0.1",
        port=0,
        access_keys={ACCESS_KEY: {"secret_key": SECRET_KEY, "project_id": PROJECT_ID}},
        update_seconds=OPERATION_SECONDS,
        deploy_seconds=OPERATION_SECONDS,
        delete_seconds=OPERATION_SECONDS,
    )
    clock = ManualClock()
    with emulator.state.lock:
        emulator.state.clock = clock
    emulator.start()
    yield Emu(emulator, clock)
    emulator.stop()


@pytest.fixture(scope="session")
def sdk(server):
    return Sdk(server.server.url)


@pytest.fixture
def emu(server, sdk):
    """The emulator back at its seed and default configuration, with the manual clock in charge."""
    server.server.reset()
    with server.server.state.lock:
        server.server.state.clock = server.clock
    sdk.conversion_warnings = []
    return server
