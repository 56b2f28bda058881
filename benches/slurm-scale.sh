#!/usr/bin/env bash
# Sharded proving as a Slurm job array (issue 14): wall time of a round, per-task peak RSS
# and a tasks × threads table, plus the constants of the time model in docs/BENCHMARKS.md.
#
#   benches/slurm-scale.sh [--params D] [--slots N] [--chunk M] [--configs "4x1 2x1 1x2"]
#                          [--work DIR] [--zkfl PATH]
#
# Each config "TxC" is an array of T tasks with --cpus-per-task=C, at most ⌊CPUs / C⌋
# running at once. Uses the Slurm that SLURM_CONF points at, else starts
# examples/slurm/local-cluster.sh (as root). Build first:
#   cargo build --release -p zkfl-prover
# Prints a Markdown table on stdout; logs and the raw numbers stay in the work directory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
params=50000 slots=8 chunk=1024 configs="4x1 2x1 1x2" work=""
zkfl=$here/target/release/zkfl
while [ $# -gt 0 ]; do
    case "$1" in
    --params) params=$2; shift 2 ;;
    --slots) slots=$2; shift 2 ;;
    --chunk) chunk=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --zkfl) zkfl=$2; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
    esac
done
[ -x "$zkfl" ] || { echo "no zkfl at $zkfl: cargo build --release -p zkfl-prover" >&2; exit 2; }
work=$(realpath -m "${work:-$(mktemp -d /tmp/zkfl-slurm-scale.XXXXXX)}")
mkdir -p "$work"
cd "$work"
log() { echo "[$(date +%T)] $*" >&2; }

if [ -z "${SLURM_CONF:-}" ]; then
    "$here/examples/slurm/local-cluster.sh" install >&2
    "$here/examples/slurm/local-cluster.sh" start "$work/cluster" >&2
    trap '"$here/examples/slurm/local-cluster.sh" stop "$work/cluster"' EXIT
    export SLURM_CONF=$work/cluster/slurm.conf
fi
cpus=$(sinfo -h -N -o %c | head -n1)

# Inputs: one model and `slots` client updates of `params` F32 values (stdlib Python).
if [ ! -d keys ]; then
    log "setup n=$slots m=$chunk (seeded development keys)"
    "$zkfl" setup --slots "$slots" --chunk "$chunk" --seed 1 --out keys >/dev/null 2>&1
fi
python3 - "$params" "$slots" <<'PY'
import json, math, struct, sys
d, n = int(sys.argv[1]), int(sys.argv[2])
def write(path, seed, amp):
    data = struct.pack(f"<{d}f", *(math.sin(i * 0.7 + seed) * amp for i in range(d)))
    header = json.dumps({"w": {"dtype": "F32", "shape": [d], "data_offsets": [0, len(data)]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + data)
write("model.safetensors", 0.0, 0.5)
for i in range(n):
    write(f"c{i}.safetensors", i + 1.0, 0.001)
PY
args=()
for i in $(seq 0 $((slots - 1))); do
    [ -f "c$i.opening.json" ] || "$zkfl" commit --update "c$i.safetensors" \
        --params keys/params.json --out "c$i.commit.json" >/dev/null
    args+=(--update "c$i.safetensors" --opening "c$i.opening.json" --weight 1)
done
rm -rf plan
t0=$(date +%s.%N)
"$zkfl" prove --prepare --keys keys --round 1 --model model.safetensors "${args[@]}" \
    --linf 0.01 --l2 10 --out plan >/dev/null 2>&1
prepare_s=$(echo "$(date +%s.%N) - $t0" | bc)
k=$(python3 -c 'import json; print(len(json.load(open("plan/plan.json"))["statement"]["public_inputs"]))')
pk_bytes=$(stat -c %s keys/pk.bin)
log "d=$params K=$k pk.bin=$pk_bytes bytes prepare=${prepare_s}s"

# Every task (and the assemble job) runs under GNU time for its peak RSS.
cat >"$work/zkfl-timed" <<WRAP
#!/usr/bin/env bash
exec /usr/bin/time -f "%M %e" -o "$work/time-\${SLURM_JOB_ID}-\$\$" "$zkfl" "\$@"
WRAP
chmod +x "$work/zkfl-timed"

echo "| tasks × threads | running at once | chunks/task | wall (submit → assembled) | per-task key load | per-chunk proof (1 chunk in flight per thread) | per-task peak RSS | assemble + verify job |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for cfg in $configs; do
    tasks=${cfg%x*} threads=${cfg#*x}
    p=$((cpus / threads)); [ "$p" -ge 1 ] || p=1
    run=$work/run-$cfg
    rm -rf "$run" && mkdir -p "$run/plan/chunks"
    cp plan/plan.json plan/input.json "$run/plan/"
    rm -f "$work"/time-*
    t0=$(date +%s.%N)
    read -r array assemble < <(cd "$run" && ZKFL="$work/zkfl-timed" \
        "$here/examples/slurm/submit.sh" plan "$work/keys" round "$tasks" "$p" \
        --cpus-per-task="$threads")
    while squeue -h -j "$array,$assemble" 2>/dev/null | grep -q .; do sleep 0.5; done
    wall=$(echo "$(date +%s.%N) - $t0" | bc)
    [ -f "$run/round/round.json" ] || { echo "config $cfg: no round assembled; see $run" >&2; exit 1; }
    # Per task: key load and prove seconds from its JSON summary; RSS from GNU time.
    python3 - "$run" "$work" "$array" "$assemble" "$tasks" "$threads" "$p" "$k" "$wall" <<'PY'
import glob, json, os, sys
run, work, array, assemble, tasks, threads, p, k, wall = sys.argv[1:]
tasks, threads, k = int(tasks), int(threads), int(k)
keys, chunk_s = [], []
for f in glob.glob(f"{run}/zkfl-shard-{array}_*.out"):
    for line in open(f):
        if line.startswith("{"):
            s = json.loads(line)
            keys.append(s["key_load_seconds"])
            if s["proven"]:
                # chunks in flight = jobs, so one chunk takes prove_seconds·jobs/proven.
                chunk_s.append(s["prove_seconds"] * s["jobs"] / s["proven"])
rss = []
for f in glob.glob(f"{work}/time-*"):
    job = f.rsplit("-", 2)[1]
    kib, secs = open(f).read().split()[-2:]
    rss.append((job, int(kib), float(secs)))
asm = [r for r in rss if r[0] == assemble]
tasks_rss = [r[1] for r in rss if r[0] != assemble]
mean = lambda v: sum(v) / len(v) if v else float("nan")
print(f"| {tasks} × {threads} | {p} | {k / tasks:.1f} | {float(wall):.1f} s | {mean(keys):.2f} s | "
      f"{mean(chunk_s):.2f} s | {max(tasks_rss) / 1024:.0f} MiB | "
      f"{sum(r[2] for r in asm):.1f} s, {max((r[1] for r in asm), default=0) / 1024:.0f} MiB |")
PY
done
echo
echo "d = $params, n = $slots, m = $chunk, K = $k chunks, pk.bin $((pk_bytes / 1048576)) MiB, prepare ${prepare_s} s, $cpus CPUs."
