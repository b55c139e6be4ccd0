# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API's documented input constraints, checked before any request is sent."""

from __future__ import annotations

import re

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricInputError

ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,36}$")
NAME_PATTERN = re.compile("^[\u4e00-\u9fa5A-Za-z0-9_\\-. ]{1,64}$")
DESCRIPTION_MAX = 1024
DESCRIPTION_FORBIDDEN = "!<>=&'\""
SPEC_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
MAX_LIMIT = 1000
# The longest wait_timeout a task may ask for (a day): a longer one is a typo more often than an intent.
MAX_WAIT_TIMEOUT = 86400


def check_id(option, value):
    if value is not None and not ID_PATTERN.fullmatch(value):
        raise FabricInputError("{0} must be 1 to 36 letters, digits or hyphens, got {1!r}".format(option, value))


def check_name(option, value):
    if value is not None and not NAME_PATTERN.fullmatch(value):
        raise FabricInputError(
            "{0} must be 1 to 64 characters: letters (Chinese too), digits, underscores, hyphens, periods and spaces; got {1!r}".format(option, value)
        )


def check_description(option, value):
    if value is None:
        return
    if len(value) > DESCRIPTION_MAX:
        raise FabricInputError("{0} must be at most {1} characters, got {2}".format(option, DESCRIPTION_MAX, len(value)))
    bad = sorted(set(ch for ch in value if ch in DESCRIPTION_FORBIDDEN))
    if bad:
        raise FabricInputError("{0} must not contain any of {1}; found {2}".format(option, DESCRIPTION_FORBIDDEN, " ".join(bad)))


def check_source(option, value):
    if value is None:
        return
    check_id(option + ".id", value.get("id"))
    check_id(option + ".version_id", value.get("version_id"))


def check_resource(option, value):
    if value is None:
        return
    low, high, spec = value.get("min"), value.get("max"), value.get("spec_code")
    check_integer(option + ".min", low)
    check_integer(option + ".max", high)
    if low is not None and low < 1:
        raise FabricInputError("{0}.min must be at least 1, got {1}".format(option, low))
    if high is not None and not 1 <= high <= MAX_LIMIT:
        raise FabricInputError("{0}.max must be between 1 and {1}, got {2}".format(option, MAX_LIMIT, high))
    if low is not None and high is not None and high < low:
        raise FabricInputError("{0}.max ({1}) must not be below {0}.min ({2})".format(option, high, low))
    if spec is not None and not SPEC_CODE_PATTERN.fullmatch(spec):
        raise FabricInputError("{0}.spec_code must be 1 to 128 letters, digits, '_', '.', '-', got {1!r}".format(option, spec))


def check_integer(option, value):
    """Ansible's int type lets a boolean through (yes/true is an int in Python): refuse it."""
    if isinstance(value, bool):
        raise FabricInputError("{0} must be an integer, got {1!r}".format(option, value))


def check_positive(option, value, upper):
    check_integer(option, value)
    if value is not None and not 1 <= value <= upper:
        raise FabricInputError("{0} must be between 1 and {1}, got {2}".format(option, upper, value))


def check_wait_timeout(params):
    check_positive("wait_timeout", params["wait_timeout"], MAX_WAIT_TIMEOUT)
