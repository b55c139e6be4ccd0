# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seeded chaos run: many real task runs of the built collection against the emulator, with faults and readings
drawn at random, every run checked against the emulator's own state and request log.

    python tests/chaos/chaos.py --runs 320 --seed 20261206 [--hosts 4] [--write-doc docs/reliability.md]

(``make chaos``; ``make chaos-short`` runs tests/chaos/test_chaos.py, a short run of the same driver.)

One ansible-playbook per round: each task (a "slot") runs on every host at once (hosts are local, one workspace
each), and each host's run has an instance of its own. When a slot starts, the chaos_conductor callback sets that
slot's readings (List items, update_time, write bodies, numbers, timestamps, List's total, stale reads) and installs
each run's fault rules; the log entries between two slot marks belong to that slot, split by workspace. A run is
checked for: no traceback; no success the state does not show; no write applied twice; every failure clean, of a
known kind, and carrying the API's error (the status of a persistent fault); no failure where every fault was one
a retry survives.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INTEGRATION = os.path.join(ROOT, "tests", "integration")
for _path in (ROOT, INTEGRATION):
    if _path not in sys.path:
        sys.path.insert(0, _path)

# The integration harness: its emulator control client, and the environment of a real ansible-playbook run.
from conftest import TOKEN, Ansible, Control  # noqa: E402  pylint: disable=wrong-import-position,import-error
from seed import INFO, MODULE  # noqa: E402  pylint: disable=wrong-import-position,import-error

from fabric_emulator.readings import READINGS as EMULATOR_READINGS  # noqa: E402  pylint: disable=wrong-import-position
from fabric_emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position

CALLBACKS = os.path.join(HERE, "callback_plugins")
SOURCE_ID = "5f1c0d2e9a8b4c7d8e6f0a1b2c3d4e5f"  # the emulator's defaults for an instance added without them
ENDPOINT_ID = "0b5633ba2b904511ad514346f4d23d4b"
SPEC_CODE = "mu.llama3.8b"
PAGE_SIZE = 100
API_TIMEOUT = 2
WAIT_TIMEOUT = 30
DOC_BEGIN = "<!-- chaos-run: begin (written by tests/chaos/chaos.py --write-doc) -->"
DOC_END = "<!-- chaos-run: end -->"

# What a run does, and how often (relative weights).
KINDS = {
    "update by id": 3,
    "update by name": 3,
    "deploy by name": 2,
    "delete by id": 2,
    "delete by name": 2,
    "info by id": 1,
    "info by name": 1,
}
WRITE_METHOD = {"update": "PUT", "deploy": "POST", "delete": "DELETE", "info": None}
# The readings a slot is set to (every value comes up: see Deck): the emulator's, and the stale reads after a write or
# a delete.
READINGS = dict(EMULATOR_READINGS, stale_reads=(0, 1, 2), stale_reads_after_delete=(0, 1, 2))
# Per run, as (k, n): k in every n runs (dealt from a deck, so exact over each n): no fault at all; two faults
# instead of one; the first fault persistent (a failure is expected: it must be clean and name the fault); an update
# asking for what the instance already shows; an update or delete starting from a FAILED instance.
RATES = {"no_fault": (1, 5), "second_fault": (3, 10), "persistent": (1, 10), "converged": (3, 20), "failed_start": (1, 5)}
# A PUT whose answer is lost and whose read-back is stale (the instance as it was) is sent again: the API refuses
# it while the first is UPDATING. Real updates take minutes; here they outlast the retry pauses before a resend
# (up to 1 + 2 s), or the resend is applied a second time (a known limit, docs/reliability.md).
STALE_UPDATE_SECONDS = (3.5, 4.0)
TRANSIENT = (
    "503",
    "429",
    "reset before the write is applied",
    "reset after the write is applied",
    "lost answer (504 after the write is applied)",
    "HTML gateway page",
    "reset on a read",
    "slow answer",
    "answer slower than api_timeout",
    "list changes between pages",
)
PERSISTENT = ("500 on every attempt", "sign-in page (200, HTML)", "redirect to a sign-in page", "empty 200 on a read")
FAILURE_KINDS = (
    ("API error", re.compile(r"returned HTTP \d{3}, error_code=.*request_id=")),
    ("not the API's answer", re.compile(r"got an answer that is not the API's: HTTP \d{3} with content type")),
    ("connection failure", re.compile(r"failed after \d+ attempt\(s\)")),
    ("timed out", re.compile(r"timed out after \d+s waiting for")),
    ("instance FAILED", re.compile(r"is FAILED (after|instead)")),
)


