# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # The authentication options, each described without the order in which methods are chosen: iam_token takes them
    # all but always authenticates with the password options.
    DOCUMENTATION = r"""
options:
  auth_token:
    description:
      - A project-scoped IAM token, sent as C(X-Auth-Token).
      - If not set, the value of the E(HW_AUTH_TOKEN) environment variable is used.
    type: str
  access_key:
    description:
      - The access key (AK) for C(SDK-HMAC-SHA256) request signing, used with O(secret_key).
      - If not set, the value of the E(HW_ACCESS_KEY) environment variable is used.
    type: str
  secret_key:
    description:
      - The secret key (SK) that signs every request. It is never sent.
      - If not set, the value of the E(HW_SECRET_KEY) environment variable is used.
    type: str
  security_token:
    description:
      - The security token of temporary AK/SK credentials, sent (and signed) as C(X-Security-Token).
      - If not set, the value of the E(HW_SECURITY_TOKEN) environment variable is used.
    type: str
  project_id:
    description:
      - The project, sent as C(X-Project-Id) with AK/SK, and the scope of the token with password authentication.
      - With AK/SK and without it, the project named after O(region) is looked up from IAM once per task.
      - If not set, the value of the E(HW_PROJECT_ID) environment variable is used.
    type: str
  user_name:
    description:
      - The IAM user for password authentication, used with O(password) and O(domain_name). A token is fetched from IAM once
        per task.
      - If not set, the value of the E(HW_USER_NAME) environment variable is used.
    type: str
    aliases: [user]
  password:
    description:
      - The password of O(user_name).
      - If not set, the value of the E(HW_PASSWORD) environment variable is used.
    type: str
  domain_name:
    description:
      - The account (domain) that O(user_name) belongs to.
      - If not set, the value of the E(HW_DOMAIN_NAME) environment variable is used.
    type: str
    aliases: [domain]
  iam_endpoint:
    description:
      - The base URL of IAM; C(/v3/auth/tokens) is appended (C(/auth/tokens) when it already ends in C(/v3)).
      - When not set, it is derived from O(region) as C(https://iam.{region}.myhuaweicloud.com).
      - If not set, the value of the E(HW_AUTH_URL) environment variable is used.
    type: str
    aliases: [identity_endpoint]
"""

    # Which method a task uses: for the modules that call the Fabric API, not for iam_token (hwcloud.dataarts._auth.method_choice).
    METHOD_CHOICE = r"""
options: {}
notes:
  - Exactly one authentication method is used, the first complete one of O(auth_token); O(access_key) with O(secret_key);
    O(user_name) with O(password) and O(domain_name). Empty strings count as unset. Parts of a lower method beside a complete
    higher one are ignored with a warning.
"""
