# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # Where the requests go and how they are sent; the authentication options are in _auth.
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
  - The standard proxy environment variables (E(HTTPS_PROXY), E(NO_PROXY)) are honoured.
requirements:
  - Python 3.9 or newer where the task runs (normally the controller's C(localhost)); tested with 3.9 to 3.13.
  - requests >= 2.25.0 (the Python library) on that Python.
"""