class Deck:
    """Values in a random order, each once before any comes again: random, and every value shows up."""

    def __init__(self, rng, values):
        self.rng = rng
        self.values = list(values)
        self.left = []

    def draw(self):
        if not self.left:
            self.left = list(self.values)
            self.rng.shuffle(self.left)
        return self.left.pop()

    @classmethod
    def rate(cls, rng, k_in_n):
        """True k times in every n draws."""
        k, n = k_in_n
        return cls(rng, [True] * k + [False] * (n - k))


def base(workspace):
    return "/v1/workspaces/{0}/services/instances".format(workspace)


def resource(min_, max_):
    return {"config": {"model_instance_config": {"resource": {"min": min_, "max": max_, "spec_code": SPEC_CODE}}}}


class Run:
    """One task run on one host: what it asks, what it starts from, the faults it meets, and what is expected."""

    def __init__(self, number, slot, host, kind):
        self.number = number
        self.slot = slot
        self.host = host
        self.kind = kind
        self.operation, _by, self.lookup = kind.partition(" by ")
        self.workspace = "chaos-h{0}".format(host)
        self.name = "n{0:05d}h{1}".format(number, host)  # fixed width: no name is part of another run's name
        self.instance_id = "chaos-{0:05d}-h{1}".format(number, host)
        self.initial = None
        self.crowd = []
        self.faults = []  # (rule, kind, persistent, times)
        self.args = {}
        self.converged = False

    @property
    def show(self):
        return base(self.workspace) + "/" + self.instance_id

    @property
    def list_path(self):
        return base(self.workspace)

    def read_paths(self):
        """Where this run's GETs go: the instance (a read by id, the polls) and, by name, the List."""
        if self.lookup == "id":
            return [self.show]
        return [self.list_path, self.show]

    def expects_success(self):
        """Every fault is one a retry (or the confirming read of a write) survives."""
        budget = self.args["api_retries"]
        return not any(persistent for _rule, _kind, persistent, _times in self.faults) and sum(t for *_x, t in self.faults) <= budget


