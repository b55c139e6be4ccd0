# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ecosystem checks: generated docs, changelog, execution environment, Galaxy import.

They run with .venv-docs' Python (`make ecosystem`; tests/requirements-docs.txt), whose bin/ holds
antsibull-docs, antsibull-changelog, ansible-builder, galaxy-importer and an ansible-core of its own.
The Makefile points ANSIBLE_COLLECTIONS_PATH at a symlink farm to this working tree (for the docs) and
HWCLOUD_ARTIFACT at the built collection (for the install, introspection and import checks).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
COLLECTION = "hwcloud.dataarts"


def galaxy_version():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as stream:
        match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", stream.read(), re.MULTILINE)
    return match.group(1)


def module_names():
    """Every module of the collection, from the plugin files."""
    folder = os.path.join(ROOT, "plugins", "modules")
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".py") and not name.startswith("_"))


def tool(name):
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        raise RuntimeError("{0} is not installed next to {1}: run these tests with `make ecosystem` (.venv-docs)".format(name, sys.executable))
    return path


def run(argv, env=None, cwd=None, timeout=600):
    """Run a command with .venv-docs' bin first on PATH; returns the CompletedProcess (never raises on rc)."""
    full_env = dict(os.environ)
    full_env["PATH"] = BIN + os.pathsep + full_env.get("PATH", "")
    full_env.setdefault("ANSIBLE_NOCOLOR", "true")
    full_env.update(env or {})
    return subprocess.run(argv, env=full_env, cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def explain(completed):
    return "rc={0}\n--- stdout ---\n{1}\n--- stderr ---\n{2}".format(completed.returncode, completed.stdout[-6000:], completed.stderr[-6000:])


@pytest.fixture(scope="session")
def artifact():
    """The built collection artifact (make build)."""
    path = os.environ.get("HWCLOUD_ARTIFACT") or os.path.join(ROOT, "build", "hwcloud-dataarts-{0}.tar.gz".format(galaxy_version()))
    if not os.path.isfile(path):
        raise RuntimeError("the built collection {0} does not exist: run `make build` (make ecosystem does)".format(path))
    return path


@pytest.fixture(scope="session")
def installed(artifact, tmp_path_factory):
    """A collections folder where the built artifact is installed, as a user or an EE build would install it."""
    folder = tmp_path_factory.mktemp("installed")
    completed = run(
        [tool("ansible-galaxy"), "collection", "install", "--force", "-p", str(folder), artifact],
        env={"ANSIBLE_COLLECTIONS_PATH": str(folder), "ANSIBLE_HOME": str(folder / ".ansible")},
    )
    assert completed.returncode == 0, explain(completed)
    assert os.path.isfile(os.path.join(str(folder), "ansible_collections", "hwcloud", "dataarts", "MANIFEST.json"))
    return folder


def installed_env(folder):
    """Environment that sees only the collections installed in ``folder``."""
    return {
        "ANSIBLE_COLLECTIONS_PATH": str(folder),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_HOME": str(folder / ".ansible"),
        "ANSIBLE_DEPRECATION_WARNINGS": "true",
    }


def copy_tree(source, target, names):
    os.makedirs(target, exist_ok=True)
    for name in names:
        path = os.path.join(source, name)
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(target, name), ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".plugin-cache.yaml"))
        elif os.path.exists(path):
            shutil.copy2(path, os.path.join(target, name))
