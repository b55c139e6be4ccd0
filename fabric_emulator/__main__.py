# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: python3 -m fabric_emulator [options]. Serves until SIGTERM/SIGINT, then exits 0."""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import sys
import threading

from .readings import READINGS
from .server import Emulator
from .state import DEFAULT_CONFIG, DEFAULT_SEED_PATH, DELETE_MODES

# --list-items full|brief, ...: one flag per reading (readings.py), the first choice being the default.
READING_HELP = {
    "list_items": "List items with config, error_code and error_msg (full) or the SDK's 12 brief fields (brief)",
    "update_time_on": "update_time moves when a PUT is accepted and when it completes (accept), or only when it completes (complete)",
    "write_body": 'a 2xx to PUT and DELETE carries {"id"} (json) or no body at all (empty)',
    "numbers": "resource min/max and duration as JSON integers (int) or numeric strings (string)",
    "timestamps": "2023-05-30T12:24:30.401Z (millis_z), +0800 offsets (offset), or mixed offsets and 0-9 fractional digits (varied)",
    "list_total": "List total: the real count (exact), absent (missing), a numeric string (string), short of the real count (wrong)",
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python3 -m fabric_emulator",
        description="Local emulator of the DataArts Fabric-ep service-instance REST API (test control API under /_emulator/).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8787, help="port to listen on; 0 picks a free port (default: %(default)s)")
    parser.add_argument("--port-file", help="write the actual port to this file once listening (removed on exit)")
    parser.add_argument("--seed", default=DEFAULT_SEED_PATH, help="seed JSON file with workspaces and instances (default: the packaged seed.json)")
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="TOKEN",
        help="accepted X-Auth-Token value (repeatable); without any, requests are not authenticated",
    )
    parser.add_argument(
        "--auth-file",
        metavar="JSON",
        help='credentials to accept: a JSON object with "tokens", "access_keys" and/or "iam_users" '
        "(see README.md); a file keeps the secrets off the command line",
    )
    parser.add_argument(
        "--update-seconds",
        type=float,
        default=DEFAULT_CONFIG["update_seconds"],
        help="UPDATING -> RUNNING after this many seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--deploy-seconds",
        type=float,
        default=DEFAULT_CONFIG["deploy_seconds"],
        help="CREATING -> RUNNING after this many seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--delete-seconds",
        type=float,
        default=DEFAULT_CONFIG["delete_seconds"],
        help="DELETING -> gone/DELETED after this many seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--stale-reads",
        type=int,
        default=DEFAULT_CONFIG["stale_reads"],
        help="number of reads after an update that still show the old instance (default: %(default)s)",
    )
    parser.add_argument(
        "--delete-mode",
        choices=DELETE_MODES,
        default=DEFAULT_CONFIG["delete_mode"],
        help="what a finished delete leaves: gone (404) or status DELETED (default: %(default)s)",
    )
    parser.add_argument(
        "--stale-reads-after-delete",
        type=int,
        default=DEFAULT_CONFIG["stale_reads_after_delete"],
        help="number of reads after an accepted delete that still show the instance as it was (default: %(default)s)",
    )
    for key, choices in READINGS.items():
        parser.add_argument(
            "--" + key.replace("_", "-"),
            choices=choices,
            default=DEFAULT_CONFIG[key],
            help="%s (default: %%(default)s)" % READING_HELP[key],
        )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain) file; needs --tls-key")
    parser.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    return parser


def _write_port_file(path, port):
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write("%d\n" % port)
    os.replace(temporary, path)


def _remove_port_file(path, port):
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read().strip() != str(port):
                return
        os.remove(path)
    except OSError:
        pass


def main(argv=None):
    args = build_parser().parse_args(argv)
    config = {
        "update_seconds": args.update_seconds,
        "deploy_seconds": args.deploy_seconds,
        "delete_seconds": args.delete_seconds,
        "stale_reads": args.stale_reads,
        "delete_mode": args.delete_mode,
        "stale_reads_after_delete": args.stale_reads_after_delete,
        "tokens": args.tokens,
    }
    config.update((key, getattr(args, key)) for key in READINGS)
    if args.auth_file:
        try:
            with open(args.auth_file, encoding="utf-8") as handle:
                credentials = json.load(handle)
            if not isinstance(credentials, dict) or set(credentials) - {"tokens", "access_keys", "iam_users"}:
                raise ValueError('the auth file must be an object with "tokens", "access_keys" and/or "iam_users"')
        except (OSError, ValueError) as exc:
            print("fabric emulator: cannot load the auth file: %s" % exc, file=sys.stderr)
            return 2
        config.update(credentials, tokens=(args.tokens or []) + list(credentials.get("tokens") or []) or None)
    ssl_context = None
    if bool(args.tls_cert) != bool(args.tls_key):
        print("fabric emulator: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.tls_cert:
        try:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            print("fabric emulator: cannot load the TLS certificate or key: %s" % exc, file=sys.stderr)
            return 2
    try:
        emulator = Emulator(seed=args.seed, host=args.host, port=args.port, verbose=args.verbose, ssl_context=ssl_context, **config)
    except (OSError, ValueError) as exc:
        print("fabric emulator: cannot load the seed or configuration: %s" % exc, file=sys.stderr)
        return 2
    try:
        emulator.start()
    except OSError as exc:
        print("fabric emulator: cannot listen on %s:%s: %s" % (args.host, args.port, exc), file=sys.stderr)
        return 1

    stopping = threading.Event()

    def _stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if args.port_file:
            _write_port_file(args.port_file, emulator.port)
        print("fabric emulator listening on %s" % emulator.url, flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        emulator.stop()
        if args.port_file:
            _remove_port_file(args.port_file, emulator.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
