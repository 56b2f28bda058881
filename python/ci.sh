#!/usr/bin/env bash
# The Python half of CI: a venv with maturin, flwr, numpy and pytest from PyPI, the zkfl wheel
# built from this checkout (`pip install ./python`), the `zkfl` and `zkfl-verify` binaries the
# tests compare against, then pytest (API tests and the Flower example on a real SuperLink
# and SuperNodes).
#
# Run it after `cargo test --workspace`: the binaries are the ones that command built for
# the integration tests (`cargo test --workspace --no-run` only checks they are fresh; a
# `cargo build -p …` would resolve features differently and rebuild the stack, 3.7 min in
# CI). The wheel is built by maturin with the dev profile, whose settings for every crate
# it links match the test profile's (root Cargo.toml); its feature set is the wheel's own,
# so maturin compiles its crates once more.
#   ZKFL_PY_VENV   where the venv goes (default target/python-venv; reused if present)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ZKFL_PY_VENV:-$root/target/python-venv}"
cd "$root"

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
export PATH="$venv/bin:$PATH"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r python/ci-requirements.txt
echo "python/ci.sh: venv ready at ${SECONDS}s"

cargo test --locked --workspace --no-run
echo "python/ci.sh: zkfl and zkfl-verify built at ${SECONDS}s"
# The venv's maturin builds the wheel (no isolated build env to download it into).
"$venv/bin/python" -m pip install --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps ./python

echo "python/ci.sh: wheel installed at ${SECONDS}s"
export ZKFL_BIN_DIR="$root/target/debug"
"$venv/bin/python" -m pytest -q python/tests "$@"
echo "python/ci.sh: tests passed at ${SECONDS}s"
