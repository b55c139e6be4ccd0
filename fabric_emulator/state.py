# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory store of the emulator: instances and their lifecycle, configuration, events, request log, faults.

Lifecycle is evaluated lazily: every request calls advance(), which completes the pending operations
whose time has come (time.monotonic for durations, the wall clock for timestamps). No background threads.
All public methods must be called with ``state.lock`` held (the HTTP layer does this).
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import threading
import time
import uuid

from .auth import AUTH_CONFIG_KEYS, normalize_auth_setting
from .faults import FaultList
from .readings import BRIEF_FIELDS, DEFAULT_READINGS, READINGS, normalize_reading, parse_time

DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.json")

STATUSES = (
    "PENDING",
    "CREATING",
    "RUNNING",
    "UPDATING",
    "SUCCEEDED",
    "FAILED",
    "STOPPING",
    "STOPPED",
    "DELETING",
    "DELETED",
    "INACTIVE",
    "TRIAL_ENDED",
)
TRANSITIONAL_STATUSES = frozenset(("PENDING", "CREATING", "UPDATING", "STOPPING", "DELETING"))

# Field order of the Show / List item shape (API reference sections 5 and 6): the SDK's brief fields, then these.
PUBLIC_FIELDS = BRIEF_FIELDS + ("config", "error_code", "error_msg")

DEFAULT_CONFIG = {
    "update_seconds": 2.0,
    "deploy_seconds": 2.0,
    "delete_seconds": 1.0,
    "stale_reads": 0,
    "delete_mode": "gone",
    "tokens": None,
    "fail_next_update": None,
    "fail_next_deploy": None,
    # Reads after an accepted DELETE that still show the instance as it was before (eventual consistency).
    "stale_reads_after_delete": 0,
}
# The readings the documentation leaves open (readings.py), one switch each.
DEFAULT_CONFIG.update(DEFAULT_READINGS)
DELETE_MODES = ("gone", "deleted")
DEFAULT_FAILURES = {
    "fail_next_update": {"error_code": "dataartsfabric.00040002", "error_msg": "Failed to update the service instance."},
    "fail_next_deploy": {"error_code": "dataartsfabric.00040001", "error_msg": "Failed to deploy the service instance."},
}
DEFAULT_ENDPOINT_ID = "0b5633ba2b904511ad514346f4d23d4b"
DEFAULT_SOURCE = {"id": "5f1c0d2e9a8b4c7d8e6f0a1b2c3d4e5f", "version_id": "9a8b7c6d5e4f40312a1b0c9d8e7f6a5b"}
DEFAULT_USER = {"domain_name": "demo-domain", "user_name": "demo-user"}
DEFAULT_SPEC_CODE = "mu.llama3.8b"

# Keys of the internal view that are not instance data.
INTERNAL_KEYS = ("workspace_id", "_emulator")


def iso_time(epoch):
    """ISO-8601 UTC with milliseconds, e.g. 2023-05-30T12:24:30.401Z."""
    # Whole milliseconds first: a float such as 1700000000.123 may sit just below its millisecond.
    seconds, millis = divmod(int(round(epoch * 1000)), 1000)
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % millis


