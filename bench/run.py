# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: hwcloud.dataarts.fabric_service_instance (A) against the hand-written uri playbook (B) and ping (C).

Run it with ``make bench`` (which builds and installs the collection first), or ``.venv/bin/python bench/run.py``
after ``make build``. It starts one emulator for the whole run, runs real ``ansible-playbook`` processes with the
built collection, prints a table and writes docs/performance.md. See that page for what is measured and how.

Settings, from the environment:

  BENCH_SINGLE           1: run the one-instance A/B/C rounds, 0: skip them (default 1)
  BENCH_ROUNDS           rounds of the interleaved A/B/C runs (default 5)
  BENCH_UPDATE_SECONDS   how long an update takes on the emulator (default 2)
  BENCH_SCALE            1: run the scale scenario, 0: skip it (default 1)
  BENCH_SCALE_N          instances in the scale scenario (default 200)
  BENCH_SCALE_DRIFT      of those, how many differ from the playbook before each scale run (default 20)
  BENCH_SCALE_ROUNDS     rounds of the scale scenario (default 1)
  BENCH_FORKS            forks of the across-hosts form (default 20)
  BENCH_FLEET            1: run the fleet rows (bench/fleet.py), 0: skip them (default 1)
  BENCH_FLEET_N          instances of the fleet-wide vs uri loop pairs (default 200)
  BENCH_FLEET_DRIFT      of those, how many differ from the playbook in the drifted case (default 20)
  BENCH_FLEET_ROUNDS     rounds of the fleet rows; each pair runs in the other order the next round (default 2)
  BENCH_ROLLING_N        instances of the rolling vs fleet-wide pair, all changing (default 10)
  BENCH_THROTTLE_EVERY   the emulator answers 429 (Retry-After: 1) to every Nth API request during scale and fleet
                         runs (default 10)
  BENCH_COLLECTIONS      where the built collection is installed (default build/collections)
  BENCH_OUTPUT           the page to write (default docs/performance.md; empty: write nothing). Only the sections of
                         what ran are rewritten: with BENCH_SINGLE=0 BENCH_SCALE=0, "Last run" stays as it was
  BENCH_KEEP             1: keep the work directory (playbook output, inventories) and say where it is
  BENCH_COMMAND          how the run was started, for the page (make bench sets it)

Only the standard library and what .venv holds (ansible-core) are used.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import fleet  # bench/fleet.py, beside this file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, "playbooks")
CALLBACKS = os.path.join(HERE, "callback_plugins")
BIN = os.path.dirname(sys.executable)
TOKEN = "bench-token-" + "Vd8qLz3NwX5tKp7RbY2mHc9Fj4Gs6EaQ"
WORKSPACE = "ws-bench"
SCALE_WORKSPACE = "ws-scale"
CONVERGED_ID = "bench-converged"
CHANGE_IDS = {"A": "bench-change-a", "B": "bench-change-b"}
TOGGLE = ("bench toggle even", "bench toggle odd")
SCALE_DESCRIPTION = "declared by the scale playbook"
DRIFTED_DESCRIPTION = "drifted since the last run"
CASES = {
    "A": ("module.yml", "fabric_service_instance"),
    "B": ("uri.yml", "hand-written ansible.builtin.uri"),
    "C": ("ping.yml", "ansible.builtin.ping (floor)"),
}
# The task whose end is "the task returned" for the wait-detection latency.
WAIT_TASK = {"A": "Converge the instance", "B": "Wait until the instance is RUNNING with the new values"}
ORDERS = (("A", "B", "C"), ("B", "C", "A"), ("C", "A", "B"))


def setting(name, default, kind=int):
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return kind(value)
    except ValueError:
        raise SystemExit("bench: {0}={1!r} is not a valid {2}".format(name, value, kind.__name__)) from None


class Settings:
    def __init__(self):
        self.single = setting("BENCH_SINGLE", 1) != 0
        self.rounds = max(1, setting("BENCH_ROUNDS", 5))
        self.update_seconds = setting("BENCH_UPDATE_SECONDS", 2.0, float)
        self.scale = setting("BENCH_SCALE", 1) != 0
        self.scale_n = max(1, setting("BENCH_SCALE_N", 200))
        self.scale_drift = min(self.scale_n, max(0, setting("BENCH_SCALE_DRIFT", 20)))
        self.scale_rounds = max(1, setting("BENCH_SCALE_ROUNDS", 1))
        self.forks = max(1, setting("BENCH_FORKS", 20))
        self.fleet = setting("BENCH_FLEET", 1) != 0
        self.fleet_n = max(1, setting("BENCH_FLEET_N", 200))
        self.fleet_drift = min(self.fleet_n, max(0, setting("BENCH_FLEET_DRIFT", 20)))
        self.fleet_rounds = max(1, setting("BENCH_FLEET_ROUNDS", 2))
        self.rolling_n = max(1, setting("BENCH_ROLLING_N", 10))
        self.throttle_every = max(1, setting("BENCH_THROTTLE_EVERY", 10))
        self.collections = os.path.abspath(os.environ.get("BENCH_COLLECTIONS") or os.path.join(ROOT, "build", "collections"))
        output = os.environ.get("BENCH_OUTPUT")
        self.output = os.path.join(ROOT, "docs", "performance.md") if output is None else output
        self.keep = setting("BENCH_KEEP", 0) != 0
        self.command = os.environ.get("BENCH_COMMAND") or " ".join(["python"] + sys.argv)

    def describe(self):
        return (
            "BENCH_SINGLE={1} BENCH_ROUNDS={0.rounds} BENCH_UPDATE_SECONDS={0.update_seconds:g} BENCH_SCALE={2} BENCH_SCALE_N={0.scale_n} "
            "BENCH_SCALE_DRIFT={0.scale_drift} BENCH_SCALE_ROUNDS={0.scale_rounds} BENCH_FORKS={0.forks} "
            "BENCH_FLEET={3} BENCH_FLEET_N={0.fleet_n} BENCH_FLEET_DRIFT={0.fleet_drift} BENCH_FLEET_ROUNDS={0.fleet_rounds} "
            "BENCH_ROLLING_N={0.rolling_n} BENCH_THROTTLE_EVERY={0.throttle_every}"
        ).format(self, int(self.single), int(self.scale), int(self.fleet))


