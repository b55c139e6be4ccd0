# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The changelog: fragments and changelog.yaml lint clean, CHANGELOG.md is what antsibull-changelog makes of them."""

from __future__ import annotations

import os

import yaml
from conftest import ROOT, copy_tree, explain, galaxy_version, module_names, run, tool  # pylint: disable=import-error


def test_fragments_and_config_lint_clean():
    completed = run([tool("antsibull-changelog"), "lint"])
    assert completed.returncode == 0, explain(completed)
    assert not completed.stdout.strip(), explain(completed)


def test_changelog_yaml_lints_clean():
    completed = run([tool("antsibull-changelog"), "lint-changelog-yaml", os.path.join("changelogs", "changelog.yaml")])
    assert completed.returncode == 0, explain(completed)
    assert not completed.stdout.strip(), explain(completed)


def test_the_galaxy_version_is_released_and_every_module_in_a_release():
    with open(os.path.join(ROOT, "changelogs", "changelog.yaml"), encoding="utf-8") as stream:
        changelog = yaml.safe_load(stream)
    release = changelog["releases"][galaxy_version()]
    assert release["changes"]["release_summary"]
    assert release["changes"]["minor_changes"]
    assert release["release_date"]
    # Each module is announced (under "New Modules") by the release that added it.
    released = [entry["name"] for version in changelog["releases"].values() for entry in version.get("modules", [])]
    assert sorted(released) == module_names()


def test_changelog_md_is_up_to_date(tmp_path):
    """CHANGELOG.md regenerated from changelogs/changelog.yaml is byte for byte the committed one."""
    copy_tree(ROOT, str(tmp_path), ["galaxy.yml", "changelogs", "CHANGELOG.md"])
    completed = run([tool("antsibull-changelog"), "generate"], cwd=str(tmp_path))
    assert completed.returncode == 0, explain(completed)
    with open(os.path.join(ROOT, "CHANGELOG.md"), encoding="utf-8") as stream:
        committed = stream.read()
    with open(str(tmp_path / "CHANGELOG.md"), encoding="utf-8") as stream:
        generated = stream.read()
    assert committed == generated, "CHANGELOG.md is stale: run `.venv-docs/bin/antsibull-changelog generate`"
    assert "# hwcloud\\.dataarts Release Notes" in committed
    assert not os.path.exists(os.path.join(ROOT, "CHANGELOG.rst")), "CHANGELOG.md is the changelog; remove CHANGELOG.rst"
