# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciler of fabric_service_instance: find the instance, plan the change, make one write, wait.

The module itself holds only its options and ``main()``; everything it does is here, so that the flow
reads in one place: ``Reconciler.run`` picks update, deploy or delete, ``Reconciler._write`` is the only
place that writes, ``_unless_check_mode`` the only place check mode branches, and every wait uses a named condition from
``_conditions``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _conditions, _validate
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricInputError, FabricWaitError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import (
    FIELD_BY_OPTION,
    GONE,
    InstancesApi,
    Plan,
    lacks_fields,
    requested_values,
    shaped,
)

DEPLOY_REQUIRES = ("source.id", "endpoint_id", "resource.min", "resource.max", "resource.spec_code")
# How many reads, CONFIRM_PAUSE seconds apart, must show an instance unchanged before a PUT whose answer was lost
# is sent again: fewer, and a stale read right after the write would get an update applied twice.
CONFIRM_READS = 3
CONFIRM_PAUSE = 1.0
# What the API answers to a PUT it will not take in the instance's current state (PUT on an UPDATING instance).
REFUSED_IN_THIS_STATE = (400, 409)


def validate(params):
    """Every documented constraint on the options, before any request."""
    _validate.check_id("workspace_id", params["workspace_id"])
    _validate.check_id("instance_id", params["instance_id"])
    _validate.check_name("name", params["name"])
    _validate.check_description("description", params["description"])
    _validate.check_source("source", params["source"])
    _validate.check_resource("resource", params["resource"])
    _validate.check_id("endpoint_id", params["endpoint_id"])
    _validate.check_wait_timeout(params)


