#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iam_token
short_description: Fetch one Huawei Cloud IAM token for a whole play
version_added: 0.1.0
description:
  - Authenticates O(user_name) of O(domain_name) with O(password) against IAM (C(POST /v3/auth/tokens)) and returns the
    project-scoped token, so that a play makes one IAM call and hands the token to every later task through
    C(module_defaults) (O(auth_token)), instead of one IAM call per task or loop item.
  - The token is scoped to O(project_id) when given, else to the project named after O(region).
  - Always authenticates with O(user_name), O(password) and O(domain_name). It accepts the whole shared option set, so that
    C(group/hwcloud.dataarts.fabric) defaults apply to it; the options it does not use are marked as ignored below.
  - 'Set C(no_log: true) on the task: the result holds the token, a credential valid for 24 hours.'
author:
  - hwcloud.dataarts contributors (@hwcloud-dataarts)
# The shared options this module ignores: their descriptions here replace the shared ones.
options:
  endpoint:
    description: &ignored
      - Ignored by this module, which calls IAM only (O(iam_endpoint)) and always authenticates with the password options.
        Accepted so that C(group/hwcloud.dataarts.fabric) defaults apply to this module.
  auth_token:
    description: *ignored
  access_key:
    description: *ignored
  secret_key:
    description: *ignored
  security_token:
    description: *ignored
extends_documentation_fragment:
  - hwcloud.dataarts._connection
  - hwcloud.dataarts._auth
  - hwcloud.dataarts._attributes
attributes:
  check_mode:
    support: full
    details:
      - Fetching a token changes nothing, so it also runs in check mode (later tasks need the token to predict their changes).
  diff_mode:
    support: N/A
    details:
      - Nothing is changed.
  idempotent:
    support: full
    details:
      - Nothing is changed; each run returns a new token.
seealso:
  - module: hwcloud.dataarts.fabric_service_instance
"""

EXAMPLES = r"""
- name: One IAM call for the whole play
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Fetch a token
      hwcloud.dataarts.iam_token:
        region: cn-north-4
        user_name: "{{ iam_user }}"
        password: "{{ vault_iam_password }}"
        domain_name: "{{ iam_domain }}"
      no_log: true
      register: iam

    - name: Every Fabric task of the block uses the token
      module_defaults:
        group/hwcloud.dataarts.fabric:
          region: cn-north-4
          auth_token: "{{ iam.token }}"
      block:
        - name: Read the instances
          hwcloud.dataarts.fabric_service_instance_info:
            workspace_id: "{{ workspace_id }}"
"""

RETURN = r"""
token:
  description: The project-scoped IAM token (the C(X-Subject-Token) header IAM answered). Valid for 24 hours.
  returned: success
  type: str
expires_at:
  description: When the token expires, as IAM wrote it.
  returned: success
  type: str
  sample: "2026-11-29T09:00:00.000000Z"
"""

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import PasswordMethod, fetch_password_token
from ansible_collections.hwcloud.dataarts.plugins.module_utils._connection import check_request_options, env_name
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricInputError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._module import FabricModule


def execute(module):
    missing = PasswordMethod.missing(module.params)
    if missing:
        variables = ", ".join(env_name(name) for name in PasswordMethod.required)
        raise FabricInputError("iam_token needs {0} (or {1})".format(", ".join(missing), variables))
    check_request_options(module.params)
    token, expires_at = fetch_password_token(module.new_client, module.params)
    return {"changed": False, "token": token, "expires_at": expires_at}


def main():
    module = FabricModule({}, supports_check_mode=True)
    module.run(execute)


if __name__ == "__main__":
    main()