def fault_rule(rng, run, kind):
    """(rule, persistent, times counted against the retries) of a fault of ``kind`` for ``run``; None if it does not apply."""
    write = WRITE_METHOD[run.operation]
    write_path = run.list_path if write == "POST" else run.show
    read_path = rng.choice(run.read_paths())

    def on(method):
        return {"method": method, "path": re.escape(write_path if method == write else read_path) + "$"}

    methods = ["GET"] + ([write] if write else [])
    if kind == "503":
        times = rng.randint(1, 2)
        return dict(on(rng.choice(methods)), status=503, retry_after="0", times=times), False, times
    if kind == "429":
        return dict(on(rng.choice(methods)), status=429, retry_after=rng.choice(["0", "1"])), False, 1
    if kind in ("reset before the write is applied", "reset after the write is applied", "lost answer (504 after the write is applied)"):
        if not write or run.converged:
            return None
        if kind.startswith("reset"):
            return dict(on(write), drop=True, apply=kind.startswith("reset after")), False, 1
        return dict(on(write), status=504, apply=True), False, 1
    if kind == "HTML gateway page":
        if write and rng.random() < 0.5 and not run.converged:
            return dict(on(write), html=True, status=502, apply=True), False, 1
        times = rng.randint(1, 2)
        return dict(on("GET"), html=True, status=502, times=times), False, times
    if kind == "reset on a read":
        return dict(on("GET"), drop=True), False, 1
    if kind == "slow answer":
        return dict(on("GET"), delay=round(rng.uniform(0.3, 1.2), 2), times=rng.randint(1, 2)), False, 0
    if kind == "answer slower than api_timeout":
        return dict(on("GET"), delay=API_TIMEOUT + 0.5), False, 1
    if kind == "list changes between pages":
        if run.lookup != "name":
            return None
        # A full first page of namesakes (the filter is fuzzy), created before the run's own instance: it is the first
        # item of page two, where an instance deleted before the offset would shift it out of sight.
        crowd = ["{0}-crowd-{1:03d}".format(run.name, index) for index in range(PAGE_SIZE)]
        run.crowd = [
            {"id": "{0}-c{1:03d}".format(run.instance_id, index), "name": name, "workspace_id": run.workspace} for index, name in enumerate(crowd)
        ]
        if rng.random() < 0.5:
            then = {"delete": run.crowd[rng.randrange(PAGE_SIZE // 2)]["id"]}  # before the offset: the rest shifts
        else:
            then = {"create": {"name": run.name + "-late", "workspace_id": run.workspace}}
        return {"method": "GET", "path": re.escape(run.list_path) + "$", "then": then}, False, 0
    if kind == "500 on every attempt":
        return dict(on(rng.choice(methods)), status=500, times=50), True, 0
    if kind == "sign-in page (200, HTML)":
        return dict(on("GET"), html=True, status=200, times=50), True, 0
    if kind == "redirect to a sign-in page":
        return dict(on("GET"), redirect=True, times=50), True, 0
    if kind == "empty 200 on a read":
        return dict(on("GET"), empty=True, times=50), True, 0
    raise ValueError(kind)


class Plan:
    """Every run of the chaos, drawn from one seed."""

    def __init__(self, seed, runs, hosts, slots_per_round):
        self.rng = random.Random(seed)
        self.seed = seed
        self.hosts = hosts
        self.kinds = Deck(self.rng, [kind for kind, weight in KINDS.items() for _copy in range(weight)])
        self.transient = Deck(self.rng, TRANSIENT)
        self.persistent = Deck(self.rng, PERSISTENT)
        self.readings = {key: Deck(self.rng, values) for key, values in READINGS.items()}
        self.rates = {key: Deck.rate(self.rng, k_in_n) for key, k_in_n in RATES.items()}
        slots = int(math.ceil(runs / float(hosts)))
        self.rounds = []
        number = 0
        for first in range(0, slots, slots_per_round):
            round_slots = []
            for slot in range(first, min(slots, first + slots_per_round)):
                kind = self.kinds.draw()
                config = {key: deck.draw() for key, deck in self.readings.items()}
                # Updates take seconds where reads may be stale (see STALE_UPDATE_SECONDS), a fraction of one elsewhere.
                seconds = STALE_UPDATE_SECONDS if config["stale_reads"] and kind.startswith("update") else (0.2, 0.6)
                config.update(update_seconds=round(self.rng.uniform(*seconds), 2), deploy_seconds=0.3, delete_seconds=0.3)
                runs_of_slot = []
                for host in range(hosts):
                    number += 1
                    runs_of_slot.append(self._run(number, slot, host, kind))
                round_slots.append(("slot-{0:04d}".format(slot), config, runs_of_slot))
            self.rounds.append(round_slots)

    def _run(self, number, slot, host, kind):
        rng = self.rng
        run = Run(number, slot, host, kind)
        max_before = rng.randint(1, 3)
        if run.operation != "deploy":
            run.initial = dict(
                {"id": run.instance_id, "name": run.name, "workspace_id": run.workspace, "description": "before"}, **resource(1, max_before)
            )
            if run.operation in ("update", "delete") and self.rates["failed_start"].draw():
                run.initial.update(status="FAILED", error_code="dataartsfabric.00040002", error_msg="an earlier failure")
        args = {"workspace_id": run.workspace, "api_retries": rng.randint(2, 3), "api_timeout": API_TIMEOUT, "wait_timeout": WAIT_TIMEOUT}
        if run.lookup == "id":
            args["instance_id"] = run.instance_id
        else:
            args["name"] = run.name
        if run.operation == "update":
            run.converged = self.rates["converged"].draw()
            if run.converged:
                args.update(description="before", resource={"max": max_before})
            else:
                args.update(
                    rng.choice(
                        [
                            {"description": "after"},
                            {"resource": {"max": max_before + 1}},
                            {"description": "after", "resource": {"max": max_before + 1}},
                        ]
                    )
                )
        elif run.operation == "deploy":
            args.update(
                source={"id": SOURCE_ID}, endpoint_id=ENDPOINT_ID, resource={"min": 1, "max": 2, "spec_code": SPEC_CODE}, description="deployed"
            )
        elif run.operation == "delete":
            args["state"] = "absent"
        run.args = args
        if not self.rates["no_fault"].draw():
            count = 2 if self.rates["second_fault"].draw() else 1
            for index in range(count):
                persistent = index == 0 and self.rates["persistent"].draw()
                for _attempt in range(len(TRANSIENT)):
                    kind = self.persistent.draw() if persistent else self.transient.draw()
                    built = fault_rule(rng, run, kind)
                    if built is not None:
                        rule, is_persistent, times = built
                        run.faults.append((rule, kind, is_persistent, times))
                        break
        return run

    @property
    def runs(self):
        return [run for round_slots in self.rounds for _name, _config, runs in round_slots for run in runs]


# ------------------------------------------------------------------------------------------------ running a round
def playbook(round_slots):
    tasks = []
    for name, _config, runs in round_slots:
        module = INFO if runs[0].operation == "info" else MODULE
        options = sorted({key for run in runs for key in run.args})
        run_var = "chaos_runs[inventory_hostname]['{0}']".format(name)
        tasks.append(
            {
                "name": name,
                module: {option: "{{{{ run.{0} | default(omit) }}}}".format(option) for option in options},
                "vars": {"run": "{{{{ {0} }}}}".format(run_var)},
                "ignore_errors": True,
            }
        )
    return [{"name": "chaos", "hosts": "all", "gather_facts": False, "tasks": tasks}]


def run_round(emulator, control, round_slots, hosts, collections_path, work):
    # Every host's workspace exists from the start, instances or not (a deploy-only host lists an empty one).
    control.call("POST", "reset", {"workspaces": ["chaos-h{0}".format(host) for host in range(hosts)], "instances": []})
    instances = [instance for _name, _config, runs in round_slots for run in runs for instance in run.crowd + ([run.initial] if run.initial else [])]
    for start in range(0, len(instances), 500):
        control.call("POST", "instances", {"instances": instances[start : start + 500]})
    slots = {
        name: {"config": config, "faults": [[rule, {"run": run.number, "kind": kind}] for run in runs for rule, kind, _p, _t in run.faults]}
        for name, config, runs in round_slots
    }
    chaos_runs = {"h{0}".format(host): {} for host in range(hosts)}
    for name, _config, runs in round_slots:
        for run in runs:
            chaos_runs["h{0}".format(run.host)][name] = run.args
    paths = {key: os.path.join(work, key) for key in ("plan.json", "vars.json", "play.yml", "record.jsonl", "stdout.txt")}
    with open(paths["plan.json"], "w", encoding="utf-8") as stream:
        json.dump(slots, stream)
    with open(paths["vars.json"], "w", encoding="utf-8") as stream:
        json.dump({"chaos_runs": chaos_runs}, stream)
    with open(paths["play.yml"], "w", encoding="utf-8") as stream:
        json.dump(playbook(round_slots), stream, indent=1)
    if os.path.exists(paths["record.jsonl"]):
        os.remove(paths["record.jsonl"])
    harness = Ansible(emulator.url, pathlib.Path(work))
    env = harness.env(
        {
            "ANSIBLE_COLLECTIONS_PATH": collections_path,
            "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
            "ANSIBLE_CALLBACKS_ENABLED": "chaos_conductor",
            "ANSIBLE_FORKS": str(hosts),
            "CHAOS_PLAN": paths["plan.json"],
            "CHAOS_CONTROL_URL": emulator.url,
            "HWCLOUD_RESULT_FILE": paths["record.jsonl"],
        }
    )
    inventory = ",".join("h{0}".format(host) for host in range(hosts)) + ","
    argv = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i",
        inventory,
        "-c",
        "local",
        "-e",
        "@" + paths["vars.json"],
        paths["play.yml"],
    ]
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600, check=False, cwd=work)
    with open(paths["stdout.txt"], "a", encoding="utf-8") as stream:
        stream.write(completed.stdout + completed.stderr)
    with open(paths["record.jsonl"], encoding="utf-8") as stream:
        record = [json.loads(line) for line in stream if line.strip()]
    return {
        "record": record,
        "log": control.call("GET", "requests")["requests"],
        "events": control.call("GET", "events")["events"],
        "instances": control.call("GET", "instances")["instances"],
        "stdout": completed.stdout[-5000:] + completed.stderr[-5000:],
    }


# ------------------------------------------------------------------------------------------------ judging the runs
def applied(entry):
    """Whether the emulator performed this write (a fault with apply performs it, then answers badly)."""
    if "applied_status" in entry:
        return 200 <= entry["applied_status"] < 300
    fault = entry["fault"]
    altered = bool(fault) and (fault["drop"] or fault["status"] is not None)
    return not altered and entry["status"] is not None and 200 <= entry["status"] < 300


def resource_of(instance):
    return ((instance.get("config") or {}).get("model_instance_config") or {}).get("resource") or {}


def shows(instance, args):
    """Whether an instance shows the values a task asked for (numbers compared as numbers, whatever the reading)."""
    if "description" in args and instance.get("description") != args["description"]:
        return False
    wanted = (args.get("resource") or {}).get("max")
    return wanted is None or str(resource_of(instance).get("max")) == str(wanted)


def answered_status(rule):
    """The HTTP status a fault rule answers with (the emulator's defaults when the rule names none)."""
    default = 302 if rule.get("redirect") else 200 if rule.get("empty") else 502 if rule.get("html") else None
    return rule.get("status", default)


def failure_kind(msg):
    for kind, pattern in FAILURE_KINDS:
        if pattern.search(msg or ""):
            return kind
    return None


def judge(run, entry, log, events, state):
    """(outcome label, [problems]) of one run."""
    problems = []
    if entry is None:
        return "no result", ["the run left no result"]
    outcome, result = entry["outcome"], entry["result"]
    if "Traceback (most recent call last)" in json.dumps(result) or "module_stderr" in result or "module_stdout" in result:
        problems.append("traceback or module crash: {0}".format(str(result.get("msg"))[:300]))
    writes = [item for item in log if item["method"] in ("PUT", "POST", "DELETE")]
    applied_writes = [item for item in writes if applied(item)]
    mine = [event for event in events if event["instance_id"] == run.instance_id]
    named = [item for item in state if item["workspace_id"] == run.workspace and item["name"] == run.name]
    live = [item for item in named if item["status"] not in ("DELETING", "DELETED")]
    if len(applied_writes) > 1 and run.operation != "delete":
        problems.append("{0} writes applied".format(len(applied_writes)))
    if run.operation == "update" and len([e for e in mine if e["operation"] == "update" and e["to"] == "UPDATING"]) > 1:
        problems.append("the update was applied twice")
    if run.operation == "delete" and len([e for e in mine if e["operation"] == "delete" and e["to"] == "DELETING"]) > 1:
        problems.append("the delete was started twice")
    if run.operation == "deploy" and len(named) > 1:
        problems.append("{0} instances named {1}".format(len(named), run.name))

    if outcome == "ok":
        label = "ok, changed" if result.get("changed") else "ok, unchanged"
        instance = next((item for item in state if item["id"] == run.instance_id), None)
        if run.operation == "update":
            if run.converged:
                if result.get("changed") or writes:
                    problems.append("a converged run changed something")
            elif not (result.get("changed") and len(applied_writes) == 1):
                problems.append("reported ok without exactly one applied update")
            if instance is None or not shows(instance, run.args) or (instance["status"] != "RUNNING" and not run.converged):
                problems.append("ok, but the emulator shows {0}".format(instance and {k: instance.get(k) for k in ("status", "description")}))
            if not shows(result.get("instance") or {}, run.args):
                problems.append("ok, but the result does not show the requested values")
        elif run.operation == "deploy":
            if not (result.get("changed") and len(live) == 1 and live[0]["status"] == "RUNNING" and result["instance"].get("id") == live[0]["id"]):
                problems.append("ok, but the emulator shows {0} instance(s) named {1}".format(len(live), run.name))
        elif run.operation == "delete":
            if not result.get("changed") or (instance is not None and instance["status"] != "DELETED"):
                problems.append("ok, but the instance is still there ({0})".format(instance and instance["status"]))
        else:
            found = result.get("instances") or []
            if [item.get("id") for item in found] != [run.instance_id] or any("config" not in item for item in found):
                problems.append("info returned {0}".format([item.get("id") for item in found]))
    elif outcome == "failed":
        msg = result.get("msg") or ""
        kind = failure_kind(msg)
        label = "failed: " + (kind or "unclassified")
        if kind is None:
            problems.append("a failure of no known kind: {0}".format(msg[:300]))
        if "another writer" in msg:
            problems.append("blamed another writer: {0}".format(msg[:300]))
        if kind == "API error" and not (result.get("error") or {}).get("request_id"):
            problems.append("an API error without its details")
        if run.expects_success():
            problems.append("failed although every fault was one a retry survives: {0}".format(msg[:300]))
        for rule, fault_kind, persistent, _times in run.faults:
            if persistent and "HTTP {0}".format(answered_status(rule)) not in msg and kind != "timed out":
                problems.append("the failure does not name the persistent fault ({0}): {1}".format(fault_kind, msg[:300]))
    else:
        label = outcome
        problems.append("outcome " + outcome)
    return label, problems


def split_log(record, log):
    """{(slot, workspace): [entries]}: a slot owns the entries logged after its mark and up to the next one."""
    marks = [line for line in record if "mark" in line]
    bounds = [(mark["mark"], mark["seq"], following["seq"]) for mark, following in zip(marks, marks[1:])]
    owned = collections.defaultdict(list)
    for slot, low, high in bounds:
        for entry in log:
            if low < entry["seq"] <= high:
                workspace = entry["path"].split("/")[3] if entry["path"].startswith("/v1/workspaces/") else None
                owned[(slot, workspace)].append(entry)
    rule_labels = {}
    for mark in marks:
        rule_labels.update(mark["rules"])
    return owned, rule_labels


def chaos(seed, runs, hosts=4, slots_per_round=20, collections_path=None, work=None, echo=print):
    """Plan, run and judge; returns the report (a dict)."""
    collections_path = collections_path or os.environ.get("HWCLOUD_COLLECTIONS_PATH") or os.path.join(ROOT, "build", "collections")
    if not os.path.isdir(os.path.join(collections_path, "ansible_collections", "hwcloud", "dataarts")):
        raise RuntimeError("the built collection is not installed in {0}: run `make build`".format(collections_path))
    plan = Plan(seed, runs, hosts, slots_per_round)
    work = work or tempfile.mkdtemp(prefix="hwcloud-chaos-")
    emulator = Emulator(host="127.0.0.1", port=0, tokens=[TOKEN])
    emulator.start()
    control = Control(emulator.url)
    outcomes, problems = collections.Counter(), []
    injected, met = collections.Counter(), collections.Counter()
    readings = {key: collections.Counter() for key in READINGS}
    by_kind = collections.Counter()
    started = time.monotonic()
    try:
        for index, round_slots in enumerate(plan.rounds):
            round_started = time.monotonic()
            seen = run_round(emulator, control, round_slots, hosts, collections_path, work)
            owned, rule_labels = split_log(seen["record"], seen["log"])
            results = {(line["task"], line["host"]): line for line in seen["record"] if "task" in line}
            for entry in seen["log"]:
                label = rule_labels.get(str((entry.get("fault") or {}).get("id")))
                if label:
                    met[label["kind"]] += 1
            for name, config, runs_of_slot in round_slots:
                for key in READINGS:
                    readings[key][config[key]] += len(runs_of_slot)
                for run in runs_of_slot:
                    by_kind[run.kind] += 1
                    for _rule, kind, _persistent, _times in run.faults:
                        injected[kind] += 1
                    label, found = judge(
                        run, results.get((name, "h{0}".format(run.host))), owned[(name, run.workspace)], seen["events"], seen["instances"]
                    )
                    outcomes[label] += 1
                    for problem in found:
                        problems.append(
                            {
                                "run": run.number,
                                "slot": name,
                                "kind": run.kind,
                                "faults": [kind for _r, kind, _p, _t in run.faults],
                                "config": config,
                                "problem": problem,
                            }
                        )
            echo(
                "round {0}/{1}: {2} runs in {3:.0f} s, {4} problem(s) so far".format(
                    index + 1, len(plan.rounds), sum(len(r) for _n, _c, r in round_slots), time.monotonic() - round_started, len(problems)
                )
            )
    finally:
        emulator.stop()
    total = sum(outcomes.values())
    return {
        "seed": seed,
        "runs": total,
        "hosts": hosts,
        "rounds": len(plan.rounds),
        "seconds": round(time.monotonic() - started, 1),
        "rates": dict(RATES),
        "kinds": dict(by_kind),
        "faults_injected": dict(injected),
        "requests_faulted": dict(met),
        "readings": {key: dict(counter) for key, counter in readings.items()},
        "outcomes": dict(outcomes),
        "problems": problems,
        "work": work,
    }


# ------------------------------------------------------------------------------------------------------ reporting
def markdown(report, command):
    lines = [
        DOC_BEGIN,
        "",
        "### The last chaos run",
        "",
        "`{0}`: seed {1}, {2} task runs ({3} hosts at once, {4} playbooks), {5:.0f} s, **{6} problem(s)**.".format(
            command, report["seed"], report["runs"], report["hosts"], report["rounds"], report["seconds"], len(report["problems"])
        ),
        "",
        "Rates (k in every n, dealt at random): no fault {no_fault}; a second fault {second_fault}; the first fault persistent "
        "{persistent}; an update that asks for what the instance shows {converged}; an update or delete starting from a FAILED "
        "instance {failed_start}.".format(**{key: "{0} in {1}".format(*value) for key, value in report["rates"].items()}),
        "",
        "| task | runs |",
        "| --- | ---: |",
    ]
    lines += ["| {0} | {1} |".format(kind, report["kinds"].get(kind, 0)) for kind in KINDS]
    lines += ["", "| fault | rules injected | requests it answered |", "| --- | ---: | ---: |"]
    for kind in TRANSIENT + PERSISTENT:
        lines.append(
            "| {0}{1} | {2} | {3} |".format(
                kind, " (persistent)" if kind in PERSISTENT else "", report["faults_injected"].get(kind, 0), report["requests_faulted"].get(kind, 0)
            )
        )
    lines += ["", "| reading | runs under each value |", "| --- | --- |"]
    for key, values in READINGS.items():
        lines.append("| `{0}` | {1} |".format(key, ", ".join("{0}: {1}".format(value, report["readings"][key].get(value, 0)) for value in values)))
    lines += ["", "| outcome | runs |", "| --- | ---: |"]
    lines += ["| {0} | {1} |".format(outcome, count) for outcome, count in sorted(report["outcomes"].items())]
    lines += ["", DOC_END]
    return "\n".join(lines) + "\n"


def write_doc(path, section):
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    if DOC_BEGIN in text and DOC_END in text:
        head, rest = text.split(DOC_BEGIN, 1)
        text = head + section.rstrip("\n") + rest.split(DOC_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--runs", type=int, default=320)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--slots-per-round", type=int, default=20)
    parser.add_argument("--write-doc", metavar="MARKDOWN", help="replace the chaos-run section of this page (docs/reliability.md)")
    parser.add_argument("--json", metavar="FILE", help="write the whole report, problems included, as JSON")
    options = parser.parse_args(argv)
    report = chaos(options.seed, options.runs, options.hosts, options.slots_per_round)
    command = "python tests/chaos/chaos.py --seed {0} --runs {1} --hosts {2}".format(options.seed, options.runs, options.hosts)
    section = markdown(report, os.environ.get("CHAOS_COMMAND", command))
    print(section)
    for problem in report["problems"]:
        print("PROBLEM", json.dumps(problem))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as stream:
            json.dump(report, stream, indent=1)
    if options.write_doc:
        write_doc(options.write_doc, section)
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
