# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The built artifact passes galaxy-importer (what Galaxy runs on upload) and ansible-doc reads every module.

galaxy-importer runs here with its defaults except flake8 turned on: metadata and file checks, ansible-doc on
every plugin, flake8, ansible-lint (offline). Its ansible-test step needs a container engine, which this
machine does not have (it is off by default); `make sanity` and `make matrix` run ansible-test instead.
"""

from __future__ import annotations

import json
import tarfile

import pytest
from conftest import COLLECTION, explain, installed_env, module_names, run, tool  # pylint: disable=import-error


@pytest.fixture(scope="module")
def imported(artifact, tmp_path_factory):
    work = tmp_path_factory.mktemp("galaxy-importer")
    env = {
        "GALAXY_IMPORTER_CONFIG": str(work / "none.cfg"),  # only the defaults and the variables below
        "GALAXY_IMPORTER_TMP_ROOT_DIR": str(work),
        "GALAXY_IMPORTER_RUN_FLAKE8": "true",
        "GALAXY_IMPORTER_RUN_ANSIBLE_LINT": "true",
        "GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT": "true",
        "GALAXY_IMPORTER_RUN_ANSIBLE_TEST": "false",
        "GALAXY_IMPORTER_CHECK_CHANGELOG": "true",
        "ANSIBLE_HOME": str(work / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(work / "tmp"),
    }
    completed = run([tool("python"), "-m", "galaxy_importer.main", "--print-result", artifact], env=env, cwd=str(work), timeout=900)
    return completed


def test_galaxy_importer_accepts_the_artifact(imported):
    assert imported.returncode == 0, explain(imported)
    assert "Importer processing completed successfully" in imported.stdout, explain(imported)
    log = imported.stdout.split("\n{", 1)[0] + "\n" + imported.stderr
    problems = [line for line in log.splitlines() if line.startswith(("ERROR", "WARNING")) or " ERROR " in line or "WARNING:" in line]
    problems = [line for line in problems if "Location 'file://" not in line]  # pip's index notes, not the importer's
    assert not problems, "\n".join(problems)


def test_galaxy_importer_sees_every_module_with_its_docs(imported):
    result = json.loads("{" + imported.stdout.split("\n{", 1)[1])
    assert result["requires_ansible"] == ">=2.16.0"
    modules = sorted(item["name"] for item in result["contents"] if item["content_type"] == "module")
    assert modules == module_names()
    docs = {item["content_name"]: item for item in result["docs_blob"]["contents"] if item["content_type"] == "module"}
    for module in module_names():
        strings = docs[module]["doc_strings"]
        assert strings["doc"]["options"], module
        assert strings["examples"], module
        assert strings["return"], module


def test_the_artifact_holds_the_collection_only(artifact):
    with tarfile.open(artifact) as archive:
        names = archive.getnames()
    for required in (
        "MANIFEST.json",
        "FILES.json",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "requirements.txt",
        "meta/runtime.yml",
        "meta/execution-environment.yml",
        "changelogs/changelog.yaml",
        "docs/modules/index.rst",
    ):
        assert required in names, required
    for module in module_names():
        assert "plugins/modules/{0}.py".format(module) in names
    for name in names:
        first = name.split("/", 1)[0]
        assert not first.startswith((".venv", "build", "bench", "fabric_emulator", "tools", ".git", ".pytest_cache", ".hypothesis")), name
        assert not name.startswith("tests/output"), name
        assert "__pycache__" not in name, name


def test_ansible_doc_lists_every_module(installed):
    completed = run([tool("ansible-doc"), "--list", "--json", COLLECTION], env=installed_env(installed))
    assert completed.returncode == 0, explain(completed)
    listed = sorted(name.split(".")[-1] for name in json.loads(completed.stdout))
    assert listed == module_names()


@pytest.mark.parametrize("module", module_names())
def test_ansible_doc_renders_the_module(installed, module):
    """ansible-doc on the installed artifact: text and JSON, no warning."""
    name = "{0}.{1}".format(COLLECTION, module)
    text = run([tool("ansible-doc"), "-t", "module", name], env=installed_env(installed))
    assert text.returncode == 0, explain(text)
    assert "[WARNING]" not in text.stderr and "[DEPRECATION" not in text.stderr, explain(text)
    assert "OPTIONS" in text.stdout and "EXAMPLES" in text.stdout and "RETURN VALUES" in text.stdout
    data = run([tool("ansible-doc"), "--json", "-t", "module", name], env=installed_env(installed))
    assert data.returncode == 0, explain(data)
    doc = json.loads(data.stdout)[name]
    assert doc["doc"]["version_added"] == "0.1.0"
    assert doc["doc"]["collection"] == COLLECTION
