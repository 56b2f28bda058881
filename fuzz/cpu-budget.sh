#!/usr/bin/env bash
# usage: fuzz/cpu-budget.sh TARGET CPU_SECONDS [LOG]
# Runs one libFuzzer target (built with `cargo fuzz build -s none`) at nice 15 on its
# corpus until the process has used CPU_SECONDS of CPU time (user + system), then stops it
# with SIGINT so libFuzzer prints its final stats. On a shared machine wall time says
# little; this is how docs/FUZZING.md counts CPU-minutes.
set -u
t=$1
budget=$2
log=${3:-/tmp/fuzz-$t.log}
cd "$(dirname "$0")"
mkdir -p "artifacts/$t"
nice -n 15 "target/x86_64-unknown-linux-gnu/release/$t" "corpus/$t" -timeout=30 \
  -rss_limit_mb=3072 -print_final_stats=1 "-artifact_prefix=artifacts/$t/" >"$log" 2>&1 &
pid=$!
tck=$(getconf CLK_TCK)
cpu=0
while kill -0 "$pid" 2>/dev/null; do
  sleep 10
  [ -r "/proc/$pid/stat" ] || break
  cpu=$(awk -v t="$tck" '{print int(($14 + $15) / t)}' "/proc/$pid/stat")
  # libFuzzer handles SIGINT only once its init hook (the fixture) has run.
  if [ "$cpu" -ge "$budget" ] && grep -q INITED "$log"; then kill -INT "$pid"; fi
done
wait "$pid"
echo "exit=$? cpu_seconds=$cpu" >>"$log"
