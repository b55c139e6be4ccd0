# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/modules/ is what antsibull-docs makes of the code, passes its linter, and renders every option."""

from __future__ import annotations

import difflib
import html
import json
import os
import re

import pytest
from conftest import COLLECTION, ROOT, explain, module_names, run, tool  # pylint: disable=import-error
from docutils.core import publish_parts  # pylint: disable=import-error

DOCS = os.path.join(ROOT, "docs", "modules")
# What `make docs` runs (keep in step with ANTSIBULL_DOCS_ARGS in the Makefile).
ANTSIBULL_DOCS_ARGS = ["collection", "--use-current", "--squash-hierarchy", "--fail-on-error", "--output-format", "simplified-rst"]
# The settings GitHub renders .rst files with (github/markup's rest2html), warnings made fatal.
RENDER_SETTINGS = {
    "raw_enabled": True,
    "file_insertion_enabled": False,
    "strip_comments": True,
    "doctitle_xform": True,
    "initial_header_level": 2,
    "report_level": 2,
    "halt_level": 2,
    "syntax_highlight": "none",
}
DOCUMENTED = ("fabric_service_instance", "fabric_service_instance_info")


@pytest.fixture(scope="session")
def farm(tmp_path_factory):
    """ANSIBLE_COLLECTIONS_PATH for the working tree: a symlink ansible_collections/hwcloud/dataarts -> ROOT."""
    folder = tmp_path_factory.mktemp("farm")
    os.makedirs(str(folder / "ansible_collections" / "hwcloud"))
    os.symlink(ROOT, str(folder / "ansible_collections" / "hwcloud" / "dataarts"))
    return {"ANSIBLE_COLLECTIONS_PATH": str(folder), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "ANSIBLE_HOME": str(folder / ".ansible")}


@pytest.fixture(scope="session")
def regenerated(farm, tmp_path_factory):
    dest = tmp_path_factory.mktemp("docs")
    completed = run([tool("antsibull-docs")] + ANTSIBULL_DOCS_ARGS + ["--dest-dir", str(dest), COLLECTION], env=farm)
    assert completed.returncode == 0, explain(completed)
    return str(dest)


def _files(folder):
    return sorted(name for name in os.listdir(folder) if not name.startswith("."))


def test_module_docs_are_up_to_date(regenerated):
    """Fails when a plugin's documentation changed without `make docs`."""
    assert os.path.isdir(DOCS), "docs/modules/ is missing: run `make docs`"
    assert _files(DOCS) == _files(regenerated), "docs/modules/ has other files than antsibull-docs makes: run `make docs`"
    stale = []
    for name in _files(regenerated):
        with open(os.path.join(regenerated, name), encoding="utf-8") as stream:
            fresh = stream.read().splitlines(keepends=True)
        with open(os.path.join(DOCS, name), encoding="utf-8") as stream:
            committed = stream.read().splitlines(keepends=True)
        if fresh != committed:
            stale.append("".join(difflib.unified_diff(committed, fresh, "docs/modules/" + name, "generated/" + name, n=1))[:3000])
    assert not stale, "docs/modules/ is stale: run `make docs`\n" + "\n".join(stale)


def test_every_module_has_a_page():
    for module in module_names():
        assert os.path.isfile(os.path.join(DOCS, module + "_module.rst")), module
    with open(os.path.join(DOCS, "index.rst"), encoding="utf-8") as stream:
        index = stream.read()
    for module in module_names():
        assert module in index


def test_lint_collection_docs(farm):
    completed = run([tool("antsibull-docs"), "lint-collection-docs", "--plugin-docs", ROOT], env=farm)
    assert completed.returncode == 0, explain(completed)
    assert not completed.stdout.strip(), explain(completed)


def _ansible_doc(module, farm):
    completed = run([tool("ansible-doc"), "--json", "-t", "module", "{0}.{1}".format(COLLECTION, module)], env=farm)
    assert completed.returncode == 0, explain(completed)
    return json.loads(completed.stdout)["{0}.{1}".format(COLLECTION, module)]


def _walk(options, prefix=""):
    """(path, spec) of every option and suboption, as antsibull-docs names its anchors (resource/max)."""
    for name, spec in sorted(options.items()):
        path = prefix + name
        yield path, spec
        yield from _walk(spec.get("suboptions") or {}, path + "/")


def _walk_returns(values, prefix=""):
    for name, spec in sorted(values.items()):
        path = prefix + name
        yield path, spec
        yield from _walk_returns(spec.get("contains") or {}, path + "/")


TYPE_LABELS = {"str": "string", "int": "integer", "bool": "boolean", "dict": "dictionary", "list": "list", "path": "path", "raw": "any"}


