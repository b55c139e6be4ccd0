# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the plugin unit tests: a fake monotonic clock, a strict HTTP stub, loopback servers that fail
in chosen ways, and a module's ``main()`` driven with module arguments, its printed JSON result read back."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import threading

import pytest
import responses
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _module

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None


class FakeTime:
    """A monotonic clock that only moves when ``sleep`` is called; every pause is recorded."""

    def __init__(self, start=1000.0):
        self.start = start
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, "negative sleep {0}".format(seconds)
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def elapsed(self):
        return self.now - self.start


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def mocked():
    """``responses`` active for the test: an unregistered URL is a failed call (and is still counted in ``calls``)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


class Loopback:
    """A one-purpose TCP server on 127.0.0.1: ``mode`` is what it does with each connection."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.held = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            if self.mode == "silent":  # read, never answer: a read timeout
                conn.recv(65536)
                self.held.append(conn)
            elif self.mode == "reset":  # read, then close without a word
                conn.recv(65536)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()
            elif self.mode == "garbage":  # not HTTP at all (and not TLS)
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01binary")
                conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def loopback():
    """``loopback(mode, scheme="http")`` -> the URL of a Loopback server in that mode, closed after the test; mode
    ``refused``: a port nobody listens on."""
    servers = []

    def start(mode, scheme="http"):
        if mode == "refused":
            return "{0}://127.0.0.1:{1}".format(scheme, closed_port())
        servers.append(Loopback(mode))
        return "{0}://127.0.0.1:{1}".format(scheme, servers[-1].port)

    yield start
    for server in servers:
        server.close()


@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


def warning_text(item):
    """A warning as text: a plain string before core 2.19, a serialised WarningSummary since."""
    if isinstance(item, dict):
        return item.get("event", {}).get("msg", json.dumps(item))
    return item


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No HW_* variable of the machine running the tests leaks into a module's options."""
    for name in list(os.environ):
        if name.startswith("HW_"):
            monkeypatch.delenv(name)


@pytest.fixture
def run_module(capsys, monkeypatch, fake_time):
    """``run_module(module, args, check_mode=False, diff=False)`` -> the result dict (``failed`` set on failure);
    with ``with_output=True`` -> (the result dict, all the module printed), for a scan of the raw text."""

    def run(module, args, check_mode=False, diff=False, with_output=False):
        if hasattr(ansible_warnings, "_global_warnings"):
            # Core keeps warnings at module level: a list before 2.19, a dict since.
            monkeypatch.setattr(ansible_warnings, "_global_warnings", type(ansible_warnings._global_warnings)())
        monkeypatch.setattr(module, "FabricModule", functools.partial(_module.FabricModule, clock=fake_time.clock, sleep=fake_time.sleep))
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with module_args(args), pytest.raises(SystemExit) as exited:
            module.main()
        printed = capsys.readouterr()
        result = json.loads(printed.out)
        assert bool(result.get("failed")) == (exited.value.code != 0)
        result["warning_texts"] = [warning_text(item) for item in result.get("warnings", [])]
        if with_output:
            return result, printed.out + printed.err
        return result

    return run
