# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Execution environment: ansible-builder finds the collection's Python requirements (no container engine needed).

`ansible-builder build` runs `introspect` inside the image on the collections it installed; here it runs on
a folder where the built artifact is installed, which is the same input.
"""

from __future__ import annotations

import os

import yaml
from conftest import ROOT, explain, run, tool  # pylint: disable=import-error

INSTALLED = os.path.join("ansible_collections", "hwcloud", "dataarts")


def test_meta_execution_environment_names_the_requirements(installed):
    with open(os.path.join(str(installed), INSTALLED, "meta", "execution-environment.yml"), encoding="utf-8") as stream:
        meta = yaml.safe_load(stream)
    assert meta["version"] == 1
    dependencies = meta["dependencies"]
    assert dependencies["python"] == "requirements.txt"
    for kind in ("python", "system"):
        if kind in dependencies:
            assert os.path.isfile(os.path.join(str(installed), INSTALLED, dependencies[kind])), dependencies[kind]


def test_introspect_finds_requests(installed, tmp_path):
    pip_file = tmp_path / "requirements.txt"
    completed = run([tool("ansible-builder"), "introspect", "--sanitize", "--write-pip", str(pip_file), str(installed)])
    assert completed.returncode == 0, explain(completed)
    data = yaml.safe_load(completed.stdout.split("---", 1)[1])
    python = data["python"]
    assert any(line.startswith("requests") and "from collection hwcloud.dataarts" in line for line in python), python
    assert data["system"] == [], "no system package is needed: {0}".format(data["system"])
    written = pip_file.read_text(encoding="utf-8")
    assert "requests>=2.25.0" in written, written


def test_example_definition_makes_a_build_context(tmp_path):
    """examples/execution-environment.yml is a valid v3 definition: `ansible-builder create` writes its context."""
    context = tmp_path / "context"
    completed = run(
        [
            tool("ansible-builder"),
            "create",
            "-f",
            os.path.join(ROOT, "examples", "execution-environment.yml"),
            "--context",
            str(context),
            "--output-filename",
            "Containerfile",
        ]
    )
    assert completed.returncode == 0, explain(completed)
    with open(str(context / "_build" / "requirements.yml"), encoding="utf-8") as stream:
        galaxy = yaml.safe_load(stream)
    assert [item["name"] for item in galaxy["collections"]] == ["hwcloud.dataarts"]
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert "introspect" in containerfile
    assert "ansible-core==2.19.14" in containerfile
