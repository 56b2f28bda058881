"""Shared fixtures: seeded (INSECURE, test-only) keys, small tensors, and the CLI binaries
the round-trip tests compare against (`zkfl`, `zkfl-verify`: on PATH, or ZKFL_BIN_DIR)."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import zkfl

SLOTS = 3
CHUNK = 16


def binary(name: str) -> str:
    """The path of a zkfl binary; fails (never skips) when it is missing."""
    bin_dir = os.environ.get("ZKFL_BIN_DIR")
    path = shutil.which(name, path=bin_dir) if bin_dir else shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` not found: build it (python/ci.sh does) and set ZKFL_BIN_DIR or PATH")
    return path


def run(name: str, *args: object, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs a zkfl binary; with ok=True it must succeed."""
    p = subprocess.run([binary(name), *map(str, args)], capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise AssertionError(f"{name} {' '.join(map(str, args))} failed:\n{p.stdout}\n{p.stderr}")
    return p


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> zkfl.Keys:
    d = tmp_path_factory.mktemp("zkfl") / "keys"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return zkfl.setup(d, slots=SLOTS, chunk=CHUNK, seed=7)


def model(seed: float = 0.0) -> dict[str, np.ndarray]:
    """A 40-parameter model in two float32 tensors (3 chunks of 16)."""
    i = np.arange(40, dtype=np.float64)
    v = (np.sin(i * 0.7 + seed) * 0.8).astype(np.float32)
    return {"w": v[:32].reshape(4, 8), "b": v[32:]}


def update(seed: float, amp: float = 0.02) -> dict[str, np.ndarray]:
    return {k: (v / 0.8 * amp).astype(np.float32) for k, v in model(seed).items()}