# ----------------------------------------------------------------------------------------------- emulator


class Emulator:
    """One emulator subprocess for the whole run, and its control API."""

    def __init__(self, workdir, update_seconds):
        self.port_file = os.path.join(workdir, "emulator.port")
        self.log_path = os.path.join(workdir, "emulator.log")
        self.log = open(self.log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        argv = [
            sys.executable,
            "-m",
            "fabric_emulator",
            "--port",
            "0",
            "--port-file",
            self.port_file,
            "--token",
            TOKEN,
            "--update-seconds",
            str(update_seconds),
        ]
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        self.url = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with open(self.port_file, encoding="utf-8") as handle:
                    port = handle.read().strip()
                if port.isdigit():
                    return "http://127.0.0.1:" + port
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        with open(self.log_path, encoding="utf-8") as handle:
            raise SystemExit("bench: the emulator did not start:\n" + handle.read())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec - the loopback emulator
            text = response.read().decode("utf-8")
        return json.loads(text) if text else None

    def api_requests(self):
        """The Fabric API requests logged since the last clear, in the order they arrived."""
        entries = self.call("GET", "requests")["requests"]
        return sorted((entry for entry in entries if entry["path"].startswith("/v1/")), key=lambda entry: entry["seq"])

    def instance(self, instance_id):
        return self.call("GET", "instances/" + instance_id)


def instance_seed(instance_id, workspace, description, max_=2):
    return {
        "workspace_id": workspace,
        "id": instance_id,
        "name": instance_id,
        "description": description,
        "config": {"model_instance_config": {"resource": {"min": 1, "max": max_, "spec_code": "mu.llama3.8b"}}},
    }


def scale_ids(count):
    return ["bench-scale-{0:04d}".format(index) for index in range(count)]


# ---------------------------------------------------------------------------------------------- a run


class Run:
    """One ansible-playbook process: wall and CPU time, exit code, the API requests it sent, its task results."""

    def __init__(self, label, wall, cpu, rc, requests, events, timer, output):
        self.label = label
        self.wall = wall
        self.cpu = cpu
        self.rc = rc
        self.requests = requests
        self.events = events
        self.timer = timer
        self.output = output
        self.problems = []

    def count(self, method=None, status=None):
        return sum(1 for entry in self.requests if (method is None or entry["method"] == method) and (status is None or entry["status"] == status))

    def shape(self):
        """The requests as '1 GET + 1 PUT + 2 polls'-like text: the PUT splits reads from polls."""
        if not self.requests:
            return "0"
        puts = [index for index, entry in enumerate(self.requests) if entry["method"] == "PUT"]
        gets = self.count("GET")
        parts = []
        if puts:
            before = sum(1 for entry in self.requests[: puts[0]] if entry["method"] == "GET")
            parts = ["{0} GET".format(before), "{0} PUT".format(len(puts)), "{0} GET (polls)".format(gets - before)]
        else:
            parts = ["{0} GET".format(gets)]
        throttled = self.count(status=429)
        if throttled:
            parts.append("{0} answered 429".format(throttled))
        return "{0} = {1}".format(len(self.requests), " + ".join(parts))

    def task_end(self, task):
        ends = [record["time"] for record in self.timer if record["kind"] == "task" and record["task"] == task]
        return max(ends) if ends else None

    def failures(self):
        """Failed loop items, or failed hosts when the task is not a loop (unreachable counts as failed)."""
        items = sum(1 for record in self.timer if record["kind"] == "item" and record["outcome"] == "failed")
        if items:
            return items
        return len({record["host"] for record in self.timer if record["kind"] == "task" and record["outcome"] in ("failed", "unreachable")})

    def first_failure(self):
        for record in self.timer:
            if record["outcome"] in ("failed", "unreachable"):
                return "{0} on {1}: {2}".format(record["task"], record["host"], record.get("msg", ""))
        return None


class Bench:
    def __init__(self, settings):
        self.settings = settings
        self.workdir = tempfile.mkdtemp(prefix="hwcloud-bench-")
        self.runs = 0
        self.emulator = None
        self.new_part()

    def new_part(self):
        """A part of the run (one "last run" section of the page) starts: its own time and load figures."""
        self.loadavg_start = os.getloadavg()
        self.loads = []  # the 1-minute load average before every run
        self.started = datetime.datetime.now(datetime.timezone.utc)

    # ---------------------------------------------------------------------------------- set-up

    def start(self):
        installed = os.path.join(self.settings.collections, "ansible_collections", "hwcloud", "dataarts")
        if not os.path.isdir(installed):
            raise SystemExit("bench: the collection is not installed in {0}: run `make build` (make bench does)".format(self.settings.collections))
        self.emulator = Emulator(self.workdir, self.settings.update_seconds)
        self.reseed()

    def reseed(self):
        instances = [instance_seed(CONVERGED_ID, WORKSPACE, "bench converged")]
        instances += [instance_seed(instance_id, WORKSPACE, TOGGLE[0]) for instance_id in CHANGE_IDS.values()]
        if self.settings.scale:
            instances += [instance_seed(instance_id, SCALE_WORKSPACE, SCALE_DESCRIPTION) for instance_id in scale_ids(self.settings.scale_n)]
        if self.settings.fleet:
            instances += fleet.seed_instances(self.settings, instance_seed, SCALE_DESCRIPTION)
        self.emulator.call("POST", "reset", {"workspaces": [WORKSPACE, SCALE_WORKSPACE], "instances": instances})

    def stop(self):
        if self.emulator is not None:
            self.emulator.stop()
        if self.settings.keep:
            print("bench: work directory kept: " + self.workdir)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def env(self, timer_file):
        env = {key: value for key, value in os.environ.items() if not key.startswith(("HW_", "ANSIBLE_", "BENCH_"))}
        home = os.path.join(self.workdir, "ansible-home")
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": self.settings.collections,
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
                "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
                "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "ANSIBLE_LOCALHOST_WARNING": "false",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
                "ANSIBLE_NOCOLOR": "true",
                "ANSIBLE_RETRY_FILES_ENABLED": "false",
                "ANSIBLE_HOME": home,
                "ANSIBLE_LOCAL_TEMP": os.path.join(home, "tmp"),
                "ANSIBLE_REMOTE_TEMP": os.path.join(home, "remote-tmp"),
                "BENCH_TIMER_FILE": timer_file,
                "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
            }
        )
        return env

    def inventory(self, hosts, extra_vars=None):
        """An inventory file: {host: hostvars}, every host local, the connection in the group vars."""
        group_vars = {"fabric_endpoint": self.emulator.url, "fabric_token": TOKEN, "fabric_workspace": WORKSPACE}
        group_vars.update(extra_vars or {})
        for hostvars in hosts.values():
            hostvars["ansible_connection"] = "local"
        path = os.path.join(self.workdir, "inventory-{0}.json".format(self.runs + 1))
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"all": {"hosts": hosts, "vars": group_vars}}, handle)
        return path

    # ------------------------------------------------------------------------------------ runs

    def playbook(self, label, playbook, inventory, forks=None):
        self.runs += 1
        timer_file = os.path.join(self.workdir, "timer-{0}.jsonl".format(self.runs))
        output = os.path.join(self.workdir, "run-{0}-{1}.log".format(self.runs, label.replace(" ", "_")))
        argv = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, os.path.join(PLAYBOOKS, playbook)]
        if forks:
            argv += ["--forks", str(forks)]
        self.emulator.call("DELETE", "requests")
        self.emulator.call("DELETE", "events")
        self.loads.append(os.getloadavg()[0])
        started_at = time.time()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(output, "w", encoding="utf-8") as stream:
            started = time.perf_counter()
            completed = subprocess.run(
                argv, env=self.env(timer_file), cwd=self.workdir, stdout=stream, stderr=subprocess.STDOUT, timeout=7200, check=False
            )
            wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        timer = []
        if os.path.exists(timer_file):
            with open(timer_file, encoding="utf-8") as handle:
                timer = [json.loads(line) for line in handle if line.strip()]
        run = Run(label, wall, cpu, completed.returncode, self.emulator.api_requests(), self.emulator.call("GET", "events")["events"], timer, output)
        run.started_at, run.load_before = started_at, self.loads[-1]
        if run.rc != 0:
            with open(output, encoding="utf-8") as handle:
                run.problems.append("exit code {0}: {1}".format(run.rc, run.first_failure() or handle.read()[-600:]))
        return run

    def single(self, case, instance_id, description, max_=2):
        hosts = {"bench": {"instance_id": instance_id, "desired_description": description, "desired_max": max_}}
        return self.playbook(case, CASES[case][0], self.inventory(hosts))

    def converged(self, case):
        if case == "C":
            return self.single("C", CONVERGED_ID, "bench converged")
        run = self.single(case, CONVERGED_ID, "bench converged")
        if run.count("PUT"):
            run.problems.append("a converged run sent a PUT")
        return run

    def change(self, case):
        if case == "C":
            return self.single("C", CONVERGED_ID, "bench converged")
        instance_id = CHANGE_IDS[case]
        current = self.emulator.instance(instance_id)["description"]
        wanted = TOGGLE[1] if current == TOGGLE[0] else TOGGLE[0]
        run = self.single(case, instance_id, wanted)
        after = self.emulator.instance(instance_id)
        if after["description"] != wanted or after["status"] != "RUNNING":
            run.problems.append("the instance shows {0!r} ({1}) after the run".format(after["description"], after["status"]))
        if run.count("PUT") != 1:
            run.problems.append("{0} PUT requests".format(run.count("PUT")))
        running = [
            event["time"]
            for event in run.events
            if event["instance_id"] == instance_id and event["to"] == "RUNNING" and event["operation"] == "update"
        ]
        end = run.task_end(WAIT_TASK[case])
        run.latency = (end - running[-1]) if running and end is not None else None
        if run.latency is None:
            run.problems.append("no UPDATING -> RUNNING event or no task end to measure the latency")
        return run

    def drift(self, ids, count, offset):
        """Make ``count`` of the instances (evenly spread, from ``offset``) differ from the playbooks; their ids."""
        drifted = set(ids) if count >= len(ids) else set()
        if count and not drifted:
            step = len(ids) // count
            drifted = set(ids[offset % step :: step][:count])
        for instance_id in sorted(drifted):
            self.emulator.call("PATCH", "instances/" + instance_id, {"description": DRIFTED_DESCRIPTION})
        return drifted

    @contextlib.contextmanager
    def throttled(self):
        """The emulator answers 429 (Retry-After: 1) to every BENCH_THROTTLE_EVERY-th API request meanwhile."""
        self.emulator.call("DELETE", "faults")
        self.emulator.call(
            "POST",
            "faults",
            {"method": "*", "path": "^/v1/", "status": 429, "retry_after": "1", "every": self.settings.throttle_every, "times": 1000000000},
        )
        try:
            yield
        finally:
            self.emulator.call("DELETE", "faults")

    def judge_convergence(self, run, workspace, drifted):
        """After a run: how many instances of the workspace do not show SCALE_DESCRIPTION and RUNNING, PUTs accepted."""
        instances = self.emulator.call("GET", "instances?workspace_id=" + workspace)["instances"]
        run.drifted = len(drifted)
        run.not_converged = sum(1 for instance in instances if instance["description"] != SCALE_DESCRIPTION or instance["status"] != "RUNNING")
        run.updated = sum(1 for entry in run.requests if entry["method"] == "PUT" and entry["status"] is not None and entry["status"] < 300)
        return run

    def loop_run(self, label, playbook, workspace, ids):
        """One host converging ``ids`` to SCALE_DESCRIPTION in a loop (scale_instances: [{id, description, max}])."""
        wanted = [{"id": instance_id, "description": SCALE_DESCRIPTION, "max": 2} for instance_id in ids]
        inventory = self.inventory({"bench": {"scale_instances": wanted}}, {"fabric_workspace": workspace})
        return self.playbook(label, playbook, inventory)

    def scale(self, case, form, round_index):
        """One scale run: drift some instances, throttle a fraction of the API requests, converge all of them."""
        settings = self.settings
        ids = scale_ids(settings.scale_n)
        drifted = self.drift(ids, settings.scale_drift, round_index * 2 + (case == "B") + (form == "hosts") * 4)
        with self.throttled():
            if form == "loop":
                run = self.loop_run("{0} loop".format(case), "module_loop.yml" if case == "A" else "uri_loop.yml", SCALE_WORKSPACE, ids)
            else:
                hosts = {
                    "scale-{0:04d}".format(index): {"instance_id": instance_id, "desired_description": SCALE_DESCRIPTION, "desired_max": 2}
                    for index, instance_id in enumerate(ids)
                }
                inventory = self.inventory(hosts, {"fabric_workspace": SCALE_WORKSPACE})
                run = self.playbook("{0} hosts".format(case), CASES[case][0], inventory, forks=settings.forks)
        return self.judge_convergence(run, SCALE_WORKSPACE, drifted)


