#!/usr/bin/env bash
# Runs the example on a real Flower deployment, offline and without Ray: one SuperLink and
# three SuperNodes on this machine, `flwr run . --stream`, then `zkfl-verify` over the proven
# rounds and the final model. Stops every process it started, whatever happens.
#
# Needs `flwr`, `zkfl` (pip install ./python) and `zkfl-verify` (cargo install --path
# verifier) on PATH. Knobs (environment):
#   ZKFL_EXAMPLE_OUT     output directory (default: a fresh temp dir); must not exist
#   ZKFL_EXAMPLE_ROUNDS  server rounds (default 3)
#   ZKFL_EXAMPLE_NODES   one behaviour per SuperNode (default "honest honest honest");
#                        `mismatch` and `overbound` are the misbehaving test clients
#   ZKFL_EXAMPLE_PORT    first of the local ports used, 1 + nodes of them (default: free ones)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${ZKFL_EXAMPLE_ROUNDS:-3}"
read -r -a nodes <<< "${ZKFL_EXAMPLE_NODES:-honest honest honest}"
# Flower 1.42 serves every SuperLink API (control, fleet, ServerAppIo) on one HTTP port, and
# each SuperNode its ClientAppIo on another. Free ports by default: CI may run beside others.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Waits until something listens on 127.0.0.1:$1 (the process $2 must stay alive meanwhile).
wait_port() {
    local i
    for i in $(seq 1 240); do
        if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$2" 2>/dev/null; then
            echo "run.sh: the process listening on port $1 exited; see $out/logs/" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "run.sh: nothing listens on port $1 after 120 s; see $out/logs/" >&2
    return 1
}
port="${ZKFL_EXAMPLE_PORT:-$(free_port)}"
work="$(mktemp -d "${TMPDIR:-/tmp}/zkfl-flower.XXXXXX")"
out="${ZKFL_EXAMPLE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/zkfl-example.XXXXXX")/out}"
if [[ -e "$out" ]]; then
    echo "run.sh: $out already exists; choose a new ZKFL_EXAMPLE_OUT" >&2
    exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

# A private Flower home: the CLI's connection to this SuperLink and the apps it unpacks.
export FLWR_HOME="$work/flwr-home"
mkdir -p "$FLWR_HOME"
cat > "$FLWR_HOME/config.toml" <<TOML
[superlink]
default = "zkfl-example"

[superlink.zkfl-example]
address = "127.0.0.1:$port"
insecure = true
TOML

echo "== SuperLink (127.0.0.1:$port); logs in $out/logs"
mkdir -p "$out/logs"
flower-superlink --insecure --disable-runtime-dependency-installation \
    --host 127.0.0.1 --port "$port" \
    > "$out/logs/superlink.log" 2>&1 &
pids+=($!)
wait_port "$port" "$!"

for i in "${!nodes[@]}"; do
    if [[ -n "${ZKFL_EXAMPLE_PORT:-}" ]]; then node_port=$((port + 1 + i)); else node_port="$(free_port)"; fi
    echo "== SuperNode $i (${nodes[$i]}, port $node_port)"
    flower-supernode --insecure --superlink "127.0.0.1:$port" --host 127.0.0.1 --port "$node_port" \
        --node-config "partition-id=$i num-partitions=${#nodes[@]} behaviour=\"${nodes[$i]}\"" \
        > "$out/logs/supernode-$i.log" 2>&1 &
    pids+=($!)
done

echo "== flwr run . --stream ($rounds rounds, ${#nodes[@]} nodes)"
flwr run "$here" zkfl-example --stream \
    --run-config "out-dir=\"$out\" num-server-rounds=$rounds nodes=${#nodes[@]}" | tee "$out/logs/run.log"
stop_all

if [[ ! -f "$out/summary.json" ]]; then
    echo "run.sh: the ServerApp wrote no $out/summary.json; see $out/logs/" >&2
    exit 1
fi

echo "== zkfl-verify history"
zkfl-verify history --allow-insecure-keys --vk "$out/keys/vk.bin" "$out/rounds"
last="$(ls -d "$out"/rounds/round-* | sort -t- -k2 -n | tail -n 1)"
echo "== zkfl-verify model: the model Flower ended with is the last proven one"
zkfl-verify model --allow-insecure-keys --vk "$out/keys/vk.bin" --round "$last" "$out/final_model.npz" \
    --opening "$last/model.opening.json"
echo "== done: $out"