def deep_merge(target, patch):
    """Merge patch into target in place: dicts recursively, everything else replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def normalize_config(values, base):
    """A new configuration: base updated with values. Raises ValueError on unknown keys or bad values."""
    if not isinstance(values, dict):
        raise ValueError("the configuration must be a JSON object")
    unknown = sorted(set(values) - set(DEFAULT_CONFIG) - set(AUTH_CONFIG_KEYS))
    if unknown:
        raise ValueError("unknown configuration keys: %s" % ", ".join(unknown))
    config = copy.deepcopy(base)
    for key, value in values.items():
        if key in ("update_seconds", "deploy_seconds", "delete_seconds"):
            if not _is_number(value) or value < 0:
                raise ValueError("%s must be a number >= 0" % key)
            config[key] = float(value)
        elif key in ("stale_reads", "stale_reads_after_delete"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError("%s must be an integer >= 0" % key)
            config[key] = value
        elif key in READINGS:
            config[key] = normalize_reading(key, value)
        elif key == "delete_mode":
            if value not in DELETE_MODES:
                raise ValueError("delete_mode must be one of %s" % ", ".join(DELETE_MODES))
            config[key] = value
        elif key in AUTH_CONFIG_KEYS:
            # Credentials (auth.py): present in the configuration only while set.
            normalized = normalize_auth_setting(key, value)
            if normalized is None:
                config.pop(key, None)
            else:
                config[key] = normalized
        elif key == "tokens":
            if value is not None and (not isinstance(value, list) or not all(isinstance(t, str) and t for t in value)):
                raise ValueError("tokens must be null or a list of non-empty strings")
            config[key] = list(value) if value else None
        else:
            config[key] = _normalize_failure(key, value)
    return config


def _normalize_failure(key, value):
    if value is None or value is False:
        return None
    if value is True:
        return dict(DEFAULT_FAILURES[key])
    if not isinstance(value, dict) or set(value) - {"error_code", "error_msg"}:
        raise ValueError('%s must be null, true or {"error_code": ..., "error_msg": ...}' % key)
    result = dict(DEFAULT_FAILURES[key])
    result.update(value)
    return result


def load_seed(seed):
    """Seed data from None (the packaged seed.json), a path, or a dict."""
    if seed is None:
        seed = DEFAULT_SEED_PATH
    if isinstance(seed, dict):
        data = copy.deepcopy(seed)
    else:
        with open(os.fspath(seed), encoding="utf-8") as handle:
            data = json.load(handle)
    return check_seed(data)


def check_seed(data):
    if not isinstance(data, dict):
        raise ValueError("seed data must be a JSON object")
    unknown = sorted(set(data) - {"workspaces", "instances"})
    if unknown:
        raise ValueError("unknown seed keys: %s" % ", ".join(unknown))
    workspaces = data.get("workspaces", [])
    instances = data.get("instances", [])
    if not isinstance(workspaces, list) or not all(isinstance(w, str) and w for w in workspaces):
        raise ValueError('seed "workspaces" must be a list of workspace ids')
    if not isinstance(instances, list) or not all(isinstance(i, dict) for i in instances):
        raise ValueError('seed "instances" must be a list of objects')
    return {"workspaces": list(workspaces), "instances": copy.deepcopy(instances)}


def default_instance_data():
    return {
        "visibility": "PRIVATE",
        "source": dict(DEFAULT_SOURCE),
        "id": None,
        "name": None,
        "description": "",
        "endpoint_id": DEFAULT_ENDPOINT_ID,
        "status": "RUNNING",
        "create_time": None,
        "update_time": None,
        "duration": 0,
        "create_user": dict(DEFAULT_USER),
        "type": "LLM_MODEL",
        "config": {"model_instance_config": {"resource": {"min": 1, "max": 1, "spec_code": DEFAULT_SPEC_CODE}}},
        "error_code": None,
        "error_msg": None,
    }


class Instance:
    """A stored instance: its public data plus emulator bookkeeping."""

    def __init__(self, data, workspace_id, seq):
        self.data = data
        self.workspace_id = workspace_id
        self.seq = seq
        # {'operation': 'deploy'|'update'|'delete', 'due': monotonic time, 'changes': {...}, 'fail': {...}|None, 'mode': ...}
        self.pending = None
        self.stale_view = None
        self.stale_remaining = 0

    @property
    def id(self):
        return self.data["id"]

    @property
    def status(self):
        return self.data.get("status")

    @property
    def resource(self):
        config = self.data.setdefault("config", {})
        model = config.setdefault("model_instance_config", {})
        return model.setdefault("resource", {})

    def view(self):
        """The API shape (documented fields first, then any extra fields of the data)."""
        result = {key: copy.deepcopy(self.data.get(key)) for key in PUBLIC_FIELDS}
        for key, value in self.data.items():
            if key not in result:
                result[key] = copy.deepcopy(value)
        return result


class State:
    """The whole emulated world. Guard every call with ``self.lock``."""

    def __init__(self, seed=None, config=None, clock=time.monotonic, wallclock=time.time):
        self.lock = threading.RLock()
        self.clock = clock
        self.wallclock = wallclock
        self.seed = load_seed(seed)
        self.default_config = normalize_config(config or {}, DEFAULT_CONFIG)
        self._clear()
        self.reset()

    def _clear(self):
        """Empty state and the default configuration; reset() then loads the seed."""
        self.config = copy.deepcopy(self.default_config)
        self.workspaces = []
        self.instances = {}
        # Instances that are gone but still have stale reads left (stale_reads_after_delete): only reads see them.
        self.ghosts = {}
        self.events = []
        self.requests = []
        self.faults = FaultList()
        # Tokens issued by the emulated IAM (auth.py): {token: record}.
        self.issued_tokens = {}
        self._seq = 0
        self._request_seq = 0
        self._last_create_ms = 0

    # ----------------------------------------------------------------- setup
    def reset(self, override=None):
        """Back to the seed (optionally replaced for this reset) and the default configuration."""
        with self.lock:
            seed = copy.deepcopy(self.seed)
            if override is not None:
                checked = check_seed(override)
                for key in ("workspaces", "instances"):
                    if key in override:
                        seed[key] = checked[key]
            self._clear()
            self.workspaces = list(seed["workspaces"])
            # Whole seconds, one apart: the seed's timestamps need no fractional digits (see the "varied" reading).
            start = int(self.wallclock()) - len(seed["instances"])
            for index, raw in enumerate(seed["instances"]):
                self.add_instance(raw, created=start + index)

    def add_instance(self, raw, created=None):
        """Store an instance from a (partial) dict; missing fields get defaults. Raises ValueError."""
        if not isinstance(raw, dict):
            raise ValueError("an instance must be a JSON object")
        raw = copy.deepcopy(raw)
        raw.pop("_emulator", None)
        workspace_id = raw.pop("workspace_id", None) or (self.workspaces[0] if self.workspaces else "ws-demo")
        if not isinstance(workspace_id, str):
            raise ValueError("workspace_id must be a string")
        data = deep_merge(default_instance_data(), raw)
        if data["id"] is None:
            data["id"] = str(uuid.uuid4())
        if not isinstance(data["id"], str) or not data["id"]:
            raise ValueError("instance id must be a non-empty string")
        if data["id"] in self.instances:
            raise ValueError("instance %s already exists" % data["id"])
        self.ghosts.pop(data["id"], None)
        if data.get("status") not in STATUSES:
            raise ValueError("status must be one of %s" % ", ".join(STATUSES))
        if data["name"] is None:
            data["name"] = "instance-%d" % (self._seq + 1)
        if data["create_time"] is None:
            data["create_time"] = iso_time(self._create_epoch(self.wallclock() if created is None else created))
        if data["update_time"] is None:
            data["update_time"] = data["create_time"]
        if workspace_id not in self.workspaces:
            self.workspaces.append(workspace_id)
        self._seq += 1
        instance = Instance(data, workspace_id, self._seq)
        self.instances[instance.id] = instance
        return instance

    def _create_epoch(self, epoch):
        """Strictly increasing creation times (millisecond resolution) so ordering is deterministic."""
        millis = int(epoch * 1000)
        if millis <= self._last_create_ms:
            millis = self._last_create_ms + 1
        self._last_create_ms = millis
        return millis / 1000.0

    def update_config(self, values):
        self.config = normalize_config(values, self.config)
        return self.config

    # ------------------------------------------------------------- lookups
    def has_workspace(self, workspace_id):
        return workspace_id in self.workspaces

    def get(self, workspace_id, instance_id):
        instance = self.instances.get(instance_id)
        if instance is None or instance.workspace_id != workspace_id:
            return None
        return instance

    def in_workspace(self, workspace_id):
        return [instance for instance in self.instances.values() if instance.workspace_id == workspace_id]

    def readable(self, workspace_id, instance_id):
        """What a read finds: the instance, or a gone one that still has stale reads left."""
        instance = self.get(workspace_id, instance_id)
        if instance is None:
            ghost = self.ghosts.get(instance_id)
            if ghost is not None and ghost.workspace_id == workspace_id:
                return ghost
        return instance

    def readable_in_workspace(self, workspace_id):
        ghosts = [ghost for ghost in self.ghosts.values() if ghost.workspace_id == workspace_id]
        return self.in_workspace(workspace_id) + ghosts

    def peek_view(self, instance):
        """What a read would show, without consuming a stale read."""
        if instance.stale_remaining > 0 and instance.stale_view is not None:
            return copy.deepcopy(instance.stale_view)
        return instance.view()

    def read_view(self, instance):
        """What a read shows; consumes one stale read if any are left."""
        if instance.stale_remaining > 0 and instance.stale_view is not None:
            instance.stale_remaining -= 1
            view = copy.deepcopy(instance.stale_view)
            if instance.stale_remaining == 0:
                instance.stale_view = None
                # A gone instance is seen no more once its stale reads are used up.
                if self.ghosts.get(instance.id) is instance:
                    del self.ghosts[instance.id]
            return view
        return instance.view()

    def internal_view(self, instance):
        view = instance.view()
        view["workspace_id"] = instance.workspace_id
        pending = None
        if instance.pending is not None:
            pending = {
                "operation": instance.pending["operation"],
                "remaining_seconds": max(0.0, round(instance.pending["due"] - self.clock(), 3)),
                "changes": copy.deepcopy(instance.pending.get("changes")),
                "fail": copy.deepcopy(instance.pending.get("fail")),
            }
        view["_emulator"] = {
            "pending": pending,
            "stale_reads_remaining": instance.stale_remaining if instance.stale_view is not None else 0,
            "seq": instance.seq,
        }
        return view

    # ----------------------------------------------------------- lifecycle
    @staticmethod
    def _touch(instance, epoch):
        """Set update_time to a moment, never to one that is not after the instance's current update_time."""
        stamp = iso_time(epoch)
        current = parse_time(instance.data.get("update_time"))
        candidate = parse_time(stamp)
        if current is not None and candidate <= current:
            stamp = iso_time((current // 1000000 + 1) / 1000.0)
        instance.data["update_time"] = stamp

    def record_event(self, instance_id, workspace_id, old, new, operation, when=None):
        self.events.append(
            {
                "instance_id": instance_id,
                "workspace_id": workspace_id,
                "from": old,
                "to": new,
                "operation": operation,
                "time": self.wallclock() if when is None else when,
            }
        )

    def _set_status(self, instance, status, operation, when=None):
        old = instance.data.get("status")
        instance.data["status"] = status
        if old != status:
            self.record_event(instance.id, instance.workspace_id, old, status, operation, when)

    def begin_deploy(self, workspace_id, spec):
        """Create an instance in CREATING from a validated deploy body."""
        now = self.wallclock()
        created = iso_time(self._create_epoch(now))
        data = default_instance_data()
        data.update(
            {
                "id": str(uuid.uuid4()),
                "name": spec["name"],
                "description": spec["description"],
                "endpoint_id": spec["endpoint_id"],
                "source": {"id": spec["source"]["id"], "version_id": spec["source"].get("version_id")},
                "status": "CREATING",
                "create_time": created,
                "update_time": created,
                "config": {"model_instance_config": {"resource": dict(spec["resource"])}},
            }
        )
        self._seq += 1
        instance = Instance(data, workspace_id, self._seq)
        self.instances[instance.id] = instance
        self.record_event(instance.id, workspace_id, None, "CREATING", "deploy", now)
        instance.pending = {
            "operation": "deploy",
            "due": self.clock() + self.config["deploy_seconds"],
            "changes": None,
            "fail": self.config["fail_next_deploy"],
        }
        self.config["fail_next_deploy"] = None
        return instance

    def begin_update(self, instance, changes):
        """Accept a validated update: UPDATING now, the values applied when it completes."""
        if self.config["stale_reads"] > 0:
            before = instance.view()
            instance.stale_view = before
            instance.stale_remaining = self.config["stale_reads"]
        if self.config["update_time_on"] == "accept":
            # "complete": update_time keeps its old value while UPDATING (_complete moves it in both readings).
            self._touch(instance, self.wallclock())
        self._set_status(instance, "UPDATING", "update")
        instance.pending = {
            "operation": "update",
            "due": self.clock() + self.config["update_seconds"],
            "changes": copy.deepcopy(changes),
            "fail": self.config["fail_next_update"],
        }
        self.config["fail_next_update"] = None

    def begin_delete(self, instance):
        instance.stale_view = None
        instance.stale_remaining = 0
        if self.config["stale_reads_after_delete"] > 0:
            instance.stale_view = instance.view()
            instance.stale_remaining = self.config["stale_reads_after_delete"]
        self._touch(instance, self.wallclock())
        self._set_status(instance, "DELETING", "delete")
        instance.pending = {
            "operation": "delete",
            "due": self.clock() + self.config["delete_seconds"],
            "changes": None,
            "fail": None,
            "mode": self.config["delete_mode"],
        }

    def advance(self):
        """Complete every pending operation that is due, oldest due first."""
        now = self.clock()
        due = [instance for instance in self.instances.values() if instance.pending is not None and instance.pending["due"] <= now]
        due.sort(key=lambda instance: instance.pending["due"])
        for instance in due:
            self._complete(instance, now)

    def _complete(self, instance, now):
        pending = instance.pending
        instance.pending = None
        # Wall-clock moment at which the operation finished (it may be observed later).
        when = self.wallclock() - max(0.0, now - pending["due"])
        operation = pending["operation"]
        if operation == "delete":
            if pending.get("mode") == "deleted":
                self._touch(instance, when)
                self._set_status(instance, "DELETED", operation, when)
            else:
                del self.instances[instance.id]
                if instance.stale_remaining > 0 and instance.stale_view is not None:
                    self.ghosts[instance.id] = instance
                self.record_event(instance.id, instance.workspace_id, instance.status, None, operation, when)
            return
        self._touch(instance, when)
        if pending["fail"]:
            instance.data["error_code"] = pending["fail"].get("error_code")
            instance.data["error_msg"] = pending["fail"].get("error_msg")
            self._set_status(instance, "FAILED", operation, when)
            return
        if operation == "update":
            self._apply_changes(instance, pending["changes"])
        instance.data["error_code"] = None
        instance.data["error_msg"] = None
        self._set_status(instance, "RUNNING", operation, when)

    @staticmethod
    def _apply_changes(instance, changes):
        for key in ("name", "description"):
            if key in changes:
                instance.data[key] = changes[key]
        if "source" in changes:
            source = instance.data.setdefault("source", {})
            source["id"] = changes["source"]["id"]
            if changes["source"].get("version_id") is not None:
                source["version_id"] = changes["source"]["version_id"]
        if "resource" in changes:
            instance.resource.update(changes["resource"])

    # ------------------------------------------------------- test control
    def patch_instance(self, instance, patch):
        """Deep-merge a partial instance (another writer / a status change). Raises ValueError."""
        if not isinstance(patch, dict):
            raise ValueError("the patch must be a JSON object")
        patch = copy.deepcopy(patch)
        patch.pop("_emulator", None)
        if "id" in patch and patch["id"] != instance.id:
            raise ValueError("the instance id cannot be changed")
        if "status" in patch and patch["status"] not in STATUSES:
            raise ValueError("status must be one of %s" % ", ".join(STATUSES))
        workspace_id = patch.pop("workspace_id", None)
        if workspace_id is not None:
            if not isinstance(workspace_id, str) or not workspace_id:
                raise ValueError("workspace_id must be a non-empty string")
            if workspace_id not in self.workspaces:
                self.workspaces.append(workspace_id)
            instance.workspace_id = workspace_id
        new_status = patch.pop("status", None)
        deep_merge(instance.data, patch)
        if "update_time" not in patch:
            self._touch(instance, self.wallclock())
        if new_status is not None:
            # An explicit status change ends any pending operation.
            instance.pending = None
            self._set_status(instance, new_status, "patch")
        return instance

    def perform(self, then):
        """The state change of a fault rule's "then" ({"create": {...}} or {"delete": id}); what happened, for the log."""
        if "create" in then:
            try:
                instance = self.add_instance(then["create"])
            except ValueError as exc:
                return {"error": str(exc)}
            self.record_event(instance.id, instance.workspace_id, None, instance.status, "fault")
            return {"created": instance.id}
        instance = self.instances.get(then["delete"])
        if instance is None:
            return {"error": "no instance %s" % then["delete"]}
        self.remove_instance(instance)
        self.record_event(instance.id, instance.workspace_id, instance.status, None, "fault")
        return {"deleted": instance.id}

    def remove_instance(self, instance):
        del self.instances[instance.id]
        self.ghosts.pop(instance.id, None)

    def next_request_seq(self):
        self._request_seq += 1
        return self._request_seq
