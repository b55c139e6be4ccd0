# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet rows of the benchmark (issue 12): one host changing many instances, three ways.

F, fleet-wide: the module in a loop with ``wait: false``, then one fabric_service_instance_info task that waits for
all of them (``instance_ids``, ``expect``); U: the hand-written uri loop (every read, every PUT, then an ``until``
poll per instance); R, rolling: one instance at a time with ``wait: true``, each verified (examples/tasks/
rolling_step.yml). F and U run side by side on 200 instances, all changing or 20 drifted; R and F on 10 (200
updates of 2 s one after the other would take over 400 s). Each pair runs in both orders over the rounds, so that
the load of a shared machine falls on both alike. bench/run.py drives it; its Bench object does the runs.
"""

from __future__ import annotations

import math
import statistics

FLEET_WORKSPACE = "ws-fleet"
ROLLING_WORKSPACE = "ws-rolling"
PATTERNS = {
    "F": ("fleet.yml", "fleet-wide: loop with wait: false, then one _info wait"),
    "U": ("uri_loop.yml", "hand-written uri loop: every PUT, then an until poll each"),
    "R": ("rolling.yml", "rolling: one instance after the other, wait: true, verified"),
}
# The tasks whose ends split a run into phases (bench/playbooks/fleet.yml, uri_loop.yml).
PHASES = {
    "F": ("Send every update without waiting", "Wait for every instance at once"),
    "U": (
        "Read every instance",
        "Update the instances where a field differs",
        "Wait until every updated instance is RUNNING with the new values",
    ),
}
PAGE_SIZE = 100
# The targets: the fleet-wide pattern's wall time at most this share of the uri loop's.
RATIO_TARGETS = {"all": 0.75, "drift": 0.9}


def fleet_ids(prefix, count):
    return ["bench-{0}-{1:04d}".format(prefix, index) for index in range(count)]


class Scenario:
    def __init__(self, key, workspace, prefix, count, drift, patterns):
        self.key = key
        self.workspace = workspace
        self.ids = fleet_ids(prefix, count)
        self.drift = drift
        self.patterns = patterns

    def title(self):
        if self.key == "rolling":
            return "{0} instances, all change".format(len(self.ids))
        if self.drift >= len(self.ids):
            return "{0} instances, all change".format(len(self.ids))
        return "{0} instances, {1} drifted".format(len(self.ids), self.drift)


def scenarios(settings):
    return [
        Scenario("all", FLEET_WORKSPACE, "fleet", settings.fleet_n, settings.fleet_n, ("F", "U")),
        Scenario("drift", FLEET_WORKSPACE, "fleet", settings.fleet_n, settings.fleet_drift, ("F", "U")),
        Scenario("rolling", ROLLING_WORKSPACE, "rolling", settings.rolling_n, settings.rolling_n, ("R", "F")),
    ]


def seed_instances(settings, instance_seed, description):
    """The instances of both workspaces, as declared (bench/run.py's instance_seed shapes them)."""
    by_id = {}
    for scenario in scenarios(settings):  # "all" and "drift" share the fleet workspace and its instances
        by_id.update((instance_id, instance_seed(instance_id, scenario.workspace, description)) for instance_id in scenario.ids)
    return list(by_id.values())


def is_list(entry):
    return entry["path"].endswith("/instances")


def analyse(run, scenario, drifted):
    """What the request log and the timer say about one run: polls of the wait, detail reads, phases."""
    answered = [entry for entry in run.requests if entry["status"] is not None and entry["status"] != 429]
    polls = []
    for entry in answered:
        if is_list(entry):
            if entry["query"].get("offset") == ["0"]:
                polls.append(0)
            if polls:
                polls[-1] += 1
    run.polls = polls
    first_list = next((index for index, entry in enumerate(run.requests) if is_list(entry)), None)
    run.wait_details = 0 if first_list is None else sum(1 for entry in run.requests[first_list:] if not is_list(entry))
    per_instance = {}
    for entry in answered:
        if not is_list(entry):
            per_instance.setdefault(entry["path"].rsplit("/", 1)[-1], []).append(entry["method"])
    # A converged loop item: the requests it sent for an instance that was already as declared.
    run.converged_requests = sorted({len(per_instance.get(instance_id, [])) for instance_id in scenario.ids if instance_id not in drifted})
    ends = [run.task_end(task) for task in PHASES.get(run.pattern, ())]
    run.phases = []
    if ends and all(end is not None for end in ends):
        marks = [run.started_at] + ends
        run.phases = [later - earlier for earlier, later in zip(marks, marks[1:])]
    return run


def run_all(bench, log):
    """Every fleet run, interleaved: {(scenario key, pattern): [runs]}."""
    settings = bench.settings
    runs = {}
    for round_index in range(settings.fleet_rounds):
        for index, scenario in enumerate(scenarios(settings)):
            order = scenario.patterns if (round_index + index) % 2 == 0 else scenario.patterns[::-1]
            for pattern in order:
                drifted = bench.drift(scenario.ids, scenario.drift, round_index * 2 + (pattern != "F"))
                label = "fleet {0} {1}".format(scenario.key, pattern)
                with bench.throttled():
                    run = bench.loop_run(label, PATTERNS[pattern][0], scenario.workspace, scenario.ids)
                run.pattern = pattern
                bench.judge_convergence(run, scenario.workspace, drifted)
                analyse(run, scenario, drifted)
                runs.setdefault((scenario.key, pattern), []).append(run)
                log(
                    "bench: fleet round {0}, {1}, {2}: {3:.1f}s, {4} requests ({5} answered 429), {6} failures, {7} not converged".format(
                        round_index + 1,
                        scenario.title(),
                        pattern,
                        run.wall,
                        len(run.requests),
                        run.count(status=429),
                        run.failures(),
                        run.not_converged,
                    )
                )
    return runs


def _median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def _verdict(ok):
    return "met" if ok else "**missed**"


class FleetReport:
    def __init__(self, settings, runs):
        self.settings = settings
        self.runs = runs
        self.scenarios = scenarios(settings)

    def wall(self, key, pattern):
        return _median([run.wall for run in self.runs.get((key, pattern), [])])

    def targets(self):
        rows = []
        for key, limit in sorted(RATIO_TARGETS.items()):
            fleet_runs, uri_runs = self.runs.get((key, "F"), []), self.runs.get((key, "U"), [])
            if not fleet_runs or not uri_runs:
                continue
            fleet, uri = self.wall(key, "F"), self.wall(key, "U")
            paired = ", ".join("{0:.2f}".format(f.wall / u.wall) for f, u in zip(fleet_runs, uri_runs))
            title = next(scenario.title() for scenario in self.scenarios if scenario.key == key)
            rows.append(
                (
                    "{0}: F ≤ {1} × U (wall)".format(title, limit),
                    "F {0:.1f} s / U {1:.1f} s = {2:.2f} (round by round: {3})".format(fleet, uri, fleet / uri, paired),
                    fleet / uri <= limit,
                )
            )
        waits, details, exact = [], 0, True
        for scenario in self.scenarios:
            fleet_runs = self.runs.get((scenario.key, "F"), [])
            per_poll = math.ceil(len(scenario.ids) / float(PAGE_SIZE))
            polls = [count for run in fleet_runs for count in run.polls]
            exact = exact and bool(polls) and set(polls) == {per_poll}
            details += sum(run.wait_details for run in fleet_runs)
            if fleet_runs:
                waits.append("{0}: {1} in each of {2} polls (counts seen: {3})".format(scenario.title(), per_poll, len(polls), sorted(set(polls))))
        rows.append(
            (
                "requests during the batch wait = ceil(N/100) List requests per poll, no detail read (full List items)",
                "; ".join(waits) + "; detail reads: {0}".format(details),
                exact and details == 0,
            )
        )
        drift_runs = self.runs.get(("drift", "F"), [])
        if drift_runs:
            counts = sorted({count for run in drift_runs for count in run.converged_requests})
            converged = len(self.scenarios[1].ids) - self.scenarios[1].drift
            rows.append(
                (
                    "a converged task is one request (F, {0}: the loop items of the instances already as declared)".format(self.scenarios[1].title()),
                    "{0} converged items per run, each {1} request(s) (429 answers and their retries left out)".format(
                        converged, " or ".join(str(count) for count in counts)
                    ),
                    counts == [1],
                )
            )
        ours = [run for (key, pattern), runs in self.runs.items() if pattern in ("F", "R") for run in runs]
        failures = sum(run.failures() + (run.rc != 0) for run in ours)
        unconverged = sum(run.not_converged for run in ours)
        throttled = sum(run.count(status=429) for run in ours)
        rows.append(
            (
                "no failure under throttling (429 on 1 request in {0}), F and R".format(self.settings.throttle_every),
                "{0} runs: {1} failed, {2} not converged; {3} requests answered 429 and retried".format(len(ours), failures, unconverged, throttled),
                failures == 0 and unconverged == 0,
            )
        )
        return rows

    def runs_table(self):
        lines = [
            "| scenario | pattern | round | wall (s) | CPU (s) | phases (s) | requests sent | of which 429 | PUT accepted | "
            "List requests per poll × polls | details read in the wait | failures | not converged | load before |",
            "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
        ]
        for scenario in self.scenarios:
            for pattern in scenario.patterns:
                for round_index, run in enumerate(self.runs.get((scenario.key, pattern), [])):
                    polls = "–"
                    if run.polls:
                        polls = " ".join("{0} × {1}".format(count, run.polls.count(count)) for count in sorted(set(run.polls)))
                    phases = " + ".join("{0:.1f}".format(phase) for phase in run.phases) if run.phases else "–"
                    lines.append(
                        "| {0} | {1}: {2} | {3} | {4:.1f} | {5:.1f} | {6} | {7} | {8} | {9} | {10} | {11} | {12} | {13} | {14:.2f} |".format(
                            scenario.title(),
                            pattern,
                            PATTERNS[pattern][1],
                            round_index + 1,
                            run.wall,
                            run.cpu,
                            phases,
                            len(run.requests),
                            run.count(status=429),
                            run.updated,
                            polls if pattern == "F" else "–",
                            run.wait_details if pattern == "F" else "–",
                            run.failures(),
                            run.not_converged,
                            run.load_before,
                        )
                    )
        return lines

    def medians_table(self):
        lines = ["| scenario | pattern | wall median (s) | per instance (s) | requests per instance |", "| --- | --- | ---: | ---: | ---: |"]
        for scenario in self.scenarios:
            for pattern in scenario.patterns:
                runs = self.runs.get((scenario.key, pattern), [])
                if not runs:
                    continue
                wall = self.wall(scenario.key, pattern)
                requests = _median([len(run.requests) for run in runs])
                lines.append(
                    "| {0} | {1}: {2} | {3:.1f} | {4:.2f} | {5:.2f} |".format(
                        scenario.title(), pattern, PATTERNS[pattern][1], wall, wall / len(scenario.ids), requests / float(len(scenario.ids))
                    )
                )
        return lines

    def render(self, header):
        lines = list(header)
        lines += ["", "### Targets", "", "| target | measured | |", "| --- | --- | --- |"]
        lines += ["| {0} | {1} | {2} |".format(target, measured, _verdict(met)) for target, measured, met in self.targets()]
        lines += ["", "### Medians over {0} rounds".format(self.settings.fleet_rounds), ""] + self.medians_table()
        lines += [
            "",
            "### Every run; 1 in {0} API requests answered 429 (Retry-After: 1)".format(self.settings.throttle_every),
            "",
        ]
        lines += self.runs_table()
        problems = ["{0}: {1}".format(run.label, problem) for runs in self.runs.values() for run in runs for problem in run.problems]
        if problems:
            lines += ["", "### Problems seen during the run", ""] + ["- " + problem.replace("\n", " ")[:400] for problem in problems]
        return "\n".join(lines) + "\n"
