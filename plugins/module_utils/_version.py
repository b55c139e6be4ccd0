# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's version, named in the User-Agent. A unit test keeps it equal to galaxy.yml."""

from __future__ import annotations

COLLECTION_NAME = "hwcloud.dataarts"
COLLECTION_VERSION = "1.0.0"
