# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FabricModule: the shared argument spec, the client, and the one place that turns errors into failures."""

from __future__ import annotations

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _http
from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth import build_auth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._connection import (
    CONNECTION_ARGUMENT_SPEC,
    check_request_options,
    resolve_endpoint,
)
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricError


class FabricModule:
    """An AnsibleModule with the connection options, a lazily built FabricClient and error translation."""

    def __init__(self, argument_spec, clock=time.monotonic, sleep=time.sleep, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.ansible.params
        self.clock = clock
        self.sleep = sleep
        self.started = clock()
        self.deadline = None
        self._client = None
        self.auth_method = None

    @property
    def check_mode(self):
        return self.ansible.check_mode

    @property
    def diff_mode(self):
        return self.ansible._diff  # pylint: disable=protected-access

    def warn(self, message):
        self.ansible.warn(message)

    def register_secret(self, value):
        """A secret learnt at run time (an IAM token): Ansible masks it in everything it prints."""
        self.ansible.no_log_values.add(value)

    def validate_connection(self):
        """The connection options, before any request."""
        check_request_options(self.params)
        resolve_endpoint(self.params)

    def new_client(self, base_url, auth=None):
        verify = self.params["validate_certs"]
        if verify and self.params.get("ca_path"):
            verify = self.params["ca_path"]
        return _http.FabricClient(base_url, auth=auth, timeout=self.params["api_timeout"], retries=self.params["api_retries"],
                                  verify=verify, clock=self.clock, sleep=self.sleep, deadline=self.deadline)

    @property
    def client(self):
        """The Fabric-ep client, authenticated (an IAM call may happen here, once per task)."""
        if self._client is None:
            auth, warnings, self.auth_method = build_auth(self.params, self.new_client, self.register_secret)
            for warning in warnings:
                self.warn(warning)
            self._client = self.new_client(resolve_endpoint(self.params), auth)
        return self._client

    def run(self, execute):
        """Call ``execute(self)`` and exit with its result dict; every FabricError becomes a clean failure."""
        if not _http.HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib("requests"), exception=_http.REQUESTS_IMPORT_ERROR)
        try:
            result = execute(self)
        except FabricError as err:
            self.ansible.fail_json(msg=str(err), **err.details())
        self.ansible.exit_json(**result)
