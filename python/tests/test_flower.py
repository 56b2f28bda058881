"""The Flower example end to end on a real deployment: `examples/flower-proven-fedavg/run.sh`
starts a SuperLink and four SuperNodes (two honest, one whose arrays do not open its
commitment, one over the L∞ bound), runs three rounds, and verifies the bundles with
`zkfl-verify`. The bad clients must be left out and named, every round proven without them,
and the model Flower ends with must be the last proven one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import zkfl
from conftest import binary

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flower-proven-fedavg"
ROUNDS = 3


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    for tool in ["flwr", "flower-superlink", "flower-supernode"]:
        if shutil.which(tool) is None:
            pytest.fail(f"`{tool}` not on PATH: install flwr (python/ci.sh does)")
    out = tmp_path_factory.mktemp("flower") / "out"
    env = {
        **os.environ,
        "PATH": f"{Path(binary('zkfl-verify')).parent}{os.pathsep}{os.environ['PATH']}",
        "ZKFL_EXAMPLE_OUT": str(out),
        "ZKFL_EXAMPLE_ROUNDS": str(ROUNDS),
        "ZKFL_EXAMPLE_NODES": "honest mismatch honest overbound",
    }
    p = subprocess.run(
        ["bash", str(EXAMPLE / "run.sh")], env=env, capture_output=True, text=True, timeout=900
    )
    if p.returncode != 0:
        logs = "".join(
            f"\n--- {f.name} (tail)\n" + "\n".join(f.read_text(errors="replace").splitlines()[-40:])
            for f in sorted((out / "logs").glob("*.log"))
        ) if (out / "logs").is_dir() else ""
        raise AssertionError(f"run.sh failed ({p.returncode}):\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}{logs}")
    return out, p


def test_every_round_is_proven_without_the_bad_clients(run) -> None:
    out, p = run
    summary = json.loads((out / "summary.json").read_text())
    rounds = summary["rounds"]
    run_log = (out / "logs" / "run.log").read_text(errors="replace")
    assert [r["round"] for r in rounds] == list(range(1, ROUNDS + 1))
    for r in rounds:
        assert len(r["accepted_nodes"]) == 2, r
        reasons = sorted(r["dropped"].items())
        assert len(reasons) == 2, r
        # Each left-out node is named in the ServerApp's log, with what it did wrong.
        for node, why in reasons:
            assert f"zkfl: round {r['round']}: left out node {node}: {why[:60]}" in run_log
        assert sum("does not open" in why for _, why in reasons) == 1, reasons
        assert sum("L∞ bound" in why for _, why in reasons) == 1, reasons
        assert set(map(int, r["dropped"])).isdisjoint(r["accepted_nodes"])
        assert r["prove_seconds"] > 0
    assert rounds[-1]["accuracy"] > summary["initial_accuracy"]

    history = zkfl.verify_history(out / "keys" / "vk.bin", out / "rounds", allow_insecure_keys=True)
    assert (history.first_round, history.last_round) == (1, ROUNDS)
    assert [r.active_slots for r in history.rounds] == [2] * ROUNDS
    assert history.rounds[0].genesis
    # run.sh ended with `zkfl-verify history` and `zkfl-verify model` over the same files.
    assert p.stdout.count("VALID") >= 2 and "INVALID" not in p.stdout


def test_flower_ends_with_the_last_proven_model(run) -> None:
    out, _ = run
    final = zkfl.read_tensors(out / "final_model.npz")
    proven = zkfl.read_tensors(out / "rounds" / f"round-{ROUNDS}" / "model.safetensors")
    assert final.keys() == proven.keys()
    for name, a in proven.items():
        assert np.array_equal(final[name].astype(np.float64), a.astype(np.float64)), name
