# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The Huawei Cloud region, for example C(cn-north-4).
      - Builds the endpoint C(https://fabric-ep.{region}.myhuaweicloud.com) when O(endpoint) is not set, the IAM endpoint
        when O(iam_endpoint) is not set, and the project scope of password authentication without O(project_id).
      - If not set, the value of the E(HW_REGION_NAME) environment variable is used.
    type: str
  endpoint:
    description:
      - The full base URL of the Fabric-ep API, for a private cloud, a proxy or the local emulator, for example C(http://127.0.0.1:8787).
      - Wins over O(region). One of O(endpoint) and O(region) is required.
      - If not set, the value of the E(HW_FABRIC_ENDPOINT) environment variable is used.
    type: str
  auth_token:
    description:
      - A project-scoped IAM token, sent as C(X-Auth-Token). The first authentication method used when set.
      - If not set, the value of the E(HW_AUTH_TOKEN) environment variable is used.
    type: str
  access_key:
    description:
      - The access key (AK) for C(SDK-HMAC-SHA256) request signing. Used with O(secret_key) when O(auth_token) is not set.
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
      - The IAM user for password authentication, used with O(password) and O(domain_name) when neither O(auth_token) nor
        O(access_key)/O(secret_key) are set. A token is fetched from IAM once per task.
      - If not set, the value of the E(HW_USER_NAME) environment variable is used.
    type: str
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
  iam_endpoint:
    description:
      - The base URL of IAM; C(/v3/auth/tokens) is appended (C(/auth/tokens) when it already ends in C(/v3)).
      - When not set, it is derived from O(region) as C(https://iam.{region}.myhuaweicloud.com).
      - If not set, the value of the E(HW_AUTH_URL) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoints. Turn it off only for a test endpoint.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify the TLS certificates with, instead of the system's.
    type: path
  api_timeout:
    description:
      - Seconds to wait for a connection and for each answer of one HTTP request (1 to 3600).
    type: int
    default: 30
  api_retries:
    description:
      - How many times a request is retried after 408, 429, 500, 502, 503, 504 or a connection error, with exponential backoff
        and jitter, honouring C(Retry-After). V(5) means at most 6 attempts.
      - A write whose outcome is unknown is never resent blindly; the instance is read first.
    type: int
    default: 5
notes:
  - Exactly one authentication method is used, the first complete one of O(auth_token); O(access_key) with O(secret_key);
    O(user_name) with O(password) and O(domain_name). Empty strings count as unset. Parts of a lower method beside a complete
    higher one are ignored with a warning.
  - The standard proxy environment variables (E(HTTPS_PROXY), E(NO_PROXY)) are honoured.
requirements:
  - requests >= 2.25.0 (on the host that runs the task, normally C(localhost))
"""
