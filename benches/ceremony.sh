#!/usr/bin/env bash
# Side-by-side ceremony timings, zkfl vs the pinned snarkjs, on the same files
# (docs/BENCHMARKS.md, "Ceremony"). Usage: benches/ceremony.sh LOG_DOMAIN [SLOTS] [WORKDIR]
#   e.g. benches/ceremony.sh 19 8 /tmp/zkfl-ceremony-bench
# Needs: `npm ci --prefix verifier`, GNU time (/usr/bin/time) for peak memory.
# The ptau is an INSECURE one from `insecure-ptau` (snarkjs needs hours to prepare one this
# large); its power is LOG_DOMAIN + 1 (docs/CEREMONY.md explains why).
set -euo pipefail
LOG=${1:?log2 of the domain}
SLOTS=${2:-8}
WORK=${3:-/tmp/zkfl-ceremony-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SNARKJS="$ROOT/verifier/node_modules/.bin/snarkjs"
# PROFILE=dev reuses the dev build (dependencies and zkfl-ceremony at opt-level 3).
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ]; then FLAG=--release; DIR=release; else FLAG=; DIR=debug; fi
cargo build $FLAG -p zkfl-prover -p zkfl-benches --bin zkfl --bin insecure-ptau
ZKFL="$ROOT/target/$DIR/zkfl"
mkdir -p "$WORK" && cd "$WORK"
SHAPE=(--slots "$SLOTS" --chunk auto --log-domain "$LOG")
POWER=$((LOG + 1))
[ -f "pot$POWER.ptau" ] || "$ROOT/target/$DIR/insecure-ptau" --power "$POWER" --out "pot$POWER.ptau"
"$ZKFL" ceremony export-r1cs "${SHAPE[@]}" --out circuit.r1cs
measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "$name: %e s wall, %M KiB peak RSS" "$@" > "$name.out" 2> "$name.time" || { cat "$name.out" "$name.time"; exit 1; }
  tail -1 "$name.time"
}
measure zkfl-init "$ZKFL" ceremony init --ptau "pot$POWER.ptau" "${SHAPE[@]}" --out c0.zkey
measure snarkjs-new "$SNARKJS" zkey new circuit.r1cs "pot$POWER.ptau" c0_snarkjs.zkey
cmp c0.zkey c0_snarkjs.zkey && echo "init == snarkjs zkey new (byte for byte)"
# Alternate the two implementations so that load from other processes hits both alike.
for i in 1 2; do
  measure "zkfl-contribute-$i" "$ZKFL" ceremony contribute c0.zkey "c1_zkfl_$i.zkey" --name "zkfl $i"
  measure "snarkjs-contribute-$i" "$SNARKJS" zkey contribute c0.zkey "c1_snarkjs_$i.zkey" --name="snarkjs $i" -e="bench entropy $i"
done
for i in 1 2; do
  measure "zkfl-verify-$i" "$ZKFL" ceremony verify --ptau "pot$POWER.ptau" "${SHAPE[@]}" c1_snarkjs_1.zkey
  measure "snarkjs-verify-$i" "$SNARKJS" zkey verify circuit.r1cs "pot$POWER.ptau" c1_snarkjs_1.zkey
done
grep -q "ZKey Ok" snarkjs-verify-1.out && grep -q "ZKey Ok" zkfl-verify-1.out && echo "both verifiers accept"
ls -l "pot$POWER.ptau" circuit.r1cs c0.zkey c1_zkfl_1.zkey
