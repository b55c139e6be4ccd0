# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the emulator tests: the seed's ids (fabric_emulator/seed.json), the instance shapes, the command line."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

WS = "ws-demo"
DEMO = "b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6"
CANARY = "4c1e7f2a-9d3b-4a6e-8f51-2b7c0d9e3a18"
SPACED = "e2d8a6b4-5c3f-4e1a-9b7d-6f0a8c2e4b91"

# Show, and List items under the "full" reading, in this order.
SHAPE = [
    "visibility",
    "source",
    "id",
    "name",
    "description",
    "endpoint_id",
    "status",
    "create_time",
    "update_time",
    "duration",
    "create_user",
    "type",
    "config",
    "error_code",
    "error_msg",
]
# The official SDKs' ServiceInstanceBriefInfo: List items under the "brief" reading.
BRIEF_SHAPE = SHAPE[:12]


def run_cli(*args, timeout=30):
    """Run python -m fabric_emulator with these arguments to its end (for the ones that make it stop at once)."""
    return subprocess.run(
        [sys.executable, "-m", "fabric_emulator", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def running_cli(port_file, *args):
    """python -m fabric_emulator on a free port, its port written to port_file: yields (process, port, first line)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fabric_emulator", "--port", "0", "--port-file", str(port_file), *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()  # printed once the port file is written
        yield process, int(port_file.read_text().strip()), line
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