# ------------------------------------------------------------------------------------------ report


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def seconds(value, digits=2):
    return "–" if value is None else "{0:.{1}f}".format(value, digits)


def spread(values):
    values = [value for value in values if value is not None]
    return "–" if not values else "{0:.2f}–{1:.2f}".format(min(values), max(values))


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from ansible.release import __version__ as core  # pylint: disable=import-outside-toplevel
    except ImportError:
        core = "unknown"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "ansible_core": core,
        "system": "{0} {1}".format(platform.system(), platform.release()),
    }


def verdict(ok):
    return "met" if ok else "**missed**"


class Report:
    def __init__(self, bench, converged, change, scale):
        self.bench = bench
        self.settings = bench.settings
        self.converged = converged
        self.change = change
        self.scale = scale

    def med(self, group, case, attr="wall"):
        return median([getattr(run, attr, None) for run in group[case]])

    def per_run_table(self):
        lines = [
            "| scenario | case | wall median (s) | wall min–max (s) | CPU median (s) | Fabric API requests per run | runs with problems |",
            "| --- | --- | ---: | ---: | ---: | --- | ---: |",
        ]
        for title, group in (("converged", self.converged), ("changing ({0:g} s update)".format(self.settings.update_seconds), self.change)):
            for case in ("A", "B", "C"):
                runs = group[case]
                shapes = sorted({run.shape() for run in runs})
                lines.append(
                    "| {0} | {1}: {2} | {3} | {4} | {5} | {6} | {7} |".format(
                        title,
                        case,
                        CASES[case][1],
                        seconds(self.med(group, case)),
                        spread([run.wall for run in runs]),
                        seconds(self.med(group, case, "cpu")),
                        "; ".join(shapes),
                        sum(1 for run in runs if run.problems),
                    )
                )
        return lines

    def latency_table(self):
        lines = ["| case | median (s) | min–max (s) | rounds |", "| --- | ---: | ---: | ---: |"]
        for case in ("A", "B"):
            values = [getattr(run, "latency", None) for run in self.change[case]]
            measured = sum(1 for value in values if value is not None)
            lines.append("| {0}: {1} | {2} | {3} | {4} |".format(case, CASES[case][1], seconds(median(values)), spread(values), measured))
        return lines

    def scale_table(self):
        lines = [
            "| form | case | total time (s) | CPU (s) | requests sent | of which 429 | PUT accepted | requests per instance | failures | "
            "not converged after the run |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for form in ("loop", "hosts"):
            for case in ("A", "B"):
                for run in self.scale.get((case, form), []):
                    form_text = (
                        "one host, loop of {0}".format(self.settings.scale_n)
                        if form == "loop"
                        else "{0} hosts, forks {1}".format(self.settings.scale_n, self.settings.forks)
                    )
                    lines.append(
                        "| {0} | {1}: {2} | {3} | {10} | {4} | {5} | {6} | {7:.2f} | {8} | {9} |".format(
                            form_text,
                            case,
                            CASES[case][1],
                            seconds(run.wall, 1),
                            len(run.requests),
                            run.count(status=429),
                            run.updated,
                            len(run.requests) / float(self.settings.scale_n),
                            run.failures(),
                            run.not_converged,
                            seconds(run.cpu, 1),
                        )
                    )
        return lines

    def targets(self):
        """(target, measured, met) rows."""
        return (self.single_targets() if self.converged["A"] else []) + self.scale_targets()

    def single_targets(self):
        rows = []
        a_conv = self.converged["A"]
        counts = sorted({len(run.requests) for run in a_conv})
        rows.append(
            (
                "converged A sends exactly 1 request (a GET by id)",
                "{0} request(s) in every round".format(counts[0]) if len(counts) == 1 else "{0} requests (varies)".format(counts),
                counts == [1] and all(run.count("GET") == 1 for run in a_conv),
            )
        )
        a, c = self.med(self.converged, "A"), self.med(self.converged, "C")
        paired = median([ra.wall / rc.wall for ra, rc in zip(a_conv, self.converged["C"])])
        cpu = self.med(self.converged, "A", "cpu") / self.med(self.converged, "C", "cpu")
        rows.append(
            (
                "converged A / C ≤ 1.15 (wall)",
                "{0:.2f} s / {1:.2f} s = {2:.3f} (paired by round: {3:.3f}; on CPU time: {4:.3f})".format(a, c, a / c, paired, cpu),
                a / c <= 1.15,
            )
        )
        a, c = self.med(self.change, "A"), self.med(self.change, "C")
        budget = 1.25 * (c + self.settings.update_seconds)
        rows.append(
            (
                "changing A ≤ 1.25 × (C + {0:g} s)".format(self.settings.update_seconds),
                "{0:.2f} s ≤ 1.25 × ({1:.2f} + {2:g}) = {3:.2f} s".format(a, c, self.settings.update_seconds, budget),
                a <= budget,
            )
        )
        latency = median([getattr(run, "latency", None) for run in self.change["A"]])
        rows.append(("wait-detection latency of A ≤ 1 s (median)", "{0} s".format(seconds(latency)), latency is not None and latency <= 1.0))
        return rows

    def scale_targets(self):
        rows = []
        for form in ("loop", "hosts"):
            a_runs, b_runs = self.scale.get(("A", form), []), self.scale.get(("B", form), [])
            if not a_runs:
                continue
            failures = sum(run.failures() + run.not_converged + (run.rc != 0) for run in a_runs)
            rows.append(
                (
                    "{0} instances ({1}), throttled: A has zero failures".format(self.settings.scale_n, form),
                    "{0} failed, {1} not converged".format(sum(run.failures() for run in a_runs), sum(run.not_converged for run in a_runs)),
                    failures == 0,
                )
            )
            a_time, b_time = median([run.wall for run in a_runs]), median([run.wall for run in b_runs])
            b_failed = sum(run.failures() + run.not_converged for run in b_runs)
            rows.append(
                (
                    "{0} instances ({1}), throttled: A faster than B".format(self.settings.scale_n, form),
                    "A {0:.1f} s, B {1:.1f} s{2}".format(
                        a_time, b_time, " (B left {0} failed or not converged)".format(b_failed) if b_failed else ""
                    ),
                    a_time < b_time,
                )
            )
        return rows

    def problems(self):
        found = []
        for group in (self.converged, self.change):
            for runs in group.values():
                for run in runs:
                    found += ["{0}: {1}".format(run.label, problem) for problem in run.problems]
        for runs in self.scale.values():
            for run in runs:
                found += ["{0}: {1}".format(run.label, problem) for problem in run.problems]
        return found

    def render(self):
        settings = self.settings
        lines = header_lines(self.bench) + ["", "### Targets", "", "| target | measured | |", "| --- | --- | --- |"]
        lines += ["| {0} | {1} | {2} |".format(target, measured, verdict(met)) for target, measured, met in self.targets()]
        if self.converged["A"]:
            lines += ["", "### One instance, {0} interleaved rounds".format(settings.rounds), ""] + self.per_run_table()
            lines += [
                "",
                "### Wait-detection latency (changing runs): emulator marks the instance RUNNING → the task's result reaches the controller",
                "",
            ]
            lines += self.latency_table()
        if self.scale:
            lines += [
                "",
                "### Scale: {0} instances, {1} of them drifted before each run, 1 in {2} API requests answered 429 (Retry-After: 1)".format(
                    settings.scale_n, settings.scale_drift, settings.throttle_every
                ),
                "",
            ]
            lines += self.scale_table()
        problems = self.problems()
        if problems:
            lines += ["", "### Problems seen during the run", ""] + ["- " + problem.replace("\n", " ")[:400] for problem in problems]
        return "\n".join(lines) + "\n"


def header_lines(bench):
    """What, when, where and under which load the run was: the head of a "last run" section."""
    info = machine()
    load_end = os.getloadavg()
    took = (datetime.datetime.now(datetime.timezone.utc) - bench.started).total_seconds()
    loads = bench.loads or [load_end[0]]
    load = "{0:.2f} at the start; before each run: median {1:.2f}, max {2:.2f}; at the end {3:.2f} / {4:.2f} / {5:.2f} (1 / 5 / 15 min)".format(
        bench.loadavg_start[0], median(loads), max(loads), *load_end
    )
    lines = [
        "| | |",
        "| --- | --- |",
        "| command | `{0}` |".format(bench.settings.command),
        "| settings | `{0}` |".format(bench.settings.describe()),
        "| date | {0} (took {1:.0f} s) |".format(bench.started.strftime("%Y-%m-%d %H:%M UTC"), took),
        "| machine | {0} CPUs (`nproc`), {1}, {2} |".format(info["nproc"], info["cpu"], info["system"]),
        "| load average (1 min) | {0} |".format(load),
        "| software | Python {0}, ansible-core {1} |".format(info["python"], info["ansible_core"]),
    ]
    busy = median(loads)
    if busy > 0.5 * (info["nproc"] or 1):
        lines[0:0] = [
            "> **The machine was busy** (median load average {0:.1f} on {1} CPUs): the times below are inflated and scattered; "
            "the request counts are not affected. Re-run `make bench` on a quiet machine for numbers to rely on.".format(busy, info["nproc"]),
            "",
        ]
    return lines


PAGE = """# Performance of hwcloud.dataarts

`make bench` measures what `hwcloud.dataarts.fabric_service_instance` costs next to the same job written by hand
and next to the cheapest possible task, against the local emulator. Everything under "Last run" is written by
`bench/run.py`: re-run `make bench` to refresh it, on a quiet machine (other load inflates and scatters every time;
the request counts do not depend on it).

```sh
make bench                      # builds and installs the collection, then runs bench/run.py
BENCH_ROUNDS=9 make bench       # more rounds of the single-instance scenarios (default 5)
BENCH_SCALE=0 make bench        # without the 200-instance scenario
BENCH_SINGLE=0 BENCH_SCALE=0 make bench   # only the fleet rows; "Last run" keeps its figures
```

The fleet rows (section "Fleets", below) take about half an hour, the rest about ten minutes.

Every setting (rounds, update time, scale size, drift, forks, throttling) is an environment variable listed at the top
of `bench/run.py`; the page records the ones used.

## What is compared

| case | what runs |
| --- | --- |
| A | one `hwcloud.dataarts.fabric_service_instance` task by `instance_id` (`bench/playbooks/module.yml`) |
| B | the same job with `ansible.builtin.uri`, as users write it today (`bench/playbooks/uri.yml`) |
| C | the floor: one `ansible.builtin.ping` task (`bench/playbooks/ping.yml`) |

B is three tasks: a GET; a PUT `when` the description or the maximum differs; an `until` loop (`retries`,
`delay: 1`) until the instance is `RUNNING` and shows the new values, run only when the PUT was. Each accepts a 429
answer and retries it the same way: without that, every throttled request fails its host.
All of them are real `ansible-playbook` processes with the built collection (`build/collections`), token
authentication, a local connection, no fact gathering, against one emulator process on loopback.

## How it is measured

- **Interleaved rounds.** After one unmeasured warm-up run of each case, every round runs A, B and C on a converged
  instance, then A, B and C on a changing one, in an order that rotates from round to round (ABC, BCA, CAB).
  Tables show medians over the rounds; the A/C ratio divides the medians, and the "paired" ratio is the median of
  the per-round ratios (runs seconds apart, so less exposed to drifting load).
- **Wall time** is that of the whole `ansible-playbook` process, start to exit. **CPU** is its user + system time
  with all its children (worker forks, the module's own Python process): a steadier measure on a busy machine.
- **Converged**: the instance already shows the declared description and maximum. **Changing**: the description
  toggles every round, and the emulator takes `BENCH_UPDATE_SECONDS` (2 s) to apply an update.
- **Requests** are Fabric API requests (`/v1/...`) from the emulator's own log, cleared before every run; "polls" are
  the GETs after the PUT. The count is per run: one task for A and C, the three tasks of B.
- **Wait-detection latency**: the emulator records the wall time at which it marked the instance `RUNNING` (its
  status events; the moment the update became due, even if nobody asked yet). A callback plugin
  (`bench/callback_plugins/bench_timer.py`) records the wall time at which the controller received the result of
  the waiting task (A's only task; B's `until` task). The difference is how long after the update really finished
  the user gets the task back, without the process start-up and tear-down. With a 2 s update and the module's
  polls at 0, 1 and 2 s after the PUT, a poll lands just after the update completes; an update of another length
  is seen up to one poll interval (1 s) later.
- **Scale**: `BENCH_SCALE_N` (200) instances, of which `BENCH_SCALE_DRIFT` (20) show another description before each
  run, the rest already as declared; the emulator answers 429 with `Retry-After: 1` to one API request in
  `BENCH_THROTTLE_EVERY` (10), by a fault rule with `every`. Once as a loop on one host
  (`bench/playbooks/module_loop.yml`, `uri_loop.yml`), once as one host per instance with `--forks BENCH_FORKS`
  (20). *Failures* are failed loop items or hosts; *not converged* counts the instances that do not show the declared
  values and `RUNNING` once the run is over.

The request counts are also guarded, without any timing, by `tests/integration/test_request_counts.py` in `make test`.

## Where A's time goes

Profiled on this machine kind (2 CPUs) with `python -X importtime` and `cProfile` on the module's AnsiballZ payload
(`ANSIBLE_KEEP_REMOTE_FILES=1`, then `explode`/`execute`), and CPU time over repeated executions:

- Split by process (CPU time, medians of 6 runs, the module's interpreter wrapped in `/usr/bin/time`): the module
  process takes 0.27 s for `ping`, 0.38 s for `fabric_service_instance` and 0.44 s for `uri`; everything else
  (controller, worker fork, building the AnsiballZ payload) 1.12 s for C and 1.18 s for A. A costs about 0.2 s CPU
  more than C: 0.06 s on the controller (loading the collection, finding the module_utils for the payload,
  `module_defaults`) and 0.12 s in the module process.
- The module process's share is mostly the import of `requests` (urllib3, charset_normalizer, idna, certifi,
  ssl; a third of it compiling regular expressions): measured alone, 0.12 s CPU on top of the standard-library
  modules the module imports anyway, where `http.client` and `ssl` alone would add 0.02 s. Compiling the
  collection's module_utils from the AnsiballZ zip (which holds no .pyc) is about 0.03 s; the GET itself a few
  milliseconds on loopback.
- Waiting: the first poll follows the PUT at once (no sleep before it), then about once a second; a task's
  requests share one `requests.Session`, so one keep-alive connection; a 429 waits what `Retry-After` says (up to
  60 s), else a backoff that starts between 0.5 and 1 s.
- At scale, each loop item is a module process of its own, so the per-process cost above is paid 200 times; an
  update is waited for inside its item, so a loop waits out the updates one after the other where the uri loop
  sends every PUT first and then polls (its updates finish meanwhile); so does the fleet-wide pattern (below). The uri loop pays in controller CPU
  instead: its second and third tasks loop over the registered results of the first, skipped items included.
  Across hosts with forks the waits overlap.

## Fleets

One host changes many instances in one play, three ways (`bench/fleet.py`; see [fleets.md](fleets.md) for when to
use which):

- **F, fleet-wide**: the module in a loop with `wait: false`, then one `fabric_service_instance_info` task with
  `wait: true`, `instance_ids` and `expect`, then an assert on `failed_instances` (`bench/playbooks/fleet.yml`, as
  `examples/fleet_change.yml`).
- **U, `uri` loop**: the hand-written loop of the scale rows (`bench/playbooks/uri_loop.yml`): a GET of every
  instance, a PUT of each that differs, then an `until` poll (`delay: 1`) of each one updated.
- **R, rolling**: one instance after the other, the module with `wait: true` and an assert per instance
  (`bench/playbooks/rolling.yml` includes `examples/tasks/rolling_step.yml`).

How they are run and counted:

- **Pairs**: F and U on `BENCH_FLEET_N` (200) instances of one workspace, once with all of them changing (each shows
  another description before the run) and once with `BENCH_FLEET_DRIFT` (20) drifted and the rest already as
  declared; R and F on `BENCH_ROLLING_N` (10) instances of another workspace, all changing (200 updates of 2 s one
  after the other would take over 400 s). Every run is throttled like the scale rows (1 request in
  `BENCH_THROTTLE_EVERY` answered 429 with `Retry-After: 1`).
- **Interleaved**: `BENCH_FLEET_ROUNDS` (2) rounds; within a round the pairs run one after the other, and each pair
  runs in the other order the next round (F then U, U then F), so that a shared machine's load falls on both alike.
  The load average before each run is in the table.
- **Requests** come from the emulator's log of each run. *List requests per poll × polls*: the List requests of F's
  wait answered 200, grouped into polls (a poll starts at `offset=0`); *details read in the wait*: GETs by id after
  the first List request. *A converged task is one request*: in the drifted case, the requests F's loop items sent
  for the instances already as declared (429 answers and their retries left out).
- **Phases** split a run by the end of its tasks, as the controller received them: F = start-up and loop + the wait
  (+ the assert, within the wait's figure), U = start-up and reads + PUTs + polls.

## Where the fleet time goes

From the phases, CPU times and request logs of the fleet rows (the run below, on a shared 2-CPU machine):

- F's time is its loop: one module process per instance, about 0.35 s CPU each (66 to 71 s CPU for 200 items),
  and the throttling: one request in ten is answered 429 and the module waits the second `Retry-After` asks for,
  so the 45 throttled requests of an all-change run cost about 45 s of it (24 s when 20 drifted). The wait itself
  is short: 3.6 s after the loop when all 200 change (the last PUTs' 2 s updates, 3 polls of 2 List requests), one
  poll (0.6 s) when 20 drifted, whose updates finished while the loop went on.
- U runs three loops of 200 `uri` items: reads, PUTs, polls. When all change, each loop costs a module run per
  instance, about 600 in all against F's 200, and its CPU time is three times F's. When 20 drift, U's second and
  third loops skip 180 items each (about 10 s each, on the controller) and its reads cost about what F's loop
  costs, hence the smaller gap (0.71 against 0.43).
- R waits out each update in turn: about 2.6 s per instance, the 2 s update plus the task; F on the same 10
  instances takes 8.5 s, of which 2.5 s is the one wait.

"""
LAST_RUN = "## Last run"
FLEET_RUN = "## Fleets: last run"
SECTIONS = (LAST_RUN, FLEET_RUN)


def page_sections(text):
    """{heading: body} of the "last run" sections of a page bench/run.py wrote."""
    sections, current = {}, None
    for line in text.splitlines(keepends=True):
        if line.rstrip("\n") in SECTIONS:
            current = line.rstrip("\n")
            sections[current] = ""
        elif current is not None:
            sections[current] += line
    return {heading: body.strip("\n") + "\n" for heading, body in sections.items()}


def write_page(path, sections):
    """PAGE, then every section: the ones given, the others as the page had them (a part that did not run)."""
    kept = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            kept = page_sections(handle.read())
    kept.update(sections)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(PAGE + "".join("\n{0}\n\n{1}".format(heading, kept[heading]) for heading in SECTIONS if heading in kept))


def run_single(bench, converged, change):
    settings = bench.settings
    for case in ("C", "A", "B"):
        bench.converged(case)  # warm-up: file caches, .pyc files of ansible-core; not measured
    for round_index in range(settings.rounds):
        order = ORDERS[round_index % len(ORDERS)]
        for case in order:
            converged[case].append(bench.converged(case))
        for case in order:
            change[case].append(bench.change(case))
        print(
            "bench: round {0}/{1}: converged {2}; changing {3}".format(
                round_index + 1,
                settings.rounds,
                " ".join("{0}={1:.2f}s".format(case, converged[case][-1].wall) for case in order),
                " ".join("{0}={1:.2f}s".format(case, change[case][-1].wall) for case in order),
            ),
            flush=True,
        )


def run_scale(bench, scale):
    for round_index in range(bench.settings.scale_rounds):
        for form in ("loop", "hosts"):
            cases = ("A", "B") if round_index % 2 == 0 else ("B", "A")
            for case in cases:
                run = bench.scale(case, form, round_index)
                scale.setdefault((case, form), []).append(run)
                print(
                    "bench: scale {0} {1}: {2:.1f}s, {3} requests ({4} answered 429), {5} failures, {6} not converged".format(
                        form, case, run.wall, len(run.requests), run.count(status=429), run.failures(), run.not_converged
                    ),
                    flush=True,
                )


def main():
    settings = Settings()
    bench = Bench(settings)
    converged = {case: [] for case in CASES}
    change = {case: [] for case in CASES}
    scale = {}
    sections = {}
    try:
        bench.start()
        print("bench: emulator at {0}; {1}".format(bench.emulator.url, settings.describe()), flush=True)
        if settings.single:
            run_single(bench, converged, change)
        if settings.scale:
            run_scale(bench, scale)
        if settings.single or settings.scale:
            sections[LAST_RUN] = Report(bench, converged, change, scale).render()
        if settings.fleet:
            if not settings.single:
                bench.converged("C")  # warm-up: file caches, .pyc files of ansible-core; not measured
            bench.new_part()
            runs = fleet.run_all(bench, lambda text: print(text, flush=True))
            sections[FLEET_RUN] = fleet.FleetReport(settings, runs).render(header_lines(bench))
    finally:
        bench.stop()
    for heading, body in sections.items():
        print()
        print(heading)
        print(body)
    if settings.output:
        write_page(settings.output, sections)
        print("bench: wrote " + os.path.relpath(settings.output, os.getcwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