@pytest.mark.parametrize("module", DOCUMENTED)
def test_the_page_renders_every_option(module, farm):
    """The page renders (docutils, GitHub's settings, no warning) with every option, its type, default and choices."""
    with open(os.path.join(DOCS, module + "_module.rst"), encoding="utf-8") as stream:
        source = stream.read()
    page = publish_parts(source, writer="html", settings_overrides=RENDER_SETTINGS)["html_body"]
    doc = _ansible_doc(module, farm)
    options = list(_walk(doc["doc"]["options"]))
    assert len(options) >= 20, "expected the shared connection options too"
    for path, spec in options:
        anchor = 'id="parameter-{0}"'.format(path)
        assert page.count(anchor) == 1, "option {0} is not rendered once".format(path)
        # The option's table row.
        row = page.split(anchor, 1)[1].split("</tr>", 1)[0]
        assert "<strong>{0}</strong>".format(path.rsplit("/", 1)[-1]) in row, path
        assert TYPE_LABELS[spec.get("type", "str")] in row, path
        for alias in spec.get("aliases") or []:
            assert alias in row, (path, alias)
        if spec.get("default") is not None:
            default = str(spec["default"]).lower() if isinstance(spec["default"], bool) else str(spec["default"])
            # A plain default: "Default: 30"; with choices (booleans too) the default choice is marked.
            shown = "Default:</b> <code" in row and ">{0}</code>".format(html.escape(default)) in row
            marked = re.search(r"<b>(&#34;)?{0}(&#34;)?</b></code> <span[^>]*>\S* \(default\)".format(re.escape(html.escape(default))), row)
            assert shown or marked, (path, default)
        for choice in spec.get("choices") or []:
            assert str(choice) in row, (path, choice)
        first_words = " ".join(_plain(spec["description"][0]).split()[:3])
        assert first_words in html.unescape(_strip_tags(row)), (path, first_words)
    for path, _spec in _walk_returns(doc.get("return") or {}):
        assert 'id="return-{0}"'.format(path) in page, "return value {0} is not rendered".format(path)
    for section in ("Synopsis", "Requirements", "Parameters", "Attributes", "Examples", "Return Values"):
        assert ">{0}<".format(section) in page, section


def _strip_tags(text):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def _plain(text):
    """Ansible doc markup (C(x), O(x), V(x), E(x), I(x)) reduced to its text."""
    text = re.sub(r"\b[COVEIRMLU]\(([^)]*)\)", lambda match: match.group(1).split("=")[0] if match.group(0)[0] == "O" else match.group(1), text)
    return re.sub(r"\s+", " ", text)


# What iam_token does not use of the shared option set: it calls IAM only, and always with the password options.
IGNORED_BY_IAM_TOKEN = {"endpoint", "auth_token", "access_key", "secret_key", "security_token"}
USED_BY_IAM_TOKEN = {
    "region",
    "project_id",
    "user_name",
    "password",
    "domain_name",
    "iam_endpoint",
    "validate_certs",
    "ca_path",
    "api_timeout",
    "api_retries",
}
METHOD_CHOICE_NOTE = "Exactly one authentication method is used, the first complete one of"


def _marked_ignored(doc):
    return {name for name, spec in doc["options"].items() if spec["description"][0].startswith("Ignored by this module")}


def test_iam_token_marks_each_option_it_ignores_and_nothing_contradicts_it(farm):
    """ansible-doc's rendering of iam_token: the ignored options say so; no note or description tells of a choice of method."""
    doc = _ansible_doc("iam_token", farm)["doc"]
    assert _marked_ignored(doc) == IGNORED_BY_IAM_TOKEN
    assert set(doc["options"]) == IGNORED_BY_IAM_TOKEN | USED_BY_IAM_TOKEN
    for note in doc.get("notes") or []:
        assert "authentication method" not in note, note
    # The options it uses name no option of another method (as in "used when O(auth_token) is not set").
    for name in USED_BY_IAM_TOKEN:
        text = " ".join(doc["options"][name]["description"])
        for other in IGNORED_BY_IAM_TOKEN - {"endpoint"}:
            assert "O({0})".format(other) not in text, (name, other)


@pytest.mark.parametrize("module", DOCUMENTED)
def test_the_fabric_modules_say_which_method_is_used(module, farm):
    doc = _ansible_doc(module, farm)["doc"]
    assert [note for note in doc["notes"] if note.startswith(METHOD_CHOICE_NOTE)], doc["notes"]
    assert _marked_ignored(doc) == set()
    assert IGNORED_BY_IAM_TOKEN | USED_BY_IAM_TOKEN <= set(doc["options"])
