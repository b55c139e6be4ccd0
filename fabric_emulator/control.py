# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test control API under /_emulator/ (no authentication, JSON in and out)."""

from __future__ import annotations

import copy
import json
import re
import urllib.parse

from .auth import issued_token_view
from .errors import ApiError

PREFIX = "/_emulator"
INSTANCE_RE = re.compile(r"/_emulator/instances/([^/]+)")


def control_error(status, message):
    codes = {400: "emulator.bad_request", 404: "emulator.not_found", 405: "emulator.method_not_allowed"}
    return ApiError(status, {"error_code": codes.get(status, "emulator.error"), "error_msg": message})


def _json(request, required=True):
    """The JSON body of a control request (None when empty and optional)."""
    if not request.body or not request.body.strip():
        if required:
            raise control_error(400, "a JSON body is required")
        return None
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise control_error(400, "invalid JSON body: %s" % exc) from None


class ControlApi:
    """Serves /_emulator/... requests. ``handle`` returns (status, body) or raises ApiError."""

    def __init__(self, state):
        self.state = state
        self.routes = {
            "/_emulator/health": {"GET": self.health},
            "/_emulator/requests": {"GET": self.get_requests, "DELETE": self.clear_requests},
            "/_emulator/reset": {"POST": self.reset},
            "/_emulator/instances": {"GET": self.list_instances, "POST": self.add_instances},
            "/_emulator/config": {"GET": self.get_config, "PUT": self.put_config},
            "/_emulator/faults": {"GET": self.get_faults, "POST": self.add_faults, "DELETE": self.clear_faults},
            "/_emulator/events": {"GET": self.get_events, "DELETE": self.clear_events},
            "/_emulator/tokens": {"GET": self.get_tokens, "DELETE": self.clear_tokens},
        }

    def handle(self, request):
        path = request.path.rstrip("/") or "/"
        with self.state.lock:
            self.state.advance()
            methods = self.routes.get(path)
            args = ()
            match = INSTANCE_RE.fullmatch(path)
            if methods is None and match:
                methods = {"GET": self.get_instance, "PATCH": self.patch_instance, "DELETE": self.delete_instance}
                args = (urllib.parse.unquote(match.group(1)),)
            if methods is None:
                raise control_error(404, "unknown control route %s" % request.path)
            handler = methods.get(request.method)
            if handler is None:
                raise control_error(405, "method %s not allowed on %s (allowed: %s)" % (request.method, path, ", ".join(sorted(methods))))
            return handler(request, *args)

    # ---------------------------------------------------------------- misc
    def health(self, request):
        return 200, {"status": "ok"}

    def get_requests(self, request):
        return 200, {"requests": copy.deepcopy(self.state.requests)}

    def clear_requests(self, request):
        self.state.requests = []
        return 200, {"requests": []}

    def get_events(self, request):
        return 200, {"events": copy.deepcopy(self.state.events)}

    def clear_events(self, request):
        self.state.events = []
        return 200, {"events": []}

    def get_tokens(self, request):
        """The tokens the emulated IAM issued (values included: tests look for them in logs)."""
        return 200, {"tokens": [issued_token_view(record) for record in self.state.issued_tokens.values()]}

    def clear_tokens(self, request):
        self.state.issued_tokens = {}
        return 200, {"tokens": []}

    def reset(self, request):
        override = _json(request, required=False)
        if override is not None and not isinstance(override, dict):
            raise control_error(400, "the reset body must be a JSON object")
        try:
            self.state.reset(override or None)
        except ValueError as exc:
            self.state.reset()
            raise control_error(400, "invalid seed: %s (reset to the default seed)" % exc) from None
        return 200, {"reset": True, "workspaces": list(self.state.workspaces), "instances": len(self.state.instances)}

    # ------------------------------------------------------------ config
    def get_config(self, request):
        return 200, copy.deepcopy(self.state.config)

    def put_config(self, request):
        try:
            self.state.update_config(_json(request))
        except ValueError as exc:
            raise control_error(400, str(exc)) from None
        return 200, copy.deepcopy(self.state.config)

    # ------------------------------------------------------------ faults
    def get_faults(self, request):
        return 200, {"faults": self.state.faults.to_list()}

    def add_faults(self, request):
        body = _json(request)
        specs = body["faults"] if isinstance(body, dict) and isinstance(body.get("faults"), list) else [body]
        added = []
        try:
            for spec in specs:
                added.append(self.state.faults.add(spec))
        except ValueError as exc:
            for rule in added:
                self.state.faults.rules.remove(rule)
            raise control_error(400, "invalid fault rule: %s" % exc) from None
        if len(added) == 1 and not (isinstance(body, dict) and "faults" in body):
            return 201, added[0].to_dict()
        return 201, {"faults": [rule.to_dict() for rule in added]}

    def clear_faults(self, request):
        self.state.faults.clear()
        return 200, {"faults": []}

    # --------------------------------------------------------- instances
    def list_instances(self, request):
        workspace_id = (request.query.get("workspace_id") or [None])[0]
        instances = [
            self.state.internal_view(instance)
            for instance in self.state.instances.values()
            if workspace_id is None or instance.workspace_id == workspace_id
        ]
        return 200, {"instances": instances}

    def add_instances(self, request):
        body = _json(request)
        if isinstance(body, dict) and "instances" in body:
            specs = body["instances"]
        else:
            specs = [body]
        if not isinstance(specs, list):
            raise control_error(400, '"instances" must be a list')
        added = []
        try:
            for spec in specs:
                added.append(self.state.add_instance(spec))
        except ValueError as exc:
            for instance in added:
                self.state.remove_instance(instance)
            raise control_error(400, "invalid instance: %s" % exc) from None
        return 201, {"instances": [self.state.internal_view(instance) for instance in added]}

    def _find(self, instance_id):
        instance = self.state.instances.get(instance_id)
        if instance is None:
            raise control_error(404, "no instance %s" % instance_id)
        return instance

    def get_instance(self, request, instance_id):
        return 200, self.state.internal_view(self._find(instance_id))

    def patch_instance(self, request, instance_id):
        instance = self._find(instance_id)
        try:
            self.state.patch_instance(instance, _json(request))
        except ValueError as exc:
            raise control_error(400, str(exc)) from None
        return 200, self.state.internal_view(instance)

    def delete_instance(self, request, instance_id):
        instance = self._find(instance_id)
        self.state.remove_instance(instance)
        self.state.record_event(instance.id, instance.workspace_id, instance.status, None, "control")
        return 200, {"id": instance.id}
