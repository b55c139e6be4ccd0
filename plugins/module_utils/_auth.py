# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which authentication method a task uses, and the ``requests`` auth object it makes (the methods: ``_auth_methods``)."""

from __future__ import annotations

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkMethod, PasswordMethod, TokenMethod, is_set
from ansible_collections.hwcloud.dataarts.plugins.module_utils._connection import env_name
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricInputError

# In order of precedence: the first complete one wins.
METHODS = (TokenMethod, AkSkMethod, PasswordMethod)


def _spoken_list(names):
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def _how_to_complete():
    """'set auth_token (HW_AUTH_TOKEN), or access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY), or ...'."""
    ways = ["{0} ({1})".format(_spoken_list(method.required), ", ".join(env_name(name) for name in method.required)) for method in METHODS]
    return "set " + ", or ".join(ways)


def select_method(params):
    """(method class, warnings) for the task's options; raises FabricInputError when no method is complete."""
    present = sorted({name for method in METHODS for name in method.options() if is_set(params, name)})
    chosen = next((method for method in METHODS if method.is_complete(params)), None)
    if chosen is None:
        hint = " (given: {0})".format(", ".join(present)) if present else ""
        raise FabricInputError("no complete authentication method{0}: {1}".format(hint, _how_to_complete()))
    ignored = [name for name in present if name not in chosen.options()]
    warnings = []
    if ignored:
        warnings.append("authentication uses {0}; ignoring {1}".format(chosen.name, ", ".join(ignored)))
    return chosen, warnings


def build_auth(params, new_client, register_secret):
    """(auth object, warnings, method class) for the task; may call IAM once, through ``new_client(base_url, auth=None)``.

    ``register_secret`` receives every secret obtained at run time, so that Ansible masks it.
    """
    method, warnings = select_method(params)
    return method.authenticate(params, new_client, register_secret), warnings, method
