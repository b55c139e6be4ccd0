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
from ansible_collections.hwcloud.dataarts.plugins.module_utils._waiter import Waiter

# How much of a wrongly shaped value a refusal quotes: enough to recognise it, never a whole pasted document.
QUOTED_VALUE_CHARS = 60
SECRET_OPTIONS = tuple(sorted(name for name, spec in CONNECTION_ARGUMENT_SPEC.items() if spec.get("no_log")))


class _AnsibleModule(AnsibleModule):
    """AnsibleModule that refuses a scalar given for a dict option cleanly, and masks the credential options in every
    failure, also one of its own argument validation.

    ansible-core stops collecting no_log values at the first dict option of the wrong type (``resource: four``), and then
    fails with the task's arguments in ``invocation`` (printed from -vvv on): a credential given as a module argument would
    show (ansible/ansible#81672). The credential options are masked here whatever the validation managed to collect.
    """

    def _load_params(self):
        """The task's arguments, with a scalar or list given for a dict option turned into its text.

        ansible-core crashes with a TypeError (a traceback, not a failure) when an option of type dict with sub-options
        gets a number, a boolean or a list of scalars (``resource: 4``; ansible/ansible#81631). As text, the value is
        refused cleanly by Ansible's own validation, and fail_json says which option it was.
        """
        super()._load_params()
        self._shape_errors = []
        for name, spec in self.argument_spec.items():
            value = self.params.get(name)
            if spec.get("type") == "dict" and spec.get("options") and value is not None and not isinstance(value, (dict, str)):
                self._shape_errors.append(
                    "{0} must be a dictionary with the keys {1}, got {2} ({3})".format(
                        name, ", ".join(sorted(spec["options"])), repr(value)[:QUOTED_VALUE_CHARS], type(value).__name__
                    )
                )
                self.params[name] = str(value)

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        shape_errors, self._shape_errors = getattr(self, "_shape_errors", None), []
        if shape_errors:
            msg = "; ".join(shape_errors)
        for name in SECRET_OPTIONS:
            value = self.params.get(name)
            if isinstance(value, str) and value.strip():
                self.no_log_values.update((value, value.strip()))
        super().fail_json(msg, **kwargs)


class FabricModule:
    """An AnsibleModule with the connection options, a lazily built FabricClient and error translation."""

    def __init__(self, argument_spec, clock=time.monotonic, sleep=time.sleep, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.ansible = _AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.ansible.params
        self.clock = clock
        self.sleep = sleep
        self.started = clock()
        self.deadline = None
        self._client = None

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

    def start_task(self, check):
        """Check the options, then fix the task's deadline (every wait and request of the task ends by it).

        Returns the task's Waiter, whose record of what was waited for becomes the result's ``waited``.
        """
        check(self.params)
        self.validate_connection()
        self.deadline = self.started + self.params["wait_timeout"]
        return Waiter(clock=self.clock, sleep=self.sleep)

    def new_client(self, base_url, auth=None):
        verify = self.params["validate_certs"]
        if verify and self.params.get("ca_path"):
            verify = self.params["ca_path"]
        return _http.FabricClient(
            base_url,
            auth=auth,
            timeout=self.params["api_timeout"],
            retries=self.params["api_retries"],
            verify=verify,
            clock=self.clock,
            sleep=self.sleep,
            deadline=self.deadline,
        )

    @property
    def client(self):
        """The Fabric-ep client, authenticated (an IAM call may happen here, once per task)."""
        if self._client is None:
            auth, warnings, _method = build_auth(self.params, self.new_client, self.register_secret)
            for warning in warnings:
                self.warn(warning)
            self._client = self.new_client(resolve_endpoint(self.params), auth)
        return self._client

    def run(self, execute):
        """Call ``execute(self)`` and exit with its result dict; every FabricError becomes a clean failure."""
        if not _http.HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib("requests"), exception=_http.REQUESTS_IMPORT_ERROR)
        result, failure = None, None
        try:
            result = execute(self)
        except FabricError as err:
            failure = err
        if failure is not None:
            # Outside the except block: no exception context travels with the failure.
            self.ansible.fail_json(msg=str(failure), **failure.details())
        self.ansible.exit_json(**result)
