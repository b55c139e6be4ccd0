# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive a module's ``main()`` with module arguments and read the JSON result it prints."""

from __future__ import annotations

import contextlib
import functools
import json
import os

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _module

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None


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
    """``run_module(module, args, check_mode=False, diff=False)`` -> the result dict (``failed`` set on failure)."""

    def run(module, args, check_mode=False, diff=False):
        # A fresh warning store per run (core keeps them at module level: a list before 2.19, a dict since).
        if hasattr(ansible_warnings, "_global_warnings"):
            monkeypatch.setattr(ansible_warnings, "_global_warnings", type(ansible_warnings._global_warnings)())
        monkeypatch.setattr(module, "FabricModule", functools.partial(_module.FabricModule, clock=fake_time.clock, sleep=fake_time.sleep))
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with module_args(args), pytest.raises(SystemExit) as exited:
            module.main()
        result = json.loads(capsys.readouterr().out)
        assert bool(result.get("failed")) == (exited.value.code != 0)
        result["warning_texts"] = [warning_text(item) for item in result.get("warnings", [])]
        return result

    return run