class Reconciler:
    """Finds the instance, plans the change and applies it; ``_write`` is the only place that writes."""

    def __init__(self, module, waiter):
        self.module = module
        self.params = module.params
        self.api = InstancesApi(module.client, self.params["workspace_id"])
        self.waiter = waiter
        self.requested = requested_values(self.params)

    def wait_for(self, instance_id, condition, what, read=None):
        """Poll the instance until ``condition`` says done; every wait of the task ends by the task's deadline."""
        read = read or self.api.show_or_none

        def probe():
            return condition(read(instance_id))

        return self.waiter.wait(probe, self.params["wait_timeout"], what, deadline=self.module.deadline)

    # Reading

    def find(self):
        """The instance, or None when it is absent (DELETING and DELETED count as absent)."""
        instance_id = self.params["instance_id"]
        if instance_id:
            if self.params["state"] == "absent":
                instance = self.api.show_or_none(instance_id)
            else:
                instance = self.api.show(instance_id)  # an unknown id is the API's 404, as a failure
            return None if instance is None or instance.get("status") in GONE else instance
        matches = self.api.find_by_name(self.params["name"])
        if len(matches) > 1:
            raise FabricInputError(
                "{0} instances are named {1!r} (ids: {2}); give instance_id to choose one".format(
                    len(matches), self.params["name"], ", ".join(sorted(str(item.get("id")) for item in matches))
                )
            )
        if not matches:
            return None
        # The SDK's List items carry no config: read the detail when the item lacks a field the task compares.
        compared = set(self.requested)
        for option in self.requested:
            compared.update(FIELD_BY_OPTION[option].sent_with)
        if self.params["state"] == "present" and lacks_fields(matches[0], compared):
            found = self.api.show_or_none(matches[0]["id"])
            return None if found is None or found.get("status") in GONE else found
        return matches[0]

    def settle(self, instance):
        """Wait out a transitional status before changing anything (check mode predicts from it instead)."""
        status = _conditions.status_of(instance)
        if not _conditions.is_transitional(instance):
            return instance

        def wait():
            if not self.params["wait"]:
                raise FabricWaitError(
                    "instance {0} is {1}; set wait: true to wait for a steady status first".format(instance.get("id"), status), instance
                )
            what = "instance {0} to leave {1}".format(instance["id"], status)
            return self.wait_for(instance["id"], _conditions.settled, what, self.api.show)

        def predict():
            self.module.warn("instance {0} is {1}; check mode predicts from that state without waiting".format(instance.get("id"), status))
            return instance

        return self._unless_check_mode(wait, predict)

    # The one place check mode branches: every write, and every wait before a write, goes through it.

    def _unless_check_mode(self, act, instead):
        return instead() if self.module.check_mode else act()

    def _write(self, send):
        """Send the write unless in check mode; True when it was sent."""

        def sent():
            send()
            return True

        return self._unless_check_mode(sent, lambda: False)

    # The three outcomes

    def update(self, instance):
        instance = self.settle(instance)
        plan = Plan(instance, self.requested)
        plan.check()
        result = {"changed": plan.changed, "instance": instance, "diff": plan.diff()}
        if not plan.changed:
            if _conditions.is_failed(instance):
                # Nothing to change is not the same as healthy: say so instead of a silent green run.
                self.module.warn(_conditions.failed_text(instance.get("id"), instance, "is FAILED"))
            return result
        result["instance"] = plan.predicted()
        if self._write(lambda: self.send_update(instance, plan)) and self.params["wait"]:
            result["instance"] = self.wait_for(
                instance["id"],
                _conditions.update_applied(instance, self.requested),
                "instance {0} to show the update".format(instance["id"]),
                self.api.show,  # the instance vanishing during an update is the API's 404, as a failure
            )
        return result

    def send_update(self, before, plan):
        instance_id = before["id"]
        lost = []

        def confirm():
            """A PUT whose answer was lost took effect when the instance shows the change, is busy with one, or was
            written since the read before it. A read right after a write may still show the instance as it was
            (eventual consistency), so an unchanged instance is read again before the PUT is sent again."""
            lost.append(True)
            for read in range(CONFIRM_READS):
                if read:
                    self.module.sleep(CONFIRM_PAUSE)
                seen = self.api.show(instance_id)
                if _conditions.shows_requested(seen, plan.changes) or _conditions.is_transitional(seen) or _conditions.is_fresh(seen, before):
                    return seen
            return None

        try:
            self.api.update(instance_id, plan.body(), confirm)
        except FabricApiError as err:
            if err.status not in REFUSED_IN_THIS_STATE:
                raise
            if lost:
                # A resend refused after an answer was lost: the first PUT most likely took (a stale read hid it),
                # and the instance is busy with it. The wait judges by the values the instance ends up showing.
                return
            seen = self.api.show(instance_id)
            if _conditions.is_transitional(seen) or _conditions.shows_requested(seen, plan.changes):
                # Busy with an update (another writer's): the wait judges by the values it ends up showing.
                return
            if _conditions.is_fresh(seen, before):
                raise FabricWaitError(
                    "another writer changed instance {0} while this task updated it (now {1}); the API refused the update: {2}".format(
                        instance_id, seen.get("status"), err
                    ),
                    seen,
                ) from None
            raise

    def deploy(self):
        if self.params["instance_id"]:
            raise FabricInputError(
                "instance {0} does not exist (it is being deleted or deleted); an instance id cannot be created".format(self.params["instance_id"])
            )
        missing = [option for option in DEPLOY_REQUIRES if option not in self.requested]
        if missing:
            raise FabricInputError("no instance is named {0!r}; deploying it needs {1}".format(self.params["name"], ", ".join(missing)))
        body = shaped(self.requested)
        result = {"changed": True, "instance": dict(body, status="CREATING"), "diff": {"before": {}, "after": body}}
        created = {}

        def confirm():
            """A POST whose answer was lost took effect when an instance with the name appeared (none was there)."""
            found = self.api.find_by_name(self.params["name"])
            if len(found) > 1:
                raise FabricWaitError(
                    "the answer to deploying {0!r} was lost, and {1} instances now have that name (ids: {2}); not deploying again".format(
                        self.params["name"], len(found), ", ".join(sorted(str(item.get("id")) for item in found))
                    )
                )
            return found[0] if found else None

        def send():
            created["id"] = self.api.deploy(body, confirm)

        if not self._write(send):
            return result
        result["instance"]["id"] = created["id"]
        if self.params["wait"]:
            result["instance"] = self.wait_for(
                created["id"], _conditions.deployed(created["id"]), "instance {0} to be deployed".format(created["id"])
            )
        return result

    def delete(self, instance):
        if instance is None:
            return {"changed": False, "instance": {}, "diff": {"before": {}, "after": {}}}
        instance_id = instance["id"]
        result = {"changed": True, "instance": {}, "diff": {"before": {"id": instance_id, "name": instance.get("name")}, "after": {}}}

        outcome = {}
        lost = []

        def confirm():
            """A DELETE whose answer was lost took effect when the instance is gone or going."""
            lost.append(True)
            seen = self.api.show_or_none(instance_id)
            if seen is None or seen.get("status") in GONE:
                return seen or {}
            return None

        def send():
            try:
                self.api.delete(instance_id, confirm)
            except FabricApiError as err:
                if err.status != 404:
                    raise
                # Deleted by someone else since the read: the state the task declares, without this task's doing. After a
                # lost answer, a resend answered 404 means the first DELETE took (a stale read had shown it untouched).
                outcome["already_gone"] = not lost

        if not self._write(send):
            return result
        if outcome.get("already_gone"):
            return dict(result, changed=False)
        if self.params["wait"]:
            self.wait_for(instance_id, _conditions.deleted(instance), "instance {0} to be deleted".format(instance_id))
        return result

    def run(self):
        instance = self.find()
        if self.params["state"] == "absent":
            return self.delete(instance)
        if instance is None:
            return self.deploy()
        return self.update(instance)


def manage_instance(module):
    """fabric_service_instance: the task's result dict."""
    waiter = module.start_task(validate)
    result = Reconciler(module, waiter).run()
    if not module.diff_mode:
        result.pop("diff", None)
    waited = waiter.waited()
    if waited is not None:
        result["waited"] = waited
    return result
