# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Fabric-ep service-instance API: List, Show, Deploy, Update, Delete (API reference sections 4 to 9)."""

from __future__ import annotations

import re
import urllib.parse

from .errors import not_found, rejected, workspace_not_found
from .readings import list_body, render_instance, time_sort_key
from .state import TRANSITIONAL_STATUSES
from .validation import check_path_id, parse_json_body, validate_deploy_body, validate_list_query, validate_update_body

COLLECTION_RE = re.compile(r"/v1/workspaces/([^/]+)/services/instances")
ITEM_RE = re.compile(r"/v1/workspaces/([^/]+)/services/instances/([^/]+)")


class FabricApi:
    """Routes and serves API requests. ``handle`` returns (status, body) or raises ApiError."""

    def __init__(self, state, authenticator):
        self.state = state
        self.authenticator = authenticator

    def route(self, method, path):
        """(handler, path parameters) for a request, or None for an unknown route."""
        match = COLLECTION_RE.fullmatch(path)
        if match:
            handler = {"GET": self.list_instances, "POST": self.deploy_instance}.get(method)
            return (handler, match.groups()) if handler else None
        match = ITEM_RE.fullmatch(path)
        if match:
            handler = {"GET": self.show_instance, "PUT": self.update_instance, "DELETE": self.delete_instance}.get(method)
            return (handler, match.groups()) if handler else None
        return None

    def handle(self, request):
        found = self.route(request.method, request.path)
        if found is None:
            raise not_found()
        handler, raw_params = found
        self.authenticator.authenticate(request)
        params = [urllib.parse.unquote(value) for value in raw_params]
        check_path_id(params[0], "workspace_id")
        if len(params) > 1:
            check_path_id(params[1], "instance_id")
        return handler(request, *params)

    # ------------------------------------------------------------ helpers
    def _workspace(self, workspace_id):
        self.state.advance()
        if not self.state.has_workspace(workspace_id):
            raise workspace_not_found()

    def _instance(self, workspace_id, instance_id):
        self._workspace(workspace_id)
        instance = self.state.get(workspace_id, instance_id)
        if instance is None:
            raise not_found()
        return instance

    def _write_answer(self, status, instance):
        """A write's 2xx: {"id"}, or no body at all under the write_body reading "empty"."""
        return status, ({"id": instance.id} if self.state.config["write_body"] == "json" else None)

    @staticmethod
    def _matches(view, query):
        source = view.get("source") or {}
        checks = (
            ("id", view.get("id")),
            ("endpoint_id", view.get("endpoint_id")),
            ("source_id", source.get("id")),
            ("version_id", source.get("version_id")),
            ("type", view.get("type")),
            ("visibility", view.get("visibility")),
        )
        for key, actual in checks:
            if query[key] is not None and query[key] != actual:
                return False
        if query["name"] is not None and query["name"] not in (view.get("name") or ""):
            return False
        return True

    # ----------------------------------------------------------- handlers
    def list_instances(self, request, workspace_id):
        query = validate_list_query(request.query)
        with self.state.lock:
            self._workspace(workspace_id)
            rows = [(instance, self.state.peek_view(instance)) for instance in self.state.readable_in_workspace(workspace_id)]
            rows = [row for row in rows if self._matches(row[1], query)]
            if query["sort_by"] == "DURATION":
                rows.sort(key=lambda row: (row[1].get("duration") or 0, row[0].seq))
            else:
                rows.sort(key=lambda row: (time_sort_key(row[1].get("create_time")), row[0].seq))
            if query["order_by"] == "DESC":
                rows.reverse()
            page = rows[query["offset"] : query["offset"] + query["limit"]]
            config = self.state.config
            brief = config["list_items"] == "brief"
            items = [render_instance(self.state.read_view(instance), config, brief) for instance, _view in page]
            return 200, list_body(items, len(rows), config)

    def show_instance(self, request, workspace_id, instance_id):
        with self.state.lock:
            self._workspace(workspace_id)
            instance = self.state.readable(workspace_id, instance_id)
            if instance is None:
                raise not_found()
            return 200, render_instance(self.state.read_view(instance), self.state.config)

    def deploy_instance(self, request, workspace_id):
        spec = validate_deploy_body(parse_json_body(request.body))
        with self.state.lock:
            self._workspace(workspace_id)
            instance = self.state.begin_deploy(workspace_id, spec)
            return 202, {"id": instance.id}

    def update_instance(self, request, workspace_id, instance_id):
        changes = validate_update_body(parse_json_body(request.body))
        with self.state.lock:
            instance = self._instance(workspace_id, instance_id)
            status = instance.status
            if status in TRANSITIONAL_STATUSES or status == "DELETED":
                raise rejected("The service instance is in status %s and cannot be updated." % status)
            resource = instance.resource
            if "resource" in changes and changes["resource"]["min"] != resource.get("min"):
                raise rejected(
                    "This API does not support updating the minimum number of instances (current min: %s, requested: %s)."
                    % (resource.get("min"), changes["resource"]["min"])
                )
            if "source" in changes:
                current = instance.data.get("source") or {}
                wanted = changes["source"]
                if wanted["id"] != current.get("id") or wanted.get("version_id", current.get("version_id")) != current.get("version_id"):
                    raise rejected("This API does not support updating the model version (source).")
            self.state.begin_update(instance, changes)
            return self._write_answer(202, instance)

    def delete_instance(self, request, workspace_id, instance_id):
        with self.state.lock:
            instance = self._instance(workspace_id, instance_id)
            if instance.status == "DELETED":
                raise not_found()
            if instance.status != "DELETING":
                self.state.begin_delete(instance)
            return self._write_answer(202, instance)
