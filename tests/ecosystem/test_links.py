# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The links of the pages a user reads, where the user reads them: on GitHub, on Galaxy, in an installed collection.

- README.md is Galaxy's page of the collection, where a relative link leads nowhere: every link is absolute, and one
  into this repository names a file or folder that exists.
- The other Markdown pages of the artifact link relatively only to what the artifact holds too: a page kept out of
  it (galaxy.yml's build_ignore: the developer-only pages) is linked in the repository, by an absolute link.
"""

from __future__ import annotations

import os
import re
import tarfile

import pytest
from conftest import ROOT  # pylint: disable=import-error

REPOSITORY = "https://github.com/hwcloud-dataarts/hwcloud.dataarts/"
LINK = re.compile(r"\]\(([^)\s]+)\)")
DEVELOPER_ONLY = ("CONTRIBUTING.md", "docs/development.md", "docs/emulator.md", "docs/performance.md")


def links(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as stream:
        text = stream.read()
    # Code blocks hold shell and YAML, not links.
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return LINK.findall(text)


def repository_path(url):
    """The path inside this repository that an absolute link names, or None for another site."""
    if not url.startswith(REPOSITORY):
        return None
    rest = url[len(REPOSITORY) :].split("#", 1)[0]
    match = re.match(r"(?:blob|tree)/main/(.*)$", rest)
    if match:
        return match.group(1).rstrip("/")
    # The repository's own pages on GitHub: issues, security advisories...
    return ""


@pytest.fixture(scope="module")
def artifact_names(artifact):
    with tarfile.open(artifact) as archive:
        return set(archive.getnames())


def markdown_pages(names):
    return sorted(name for name in names if name.endswith(".md"))


def test_readme_links_are_absolute_and_exist():
    found = links("README.md")
    assert len(found) > 10, found
    for url in found:
        assert url.startswith("https://"), "README.md: {0} is relative; Galaxy shows the README where it leads nowhere".format(url)
        path = repository_path(url)
        if path:
            assert os.path.exists(os.path.join(ROOT, path)), "README.md links to {0}, which does not exist".format(path)


def test_developer_pages_stay_out_of_the_artifact(artifact_names):
    for page in DEVELOPER_ONLY:
        assert os.path.isfile(os.path.join(ROOT, page)), page
        assert page not in artifact_names, page
    assert "tests/integration/integration_config.yml" not in artifact_names


def test_pages_of_the_artifact_link_only_to_what_it_holds(artifact_names):
    pages = markdown_pages(artifact_names)
    assert "README.md" in pages and "docs/quickstart.md" in pages, pages
    for page in pages:
        for url in links(page):
            if re.match(r"^[a-z]+:", url) or url.startswith("#"):
                path = repository_path(url)
                if path:
                    assert os.path.exists(os.path.join(ROOT, path)), "{0} links to {1}, which does not exist".format(page, path)
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(page), url.split("#", 1)[0]))
            held = target in artifact_names or any(name.startswith(target + "/") for name in artifact_names)
            assert held, "{0} links to {1}, which the artifact does not hold: link it in the repository".format(page, target)
