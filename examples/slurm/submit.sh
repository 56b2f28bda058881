#!/usr/bin/env bash
# Submits a prepared round to Slurm: N array tasks (at most P at once) and the assemble job
# that runs once all of them succeeded. Prints the two job ids.
#
#   zkfl prove --prepare --keys keys --round T … --out plan     # once, anywhere
#   examples/slurm/submit.sh plan keys round-T N P [extra sbatch flags…]
#
# Paths must be on a filesystem every node sees. Extra flags (e.g. --partition,
# --cpus-per-task, --mem, --time) go to both sbatch calls.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plan=$(realpath "${1:?usage: submit.sh PLAN KEYS OUT N P [sbatch flags]}")
keys=$(realpath "${2:?}")
out=$(realpath -m "${3:?}")
n=${4:?}
p=${5:?}
shift 5
export ZKFL_PLAN=$plan ZKFL_KEYS=$keys ZKFL_OUT=$out ZKFL_SHARDS=$n
array=$(sbatch --parsable --array="0-$((n - 1))%$p" --export=ALL "$@" \
    "$here/zkfl-shard.sbatch" | cut -d';' -f1)
assemble=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --export=ALL "$@" "$here/zkfl-assemble.sbatch" | cut -d';' -f1)
echo "$array $assemble"
