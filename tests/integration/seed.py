# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names of the emulator's seed (fabric_emulator/seed.json) and of the modules, shared by the integration tests."""

from __future__ import annotations

MODULE = "hwcloud.dataarts.fabric_service_instance"
INFO = "hwcloud.dataarts.fabric_service_instance_info"
WS = "ws-demo"
BASE = "/v1/workspaces/ws-demo/services/instances"
DEMO_ID = "b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6"  # demo-llm: "demo instance", min 1, max 2
CANARY_ID = "4c1e7f2a-9d3b-4a6e-8f51-2b7c0d9e3a18"  # demo-llm-canary: min 1, max 1
CHAT_ID = "e2d8a6b4-5c3f-4e1a-9b7d-6f0a8c2e4b91"  # "Demo Chat Assistant": public, min 2, max 4
# Every List request asks for this order (oldest first: paging holds while instances are created).
STABLE_ORDER = {"sort_by": "CREATE_TIME", "order_by": "ASC"}


def without_stable_order(values, entry):
    """A List query ({key: value}) with its stable order checked and left out."""
    order = {key: values.pop(key, None) for key in STABLE_ORDER}
    assert order == STABLE_ORDER, entry
    return values


# The contract's environment variable of each connection option (interface.md), written out here rather than taken
# from the code, so that a renamed variable fails the tests.
ENV_OF = {
    "endpoint": "HW_FABRIC_ENDPOINT",
    "region": "HW_REGION_NAME",
    "auth_token": "HW_AUTH_TOKEN",
    "access_key": "HW_ACCESS_KEY",
    "secret_key": "HW_SECRET_KEY",
    "security_token": "HW_SECURITY_TOKEN",
    "project_id": "HW_PROJECT_ID",
    "user_name": "HW_USER_NAME",
    "password": "HW_PASSWORD",
    "domain_name": "HW_DOMAIN_NAME",
    "iam_endpoint": "HW_AUTH_URL",
}
