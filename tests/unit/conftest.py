# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Makes ``ansible_collections.hwcloud.dataarts`` importable from this checkout (a symlink farm under build/src)."""

from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FARM = os.path.join(ROOT, "build", "src")
LINK = os.path.join(FARM, "ansible_collections", "hwcloud", "dataarts")

if not os.path.islink(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(ROOT, LINK)
for path in (FARM, ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)

# The shared helpers (plugins/builders.py, plugins/credentials.py, emulator/emulator_support.py) hold assertions:
# rewritten by pytest like those in the tests, a failing one shows its values.
pytest.register_assert_rewrite("ansible_collections.hwcloud.dataarts.tests.unit")
