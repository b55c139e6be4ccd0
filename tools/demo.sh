#!/usr/bin/env bash
# Demo of hwcloud.dataarts against the local Fabric-ep emulator (run by `make demo`, after `make venv build`).
#
# Starts the emulator on a free loopback port with a random token, points the collection's environment
# fallbacks (HW_FABRIC_ENDPOINT, HW_AUTH_TOKEN) at it and runs examples/demo.yml twice with --diff:
# the first run makes a change and shows its diff, the second finds nothing to do. The emulator is
# stopped on exit, whatever happens. DEMO_PLAYBOOK=path runs another playbook the same way.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="$ROOT/.venv/bin/python"
PLAYBOOK="${DEMO_PLAYBOOK:-examples/demo.yml}"
COLLECTIONS="$ROOT/build/collections"
if [[ ! -x "$PY" ]]; then
    echo "demo: $PY not found: run 'make venv build' (or 'make demo')" >&2
    exit 1
fi
if [[ ! -f "$PLAYBOOK" ]]; then
    echo "demo: $PLAYBOOK not found" >&2
    exit 1
fi
if [[ ! -d "$COLLECTIONS/ansible_collections/hwcloud/dataarts" ]]; then
    echo "demo: the collection is not installed in $COLLECTIONS: run 'make build' (or 'make demo')" >&2
    exit 1
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/hwcloud-dataarts-demo.XXXXXX")"
emulator_pid=""

cleanup() {
    if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

token="demo-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
port_file="$workdir/port"
emulator_log="$workdir/emulator.log"

"$PY" -m fabric_emulator --port 0 --port-file "$port_file" --token "$token" --update-seconds 2 \
    >"$emulator_log" 2>&1 &
emulator_pid=$!

# Wait (up to 15 s) for the emulator to write the port it bound.
port=""
for _ in $(seq 1 150); do
    if [[ -s "$port_file" ]]; then
        port="$(tr -d '[:space:]' <"$port_file")"
        if [[ "$port" =~ ^[0-9]+$ ]]; then
            break
        fi
        port=""
    fi
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "demo: the emulator exited before it was ready; its output:" >&2
        cat "$emulator_log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$port" ]]; then
    echo "demo: the emulator did not write its port to $port_file within 15 s; its output:" >&2
    cat "$emulator_log" >&2
    exit 1
fi

# Only the endpoint and the token: no other credential from the caller's environment may interfere.
unset HW_REGION_NAME HW_ACCESS_KEY HW_SECRET_KEY HW_SECURITY_TOKEN HW_PROJECT_ID \
    HW_USER_NAME HW_PASSWORD HW_DOMAIN_NAME HW_AUTH_URL
export HW_FABRIC_ENDPOINT="http://127.0.0.1:$port"
export HW_AUTH_TOKEN="$token"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_PYTHON_INTERPRETER:-$PY}"
export ANSIBLE_LOCALHOST_WARNING="${ANSIBLE_LOCALHOST_WARNING:-false}"
export ANSIBLE_INVENTORY_UNPARSED_WARNING="${ANSIBLE_INVENTORY_UNPARSED_WARNING:-false}"

echo "Fabric-ep emulator listening on $HW_FABRIC_ENDPOINT (pid $emulator_pid)"

run() {
    echo
    echo "=============================================================================="
    echo "== $1"
    echo "=============================================================================="
    "$ROOT/.venv/bin/ansible-playbook" -i localhost, -c local --diff "$PLAYBOOK"
}

run "Run 1 of 2: the instance is updated (changed, with its diff)"
run "Run 2 of 2: same playbook again: nothing to change (ok, changed=0)"
